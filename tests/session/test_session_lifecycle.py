"""The session's life cycle: what a new session shows, how the engine's callbacks reach it
(each tagged with the engine that made it, so a replaced or closed engine is never heard),
File > Open, closing, the hold while a footprint is outside the hall, and the status texts
of edits and passes while an older result is on screen.

The live engine is replaced by ``FakeEngine``, which keeps the callbacks the session hands
it; a test calls them as the engine's worker threads would (``LiveEngine``'s documented
signatures: ``on_result(result, snapshot, info)``, ``on_error(exc, info)``,
``on_started(request_id, coarse)``), and they reach the session through its ``post``.
Expected texts come from the docstrings of ``SolveStatus`` / ``Session`` and the GUI's use
of them, not from the code under test.
"""

import pytest

from tests.conftest import LAYOUTS
from tests.session.test_session import Posted
from tests.session.test_session_readouts import _deliver, _result, _solve_info, _timed
from twin.engine import live as live_module
from twin.engine.worker import Cancelled
from twin.io import load_layout
from twin.physics.facility import Alert
from twin.session import Session, SolvePhase, SolveStatus
from twin.session import session as session_module


class FakeEngine:
    """Stands in for ``LiveEngine``: records what the session asks; no physics."""

    def __init__(self, layout, on_result, on_error, on_progress=None, on_started=None,
                 isolate=True):
        self.layout = layout
        self.on_result, self.on_error = on_result, on_error
        self.on_progress, self.on_started = on_progress, on_started
        self.isolate = isolate
        self.enabled = True
        self.busy = False
        self.closed = False
        self.requests = 0
        self.drags: list[str] = []

    def request(self, coarse=None):
        if not self.enabled:
            return None
        self.requests += 1
        return self.requests

    def begin_drag(self):
        self.drags.append("begin")

    def end_drag(self):
        self.drags.append("end")

    def close(self):
        self.closed = True


@pytest.fixture
def engines(monkeypatch):
    """Every engine the sessions of a test create, in order."""
    made: list[FakeEngine] = []

    def make(*a, **k):
        made.append(FakeEngine(*a, **k))
        return made[-1]
    monkeypatch.setattr(session_module, "LiveEngine", make)
    return made


def _small():
    return load_layout(LAYOUTS / "small-room.json")


def _move_out(lay, ids):
    """Move racks ``ids`` through the wall (y = -5 m), keeping x."""
    xs = [float(lay.racks["x_m"][lay.racks.index_of(i)]) for i in ids]
    lay.move_racks(list(ids), xs, [-5.0] * len(ids))


# ----- a new session --------------------------------------------------------------------
def test_a_new_session_shows_nothing_yet_and_offers_the_static_colourings():
    s = Session(_small(), live=False)
    try:
        assert s.status == SolveStatus(SolvePhase.NOT_RUN, "Simulation: not run", "")
        assert not s.status.busy
        assert (s.result, s.snapshot, s.info, s.error) == (None, None, None, None)
        assert s.alert_ids == frozenset() and s.scenario is None
        # the Colour-by menu (main window) is built from these labels
        assert {k: label for k, (label, _f) in s.colour_sources.items()} == {
            "model": "Model", "nameplate_kw": "Nameplate power"}
    finally:
        s.close()


def test_a_live_session_adds_the_result_colourings_and_asks_for_a_first_solve(engines):
    lay = _small()
    s = Session(lay, post=Posted())
    try:
        assert [label for label, _f in s.colour_sources.values()] == [
            "Model", "Nameplate power", "Inlet temperature", "Rack power", "Capture index",
            "Coolant return"]
        assert len(engines) == 1 and engines[0].requests == 1
        assert s.status == SolveStatus(SolvePhase.SOLVING, "Solving\u2026",
                                       "First solve of this layout")
    finally:
        s.close()


def test_a_result_without_marked_alerts_announces_no_alert_targets():
    s = Session(_small(), live=False)
    try:
        marks = []
        s.events.alert_ids.connect(marks.append)
        _deliver(s, _timed(), _solve_info())            # two 'info' alerts: not marked
        assert marks == [] and s.alert_ids == frozenset()
        _deliver(s, _result(["A01"], timing_s={"total_s": 0.25},
                            facility=_timed().facility, air=None,
                            alerts=[Alert("warning", "inlet", "A01", "hot")]), _solve_info())
        assert marks == [frozenset({"A01"})]
    finally:
        s.close()


