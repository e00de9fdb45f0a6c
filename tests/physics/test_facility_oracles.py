"""Hand-worked oracles for the facility roll-up, PUE and alerts (docs/physics.md,
"6. Facility roll-up" and "3.8 Liquid limits").

Facility = IT + chain losses + mechanical distribution losses + cooling; PUE = facility / IT;
CRAH coils take the rack air heat + fan heat + the indoor share of chain losses + CDU pump
heat not given to the coolant; the plant takes the coil and facility-water heat (§6.1-6.2).
The plant is set up so that its only power is the heat-rejection fans (economiser, pumps
with zero head, no minimum speed): P_fan = 20 kW · (heat / 500 kW)³.
"""

from dataclasses import replace

import numpy as np
import pytest

from twin.physics.facility import (evaluate_facility, immersion_alerts, liquid_alerts, plant_alerts,
                                   power_alerts, rack_state_alerts)
from twin.physics.liquid import (CAUSE_NO_FLOW, CAUSE_NONE, RUNNING, SHUTDOWN, THROTTLED, CduLoops, CoolantLimits, ImmersionTanks,
                                 LiquidBranches, solve_immersion, solve_liquid)
from twin.physics.plant import PlantSpec, solve_plant
from twin.physics.power import FailoverResult, PowerChain, RackFeeds, solve_power

REL = 1e-9
CP = 4179.6


def power_200kw():
    # UPS 400 kW, c0 0.01, c1 0.02, at x = 0.5: 400 (0.01 + 0.01) = 8 kW of chain loss; IT 200 kW
    ch = PowerChain(ids=["U", "UPS"], kind=["utility", "ups"], parent=[-1, 0], module_rating_kw=[1000, 400],
                    c0=[0, 0.01], c1=[0, 0.02])
    return solve_power(ch, RackFeeds(dc_load_kw=[120.0, 80.0], feed_a=[1, 1]))


def cdu_80kw(pump_heat_to_coolant):
    """One 80 kW rack on a loop whose pump draws exactly 700 W (see test_liquid_oracles:
    Q = √(250e3 / 6.25e10) = 2 L/s, head 210 kPa, 420 W hydraulic at η 0.6)."""
    cd = CduLoops(ua_w_per_k=30e3, facility_flow_kgs=2.0, facility_supply_c=30.0, capacity_w=100e3,
                  pump_shutoff_pa=250e3, pump_free_flow_m3s=5e-3, series_k=3.2e9, pump_efficiency=0.6,
                  pump_heat_to_coolant=pump_heat_to_coolant)
    br = LiquidBranches(cdu_index=[0], liquid_heat_w=[80e3], branch_k=4.85e10, supply_header_k=0.4e9,
                        return_header_k=0.4e9)
    return solve_liquid(br, cd), cd


def plant(**kw):
    base = dict(supply_setpoint_c=30.0, facility_pump_head_pa=0.0, condenser_pump_head_pa=0.0,
                rejection_design_heat_w=500e3, rejection_design_fan_w=20e3, rejection_min_speed=0.0)
    base.update(kw)
    return PlantSpec(**base)


