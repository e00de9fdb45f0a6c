"""The live twin engine: re-simulates the layout on every change, off the GUI thread.

Qt-free (the GUI wraps the callbacks in a queued signal). Every ``Layout.changed`` takes a
snapshot and submits it to one ``LatestWorker``, which cancels superseded work, so a
stream of drag events costs one solve in flight at most. While a drag is in progress the
solve is a coarse pass; once a coarse result is in and the mouse has not moved since, the
refined pass of that position starts at once, and ``end_drag`` asks for it only if it is
not already running or done. Where the refined pass of a move is itself quick (small
rooms: ``drag_refined_max_s``, measured on this layout's last move), drags run refined
passes only: a coarse pass would just delay the refined one. Whether the airflow must be
re-solved is decided from the change events: a workload or power edit reuses it.

The last few refined results are kept with their snapshots: a layout equal to one of them
(undo, redo, a drag back to where it started) gets that result again at once, so undo
restores exactly the numbers shown before (a warm-started re-solve would differ by the
solver's tolerance) and costs no solve.

The worker thread only waits: the physics runs in a separate process
(``twin.engine.remote``), so it never holds the GUI process's interpreter lock.
``isolate=False`` runs it on the worker thread instead.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from twin.engine.remote import LocalSimulator, RemoteSimulator
from twin.engine.simulate import TwinResult
from twin.engine.worker import CancelToken, LatestWorker
from twin.model import Change, Layout


@dataclass(frozen=True)
class SolveInfo:
    """What a delivered result is: its request, pass kind and timings."""

    request_id: int
    coarse: bool
    geometry_changed: bool
    submitted_s: float
    finished_s: float
    cached: bool = False
    generation: int = 0

    @property
    def latency_s(self) -> float:
        return self.finished_s - self.submitted_s


CACHE_SIZE = 6
#: drags skip the coarse pass where the last refined solve of a geometry edit (warm, in
#: the physics process) took at most this long: that is interactive enough on its own
DRAG_REFINED_MAX_S = 0.12


class LiveEngine:
    """Keeps results fresh for one layout. Callbacks run on the worker thread."""

    def __init__(self, layout: Layout,
                 on_result: Callable[[TwinResult, Layout, SolveInfo], None],
                 on_error: Callable[[BaseException, SolveInfo], None],
                 on_progress: Callable[[float, str], None] | None = None,
                 on_started: Callable[[int, bool], None] | None = None,
                 isolate: bool = True):
        self.layout = layout
        self._on_result, self._on_error = on_result, on_error
        self._on_progress, self._on_started = on_progress, on_started
        self._sim = RemoteSimulator() if isolate else LocalSimulator()
        self._lock = threading.Lock()
        self._geometry_generation = 1
        self._solved_generation = 0
        self._dragging = False
        self._cache: list[tuple[Layout, TwinResult]] = []   # refined, most recent last
        self._refining: tuple[int, Layout] | None = None     # latest request, if refined
        self._move_s: float | None = None     # physics time of the last warm refined move
        self.drag_refined_max_s = DRAG_REFINED_MAX_S
        self.enabled = True
        self._worker = LatestWorker(self._done, self._progress)
        layout.changed.connect(self._on_change)

    # ----- requests ----------------------------------------------------------------
    def request(self, coarse: bool | None = None) -> int | None:
        """Submit a solve of the current layout (coarse while dragging by default)."""
        if not self.enabled:
            return None
        coarse = self._dragging and not self.drags_refined if coarse is None else coarse
        with self._lock:
            generation = self._geometry_generation
        return self._submit(self.layout.snapshot(), generation, coarse)

    def _submit(self, snap: Layout, generation: int, coarse: bool) -> int:
        submitted = time.perf_counter()
        hit = self._cached(snap)

        def cached_job(token: CancelToken) -> tuple[TwinResult, Layout, SolveInfo]:
            return hit, snap, SolveInfo(rid_box[0], False, False, submitted,
                                        time.perf_counter(), cached=True)

        def job(token: CancelToken) -> tuple[TwinResult, Layout, SolveInfo]:
            with self._lock:
                geometry_changed = generation != self._solved_generation
                warm = self._solved_generation > 0
            if self._on_started:
                self._on_started(rid_box[0], coarse)
            result = self._sim.run(snap, geometry_changed, coarse, token)
            if not coarse:
                with self._lock:
                    if geometry_changed and warm:
                        self._move_s = result.timing_s.get("total_s")
                    self._solved_generation = generation
                    self._cache = self._cache[1 - CACHE_SIZE:] + [(snap, result)]
            return result, snap, SolveInfo(rid_box[0], coarse, geometry_changed, submitted,
                                           time.perf_counter(), generation=generation)
        rid_box = [0]
        with self._lock:
            rid_box[0] = self._worker.submit(job if hit is None else cached_job)
            self._refining = None if coarse or hit is not None else (rid_box[0], snap)
        return rid_box[0]

    def _cached(self, snap: Layout) -> TwinResult | None:
        with self._lock:
            entries = list(self._cache)
        for old, result in reversed(entries):
            if old.catalogue is snap.catalogue and old.equals(snap):
                return result
        return None

    @property
    def drags_refined(self) -> bool:
        """Whether drags run refined passes only (the refined pass of a move is quick)."""
        move_s = self._move_s
        return move_s is not None and move_s <= self.drag_refined_max_s

    def begin_drag(self) -> None:
        self._dragging = True

    def end_drag(self) -> None:
        """The drag ended: ask for the refined pass, unless the one started while the
        mouse rested is for this very layout (then its result is the answer)."""
        self._dragging = False
        with self._lock:
            refining = self._refining
        if (refining is not None and refining[0] == self._worker.latest_id
                and self._worker.busy and refining[1].equals(self.layout)):
            return
        self.request(coarse=False)     # (a refined pass already done comes from the cache)

    @property
    def busy(self) -> bool:
        return self._worker.busy

    def wait_idle(self, timeout_s: float = 60.0) -> bool:
        return self._worker.wait_idle(timeout_s)

    def close(self) -> None:
        self.layout.changed.disconnect(self._on_change)
        self._worker.close()
        self._sim.close()

    # ----- internals ---------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if change.touches_geometry:
            with self._lock:
                self._geometry_generation += 1
        self.request()

    def _progress(self, _rid: int, fraction: float, message: str) -> None:
        if self._on_progress:
            self._on_progress(fraction, message)

    def _done(self, rid: int, payload, error: BaseException | None) -> None:
        if error is not None:
            now = time.perf_counter()
            self._on_error(error, SolveInfo(rid, self._dragging, True, now, now))
            return
        result, snap, info = payload
        self._on_result(result, snap, info)
        if info.coarse and self._dragging and rid == self._worker.latest_id:
            # the mouse rests: refine this position now; release then costs little or
            # nothing, and the next move cancels it like any superseded solve
            self._submit(snap, info.generation, coarse=False)
