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


def test_footprints_leaving_the_hall_are_critical_outside_hall_alerts_by_id():
    """The small room is 12 m x 10.2 m: rack A01 centred 0.1 m from the north wall and
    room unit CRAH-1 centred 0.2 m west of the west wall both stick out; one critical
    ``outside_hall`` alert each, in id order, and nothing else (they overlap nothing)."""
    lay = load_layout(LAYOUTS / "small-room.json")
    lay.move_racks(["A01"], [6.0], [lay.hall.length_m - 0.1])
    lay.update_item("cooling_units", "CRAH-1", x_m=-0.2)
    assert [(a.severity, a.kind, a.target, a.message) for a in la.geometry_alerts(lay)] == [
        ("critical", "outside_hall", "A01", "footprint leaves the hall"),
        ("critical", "outside_hall", "CRAH-1", "footprint leaves the hall")]


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
    load_kw = res.liquid.cdus.load_w.sum() / 1e3     # racks' liquid heat + pump heat
    assert f"1,350 kW of CDU capacity is left for {load_kw:,.0f} kW" in short[0].message
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


def test_worst_inlet_entry_takes_the_named_rack_else_applies_the_same_rule_to_the_figures():
    """A document names its worst rack (metrics.worst_inlet_rack): that entry is it. A
    document without the name (or naming a rack it does not list) gets the rule of
    test_worst_inlet_tie_break_max_then_mean_then_id on its own figures: R3, R1, R2 tie on
    the hottest cell within 0.01 K, R3 and R2 on the mean (25 > 24), R2 wins by id; R0 has
    no air figures and is left out; no rack with figures: None."""
    racks = [{"id": "R3", "inlet_max_c": 30.0, "inlet_c": 25.0},
             {"id": "R1", "inlet_max_c": 30.004, "inlet_c": 24.0},
             {"id": "R2", "inlet_max_c": 30.0, "inlet_c": 25.0},
             {"id": "R0", "inlet_max_c": None, "inlet_c": None},
             {"id": "R4", "inlet_max_c": 29.0, "inlet_c": None}]
    assert worst_inlet_entry({"racks": racks})["id"] == "R2"
    assert worst_inlet_entry({"racks": racks, "metrics": {"worst_inlet_rack": "gone"}})["id"] == "R2"
    assert worst_inlet_entry({"racks": racks, "metrics": {"worst_inlet_rack": "R4"}}) is racks[4]
    assert worst_inlet_entry({"racks": [racks[3]]}) is None


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
    post = Posted()
    s = Session(lay, post=post, isolate=False)
    try:
        assert post.until(lambda: not s.busy and s.up_to_date)
        a, b = [str(i) for i in lay.racks.ids if str(i) not in s.alert_ids][:2]   # quiet racks
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


# ------------------------------------------------ containment walls: boundaries, both axes
def _gaps(z, spans_by_rack, width_m=10.0, length_m=8.0):
    """Alerts of `_wall_gaps` for aisle z = (x0, y0, x1, y1) and racks {id: bounds}."""
    ids = np.array(list(spans_by_rack), dtype=object)
    bounds = np.array(list(spans_by_rack.values()), float).reshape(-1, 4)
    return la._wall_gaps("HAC-9", "hot aisle", np.array(z, float), ids, bounds,
                         width_m, length_m)


def test_an_aisle_running_north_south_names_its_west_and_east_walls():
    """Aisle 1.2 m wide in x, 6 m long in y: its walls are the x = 4.0 (west) and
    x = 5.2 (east) sides. West racks cover y 1-3 and 3.6-7, so 0.60 m is open at
    y = 3.00-3.60 m next to W2 (the rack before the gap); the east side is closed."""
    racks = {"W1": (2.8, 1.0, 4.0, 2.0), "W2": (2.8, 2.0, 4.0, 3.0), "W3": (2.8, 3.6, 4.0, 7.0),
             "E1": (5.2, 1.0, 6.4, 7.0)}
    (alert,) = _gaps((4.0, 1.0, 5.2, 7.0), racks)
    assert (alert.severity, alert.kind, alert.target) == ("critical", "containment_open", "W2")
    assert alert.message.startswith(
        "hot aisle HAC-9 is open: 0.60 m gap in its west wall at y = 3.00\u20133.60 m")
    # the same gap on the east side is named east, and the x-running aisle's sides
    racks = {"W1": (2.8, 1.0, 4.0, 7.0), "E1": (5.2, 1.0, 6.4, 3.0), "E2": (5.2, 3.6, 6.4, 7.0)}
    (alert,) = _gaps((4.0, 1.0, 5.2, 7.0), racks)
    assert alert.target == "E1" and "gap in its east wall at y = 3.00" in alert.message
    racks = {"S1": (1.0, 1.8, 3.0, 3.0), "S2": (3.6, 1.8, 7.0, 3.0), "N1": (1.0, 4.2, 7.0, 5.4)}
    (alert,) = _gaps((1.0, 3.0, 7.0, 4.2), racks)
    assert alert.target == "S1" and "gap in its south wall at x = 3.00\u20133.60 m" in alert.message


