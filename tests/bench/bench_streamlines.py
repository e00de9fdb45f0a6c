"""Streamline benchmark: prints ONE JSON object of figures (seconds).

Run: python tests/bench/bench_streamlines.py [pod] [hall]

For each sample layout (solve excluded): the seeds (``device_seeds``), the trace of all
lines (``trace``), the whole ``picture`` the views draw (seeds, trace, colours,
arrowheads) as median of five runs, with the number of lines, points, and how the lines
ended. The trace runs on a worker thread in the app; the target is well under a second
on the 1,440-rack hall.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from twin.engine import streamlines as sl  # noqa: E402
from twin.engine.simulate import simulate  # noqa: E402
from twin.io import load_layout  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
LAYOUTS = {"pod": "gb200-pod", "small_room": "small-room", "air_hall": "air-cooled-hall",
           "hall": "hyperscale-hall"}


def _median_s(fn, n: int = 5) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def bench(name: str) -> dict:
    res = simulate(load_layout(ROOT / "layouts" / f"{LAYOUTS[name]}.json"))
    air = res.air
    seeds = sl.device_seeds(air)
    lines = sl.trace(air, seeds)
    ended = np.bincount(lines.end, minlength=len(sl.END_NAMES))
    return {
        "grid": list(air.grid.shape),
        "lines": lines.n_lines,
        "points": int(len(lines.points_m)),
        "ended": {k: int(v) for k, v in zip(sl.END_NAMES, ended)},
        "median_length_m": round(float(np.median(lines.length_m())), 2),
        "seeds_s": round(_median_s(lambda: sl.device_seeds(air)), 4),
        "trace_s": round(_median_s(lambda: sl.trace(air, seeds)), 4),
        "picture_s": round(_median_s(lambda: sl.picture(air, res.ashrae_class)), 4),
    }


def main(names: list[str]) -> dict:
    return {n: bench(n) for n in (names or ["pod", "hall"])}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=1))
