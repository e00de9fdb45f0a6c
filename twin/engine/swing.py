"""The hall's power at the utility meter while training jobs swing (docs/physics.md §19):
the raw series, the same after each smoothing option the layout has (GPU power floor, the
racks' power-shelf storage, a facility battery), the ramp, swing and band share of each,
checked against the grid's limits, and what the power floor costs.

Built on the steady result: each swinging workload's racks run at their steady (compute-
phase) power H and drop to ``swing_low_fraction``·H; the power chain passes the change on
with its steady loss ratio; cooling does not follow sub-second changes (thermal inertia)
and stays at its steady power.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twin.model import Layout
from twin.physics import swing as sw

#: Most samples in one series; the resolution is coarsened to fit.
MAX_SAMPLES = 120_000
#: Periods evaluated (after ``WARMUP_PERIODS`` that let the stores settle).
PERIODS, WARMUP_PERIODS = 6, 2
RUNNING = 0


@dataclass
class SwingJob:
    """One swinging workload: its racks' compute-phase power and the wave."""

    workload: str
    racks: int
    high_kw: float
    low_kw: float
    period_s: float
    duty: float
    rise_s: float
    storage_kj: float


@dataclass
class Stage:
    """The series at the meter after a smoothing option (cumulative), and its metrics."""

    name: str
    metrics: sw.SwingMetrics
    ramp_ok: bool | None
    swing_ok: bool | None


@dataclass
class SwingReport:
    jobs: list[SwingJob]
    dt_s: float
    t_s: np.ndarray
    raw_mw: np.ndarray
    smoothed_mw: np.ndarray
    stages: list[Stage]
    max_ramp_mw_per_s: float | None
    max_swing_mw: float | None
    floor_extra_kw: float = 0.0
    floor_usd_per_year: float = 0.0
    floor_mwh_per_year: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def to_json(self, series: bool = True) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "jobs": [dataclasses.asdict(j) for j in self.jobs],
            "limits": {"max_ramp_mw_per_s": self.max_ramp_mw_per_s,
                       "max_swing_mw": self.max_swing_mw},
            "stages": [{"name": s.name, **{k: round(v, 6) for k, v in s.metrics.scaled(1e-6).items()},
                        "ramp_ok": s.ramp_ok, "swing_ok": s.swing_ok} for s in self.stages],
            "power_floor": {"extra_kw": round(self.floor_extra_kw, 3),
                            "mwh_per_year": round(self.floor_mwh_per_year, 3),
                            "usd_per_year": round(self.floor_usd_per_year, 2)},
            "dt_s": self.dt_s, "notes": self.notes}
        for s in doc["stages"]:
            s["mean_mw"], s["peak_mw"], s["trough_mw"], s["swing_mw"] = (
                s.pop("mean"), s.pop("peak"), s.pop("trough"), s.pop("swing"))
            s["max_ramp_mw_per_s"] = s.pop("max_ramp_per_s")
        if series:
            doc["series"] = {"t_s": [round(float(v), 5) for v in self.t_s],
                             "raw_mw": [round(float(v), 6) for v in self.raw_mw],
                             "smoothed_mw": [round(float(v), 6) for v in self.smoothed_mw]}
        return doc


def swing_jobs(layout: Layout, result: Any) -> list[SwingJob]:
    """The workloads with a swing and the power of their running racks."""
    racks = layout.racks
    index = {rid: i for i, rid in enumerate(result.rack_ids)}
    state = result.rack_state
    jobs = []
    for w in layout.workloads.values():
        if w.swing_period_s is None:
            continue
        idx = [index[r] for r, wl in zip(racks.ids, racks["workload"]) if wl == w.id and r in index]
        idx = [i for i in idx if state is None or int(state[i]) == RUNNING]
        high = float(np.sum(result.rack_power_kw[idx])) if idx else 0.0
        storage = 0.0
        if layout.site.rack_energy_storage:
            models = racks["model"]
            storage = float(sum(layout.catalogue[models[racks.index_of(result.rack_ids[i])]]
                                .get("energy_storage_kj") for i in idx))
        jobs.append(SwingJob(w.id, len(idx), high, high * w.swing_low_fraction,
                             float(w.swing_period_s), w.swing_duty, w.swing_rise_s, storage))
    return jobs


