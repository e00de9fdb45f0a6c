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
