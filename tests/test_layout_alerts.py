"""Layout alerts (issue 14, item 4): overlaps, footprints in or gaps in a contained aisle,
N−1 shortfalls against the hall's design redundancy target; and the one worst-inlet rule
(item 12) and the report's wording of plants and unit returns (item 11)."""

import dataclasses

import numpy as np
import pytest

from tests.conftest import LAYOUTS, SAMPLES
from twin.engine import layout_alerts as la
from twin.engine.export import result_document, worst_inlet_entry
from twin.engine.simulate import simulate
from twin.io import load_layout, loads_layout
from twin.physics.metrics import worst_inlet_index, worst_inlet_order


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_samples_have_no_geometry_alerts(path):
    assert la.geometry_alerts(load_layout(path)) == []


def test_rack_moved_into_the_hot_aisle_blocks_it_and_opens_its_wall():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    lay.move_racks(["A04"], [5.1], [4.8])           # from the south row into HAC-1
    found = {(a.kind, a.target, a.severity) for a in la.geometry_alerts(lay)}
    assert found == {("in_contained_aisle", "A04", "critical"),
                     ("containment_open", "A03", "critical")}
    gap = next(a for a in la.geometry_alerts(lay) if a.kind == "containment_open")
    assert "HAC-1" in gap.message and "0.60 m gap in its south wall" in gap.message
    res = simulate(lay)                              # the result carries them, sorted
    assert {("in_contained_aisle", "A04"), ("containment_open", "A03")} <= {
        (a.kind, a.target) for a in res.alerts}
    doc = result_document(lay, res)                  # and so do the JSON and the report
    assert any(a["kind"] == "containment_open" for a in doc["alerts"])


def test_overlap_alerts_name_both_footprints():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    lay.move_racks(["A04"], [4.8], [3.6])
    alerts = [a for a in la.geometry_alerts(lay) if a.kind == "footprint_overlap"]
    assert [(a.target, a.message) for a in alerts] == [
        ("A03", "footprint overlaps A04"), ("A04", "footprint overlaps A03")]


def test_a_rack_leaving_the_row_opens_the_wall_it_formed():
    lay = load_layout(LAYOUTS / "air-cooled-hall.json")
    rid = str(lay.racks.ids[5])
    lay.move_racks([rid], [1.0], [14.0])
    kinds = [(a.kind, a.target) for a in la.geometry_alerts(lay)]
    assert len([k for k in kinds if k[0] == "containment_open"]) == 1


def test_gap_rule_on_plain_spans():
    assert la._uncovered([(0.0, 1.0, "a"), (1.0, 2.0, "b")], 0.0, 2.0) == []
    assert la._uncovered([(0.0, 1.0, "a"), (1.6, 2.0, "b")], 0.0, 2.0) == [(1.0, 1.6, "a")]
    assert la._uncovered([(0.5, 2.0, "b")], 0.0, 2.0) == [(0.0, 0.5, "b")]
    assert la._uncovered([], 0.0, 2.0) == [(0.0, 2.0, "")]
    assert la._uncovered([(0.0, 1.98, "a")], 0.0, 2.0) == []       # within GAP_TOL_M


def test_group_shortfall_by_target():
    caps = np.array([900.0, 900.0, 450.0])
    assert la.group_shortfall(caps, 1500, "N") is None
    assert la.group_shortfall(caps, 1300, "N+1") is None
    assert la.group_shortfall(caps, 1400, "N+1") == (1, 1350.0)
    assert la.group_shortfall(caps, 400, "2N") is None          # 450 left after 2 lost
    assert la.group_shortfall(caps, 500, "2N") == (2, 450.0)
    assert la.units_to_lose("2N", 4) == 2


def test_gb200_cdu_n_minus_1_shortfall_follows_the_design_target():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    res = simulate(lay)
    short = [a for a in res.alerts if a.kind == "redundancy_shortfall"]
    assert [(a.severity, a.target) for a in short] == [("warning", "CDU-A")]
    assert "1,350 kW" in short[0].message and "1,704 kW" in short[0].message
    lay.hall = dataclasses.replace(lay.hall, redundancy_target="N")
    assert not [a for a in simulate(lay).alerts if a.kind == "redundancy_shortfall"]


def test_2n_target_checks_cdus_and_pumps():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    lay.hall = dataclasses.replace(lay.hall, redundancy_target="2N")
    msgs = [a.message for a in simulate(lay).alerts if a.kind == "redundancy_shortfall"]
    assert any(m.startswith("CDUs below the 2N design target") for m in msgs)
    # pumps: 2 installed for 1 duty meet 2N; 3 for 2 duty do not
    assert la.group_shortfall(np.ones(2), 1, "2N") is None
    assert la.group_shortfall(np.ones(3), 2, "2N") == (2, 1.0)


