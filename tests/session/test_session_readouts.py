"""The session's read-outs pinned exactly: colourings with and without a result, results
re-ordered for a changed rack table, the heatmap image and its notes, the solver-error
status, what-if scenarios shown over the base and back, and the tooltip lines.

Formatting tests show a hand-built result (values chosen so every rounding shows) through
the public ``show_scenario``; the heatmap tests use a real solve of the small room, done
once per module. Expected texts come from docs/physics.md (§8.1, §22) and the docstrings
of ``twin.model.units``, never from the code under test.
"""

import dataclasses
import time
from types import SimpleNamespace

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from tests.session.test_session import Posted
from twin.engine.live import SolveInfo
from twin.engine.reference_layers import RackReference
from twin.engine.simulate import simulate
from twin.engine.worker import Cancelled
from twin.io import load_layout
from twin.physics.air.solver import SolveError
from twin.physics.facility import Alert
from twin.session import HeatmapChoice, Session, SolvePhase, SolveStatus

NAN = float("nan")


def _small():
    return load_layout(LAYOUTS / "small-room.json")


@pytest.fixture
def idle():
    """A session on the small room without an engine: results arrive only when shown."""
    s = Session(_small(), live=False)
    yield s
    s.close()


@pytest.fixture(scope="module")
def solved():
    """A real result of the small room (air-cooled, class A1) and its snapshot."""
    lay = _small()
    return simulate(lay), lay


def _result(rack_ids, **fields):
    """A hand-built result with just what the session's read-outs read."""
    base = dict(rack_ids=list(rack_ids), unit_ids=[], cdu_ids=[], alerts=[], air=None,
                liquid=None, rack_power_kw=np.zeros(len(rack_ids)),
                rack_liquid_heat_kw=np.zeros(len(rack_ids)),
                rack_air_heat_kw=np.zeros(len(rack_ids)), ashrae_class="A1")
    base.update(fields)
    return SimpleNamespace(**base)


# ----- HeatmapChoice --------------------------------------------------------------------
def test_plan_part_drops_only_the_3d_sections():
    full = HeatmapChoice("inlet", 1.6, False, True, True, False, (18.0, 30.0), 2.5, 4.0, 27.0)
    assert full.plan_part() == HeatmapChoice("inlet", 1.6, False, True, True, False,
                                             (18.0, 30.0), None, None, None)
    assert full.plan_part().slice_y_m is None
    assert full.iso_c == 27.0 and full.slice_y_m == 4.0          # the original is kept


# ----- colour-by ------------------------------------------------------------------------
def test_set_colour_by_announces_the_key_it_chose(idle):
    s = idle
    s.add_colouring("inlet", "Inlet temperature", lambda lay: s.colouring_for("inlet", lay))
    keys = []
    s.events.colour_key.connect(keys.append)
    s.set_colour_by("inlet")
    s.set_colour_by("nameplate_kw")
    assert keys == ["inlet", "nameplate_kw"]


def test_live_colouring_before_any_result_is_blank_on_the_halls_class_scale():
    """No result yet: every rack NaN, drawn on the hall's ASHRAE-class scale (§22: A3 is
    15-43 °C, its own map), not A1's 15-35 °C."""
    lay = _small()
    lay.set_settings("hall", dataclasses.replace(lay.hall, ashrae_class="A3"))
    s = Session(lay, live=False)
    try:
        c = s.colouring_for("inlet")
        assert (c.key, c.label, c.unit) == ("inlet", "Rack inlet temperature", "\u00b0C")
        assert len(c.values) == 14 and np.isnan(c.values).all()
        assert (c.vmin, c.vmax, c.colormap) == (15.0, 43.0, "ashrae-A3")
        cap = s.colouring_for("capture")
        assert (cap.vmin, cap.vmax, cap.colormap) == (0.0, 1.0, "capture")
    finally:
        s.close()


def test_live_colouring_is_aligned_with_the_layout_it_is_asked_for(idle):
    s = idle
    other = _small()
    other.remove_racks(["A01", "A02", "A03"])
    assert len(s.colouring_for("power").values) == 14             # the session's layout
    assert len(s.colouring_for("power", other).values) == 11
    assert len(s.colouring_for("power", layout=other).values) == 11