def test_roll_up_with_liquid_by_hand():
    liq, _ = cdu_80kw(1.0)
    assert liq.cdus.pump_power_w[0] == pytest.approx(700.0, rel=REL)
    fac = evaluate_facility(power_200kw(), plant(), 15.0, 10.0, liquid=liq, crah_fan_power_w=[6e3, 4e3],
                            loss_heat_indoor_fraction=0.5, mechanical_distribution_efficiency=0.95,
                            tokens_per_s=1e5)
    # air heat 200 − 80 = 120 kW; coil 120 + 10 fans + 0.5·8 losses = 134 kW; water 80 + 0.7 = 80.7 kW
    assert fac.heat_to_air_kw == pytest.approx(134.0, rel=REL)
    assert fac.heat_to_liquid_kw == pytest.approx(80.7, rel=REL)
    assert fac.liquid_heat_share == pytest.approx(0.4, rel=REL)
    # plant: 214.7 kW on a 500 kW design → fans 20 · 0.4294³ = 1.583378 kW
    fan = 20.0 * (214.7 / 500.0) ** 3
    assert fac.plant.mode == "economiser" and fac.plant.heat_in_w == pytest.approx(214.7e3, rel=REL)
    assert fac.rejection_fan_kw == pytest.approx(fan, rel=REL)
    cooling = 10.0 + 0.7 + fan
    mech = cooling * (1 / 0.95 - 1)
    assert fac.cooling_kw == pytest.approx(cooling, rel=REL)
    assert fac.cdu_pump_kw == pytest.approx(0.7, rel=REL) and fac.crah_fan_kw == pytest.approx(10.0, rel=REL)
    assert fac.electrical_loss_kw == pytest.approx(8.0 + mech, rel=REL)
    facility = 200.0 + 8.0 + mech + cooling
    assert fac.facility_kw == pytest.approx(facility, rel=REL)
    assert fac.pue == pytest.approx(facility / 200.0, rel=REL)
    assert fac.tokens_per_kwh == pytest.approx(1e5 * 3600 / facility, rel=REL)
    # rejected: plant (214.7 + fan) + outdoor half of the losses 4 + mechanical losses
    assert fac.heat_rejected_kw == pytest.approx(214.7 + fan + 4.0 + mech, rel=REL)
    assert abs(fac.energy_residual) < 1e-12
    # the plant sees the mixed return of the CDU water (2 kg/s at 30 + 80.7e3/8359.2) and the
    # coil water (134e3 / (4179.6 · 6) kg/s at 30 + 6 °C)
    m_coil = 134e3 / (CP * 6.0)
    t_cdu = 30.0 + 80.7e3 / (2.0 * CP)
    assert fac.plant.facility_flow_kgs == pytest.approx(2.0 + m_coil, rel=REL)
    assert fac.plant.return_c == pytest.approx((2.0 * t_cdu + m_coil * 36.0) / (2.0 + m_coil), rel=REL)


def test_cdu_pump_heat_split_between_coolant_and_room():
    # a quarter of the 700 W in the coolant: water 80.175 kW, coil 120 + 0.525 kW
    liq, cd = cdu_80kw(0.25)
    fac = evaluate_facility(power_200kw(), plant(), 15.0, 10.0, liquid=liq,
                            cdu_pump_heat_to_coolant=cd.pump_heat_to_coolant)
    assert fac.heat_to_liquid_kw == pytest.approx(80.175, rel=REL)
    assert fac.heat_to_air_kw == pytest.approx(120.0 + 8.0 + 0.525, rel=REL)
    assert abs(fac.energy_residual) < 1e-12


def test_separate_air_plant_takes_only_the_coils():
    liq, _ = cdu_80kw(1.0)
    air = plant(supply_setpoint_c=12.0, rejection_design_heat_w=250e3, rejection_design_fan_w=5e3)
    fac = evaluate_facility(power_200kw(), plant(), 15.0, 10.0, liquid=liq, crah_fan_power_w=10e3,
                            air_plant_spec=air)
    # liquid plant: 80.7 kW only; air plant: 120 + 10 + 8 = 138 kW at 12 → 18 °C
    assert fac.plant.heat_in_w == pytest.approx(80.7e3, rel=REL)
    assert fac.air_plant.heat_in_w == pytest.approx(138e3, rel=REL)
    assert fac.air_plant.return_c == pytest.approx(18.0, rel=REL)
    assert fac.air_plant.facility_flow_kgs == pytest.approx(138e3 / (CP * 6.0), rel=REL)
    # 10 °C wet bulb + 5.5 K: free cooling at 15.5 °C, above the 12 °C chilled water → partial
    assert fac.air_plant.mode == "partial"
    total_fan = 20.0 * (80.7 / 500) ** 3 + fac.air_plant.rejection_fan_power_w / 1e3
    assert fac.rejection_fan_kw == pytest.approx(total_fan, rel=REL)
    assert fac.chiller_kw == pytest.approx(fac.air_plant.chiller_power_w / 1e3, rel=REL)
    assert abs(fac.energy_residual) < 1e-12