def test_added_colourings_are_announced_with_their_key_and_label():
    """The main window adds a Colour-by action per announcement: key and menu label."""
    s = Session(_small(), live=False)
    try:
        seen = []
        s.events.colour_sources.connect(lambda *args: seen.append(args))
        s.add_colouring("failure", "Failure map", lambda lay: s.colouring_for("power", lay))
        assert seen == [("failure", "Failure map")]
        assert s.colour_sources["failure"][0] == "Failure map"
    finally:
        s.close()


def test_live_colour_sources_colour_the_layout_they_are_given(engines):
    """A colour-by source is a function of the layout asked for (exports colour a snapshot
    that may differ from the layout on screen)."""
    s = Session(_small(), post=Posted())
    try:
        other = _small()
        other.remove_racks(["A01", "A02", "A03"])
        for key in ("inlet", "power"):
            c = s.colour_sources[key][1](other)
            assert c.key == key and len(c.values) == 11
        assert len(s.colour_sources["power"][1](s.layout).values) == 14
    finally:
        s.close()


# ----- engine isolation -----------------------------------------------------------------
def test_isolate_chooses_between_a_physics_process_and_the_worker_thread(monkeypatch):
    """``Session(isolate=False)`` runs the physics in this process (tests, scripts);
    the default runs it in a separate physics process."""
    built = []

    class Sim:
        def __init__(self, kind):
            built.append(kind)

        def run(self, *a, **k):
            raise Cancelled()

        def close(self):
            pass
    monkeypatch.setattr(live_module, "LocalSimulator", lambda: Sim("thread"))
    monkeypatch.setattr(live_module, "RemoteSimulator", lambda niceness=0: Sim("process"))
    s = Session(_small(), post=Posted(), isolate=False)
    s.close()
    assert built == ["thread"]
    built.clear()
    s = Session(_small(), post=Posted())
    s.close()
    assert built == ["process"]


# ----- engine callbacks, generations, File > Open and close -----------------------------
def test_only_the_current_engine_is_heard_after_file_open_and_none_after_close(engines):
    lay = _small()
    post = Posted()
    s = Session(lay, post=post)
    first = engines[0]
    lay.replace_all(_small())                  # File > Open: a new engine, posted
    post.drain()
    assert len(engines) == 2 and first.closed
    second = engines[1]
    first.on_result(_timed(), lay, _solve_info())          # late, from the replaced engine
    post.drain()
    assert s.result is None and s.status.phase is SolvePhase.SOLVING
    res = _timed()
    second.on_result(res, lay, _solve_info())
    post.drain()
    assert s.result is res and s.status.phase is SolvePhase.FRESH
    s.close()                                   # window closing: late results are dropped
    assert second.closed and s.engine is None
    for engine in (first, second):
        engine.on_result(_timed(), lay, _solve_info())
        engine.on_error(ValueError("late"), _solve_info())
        engine.on_started(9, False)
    post.drain()
    assert s.result is res and s.error is None and s.status.phase is SolvePhase.FRESH


def test_an_engine_error_is_the_outcome_of_the_latest_edit(engines):
    """An error shown for the latest edit leaves the session up to date (nothing newer is
    coming: the GUI's idle check), with the older result kept."""
    lay = _small()
    post = Posted()
    s = Session(lay, post=post)
    try:
        eng = engines[0]
        res = _timed()
        eng.on_result(res, lay, _solve_info())
        post.drain()
        lay.update_item("workloads", "train-h100", utilisation=0.3)
        assert not s.up_to_date
        eng.on_error(ValueError("no steady state"), _solve_info())
        post.drain()
        assert s.status.phase is SolvePhase.ERROR and s.result is res
        assert s.up_to_date
    finally:
        s.close()


def test_a_started_pass_says_which_kind_it_is(engines):
    """The engine reports each pass as it starts: a coarse one is the drag's fast pass,
    'Fast pass…' (or 'Stale · fast pass…' over an older result)."""
    lay = _small()
    post = Posted()
    s = Session(lay, post=post)
    try:
        eng = engines[0]
        eng.on_started(1, True)
        post.drain()
        assert (s.status.phase, s.status.text) == (SolvePhase.SOLVING, "Fast pass\u2026")
        eng.on_started(2, False)
        post.drain()
        assert (s.status.phase, s.status.text) == (SolvePhase.SOLVING, "Solving\u2026")
        eng.on_result(_timed(), lay, _solve_info())
        eng.on_started(3, True)
        post.drain()
        assert (s.status.phase, s.status.text, s.status.tooltip) == (
            SolvePhase.STALE, "Stale \u00b7 fast pass\u2026",
            "The physics is running in a background process")
        eng.on_started(4, False)
        post.drain()
        assert s.status.text == "Stale \u00b7 solving\u2026"
    finally:
        s.close()


