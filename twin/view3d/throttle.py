"""``Throttle``: run a callback at most once per interval, with a trailing call.

A burst of requests (mouse moves, camera changes) runs the callback at once for the first
and then at most every ``interval_s``; the last request of a burst is never lost, it runs
when the interval has passed. Timing uses vispy's timer on the canvas's application, so
it works on the Qt canvas; without a timer (EGL off-screen) every request runs at once.
"""

from __future__ import annotations

import time
from typing import Callable


class Throttle:
    def __init__(self, interval_s: float, callback: Callable[[], None], app=None):
        self.interval_s = float(interval_s)
        self.callback = callback
        self._last = -1e9
        self._pending = False
        self._stopped = False
        try:
            from vispy import app as vispy_app
            self._timer = vispy_app.Timer(self.interval_s, connect=self._on_timer,
                                          iterations=1, start=False, app=app)
        except Exception:   # no timer on this backend: never defer
            self._timer = None

    def request(self, defer: bool = False) -> None:
        """Run the callback now, or once the interval since the last run has passed.
        With ``defer`` never now: on the next turn of the event loop at the earliest (a
        model event whose other handlers have not run yet); without a timer, not at
        all (the caller then runs the callback itself when it needs it)."""
        if self._stopped:   # its view is closed: a late camera or model event runs nothing
            return
        wait = self.interval_s - (time.perf_counter() - self._last)
        if self._timer is None:
            if not defer:
                self._run()
            return
        if wait <= 0 and not defer:
            self._run()
            return
        self._pending = True
        if not self._timer.running:
            self._timer.interval = max(wait, 0.005)
            self._timer.start(iterations=1)

    def _on_timer(self, _event=None) -> None:
        if self._pending:
            self._run()

    def _run(self) -> None:
        self._pending = False
        self._last = time.perf_counter()
        self.callback()

    def stop(self) -> None:
        """Cancel a pending call and take no more requests (the view is being closed:
        its canvas may be deleted before the timer would fire)."""
        self._stopped = True
        self._pending = False
        if self._timer is not None:
            self._timer.stop()
