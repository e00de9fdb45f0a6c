"""Crash recovery: a killed editor's unsaved edits come back on the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from tests.conftest import LAYOUTS, ROOT
from twin.gui.window import app as app_mod
from twin.gui.window.settings import AppSettings
from twin.io import load_layout
from twin.io.recovery import RecoveryStore

POD = LAYOUTS / "gb200-pod.json"

CHILD = textwrap.dedent("""
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings
    from twin.gui.window import app as app_mod, autosave
    from twin.gui.window.settings import AppSettings
    app = app_mod.create_application()
    s = AppSettings(QSettings(sys.argv[1], QSettings.Format.IniFormat))
    w = app_mod.open_main_window(sys.argv[2], settings=s, enable_3d=False, recover=False)
    w.autosaver._timer.setInterval(200)
    w.editor.move({"A01": (1.2, 1.2)})
    end = time.time() + 30
    while w.autosaver.writes == 0 and time.time() < end:
        app.processEvents()
        time.sleep(0.02)
    print("SAVED", w.autosaver.path, flush=True)
    while True:                      # edited, autosaved, never saved: wait to be killed
        app.processEvents()
        time.sleep(0.05)
""")


@pytest.fixture
def settings_file(tmp_path):
    return tmp_path / "settings.ini"


def _answer(monkeypatch, button):
    asked = []

    def question(parent, title, text, *a, **k):
        asked.append(text)
        return button
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def _kill_after_autosave(settings_file) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(settings_file), str(POD)],
                             stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        line = child.stdout.readline()
        assert line.startswith("SAVED"), line
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    return line.split(" ", 1)[1].strip()


def test_edits_of_a_killed_editor_are_offered_and_restored(qtbot, settings_file, monkeypatch):
    recovery_file = _kill_after_autosave(settings_file)
    store = RecoveryStore(settings_file.parent / "recovery")
    assert [str(e.path) for e in store.orphans()] == [recovery_file]
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    app_mod.create_application()
    settings = AppSettings(QSettings(str(settings_file), QSettings.Format.IniFormat))
    w = app_mod.open_main_window(POD, settings=settings, enable_3d=False)
    qtbot.addWidget(w)
    assert len(asked) == 1 and "gb200-pod.json" in asked[0]
    lay = w.floor_layout
    i = lay.racks.index_of("A01")
    assert (lay.racks["x_m"][i], lay.racks["y_m"][i]) == (1.2, 1.2)     # the edit is back
    assert w.document.modified and w.document.path == POD                 # unsaved, same file
    assert store.orphans() == []                                         # offered once
    original = load_layout(POD)
    assert not original.equals(lay)                                      # file untouched
    w.document.save(settings_file.parent / "saved.json")
    assert not w.document.modified
    w.close()


def test_discard_deletes_the_recovery_file(qtbot, settings_file, monkeypatch):
    _kill_after_autosave(settings_file)
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Discard)
    app_mod.create_application()
    settings = AppSettings(QSettings(str(settings_file), QSettings.Format.IniFormat))
    w = app_mod.open_main_window(POD, settings=settings, enable_3d=False)
    qtbot.addWidget(w)
    assert len(asked) == 1 and not w.document.modified
    assert load_layout(POD).equals(w.floor_layout)
    assert RecoveryStore(settings_file.parent / "recovery").orphans() == []
    w.close()


def test_autosave_follows_unsaved_edits_and_a_clean_exit_leaves_nothing(qtbot, settings_file,
                                                                        monkeypatch):
    _answer(monkeypatch, QMessageBox.StandardButton.Discard)
    app_mod.create_application()
    settings = AppSettings(QSettings(str(settings_file), QSettings.Format.IniFormat))
    w = app_mod.open_main_window(POD, settings=settings, enable_3d=False)
    qtbot.addWidget(w)
    a = w.autosaver
    a._timer.setInterval(50)
    assert not a.path.exists()
    w.editor.move({"A01": (1.2, 1.2)})
    qtbot.waitUntil(lambda: a.path.exists(), timeout=5000)
    store = RecoveryStore(settings_file.parent / "recovery")
    assert store.entries()[0].path == a.path and not store.entries()[0].orphaned
    assert store.orphans() == []                    # our own session: not offered
    assert store.load(store.entries()[0]).equals(w.floor_layout)
    w.document.stack.undo()                         # back to the saved state: nothing to keep
    assert not a.path.exists()
    w.editor.move({"A01": (2.4, 1.2)})
    qtbot.waitUntil(lambda: a.path.exists(), timeout=5000)
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a_, **k: QMessageBox.StandardButton.Discard))
    w.close()                                       # clean exit (changes discarded)
    assert not a.path.exists()
    time.sleep(0)
