"""Potential-flow airflow on the grid.

Per cell ``Σ_f a_f (φ_P − φ_N) = S_P − Σ_f B_f`` with ``a_f = open_f A_f / d_f``;
face flux ``F_f = a_f (φ_P − φ_N) + B_f`` in m³/s, positive along +x/+y/+z.
``S`` is discharge minus intake of all devices (ΣS = 0); ``B`` is an optional
body-force (buoyancy) flux on horizontal faces (see :mod:`.buoyancy`).
Solid cells get identity rows (φ = 0) so the matrix keeps one size while racks
move, which lets the AMG hierarchy of the last geometry serve the new matrix.
Return cells under a ceiling plenum add ``a_ret (φ_P − 0)`` (the plenum is the
φ = 0 reference, see :mod:`.devices`); every other connected air region is
made definite by tying one of its cells to φ = 0 (its sources balance, so the
tie carries no flow).

Leaking panels (containment faces with ``0 < open < 1``) are zonal: the air regions the
sealed panels separate exchange ``F = a_f (Φ_r − Φ_s)`` through every leaking face
between regions ``r`` and ``s``, with one potential ``Φ`` per region from the small
network ``Σ_s G_rs (Φ_r − Φ_s) = (net source of r)`` (regions open to the plenum at
``Φ = 0``; one region per otherwise unvented group tied), so a panel leaks in
proportion to its area and the pressure difference between the regions, uniform over
it.  The cell potential of a jet-driven region is not a pressure: used across the
panel, it made a balanced chimney ducted to the ceiling blow its hot air out through
its end doors at the floor and draw room air in at the top (0.3 m³/s per door on the
hot-aisle chimney of the CFD library, raising the end racks' inlets by 2.4 K where the
sealed CFD aisle leaks nothing).  The leak flows then enter the cell problem as fixed
sources on both sides of each leaking face, whose regions are solved as sealed
(docs/physics.md §2.5).

Solver: conjugate gradients preconditioned by a smoothed-aggregation V-cycle
(pyamg's hierarchy, forward/backward Gauss–Seidel smoothing), warm-started from the
last φ.  CG and the V-cycle are written out here over pyamg's Gauss–Seidel
kernel, which keeps the Python bookkeeping per iteration small on room-size
grids, and the hierarchy is kept in CSR (faster V-cycles than pyamg's BSR
levels with 1×1 blocks).  After a geometry edit its coarse operators are
refreshed by Galerkin products over the kept prolongators (much cheaper than
a new set-up); a stale hierarchy used as-is would cost ~2 extra iterations
per changed row.  It is rebuilt when CG needs more than ``rebuild_after``
iterations.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyamg
import scipy.sparse as sp
from pyamg import amg_core
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu, spsolve

from .devices import SolveError
from .grid import Geometry

__all__ = ["FlowSystem", "LeakNetwork", "build_flow_system", "FaceFluxes", "solve_potential",
           "leak_flows", "face_fluxes", "AmgCache", "start_after_edit", "gauss_seidel"]


@dataclass(frozen=True, eq=False)
class FaceFluxes:
    """Face flows in m³/s, positive along +axis, wall faces included."""

    x: np.ndarray   # (nz, ny, nx+1)
    y: np.ndarray   # (nz, ny+1, nx)
    z: np.ndarray   # (nz+1, ny, nx)


@dataclass(frozen=True, eq=False)
class FlowSystem:
    A: sp.csr_matrix
    ax: np.ndarray    # (nz, ny, nx-1) internal-face conductances
    ay: np.ndarray
    az: np.ndarray
    pins: np.ndarray  # one cell per sealed air region not open to the plenum
    labels: np.ndarray  # air regions joined by open or leaking faces
    return_g: np.ndarray  # per-cell conductance to the return plenum (φ = 0)
    leaks: "LeakNetwork | None" = None


@dataclass(frozen=True, eq=False)
class LeakNetwork:
    """Leaking faces between sealed regions: the cells on both sides (flux ``p → q``
    positive), their conductance, the face's axis (0 x, 1 y, 2 z) and flat index into
    that axis' face array (``FaceFluxes``, wall faces included), and the region
    network's solve."""

    p: np.ndarray
    q: np.ndarray
    a: np.ndarray
    axis: np.ndarray
    face: np.ndarray
    region: np.ndarray     # sealed-region label per cell
    solve_regions: Any     # net source per region -> region potential Φ


