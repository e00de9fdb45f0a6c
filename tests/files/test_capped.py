"""The one capped reader every importer shares: refusals are one line naming the file."""

from __future__ import annotations

import os

import pytest

from twin.interchange.errors import InterchangeError
from twin.interchange.inventory_read import read_table
from twin.io.capped import ReadRefused, read_capped
from twin.io.errors import LayoutError
from twin.io.trace import read_trace
from twin.model import Layout


def test_reads_a_file_exactly_at_the_limit(tmp_path):
    p = tmp_path / "f.csv"
    p.write_bytes(b"x" * 10)
    assert read_capped(p, 10, "a table") == b"x" * 10


def test_one_byte_over_the_limit_is_refused(tmp_path):
    p = tmp_path / "f.csv"
    p.write_bytes(b"x" * 11)
    with pytest.raises(ReadRefused, match="above the limit of 0.0 MiB for a table"):
        read_capped(p, 10, "a table")


def test_missing_folder_and_fifo_are_refused_without_blocking(tmp_path):
    with pytest.raises(ReadRefused, match="^no such file$"):
        read_capped(tmp_path / "nope", 10, "a table")
    with pytest.raises(ReadRefused, match="^is a directory, expected a table$"):
        read_capped(tmp_path, 10, "a table")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ReadRefused, match=r"^is a named pipe \(FIFO\), expected a table; "):
        read_capped(fifo, 10, "a table")


def test_importers_name_the_file_and_what_they_expected(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InterchangeError) as inv:
        read_table(fifo)
    assert str(fifo) in str(inv.value) and "rack inventory" in str(inv.value)
    with pytest.raises(LayoutError) as trace:
        read_trace(fifo, Layout())
    assert str(fifo) in str(trace.value) and "trace CSV" in str(trace.value)


def test_sizes_are_named_in_mebibytes(tmp_path):
    from twin.io.capped import mib
    assert (mib(3 * 2**20), mib(1536 * 1024), mib(0)) == ("3.0 MiB", "1.5 MiB", "0.0 MiB")
    p = tmp_path / "big.csv"
    p.write_bytes(b"x" * (3 * 2**20))
    with pytest.raises(ReadRefused) as exc:
        read_capped(p, 2 * 2**20, "a table")
    assert str(exc.value) == "file is 3.0 MiB, above the limit of 2.0 MiB for a table"


def test_a_character_device_is_refused_by_kind():
    with pytest.raises(ReadRefused) as exc:
        read_capped("/dev/null", 10, "a table")
    assert str(exc.value) == "is a character device, expected a table; nothing was read"


def test_a_file_that_grows_after_the_check_is_cut_at_the_limit(tmp_path, monkeypatch):
    """The size is checked before the read; a file appended to in between is refused
    by what was actually read (limit + 1 bytes)."""
    from twin.io import capped
    p = tmp_path / "f.csv"
    p.write_bytes(b"x" * 10)
    real = capped._refuse_special
    calls = []

    def grow_after_first_check(st, what, limit):
        calls.append(what)
        real(st, what, limit)
        if len(calls) == 2:                     # the check on the open file, then it grows
            with open(p, "ab") as fh:
                fh.write(b"y" * 5)
    monkeypatch.setattr(capped, "_refuse_special", grow_after_first_check)
    with pytest.raises(ReadRefused) as exc:
        read_capped(p, 12, "a table")
    assert str(exc.value) == "file is larger than the limit of 0.0 MiB for a table"
    assert calls == ["a table", "a table"]


def test_a_file_of_a_kind_this_system_has_no_name_for_is_refused(monkeypatch):
    """Not a regular file, yet none of the kinds named (e.g. a Solaris door, type bits
    0o150000): still refused before anything is read, as "not a regular file"."""
    real_stat = os.stat
    door = "/srv/door"

    def stat(path, *args, **kwargs):
        if os.fspath(path) == door:
            return os.stat_result((0o150644, 1, 1, 1, 0, 0, 0, 0, 0, 0))
        return real_stat(path, *args, **kwargs)
    monkeypatch.setattr(os, "stat", stat)
    with pytest.raises(ReadRefused) as exc:
        read_capped(door, 10, "a table")
    assert str(exc.value) == "is not a regular file, expected a table; nothing was read"
