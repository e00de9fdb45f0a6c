"""Hand-worked oracles for racks their coolant cannot cool, and for unpowered racks
(docs/physics.md §3.9 Coolant loss: throttling and shutdown, §4.7 Unpowered racks).

Each expected figure is derived here from the documented rule, not read back from the code:

- a rack with no coolant flow shuts down to its standby, ``STANDBY_FRACTION`` × nameplate,
  all of it to air, and makes no tokens;
- a rack on a flowing loop may not return coolant above its CDU's ``return_limit_c``
  T_lim: with the loop supply T_sup = T_fac + α L (α = 1/(ε C_min) − 1/C_loop at the
  solved flows, L = the loop's rack heat + pump heat), a throttled rack's liquid heat is
  f P = ṁ c_p (T_lim − T_sup); solving both for one throttled rack beside racks at
  demand (heat q_run) gives  f P = ṁ c_p (T_lim − T_fac − α (q_run + Q_pump)) / (1 + α ṁ c_p);
- a rack that would return above T_lim + ``SHUTDOWN_MARGIN_K`` even at its idle floor
  shuts down;
- a rack with no energised feed draws nothing: no heat, no tokens.
"""

import copy
import json

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.engine.export import result_document
from twin.engine.simulate import simulate
from twin.io.layout_file import layout_from_document
from twin.physics.liquid import (CAUSE_NO_FLOW, CAUSE_NO_LOOP, CAUSE_NONE, CAUSE_RETURN_LIMIT, RUNNING,
                                 SHUTDOWN, SHUTDOWN_MARGIN_K, STANDBY_FRACTION, THROTTLED,
                                 CduLoops, LiquidBranches, limit_to_coolant, solve_liquid)

F = 0.85                       # liquid share of the racks below
DEMAND_W = 100e3
FLOOR_W = 40e3
STANDBY_W = 1e3
T_FAC, T_LIM = 25.0, 45.0


def loop(k_far: float):
    """One CDU, two racks: a near one on the catalogue-like branch, a far one on ``k_far``."""
    loops = CduLoops(ua_w_per_k=[40e3], facility_flow_kgs=[2.5], facility_supply_c=[T_FAC],
                     capacity_w=[400e3], return_limit_c=[T_LIM])
    br = LiquidBranches(cdu_index=[0, 0], liquid_heat_w=[F * DEMAND_W] * 2,
                        branch_k=[8.304e10, k_far], manifold_position=[0.0, 1.0])
    return br, loops, solve_liquid(br, loops)


def alpha_of(res, loops):
    """dT_sup/dL of the loop at its solved flows (exchanger of docs/physics.md §3.2)."""
    c_loop = loops.coolant_density_kgm3[0] * res.cdus.flow_m3s[0] * loops.coolant_cp_jkgk[0]
    c_fac = loops.facility_flow_kgs[0] * loops.facility_cp_jkgk[0]
    return 1 / (res.cdus.effectiveness[0] * min(c_loop, c_fac)) - 1 / c_loop


def test_partly_starved_loop_throttles_the_far_rack_to_the_return_limit():
    br, loops, res = loop(8.304e11)            # the far branch gets ~30 L/min for 85 kW
    assert res.racks.return_c[1] > T_LIM     # at demand it would return too warm
    mc = res.racks.mass_flow_kgs[1] * loops.coolant_cp_jkgk[0]
    a = alpha_of(res, loops)
    q_pump = res.cdus.pump_power_w[0]        # all pump power heats the coolant (default)
    f_p = mc * (T_LIM - T_FAC - a * (F * DEMAND_W + q_pump)) / (1 + a * mc)
    expected_p = f_p / F
    assert FLOOR_W < expected_p < DEMAND_W   # a throttle, not a shutdown

    lim = limit_to_coolant(br, res, loops, [DEMAND_W] * 2, F, [FLOOR_W] * 2, [STANDBY_W] * 2)
    assert list(lim.state) == [0, THROTTLED]
    assert lim.power_w[0] == DEMAND_W
    assert lim.power_w[1] == pytest.approx(expected_p, rel=1e-9)
    assert lim.liquid_heat_w[1] == pytest.approx(F * expected_p, rel=1e-9)
    assert lim.air_heat_w[1] == pytest.approx((1 - F) * expected_p, rel=1e-9)
    # re-solved at the throttled heats, the far rack returns at the limit (hydraulics unchanged)
    again = solve_liquid(LiquidBranches(br.cdu_index, lim.liquid_heat_w, br.branch_k,
                                        br.manifold_position), loops)
    assert again.racks.return_c[1] == pytest.approx(T_LIM, abs=1e-9)
    assert again.racks.return_c[0] < T_LIM


