"""A single background worker that always runs the newest request (napari-slicer style).

``LatestWorker.submit(fn)`` cancels the request in flight (its ``CancelToken`` flips) and
replaces any request still waiting, so a stream of drag events costs at most one solve in
flight plus one queued. ``fn(token)`` runs on the worker thread; its result or exception
goes to ``on_done(request_id, result, error)`` on the worker thread — the GUI wraps that
callback in a queued Qt signal. Qt-free.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from twin.physics.cancel import Cancelled


class CancelToken:
    """Cooperative cancellation plus progress reporting for one request."""

    def __init__(self, on_progress: Callable[[float, str], None] | None = None):
        self._event = threading.Event()
        self._on_progress = on_progress

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:
        """Callable form for physics functions taking ``cancel=callable``."""
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def progress(self, fraction: float, message: str = "") -> None:
        self.check()
        if self._on_progress is not None:
            self._on_progress(fraction, message)


@dataclass
class _Request:
    id: int
    fn: Callable[[CancelToken], Any]
    token: CancelToken
    submitted_s: float = field(default_factory=time.perf_counter)


def wait_while(busy: Callable[[], bool], timeout_s: float) -> bool:
    """Poll ``busy`` until it is false (True) or ``timeout_s`` has passed (False)."""
    end = time.perf_counter() + timeout_s
    while busy():
        if time.perf_counter() > end:
            return False
        time.sleep(0.002)
    return True


DoneCallback = Callable[[int, Any, BaseException | None], None]


class LatestWorker:
    """One daemon thread; runs the latest submitted request, drops superseded ones."""

    def __init__(self, on_done: DoneCallback,
                 on_progress: Callable[[int, float, str], None] | None = None,
                 name: str = "twin-engine"):
        self._on_done = on_done
        self._on_progress = on_progress
        self._cond = threading.Condition()
        self._pending: _Request | None = None
        self._running: _Request | None = None
        self._next_id = 0
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[CancelToken], Any], cancel_running: bool = True) -> int:
        """Queue ``fn``; supersedes the waiting request and (optionally) the running one."""
        with self._cond:
            self._next_id += 1
            rid = self._next_id
            on_progress = self._on_progress
            token = CancelToken(
                (lambda f, m: on_progress(rid, f, m)) if on_progress is not None else None)
            self._pending = _Request(rid, fn, token)
            if cancel_running and self._running is not None:
                self._running.token.cancel()
            self._cond.notify()
            return rid

    @property
    def latest_id(self) -> int:
        """The id of the newest request submitted."""
        with self._cond:
            return self._next_id

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._running is not None or self._pending is not None

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """Block until nothing is queued or running and every result was delivered to
        ``on_done`` (tests, CLI)."""
        return wait_while(lambda: self.busy, timeout_s)

    def close(self, timeout_s: float = 5.0) -> None:
        with self._cond:
            self._closed = True
            if self._running is not None:
                self._running.token.cancel()
            self._pending = None
            self._cond.notify()
        self._thread.join(timeout_s)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                req, self._pending = self._pending, None
                assert req is not None   # the wait ends on a request or on close
                self._running = req
            result: Any = None
            error: Exception | None = None
            try:
                result = req.fn(req.token)
            except Cancelled:
                error = Cancelled()
            except Exception as exc:  # delivered to the GUI, never kills the worker
                error = exc
            with self._cond:
                superseded = self._pending is not None or req.token.cancelled
            try:
                if not (superseded and isinstance(error, Cancelled)):
                    self._on_done(req.id, result, error)
            finally:
                with self._cond:   # busy until delivered: idle means every callback ran
                    self._running = None
