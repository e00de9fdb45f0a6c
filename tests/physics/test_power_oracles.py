"""Hand-worked oracles for the power chain (docs/physics.md, "4. Power chain").

Stage loss P_loss = P_rated (c0 + c1 x + c2 x²), x = output / rating of the running modules
(docs/physics.md §4.1-4.2); dual-fed racks split share_a / 1 − share_a and move to the
surviving side when one fails (§4.4).  The A and B sides below have different ratings,
module counts, loss coefficients and loads, so a swapped side or index is caught.
"""

import numpy as np
import pytest

from twin.physics.facility import power_alerts
from twin.physics.power import (
    PowerChain, RackFeeds, efficiency_at, failover_analysis, loss_coefficients_from_efficiency,
    loss_kw, solve_power,
)

REL = 1e-9


def ab_chain(**kw):
    """0 UA → 1 UPS-A (3 × 100 kW modules, N+1; c 0.01/0.02/0.04) → 2 PDU-A (200 kW, c1 0.01)
       3 UB → 4 UPS-B (2 × 150 kW modules, N+1; c 0.02/0/0.05)  → 5 PDU-B (250 kW, c1 0.02)"""
    base = dict(ids=["UA", "UPS-A", "PDU-A", "UB", "UPS-B", "PDU-B"],
                kind=["utility", "ups", "pdu"] * 2, parent=[-1, 0, 1, -1, 3, 4],
                module_rating_kw=[1000, 100, 200, 1000, 150, 250], side=["A"] * 3 + ["B"] * 3,
                c0=[0, 0.01, 0, 0, 0.02, 0], c1=[0, 0.02, 0.01, 0, 0, 0.02], c2=[0, 0.04, 0, 0, 0.05, 0],
                n_modules=[1, 3, 1, 1, 2, 1], n_redundant=[0, 1, 0, 0, 1, 0], n_failed=0)
    base.update(kw)
    return PowerChain(**base)


def ab_racks(**kw):
    """R0 80 kW A/B at 50/50, R1 40 kW A/B at 75/25, R2 30 kW on A only."""
    base = dict(dc_load_kw=[80.0, 40.0, 30.0], feed_a=[2, 2, 2], feed_b=[5, 5, -1], share_a=[0.5, 0.75, 0.5])
    base.update(kw)
    return RackFeeds(**base)


def test_loss_and_efficiency_formula_literals():
    # 300 kW (c 0.01, 0.02, 0.04) at x = 0.5: 300 (0.01 + 0.01 + 0.01) = 9 kW; η = 0.5/0.53
    assert loss_kw(300.0, 0.5, 0.01, 0.02, 0.04) == pytest.approx(9.0, rel=REL)
    assert efficiency_at(0.5, 0.01, 0.02, 0.04) == pytest.approx(0.5 / 0.53, rel=REL)
    # no load: loss is the no-load term only; efficiency 0 by definition
    assert loss_kw(300.0, 0.0, 0.01, 0.02, 0.04) == pytest.approx(3.0, rel=REL)
    assert efficiency_at(0.0, 0.01, 0.02, 0.04) == 0.0


def test_coefficients_recovered_from_three_efficiencies():
    # c = (0.01, 0.02, 0.04): loss/rating at x = 0.25, 0.5, 1 is 0.0175, 0.03, 0.07,
    # so η = 0.25/0.2675, 0.5/0.53, 1/1.07; the fit must give c back
    c = loss_coefficients_from_efficiency((0.25 / 0.2675, 0.5 / 0.53, 1 / 1.07), (0.25, 0.5, 1.0))
    assert c == pytest.approx((0.01, 0.02, 0.04), abs=1e-12)
    # η = 1 at every point → lossless
    assert loss_coefficients_from_efficiency((1.0, 1.0, 1.0)) == pytest.approx((0.0, 0.0, 0.0), abs=1e-15)
    for bad in (((0.9, 0.95), (0.5, 1.0)), ((0.9, 0.95, 1.01), (0.25, 0.5, 1.0)),
                ((0.9, 0.95, 0.96), (0.0, 0.5, 1.0)), ((0.0, 0.95, 0.96), (0.25, 0.5, 1.0))):
        with pytest.raises(ValueError):
            loss_coefficients_from_efficiency(*bad)


