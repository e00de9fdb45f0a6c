"""Lean restarted GMRES for the temperature system.

Right-preconditioned (the residual it monitors is the true ``‖b − A x‖``, so
the stopping test needs no extra product), classical Gram–Schmidt as
matrix–vector products over the basis (BLAS), repeated only when it lost
more than 30 % of the vector ("twice is enough"), instead of SciPy's
per-vector Python loop, and Givens rotations for the small least-squares
problem — on 50k-cell halls SciPy's loop cost more than the triangular
preconditioner itself, and on small rooms the per-iteration overhead is what
remains.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

__all__ = ["gmres"]

Operator = Callable[[np.ndarray], np.ndarray]


def gmres(matvec: Operator, precond: Operator, b: np.ndarray, x0: np.ndarray | None,
          atol: float, maxiter: int, restart: int = 40) -> tuple[np.ndarray, int, bool]:
    """Solve ``A x = b`` to ``‖b − A x‖ ≤ atol``; returns (x, iterations, converged)."""
    x = np.zeros_like(b) if x0 is None else np.array(x0, dtype=float)
    r = b - matvec(x) if x0 is not None else b.copy()
    beta = float(np.linalg.norm(r))
    its = 0
    while beta > atol and its < maxiter:
        m = min(restart, maxiter - its)
        V = np.empty((m + 1, len(b)))
        Z = np.empty((m, len(b)))
        R = np.zeros((m, m))               # triangular factor of the Hessenberg matrix
        cs, sn = np.zeros(m), np.zeros(m)
        g = np.zeros(m + 1); g[0] = beta   # rotated right side; |g[k+1]| = residual
        V[0] = r / beta
        k = 0
        for k in range(m):
            Z[k] = precond(V[k])
            w = matvec(Z[k])
            w_norm = float(np.linalg.norm(w))
            h = V[:k + 1] @ w
            w -= h @ V[:k + 1]
            h_next = float(np.linalg.norm(w))
            if h_next < 0.7 * w_norm:     # cancellation: orthogonalise again (CGS2)
                h2 = V[:k + 1] @ w
                w -= h2 @ V[:k + 1]
                h += h2
                h_next = float(np.linalg.norm(w))
            its += 1
            for i in range(k):            # earlier rotations on the new column
                h[i], h[i + 1] = cs[i] * h[i] + sn[i] * h[i + 1], -sn[i] * h[i] + cs[i] * h[i + 1]
            rho = math.hypot(h[k], h_next)
            cs[k], sn[k] = (h[k] / rho, h_next / rho) if rho > 0 else (1.0, 0.0)
            h[k] = rho
            R[:k + 1, k] = h
            g[k + 1] = -sn[k] * g[k]
            g[k] *= cs[k]
            if h_next <= 1e-14 * beta or abs(g[k + 1]) <= atol:
                break
            V[k + 1] = w / h_next
        y = _back_substitute(R[:k + 1, :k + 1], g[:k + 1])
        x += y @ Z[:k + 1]
        r = b - matvec(x)
        beta_old, beta = beta, float(np.linalg.norm(r))
        if beta > atol and beta >= beta_old:
            break                         # stagnation: no further progress possible
    return x, its, beta <= atol


def _back_substitute(R: np.ndarray, g: np.ndarray) -> np.ndarray:
    y = np.zeros(len(g))
    for i in range(len(g) - 1, -1, -1):
        y[i] = (g[i] - R[i, i + 1:] @ y[i + 1:]) / R[i, i] if R[i, i] != 0 else 0.0
    return y
