"""The recovery store (``twin.io.recovery``): what a crashed session leaves and restores."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import LAYOUTS
from twin.io import LayoutError, load_layout
from twin.io.recovery import RecoveryStore


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_a_session_file_round_trips_and_is_ours_while_we_run(tmp_path):
    store = RecoveryStore(tmp_path / "rec")
    lay = load_layout(LAYOUTS / "small-room.json")
    lay.move_racks(["A01"], [2.4], [3.0])
    path = store.session_file()
    store.write(path, lay, LAYOUTS / "small-room.json")
    (entry,) = store.entries()
    assert entry.path == path and entry.source == LAYOUTS / "small-room.json"
    assert entry.pid == os.getpid() and not entry.orphaned and store.orphans() == []
    assert store.load(entry).equals(lay)


def test_a_file_of_a_dead_session_is_an_orphan_newest_first(tmp_path):
    store = RecoveryStore(tmp_path)
    lay = load_layout(LAYOUTS / "small-room.json")
    older, newer = tmp_path / "session-1-1.json", tmp_path / "session-2-2.json"
    store.write(older, lay, None)
    store.write(newer, lay, LAYOUTS / "small-room.json")
    dead = _dead_pid()
    for p, t in ((older, 100.0), (newer, 200.0)):
        doc = json.loads(p.read_text())
        doc["recovery"].update(pid=dead, saved_at=t)
        p.write_text(json.dumps(doc))
    orphans = store.orphans()
    assert [o.path for o in orphans] == [newer, older]
    assert orphans[1].source is None and orphans[1].name == "Untitled layout"
    store.remove(newer)
    store.remove(newer)                 # removing twice is fine
    assert [o.path for o in store.orphans()] == [older]


def test_unreadable_files_are_skipped_and_a_bad_layout_is_a_layout_error(tmp_path):
    store = RecoveryStore(tmp_path)
    (tmp_path / "session-9-9.json").write_text("{not json")
    assert store.entries() == []
    bad = tmp_path / "session-8-8.json"
    bad.write_text(json.dumps({"recovery": {"source": None, "saved_at": 1.0, "pid": 0},
                               "layout": {"format": "nope"}}))
    (entry,) = store.entries()
    assert entry.orphaned                              # pid 0: no live session
    with pytest.raises(LayoutError):
        store.load(entry)
