"""Fit the air model's recirculation constants to observed rack inlet temperatures.

The same four constants of :class:`~twin.physics.air.scene.SolverSettings` are fitted
whether the observations come from CFD rooms (``tests/bench/cfd/fit.py``, jointly over
many rooms) or from sensors in one room (``twin calibrate``): row-end entrainment,
turbulent diffusivity, jet mixing length and buoyancy time, each within physical
bounds (README_air.md, "Recirculation correction").  Least squares
(``scipy.optimize.least_squares``, trust-region reflective, finite differences) on the
residuals "model − observed" at every observation.

An observation is a rack's inlet: its mean (no height) or its intake layer at a given
height (``z_m``), read off the model's per-layer inlet profile.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Callable

import numpy as np

from twin.model import Layout
from twin.model.calibration import BOUNDS  # the single list of fitted constants
from twin.model.calibration import AirCalibration
from twin.physics.air import AirSolver
from twin.physics.air.grid import front_vector
from twin.physics.air.scene import AirScene, SolverSettings

from . import inputs
from .simulate import simulate

__all__ = ["BOUNDS", "RoomModel", "Observations", "FitResult", "fit_constants", "fit_notes",
           "error_figures", "stored_calibration", "predicted_at", "FIT_BUOYANCY_TOL_K"]


#: The buoyancy passes' stop (K) for the solves of a fit, ten times tighter than the live
#: model's: each solve starts from the one before, and at the live 0.02 K the inlets it
#: ends at depend on that history by up to 0.02 K (the small-room sample solved at one
#: buoyancy time before and after another: 0.004 K apart), noise that the finite-difference
#: steps read as slope and that sent repeated fits of the same readings to different
#: constants.  At 0.002 K the history moves the inlets by 0.0002 K, at 1.4 times the cost.
FIT_BUOYANCY_TOL_K = 0.002


@dataclass(frozen=True)
class Observations:
    """Observed inlet temperatures: rack index, height (NaN: the rack's mean) and value."""

    rack: np.ndarray
    z_m: np.ndarray
    value_c: np.ndarray

    @property
    def n(self) -> int:
        return len(self.value_c)


class RoomModel:
    """One layout's air scene (rack heat from one full simulation) solved again under
    other constants; ``predict`` gives the model's value at each observation."""

    def __init__(self, layout: Layout) -> None:
        result = simulate(layout)
        self.rack_ids = list(result.rack_ids)
        self.scene: AirScene = inputs.air_scene(layout, result.rack_air_heat_kw * 1e3)[0]
        self.solver = AirSolver(capture_index=False)
        self.heights_m = self.scene.racks.size_m[:, 2]

    @property
    def constants(self) -> dict[str, float]:
        """The constants the layout's live model uses (its calibration, else the defaults)."""
        return {n: float(getattr(self.scene.settings, n)) for n in BOUNDS}

    @property
    def intake_xy_m(self) -> np.ndarray:
        """(n, 2) centre of each rack's intake face, for sensors given by position."""
        r = self.scene.racks
        return r.center_xy_m + front_vector(r.rotation_deg) * (r.size_m[:, 1:2] / 2)

    def solve(self, constants: dict[str, float]):
        """The room solved under ``constants``, its buoyancy passes to ``FIT_BUOYANCY_TOL_K``."""
        settings = dataclasses.replace(self.scene.settings, buoyancy_tol_k=FIT_BUOYANCY_TOL_K,
                                       **constants)  # type: ignore[arg-type]
        return self.solver.solve(dataclasses.replace(self.scene, settings=settings))

    def predict(self, constants: dict[str, float], obs: Observations) -> np.ndarray:
        return predicted_at(self.solve(constants), obs)


def predicted_at(res, obs: Observations) -> np.ndarray:
    """An air result's value at each observation: the rack's mean inlet, or its intake
    layer at the sensor's height (above the rack's meshed height: its top layer)."""
    out = np.asarray(res.rack_inlet_mean_c, float)[obs.rack].copy()
    at = np.isfinite(obs.z_m)
    if at.any():
        prof = res.rack_inlet_profile_c[obs.rack[at]]
        k = np.clip(np.floor(obs.z_m[at] / res.grid.dz).astype(int), 0, prof.shape[1] - 1)
        vals = prof[np.arange(len(k)), k]
        top = np.array([np.flatnonzero(np.isfinite(p))[-1] for p in prof])
        vals = np.where(np.isfinite(vals), vals, prof[np.arange(len(k)), top])
        out[at] = vals
    return out


@dataclass(frozen=True)
class FitResult:
    constants: dict[str, float]
    before_k: np.ndarray          # residuals (model − observed) at the starting constants
    after_k: np.ndarray
    evaluations: int              # least-squares steps (scipy's function evaluations)
    success: bool
    solves: int = 0               # model solves, the finite-difference ones included


def _defaults(names) -> np.ndarray:
    d = SolverSettings()
    return np.array([float(getattr(d, n)) for n in names])


def fit_constants(rooms: list[tuple[RoomModel, Observations]],
                  names: tuple[str, ...] = tuple(BOUNDS), start: dict[str, float] | None = None,
                  max_evaluations: int = 40,
                  progress: Callable[[float], None] | None = None,
                  robust_k: float | None = None) -> FitResult:
    """Constants ``names`` fitted jointly over every (room, observations) pair;
    ``progress`` hears the share of the evaluation budget spent after each solve.
    ``robust_k``: residuals beyond it count linearly, not squared (scipy's ``soft_l1``
    loss), so the fit minimises nearly the mean absolute error and a few structural
    misfits do not drag the constants; ``None`` is plain least squares."""
    lo = np.array([BOUNDS[n][0] for n in names])
    hi = np.array([BOUNDS[n][1] for n in names])
    x0 = _defaults(names) if start is None else np.array([start[n] for n in names])
    x0 = np.clip(x0, lo, hi)

    spent = [0]

    def residuals(x: np.ndarray) -> np.ndarray:
        c = dict(zip(names, (float(v) for v in x)))
        out = np.concatenate([m.predict(c, o) - o.value_c for m, o in rooms])
        spent[0] += 1
        if progress is not None:   # finite differences take len(names) solves per step
            progress(min(1.0, spent[0] / ((max_evaluations + 1) * (len(names) + 1))))
        return out

    from scipy.optimize import least_squares
    before = residuals(x0)
    sol = least_squares(residuals, x0, bounds=(lo, hi), x_scale=hi - lo, diff_step=0.05,
                        max_nfev=max_evaluations, method="trf",
                        **({} if robust_k is None else dict(loss="soft_l1", f_scale=robust_k)))
    # the constants as reported and stored (4 decimals), and the residuals they give
    fitted = np.clip(np.round(sol.x, 4), lo, hi)
    after = residuals(fitted)
    return FitResult(dict(zip(names, (float(v) for v in fitted))), before, after,
                     int(sol.nfev), bool(sol.success), spent[0])


def fit_notes(fit: FitResult, n_sensors: int) -> list[str]:
    """What a user must know before trusting ``fit`` (one sentence each): that it did not
    converge, that fewer sensors than constants cannot determine them, and which constants
    ended on a bound (the readings pull them beyond the physical range: the misfit there
    is structural, not a matter of these constants)."""
    notes = []
    if not fit.success:
        notes.append(f"the fit did not converge in {fit.evaluations} steps: the constants are "
                     "the best found, not a fit")
    if n_sensors < len(fit.constants):
        notes.append(f"{n_sensors} sensor{'s' if n_sensors != 1 else ''} for "
                     f"{len(fit.constants)} constants: the readings cannot determine them all "
                     "(place sensors at row ends and mid-row, at several heights)")
    for n, v in fit.constants.items():
        lo, hi = BOUNDS[n]
        if np.isclose(v, lo, rtol=0, atol=1e-3 * (hi - lo)) or np.isclose(v, hi, rtol=0, atol=1e-3 * (hi - lo)):
            side = "lower" if abs(v - lo) < abs(v - hi) else "upper"
            notes.append(f"{n} ended at its {side} bound ({v:g}): the readings push it "
                         "beyond its physical range, so part of the misfit is not this "
                         "constant's")
    return notes


def error_figures(residual_k: np.ndarray, observed_c: np.ndarray) -> dict[str, float]:
    """MAE, RMSE, CV-RMSE (RMSE over the mean observed rise above the coldest observation:
    a temperature's mean in °C would make the figure depend on the scale's zero, and
    hide a 1 K error in a 25 °C room as 4 %), bias and worst absolute residual. CV-RMSE
    is NaN when every observation is the same (no rise to compare with)."""
    r = np.asarray(residual_k, float)
    obs = np.asarray(observed_c, float)
    rmse = float(np.sqrt(np.mean(r ** 2))) if len(r) else float("nan")
    rise = float(np.mean(obs - obs.min())) if len(obs) else 0.0
    return dict(mae_k=float(np.mean(np.abs(r))), rmse_k=rmse,
                cv_rmse=rmse / rise if rise > 0 else float("nan"), bias_k=float(np.mean(r)),
                worst_k=float(np.max(np.abs(r))))


def stored_calibration(fit: FitResult, observed_c: np.ndarray, sensors_file: str,
                       on: datetime.date | None = None) -> AirCalibration:
    """The layout block that keeps a fit: its constants, the sensor file, the date and the
    mean absolute error before and after (K)."""
    before = error_figures(fit.before_k, observed_c)["mae_k"]
    after = error_figures(fit.after_k, observed_c)["mae_k"]
    return AirCalibration(dict(sorted(fit.constants.items())), sensors_file,
                          (on or datetime.date.today()).isoformat(),
                          round(before, 4), round(after, 4))