def test_a_users_temperature_range_replaces_the_class_scale_for_temperatures_only(idle):
    """View > Temperature Scale (§22): inlet colours take the user's locked range with
    plain thermal colours; rack power keeps its own scale."""
    s = idle
    s.set_heatmap(temperature_range=(20.0, 30.5))
    inlet = s.colouring_for("inlet")
    assert (inlet.vmin, inlet.vmax, inlet.colormap) == (20.0, 30.5, "thermal")
    assert inlet.key == "inlet" and np.isnan(inlet.values).all()
    power = s.colouring_for("power")
    assert (power.vmin, power.vmax, power.colormap) == (0.0, 1.0, "power")


def test_moving_racks_or_a_cooling_units_model_does_not_recolour_by_model():
    """Colour by model depends on the rack set and the racks' models only."""
    lay = _small()
    s = Session(lay, live=False)
    try:
        seen = []
        s.colouring.changed.connect(seen.append)
        lay.move_racks(["A01"], [float(lay.racks["x_m"][0])], [float(lay.racks["y_m"][0]) + 0.1])
        other = next(e.key for e in lay.catalogue.of_kind("crah") if e.key != "crah-150")
        lay.update_item("cooling_units", "CRAH-1", model=other)
        assert seen == []
        rack_other = next(e.key for e in lay.catalogue.of_kind("rack")
                          if e.key != lay.racks["model"][0])
        lay.set_rack_values(["A01"], "model", rack_other)
        assert len(seen) == 1
    finally:
        s.close()


# ----- to_live --------------------------------------------------------------------------
def test_to_live_reorders_a_result_for_the_rack_table_and_leaves_new_racks_nan(idle):
    s = idle
    # a result of an older rack table: A03 before A01, and a rack since removed
    s.show_scenario("x", _result(["A03", "A01", "GONE"]), s.layout)
    got = s.to_live(np.array([3.0, 1.0, 99.0]))
    want = np.full(14, NAN)
    want[0], want[2] = 1.0, 3.0
    np.testing.assert_array_equal(got, want)
    other = _small()
    other.remove_racks(["A02"])            # A03 is the second rack of this table
    got = s.to_live([3, 1, 99], other)     # a plain list of ints is fine too
    assert got.dtype == float and len(got) == 13
    np.testing.assert_array_equal(got[:3], [1.0, 3.0, NAN])
    assert np.isnan(got[3:]).all()


def test_to_live_without_a_result_is_all_nan_and_an_empty_table_gives_nothing(idle):
    s = idle
    assert np.isnan(s.to_live(np.arange(14.0))).all() and len(s.to_live(np.arange(14.0))) == 14
    s.show_scenario("x", _result(["A03", "A01"]), s.layout)
    empty = _small()
    empty.remove_racks([str(r) for r in empty.racks.ids])
    got = s.to_live(np.array([3.0, 1.0]), empty)
    assert got.shape == (0,)


def test_to_live_hands_an_aligned_result_back_untouched(idle):
    """The result's rack order is the layout's: no copy per redraw."""
    s = idle
    ids = [str(r) for r in s.layout.racks.ids]
    s.show_scenario("x", _result(ids), s.layout)
    v = np.arange(14.0)
    assert s.to_live(v) is v


# ----- heatmap_image --------------------------------------------------------------------
def test_air_heatmap_at_the_chosen_height_on_the_class_scale(idle, solved):
    res, snap = solved
    s = idle
    s.show_scenario("x", res, snap)
    s.set_heatmap(metric="air", height_m=1.6)
    hm, note = s.heatmap_image()
    assert note == "" and hm.label == "Air temperature at 1.6 m" and hm.unit == "\u00b0C"
    assert hm.levels == (15.0, 35.0) and hm.colormap == "ashrae-A1"     # A1: 15-35 °C


def test_a_users_range_rescales_temperature_heatmaps_only(idle, solved):
    res, snap = solved
    s = idle
    s.show_scenario("x", res, snap)
    s.set_heatmap(metric="air", temperature_range=(19.0, 29.0))
    hm, note = s.heatmap_image()
    assert note == "" and hm.levels == (19.0, 29.0) and hm.colormap == "thermal"
    assert np.isfinite(hm.image).any()
    s.set_heatmap(metric="power")
    hm, note = s.heatmap_image()
    assert note == "" and hm.colormap == "power" and hm.levels[0] == 0.0
    assert hm.levels != (19.0, 29.0) and hm.levels[1] >= np.nanmax(hm.image)


