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
