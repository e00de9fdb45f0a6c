"""Facility roll-up: PUE by hand, tokens per kWh, energy closure, alerts."""

import numpy as np
import pytest

from twin.physics.facility import (
    evaluate_facility, immersion_alerts, liquid_alerts, plant_alerts, power_alerts,
)
from twin.physics.liquid import CduLoops, ImmersionTanks, LiquidBranches, heat_split_w, solve_immersion, solve_liquid
from twin.physics.metrics import pue, tokens_per_kwh
from twin.physics.plant import PlantSpec
from twin.physics.power import PowerChain, RackFeeds, solve_power, typical_loss_coefficients


def small_chain():
    return PowerChain(ids=["U", "UPS"], kind=["utility", "ups"], parent=[-1, 0], module_rating_kw=[1000, 400],
                      c0=[0, 0.01], c1=[0, 0.02], c2=[0, 0.0])


def test_pue_hand_calculation():
    power = solve_power(small_chain(), RackFeeds(dc_load_kw=[100.0, 100.0], feed_a=[1, 1]))
    # UPS: x = 0.5 → loss 400 (0.01 + 0.02·0.5) = 8 kW
    assert power.chain_loss_kw == pytest.approx(8.0)
    spec = PlantSpec(supply_setpoint_c=20.0, facility_pump_head_pa=0.0, condenser_pump_head_pa=0.0,
                     rejection_design_heat_w=436e3, rejection_design_fan_w=20e3, rejection_min_speed=0.0)
    fac = evaluate_facility(power, spec, ambient_dry_bulb_c=0.0, ambient_wet_bulb_c=-2.0,
                            crah_fan_power_w=[6e3, 4e3], tokens_per_s=1e5)
    # heat: 200 IT + 8 losses + 10 fans = 218 kW → fans at 0.5 speed → 20 kW · 0.125 = 2.5 kW
    assert fac.plant.mode == "economiser"
    assert fac.rejection_fan_kw == pytest.approx(2.5)
    assert fac.facility_kw == pytest.approx(200 + 8 + 10 + 2.5)
    assert fac.pue == pytest.approx(220.5 / 200)
    assert fac.tokens_per_kwh == pytest.approx(1e5 * 3600 / 220.5)
    assert fac.liquid_heat_share == 0.0 and fac.chiller_kw == 0.0
    assert abs(fac.energy_residual) < 1e-12


def test_pue_and_tokens_helpers():
    assert pue(1300.0, 1000.0) == pytest.approx(1.3)
    assert pue(10.0, 0.0) == float("inf")
    assert tokens_per_kwh(1000.0 * 3600, 3600.0) == pytest.approx(1000.0)
    assert tokens_per_kwh(5.0, 0.0) == 0.0