def _grid(jobs: list[SwingJob]) -> tuple[float, int, int]:
    """(dt, samples evaluated, warm-up samples) covering whole periods of the longest job."""
    t_long = max(j.period_s for j in jobs)
    dt = min(min(j.rise_s for j in jobs) / 4, min(j.period_s for j in jobs) / 100)
    total_s = t_long * (PERIODS + WARMUP_PERIODS)
    dt = max(dt, total_s / MAX_SAMPLES, 1e-4)
    per_period = max(int(round(t_long / dt)), 1)
    dt = t_long / per_period                       # a whole number of samples per period
    return dt, per_period * PERIODS, per_period * WARMUP_PERIODS


def training_swing(layout: Layout, result: Any) -> SwingReport:
    """The swing analysis of ``layout`` from its steady ``result``."""
    site = layout.site
    f = result.facility
    jobs = [j for j in swing_jobs(layout, result) if j.high_kw > 0]
    report = SwingReport(jobs, 0.0, np.zeros(0), np.zeros(0), np.zeros(0), [],
                         site.grid_max_ramp_mw_per_s, site.grid_max_swing_mw)
    if not jobs:
        report.notes.append("no running training workload has a swing (set swing_period_s "
                            "on a training workload)")
        return report
    dt, n, warm = _grid(jobs)
    t = np.arange(n + warm) * dt
    it_steady_w = float(f.it_kw) * 1e3
    loss_ratio = float(f.electrical_loss_kw) / max(float(f.it_kw), 1e-9)
    facility_w = float(f.facility_kw) * 1e3
    floor = site.gpu_power_floor
    raw = np.zeros_like(t)
    floored = np.zeros_like(t)
    stored = np.zeros_like(t)
    for j in jobs:
        hi = j.high_kw * 1e3
        wave = sw.trapezoid(t, j.period_s, j.duty, j.rise_s, j.low_kw * 1e3, hi)
        raw += wave
        low_f = max(j.low_kw * 1e3, floor * hi)
        wave_f = sw.trapezoid(t, j.period_s, j.duty, j.rise_s, low_f, hi)
        floored += wave_f
        stored += sw.store_smoothing(wave_f, dt, j.storage_kj * 1e3, hi - low_f).supply
    rest_w = it_steady_w - sum(j.high_kw for j in jobs) * 1e3

    def meter(it_w: np.ndarray) -> np.ndarray:
        return facility_w + (it_w + rest_w - it_steady_w) * (1 + loss_ratio)

    series = [("raw", meter(raw))]
    if floor > 0:
        series.append(("+ GPU power floor", meter(floored)))
    if any(j.storage_kj > 0 for j in jobs):
        series.append(("+ rack energy storage", meter(stored)))
    last = series[-1][1]
    if site.facility_battery_kwh > 0 and site.facility_battery_kw > 0:
        battery = sw.store_smoothing(last, dt, site.facility_battery_kwh * 3.6e6,
                                     site.facility_battery_kw * 1e3)
        series.append(("+ facility battery", battery.supply))
    ramp_lim, swing_lim = site.grid_max_ramp_mw_per_s, site.grid_max_swing_mw
    for name, s in series:
        mt = sw.swing_metrics(s[warm:], dt)
        report.stages.append(Stage(
            name, mt, None if ramp_lim is None else mt.max_ramp_w_per_s <= ramp_lim * 1e6,
            None if swing_lim is None else mt.swing_w <= swing_lim * 1e6))
    report.dt_s = dt
    report.t_s = t[warm:] - t[warm]
    report.raw_mw = series[0][1][warm:] * 1e-6
    report.smoothed_mw = series[-1][1][warm:] * 1e-6
    if floor > 0:
        extra_w = (float(np.mean(floored[warm:])) - float(np.mean(raw[warm:]))) * (1 + loss_ratio)
        report.floor_extra_kw = extra_w / 1e3
        report.floor_mwh_per_year = report.floor_extra_kw * site.operating_hours_per_year / 1e3
        report.floor_usd_per_year = (report.floor_extra_kw * site.operating_hours_per_year
                                     * site.electricity_usd_per_kwh)
    if not site.rack_energy_storage:
        report.notes.append("the racks' energy storage is not used (site.rack_energy_storage)")
    return report
