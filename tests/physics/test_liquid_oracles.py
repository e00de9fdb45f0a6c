"""Hand-worked oracles for the liquid loop (docs/physics.md, "3. Liquid cooling").

Every expected number below is derived in the test from the definitions in
docs/physics.md §3.1-3.6 (heat split, ε-NTU counterflow exchanger, Δp = k Q|Q| edges,
pump curve Δp = s² p0 − a (Q/n)², Q = ṁ c_p ΔT), never read back from the code.
The cases sit on boundaries (flow == need, no flow, zero load, all pumps failed) and
use two CDUs with different loads, pumps and water so a swapped index is caught.
"""

import math
import warnings

import numpy as np
import pytest

from twin.physics.liquid import (
    RUNNING, SHUTDOWN, CduLoops, ImmersionTanks, LiquidBranches, counterflow_effectiveness, counterflow_for_load,
    flow_for_heat_lpm, heat_split_w, limit_to_coolant, parallel_k, removed_heat_w, solve_immersion, solve_liquid,
)

REL = 1e-6
RHO_CP_PG25 = 1012.5 * 3956.7          # 4 006 158.75 J/(m³·K), docs/physics.md §1.3
CP_WATER = 4179.6


def eps_counterflow(ntu, cr):
    """ε = [1 − e^(−NTU(1−Cr))] / [1 − Cr e^(−NTU(1−Cr))] (docs/physics.md §3.2)."""
    e = math.exp(-ntu * (1.0 - cr))
    return (1.0 - e) / (1.0 - cr * e)


# ----------------------------------------------------------------------------- basics

def test_heat_split_on_its_bounds():
    # fraction 0 → all air; fraction 1 → all liquid; zero power → nothing anywhere
    liq, air = heat_split_w([50e3, 50e3, 0.0, 130e3], [0.0, 1.0, 0.85, 0.85])
    assert liq == pytest.approx([0.0, 50e3, 0.0, 110.5e3], rel=REL)     # 130·0.85 = 110.5
    assert air == pytest.approx([50e3, 0.0, 0.0, 19.5e3], rel=REL)      # 130·0.15 = 19.5


def test_flow_for_heat_by_hand():
    # 40 kW at 8 K in PG25: 40e3 / (4 006 158.75 · 8) m³/s = 1.248079e-3 m³/s = 74.8847 L/min
    assert flow_for_heat_lpm(40e3, 8.0) == pytest.approx(40e3 / (RHO_CP_PG25 * 8.0) * 60000, rel=REL)
    assert flow_for_heat_lpm(40e3, 8.0) == pytest.approx(74.8847, abs=1e-4)
    # water (ρ 997, c_p 4179.6): 40e3 / (997·4179.6·8) · 60000 = 71.9932 L/min
    assert flow_for_heat_lpm(40e3, 8.0, 997.0, CP_WATER) == pytest.approx(71.9932, abs=1e-4)
    assert flow_for_heat_lpm(0.0, 8.0) == 0.0


def test_parallel_k_by_hand():
    # √k = 2e5 and 1e5: 1/√k_eq = 5e-6 + 1e-5 = 1.5e-5 → k_eq = 1/(2.25e-10) = 4.4444e9
    assert parallel_k([4e10, 1e10]) == pytest.approx(1.0 / 2.25e-10, rel=REL)
    # three equal branches: k/9
    assert parallel_k([9e9, 9e9, 9e9]) == pytest.approx(1e9, rel=REL)


def test_effectiveness_literal_values_and_limits():
    # NTU 1, Cr 0.5: (1 − e^−0.5)/(1 − 0.5 e^−0.5) = 0.3934693/0.6967347 = 0.5647334
    assert counterflow_effectiveness(1.0, 0.5) == pytest.approx(0.5647334016, rel=REL)
    # NTU 0 → no exchange; UA → ∞ → ideal; Cr = 1 exactly: NTU/(1+NTU) = 3/4 at NTU 3
    assert counterflow_effectiveness(0.0, 0.5) == 0.0
    assert counterflow_effectiveness(np.inf, 0.7) == 1.0
    assert counterflow_effectiveness(3.0, 1.0) == pytest.approx(0.75, rel=REL)
    # ε rises with NTU and falls with Cr
    assert counterflow_effectiveness(2.0, 0.5) > counterflow_effectiveness(1.0, 0.5)
    assert counterflow_effectiveness(1.0, 0.9) < counterflow_effectiveness(1.0, 0.5)