def test_rack_past_the_shutdown_point_at_its_floor_shuts_down():
    br, loops, res = loop(5e12)                # ~12 L/min: even 34 kW of liquid heat is too much
    mc = res.racks.mass_flow_kgs[1] * loops.coolant_cp_jkgk[0]
    a = alpha_of(res, loops)
    # the loop once the far rack is off: only the near rack and the pumps heat it
    t_sup = T_FAC + a * (F * DEMAND_W + res.cdus.pump_power_w[0])
    assert t_sup + F * FLOOR_W / mc > T_LIM + SHUTDOWN_MARGIN_K
    lim = limit_to_coolant(br, res, loops, [DEMAND_W] * 2, F, [FLOOR_W] * 2, [STANDBY_W] * 2)
    assert list(lim.state) == [0, SHUTDOWN]
    assert lim.power_w[1] == STANDBY_W and lim.liquid_heat_w[1] == 0
    assert lim.air_heat_w[1] == STANDBY_W


def pod(**cdu_a):
    doc = copy.deepcopy(json.loads((LAYOUTS / "gb200-pod.json").read_text()))
    doc["cdus"][0].update(cdu_a)
    return layout_from_document(doc)


def test_racks_on_a_cdu_without_pumps_shut_down_to_standby_and_energy_closes():
    lay = pod(failed_pumps=2)                  # both pumps of CDU-A failed: no flow
    res = simulate(lay, coarse=True)
    on_a = np.array([c == "CDU-A" for c in lay.racks["cdu"]])
    standby_kw = STANDBY_FRACTION * 132.0      # GB200 NVL72 nameplate 132 kW
    assert res.rack_power_kw[on_a] == pytest.approx(standby_kw, rel=1e-12)
    assert res.rack_liquid_heat_kw[on_a] == pytest.approx(0.0, abs=1e-12)
    assert res.rack_air_heat_kw[on_a] == pytest.approx(standby_kw, rel=1e-12)
    assert np.all(res.workload.tokens_per_s[on_a] == 0)
    # the racks on CDU-B run at their demand
    assert res.rack_power_kw[~on_a] == pytest.approx(res.rack_demand_kw[~on_a], rel=1e-12)
    assert res.facility.it_kw == pytest.approx(res.rack_demand_kw[~on_a].sum() + on_a.sum() * standby_kw,
                                               rel=1e-9)
    assert abs(res.facility.energy_residual) < 1e-9
    kinds = {(a.kind, a.target) for a in res.alerts}
    assert {("rack_shutdown", r) for r in np.asarray(res.rack_ids)[on_a]} <= kinds
    doc = result_document(lay, res)
    assert abs(doc["energy"]["facility_residual_pct"]) < 0.1
    assert all("inf" not in a["message"] and "nan" not in a["message"] for a in doc["alerts"])


