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


def test_a_recovery_file_spoiled_or_gone_after_listing_is_a_layout_error_naming_it(tmp_path):
    """Restoring an entry whose file was cut short or deleted since the listing: one
    problem for the whole file (no JSON path), naming the recovery file."""
    store = RecoveryStore(tmp_path)
    path = tmp_path / "session-7-7.json"
    store.write(path, load_layout(LAYOUTS / "small-room.json"), None)
    (entry,) = store.entries()
    path.write_text('{"recovery": {"source": null')
    with pytest.raises(LayoutError) as exc:
        store.load(entry)
    assert exc.value.file == str(path) and len(exc.value.problems) == 1
    problem = exc.value.problems[0]
    assert problem.path == "" and problem.severity == "error"
    assert problem.message.startswith("not a readable recovery file")
    assert exc.value.lines[0].startswith(f"{path}: not a readable recovery file")
    path.unlink()
    with pytest.raises(LayoutError) as exc:
        store.load(entry)
    assert exc.value.file == str(path)
    assert [p.path for p in exc.value.problems] == [""]


def test_a_bad_layout_in_a_recovery_file_names_the_recovery_file(tmp_path):
    store = RecoveryStore(tmp_path)
    bad = tmp_path / "session-8-8.json"
    bad.write_text(json.dumps({"recovery": {"source": None, "saved_at": 1.0, "pid": 0},
                               "layout": {"format": "nope"}}))
    (entry,) = store.entries()
    with pytest.raises(LayoutError) as exc:
        store.load(entry)
    assert exc.value.lines == [f"{bad}: format: found 'nope', expected "
                               "'ai-factory-twin-layout'"]


def test_names_beyond_ascii_survive_the_recovery_file(tmp_path):
    """The recovery file is written as ASCII JSON (non-ASCII text escaped): accented and
    non-Latin names come back as they were."""
    store = RecoveryStore(tmp_path)
    lay = load_layout(LAYOUTS / "small-room.json")
    lay.name = "Salle Ölkühlung – 東京"
    path = tmp_path / "session-6-6.json"
    store.write(path, lay, None)
    path.read_bytes().decode("ascii")                   # every byte is ASCII
    (entry,) = store.entries()
    back = store.load(entry)
    assert back.name == "Salle Ölkühlung – 東京" and back.equals(lay)