def test_exchanger_with_loop_side_cmin_by_hand():
    """Q 30 kW, UA 10 kW/K, C_hot 5 kW/K, C_cold 10 kW/K, cold in 20 °C.
    NTU = 10/5 = 2, Cr = 0.5, ε = (1 − e^−1)/(1 − 0.5 e^−1) = 0.6321206/0.8160603 = 0.7746)
    hot in = 20 + 30/(0.7746·5) = 27.7459, hot out = hot in − 30/5, cold out = 20 + 30/10 = 23."""
    hx = counterflow_for_load(30e3, 10e3, 5e3, 10e3, 20.0)
    eps = (1 - math.exp(-1.0)) / (1 - 0.5 * math.exp(-1.0))
    assert hx.ntu == pytest.approx(2.0, rel=REL) and hx.cr == pytest.approx(0.5, rel=REL)
    assert hx.effectiveness == pytest.approx(eps, rel=REL)
    assert hx.hot_in_c == pytest.approx(20.0 + 30e3 / (eps * 5e3), rel=REL)
    assert hx.hot_in_c == pytest.approx(27.74593, abs=1e-5)
    assert hx.hot_out_c == pytest.approx(hx.hot_in_c - 6.0, rel=REL)
    assert hx.cold_out_c == pytest.approx(23.0, rel=REL)


def test_exchanger_degenerate_states():
    # zero duty: everything sits at the cold inlet
    hx = counterflow_for_load(0.0, 10e3, 5e3, 10e3, 20.0)
    assert (hx.hot_in_c, hx.hot_out_c, hx.cold_out_c) == (20.0, 20.0, 20.0)
    # no flow on the hot (loop) side with a duty: the loop runs away, facility water untouched
    hx = counterflow_for_load(1e3, 10e3, 0.0, 10e3, 20.0)
    assert np.isinf(hx.hot_in_c) and hx.hot_out_c == 20.0 and hx.cold_out_c == 20.0
    # no facility water: the loop runs away and so does the (stagnant) cold side
    hx = counterflow_for_load(1e3, 10e3, 5e3, 0.0, 20.0)
    assert np.isinf(hx.hot_in_c) and np.isinf(hx.hot_out_c) and np.isinf(hx.cold_out_c)
    # duty reaches the facility water only where both sides flow
    assert removed_heat_w([5e3, 5e3, 5e3], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]).tolist() == [5e3, 0.0, 0.0]


# ----------------------------------------------------------------------------- two CDUs

P0 = 250e3                 # shut-off head, Pa
Q_FREE = 5e-3              # zero-head flow per pump, m³/s → a = 250e3 / 25e-6 = 1e10 Pa/(m³/s)²
A = 1e10
K_SERIES = 3.2e9
K_HEAD = 0.4e9             # supply and return header segment CDU → first tap
K_A = 4.85e10              # CDU 0 branch: k_tot = 1e10 + 3.2e9 + 2·0.4e9 + 4.85e10 = 6.25e10
K_B1, K_B2 = 4e10, 1e10    # CDU 1 branches: √k = 2e5 and 1e5