def test_file_open_drops_selected_ids_the_new_layout_lacks():
    lay = _small()
    s = Session(lay, post=Posted(), live=False)      # the posted restart is never run
    try:
        s.selection.set({"A01", "CRAH-1"})
        lay.replace_all(load_layout(LAYOUTS / "gb200-pod.json"))   # has A01, no CRAH-1
        assert s.selection.ids == {"A01"}
    finally:
        s.close()


def test_closing_before_a_posted_restart_runs_starts_no_engine(engines):
    """File > Open posts the new engine's start; if the window closes first, the start
    that runs afterwards must not bring an engine back."""
    lay = _small()
    post = Posted()
    s = Session(lay, post=post, live=False)
    lay.replace_all(_small())
    s.close()
    post.drain()
    assert engines == [] and s.engine is None and not s.busy
    s.close()                                  # closing twice is harmless
    s.start()
    assert engines == [] and s.engine is None


def test_a_closed_session_is_idle_and_ignores_drags(engines):
    s = Session(_small(), post=Posted())
    eng = engines[0]
    s.begin_drag()
    s.close()
    assert eng.closed and s.engine is None and s.busy is False
    s.begin_drag()                             # a view's late drag signal: nothing happens
    s.end_drag()
    assert eng.drags == ["begin"]


# ----- the hold while a footprint is outside the hall -----------------------------------
def test_the_session_releases_only_its_own_hold_on_the_engine(engines):
    """Outside the hall the session holds the engine and releases it when the footprint
    is back inside; a hold put on the engine by someone else afterwards (tests, the GUI
    tests' 'hold the solve back') is theirs, and later edits leave it alone."""
    lay = _small()
    s = Session(lay, post=Posted())
    try:
        eng = engines[0]
        x, y = float(lay.racks["x_m"][0]), float(lay.racks["y_m"][0])
        _move_out(lay, ["A01"])
        assert eng.enabled is False
        lay.move_racks(["A01"], [x], [y])
        assert eng.enabled is True
        eng.enabled = False                      # someone else holds the solve back
        lay.update_item("workloads", "train-h100", utilisation=0.3)
        lay.move_racks(["A01"], [x], [y + 0.1])
        assert eng.enabled is False
    finally:
        s.close()


@pytest.mark.parametrize("n, names", [
    (3, "A01, A02, A03"),
    (4, "A01, A02, A03 and 1 more"),
    (6, "A01, A02, A03 and 3 more"),
])
def test_the_status_names_up_to_three_footprints_outside_the_hall(n, names):
    lay = _small()
    s = Session(lay, live=False)
    try:
        _move_out(lay, [f"A0{k}" for k in range(n, 0, -1)])     # listed sorted
        assert s.status.phase is SolvePhase.STALE
        assert s.status.text == f"Not solved \u00b7 {names} outside the hall"
        assert s.status.tooltip == (
            "A footprint leaves the hall, so the layout cannot be solved. Drop it inside "
            "the hall (a drag outside is refused) or undo; the views show the last result.")
    finally:
        s.close()


# ----- status texts over an older result ------------------------------------------------
def test_an_edit_over_a_shown_result_says_stale_solving():
    s = Session(_small(), live=False)
    try:
        _deliver(s, _timed(), _solve_info())
        s.layout.update_item("workloads", "train-h100", utilisation=0.3)
        assert s.status == SolveStatus(
            SolvePhase.STALE, "Stale \u00b7 solving\u2026",
            "The layout changed since the results shown were computed")
        assert s.status.busy
    finally:
        s.close()


def test_a_result_without_a_total_time_shows_its_edit_to_result_latency():
    """The status gives the solve's total time, or the time from the edit to the result
    where the result carries none."""
    s = Session(_small(), live=False)
    try:
        res = _timed()
        res.timing_s = {"air_s": 0.045}
        _deliver(s, res, _solve_info())                 # finished 0.5 s after submitted
        assert s.status.text == "Fresh \u00b7 0.50 s \u00b7 facility balance 0.95 %"
        assert "Solve 0.50 s (air 45 ms); edit to result 0.50 s\n" in s.status.tooltip
    finally:
        s.close()
