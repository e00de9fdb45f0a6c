"""The Qt-free session: its state and events follow the layout and the engine, without Qt.

The engine's callbacks are posted into a queue that the test drains on its own thread, as
the GUI's queued signal does on the GUI thread.
"""

import queue
import sys
import time

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.io import load_layout
from twin.model import ChangeKind, CoolingUnit
from twin.session import HeatmapChoice, Session, SolvePhase


class Posted:
    """A ``post`` for the session: callbacks queue here; ``drain`` runs them."""

    def __init__(self):
        self.q: queue.Queue = queue.Queue()

    def __call__(self, fn):
        self.q.put(fn)

    def drain(self):
        while True:
            try:
                self.q.get_nowait()()
            except queue.Empty:
                return

    def until(self, cond, timeout_s=60.0):
        end = time.perf_counter() + timeout_s
        while time.perf_counter() < end:
            self.drain()
            if cond():
                return True
            time.sleep(0.005)
        return False


@pytest.fixture
def small():
    lay = load_layout(LAYOUTS / "small-room.json")
    post = Posted()
    s = Session(lay, post=post, isolate=False)
    yield s, post
    s.close()


def _settled(s: Session) -> bool:
    return not s.busy and s.up_to_date


def test_the_session_imports_no_qt():
    import subprocess
    code = ("import sys, twin.session; "
            "sys.exit(any(m in sys.modules for m in ('PySide6', 'vispy', 'pyqtgraph')))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_first_result_arrives_through_post_and_marks_the_session_fresh(small):
    s, post = small
    statuses, results = [], []
    s.events.status.connect(statuses.append)
    s.events.result.connect(results.append)
    assert s.status.phase is SolvePhase.SOLVING and s.result is None
    assert post.until(lambda: _settled(s))
    assert len(results) >= 1 and s.result is not None and s.error is None
    assert s.status.phase is SolvePhase.FRESH and s.status.text.startswith("Fresh")
    assert "Energy balance residual" in s.status.tooltip
    assert s.result.rack_ids == [str(i) for i in s.layout.racks.ids]


def test_live_colouring_follows_the_result_and_racks_added_since_get_nan(small):
    s, post = small
    assert post.until(lambda: _settled(s))
    s.set_colour_by("inlet")
    c = s.colouring.current
    assert c.key == "inlet" and c.unit == "\u00b0C"
    assert np.allclose(c.values, s.result.air.rack_inlet_max_c)
    # a rack added after the result: its value is unknown until the next result
    s.engine.enabled = False
    rec = s.layout.racks.record(0)
    rec.update(id="NEW", name="NEW", x_m=rec["x_m"] + 0.6)
    s.layout.add_racks([rec])
    c = s.colouring.current
    assert len(c.values) == len(s.layout.racks) and np.isnan(c.values[-1])
    assert np.allclose(c.values[:-1], s.result.air.rack_inlet_max_c)


def test_an_edit_makes_the_result_stale_until_its_own_result_arrives(small):
    s, post = small
    assert post.until(lambda: _settled(s))
    s.engine.enabled = False                     # hold the solve back
    s.layout.update_item("workloads", "train-h100", utilisation=0.3)
    assert s.status.phase is SolvePhase.STALE and not s.up_to_date
    it_before = s.result.facility.it_kw
    s.engine.enabled = True
    s.engine.request()
    assert post.until(lambda: _settled(s))
    assert s.status.phase is SolvePhase.FRESH
    assert s.result.facility.it_kw < it_before
    # a workload edit reuses the airflow, then settles its buoyancy drift (live.py)
    assert s.info.settle and s.result.air.drift_settled


def test_selection_is_pruned_before_any_other_observer_runs(small):
    s, _post = small
    rid = str(s.layout.racks.ids[0])
    s.selection.set({rid, "CRAH-1"})
    seen = []
    # an observer connected after the session sees the pruned selection already
    s.layout.changed.connect(lambda ch: seen.append(set(s.selection.ids)))
    s.layout.remove_racks([rid])
    assert seen == [{"CRAH-1"}] and s.selection.ids == {"CRAH-1"}


def test_colouring_is_recomputed_for_a_new_rack_table_before_views_run(small):
    s, _post = small
    lengths = []
    s.layout.changed.connect(lambda ch: lengths.append(len(s.colouring.current.values)))
    n = len(s.layout.racks)
    s.layout.remove_racks([str(s.layout.racks.ids[0])])
    assert lengths == [n - 1]


def test_heatmap_choice_events_and_image(small):
    s, post = small
    assert post.until(lambda: _settled(s))
    got = []
    s.events.heatmap.connect(got.append)
    s.set_heatmap(metric="power")
    s.set_heatmap(metric="power")                 # unchanged: no event
    assert got == [HeatmapChoice("power", s.heatmap.height_m, True, False)]
    hm, note = s.heatmap_image()
    assert hm is not None and note == "" and hm.unit == "kW/m\u00b2"
    s.set_heatmap(metric="coolant")               # an air-cooled room has no CDU loop
    hm, note = s.heatmap_image()
    assert hm is None and "no rack here is on a CDU loop" in note
    s.set_heatmap(metric="off")
    assert s.heatmap_image() == (None, "")


def test_heatmap_presets_follow_the_rack_heights(small):
    s, _post = small
    mid, top, ceiling = s.heatmap_presets()
    heights = s.layout.rack_sizes_m()[:, 2]
    assert top == pytest.approx(float(np.median(heights)))
    assert mid == pytest.approx(top / 2, abs=0.01)
    assert ceiling == s.layout.hall.ceiling_height_m
    assert s.heatmap.height_m == pytest.approx(mid)


def test_reset_forgets_results_and_restarts_the_engine(small):
    s, post = small
    assert post.until(lambda: _settled(s))
    old = s.engine
    cleared = []
    s.events.cleared.connect(lambda: cleared.append(True))
    s.set_colour_by("inlet")
    s.layout.replace_all(load_layout(LAYOUTS / "gb200-pod.json"))
    assert cleared == [True] and s.result is None and s.alert_ids == frozenset()
    assert np.isnan(s.colouring.current.values).all()    # live colouring: nothing yet
    assert post.until(lambda: s.engine is not old and _settled(s), 120)
    assert s.result.rack_ids == [str(i) for i in s.layout.racks.ids]


def test_alert_targets_are_announced_once_per_change(small):
    s, post = small
    marks = []
    s.events.alert_ids.connect(marks.append)
    assert post.until(lambda: _settled(s))
    expected = frozenset(a.target for a in s.result.alerts
                         if a.severity in ("critical", "warning"))
    assert s.alert_ids == expected
    assert marks == ([expected] if expected else [])


def test_a_solver_error_keeps_the_last_result_and_says_so(small):
    s, post = small
    assert post.until(lambda: _settled(s))
    good = s.result
    failures = []
    s.events.failed.connect(failures.append)
    with s.layout.batch():           # 1 kW of cooling per unit: no steady state exists
        for uid in list(s.layout.cooling_units):
            s.layout.update_item("cooling_units", uid, capacity_kw=1.0)
    assert post.until(lambda: s.error is not None and not s.busy)
    assert "capacity" in str(s.error)
    assert s.result is good and s.status.phase is SolvePhase.ERROR
    assert s.status.text.startswith("Solver error") and failures
    assert s.live_lines(str(s.layout.racks.ids[0])).startswith("(last good result")


def test_live_lines_give_a_racks_figures(small):
    s, post = small
    assert post.until(lambda: _settled(s))
    rid = str(s.layout.racks.ids[0])
    i = s.rack_index(rid)
    text = s.live_lines(rid)
    assert f"Inlet {s.result.air.rack_inlet_mean_c[i]:.1f} \u00b0C" in text
    assert f"Power {s.result.rack_power_kw[i]:.1f} kW" in text
    assert s.live_lines("no-such-id") == ""


def test_unknown_colouring_is_refused(small):
    s, _post = small
    with pytest.raises(KeyError):
        s.set_colour_by("nope")


def test_one_batched_edit_is_one_engine_request(small):
    s, post = small
    assert post.until(lambda: _settled(s))
    calls = []
    real = s.engine.request
    s.engine.request = lambda *a, **k: calls.append(1) or real(*a, **k)
    lay = s.layout
    lay.add_item("cooling_units", CoolingUnit("EXTRA", "inrow-70", 1.0, 1.0, enabled=False))
    calls.clear()
    with lay.batch():
        lay.move_racks(list(map(str, lay.racks.ids[:3])), [1.0, 2.0, 3.0], [1.0, 1.0, 1.0])
        lay.update_item("cooling_units", "EXTRA", x_m=2.0)
    assert calls == [1]
    assert post.until(lambda: _settled(s))
    assert s.info.geometry_changed


def test_change_kind_is_typed():
    assert ChangeKind("racks_changed") is ChangeKind.RACKS_CHANGED


def test_no_solve_runs_while_a_footprint_is_outside_the_hall(small):
    s, post = small
    assert post.until(lambda: _settled(s))
    requests = []      # sequence numbers of the solves submitted (None: none submitted)
    real = s.engine.request

    def request(*a, **k):
        seq = real(*a, **k)
        if seq is not None:
            requests.append(seq)
        return seq
    s.engine.request = request
    rid = str(s.layout.racks.ids[0])
    x, y = float(s.layout.racks["x_m"][0]), float(s.layout.racks["y_m"][0])
    s.layout.move_racks([rid], [x], [-5.0])          # through the wall
    assert requests == [] and s.status.phase is SolvePhase.STALE
    assert s.status.text.startswith("Not solved") and rid in s.status.text
    assert s.status.tooltip.startswith("A footprint leaves the hall, so the layout cannot be ")
    assert s.status.tooltip.endswith("; the views show the last result.")
    s.layout.move_racks([rid], [x], [y])             # back inside: solved again
    assert len(requests) == 1
    assert post.until(lambda: _settled(s))
    assert s.status.phase is SolvePhase.FRESH


# ----- without an engine: the session's own bookkeeping ------------------------------------
def test_a_session_without_results_knows_no_rack_row_and_shows_nothing():
    s = Session(load_layout(LAYOUTS / "small-room.json"), live=False)
    try:
        assert s.rack_index("A01") is None and s.live_lines("A01") == ""
        assert s.heatmap_image() == (None, "")
    finally:
        s.close()


def test_removing_a_selected_item_drops_it_from_the_selection():
    lay = load_layout(LAYOUTS / "small-room.json")
    s = Session(lay, live=False)
    try:
        s.selection.set({"CRAH-1", "A01"})
        lay.remove_item("cooling_units", "CRAH-1")
        assert s.selection.ids == {"A01"}
    finally:
        s.close()


def test_changing_a_racks_model_recolours_it_by_model():
    """Colour by model: one category per model present, so a model new to the room adds one."""
    lay = load_layout(LAYOUTS / "small-room.json")
    s = Session(lay, live=False)
    try:
        present = set(lay.racks["model"].tolist())
        assert s.colour_key == "model"
        assert len(s.colouring.current.categories) == len(present)
        other = next(e for e in lay.catalogue.of_kind("rack") if e.key not in present)
        a01 = lay.racks.index_of("A01")
        assert list(lay.racks["model"]).count(lay.racks["model"][a01]) > 1
        lay.set_rack_values(["A01"], "model", other.key)
        cur = s.colouring.current
        assert len(cur.categories) == len(present) + 1
        assert cur.categories[int(cur.values[a01])] == other.name
    finally:
        s.close()


def test_closing_leaves_the_layouts_other_observers_connected():
    lay = load_layout(LAYOUTS / "small-room.json")
    s = Session(lay, live=False)
    seen = []
    lay.changed.connect(seen.append)
    s.close()
    lay.move_racks(["A01"], [float(lay.racks["x_m"][0])], [float(lay.racks["y_m"][0]) + 0.1])
    assert len(seen) == 1 and s.status.phase is SolvePhase.NOT_RUN


# ----- with the engine: status texts and live read-outs -------------------------------------
def test_status_texts_follow_a_solve_an_edit_and_a_cached_result(small):
    """Start: 'Solving…' with percentages and the stage as tooltip; fresh after a refined
    solve with the airflow re-solved; an edit is stale until solved (airflow reused);
    going back to the first layout gives its cached result."""
    s, post = small
    seen = []
    s.events.status.connect(lambda st: seen.append((st.phase, st.text, st.tooltip)))
    assert post.until(lambda: _settled(s))
    texts = [(t, tip) for _, t, tip in seen]
    assert ("Solving\u2026 40 %", "temperature") in texts
    assert ("Solving\u2026", "The physics is running in a background process") in texts
    assert s.status.text.startswith("Fresh \u00b7 ")
    assert s.status.tooltip.startswith("Refined solve, airflow re-solved\n")
    assert s.live_lines("CRAH-1").startswith("Load ")            # no '(updating…)' head
    u0 = s.layout.workloads["train-h100"].utilisation
    s.engine.enabled = False
    s.layout.update_item("workloads", "train-h100", utilisation=0.3)
    assert s.status.phase is SolvePhase.STALE
    assert s.status.tooltip == "The layout changed since the results shown were computed"
    assert s.live_lines("A01").startswith("(updating\u2026)\n")
    s.engine.enabled = True
    s.engine.request()
    assert post.until(lambda: _settled(s))
    assert s.status.tooltip.startswith("Refined solve, buoyancy drift settled after the "
                                       "airflow-reusing pass\n")
    s.layout.update_item("workloads", "train-h100", utilisation=u0)
    assert post.until(lambda: _settled(s))
    assert s.info.cached and s.status.text.startswith("Fresh (cached) \u00b7 ")
    assert s.status.tooltip.startswith("Same layout as an earlier solve")


def test_live_lines_of_cooling_units_cdus_and_liquid_racks():
    """The GB200 pod: a liquid-cooled rack shows its air/liquid split and coolant, a CDU its
    load against capacity, an in-row unit its load and return, a disabled unit 'Off'."""
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    lay.update_item("cooling_units", "IRC-A4", enabled=False)
    post = Posted()
    s = Session(lay, post=post, isolate=False)
    try:
        assert post.until(lambda: _settled(s))
        res = s.result
        i = s.rack_index("A01")
        rack = s.live_lines("A01").splitlines()
        a = res.air
        assert rack[0].startswith(f"Inlet {a.rack_inlet_mean_c[i]:.1f} \u00b0C (max ")
        assert rack[-1] == f"Capture index {a.rack_capture_index[i]:.2f}"
        assert rack[1] == (f"Power {res.rack_power_kw[i]:.1f} kW (air {res.rack_air_heat_kw[i]:.1f}, "
                           f"liquid {res.rack_liquid_heat_kw[i]:.1f} kW)")
        assert rack[2].startswith(f"Coolant {res.liquid.racks.flow_lpm[i]:.0f} L/min")
        c, j = res.liquid.cdus, res.cdu_ids.index("CDU-B")
        assert s.live_lines("CDU-B").splitlines()[0] == (
            f"Load {c.load_w[j] / 1e3:.0f} kW ({c.capacity_fraction[j] * 100:.0f} % of capacity)")
        assert 0.1 < c.capacity_fraction[j] < 1.0
        assert s.live_lines("IRC-A4") == "Off (disabled)"
        k = res.unit_ids.index("IRC-B4")
        assert s.live_lines("IRC-B4").splitlines()[0] == (
            f"Load {a.unit_load_w[k] / 1e3:.1f} kW "
            f"({a.unit_capacity_fraction[k] * 100:.0f} % of capacity)")
    finally:
        s.close()


def test_a_session_without_post_starts_the_new_layouts_solve_at_once():
    """Without a ``post`` function callbacks run directly: File > Open (a reset) restarts
    the engine and says so before any result."""
    lay = load_layout(LAYOUTS / "small-room.json")
    s = Session(lay, live=False, isolate=False)
    try:
        assert s.engine is None and s.status.phase is SolvePhase.NOT_RUN
        lay.replace_all(load_layout(LAYOUTS / "small-room.json"))
        assert s.engine is not None and s.status.phase is SolvePhase.SOLVING
        assert (s.status.text, s.status.tooltip) == ("Solving\u2026", "First solve of this layout")
    finally:
        s.close()
