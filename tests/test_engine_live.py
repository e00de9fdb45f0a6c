"""The live engine: results follow edits; drags coalesce; power edits keep the airflow."""

import os
import threading
import time

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.engine.live import FAST_LANE_NICENESS, LiveEngine
from twin.engine.simulate import simulate
from twin.io import load_layout


@pytest.fixture
def live():
    lay = load_layout(LAYOUTS / "small-room.json")
    got, errors = [], []
    done = threading.Event()

    def on_result(res, snap, info):
        got.append((res, snap, info))
        done.set()
    eng = LiveEngine(lay, on_result, lambda e, i: errors.append(e))
    yield lay, eng, got, errors
    eng.close()


def test_first_request_and_edits_deliver_fresh_results(live):
    lay, eng, got, errors = live
    eng.request()
    assert eng.wait_idle(60)
    it0 = got[-1][0].facility.it_kw
    n0 = len(got)
    lay.update_item("workloads", "train-h100", utilisation=0.3)
    assert eng.wait_idle(60)
    assert not errors
    # the power-only pass shows first, then its settle pass of the same layout
    (quick, snap, info), (settled, snap2, info2) = got[n0:]
    assert quick.facility.it_kw < it0
    assert not info.geometry_changed and not info.settle and not quick.air.drift_settled
    assert info2.settle and settled.air.drift_settled and snap2 is snap
    assert snap.workloads["train-h100"].utilisation == 0.3


def test_a_workload_edit_settles_to_the_numbers_of_a_fresh_solve(live):
    """A power-only pass keeps the airflow and its buoyancy drift (0.29 K off a fresh
    solve at the small room's end racks after a 70 % drop); the settle pass that follows
    re-solves the drift, so what the window ends with is a fresh solve's figures (to the
    buoyancy passes' 0.02 K tolerance), as the CLI prints them. A workload edit that
    hardly moves the inlets needs no settle pass."""
    lay, eng, got, errors = live
    eng.request()
    assert eng.wait_idle(60)
    lay.update_item("workloads", "train-h100", utilisation=0.3)
    assert eng.wait_idle(60)
    want = simulate(lay.snapshot()).air
    quick, settled = got[-2][0].air, got[-1][0].air
    assert np.abs(quick.rack_inlet_mean_c - want.rack_inlet_mean_c).max() > 0.1
    np.testing.assert_allclose(settled.rack_inlet_mean_c, want.rack_inlet_mean_c, atol=0.02)
    np.testing.assert_allclose(settled.rack_inlet_max_c, want.rack_inlet_max_c, atol=0.02)
    n = len(got)
    lay.update_item("workloads", "train-h100", utilisation=0.301)
    assert eng.wait_idle(60)
    assert len(got) == n + 1 and got[-1][0].air.drift_settled and not errors


def test_drag_stream_coalesces_and_refines_on_release(live):
    lay, eng, got, errors = live
    eng.request()
    eng.wait_idle(60)
    n0 = len(got)
    eng.begin_drag()
    for k in range(15):
        lay.move_racks(["A01"], [3.9], [3.6 - 0.02 * k])
    eng.end_drag()
    assert eng.wait_idle(60)
    assert not errors
    assert len(got) - n0 < 15           # superseded solves were dropped
    res, snap, info = got[-1]
    assert not info.coarse and info.geometry_changed
    assert snap.racks["y_m"][snap.racks.index_of("A01")] == pytest.approx(3.6 - 0.28)


def test_solver_error_is_reported_not_raised(live):
    lay, eng, got, errors = live
    for uid in list(lay.cooling_units):
        lay.update_item("cooling_units", uid, capacity_kw=1.0)
    assert eng.wait_idle(60)
    assert errors and not isinstance(errors[-1], AssertionError)


