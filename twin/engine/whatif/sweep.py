"""The N-1 sweep: every single failure of a layout solved with the full air + liquid +
power model, on local worker processes or a Dask cluster (docs/physics.md §12).

Each worker keeps two simulators for the layout it was given: one that has solved the
base and only ever sees heat-load changes (a pump, a chiller, a UPS or feed: a power-only
or liquid-only update on the base airflow), and one for failures that change the air
side (a cooling unit or rear door: a full air solve, warm-started from the last one).
Scenarios come back as small :class:`Outcome` rows; the base is solved in the caller.
"""

from __future__ import annotations

import hashlib
import os
import queue
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any, Callable

import numpy as np

from twin.engine.simulate import Simulator, TwinResult
from twin.engine.whatif.components import GROUPS, Component, single_failures, with_failed
from twin.engine.whatif.outcome import FloorState, Outcome, floor_state, judge
from twin.model import Layout
from twin.physics.air import SolveError
from twin.physics.cancel import Cancelled

Progress = Callable[[int, int, float], None]     # done, total, seconds left (estimate)


@dataclass
class SweepResult:
    """The base figures, one outcome per component (in component order), the summary."""

    base: FloorState
    outcomes: list[Outcome]
    summary: list[str]
    seconds: float
    workers: int

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict
        return {"base": asdict(self.base), "summary": self.summary,
                "seconds": round(self.seconds, 3), "workers": self.workers,
                "scenarios": [o.to_json() for o in self.outcomes]}


def _return_limits(layout: Layout) -> np.ndarray | None:
    return np.array([c.return_limit_c for c in layout.cdus.values()]) if layout.cdus else None


class _Worker:
    """A worker's state for one layout: the layout, its base figures and two simulators."""

    def __init__(self, layout: Layout, heat_sim: Simulator | None = None,
                 base: TwinResult | None = None):
        """``heat_sim`` and ``base``: a simulator that has just solved ``layout`` and its
        result (the caller's base solve, reused); by default the worker solves it."""
        self.layout = layout
        self.heat_sim = heat_sim or Simulator(capture_index=False)
        self.air_sim = Simulator(capture_index=False)
        if base is None or heat_sim is None:
            base = self.heat_sim.run(layout)
        self.base = floor_state(base, layout.hall.ashrae_class, _return_limits(layout))

    def run(self, comp: Component) -> Outcome:
        t = time.perf_counter()
        snap = with_failed(self.layout, [comp.id])
        try:
            if comp.changes_airflow:
                res = self.air_sim.run(snap, geometry_changed=True)
            else:
                res = self.heat_sim.run(snap, geometry_changed=False)
        except (SolveError, ValueError, np.linalg.LinAlgError) as exc:
            return judge(comp, None, self.base, str(exc), time.perf_counter() - t)
        state = floor_state(res, snap.hall.ashrae_class, _return_limits(snap))
        return judge(comp, state, self.base, seconds=time.perf_counter() - t)


_worker: tuple[str, _Worker] | None = None     # (layout key, state) in a worker process


def _layout_key(layout: Layout) -> str:
    from twin.io import dumps_layout
    return hashlib.sha256(dumps_layout(layout).encode("utf-8", "surrogatepass")).hexdigest()


def _init(layout: Layout, key: str) -> None:
    global _worker
    if _worker is None or _worker[0] != key:
        _worker = (key, _Worker(layout))


def _run_local(comp: Component) -> Outcome:
    assert _worker is not None, "the pool initialiser sets the worker up"
    return _worker[1].run(comp)


def _run_remote(comp: Component, layout: Layout, key: str) -> Outcome:
    """A Dask task: set the worker up for this layout once, then solve ``comp``."""
    _init(layout, key)
    return _run_local(comp)


def run_sweep(layout: Layout, components: list[Component] | None = None, jobs: int | None = None,
              scheduler: str | None = None, progress: Progress | None = None,
              cancel: Callable[[], bool] | None = None,
              base_result: TwinResult | None = None) -> SweepResult:
    """Fail each of ``components`` (default: every single failure) in turn and judge it
    against the base. ``jobs``: local worker processes (default: the CPU count; 1 runs in
    this process); ``scheduler``: a Dask scheduler address instead. ``cancel()`` returning
    True stops with :class:`Cancelled`. Raises SolveError when the base has no solution."""
    t0 = time.perf_counter()
    layout = layout.snapshot()
    comps = single_failures(layout) if components is None else components
    base_sim: Simulator | None = None
    base_res = base_result
    if base_res is None:
        base_sim = Simulator()
        base_res = base_sim.run(layout)
    base = floor_state(base_res, layout.hall.ashrae_class, _return_limits(layout))
    # heat-only scenarios first: they are quick, and the estimate of time left settles
    order = sorted(range(len(comps)), key=lambda k: comps[k].changes_airflow)
    outcomes: list[Outcome | None] = [None] * len(comps)
    jobs = jobs or _auto_jobs(base_res, comps)
    report = _Reporter(len(comps), progress, t0)
    if scheduler:
        workers = _on_dask(layout, comps, order, outcomes, scheduler, report, cancel)
    elif jobs <= 1 or len(comps) <= 1:
        workers = 1
        w = _Worker(layout, base_sim, base_res)     # the base is not solved again
        for k in order:
            if cancel is not None and cancel():
                raise Cancelled()
            outcomes[k] = w.run(comps[k])
            report()
    else:
        workers = min(jobs, len(comps))
        _on_pool(layout, comps, order, outcomes, workers, report, cancel)
    done = [o for o in outcomes if o is not None]
    return SweepResult(base, done, summary_lines(done), time.perf_counter() - t0, workers)


