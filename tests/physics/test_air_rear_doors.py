"""Rear-door heat exchangers: energy closure, device modes, capture index and RTI."""

import numpy as np
import pytest

from twin.engine.simulate import air_metrics
from twin.physics.air import AirScene, AirSolver, SolverSettings
from twin.physics.air.devices import RHO_CP, device_law
from twin.physics.air.solver import supply_fraction
from twin.physics.air.synthetic import door_hall


@pytest.fixture(scope="module")
def solved():
    """Doors hold 24 °C water; doorless 40 kW racks at the east row ends load the
    east CRAHs part-way, so those sit between idle and capacity-limited (at
    set-point) — the case whose mode switching once lost the balance."""
    sc = door_hall(rows=4, racks_per_row=12, end_rack_air_kw=40.0)
    return sc, AirSolver().solve(sc)


def test_energy_closes_with_doors_and_partly_loaded_units(solved):
    sc, r = solved
    assert r.converged
    assert abs(r.residual_pct) <= 0.1
    assert r.heat_removed_w == pytest.approx(r.heat_in_w, rel=1e-3)
    door = sc.racks.rdhx_capacity_w > 0
    # nothing cools below its floor: units hold ≥ set-point, doors ≥ water
    assert np.all(r.unit_supply_c >= 22.0 - 1e-6)
    assert np.all(r.rack_exhaust_c[door] >= 24.0 - 1e-6)
    assert r.rack_inlet_mean_c.min() >= 22.0 - 1e-6
    # east units carry the doorless racks' heat at set-point, within capacity
    east = sc.cooling.center_xy_m[:, 0] > sc.hall.width_m / 2
    assert np.all(r.unit_capacity_fraction[east] < 1.0)
    assert np.allclose(r.unit_supply_c[east], 22.0, atol=1e-6)


def test_power_update_with_doors_matches_full_solve():
    """Same airflow (no buoyancy re-solve): ≤ 1e-3 K, doors switching modes."""
    sc = door_hall(rows=4, racks_per_row=12, end_rack_air_kw=40.0,
                   settings=SolverSettings(buoyancy=False))
    s = AirSolver()
    s.solve(sc)
    heat = sc.racks.air_heat_w * np.linspace(0.6, 1.3, sc.racks.n)
    upd = s.update_power(heat)
    assert upd.iterations["flow_cg"] == 0
    fresh = AirSolver().solve(AirScene(sc.hall, sc.racks.with_power(heat), sc.cooling,
                                       sc.tiles, sc.containment, sc.settings))
    assert np.allclose(upd.rack_inlet_mean_c, fresh.rack_inlet_mean_c, atol=1e-3)
    assert abs(upd.residual_pct) <= 0.1


def test_door_discharge_counts_as_supply_in_capture_index(solved):
    sc, r = solved
    door = sc.racks.rdhx_capacity_w > 0
    assert r.rack_capture_index[door].mean() > 0.9
    m = air_metrics(r, "A1")
    assert m["capture_index"] > 0.9
    # RTI over all coils (units + doors) with the racks' own rise: near balance
    assert 50.0 < m["rti_pct"] < 150.0
    assert 0.0 <= m["shi"] < 0.5


def test_supply_fraction_of_doors():
    sc = door_hall(rows=2, racks_per_row=2)
    s = AirSolver()
    s.solve(sc)
    dev = s._state.dev
    nr = dev.n_racks
    C = RHO_CP * dev.airflow_m3s[:nr]
    door = dev.cap_w[:nr] > 0
    t_in = np.full(dev.n, 22.0)
    f = supply_fraction(dev, t_in)
    assert np.all(f[dev.units] == 1.0)
    assert np.all(f[:nr][~door] == 0.0)
    assert np.all(f[:nr][door] == 1.0)                 # door holds 24 °C
    hot = t_in.copy(); hot[:nr] = 24.0 + dev.cap_w[:nr] / C     # door capacity-limited
    f_hot = supply_fraction(dev, hot)
    excess = C * (hot[:nr] + dev.heat_w[:nr] / C - 24.0)
    assert np.allclose(f_hot[:nr][door], (dev.cap_w[:nr] / excess)[door])
    assert np.all(device_law(dev, hot)[:nr][door] > 24.0)


def test_door_removal_and_unit_loading_by_their_definitions():
    """Per rack, the door removes the air heat the rack's own air does not carry away,
    ``P − ρ c_p V (T_exhaust − T_in)`` (0 without a door); per unit, the capacity
    fraction is its load over its capacity; doors and units together remove the heat.
    (Its own solve, not the module's fixture: mutation testing maps a test to the code
    its own body runs.)"""
    sc = door_hall(rows=2, racks_per_row=8, end_rack_air_kw=40.0)
    r = AirSolver().solve(sc)
    door = sc.racks.rdhx_capacity_w > 0
    assert door.any() and (~door).any()
    gain = RHO_CP * r.rack_airflow_m3s * (r.rack_exhaust_c - r.rack_inlet_mean_c)
    expect = np.where(door, r.rack_air_heat_w - gain, 0.0)
    assert np.allclose(r.rack_door_removed_w, expect, rtol=1e-9, atol=1e-6)
    assert r.rack_door_removed_w[door].min() > 0.0
    assert np.allclose(r.unit_capacity_fraction, r.unit_load_w / sc.cooling.capacity_w)
    assert r.rack_door_removed_w.sum() + r.unit_load_w.sum() == pytest.approx(r.heat_removed_w, rel=1e-9)
