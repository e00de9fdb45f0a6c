"""Workload traces: a scheduler's job log or a telemetry export as a CSV of utilisation
over time, checked line by line against a layout.

Columns (header names ignore case; extra columns are ignored)::

    time,target,utilisation[,tokens_per_s]

- ``time``: seconds from the start (``3600``), a clock time (``14:30`` or ``14:30:15``,
  seconds since midnight), or an ISO date-time (``2026-12-01T14:30:00``; seconds since
  the first row's);
- ``target``: a workload id, a rack id, or a rack range ``A01..A08`` (the racks whose
  ids sort between the two, naturally: A2 before A10);
- ``utilisation``: 0..1, or a per cent (``85%``);
- ``tokens_per_s`` (optional, workload rows): the workload's measured token rate.

A value holds until the target's next row; before its first row a target runs as the
layout says. Every problem names the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime

from twin.io.capped import ReadRefused, read_capped
from twin.io.errors import LayoutError, Problem
from twin.model import Layout

MAX_TRACE_BYTES = 50 * 2**20
MAX_TRACE_ROWS = 1_000_000
#: Most distinct instants stepped through (each one is a quasi-steady solve).
MAX_STEPS = 2000
COLUMNS = {"time": ("time", "t", "timestamp", "time_s", "t_s"),
           "target": ("target", "workload", "rack", "job", "id"),
           "utilisation": ("utilisation", "utilization", "util", "load"),
           "tokens_per_s": ("tokens_per_s", "tokens/s", "tokens_s", "tokens")}
_CLOCK = re.compile(r"^(\d{1,3}):(\d{2})(?::(\d{2}(?:\.\d+)?))?$")
_NATURAL = re.compile(r"(\d+)")


@dataclass(frozen=True)
class TraceRow:
    t_s: float
    kind: str                    # "workload" or "racks"
    target: str                  # workload id, or the text of the rack target
    racks: tuple[str, ...]       # rack ids (kind "racks")
    utilisation: float
    tokens_per_s: float | None
    line: int


@dataclass
class Trace:
    """A checked trace: its rows in time order, its distinct instants and the warnings
    about it (what was read but not used: a token rate on a rack row)."""

    file: str
    rows: list[TraceRow]
    times_s: list[float] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return self.times_s[-1] - self.times_s[0] if self.times_s else 0.0


def _natural(text: str) -> list:
    return [int(t) if t.isdigit() else t.lower() for t in _NATURAL.split(text)]


def _time(text: str) -> float | None:
    s = text.strip()
    try:
        v = float(s)
        return v if math.isfinite(v) else None
    except ValueError:
        pass
    m = _CLOCK.match(s)
    if m:
        return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3) or 0)
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def read_trace(path: str | os.PathLike, layout: Layout) -> Trace:
    """The trace in ``path`` checked against ``layout``; raises ``LayoutError`` listing
    every problem (file, line, column)."""
    name = str(path)
    try:
        data = read_capped(path, MAX_TRACE_BYTES, "a trace CSV")
    except ReadRefused as exc:
        raise LayoutError(name, [Problem("", str(exc))]) from None
    return parse_trace(data, name, layout)


def parse_trace(data: bytes, name: str, layout: Layout) -> Trace:
    if not data.strip():
        raise LayoutError(name, [Problem("", "is empty, expected a header row "
                                         "(time,target,utilisation) and rows")])
    if b"\x00" in data[:65536]:
        raise LayoutError(name, [Problem("", "is binary, not a CSV trace")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise LayoutError(name, [Problem(f"line {line}", f"byte 0x{data[exc.start]:02x} is "
                                         "not UTF-8 text")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise LayoutError(name, [Problem("line 1", "expected a header row")]) from None
    cols: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for i, h in enumerate(header):
            if h in aliases and i not in cols.values():
                cols[key] = i
                break
    missing = [k for k in ("time", "target", "utilisation") if k not in cols]
    if missing:
        raise LayoutError(name, [Problem("line 1", "missing column" + ("s " if len(missing) > 1
                                 else " ") + ", ".join(missing) + "; found "
                                 + ", ".join(repr(h) for h in header))])
    racks = sorted(layout.racks.ids.tolist(), key=_natural)
    rack_set = set(racks)
    problems: list[Problem] = []
    rows: list[TraceRow] = []
    first_abs: float | None = None
    try:
        for cells in reader:
            n = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_TRACE_ROWS:
                problems.append(Problem(f"line {n}", f"more than {MAX_TRACE_ROWS:,} rows"))
                break

            def cell(key: str, cells: list[str] = cells) -> str:
                i = cols.get(key)
                return cells[i].strip() if i is not None and i < len(cells) else ""

            where = f"line {n}"
            bad = len(problems)
            t = _time(cell("time"))
            if t is None:
                problems.append(Problem(f"{where} column 'time'", f"found {cell('time')!r}, "
                                        "expected seconds, HH:MM[:SS] or an ISO date-time"))
            elif "T" in cell("time") or "-" in cell("time")[1:]:
                first_abs = t if first_abs is None else first_abs
                t -= first_abs
            u_text = cell("utilisation")
            u = _share(u_text)
            if u is None:
                problems.append(Problem(f"{where} column 'utilisation'", f"found {u_text!r}, "
                                        "expected a share 0..1 or a per cent 0..100%"))
            tok_text = cell("tokens_per_s")
            tok = None
            if tok_text:
                try:
                    tok = float(tok_text)
                    if not math.isfinite(tok) or tok < 0:
                        raise ValueError
                except ValueError:
                    tok = None
                    problems.append(Problem(f"{where} column 'tokens_per_s'",
                                            f"found {tok_text!r}, expected a number >= 0"))
            target = cell("target")
            if target in layout.workloads:
                if len(problems) == bad and t is not None and u is not None:
                    rows.append(TraceRow(t, "workload", target, (), u, tok, n))
                continue
            if target in rack_set:
                ids: tuple[str, ...] = (target,)
            else:
                a, sep, b = target.partition("..")
                if not sep:
                    a, sep, b = target.partition("-") if target.count("-") == 1 else ("", "", "")
                if sep and a.strip() in rack_set and b.strip() in rack_set:
                    lo, hi = sorted((_natural(a.strip()), _natural(b.strip())))
                    ids = tuple(r for r in racks if lo <= _natural(r) <= hi)
                else:
                    problems.append(Problem(f"{where} column 'target'", f"found {target!r}, "
                                            "expected a workload id, a rack id or a rack "
                                            "range such as A01..A08"))
                    continue
            if tok is not None:
                problems.append(Problem(f"{where} column 'tokens_per_s'", "a token rate is "
                                        "read for workload rows only", "warning"))
            if not any(p.severity == "error" for p in problems[bad:]) and t is not None \
                    and u is not None:
                rows.append(TraceRow(t, "racks", target, ids, u, None, n))
    except csv.Error as exc:
        problems.append(Problem(f"line {reader.line_num}", str(exc)))
    errors = [p for p in problems if p.severity == "error"]
    if not rows and not errors:
        errors.append(Problem("", "has a header but no rows"))
    if errors:
        raise LayoutError(name, errors)
    rows.sort(key=lambda r: (r.t_s, r.line))
    times = sorted({r.t_s for r in rows})
    if len(times) > MAX_STEPS:
        raise LayoutError(name, [Problem("", f"{len(times):,} distinct times, above the "
                                         f"{MAX_STEPS:,} steps a replay takes; resample the "
                                         "trace (e.g. to 5-minute steps)")])
    return Trace(name, rows, times, [p for p in problems if p.severity == "warning"])


def _share(text: str) -> float | None:
    s = text.strip()
    pct = s.endswith("%")
    try:
        v = float(s.rstrip("%").strip())
    except ValueError:
        return None
    if pct:
        v /= 100
    return v if math.isfinite(v) and 0 <= v <= 1 else None
