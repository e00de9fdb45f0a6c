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
Picard passes: flow → temperature → drift → flow …  Each pass changes the
rack inlets by about ``q`` times the change of the pass before; the error left
after a pass that changed them by at most ``d`` is then ≈ ``q/(1 − q) · d``, and
passes stop when that is below ``SolverSettings.buoyancy_tol_k`` (at most
``MAX_PICARD_PASSES``).  ``q`` is measured as the ratio of the last two passes'
changes (never below ``PICARD_CONTRACTION``, 0.1–0.15 measured on starved and
balanced rooms and a 1,400-rack hall); after the first pass, with nothing to
compare, it is ``PICARD_CONTRACTION``.  A re-solve
after an edit starts from the drift of the last temperature field, so a
small edit costs one flow and one temperature solve.
"""

from __future__ import annotations

import numpy as np

from .grid import Geometry

__all__ = ["face_flux", "divergence", "MAX_PICARD_PASSES", "PICARD_CONTRACTION", "G_M_S2"]

G_M_S2 = 9.81
MAX_PICARD_PASSES = 6
PICARD_CONTRACTION = 0.15


def face_flux(geom: Geometry, t_cells: np.ndarray, tau_s: float) -> np.ndarray:
    """Drift flux on internal horizontal faces, (nz-1, ny, nx) m³/s, +z up.

    ``t_cells`` may come from an earlier geometry: cells that were solid
    then take the mean air temperature."""
    g = geom.grid
    T = t_cells.reshape(g.shape)
    air = ~geom.solid
    t_ref = float(np.nanmean(T[air]))
    T = np.where(np.isnan(T), t_ref, T)
    beta = 1.0 / (t_ref + 273.15)
    t_face = 0.5 * (T[:-1] + T[1:])
    # open faces only: a leaking panel (a containment roof) passes the zonal leak flow
    # of its regions (flow.py), not a drift of its own
    return (geom.open_z[1:-1] >= 1.0) * (g.dx * g.dx) * tau_s * G_M_S2 * beta * (t_face - t_ref)


def divergence(geom: Geometry, bz: np.ndarray) -> np.ndarray:
    """Net outflow of the drift from every cell (flat, m³/s)."""
    g = geom.grid
    div = np.zeros(g.shape)
    div[:-1] += bz
    div[1:] -= bz
    return div.ravel()