def two_cdus(**kw):
    """CDU 0: one duty pump, one rack of 80 kW; pump heat goes to the coolant.
    CDU 1: two duty pumps of three installed with one failed (still two running), two racks
    of 50 and 30 kW (the far one on negligible header segments); warmer facility water."""
    base = dict(ua_w_per_k=[30e3, 60e3], facility_flow_kgs=[2.0, 3.0], facility_supply_c=[30.0, 32.0],
                capacity_w=[100e3, 200e3], pump_shutoff_pa=P0, pump_free_flow_m3s=Q_FREE,
                n_pumps_installed=[2, 3], n_pumps_duty=[1, 2], n_pumps_failed=[0, 1],
                pump_heat_to_coolant=[1.0, 0.0], pump_efficiency=0.6, series_k=K_SERIES)
    base.update(kw)
    return CduLoops(**base)


def two_cdu_branches(heat=(80e3, 50e3, 30e3)):
    # racks listed out of CDU order: rack 0 on CDU 1 (near), rack 1 on CDU 0, rack 2 on CDU 1 (far)
    return LiquidBranches(cdu_index=[1, 0, 1], liquid_heat_w=[heat[1], heat[0], heat[2]],
                          branch_k=[K_B1, K_A, K_B2], manifold_position=[0.0, 0.0, 1.0],
                          supply_header_k=[K_HEAD, K_HEAD, 0.0], return_header_k=[K_HEAD, K_HEAD, 0.0])


def test_two_cdus_hydraulics_by_hand():
    res = solve_liquid(two_cdu_branches(), two_cdus())
    c, r = res.cdus, res.racks
    assert res.converged
    # CDU 0: Q = √(p0 / k_tot) = √(250e3 / 6.25e10) = 2e-3 m³/s = 120 L/min
    assert c.flow_m3s[0] == pytest.approx(2e-3, rel=REL)
    assert r.flow_lpm[1] == pytest.approx(120.0, rel=REL)
    # pump head 250e3 − 1e10·(2e-3)² = 210 kPa; hydraulic 210e3·2e-3 = 420 W; electrical 420/0.6 = 700 W
    assert c.pump_dp_kpa[0] == pytest.approx(210.0, rel=REL)
    assert c.hydraulic_power_w[0] == pytest.approx(420.0, rel=REL)
    assert c.pump_power_w[0] == pytest.approx(700.0, rel=REL)
    assert r.dp_kpa[1] == pytest.approx(K_A * 4e-6 / 1e3, rel=REL)         # 194 kPa across the branch
    # CDU 1: two running pumps → a/n² = 2.5e9; branches in parallel k_par = 4.4444e9 (√k 2e5, 1e5;
    # the far tap's headers are the 10 Pa/(m³/s)² floor, 1e-10 of the branch: negligible)
    k_par = 1.0 / (1 / 2e5 + 1 / 1e5) ** 2
    k_tot = A / 4 + K_SERIES + 2 * K_HEAD + k_par                          # 1.094444e10
    q1 = math.sqrt(P0 / k_tot)                                             # 4.779397e-3 m³/s
    assert c.flow_m3s[1] == pytest.approx(q1, rel=REL)
    assert c.flow_m3s[1] == pytest.approx(4.779397e-3, rel=1e-6)
    # flow splits as 1/√k: 1/3 to the near rack (k 4e10), 2/3 to the far one (k 1e10)
    assert r.flow_m3s[0] == pytest.approx(q1 / 3, rel=REL)
    assert r.flow_m3s[2] == pytest.approx(2 * q1 / 3, rel=REL)
    assert c.n_pumps_running.tolist() == [1, 2]
    assert c.pump_flow_lpm[1] == pytest.approx(q1 / 2 * 60000, rel=REL)
    pump_dp1 = P0 - A * (q1 / 2) ** 2
    assert c.pump_dp_kpa[1] == pytest.approx(pump_dp1 / 1e3, rel=REL)
    assert c.pump_power_w[1] == pytest.approx(pump_dp1 * q1 / 0.6, rel=REL)
    # run-out: per-pump flow / free flow = (q/n) / 5e-3
    assert c.pump_runout_fraction == pytest.approx([2e-3 / Q_FREE, q1 / 2 / Q_FREE], rel=REL)


