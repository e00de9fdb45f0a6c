"""The ``twin`` command: the GUI by default, headless subcommands for scripts and CI.

Exit codes: 0 ok, 1 invalid input (or a failed solve), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from twin.io import LayoutError, Problem, load_layout
from twin.model.summary import summarise
from twin.paths import DEFAULT_SAMPLE

SUBCOMMANDS = ("validate", "info", "gui")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="twin", description="AI Factory Floor Twin: open a layout in the desktop app, "
        "or work headless with a subcommand.",
        epilog="With no subcommand, 'twin [FILE]' opens the desktop app on FILE "
               "(default: the bundled GB200 pod sample).")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    v = sub.add_parser("validate", help="check layout files; one line per problem")
    v.add_argument("files", nargs="+", metavar="FILE")
    i = sub.add_parser("info", help="racks, GPUs, IT power and capacities of a layout")
    i.add_argument("file", metavar="FILE")
    i.add_argument("--json", action="store_true", help="print JSON")
    g = sub.add_parser("gui", help="open the desktop app (the default)")
    g.add_argument("file", nargs="?", metavar="FILE")
    return p


def cmd_validate(files: list[str]) -> int:
    bad = 0
    for f in files:
        warnings: list[Problem] = []
        try:
            layout = load_layout(f, warnings=warnings)
        except LayoutError as exc:
            bad += 1
            for line in exc.lines:
                print(line)
            continue
        for w in warnings:
            print(w.format(f))
        print(f"{f}: valid ({len(layout.racks)} racks"
              + (f", {len(warnings)} warnings)" if warnings else ")"))
    return 1 if bad else 0


def _load_or_report(file: str):
    try:
        return load_layout(file), None
    except LayoutError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return None, 1


def cmd_info(file: str, as_json: bool) -> int:
    warnings: list[Problem] = []
    try:
        layout = load_layout(file, warnings=warnings)
    except LayoutError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 1
    info = summarise(layout)
    info["file"] = file
    info["warnings"] = [w.format(file) for w in warnings]
    if as_json:
        print(json.dumps(info, indent=2))
        return 0
    c = info["cooling"]
    print(f"{info['name']}  ({file})")
    print(f"  hall            {info['hall']['width_m']:g} x {info['hall']['length_m']:g} m"
          f" ({'raised floor' if info['hall']['raised_floor'] else 'slab'})")
    print(f"  racks           {info['racks']}  "
          + ", ".join(f"{n} x {m}" for m, n in info["racks_by_model"].items()))
    print(f"  GPUs            {info['gpus']:,}")
    print(f"  IT power        {info['it_typical_kw']:,.0f} kW typical, "
          f"{info['it_nameplate_kw']:,.0f} kW nameplate")
    print(f"  heat            {info['heat_to_liquid_typical_kw']:,.0f} kW to liquid, "
          f"{info['heat_to_air_typical_kw']:,.0f} kW to air (typical)")
    print(f"  air cooling     {c['room_units']} units, {c['air_capacity_kw']:,.0f} kW "
          f"({c['air_capacity_n_minus_1_kw']:,.0f} kW with one failed)"
          + (f"; {c['rear_doors']} rear doors {c['rear_door_capacity_kw']:,.0f} kW"
             if c["rear_doors"] else ""))
    print(f"  liquid cooling  {c['cdus']} CDUs, {c['immersion_tanks']} tanks, "
          f"{c['liquid_capacity_kw']:,.0f} kW")
    for kind, v in info["power_chain"].items():
        print(f"  power {kind:<22} {v['count']:>3} x {v['rating_kw']:>9,.0f} kW")
    for w in info["warnings"]:
        print(f"  {w}")
    return 0


def cmd_gui(file: str | None) -> int:
    try:
        from twin.gui.app import run
    except ImportError as exc:  # the desktop part is missing or broken
        print(f"twin: the desktop app cannot start ({exc}); headless commands still work: "
              "twin info FILE", file=sys.stderr)
        return 1
    return run(file)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and not argv[0].startswith("-")):
        return cmd_gui(argv[0] if argv else None)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.command == "validate":
        return cmd_validate(args.files)
    if args.command == "info":
        return cmd_info(args.file, args.json)
    if args.command == "gui":
        return cmd_gui(args.file)
    _parser().print_help()
    return 2


__all__ = ["main", "DEFAULT_SAMPLE", "Path"]