def test_layout_back_to_an_earlier_state_gets_its_result_again(live):
    lay, eng, got, errors = live
    eng.request()
    assert eng.wait_idle(60)
    first = got[-1][0]
    x, y = lay.racks["x_m"][lay.racks.index_of("A07")], lay.racks["y_m"][lay.racks.index_of("A07")]
    lay.move_racks(["A07"], [6.0], [8.7])
    assert eng.wait_idle(60)
    assert got[-1][0].metrics["worst_inlet_c"] > first.metrics["worst_inlet_c"] + 5
    lay.move_racks(["A07"], [x], [y])               # what undo does
    assert eng.wait_idle(60)
    res, _snap, info = got[-1]
    assert not errors and info.cached and res is first
    lay.update_item("workloads", "train-h100", utilisation=0.3)   # then solves again
    assert eng.wait_idle(60)
    assert not got[-1][2].cached and got[-1][0].facility.it_kw < first.facility.it_kw


def test_drag_runs_the_coarse_and_the_refined_pass_side_by_side():
    """Each drag position starts a coarse pass (second lane) and its refined pass (main
    lane) at once; results arrive in request order (a late coarse pass is dropped), and
    release hands back the refined result without solving again."""
    lay = load_layout(LAYOUTS / "small-room.json")
    got, errors, started = [], [], []
    eng = LiveEngine(lay, lambda r, s, i: got.append((r, s, i)), lambda e, i: errors.append(e),
                     on_started=lambda seq, coarse: started.append((seq, coarse)))
    try:
        eng.drag_refined_max_s = 0.0                # always a coarse pass while dragging
        eng.request()
        assert eng.wait_idle(60)
        n0, s0 = len(got), len(started)
        eng.begin_drag()
        lay.move_racks(["A01"], [3.9], [3.0])
        assert eng.wait_idle(60)
        assert sorted(c for _, c in started[s0:]) == [False, True]     # both lanes ran
        ids = [info.request_id for _, _, info in got]
        assert ids == sorted(ids)                   # never an older result after a newer
        refined, snap, info = got[-1]
        assert not info.coarse and snap.racks["y_m"][snap.racks.index_of("A01")] == 3.0
        eng.end_drag()
        assert eng.wait_idle(60)
        res, _snap, info = got[-1]
        assert info.cached and res is refined       # handed back, not solved again
        assert len(got) - n0 in (2, 3) and not errors
        # the coarse lane's process yields the cores: it runs at a lower priority
        main_pid = eng._main.sim._child.process.pid
        fast_pid = eng._fast.sim._child.process.pid
        assert os.getpriority(os.PRIO_PROCESS, fast_pid) == \
            os.getpriority(os.PRIO_PROCESS, main_pid) + FAST_LANE_NICENESS
    finally:
        eng.close()


def test_drags_skip_the_coarse_pass_where_a_refined_move_is_quick(live):
    lay, eng, got, errors = live
    eng.drag_refined_max_s = 60.0               # any refined move counts as quick
    eng.request()
    assert eng.wait_idle(60)
    assert not eng.drags_refined                # the cold solve does not count
    lay.move_racks(["A01"], [3.9], [3.0])        # a warm refined move: now measured
    assert eng.wait_idle(60)
    assert eng.drags_refined
    n0 = len(got)
    eng.begin_drag()
    lay.move_racks(["A01"], [3.9], [2.4])
    assert eng.wait_idle(60)
    eng.end_drag()
    assert eng.wait_idle(60)
    infos = [info for _, _, info in got[n0:]]
    assert [i.coarse for i in infos] == [False, False], infos
    assert not infos[0].cached and infos[1].cached   # release: the drag's own result
    assert got[-1][0] is got[n0][0]
    eng.drag_refined_max_s = 0.0
    assert not eng.drags_refined
    assert not errors


def test_a_closed_engine_starts_no_second_lane():
    """A refined job finishing while the engine closes would start the coarse lane's
    process for the next drag; after close it must not (no orphan process)."""
    lay = load_layout(LAYOUTS / "small-room.json")
    eng = LiveEngine(lay, lambda *a: None, lambda *a: None)
    eng.close()
    assert eng._fast_lane(prewarm=True) is None and not eng.busy