def test_unequal_ab_sides_normal_operation_by_hand():
    r = solve_power(ab_chain(), ab_racks())
    # feeds: R0 40/40, R1 30/10, R2 30/0 → PDU-A out 100, PDU-B out 50
    assert r.rack_feed_a_kw == pytest.approx([40.0, 30.0, 30.0], rel=REL)
    assert r.rack_feed_b_kw == pytest.approx([40.0, 10.0, 0.0], rel=REL)
    assert r.load_kw[[2, 5]] == pytest.approx([100.0, 50.0], rel=REL)
    # PDU-A: 200·0.01·(100/200) = 1 kW → in 101;  PDU-B: 250·0.02·(50/250) = 1 kW → in 51
    assert r.loss_kw[[2, 5]] == pytest.approx([1.0, 1.0], rel=REL)
    # UPS-A: three modules running, 300 kW, x = 101/300: 300 (0.01 + 0.02x + 0.04x²) = 6.380133 kW
    xa = 101 / 300
    ups_a = 300 * (0.01 + 0.02 * xa + 0.04 * xa ** 2)
    assert ups_a == pytest.approx(6.3801333, rel=1e-7)
    # same as three modules each carrying 101/3 of 100 kW: 3 · 100 (0.01 + 0.02x + 0.04x²)
    assert ups_a == pytest.approx(3 * 100 * (0.01 + 0.02 * (101 / 3 / 100) + 0.04 * (101 / 3 / 100) ** 2), rel=1e-12)
    # UPS-B: two modules, 300 kW, x = 51/300 = 0.17: 300 (0.02 + 0.05 · 0.0289) = 6.4335 kW
    assert r.loss_kw[[1, 4]] == pytest.approx([ups_a, 6.4335], rel=REL)
    assert r.load_fraction[[1, 2, 4, 5]] == pytest.approx([101 / 300, 0.5, 51 / 300, 0.2], rel=REL)
    assert r.input_kw[[0, 3]] == pytest.approx([101 + ups_a, 57.4335], rel=REL)
    assert r.utility_kw == pytest.approx(101 + ups_a + 57.4335, rel=REL)
    assert r.it_kw == pytest.approx(150.0, rel=REL)
    assert r.chain_loss_kw == pytest.approx(2.0 + ups_a + 6.4335, rel=REL)
    assert r.rating_kw[[1, 4]].tolist() == [300.0, 300.0]
    assert r.design_rating_kw[[1, 4]].tolist() == [200.0, 150.0]      # spares not counted
    assert not r.redundancy_lost.any()


def test_failed_module_losses_of_the_running_modules():
    # one UPS-A module failed: 200 kW running, x = 101/200 = 0.505
    # loss 200 (0.01 + 0.0101 + 0.04 · 0.255025) = 200 · 0.030301 = 6.0602 kW
    r = solve_power(ab_chain(n_failed=[0, 1, 0, 0, 0, 0]), ab_racks())
    assert r.rating_kw[1] == 200.0
    assert r.loss_kw[1] == pytest.approx(6.0602, rel=REL)
    assert r.load_fraction[1] == pytest.approx(0.505, rel=REL)
    # 101 kW > 100 kW left after one more failure → redundancy lost on A only
    assert r.redundancy_lost.tolist() == [False, True, False, False, False, False]
    # both B modules of a 1+1 group failed: side B de-energised, R0/R1 move wholly to A
    r = solve_power(ab_chain(n_failed=[0, 0, 0, 0, 2, 0]), ab_racks())
    assert r.energised.tolist() == [True, True, True, True, False, False]
    assert r.rack_feed_a_kw == pytest.approx([80.0, 40.0, 30.0], rel=REL)
    assert r.rack_feed_b_kw.tolist() == [0.0, 0.0, 0.0]
    assert r.load_kw[2] == pytest.approx(150.0, rel=REL) and r.load_kw[5] == 0.0
    assert r.rack_powered.all() and r.it_kw == pytest.approx(150.0, rel=REL)


