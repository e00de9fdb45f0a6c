"""What-if benchmark (issue 17): the N-1 sweep and the ride-through; prints ONE JSON object.

Run: python tests/bench/bench_whatif.py [pod] [hall] [--hall-sample N]

- ``sweep_s[jobs]``: wall time of ``run_sweep`` (base solve included) with 1 and 2 worker
  processes, ``scenarios_per_s`` and the speed-up from 1 to 2 workers. On the hall the
  1-worker run takes a fixed-seed sample of ``--hall-sample`` scenarios (default 200;
  0: all) and the 2-worker run the full sweep; the speed-up compares the same sample.
- ``ridethrough_s``: a 10-minute ride-through after a CDU trip (base and failed solves
  included) and the transient alone.
Targets on the 2-core machine: pod sweep <= 5 s, hall sweep <= 120 s, pod ride-through
<= 2 s, hall ride-through <= 30 s.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from twin.engine.whatif.components import single_failures  # noqa: E402
from twin.engine.whatif.ridethrough import ride_through  # noqa: E402
from twin.engine.whatif.sweep import run_sweep  # noqa: E402
from twin.io import load_layout  # noqa: E402

LAYOUTS = {"pod": "gb200-pod.json", "hall": "hyperscale-hall.json"}


def _sweep(layout, comps, jobs: int) -> dict:
    t = time.perf_counter()
    res = run_sweep(layout, components=comps, jobs=jobs)
    wall = time.perf_counter() - t
    verdicts = {v: sum(o.verdict == v for o in res.outcomes) for v in ("survives", "degraded", "fails")}
    return {"scenarios": len(comps), "wall_s": round(wall, 2),
            "scenarios_per_s": round(len(comps) / wall, 2), "verdicts": verdicts,
            "summary": res.summary}


def bench(name: str, hall_sample: int) -> dict:
    layout = load_layout(ROOT / "layouts" / LAYOUTS[name])
    comps = single_failures(layout)
    out: dict = {"layout": LAYOUTS[name], "racks": len(layout.racks), "components": len(comps)}
    if name == "hall" and hall_sample and hall_sample < len(comps):
        sample = sorted(random.Random(1).sample(range(len(comps)), hall_sample))
        sub = [comps[k] for k in sample]
        one, two = _sweep(layout, sub, 1), _sweep(layout, sub, 2)
        out["sample_1_worker"], out["sample_2_workers"] = one, two
        out["speed_up_1_to_2"] = round(one["wall_s"] / two["wall_s"], 2)
        out["full_2_workers"] = _sweep(layout, comps, 2)
    else:
        one, two = _sweep(layout, comps, 1), _sweep(layout, comps, 2)
        out["sweep_1_worker"], out["sweep_2_workers"] = one, two
        out["speed_up_1_to_2"] = round(one["wall_s"] / two["wall_s"], 2)
    cdu = next(iter(layout.cdus))
    t = time.perf_counter()
    rep = ride_through(layout, [cdu], duration_s=600)
    out["ridethrough_cdu_trip"] = {"cdu": cdu, "wall_s": round(time.perf_counter() - t, 2),
                                   "summary": rep.summary()}
    t = time.perf_counter()
    rep = ride_through(layout, [], duration_s=600, utility_loss=True, generator_delay_s=30)
    out["ridethrough_utility_loss_30s"] = {"wall_s": round(time.perf_counter() - t, 2),
                                           "summary": rep.summary()}
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    sample = 200
    if "--hall-sample" in args:
        k = args.index("--hall-sample")
        sample = int(args[k + 1])
        del args[k:k + 2]
    names = args or ["pod", "hall"]
    print(json.dumps({"cpus": os.cpu_count(), **{n: bench(n, sample) for n in names}},
                     indent=2))