def mixed_hall(ambient_db=28.0, ambient_wb=21.0, pump_heat=1.0):
    rng = np.random.default_rng(3)
    n = 60
    psu = typical_loss_coefficients("psu_titanium")
    chain = PowerChain(ids=["UA", "TXA", "UPSA", "PDUA", "UB", "TXB", "UPSB", "PDUB"],
                       kind=["utility", "transformer", "ups", "pdu"] * 2, parent=[-1, 0, 1, 2, -1, 4, 5, 6],
                       module_rating_kw=[20e3, 10e3, 2.5e3, 2.5e3] * 2, n_modules=[1, 1, 4, 4] * 2,
                       n_redundant=[0, 0, 1, 1] * 2, side=["A"] * 4 + ["B"] * 4,
                       c0=[0, *typical_loss_coefficients("transformer")[:1], *typical_loss_coefficients("ups_double_conversion")[:1], typical_loss_coefficients("pdu")[0]] * 2,
                       c1=[0, typical_loss_coefficients("transformer")[1], typical_loss_coefficients("ups_double_conversion")[1], typical_loss_coefficients("pdu")[1]] * 2,
                       c2=[0, typical_loss_coefficients("transformer")[2], typical_loss_coefficients("ups_double_conversion")[2], typical_loss_coefficients("pdu")[2]] * 2)
    dc = rng.uniform(60, 130, n)
    feeds = RackFeeds(dc_load_kw=dc, feed_a=3, feed_b=7, psu_rating_kw=140.0, psu_c0=psu[0], psu_c1=psu[1], psu_c2=psu[2])
    power = solve_power(chain, feeds)
    liquid_racks = np.arange(n) < 50                     # 50 liquid racks, 10 immersion-tank loads
    liq_w, air_w = heat_split_w(power.rack_input_kw * 1e3, np.where(liquid_racks, 0.85, 0.0))
    cdu_index = np.where(liquid_racks, np.arange(n) // 10, -1)
    cdus = CduLoops.uniform(5, ua_w_per_k=300e3, facility_flow_kgs=30.0, facility_supply_c=24.0, capacity_w=1.2e6,
                            pump_shutoff_pa=300e3, pump_free_flow_m3s=0.05, series_k=2e7, header_segment_k=2e6,
                            pump_heat_to_coolant=pump_heat)
    liquid = solve_liquid(LiquidBranches(cdu_index, np.where(liquid_racks, liq_w, 0.0), branch_k=2e10), cdus)
    tanks = ImmersionTanks(heat_w=np.where(liquid_racks, 0.0, power.rack_input_kw * 1e3)[~liquid_racks],
                           ua_w_per_k=30e3, fluid_flow_kgs=8.0, facility_flow_kgs=5.0, facility_supply_c=24.0,
                           capacity_w=200e3, pump_power_w=800.0)
    imm = solve_immersion(tanks)
    air_heat = float(air_w[liquid_racks].sum())
    spec = PlantSpec(supply_setpoint_c=24.0, rejection_design_heat_w=12e6, rejection_design_fan_w=120e3,
                     n_chillers=3, chiller_capacity_w=3e6)
    fac = evaluate_facility(power, spec, ambient_db, ambient_wb, liquid=liquid, immersion=imm,
                            rack_air_heat_w=air_heat, crah_fan_power_w=np.full(8, 7e3),
                            cdu_pump_heat_to_coolant=pump_heat, loss_heat_indoor_fraction=0.7,
                            mechanical_distribution_efficiency=0.98, tokens_per_s=5e6)
    return power, liquid, imm, fac


@pytest.mark.parametrize("db,wb,pump_heat", [(28.0, 21.0, 1.0), (5.0, 2.0, 0.5), (40.0, 26.0, 0.0), (22.0, 17.0, 1.0)])
def test_energy_closure_mixed_hall(db, wb, pump_heat):
    power, liquid, imm, fac = mixed_hall(db, wb, pump_heat)
    assert fac.plant.chiller_unmet_w == 0
    assert abs(fac.energy_residual) < 1e-12
    parts = fac.it_kw + fac.electrical_loss_kw + fac.cooling_kw
    assert fac.facility_kw == pytest.approx(parts, rel=1e-14)
    cooling = fac.crah_fan_kw + fac.cdu_pump_kw + fac.immersion_pump_kw + fac.facility_pump_kw + fac.chiller_kw + fac.rejection_fan_kw
    assert fac.cooling_kw == pytest.approx(cooling, rel=1e-14)
    assert fac.heat_rejected_kw == pytest.approx(fac.facility_kw, rel=1e-12)
    assert 1.0 < fac.pue < 1.6
    assert 0.5 < fac.liquid_heat_share < 1.0


def test_economiser_mode_changes_pue():
    cold = mixed_hall(2.0, 0.0)[3]
    hot = mixed_hall(40.0, 26.0)[3]
    assert cold.chiller_kw == 0 and hot.chiller_kw > 0 and cold.pue < hot.pue


def test_energy_residual_detects_inconsistent_split():
    power, liquid, imm, fac_ok = mixed_hall()
    spec = PlantSpec(supply_setpoint_c=24.0, rejection_design_heat_w=12e6, rejection_design_fan_w=120e3,
                     n_chillers=3, chiller_capacity_w=3e6)
    bad = evaluate_facility(power, spec, 28.0, 21.0, liquid=liquid, immersion=imm, rack_air_heat_w=0.0)
    assert bad.energy_residual < -0.01


def test_liquid_alerts():
    n = 30
    br = LiquidBranches(cdu_index=np.zeros(n, int), liquid_heat_w=np.full(n, 60e3), branch_k=3e11,
                        supply_header_k=2e7, return_header_k=2e7)
    cd = CduLoops(ua_w_per_k=200e3, facility_flow_kgs=20.0, facility_supply_c=35.0, capacity_w=1.5e6,
                  pump_shutoff_pa=300e3, pump_free_flow_m3s=0.03, series_k=1e8, n_pumps_failed=1,
                  return_limit_c=60.0, water_class="W32")
    res = solve_liquid(br, cd)
    alerts = liquid_alerts(res, cd, rack_ids=[f"R{i}" for i in range(n)], cdu_ids=["CDU-1"])
    kinds = {a.kind for a in alerts}
    assert {"coolant_flow_low", "coolant_return_high", "cdu_over_capacity", "facility_water_above_class",
            "pump_redundancy_lost"} <= kinds
    low = [a for a in alerts if a.kind == "coolant_flow_low"]
    assert low[-1].target == "R29" and "L/min" in low[-1].message
    assert all(a.severity in ("critical", "warning", "info") for a in alerts)
    w = next(a for a in alerts if a.kind == "facility_water_above_class")
    assert "35.0 °C" in w.message and "W32" in w.message


def test_pump_over_capacity_alert():
    br = LiquidBranches(cdu_index=[0], liquid_heat_w=[10e3], branch_k=1e6)
    cd = CduLoops(ua_w_per_k=50e3, facility_flow_kgs=2.0, facility_supply_c=25.0, capacity_w=100e3, series_k=1e6)
    alerts = liquid_alerts(solve_liquid(br, cd), cd)
    assert any(a.kind == "pump_over_capacity" for a in alerts)


def test_pumps_failed_alert():
    br = LiquidBranches(cdu_index=[0], liquid_heat_w=[10e3])
    cd = CduLoops(ua_w_per_k=50e3, facility_flow_kgs=2.0, facility_supply_c=25.0, capacity_w=100e3, n_pumps_failed=2)
    alerts = liquid_alerts(solve_liquid(br, cd), cd)
    assert any(a.kind == "pumps_failed" and a.severity == "critical" for a in alerts)


def test_immersion_and_plant_alerts():
    t = ImmersionTanks(heat_w=[250e3], ua_w_per_k=10e3, fluid_flow_kgs=5.0, facility_flow_kgs=3.0,
                       facility_supply_c=32.0, capacity_w=200e3, max_bath_c=50.0)
    kinds = {a.kind for a in immersion_alerts(solve_immersion(t), t)}
    assert kinds == {"immersion_over_capacity", "immersion_bath_high"}
    power = solve_power(small_chain(), RackFeeds(dc_load_kw=[300.0], feed_a=[1]))
    spec = PlantSpec(supply_setpoint_c=18.0, economiser=False, n_chillers=1, chiller_capacity_w=100e3)
    fac = evaluate_facility(power, spec, 35.0, 25.0)
    assert any(a.kind == "chiller_capacity" for a in fac.alerts)
    assert plant_alerts(fac.plant) == list(fac.alerts)


def test_ups_over_rating_alert_in_facility_terms():
    power = solve_power(small_chain(), RackFeeds(dc_load_kw=[450.0], feed_a=[1]))
    alerts = power_alerts(power, small_chain(), RackFeeds(dc_load_kw=[450.0], feed_a=[1]))
    a = next(a for a in alerts if a.kind == "component_overload")
    assert a.target == "UPS" and a.severity == "critical" and "kW" in a.message


def test_separate_chilled_water_plant_for_air_units():
    """Warm facility water economises the liquid heat while the air units' chilled water
    needs chillers; energy still closes across both plants."""
    power = solve_power(small_chain(), RackFeeds(dc_load_kw=[100.0, 100.0], feed_a=[1, 1]))
    liquid_plant = PlantSpec(supply_setpoint_c=30.0, rejection_design_heat_w=400e3,
                             rejection_design_fan_w=10e3)
    air_plant = PlantSpec(supply_setpoint_c=12.0, rejection_design_heat_w=300e3,
                          rejection_design_fan_w=5e3, chiller_capacity_w=250e3)
    shared = evaluate_facility(power, liquid_plant, 20.0, 16.0, crah_fan_power_w=5e3)
    split = evaluate_facility(power, liquid_plant, 20.0, 16.0, crah_fan_power_w=5e3,
                              air_plant_spec=air_plant)
    assert shared.chiller_kw == 0 and shared.air_plant is None
    assert split.air_plant is not None and split.air_plant.mode == "chiller"
    assert split.chiller_kw > 0 and split.pue > shared.pue
    assert split.heat_to_air_kw == pytest.approx(200 + 5 + 8)
    assert abs(split.energy_residual) < 1e-12
    assert split.facility_kw == pytest.approx(split.it_kw + split.electrical_loss_kw
                                              + split.cooling_kw, rel=1e-14)