def test_failover_unequal_sides_by_hand():
    fo = failover_analysis(ab_chain(), ab_racks())
    # A lost: R2 (A only) loses power → B cannot carry all; B lost: A takes 80 + 40 + 30 = 150 ≤ 200
    assert fo.side_carries_all == {"A": True, "B": False}
    assert fo.unpowered_racks["A lost"].tolist() == [2]
    assert fo.unpowered_racks["B lost"].tolist() == []
    # worst PDU-B: 120 kW of 250 (A lost); worst PDU-A: 150 kW of 200 (B lost)
    assert fo.worst_load_kw[[2, 5]] == pytest.approx([150.0, 120.0], rel=REL)
    assert fo.worst_load_fraction[[2, 5]] == pytest.approx([0.75, 0.48], rel=REL)
    assert fo.worst_scenario[2] == "B lost" and fo.worst_scenario[5] == "A lost"
    # UPS-B with A lost: PDU-B in = 120 + 250·0.02·0.48 = 122.4 kW → fraction 122.4/300
    assert fo.worst_load_kw[4] == pytest.approx(122.4, rel=REL)
    assert fo.worst_load_fraction[4] == pytest.approx(0.408, rel=REL)


def lossless_2n(rating_a, rating_b):
    return PowerChain(ids=["UA", "PDU-A", "UB", "PDU-B"], kind=["utility", "pdu"] * 2, parent=[-1, 0, -1, 2],
                      module_rating_kw=[1000, rating_a, 1000, rating_b], side=["A", "A", "B", "B"])


def test_failover_capacity_exactly_equal_to_load_carries():
    # 60 + 40 kW dual-fed; PDU-A rated exactly 100 kW, PDU-B 99.9 kW
    racks = RackFeeds(dc_load_kw=[60.0, 40.0], feed_a=[1, 1], feed_b=[3, 3])
    fo = failover_analysis(lossless_2n(100.0, 99.9), racks)
    assert fo.worst_load_fraction[1] == pytest.approx(1.0, rel=1e-12)
    assert fo.side_carries_all == {"A": True, "B": False}
    assert fo.overloaded["A lost"].tolist() == [3] and fo.overloaded["B lost"].tolist() == []


def test_feed_rating_exactly_equal_to_current_carries():
    # R0 80 kW with feed rating 80: B lost → A feed carries 80 = rating (ok); rating 79.9 → not
    ch = ab_chain()
    at = failover_analysis(ch, ab_racks(dc_load_kw=[80.0, 40.0, 30.0], feed_b=[5, 5, 5],
                                        feed_rating_kw=[80.0, 40.0, 30.0]))
    assert at.side_carries_all == {"A": True, "B": True}
    under = failover_analysis(ch, ab_racks(feed_b=[5, 5, 5], feed_rating_kw=[79.9, 40.0, 30.0]))
    assert under.side_carries_all == {"A": False, "B": False}
    # the alert on the normal split sits on the same boundary
    racks = RackFeeds(dc_load_kw=[80.0], feed_a=[2], feed_b=[5], share_a=0.75, feed_rating_kw=60.0)
    alerts = power_alerts(solve_power(ch, racks), ch, racks, rack_ids=["R0"])
    assert [a.kind for a in alerts if a.kind == "feed_overload"] == []     # A 60 = rating, B 20
    racks = RackFeeds(dc_load_kw=[80.0], feed_a=[2], feed_b=[5], share_a=0.75, feed_rating_kw=59.99)
    over = [a for a in power_alerts(solve_power(ch, racks), ch, racks, rack_ids=["R0"]) if a.kind == "feed_overload"]
    assert len(over) == 1 and "feed A carries 60.0 kW" in over[0].message