def test_heatmap_notes_say_why_there_is_no_image(idle, solved):
    res, snap = solved
    s = idle
    s.set_heatmap(metric="coolant")
    s.show_scenario("x", res, snap)
    assert s.heatmap_image() == (
        None, "No coolant return to show: no rack here is on a CDU loop.")
    s.set_heatmap(metric="air")          # the field of a coarse pass is not current
    s.show_scenario("y", dataclasses.replace(
        res, air=dataclasses.replace(res.air, field_current=False)), snap)
    assert s.heatmap_image() == (None, "The air field is being refreshed\u2026")
    s.set_heatmap(metric="capture")      # results with no capture index computed
    s.show_scenario("z", dataclasses.replace(res, air=dataclasses.replace(
        res.air, rack_capture_index=np.full(len(res.rack_ids), NAN))), snap)
    assert s.heatmap_image() == (None, "Nothing to show for this layout.")
    s.set_heatmap(metric="inlet")        # no unit moves air
    s.show_scenario("w", dataclasses.replace(res, air=None), snap)
    assert s.heatmap_image() == (
        None, "No air temperatures: no cooling unit moves air in this layout.")
    s.set_heatmap(metric="air")
    assert s.heatmap_image() == (
        None, "No air temperatures: no cooling unit moves air in this layout.")


def test_the_cfd_reference_heatmap_uses_the_reference_and_the_users_range(idle, solved):
    res, snap = solved
    s = idle
    s.show_scenario("x", res, snap)
    s.set_heatmap(metric="cfd_inlet")
    assert s.heatmap_image()[0] is None and s.heatmap_image()[1].startswith("No CFD result")
    s.set_reference(RackReference("run-7", ("A02", "A05"), np.array([21.0, 23.0]),
                                  np.array([24.0, 31.5])))
    hm, note = s.heatmap_image()
    assert note == "" and hm.levels == (15.0, 35.0) and hm.colormap == "ashrae-A1"
    assert np.nanmax(hm.image) == 31.5 and np.nanmin(hm.image) == 24.0
    s.set_heatmap(temperature_range=(20.0, 32.0))
    hm, note = s.heatmap_image()
    assert note == "" and hm.levels == (20.0, 32.0) and hm.colormap == "thermal"


# ----- solver errors --------------------------------------------------------------------
def _info(request_id=1):
    now = time.perf_counter()
    return SolveInfo(request_id, False, False, now, now)


def _fail(s: Session, exc: BaseException, gen=None):
    """What the engine's error callback does, as posted to the session's thread."""
    s._on_error(s._generation if gen is None else gen, exc, _info())


def test_a_solver_error_reports_its_first_line_and_the_whole_text(idle):
    s = idle
    failed = []
    s.events.failed.connect(failed.append)
    _fail(s, SolveError("no steady state: CRAH-1 short by 12 kW\ncheck the capacities"))
    assert s.status.phase is SolvePhase.ERROR
    assert s.status.text == "Solver error: no steady state: CRAH-1 short by 12 kW"
    assert s.status.tooltip == (
        "The last edit could not be solved:\nno steady state: CRAH-1 short by 12 kW\n"
        "check the capacities\n\nThe views still show the previous result. Undo (Ctrl+Z) "
        "or fix the layout.")
    assert failed == ["no steady state: CRAH-1 short by 12 kW\ncheck the capacities"]
    assert s.up_to_date                   # the latest edit's outcome is what is shown


def test_an_unexpected_error_is_named_and_an_empty_message_shows_its_type(idle):
    s = idle
    failed = []
    s.events.failed.connect(failed.append)
    _fail(s, ZeroDivisionError("float division by zero"))
    assert s.status.text == "Solver error: ZeroDivisionError: float division by zero"
    assert failed == ["ZeroDivisionError: float division by zero"]
    _fail(s, ValueError("bad rack height"))
    assert s.status.text == "Solver error: bad rack height"
    _fail(s, ValueError(""))
    assert s.status.text == "Solver error: ValueError" and failed[-1] == ""


def test_a_long_error_line_is_cut_after_70_characters(idle):
    s = idle
    _fail(s, ValueError("x" * 70))
    assert s.status.text == "Solver error: " + "x" * 70
    _fail(s, ValueError("y" * 71))
    assert s.status.text == "Solver error: " + "y" * 67 + "\u2026"


def test_cancelled_solves_and_errors_of_an_older_engine_are_ignored(idle):
    s = idle
    failed, statuses = [], []
    s.events.failed.connect(failed.append)
    s.events.status.connect(statuses.append)
    _fail(s, Cancelled())
    _fail(s, ValueError("from an engine since replaced"), gen=s._generation - 1)
    assert failed == [] and statuses == [] and s.error is None
    assert s.status.phase is SolvePhase.NOT_RUN


