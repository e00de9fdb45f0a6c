"""Power chain: utility → transformer → UPS → PDU/RPP/busway → rack power shelves, A/B sides.

The chain is a forest of components (each has one upstream ``parent``; roots are utility
feeds).  Racks hang from one (single-fed) or two (dual-fed A/B) leaf components.  Loads
propagate upward, each stage adding its loss

    P_loss = P_rated (c0 + c1 x + c2 x²),  x = output load / rated capacity

(no-load, proportional and square-law terms; APC/Schneider White Paper 113,
"Electrical Efficiency Modeling for Data Centers").  A component made of ``n_modules``
parallel modules (N+1 UPS, paralleled transformers) has rated capacity
(n_modules − n_failed) × module rating and losses of the running modules.

2N: a dual-fed rack normally draws ``share_a`` (0.5) from A and the rest from B.  A failed
component de-energises everything below it; a dual-fed rack whose A path is dead draws
everything from B (and vice versa).  :func:`failover_analysis` fails each side in turn and
reports whether the surviving side carries the whole load.

Rack power shelves: the rack's DC load becomes its AC input through a PSU curve of the
same form (rated = shelf capacity).  IT power (for PUE, The Green Grid) is the rack input.

Typical efficiencies (docs/physics.md §4.5 Typical efficiencies; Schneider WP 108/113, 80 PLUS Titanium 230 V
internal: 94/96/91 % at 20/50/100 % load) are in :data:`TYPICAL_EFFICIENCY`, turned
into (c0, c1, c2) by :func:`loss_coefficients_from_efficiency`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

import numpy as np

from twin.physics.columns import column_default

__all__ = [
    "TYPICAL_EFFICIENCY", "loss_coefficients_from_efficiency", "monotonic_loss_coefficients",
    "typical_loss_coefficients",
    "efficiency_at", "loss_kw", "PowerChain", "RackFeeds", "PowerResult", "FailoverResult",
    "solve_power", "failover_analysis",
]

#: (load fractions, efficiencies) typical of each stage; editable defaults.
TYPICAL_EFFICIENCY: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "ups_double_conversion": ((0.25, 0.5, 1.0), (0.940, 0.960, 0.965)),
    "ups_eco": ((0.25, 0.5, 1.0), (0.980, 0.987, 0.990)),
    "transformer": ((0.25, 0.5, 1.0), (0.988, 0.992, 0.990)),
    "pdu": ((0.25, 0.5, 1.0), (0.985, 0.990, 0.988)),
    "busway": ((0.25, 0.5, 1.0), (0.995, 0.995, 0.990)),
    "psu_titanium": ((0.2, 0.5, 1.0), (0.940, 0.960, 0.910)),
    "utility": ((0.25, 0.5, 1.0), (1.0, 1.0, 1.0)),
}


def loss_coefficients_from_efficiency(efficiencies, load_fractions=(0.25, 0.5, 1.0)):
    """(c0, c1, c2) such that the stage has the given efficiencies at the given load fractions.

    Efficiency η(x) = x / (x + c0 + c1 x + c2 x²), load = output power / rating.  Three
    points give an exact fit; more points a least-squares fit.
    """
    x = np.asarray(load_fractions, float)
    eta = np.asarray(efficiencies, float)
    if x.shape != eta.shape or x.size < 3:
        raise ValueError("need at least three (load fraction, efficiency) pairs")
    if np.any((eta <= 0) | (eta > 1)) or np.any(x <= 0):
        raise ValueError("efficiencies must be in (0, 1] and load fractions > 0")
    loss = x * (1.0 / eta - 1.0)
    a = np.stack([np.ones_like(x), x, x * x], axis=1)
    c, *_ = np.linalg.lstsq(a, loss, rcond=None)
    return tuple(float(v) for v in c)


def monotonic_loss_coefficients(efficiencies, load_fractions=(0.25, 0.5, 1.0)):
    """(c0, c1, c2), all ≥ 0, closest (least squares in loss per rating) to the given
    efficiencies: the no-load + proportional + square-law model with physical terms, so
    the loss never falls as the load rises. Equal to
    :func:`loss_coefficients_from_efficiency` when that fit is already non-negative
    (docs/physics.md §4.1); the engine uses it for every catalogue model."""
    from scipy.optimize import nnls

    c = loss_coefficients_from_efficiency(efficiencies, load_fractions)
    if min(c) >= 0:
        return c
    x = np.asarray(load_fractions, float)
    loss = x * (1.0 / np.asarray(efficiencies, float) - 1.0)
    fit, _ = nnls(np.stack([np.ones_like(x), x, x * x], axis=1), loss)
    return tuple(float(v) for v in fit)


def typical_loss_coefficients(kind: str):
    """(c0, c1, c2) for a kind in :data:`TYPICAL_EFFICIENCY`."""
    pts, eff = TYPICAL_EFFICIENCY[kind]
    return loss_coefficients_from_efficiency(eff, pts)


def loss_kw(rating_kw, load_fraction, c0, c1, c2):
    """P_loss = P_rated (c0 + c1 x + c2 x²)."""
    x = np.asarray(load_fraction, float)
    return np.asarray(rating_kw, float) * (c0 + c1 * x + c2 * x * x)


def efficiency_at(load_fraction, c0, c1, c2):
    """η(x) = x / (x + c0 + c1 x + c2 x²) (0 at no load)."""
    x = np.asarray(load_fraction, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(x > 0, x / (x + c0 + c1 * x + c2 * x * x), 0.0)
    return e if e.ndim else float(e)


def _col(v, n, dtype=float):
    a = np.asarray(v, dtype=dtype)
    return np.broadcast_to(a, (n,)).copy() if a.ndim == 0 else a.astype(dtype, copy=True)


@dataclass(frozen=True)
class PowerChain:
    """Components as columns (length ``n``).  ``parent`` −1 marks a root (utility feed).

    ``module_rating_kw`` × ``n_modules`` is the installed capacity; ``n_redundant`` of
    the modules are spares (N+1: n_redundant = 1), so the design capacity is
    (n_modules − n_redundant) × module rating.  ``side`` is "A", "B" or "" (shared).
    """

    ids: tuple
    kind: tuple
    parent: np.ndarray
    module_rating_kw: np.ndarray
    side: tuple = column_default("")
    c0: np.ndarray = column_default(0.0)
    c1: np.ndarray = column_default(0.0)
    c2: np.ndarray = column_default(0.0)
    n_modules: np.ndarray = column_default(1)
    n_redundant: np.ndarray = column_default(0)
    n_failed: np.ndarray = column_default(0)
    failed: np.ndarray = column_default(False)
    if TYPE_CHECKING:   # set by __post_init__; not a dataclass field at run time
        _depth: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        n = len(self.ids)
        object.__setattr__(self, "ids", tuple(self.ids))
        for name in ("kind", "side"):
            v = getattr(self, name)
            v = (v,) * n if isinstance(v, str) else tuple(v)
            if len(v) != n:
                raise ValueError(f"PowerChain.{name}: expected {n} entries")
            object.__setattr__(self, name, v)
        for f in fields(self):
            if f.name in ("ids", "kind", "side"):
                continue
            dt = bool if f.name == "failed" else (np.int64 if f.name in ("parent", "n_modules", "n_redundant", "n_failed") else float)
            v = _col(getattr(self, f.name), n, dt)
            if len(v) != n:
                raise ValueError(f"PowerChain.{f.name}: expected {n} values")
            object.__setattr__(self, f.name, v)
        if np.any(self.parent >= n) or np.any(self.parent == np.arange(n)):
            raise ValueError("PowerChain.parent: index out of range or self-parent")
        object.__setattr__(self, "_depth", self._compute_depth())

    def _compute_depth(self) -> np.ndarray:
        n = len(self.ids)
        depth = np.zeros(n, np.int64)
        cur = self.parent.copy()
        for _ in range(n + 1):
            has = cur >= 0
            if not has.any():
                return depth
            depth[has] += 1
            cur[has] = self.parent[cur[has]]
        raise ValueError("PowerChain.parent: cycle")

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def depth(self) -> np.ndarray:
        return self._depth

    def index(self, component_id) -> int:
        return self.ids.index(component_id)


@dataclass(frozen=True)
class RackFeeds:
    """Racks as columns.  ``feed_a``/``feed_b`` are component indices (−1: none).

    ``dc_load_kw`` is the load behind the power shelves; the shelves' PSU curve (rated
    ``psu_rating_kw``) turns it into the rack input (IT) power.  ``feed_rating_kw`` is the
    rating of each rack feed (whip/breaker/rack PDU), per side.
    """

    dc_load_kw: np.ndarray
    feed_a: np.ndarray
    feed_b: np.ndarray = column_default(-1)
    share_a: np.ndarray = column_default(0.5)
    psu_rating_kw: np.ndarray = column_default(np.nan)   # NaN: no PSU stage (load is already AC input)
    psu_c0: np.ndarray = column_default(0.0)
    psu_c1: np.ndarray = column_default(0.0)
    psu_c2: np.ndarray = column_default(0.0)
    feed_rating_kw: np.ndarray = column_default(np.inf)

    def __post_init__(self):
        n = int(np.size(self.dc_load_kw))
        for f in fields(self):
            dt = np.int64 if f.name in ("feed_a", "feed_b") else float
            v = _col(getattr(self, f.name), n, dt)
            if len(v) != n:
                raise ValueError(f"RackFeeds.{f.name}: expected {n} values")
            object.__setattr__(self, f.name, v)

    @property
    def n(self) -> int:
        return len(self.dc_load_kw)


@dataclass(frozen=True)
class PowerResult:
    # components
    load_kw: np.ndarray           # output load
    input_kw: np.ndarray          # load + loss
    loss_kw: np.ndarray
    rating_kw: np.ndarray         # available capacity (running modules)
    design_rating_kw: np.ndarray  # capacity without spares
    load_fraction: np.ndarray     # load / available capacity
    energised: np.ndarray
    redundancy_lost: np.ndarray   # load above the capacity left after one more module failure
    # racks
    rack_input_kw: np.ndarray     # IT power (0 if unpowered)
    rack_psu_loss_kw: np.ndarray
    rack_feed_a_kw: np.ndarray
    rack_feed_b_kw: np.ndarray
    rack_powered: np.ndarray
    # totals
    utility_kw: float
    it_kw: float
    chain_loss_kw: float          # utility − IT
    psu_loss_kw: float            # inside IT power


def solve_power(chain: PowerChain, racks: RackFeeds) -> PowerResult:
    """Propagate rack loads up the chain with per-stage losses."""
    n = chain.n
    depth = chain.depth
    alive = ~chain.failed & (chain.n_modules - chain.n_failed > 0)
    for d in range(1, int(depth.max(initial=0)) + 1):     # top-down energisation
        m = depth == d
        alive[m] &= alive[chain.parent[m]]

    # rack input through the PSU stage
    dc = racks.dc_load_kw
    has_psu = np.isfinite(racks.psu_rating_kw) & (racks.psu_rating_kw > 0)
    xr = np.where(has_psu, dc / np.where(has_psu, racks.psu_rating_kw, 1.0), 0.0)
    psu_loss = np.where(has_psu & (dc > 0),
                        loss_kw(np.where(has_psu, racks.psu_rating_kw, 0.0), xr, racks.psu_c0, racks.psu_c1, racks.psu_c2),
                        0.0)
    rack_in = dc + psu_loss
    alive_or_none = np.append(alive, False)          # index -1 (no feed) -> not alive
    a_ok = alive_or_none[racks.feed_a]
    b_ok = alive_or_none[racks.feed_b]
    share_a = np.where(a_ok & b_ok, racks.share_a, np.where(a_ok, 1.0, 0.0))
    # A rack with no feed at all is outside the modelled chain: supplied losslessly.
    unfed = (racks.feed_a < 0) & (racks.feed_b < 0)
    powered = a_ok | b_ok | unfed
    rack_in = np.where(powered, rack_in, 0.0)
    psu_loss = np.where(powered, psu_loss, 0.0)
    fa = rack_in * share_a
    fb = np.where(b_ok, rack_in - fa, 0.0)

    out = np.zeros(n)
    out += np.bincount(racks.feed_a[a_ok], fa[a_ok], n)
    out += np.bincount(racks.feed_b[b_ok], fb[b_ok], n)
    running = np.maximum(chain.n_modules - chain.n_failed, 0)
    cap = running * chain.module_rating_kw
    inp = np.zeros(n)
    loss = np.zeros(n)
    for d in range(int(depth.max(initial=0)), -1, -1):     # bottom-up
        m = np.flatnonzero((depth == d) & alive)
        x = np.where(cap[m] > 0, out[m] / np.where(cap[m] > 0, cap[m], 1.0), 0.0)
        loss[m] = loss_kw(cap[m], x, chain.c0[m], chain.c1[m], chain.c2[m])
        inp[m] = out[m] + loss[m]
        has_p = chain.parent[m] >= 0
        out += np.bincount(chain.parent[m][has_p], inp[m][has_p], n)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(cap > 0, out / cap, np.where(out > 0, np.inf, 0.0))
    design = (chain.n_modules - chain.n_redundant) * chain.module_rating_kw
    after_one_more = np.maximum(running - 1, 0) * chain.module_rating_kw
    red_lost = (chain.n_modules > 1) & alive & (out > after_one_more) & (out <= cap)
    roots = (chain.parent < 0) & alive
    utility = float(inp[roots].sum() + rack_in[unfed].sum())
    it = float(rack_in.sum())
    return PowerResult(
        load_kw=out, input_kw=inp, loss_kw=loss, rating_kw=cap, design_rating_kw=design,
        load_fraction=frac, energised=alive, redundancy_lost=red_lost,
        rack_input_kw=rack_in, rack_psu_loss_kw=psu_loss, rack_feed_a_kw=fa, rack_feed_b_kw=fb,
        rack_powered=powered, utility_kw=utility, it_kw=it, chain_loss_kw=utility - it,
        psu_loss_kw=float(psu_loss.sum()),
    )


@dataclass(frozen=True)
class FailoverResult:
    """Worst case over the scenarios "side A lost" and "side B lost"."""

    worst_load_kw: np.ndarray        # per component, max over scenarios
    worst_load_fraction: np.ndarray
    worst_scenario: tuple            # per component: "A lost" / "B lost" / ""
    side_carries_all: dict           # {"A": bool, "B": bool}: surviving side carries everything
    unpowered_racks: dict            # {"A lost": indices, "B lost": indices}
    overloaded: dict                 # {"A lost": component indices over rating, ...}


def failover_analysis(chain: PowerChain, racks: RackFeeds) -> FailoverResult:
    """Fail every component of one side at a time; report whether the other side carries all."""
    n = chain.n
    worst = np.zeros(n)
    worst_f = np.zeros(n)
    scen = [""] * n
    carries = {}
    unpowered = {}
    overloaded = {}
    base = solve_power(chain, racks)
    for lost, survivor in (("A", "B"), ("B", "A")):
        failed = chain.failed | np.array([s == lost for s in chain.side], dtype=bool)
        res = solve_power(_replace(chain, failed=failed), racks)
        name = f"{lost} lost"
        over = np.flatnonzero(res.load_fraction > 1.0 + 1e-12)
        lost_racks = np.flatnonzero(base.rack_powered & ~res.rack_powered)
        feed_over = (res.rack_feed_a_kw > racks.feed_rating_kw) | (res.rack_feed_b_kw > racks.feed_rating_kw)
        unpowered[name] = lost_racks
        overloaded[name] = over
        carries[survivor] = bool(len(over) == 0 and len(lost_racks) == 0 and not feed_over.any())
        upd = res.load_fraction > worst_f
        for i in np.flatnonzero(upd):
            scen[i] = name
        worst = np.where(upd, res.load_kw, worst)
        worst_f = np.where(upd, res.load_fraction, worst_f)
    return FailoverResult(worst, worst_f, tuple(scen), carries, unpowered, overloaded)


def _replace(chain: PowerChain, **kw) -> PowerChain:
    vals = {f.name: getattr(chain, f.name) for f in fields(chain)}
    vals.update(kw)
    return PowerChain(**vals)
