"""`AirSolver`: the stateful, incremental front end of the air physics.

It keeps what an edit did not touch:
- grid and geometry; the AMG hierarchy (reused as a preconditioner after a
  geometry edit, rebuilt when it gets slow); the last potential φ (warm start);
- the transport system in upwind order and the last temperatures (warm start);
- optionally the rack-to-rack matrix (:mod:`.coupling`) for power-only edits.

Solve stages: devices → potential flow (+ buoyancy passes) → coupled
transport with the device-law active set → capture index → result.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from . import buoyancy
from .coupling import Coupling
from .devices import RHO_CP, Devices, SolveError, build_devices, device_law, device_modes
from .flow import AmgCache, FaceFluxes, build_flow_system, face_fluxes, solve_potential
from .grid import Geometry, Grid, build_geometry, make_grid
from .result import AirResult
from .scene import AirScene
from .thermal import CoupledTransport, transport_matrix

__all__ = ["AirSolver", "SolveCancelled", "SolveError", "solve_air"]

MAX_MODE_PASSES = 12


class SolveCancelled(Exception):
    """Raised when the caller's ``cancel()`` returned True."""


def solve_air(scene: AirScene, coarse: bool = False) -> AirResult:
    """One-shot convenience: a fresh :class:`AirSolver` solve."""
    return AirSolver().solve(scene, coarse=coarse)


