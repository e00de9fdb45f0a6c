"""Training power swings at sub-second resolution, their smoothing, and what the grid sees
(docs/physics.md §19).

A synchronous training job moves every one of its racks between a compute phase (full
power H) and a communication phase (L = f·H) once per step: a trapezoid wave of period T,
duty d (share of T at H) and edges of duration r. Pure functions on arrays:

- ``trapezoid`` — the wave, sampled;
- ``store_smoothing`` — an energy store (E, P) that serves the difference between the load
  and a target (the load's mean) within its power and state-of-charge limits; the series
  the supply sees is the load minus the store's output;
- ``swing_metrics`` — peak, trough, peak-to-trough, the largest ramp rate and the share of
  the fluctuating energy in a frequency band (a one-sided periodogram of the series minus
  its mean).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The band the grid operators watch for sub-synchronous oscillation (Hz).
BAND_HZ = (0.1, 20.0)


def trapezoid(t_s: np.ndarray, period_s: float, duty: float, rise_s: float,
              low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """A periodic trapezoid between ``low`` and ``high``: at ``high`` for ``duty`` of each
    period (measured between the midpoints of its edges), edges of ``rise_s`` (clipped to
    fit the phases), starting at t = 0 with the rising edge centred on 0."""
    T = float(period_s)
    d = min(max(float(duty), 0.0), 1.0)
    if d <= 0.0 or d >= 1.0:
        return np.full(np.shape(t_s), high if d >= 1.0 else low, dtype=float)
    r = min(float(rise_s), d * T, (1 - d) * T)
    ph = np.mod(np.asarray(t_s, dtype=float) + r / 2, T)   # 0 at the start of the rise
    up = np.clip(ph / r, 0, 1) if r > 0 else (ph >= 0).astype(float)
    fall_start = d * T                                     # rise mid at r/2, fall mid at dT + r/2
    down = np.clip((ph - fall_start) / r, 0, 1) if r > 0 else (ph >= fall_start).astype(float)
    level = np.minimum(up, 1 - down)
    return low + (high - low) * level


@dataclass
class StoreResult:
    """What a store did: the smoothed series, the store's output (+ discharging) and its
    state of charge, all per sample."""

    supply: np.ndarray
    output: np.ndarray
    charge: np.ndarray


def store_smoothing(load: np.ndarray, dt_s: float, energy_j: float, power_w: float,
                    target: float | None = None, initial_share: float = 0.5) -> StoreResult:
    """Smooth ``load`` (W, sampled every ``dt_s``) with a store of ``energy_j`` and
    ``power_w``: each sample the store delivers ``load - target`` (discharging above the
    target, charging below), clipped to ±``power_w`` and to the energy it holds / has room
    for. ``target`` defaults to the level at which the clipped output sums to zero (the
    store ends each period as charged as it began; without a power limit: the mean of
    ``load``); the store starts ``initial_share`` full. Lossless (the round trip of capacitors and batteries over seconds is close to 1;
    docs/physics.md §19)."""
    load = np.asarray(load, dtype=float)
    target = neutral_target(load, power_w) if target is None else float(target)
    if energy_j <= 0 or power_w <= 0:
        return StoreResult(load.copy(), np.zeros_like(load), np.zeros_like(load))
    out = np.empty_like(load)
    charge = np.empty_like(load)
    e = float(energy_j) * min(max(initial_share, 0.0), 1.0)
    for k, p in enumerate(load):       # the state of charge makes this a recurrence
        want = min(max(p - target, -power_w), power_w)
        if want > 0:
            want = min(want, e / dt_s)
        else:
            want = max(want, -(energy_j - e) / dt_s)
        e -= want * dt_s
        out[k] = want
        charge[k] = e
    return StoreResult(load - out, out, charge)


def neutral_target(load: np.ndarray, power_w: float) -> float:
    """The level c with sum(clip(load - c, -P, P)) = 0: a store of power P that serves
    load - c neither gains nor loses energy over ``load`` (bisection; the sum falls
    monotonically in c)."""
    load = np.asarray(load, dtype=float)
    lo, hi = float(load.min()), float(load.max())
    if power_w <= 0 or hi - lo <= 0:
        return float(load.mean())
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if np.sum(np.clip(load - mid, -power_w, power_w)) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@dataclass
class SwingMetrics:
    mean_w: float
    peak_w: float
    trough_w: float
    swing_w: float
    max_ramp_w_per_s: float
    band_share: float          # share of the fluctuating energy in BAND_HZ (0..1)

    def scaled(self, factor: float) -> dict[str, float]:
        """The powers times ``factor`` (e.g. 1e-6 for MW), the share as it is."""
        return {"mean": self.mean_w * factor, "peak": self.peak_w * factor,
                "trough": self.trough_w * factor, "swing": self.swing_w * factor,
                "max_ramp_per_s": self.max_ramp_w_per_s * factor,
                "band_share": self.band_share}


def swing_metrics(series: np.ndarray, dt_s: float, band_hz: tuple[float, float] = BAND_HZ
                  ) -> SwingMetrics:
    """Peak, trough, swing, the largest |dP/dt| between samples and the band share of
    ``series`` (W every ``dt_s``). Take a whole number of periods so the periodogram does
    not leak."""
    x = np.asarray(series, dtype=float)
    ramp = float(np.max(np.abs(np.diff(x))) / dt_s) if len(x) > 1 else 0.0
    fluct = x - x.mean()
    spec = np.abs(np.fft.rfft(fluct)) ** 2
    freq = np.fft.rfftfreq(len(x), dt_s)
    total = float(spec[1:].sum())
    in_band = (freq >= band_hz[0]) & (freq <= band_hz[1])
    share = float(spec[in_band].sum() / total) if total > 1e-12 * max(float(x.mean()) ** 2, 1.0) \
        else 0.0
    return SwingMetrics(float(x.mean()), float(x.max()), float(x.min()),
                        float(x.max() - x.min()), ramp, share)
