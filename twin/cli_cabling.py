"""``twin cabling``: the network fabric of a layout, its cable routes, media, optics
power and cost, and the cable schedule (docs/physics.md §23)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from twin.cli_common import load_or_report, plain, write_text


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "cabling", help="network fabric: switches, cable routes, media, optics power, cost",
        description="Build the scale-out fabric of FILE (its 'fabric' block): switches in "
                    "the network racks, every link routed over the cable trays, its medium "
                    "chosen by length and speed, its optics power and cost; print the totals "
                    "and alerts, or every link with --json, and write the cable schedule "
                    "with --csv.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true",
                   help="one JSON document: totals, trays, every link, alerts")
    p.add_argument("--csv", metavar="OUT", help="write the cable schedule (one row per cable)")
    p.add_argument("--out", metavar="PATH", help="write to PATH instead of standard output")


def cmd_cabling(args: argparse.Namespace) -> int:
    from twin.engine.fabric import FabricBuilder
    from twin.engine.fabric_export import cabling_document, schedule_csv, summary_doc

    layout = load_or_report(args.file)
    if layout is None:
        return 1
    if not layout.fabric.enabled:
        print(plain(f"{args.file}: fabric: the layout has no fabric (set fabric.tiers to 2 or "
                    "3 and fabric.switch; README, 'Network fabric and cabling')"),
              file=sys.stderr)
        return 1
    builder = FabricBuilder()
    res = builder.update(layout)
    if res is None:
        print(plain(f"{args.file}: fabric: {builder.error}"), file=sys.stderr)
        return 1
    if args.csv and write_text(schedule_csv(res), args.csv):
        return 1
    if args.json:
        return write_text(json.dumps(cabling_document(args.file, res), indent=1) + "\n",
                          args.out)
    return write_text(_text(args.file, summary_doc(res) or {}, res.alerts), args.out)


def _text(file: str, s: dict[str, Any], alerts: list) -> str:
    from twin.model import units

    sw = s["switches"]
    roles = ", ".join(f"{n} {role}" for role, n in sw.items() if n)
    lines = [
        f"{file}: {s['tiers']}-tier fat tree of {s['switch_model']} switches ({roles})",
        f"  GPU ports      {s['gpu_ports']:,} at {s['port_gbps']:g} Gb/s; {s['links']:,} links",
        f"  cable length   {s['cable_length_m'] / 1e3:,.2f} km",
        "  optics power   " + units.with_unit(units.kw(s["optics_kw"], 1), "kW"),
        f"  cabling cost   USD {s['cabling_usd']:,.0f}",
        f"  bisection      {s['bisection_tbps']:,.1f} Tb/s; worst path {s['worst_hops']} "
        "switch hops",
        f"  fullest tray   {s['max_tray_fill_pct']:.0f} % of its usable section",
        "  cables by medium:",
        *(f"    {n:>8,}  {m}" for m, n in s["cables_by_medium"].items()),
    ]
    lines += [f"  {a.severity}: {a.message}" for a in alerts] or ["  no fabric alerts"]
    return "\n".join(plain(line) for line in lines) + "\n"