def test_empty_hall_and_zero_it():
    ch = PowerChain(ids=["U"], kind=["utility"], parent=[-1], module_rating_kw=[1000])
    power = solve_power(ch, RackFeeds(dc_load_kw=np.zeros(0), feed_a=np.zeros(0, int)))
    fac = evaluate_facility(power, plant(), 15.0, 10.0)
    assert fac.it_kw == 0.0 and fac.facility_kw == 0.0 and fac.pue == float("inf")
    assert fac.tokens_per_kwh == 0.0 and fac.liquid_heat_share == 0.0 and fac.energy_residual == 0.0
    assert fac.plant.mode == "off"


def liquid_case(**kw):
    base = dict(ua_w_per_k=[30e3, 30e3], facility_flow_kgs=2.0, facility_supply_c=[32.0, 27.0],
                capacity_w=[100e3, 100e3], pump_shutoff_pa=250e3, pump_free_flow_m3s=5e-3, series_k=3.2e9,
                pump_heat_to_coolant=0.0, n_pumps_installed=2, n_pumps_duty=1, n_pumps_failed=0,
                water_class=["W32", "W27"], return_limit_c=60.0)
    base.update(kw)
    cd = CduLoops(**base)
    br = LiquidBranches(cdu_index=[0, 1], liquid_heat_w=[80e3, 90e3], branch_k=4.85e10, supply_header_k=0.4e9,
                        return_header_k=0.4e9)
    return solve_liquid(br, cd), cd


def kinds(alerts):
    return {(a.target, a.kind, a.severity) for a in alerts}


def test_liquid_alerts_on_their_boundaries():
    res, cd = liquid_case()
    # W32 at 32.0 °C and W27 at 27.0 °C: on the class limits, no alert; 80 kW rack gets exactly its need
    assert kinds(liquid_alerts(res, cd, ["R0", "R1"], ["C0", "C1"])) == {
        ("R1", "coolant_flow_low", "warning")}                     # 90 kW needs 135 L/min, gets 120
    res, cd = liquid_case(facility_supply_c=[32.01, 27.0])
    out = kinds(liquid_alerts(res, cd, ["R0", "R1"], ["C0", "C1"]))
    assert ("C0", "facility_water_above_class", "warning") in out
    assert ("C1", "facility_water_above_class", "warning") not in out


def test_coolant_flow_low_critical_below_three_quarters_of_need():
    # both racks get 120 L/min.  With a 1.9 L/min/kW rule: R0 needs 152 L/min, 0.75·152 = 114 ≤ 120
    # → warning; R1 needs 171 L/min, 0.75·171 = 128.25 > 120 → critical
    res, cd = liquid_case()
    strict = solve_liquid(LiquidBranches(cdu_index=[0, 1], liquid_heat_w=[80e3, 90e3], branch_k=4.85e10,
                                         supply_header_k=0.4e9, return_header_k=0.4e9), cd,
                          flow_need_lpm_per_kw=1.9)
    low = [a for a in liquid_alerts(strict, cd, ["R0", "R1"]) if a.kind == "coolant_flow_low"]
    assert {(a.target, a.severity) for a in low} == {("R0", "warning"), ("R1", "critical")}


def test_return_limit_and_capacity_exactly_at_the_limit():
    res, _ = liquid_case()
    r0 = float(res.cdus.loop_return_c[0])
    rack1 = float(res.racks.return_c[1])
    # limit exactly at CDU 0's loop return (no alert); CDU 1's limit just below its rack's return
    res, cd = liquid_case(return_limit_c=[r0, rack1 - 1e-6], capacity_w=[80e3, 90e3 / 0.9])
    out = kinds(liquid_alerts(res, cd, ["R0", "R1"], ["C0", "C1"]))
    assert ("C0", "coolant_return_high", "critical") not in out
    assert ("R1", "coolant_return_high", "critical") in out
    assert ("C1", "coolant_return_high", "critical") in out        # loop return = rack return here
    # capacity == load (1.0) → near-capacity warning, not over; 0.9 exactly → nothing
    assert ("C0", "cdu_near_capacity", "warning") in out and ("C0", "cdu_over_capacity", "critical") not in out
    assert not any(k[0] == "C1" and k[1].startswith("cdu_") for k in out)