class AirSolver:
    def __init__(self):
        self._amg = AmgCache()
        self._grid: Grid | None = None
        self._geom_key: bytes | None = None
        self._fs = None
        self._phi = None
        self._flow_key = None
        self._geom: Geometry | None = None
        self._dev: Devices | None = None
        self._fluxes: FaceFluxes | None = None
        self._transport: CoupledTransport | None = None
        self._x = None
        self._scene: AirScene | None = None
        self._result: AirResult | None = None
        self.coupling: Coupling | None = None

    # ------------------------------------------------------------------ API
    def solve(self, scene: AirScene, cancel: Callable[[], bool] | None = None,
              progress: Callable[[float, str], None] | None = None,
              coarse: bool = False) -> AirResult:
        """Full solve, reusing whatever the change since the last call left valid."""
        t0 = time.perf_counter()
        tim, its = {}, {}
        st = scene.settings
        step = _Stepper(cancel, progress)

        step(0.0, "geometry")
        grid = make_grid(scene.hall, st, coarse)
        if grid != self._grid:
            self._amg = AmgCache()
            self._grid, self._phi, self._x, self._geom_key = grid, None, None, None
        geom = build_geometry(scene, grid)
        key = geom.key()
        if key != self._geom_key:
            self._fs = build_flow_system(geom)
            self._geom_key = key
            self._flow_key = None
        dev = build_devices(scene, geom)
        tim["geometry_s"] = time.perf_counter() - t0
        _check_capacity(dev)

        source = np.asarray(dev.discharge.sum(axis=1)).ravel() - np.asarray(dev.intake.sum(axis=0)).ravel()
        flow_key = (key, source.tobytes(), st.buoyancy, st.turbulent_diffusivity_m2s,
                    st.mixing_length_m, st.buoyancy_time_s)
        warnings = _region_imbalance(self._fs, source)
        reuse_flow = flow_key == self._flow_key and self._transport is not None
        its["flow_cg"] = 0
        t1 = time.perf_counter()
        if not reuse_flow:
            step(0.1, "airflow")
            phi, its["flow_cg"] = solve_potential(self._fs, source, self._amg, self._phi,
                                                  st.flow_rtol, st.max_iterations)
            self._phi = phi
            fluxes = face_fluxes(self._fs, geom, phi)
            transport = self._transport_for(geom, fluxes, dev, st)
        else:
            fluxes, transport = self._fluxes, self._transport
        tim["flow_s"] = time.perf_counter() - t1

        step(0.4, "temperature")
        t2 = time.perf_counter()
        t_cells, t_out, its["thermal_gmres"], its["mode_passes"], ok = self._thermal(
            transport, dev, dev.heat_w, st, cancel)
        passes = 0
        if st.buoyancy and not reuse_flow and not coarse:
            for passes in range(1, buoyancy.PICARD_PASSES + 1):
                step(0.4 + 0.15 * passes, "buoyancy")
                bz = buoyancy.face_flux(geom, t_cells, st.buoyancy_time_s)
                src_b = source - buoyancy.divergence(geom, bz)
                phi, n_cg = solve_potential(self._fs, src_b, self._amg, self._phi,
                                            st.flow_rtol, st.max_iterations)
                its["flow_cg"] += n_cg
                self._phi = phi
                fluxes = face_fluxes(self._fs, geom, phi, bz)
                transport = self._transport_for(geom, fluxes, dev, st)
                t_cells, t_out, n_gm, n_mp, ok = self._thermal(transport, dev, dev.heat_w, st, cancel)
                its["thermal_gmres"] += n_gm
                its["mode_passes"] += n_mp
        its["buoyancy_passes"] = passes
        self._flow_key = flow_key
        self._fluxes, self._dev, self._geom = fluxes, dev, geom
        tim["thermal_s"] = time.perf_counter() - t2

        step(0.9, "capture index")
        t3 = time.perf_counter()
        capture = self._capture(transport, dev, st)
        tim["capture_s"] = time.perf_counter() - t3
        if self.coupling is not None and not self.coupling.valid_for(transport):
            self.coupling = None
        self._scene = scene
        res = self._result_from(scene, geom, dev, fluxes, t_cells, t_out, capture,
                                tim, its, ok, warnings, field_current=True)
        tim["total_s"] = time.perf_counter() - t0
        step(1.0, "done")
        self._result = res
        return res

    def update_power(self, air_heat_w: np.ndarray, cancel: Callable[[], bool] | None = None) -> AirResult:
        """New rack air heat, same airflow and geometry: never re-solves airflow.

        With the rack-to-rack matrix built (:meth:`build_coupling`) this is a
        small dense solve and the 3-D field is left as it was
        (``field_current=False``); otherwise one warm-started transport solve."""
        if self._result is None:
            raise SolveError("update_power needs a previous solve()")
        t0 = time.perf_counter()
        heat = np.asarray(air_heat_w, float).reshape(self._dev.n_racks)
        scene = self._scene
        scene = AirScene(scene.hall, scene.racks.with_power(heat), scene.cooling, scene.tiles,
                         scene.containment, scene.settings)
        dev = _with_rack_heat(self._dev, heat)
        _check_capacity(dev)
        prev = self._result
        if self.coupling is not None:
            t_in, t_out, ok = self.coupling.solve(dev, self._t_in_last)
            res = self._result_from(scene, self._geom, dev, self._fluxes, None, t_out,
                                    prev.rack_capture_index, {}, {"dense": 1}, ok,
                                    prev.warnings, field_current=False, t_in=t_in)
        else:
            t_cells, t_out, n_gm, n_mp, ok = self._thermal(self._transport, dev, dev.heat_w,
                                                           scene.settings, cancel)
            res = self._result_from(scene, self._geom, dev, self._fluxes, t_cells, t_out,
                                    prev.rack_capture_index, {}, {"thermal_gmres": n_gm,
                                                                  "mode_passes": n_mp},
                                    ok, prev.warnings, field_current=True)
        self._dev, self._scene, self._result = dev, scene, res
        res.timings_s["total_s"] = time.perf_counter() - t0
        return res

    def build_coupling(self, cancel: Callable[[], bool] | None = None,
                       progress: Callable[[float, str], None] | None = None) -> Coupling:
        """Build the rack-to-rack matrix D0 for millisecond power updates.

        Costs n_devices adjoint transport solves; run it in a background worker.
        Dropped automatically when a later solve changes the airflow."""
        if self._transport is None:
            raise SolveError("build_coupling needs a previous solve()")
        st = self._scene.settings

        def check():
            if cancel is not None and cancel():
                raise SolveCancelled()
        self.coupling = Coupling.build(self._transport, self._dev, st.thermal_rtol,
                                       check, progress)
        return self.coupling

    # -------------------------------------------------------------- helpers
    def _transport_for(self, geom, fluxes, dev, st) -> CoupledTransport:
        M = transport_matrix(geom, fluxes, dev, st.turbulent_diffusivity_m2s, st.mixing_length_m)
        self._transport = CoupledTransport(M, dev, self._phi)
        return self._transport

    def _thermal(self, transport: CoupledTransport, dev: Devices, heat_w, st, cancel):
        """Active-set iteration on the device law; returns (T, T_out, its, passes, ok)."""
        if self._x is not None and len(self._x) == transport.n + transport.nd:
            x0 = self._x
            t_in_guess = transport.W @ x0[:transport.n]
        else:
            x0 = None
            t_in_guess = _initial_inlet_guess(dev, heat_w)
        linear, value = device_modes(dev, t_in_guess, heat_w)
        total = 0
        for passes in range(1, MAX_MODE_PASSES + 1):
            if cancel is not None and cancel():
                raise SolveCancelled()
            if linear.all():
                raise SolveError("no cooling unit holds its set-point: "
                                 "the room has no steady state (check capacities)")
            t, t_out, n_it = transport.solve(linear, value, x0, st.thermal_rtol, st.max_iterations)
            total += n_it
            x0 = np.concatenate([t, t_out])
            t_in = transport.W @ t
            new_linear, new_value = device_modes(dev, t_in, heat_w)
            if np.array_equal(new_linear, linear):
                self._x, self._t_in_last = x0, t_in
                return t, device_law(dev, t_in, heat_w), total, passes, True
            linear, value = new_linear, new_value
        self._x, self._t_in_last = x0, t_in
        return t, device_law(dev, t_in, heat_w), total, passes, False

    def _capture(self, transport: CoupledTransport, dev: Devices, st) -> np.ndarray:
        """Share of each rack's intake air that came straight from a cooling supply."""
        value = np.zeros(dev.n); value[dev.n_racks:] = 1.0
        c, _, _ = transport.solve(np.zeros(dev.n, bool), value, None, 1e-8, st.max_iterations)
        return np.clip(transport.W[:dev.n_racks] @ c, 0.0, 1.0)

    def _result_from(self, scene, geom, dev, fluxes, t_cells, t_out, capture, tim, its,
                     ok, warnings, field_current, t_in=None) -> AirResult:
        g = geom.grid
        nr = dev.n_racks
        W = self._transport.W
        if t_cells is None:
            field = self._result.temperature_c
            prof = self._result.rack_inlet_profile_c
            t_max = self._result.rack_inlet_max_c + (t_in[:nr] - self._result.rack_inlet_mean_c)
        else:
            t_in = W @ t_cells
            field = np.where(geom.solid, np.nan, t_cells.reshape(g.shape))
            Wc = W[:nr].tocoo()
            t_max = np.full(nr, -np.inf)
            np.maximum.at(t_max, Wc.row, t_cells[Wc.col])
            layer = Wc.col // (g.nx * g.ny)
            num = np.zeros((nr, g.nz)); den = np.zeros((nr, g.nz))
            np.add.at(num, (Wc.row, layer), Wc.data * t_cells[Wc.col])
            np.add.at(den, (Wc.row, layer), Wc.data)
            with np.errstate(invalid="ignore", divide="ignore"):
                prof = np.where(den > 0, num / den, np.nan)
        C = RHO_CP * dev.airflow_m3s
        nu = scene.cooling.n
        on = dev.unit_index
        unit_load = np.zeros(nu); unit_ret = np.full(nu, np.nan); unit_sup = np.full(nu, np.nan)
        u = slice(nr, dev.n)
        unit_load[on] = C[u] * (t_in[u] - t_out[u]) + dev.heat_w[u]
        unit_ret[on] = t_in[u]; unit_sup[on] = t_out[u]
        cap = scene.cooling.capacity_w
        frac = np.divide(unit_load, cap, out=np.zeros(nu), where=cap > 0)
        rack_gain = C[:nr] * (t_out[:nr] - t_in[:nr])
        rdhx_removed = dev.heat_w[:nr] - rack_gain
        heat_in = float(dev.heat_w.sum())
        removed = float(unit_load.sum() + rdhx_removed.sum())
        resid = 100.0 * (heat_in - removed) / heat_in if heat_in > 0 else 0.0
        return AirResult(
            grid=g, temperature_c=field, fluxes=fluxes,
            rack_inlet_mean_c=t_in[:nr], rack_inlet_max_c=t_max, rack_exhaust_c=t_out[:nr],
            rack_air_heat_w=dev.heat_w[:nr].copy(), rack_airflow_m3s=dev.airflow_m3s[:nr].copy(),
            rack_capture_index=capture, rack_inlet_profile_c=prof,
            unit_load_w=unit_load, unit_return_c=unit_ret, unit_supply_c=unit_sup,
            unit_capacity_fraction=frac, tile_flow_m3s=dev.tile_flow_m3s,
            heat_in_w=heat_in, heat_removed_w=removed, residual_pct=resid,
            timings_s=tim, iterations=its, converged=ok, field_current=field_current,
            warnings=tuple(warnings))


