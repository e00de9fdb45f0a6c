"""Plant: chiller EIR curves, economiser modes, affinity-law fans and pumps."""

import numpy as np
import pytest

from twin.physics.fluids import WATER
from twin.physics.plant import (
    COOLING_TOWER, DOE2_CENTRIFUGAL, DRY_COOLER, PlantSpec, chiller_cop, chiller_performance, fan_power_w,
    pump_power_w, solve_plant,
)


def test_cop_at_reference_is_rated():
    cop = chiller_cop(DOE2_CENTRIFUGAL.reference_leaving_c, DOE2_CENTRIFUGAL.reference_condenser_c, rated_cop=6.5)
    assert cop == pytest.approx(6.5, rel=0.01)


def test_cop_rises_with_leaving_water_temperature():
    t = np.array([5.0, 6.0, 7.0])
    cop = chiller_cop(t, 29.4)
    assert np.all(np.diff(cop) > 0)
    per_k = (cop[2] / cop[0]) ** 0.5 - 1.0
    assert 0.03 <= per_k <= 0.045, per_k


def test_cop_falls_with_condenser_temperature():
    cop = chiller_cop(7.0, np.array([25.0, 29.0, 33.0]))
    assert np.all(np.diff(cop) < 0)


def test_part_load_and_unloading():
    full = chiller_performance(1e6, 1e6, 6.67, 29.4)
    half = chiller_performance(0.5e6, 1e6, 6.67, 29.4)
    assert half.plr == pytest.approx(0.5 / float(full.available_capacity_w) * 1e6)
    tiny = chiller_performance(0.05e6, 1e6, 6.67, 29.4)          # below the minimum unloading ratio
    assert tiny.cop < half.cop


def test_affinity_law_and_pump_power():
    assert fan_power_w(5.0, 10.0, 8000.0) == pytest.approx(1000.0)
    assert pump_power_w(0.01, 200e3, 0.8) == pytest.approx(2500.0)


def cold_spec(**kw):
    base = dict(supply_setpoint_c=20.0, heat_rejection=COOLING_TOWER, rejection_approach_k=4.0,
                economiser_hx_approach_k=1.5, rejection_design_heat_w=4e6, rejection_design_fan_w=40e3,
                n_chillers=2, chiller_capacity_w=2e6)
    base.update(kw)
    return PlantSpec(**base)


def flow_for(q, dt=10.0):
    return q / (WATER.cp_jkgk * dt)


def test_economiser_cold_day_no_chiller_power():
    r = solve_plant(cold_spec(), 2e6, flow_for(2e6), ambient_dry_bulb_c=2.0, ambient_wet_bulb_c=0.0)
    assert r.mode == "economiser" and r.chiller_power_w == 0.0 and r.chillers_running == 0
    assert r.economiser_heat_w == pytest.approx(2e6 + r.facility_pump_power_w)


def test_partial_economiser_between_and_chiller_when_hot():
    q, m = 2e6, flow_for(2e6)
    partial = solve_plant(cold_spec(), q, m, 24.0, 18.0)      # free 23.5 °C between 20 and 30 °C
    hot = solve_plant(cold_spec(), q, m, 35.0, 27.0)
    assert partial.mode == "partial" and hot.mode == "chiller"
    load = q + partial.facility_pump_power_w
    ret = 20.0 + 10.0 + partial.facility_pump_power_w / (m * WATER.cp_jkgk)
    assert partial.economiser_heat_w == pytest.approx(load * (ret - 23.5) / (ret - 20.0))
    assert 0 < partial.chiller_power_w < hot.chiller_power_w
    assert hot.economiser_heat_w == 0 and hot.chillers_running == 1


def test_dry_cooler_uses_dry_bulb_tower_uses_wet_bulb():
    q, m = 1e6, flow_for(1e6)
    tower = solve_plant(cold_spec(heat_rejection=COOLING_TOWER), q, m, 20.0, 10.0)
    dry = solve_plant(cold_spec(heat_rejection=DRY_COOLER), q, m, 20.0, 10.0)
    assert tower.mode == "economiser" and dry.mode == "partial"
    assert dry.free_cooling_c == pytest.approx(25.5) and tower.free_cooling_c == pytest.approx(15.5)


def test_heat_rejected_is_load_plus_plant_power():
    r = solve_plant(cold_spec(), 2e6, flow_for(2e6), 30.0, 22.0)
    assert r.chiller_unmet_w == 0
    assert r.heat_rejected_w == pytest.approx(2e6 + r.total_power_w, rel=1e-12)


def test_chiller_capacity_shortfall_reported():
    r = solve_plant(cold_spec(n_chillers=1, chiller_capacity_w=1e6, economiser=False), 2e6, flow_for(2e6), 35.0, 27.0)
    assert r.chiller_unmet_w > 0.9e6


def test_rejection_fans_follow_affinity_law():
    lo = solve_plant(cold_spec(), 1e6, flow_for(1e6), 0.0, -2.0)
    hi = solve_plant(cold_spec(), 2e6, flow_for(2e6), 0.0, -2.0)
    x_lo, x_hi = lo.heat_rejected_w - lo.rejection_fan_power_w, hi.heat_rejected_w - hi.rejection_fan_power_w
    assert hi.rejection_fan_power_w / lo.rejection_fan_power_w == pytest.approx((x_hi / x_lo) ** 3)


def test_bad_heat_rejection_kind():
    with pytest.raises(ValueError):
        PlantSpec(heat_rejection="river")
