"""Command-line usage errors end in one line and exit 2, and the desktop app without a
display says so in one line instead of Qt aborting the process (issue 23, item 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items()
         if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    e.update(env)
    return subprocess.run([sys.executable, "-m", "twin", *args], capture_output=True,
                          text=True, env=e, timeout=120, cwd=ROOT)


@pytest.mark.parametrize("args, code, text", [
    (("exprot",), 2, "unknown command 'exprot'"),
    (("export", "x"), 2, "invalid choice: 'x'"),
    (("import",), 2, "required: KIND"),
    (("export", "usd", "layouts/gb200-pod.json"), 2, "--out"),
    (("missing.json",), 1, "missing.json: no such file"),
    (("layouts/gb200-pod.json", "extra"), 2, "unexpected arguments"),
    (("layouts/gb200-pod.json",), 1, "the desktop app cannot open: no display"),
    (("gui",), 1, "the desktop app cannot open: no display"),
])
def test_usage_errors_and_no_display_are_one_line(args, code, text):
    r = _run(*args)
    assert r.returncode == code, (r.stdout, r.stderr)
    assert text in r.stderr
    assert "Traceback" not in r.stderr and "core dumped" not in r.stderr


@pytest.mark.parametrize("low_open, text, ok", [
    (False, "0", True), (False, "1", True), (False, "-0.001", False), (False, "1.001", False),
    (True, "0", False), (True, "0.001", True), (True, "1", True), (False, "nan", False)])
def test_number_arguments_hold_their_bounds_exactly(low_open, text, ok):
    import argparse

    from twin.cli_common import number_in
    check = number_in(0, 1, "a share", low_open=low_open)
    if ok:
        assert check(text) == float(text)
    else:
        with pytest.raises(argparse.ArgumentTypeError, match="out of range"):
            check(text)
    with pytest.raises(argparse.ArgumentTypeError, match="^expected a share, got 'x'$"):
        check("x")
