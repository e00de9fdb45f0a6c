"""Hand-worked oracles for the heat-rejection plant (docs/physics.md, "5. Heat-rejection plant").

Chillers by the EIR model P = Q_avail EIRFT EIRFPLR(max(PLR, PLR_min)) / COP_ref (§5.1);
economiser full when T_free ≤ T_sup, partial when T_free < T_return (§5.2); fans
P = P_d s³, pumps Δp Q / η (§5.3).  Most cases use flat curves (CAPFT = EIRFT = 1,
EIRFPLR = PLR) so a chiller draws exactly Q / COP and every number is worked by hand;
one case evaluates the DOE-2 curves at a point outside their range (clamped).
"""

import math

import numpy as np
import pytest

from twin.physics.plant import (
    COOLING_TOWER, DOE2_CENTRIFUGAL, DRY_COOLER, ChillerCurves, PlantSpec, chiller_cop, chiller_performance,
    fan_power_w, pump_power_w, solve_plant,
)

REL = 1e-9
CP, RHO = 4179.6, 997.0
FLAT = ChillerCurves("flat", capft=(1, 0, 0, 0, 0, 0), eirft=(1, 0, 0, 0, 0, 0), eirfplr=(0, 1, 0))


def spec(**kw):
    base = dict(supply_setpoint_c=20.0, heat_rejection=COOLING_TOWER, rejection_approach_k=4.0, economiser=True,
                economiser_hx_approach_k=1.5, rejection_design_heat_w=2e6, rejection_design_fan_w=20e3,
                rejection_min_speed=0.2, n_chillers=2, chiller_capacity_w=1e6, chiller_rated_cop=5.0,
                chiller_curves=FLAT, condenser_min_c=15.0, condenser_delta_t_k=5.0, condenser_pump_head_pa=100e3,
                facility_pump_head_pa=200e3, pump_efficiency=0.5)
    base.update(kw)
    return PlantSpec(**base)


HEAT = 1.2e6
FLOW = HEAT / (CP * 10.0)            # 28.7109 kg/s → return 30 °C


def test_doe2_curves_clamped_outside_their_range_by_hand():
    """Leaving 12 °C and condenser 20 °C clamp to 10 and 24 °C:
    CAPFT = 0.257896 + 0.389016 − 0.021708 + 1.1248416 − 0.54307584 − 0.0824256 = 1.12454416
    EIRFT = 0.933884 − 0.58212 + 0.450036 + 0.05832 + 0.279936 − 0.2916 = 0.848456
    half load: EIRFPLR(0.5) = 0.222903 + 0.1566935 + 0.1159275 = 0.495524
    P = 1e6 · 1.12454416 · 0.848456 · 0.495524 / 6.5 = 72 737.30 W, COP = 562 272.08 / 72 737.30 = 7.73018"""
    hot = chiller_performance(0.5 * 1.12454416e6, 1e6, 12.0, 20.0, 6.5, DOE2_CENTRIFUGAL)
    assert hot.available_capacity_w == pytest.approx(1.12454416e6, rel=REL)
    assert hot.plr == pytest.approx(0.5, rel=REL)
    assert hot.power_w == pytest.approx(72_737.300132, rel=1e-9)
    assert hot.cop == pytest.approx(7.7301752880, rel=1e-9)
    # the same point given inside the range
    same = chiller_performance(0.5 * 1.12454416e6, 1e6, 10.0, 24.0, 6.5, DOE2_CENTRIFUGAL)
    assert same.power_w == pytest.approx(hot.power_w, rel=1e-12)


def test_flat_chiller_part_load_and_unloading_boundary():
    # above the minimum unloading ratio P = Q / COP; at PLR 0.2 exactly the same; below, P = 0.2 · cap / COP
    pts = chiller_performance(np.array([0.5e6, 0.2e6, 0.1e6, 0.0, 1.5e6]), 1e6, 7.0, 30.0, 5.0, FLAT)
    assert pts.power_w == pytest.approx([1e5, 4e4, 4e4, 0.0, 2e5], rel=REL)
    assert pts.plr == pytest.approx([0.5, 0.2, 0.1, 0.0, 1.0], rel=REL)      # load above capacity is capped
    assert pts.cop[:2] == pytest.approx([5.0, 5.0], rel=REL)
    assert pts.cop[2] == pytest.approx(2.5, rel=REL) and np.isnan(pts.cop[3])
    assert chiller_cop(7.0, 30.0, 1.0, 5.0, FLAT) == pytest.approx(5.0, rel=REL)


def test_fan_and_pump_laws_by_hand():
    assert fan_power_w([0.0, 5.0, 10.0, 20.0], 10.0, 8000.0) == pytest.approx([0.0, 1000.0, 8000.0, 64000.0], rel=REL)
    assert pump_power_w(0.03, 150e3, 0.75) == pytest.approx(6000.0, rel=REL)
    assert pump_power_w(0.0, 150e3, 0.75) == 0.0


