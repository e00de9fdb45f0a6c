"""``twin compare``: two layouts solved and compared, headless (B against A)."""

from __future__ import annotations

import argparse
import json

from twin.cli_common import load_and_solve, plain, write_text


def add_parser(sub) -> None:
    w = sub.add_parser(
        "compare", help="two layouts side by side: metrics with their change, racks whose "
                        "inlet class changed",
        description="Solves A and B and prints B against A: key metrics with the difference "
                    "and the change in per cent, racks whose ASHRAE inlet class changed, "
                    "the largest rack-inlet changes, racks in one only, and the air at mid "
                    "rack height (B minus A) where both halls have the same grid.")
    w.add_argument("a", metavar="A")
    w.add_argument("b", metavar="B")
    w.add_argument("--json", action="store_true", help="print JSON")
    w.add_argument("--out", metavar="PATH", help="write to PATH instead of standard output")


def cmd_compare(args: argparse.Namespace) -> int:
    from twin.engine.compare import compare
    solved = []
    for path in (args.a, args.b):
        one = load_and_solve(path)
        if one is None:
            return 1
        solved.append(one)
    c = compare(solved[0][0], solved[0][1], solved[1][0], solved[1][1])
    doc = c.to_json()
    if args.json:
        return write_text(json.dumps({"a": args.a, "b": args.b, **doc}, indent=2) + "\n",
                          args.out)
    lines = [f"B ({args.b}) against A ({args.a})" + (": identical" if c.identical else ""),
             f"  {'metric':<26} {'A':>14} {'B':>14} {'B - A':>12} {'%':>8}"]
    for m in doc["metrics"]:
        def f(v):
            return "-" if v is None else f"{v:,.4g}"
        lines.append(f"  {m['name']:<26} {f(m['a']):>14} {f(m['b']):>14} {f(m['delta']):>12} "
                     f"{f(m['percent']):>8}")
    for ch in doc["inlet_class_changed"][:20]:
        lines.append(f"  rack {ch['rack']}: inlet class {ch['a']} -> {ch['b']}")
    if doc["air_mid_height_delta"]:
        a = doc["air_mid_height_delta"]
        lines.append(f"  air at mid rack height, B - A: {a['min_k']:+.2f} to {a['max_k']:+.2f} K "
                     f"(mean {a['mean_k']:+.2f} K)")
    return write_text(plain("\n".join(lines) + "\n"), args.out)
