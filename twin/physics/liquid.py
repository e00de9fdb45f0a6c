"""Liquid cooling: CDU loops (manifold hydraulics + ε-NTU heat exchange) and immersion tanks.

Every CDU loop is a ladder network: the CDU (N+1 pumps in parallel plus a series
loss ``k_series`` for its internals and lead pipes) feeds a supply manifold; each
rack's cold-plate branch (``k_branch``) connects a supply-manifold tap to a
return-manifold tap; header segments between consecutive taps have their own ``k``.
Every edge obeys Δp = k Q|Q| [Pa, m³/s]; pumps add p0·s² − a (Q/n)² (s = speed
fraction, n = running pumps).  Direct return (default): the rack nearest the CDU has the
shortest path on both manifolds and gets the most flow.  Reverse return is an option.

Node pressures are found by Newton's method on the coupled flow/pressure equations
(global gradient algorithm, Todini & Pilati 1988): each step solves a symmetric
positive-definite weighted graph Laplacian in the node pressures.  With the nodes of a
loop ordered CDU-outlet, s1, r1, s2, r2, … that Jacobian is pentadiagonal, so all
loops of a hall are stacked into one banded system and solved with a banded Cholesky
factorisation (``scipy.linalg.solveh_banded``): O(n) per Newton step, all CDUs at once.

Heat: Q = ṁ c_p ΔT on every branch; the CDU is a counterflow exchanger,
ε = [1 − e^(−NTU(1−Cr))]/[1 − Cr e^(−NTU(1−Cr))] (ε = NTU/(1+NTU) at Cr = 1),
NTU = UA / C_min, Q = ε C_min (T_loop,return − T_facility,supply) whichever side is
C_min, so the loop return is T_fac,sup + Q/(ε C_min), the loop supply is
T_loop,return − Q/C_loop and the facility return is T_fac,sup + Q/C_fac.

Flow need: 1.5 L/min per kW of liquid heat by default (OCP guidance, ≈10 K rise).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from scipy.linalg import solveh_banded

from .columns import column_default
from .fluids import LPM_PER_M3S, PG25, WATER

__all__ = [
    "ASHRAE_W_CLASS_MAX_SUPPLY_C",
    "CduLoops", "LiquidBranches", "CduResult", "BranchResult", "LiquidResult",
    "ImmersionTanks", "ImmersionResult", "HeatExchange",
    "counterflow_effectiveness", "counterflow_for_load", "removed_heat_w", "heat_split_w",
    "flow_for_heat_lpm", "parallel_k", "solve_liquid", "solve_immersion",
    "CoolantLimits", "limit_to_coolant", "SHUTDOWN_MARGIN_K", "STANDBY_FRACTION",
]

#: ASHRAE TC9.9 (2021) liquid-cooling classes: maximum facility-water supply, °C.
ASHRAE_W_CLASS_MAX_SUPPLY_C: dict[str, float] = {
    "W17": 17.0, "W27": 27.0, "W32": 32.0, "W40": 40.0, "W45": 45.0, "W+": np.inf,
}

_K_FLOOR = 10.0         # Pa/(m³/s)²: a header segment given as 0 (1e-5 Pa at 1 L/s)
_Q_FLOOR_M3S = 1.0e-7   # linearisation floor for |Q| (0.006 L/min)


def _arr(x, n, dtype=float):
    a = np.asarray(x, dtype=dtype)
    return np.broadcast_to(a, (n,)).copy() if a.ndim == 0 else a.astype(dtype, copy=True)


# ----------------------------------------------------------------------------- basics

def heat_split_w(rack_power_w, liquid_fraction):
    """Split rack heat into (liquid_w, air_w)."""
    p = np.asarray(rack_power_w, dtype=float)
    f = np.asarray(liquid_fraction, dtype=float)
    return p * f, p * (1.0 - f)


def flow_for_heat_lpm(heat_w, delta_t_k, density_kgm3=PG25.density_kgm3, cp_jkgk=PG25.cp_jkgk):
    """Coolant flow [L/min] that carries ``heat_w`` at a rise ``delta_t_k``."""
    return np.asarray(heat_w, float) / (density_kgm3 * cp_jkgk * delta_t_k) * LPM_PER_M3S


def parallel_k(k_branches) -> float:
    """Equivalent k of quadratic-loss branches in parallel: 1/√k_eq = Σ 1/√k_i."""
    return float(1.0 / np.sum(1.0 / np.sqrt(np.asarray(k_branches, float))) ** 2)


def counterflow_effectiveness(ntu, cr):
    """ε of a counterflow exchanger; the Cr → 1 limit NTU/(1+NTU) is used where |1−Cr| < 1e-9."""
    ntu = np.asarray(ntu, dtype=float)
    cr = np.asarray(cr, dtype=float)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(-ntu * (1.0 - cr))
        eps = (1.0 - e) / (1.0 - cr * e)
        eps_one = ntu / (1.0 + ntu)
    eps = np.where(np.abs(1.0 - cr) < 1e-9, eps_one, eps)
    eps = np.where(np.isfinite(ntu), eps, 1.0)          # UA → ∞: ideal exchanger
    return eps if eps.ndim else float(eps)


def removed_heat_w(heat_w, c_hot_w_per_k, c_cold_w_per_k):
    """Duty actually transferred: ``heat_w`` where both sides flow, else 0."""
    q = np.asarray(heat_w, float)
    return np.where((np.asarray(c_hot_w_per_k) > 0) & (np.asarray(c_cold_w_per_k) > 0), q, 0.0)


@dataclass(frozen=True)
class HeatExchange:
    """Counterflow exchanger state for a given duty (hot side = loop/bath)."""

    ntu: np.ndarray
    cr: np.ndarray
    effectiveness: np.ndarray
    hot_in_c: np.ndarray
    hot_out_c: np.ndarray
    cold_out_c: np.ndarray


def counterflow_for_load(heat_w, ua_w_per_k, c_hot_w_per_k, c_cold_w_per_k, cold_in_c) -> HeatExchange:
    """Steady exchanger that must reject ``heat_w``: solve for the hot-side inlet.

    Q = ε C_min (T_hot,in − T_cold,in) holds whichever side is C_min, hence
    T_hot,in = T_cold,in + Q/(ε C_min), T_hot,out = T_hot,in − Q/C_hot and
    T_cold,out = T_cold,in + Q/C_cold.  With no flow on either side and Q > 0 the heat
    cannot be removed: T_hot,in = +inf; a stagnant hot side leaves at T_cold,in; a
    stagnant cold side reports +inf (see :func:`removed_heat_w`).
    """
    q = np.asarray(heat_w, float)
    ch = np.asarray(c_hot_w_per_k, float)
    cc = np.asarray(c_cold_w_per_k, float)
    ua = np.asarray(ua_w_per_k, float)
    tc = np.asarray(cold_in_c, float)
    cmin = np.minimum(ch, cc)
    cmax = np.maximum(ch, cc)
    ok = cmin > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        cr = np.where(cmax > 0, cmin / cmax, 0.0)
        ntu = np.where(ok, ua / np.where(ok, cmin, 1.0), 0.0)
        eps = np.asarray(counterflow_effectiveness(ntu, cr))
        active = ok & (q != 0)
        hot_in = tc + np.where(active, q / (eps * np.where(ok, cmin, 1.0)), 0.0)
        hot_out = hot_in - np.where(active, q / np.where(ch > 0, ch, 1.0), 0.0)
        cold_out = tc + np.where(active, q / np.where(cc > 0, cc, 1.0), 0.0)
    # a side without flow cannot carry the duty: the hot side runs away
    stuck = ~ok & (q > 0)
    hot_in = np.where(stuck, np.inf, hot_in)
    hot_out = np.where(stuck, np.where(ch > 0, np.inf, tc), hot_out)
    cold_out = np.where(stuck, np.where(cc > 0, tc, np.inf), cold_out)
    return HeatExchange(ntu, cr, eps, hot_in, hot_out, cold_out)


# ----------------------------------------------------------------------------- inputs

@dataclass(frozen=True)
class CduLoops:
    """Per-CDU parameters; every field is an array of length ``n_cdu`` (scalars broadcast).

    Pump curve per pump: Δp = s² p0 − a Q², a = p0 / Q_free² (``pump_free_flow_m3s`` is
    the zero-head flow at full speed).  Running pumps = min(duty, installed − failed).
    """

    ua_w_per_k: np.ndarray
    facility_flow_kgs: np.ndarray
    facility_supply_c: np.ndarray
    capacity_w: np.ndarray
    pump_shutoff_pa: np.ndarray = column_default(250e3)
    pump_free_flow_m3s: np.ndarray = column_default(6e-3)
    n_pumps_installed: np.ndarray = column_default(2)
    n_pumps_duty: np.ndarray = column_default(1)
    n_pumps_failed: np.ndarray = column_default(0)
    pump_speed_fraction: np.ndarray = column_default(1.0)
    pump_efficiency: np.ndarray = column_default(0.6)   # wire-to-water
    pump_heat_to_coolant: np.ndarray = column_default(1.0)   # share of pump electrical power heating the loop
    series_k: np.ndarray = column_default(3.2e9)   # CDU internals + lead pipes, Pa/(m³/s)²
    header_segment_k: np.ndarray = column_default(0.0)   # default k of each manifold segment
    reverse_return: np.ndarray = column_default(False)
    return_limit_c: np.ndarray = column_default(45.0)   # coolant return alarm
    coolant_density_kgm3: np.ndarray = column_default(PG25.density_kgm3)
    coolant_cp_jkgk: np.ndarray = column_default(PG25.cp_jkgk)
    facility_cp_jkgk: np.ndarray = column_default(WATER.cp_jkgk)
    water_class: tuple = column_default("W32")   # ASHRAE class of the facility water

    _INT = ("n_pumps_installed", "n_pumps_duty", "n_pumps_failed")

    @classmethod
    def uniform(cls, n_cdu: int, **kw) -> "CduLoops":
        """``n_cdu`` identical loops from scalar parameters (arrays are kept)."""
        kw["ua_w_per_k"] = np.broadcast_to(np.asarray(kw["ua_w_per_k"], float), (n_cdu,))
        return cls(**kw)

    def __post_init__(self):
        n = max(int(np.size(getattr(self, f.name))) for f in fields(self) if f.name != "water_class")
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "water_class":
                v = (v,) * n if isinstance(v, str) else tuple(v)
                if len(v) != n:
                    raise ValueError(f"water_class: expected {n} entries, got {len(v)}")
                bad = [w for w in v if w not in ASHRAE_W_CLASS_MAX_SUPPLY_C]
                if bad:
                    raise ValueError(f"water_class: unknown {bad[0]!r}, expected one of "
                                     f"{list(ASHRAE_W_CLASS_MAX_SUPPLY_C)}")
            elif f.name == "reverse_return":
                v = _arr(v, n, bool)
            else:
                v = _arr(v, n, int if f.name in self._INT else float)
            if np.ndim(v) and len(v) != n:
                raise ValueError(f"CduLoops.{f.name}: expected {n} values, got {len(v)}")
            object.__setattr__(self, f.name, v)

    @property
    def n_cdu(self) -> int:
        return len(self.ua_w_per_k)

    @property
    def n_pumps_running(self) -> np.ndarray:
        return np.clip(np.minimum(self.n_pumps_duty, self.n_pumps_installed - self.n_pumps_failed), 0, None)

    @property
    def pump_curve_a(self) -> np.ndarray:
        """a in Δp = p0 − a Q² per pump, Pa/(m³/s)²."""
        return self.pump_shutoff_pa / self.pump_free_flow_m3s ** 2


@dataclass(frozen=True)
class LiquidBranches:
    """Per-rack cold-plate branches (arrays of length ``n_rack``).

    ``cdu_index`` −1 means the rack is not on a loop; ``branch_k`` = inf is a closed valve.  ``manifold_position`` orders the
    taps along the manifold (smallest = nearest the CDU).  ``supply_header_k`` /
    ``return_header_k`` are the k of the header segment between this tap and the previous
    one (or the CDU); NaN uses the CDU's ``header_segment_k``.
    """

    cdu_index: np.ndarray
    liquid_heat_w: np.ndarray
    branch_k: np.ndarray = column_default(8.304e10)
    manifold_position: np.ndarray = column_default(None)
    supply_header_k: np.ndarray = column_default(np.nan)
    return_header_k: np.ndarray = column_default(np.nan)

    def __post_init__(self):
        n = int(np.size(self.cdu_index))
        object.__setattr__(self, "cdu_index", _arr(self.cdu_index, n, np.int64))
        for name in ("liquid_heat_w", "branch_k", "supply_header_k", "return_header_k"):
            object.__setattr__(self, name, _arr(getattr(self, name), n))
        pos = np.arange(n, dtype=float) if self.manifold_position is None else self.manifold_position
        object.__setattr__(self, "manifold_position", _arr(pos, n))
        for name in ("liquid_heat_w", "branch_k", "manifold_position", "supply_header_k", "return_header_k"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"LiquidBranches.{name}: expected {n} values")
        if np.any(~(self.branch_k > 0)):
            raise ValueError("LiquidBranches.branch_k must be > 0 (inf = closed valve)")

    @property
    def n_rack(self) -> int:
        return len(self.cdu_index)


# ----------------------------------------------------------------------------- results

@dataclass(frozen=True)
class BranchResult:
    """Per rack (NaN where the rack is not on a loop)."""

    cdu_index: np.ndarray
    flow_m3s: np.ndarray
    flow_lpm: np.ndarray
    mass_flow_kgs: np.ndarray
    supply_c: np.ndarray
    return_c: np.ndarray
    dp_kpa: np.ndarray
    need_lpm: np.ndarray
    shortfall_lpm: np.ndarray
    liquid_heat_w: np.ndarray


@dataclass(frozen=True)
class CduResult:
    """Per CDU."""

    rack_load_w: np.ndarray          # heat from racks
    load_w: np.ndarray               # racks + pump heat: duty of the exchanger
    capacity_fraction: np.ndarray
    flow_m3s: np.ndarray
    flow_lpm: np.ndarray
    n_pumps_running: np.ndarray
    pump_flow_lpm: np.ndarray        # per running pump
    pump_dp_kpa: np.ndarray          # pump head (equal for parallel pumps)
    pump_runout_fraction: np.ndarray  # per-pump flow / free flow at the running speed
    hydraulic_power_w: np.ndarray
    pump_power_w: np.ndarray         # electrical, all running pumps
    ntu: np.ndarray
    cr: np.ndarray
    effectiveness: np.ndarray
    loop_supply_c: np.ndarray
    loop_return_c: np.ndarray
    approach_k: np.ndarray           # loop supply − facility supply
    facility_supply_c: np.ndarray
    facility_return_c: np.ndarray
    facility_heat_w: np.ndarray      # heat into facility water = C_fac (T_ret − T_sup)
    facility_flow_kgs: np.ndarray


@dataclass(frozen=True)
class LiquidResult:
    racks: BranchResult
    cdus: CduResult
    newton_iterations: int
    max_residual_pa: float
    converged: bool


# ----------------------------------------------------------------------------- hydraulics

@dataclass(frozen=True)
class _Network:
    order: np.ndarray       # rack indices on active loops, sorted by (cdu, position)
    cdu_of: np.ndarray      # cdu index of each ordered rack
    n_unknown: int
    e_from: np.ndarray      # unknown-node index, −1 = reference (CDU return inlet)
    e_to: np.ndarray
    e_k: np.ndarray
    e_h0: np.ndarray        # head gain (pump edges)
    q0: np.ndarray          # initial flows (continuity-consistent)
    n_pump_edges: int
    pump_cdu: np.ndarray    # cdu of each pump edge
    branch_edge: np.ndarray  # edge index of each ordered rack's branch
    s_node: np.ndarray      # unknown index of each ordered rack's supply tap
    r_node: np.ndarray


def _build_network(br: LiquidBranches, cd: CduLoops, active: np.ndarray) -> _Network:
    on = (br.cdu_index >= 0) & np.isfinite(br.branch_k)      # k = inf: closed valve
    on[on] = active[br.cdu_index[on]]
    idx = np.flatnonzero(on)
    order = idx[np.lexsort((idx, br.manifold_position[idx], br.cdu_index[idx]))]
    cdu_of = br.cdu_index[order]
    n_b = np.bincount(cdu_of, minlength=cd.n_cdu)
    loops = np.flatnonzero(n_b > 0)            # active loops with at least one branch
    nb = n_b[loops]
    off = np.concatenate(([0], np.cumsum(1 + 2 * nb)))[:-1]   # S0 index of each loop
    loop_pos = np.full(cd.n_cdu, -1)
    loop_pos[loops] = np.arange(len(loops))
    lp = loop_pos[cdu_of]                       # loop slot of every ordered rack
    start = np.concatenate(([0], np.cumsum(nb)))[:-1]
    rank = np.arange(len(order)) - start[lp] + 1        # 1..n along the manifold
    S0 = off
    s_node = off[lp] + 2 * rank - 1
    r_node = off[lp] + 2 * rank
    n_of = nb[lp]
    first = rank == 1
    last = rank == n_of

    hk = lambda per_rack: np.maximum(
        np.where(np.isnan(per_rack[order]), cd.header_segment_k[cdu_of], per_rack[order]), _K_FLOOR)
    k_sh = hk(br.supply_header_k)
    k_rh = hk(br.return_header_k)
    rev = cd.reverse_return[cdu_of]

    # initial guess: exact flows with header losses neglected
    run = cd.n_pumps_running[loops].astype(float)
    s = cd.pump_speed_fraction[loops]
    h0 = s ** 2 * cd.pump_shutoff_pa[loops]
    kp = cd.pump_curve_a[loops] / run ** 2 + cd.series_k[loops]
    kb = br.branch_k[order]
    inv_sqrt = np.bincount(lp, 1.0 / np.sqrt(kb), minlength=len(loops))
    k_par = 1.0 / inv_sqrt ** 2
    q_tot = np.sqrt(h0 / (kp + k_par))
    dp_par = k_par * q_tot ** 2
    qb = np.sqrt(dp_par[lp] / kb)
    # cumulative flows along the manifold (within each loop)
    cum = np.cumsum(qb)
    before = cum - qb - (cum[start] - qb[start])[lp]       # Σ flows of taps nearer the CDU
    downstream = q_tot[lp] - before                        # flow in segment feeding tap i

    # edges: pumps | supply segments | branches | return segments
    e_from = [np.full(len(loops), -1), np.where(first, S0[lp], s_node - 2), s_node]
    e_to = [S0, s_node, r_node]
    e_k = [kp, k_sh, kb]
    e_h0 = [h0, np.zeros(len(order)), np.zeros(len(order))]
    q0 = [q_tot, downstream, qb]
    # direct return: r_i → r_{i-1} (r_1 → ref), flow = downstream;
    # reverse return: r_i → r_{i+1} (r_n → ref), flow = Σ flows up to and including i.
    ret_from = r_node
    ret_to = np.where(rev, np.where(last, -1, r_node + 2), np.where(first, -1, r_node - 2))
    e_from.append(ret_from)
    e_to.append(ret_to)
    e_k.append(k_rh)
    e_h0.append(np.zeros(len(order)))
    q0.append(np.where(rev, before + qb, downstream))

    cat = np.concatenate
    return _Network(
        order=order, cdu_of=cdu_of, n_unknown=int(off[-1] + 1 + 2 * nb[-1]) if len(loops) else 0,
        e_from=cat(e_from).astype(np.int64), e_to=cat(e_to).astype(np.int64),
        e_k=cat(e_k), e_h0=cat(e_h0), q0=cat(q0),
        n_pump_edges=len(loops), pump_cdu=loops,
        branch_edge=len(loops) + len(order) + np.arange(len(order)),
        s_node=s_node, r_node=r_node,
    )


def _solve_hydraulics(net: _Network, rtol=1e-10, max_iter=100):
    """Newton (global gradient) iterations; returns edge flows, node pressures, iterations, residual.

    Stops when every edge's |p_from − p_to − h(Q)| < rtol × the largest pump head (≥ 1e-6 Pa).
    """
    n = net.n_unknown
    tol_pa = max(1e-6, rtol * float(np.max(net.e_h0, initial=0.0)))
    q = net.q0.copy()
    fr, to, k, h0 = net.e_from, net.e_to, net.e_k, net.e_h0
    if n == 0:
        return q, np.zeros(0), 0, 0.0, True
    fr_ok, to_ok = fr >= 0, to >= 0
    both = fr_ok & to_ok
    lo = np.minimum(fr, to)[both]
    hi = np.maximum(fr, to)[both]
    band = hi - lo
    if np.any((band < 1) | (band > 2)):
        raise AssertionError("manifold network is not pentadiagonal")
    p = np.zeros(n)
    resid = np.inf
    it = 0
    for it in range(1, max_iter + 1):
        aq = np.abs(q)
        h = k * q * aq - h0
        w = 1.0 / (2.0 * k * np.maximum(aq, _Q_FLOOR_M3S))
        ab = np.zeros((3, n))
        ab[2] = np.bincount(fr[fr_ok], w[fr_ok], n) + np.bincount(to[to_ok], w[to_ok], n)
        wb = w[both]
        ab[1, hi[band == 1]] = -wb[band == 1]
        ab[0, hi[band == 2]] = -wb[band == 2]
        r = w * h - q
        rhs = np.bincount(fr[fr_ok], r[fr_ok], n) - np.bincount(to[to_ok], r[to_ok], n)
        p = solveh_banded(ab, rhs, lower=False, check_finite=False)
        pf = np.where(fr_ok, p[np.maximum(fr, 0)], 0.0)
        pt = np.where(to_ok, p[np.maximum(to, 0)], 0.0)
        dp = pf - pt
        q = q + w * (dp - h)
        resid = float(np.max(np.abs(dp - (k * q * np.abs(q) - h0))))
        if resid < tol_pa:
            break
    return q, p, it, resid, resid < tol_pa


# ----------------------------------------------------------------------------- solve

def solve_liquid(branches: LiquidBranches, cdus: CduLoops, flow_need_lpm_per_kw: float = 1.5) -> LiquidResult:
    """Hydraulics and heat of every CDU loop at once (see the module docstring)."""
    br, cd = branches, cdus
    nc = cd.n_cdu
    if np.any(br.cdu_index >= nc):
        raise ValueError(f"LiquidBranches.cdu_index refers to CDU {br.cdu_index.max()}, only {nc} given")
    running = cd.n_pumps_running
    active = (running > 0) & (cd.pump_speed_fraction > 0)
    net = _build_network(br, cd, active)
    q, p, iters, resid, converged = _solve_hydraulics(net)

    on_loop = br.cdu_index >= 0
    rho_r = np.where(on_loop, cd.coolant_density_kgm3[np.maximum(br.cdu_index, 0)], np.nan)
    cp_r = np.where(on_loop, cd.coolant_cp_jkgk[np.maximum(br.cdu_index, 0)], np.nan)
    flow = np.where(on_loop, 0.0, np.nan)
    dpr = np.where(on_loop, 0.0, np.nan)
    flow[net.order] = q[net.branch_edge]
    dpr[net.order] = p[net.s_node] - p[net.r_node]

    # per CDU hydraulics
    # loop flow = Σ branch flows (equals the pump-edge flow to the Newton tolerance; using the
    # sum makes the mixed branch returns and the loop return agree to round-off)
    q_cdu = np.bincount(net.cdu_of, q[net.branch_edge], nc) if len(net.order) else np.zeros(nc)
    run_f = np.maximum(running, 1).astype(float)
    s = cd.pump_speed_fraction
    a = cd.pump_curve_a
    pump_dp = np.where(active, s ** 2 * cd.pump_shutoff_pa - a * (q_cdu / run_f) ** 2, 0.0)
    hyd = pump_dp * q_cdu
    pump_w = np.where(active, hyd / cd.pump_efficiency, 0.0)
    runout = np.where(active, q_cdu / run_f / np.where(s > 0, s * cd.pump_free_flow_m3s, 1.0), 0.0)

    # heat
    heat_r = np.where(on_loop, br.liquid_heat_w, 0.0)
    rack_load = np.bincount(br.cdu_index[on_loop], heat_r[on_loop], nc)
    load = rack_load + cd.pump_heat_to_coolant * pump_w
    c_loop = cd.coolant_density_kgm3 * q_cdu * cd.coolant_cp_jkgk
    c_fac = cd.facility_flow_kgs * cd.facility_cp_jkgk
    hx = counterflow_for_load(load, cd.ua_w_per_k, c_loop, c_fac, cd.facility_supply_c)
    loop_return = hx.hot_in_c
    loop_supply = hx.hot_out_c
    with np.errstate(divide="ignore", invalid="ignore"):
        fac_heat = removed_heat_w(load, c_loop, c_fac)
        mdot_r = rho_r * flow
        sup_r = np.where(on_loop, loop_supply[np.maximum(br.cdu_index, 0)], np.nan)
        rise = np.where(heat_r == 0, 0.0, heat_r / (mdot_r * cp_r))
        rise = np.where(mdot_r > 0, rise, np.where(heat_r > 0, np.inf, 0.0))
        ret_r = np.where(on_loop, sup_r + rise, np.nan)
        cap_frac = np.where(cd.capacity_w > 0, load / cd.capacity_w, np.inf)
    need = np.where(on_loop, br.liquid_heat_w / 1000.0 * flow_need_lpm_per_kw, np.nan)
    flow_lpm = flow * LPM_PER_M3S

    racks = BranchResult(
        cdu_index=br.cdu_index.copy(),
        flow_m3s=flow, flow_lpm=flow_lpm, mass_flow_kgs=rho_r * flow, supply_c=sup_r, return_c=ret_r,
        dp_kpa=dpr / 1000.0, need_lpm=need, shortfall_lpm=np.maximum(need - flow_lpm, 0.0),
        liquid_heat_w=np.where(on_loop, br.liquid_heat_w, np.nan),
    )
    cdu = CduResult(
        rack_load_w=rack_load, load_w=load, capacity_fraction=cap_frac, flow_m3s=q_cdu,
        flow_lpm=q_cdu * LPM_PER_M3S, n_pumps_running=np.where(active, running, 0),
        pump_flow_lpm=q_cdu / run_f * LPM_PER_M3S, pump_dp_kpa=pump_dp / 1000.0,
        pump_runout_fraction=runout, hydraulic_power_w=hyd, pump_power_w=pump_w,
        ntu=hx.ntu, cr=hx.cr, effectiveness=hx.effectiveness,
        loop_supply_c=loop_supply, loop_return_c=loop_return,
        approach_k=loop_supply - cd.facility_supply_c, facility_supply_c=cd.facility_supply_c.copy(),
        facility_return_c=hx.cold_out_c, facility_heat_w=fac_heat, facility_flow_kgs=cd.facility_flow_kgs.copy(),
    )
    return LiquidResult(racks=racks, cdus=cdu, newton_iterations=iters, max_residual_pa=resid,
                        converged=bool(converged))


# ----------------------------------------------------------------------------- coolant limits

#: Coolant return above the throttle point at which a rack at its throttle floor shuts down
#: (docs/physics.md §3.9): the gap between a GPU's slowdown and shutdown temperatures, K.
SHUTDOWN_MARGIN_K = 5.0
#: Power of a shut-down rack as a share of its nameplate (BMC, management network, fans at
#: minimum speed, power-shelf no-load losses); all of it goes to the rack's air.
STANDBY_FRACTION = 0.01

#: Rack states of :class:`CoolantLimits` (the engine adds 3, unpowered).
RUNNING, THROTTLED, SHUTDOWN = 0, 1, 2
#: Causes of a throttle or shutdown.
CAUSE_NONE, CAUSE_NO_LOOP, CAUSE_NO_FLOW, CAUSE_RETURN_LIMIT = 0, 1, 2, 3


@dataclass(frozen=True)
class CoolantLimits:
    """Rack powers after throttling and shutdown on their coolant (per rack, then per CDU)."""

    power_w: np.ndarray          # rack IT power: demand, throttled power or standby
    liquid_heat_w: np.ndarray
    air_heat_w: np.ndarray
    state: np.ndarray            # RUNNING / THROTTLED / SHUTDOWN
    cause: np.ndarray            # CAUSE_* (CAUSE_NONE while running)
    throttle_c: np.ndarray       # coolant return at which the rack throttles (NaN off a loop)
    cdu_index: np.ndarray        # the rack's CDU (−1: none)
    margin_k: float              # shutdown point = throttle_c + margin_k
    loop_supply_c: np.ndarray    # per CDU, at the steady state found
    rounds: int                  # shutdown rounds (1 when no rack shut down on its return)

    @property
    def changed(self) -> bool:
        return bool(np.any(self.state != RUNNING))


def limit_to_coolant(branches: LiquidBranches, result: LiquidResult | None, cdus: CduLoops | None,
                     demand_w, liquid_fraction, floor_w, standby_w,
                     margin_k: float = SHUTDOWN_MARGIN_K, iterations: int = 60) -> CoolantLimits:
    """Throttle and shut down racks that their coolant cannot cool (docs/physics.md §3.9).

    ``result`` is the liquid solve of ``branches`` at the racks' demand (its flows do not
    depend on heat); None, with ``cdus``, when the hall has no CDU.
    A rack with liquid share f > 0 that is on no loop, or whose branch has no flow, shuts
    down: it draws ``standby_w``, all of it to air.  Otherwise its coolant return
    T_sup + f P / (ṁ c_p) may not exceed its CDU's ``return_limit_c`` T_lim: the rack
    throttles to P = ṁ c_p (T_lim − T_sup) / f, but not below its floor ``floor_w`` (idle
    power); a rack whose return at the floor would exceed T_lim + ``margin_k`` shuts down.
    The loop supply depends on the loop's load L (exchanger of §3.2 at fixed flows):
    T_sup = T_fac + L (1/(ε C_min) − 1/C_loop); the consistent T_sup is found by bisection
    per loop (the load falls as T_sup rises), and racks are shut down one per loop and round,
    the one with the hottest return at its floor first, until none is left to shut down.
    """
    demand = np.asarray(demand_w, float)
    n = len(demand)
    f = np.broadcast_to(np.asarray(liquid_fraction, float), (n,))
    cooled = (f > 0) & (demand > 0)
    low = np.minimum(np.asarray(floor_w, float), demand)
    standby = np.minimum(np.asarray(standby_w, float), demand)
    if result is None or cdus is None:       # no CDU: every liquid-cooled rack is off a loop
        return CoolantLimits(
            power_w=np.where(cooled, standby, demand), liquid_heat_w=np.where(cooled, 0.0, f * demand),
            air_heat_w=np.where(cooled, standby, (1 - f) * demand),
            state=np.where(cooled, SHUTDOWN, RUNNING), cause=np.where(cooled, CAUSE_NO_LOOP, CAUSE_NONE),
            throttle_c=np.full(n, np.nan), cdu_index=branches.cdu_index.copy(), margin_k=margin_k,
            loop_supply_c=np.zeros(0), rounds=0)
    r, c, nc = result.racks, result.cdus, cdus.n_cdu
    ci = branches.cdu_index
    on = ci >= 0
    j = np.maximum(ci, 0)
    mc = np.where(on, np.nan_to_num(r.mass_flow_kgs) * cdus.coolant_cp_jkgk[j], 0.0)
    t_lim = np.where(on, cdus.return_limit_c[j], np.nan)
    c_loop = cdus.coolant_density_kgm3 * c.flow_m3s * cdus.coolant_cp_jkgk
    c_fac = cdus.facility_flow_kgs * cdus.facility_cp_jkgk
    cmin = np.minimum(c_loop, c_fac)
    flows = cmin > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(flows, 1.0 / (c.effectiveness * np.where(flows, cmin, 1.0))
                         - 1.0 / np.where(flows, c_loop, 1.0), 0.0)
    pump_q = cdus.pump_heat_to_coolant * c.pump_power_w
    t_fac = cdus.facility_supply_c
    cause = np.full(n, CAUSE_NONE)
    cause[cooled & ~on] = CAUSE_NO_LOOP
    cause[cooled & on & ((mc <= 0) | ~flows[j])] = CAUSE_NO_FLOW
    off = cause != CAUSE_NONE
    limited = cooled & on & ~off            # racks whose power follows the loop supply
    fs = np.where(f > 0, f, 1.0)

    def power(t_sup_rack):
        with np.errstate(divide="ignore", invalid="ignore"):
            cap = mc * (t_lim - t_sup_rack) / fs
        p = np.where(limited & ~off, np.clip(np.nan_to_num(cap, nan=0.0), low, demand), demand)
        return np.where(off, standby, p)

    def loop_load(p):
        q = np.where(on & ~off, f * p, 0.0)
        return pump_q + np.bincount(ci[on], q[on], nc)

    t_sup = t_fac + alpha * loop_load(demand)
    rounds = 0
    for rounds in range(1, n + 2):
        if not limited.any():
            break
        lo = t_fac + alpha * pump_q                               # no rack heat at all
        hi = t_fac + alpha * loop_load(np.where(off, 0.0, demand))   # every rack at demand
        for _ in range(iterations):
            mid = 0.5 * (lo + hi)
            g = t_fac + alpha * loop_load(power(mid[j])) - mid   # decreasing in mid
            lo = np.where(g > 0, mid, lo)
            hi = np.where(g > 0, hi, mid)
        t_sup = hi                      # the warm side: the re-solved loop is at most this warm
        with np.errstate(divide="ignore", invalid="ignore"):
            ret_floor = np.where(limited & ~off, t_sup[j] + f * low / mc, -np.inf)
        cand = ret_floor > t_lim + margin_k + 1e-9
        if not cand.any():
            break
        idx = np.flatnonzero(cand)
        idx = idx[np.lexsort((idx, -ret_floor[idx], ci[idx]))]
        first = np.ones(len(idx), bool)
        first[1:] = ci[idx][1:] != ci[idx][:-1]
        off[idx[first]] = True
        cause[idx[first]] = CAUSE_RETURN_LIMIT
    p = power(t_sup[j])
    throttled = ~off & (p < demand * (1 - 1e-12) - 1e-9)
    cause[throttled] = CAUSE_RETURN_LIMIT
    state = np.where(off, SHUTDOWN, np.where(throttled, THROTTLED, RUNNING))
    liquid = np.where(off, 0.0, f * p)
    return CoolantLimits(power_w=p, liquid_heat_w=liquid, air_heat_w=p - liquid, state=state,
                         cause=cause, throttle_c=t_lim, cdu_index=ci.copy(), margin_k=margin_k,
                         loop_supply_c=t_sup, rounds=rounds)


# ----------------------------------------------------------------------------- immersion

@dataclass(frozen=True)
class ImmersionTanks:
    """Single-phase immersion tanks (arrays of length ``n_tank``).

    The bath is one well-mixed node: the exchanger's hot inlet is the bath temperature
    and its outlet returns to the bath.  Dielectric defaults: see :mod:`.fluids`.
    """

    heat_w: np.ndarray
    ua_w_per_k: np.ndarray
    fluid_flow_kgs: np.ndarray
    facility_flow_kgs: np.ndarray
    facility_supply_c: np.ndarray
    capacity_w: np.ndarray
    max_bath_c: np.ndarray = column_default(50.0)
    pump_power_w: np.ndarray = column_default(0.0)   # dielectric pump, all of it heats the bath
    fluid_cp_jkgk: np.ndarray = column_default(2200.0)
    facility_cp_jkgk: np.ndarray = column_default(WATER.cp_jkgk)

    def __post_init__(self):
        n = int(np.size(self.heat_w))
        for f in fields(self):
            object.__setattr__(self, f.name, _arr(getattr(self, f.name), n))


@dataclass(frozen=True)
class ImmersionResult:
    load_w: np.ndarray
    bath_c: np.ndarray
    hx_outlet_c: np.ndarray
    capacity_fraction: np.ndarray
    facility_return_c: np.ndarray
    facility_heat_w: np.ndarray
    pump_power_w: np.ndarray
    effectiveness: np.ndarray
    facility_flow_kgs: np.ndarray


def solve_immersion(tanks: ImmersionTanks) -> ImmersionResult:
    """Bath temperature T = T_fac,sup + Q/(ε C_min) for each tank (Q includes pump heat)."""
    t = tanks
    load = t.heat_w + t.pump_power_w
    c_fluid = t.fluid_flow_kgs * t.fluid_cp_jkgk
    c_fac = t.facility_flow_kgs * t.facility_cp_jkgk
    hx = counterflow_for_load(load, t.ua_w_per_k, c_fluid, c_fac, t.facility_supply_c)
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = np.where(t.capacity_w > 0, load / t.capacity_w, np.inf)
        fac_heat = removed_heat_w(load, c_fluid, c_fac)
    return ImmersionResult(load_w=load, bath_c=hx.hot_in_c, hx_outlet_c=hx.hot_out_c, capacity_fraction=cap,
                           facility_return_c=hx.cold_out_c, facility_heat_w=fac_heat,
                           pump_power_w=t.pump_power_w.copy(), effectiveness=hx.effectiveness,
                           facility_flow_kgs=t.facility_flow_kgs.copy())
