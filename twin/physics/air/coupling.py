"""Rack-to-rack (device-to-device) matrix for millisecond power edits.

``G[r, j]`` = fraction of device r's intake air that left device j's
discharge, for the current airflow: ``G = W M⁻¹ Q`` with ``M`` the cell
transport matrix, ``W`` the intake weights and ``Q`` the discharge flows.  Built
from adjoint solves ``Mᵀ Y = Wᵀ`` in blocks (preconditioned Richardson with the
upwind-ordered triangle, which is exact for pure advection).  Rack rows then
give DESIGN §2.1's ``D0`` and the capture index ``α_r = Σ_units G[r, u]``.

With ``G`` a power edit is a dense solve on devices only:
linear devices ``T_out = G T_out + value``, fixed ones ``T_out = value``;
the LU factor is cached per device-mode set.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve_triangular

from .devices import Devices, SolveError, device_law, device_modes
from .thermal import CoupledTransport

__all__ = ["Coupling"]

BLOCK = 64
MAX_SWEEPS = 200


class Coupling:
    def __init__(self, G: np.ndarray, transport: CoupledTransport):
        self.G = G
        self._transport = transport
        self._lu = {}

    def valid_for(self, transport: CoupledTransport) -> bool:
        return transport is self._transport

    @classmethod
    def build(cls, transport: CoupledTransport, dev: Devices, rtol: float,
              check: Callable[[], None], progress=None) -> "Coupling":
        n, nd = transport.n, transport.nd
        order = np.argsort(transport.new[:n])     # cells in upwind order
        Mt = transport.M[order][:, order].T.tocsr()
        U = sp.triu(Mt, format="csr")
        Wt = transport.W.T.tocsr()[order]         # (n, nd) rows in upwind order
        Q = transport.discharge[order]            # (n, nd)
        G = np.zeros((nd, nd))
        for b0 in range(0, nd, BLOCK):
            check()
            if progress is not None:
                progress(b0 / nd, "rack-to-rack matrix")
            cols = slice(b0, min(nd, b0 + BLOCK))
            R = Wt[:, cols].toarray()
            Y = np.zeros_like(R)
            rnorm0 = np.linalg.norm(R)
            for _ in range(MAX_SWEEPS):
                Y += spsolve_triangular(U, R, lower=False)
                R = Wt[:, cols].toarray() - Mt @ Y
                if np.linalg.norm(R) <= rtol * 1e2 * rnorm0:
                    break
            else:
                raise SolveError("rack-to-rack matrix: adjoint sweeps did not converge")
            G[cols, :] = (Q.T @ Y).T
        return cls(G, transport)

    def solve(self, dev: Devices, t_in_guess: np.ndarray):
        """Device temperatures for new device heat; returns (T_in, T_out, ok)."""
        linear, value = device_modes(dev, t_in_guess)
        for _ in range(12):
            key = linear.tobytes()
            if key not in self._lu:
                A = np.eye(dev.n) - self.G * linear[:, None]
                self._lu = {key: la.lu_factor(A)}
            t_out = la.lu_solve(self._lu[key], value)
            t_in = self.G @ t_out
            new_linear, new_value = device_modes(dev, t_in)
            if np.array_equal(new_linear, linear):
                return t_in, device_law(dev, t_in), True
            linear, value = new_linear, new_value
        return t_in, device_law(dev, t_in), False
