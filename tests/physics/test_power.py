"""Power chain: loss curves (APC WP 113 model), load propagation, 2N failover, N+1 groups."""

import numpy as np
import pytest

from twin.physics.facility import power_alerts
from twin.physics.power import (
    TYPICAL_EFFICIENCY, PowerChain, RackFeeds, efficiency_at, failover_analysis, loss_coefficients_from_efficiency,
    loss_kw, solve_power, typical_loss_coefficients,
)


def test_loss_formula_by_hand():
    assert loss_kw(100.0, 0.5, 0.01, 0.02, 0.03) == pytest.approx(100 * (0.01 + 0.01 + 0.0075))
    assert efficiency_at(0.5, 0.01, 0.02, 0.03) == pytest.approx(0.5 / 0.5275)
    assert efficiency_at(0.0, 0.01, 0.0, 0.0) == 0.0


@pytest.mark.parametrize("effs,pts", [((0.94, 0.96, 0.965), (0.25, 0.5, 1.0)),
                                      ((0.985, 0.99, 0.995), (0.25, 0.5, 1.0)),
                                      ((0.94, 0.96, 0.91), (0.2, 0.5, 1.0))])
def test_coefficients_reproduce_efficiencies(effs, pts):
    c = loss_coefficients_from_efficiency(effs, pts)
    assert efficiency_at(np.array(pts), *c) == pytest.approx(effs, abs=1e-12)


def test_typical_efficiencies_in_design_ranges():
    ups = typical_loss_coefficients("ups_double_conversion")
    assert 0.94 <= efficiency_at(0.5, *ups) <= 0.97
    eco = typical_loss_coefficients("ups_eco")
    assert 0.98 <= efficiency_at(0.5, *eco) <= 0.99
    tx = typical_loss_coefficients("transformer")
    assert 0.985 <= efficiency_at(0.5, *tx) <= 0.995
    pdu = typical_loss_coefficients("pdu")
    assert 0.98 <= efficiency_at(0.5, *pdu) <= 0.995
    psu = typical_loss_coefficients("psu_titanium")
    assert efficiency_at(0.5, *psu) == pytest.approx(0.96)
    for kind, (pts, eff) in TYPICAL_EFFICIENCY.items():
        c = typical_loss_coefficients(kind)
        assert all(v >= -1e-12 for v in c[:1]), kind        # no-load loss is never negative


def single_chain(c_ups=(0.01, 0.02, 0.0), rating_ups=400.0):
    return PowerChain(ids=["U", "TX", "UPS", "PDU"], kind=["utility", "transformer", "ups", "pdu"],
                      parent=[-1, 0, 1, 2], module_rating_kw=[1000, 500, rating_ups, 300],
                      c0=[0, 0.002, c_ups[0], 0.0], c1=[0, 0.005, c_ups[1], 0.01], c2=[0, 0.003, c_ups[2], 0.0])


def test_chain_propagation_by_hand():
    ch = single_chain()
    racks = RackFeeds(dc_load_kw=[100.0, 100.0], feed_a=[3, 3])
    r = solve_power(ch, racks)
    pdu_loss = 300 * 0.01 * (200 / 300)
    pdu_in = 200 + pdu_loss
    ups_loss = 400 * (0.01 + 0.02 * pdu_in / 400)
    ups_in = pdu_in + ups_loss
    x = ups_in / 500
    tx_loss = 500 * (0.002 + 0.005 * x + 0.003 * x * x)
    assert r.loss_kw[3] == pytest.approx(pdu_loss)
    assert r.loss_kw[2] == pytest.approx(ups_loss)
    assert r.loss_kw[1] == pytest.approx(tx_loss)
    assert r.utility_kw == pytest.approx(ups_in + tx_loss)
    assert r.it_kw == pytest.approx(200.0)
    assert r.chain_loss_kw == pytest.approx(pdu_loss + ups_loss + tx_loss)
    assert r.load_fraction[2] == pytest.approx(pdu_in / 400)


def test_psu_stage_makes_it_power_rack_input():
    psu = typical_loss_coefficients("psu_titanium")
    racks = RackFeeds(dc_load_kw=[66.0], feed_a=[3], psu_rating_kw=132.0, psu_c0=psu[0], psu_c1=psu[1], psu_c2=psu[2])
    r = solve_power(single_chain(), racks)
    assert r.rack_input_kw[0] == pytest.approx(66.0 / 0.96)
    assert r.psu_loss_kw == pytest.approx(66.0 / 0.96 - 66.0)


def two_n(pdu_rating=100.0):
    return PowerChain(
        ids=["UA", "UPSA", "PDUA", "UB", "UPSB", "PDUB"], kind=["utility", "ups", "pdu"] * 2,
        parent=[-1, 0, 1, -1, 3, 4], module_rating_kw=[1000, 500, pdu_rating] * 2, side=["A"] * 3 + ["B"] * 3,
        c0=0.0, c1=0.01, c2=0.0)


