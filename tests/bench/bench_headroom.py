"""Headroom and economics benchmark (issue 19); prints ONE JSON object.

Run: python tests/bench/bench_headroom.py [pod] [hall]

Per layout: the base solve, the capacity map of the floor's rack model (``capacity_map``,
the solve excluded), the generation swap report to Vera Rubin NVL144 (both solves
included), the AC / 800 V DC comparison and the economics figures. Targets on the 2-core
machine: capacity map pod <= 2 s, hall <= 30 s.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from twin.engine.capacity import capacity_map  # noqa: E402
from twin.engine.power_compare import compare_power  # noqa: E402
from twin.engine.simulate import simulate  # noqa: E402
from twin.engine.swap import swap_report  # noqa: E402
from twin.io import load_layout  # noqa: E402

LAYOUTS = {"pod": "gb200-pod.json", "hall": "hyperscale-hall.json"}


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - t, 3)


def bench(name: str) -> dict:
    lay = load_layout(ROOT / "layouts" / LAYOUTS[name])
    res, solve_s = _timed(lambda: simulate(lay))
    cm, cap_s = _timed(lambda: capacity_map(lay, res))
    sw, swap_s = _timed(lambda: swap_report(lay, "vera-rubin-nvl144", from_model="gb200-nvl72"))
    pc, pc_s = _timed(lambda: compare_power(lay, res).to_json())
    e = res.economics
    d = cm.to_json()
    return {"racks": len(lay.racks), "solve_s": solve_s, "capacity_map_s": cap_s,
            "free_positions": d["free_positions"], "max_headroom_kw": d["max_kw"],
            "binding_counts": d["binding_counts"], "swap_vera_rubin_s": swap_s,
            "swap_breaks": len(sw.breaks), "power_compare_s": pc_s,
            "dc_saving_kw": pc["saving_kw"],
            "usd_per_million_tokens": round(e.usd_per_million_tokens, 4) if e else None}


if __name__ == "__main__":
    names = sys.argv[1:] or ["pod", "hall"]
    print(json.dumps({n: bench(n) for n in names}, indent=2))