def test_two_cdus_heat_by_hand():
    res = solve_liquid(two_cdu_branches(), two_cdus())
    c, r = res.cdus, res.racks
    # CDU 0: load = 80 kW + 700 W pump heat = 80.7 kW.  C_loop = 4 006 158.75 · 2e-3 = 8012.3175 W/K,
    # C_fac = 2 · 4179.6 = 8359.2 W/K → C_min = loop, Cr = 0.958503, NTU = 30e3/8012.3175 = 3.744235
    cl0, cf0 = RHO_CP_PG25 * 2e-3, 2.0 * CP_WATER
    e0 = eps_counterflow(30e3 / cl0, cl0 / cf0)
    q0 = 80e3 + 700.0
    assert c.rack_load_w[0] == pytest.approx(80e3, rel=REL)
    assert c.load_w[0] == pytest.approx(q0, rel=REL)
    assert c.ntu[0] == pytest.approx(3.744235, rel=1e-6)
    assert c.cr[0] == pytest.approx(cl0 / cf0, rel=REL)
    assert c.effectiveness[0] == pytest.approx(e0, rel=REL)
    assert c.loop_return_c[0] == pytest.approx(30.0 + q0 / (e0 * cl0), rel=REL)
    assert c.loop_supply_c[0] == pytest.approx(30.0 + q0 / (e0 * cl0) - q0 / cl0, rel=REL)
    assert c.facility_return_c[0] == pytest.approx(30.0 + q0 / cf0, rel=REL)   # 39.6540 °C
    assert c.facility_heat_w[0] == pytest.approx(q0, rel=REL)
    assert c.approach_k[0] == pytest.approx(c.loop_supply_c[0] - 30.0, rel=REL)
    assert c.capacity_fraction[0] == pytest.approx(0.807, rel=REL)
    # the rack: supply + 80e3/C_loop (all of the loop flow passes it)
    assert r.return_c[1] == pytest.approx(c.loop_supply_c[0] + 80e3 / cl0, rel=REL)
    # CDU 1: pump heat not in the coolant → load = 50 + 30 = 80 kW; facility side 3·4179.6 = 12538.8 W/K
    q1 = c.flow_m3s[1]
    cl1, cf1 = RHO_CP_PG25 * q1, 3.0 * CP_WATER
    e1 = eps_counterflow(60e3 / cl1, cl1 / cf1)
    assert c.load_w[1] == pytest.approx(80e3, rel=REL)
    assert c.loop_return_c[1] == pytest.approx(32.0 + 80e3 / (e1 * cl1), rel=REL)
    sup1 = 32.0 + 80e3 / (e1 * cl1) - 80e3 / cl1
    assert c.loop_supply_c[1] == pytest.approx(sup1, rel=REL)
    assert c.facility_return_c[1] == pytest.approx(32.0 + 80e3 / cf1, rel=REL)
    assert c.capacity_fraction[1] == pytest.approx(0.4, rel=REL)
    # branches: near rack 50 kW on q/3, far rack 30 kW on 2q/3 → rises 150e3/C and 45e3/C
    assert r.return_c[0] == pytest.approx(sup1 + 50e3 / (cl1 / 3), rel=REL)
    assert r.return_c[2] == pytest.approx(sup1 + 30e3 / (2 * cl1 / 3), rel=REL)
    assert r.supply_c.tolist() == pytest.approx([sup1, c.loop_supply_c[0], sup1], rel=REL)
    assert r.cdu_index.tolist() == [1, 0, 1]


def test_flow_exactly_at_need_is_no_shortfall():
    # CDU 0's rack: 80 kW · 1.5 L/min/kW = 120 L/min = its flow → shortfall 0 (on the boundary)
    res = solve_liquid(two_cdu_branches(), two_cdus())
    assert res.racks.need_lpm[1] == pytest.approx(120.0, rel=REL)
    assert res.racks.shortfall_lpm[1] == pytest.approx(0.0, abs=1e-9)
    # CDU 1's near rack: need 75 L/min, flow q/3 = 95.589 L/min → none; a 1 L/min/kW more demanding
    # rule on the same flows: need 80 · 2.5 = 200 > 120 → shortfall 80 L/min
    strict = solve_liquid(two_cdu_branches(), two_cdus(), flow_need_lpm_per_kw=2.5)
    assert strict.racks.shortfall_lpm[1] == pytest.approx(80.0, rel=REL)
    assert res.racks.shortfall_lpm[0] == 0.0


