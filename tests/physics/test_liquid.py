"""Liquid loop oracles (docs/physics.md §3.7 Liquid worked oracle) and properties of the manifold solver."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from twin.physics.fluids import AIR, M3S_PER_CFM, PG25, WATER, fluid
from twin.physics.liquid import (
    CduLoops, ImmersionTanks, LiquidBranches, counterflow_effectiveness, counterflow_for_load,
    flow_for_heat_lpm, heat_split_w, parallel_k, solve_immersion, solve_liquid,
)

K0 = 8.304e10


def oracle_cdu(**kw):
    base = dict(ua_w_per_k=40e3, facility_flow_kgs=2.5, facility_supply_c=25.0, capacity_w=150e3,
                pump_shutoff_pa=250e3, pump_free_flow_m3s=6e-3, series_k=3.2e9, pump_heat_to_coolant=0.0)
    base.update(kw)
    return CduLoops(**base)


def test_fluid_properties():
    assert PG25.density_kgm3 == 1012.5 and PG25.cp_jkgk == 3956.7
    assert WATER.cp_jkgk == 4179.6
    assert fluid("pg25") is PG25
    with pytest.raises(KeyError):
        fluid("mercury")


def test_heat_split_and_flow_oracle():
    liq, air = heat_split_w(120e3, 0.85)
    assert liq == pytest.approx(102.0e3) and air == pytest.approx(18.0e3)
    lpm = flow_for_heat_lpm(liq, 10.0)
    # 102 kW / (ρ c_p 10 K) = 152.765 L/min (docs/physics.md §3.7), asserted as 152.77 ± 0.01
    assert lpm == pytest.approx(152.77, abs=0.01)
    assert lpm / 102.0 == pytest.approx(1.498, abs=0.0005)
    assert liq / (PG25.cp_jkgk * 10.0) == pytest.approx(2.5779, abs=5e-5)
    v_air = AIR.flow_for_heat_m3s(air, 15.0)
    assert v_air == pytest.approx(1.0066, abs=5e-5)
    assert v_air / M3S_PER_CFM == pytest.approx(2133, abs=0.5)


def test_effectiveness_oracle_and_limits():
    c_loop = 102e3 / 10.0
    c_fac = 2.5 * 4179.6
    hx = counterflow_for_load(102e3, 40e3, c_loop, c_fac, 25.0)
    assert hx.ntu == pytest.approx(3.9216, abs=5e-5)
    assert hx.effectiveness == pytest.approx(0.8043, abs=5e-5)
    assert hx.hot_in_c == pytest.approx(37.433, abs=5e-4)
    assert hx.hot_out_c == pytest.approx(27.433, abs=5e-4)
    assert hx.cold_out_c == pytest.approx(34.762, abs=5e-4)
    # Cr = 1 limit is continuous; Cr = 0 gives 1 − e^−NTU
    assert counterflow_effectiveness(2.0, 1.0) == pytest.approx(2.0 / 3.0)
    assert counterflow_effectiveness(2.0, 1.0 - 1e-7) == pytest.approx(2.0 / 3.0, abs=1e-6)
    assert counterflow_effectiveness(2.0, 0.0) == pytest.approx(1 - np.exp(-2.0))


def test_loop_return_same_formula_when_facility_side_is_cmin():
    # facility water is the smaller capacity rate: Q = ε C_min (T_hot,in − T_cold,in) still holds
    q, ua, ch, cc, tc = 50e3, 20e3, 12e3, 6e3, 20.0
    hx = counterflow_for_load(q, ua, ch, cc, tc)
    assert hx.cr == pytest.approx(0.5)
    assert q == pytest.approx(hx.effectiveness * cc * (hx.hot_in_c - tc))
    assert hx.cold_out_c - tc == pytest.approx(q / cc)
    assert hx.hot_in_c - hx.hot_out_c == pytest.approx(q / ch)


def test_hydraulics_oracle_three_parallel_branches():
    br = LiquidBranches(cdu_index=[0, 0, 0], liquid_heat_w=[0, 0, 0], branch_k=np.array([1, 1.5, 2]) * K0)
    res = solve_liquid(br, oracle_cdu())
    assert res.cdus.flow_m3s[0] * 1e3 == pytest.approx(3.2838, abs=5e-5)
    # exact: 1.30125 / 1.06246 / 0.92012 L/s (docs/physics.md §3.7; asserted to ±1e-4)
    assert res.racks.flow_m3s * 1e3 == pytest.approx([1.3012, 1.0624, 0.9201], abs=1e-4)
    assert res.cdus.pump_dp_kpa[0] == pytest.approx(175.1, abs=0.05)
    assert res.cdus.hydraulic_power_w[0] == pytest.approx(575, abs=0.5)
    assert res.cdus.pump_power_w[0] == pytest.approx(575.05 / 0.6, rel=1e-4)
    k_eq = parallel_k(np.array([1, 1.5, 2]) * K0)
    q = res.cdus.flow_m3s[0]
    assert res.racks.dp_kpa * 1e3 == pytest.approx(np.full(3, k_eq * q * q), rel=1e-6)


def test_full_loop_oracle_heat():
    # one rack, branch k chosen so the loop carries exactly 152.77 L/min → loop ΔT 10 K
    q = 102e3 / (PG25.volumetric_cp_jm3k * 10.0)
    a = 250e3 / 6e-3 ** 2
    k_branch = (250e3 - (a + 3.2e9) * q * q) / (q * q)
    res = solve_liquid(LiquidBranches([0], [102e3], branch_k=k_branch), oracle_cdu())
    c = res.cdus
    assert c.ntu[0] == pytest.approx(3.9216, abs=5e-5)
    assert c.effectiveness[0] == pytest.approx(0.8043, abs=5e-5)
    assert c.loop_return_c[0] == pytest.approx(37.433, abs=5e-4)
    assert c.loop_supply_c[0] == pytest.approx(27.433, abs=5e-4)
    assert c.approach_k[0] == pytest.approx(2.433, abs=5e-4)
    assert c.facility_return_c[0] == pytest.approx(34.762, abs=5e-4)
    assert res.racks.flow_lpm[0] == pytest.approx(152.77, abs=0.01)
    assert res.racks.return_c[0] == pytest.approx(37.433, abs=5e-4)
    assert res.racks.need_lpm[0] == pytest.approx(153.0)
    assert res.racks.shortfall_lpm[0] == pytest.approx(153.0 - 152.765, abs=0.01)
    assert c.capacity_fraction[0] == pytest.approx(102 / 150)


def long_manifold(n=40, header_k=2e7, **kw):
    br = LiquidBranches(cdu_index=np.zeros(n, int), liquid_heat_w=np.full(n, 30e3), branch_k=3e11,
                        supply_header_k=header_k, return_header_k=header_k)
    cd = CduLoops(ua_w_per_k=400e3, facility_flow_kgs=25, facility_supply_c=30, capacity_w=1.5e6,
                  pump_shutoff_pa=300e3, pump_free_flow_m3s=0.03, series_k=1e8, **kw)
    return br, cd


def test_maldistribution_direct_return_monotone():
    br, cd = long_manifold()
    res = solve_liquid(br, cd)
    f = res.racks.flow_lpm
    assert np.all(np.diff(f) < 0), "first rack must get the most flow, monotonically decreasing"
    assert f[0] / f[-1] > 1.5
    assert np.all(np.diff(res.racks.return_c) > 0)
    # the last racks are below need → alert material
    assert res.racks.shortfall_lpm[-1] > 0
    assert np.all(np.diff(res.racks.shortfall_lpm) >= 0)
    # continuity: branch flows add up to the pump flow
    assert f.sum() == pytest.approx(res.cdus.flow_lpm[0], rel=1e-10)


def test_manifold_position_orders_taps_not_array_order():
    br, cd = long_manifold(n=10)
    perm = np.random.default_rng(1).permutation(10)
    br2 = LiquidBranches(cdu_index=np.zeros(10, int), liquid_heat_w=np.full(10, 30e3), branch_k=3e11,
                         manifold_position=perm.astype(float), supply_header_k=2e7, return_header_k=2e7)
    a = solve_liquid(br, cd).racks.flow_lpm
    b = solve_liquid(br2, cd).racks.flow_lpm
    assert b == pytest.approx(a[perm], rel=1e-9)


def test_reverse_return_is_more_uniform():
    br, cd = long_manifold()
    direct = solve_liquid(br, cd).racks.flow_lpm
    rev = solve_liquid(br, long_manifold(reverse_return=True)[1]).racks.flow_lpm
    spread = lambda f: (f.max() - f.min()) / f.mean()
    assert spread(rev) < spread(direct)


def test_energy_balance_per_cdu_and_mixing():
    br, cd = long_manifold(pump_heat_to_coolant=1.0)
    res = solve_liquid(br, cd)
    c, r = res.cdus, res.racks
    # mixed branch returns + pump heat = loop return
    mix = np.sum(r.mass_flow_kgs * r.return_c) / r.mass_flow_kgs.sum()
    c_loop = PG25.cp_jkgk * r.mass_flow_kgs.sum()
    assert mix + c.pump_power_w[0] / c_loop == pytest.approx(c.loop_return_c[0], abs=1e-9)
    assert c.facility_heat_w[0] == pytest.approx(r.liquid_heat_w.sum() + c.pump_power_w[0], rel=1e-12)


def test_pumps_n_plus_1_failure_and_all_failed():
    br, cd = long_manifold(n=8)
    base = solve_liquid(br, cd)
    one_failed = solve_liquid(br, long_manifold(n=8, n_pumps_failed=1)[1])     # standby takes over
    assert one_failed.cdus.flow_lpm[0] == pytest.approx(base.cdus.flow_lpm[0])
    two_duty = solve_liquid(br, long_manifold(n=8, n_pumps_installed=3, n_pumps_duty=2)[1])
    assert two_duty.cdus.flow_lpm[0] > base.cdus.flow_lpm[0]
    assert two_duty.cdus.pump_flow_lpm[0] == pytest.approx(two_duty.cdus.flow_lpm[0] / 2)
    dead = solve_liquid(br, long_manifold(n=8, n_pumps_failed=2)[1])
    assert dead.cdus.flow_lpm[0] == 0 and np.all(dead.racks.flow_lpm == 0)
    assert np.all(np.isinf(dead.racks.return_c)) and dead.cdus.pump_power_w[0] == 0


def test_many_cdus_vectorised_matches_single_solves():
    rng = np.random.default_rng(0)
    n_cdu, n_rack = 12, 150
    cdu_index = rng.integers(-1, n_cdu, n_rack)
    heat = rng.uniform(20e3, 130e3, n_rack)
    k = rng.uniform(1e10, 1e11, n_rack)
    cds = CduLoops(ua_w_per_k=rng.uniform(2e5, 6e5, n_cdu), facility_flow_kgs=rng.uniform(10, 30, n_cdu),
                   facility_supply_c=rng.uniform(20, 35, n_cdu), capacity_w=1.5e6, pump_shutoff_pa=300e3,
                   pump_free_flow_m3s=0.04, series_k=1e8, header_segment_k=1e7,
                   reverse_return=rng.random(n_cdu) < 0.5)
    res = solve_liquid(LiquidBranches(cdu_index, heat, k), cds)
    for c in range(n_cdu):
        m = cdu_index == c
        one = CduLoops(**{f: (getattr(cds, f)[c] if f != "water_class" else cds.water_class[c])
                          for f in cds.__dataclass_fields__})
        r1 = solve_liquid(LiquidBranches(np.zeros(m.sum(), int), heat[m], k[m]), one)
        assert res.racks.flow_lpm[m] == pytest.approx(r1.racks.flow_lpm, rel=1e-8)
        assert res.cdus.loop_supply_c[c] == pytest.approx(r1.cdus.loop_supply_c[0], rel=1e-10)
    assert np.all(np.isnan(res.racks.flow_lpm[cdu_index < 0]))


def test_immersion_tank():
    t = ImmersionTanks(heat_w=[100e3, 300e3], ua_w_per_k=20e3, fluid_flow_kgs=5.0, facility_flow_kgs=3.0,
                       facility_supply_c=30.0, capacity_w=200e3, pump_power_w=1e3)
    r = solve_immersion(t)
    assert r.load_w == pytest.approx([101e3, 301e3])
    c_min = min(5 * 2200, 3 * WATER.cp_jkgk)
    assert r.bath_c == pytest.approx(30 + r.load_w / (r.effectiveness * c_min))
    assert r.facility_heat_w == pytest.approx(r.load_w)
    assert r.capacity_fraction[1] > 1 > r.capacity_fraction[0]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 80), branch_k=st.floats(1e9, 1e12), header_k=st.floats(0.0, 1e9),
       shutoff=st.floats(5e4, 6e5), free_flow=st.floats(1e-3, 0.2), duty=st.integers(1, 3))
def test_property_uniform_manifold(n, branch_k, header_k, shutoff, free_flow, duty):
    br = LiquidBranches(cdu_index=np.zeros(n, int), liquid_heat_w=np.full(n, 25e3), branch_k=branch_k,
                        supply_header_k=header_k, return_header_k=header_k)
    cd = CduLoops(ua_w_per_k=300e3, facility_flow_kgs=20.0, facility_supply_c=30.0, capacity_w=2e6,
                  pump_shutoff_pa=shutoff, pump_free_flow_m3s=free_flow, n_pumps_installed=duty + 1,
                  n_pumps_duty=duty, series_k=1e7, pump_heat_to_coolant=1.0)
    res = solve_liquid(br, cd)
    assert res.converged
    f, c = res.racks.flow_m3s, res.cdus
    assert f.sum() == pytest.approx(c.flow_m3s[0], rel=1e-7)
    # operating point on the pump curve and on the system curve
    q = c.flow_m3s[0]
    assert c.pump_dp_kpa[0] * 1e3 == pytest.approx(shutoff - shutoff / free_flow ** 2 * (q / duty) ** 2, rel=1e-9)
    assert np.all(f > 0)
    if n > 1 and header_k > 1e5:
        # direct return: far racks get less (flows below 0.1 % of the first are at solver resolution)
        big = f[f > 1e-3 * f[0]]
        assert np.all(np.diff(big) <= 1e-9 * f[0])
    assert c.facility_heat_w[0] == pytest.approx(25e3 * n + c.pump_power_w[0], rel=1e-12)
    mix = np.sum(f * res.racks.return_c) / f.sum()
    assert mix + c.pump_power_w[0] / (PG25.volumetric_cp_jm3k * q) == pytest.approx(c.loop_return_c[0], rel=1e-9)


def test_closed_valve_gets_no_flow():
    br = LiquidBranches(cdu_index=[0, 0, 0], liquid_heat_w=[10e3, 10e3, 10e3], branch_k=[K0, np.inf, K0])
    res = solve_liquid(br, oracle_cdu())
    assert res.racks.flow_lpm[1] == 0 and np.isinf(res.racks.return_c[1])
    assert res.racks.flow_lpm[0] > 0 and res.racks.flow_lpm[2] > 0
    with pytest.raises(ValueError):
        LiquidBranches(cdu_index=[0], liquid_heat_w=[1.0], branch_k=[0.0])