def facility_pump_w(m=FLOW, head=200e3, eta=0.5):
    return head * (m / RHO) / eta       # 200e3 · 0.0287973 / 0.5 = 11 518.9 W


def test_chiller_mode_by_hand():
    """Wet bulb 26 °C: T_free = 26 + 4 + 1.5 = 31.5 °C ≥ return → chillers only.
    Load = 1.2 MW + facility pump 11 518.9 W; two 1 MW chillers share it (PLR 0.6058 each),
    drawing load/5; condenser water at 26 + 4 = 30 °C; the condenser carries load · 1.2."""
    r = solve_plant(spec(), HEAT, FLOW, 35.0, 26.0)
    pf = facility_pump_w()
    load = HEAT + pf
    assert r.mode == "chiller" and r.free_cooling_c == pytest.approx(31.5, rel=REL)
    assert r.facility_pump_power_w == pytest.approx(pf, rel=REL)
    assert r.return_c == pytest.approx(30.0, rel=REL)
    assert r.economiser_heat_w == 0.0 and r.chiller_load_w == pytest.approx(load, rel=REL)
    assert r.chillers_running == 2 and r.chiller_plr == pytest.approx(load / 2 / 1e6, rel=REL)
    assert r.chiller_power_w == pytest.approx(load / 5.0, rel=REL) and r.chiller_cop == pytest.approx(5.0, rel=REL)
    assert r.condenser_in_c == pytest.approx(30.0, rel=REL)
    cond_heat = load * 1.2
    cond_pump = 100e3 * cond_heat / (CP * 5.0) / RHO / 0.5
    assert r.condenser_pump_power_w == pytest.approx(cond_pump, rel=REL)
    devices = cond_heat + cond_pump
    assert r.rejection_fan_speed == pytest.approx(devices / 2e6, rel=REL)
    assert r.rejection_fan_power_w == pytest.approx(20e3 * (devices / 2e6) ** 3, rel=REL)
    assert r.heat_rejected_w == pytest.approx(devices + r.rejection_fan_power_w, rel=REL)
    assert r.heat_rejected_w == pytest.approx(HEAT + r.total_power_w, rel=1e-12)
    assert not r.rejection_overloaded


def test_partial_economiser_by_hand():
    """Wet bulb 22 °C: T_free = 27.5 °C between 20 °C and the return 30 + P_pump/C = 30.0959 °C:
    economiser share (T_ret − 27.5)/(T_ret − 20); the rest (≈ 0.90 MW) on one chiller."""
    r = solve_plant(spec(), HEAT, FLOW, 30.0, 22.0)
    pf = facility_pump_w()
    load = HEAT + pf
    t_ret = 30.0 + pf / (FLOW * CP)
    econ = load * (t_ret - 27.5) / (t_ret - 20.0)
    assert r.mode == "partial"
    assert r.economiser_heat_w == pytest.approx(econ, rel=REL)
    assert r.chiller_load_w == pytest.approx(load - econ, rel=REL)
    assert r.chillers_running == 1 and r.chiller_power_w == pytest.approx((load - econ) / 5.0, rel=REL)
    assert r.condenser_in_c == pytest.approx(26.0, rel=REL)


def test_economiser_and_chiller_thresholds_exactly_on_the_boundary():
    # T_free = 14.5 + 4 + 1.5 = 20.0 = T_sup → full economiser, no chiller
    r = solve_plant(spec(), HEAT, FLOW, 20.0, 14.5)
    assert r.mode == "economiser" and r.chiller_power_w == 0.0 and r.chillers_running == 0
    assert r.economiser_heat_w == pytest.approx(HEAT + facility_pump_w(), rel=REL)
    # without a facility pump the return is exactly 30 °C; T_free = 24.5 + 5.5 = 30.0 → no free cooling
    r = solve_plant(spec(facility_pump_head_pa=0.0), HEAT, FLOW, 30.0, 24.5)
    assert r.mode == "chiller" and r.economiser_heat_w == 0.0
    # economiser switched off: chillers even on a cold day; condenser water not below 15 °C (5 + 4 = 9)
    r = solve_plant(spec(economiser=False), HEAT, FLOW, 5.0, 5.0)
    assert r.mode == "chiller" and r.condenser_in_c == 15.0


def test_dry_cooler_uses_dry_bulb():
    # dry bulb 14.5 °C, wet bulb 5 °C: a dry cooler's T_free = 20.0 (economiser), a tower's 10.5
    dry = solve_plant(spec(heat_rejection=DRY_COOLER), HEAT, FLOW, 14.5, 5.0)
    tower = solve_plant(spec(), HEAT, FLOW, 14.5, 5.0)
    assert dry.free_cooling_c == pytest.approx(20.0, rel=REL) and dry.mode == "economiser"
    assert tower.free_cooling_c == pytest.approx(10.5, rel=REL)
    # no wet bulb given: the tower uses the dry bulb
    assert solve_plant(spec(), HEAT, FLOW, 14.5).free_cooling_c == pytest.approx(20.0, rel=REL)


