"""The workload-trace reader (``twin/io/trace.py``): time formats, utilisation limits,
rack ranges in natural order and every refusal with its line and column. Expected values
are worked out here from the format's definition (module docstring)."""

from __future__ import annotations

import copy
import json

import pytest

from tests.conftest import LAYOUTS
from twin.io import LayoutError, loads_layout
from twin.io.trace import parse_trace

_DOC = json.loads((LAYOUTS / "small-room.json").read_text())


@pytest.fixture(scope="module")
def room():
    """The small room with its 14 racks renamed A1..A14 (A2 sorts before A10 naturally,
    after it as text); workloads 'train-h100' and 'storage'."""
    doc = copy.deepcopy(_DOC)
    for i, r in enumerate(doc["racks"]):
        r["id"] = r["name"] = f"A{i + 1}"
    return loads_layout(json.dumps(doc), "room.json")


def parse(text, layout):
    return parse_trace(text.encode(), "t.csv", layout)


def refusal(text, layout):
    with pytest.raises(LayoutError) as exc:
        parse(text, layout)
    assert exc.value.file == "t.csv"
    return [(p.path, p.message) for p in exc.value.problems]


def test_times_in_seconds_clock_and_iso_form(room):
    tr = parse("time,target,utilisation\n0,storage,0.5\n14:30,storage,0.5\n"
               "14:30:15.5,storage,0.5\n", room)
    assert [r.t_s for r in tr.rows] == [0.0, 14 * 3600 + 30 * 60, 14 * 3600 + 30 * 60 + 15.5]
    tr = parse("time,target,utilisation\n2026-12-01T14:30:00Z,storage,1\n"
               "2026-12-01T15:00:00Z,storage,1\n2026-12-01T14:45:00+00:00,storage,1\n", room)
    assert tr.times_s == [0.0, 900.0, 1800.0] and tr.duration_s == 1800.0   # from the first row
    assert [r.line for r in tr.rows] == [2, 4, 3]                         # in time order


def test_utilisation_as_a_share_or_a_per_cent_up_to_exactly_one(room):
    tr = parse("Time,Target,Util\n0,storage,0\n1,storage,1\n2,storage,100%\n3,storage, 45 %\n",
               room)
    assert [r.utilisation for r in tr.rows] == [0.0, 1.0, 1.0, 0.45]
    assert refusal("time,target,utilisation\n0,storage,1.01\n1,storage,101%\n2,storage,-0.1\n"
                   "3,storage,nan\n", room) == [
        (f"line {n} column 'utilisation'", f"found {v!r}, expected a share 0..1 or a per cent "
                                           "0..100%")
        for n, v in ((2, "1.01"), (3, "101%"), (4, "-0.1"), (5, "nan"))]


def test_rack_ranges_follow_natural_order_either_way_round(room):
    tr = parse("time,target,utilisation\n0,A2..A10,0.5\n0,A12-A11,0.2\n0,A14,0.1\n", room)
    assert tr.rows[0].kind == "racks"
    assert tr.rows[0].racks == tuple(f"A{i}" for i in range(2, 11))     # 9 racks, A2..A10
    assert tr.rows[1].racks == ("A11", "A12")
    assert tr.rows[2].racks == ("A14",)
    assert tr.rows[0].tokens_per_s is None


def test_a_token_rate_on_a_rack_row_is_kept_as_a_warning_not_used(room):
    """Token rates belong to workloads: on a rack row it is read but not used, and the
    trace says so with the line and column (only errors refuse a trace)."""
    tr = parse("time,target,utilisation,tokens_per_s\n0,A3,0.5,900\n60,train-h100,0.5,700\n",
               room)
    assert [(r.kind, r.tokens_per_s) for r in tr.rows] == [("racks", None), ("workload", 700.0)]
    assert [(p.path, p.severity) for p in tr.warnings] == [
        ("line 2 column 'tokens_per_s'", "warning")]
    assert "workload rows only" in tr.warnings[0].message
    assert parse("time,target,utilisation\n0,A3,0.5\n", room).warnings == []


def test_workload_rows_carry_their_token_rate(room):
    tr = parse("time,workload,load,tokens\n0,train-h100,0.8,1500\n60,train-h100,0.9,\n", room)
    assert [(r.kind, r.target, r.racks, r.utilisation, r.tokens_per_s, r.line) for r in tr.rows] \
        == [("workload", "train-h100", (), 0.8, 1500.0, 2),
            ("workload", "train-h100", (), 0.9, None, 3)]


