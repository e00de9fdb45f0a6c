"""The live twin engine: re-simulates the layout on every change, off the GUI thread.

Qt-free (the GUI wraps the callbacks in a queued signal). Every ``Layout.changed`` takes a
snapshot and submits it to a ``LatestWorker``, which cancels superseded work, so a stream
of drag events costs one solve in flight at most per worker.

Refined passes (edits, the end of a drag) run in the main lane: one worker and its
physics process, whose solver state follows the layout from edit to edit. While a drag is
in progress every new position is also solved as a coarse pass in a second lane (its own
worker and process, started on the first slow refined solve), so on two cores the fast
pass shows within a blink while the refined pass of the same position is already running
next to it; ``end_drag`` asks for the refined pass only if it is not already running or
done. The coarse lane's process runs at a lower priority (``FAST_LANE_NICENESS``): where
the two lanes, the window and the software renderer share two cores, its best-effort
passes yield to the others. Where the refined pass of a move is itself quick (small rooms:
``drag_refined_max_s``, measured on this layout's last moves), drags run refined passes
only: a coarse pass would just take a core from the refined one. Whether the airflow must
be re-solved is decided from the change events: a workload or power edit reuses it, and
when that power-only pass moved the inlets enough to leave the airflow's buoyancy drift
stale (``AirResult.drift_settled``), a *settle* pass of the same layout follows it in the
main lane (the drift re-solved, docs/physics.md §2.8) unless a newer request came first:
the figures shown at once are the power-only ones, and the settled ones, equal to a
fresh solve's, replace them a moment later (0.06 s on the small room).

Every request gets a sequence number; a result (or error) older than one already
delivered is dropped, so a late coarse pass never replaces the refined result of its own
position or a newer one.

The last few refined results are kept with their snapshots: a layout equal to one of them
(undo, redo, a drag back to where it started) gets that result again at once, so undo
restores exactly the numbers shown before (a warm-started re-solve would differ by the
solver's tolerance) and costs no solve.

The worker threads only wait: the physics runs in separate processes
(``twin.engine.remote``), so it never holds the GUI process's interpreter lock.
``isolate=False`` runs it on the worker threads instead.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from twin.engine.remote import LocalSimulator, RemoteSimulator
from twin.engine.simulate import TwinResult
from twin.engine.worker import CancelToken, LatestWorker, wait_while
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
    settle: bool = False       # the re-solve of a power-only pass's buoyancy drift

    @property
    def latency_s(self) -> float:
        return self.finished_s - self.submitted_s


CACHE_SIZE = 6
#: drags skip the coarse pass where the refined solves of the last geometry edits (warm;
#: the median of up to three) took at most this much CPU time: interactive on their own.
#: CPU time, not wall time: while two passes share the cores each takes longer.
DRAG_REFINED_MAX_S = 0.15
#: the coarse lane's physics process runs at this lower priority: its passes are best
#: effort, and on two cores the window and the refined pass must not wait for them
#: (measured effect: tests/bench/README.md, History)
FAST_LANE_NICENESS = 5


class _Lane:
    """One latest-wins worker and the simulator it drives; ``seq`` maps the worker's
    request ids to the engine's sequence numbers."""

    def __init__(self, sim, on_done: Callable, on_progress: Callable | None, name: str):
        self.sim = sim
        self.seq: dict[int, int] = {}
        self.worker = LatestWorker(lambda rid, payload, error: on_done(self, rid, payload, error),
                                   on_progress, name=name)

    def close(self) -> None:
        self.worker.close()
        self.sim.close()