def test_one_cdu_with_all_pumps_failed_other_unaffected():
    ok = solve_liquid(two_cdu_branches(), two_cdus())
    # CDU 1 loses all three pumps; CDU 0 keeps running exactly as before
    dead = solve_liquid(two_cdu_branches(), two_cdus(n_pumps_failed=[0, 3]))
    c, r = dead.cdus, dead.racks
    assert c.n_pumps_running.tolist() == [1, 0]
    assert c.flow_m3s[1] == 0.0 and r.flow_lpm[0] == 0.0 and r.flow_lpm[2] == 0.0
    assert c.pump_power_w[1] == 0.0 and c.hydraulic_power_w[1] == 0.0 and c.pump_dp_kpa[1] == 0.0
    assert np.isinf(c.loop_return_c[1]) and np.isinf(r.return_c[0]) and np.isinf(r.return_c[2])
    assert c.facility_heat_w[1] == 0.0 and c.facility_return_c[1] == 32.0   # no heat reaches the water
    assert r.shortfall_lpm[[0, 2]] == pytest.approx([75.0, 45.0], rel=REL)   # full need missing
    for name in ("flow_m3s", "loop_return_c", "loop_supply_c", "facility_return_c", "pump_power_w"):
        assert getattr(c, name)[0] == pytest.approx(getattr(ok.cdus, name)[0], rel=1e-9), name
    assert r.return_c[1] == pytest.approx(ok.racks.return_c[1], rel=1e-9)


def test_zero_installed_pumps_and_zero_speed_are_no_flow():
    for kw in (dict(n_pumps_installed=[2, 0]), dict(pump_speed_fraction=[1.0, 0.0])):
        res = solve_liquid(two_cdu_branches(), two_cdus(**kw))
        assert res.cdus.flow_m3s[1] == 0.0 and res.cdus.n_pumps_running[1] == 0
        assert res.cdus.flow_m3s[0] == pytest.approx(2e-3, rel=REL)


def test_half_speed_pump_by_hand():
    # s = 0.5: head s² p0 = 62.5 kPa; k_tot 6.25e10 → Q = √(62.5e3/6.25e10) = 1e-3 m³/s (half)
    res = solve_liquid(two_cdu_branches(), two_cdus(pump_speed_fraction=[0.5, 1.0]))
    c = res.cdus
    assert c.flow_m3s[0] == pytest.approx(1e-3, rel=REL)
    assert c.pump_dp_kpa[0] == pytest.approx((62.5e3 - A * 1e-6) / 1e3, rel=REL)   # 52.5 kPa
    assert c.pump_runout_fraction[0] == pytest.approx(1e-3 / (0.5 * Q_FREE), rel=REL)   # 0.4


def test_zero_load_loop_sits_at_facility_supply():
    # no rack heat and no pump heat in the coolant: every temperature equals the facility supply
    res = solve_liquid(two_cdu_branches(heat=(0.0, 0.0, 0.0)), two_cdus(pump_heat_to_coolant=0.0))
    c, r = res.cdus, res.racks
    assert c.load_w.tolist() == [0.0, 0.0]
    for name in ("loop_return_c", "loop_supply_c", "facility_return_c"):
        assert getattr(c, name).tolist() == [30.0, 32.0], name
    assert r.return_c.tolist() == [32.0, 30.0, 32.0]
    assert c.flow_m3s[0] == pytest.approx(2e-3, rel=REL)          # pumps still run
    assert r.need_lpm.tolist() == [0.0, 0.0, 0.0]