def test_pump_failure_alerts_for_unequal_cdus():
    # C0: 1 of 2 failed → standby used, redundancy lost (warning); C1: 2 of 2 failed → critical
    res, cd = liquid_case(n_pumps_failed=[1, 2])
    out = kinds(liquid_alerts(res, cd, ["R0", "R1"], ["C0", "C1"]))
    assert ("C0", "pump_redundancy_lost", "warning") in out and ("C0", "pumps_failed", "critical") not in out
    assert ("C1", "pumps_failed", "critical") in out and ("C1", "pump_redundancy_lost", "warning") not in out


def test_immersion_alerts_exactly_at_limits():
    t = ImmersionTanks(heat_w=[100e3, 100e3], ua_w_per_k=20e3, fluid_flow_kgs=5.0, facility_flow_kgs=3.0,
                       facility_supply_c=30.0, capacity_w=[100e3, 99e3], max_bath_c=[60.0, 43.5])
    r = solve_immersion(t)
    # bath 43.5538 °C (test_liquid_oracles); tank 0 at capacity and under its bath limit: nothing
    assert {(a.target, a.kind) for a in immersion_alerts(r, t, ["T0", "T1"])} == {
        ("T1", "immersion_over_capacity"), ("T1", "immersion_bath_high")}
    t = ImmersionTanks(heat_w=[100e3], ua_w_per_k=20e3, fluid_flow_kgs=5.0, facility_flow_kgs=3.0,
                       facility_supply_c=30.0, capacity_w=[200e3], max_bath_c=float(r.bath_c[0]))
    assert immersion_alerts(solve_immersion(t), t) == []


def test_plant_alerts_unmet_and_rejection():
    s = PlantSpec(supply_setpoint_c=20.0, economiser=False, n_chillers=1, chiller_capacity_w=1e6,
                  facility_pump_head_pa=0.0, rejection_design_heat_w=10e6)
    # 0.9 MW on a chiller whose CAPFT at 20 °C leaving (clamped to 10) and 30 °C condenser is > 1: met
    assert plant_alerts(solve_plant(s, 0.9e6, 20.0, 35.0, 26.0)) == []
    out = plant_alerts(solve_plant(s, 3e6, 20.0, 35.0, 26.0), "liquid plant")
    assert [(a.kind, a.target) for a in out] == [("chiller_capacity", "liquid plant")]


def test_pump_runout_exactly_at_free_flow_is_critical_and_exactly_0_9_is_quiet():
    # docs/physics.md §3.4: a pump at its free-delivery flow (runout fraction 1.0) has no head
    # left: critical.  Above 0.9 (strictly) it is a warning; 0.9 itself is not.  C0 sits at
    # 1.0, C1 at 0.9, both with head left, so only the runout rule can fire.
    res, cd = liquid_case()
    c = replace(res.cdus, pump_runout_fraction=np.array([1.0, 0.9]), pump_dp_kpa=np.array([50.0, 50.0]))
    out = kinds(liquid_alerts(replace(res, cdus=c), cd, ["R0", "R1"], ["C0", "C1"]))
    assert ("C0", "pump_over_capacity", "critical") in out
    assert not any(k[0] == "C1" and k[1] == "pump_over_capacity" for k in out)
    # just past 0.9 on C1: the warning, not the critical alert
    c = replace(c, pump_runout_fraction=np.array([0.5, 0.9 + 1e-9]))
    out = kinds(liquid_alerts(replace(res, cdus=c), cd, ["R0", "R1"], ["C0", "C1"]))
    assert ("C1", "pump_over_capacity", "warning") in out
    assert not any(k[1] == "pump_over_capacity" and k[0] == "C0" for k in out)
    # the warning states the share of free flow in per cent: 0.95 → "95%"
    c = replace(c, pump_runout_fraction=np.array([0.5, 0.95]))
    warn = [a for a in liquid_alerts(replace(res, cdus=c), cd, ["R0", "R1"], ["C0", "C1"])
            if a.kind == "pump_over_capacity"]
    assert len(warn) == 1 and "95% of its free flow" in warn[0].message


