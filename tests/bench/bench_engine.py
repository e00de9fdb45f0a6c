"""Engine benchmark: the whole ``Simulator.run`` on the sample layouts; prints ONE JSON object.

Run: python tests/bench/bench_engine.py [hall] [small_room] (default: both)

Per layout, what the live engine calls (``twin.engine.live.LiveEngine``):

- ``cold_s``: the first run of a fresh ``Simulator`` (refined, geometry changed).
- ``workload_edit_s``: median run after one workload's utilisation changed
  (``geometry_changed=False``; the heat of every rack running it changes).
- ``move_coarse_s`` / ``move_refined_s``: medians over racks moved one tile: the coarse
  pass shown during the drag, then the refined pass on release (both ``geometry_changed``
  since the last refined run).
- ``*_breakdown_s``: ``result.timing_s`` of the median run, plus the air solver's stages.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

# one BLAS thread: on 2 cores OpenBLAS threading slows these small solves
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from twin.engine.simulate import Simulator  # noqa: E402
from twin.io import load_layout  # noqa: E402

LAYOUTS = {"hall": "hyperscale-hall.json", "pod": "gb200-pod.json", "small_room": "small-room.json"}
EDITS, MOVES = 7, 5


def _timed_run(sim: Simulator, layout, **kw):
    t = time.perf_counter()
    res = sim.run(layout.snapshot(), **kw)
    return res, time.perf_counter() - t


def _breakdown(res) -> dict[str, float]:
    out = {k: round(v, 4) for k, v in res.timing_s.items()}
    if res.air is not None:
        out.update({f"air.{k}": round(v, 4) for k, v in res.air.timings_s.items()})
    return out


def _median_entry(runs):
    """(median seconds, breakdown of the run closest to it)."""
    med = statistics.median(t for _, t in runs)
    res = min(runs, key=lambda rt: abs(rt[1] - med))[0]
    return med, _breakdown(res)


def _workload_edits(sim: Simulator, layout) -> list:
    name = max(layout.workloads, key=lambda k: int((layout.racks["workload"] == k).sum()))
    base = layout.workloads[name].utilisation
    runs = []
    for k in range(EDITS):
        layout.update_item("workloads", name, utilisation=max(0.05, base - 0.05 * (k + 1)))
        runs.append(_timed_run(sim, layout, geometry_changed=False))
    layout.update_item("workloads", name, utilisation=base)
    sim.run(layout.snapshot(), geometry_changed=False)
    return runs


def _moves(sim: Simulator, layout) -> tuple[list, list]:
    """Move racks one tile (alternately +y and back), as a drag: coarse, then refined."""
    pitch = layout.hall.tile_pitch_m
    ids = layout.racks.ids
    coarse, refined = [], []
    for k in range(MOVES):
        rid = str(ids[(k * 97 + len(ids) // 3) % len(ids)])
        i = layout.racks.index_of(rid)
        x, y = float(layout.racks["x_m"][i]), float(layout.racks["y_m"][i])
        for dy in (pitch, -pitch):
            layout.move_racks([rid], [x], [y + (dy if dy > 0 else 0.0)])
            coarse.append(_timed_run(sim, layout, geometry_changed=True, coarse=True))
            refined.append(_timed_run(sim, layout, geometry_changed=True))
    return coarse, refined


def bench(name: str) -> dict:
    layout = load_layout(ROOT / "layouts" / LAYOUTS[name])
    sim = Simulator()
    res, cold = _timed_run(sim, layout)
    out = {"racks": len(layout.racks), "cells": int(res.air.grid.n) if res.air else 0,
           "cold_s": round(cold, 4), "cold_breakdown_s": _breakdown(res)}
    _timed_run(sim, layout, geometry_changed=False)          # warm-up of the power path
    out["workload_edit_s"], out["workload_edit_breakdown_s"] = _median_entry(
        _workload_edits(sim, layout))
    coarse, refined = _moves(sim, layout)
    out["move_coarse_s"], out["move_coarse_breakdown_s"] = _median_entry(coarse)
    out["move_refined_s"], out["move_refined_breakdown_s"] = _median_entry(refined)
    return out


def main(names: list[str]) -> dict:
    return {n: bench(n) for n in names}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:] or list(LAYOUTS)), default=float))