class _Stepper:
    def __init__(self, cancel, progress):
        self.cancel, self.progress = cancel, progress

    def __call__(self, fraction: float, message: str):
        if self.cancel is not None and self.cancel():
            raise SolveCancelled()
        if self.progress is not None:
            self.progress(fraction, message)


def _check_capacity(dev: Devices) -> None:
    nr = dev.n_racks
    heat = dev.heat_w.sum()
    cap = dev.cap_w[nr:].sum() + dev.cap_w[:nr].sum()
    if dev.n == nr:
        if heat > 0:
            raise SolveError("no enabled cooling unit: the heat has nowhere to go")
        raise SolveError("no enabled cooling unit moves air")
    if heat > cap:
        raise SolveError(f"cooling capacity {cap / 1e3:.1f} kW is below the heat to remove "
                         f"{heat / 1e3:.1f} kW: no steady state, temperatures rise without bound")


def _initial_inlet_guess(dev: Devices, heat_w) -> np.ndarray:
    nr = dev.n_racks
    units = slice(nr, dev.n)
    t_sup = float(np.mean(dev.floor_c[units]))
    t_ret = t_sup + heat_w.sum() / (RHO_CP * dev.airflow_m3s[units].sum())
    guess = np.full(dev.n, t_sup)
    guess[units] = t_ret
    return guess


def _with_rack_heat(dev: Devices, heat: np.ndarray) -> Devices:
    h = dev.heat_w.copy(); h[:dev.n_racks] = heat
    return Devices(dev.n_racks, dev.unit_index, dev.airflow_m3s, h, dev.cap_w, dev.floor_c,
                   dev.intake, dev.discharge, dev.tile_flow_m3s)


def _region_imbalance(fs, source) -> list[str]:
    net = np.bincount(fs.labels, source)
    bad = np.flatnonzero(np.abs(net) > 1e-9 + 1e-6 * np.abs(source).sum())
    if len(bad):
        return [f"{len(bad)} enclosed air region(s) have unbalanced airflow "
                f"({np.abs(net[bad]).sum():.3f} m³/s); their pressure is pinned"]
    return []
