"""Shared fixtures: sample paths, loaded layouts, an isolated QSettings location."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

import pytest

# Before any test module imports numpy: importing twin limits BLAS to one thread (see
# twin/__init__.py), which only works before numpy is loaded. Test modules import numpy
# ahead of twin (import order), and OpenBLAS's threads spinning on two busy cores made
# a report test take 35 s of CPU instead of 6.
import twin  # noqa: F401

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


@pytest.fixture(autouse=True)
def _delete_closed_windows():
    """After a GUI test, destroy the main windows it closed. pytest-qt closes the widgets
    a test registers but does not delete them, so each closed window kept its ~140 menus
    and widgets alive and every later test's event processing walked them all: the
    window fixture's set-up grew from 2 s to 9 s over one test file."""
    yield
    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication.instance()
    if app is None:
        return
    closed = [w for w in QApplication.topLevelWidgets()
              if isinstance(w, QMainWindow) and not w.isVisible()]
    for w in closed:
        w.deleteLater()
    if closed:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        del closed
        gc.collect()   # the parentless menus and docks the windows' Python objects held


@pytest.fixture(autouse=True)
def _no_offscreen_app_on_a_display():
    """A test that renders a report or figure in this process must take the ``qapp``
    fixture: otherwise, if it is the first in its pytest worker to need Qt, the headless
    renderer (``twin.report.offscreen.start_qt``) creates the worker's one QApplication
    on the ``offscreen`` platform, and every later GUI test in that worker loses its 3-D
    view (or crashes creating a canvas)."""
    yield
    if "PySide6.QtWidgets" not in sys.modules or not os.environ.get("DISPLAY"):
        return
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    if app is not None and app.platformName() == "offscreen":
        pytest.fail("this test created the worker's QApplication on the offscreen platform "
                    "although a display is available: give it the qapp fixture")


@pytest.fixture
def pod_path() -> Path:
    return LAYOUTS / "gb200-pod.json"


@pytest.fixture
def pod():
    from twin.io import load_layout
    return load_layout(LAYOUTS / "gb200-pod.json")


@pytest.fixture
def physics_server():
    """The physics process's ``_Server`` (twin/engine/remote.py) on its two threads, in
    this process, and the parent's end of its connection; stopped afterwards."""
    import socket
    import threading
    from multiprocessing.connection import Connection

    from twin.engine.remote import _Server
    mine, theirs = socket.socketpair()
    parent, child = Connection(mine.detach()), Connection(theirs.detach())
    srv = _Server(child)
    threads = [threading.Thread(target=srv._read, daemon=True),
               threading.Thread(target=srv.loop, daemon=True)]
    for t in threads:
        t.start()
    yield srv, parent
    parent.send(("stop",))
    for t in threads:
        t.join(5)
    parent.close()
    child.close()
