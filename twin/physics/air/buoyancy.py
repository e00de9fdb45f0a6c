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
changes, never below ``PICARD_CONTRACTION`` = 0.4 (after the first pass, with
nothing to compare, it is that): at ``buoyancy_time_s`` = 2.3 s the library rooms
and samples contract by 0.3–0.6 per pass, and not monotonically — a cold solve of
the CFD library's ceiling-return room changed its inlets by 0.36, 0.06, 0.15,
0.23, 0.12, 0.01 K, so the floor of 0.15 measured at 0.6 s stopped it after the
second pass, 0.5 K from its converged end racks.  Each pass takes its drift from
``PICARD_RELAXATION`` = 0.8 of the new field plus 0.2 of the one the pass before
used: with ``buoyancy_time_s`` ≈ 2.4 s the plain iteration overshoots where the
drift is strong (a 20-rack starved room after a rack move: inlet changes 0.33,
0.47, 0.50, 0.34 … K, still 0.07 K at the sixth and last pass, 0.32 K from a
tight reference); relaxed by 0.8 it converges to within 0.02 K
(``tests/bench/check_air_accuracy.py``).  From the second relaxed pass on, Aitken's
dynamic relaxation picks the blend (``solver._Relaxation``, at least
``RELAXATION_MIN``): a fixed 0.8 crept for tens of passes in a starved ceiling-vent
room and stopped 0.5 K short.  A re-solve
after an edit starts from the drift of the last temperature field, so a
small edit costs one flow and one temperature solve.
"""

from __future__ import annotations

import numpy as np

from .grid import Geometry

__all__ = ["face_flux", "divergence", "MAX_PICARD_PASSES", "PICARD_CONTRACTION",
           "PICARD_RELAXATION", "RELAXATION_MIN", "G_M_S2"]

G_M_S2 = 9.81
MAX_PICARD_PASSES = 6
PICARD_CONTRACTION = 0.4
#: each pass takes its drift from this blend of the new temperature field and the one
#: the last pass used (under-relaxed Picard; module docstring)
PICARD_RELAXATION = 0.8
#: the least relaxation Aitken's update may choose (solver._Relaxation)
RELAXATION_MIN = 0.1


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
