"""``twin whatif``: the N-1 failure sweep and the ride-through of chosen failures, headless
(docs/physics.md §12)."""

from __future__ import annotations

import argparse
import json
import sys

from twin.cli_common import load_or_report, plain, solve_or_report, write_text
from twin.model import units

SWEEP_HEADER = (f"{'component':<16} {'kind':<11} {'verdict':<9} {'worst inlet':>12} "
                f"{'at rack':<10} {'racks out':>9} {'d facility kW':>14}  why")


def add_parser(sub) -> None:
    w = sub.add_parser(
        "whatif", help="what if a component fails: the N-1 sweep, or one failure over time",
        description="--sweep n-1 fails every cooling unit, rear door, CDU, CDU pump, the "
                    "plant's chiller and every power component in turn and judges each "
                    "(survives / degraded / fails). --fail ID[,ID...] and/or --utility-loss "
                    "with --transient give the temperatures over time and the seconds until "
                    "each rack passes its limits.")
    w.add_argument("file", metavar="FILE")
    w.add_argument("--sweep", choices=("n-1",), help="sweep every single failure")
    w.add_argument("--jobs", type=int, default=0,
                   help="worker processes (default: all cores, or 1 for a quick sweep)")
    w.add_argument("--scheduler", metavar="ADDR",
                   help="run the scenarios on a Dask cluster, e.g. tcp://host:8786")
    w.add_argument("--fail", metavar="ID[,ID...]", default="",
                   help="components to fail (ids; CDU-A/pump is one pump of CDU-A, "
                        "plant/chiller one chiller)")
    w.add_argument("--utility-loss", action="store_true",
                   help="the utility fails: IT and CDU pumps on UPS, cooling waits for the "
                        "generators")
    w.add_argument("--generator-delay-s", type=float, default=30.0,
                   help="seconds until the generators carry the cooling (default 30)")
    w.add_argument("--restart-s", type=float, default=0.0,
                   help="seconds the cooling then needs to restart (default 0)")
    w.add_argument("--transient", action="store_true", help="temperatures over time")
    w.add_argument("--duration-s", type=float, default=600.0,
                   help="length of the ride-through in seconds (default 600)")
    w.add_argument("--json", action="store_true", help="print JSON")
    w.add_argument("--out", metavar="PATH", help="write to PATH instead of standard output")


def _problem(file: str, text: str) -> int:
    print(plain(f"{file}: {text}"), file=sys.stderr)
    return 1


def cmd_whatif(args: argparse.Namespace) -> int:
    if not args.sweep and not (args.fail or args.utility_loss):
        return _problem(args.file, "say what fails: --sweep n-1, --fail ID[,ID...] or "
                                   "--utility-loss")
    if args.jobs < 0 or not 0 <= args.generator_delay_s <= 86400 \
            or not 0 <= args.restart_s <= 86400 or not 1 <= args.duration_s <= 86400:
        return _problem(args.file, "--jobs must be >= 0, the delays 0 to 86400 s and "
                                   "--duration-s 1 to 86400 s")
    layout = load_or_report(args.file)
    if layout is None:
        return 1
    if args.sweep:
        return _sweep(args, layout, solve_or_report)
    ids = [x.strip() for x in args.fail.split(",") if x.strip()]
    if not args.transient:
        return _problem(args.file, "--fail and --utility-loss need --transient (the steady "
                                   "state of every single failure is in --sweep n-1)")
    from twin.engine.whatif.ridethrough import ride_through
    try:
        report = solve_or_report(args.file, lambda: ride_through(
            layout, ids, args.duration_s, args.utility_loss, args.generator_delay_s,
            args.restart_s))
    except KeyError as exc:
        return _problem(args.file, f"--fail: {exc.args[0]}")
    if report is None:
        return 1
    if args.json:
        return _out(json.dumps({"file": args.file, **report.to_json()}, indent=2) + "\n", args)
    return _out(_ridethrough_text(report), args)


def _out(text: str, args) -> int:
    return write_text(text if args.json else plain(text), args.out)


def _sweep(args, layout, solve) -> int:
    from twin.engine.whatif.sweep import run_sweep

    def progress(done: int, total: int, left_s: float) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{done}/{total} scenarios, about {left_s:.0f} s left ", end="",
                  file=sys.stderr, flush=True)
    try:
        result = solve(args.file, lambda: run_sweep(layout, jobs=args.jobs or None,
                                                    scheduler=args.scheduler,
                                                    progress=progress))
    except (OSError, RuntimeError) as exc:
        return _problem(args.file, f"the sweep could not run: {exc}")
    if result is None:
        return 1
    if args.json:
        return _out(json.dumps({"file": args.file, "layout": layout.name, **result.to_json()},
                               indent=2) + "\n", args)
    lines = [f"{layout.name}: {len(result.outcomes)} single failures in "
             f"{units.seconds(result.seconds)} on {result.workers} worker(s)", SWEEP_HEADER]
    for o in result.outcomes:
        s = o.state
        worst = units.temperature(s.worst_inlet_c) if s and s.worst_inlet_c is not None else "-"
        df = f"{o.delta_facility_kw:+,.1f}" if o.delta_facility_kw is not None else "-"
        lines.append(f"{o.component:<16} {o.kind:<11} {o.verdict:<9} {worst:>12} "
                     f"{(s.worst_inlet_rack or '-') if s else '-':<10} "
                     f"{len(o.racks_failed):>9} {df:>14}  {'; '.join(o.reasons) or '-'}")
    lines += [""] + result.summary
    return _out("\n".join(lines) + "\n", args)


def _ridethrough_text(report) -> str:
    r = report.run
    lines = [report.summary()] + [f"  note: {n}" for n in report.notes]
    lines.append(f"  room mean {units.temperature(r.room_mean_c[0])} at 0 s, peak "
                 f"{units.temperature(r.room_mean_c.max())}, "
                 f"{units.temperature(r.room_mean_c[-1])} at {r.time_s[-1]:.0f} s")
    lines.append(f"  {'rack':<10} {'inlet limit s':>13} {'coolant limit s':>15} "
                 f"{'inlet end ' + units.label(units.TEMP):>12}")
    for i in report.worst_racks():
        t_in, t_co = r.inlet_limit_s[i], r.coolant_limit_s[i]
        lines.append(f"  {report.rack_ids[i]:<10} {_s(t_in):>13} {_s(t_co):>15} "
                     f"{units.temp(r.rack_inlet_c[-1, i]):>12}")
    return "\n".join(lines) + "\n"


def _s(t: float) -> str:
    return "-" if t != t else f"{t:.0f}"
