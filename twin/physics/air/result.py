"""Result of an air solve: per-rack and per-unit figures, fields, balance, timings."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .flow import FaceFluxes
from .grid import Grid

__all__ = ["AirResult"]


@dataclass(frozen=True, eq=False)
class AirResult:
    """Everything one air solve produced.  Temperatures °C, flows m³/s, heat W.

    Per-rack arrays follow the scene's rack order; per-unit arrays the scene's
    cooling-unit order (disabled units: zero load and airflow, NaN temperatures).
    ``rack_inlet_profile_c`` is (n_racks, nz): the flux-weighted intake
    temperature per grid layer (NaN above the rack).  ``temperature_c`` is
    (nz, ny, nx) with NaN inside racks and units.  ``rack_door_removed_w``
    is the heat each rack's rear door took out of its exhaust (0 without a
    door); the door's air inlet is ``rack_inlet_mean_c + rack_air_heat_w /
    (ρ c_p V)``.  ``field_current`` tells viewers whether ``temperature_c``
    matches the rack figures; every solve and power update refreshes it.
    ``drift_settled`` is False after a power-only update that moved the inlets by more
    than the buoyancy passes accept: its airflow still carries the buoyancy drift of
    the field before, and the next ``solve`` re-drifts it (docs/physics.md §2.8).
    """

    grid: Grid
    temperature_c: np.ndarray
    fluxes: FaceFluxes
    rack_inlet_mean_c: np.ndarray
    rack_inlet_max_c: np.ndarray
    rack_exhaust_c: np.ndarray
    rack_air_heat_w: np.ndarray
    rack_airflow_m3s: np.ndarray
    rack_capture_index: np.ndarray
    rack_inlet_profile_c: np.ndarray
    unit_load_w: np.ndarray
    unit_return_c: np.ndarray
    unit_supply_c: np.ndarray
    unit_capacity_fraction: np.ndarray
    unit_airflow_m3s: np.ndarray
    tile_flow_m3s: np.ndarray
    heat_in_w: float
    heat_removed_w: float
    residual_pct: float
    rack_door_removed_w: np.ndarray
    timings_s: dict = field(default_factory=dict)
    iterations: dict = field(default_factory=dict)
    converged: bool = True
    field_current: bool = True
    drift_settled: bool = True
    warnings: tuple = ()

    @property
    def x_m(self) -> np.ndarray:
        return self.grid.x_m

    @property
    def y_m(self) -> np.ndarray:
        return self.grid.y_m

    @property
    def z_m(self) -> np.ndarray:
        return self.grid.z_m

    def slice_at(self, height_m: float) -> np.ndarray:
        """Horizontal temperature slice (ny, nx) at ``height_m``, linearly
        interpolated between layer centres; solid cells borrow the other layer
        and are NaN only where both layers are solid."""
        z = self.grid.z_m
        h = float(np.clip(height_m, z[0], z[-1]))
        k = int(np.clip(np.searchsorted(z, h) - 1, 0, len(z) - 2)) if len(z) > 1 else 0
        if len(z) == 1:
            return self.temperature_c[0].copy()
        w = (h - z[k]) / (z[k + 1] - z[k])
        lo, hi = self.temperature_c[k], self.temperature_c[k + 1]
        lo_f = np.where(np.isnan(lo), hi, lo)
        hi_f = np.where(np.isnan(hi), lo, hi)
        return (1 - w) * lo_f + w * hi_f

    def velocity_m_s(self) -> np.ndarray:
        """Cell-centre velocity (3, nz, ny, nx): mean of the two face velocities."""
        g = self.grid
        ax, az = g.dx * g.dz, g.dx * g.dx
        u = 0.5 * (self.fluxes.x[:, :, 1:] + self.fluxes.x[:, :, :-1]) / ax
        v = 0.5 * (self.fluxes.y[:, 1:, :] + self.fluxes.y[:, :-1, :]) / ax
        w = 0.5 * (self.fluxes.z[1:] + self.fluxes.z[:-1]) / az
        return np.stack([u, v, w])