def test_a_refined_pass_finishing_after_close_starts_no_second_lane():
    """The refined pass that is still solving when the engine closes finishes after it;
    the coarse lane it would start for the next drag (a process) is then not started."""
    from types import SimpleNamespace
    lay = load_layout(LAYOUTS / "small-room.json")
    got = []
    eng = LiveEngine(lay, lambda r, s, i: got.append(r), lambda e, i: None, isolate=False)
    started, release = threading.Event(), threading.Event()

    class Held:
        """A solve that ends when released, cancelled or not."""

        def run(self, snap, geometry_changed, coarse, token):
            started.set()
            release.wait(10)
            return SimpleNamespace(timing_s={"cpu_s": 1.0}, air=None)

        def close(self):
            pass
    eng._main.sim = Held()
    eng.request()
    assert started.wait(10)
    threading.Timer(0.2, release.set).start()      # finishes while close waits for it
    eng.close()
    assert got, "the pass finished after close began"
    assert eng._fast is None


def test_the_first_solve_is_a_geometry_solve_and_reports_progress():
    lay = load_layout(LAYOUTS / "small-room.json")
    got, progress = [], []
    eng = LiveEngine(lay, lambda r, s, i: got.append(i), lambda e, i: None,
                     on_progress=lambda f, m: progress.append((f, m)), isolate=False)
    try:
        eng.request()
        assert eng.wait_idle(60)
        assert got and got[0].geometry_changed and not got[0].coarse
        assert progress, "the live engine passes the solver's progress on"
        assert all(0.0 <= f <= 1.0 and isinstance(m, str) for f, m in progress)
    finally:
        eng.close()


def test_release_while_the_drags_refined_pass_runs_does_not_solve_again():
    """The drag's refined pass is still running for the very layout on screen at release:
    its result is the answer; release submits nothing (a new request would cancel it)."""
    lay = load_layout(LAYOUTS / "small-room.json")
    got, errors = [], []
    eng = LiveEngine(lay, lambda r, s, i: got.append(i), lambda e, i: errors.append(e),
                     isolate=False)
    try:
        eng.drag_refined_max_s = 60.0
        eng.request()
        assert eng.wait_idle(60)
        lay.move_racks(["A01"], [3.9], [3.0])        # a warm refined move: drags now refine
        assert eng.wait_idle(60) and eng.drags_refined
        sim, running = eng._main.sim, threading.Event()
        solve = sim.run

        def slow_run(*args, **kwargs):
            running.set()
            time.sleep(0.5)
            return solve(*args, **kwargs)
        sim.run = slow_run
        eng.begin_drag()
        lay.move_racks(["A01"], [3.9], [2.4])
        assert running.wait(10)
        seq = eng._seq
        eng.end_drag()
        assert eng._seq == seq, "release submitted a second solve"
        assert eng.wait_idle(60) and not errors
        assert got[-1].request_id == seq and not got[-1].cached
    finally:
        eng.close()


def test_the_first_solve_starts_the_coarse_lane_and_each_lane_has_its_named_thread():
    """After the first refined solve (a cold one: drags are not yet known to be quick) the
    coarse lane is started, so its process is warm before the first drag; refined results
    come from the thread "twin-engine", coarse ones from "twin-engine-fast" (the names a
    thread dump shows)."""
    lay = load_layout(LAYOUTS / "small-room.json")
    got, errors = [], []
    eng = LiveEngine(lay, lambda r, s, i: got.append((i.coarse, threading.current_thread().name)),
                     lambda e, i: errors.append(e), isolate=False)
    try:
        eng.request()
        assert eng.wait_idle(60)
        assert not eng.drags_refined
        assert eng._fast is not None, "the coarse lane waits for the first drag"
        assert got == [(False, "twin-engine")]
        eng.request(coarse=True)
        assert eng.wait_idle(60)
        assert got[-1] == (True, "twin-engine-fast") and not errors
    finally:
        eng.close()
