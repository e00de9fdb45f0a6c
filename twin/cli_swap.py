"""``twin swap``: replace racks with another model and list what breaks, headless
(docs/physics.md §16)."""

from __future__ import annotations

import argparse
import json
import sys

from twin.cli_common import load_or_report, plain, solve_or_report, write_text
from twin.model import units


def add_parser(sub) -> None:
    w = sub.add_parser(
        "swap", help="replace racks with another model (the next GPU generation): what breaks",
        description="Solves the floor before and after replacing racks with --to MODEL (all "
                    "racks, those of --from MODEL, or --racks ID,...) and lists every part "
                    "over its limit after the swap with its margin and the smallest fix.")
    w.add_argument("file", metavar="FILE")
    w.add_argument("--to", required=True, metavar="MODEL", help="catalogue rack model")
    w.add_argument("--from", dest="from_model", metavar="MODEL",
                   help="replace only racks of this model")
    w.add_argument("--racks", metavar="ID[,ID...]", default="", help="replace only these racks")
    w.add_argument("--json", action="store_true", help="print JSON")
    w.add_argument("--out", metavar="PATH", help="write the answer to PATH")
    w.add_argument("--save", metavar="LAYOUT", help="also write the swapped layout to LAYOUT")


def cmd_swap(args: argparse.Namespace) -> int:
    from twin.engine.swap import swap_report, swapped
    layout = load_or_report(args.file)
    if layout is None:
        return 1
    racks = [x.strip() for x in args.racks.split(",") if x.strip()] or None
    try:
        swapped(layout, args.to, racks, args.from_model)      # names checked first
    except (KeyError, ValueError) as exc:
        print(plain(f"{args.file}: --to/--racks: {exc.args[0]}"), file=sys.stderr)
        return 1
    report = solve_or_report(args.file, lambda: swap_report(layout, args.to, racks,
                                                            args.from_model))
    if report is None:
        return 1
    if args.save:
        from twin.io import save_layout
        try:
            save_layout(swapped(layout, args.to, racks, args.from_model)[0], args.save)
        except OSError as exc:
            print(plain(f"{args.save}: cannot write: {exc.strerror or exc}"), file=sys.stderr)
            return 1
    if args.json:
        return write_text(json.dumps({"file": args.file, **report.to_json()}, indent=2) + "\n",
                          args.out)
    lines = [report.summary()]
    if report.breaks:
        lines.append(f"  {'part':<14} {'kind':<20} {'value':>12} {'limit':>12}  fix")
        for b in report.breaks:
            value, limit = (units.localise(f"{v:,.1f} {b.unit}") for v in (b.value, b.limit_value))
            lines.append(f"  {b.part:<14} {b.kind:<20} {value:>12} {limit:>12}  "
                         f"{units.localise(b.fix)}")
    return write_text(plain("\n".join(lines) + "\n"), args.out)
