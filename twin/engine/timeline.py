"""The floor over time: a 24-hour profile or a workload trace stepped through as
quasi-steady states of the same floor (docs/physics.md §20).

Each step is the layout with its workloads' utilisation (and, for rack rows of a trace,
those racks' own utilisation) as they are at that instant; the airflow field is solved
at the first step and reused (``Simulator``), so a step costs what a workload edit costs.
``run_timeline`` returns the figures per step (IT and facility power, PUE, tokens per kWh,
worst rack inlet, worst coolant return); ``TimelinePlayer`` re-solves any one step for
the views.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from twin.engine.profile import hour_snapshot
from twin.engine.simulate import Simulator, TwinResult
from twin.io.trace import Trace, TraceRow
from twin.model import Layout
from twin.physics.cancel import Cancelled

#: Figures per step: key -> (label, unit).
SERIES = {"it_kw": ("IT power", "kW"), "facility_kw": ("Facility power at the meter", "kW"),
          "pue": ("PUE", ""), "tokens_per_kwh": ("Tokens per kWh", ""),
          "worst_inlet_c": ("Worst rack inlet", "°C"),
          "worst_coolant_return_c": ("Worst coolant return", "°C")}


@dataclass
class Timeline:
    """Figures per step of a period. ``t_s`` are seconds from the period's start."""

    source: str
    labels: list[str]
    t_s: np.ndarray
    series: dict[str, np.ndarray]
    trace_tokens_per_s: np.ndarray | None = None
    step_s: list[float] = field(default_factory=list)     # solve time of each step

    def peak(self, key: str) -> tuple[float, str]:
        v = self.series[key]
        if not np.isfinite(v).any():
            return float("nan"), ""
        k = int(np.nanargmax(v))
        return float(v[k]), self.labels[k]

    def to_json(self) -> dict[str, Any]:
        steps = []
        for k, label in enumerate(self.labels):
            row: dict[str, Any] = {"t_s": float(self.t_s[k]), "label": label}
            for key, v in self.series.items():
                x = float(v[k])
                row[key] = round(x, 4) if np.isfinite(x) else None
            if self.trace_tokens_per_s is not None:
                x = float(self.trace_tokens_per_s[k])
                row["trace_tokens_per_s"] = x if np.isfinite(x) else None
            steps.append(row)
        peaks = {key: dict(zip(("value", "at"), self.peak(key)))
                 for key in ("facility_kw", "pue", "worst_inlet_c")}
        return {"source": self.source, "steps": steps, "peaks": peaks,
                "step_seconds_mean": round(float(np.mean(self.step_s)), 4) if self.step_s else None}

    def to_csv(self) -> str:
        keys = list(self.series)
        lines = ["t_s,label," + ",".join(keys)]
        for k, label in enumerate(self.labels):
            vals = ["" if not np.isfinite(self.series[key][k]) else f"{self.series[key][k]:.6g}"
                    for key in keys]
            lines.append(f"{self.t_s[k]:g},{label}," + ",".join(vals))
        return "\n".join(lines) + "\n"


# ----- the steps ---------------------------------------------------------------------
Step = tuple[str, float, Callable[[], Layout]]


def profile_steps(layout: Layout) -> list[Step]:
    """The 24 hours of the workloads' daily profiles and the site's dry-bulb curve."""
    return [(f"{h:02d}:00", h * 3600.0, functools.partial(hour_snapshot, layout, h))
            for h in range(24)]


def trace_steps(layout: Layout, trace: Trace) -> list[Step]:
    """One step per distinct instant of ``trace``: every target at its latest row."""
    steps: list[Step] = []
    state: dict[tuple[str, tuple[str, ...]], TraceRow] = {}
    rows = trace.rows
    i = 0
    t0 = trace.times_s[0] if trace.times_s else 0.0
    for t in trace.times_s:
        while i < len(rows) and rows[i].t_s <= t:
            r = rows[i]
            state[(r.kind, (r.target,) if r.kind == "workload" else r.racks)] = r
            i += 1
        frozen = dict(state)
        steps.append((_clock(t - t0, trace.duration_s), t - t0,
                      functools.partial(trace_snapshot, layout, list(frozen.values()))))
    return steps


def _clock(t_s: float, span_s: float) -> str:
    if span_s <= 3 * 3600:
        return f"{t_s:,.0f} s"
    h, rem = divmod(int(round(t_s)), 3600)
    return f"{h:02d}:{rem // 60:02d}" if h < 100 else f"{h} h"