def test_component_exactly_at_rating_and_redundancy_boundary():
    """UPS of 3 × 50 kW modules (N+1) with one failed: 100 kW running, 50 kW after one more
    failure.  Load 50 kW sits on the redundancy boundary; load 100 kW on the rating."""
    def ups(load):
        ch = PowerChain(ids=["U", "UPS"], kind=["utility", "ups"], parent=[-1, 0], module_rating_kw=[1000, 50],
                        n_modules=[1, 3], n_redundant=[0, 1], n_failed=[0, 1])
        racks = RackFeeds(dc_load_kw=[load], feed_a=[1])
        res = solve_power(ch, racks)
        return res, {(a.kind, a.severity) for a in power_alerts(res, ch, racks)}
    r, kinds = ups(50.0)
    assert not r.redundancy_lost[1] and kinds == set()
    r, kinds = ups(50.5)
    assert r.redundancy_lost[1] and ("redundancy_lost", "warning") in kinds
    r, kinds = ups(100.0)
    assert r.load_fraction[1] == 1.0
    assert ("component_near_rating", "warning") in kinds and ("component_overload", "critical") not in kinds
    r, kinds = ups(100.5)
    assert ("component_overload", "critical") in kinds
    r, kinds = ups(90.0)                               # 0.9 exactly: not yet "near"
    assert ("component_near_rating", "warning") not in kinds


def test_all_modules_failed_de_energises_the_subtree():
    ch = PowerChain(ids=["U", "UPS", "PDU"], kind=["utility", "ups", "pdu"], parent=[-1, 0, 1],
                    module_rating_kw=[1000, 50, 100], n_modules=[1, 2, 1], n_failed=[0, 2, 0], c0=[0, 0.01, 0.01])
    racks = RackFeeds(dc_load_kw=[10.0, 0.0], feed_a=[2, 2])
    r = solve_power(ch, racks)
    assert r.energised.tolist() == [True, False, False]
    assert r.rack_powered.tolist() == [False, False] and r.it_kw == 0.0
    assert r.loss_kw.tolist() == [0.0, 0.0, 0.0] and r.utility_kw == 0.0
    assert r.rating_kw[1] == 0.0
    assert [a.target for a in power_alerts(r, ch, racks, rack_ids=["R0", "R1"]) if a.kind == "rack_unpowered"] == ["R0"]


def test_zero_load_costs_only_no_load_losses():
    # idle hall: PDU 200 kW c0 0.005 → 1 kW; UPS 3 × 100 kW, c0 0.01 → 3 kW plus c1 on the PDU's
    # 1 kW: 300 · 0.02 · (1/300) = 0.02 kW; IT 0, utility 4.02 kW
    ch = PowerChain(ids=["U", "UPS", "PDU"], kind=["utility", "ups", "pdu"], parent=[-1, 0, 1],
                    module_rating_kw=[1000, 100, 200], n_modules=[1, 3, 1], c0=[0, 0.01, 0.005], c1=[0, 0.02, 0])
    r = solve_power(ch, RackFeeds(dc_load_kw=[0.0, 0.0], feed_a=[2, 2]))
    assert r.loss_kw == pytest.approx([0.0, 3.0 + 300 * 0.02 * (1.0 / 300), 1.0], rel=REL)
    assert r.it_kw == 0.0 and r.utility_kw == pytest.approx(4.02, rel=REL)
    # an empty chain and no racks at all
    empty = solve_power(PowerChain(ids=[], kind=[], parent=np.zeros(0, int), module_rating_kw=np.zeros(0)),
                        RackFeeds(dc_load_kw=np.zeros(0), feed_a=np.zeros(0, int)))
    assert empty.utility_kw == 0.0 and empty.it_kw == 0.0


