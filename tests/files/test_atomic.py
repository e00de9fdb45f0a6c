"""``twin.io.atomic.write_atomic``: the one atomic write (layouts, JSON, PNG, PDF)."""

import errno
import os
import stat
from pathlib import Path

import pytest

from twin.io import atomic


def test_a_folder_is_refused_and_named_in_the_error(tmp_path):
    with pytest.raises(IsADirectoryError) as err:
        atomic.write_atomic(tmp_path, b"x")
    assert err.value.errno == errno.EISDIR and err.value.filename == str(tmp_path)


def test_a_read_only_file_is_refused_named_and_kept(tmp_path):
    f = tmp_path / "layout.json"
    f.write_bytes(b"old")
    f.chmod(stat.S_IRUSR | stat.S_IRGRP)
    with pytest.raises(PermissionError) as err:
        atomic.write_atomic(f, b"new")
    assert err.value.errno == errno.EACCES and err.value.filename == str(f)
    assert f.read_bytes() == b"old"


def test_the_temporary_is_written_beside_the_target(tmp_path, monkeypatch):
    """The rename that replaces the file is atomic only within one file system, so the
    temporary lives in the target's folder."""
    renames = []
    real = os.replace
    monkeypatch.setattr(atomic.os, "replace", lambda a, b: renames.append((a, b)) or real(a, b))
    f = tmp_path / "sub" / "layout.json"
    f.parent.mkdir()
    assert atomic.write_atomic(f, b"data") == f
    assert f.read_bytes() == b"data"
    (src, dst), = renames
    assert Path(src).parent == f.parent and Path(dst) == f
    assert sorted(p.name for p in f.parent.iterdir()) == ["layout.json"]


def test_a_folder_is_refused_with_its_reason(tmp_path):
    with pytest.raises(IsADirectoryError) as err:
        atomic.write_atomic(tmp_path, b"x")
    assert err.value.strerror == "it is a folder"


def test_the_temporary_is_named_after_the_target_and_old_ones_are_swept(tmp_path, monkeypatch):
    """mkstemp names the temporary ``.NAME.XXXXXXXX.tmp``; a save removes those a killed
    save left more than STALE_TMP_S ago, not a fresh one (another process saving now)
    nor files of other names."""
    import re
    import time
    f = tmp_path / "layout.json"
    old = tmp_path / ".layout.json.abcd1234.tmp"
    fresh = tmp_path / ".layout.json.efgh5678.tmp"
    other = tmp_path / ".other.json.abcd1234.tmp"
    for p in (old, fresh, other):
        p.write_bytes(b"partial")
    past = time.time() - atomic.STALE_TMP_S - 60
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    renames = []
    real = os.replace
    monkeypatch.setattr(atomic.os, "replace", lambda a, b: renames.append(a) or real(a, b))
    atomic.write_atomic(f, b"data")
    assert re.fullmatch(r"\.layout\.json\.[A-Za-z0-9_]{8}\.tmp", Path(renames[0]).name)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".layout.json.efgh5678.tmp", ".other.json.abcd1234.tmp", "layout.json"])
    os.utime(fresh, (past, past))
    assert atomic.remove_stale_temporaries(f) == [fresh] and not fresh.exists()