def test_each_bad_cell_is_named_by_line_and_column(room):
    assert refusal("time,target,utilisation,tokens_per_s\nnoon,storage,0.5,\n"
                   "0,A1..Z9,0.5,\n0,train-h100,0.5,-3\n", room) == [
        ("line 2 column 'time'", "found 'noon', expected seconds, HH:MM[:SS] or an ISO "
                                 "date-time"),
        ("line 3 column 'target'", "found 'A1..Z9', expected a workload id, a rack id or a "
                                   "rack range such as A01..A08"),
        ("line 4 column 'tokens_per_s'", "found '-3', expected a number >= 0")]


@pytest.mark.parametrize("text, expected", [
    ("", [("", "is empty, expected a header row (time,target,utilisation) and rows")]),
    ("time,target,utilisation\n", [("", "has a header but no rows")]),
    ("time,target,utilisation\n\n , , \n", [("", "has a header but no rows")]),
    ("time,rack\n0,A1\n", [("line 1", "missing column utilisation; found 'time', 'rack'")]),
    ("when,rack\n0,A1\n", [("line 1", "missing columns time, utilisation; found 'when', "
                                      "'rack'")]),
])
def test_files_without_rows_or_columns_are_refused(room, text, expected):
    assert refusal(text, room) == expected


def test_binary_and_non_utf8_files_are_refused_with_the_line(room):
    with pytest.raises(LayoutError) as exc:
        parse_trace(b"time,target\x00", "t.csv", room)
    assert [(p.path, p.message) for p in exc.value.problems] == [("", "is binary, not a CSV trace")]
    with pytest.raises(LayoutError) as exc:
        parse_trace(b"time,target,utilisation\n0,storage,\xff\n", "t.csv", room)
    assert [(p.path, p.message) for p in exc.value.problems] == [
        ("line 2", "byte 0xff is not UTF-8 text")]


def test_plain_seconds_count_from_the_start_not_from_the_first_row(room):
    """Seconds are "from the start" (``3600``): a trace whose first row is at 600 s keeps
    its instants; only ISO date-times count from the first row."""
    tr = parse("time,target,utilisation\n600,storage,0.5\n1200,storage,0.7\n", room)
    assert tr.times_s == [600.0, 1200.0] and [r.t_s for r in tr.rows] == [600.0, 1200.0]
    tr = parse("time,target,utilisation\n14:30,storage,0.5\n15:00,storage,0.7\n", room)
    assert tr.times_s == [52200.0, 54000.0]                 # seconds since midnight


def test_a_trace_with_classic_mac_line_endings_reads_like_any_other(room):
    """Spreadsheets on old Macs end lines with a lone CR: same rows, same line numbers."""
    tr = parse("time,target,utilisation\r0,storage,0.5\r60,storage,0.7\r", room)
    assert [(r.t_s, r.utilisation, r.line) for r in tr.rows] == [(0.0, 0.5, 2), (60.0, 0.7, 3)]


def test_a_file_holding_only_a_byte_order_mark_has_no_header_row(room):
    with pytest.raises(LayoutError) as exc:
        parse_trace(b"\xef\xbb\xbf", "t.csv", room)
    assert exc.value.file == "t.csv"
    assert [(p.path, p.message) for p in exc.value.problems] == [("line 1",
                                                                  "expected a header row")]


def test_a_cell_beyond_the_csv_field_limit_is_named_by_its_line(room):
    text = "time,target,utilisation\n0,storage,0.5\n1," + "x" * 200_000 + ",0.5\n"
    problems = refusal(text, room)
    assert len(problems) == 1 and problems[0][0] == "line 3"
    assert "field larger than field limit" in problems[0][1]


def test_more_distinct_times_than_a_replay_steps_through_are_refused(room):
    from twin.io.trace import MAX_STEPS
    rows = "".join(f"{i},storage,0.5\n" for i in range(MAX_STEPS + 1))
    assert refusal("time,target,utilisation\n" + rows, room) == [
        ("", f"{MAX_STEPS + 1:,} distinct times, above the {MAX_STEPS:,} steps a replay "
             "takes; resample the trace (e.g. to 5-minute steps)")]
    assert len(parse("time,target,utilisation\n" + rows.rsplit("\n", 2)[0] + "\n",
                     room).times_s) == MAX_STEPS