def test_a_side_with_no_rack_at_all_is_open_along_its_whole_length_and_targets_the_zone():
    (alert,) = _gaps((4.0, 1.0, 5.2, 7.0), {"W1": (2.8, 1.0, 4.0, 7.0)})
    assert alert.target == "HAC-9"
    assert "6.00 m gap in its east wall at y = 1.00\u20137.00 m" in alert.message


def test_a_side_within_the_wall_tolerance_of_the_hall_boundary_is_a_wall():
    """A side at most HALL_WALL_TOL_M from either hall boundary is not checked; one
    a centimetre further in is, and (nothing standing there) is open along its length."""
    tol, width = la.HALL_WALL_TOL_M, 10.0
    # a north-south aisle whose sides sit exactly on both hall boundaries (x = tol, W - tol)
    assert _gaps((tol, 0.0, width - tol, 30.0), {}, width_m=width, length_m=30.0) == []
    # one centimetre inside on the east: that side is checked and found open
    alerts = _gaps((tol, 0.0, width - tol - 0.01, 30.0), {}, width_m=width, length_m=30.0)
    assert [a.target for a in alerts] == ["HAC-9"] and "east wall" in alerts[0].message
    alerts = _gaps((tol + 0.01, 0.0, width - tol, 30.0), {}, width_m=width, length_m=30.0)
    assert [a.target for a in alerts] == ["HAC-9"] and "west wall" in alerts[0].message


def test_only_footprints_within_the_wall_band_close_a_side():
    """The band is WALL_BAND_M wide just outside the side: a rack whose face stands
    exactly WALL_BAND_M away does not touch it (strict overlap), one 1 cm closer does."""
    z = (1.0, 3.0, 7.0, 4.2)          # runs in x; south side y = 3.0, north side y = 4.2
    north = {"N1": (1.0, 4.2, 7.0, 5.4)}
    away = 3.0 - la.WALL_BAND_M
    (alert,) = _gaps(z, {**north, "S1": (1.0, away - 1.2, 7.0, away)})
    assert alert.target == "HAC-9" and "south wall" in alert.message
    assert _gaps(z, {**north, "S1": (1.0, away - 1.19, 7.0, away + 0.01)}) == []
    # a rack inside the aisle's far side (across it) does not close the south side
    (alert,) = _gaps(z, {**north, "X": (1.0, 4.0, 7.0, 4.2 + 1.0)})
    assert "south wall" in alert.message


def test_gap_rule_boundaries_and_nested_spans():
    tol = la.GAP_TOL_M
    assert la._uncovered([], 0.0, tol) == []                        # exactly the tolerance
    assert la._uncovered([(tol, 1.0, "a")], 0.0, 1.0) == []          # a gap of exactly tol
    assert la._uncovered([(0.0, 0.5, "a"), (0.5 + 2 * tol, 1.0, "b")], 0.0, 1.0) == [
        (0.5, 0.5 + 2 * tol, "a")]
    # a short span inside a long one does not pull the covered reach back
    assert la._uncovered([(0.0, 2.0, "a"), (0.5, 1.0, "b"), (2.5, 3.0, "c")], 0.0, 3.0) == [
        (2.0, 2.5, "a")]
    # the side starts at lo, not at zero: spans before lo count from lo
    assert la._uncovered([(5.0, 6.0, "a")], 5.0, 6.0) == []
    assert la._uncovered([(5.5, 6.0, "a")], 5.0, 6.0) == [(5.0, 5.5, "a")]


# --------------------------------------------------------- redundancy: boundaries, ties
def test_group_shortfall_at_exactly_the_load_is_no_shortfall():
    caps = np.array([450.0, 900.0, 900.0])
    assert la.group_shortfall(caps, 1350.0, "N+1") is None          # left == load
    assert la.group_shortfall(caps, 1350.1, "N+1") == (1, 1350.0)
    assert la.group_shortfall(caps, 450.0, "2N") is None            # ⌈3/2⌉ = 2 lost
    assert la.group_shortfall(caps, 0.0, "N+1") is None            # nothing to carry
    assert la.group_shortfall(np.array([300.0]), 1.0, "N+1") == (1, 0.0)   # a lone member
    assert [la.units_to_lose("2N", n) for n in (1, 2, 3, 4, 5)] == [1, 1, 2, 2, 3]
    assert la.units_to_lose("N", 7) == 0 and la.units_to_lose("N+1", 7) == 1
    assert la.units_to_lose("something else", 7) == 1             # unknown: N+1