def test_liquid_inputs_of_the_wrong_shape_are_refused_with_their_name():
    # three facility supplies make three CDUs, but two UA values: the short field is
    # named, with both counts
    with pytest.raises(ValueError, match=r"CduLoops\.ua_w_per_k: expected 3 values, got 2"):
        liquid_case(facility_supply_c=[32.0, 27.0, 25.0])
    # a branch on CDU 2 when only CDUs 0 and 1 exist
    _, cd = liquid_case()
    br = LiquidBranches(cdu_index=[0, 2], liquid_heat_w=[80e3, 90e3], branch_k=4.85e10,
                        supply_header_k=0.4e9, return_header_k=0.4e9)
    with pytest.raises(ValueError, match=r"refers to CDU 2, only 2 given"):
        solve_liquid(br, cd)


def test_rack_state_alerts_name_racks_then_tanks_and_the_throttled_power():
    # two racks (the limits cover them) then one tank; R0 throttled to 80 of 132 kW on
    # CDU-B at a 45 °C return; R1 (the last rack) and the tank unpowered
    n = 2
    limits = CoolantLimits(
        power_w=np.array([80e3, 0.0]), liquid_heat_w=np.zeros(n), air_heat_w=np.zeros(n),
        state=np.array([THROTTLED, RUNNING]), cause=np.array([CAUSE_NONE, CAUSE_NONE]),
        throttle_c=np.array([45.0, np.nan]), cdu_index=np.array([1, -1]), margin_k=5.0,
        loop_supply_c=np.array([30.0, 30.0]), rounds=1)
    out = rack_state_alerts(["R0", "R1", "T0"], [132e3, 10e3, 50e3], [True, False, False],
                            limits, cdu_ids=["CDU-A", "CDU-B"])
    msg = {(a.kind, a.target): a.message for a in out}
    assert msg[("rack_unpowered", "R1")].startswith("no energised feed: the rack draws 0 kW of its 10.0 kW")
    assert msg[("rack_unpowered", "T0")].startswith("no energised feed: the tank draws 0 kW of its 50.0 kW")
    assert msg[("rack_throttled", "R0")] == (
        "throttled to 80.0 kW of its 132.0 kW demand: coolant return held at the 45.0 °C "
        "limit of CDU-B")
    assert {a.severity for a in out} == {"critical"}


def test_rack_shut_down_for_no_flow_names_the_cdu_it_gets_no_flow_from():
    # R0 (on no CDU index in range: no name) and R1 on CDU-B both shut down to 1.2 kW standby
    # for lack of flow; the message says where the flow should have come from
    n = 2
    limits = CoolantLimits(
        power_w=np.array([1.2e3, 1.2e3]), liquid_heat_w=np.zeros(n), air_heat_w=np.array([1.2e3, 1.2e3]),
        state=np.array([SHUTDOWN, SHUTDOWN]), cause=np.array([CAUSE_NO_FLOW, CAUSE_NO_FLOW]),
        throttle_c=np.array([45.0, 45.0]), cdu_index=np.array([5, 1]), margin_k=5.0,
        loop_supply_c=np.array([30.0, 30.0]), rounds=1)
    out = rack_state_alerts(["R0", "R1"], [132e3, 60e3], [True, True], limits, cdu_ids=["CDU-A", "CDU-B"])
    assert [(a.kind, a.target, a.message) for a in out] == [
        ("rack_shutdown", "R0", "shut down to 1.2 kW standby of its 132.0 kW demand: no coolant flow "
                                "(pumps failed or valve closed)"),
        ("rack_shutdown", "R1", "shut down to 1.2 kW standby of its 60.0 kW demand: no coolant flow "
                                "from CDU-B (pumps failed or valve closed)")]