# ----- what-if scenarios ----------------------------------------------------------------
def test_a_scenario_is_shown_over_no_result_and_cleared_back_to_nothing(idle, solved):
    res, snap = solved
    s = idle
    results = []
    s.events.result.connect(results.append)
    t0 = time.perf_counter()
    base_status = s.status
    s.show_scenario("CRAH-2 failed", res, snap)
    assert s.scenario == "CRAH-2 failed" and s.result is res and s.snapshot is snap
    assert s.status == SolveStatus(
        SolvePhase.FRESH, "Scenario: CRAH-2 failed \u00b7 Esc returns to the base",
        "The views show the floor with CRAH-2 failed; the layout itself is unchanged.")
    info = s.info
    assert results == [info]
    assert (info.request_id, info.coarse, info.geometry_changed, info.cached) == (
        -1, False, True, True)
    assert t0 <= info.submitted_s == info.finished_s <= time.perf_counter()
    assert s.up_to_date
    assert s.live_lines("A01").startswith("Inlet ")            # no '(updating…)' head
    cleared = []
    s.events.cleared.connect(lambda: cleared.append(True))
    assert s.clear_scenario() is True                 # back to the base: nothing solved yet
    assert s.scenario is None and s.clear_scenario() is False
    # the scenario's numbers leave every view, and the status is the base's again
    assert (s.result, s.snapshot, s.info) == (None, None, None) and cleared == [True]
    assert s.status == base_status and s.alert_ids == frozenset()


def test_clearing_a_scenario_restores_the_base_result_and_its_status():
    lay = _small()
    post = Posted()
    s = Session(lay, post=post, isolate=False)
    try:
        assert post.until(lambda: not s.busy and s.up_to_date)
        base, base_snap, base_info, base_status = s.result, s.snapshot, s.info, s.status
        assert s.clear_scenario() is False
        other = simulate(lay)
        s.show_scenario("CRAH-1 failed", other, lay)
        s.show_scenario("CRAH-2 failed", other, lay)            # the base stays the first one
        assert s.scenario == "CRAH-2 failed" and s.result is other
        results = []
        s.events.result.connect(results.append)
        assert s.clear_scenario() is True
        assert s.scenario is None
        assert (s.result, s.snapshot, s.info) == (base, base_snap, base_info)
        assert results == [base_info]
        assert s.status == base_status and s.status.phase is SolvePhase.FRESH
        assert s.clear_scenario() is False
    finally:
        s.close()


# ----- live_lines -----------------------------------------------------------------------
def _figures(s: Session):
    """A hand-built result of the small room (A01..A14, CRAH-1..4) plus one liquid rack on
    a CDU: values chosen so each rounding and each swapped field shows."""
    racks = ["A01", "A02", "A03"]
    air = SimpleNamespace(
        rack_inlet_mean_c=np.array([22.04, 23.0, 24.0]),
        rack_inlet_max_c=np.array([24.56, 25.0, 26.0]),
        rack_exhaust_c=np.array([35.94, 36.0, 37.0]),
        rack_capture_index=np.array([0.876, 0.5, 0.25]),
        unit_return_c=np.array([30.24, NAN]), unit_supply_c=np.array([17.96, NAN]),
        unit_load_w=np.array([48_260.0, 0.0]), unit_capacity_fraction=np.array([0.3217, 0.0]),
        unit_airflow_m3s=np.array([1.234, 0.0]))
    liquid = SimpleNamespace(
        racks=SimpleNamespace(cdu_index=np.array([-1, 0, -1]),
                              flow_lpm=np.array([0.0, 41.6, 0.0]),
                              need_lpm=np.array([0.0, 38.46, 0.0]),
                              supply_c=np.array([NAN, 30.04, NAN]),
                              return_c=np.array([NAN, 40.46, NAN])),
        cdus=SimpleNamespace(load_w=np.array([812_400.0]), capacity_fraction=np.array([0.808]),
                             flow_lpm=np.array([1234.4]), loop_supply_c=np.array([31.04]),
                             loop_return_c=np.array([41.26])))
    return _result(
        racks, unit_ids=["CRAH-1", "CRAH-2"], cdu_ids=["CDU-X"], air=air, liquid=liquid,
        rack_power_kw=np.array([12.34, 130.06, 0.0]),
        rack_liquid_heat_kw=np.array([0.0, 110.04, 0.0]),
        rack_air_heat_kw=np.array([12.34, 20.02, 0.0]),
        alerts=[Alert("warning", "inlet", "A01", f"alert {k}") for k in range(4)]
        + [Alert("info", "inlet", "A02", "hot aisle")])