def trace_snapshot(layout: Layout, rows: Any) -> Layout:
    """``layout`` with each trace row applied: a workload row sets the workload's
    utilisation; a rack row gives those racks a copy of their workload at the row's
    utilisation (racks without a workload are left as they are)."""
    snap = layout.snapshot()
    workloads = snap.items["workloads"]
    racks = snap.racks
    for r in sorted(rows, key=lambda r: (r.kind != "workload", r.line)):
        if r.kind == "workload":
            workloads[r.target] = dataclasses.replace(workloads[r.target], utilisation=r.utilisation)
            continue
        idx = racks.indices_of(r.racks)
        new_wl = []
        for i in idx:
            w = racks["workload"][i]
            base = w.split("@", 1)[0]
            if not base or base not in workloads:
                new_wl.append(w)
                continue
            clone = f"{base}@{r.utilisation:.6g}"
            if clone not in workloads:
                workloads[clone] = dataclasses.replace(workloads[base], id=clone,
                                                       utilisation=r.utilisation)
            new_wl.append(clone)
        racks.set_values(idx, "workload", np.array(new_wl, dtype=object))
    return snap


# ----- solving -----------------------------------------------------------------------
def step_figures(res: TwinResult) -> dict[str, float]:
    f = res.facility
    liq = res.liquid
    ret = float("nan")
    if liq is not None and len(liq.racks.return_c):
        on = liq.racks.cdu_index >= 0
        if on.any() and np.isfinite(liq.racks.return_c[on]).any():
            ret = float(np.nanmax(liq.racks.return_c[on]))
    return {"it_kw": f.it_kw, "facility_kw": f.facility_kw, "pue": f.pue,
            "tokens_per_kwh": f.tokens_per_kwh,
            "worst_inlet_c": float(res.metrics.get("worst_inlet_c", float("nan"))),
            "worst_coolant_return_c": ret}


class TimelinePlayer:
    """Solves steps of one period on one ``Simulator`` (the airflow of the first solve
    reused), so stepping back and forth costs a workload edit each."""

    def __init__(self, steps: list[Step]):
        self.steps = steps
        self.sim = Simulator()
        self._solved = False

    def solve(self, k: int, cancel: Callable[[], bool] | None = None) -> tuple[Layout, TwinResult]:
        snap = self.steps[k][2]()
        res = self.sim.run(snap, geometry_changed=not self._solved, cancel=cancel)
        self._solved = True
        return snap, res


def run_timeline(layout: Layout, steps: list[Step], source: str,
                 progress: Callable[[float, str], None] | None = None,
                 cancel: Callable[[], bool] | None = None,
                 trace: Trace | None = None) -> Timeline:
    player = TimelinePlayer(steps)
    series: dict[str, list[float]] = {k: [] for k in SERIES}
    seconds = []
    for k, (label, _t, _snap) in enumerate(steps):
        if cancel is not None and cancel():
            raise Cancelled()
        if progress is not None:
            progress(k / len(steps), f"step {k + 1} of {len(steps)} ({label})")
        t0 = time.perf_counter()
        _s, res = player.solve(k, cancel)
        seconds.append(time.perf_counter() - t0)
        for key, v in step_figures(res).items():
            series[key].append(v)
    if progress is not None:
        progress(1.0, "done")
    tokens = None
    if trace is not None and any(r.tokens_per_s is not None for r in trace.rows):
        tokens = _trace_tokens(trace)
    return Timeline(source, [s[0] for s in steps], np.array([s[1] for s in steps]),
                    {k: np.array(v, dtype=float) for k, v in series.items()}, tokens, seconds)


def _trace_tokens(trace: Trace) -> np.ndarray:
    """The trace's own token rate per instant: the sum over workloads of their latest
    ``tokens_per_s`` (NaN before any is given)."""
    latest: dict[str, float] = {}
    out = []
    rows = [r for r in trace.rows if r.tokens_per_s is not None]
    i = 0
    for t in trace.times_s:
        while i < len(rows) and rows[i].t_s <= t:
            latest[rows[i].target] = float(rows[i].tokens_per_s or 0.0)
            i += 1
        out.append(sum(latest.values()) if latest else float("nan"))
    return np.array(out)