def test_chiller_staging_capacity_equals_load_and_unmet():
    s = spec(economiser=False, facility_pump_head_pa=0.0)
    one = solve_plant(s, 1e6, FLOW, 35.0, 26.0)                 # load == one chiller's capacity
    assert one.chillers_running == 1 and one.chiller_plr == pytest.approx(1.0, rel=REL)
    assert one.chiller_unmet_w == 0.0
    two = solve_plant(s, 1e6 + 1.0, FLOW, 35.0, 26.0)
    assert two.chillers_running == 2
    # 2.5 MW on two 1 MW chillers: 0.5 MW unmet, 2 MW met at COP 5 → 400 kW
    over = solve_plant(s, 2.5e6, FLOW, 35.0, 26.0)
    assert over.chillers_running == 2 and over.chiller_unmet_w == pytest.approx(0.5e6, rel=REL)
    assert over.chiller_power_w == pytest.approx(4e5, rel=REL) and over.chiller_cop == pytest.approx(5.0, rel=REL)
    # no chillers at all: everything unmet, nothing drawn
    none = solve_plant(spec(economiser=False, n_chillers=0), HEAT, FLOW, 35.0, 26.0)
    assert none.chiller_unmet_w == pytest.approx(HEAT + facility_pump_w(), rel=REL) and none.chiller_power_w == 0.0


def test_rejection_fans_at_design_minimum_and_overload():
    s = spec(facility_pump_head_pa=0.0)
    at = solve_plant(s, 2e6, FLOW, 0.0, -5.0)                   # economiser rejects exactly the design heat
    assert at.rejection_fan_speed == 1.0 and at.rejection_fan_power_w == pytest.approx(20e3, rel=REL)
    assert not at.rejection_overloaded
    assert solve_plant(s, 2e6 + 1.0, FLOW, 0.0, -5.0).rejection_overloaded
    low = solve_plant(s, 0.1e6, FLOW, 0.0, -5.0)                # 5 % of design → minimum speed 0.2
    assert low.rejection_fan_speed == 0.2 and low.rejection_fan_power_w == pytest.approx(160.0, rel=REL)


def test_zero_heat_plant_is_off():
    r = solve_plant(spec(), 0.0, 0.0, 30.0, 22.0)
    assert r.mode == "off" and r.total_power_w == 0.0 and r.heat_rejected_w == 0.0
    assert r.rejection_fan_speed == 0.0


def test_facility_pump_head_follows_the_design_flow():
    # design flow twice the actual → head 200 kPa · (1/2)² = 50 kPa → pump power a quarter
    q = FLOW / RHO
    r = solve_plant(spec(facility_design_flow_m3s=2 * q), HEAT, FLOW, 35.0, 26.0)
    assert r.facility_pump_power_w == pytest.approx(facility_pump_w() / 4, rel=REL)
    assert math.isclose(facility_pump_w(), 200e3 * q / 0.5)


# Curves with a capacity that is not the DOE-2 one (CAPFT = 2 everywhere) and a power that
# does not follow the load (EIRFPLR = 1): P = 2 · cap_ref / COP_ref at any load, so
# COP = Q / P = PLR · COP_ref, which checks that PLR is taken of *these* curves' capacity.
DOUBLE_FIXED_POWER = ChillerCurves("double, fixed power", capft=(2, 0, 0, 0, 0, 0), eirft=(1, 0, 0, 0, 0, 0),
                                   eirfplr=(1, 0, 0))


def test_chiller_cop_takes_the_part_load_of_the_given_curves_capacity():
    """PLR 0.5 of an available capacity of 2 (not of the DOE-2 capacity at 7/30 °C, about
    1.0): Q = 1, P = 2 · 1 · 1 / 4 = 0.5, COP = 2.0 = 0.5 · 4."""
    assert chiller_cop(7.0, 30.0, 0.5, 4.0, DOUBLE_FIXED_POWER) == pytest.approx(2.0, rel=REL)


def test_a_chiller_drawing_under_one_watt_still_has_a_cop():
    """A 1 W chiller (flat CAPFT/EIRFT, EIRFPLR = 1, COP_ref 4) carrying 0.5 W without flow,
    economiser or pumps: P = 1 · 1 / 4 = 0.25 W, COP = 0.5 / 0.25 = 2.0 (a power above
    zero, however small, gives a finite COP)."""
    fixed = ChillerCurves("fixed power", capft=(1, 0, 0, 0, 0, 0), eirft=(1, 0, 0, 0, 0, 0), eirfplr=(1, 0, 0))
    r = solve_plant(spec(economiser=False, n_chillers=1, chiller_capacity_w=1.0, chiller_rated_cop=4.0,
                         chiller_curves=fixed), 0.5, 0.0, 20.0)
    assert r.mode == "chiller" and r.chillers_running == 1
    assert r.chiller_power_w == pytest.approx(0.25, rel=REL)
    assert r.chiller_cop == pytest.approx(2.0, rel=REL)
