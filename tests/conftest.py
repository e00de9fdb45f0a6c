"""Shared fixtures: sample paths, loaded layouts, an isolated QSettings location."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "layouts"
SAMPLES = sorted(LAYOUTS.glob("*.json"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, monkeypatch):
    """Keep QSettings (recent files, window state) out of the user's home."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("HOME", os.environ.get("HOME", str(home)))


@pytest.fixture
def pod_path() -> Path:
    return LAYOUTS / "gb200-pod.json"


@pytest.fixture
def pod():
    from twin.io import load_layout
    return load_layout(LAYOUTS / "gb200-pod.json")
