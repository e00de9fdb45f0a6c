"""Buoyancy correction: hot air rises, cold air sinks (Boussinesq drift).

Potential flow alone carries no buoyancy.  We add the drift velocity at which
buoyancy balances the turbulent drag of the hall's obstructed air space,
``w_b = τ g β (T_f − T_ref)`` on every open horizontal face (β = 1/T_ref in
kelvin, ``T_ref`` the mean air temperature, ``τ`` a drag relaxation time).
The potential is re-solved with the drift's divergence moved to the right
side, so the total flow stays mass-conserving while gaining the closed
circulation that potential flow lacks: exhaust plumes rise over the rack
tops, cold supply air pools at the floor and a starved cold aisle is fed
from the hot layer above (hottest at the top of the inlet face).
Picard passes: flow → temperature → drift → flow …  (``PICARD_PASSES``),
each using the mean of the last two temperature fields to damp the feedback.
"""

from __future__ import annotations

import numpy as np

from .grid import Geometry

__all__ = ["face_flux", "divergence", "PICARD_PASSES", "G_M_S2"]

G_M_S2 = 9.81
PICARD_PASSES = 2


def face_flux(geom: Geometry, t_cells: np.ndarray, tau_s: float) -> np.ndarray:
    """Drift flux on internal horizontal faces, (nz-1, ny, nx) m³/s, +z up."""
    g = geom.grid
    T = t_cells.reshape(g.shape)
    air = ~geom.solid
    t_ref = float(T[air].mean())
    beta = 1.0 / (t_ref + 273.15)
    t_face = 0.5 * (T[:-1] + T[1:])
    return geom.open_z[1:-1] * (g.dx * g.dx) * tau_s * G_M_S2 * beta * (t_face - t_ref)


def divergence(geom: Geometry, bz: np.ndarray) -> np.ndarray:
    """Net outflow of the drift from every cell (flat, m³/s)."""
    g = geom.grid
    div = np.zeros(g.shape)
    div[:-1] += bz
    div[1:] -= bz
    return div.ravel()