def test_rack_with_both_feeds_dead_draws_nothing():
    doc = copy.deepcopy(json.loads((LAYOUTS / "small-room.json").read_text()))
    for c in doc["power"]:
        c["enabled"] = c["id"] not in ("PDU-A1.1", "PDU-B1.1")
    lay = layout_from_document(doc)
    res = simulate(lay, coarse=True)
    dead = ~res.power.rack_powered[:len(res.rack_ids)]
    assert dead.any() and not dead.all()
    for arr in (res.rack_power_kw, res.rack_air_heat_kw, res.rack_liquid_heat_kw,
                res.workload.tokens_per_s):
        assert np.all(arr[dead] == 0)
    assert res.rack_power_kw[~dead] == pytest.approx(res.rack_demand_kw[~dead], rel=1e-12)
    assert res.air.heat_in_w == pytest.approx((res.rack_demand_kw[~dead].sum() + res.facility.crah_fan_kw) * 1e3,
                                              rel=1e-9)
    assert abs(res.facility.energy_residual) < 1e-9
    unpowered = {a.target for a in res.alerts if a.kind == "rack_unpowered"}
    assert unpowered == set(np.asarray(res.rack_ids)[dead])


def test_rack_with_no_demand_is_not_shut_down_for_want_of_coolant():
    # nothing to cool: a liquid-cooled rack at 0 W runs (at 0 W), off a loop or on a dead one;
    # the 50 kW rack beside it shuts down to its standby
    br = LiquidBranches(cdu_index=[-1, -1], liquid_heat_w=[0.0, F * 50e3], branch_k=8.304e10)
    lim = limit_to_coolant(br, None, None, [0.0, 50e3], F, [0.0, FLOOR_W], [0.0, STANDBY_W])
    assert list(lim.state) == [RUNNING, SHUTDOWN] and list(lim.cause) == [CAUSE_NONE, CAUSE_NO_LOOP]
    assert list(lim.power_w) == [0.0, STANDBY_W]
    loops = CduLoops(ua_w_per_k=[40e3], facility_flow_kgs=[2.5], facility_supply_c=[T_FAC], capacity_w=[400e3],
                     return_limit_c=[T_LIM], n_pumps_installed=[2], n_pumps_duty=[1], n_pumps_failed=[2])
    br = LiquidBranches(cdu_index=[0, 0], liquid_heat_w=[0.0, F * 50e3], branch_k=8.304e10)
    lim = limit_to_coolant(br, solve_liquid(br, loops), loops, [0.0, 50e3], F, [0.0, FLOOR_W], [0.0, STANDBY_W])
    assert list(lim.state) == [RUNNING, SHUTDOWN] and list(lim.cause) == [CAUSE_NONE, CAUSE_NO_FLOW]
    assert list(lim.power_w) == [0.0, STANDBY_W]


def test_shutdowns_go_one_rack_per_loop_and_round():
    # two CDUs, racks in mixed order: R0 and R2 on CDU 1, R1 on CDU 0, every branch so starved
    # that T_fac + f P_floor / (ṁ c_p) alone is past T_lim + margin (the loop supply is never
    # below T_fac).  One rack per loop and round: round 1 shuts R1 and one of R0/R2, round 2
    # the other, round 3 finds none left → 3 rounds, every rack at standby
    loops = CduLoops(ua_w_per_k=[40e3, 40e3], facility_flow_kgs=[2.5, 2.5], facility_supply_c=[T_FAC, T_FAC],
                     capacity_w=[400e3, 400e3], return_limit_c=[T_LIM, T_LIM])
    br = LiquidBranches(cdu_index=[1, 0, 1], liquid_heat_w=[F * DEMAND_W] * 3, branch_k=[5e12, 6e12, 7e12])
    res = solve_liquid(br, loops)
    mc = res.racks.mass_flow_kgs * loops.coolant_cp_jkgk[br.cdu_index]
    assert np.all(mc > 0) and np.all(T_FAC + F * FLOOR_W / mc > T_LIM + SHUTDOWN_MARGIN_K)
    lim = limit_to_coolant(br, res, loops, [DEMAND_W] * 3, F, [FLOOR_W] * 3, [STANDBY_W] * 3)
    assert list(lim.state) == [SHUTDOWN] * 3 and list(lim.cause) == [CAUSE_RETURN_LIMIT] * 3
    assert list(lim.power_w) == [STANDBY_W] * 3
    assert lim.rounds == 3
