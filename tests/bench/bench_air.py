"""Air-solver benchmark: prints ONE JSON object of figures (seconds, MB).

Run: python tests/bench/bench_air.py

Hall: 1,400 racks (synthetic 14 × 100, raised floor).  ``*_move_one_s`` is
the median of four fine re-solves after moving one rack (alternately there
and back); ``hall_release_after_drag_s`` is the fine re-solve after coarse
drag passes (the live engine's path); ``*_power_only_s`` medians of power-only
updates (no flow solve): scaling all racks (``hall_power_only_s``) and a new
random pattern each time (``hall_power_only_random_s``).
"""

from __future__ import annotations

import json
import os
import resource
import time

# one BLAS thread: on 2 cores OpenBLAS threading slows these small solves ~10×
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from twin.physics.air import AirScene, AirSolver, Racks  # noqa: E402
from twin.physics.air.synthetic import hall, room  # noqa: E402


def _moved(sc: AirScene, i: int, dx: float) -> AirScene:
    r = sc.racks
    c = r.center_xy_m.copy(); c[i, 0] += dx
    return AirScene(sc.hall, Racks(c, r.size_m, r.rotation_deg, r.airflow_m3s, r.air_heat_w),
                    sc.cooling, sc.tiles, sc.containment, sc.settings)


def _timed(fn):
    t = time.perf_counter(); out = fn(); return out, time.perf_counter() - t


def main() -> dict:
    out = {}
    sc = hall(14, 100)
    s = AirSolver()
    r, out["hall_cold_s"] = _timed(lambda: s.solve(sc))
    out["hall_racks"] = int(sc.racks.n)
    out["hall_cells"] = int(r.grid.n)
    out["hall_cold_iterations"] = r.iterations
    out["hall_cold_stages_s"] = {k: round(v, 4) for k, v in r.timings_s.items()}
    out["hall_residual_pct"] = r.residual_pct
    out["hall_inlet_c_min_mean_max"] = [float(np.min(r.rack_inlet_mean_c)),
                                        float(np.mean(r.rack_inlet_mean_c)),
                                        float(np.max(r.rack_inlet_max_c))]
    moves = [_moved(sc, 700, -0.6), sc] * 2
    runs = [_timed(lambda m=m: s.solve(m)) for m in moves]
    out["hall_move_one_s"] = float(np.median([t for _, t in runs]))
    out["hall_move_one_iterations"] = runs[0][0].iterations
    moved = _moved(sc, 700, -0.6)
    _, out["hall_move_one_coarse_s"] = _timed(lambda: s.solve(moved, coarse=True))
    _, out["hall_release_after_drag_s"] = _timed(lambda: s.solve(moved))
    heat = sc.racks.air_heat_w
    ts = [_timed(lambda k=k: s.update_power(heat * (0.9 + 0.04 * k)))[1] for k in range(5)]
    out["hall_power_only_s"] = float(np.median(ts))
    rng = np.random.default_rng(1)
    ts = [_timed(lambda: s.update_power(heat * rng.uniform(0.7, 1.1, len(heat))))[1]
          for _ in range(5)]
    out["hall_power_only_random_s"] = float(np.median(ts))
    out["rss_mb_after_hall"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rs = room(20)
    s2 = AirSolver()
    _, out["room20_cold_s"] = _timed(lambda: s2.solve(rs))
    ts = [_timed(lambda k=k: s2.solve(_moved(rs, 3, 0.3 * (k % 2))))[1] for k in range(4)]
    out["room20_move_one_s"] = float(np.median(ts))
    ts = [_timed(lambda k=k: s2.update_power(rs.racks.air_heat_w * (0.9 + 0.05 * k)))[1]
          for k in range(4)]
    out["room20_power_only_s"] = float(np.median(ts))
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


if __name__ == "__main__":
    print(json.dumps(main(), default=float))