def test_rack_off_loop_and_empty_loop():
    # rack 3 is on no loop (−1): NaN results; CDU 2 has no racks: no flow, no heat
    br = LiquidBranches(cdu_index=[0, -1], liquid_heat_w=[80e3, 40e3], branch_k=[K_A, K_A],
                        supply_header_k=K_HEAD, return_header_k=K_HEAD)
    cd = CduLoops(ua_w_per_k=30e3, facility_flow_kgs=2.0, facility_supply_c=[30.0, 25.0],
                  capacity_w=100e3, pump_shutoff_pa=P0, pump_free_flow_m3s=Q_FREE, series_k=K_SERIES,
                  pump_heat_to_coolant=0.0)
    res = solve_liquid(br, cd)
    assert res.cdus.flow_m3s[0] == pytest.approx(2e-3, rel=REL)
    assert np.isnan(res.racks.flow_lpm[1]) and np.isnan(res.racks.return_c[1])
    assert res.cdus.flow_m3s[1] == 0.0 and res.cdus.load_w[1] == 0.0
    assert res.cdus.loop_return_c[1] == 25.0
    assert res.cdus.rack_load_w.tolist() == [80e3, 0.0]


def test_capacity_fraction_exactly_one_and_zero_capacity():
    # capacity == load (80.7 kW incl. pump heat) → exactly 1.0; capacity 0 → inf
    res = solve_liquid(two_cdu_branches(), two_cdus(capacity_w=[80.7e3, 0.0]))
    assert res.cdus.capacity_fraction[0] == pytest.approx(1.0, rel=1e-12)
    assert np.isinf(res.cdus.capacity_fraction[1])


def test_ashrae_w_class_validation():
    with pytest.raises(ValueError, match="W50"):
        two_cdus(water_class="W50")
    with pytest.raises(ValueError, match="expected 2 entries"):
        two_cdus(water_class=("W32",))


# ----------------------------------------------------------------------------- immersion

def test_immersion_two_tanks_by_hand():
    """Tank 0: 100 kW, UA 20 kW/K, fluid 5 kg/s · 2200 = 11 000 W/K, water 3 kg/s · 4179.6 =
    12 538.8 W/K → C_min fluid, Cr 0.877277, NTU 1.818182, ε 0.670727; bath 30 + 100e3/(ε·11e3)
    = 43.5538 °C, exchanger outlet 43.5538 − 100e3/11e3 = 34.4629 °C, water out 30 + 100e3/12 538.8
    = 37.9752 °C.  Tank 1: 60 kW + 2 kW pump, water 1 kg/s (4179.6 W/K, now C_min), UA 10 kW/K,
    supply 25 °C, capacity 62 kW (on the boundary)."""
    t = ImmersionTanks(heat_w=[100e3, 60e3], ua_w_per_k=[20e3, 10e3], fluid_flow_kgs=5.0,
                       facility_flow_kgs=[3.0, 1.0], facility_supply_c=[30.0, 25.0],
                       capacity_w=[200e3, 62e3], pump_power_w=[0.0, 2e3])
    r = solve_immersion(t)
    assert r.effectiveness[0] == pytest.approx(0.6707274576, rel=REL)
    assert r.bath_c[0] == pytest.approx(43.5538048835, rel=REL)
    assert r.hx_outlet_c[0] == pytest.approx(34.4628957926, rel=REL)
    assert r.facility_return_c[0] == pytest.approx(37.9752448400, rel=REL)
    cf, ch = CP_WATER, 11e3
    e1 = eps_counterflow(10e3 / cf, cf / ch)
    assert r.load_w[1] == pytest.approx(62e3, rel=REL)
    assert r.bath_c[1] == pytest.approx(25.0 + 62e3 / (e1 * cf), rel=REL)
    assert r.facility_return_c[1] == pytest.approx(25.0 + 62e3 / cf, rel=REL)
    assert r.capacity_fraction.tolist() == pytest.approx([0.5, 1.0], rel=1e-12)
    assert r.facility_heat_w.tolist() == pytest.approx([100e3, 62e3], rel=REL)