def test_live_lines_of_an_air_cooled_rack(idle):
    s = idle
    s.show_scenario("x", _figures(s), s.layout)
    assert s.live_lines("A01") == (
        "Inlet 22.0 \u00b0C (max 24.6 \u00b0C) \u00b7 exhaust 35.9 \u00b0C\n"
        "Power 12.3 kW\n"                     # no liquid heat: no split
        "Capture index 0.88\n"
        "\u26a0 alert 0\n\u26a0 alert 1\n\u26a0 alert 2")       # at most three alerts


def test_live_lines_of_a_liquid_cooled_rack(idle):
    s = idle
    s.show_scenario("x", _figures(s), s.layout)
    assert s.live_lines("A02") == (
        "Inlet 23.0 \u00b0C (max 25.0 \u00b0C) \u00b7 exhaust 36.0 \u00b0C\n"
        "Power 130.1 kW (air 20.0, liquid 110.0 kW)\n"
        "Coolant 42 L/min (needs 38), supply 30.0 \u00b0C, return 40.5 \u00b0C\n"
        "Capture index 0.50\n"
        "\u26a0 hot aisle")


def test_live_lines_of_a_rack_drawing_nothing(idle):
    """Zero liquid heat is no split (the boundary of 'liquid > 0')."""
    s = idle
    s.show_scenario("x", _figures(s), s.layout)
    assert s.live_lines("A03").splitlines()[1] == "Power 0.0 kW"


def test_live_lines_of_cooling_units_and_a_cdu(idle):
    s = idle
    s.show_scenario("x", _figures(s), s.layout)
    assert s.live_lines("CRAH-1") == (
        "Load 48.3 kW (32 % of capacity)\n"
        "Return 30.2 \u00b0C \u00b7 supply 18.0 \u00b0C \u00b7 1.23 m\u00b3/s")
    assert s.live_lines("CRAH-2") == "Off (disabled)"
    assert s.live_lines("CDU-X") == (
        "Load 812 kW (81 % of capacity)\n"
        "Flow 1,234 L/min \u00b7 loop supply 31.0 \u00b0C, return 41.3 \u00b0C")


def test_live_lines_of_an_unknown_item_are_empty_even_while_stale(idle):
    s = idle
    s.show_scenario("x", _figures(s), s.layout)
    assert s.live_lines("PDU-9") == "" and s.live_lines("A04") == ""
    s.layout.move_racks(["A05"], [float(s.layout.racks["x_m"][4])],
                        [float(s.layout.racks["y_m"][4]) + 0.1])
    assert not s.up_to_date
    assert s.live_lines("PDU-9") == ""
    assert s.live_lines("CRAH-2") == "(updating\u2026)\nOff (disabled)"


# ----- status texts of results and progress ---------------------------------------------
def _timed(air_residual_pct=3.2e-7):
    """A hand-built result with timings, balances and two alerts (units.seconds: '45 ms'
    below 0.1 s, else '0.25 s'; units.small: 2 significant digits, tiny ones as '3e-7')."""
    return _result(["A01"], timing_s={"air_s": 0.045, "liquid_s": 0.1234, "total_s": 0.25},
                   facility=SimpleNamespace(energy_residual=-0.0095),
                   air=SimpleNamespace(residual_pct=air_residual_pct),
                   alerts=[Alert("info", "x", "A01", "a"), Alert("info", "x", "A02", "b")])


def _deliver(s: Session, res, info, gen=None):
    """What the engine's result callback does, as posted to the session's thread."""
    s._on_result(s._generation if gen is None else gen, res, s.layout, info)


def _solve_info(coarse=False, geometry=True, cached=False, submitted_s=None):
    t = time.perf_counter() if submitted_s is None else submitted_s
    return SolveInfo(4, coarse, geometry, t, t + 0.5, cached=cached)


