"""Recirculation, capacity limits and geometry: what the correction must show."""

import numpy as np
import pytest

from twin.physics.air import AirSolver, SolveError
from twin.physics.air.devices import build_devices
from twin.physics.air.grid import build_geometry, make_grid
from twin.physics.air.scene import AirScene, CoolingUnits
from twin.physics.air.synthetic import room


def _top_layer_inlet(r):
    prof = r.rack_inlet_profile_c
    top = np.array([row[np.flatnonzero(~np.isnan(row))[-1]] for row in prof])
    return top


def test_starved_aisle_hotter_at_rack_tops_and_row_ends():
    balanced = AirSolver().solve(room(20, supply_ratio=1.0))
    starved = AirSolver().solve(room(20, supply_ratio=0.75))
    per_row = 10
    ends = np.r_[0, per_row - 1, per_row, 2 * per_row - 1]
    mid = np.r_[per_row // 2 - 1, per_row // 2, per_row + per_row // 2]
    # tops of the inlet faces run hotter when starved
    assert _top_layer_inlet(starved).mean() > _top_layer_inlet(balanced).mean() + 2.0
    # row-end racks run hotter when starved, and hotter than mid-row racks
    assert starved.rack_inlet_mean_c[ends].mean() > balanced.rack_inlet_mean_c[ends].mean() + 1.0
    assert starved.rack_inlet_mean_c[ends].mean() > starved.rack_inlet_mean_c[mid].mean() + 0.3
    # inside a starved rack's face: top hotter than bottom
    prof = starved.rack_inlet_profile_c[mid[0]]
    assert prof[np.flatnonzero(~np.isnan(prof))[-1]] > prof[0] + 3.0
    # capture index drops with starvation (≤ supply ratio on average)
    assert starved.rack_capture_index.mean() < balanced.rack_capture_index.mean()
    assert starved.rack_capture_index.mean() <= 0.75 + 0.02


def test_balanced_open_aisle_row_ends_warmer_than_mid_row():
    r = AirSolver().solve(room(20, supply_ratio=1.0))
    assert r.rack_inlet_mean_c[[0, 9]].mean() > r.rack_inlet_mean_c[[4, 5]].mean()


def test_overloaded_unit_raises_temperatures():
    base_scene = room(20, supply_ratio=1.1, capacity_margin=3.0)
    base = AirSolver().solve(base_scene)
    u = base_scene.cooling
    cap = u.capacity_w.copy()
    cap[0] = 0.2 * base.unit_load_w[0]
    weak = CoolingUnits(u.kind, u.center_xy_m, u.size_m, u.rotation_deg, u.airflow_m3s, cap,
                        u.supply_setpoint_c, u.enabled)
    sc = AirScene(base_scene.hall, base_scene.racks, weak, base_scene.tiles,
                  base_scene.containment, base_scene.settings)
    r = AirSolver().solve(sc)
    assert r.unit_capacity_fraction[0] == pytest.approx(1.0, abs=1e-6)
    assert r.unit_supply_c[0] > 18.5
    assert r.rack_inlet_mean_c.mean() > base.rack_inlet_mean_c.mean() + 0.3
    assert abs(r.residual_pct) <= 0.1


def test_total_overload_is_a_clear_error():
    sc = room(20, capacity_margin=0.6)
    with pytest.raises(SolveError, match="capacity"):
        AirSolver().solve(sc)


def test_failed_unit_supplies_nothing():
    sc = room(20, supply_ratio=1.1, capacity_margin=3.0)
    u = sc.cooling
    off = CoolingUnits(u.kind, u.center_xy_m, u.size_m, u.rotation_deg, u.airflow_m3s,
                       u.capacity_w, u.supply_setpoint_c, [False, True])
    r = AirSolver().solve(AirScene(sc.hall, sc.racks, off, sc.tiles, sc.containment, sc.settings))
    assert r.unit_load_w[0] == 0 and np.isnan(r.unit_supply_c[0])
    assert r.tile_flow_m3s.sum() == pytest.approx(u.airflow_m3s[1])
    base = AirSolver().solve(sc)
    assert r.rack_inlet_mean_c.mean() > base.rack_inlet_mean_c.mean()


@pytest.mark.parametrize("rot, axis, sign", [(0, 1, -1), (90, 0, +1), (180, 1, +1), (270, 0, -1)])
def test_rack_intake_faces_its_front(rot, axis, sign):
    """A lone rack clear of the CRAHs (x 0.5 and 4.9 m) and of the tiles (y 3-4.2 m):
    the airflow-weighted centre of its intake lies on its front side, of its discharge
    on its back side."""
    sc = room(2)
    from twin.physics.air.scene import Racks
    c = np.array([2.7, 6.0])
    one = Racks([c], [[0.6, 1.2, 2.2]], [rot], [0.8], [5000.0])
    sc2 = AirScene(sc.hall, one, sc.cooling, sc.tiles, sc.containment, sc.settings)
    g = make_grid(sc2.hall, sc2.settings)
    dev = build_devices(sc2, build_geometry(sc2, g))
    xyz = lambda cells: np.stack([cells % g.nx, cells // g.nx % g.ny]) * g.dx + g.dx / 2
    row = dev.intake[0]
    inl = (xyz(row.indices) * row.data).sum(axis=1) / row.data.sum()
    col = dev.discharge[:, 0].tocoo()
    out = (xyz(col.row) * col.data).sum(axis=1) / col.data.sum()
    assert np.sign(inl[axis] - c[axis]) == sign
    assert np.sign(out[axis] - c[axis]) == -sign
    assert dev.intake[0].sum() == pytest.approx(0.8)
