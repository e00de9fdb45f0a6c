"""Workload → rack power and tokens/s, vectorised over racks (and hours).

Per GPU: P(u) = P_idle + (P_max − P_idle) u^γ (docs/physics.md §7.1 GPU power curve), u ∈ [0, 1]; rack power
= n_gpu P(u) + rack overhead (CPUs, NICs, switches, fans), linear between
``overhead_idle_w`` and ``overhead_max_w``.  Because P(u) is non-linear, a workload that
alternates between phases is averaged over the phases' powers, not their utilisations.

Kinds (integer codes, :data:`KIND_CODES`):
- idle: u = 0.
- training: runs near TDP (``utilisation`` ≈ 0.9–1); synchronous communication phases
  make the whole job swing together: a square wave u ± ``swing_amplitude`` (clipped to
  [0, 1]), half the time at each level; mean and peak power are reported (peaks size
  the power chain).
- inference: time shares of prefill (compute bound, ``prefill_utilisation`` ≈ 1),
  decode (memory bound, ``decode_utilisation`` ≈ 0.5–0.7) and idle (the rest).

Tokens/s per GPU = ``tokens_per_s_at_full_load`` × productive utilisation (training:
u; inference: Σ share·u over the busy phases; idle: 0).  An optional 24-hour profile
multiplies the load (inference: the busy shares; training: u) hour by hour.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from twin.physics.columns import column_default

__all__ = ["IDLE", "TRAINING", "INFERENCE", "KIND_CODES", "kind_codes", "gpu_power_w",
           "RackWorkloads", "WorkloadResult", "evaluate_workloads", "evaluate_daily_profile"]

IDLE, TRAINING, INFERENCE = 0, 1, 2
KIND_CODES = {"idle": IDLE, "training": TRAINING, "inference": INFERENCE}


def kind_codes(names) -> np.ndarray:
    """Map kind names ("training", "inference", "idle") to integer codes."""
    try:
        return np.array([KIND_CODES[str(k).lower()] for k in names], np.int64)
    except KeyError as e:
        raise ValueError(f"unknown workload kind {e.args[0]!r}; expected one of {list(KIND_CODES)}") from None


def gpu_power_w(u, idle_w, max_w, gamma=1.0):
    """P(u) = P_idle + (P_max − P_idle) u^γ, u clipped to [0, 1]."""
    u = np.clip(np.asarray(u, float), 0.0, 1.0)
    return idle_w + (np.asarray(max_w, float) - idle_w) * u ** np.asarray(gamma, float)


#: The max-efficiency GPU power profile (docs/physics.md §7.6): GPUs capped at this share of
#: their maximum power keep this share of their full-load throughput. Estimate: power-capping
#: studies of H100/B200-class GPUs (MLPerf Inference power results, vendor power profiles)
#: lose 10-15 % of throughput at a 70-80 % cap.
EFFICIENCY_POWER_CAP = 0.75
EFFICIENCY_THROUGHPUT = 0.88


@dataclass(frozen=True)
class RackWorkloads:
    """Per-rack columns (scalars broadcast to ``len(kind)``)."""

    kind: np.ndarray                       # integer codes IDLE / TRAINING / INFERENCE
    n_gpus: np.ndarray = column_default(72)
    gpu_idle_w: np.ndarray = column_default(200.0)
    gpu_max_w: np.ndarray = column_default(1200.0)
    gamma: np.ndarray = column_default(1.0)
    overhead_idle_w: np.ndarray = column_default(15_000.0)
    overhead_max_w: np.ndarray = column_default(30_000.0)
    utilisation: np.ndarray = column_default(0.95)   # training
    swing_amplitude: np.ndarray = column_default(0.0)   # training, ± in utilisation
    prefill_share: np.ndarray = column_default(0.3)   # inference time shares
    decode_share: np.ndarray = column_default(0.5)
    prefill_utilisation: np.ndarray = column_default(1.0)
    decode_utilisation: np.ndarray = column_default(0.6)
    tokens_per_s_at_full_load: np.ndarray = column_default(0.0)   # per GPU
    load_multiplier: np.ndarray = column_default(1.0)   # e.g. one hour of a daily profile

    def __post_init__(self):
        k = np.asarray(self.kind)
        if k.dtype.kind in "US" or k.dtype == object:
            k = kind_codes(np.atleast_1d(k))
        n = int(np.size(k))
        object.__setattr__(self, "kind", np.broadcast_to(np.asarray(k, np.int64), (n,)).copy())
        for f in fields(self):
            if f.name == "kind":
                continue
            v = np.asarray(getattr(self, f.name), float)
            v = np.broadcast_to(v, (n,)).copy() if v.ndim == 0 else v.astype(float, copy=True)
            if len(v) != n:
                raise ValueError(f"RackWorkloads.{f.name}: expected {n} values, got {len(v)}")
            object.__setattr__(self, f.name, v)
        if np.any((self.prefill_share < 0) | (self.decode_share < 0) | (self.prefill_share + self.decode_share > 1 + 1e-12)):
            raise ValueError("RackWorkloads: prefill_share + decode_share must be within [0, 1]")

    @property
    def n(self) -> int:
        return len(self.kind)


@dataclass(frozen=True)
class WorkloadResult:
    gpu_power_w: np.ndarray            # mean per GPU
    rack_power_w: np.ndarray           # mean rack power (IT load)
    rack_peak_power_w: np.ndarray      # top of the training swing / prefill phase
    effective_utilisation: np.ndarray  # time-averaged u
    tokens_per_s: np.ndarray           # per rack

    @property
    def total_power_w(self) -> float:
        return float(self.rack_power_w.sum())

    @property
    def total_tokens_per_s(self) -> float:
        return float(self.tokens_per_s.sum())


def _phases(w: RackWorkloads, mult):
    """(shares, utilisations) of shape (..., n, 3) for every rack."""
    shape = np.broadcast(mult, w.kind).shape
    k = np.broadcast_to(w.kind, shape)
    sh = np.zeros(shape + (3,))
    ut = np.zeros(shape + (3,))
    # training: square wave u ± A, half the time at each level
    u_tr = np.clip(w.utilisation * mult, 0.0, 1.0)
    tr = k == TRAINING
    sh[..., 0] = np.where(tr, 0.5, 0.0)
    sh[..., 1] = np.where(tr, 0.5, 0.0)
    ut[..., 0] = np.where(tr, np.clip(u_tr + w.swing_amplitude, 0, 1), 0.0)
    ut[..., 1] = np.where(tr, np.clip(u_tr - w.swing_amplitude, 0, 1), 0.0)
    # inference: prefill / decode / idle; the profile scales the busy time
    inf = k == INFERENCE
    busy = w.prefill_share + w.decode_share
    scale = np.where(busy > 0, np.clip(busy * mult, 0.0, 1.0) / np.where(busy > 0, busy, 1.0), 0.0)
    sh[..., 0] = np.where(inf, w.prefill_share * scale, sh[..., 0])
    sh[..., 1] = np.where(inf, w.decode_share * scale, sh[..., 1])
    ut[..., 0] = np.where(inf, np.clip(w.prefill_utilisation, 0, 1), ut[..., 0])
    ut[..., 1] = np.where(inf, np.clip(w.decode_utilisation, 0, 1), ut[..., 1])
    sh[..., 2] = 1.0 - sh[..., 0] - sh[..., 1]       # idle remainder (u = 0)
    return sh, ut


def _evaluate(w: RackWorkloads, mult) -> WorkloadResult:
    sh, ut = _phases(w, mult)
    p_gpu = gpu_power_w(ut, w.gpu_idle_w[:, None], w.gpu_max_w[:, None], w.gamma[:, None])
    p_oh = w.overhead_idle_w[:, None] + (w.overhead_max_w - w.overhead_idle_w)[:, None] * ut
    p_rack_phase = w.n_gpus[:, None] * p_gpu + p_oh
    u_eff = (sh * ut).sum(-1)
    gpu_mean = (sh * p_gpu).sum(-1)
    rack_mean = (sh * p_rack_phase).sum(-1)
    rack_peak = np.where(sh > 0, p_rack_phase, -np.inf).max(-1)
    tokens = w.tokens_per_s_at_full_load * w.n_gpus * np.where(w.kind == IDLE, 0.0, u_eff)
    return WorkloadResult(gpu_mean, rack_mean, rack_peak, u_eff, tokens)


def evaluate_workloads(workloads: RackWorkloads) -> WorkloadResult:
    """Mean and peak power, utilisation and tokens/s for every rack (arrays of length n)."""
    return _evaluate(workloads, workloads.load_multiplier)


def evaluate_daily_profile(workloads: RackWorkloads, hourly_multipliers) -> WorkloadResult:
    """Evaluate every hour of a daily profile: results have shape (n_hours, n_rack).

    ``hourly_multipliers`` is (n_hours,) for all racks or (n_hours, n_rack) per rack; it
    multiplies each rack's own ``load_multiplier``.  Idle racks stay idle.
    """
    m = np.asarray(hourly_multipliers, float)
    if m.ndim == 1:
        m = m[:, None]
    m = np.broadcast_to(m * workloads.load_multiplier[None, :], (m.shape[0], workloads.n))
    # evaluate hour by hour in one vectorised pass: flatten hours into the rack axis
    nh = m.shape[0]
    tiled = RackWorkloads(**{f.name: np.tile(getattr(workloads, f.name), nh) for f in fields(workloads)
                             if f.name != "load_multiplier"}, load_multiplier=m.reshape(-1))
    r = evaluate_workloads(tiled)
    shp = (nh, workloads.n)
    return WorkloadResult(r.gpu_power_w.reshape(shp), r.rack_power_w.reshape(shp), r.rack_peak_power_w.reshape(shp),
                          r.effective_utilisation.reshape(shp), r.tokens_per_s.reshape(shp))
