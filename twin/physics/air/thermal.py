"""Air temperature: upwind transport with effective diffusivity, coupled to devices.

Per cell  ``T_P (Σ F_out + Σ D_f + sink_P) − Σ_N (F_in,N + D_f) T_N = Σ_d q_dP T_out,d``
with ``D_f = Γ_f A_f / d_f`` and ``Γ_f = Γ_0 + ℓ_m |u_f|`` (turbulent
diffusivity plus a mixing-length term) on fully open faces; leaking
containment panels carry advection only.  Using the OUTflow on the diagonal
makes the discrete energy balance exact whatever the mass residual of the
flow solve.  Devices close the loop: ``T_out = T_in + value`` (linear mode) or
``T_out = value`` (coil/door at its floor), ``T_in`` = flux-weighted mean of
the intake cells.

Cells are ordered by descending potential φ: pure advection is then
lower-triangular (potential flow has no closed streamlines), so the lower
triangle ``L`` of the cell matrix is an excellent preconditioner.  Devices
close the loop block-wise: the preconditioner solves the coupled system
exactly in the order [fixed devices, cells, linear devices] with ``L`` for
the cell block (fixed outlets feed their discharge cells at once; linear
devices read their intake cells after), and GMRES (:mod:`.krylov`) fixes the
rest — diffusion against the flow, buoyancy circulation, recirculation
through linear devices.  ``L`` does not depend on the device modes: one
triangle serves every mode pass and the capture-index solve. Solving with
it needs no factor and no copy: one forward Gauss–Seidel sweep over the
cell matrix from a zero start reads, in row ``i``, only the columns ``j < i``
already solved (the others are still zero), which is exactly forward
substitution with ``L`` (:class:`LowerTriangle`; pyamg's kernel), so no
factorisation is set up per flow field.  The general 3-D system is never
factorised or even assembled.

Where most of the hall is quiet (big slab-floor halls: Γ_0 dominates over
the slow potential flow) the triangle alone is weak (50–70 iterations at
100k cells).  There a coarse-grid correction is added between two upwind
sweeps: Galerkin operators ``R M P`` of the cell matrix on the first two
coarse levels of the airflow's AMG aggregation (the diffusion part is the
Laplacian those levels were built for), Gauss–Seidel on level 1, LU on
level 2 — 12–15 iterations, at the price of a set-up per flow field
(:meth:`CoupledTransport.add_coarse_correction`).  A solve switches to it
after ``COARSE_AFTER_ITERATIONS`` and continues from where it is.  The
operators of one flow field precondition the next (an edit, a buoyancy pass)
as they are, which saves that set-up (:class:`CoarseSpace`).

Successive solves on one flow field and mode set (device-mode passes,
power-only updates) share the matrix; each warm start is first improved by
a least-squares projection onto the last ``RECYCLE`` solution increments
(subspace recycling), so a repeated pattern of change — a workload group
scaled again and again — costs almost no GMRES iterations.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from .devices import Devices, SolveError
from .flow import FaceFluxes, gauss_seidel
from .grid import Geometry
from .krylov import gmres

__all__ = ["transport_matrix", "CoupledTransport", "CoarseSpace", "LowerTriangle"]

#: solution increments kept per device-mode set for recycling
RECYCLE = 6
#: GMRES iterations on the upwind triangle alone after which a solve switches
#: to the coarse-grid-corrected preconditioner (and continues from where it is)
COARSE_AFTER_ITERATIONS = 30

def transport_matrix(geom: Geometry, fx: FaceFluxes, dev: Devices,
                     gamma0_m2s: float, mixing_length_m: float,
                     exchange_z_m3s: np.ndarray | None = None) -> sp.coo_matrix:
    g = geom.grid
    idx = np.arange(g.n).reshape(g.shape)
    area_xy, area_z = g.dx * g.dz, g.dx * g.dx
    none = np.zeros(0)
    parts = [
        (idx[:, :, :-1], idx[:, :, 1:], fx.x[:, :, 1:-1], geom.open_x[:, :, 1:-1], area_xy, g.dx, none),
        (idx[:, :-1, :], idx[:, 1:, :], fx.y[:, 1:-1, :], geom.open_y[:, 1:-1, :], area_xy, g.dx, none),
        (idx[:-1], idx[1:], fx.z[1:-1], geom.open_z[1:-1], area_z, g.dz,
         none if exchange_z_m3s is None else exchange_z_m3s),
    ]
    rows, cols, vals = [], [], []
    diag = np.zeros(g.n)
    for p, q, F, op, area, d, ex in parts:
        keep = op.ravel() > 0
        p, q, F, op = p.ravel()[keep], q.ravel()[keep], F.ravel()[keep], op.ravel()[keep]
        # turbulent exchange only through fully open faces: a leaking panel
        # passes its jet (advection) but no eddies; leaked air coming down mixes
        D = np.where(op >= 1.0, (gamma0_m2s + mixing_length_m * np.abs(F) / area) * area / d, 0.0)
        if ex.size:
            D = D + np.where(op >= 1.0, ex.ravel()[keep], 0.0)
        fp, fn = np.maximum(F, 0.0), np.maximum(-F, 0.0)
        diag += np.bincount(p, fp + D, g.n) + np.bincount(q, fn + D, g.n)
        rows += [q, p]; cols += [p, q]; vals += [-(fp + D), -(fn + D)]
    diag += np.asarray(dev.intake.sum(axis=0)).ravel()
    diag[diag <= 0] = 1.0
    rows.append(np.arange(g.n)); cols.append(np.arange(g.n)); vals.append(diag)
    # every (row, col) pair occurs once: COO is the matrix; CoupledTransport re-indexes it
    return sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(g.n, g.n))


class CoupledTransport:
    """The coupled cell + device temperature system on one flow field.

    Cell vectors are held in upwind (φ) order inside; :meth:`solve` takes and
    returns natural order."""

    def __init__(self, M: sp.spmatrix, dev: Devices, phi: np.ndarray, prolongators=()):
        n, nd = M.shape[0], dev.n
        self.n, self.nd = n, nd
        self.order = np.argsort(-phi, kind="stable")         # upwind position -> cell
        rank = np.empty(n, int); rank[self.order] = np.arange(n)
        Mc = M.tocoo()
        r, c = rank[Mc.row], rank[Mc.col]
        self._M = sp.csr_matrix((Mc.data, (r, c)), shape=(n, n))
        self._lower = LowerTriangle(self._M)
        self.W = (sp.diags(1.0 / dev.airflow_m3s) @ dev.intake).tocsr()     # (nd, n) weights
        Wc = self.W.tocoo()
        self._W = sp.csr_matrix((Wc.data, (Wc.row, rank[Wc.col])), shape=(nd, n))
        Qc = dev.discharge.tocoo()
        self._Q = sp.csr_matrix((Qc.data, (rank[Qc.row], Qc.col)), shape=(n, nd))
        self._recycled: dict[bytes, list] = {}        # mode set -> [(Δx, A Δx), …]
        self._prolongators = list(prolongators)[:2]     # of the airflow AMG, natural order
        self._coarse: _CoarseCorrection | None = None

    @property
    def has_coarse_correction(self) -> bool:
        return self._coarse is not None

    @property
    def coarse_space(self) -> "CoarseSpace | None":
        return self._coarse.space if self._coarse is not None else None

    def add_coarse_correction(self, reuse: "CoarseSpace | None" = None) -> None:
        """Precondition with a coarse-grid correction over the first (one or
        two) prolongators of the airflow AMG hierarchy, if it has any.

        ``reuse``: the coarse operators of a nearby flow field (the last solve
        before an edit) on the same prolongators, which serve as they are and
        save their set-up: they only precondition, GMRES still solves this
        field's system to its tolerance."""
        P = self._prolongators
        if P and self._coarse is None:
            P0 = P[0].tocsr()[self.order]
            R0 = P0.T.tocsr()
            space = (reuse if reuse is not None and reuse.prolongator is P[0]
                     else self._coarse_space(P, P0, R0))
            self._coarse = _CoarseCorrection(space, P0, R0)

    def coarse_space_on(self, prolongators) -> "CoarseSpace | None":
        """This field's coarse operators over other airflow prolongators (a hierarchy
        rebuilt while idle), for the next flow field to reuse."""
        P = list(prolongators)[:2]
        if not P:
            return None
        P0 = P[0].tocsr()[self.order]
        return self._coarse_space(P, P0, P0.T.tocsr())

    def _coarse_space(self, P: list, P0: sp.csr_matrix, R0: sp.csr_matrix) -> "CoarseSpace":
        return CoarseSpace((R0 @ self._M @ P0).tocsr(), P[0], P[1] if len(P) > 1 else None)

    def _operator(self, linear: np.ndarray):
        n, M, W, Q = self.n, self._M, self._W, self._Q

        def matvec(v):
            vc, vd = v[:n], v[n:]
            return np.concatenate([M @ vc - Q @ vd, vd - linear * (W @ vc)])
        return matvec

    def _preconditioner(self, linear: np.ndarray):
        n, W, Q, M, lower, coarse = self.n, self._W, self._Q, self._M, self._lower, self._coarse
        fixed = ~linear

        def apply(r):
            rc, rd = r[:n], r[n:]
            f = rc + Q @ (fixed * rd)
            zc = lower.solve(f)
            if coarse is not None:
                zc += coarse(f - M @ zc)
                zc += lower.solve(f - M @ zc)
            return np.concatenate([zc, rd + linear * (W @ zc)])
        return apply

    def solve(self, linear: np.ndarray, value: np.ndarray, x0: np.ndarray | None,
              rtol: float, maxiter: int):
        """Cell and device temperatures for one device-mode set.

        ``x0`` is a warm start ``[T_cells, T_out]``; ``rtol`` is relative to
        the norm of the right side.  Returns (T_cells, T_out, GMRES iterations)."""
        n = self.n
        b = np.concatenate([np.zeros(n), value])
        op = self._operator(linear)
        key = linear.tobytes()
        store = self._recycled.setdefault(key, [])
        if len(self._recycled) > 3:
            self._recycled = {key: store}
        xp0 = None
        if x0 is not None:
            xp0 = np.concatenate([x0[:n][self.order], x0[n:]])
            start = xp0.copy()
            if store:
                xp0 += _projection(store, b - op(xp0))
        atol = rtol * float(np.linalg.norm(b))
        switch = self._coarse is None and bool(self._prolongators)
        xp, its, ok = gmres(op, self._preconditioner(linear), b, xp0, atol,
                            min(maxiter, COARSE_AFTER_ITERATIONS) if switch else maxiter)
        if not ok and switch:
            self.add_coarse_correction()
            xp, more, ok = gmres(op, self._preconditioner(linear), b, xp, atol, maxiter - its)
            its += more
        if not ok:
            raise SolveError(f"air temperature did not converge in {its} GMRES iterations")
        if x0 is not None:
            dx = xp - start
            if np.any(dx):
                store.append((dx, op(dx)))
                del store[:-RECYCLE]
        t = np.empty(n); t[self.order] = xp[:n]
        return t, xp[n:], its


