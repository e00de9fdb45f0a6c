"""``twin swing``: training power swings at the utility meter against the grid's limits,
raw and with each smoothing option (docs/physics.md §19)."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import math
from typing import Any

from twin.cli_common import load_or_report, number_in, plain, solve_or_report, write_text

_POSITIVE = number_in(0, math.inf, "a number", low_open=True)
_SHARE = number_in(0, 1, "a share 0..1")


def _battery(text: str) -> tuple[float, float]:
    try:
        kwh, kw = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected KWH,KW such as 500,20000, got {text!r}")
    if kwh < 0 or kw < 0:
        raise argparse.ArgumentTypeError(f"expected KWH,KW of 0 or more, got {text!r}")
    return kwh, kw


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "swing", help="training power swings at the utility meter against the grid's limits",
        description="Solve FILE, then swing every training workload that has a swing "
                    "(or the ones set here) between compute and communication power, and "
                    "print the power at the utility meter: peak, trough, swing, ramp rate, "
                    "the share of its energy in 0.1-20 Hz, raw and after each smoothing "
                    "option, checked against the grid's limits.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--workload", action="append", default=[], metavar="ID",
                   help="swing this workload (default: every training workload that has "
                        "a swing; with --period: every training workload)")
    p.add_argument("--period", type=_POSITIVE, metavar="S", help="period of one step (s)")
    p.add_argument("--duty", type=_SHARE, metavar="D", help="share of the period computing")
    p.add_argument("--low", type=_SHARE, metavar="F",
                   help="communication-phase power as a share of compute-phase power")
    p.add_argument("--rise", type=_POSITIVE, metavar="S", help="duration of each edge (s)")
    p.add_argument("--ramp-limit", type=_POSITIVE, metavar="MW/S", help="the grid's ramp limit")
    p.add_argument("--swing-limit", type=_POSITIVE, metavar="MW", help="the grid's swing limit")
    p.add_argument("--floor", type=_SHARE, metavar="F", help="GPU power floor (share of compute power)")
    p.add_argument("--battery", type=_battery, metavar="KWH,KW", help="facility battery")
    p.add_argument("--no-rack-storage", action="store_true",
                   help="leave out the racks' power-shelf energy storage")
    p.add_argument("--json", action="store_true", help="one JSON document (with the series)")
    p.add_argument("--csv", metavar="PATH", help="also write the series (t, raw, smoothed) as CSV")
    p.add_argument("--out", metavar="PATH", help="write to PATH instead of standard output")


def with_options(layout: Any, args: argparse.Namespace) -> list[str]:
    """Apply the command-line what-ifs to ``layout`` (in place); returns problems."""
    site = layout.site
    changes: dict[str, Any] = {}
    for opt, key in (("ramp_limit", "grid_max_ramp_mw_per_s"), ("swing_limit", "grid_max_swing_mw"),
                     ("floor", "gpu_power_floor")):
        if getattr(args, opt) is not None:
            changes[key] = getattr(args, opt)
    if args.battery is not None:
        changes["facility_battery_kwh"], changes["facility_battery_kw"] = args.battery
    if args.no_rack_storage:
        changes["rack_energy_storage"] = False
    if changes:
        layout.set_settings("site", dataclasses.replace(site, **changes))
    wave = {k: v for k, v in (("swing_period_s", args.period), ("swing_duty", args.duty),
                              ("swing_low_fraction", args.low), ("swing_rise_s", args.rise))
            if v is not None}
    unknown = [w for w in args.workload if w not in layout.workloads]
    if unknown:
        return [f"--workload: no workload {w!r}; workloads: " + ", ".join(layout.workloads)
                for w in unknown]
    targets = args.workload or [w.id for w in layout.workloads.values()
                                if w.kind == "training" and (args.period or w.swing_period_s)]
    for wid in targets:
        w = layout.workloads[wid]
        if "swing_period_s" not in wave and w.swing_period_s is None:
            return [f"--workload {wid}: it has no swing; give --period"]
        if wave:
            layout.update_item("workloads", wid, **wave)
    return []


def cmd_swing(args: argparse.Namespace) -> int:
    import sys

    from twin.engine.simulate import simulate
    from twin.engine.swing import training_swing

    layout = load_or_report(args.file)
    if layout is None:
        return 1
    problems = with_options(layout, args)
    if problems:
        for line in problems:
            print(plain(f"{args.file}: {line}"), file=sys.stderr)
        return 2
    result = solve_or_report(args.file, lambda: simulate(layout))
    if result is None:
        return 1
    rep = training_swing(layout, result)
    if args.csv:
        code = write_text(series_csv(rep), args.csv)
        if code:
            return code
    if args.json:
        return write_text(json.dumps({"file": args.file, **rep.to_json()}, indent=2) + "\n",
                          args.out)
    return write_text(plain(swing_text(args.file, rep)), args.out)


def series_csv(rep: Any) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["t_s", "raw_mw", "smoothed_mw"])
    for t, a, b in zip(rep.t_s, rep.raw_mw, rep.smoothed_mw):
        w.writerow([f"{t:.5f}", f"{a:.6f}", f"{b:.6f}"])
    return buf.getvalue()


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "OVER")


def swing_text(file: str, rep: Any) -> str:
    lines = [f"Training power swings at the utility meter  ({file})"]
    for j in rep.jobs:
        lines.append(f"  {j.workload}: {j.racks} racks {j.high_kw / 1e3:,.2f} MW computing, "
                     f"{j.low_kw / 1e3:,.2f} MW communicating; period {j.period_s:g} s, duty "
                     f"{j.duty:.0%}, edges {j.rise_s:g} s; rack storage {j.storage_kj / 1e3:,.1f} MJ")
    lim_r = "-" if rep.max_ramp_mw_per_s is None else f"{rep.max_ramp_mw_per_s:g}"
    lim_s = "-" if rep.max_swing_mw is None else f"{rep.max_swing_mw:g}"
    if rep.stages:
        lines.append(f"  {'':<24}{'mean MW':>10}{'peak MW':>10}{'trough MW':>10}{'swing MW':>10}"
                     f"{'ramp MW/s':>11}{'0.1-20 Hz':>10}  limits: ramp {lim_r} MW/s, swing {lim_s} MW")
        for s in rep.stages:
            m = s.metrics
            lines.append(f"  {s.name:<24}{m.mean_w / 1e6:>10,.2f}{m.peak_w / 1e6:>10,.2f}"
                         f"{m.trough_w / 1e6:>10,.2f}{m.swing_w / 1e6:>10,.2f}"
                         f"{m.max_ramp_w_per_s / 1e6:>11,.1f}{m.band_share:>10.1%}  "
                         f"{_verdict(s.ramp_ok):>4} {_verdict(s.swing_ok):>4}")
    if rep.floor_extra_kw:
        lines.append(f"  GPU power floor costs {rep.floor_extra_kw / 1e3:,.2f} MW on average: "
                     f"{rep.floor_mwh_per_year:,.0f} MWh and {rep.floor_usd_per_year:,.0f} USD a year")
    lines += [f"  note: {n}" for n in rep.notes]
    return "\n".join(lines) + "\n"
