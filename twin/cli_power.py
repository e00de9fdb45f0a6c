"""``twin power-compare``: the floor's racks on AC distribution against 800 V DC, headless
(docs/physics.md §17)."""

from __future__ import annotations

import argparse
import json

from twin.cli_common import load_and_solve, plain, write_text
from twin.model import units


def add_parser(sub) -> None:
    w = sub.add_parser(
        "power-compare", help="AC against 800 V DC distribution for this floor's racks",
        description="Solves FILE and compares today's AC chain (transformer, double-"
                    "conversion UPS, 415 V busway, rack PSUs) with 800 V DC (solid-state "
                    "transformer, DC busway, rack DC/DC) for its racks' load: losses per "
                    "stage, facility power, PUE, tokens per kWh, conversions and copper.")
    w.add_argument("file", metavar="FILE")
    w.add_argument("--json", action="store_true", help="print JSON")
    w.add_argument("--out", metavar="PATH", help="write to PATH instead of standard output")


def cmd_power_compare(args: argparse.Namespace) -> int:
    from twin.engine.power_compare import compare_power
    solved = load_and_solve(args.file)
    if solved is None:
        return 1
    layout, result = solved
    doc = compare_power(layout, result).to_json()
    if args.json:
        return write_text(json.dumps({"file": args.file, **doc}, indent=2) + "\n", args.out)
    return write_text(plain(text(layout.name, doc)), args.out)


def text(name: str, doc: dict) -> str:
    lines = [f"{name}: racks' 54 V load {doc['rack_dc_kw']:,.0f} kW, stages rated "
             f"{doc['rated_kw']:,.0f} kW, cooling {doc['cooling_kw']:,.0f} kW (as solved)"]
    for key in ("ac", "dc"):
        a = doc[key]
        lines.append(f"{a['name']}: {a['conversions']} conversions, losses {a['loss_kw']:,.1f} kW,"
                     f" facility {a['facility_kw']:,.0f} kW, PUE {a['pue']:.3f}, "
                     f"{a['tokens_per_kwh']:,.0f} tokens/kWh, main current {a['main_current_a']:,.0f}"
                     f" A, copper {units.quantity(units.LINEAR_MASS, a['copper_kg_per_m'])}")
        for s in a["stages"]:
            lines.append(f"  {s['name']:<42} out {s['output_kw']:>12,.1f} kW  loss "
                         f"{s['loss_kw']:>10,.1f} kW  efficiency {s['efficiency'] * 100:.2f} %")
    lines.append(f"800 V DC saves {doc['saving_kw']:,.1f} kW at the meter and "
                 f"{doc['copper_saving_pct']:.0f} % of the main copper")
    return "\n".join(lines) + "\n"
