"""Air temperature: upwind transport with effective diffusivity, coupled to devices.

Per cell  ``T_P (Σ F_out + Σ D_f + sink_P) − Σ_N (F_in,N + D_f) T_N = Σ_d q_dP T_out,d``
with ``D_f = Γ_f A_f / d_f`` and ``Γ_f = Γ_0 + ℓ_m |u_f|`` (turbulent
diffusivity plus a mixing-length term) on fully open faces; leaking
containment panels carry advection only.  Using the OUTflow on the diagonal
makes the discrete energy balance exact whatever the mass residual of the
flow solve.  Devices close the loop: ``T_out = T_in + value`` (linear mode) or
``T_out = value`` (coil/door at its floor), ``T_in`` = flux-weighted mean of
the intake cells.

Unknowns ``[T_cells, T_out_devices]`` are ordered by descending potential φ,
each device placed right after its last intake cell.  Pure advection with
fixed device temperatures is then lower-triangular (potential flow has no
closed streamlines), so the lower triangle of the coupled matrix is an
excellent preconditioner for GMRES (BiCGSTAB broke down on small rooms).  The triangle is handed once per
device-mode set to SuperLU with natural ordering and no pivoting — for a
matrix that is already triangular this is no factorisation at all (no fill:
L is the triangle, U its diagonal; tested) and its solve is the same
``gstrs`` sweep ``spsolve_triangular`` runs, without that function's per-call
copy and rescale of the matrix (6 ms → 1 ms at 54k cells).  The general 3-D
system is never factorised.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, gmres, splu

from .devices import Devices, SolveError
from .flow import FaceFluxes
from .grid import Geometry

__all__ = ["transport_matrix", "CoupledTransport", "triangular_factor"]


def transport_matrix(geom: Geometry, fx: FaceFluxes, dev: Devices,
                     gamma0_m2s: float, mixing_length_m: float) -> sp.csr_matrix:
    g = geom.grid
    idx = np.arange(g.n).reshape(g.shape)
    area_xy, area_z = g.dx * g.dz, g.dx * g.dx
    parts = [
        (idx[:, :, :-1], idx[:, :, 1:], fx.x[:, :, 1:-1], geom.open_x[:, :, 1:-1], area_xy, g.dx),
        (idx[:, :-1, :], idx[:, 1:, :], fx.y[:, 1:-1, :], geom.open_y[:, 1:-1, :], area_xy, g.dx),
        (idx[:-1], idx[1:], fx.z[1:-1], geom.open_z[1:-1], area_z, g.dz),
    ]
    rows, cols, vals = [], [], []
    diag = np.zeros(g.n)
    for p, q, F, op, area, d in parts:
        p, q, F, op = p.ravel(), q.ravel(), F.ravel(), op.ravel()
        keep = op > 0
        p, q, F, op = p[keep], q[keep], F[keep], op[keep]
        # turbulent exchange only through fully open faces: a leaking panel
        # passes its jet (advection) but no eddies
        D = np.where(op >= 1.0, (gamma0_m2s + mixing_length_m * np.abs(F) / area) * area / d, 0.0)
        fp, fn = np.maximum(F, 0.0), np.maximum(-F, 0.0)
        diag += np.bincount(p, fp + D, g.n) + np.bincount(q, fn + D, g.n)
        rows += [q, p]; cols += [p, q]; vals += [-(fp + D), -(fn + D)]
    diag += np.asarray(dev.intake.sum(axis=0)).ravel()
    dead = diag <= 0
    diag[dead] = 1.0
    rows.append(np.arange(g.n)); cols.append(np.arange(g.n)); vals.append(diag)
    M = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(g.n, g.n))
    return M


class CoupledTransport:
    """The coupled cell + device temperature system in upwind (φ) order."""

    def __init__(self, M: sp.csr_matrix, dev: Devices, phi: np.ndarray):
        n, nd = M.shape[0], dev.n
        self.n, self.nd = n, nd
        self.M, self.discharge = M, dev.discharge
        rank = np.empty(n); rank[np.argsort(-phi, kind="stable")] = np.arange(n)
        W = dev.intake.tocoo()
        last = np.full(nd, -1.0)
        np.maximum.at(last, W.row, rank[W.col])
        keys = np.concatenate([rank, last + 0.5])
        self.new = np.empty(n + nd, int)
        self.new[np.argsort(keys, kind="stable")] = np.arange(n + nd)
        self.W = sp.diags(1.0 / dev.airflow_m3s) @ dev.intake          # (nd, n) weights
        Mc = M.tocoo()
        Dc = dev.discharge.tocoo()
        self._static = (
            np.concatenate([self.new[Mc.row], self.new[Dc.row]]),
            np.concatenate([self.new[Mc.col], self.new[n + Dc.col]]),
            np.concatenate([Mc.data, -Dc.data]),
        )
        Wc = self.W.tocoo()
        self._w = (Wc.row, Wc.col, Wc.data)
        self._cache = {}
        self.iterations = 0

    def _system(self, linear: np.ndarray):
        key = linear.tobytes()
        if key not in self._cache:
            n, nd = self.n, self.nd
            r, c, v = self._w
            lin = linear[r]
            rows = np.concatenate([self._static[0], self.new[n + r[lin]], self.new[n + np.arange(nd)]])
            cols = np.concatenate([self._static[1], self.new[c[lin]], self.new[n + np.arange(nd)]])
            vals = np.concatenate([self._static[2], -v[lin], np.ones(nd)])
            A = sp.csr_matrix((vals, (rows, cols)), shape=(n + nd, n + nd))
            if len(self._cache) > 4:
                self._cache.clear()
            self._cache[key] = (A, triangular_factor(sp.tril(A, format="csc")))
        return self._cache[key]

    def solve(self, linear: np.ndarray, value: np.ndarray, x0: np.ndarray | None,
              rtol: float, maxiter: int):
        """Returns (T_cells, T_out, GMRES iterations)."""
        n, nd = self.n, self.nd
        A, lower = self._system(linear)
        b = np.zeros(n + nd)
        b[self.new[n:]] = value
        pre = LinearOperator(A.shape, matvec=lower.solve, dtype=float)
        xp0 = None
        if x0 is not None:
            xp0 = np.empty(n + nd); xp0[self.new] = x0
        count = [0]

        def cb(_):
            count[0] += 1
        xp, info = gmres(A, b, x0=xp0, rtol=rtol, atol=0.0, restart=30, maxiter=maxiter,
                         M=pre, callback=cb, callback_type="pr_norm")
        if info != 0:
            raise SolveError(f"air temperature did not converge in {count[0]} GMRES iterations")
        self.iterations = count[0]
        x = xp[self.new]
        return x[:n], x[n:], count[0]



def triangular_factor(T: sp.csc_matrix):
    """Solver object for a sparse triangular matrix (see module docstring)."""
    return splu(T, permc_spec="NATURAL", diag_pivot_thresh=0.0,
                options=dict(SymmetricMode=True))
