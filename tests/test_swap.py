"""Generation swap (twin/engine/swap.py, docs/physics.md §16): the swapped layout, what
breaks against hand-built before/after figures, and on the GB200 pod."""

import json

import pytest

from tests.conftest import LAYOUTS
from twin.cli import main
from twin.engine.swap import swap_report, swapped, what_breaks
from twin.io import load_layout


@pytest.fixture(scope="module")
def pod():
    return load_layout(LAYOUTS / "gb200-pod.json")


def _doc(unit_pct=50.0, cdu_pct=60.0, load_pct=40.0, fail_pct=80.0, inlet=25.0, state="running",
         unmet=0.0, floor_over=()):
    return {"cooling_units": [{"id": "C1", "load_kw": 1.5 * unit_pct, "capacity_pct": unit_pct},
                              {"id": "C2", "load_kw": 1.5 * unit_pct, "capacity_pct": unit_pct}],
            "liquid": {"cdus": [{"id": "CDU-1", "load_kw": 10.0 * cdu_pct, "capacity_pct": cdu_pct}]},
            "power": {"components": [{"id": "UPS-1", "rating_kw": 1000.0, "load_kw": 10.0 * load_pct,
                                      "load_pct": load_pct, "worst_failover_pct": fail_pct}]},
            "racks": [{"id": "R1", "inlet_max_c": inlet, "state": state, "power_kw": 100.0,
                       "demand_kw": 120.0}],
            "plant": {"facility_water": {"chiller_unmet_kw": unmet, "chiller_load_kw": 500.0}},
            "floor": {"rating_kg_m2": 1500.0, "point_rating_kn": None, "max_rack_load_kg_m2": 1889.0,
                      "max_point_kn": 3.3, "racks_over_rating": list(floor_over),
                      "racks_over_point_rating": []}}


def test_nothing_over_before_or_after_breaks_nothing(pod):
    assert what_breaks(pod, _doc(), _doc()) == []


def test_each_part_over_its_limit_after_and_not_before_with_margin_and_fix(pod):
    """Units at 120 % of 150 kW (180 kW each, 360 of 300 kW: the group is 60 kW short, one
    more unit); the CDU at 1,250 of 1,000 kW (one more); the UPS at 1,120 of 1,000 kW
    (rating 1,150 kW, the next 50 kW); an A1 rack inlet at 33.4 C (1.4 K over 32 C);
    chillers 80 kW short; the floor over 1,500 kg/m2."""
    before = _doc()
    after = _doc(unit_pct=120.0, cdu_pct=125.0, load_pct=112.0, inlet=33.4, unmet=80.0,
                 floor_over=("R1",))
    b = {(x.part, x.kind): x for x in what_breaks(pod, before, after)}
    c1 = b[("C1", "cooling unit")]
    assert c1.value == 180.0 and c1.limit_value == pytest.approx(150.0)
    assert c1.margin == pytest.approx(-30.0) and c1.fix.startswith("1 more")
    assert "60 kW short" in c1.fix
    cdu = b[("CDU-1", "CDU")]
    assert cdu.margin == pytest.approx(-250.0) and cdu.fix.startswith("1 more CDU")
    ups = b[("UPS-1", "power")]
    assert ups.value == 1120.0 and "1,150 kW" in ups.fix
    rack = b[("R1", "rack inlet")]
    assert rack.limit_value == 32.0 and "1.4 K lower" in rack.fix
    plant = b[("plant/facility_water", "plant")]
    assert plant.value == 500.0 and plant.limit_value == 420.0 and "80 kW" in plant.fix
    floor = b[("R1", "floor")]
    assert "1,900 kg/m" in floor.fix
    # already over before: not what the swap broke
    assert what_breaks(pod, after, after) == []


def test_a_failover_only_overload_and_a_throttled_rack(pod):
    after = _doc(fail_pct=130.0, state="throttled")
    b = {(x.part, x.kind): x for x in what_breaks(pod, _doc(), after)}
    f = b[("UPS-1", "power (2N failover)")]
    assert f.value == pytest.approx(1300.0) and "1,300 kW" in f.fix
    t = b[("R1", "coolant")]
    assert t.value == 120.0 and t.limit_value == 100.0 and t.margin == -20.0


def test_swapped_layout_and_bad_names(pod):
    snap, ids = swapped(pod, "gb300-nvl72", from_model="gb200-nvl72")
    assert len(ids) == 16 and set(snap.racks["model"].tolist()) == {"gb300-nvl72", "ib-network-rack"}
    assert set(pod.racks["model"].tolist()) == {"gb200-nvl72", "ib-network-rack"}   # untouched
    with pytest.raises(KeyError, match="closest"):
        swapped(pod, "gb400")
    with pytest.raises(ValueError, match="not a rack model"):
        swapped(pod, "cdu-inrow-1350")
    with pytest.raises(KeyError, match="NOPE"):
        swapped(pod, "gb300-nvl72", racks=["NOPE"])