def test_plant_free_cools_on_the_wet_bulb_not_the_dry_bulb():
    # air-cooled hall (no liquid): coil = 200 kW racks + 8 kW losses = 208 kW on a tower plant
    # at 30 °C supply.  Wet bulb 20 °C: free cooling at 20 + 4 + 1.5 = 25.5 °C ≤ 30 → full
    # economiser, fans 20 · (208/500)³ kW, no chiller.  (On the 35 °C dry bulb it would be 40.5 °C.)
    fac = evaluate_facility(power_200kw(), plant(), 35.0, 20.0)
    assert fac.plant.free_cooling_c == pytest.approx(25.5, rel=REL)
    assert fac.plant.mode == "economiser"
    assert fac.chiller_kw == 0.0
    assert fac.rejection_fan_kw == pytest.approx(20.0 * (208.0 / 500.0) ** 3, rel=REL)
    # the plant sees the coil water's return: 30 + 6 K
    assert fac.plant.return_c == pytest.approx(36.0, rel=REL)


def test_idle_separate_air_plant_returns_at_its_supply():
    # no rack air heat, no fans, no indoor losses: the coils carry 0 W, so their chilled-water
    # plant is off with no flow and its return equals its 12 °C supply (no 6 K coil rise)
    air = plant(supply_setpoint_c=12.0)
    fac = evaluate_facility(power_200kw(), plant(), 15.0, 10.0, rack_air_heat_w=0.0,
                            loss_heat_indoor_fraction=0.0, air_plant_spec=air)
    assert fac.heat_to_air_kw == 0.0
    assert fac.air_plant.heat_in_w == 0.0 and fac.air_plant.mode == "off"
    assert fac.air_plant.return_c == 12.0


def test_immersion_alerts_default_tank_ids():
    # without tank ids the alert names the tank by its index: "tank[0]"
    t = ImmersionTanks(heat_w=[100e3], ua_w_per_k=20e3, fluid_flow_kgs=5.0, facility_flow_kgs=3.0,
                       facility_supply_c=30.0, capacity_w=[50e3])
    out = immersion_alerts(solve_immersion(t), t)
    assert [(a.kind, a.target) for a in out] == [("immersion_over_capacity", "tank[0]")]


def test_plant_alert_message_names_the_chiller_load_and_supply():
    # 3 MW on one 1 MW chiller, no economiser and zero pump head: chiller load exactly 3000.0 kW
    s = PlantSpec(supply_setpoint_c=20.0, economiser=False, n_chillers=1, chiller_capacity_w=1e6,
                  facility_pump_head_pa=0.0, rejection_design_heat_w=10e6)
    (a,) = plant_alerts(solve_plant(s, 3e6, 20.0, 35.0, 26.0))
    assert a.message.startswith("chillers cannot meet ")
    assert a.message.endswith(" kW of 3000.0 kW at 20.0 °C supply")


def test_power_alerts_default_rack_ids_and_feed_zero_is_a_feed():
    # rack 0 hangs directly on component 0 (the utility): feed index 0 is a real feed, so no
    # "no_power_feed"; rack 1 has no feed at all (−1, −1): one info "no_power_feed" (it is
    # counted at the utility meter, not unpowered), named "rack[1]" since no ids are given
    ch = PowerChain(ids=["U"], kind=["utility"], parent=[-1], module_rating_kw=[1000])
    racks = RackFeeds(dc_load_kw=[10.0, 5.0], feed_a=[0, -1], feed_b=[-1, -1])
    out = power_alerts(solve_power(ch, racks), ch, racks)
    assert [(a.severity, a.kind, a.target) for a in out] == [("info", "no_power_feed", "rack[1]")]


def test_power_alerts_side_that_cannot_carry_the_load_is_the_target():
    # failover says side A alone cannot carry the hall: one critical alert aimed at "side A"
    ch = PowerChain(ids=["U"], kind=["utility"], parent=[-1], module_rating_kw=[1000])
    racks = RackFeeds(dc_load_kw=[10.0], feed_a=[0])
    fo = FailoverResult(worst_load_kw=np.zeros(1), worst_load_fraction=np.zeros(1), worst_scenario=("",),
                        side_carries_all={"A": False, "B": True},
                        unpowered_racks={"A lost": [], "B lost": []}, overloaded={"A lost": [], "B lost": []})
    out = power_alerts(solve_power(ch, racks), ch, racks, failover=fo)
    assert [(a.kind, a.target, a.message) for a in out] == [
        ("side_cannot_carry_load", "side A", "side A cannot carry the load when side B fails")]