def test_redundancy_target_is_optional_in_the_file_and_defaults_to_n_plus_1():
    text = ('{"format": "ai-factory-twin-layout", "version": 1, "hall": {"width_m": 10, '
            '"length_m": 10, "ceiling_height_m": 3}, "racks": []}')
    assert loads_layout(text).hall.redundancy_target == "N+1"
    lay = loads_layout(text.replace('"ceiling_height_m": 3', '"ceiling_height_m": 3, '
                                    '"redundancy_target": "2N"'))
    assert lay.hall.redundancy_target == "2N"


# ------------------------------------------------------------- item 12: one worst inlet
def test_worst_inlet_tie_break_max_then_mean_then_id():
    ids = ["R3", "R1", "R2", "R4"]
    hi = [30.0, 30.004, 30.0, 29.0]       # R3, R1, R2 tie at 0.01 K
    mean = [25.0, 24.0, 25.0, 28.0]        # R3 and R2 tie on the mean too
    assert worst_inlet_index(hi, mean, ids) == 2                  # R2 before R3 by id
    assert [ids[i] for i in worst_inlet_order(hi, mean, ids)] == ["R2", "R3", "R1", "R4"]
    assert worst_inlet_index([np.nan], [np.nan], ["X"]) == -1


def test_json_cli_and_report_name_the_same_worst_rack():
    from twin.cli import _summary_text
    from twin.report.pdf.content import hottest_racks, worst_inlet_rack
    lay = load_layout(LAYOUTS / "small-room.json")
    res = simulate(lay)
    doc = result_document(lay, res, "small-room.json")
    i = worst_inlet_index(res.air.rack_inlet_max_c, res.air.rack_inlet_mean_c, res.rack_ids)
    name = res.rack_ids[i]
    assert doc["metrics"]["worst_inlet_rack"] == name
    assert worst_inlet_entry(doc)["id"] == name == worst_inlet_rack(doc)["id"]
    assert f"at rack {name}" in _summary_text(doc)
    assert hottest_racks(doc)[0][0].text == name
    # a document without the named rack picks it by the same rule on its figures
    doc["metrics"].pop("worst_inlet_rack")
    for r in doc["racks"]:
        if r.get("inlet_max_c") is not None:
            r["inlet_max_c"], r["inlet_c"] = 30.0, 25.0
    assert worst_inlet_entry(doc)["id"] == sorted(r["id"] for r in doc["racks"])[0]


# ------------------------------------------------- item 11: plant names, unit returns
def test_report_names_an_air_only_plant_chilled_water_and_explains_returns():
    from twin.report.pdf.content import plant_names, return_note
    lay = load_layout(LAYOUTS / "small-room.json")
    doc = result_document(lay, simulate(lay))
    assert not doc["liquid"]["cdus"]
    assert plant_names(doc)["facility_water"] == "Chilled water (air units)"
    note = return_note(lay, list(lay.cooling_units.values()))
    assert "mixed air" in note and "not a heatmap reading" in note and " m;" in note
    pod = load_layout(LAYOUTS / "gb200-pod.json")
    assert plant_names(result_document(pod, simulate(pod)))["facility_water"] == \
        "Facility water (liquid loops)"


def test_report_colours_an_n_minus_1_capacity_below_the_load():
    from twin.report.pdf import style as st
    from twin.report.pdf.content import n_minus_1_cell
    assert n_minus_1_cell(1350, 1704).colour == st.SEVERITY["critical"]
    assert n_minus_1_cell(1350, 1704, "N").colour is None
    assert n_minus_1_cell(2000, 1704).colour is None


def test_the_session_marks_overlapping_racks_in_the_views():
    from tests.session.test_session import Posted
    from twin.session import Session
    lay = load_layout(LAYOUTS / "small-room.json")
    a, b = (str(i) for i in lay.racks.ids[:2])
    post = Posted()
    s = Session(lay, post=post, isolate=False)
    try:
        assert post.until(lambda: not s.busy and s.up_to_date)
        assert not {a, b} & s.alert_ids
        i = lay.racks.index_of(b)
        lay.move_racks([a], [lay.racks["x_m"][i]], [lay.racks["y_m"][i]])
        assert post.until(lambda: not s.busy and s.up_to_date)
        assert {a, b} <= s.alert_ids                  # marked in the plan and the 3-D view
        assert {(x.kind, x.target) for x in s.result.alerts} >= {
            ("footprint_overlap", a), ("footprint_overlap", b)}
    finally:
        s.close()


def test_pod_cdu_redundancy_alert_names_the_cdu_and_the_loop_load():
    """Two 1,350 kW CDUs carry the pod's loops: N+1 leaves 1,350 kW for the CDUs' whole
    load (racks' liquid heat + pump heat, the result's CDU loads summed)."""
    from tests.conftest import LAYOUTS
    from twin.engine.simulate import simulate
    from twin.io import load_layout

    res = simulate(load_layout(LAYOUTS / "gb200-pod.json"))
    (alert,) = [a for a in res.alerts if a.kind == "redundancy_shortfall"]
    load_kw = res.liquid.cdus.load_w.sum() / 1e3
    assert alert.target == "CDU-A" and alert.severity == "warning"
    assert f"1,350 kW of CDU capacity is left for {load_kw:,.0f} kW of load" in alert.message
