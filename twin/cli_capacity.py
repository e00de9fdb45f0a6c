"""``twin capacity``: where the next rack fits and how much it could draw there, and the
stranded capacity per resource, headless (docs/physics.md §18)."""

from __future__ import annotations

import argparse
import json
import sys

from twin.cli_common import load_and_solve, plain, write_text
from twin.model import units


def add_parser(sub) -> None:
    w = sub.add_parser(
        "capacity", help="headroom: the largest rack each free position takes, and stranded "
                         "capacity",
        description="Solves FILE, then for every free floor position the largest IT load a "
                    "new rack of --model could draw there before power, liquid, air, its "
                    "inlet air or the floor binds; and per resource what is installed, used "
                    "and stranded.")
    w.add_argument("file", metavar="FILE")
    w.add_argument("--model", metavar="MODEL",
                   help="rack model (default: the floor's most common GPU rack)")
    w.add_argument("--json", action="store_true", help="print JSON (with the map)")
    w.add_argument("--out", metavar="PATH", help="write to PATH instead of standard output")


def cmd_capacity(args: argparse.Namespace) -> int:
    from twin.engine.capacity import capacity_map
    solved = load_and_solve(args.file)
    if solved is None:
        return 1
    layout, result = solved
    try:
        cm = capacity_map(layout, result, args.model)
    except KeyError as exc:
        print(plain(f"{args.file}: --model: {exc.args[0]}"), file=sys.stderr)
        return 1
    doc = cm.to_json()
    if args.json:
        doc["map"] = {"x_m": [round(float(x), 3) for x in cm.x_m],
                      "y_m": [round(float(y), 3) for y in cm.y_m],
                      "capacity_kw": [[None if v != v else round(float(v), 1) for v in row]
                                      for row in cm.capacity_kw],
                      "binding": cm.binding.tolist()}
        return write_text(json.dumps({"file": args.file, **doc}, indent=2) + "\n", args.out)
    lines = [f"{layout.name}: {doc['free_positions']} free positions for {cm.model} "
             f"({cm.nameplate_kw:g} kW nameplate); {doc['positions_at_nameplate']} take it at "
             f"nameplate; most headroom {doc['max_kw'] or 0:,.0f} kW",
             "binding: " + ", ".join(f"{k} {n}" for k, n in doc["binding_counts"].items() if n),
             "best positions:"]
    lines += [f"  x {units.value(units.LENGTH, b['x_m'], 2):>6} {units.label(units.LENGTH)}  "
              f"y {units.value(units.LENGTH, b['y_m'], 2):>6} {units.label(units.LENGTH)}  "
              f"{b['capacity_kw']:>10,.1f} kW  "
              f"({b['binding']})" for b in doc["best"][:5]]
    lines.append(f"  {'resource':<36} {'installed':>12} {'used':>12} {'IT headroom':>12} "
                 f"{'stranded':>12}")
    for s in doc["stranded"]:
        lines.append(f"  {s['resource']:<36} {s['installed']:>12,.0f} {s['used']:>12,.0f} "
                     f"{s['it_headroom_kw']:>12,.0f} {s['stranded_it_kw']:>12,.0f}"
                     + ("  binds" if s["binds"] else ""))
    return write_text(plain("\n".join(lines) + "\n"), args.out)