def test_multi_level_tree_with_two_branches_and_psu():
    """U → TX (2 × 500 kW paralleled, c 0.002/0.005/0.003) → UPS (400 kW, c1 0.03) → PDU1 (150 kW, c1 0.02)
                                                                              → PDU2 (300 kW, lossless)
    R0: 66 kW DC behind a 132 kW shelf (c 0.01/0.02/0.03) on PDU1; R1 120 kW on PDU2; R2 no feed."""
    ch = PowerChain(ids=["U", "TX", "UPS", "PDU1", "PDU2"], kind=["utility", "transformer", "ups", "pdu", "pdu"],
                    parent=[-1, 0, 1, 2, 2], module_rating_kw=[2000, 500, 400, 150, 300], n_modules=[1, 2, 1, 1, 1],
                    c0=[0, 0.002, 0, 0, 0], c1=[0, 0.005, 0.03, 0.02, 0], c2=[0, 0.003, 0, 0, 0])
    racks = RackFeeds(dc_load_kw=[66.0, 120.0, 5.0], feed_a=[3, 4, -1], psu_rating_kw=[132.0, np.nan, np.nan],
                      psu_c0=0.01, psu_c1=0.02, psu_c2=0.03)
    r = solve_power(ch, racks)
    # shelf at x = 0.5: 132 (0.01 + 0.01 + 0.0075) = 3.63 kW → R0 input 69.63 kW
    assert r.rack_psu_loss_kw == pytest.approx([3.63, 0.0, 0.0], rel=REL)
    assert r.rack_input_kw == pytest.approx([69.63, 120.0, 5.0], rel=REL)
    # PDU1: 150·0.02·(69.63/150) = 1.3926 → in 71.0226; PDU2 in 120
    assert r.loss_kw[3] == pytest.approx(1.3926, rel=REL) and r.loss_kw[4] == 0.0
    ups_out = 71.0226 + 120.0
    assert r.load_kw[2] == pytest.approx(ups_out, rel=REL)
    ups_loss = 400 * 0.03 * ups_out / 400                      # 5.730678
    tx_out = ups_out + ups_loss
    x = tx_out / 1000                                          # two 500 kW modules
    tx_loss = 1000 * (0.002 + 0.005 * x + 0.003 * x * x)
    assert r.loss_kw[1] == pytest.approx(tx_loss, rel=REL)
    assert r.rating_kw[1] == 1000.0
    # the unfed rack counts at the meter without chain losses
    assert r.utility_kw == pytest.approx(tx_out + tx_loss + 5.0, rel=REL)
    assert r.it_kw == pytest.approx(69.63 + 120 + 5, rel=REL)
    assert r.psu_loss_kw == pytest.approx(3.63, rel=REL)
    assert r.chain_loss_kw == pytest.approx(1.3926 + ups_loss + tx_loss, rel=REL)
    # zero DC load behind a shelf: no shelf loss
    idle = solve_power(ch, RackFeeds(dc_load_kw=[0.0], feed_a=[3], psu_rating_kw=132.0, psu_c0=0.01))
    assert idle.rack_psu_loss_kw.tolist() == [0.0] and idle.rack_input_kw.tolist() == [0.0]


def test_failed_parent_de_energises_both_children():
    ch = PowerChain(ids=["U", "UPS", "PDU1", "PDU2"], kind=["utility", "ups", "pdu", "pdu"], parent=[-1, 0, 1, 1],
                    module_rating_kw=[1000, 400, 150, 300], failed=[False, True, False, False])
    r = solve_power(ch, RackFeeds(dc_load_kw=[10.0, 20.0], feed_a=[2, 3]))
    assert r.energised.tolist() == [True, False, False, False]
    assert r.rack_powered.tolist() == [False, False]


def test_a_looped_chain_is_rejected_with_its_message():
    """a → b → a has no root: the chain is refused with the message the file check shows."""
    with pytest.raises(ValueError, match=r"^PowerChain\.parent: cycle$"):
        PowerChain(ids=["a", "b"], kind="pdu", parent=[1, 0], module_rating_kw=100.0)


