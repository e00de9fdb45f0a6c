"""Potential-flow airflow on the grid.

Per cell ``Σ_f a_f (φ_P − φ_N) = S_P − Σ_f B_f`` with ``a_f = open_f A_f / d_f``;
face flux ``F_f = a_f (φ_P − φ_N) + B_f`` in m³/s, positive along +x/+y/+z.
``S`` is discharge minus intake of all devices (ΣS = 0); ``B`` is an optional
body-force (buoyancy) flux on horizontal faces (see :mod:`.buoyancy`).
Solid cells get identity rows (φ = 0) so the matrix keeps one size while racks
move, which lets a stale AMG hierarchy precondition the new matrix.  The
Neumann problem is made definite by tying one cell of every connected air
region to φ = 0.

Solver: conjugate gradients preconditioned by a pyamg smoothed-aggregation
V-cycle, warm-started from the last φ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyamg
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import cg

from .devices import SolveError
from .grid import Geometry

__all__ = ["FlowSystem", "build_flow_system", "FaceFluxes", "solve_potential",
           "face_fluxes", "AmgCache"]


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
    pins: np.ndarray  # one cell per connected air region
    labels: np.ndarray


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
    keep = w > 0
    p, q, w = p[keep], q[keep], w[keep]
    off = sp.csr_matrix((np.concatenate([-w, -w]), (np.concatenate([p, q]), np.concatenate([q, p]))),
                        shape=(g.n, g.n))
    diag = np.bincount(p, w, g.n) + np.bincount(q, w, g.n)
    n_comp, labels = connected_components(off, directed=False)
    air = ~geom.solid.ravel()
    isolated = diag == 0
    # one pin per region that holds air
    first = np.full(n_comp, -1)
    order = np.flatnonzero(air & ~isolated)
    first[labels[order[::-1]]] = order[::-1]
    pins = first[first >= 0]
    ref = np.median(w) if len(w) else 1.0
    diag = diag.copy()
    diag[pins] += ref
    diag[isolated] = 1.0
    A = (off + sp.diags(diag)).tocsr()
    A.sort_indices()
    return FlowSystem(A, ax, ay, az, pins, labels)


class AmgCache:
    """Keeps a smoothed-aggregation hierarchy and reuses it while it works.

    After a geometry edit the old hierarchy preconditions the new matrix; it
    is rebuilt when CG needs more than ``rebuild_after`` iterations."""

    def __init__(self, rebuild_after: int = 30):
        self.ml = None
        self.n = -1
        self.rebuild_after = rebuild_after
        self.builds = 0

    def hierarchy(self, A):
        if self.ml is None or self.n != A.shape[0]:
            self.rebuild(A)
        return self.ml

    def rebuild(self, A):
        self.ml = pyamg.smoothed_aggregation_solver(A, symmetry="symmetric", max_coarse=300)
        self.n = A.shape[0]
        self.builds += 1


def solve_potential(fs: FlowSystem, source: np.ndarray, amg: AmgCache,
                    x0: np.ndarray | None, rtol: float, maxiter: int):
    """φ for ``A φ = source``; returns (φ, iterations)."""
    b = source.copy()
    bnorm = np.linalg.norm(b)
    if bnorm == 0:
        return np.zeros_like(b), 0
    ml = amg.hierarchy(fs.A)
    phi, it, info = _cg(fs.A, b, x0, ml, rtol, maxiter)
    if info != 0:
        amg.rebuild(fs.A)
        phi, it, info = _cg(fs.A, b, x0, amg.ml, rtol, maxiter)
        if info != 0:
            raise SolveError(f"airflow potential did not converge in {maxiter} CG iterations")
    elif it > amg.rebuild_after:
        amg.rebuild(fs.A)          # stale hierarchy: refresh for the next solve
    return phi, it


def _cg(A, b, x0, ml, rtol, maxiter):
    it = [0]

    def count(_):
        it[0] += 1
    phi, info = cg(A, b, x0=x0, rtol=rtol, atol=0.0, maxiter=maxiter,
                   M=ml.aspreconditioner(), callback=count)
    return phi, it[0], info


def face_fluxes(fs: FlowSystem, geom: Geometry, phi: np.ndarray,
                bz: np.ndarray | None = None) -> FaceFluxes:
    g = geom.grid
    nz, ny, nx = g.shape
    P = phi.reshape(g.shape)
    fx = np.zeros((nz, ny, nx + 1)); fx[:, :, 1:-1] = fs.ax * (P[:, :, :-1] - P[:, :, 1:])
    fy = np.zeros((nz, ny + 1, nx)); fy[:, 1:-1, :] = fs.ay * (P[:, :-1, :] - P[:, 1:, :])
    fz = np.zeros((nz + 1, ny, nx)); fz[1:-1] = fs.az * (P[:-1] - P[1:])
    if bz is not None:
        fz[1:-1] += bz
    return FaceFluxes(fx, fy, fz)
