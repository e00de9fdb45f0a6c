"""The latest-request worker: supersedes, cancels, coalesces, reports errors."""

import threading
import time

import pytest

from twin.engine.worker import Cancelled, LatestWorker


def test_runs_latest_and_cancels_running():
    done = []
    started = threading.Event()
    w = LatestWorker(lambda rid, res, err: done.append((rid, res, type(err).__name__)))

    def slow(token):
        started.set()
        for _ in range(200):
            token.check()
            time.sleep(0.005)
        return "slow"
    w.submit(slow)
    started.wait(2)
    for k in range(5):  # a burst of drag events: only the last one must run
        w.submit(lambda token, k=k: k)
    assert w.wait_idle(5)
    w.close()
    assert done[-1][1] == 4
    assert all(res != "slow" for _rid, res, _e in done)
    assert len(done) <= 2


def test_error_is_delivered_and_worker_survives():
    done = []
    w = LatestWorker(lambda rid, res, err: done.append((res, err)))
    w.submit(lambda t: 1 / 0)
    w.wait_idle(2)
    w.submit(lambda t: "ok")
    w.wait_idle(2)
    w.close()
    assert isinstance(done[0][1], ZeroDivisionError)
    assert done[1] == ("ok", None)


def test_progress_reports_and_cancel_token_callable():
    seen = []
    w = LatestWorker(lambda *a: None, on_progress=lambda rid, f, m: seen.append((f, m)))

    def job(token):
        assert token() is False
        token.progress(0.5, "half")
        return 1
    w.submit(job)
    w.wait_idle(2)
    w.close()
    assert seen == [(0.5, "half")]
    assert issubclass(Cancelled, Exception)


def test_request_ids_grow_with_every_submit():
    """Ids tell a result from a superseded one: each submit gets a new, larger id."""
    done = []
    w = LatestWorker(lambda rid, res, err: done.append((rid, res)))
    try:
        ids = [w.submit(lambda token, k=k: k, cancel_running=False) for k in range(3)]
        assert ids == [1, 2, 3] and w.latest_id == 3
        assert w.wait_idle(5)
        assert done[-1] == (3, 2)
    finally:
        w.close()


def test_a_superseded_request_that_still_finished_is_delivered():
    """Only a superseded request that ended *cancelled* is dropped: one whose function
    ignored the cancel and returned a result delivers it (the engine's sequence numbers
    decide whether it is still shown), then the newer request runs."""
    done = []
    started, release = threading.Event(), threading.Event()
    w = LatestWorker(lambda rid, res, err: done.append((rid, res, err)))

    def stubborn(token):
        started.set()
        release.wait(5)
        return "first"                    # ignores its cancelled token
    try:
        w.submit(stubborn)
        assert started.wait(5)
        w.submit(lambda token: "second")  # cancels the running one
        release.set()
        assert w.wait_idle(5)
    finally:
        w.close()
    assert done == [(1, "first", None), (2, "second", None)]


def test_a_superseded_request_that_finishes_is_still_delivered():
    """Only a cancellation of a superseded request is dropped: a request that finishes
    while a newer one waits (submitted without cancelling it) delivers its result, and a
    request that raises Cancelled by itself, superseded by nothing, delivers that."""
    done = []
    release, started = threading.Event(), threading.Event()
    w = LatestWorker(lambda rid, res, err: done.append((rid, res, type(err).__name__)))
    try:
        def first(token):
            started.set()
            release.wait(5)
            return "first"
        w.submit(first)
        assert started.wait(5)
        w.submit(lambda token: "second", cancel_running=False)
        release.set()
        assert w.wait_idle(5)
        assert done == [(1, "first", "NoneType"), (2, "second", "NoneType")]

        def gives_up(token):
            raise Cancelled()
        w.submit(gives_up)
        assert w.wait_idle(5)
        assert done[-1] == (3, None, "Cancelled")
    finally:
        w.close()


@pytest.mark.parametrize("kwargs, expected", [({}, "twin-engine"),
                                               ({"name": "twin-test-lane"}, "twin-test-lane")])
def test_the_request_runs_on_a_thread_named_after_the_worker(kwargs, expected):
    """A thread dump (faulthandler, py-spy) names the engine's threads: requests run on
    the worker's own thread, called ``name`` ("twin-engine" unless told otherwise)."""
    done = []
    w = LatestWorker(lambda rid, res, err: done.append(res), **kwargs)
    try:
        w.submit(lambda token: threading.current_thread().name)
        assert w.wait_idle(5)
        assert done == [expected]
    finally:
        w.close()