def test_kyber_on_the_pod_overloads_the_cdus_and_the_2n_feeds(pod):
    """16 Rubin Ultra NVL576 racks (600 kW nameplate each) where 16 GB200 stood: each
    in-row CDU (1,350 kW) is over capacity, and every 2N power part over its rating with
    the other side lost; GB300 breaks nothing."""
    r = swap_report(pod, "rubin-ultra-nvl576", from_model="gb200-nvl72")
    kinds = {(x.part, x.kind) for x in r.breaks}
    assert {("CDU-A", "CDU"), ("CDU-B", "CDU")} <= kinds
    cdus = {c["id"]: c for c in r.after["liquid"]["cdus"]}
    assert all(cdus[c]["capacity_pct"] > 100 for c in ("CDU-A", "CDU-B"))
    power = {x.part for x in r.breaks if x.kind.startswith("power")}
    over = {c["id"] for c in r.after["power"]["components"] if c["worst_failover_pct"] > 100}
    assert power == over and power
    assert r.after["metrics"]["it_power_kw"] > 2 * r.before["metrics"]["it_power_kw"]
    assert swap_report(pod, "gb300-nvl72", from_model="gb200-nvl72").breaks == []


def test_cli_swap_json_and_saved_layout(tmp_path, capsys):
    out = tmp_path / "swapped.json"
    assert main(["swap", str(LAYOUTS / "gb200-pod.json"), "--to", "vera-rubin-nvl144",
                 "--from", "gb200-nvl72", "--json", "--save", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["to_model"] == "vera-rubin-nvl144" and len(doc["racks"]) == 16
    assert set(doc) == {"file", "to_model", "racks", "summary", "before", "after", "breaks"}
    assert load_layout(out).racks["model"].tolist().count("vera-rubin-nvl144") == 16
    assert main(["swap", str(LAYOUTS / "gb200-pod.json"), "--to", "crah-150"]) == 1
    assert "not a rack model" in capsys.readouterr().err


def test_cli_power_compare_json_matches_the_engine(pod, capsys):
    from twin.engine.power_compare import compare_power
    from twin.engine.simulate import simulate
    assert main(["power-compare", str(LAYOUTS / "gb200-pod.json"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    expect = compare_power(pod, simulate(pod)).to_json()
    assert doc["dc"]["facility_kw"] == pytest.approx(expect["dc"]["facility_kw"], rel=1e-6)
    assert doc["ac"]["conversions"] == 4 and doc["dc"]["conversions"] == 2
    # the racks' AC input as solved is what the AC chain's PSUs take in
    assert doc["ac"]["rack_input_kw"] == pytest.approx(simulate(pod).facility.it_kw, rel=1e-6)
    assert doc["saving_kw"] > 0 and 0 < doc["copper_saving_pct"] < 100


def test_a_unit_group_is_short_only_by_units_of_the_same_model(pod):
    """Two in-row coolers (70 kW) over capacity beside a CRAH (150 kW) with room to spare:
    the in-row group is (140 + 105) - (70 + 70) = 105 kW short, ceil(105 / 70) = 2 more
    in-row units; the CRAH's spare 135 kW cannot cool in-row racks and does not count."""
    lay = pod.snapshot()
    lay.update_item("cooling_units", "IRC-B1", model="crah-150")

    def units(a1_pct, a2_pct, b1_pct):
        return {"cooling_units": [
            {"id": "IRC-A1", "load_kw": 0.7 * a1_pct, "capacity_pct": a1_pct},
            {"id": "IRC-A2", "load_kw": 0.7 * a2_pct, "capacity_pct": a2_pct},
            {"id": "IRC-B1", "load_kw": 1.5 * b1_pct, "capacity_pct": b1_pct}]}

    before, after = _doc(), _doc()
    before.update(units(50.0, 50.0, 10.0))
    after.update(units(200.0, 150.0, 10.0))
    b = {x.part: x for x in what_breaks(lay, before, after) if x.kind == "cooling unit"}
    assert set(b) == {"IRC-A1", "IRC-A2"}
    name = pod.catalogue["inrow-70"].name
    fix = f"2 more {name} units (the group is 105 kW short)"
    assert b["IRC-A1"].fix == fix and b["IRC-A2"].fix == fix
    assert (b["IRC-A1"].value, b["IRC-A1"].limit_value, b["IRC-A1"].limit) == (
        pytest.approx(140.0), pytest.approx(70.0), "capacity 70 kW")


def test_a_power_part_that_only_exists_after_the_swap_breaks_when_over(pod):
    """UPS-2 is new (not in the before document) and at 110 % of 500 kW: 550 kW, which is
    a whole number of 50 kW steps, so the rating it needs is exactly 550 kW."""
    after = _doc()
    after["power"]["components"].append({"id": "UPS-2", "rating_kw": 500.0, "load_kw": 550.0,
                                         "load_pct": 110.0, "worst_failover_pct": 110.0})
    (x,) = what_breaks(pod, _doc(), after)
    assert (x.part, x.kind, x.limit, x.value, x.limit_value, x.unit) == (
        "UPS-2", "power", "rating 500 kW", 550.0, 500.0, "kW")
    assert x.fix == "a rating of at least 550 kW" and x.margin == -50.0


def test_an_unpowered_rack_needs_a_feed_not_coolant(pod):
    after = _doc(state="unpowered")
    after["racks"][0]["power_kw"] = 0.0
    (x,) = what_breaks(pod, _doc(), after)
    assert (x.part, x.kind, x.limit, x.value, x.limit_value, x.fix) == (
        "R1", "power", "rack unpowered: runs at 0 kW", 120.0, 0.0, "an energised feed")
    # a rack shut down for want of coolant is a coolant break
    (y,) = what_breaks(pod, _doc(), _doc(state="shutdown"))
    assert (y.kind, y.fix) == ("coolant", "more coolant flow or cooler coolant on its loop")


def test_racks_over_the_point_rating_and_the_rating_they_need(pod):
    """3.33 kN on a 3 kN point rating: the fix is the next 0.1 kN up, 3.4 kN; racks already
    over before are not listed; more than five racks are cut to five and an ellipsis."""
    def floor(over):
        d = _doc()
        d["floor"].update(point_rating_kn=3.0, max_point_kn=3.33, racks_over_point_rating=over)
        return d

    (x,) = what_breaks(pod, floor(["R0"]), floor(["R2", "R1", "R0"]))
    assert (x.part, x.kind, x.limit, x.value, x.limit_value, x.unit) == (
        "R1, R2", "floor", "point rating 3 kN", 3.33, 3.0, "kN")
    assert x.fix == "a point rating of at least 3.4 kN (or load-spreading plates)"
    (many,) = what_breaks(pod, floor([]), floor([f"R{i}" for i in range(7, 0, -1)]))
    assert many.part == "R1, R2, R3, R4, R5 \u2026"


def test_power_compare_rates_the_chain_for_racks_and_immersion_tanks(pod):
    """Every stage is rated for the IT nameplate on the floor: the racks' catalogue
    nameplates plus each tank's IT (here a 90 kW tank beside the pod's racks)."""
    from twin.engine.power_compare import compare_power
    from twin.engine.simulate import simulate
    from twin.model.equipment import ImmersionTank
    lay = pod.snapshot()
    lay.add_item("tanks", ImmersionTank("TK1", "immersion-tank-100", 12.5, 9.0, it_kw=90.0))
    plates = sum(lay.catalogue[m].get("nameplate_kw") for m in lay.racks["model"])
    pc = compare_power(lay, simulate(lay))
    assert pc.rated_kw == pytest.approx(plates + 90.0)
    assert pc.to_json()["rated_kw"] == round(plates + 90.0, 3)


def test_the_cdu_fix_counts_the_cdus_the_loop_needs_in_words(pod):
    """The loop's load over one CDU's capacity, less the one it has: 1,250 of 1,000 kW ->
    "1 more CDU" (250 kW short); 2,500 of 1,000 kW -> "2 more CDUs" (1,500 kW short)."""
    (one,) = [x for x in what_breaks(pod, _doc(), _doc(cdu_pct=125.0)) if x.kind == "CDU"]
    assert one.fix == "1 more CDU of this model on its loop, or 250 kW of CDU capacity more"
    (two,) = [x for x in what_breaks(pod, _doc(), _doc(cdu_pct=250.0)) if x.kind == "CDU"]
    assert two.fix == "2 more CDUs of this model on its loop, or 1,500 kW of CDU capacity more"


def test_exactly_five_racks_over_the_point_rating_are_all_named_without_an_ellipsis(pod):
    """The part names up to five racks; only a sixth and more are cut to an ellipsis."""
    d = _doc()
    d["floor"].update(point_rating_kn=3.0, max_point_kn=3.33,
                      racks_over_point_rating=["R5", "R4", "R3", "R2", "R1"])
    (x,) = what_breaks(pod, _doc(), d)
    assert x.part == "R1, R2, R3, R4, R5"
