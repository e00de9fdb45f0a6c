"""How far the CFD references repeat themselves, and what that does to the twin's errors
(not run in CI).

    python tests/bench/cfd/repeatability.py

The steady solver does not settle every room to one state: where the tile jets are weak
against the racks' draw (a 1.8 m aisle of three tile rows) the flow over the aisle flaps,
and the state a run lands in depends on the air it starts from.  Two measures:

- *cycle spread*: every reference stores, per rack, the standard deviation of its mean
  inlet over the 8 cycles it averages (``mean_std_k``); the median over the room's racks;
- *repeat*: for the rooms run again from other initial fields (``NAME@repeat*.json``:
  ``run_library.py NAME --initial-offset-k 2 --suffix @repeat`` starts 2 K warmer), the
  mean-inlet difference between runs (mean over racks and pairs of runs), and the twin's
  (shipped constants) MAE against each run and against their average (the reference
  ``fit.py`` uses).

Prints a Markdown table (README, "CFD repeatability").
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

import fit  # noqa: E402


def twin_means_c(case: dict) -> dict[str, float]:
    """The twin's (shipped constants) mean inlet of each rack the reference lists."""
    res = case["model"].solve({})
    return {case["model"].rack_ids[i]: float(res.rack_inlet_mean_c[i]) for i in case["idx"]}


def twin_mae_k(twin: dict[str, float], doc: dict) -> float:
    """The twin's mean-inlet MAE against the racks of ``doc``."""
    return float(np.mean([abs(twin[r["id"]] - r["inlet_mean_c"]) for r in doc["racks"]]))


def hottest_spread_k(runs: list[dict]) -> float:
    """Mean over racks and pairs of runs of their hottest intake cells' difference (K)."""
    hot = [{r["id"]: r["inlet_max_c"] for r in d["racks"]} for d in runs]
    ids = list(hot[0])
    return float(np.mean([abs(a[i] - b[i]) for k, a in enumerate(hot) for b in hot[k + 1:] for i in ids]))


def main() -> int:
    print("| room | cycle spread, median rack | runs | between runs: mean inlet / hottest cell | "
          "twin MAE vs each run | vs their average |")
    print("|---|---|---|---|---|---|")
    for case in fit.cases(top=False):
        first = json.loads((HERE / "reference" / f"{case['name']}.json").read_text())
        spread = float(np.median([r["mean_std_k"] for r in first["racks"]]))
        reps = sorted((HERE / "reference").glob(f"{case['name']}{fit.REPEAT}*.json"))
        if case["repeat_mae_k"] is None and spread < 0.3:
            continue
        twin = twin_means_c(case)
        if case["repeat_mae_k"] is None:
            print(f"| {case['name']} | {spread:.2f} K | 1 | — | {twin_mae_k(twin, first):.2f} K | — |")
            continue
        runs = [first] + [json.loads(p.read_text()) for p in reps]
        each = " / ".join(f"{twin_mae_k(twin, d):.2f}" for d in runs)
        print(f"| {case['name']} | {spread:.2f} K | {len(runs)} | {case['repeat_mae_k']:.2f} / "
              f"{hottest_spread_k(runs):.2f} K | {each} K | {twin_mae_k(twin, case['doc']):.2f} K |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
