"""Benchmark: one timeline step on the 1,440-rack hall (issue 18: within the live
workload-edit budget) — the 24-hour profile, and a synthetic day's trace at 15-minute
steps that moves the training job and four rows of racks — and the swing analysis.

Run: .venv/bin/python tests/bench/bench_timeline.py   (prints one JSON object)
"""

from __future__ import annotations

import json
import math
import statistics
import time
from pathlib import Path

from twin.engine.simulate import simulate
from twin.engine.swing import training_swing
from twin.engine.timeline import profile_steps, run_timeline, trace_steps
from twin.io import load_layout
from twin.io.trace import parse_trace

HALL = Path(__file__).resolve().parents[2] / "layouts" / "hyperscale-hall.json"


def main() -> None:
    hall = load_layout(HALL)
    out: dict[str, float | int] = {}
    tl = run_timeline(hall, profile_steps(hall), "profile")
    out["profile_first_step_s"] = round(tl.step_s[0], 3)
    out["profile_step_median_s"] = round(statistics.median(tl.step_s[1:]), 4)
    train = next(w for w in hall.workloads.values() if w.kind == "training")
    ids = sorted(hall.racks.ids.tolist())
    lines = ["time,target,utilisation"]
    for k in range(96):
        t = k * 900
        u = 0.55 + 0.4 * math.sin(2 * math.pi * k / 96) ** 2
        lines.append(f"{t},{train.id},{u:.3f}")
        if k % 8 == 0:
            lo, hi = ids[(k * 37) % 1200], ids[(k * 37) % 1200 + 71]
            lines.append(f"{t},{lo}..{hi},{1 - u / 2:.3f}")
    trace = parse_trace("\n".join(lines).encode(), "synthetic.csv", hall)
    t0 = time.perf_counter()
    tl = run_timeline(hall, trace_steps(hall, trace), "trace", trace=trace)
    out["trace_steps"] = len(tl.labels)
    out["trace_total_s"] = round(time.perf_counter() - t0, 2)
    out["trace_step_median_s"] = round(statistics.median(tl.step_s[1:]), 4)
    out["trace_step_max_s"] = round(max(tl.step_s[1:]), 4)
    res = simulate(hall)
    hall.update_item("workloads", train.id, swing_period_s=2.0)
    t0 = time.perf_counter()
    training_swing(hall, res)
    out["swing_analysis_s"] = round(time.perf_counter() - t0, 4)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
