"""``twin compare``: two layouts solved and compared, headless (B against A)."""

from __future__ import annotations

import argparse
import json

from twin.cli_common import plain, write_text
from twin.model import units


def add_parser(sub) -> None:
    w = sub.add_parser(
        "compare", help="two layouts side by side: metrics with their change, racks whose "
                        "inlet class changed",
        description="Solves A and B and prints B against A: key metrics with the difference "
                    "and the change in per cent, racks whose ASHRAE inlet class changed, "
                    "the largest rack-inlet changes, racks in one only, and the air at mid "
                    "rack height (B minus A) where both halls have the same grid.")
    w.add_argument("a", metavar="A")
    w.add_argument("b", metavar="B", nargs="?", help="default: A (compare two scenarios of it)")
    w.add_argument("--a-scenario", metavar="ID", default="",
                   help="A under this scenario of its file (default: the layout as it is)")
    w.add_argument("--b-scenario", metavar="ID", default="",
                   help="B under this scenario of its file")
    w.add_argument("--json", action="store_true", help="print JSON")
    w.add_argument("--out", metavar="PATH", help="write to PATH instead of standard output")


def cmd_compare(args: argparse.Namespace) -> int:
    import sys

    from twin.cli_common import load_or_report, solve_or_report
    from twin.engine.compare import compare
    from twin.engine.scenarios import apply_scenario
    from twin.engine.simulate import simulate
    args.b = args.b or args.a
    solved = []
    for path, scenario in ((args.a, args.a_scenario), (args.b, args.b_scenario)):
        layout = load_or_report(path)
        if layout is None:
            return 1
        try:
            snap = apply_scenario(layout, scenario)
        except KeyError as exc:
            print(plain(f"{path}: {exc.args[0]}"), file=sys.stderr)
            return 2
        res = solve_or_report(path, lambda snap=snap: simulate(snap))
        if res is None:
            return 1
        solved.append((snap, res))
    c = compare(solved[0][0], solved[0][1], solved[1][0], solved[1][1])
    doc = c.to_json()
    if args.json:
        return write_text(json.dumps({"a": args.a, "b": args.b, "a_scenario": args.a_scenario,
                                      "b_scenario": args.b_scenario, **doc}, indent=2) + "\n",
                          args.out)
    name_a = args.a + (f" scenario {args.a_scenario}" if args.a_scenario else "")
    name_b = args.b + (f" scenario {args.b_scenario}" if args.b_scenario else "")
    lines = [f"B ({name_b}) against A ({name_a})" + (": identical" if c.identical else ""),
             f"  {'metric':<26} {'unit':<6} {'A':>14} {'B':>14} {'B - A':>12} {'%':>8}"]
    for m in doc["metrics"]:
        def f(v):
            return "-" if v is None else f"{v:,.4g}"
        name = m["name"]
        lines.append(f"  {name:<26} {units.unit_of(name):<6} {f(units.of_field(name, m['a'])):>14} "
                     f"{f(units.of_field(name, m['b'])):>14} "
                     f"{f(units.of_field(name, m['delta'], difference=True)):>12} "
                     f"{f(m['percent']):>8}")
    for ch in doc["inlet_class_changed"][:20]:
        lines.append(f"  rack {ch['rack']}: inlet class {ch['a']} -> {ch['b']}")
    if doc["air_mid_height_delta"]:
        a = doc["air_mid_height_delta"]
        d = [units.difference(a[k], 2, signed=True) for k in ("min_k", "max_k", "mean_k")]
        lines.append(f"  air at mid rack height, B - A: {d[0]} to {d[1]} (mean {d[2]})")
    return write_text(plain("\n".join(lines) + "\n"), args.out)
