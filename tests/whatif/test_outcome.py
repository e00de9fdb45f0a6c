"""One failure scenario's figures and verdict (twin/engine/whatif/outcome.py) on hand-made
results: every list at and just past its limit, and each verdict against a base that
already has some of the same problems."""

from types import SimpleNamespace

import numpy as np
import pytest

from twin.engine.whatif.components import Component
from twin.engine.whatif.outcome import FloorState, floor_state, judge

nan = np.nan


def _result():
    """Three racks on ASHRAE A1 (recommended to 27 °C, allowable to 32 °C): R1's inlet is
    exactly 27.0 (not above), R2 at 27.5, R3 at 32.5; R1's coolant flow exactly meets its
    need, R2's is 1 % short, R3 is off the loop (its return is not a coolant return);
    CDU-A's return exactly at its limit, CDU-B's over; loads exactly 100 % are not over."""
    air = SimpleNamespace(rack_inlet_max_c=np.array([27.0, 27.5, 32.5]),
                          rack_inlet_mean_c=np.array([25.0, 26.0, 30.0]),
                          unit_capacity_fraction=np.array([nan, 1.0, 1.5]))
    liq = SimpleNamespace(
        racks=SimpleNamespace(cdu_index=np.array([0, 1, -1]),
                              return_c=np.array([45.0, 47.0, 80.0]),
                              flow_lpm=np.array([100.0, 99.0, 0.0]),
                              need_lpm=np.array([100.0, 100.0, 0.0])),
        cdus=SimpleNamespace(loop_return_c=np.array([46.0, 45.0]),
                             capacity_fraction=np.array([1.0, 1.2])))
    return SimpleNamespace(
        rack_ids=["R1", "R2", "R3"], air=air, liquid=liq,
        facility=SimpleNamespace(it_kw=100.0, facility_kw=130.0, pue=1.3),
        cdu_ids=["CDU-A", "CDU-B"], unit_ids=["U1", "U2", "U3"],
        power_ids=["UPS-1", "PDU-1"], power=SimpleNamespace(load_fraction=np.array([1.01, nan])),
        rack_state=np.array([0, 1, 3]))


def test_floor_state_lists_what_is_past_each_limit_and_nothing_on_it():
    s = floor_state(_result(), "A1", np.array([46.0, 44.0]))
    assert (s.worst_inlet_c, s.worst_inlet_rack) == (32.5, "R3")
    assert s.above_recommended == ["R2", "R3"] and s.beyond_allowable == ["R3"]
    assert s.worst_coolant_return_c == 47.0
    assert s.coolant_over_limit == ["CDU-B"] and s.short_of_coolant == ["R2"]
    assert s.overloaded == ["CDU-B", "U3", "UPS-1"]
    assert (s.throttled, s.shut_down, s.unpowered) == (["R2"], [], ["R3"])
    assert (s.it_kw, s.facility_kw, s.pue) == (100.0, 130.0, 1.3)
    assert s.failed_racks == {"R2", "R3"}
    # no CDU limits given: no return is over one; on A2 (allowable to 35 °C) none beyond
    assert floor_state(_result(), "A1", None).coolant_over_limit == []
    assert floor_state(_result(), "A2", None).beyond_allowable == []


def _state(**kw) -> FloorState:
    base = dict(worst_inlet_c=25.0, worst_inlet_rack="R1", above_recommended=[],
                beyond_allowable=[], worst_coolant_return_c=40.0, coolant_over_limit=[],
                short_of_coolant=[], throttled=[], shut_down=[], unpowered=[], overloaded=[],
                it_kw=100.0, facility_kw=130.0, pue=1.3)
    return FloorState(**{**base, **kw})


UNIT = Component("U1", "crah", "cooling units")


def test_only_what_is_new_against_the_base_counts():
    base = _state(above_recommended=["R1"], unpowered=["R9"], overloaded=["UPS-1"])
    same = judge(UNIT, _state(above_recommended=["R1"], unpowered=["R9"],
                              overloaded=["UPS-1"], facility_kw=131.5, pue=1.315), base)
    assert (same.verdict, same.reasons, same.racks_failed) == ("survives", [], [])
    assert same.delta_facility_kw == pytest.approx(1.5) and same.delta_pue == pytest.approx(0.015)


def test_degraded_reasons_count_and_name_the_new_parts():
    base = _state(above_recommended=["R1"])
    out = judge(UNIT, _state(throttled=["R2", "R3"], above_recommended=["R1", "R4"],
                             coolant_over_limit=["CDU-A", "CDU-B", "CDU-C", "CDU-D"],
                             overloaded=["UPS-1"]), base)
    assert out.verdict == "degraded"
    assert out.reasons == ["2 racks throttle", "1 rack above the recommended inlet band",
                           "4 coolant returns over their limit (CDU-A, CDU-B, CDU-C, \u2026)",
                           "1 part over its rating (UPS-1)"]
    one = judge(UNIT, _state(coolant_over_limit=["CDU-A"], throttled=["R2"],
                             above_recommended=["R4", "R5"], overloaded=["U1", "U2"]), base)
    assert one.reasons == ["1 rack throttles", "2 racks above the recommended inlet band",
                           "1 coolant return over its limit (CDU-A)",
                           "2 parts over their rating (U1, U2)"]


def test_a_rack_newly_past_a_hard_limit_fails_the_scenario():
    base = _state(shut_down=["R7"])
    out = judge(UNIT, _state(unpowered=["R1"], shut_down=["R7", "R8"],
                             short_of_coolant=["R2", "R3"], beyond_allowable=["R4"],
                             throttled=["R5"], pue=None), base)
    assert out.verdict == "fails"
    assert out.reasons == ["1 rack lose power", "1 rack shut down (coolant)",
                           "2 racks short of coolant flow",
                           "1 rack beyond the allowable inlet band", "1 rack throttles"]
    assert out.racks_failed == ["R1", "R2", "R3", "R4", "R8"]
    assert out.delta_pue is None
    none = judge(UNIT, None, base, "the air solve did not converge", seconds=2.5)
    assert (none.verdict, none.reasons, none.state, none.seconds) == (
        "fails", ["the air solve did not converge"], None, 2.5)
    assert judge(UNIT, None, base).reasons == ["no steady state"]
    assert none.to_json()["state"] is None and out.to_json()["state"]["unpowered"] == ["R1"]


def test_an_air_only_floor_has_no_rack_short_of_coolant():
    """A floor without a liquid loop (no liquid result): no rack can be short of coolant,
    the list is empty (the JSON row reads ``[]``, not null) and a scenario on it is judged
    on the air alone — R3 beyond the allowable band is its one failed rack."""
    res = _result()
    res.liquid, res.cdu_ids = None, []
    s = floor_state(res, "A1", None)
    assert s.short_of_coolant == [] and s.worst_coolant_return_c is None
    assert s.failed_racks == {"R3"}
    out = judge(UNIT, s, _state())
    assert out.verdict == "fails" and out.racks_failed == ["R3"]
    assert out.to_json()["state"]["short_of_coolant"] == []
