"""Ceiling-return plenum: pressure-driven returns, hot-aisle chimneys, plenum spill."""

import numpy as np
import pytest

from twin.physics.air import AirScene, AirSolver, Containment
from twin.physics.air.devices import RHO_CP
from twin.physics.air.grid import build_geometry, make_grid
from twin.physics.air.synthetic import chimney_room, room


def test_hot_aisle_chimney_to_the_ceiling_keeps_inlets_near_supply():
    """Panels up to the ceiling, no roof, end doors: every rack exhausts into the
    aisle and the plenum draws it off; the cold side sees supply air."""
    sc = chimney_room(supply_ratio=1.15)
    r = AirSolver().solve(sc)
    assert r.converged and abs(r.residual_pct) <= 0.1
    assert r.rack_inlet_mean_c.max() <= 22.0 + 2.5
    assert r.rack_inlet_mean_c.mean() <= 22.0 + 1.0
    assert r.rack_capture_index.mean() >= 0.9
    # all rack heat reaches the plenum: return = supply + heat / (ρ c_p V_units)
    v = sc.cooling.airflow_m3s
    expected = 22.0 + sc.racks.air_heat_w.sum() / (RHO_CP * v.sum())
    assert np.sum(v * r.unit_return_c) / v.sum() == pytest.approx(expected, abs=1e-3)


def test_chimney_is_the_only_return_when_present():
    sc = chimney_room()
    g = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, g)
    x0, y0, x1, y1 = sc.containment.rect_m[0]
    jj, ii = np.nonzero(geom.return_mask)
    assert len(ii) > 0
    assert np.all((ii + 0.5) * g.dx > x0) and np.all((ii + 0.5) * g.dx < x1)
    assert np.all((jj + 0.5) * g.dx > y0) and np.all((jj + 0.5) * g.dx < y1)
    # panels below the ceiling and no roof: not a chimney, the whole ceiling returns
    low = Containment(sc.containment.rect_m, ("hot_aisle",), [2.4], [False], [True])
    sc_low = AirScene(sc.hall, sc.racks, sc.cooling, sc.tiles, low, sc.settings)
    assert build_geometry(sc_low, g).return_mask.sum() > 10 * geom.return_mask.sum()


def test_starved_open_ceiling_return_pulls_plenum_air_back_and_balances():
    """Grilles over the whole ceiling of a starved room: where the room pulls
    harder than the plenum, plenum air flows back down (the spill device)."""
    sc = room(20, supply_ratio=0.75, ceiling_return=True)
    s = AirSolver()
    r = s.solve(sc)
    assert r.converged and abs(r.residual_pct) <= 0.1
    dev = s._state.dev
    assert dev.n == sc.racks.n + sc.cooling.n + 1          # the plenum spill device
    spill = dev.airflow_m3s[-1]
    assert 0 < spill < sc.cooling.airflow_m3s.sum()
    # the spill carries plenum air: it neither heats nor cools
    assert np.sum(r.unit_load_w) == pytest.approx(r.heat_in_w, rel=1e-3)
    assert r.rack_capture_index.mean() <= 0.75 + 0.02