def _region_solve(region: np.ndarray, rp: np.ndarray, rq: np.ndarray, a: np.ndarray,
                  ret: np.ndarray):
    """The region-potential solve of leaking faces of conductance ``a`` between sealed
    regions ``rp`` and ``rq`` (labels of ``region``): net source per region -> flow
    ``p → q`` per face."""
    used = np.unique(np.concatenate([rp, rq]))       # the regions with leaking faces
    kp, kq = np.searchsorted(used, rp), np.searchsorted(used, rq)
    m = len(used)
    G = np.zeros((m, m))
    np.add.at(G, (kp, kq), -a); np.add.at(G, (kq, kp), -a)
    np.add.at(G, (kp, kp), a); np.add.at(G, (kq, kq), a)
    vented = np.zeros(int(region.max()) + 1, bool); vented[region[ret > 0]] = True
    fixed = vented[used].copy()
    _, groups = connected_components(sp.csr_matrix(G != 0), directed=False)
    for grp in np.unique(groups):           # tie one region of each unvented group
        members = np.flatnonzero(groups == grp)
        if not fixed[members].any():
            fixed[members[0]] = True
    free = np.flatnonzero(~fixed)
    inverse = np.linalg.inv(G[np.ix_(free, free)])

    def solve_regions(net_per_region: np.ndarray) -> np.ndarray:
        phi = np.zeros(m)
        phi[free] = inverse @ net_per_region[used][free]
        return a * (phi[kp] - phi[kq])

    return solve_regions


def build_flow_system(geom: Geometry) -> FlowSystem:
    g = geom.grid
    nz, ny, nx = g.shape
    ax = geom.open_x[:, :, 1:-1] * (g.dx * g.dz / g.dx)
    ay = geom.open_y[:, 1:-1, :] * (g.dx * g.dz / g.dx)
    az = geom.open_z[1:-1, :, :] * (g.dx * g.dx / g.dz)
    idx = np.arange(g.n).reshape(g.shape)
    pairs = [(idx[:, :, :-1], idx[:, :, 1:], ax), (idx[:, :-1, :], idx[:, 1:, :], ay),
             (idx[:-1], idx[1:], az)]
    p = np.concatenate([a.ravel() for a, _, _ in pairs])
    q = np.concatenate([b.ravel() for _, b, _ in pairs])
    w = np.concatenate([c.ravel() for _, _, c in pairs])
    axis = np.repeat(np.arange(3), [a.size for a, _, _ in pairs])
    # each internal face's flat index into the full face array of its axis (FaceFluxes)
    face = np.concatenate([np.arange((nz * ny * (nx + 1))).reshape(nz, ny, nx + 1)[:, :, 1:-1].ravel(),
                           np.arange((nz * (ny + 1) * nx)).reshape(nz, ny + 1, nx)[:, 1:-1, :].ravel(),
                           np.arange(((nz + 1) * ny * nx)).reshape(nz + 1, ny, nx)[1:-1].ravel()])
    opening = np.concatenate([o.ravel() for o in (geom.open_x[:, :, 1:-1], geom.open_y[:, 1:-1, :],
                                                  geom.open_z[1:-1])])
    keep = w > 0
    p, q, w, axis, face, opening = p[keep], q[keep], w[keep], axis[keep], face[keep], opening[keep]
    leak = opening < 1.0       # leaking panels: zonal flows (leak_flows), not in the matrix
    sp_, sq, sw = p[~leak], q[~leak], w[~leak]
    off = sp.csr_matrix((np.concatenate([-sw, -sw]), (np.concatenate([sp_, sq]), np.concatenate([sq, sp_]))),
                        shape=(g.n, g.n))
    diag = np.bincount(sp_, sw, g.n) + np.bincount(sq, sw, g.n)
    ax, ay, az = ax * (geom.open_x[:, :, 1:-1] >= 1.0), ay * (geom.open_y[:, 1:-1, :] >= 1.0), \
        az * (geom.open_z[1:-1] >= 1.0)
    _, region = connected_components(off, directed=False)       # sealed air regions
    air = ~geom.solid.ravel()
    ret = geom.return_conductance()
    labels, leaks = region, None
    if leak.any():
        joined = sp.csr_matrix((np.ones(len(p)), (p, q)), shape=(g.n, g.n))
        _, labels = connected_components(joined, directed=False)
        rp, rq, a = region[p[leak]], region[q[leak]], w[leak]
        leaks = LeakNetwork(p[leak], q[leak], a, axis[leak], face[leak], region,
                            _region_solve(region, rp, rq, a, ret))
    w = sw
    n_comp = int(region.max()) + 1
    isolated = (diag == 0) & (ret == 0)
    # one pin per sealed region that holds air and does not open to the return plenum
    vented = np.zeros(n_comp, bool); vented[region[ret > 0]] = True
    first = np.full(n_comp, -1)
    order = np.flatnonzero(air & ~isolated)
    first[region[order[::-1]]] = order[::-1]
    pins = first[(first >= 0) & ~vented]
    ref = np.median(w) if len(w) else 1.0
    diag = diag + ret
    diag[pins] += ref
    diag[isolated] = 1.0
    A = (off + sp.diags(diag)).tocsr()
    A.sort_indices()
    return FlowSystem(A, ax, ay, az, pins, labels, ret, leaks)


