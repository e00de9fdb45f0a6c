"""Accuracy of the live (incremental) air solves against a tight reference; prints ONE JSON object.

Run: python tests/bench/check_air_accuracy.py [case ...]   (default: all)

For every case the incremental path the live engine takes is replayed — a
solve, a coarse drag pass and a refined solve after moving one rack, then
moving it back — and each refined result is compared with a fresh solve of
the same scene at the tolerances of ``REFERENCE`` (the solver's tolerances
before the accuracy-driven stopping rules, with the buoyancy passes run ten
times tighter).  Reported per case: the worst |ΔT| in K over every rack inlet
(mean and max), rack exhaust and unit return, and the timings of the moves.
The live results must stay within ``TOL_K``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from twin.engine.simulate import Simulator  # noqa: E402
from twin.io import load_layout  # noqa: E402
from twin.physics.air import AirScene, AirSolver  # noqa: E402
from twin.physics.air import synthetic  # noqa: E402

TOL_K = 0.02
REFERENCE = dict(flow_rtol=1e-7, thermal_rtol=1e-7, buoyancy_tol_k=0.002)


def _reference(scene: AirScene):
    return AirSolver().solve(AirScene(scene.hall, scene.racks, scene.cooling, scene.tiles,
                                      scene.containment, replace(scene.settings, **REFERENCE)))


def deviation_k(res, ref) -> float:
    pairs = [(res.rack_inlet_mean_c, ref.rack_inlet_mean_c),
             (res.rack_inlet_max_c, ref.rack_inlet_max_c),
             (res.rack_exhaust_c, ref.rack_exhaust_c),
             (res.unit_return_c, ref.unit_return_c)]
    return max(float(np.nanmax(np.abs(a - b), initial=0.0)) for a, b in pairs)


def _moved(sc: AirScene, i: int, dx: float) -> AirScene:
    r = sc.racks
    c = r.center_xy_m.copy(); c[i, 0] += dx
    return AirScene(sc.hall, replace(r, center_xy_m=c), sc.cooling, sc.tiles, sc.containment,
                    sc.settings)


def synthetic_case(scene: AirScene, rack: int, dx: float, drag: bool = True) -> dict:
    """``drag=False``: no coarse pass (the coarse door hall has no steady state:
    its doors' capacity does not survive the coarser grid)."""
    s = AirSolver()
    s.solve(scene)
    devs, times = [], []
    for sc in (_moved(scene, rack, dx), scene):
        if drag:
            s.solve(sc, coarse=True)
        t = time.perf_counter(); res = s.solve(sc); times.append(time.perf_counter() - t)
        devs.append(deviation_k(res, _reference(sc)))
    return {"max_dev_k": max(devs), "move_s": times}


def layout_case(name: str, n_moves: int = 2) -> dict:
    layout = load_layout(ROOT / "layouts" / name)
    sim = Simulator()
    sim.run(layout.snapshot())
    pitch, ids = layout.hall.tile_pitch_m, layout.racks.ids
    devs, times = [], []
    for k in range(n_moves):
        rid = str(ids[(k * 97 + len(ids) // 3) % len(ids)])
        i = layout.racks.index_of(rid)
        x, y = float(layout.racks["x_m"][i]), float(layout.racks["y_m"][i])
        for dy in (pitch, 0.0):
            layout.move_racks([rid], [x], [y + dy])
            sim.run(layout.snapshot(), geometry_changed=True, coarse=True)
            t = time.perf_counter()
            res = sim.run(layout.snapshot(), geometry_changed=True).air
            times.append(time.perf_counter() - t)
            devs.append(deviation_k(res, _reference(sim.air_solver._scene)))
    return {"max_dev_k": max(devs), "move_s": times}


CASES = {
    "small_room": lambda: layout_case("small-room.json"),
    "hall": lambda: layout_case("hyperscale-hall.json", 1),
    "room20": lambda: synthetic_case(synthetic.room(20), 3, 0.3),
    "room20_starved": lambda: synthetic_case(synthetic.room(20, supply_ratio=0.9), 3, 0.3),
    "door_hall": lambda: synthetic_case(synthetic.door_hall(), 0, -0.6, drag=False),
    "chimney_room": lambda: synthetic_case(synthetic.chimney_room(), 2, 0.3),
    "synthetic_hall": lambda: synthetic_case(synthetic.hall(14, 100), 700, -0.6),
}


if __name__ == "__main__":
    out = {}
    for name in sys.argv[1:] or list(CASES):
        out[name] = CASES[name]()
        out[name]["ok"] = out[name]["max_dev_k"] <= TOL_K
        print(name, out[name], file=sys.stderr)
    print(json.dumps(out))