class LiveEngine:
    """Keeps results fresh for one layout. Callbacks run on the worker threads."""

    def __init__(self, layout: Layout,
                 on_result: Callable[[TwinResult, Layout, SolveInfo], None],
                 on_error: Callable[[BaseException, SolveInfo], None],
                 on_progress: Callable[[float, str], None] | None = None,
                 on_started: Callable[[int, bool], None] | None = None,
                 isolate: bool = True):
        self.layout = layout
        self._on_result, self._on_error = on_result, on_error
        self._on_progress, self._on_started = on_progress, on_started
        self._new_sim = RemoteSimulator if isolate else LocalSimulator
        self._lock = threading.Lock()
        self._geometry_generation = 1
        self._solved_generation = 0
        self._dragging = False
        self._cache: list[tuple[Layout, TwinResult]] = []   # refined, most recent last
        self._refining: tuple[int, Layout] | None = None     # main lane's latest request
        self._move_cpu_s: list[float] = []    # CPU time of the last warm refined moves
        self._seq = self._delivered = 0
        self._closed = False
        self.drag_refined_max_s = DRAG_REFINED_MAX_S
        self.enabled = True
        self._main = _Lane(self._new_sim(), self._done, self._progress, "twin-engine")
        self._fast: _Lane | None = None                      # coarse passes during drags
        layout.changed.connect(self._on_change)

    # ----- requests ----------------------------------------------------------------
    def request(self, coarse: bool | None = None) -> int | None:
        """Submit a solve of the current layout; while dragging (by default) a coarse
        pass and, next to it, the refined one. Returns the last sequence number."""
        if not self.enabled:
            return None
        with self._lock:
            generation = self._geometry_generation
        snap = self.layout.snapshot()
        if coarse is None and self._dragging and not self.drags_refined:
            self._submit(snap, generation, coarse=True)
            coarse = False
        return self._submit(snap, generation, bool(coarse))

    def _submit(self, snap: Layout, generation: int, coarse: bool, settle: bool = False) -> int:
        submitted = time.perf_counter()
        hit = None if coarse or settle else self._cached(snap)
        lane = self._fast_lane() if coarse else self._main
        assert lane is not None   # only a prewarm after close gets no fast lane
        with self._lock:
            self._seq += 1
            seq = self._seq

        def cached_job(token: CancelToken) -> tuple[TwinResult, Layout, SolveInfo]:
            assert hit is not None   # submitted only on a cache hit
            return hit, snap, SolveInfo(seq, False, False, submitted, time.perf_counter(),
                                        cached=True)

        def job(token: CancelToken) -> tuple[TwinResult, Layout, SolveInfo]:
            with self._lock:
                geometry_changed = coarse or settle or generation != self._solved_generation
                warm = self._solved_generation > 0 and not settle
            if self._on_started:
                self._on_started(seq, coarse)
            result = lane.sim.run(snap, geometry_changed, coarse, token)
            if not coarse:
                with self._lock:
                    if geometry_changed and warm:
                        self._move_cpu_s = self._move_cpu_s[-2:] + [result.timing_s["cpu_s"]]
                    self._solved_generation = generation
                    if _settled(result):
                        self._cache = self._cache[1 - CACHE_SIZE:] + [(snap, result)]
                if not self.drags_refined:
                    self._fast_lane(prewarm=True)   # its process, before the first drag
            return result, snap, SolveInfo(seq, coarse, geometry_changed, submitted,
                                           time.perf_counter(), generation=generation,
                                           settle=settle)
        with self._lock:
            rid = lane.worker.submit(job if hit is None else cached_job)
            lane.seq = {k: v for k, v in lane.seq.items() if k > rid - 8}   # dropped ones
            lane.seq[rid] = seq
            if not coarse:
                self._refining = None if hit is not None else (rid, snap)
        return seq

    def _fast_lane(self, prewarm: bool = False) -> _Lane | None:
        with self._lock:
            if self._fast is None and not (prewarm and self._closed):
                sim = (RemoteSimulator(niceness=FAST_LANE_NICENESS)
                       if self._new_sim is RemoteSimulator else self._new_sim())
                self._fast = _Lane(sim, self._done, None, "twin-engine-fast")
            return self._fast

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
        with self._lock:
            moves = sorted(self._move_cpu_s)
        return bool(moves) and moves[len(moves) // 2] <= self.drag_refined_max_s

    def begin_drag(self) -> None:
        self._dragging = True

    def end_drag(self) -> None:
        """The drag ended: ask for the refined pass, unless the one running is for this
        very layout (then its result is the answer)."""
        self._dragging = False
        with self._lock:
            refining = self._refining
        worker = self._main.worker
        if (refining is not None and refining[0] == worker.latest_id and worker.busy
                and refining[1].equals(self.layout)):
            return
        self.request(coarse=False)     # (a refined pass already done comes from the cache)

    @property
    def busy(self) -> bool:
        return any(lane.worker.busy for lane in self._lanes())

    def wait_idle(self, timeout_s: float = 60.0) -> bool:
        return wait_while(lambda: self.busy, timeout_s)

    def close(self) -> None:
        self.layout.changed.disconnect(self._on_change)
        with self._lock:
            self._closed = True        # a job finishing now starts no second lane
        for lane in self._lanes():
            lane.close()

    # ----- internals ---------------------------------------------------------------
    def _lanes(self) -> list[_Lane]:
        return [self._main] + ([self._fast] if self._fast is not None else [])

    def _on_change(self, change: Change) -> None:
        if not change.touches_physics:
            return
        if change.touches_geometry:
            with self._lock:
                self._geometry_generation += 1
        self.request()

    def _progress(self, _rid: int, fraction: float, message: str) -> None:
        if self._on_progress:
            self._on_progress(fraction, message)

    def _done(self, lane: _Lane, rid: int, payload, error: BaseException | None) -> None:
        with self._lock:
            seq = lane.seq.pop(rid, 0)
            if seq < self._delivered:
                return                 # a newer request's result is already out
            self._delivered = seq
        if error is not None:
            now = time.perf_counter()
            self._on_error(error, SolveInfo(seq, lane is not self._main, True, now, now))
            return
        self._on_result(*payload)
        result, snap, info = payload
        if lane is self._main and not info.coarse and not _settled(result):
            with self._lock:
                newest = seq == self._seq and not self._closed
            if newest:          # the power-only pass shown, its buoyancy drift re-solved next
                self._submit(snap, info.generation, coarse=False, settle=True)


def _settled(result: TwinResult) -> bool:
    """Whether a result's airflow carries the buoyancy drift of its own temperatures (a
    power-only pass that moved the inlets leaves it stale: docs/physics.md §2.8)."""
    return result.air is None or result.air.drift_settled