def leak_flows(fs: FlowSystem, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The right side with each leaking face's zonal flow moved onto its two cells,
    and those flows (m³/s, ``p → q``); unchanged without leaking faces."""
    lk = fs.leaks
    if lk is None:
        return rhs, None
    F = lk.solve_regions(np.bincount(lk.region, rhs))
    out = rhs - np.bincount(lk.p, F, len(rhs)) + np.bincount(lk.q, F, len(rhs))
    return out, F


def leak_exchange(geom: Geometry, fs: FlowSystem, leak_m3s: np.ndarray) -> np.ndarray | None:
    """(nz−1, ny, nx) exchange flows (m³/s) on the horizontal faces below every leaking
    horizontal panel that lets air down, None where none does: the inflow ``q`` of a
    panel face mixes down the air column under it (to the floor or the first closed
    face), the face above the column's layer ``m`` exchanging ``q (m + 1 − k_b) / L``
    (``L`` layers from ``k_b`` up): what a descent spread evenly over the column would
    carry, as eddies, not as a net flow (docs/physics.md §2.5)."""
    lk = fs.leaks
    if lk is None:
        return None
    down = (lk.axis == 2) & (leak_m3s < 0.0)        # z faces: p below, q above
    if not down.any():
        return None
    g = geom.grid
    nz, ny, nx = g.shape
    q = -leak_m3s[down]
    top, col = np.divmod(lk.p[down], nx * ny)
    open_below = (geom.open_z[1:-1] >= 1.0).reshape(nz - 1, nx * ny)   # face m | m + 1
    run = np.zeros((nz, nx * ny), int)             # open faces straight below each cell
    for k in range(1, nz):
        run[k] = np.where(open_below[k - 1], run[k - 1] + 1, 0)
    bottom = top - run[top, col]
    layers = top - bottom + 1
    out = np.zeros((nz - 1, nx * ny))
    for m in range(nz - 1):
        on = (m >= bottom) & (m < top)
        np.add.at(out[m], col[on], q[on] * (m + 1 - bottom[on]) / layers[on])
    return out.reshape(nz - 1, ny, nx)


class AmgCache:
    """Keeps a smoothed-aggregation hierarchy and reuses it while it works.

    A hierarchy whose solve needed more than ``rebuild_after`` iterations is marked
    stale and rebuilt before the next solve — or earlier by :meth:`maintain`, which the
    physics process calls while it waits for the next edit; there it also rebuilds a
    refreshed hierarchy whose set-up is cheap (``idle_rebuild_max_s``): after a
    geometry edit the kept aggregates fit the moved racks less well (~14–20 instead of
    ~10 iterations on a 20-rack room)."""

    def __init__(self, rebuild_after: int = 20, idle_rebuild_max_s: float = 0.06):
        self.ml: Any = None   # pyamg's multilevel solver (pyamg has no type hints)
        self.A: Any = None    # the fine matrix of the hierarchy (scipy sparse)
        self.rebuild_after = rebuild_after
        self.idle_rebuild_max_s = idle_rebuild_max_s
        self.builds = 0
        self.stale = False
        self._refreshed = False
        self._setup_s = 0.0
        self._coarse_lu: Any = None   # scipy's SuperLU of the coarsest level

    def hierarchy(self, A):
        if self.ml is None or self.A.shape != A.shape or self.stale:
            self.rebuild(A)
        elif self.A is not A:
            self._refresh(A)
        return self.ml

    def maintain(self) -> bool:
        """Rebuild for the current matrix if stale, or refreshed and cheap to set up;
        returns whether it did."""
        if self.ml is None or not (self.stale or (self._refreshed and
                                                  self._setup_s <= self.idle_rebuild_max_s)):
            return False
        self.rebuild(self.A)
        return True

    def rebuild(self, A):
        t0 = time.perf_counter()
        ml = pyamg.smoothed_aggregation_solver(A, symmetry="symmetric", max_coarse=300,
                                               coarse_solver="splu")
        for lvl in ml.levels:
            lvl.A = sp.csr_matrix(lvl.A)
            if hasattr(lvl, "P"):
                lvl.P, lvl.R = sp.csr_matrix(lvl.P), sp.csr_matrix(lvl.R)
        self.ml, self.A = ml, A
        self._coarse_lu = splu(ml.levels[-1].A.tocsc())
        self.builds += 1
        self.stale = self._refreshed = False
        self._setup_s = time.perf_counter() - t0

    def _refresh(self, A):
        """Galerkin coarse operators of a new fine matrix over the kept prolongators,
        updated by the change ``R (A − A_old) P`` level by level: a geometry edit
        changes a few rows, so this costs little more than those rows."""
        levels = self.ml.levels
        delta = (A - self.A).tocoo()
        levels[0].A = A
        for fine, coarse in zip(levels[:-1], levels[1:]):
            delta = _galerkin_change(delta, fine.R, fine.P)
            coarse.A = (coarse.A + delta).tocsr()
        self._coarse_lu = splu(levels[-1].A.tocsc())
        self.A = A
        self._refreshed = True

    def vcycle(self, b: np.ndarray) -> np.ndarray:
        """One V-cycle from zero: a forward Gauss–Seidel sweep before each coarse
        correction and a backward one after it (so the cycle is a symmetric
        preconditioner for CG), LU on the coarsest level. Half the sweeps of pyamg's
        symmetric default: ~20 % more iterations, ~15 % less time."""
        levels = self.ml.levels
        xs, bs = [], [b]
        for lvl in levels[:-1]:
            x = np.zeros_like(bs[-1])
            gauss_seidel(lvl.A, x, bs[-1], forward=True)
            xs.append(x)
            bs.append(lvl.R @ (bs[-1] - lvl.A @ x))
        x = self._coarse_lu.solve(bs[-1])
        for lvl, xf, bf in zip(levels[-2::-1], xs[::-1], bs[-2::-1]):
            xf += lvl.P @ x
            gauss_seidel(lvl.A, xf, bf, forward=False)
            x = xf
        return x


def gauss_seidel(A: sp.csr_matrix, x: np.ndarray, b: np.ndarray, forward: bool) -> None:
    """One Gauss–Seidel sweep on ``x`` in place (pyamg's kernel, without its wrapper's
    per-call checks)."""
    n = len(x)
    start, stop, step = (0, n, 1) if forward else (n - 1, -1, -1)
    amg_core.gauss_seidel(A.indptr, A.indices, A.data, x, b, start, stop, step)


def _galerkin_change(delta: sp.coo_matrix, R: sp.csr_matrix, P: sp.csr_matrix) -> sp.coo_matrix:
    """``R delta P`` computed over the rows and columns ``delta`` touches only."""
    touched = np.unique(np.concatenate([delta.row, delta.col]))
    local = np.full(delta.shape[0], -1)
    local[touched] = np.arange(len(touched))
    small = sp.csr_matrix((delta.data, (local[delta.row], local[delta.col])),
                          shape=(len(touched), len(touched)))
    return (R[:, touched] @ small @ P[touched]).tocoo()


def start_after_edit(fs: FlowSystem, phi: np.ndarray, changed: np.ndarray) -> np.ndarray:
    """The last potential as a warm start on an edited geometry: on the cells whose
    blocking changed, the source-free solution of the new system from the others
    (φ = 0 in a cell that became solid; opened cells interpolate their open
    neighbours).  Left as it was, a moved rack's old and new cells put a residual
    larger than the right side into the start."""
    x = phi.copy()
    cells = np.flatnonzero(changed)
    if len(cells):
        x[cells] = 0.0
        rows = fs.A[cells]
        # a principal block of the SPD system: SPD itself
        x[cells] = spsolve(rows[:, cells].tocsc(), -(rows @ x))
    return x


def solve_potential(fs: FlowSystem, source: np.ndarray, amg: AmgCache,
                    x0: np.ndarray | None, rtol: float, maxiter: int):
    """φ for ``A φ = source``; returns (φ, iterations)."""
    b = source.copy()
    bnorm = float(np.linalg.norm(b))
    if bnorm == 0:
        return np.zeros_like(b), 0
    amg.hierarchy(fs.A)
    phi, it, ok = _pcg(fs.A, b, x0, amg, rtol * bnorm, maxiter)
    if not ok:
        amg.rebuild(fs.A)
        phi, it, ok = _pcg(fs.A, b, x0, amg, rtol * bnorm, maxiter)
        if not ok:
            raise SolveError(f"airflow potential did not converge in {maxiter} CG iterations")
    elif it > amg.rebuild_after:
        amg.stale = True           # rebuilt before the next solve, or while idle
    return phi, it


def _pcg(A, b, x0, amg: AmgCache, atol: float, maxiter: int):
    """Preconditioned CG to ``‖b − A x‖ ≤ atol``; returns (x, iterations, converged)."""
    x = np.zeros_like(b) if x0 is None else np.array(x0, dtype=float)
    r = b - A @ x
    if np.linalg.norm(r) <= atol:
        return x, 0, True
    z = amg.vcycle(r)
    p = z.copy()
    rz = float(r @ z)
    for it in range(1, maxiter + 1):
        q = A @ p
        alpha = rz / float(p @ q)
        x += alpha * p
        r -= alpha * q
        if np.linalg.norm(r) <= atol:
            return x, it, True
        z = amg.vcycle(r)
        rz, rz_old = float(r @ z), rz
        p *= rz / rz_old
        p += z
    return x, maxiter, False


def face_fluxes(fs: FlowSystem, geom: Geometry, phi: np.ndarray,
                bz: np.ndarray | None = None, leak_m3s: np.ndarray | None = None) -> FaceFluxes:
    g = geom.grid
    nz, ny, nx = g.shape
    P = phi.reshape(g.shape)
    fx = np.zeros((nz, ny, nx + 1)); fx[:, :, 1:-1] = fs.ax * (P[:, :, :-1] - P[:, :, 1:])
    fy = np.zeros((nz, ny + 1, nx)); fy[:, 1:-1, :] = fs.ay * (P[:, :-1, :] - P[:, 1:, :])
    fz = np.zeros((nz + 1, ny, nx)); fz[1:-1] = fs.az * (P[:-1] - P[1:])
    if bz is not None:
        fz[1:-1] += bz
    if leak_m3s is not None:
        lk = fs.leaks
        assert lk is not None    # leak flows come from the system's leak network
        for n, arr in enumerate((fx, fy, fz)):
            on = lk.axis == n
            np.add.at(arr.reshape(-1), lk.face[on], leak_m3s[on])     # a view: fresh arrays
    return FaceFluxes(fx, fy, fz)