class CoarseSpace:
    """Coarse operators of a cell matrix ``M`` over the airflow prolongators: the
    Galerkin ``Mc = R0 M P0`` (independent of the cell order) and an LU of
    ``R1 Mc P1`` — or of ``Mc`` itself without a second level.  ``prolongator``
    is the airflow hierarchy's ``P0`` (natural order) they were built on."""

    def __init__(self, Mc: sp.csr_matrix, prolongator, P1):
        self.prolongator, self.Mc = prolongator, Mc
        if P1 is None:
            self.P1 = None
            self.lu = splu(self.Mc.tocsc())
        else:
            self.P1, self.R1 = P1.tocsr(), P1.T.tocsr()
            self.lu = splu((self.R1 @ self.Mc @ self.P1).tocsc())


class _CoarseCorrection:
    """``P0 C (R0 r)`` with ``P0`` in the cell order of the system; ``C`` is
    forward Gauss–Seidel on ``Mc``, a correction from the level-2 LU, backward
    Gauss–Seidel — or the LU of ``Mc`` alone without a second level."""

    def __init__(self, space: CoarseSpace, P0: sp.csr_matrix, R0: sp.csr_matrix):
        self.space, self.P0, self.R0 = space, P0, R0

    def __call__(self, r: np.ndarray) -> np.ndarray:
        s = self.space
        r1 = self.R0 @ r
        if s.P1 is None:
            return self.P0 @ s.lu.solve(r1)
        z1 = np.zeros_like(r1)
        gauss_seidel(s.Mc, z1, r1, forward=True)
        z1 += s.P1 @ s.lu.solve(s.R1 @ (r1 - s.Mc @ z1))
        gauss_seidel(s.Mc, z1, r1, forward=False)
        return self.P0 @ z1


def _projection(store: list, r: np.ndarray) -> np.ndarray:
    """``U c`` minimising ``‖r − (A U) c‖`` over the stored increments ``U``."""
    U = np.array([d for d, _ in store])
    AU = np.array([a for _, a in store])
    c = np.linalg.lstsq(AU.T, r, rcond=1e-12)[0]
    return c @ U


class LowerTriangle:
    """Forward substitution with the lower triangle (diagonal included) of a CSR matrix,
    as one forward Gauss–Seidel sweep from zero: the entries above the diagonal meet
    only zeros. The diagonal must be non-zero."""

    def __init__(self, A: sp.csr_matrix):
        self.A = A

    def solve(self, b: np.ndarray) -> np.ndarray:
        x = np.zeros(len(b))
        gauss_seidel(self.A, x, np.ascontiguousarray(b, dtype=float), forward=True)
        return x