def test_2n_normal_split_and_failover():
    racks = RackFeeds(dc_load_kw=[40.0, 40.0], feed_a=[2, 2], feed_b=[5, 5], feed_rating_kw=45.0)
    r = solve_power(two_n(), racks)
    assert r.rack_feed_a_kw == pytest.approx([20, 20]) and r.rack_feed_b_kw == pytest.approx([20, 20])
    assert r.load_kw[2] == pytest.approx(40.0) and r.load_kw[5] == pytest.approx(40.0)
    fo = failover_analysis(two_n(), racks)
    assert fo.side_carries_all == {"A": True, "B": True}
    assert fo.worst_load_kw[5] == pytest.approx(80.0)
    # a failed PDU-A reroutes everything to B
    ch = two_n()
    failed = solve_power(PowerChain(**{**{f: getattr(ch, f) for f in ch.__dataclass_fields__}, "failed": [0, 0, 1, 0, 0, 0]}), racks)
    assert failed.rack_feed_b_kw == pytest.approx([40, 40]) and failed.rack_feed_a_kw == pytest.approx([0, 0])
    assert failed.load_kw[2] == 0 and failed.load_kw[5] == pytest.approx(80.0)
    assert failed.it_kw == pytest.approx(80.0) and failed.rack_powered.all()


def test_2n_side_cannot_carry_the_load_alert():
    ch = two_n(pdu_rating=60.0)
    racks = RackFeeds(dc_load_kw=[40.0, 40.0], feed_a=[2, 2], feed_b=[5, 5])
    fo = failover_analysis(ch, racks)
    assert fo.side_carries_all == {"A": False, "B": False}
    assert fo.worst_load_fraction[5] == pytest.approx(80 / 60)
    alerts = power_alerts(solve_power(ch, racks), ch, racks, failover=fo)
    side = [a for a in alerts if a.kind == "side_cannot_carry_load"]
    assert len(side) == 2 and all(a.severity == "critical" for a in side)
    assert "133%" in side[0].message


def test_feed_over_rating_after_failover():
    ch = two_n()
    racks = RackFeeds(dc_load_kw=[40.0], feed_a=[2], feed_b=[5], feed_rating_kw=30.0)
    assert failover_analysis(ch, racks).side_carries_all["B"] is False


def test_n_plus_1_ups_group():
    ch = PowerChain(ids=["U", "UPS"], kind=["utility", "ups"], parent=[-1, 0], module_rating_kw=[1000, 50],
                    n_modules=[1, 3], n_redundant=[0, 1], n_failed=[0, 0])
    racks = RackFeeds(dc_load_kw=[90.0], feed_a=[1])
    r = solve_power(ch, racks)
    assert r.rating_kw[1] == 150 and r.design_rating_kw[1] == 100
    assert r.load_fraction[1] == pytest.approx(0.6) and not r.redundancy_lost[1]
    ch1 = PowerChain(ids=ch.ids, kind=ch.kind, parent=ch.parent, module_rating_kw=ch.module_rating_kw,
                     n_modules=[1, 3], n_redundant=[0, 1], n_failed=[0, 1])
    r1 = solve_power(ch1, racks)
    assert r1.load_fraction[1] == pytest.approx(0.9) and r1.redundancy_lost[1]
    kinds = {a.kind for a in power_alerts(r1, ch1, racks)}
    assert "redundancy_lost" in kinds
    ch2 = PowerChain(ids=ch.ids, kind=ch.kind, parent=ch.parent, module_rating_kw=ch.module_rating_kw,
                     n_modules=[1, 3], n_redundant=[0, 1], n_failed=[0, 2])
    r2 = solve_power(ch2, racks)
    assert r2.load_fraction[1] == pytest.approx(1.8)
    assert any(a.kind == "component_overload" and a.target == "UPS" for a in power_alerts(r2, ch2, racks))


def test_unpowered_single_fed_rack():
    ch = two_n()
    ch = PowerChain(**{**{f: getattr(ch, f) for f in ch.__dataclass_fields__}, "failed": [1, 0, 0, 0, 0, 0]})
    racks = RackFeeds(dc_load_kw=[10.0, 10.0], feed_a=[2, 2], feed_b=[-1, 5])
    r = solve_power(ch, racks)
    assert list(r.rack_powered) == [False, True]
    assert not r.energised[2]
    alerts = power_alerts(r, ch, racks, rack_ids=["R1", "R2"])
    assert [a.target for a in alerts if a.kind == "rack_unpowered"] == ["R1"]


def test_cycle_rejected():
    with pytest.raises(ValueError):
        PowerChain(ids=["a", "b"], kind="pdu", parent=[1, 0], module_rating_kw=1.0)


def test_a_column_of_the_wrong_length_names_itself_in_the_error():
    """Two ids but three kinds: the error says which column and how many entries it needs."""
    with pytest.raises(ValueError, match=r"^PowerChain\.kind: expected 2 entries$"):
        PowerChain(ids=["a", "b"], kind=("ups", "pdu", "pdu"), parent=[-1, 0], module_rating_kw=1.0)