def test_immersion_without_facility_water_runs_away():
    t = ImmersionTanks(heat_w=[10e3, 0.0], ua_w_per_k=5e3, fluid_flow_kgs=2.0, facility_flow_kgs=0.0,
                       facility_supply_c=30.0, capacity_w=50e3)
    r = solve_immersion(t)
    assert np.isinf(r.bath_c[0]) and r.facility_heat_w[0] == 0.0
    assert r.bath_c[1] == 30.0 and r.facility_heat_w[1] == 0.0     # idle tank: nothing to remove


# ----------------------------------------------------------------------------- edge cases

def test_exchanger_without_any_flow_has_zero_capacity_ratio():
    # C_min = C_max = 0: Cr = C_min/C_max is undefined and reported as 0 (no exchanger at all)
    hx = counterflow_for_load(0.0, 10e3, 0.0, 0.0, 20.0)
    assert hx.cr == 0.0 and hx.ntu == 0.0


def test_one_watt_rack_return_rise_is_q_over_m_cp():
    # 1 W on the 2 L/s branch of test_rack_off_loop_and_empty_loop: ΔT = Q/(ρ Q_v c_p)
    br = LiquidBranches(cdu_index=[0], liquid_heat_w=[1.0], branch_k=[K_A],
                        supply_header_k=K_HEAD, return_header_k=K_HEAD)
    cd = CduLoops(ua_w_per_k=30e3, facility_flow_kgs=2.0, facility_supply_c=30.0, capacity_w=100e3,
                  pump_shutoff_pa=P0, pump_free_flow_m3s=Q_FREE, series_k=K_SERIES, pump_heat_to_coolant=0.0)
    res = solve_liquid(br, cd)
    assert res.racks.flow_m3s[0] == pytest.approx(2e-3, rel=REL)
    rise = res.racks.return_c[0] - res.racks.supply_c[0]
    assert rise == pytest.approx(1.0 / (RHO_CP_PG25 * 2e-3), rel=REL)


def test_limit_to_coolant_without_cdus_has_no_loop_supply():
    # no CDU in the hall: the liquid-cooled rack shuts down and there is no per-CDU supply
    br = LiquidBranches(cdu_index=[-1], liquid_heat_w=[5e3], branch_k=[K_A])
    lim = limit_to_coolant(br, None, None, [10e3], 0.5, [4e3], [0.25e3])
    assert lim.state.tolist() == [SHUTDOWN] and lim.power_w.tolist() == [0.25e3]
    assert lim.loop_supply_c.shape == (0,) and lim.rounds == 0


def test_limit_to_coolant_off_loop_racks_raise_no_numpy_warnings():
    # rack 0 is limited on a flowing loop; rack 1 (liquid-cooled) and rack 2 (air-cooled) are
    # on no loop, so their coolant capacity ṁ c_p is 0: f·P_floor/0 (1/0 and 0/0) must stay
    # silent and yield no throttle for them
    br = LiquidBranches(cdu_index=[0, -1, -1], liquid_heat_w=[40e3, 0.0, 0.0], branch_k=[K_A] * 3,
                        supply_header_k=K_HEAD, return_header_k=K_HEAD)
    cd = CduLoops(ua_w_per_k=30e3, facility_flow_kgs=2.0, facility_supply_c=30.0, capacity_w=100e3,
                  pump_shutoff_pa=P0, pump_free_flow_m3s=Q_FREE, series_k=K_SERIES, return_limit_c=60.0)
    res = solve_liquid(br, cd)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lim = limit_to_coolant(br, res, cd, [50e3, 10e3, 10e3], [0.8, 0.5, 0.0], [20e3] * 3, [0.5e3] * 3)
    assert lim.state.tolist() == [RUNNING, SHUTDOWN, RUNNING]
    assert lim.power_w.tolist() == [50e3, 0.5e3, 10e3]