#: Below this estimated serial time the sweep runs in this process: starting worker
#: processes (imports and a base solve each) would cost more than they save.
LOCAL_UNDER_S = 4.0


def _auto_jobs(base: TwinResult, comps: list[Component]) -> int:
    """Worker processes for a sweep: the CPU count, or 1 for a quick sweep. A scenario
    that changes the air side costs about the base's air solve (warm), the others about
    the rest of the base solve."""
    air_s = base.timing_s.get("air_s", 0.0)
    rest_s = max(base.timing_s.get("total_s", 0.0) - air_s, 0.0)
    n_air = sum(c.changes_airflow for c in comps)
    estimate_s = n_air * air_s + (len(comps) - n_air) * rest_s
    return 1 if estimate_s < LOCAL_UNDER_S else (os.cpu_count() or 1)


class _Reporter:
    def __init__(self, total: int, progress: Progress | None, t0: float):
        self.total, self.done, self.progress, self.t0 = total, 0, progress, t0

    def __call__(self) -> None:
        self.done += 1
        if self.progress is not None:
            spent = time.perf_counter() - self.t0
            self.progress(self.done, self.total, spent / self.done * (self.total - self.done))


def _collect(pending: dict[Future, int], outcomes: list, report: _Reporter,
             cancel: Callable[[], bool] | None, stop: Callable[[], None]) -> None:
    """Take outcomes as they finish. Each future posts itself to a queue when done, so
    a completion costs O(1) here (a ``wait`` over every pending future per completion
    costs O(n) each: on a 2,800-scenario sweep this process then took a core from the
    workers)."""
    finished: queue.SimpleQueue[Future] = queue.SimpleQueue()
    for fut in pending:
        fut.add_done_callback(finished.put)
    left = len(pending)
    while left:
        if cancel is not None and cancel():
            stop()
            raise Cancelled()
        try:
            fut = finished.get(timeout=0.2)
        except queue.Empty:
            continue
        outcomes[pending[fut]] = fut.result()
        left -= 1
        report()


def _on_pool(layout: Layout, comps: list[Component], order: list[int], outcomes: list,
             workers: int, report: _Reporter, cancel) -> None:
    # spawn: a fork of a process with Qt or solver threads running is unsafe; one BLAS
    # thread per worker, as the workers already fill the cores
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_init,
                             initargs=(layout, "local")) as pool:
        pending = {pool.submit(_run_local, comps[k]): k for k in order}

        def stop() -> None:
            pool.shutdown(wait=False, cancel_futures=True)
        _collect(pending, outcomes, report, cancel, stop)


def _on_dask(layout: Layout, comps: list[Component], order: list[int], outcomes: list,
             scheduler: str, report: _Reporter, cancel) -> int:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise RuntimeError("--scheduler needs Dask distributed: pip install "
                           "'ai-factory-twin[cluster]'") from exc
    key = _layout_key(layout)
    with Client(scheduler, timeout="10s") as client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        lay = client.scatter(layout, broadcast=True)
        futures = {client.submit(_run_remote, comps[k], lay, key, pure=False): k for k in order}
        for fut in as_completed(list(futures)):
            if cancel is not None and cancel():
                client.cancel(list(futures))
                raise Cancelled()
            outcomes[futures[fut]] = fut.result()
            report()
    return workers


def summary_lines(outcomes: list[Outcome]) -> list[str]:
    """One line per sweep group, e.g. "N+1 on CDUs: no — CDU-3 fails 12 racks"."""
    lines = []
    for group, words in GROUPS.items():
        rows = [o for o in outcomes if o.group == group]
        if not rows:
            continue
        failing = [o for o in rows if o.verdict == "fails"]
        if not failing:
            degraded = [o for o in rows if o.verdict == "degraded"]
            tail = f" ({len(degraded)} of {len(rows)} degraded)" if degraded else ""
            lines.append(f"N+1 on {words}: yes{tail}")
            continue
        worst = max(failing, key=lambda o: (len(o.racks_failed), o.state is None))
        n = len(worst.racks_failed)
        what = (f"fails {n} rack{'s' if n != 1 else ''}" if worst.racks_failed
                else worst.reasons[0] if worst.reasons else "fails")
        more = f"; {len(failing) - 1} more fail" if len(failing) > 1 else ""
        lines.append(f"N+1 on {words}: no \u2014 {worst.component} {what}{more}")
    return lines
