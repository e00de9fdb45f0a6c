"""``twin trace import`` (a workload trace checked and referenced from the layout) and
``twin timeline`` (the floor stepped through its trace or 24-hour profile)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from twin.cli_common import load_or_report, plain, solve_or_report, write_text
from twin.io.errors import capped_lines
from twin.model import units


def add_parsers(sub: Any) -> None:
    tr = sub.add_parser("trace", help="workload traces: check one and reference it from a layout")
    tsub = tr.add_subparsers(dest="trace_command", metavar="ACTION", required=True)
    imp = tsub.add_parser(
        "import", help="check TRACE.csv against LAYOUT and keep its path in the layout",
        description="Check a workload trace (CSV: time, target, utilisation[, tokens_per_s]; "
                    "see the README) against the layout's workloads and racks, then write "
                    "the layout with the trace's path (relative to the layout) in its "
                    "'trace' block. Nothing is written when the trace has an error.")
    imp.add_argument("layout", metavar="LAYOUT")
    imp.add_argument("trace", metavar="TRACE.csv")
    imp.add_argument("--out", metavar="LAYOUT", help="write here instead of over LAYOUT")
    tl = sub.add_parser(
        "timeline", help="the floor over time: its trace or 24-hour profile, step by step",
        description="Step the quasi-steady twin through the layout's trace (its 'trace' "
                    "block, or --trace) or its 24-hour profile (--profile, the default "
                    "without a trace): IT and facility power, PUE, tokens per kWh, worst "
                    "rack inlet and worst coolant return at each step.")
    tl.add_argument("file", metavar="LAYOUT")
    src = tl.add_mutually_exclusive_group()
    src.add_argument("--trace", metavar="CSV", help="replay this trace")
    src.add_argument("--profile", action="store_true", help="the 24-hour profile")
    tl.add_argument("--json", action="store_true", help="one JSON document")
    tl.add_argument("--csv", metavar="PATH", help="also write the series as CSV")
    tl.add_argument("--out", metavar="PATH", help="write to PATH instead of standard output")


def trace_path(layout_file: str | os.PathLike, layout: Any) -> Path | None:
    """The layout's trace file, resolved against the layout's folder; None without one."""
    if not layout.trace.path:
        return None
    p = Path(layout.trace.path)
    return p if p.is_absolute() else Path(layout_file).resolve().parent / p


def cmd_trace(args: argparse.Namespace) -> int:
    import dataclasses

    from twin.io import LayoutError, save_layout
    from twin.io.trace import read_trace

    layout = load_or_report(args.layout)
    if layout is None:
        return 1
    try:
        trace = read_trace(args.trace, layout)
    except LayoutError as exc:
        for line in exc.first_lines():
            print(plain(line), file=sys.stderr)
        return 1
    for line in capped_lines(trace.warnings, str(args.trace)):
        print(plain(line), file=sys.stderr)
    out = Path(args.out or args.layout)
    try:
        rel = os.path.relpath(Path(args.trace).resolve(), out.resolve().parent)
    except ValueError:          # another drive (Windows)
        rel = str(Path(args.trace).resolve())
    layout.set_settings("trace", dataclasses.replace(layout.trace, path=Path(rel).as_posix()))
    try:
        save_layout(layout, out)
    except LayoutError as exc:
        for line in exc.first_lines():
            print(plain(line), file=sys.stderr)
        return 1
    targets = sorted({r.target for r in trace.rows})
    print(plain(f"{args.trace}: {len(trace.rows):,} rows, {len(trace.times_s):,} instants over "
                f"{trace.duration_s / 3600:,.2f} h, targets: " + ", ".join(targets[:10])
                + (f" ... and {len(targets) - 10} more" if len(targets) > 10 else "")))
    print(plain(f"{out}: trace {Path(rel).as_posix()}"))
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    from twin.engine.timeline import profile_steps, run_timeline, trace_steps
    from twin.io import LayoutError
    from twin.io.trace import read_trace

    layout = load_or_report(args.file)
    if layout is None:
        return 1
    path = None if args.profile else (Path(args.trace) if args.trace
                                      else trace_path(args.file, layout))
    trace = None
    if path is not None:
        try:
            trace = read_trace(path, layout)
        except LayoutError as exc:
            for line in exc.first_lines():
                print(plain(line), file=sys.stderr)
            return 1
    steps = trace_steps(layout, trace) if trace is not None else profile_steps(layout)
    source = str(path) if trace is not None else "24-hour profile"
    tl = solve_or_report(args.file, lambda: run_timeline(layout, steps, source, trace=trace))
    if tl is None:
        return 1
    if args.csv:
        code = write_text(tl.to_csv(), args.csv)
        if code:
            return code
    if args.json:
        return write_text(json.dumps({"file": args.file, **tl.to_json()}, indent=2) + "\n",
                          args.out)
    return write_text(plain(timeline_text(args.file, tl)), args.out)


def timeline_text(file: str, tl: Any) -> str:
    lines = [f"{file}: {tl.source}, {len(tl.labels)} steps",
             f"{'step':>10} {'IT kW':>10} {'facility kW':>12} {'PUE':>6} {'tokens/kWh':>12} "
             f"{'inlet max ' + units.label(units.TEMP):>12} "
             f"{'coolant ret ' + units.label(units.TEMP):>14}"]
    s = tl.series
    for k, label in enumerate(tl.labels):
        lines.append(f"{label:>10} {s['it_kw'][k]:>10,.0f} {s['facility_kw'][k]:>12,.0f} "
                     f"{s['pue'][k]:>6.3f} {s['tokens_per_kwh'][k]:>12,.0f} "
                     f"{units.temp(s['worst_inlet_c'][k]):>12} "
                     f"{units.temp(s['worst_coolant_return_c'][k]):>14}")
    for key, what in (("facility_kw", "facility power"), ("pue", "PUE"),
                      ("worst_inlet_c", "worst inlet")):
        v, at = tl.peak(key)
        text = (units.pue(v) if key == "pue" else units.temperature(v) if key.endswith("_c")
                else f"{v:,.1f} kW")
        lines.append(f"  peak {what}: {text} at {at}")
    if tl.step_s:
        lines.append(f"  {sum(tl.step_s):.2f} s in all; a step after the first "
                     f"{(sum(tl.step_s[1:]) / max(len(tl.step_s) - 1, 1)) * 1e3:,.0f} ms")
    return "\n".join(lines) + "\n"