def test_a_refined_result_says_fresh_with_its_timings_and_balances(idle):
    s = idle
    results = []
    s.events.result.connect(results.append)
    info = _solve_info()
    _deliver(s, _timed(), info)
    assert s.status == SolveStatus(
        SolvePhase.FRESH, "Fresh \u00b7 0.25 s \u00b7 facility balance 0.95 %",
        "Refined solve, airflow re-solved\n"
        "Solve 0.25 s (air 45 ms, liquid 0.12 s); edit to result 0.50 s\n"
        "Energy balance residual 0.95 % of the facility power (air: 3e-7 % of the heat in)\n"
        "2 alert(s)")
    assert results == [info] and s.info is info and s.up_to_date


def test_result_kinds_fast_cached_reused_and_stale(idle):
    s = idle
    _deliver(s, _timed(), _solve_info(coarse=True))
    assert s.status.phase is SolvePhase.FAST
    assert s.status.text == "Fast pass \u00b7 0.25 s \u00b7 facility balance 0.95 %"
    assert s.status.tooltip.startswith("Fast (coarse) pass while dragging\n")
    _deliver(s, _timed(), _solve_info(cached=True))
    assert s.status.phase is SolvePhase.FRESH
    assert s.status.text.startswith("Fresh (cached) \u00b7 0.25 s")
    assert s.status.tooltip.startswith(
        "Same layout as an earlier solve (e.g. after undo): its result again\n")
    _deliver(s, _timed(air_residual_pct=None), _solve_info(geometry=False))
    assert s.status.tooltip.startswith("Refined solve, airflow reused\n")
    assert "(air: \u2013 % of the heat in)" in s.status.tooltip
    early = time.perf_counter()          # submitted before the latest edit: stale
    s.layout.move_racks(["A05"], [float(s.layout.racks["x_m"][4])],
                        [float(s.layout.racks["y_m"][4]) + 0.1])
    _deliver(s, _timed(), _solve_info(submitted_s=early))
    assert s.status.phase is SolvePhase.STALE and not s.up_to_date
    assert s.status.text == "Stale \u00b7 0.25 s \u00b7 facility balance 0.95 %"


def test_a_result_ends_a_scenario_and_an_older_engines_result_is_dropped(idle, solved):
    res, snap = solved
    s = idle
    s.show_scenario("CRAH-1 failed", res, snap)
    _deliver(s, _timed(), _solve_info(), gen=s._generation - 1)
    assert s.scenario == "CRAH-1 failed" and s.result is res
    _deliver(s, _timed(), _solve_info())
    assert s.scenario is None and s.result is not res
    assert s.clear_scenario() is False and s.result.timing_s["total_s"] == 0.25


def test_progress_and_started_texts_before_and_after_a_result(idle):
    s = idle
    g = s._generation
    s._on_progress(g, 0.7, "air field")
    assert (s.status.phase, s.status.text, s.status.tooltip) == (
        SolvePhase.SOLVING, "Solving\u2026 70 %", "air field")
    s._on_progress(g, 0.5, "")
    assert (s.status.text, s.status.tooltip) == ("Solving\u2026 50 %", "Solving")
    s._on_started(g, True)
    assert (s.status.phase, s.status.text, s.status.tooltip) == (
        SolvePhase.SOLVING, "Fast pass\u2026", "The physics is running in a background process")
    _deliver(s, _timed(), _solve_info())
    s._on_started(g, False)
    assert (s.status.phase, s.status.text) == (SolvePhase.STALE, "Stale \u00b7 solving\u2026")
    s._on_progress(g, 0.0, "liquid")
    assert s.status.text == "Stale \u00b7 solving\u2026 0 %"
    seen = []
    s.events.status.connect(seen.append)
    s._on_progress(g - 1, 0.7, "old engine")           # another engine's: ignored
    s._on_started(g - 1, True)
    _fail(s, ValueError("no steady state"))
    s._on_progress(g, 0.7, "still going")               # an error stays on show
    s._on_started(g, False)
    assert [st.text for st in seen] == ["Solver error: no steady state"]


def test_a_new_temperature_range_recolours_live_colourings_only(idle):
    s = idle
    s.add_colouring("inlet", "Inlet temperature", lambda lay: s.colouring_for("inlet", lay))
    seen = []
    s.colouring.changed.connect(seen.append)
    s.set_heatmap(temperature_range=(20.0, 30.0))       # colour by model: nothing to redo
    assert seen == []
    s.set_colour_by("inlet")
    seen.clear()
    s.set_heatmap(metric="power")                        # the range is unchanged
    assert seen == []
    s.set_heatmap(temperature_range=(18.0, 28.0))
    assert [(c.vmin, c.vmax) for c in seen] == [(18.0, 28.0)]