def test_power_groups_by_kind_with_ties_named_by_id_and_unrated_members_left_out():
    """UPSs rated 500, 500 and 300 kW carrying 300 kW each: N+1 loses a 500, leaving
    800 kW for 900 kW. The two 500s tie, so the alert names the first id (UPS-1), even
    though UPS-2 comes first in the list. The transformer without a rating (NaN) and the
    one rated 0 are no group, so no transformer alert; the utility is never a group."""
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    alerts = la.redundancy_alerts(
        lay, power_ids=["UPS-2", "UPS-1", "UPS-3", "TX-1", "TX-2", "UTIL"],
        power_kinds=["ups", "ups", "ups", "transformer", "transformer", "utility"],
        power_rating_kw=np.array([500.0, 500.0, 300.0, np.nan, 0.0, 100.0]),
        power_load_kw=np.array([300.0, 300.0, 300.0, 900.0, 900.0, 950.0]))
    assert [(a.severity, a.kind, a.target, a.message) for a in alerts] == [
        ("warning", "redundancy_shortfall", "UPS-1",
         "UPSs below the N+1 design target: with the largest of 3 failed, 800 kW of "
         "rating is left for 900 kW of load")]
    # two transformers, one rated: a lone rated member fails N+1 by itself
    alerts = la.redundancy_alerts(
        lay, power_ids=["TX-1", "TX-2"], power_kinds=["transformer", "transformer"],
        power_rating_kw=np.array([2000.0, np.nan]), power_load_kw=np.array([700.0, 0.0]))
    assert [(a.target, a.message) for a in alerts] == [
        ("TX-1", "Transformers below the N+1 design target: with the largest of 1 failed, "
                 "0 kW of rating is left for 700 kW of load")]


def test_room_unit_group_counts_enabled_units_only_with_their_own_capacity():
    """Four 150 kW CRAHs; CRAH-1 carries its own 200 kW rating and CRAH-2 is switched
    off. The group is CRAH-1, -3, -4 (550 kW); N+1 loses CRAH-1, leaving 300 kW for the
    enabled units' 140 + 0 (NaN) + 160 = 300 kW: exactly enough. 10 kW more is short,
    and the disabled unit's 999 kW is never counted."""
    lay = load_layout(LAYOUTS / "small-room.json")
    lay.update_item("cooling_units", "CRAH-1", capacity_kw=200.0)
    lay.update_item("cooling_units", "CRAH-2", enabled=False)
    ids = ["CRAH-1", "CRAH-2", "CRAH-3", "CRAH-4"]
    assert la.redundancy_alerts(lay, unit_ids=ids,
                                unit_load_kw=np.array([140.0, 999.0, np.nan, 160.0])) == []
    (alert,) = la.redundancy_alerts(lay, unit_ids=ids,
                                    unit_load_kw=np.array([150.0, 999.0, np.nan, 160.0]))
    assert alert.target == "CRAH-1"
    assert alert.message == ("Room air units below the N+1 design target: with the largest "
                             "of 3 failed, 300 kW of air cooling is left for 310 kW of load")


def test_two_n_names_how_many_largest_members_are_lost():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    lay.hall = dataclasses.replace(lay.hall, redundancy_target="2N")
    (alert,) = la.redundancy_alerts(
        lay, power_ids=["U1", "U2", "U3"], power_kinds=["ups"] * 3,
        power_rating_kw=np.array([400.0, 300.0, 500.0]), power_load_kw=np.array([110.0] * 3))
    assert alert.target == "U3"                          # the largest, wherever it stands
    assert alert.message == ("UPSs below the 2N design target: with the 2 largest of 3 "
                             "failed, 300 kW of rating is left for 330 kW of load")


class _Floor:
    """A floor geometry with hand-placed footprints (x0, y0, x1, y1) round one aisle."""

    def __init__(self, zone_id, zone, boxes):
        self.zone_ids = [zone_id]
        self.zone_bounds_m = np.array([zone], float)
        self._ids = np.array(list(boxes))
        self._bounds = np.array(list(boxes.values()), float)

    def obstacles(self):
        return self._ids, self._bounds


def test_a_footprint_reaching_exactly_the_tolerance_into_an_aisle_is_not_inside_it():
    """Aisle (2, 4)-(8, 6); AISLE_TOL_M = 0.05 m. A footprint whose edge lies exactly
    0.05 m inside any of the four sides is not in the aisle (strict comparisons); one
    whose edge lies 0.06 m inside is."""
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    assert la.AISLE_TOL_M == 0.05
    edge = {"W": (1.0, 4.5, 2.05, 5.5), "E": (7.95, 4.5, 9.0, 5.5),
            "S": (3.0, 3.0, 4.0, 4.05), "N": (5.0, 5.95, 6.0, 7.0)}
    past = {k + "+": (b[0] - (k == "E") * 0.01, b[1] - (k == "N") * 0.01,
                      b[2] + (k == "W") * 0.01, b[3] + (k == "S") * 0.01) for k, b in edge.items()}
    alerts = la._aisle_alerts(lay, _Floor("HAC-1", (2.0, 4.0, 8.0, 6.0), {**edge, **past}))
    inside = sorted(a.target for a in alerts if a.kind == "in_contained_aisle")
    assert inside == ["E+", "N+", "S+", "W+"]