def test_last_running_module_carries_the_load_without_redundancy():
    """UPS of 2 × 50 kW modules (N+1) with one failed: one module runs, so one more failure
    leaves 0 kW.  Any load on it has lost redundancy; a 1-module UPS (N) never flags it."""
    def ups(n_modules, n_redundant, n_failed, load):
        ch = PowerChain(ids=["U", "UPS"], kind=["utility", "ups"], parent=[-1, 0],
                        module_rating_kw=[1000, 50], n_modules=[1, n_modules],
                        n_redundant=[0, n_redundant], n_failed=[0, n_failed])
        return solve_power(ch, RackFeeds(dc_load_kw=[load], feed_a=[1]))
    r = ups(2, 1, 1, 10.0)
    assert r.rating_kw[1] == 50.0 and r.redundancy_lost[1]
    assert not ups(2, 1, 0, 10.0).redundancy_lost[1]       # 2 running: 50 kW left after one
    assert not ups(1, 0, 0, 10.0).redundancy_lost[1]       # N by design: nothing to lose


def test_alerts_name_the_component_and_the_rack_they_are_about():
    # UPS of 3 × 50 kW (N+1), one failed: 100 kW running, 50 kW after one more failure.
    # R0 60 kW on the UPS → redundancy lost on "UPS"; R1 7 kW with no feed → no_power_feed on "R1"
    ch = PowerChain(ids=["U", "UPS"], kind=["utility", "ups"], parent=[-1, 0], module_rating_kw=[1000, 50],
                    n_modules=[1, 3], n_redundant=[0, 1], n_failed=[0, 1])
    racks = RackFeeds(dc_load_kw=[60.0, 7.0], feed_a=[1, -1])
    out = power_alerts(solve_power(ch, racks), ch, racks, rack_ids=["R0", "R1"])
    assert [(a.kind, a.target) for a in out] == [("redundancy_lost", "UPS"), ("no_power_feed", "R1")]
    assert out[0].message == ("ups load 60.0 kW exceeds the capacity left after one more module failure "
                              "(50.0 kW)")


def test_near_rating_exactly_on_the_fraction_and_just_above():
    # PDU of 200 kW: 150 kW is 0.75 exactly — at a near-rating fraction of 0.75 no alert;
    # 150.2 kW (0.751) is near its rating
    def alerts(load):
        ch = PowerChain(ids=["U", "PDU"], kind=["utility", "pdu"], parent=[-1, 0], module_rating_kw=[1000, 200])
        racks = RackFeeds(dc_load_kw=[load], feed_a=[1])
        return [(a.kind, a.target) for a in power_alerts(solve_power(ch, racks), ch, racks,
                                                          near_rating_fraction=0.75)]
    assert alerts(150.0) == []
    assert alerts(150.2) == [("component_near_rating", "PDU")]


def test_sub_kilowatt_stage_gets_its_load_fraction_and_loss():
    # a 0.5 kW stage (c0 0.1, c1 0.2) carrying a 0.2 kW rack: x = 0.4,
    # loss = 0.5 (0.1 + 0.2 · 0.4) = 0.09 kW, input 0.29 kW
    ch = PowerChain(ids=["U", "S"], kind=["utility", "pdu"], parent=[-1, 0], module_rating_kw=[1000, 0.5],
                    c0=[0, 0.1], c1=[0, 0.2])
    r = solve_power(ch, RackFeeds(dc_load_kw=[0.2], feed_a=[1]))
    assert r.load_fraction[1] == pytest.approx(0.4, rel=REL)
    assert r.loss_kw[1] == pytest.approx(0.09, rel=REL)
    assert r.input_kw[1] == pytest.approx(0.29, rel=REL)
    assert r.chain_loss_kw == pytest.approx(0.09, rel=REL)


def test_zero_capacity_and_zero_load_is_zero_load_fraction():
    # a UPS with both modules failed carries nothing (0 of 0 kW): load fraction 0, not 100 %;
    # the spare PDU of 0 kW rating with no rack on it likewise
    ch = PowerChain(ids=["U", "UPS", "PDU"], kind=["utility", "ups", "pdu"], parent=[-1, 0, 0],
                    module_rating_kw=[1000, 50, 0.0], n_modules=[1, 2, 1], n_failed=[0, 2, 0])
    r = solve_power(ch, RackFeeds(dc_load_kw=[0.0], feed_a=[1]))
    assert r.rating_kw.tolist() == [1000.0, 0.0, 0.0]
    assert r.load_fraction.tolist() == [0.0, 0.0, 0.0]
