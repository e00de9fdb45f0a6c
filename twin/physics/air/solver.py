"""`AirSolver`: the stateful, incremental front end of the air physics.

It keeps, per grid (the fine grid and the coarse drag grid separately, so a
drag does not throw the fine state away), what an edit did not touch:
geometry and flow matrix; the AMG hierarchy (refreshed after a geometry
edit by the change of its rows only); the last potential φ (adapted to the
cells an edit blocked or opened) and temperatures (warm starts); the
transport system and its device modes; the transport's coarse-grid operators
(a preconditioner for the next flow field too, while they keep working); the
last temperature field, whose buoyancy drift starts the next re-solve.

Solve stages: devices → potential flow (+ buoyancy passes) → coupled
transport with the device-law active set → capture index → result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from twin.physics.cancel import Cancelled
from . import buoyancy
from .devices import (AT_FLOOR, LIMITED, RHO_CP, Devices, SolveError, attach_plenum, build_devices,
                      device_law, device_modes, mode_equations)
from .flow import (AmgCache, FaceFluxes, FlowSystem, build_flow_system, face_fluxes, leak_exchange,
                   leak_flows, solve_potential, start_after_edit)
from .grid import Geometry, Grid, build_geometry, make_grid, on_grid
from .hottest import neighbour_max_c, over_top_c, rack_hottest_c
from .result import AirResult
from .scene import AirScene, SolverSettings
from .thermal import CoarseSpace, CoupledTransport, transport_matrix

__all__ = ["AirSolver", "SolveError", "solve_air", "supply_fraction"]

MAX_MODE_PASSES = 12
#: a device's mode equations hold when they match the device law to this (K)
MODE_TOL_K = 1e-6
#: GMRES tolerance (relative to the right side) of the capture-index solve: the
#: indices come out within ~1e-4 of a tight solve (they are shown to two decimals)
CAPTURE_RTOL = 1e-4
#: relative tolerance of the temperature solves that only steer (device-mode passes,
#: buoyancy passes): their fields decide modes and drift to well under a millikelvin;
#: the final field is then solved on to ``SolverSettings.thermal_rtol`` from there
STEERING_RTOL = 1e-4
#: the thermal coarse-grid operators serve the next flow field (after an edit, a
#: buoyancy pass) while the solves with them need at most this many GMRES iterations
COARSE_REUSE_ITERATIONS = 15


def solve_air(scene: AirScene, coarse: bool = False) -> AirResult:
    """One-shot convenience: a fresh :class:`AirSolver` solve."""
    return AirSolver().solve(scene, coarse=coarse)


@dataclass
class _State:
    """What one grid remembers between solves."""

    amg: AmgCache = field(default_factory=AmgCache)
    geom_key: bytes | None = None
    fs: FlowSystem | None = None
    phi: np.ndarray | None = None
    flow_key: tuple | None = None
    geom: Geometry | None = None
    dev: Devices | None = None
    fluxes: FaceFluxes | None = None
    transport: CoupledTransport | None = None
    t_cells: np.ndarray | None = None     # natural order, last solution
    t_out: np.ndarray | None = None
    mode: np.ndarray | None = None
    mode_dev: Devices | None = None       # the devices those modes were found for
    capture: tuple | None = None          # (transport key, supply fractions, index, field)
    drift_field: np.ndarray | None = None  # last temperature field (NaN in solids)
    rack_t_in: np.ndarray | None = None    # rack inlets of the last solution
    drift_stale: bool = False               # a power-only update moved the field off the drift
    drift_law: tuple | None = None          # the recirculation constants the drift was found with
    picard_q: float = buoyancy.PICARD_CONTRACTION   # contraction per buoyancy pass, last measured
    thermal_coarse: bool = False            # a solve here needed the coarse correction
    coarse_space: CoarseSpace | None = None  # its operators, kept for the next flow field


class AirSolver:
    def __init__(self, capture_index: bool = True):
        """``capture_index=False`` skips the capture-index solve (results carry NaN)."""
        self.capture_index = capture_index
        self._states: dict[Grid, _State] = {}
        self._state: _State | None = None
        self._scene: AirScene | None = None
        self._result: AirResult | None = None

    # ------------------------------------------------------------------ API
    def solve(self, scene: AirScene, cancel: Callable[[], bool] | None = None,
              progress: Callable[[float, str], None] | None = None,
              coarse: bool = False) -> AirResult:
        """Full solve, reusing whatever the change since the last call left valid."""
        t0 = time.perf_counter()
        tim, its = {}, {"flow_cg": 0, "thermal_gmres": 0, "mode_passes": 0}
        st = scene.settings
        step = _Stepper(cancel, progress)

        step(0.0, "geometry")
        grid = make_grid(scene.hall, st, coarse)
        S = self._states.setdefault(grid, _State())
        scene = on_grid(scene, grid)
        geom = build_geometry(scene, grid)
        key = geom.key()
        if key != S.geom_key:
            S.fs, S.geom_key, S.flow_key = build_flow_system(geom), key, None
            if S.phi is not None and S.geom is not None:
                S.phi = start_after_edit(S.fs, S.phi, geom.solid != S.geom.solid)
        base = build_devices(scene, geom)
        tim["geometry_s"] = time.perf_counter() - t0
        _check_capacity(base)

        source = np.asarray(base.discharge.sum(axis=1)).ravel() - np.asarray(base.intake.sum(axis=0)).ravel()
        buoyant = st.buoyancy and not coarse
        law = (st.turbulent_diffusivity_m2s, st.mixing_length_m, st.buoyancy_time_s)
        flow_key = (key, _ports_key(base), buoyant, *law)
        warnings = _region_imbalance(S.fs, source)
        tim["flow_s"] = 0.0
        drift = None
        # the flow is reused unless a power-only update left its drift stale
        reuse = flow_key == S.flow_key and not (buoyant and S.drift_stale)
        if reuse:
            assert S.dev is not None and S.transport is not None   # kept with the flow key
            dev, transport = _with_settings_of(S.dev, base), S.transport
        else:
            step(0.1, "airflow")
            drift = S.drift_field if buoyant else None
            dev, transport = self._flow_pass(S, geom, base, source, drift, st, its, tim)

        step(0.4, "temperature")
        t2, flow_before = time.perf_counter(), tim["flow_s"]
        last_in = S.rack_t_in
        # with the airflow reused no buoyancy pass follows: the mode passes solve to the
        # final tolerance (their modes rarely change on from the last solve's), which is
        # that of a power-only update — the same flow with other heat-side devices (a
        # failed rear door, a new set-point)
        steer = max(st.thermal_rtol, STEERING_RTOL) if not reuse else st.power_rtol
        t_cells, t_out, ok = self._thermal(S, transport, dev, steer, st, cancel, its)
        t_in = transport.W @ t_cells
        passes = 0
        if buoyant and not reuse:
            # a re-solve started from the last drift: the edit's change of the inlets
            # bounds what another pass would change — unless the recirculation constants
            # changed, which change the drift's law itself: one pass can then land near
            # the old answer while the new one lies 0.2 K away (a CFD room refitted)
            done = (drift is not None and last_in is not None and len(last_in) == base.n_racks
                    and S.drift_law == law
                    and _picard_done(np.abs(t_in[:base.n_racks] - last_in), st, S.picard_q))
            last_change = None
            used = drift
            relax = _Relaxation()
            while not done and passes < buoyancy.MAX_PICARD_PASSES:
                passes += 1
                step(min(0.85, 0.4 + 0.1 * passes), "buoyancy")
                prev_in = t_in
                used = relax.next(_field(geom, t_cells), used)
                dev, transport = self._flow_pass(S, geom, base, source, used, st, its, tim)
                t_cells, t_out, ok = self._thermal(S, transport, dev, steer, st, cancel, its)
                t_in = transport.W @ t_cells
                change = float(np.abs(t_in[:base.n_racks] - prev_in[:base.n_racks]).max(initial=0.0))
                if last_change is not None and last_change > 0:
                    S.picard_q = _contraction(change / last_change)
                done = _picard_done(change, st, S.picard_q)
                last_change = change
            S.drift_field, S.drift_law = _field(geom, t_cells), law
        if not reuse and steer > st.thermal_rtol:  # the final field, on from the steering one
            t_cells, t_out, ok = self._thermal(S, transport, dev, st.thermal_rtol, st, cancel, its)
            t_in = transport.W @ t_cells
        its["buoyancy_passes"] = passes
        S.flow_key = flow_key
        S.drift_stale = S.drift_stale and not buoyant
        S.dev, S.geom, S.rack_t_in = dev, geom, t_in[:base.n_racks]
        tim["thermal_s"] = time.perf_counter() - t2 - (tim["flow_s"] - flow_before)

        step(0.9, "capture index")
        t3 = time.perf_counter()
        capture = self._capture(S, transport, dev, t_in, st)
        tim["capture_s"] = time.perf_counter() - t3
        self._state, self._scene = S, scene
        res = self._result_from(scene, geom, dev, S.fluxes, transport, t_cells, t_out, capture,
                                tim, its, ok, warnings)
        tim["total_s"] = time.perf_counter() - t0
        step(1.0, "done")
        self._result = res
        return res

    def maintain(self) -> bool:
        """Work worth doing while no solve waits (the physics process calls it when
        idle): rebuild airflow hierarchies that a geometry edit left stale, and the
        thermal coarse operators on their new prolongators. Returns whether it did
        anything."""
        did = False
        for S in self._states.values():
            if S.amg.maintain():
                did = True
                if S.coarse_space is not None and S.transport is not None:
                    # the thermal coarse operators on the new prolongators, so the next
                    # flow field reuses them instead of setting them up in its solve
                    S.coarse_space = S.transport.coarse_space_on(_prolongators(S.amg))
        return did

    def update_power(self, air_heat_w: np.ndarray, cancel: Callable[[], bool] | None = None) -> AirResult:
        """New rack air heat, same airflow and geometry: never re-solves airflow.

        One warm-started temperature solve with the cached transport system
        and triangular preconditioner, to ``SolverSettings.power_rtol``."""
        S, scene = self._state, self._scene
        if S is None or scene is None or self._result is None:
            raise SolveError("update_power needs a previous solve()")
        transport, geom = S.transport, S.geom
        assert S.dev is not None and transport is not None and geom is not None  # solve() set them
        t0 = time.perf_counter()
        heat = np.asarray(air_heat_w, float).reshape(S.dev.n_racks)
        scene = AirScene(scene.hall, scene.racks.with_power(heat), scene.cooling, scene.tiles,
                         scene.containment, scene.settings, scene.grilles)
        dev = S.dev.with_heat(heat)
        _check_capacity(dev)
        its = {"flow_cg": 0, "thermal_gmres": 0, "mode_passes": 0}
        st = scene.settings
        t_cells, t_out, ok = self._thermal(S, transport, dev, st.power_rtol, st, cancel, its)
        t_in = transport.W @ t_cells
        capture = self._capture(S, transport, dev, t_in, st)
        if st.buoyancy and S.drift_field is not None:
            # the flow keeps the drift of the field before: stale when the inlets moved
            # more than the buoyancy passes' own stop would accept (solve() settles it)
            moved = np.abs(t_in[:dev.n_racks] - S.rack_t_in) if S.rack_t_in is not None else np.inf
            S.drift_stale = S.drift_stale or not _picard_done(moved, st, S.picard_q)
            S.drift_field = _field(geom, t_cells)
        S.dev, S.rack_t_in = dev, t_in[:dev.n_racks]
        res = self._result_from(scene, geom, dev, S.fluxes, transport, t_cells, t_out,
                                capture, {}, its, ok, self._result.warnings, not S.drift_stale)
        self._scene, self._result = scene, res
        res.timings_s["total_s"] = time.perf_counter() - t0
        return res

    # -------------------------------------------------------------- helpers
    def _flow_pass(self, S: _State, geom, base: Devices, source, drift_field, st: SolverSettings,
                   its: dict, tim: dict):
        """Potential flow (with the buoyancy drift of ``drift_field``) and the
        transport system on it; returns (devices, transport)."""
        t0 = time.perf_counter()
        bz = base.jet_z_m3s          # the tile jets (devices.tile_jets), then the drift
        rhs = source
        if drift_field is not None:
            drift = buoyancy.face_flux(geom, drift_field, st.buoyancy_time_s)
            bz = drift if bz is None else bz + drift
        if bz is not None:
            rhs = source - buoyancy.divergence(geom, bz)
        fs = S.fs
        assert fs is not None   # built with the geometry key
        rhs, leak_m3s = leak_flows(fs, rhs)
        S.phi, n_cg = solve_potential(fs, rhs, S.amg, S.phi, st.flow_rtol, st.max_iterations)
        its["flow_cg"] += n_cg
        S.fluxes = face_fluxes(fs, geom, S.phi, bz, leak_m3s)
        dev = attach_plenum(base, fs.return_g, S.phi)
        exchange = None if leak_m3s is None else leak_exchange(geom, fs, leak_m3s)
        M = transport_matrix(geom, S.fluxes, dev, st.turbulent_diffusivity_m2s, st.mixing_length_m,
                             exchange)
        S.transport = CoupledTransport(M, dev, S.phi, _prolongators(S.amg))
        if S.thermal_coarse:
            S.transport.add_coarse_correction(S.coarse_space)
        tim["flow_s"] += time.perf_counter() - t0
        return dev, S.transport

    def _thermal(self, S: _State, transport: CoupledTransport, dev: Devices, rtol: float,
                 st: SolverSettings, cancel, its: dict):
        """Active-set iteration on the device modes; returns (T_cells, T_out, converged)."""
        n, nd = transport.n, transport.nd
        if S.t_cells is not None and len(S.t_cells) == n:
            t_in = transport.W @ S.t_cells
            t_out = (S.t_out if S.t_out is not None and len(S.t_out) == nd
                     else device_law(dev, t_in))
            x0 = np.concatenate([S.t_cells, t_out])
            mode = (_reseeded(S.mode, S.mode_dev, dev, t_in)
                    if S.mode is not None and len(S.mode) == nd else device_modes(dev, t_in))
        else:
            x0 = None
            t_in = _initial_inlet_guess(dev)
            mode = device_modes(dev, t_in)
        ok = False
        most_its = 0
        for _ in range(MAX_MODE_PASSES):
            if cancel is not None and cancel():
                raise Cancelled()
            mode = _with_a_fixed_device(dev, mode, t_in)
            linear, value = mode_equations(dev, mode)
            t, t_out, n_it = transport.solve(linear, value, x0, rtol, st.max_iterations)
            its["thermal_gmres"] += n_it
            most_its = max(most_its, n_it)
            S.thermal_coarse |= transport.has_coarse_correction
            its["mode_passes"] += 1
            x0 = np.concatenate([t, t_out])
            t_in = transport.W @ t
            # the device law is continuous: at a kink both neighbouring modes
            # hold, so only devices whose equations miss the law switch, one
            # step along IDLE → AT_FLOOR → LIMITED (a jump past AT_FLOOR can
            # cycle for a unit that just holds its set-point)
            wrong = np.abs(device_law(dev, t_in) - np.where(linear, t_in + value, value)) > MODE_TOL_K
            if not wrong.any():
                ok = True
                break
            step = np.sign(device_modes(dev, t_in).astype(int) - mode)
            mode = (mode + wrong * step).astype(np.int8)
        S.t_cells, S.t_out, S.mode, S.mode_dev = t, t_out, mode, dev
        S.coarse_space = transport.coarse_space if most_its <= COARSE_REUSE_ITERATIONS else None
        return t, device_law(dev, transport.W @ t), ok

    def _capture(self, S: _State, transport: CoupledTransport, dev: Devices, t_in,
                 st: SolverSettings) -> np.ndarray:
        """Share of each rack's intake air that came from a cooling supply
        (rear-door discharge counted by :func:`supply_fraction`); reused while
        the flow field and the supply fractions are unchanged."""
        if not self.capture_index:
            return np.full(dev.n_racks, np.nan)
        value = supply_fraction(dev, t_in)
        key = (transport, dev.n)
        if S.capture is not None and S.capture[0] == key and np.allclose(S.capture[1], value,
                                                                          rtol=0, atol=1e-9):
            return S.capture[2]
        x0 = S.capture[3] if S.capture is not None and len(S.capture[3]) == transport.n + dev.n else None
        c, c_out, _ = transport.solve(np.zeros(dev.n, bool), value, x0, CAPTURE_RTOL,
                                      st.max_iterations)
        capture = np.clip(transport.W[:dev.n_racks] @ c, 0.0, 1.0)
        S.capture = (key, value, capture, np.concatenate([c, c_out]))
        return capture

    def _result_from(self, scene, geom, dev, fluxes, transport, t_cells, t_out, capture, tim,
                     its, ok, warnings, drift_settled=True) -> AirResult:
        g = geom.grid
        nr = dev.n_racks
        W = transport.W
        t_in = W @ t_cells
        field = np.where(geom.solid, np.nan, t_cells.reshape(g.shape))
        Wc = W[:nr].tocoo()
        cell_max = np.full(nr, -np.inf)
        np.maximum.at(cell_max, Wc.row, t_cells[Wc.col])
        layer = Wc.col // (g.nx * g.ny)
        num = np.zeros((nr, g.nz)); den = np.zeros((nr, g.nz))
        np.add.at(num, (Wc.row, layer), Wc.data * t_cells[Wc.col])
        np.add.at(den, (Wc.row, layer), Wc.data)
        with np.errstate(invalid="ignore", divide="ignore"):
            prof = np.where(den > 0, num / den, np.nan)
        # a rack entraining round a row end breathes a per-height mixture, and its
        # open edge takes its own exhaust wrapped round its side (hottest.py)
        ent = dev.entrained > 0
        layer_max = np.full(nr, np.nan)
        layer_max[ent] = np.nanmax(prof[ent], axis=1)
        nb = np.full(nr, -np.inf)
        np.maximum.at(nb, Wc.row, neighbour_max_c(field, geom.open_x, geom.open_y, geom.open_z,
                                                  Wc.col))
        edge = np.full(nr, -np.inf)
        if dev.edge_air is not None:
            base_c = t_in[dev.edge_rack]
            np.maximum.at(edge, dev.edge_rack,
                          base_c + dev.edge_share * (dev.edge_air @ t_cells - base_c))
        # the top edge takes the air over the rack's top before it mixes (hottest.py)
        over = over_top_c(Wc.row, Wc.col, Wc.data, nr, t_cells, geom.open_z, g.shape)
        edge = np.maximum(edge, t_in[:nr] + scene.settings.top_edge_share
                          * np.maximum(over - t_in[:nr], 0.0))
        t_max = rack_hottest_c(cell_max, layer_max, t_in[:nr], t_out[:nr], dev.hot_share, ent,
                               scene.settings.inlet_peak_factor, nb, edge)
        C = RHO_CP * dev.airflow_m3s
        nu = scene.cooling.n
        on, u = dev.unit_index, dev.units
        unit_load = np.zeros(nu); unit_ret = np.full(nu, np.nan); unit_sup = np.full(nu, np.nan)
        unit_flow = np.zeros(nu); unit_flow[on] = dev.airflow_m3s[u]
        unit_load[on] = C[u] * (t_in[u] - t_out[u]) + dev.heat_w[u]
        unit_ret[on] = t_in[u]; unit_sup[on] = t_out[u]
        cap = scene.cooling.capacity_w
        frac = np.divide(unit_load, cap, out=np.zeros(nu), where=cap > 0)
        rack_gain = C[:nr] * (t_out[:nr] - t_in[:nr])
        door_removed = np.where(dev.cap_w[:nr] > 0, dev.heat_w[:nr] - rack_gain, 0.0)
        heat_in = float(dev.heat_w.sum())
        removed = float(unit_load.sum() + (dev.heat_w[:nr] - rack_gain).sum())
        resid = 100.0 * (heat_in - removed) / heat_in if heat_in > 0 else 0.0
        return AirResult(
            grid=g, temperature_c=field, fluxes=fluxes,
            rack_inlet_mean_c=t_in[:nr], rack_inlet_max_c=t_max, rack_exhaust_c=t_out[:nr],
            rack_air_heat_w=dev.heat_w[:nr].copy(), rack_airflow_m3s=dev.airflow_m3s[:nr].copy(),
            rack_capture_index=capture, rack_inlet_profile_c=prof,
            unit_load_w=unit_load, unit_return_c=unit_ret, unit_supply_c=unit_sup,
            unit_capacity_fraction=frac, unit_airflow_m3s=unit_flow, tile_flow_m3s=dev.tile_flow_m3s,
            heat_in_w=heat_in, heat_removed_w=removed, residual_pct=resid,
            rack_door_removed_w=door_removed,
            timings_s=tim, iterations=its, converged=ok, warnings=tuple(warnings),
            drift_settled=drift_settled)


def supply_fraction(dev: Devices, t_in_c: np.ndarray) -> np.ndarray:
    """Share of each device's discharge that counts as cooling supply.

    Cooling units: 1.  A rack with a rear door: the share of the heat above
    the door's water temperature that the door removed,
    ``min(1, removed / (C (T_a − T_water)))`` — 1 while the door holds its
    water temperature (or the air never exceeds it), less when the door is
    capacity-limited.  Racks without a door and the plenum spill: 0."""
    C = RHO_CP * dev.airflow_m3s
    out = np.zeros(dev.n)
    out[dev.units] = 1.0
    nr = dev.n_racks
    t_a = t_in_c[:nr] + dev.heat_w[:nr] / C[:nr]
    excess = C[:nr] * (t_a - dev.floor_c[:nr])
    door = dev.cap_w[:nr] > 0
    frac = np.ones(nr)
    hot = excess > 0
    frac[hot] = np.minimum(1.0, dev.cap_w[:nr][hot] / excess[hot])
    out[:nr] = np.where(door, frac, 0.0)
    return out


class _Stepper:
    def __init__(self, cancel, progress):
        self.cancel, self.progress = cancel, progress

    def __call__(self, fraction: float, message: str):
        if self.cancel is not None and self.cancel():
            raise Cancelled()
        if self.progress is not None:
            self.progress(fraction, message)


def _reseeded(mode: np.ndarray, last: Devices | None, dev: Devices, t_in: np.ndarray) -> np.ndarray:
    """The modes found for ``last``, with every device whose parameters changed since (a failed
    rear door, a new set-point or capacity) started in the mode its new parameters imply
    at the current inlets: a mode pass saved per switch it would otherwise wait for."""
    if last is None or last.n != dev.n:
        return mode
    changed = ((last.heat_w != dev.heat_w) | (last.cap_w != dev.cap_w)
               | (last.floor_c != dev.floor_c) | (last.airflow_m3s != dev.airflow_m3s))
    if not changed.any():
        return mode
    out = mode.copy()
    out[changed] = device_modes(dev, t_in)[changed]
    return out


def _with_a_fixed_device(dev: Devices, mode: np.ndarray, t_in: np.ndarray) -> np.ndarray:
    """A mode set with no device at its floor fixes no temperature (singular:
    the balance would need removal = heat exactly).  Capacity ≥ heat
    (:func:`_check_capacity`), so in the steady state some coil holds its
    floor: put the unit nearest to its floor there."""
    if np.any(mode == AT_FLOOR):
        return mode
    u = np.arange(dev.n)[dev.units]
    C = RHO_CP * dev.airflow_m3s[u]
    t_a = t_in[u] + dev.heat_w[u] / C
    gap = np.where(mode[u] == LIMITED, t_a - dev.cap_w[u] / C - dev.floor_c[u], dev.floor_c[u] - t_a)
    out = mode.copy()
    out[u[np.argmin(gap)]] = AT_FLOOR
    return out


def _prolongators(amg: AmgCache) -> list:
    """The first two prolongators of the airflow hierarchy (fewer if it is shallower)."""
    return [lvl.P for lvl in amg.ml.levels[:-1]][:2] if amg.ml is not None else []


def _contraction(ratio: float) -> float:
    """A measured ratio of two successive passes' largest inlet changes as the contraction
    per pass: never below ``PICARD_CONTRACTION``, never 1 or more (a ratio near 1 then
    stops only at ``MAX_PICARD_PASSES``)."""
    return min(max(buoyancy.PICARD_CONTRACTION, ratio), 0.95)


def _picard_done(inlet_change_k, st: SolverSettings, q: float) -> bool:
    """Whether the error left after a pass that changed the inlets by ``inlet_change_k``
    (the largest change, or the changes) is within ``buoyancy_tol_k``: ``q/(1 − q) · d``
    for the contraction ``q`` per pass (measured on the last passes of this solver:
    ``_State.picard_q``)."""
    worst = float(np.max(inlet_change_k, initial=0.0))
    return q / (1.0 - q) * worst <= st.buoyancy_tol_k


class _Relaxation:
    """The fields the buoyancy passes take their drift from: Aitken's dynamic relaxation
    of the Picard iteration (Irons & Tuck 1969; as in partitioned fluid-structure coupling,
    Küttler & Wall 2008). Each pass takes ``used + ω r`` with ``r`` = the new field − the
    one the pass before used; ``ω`` starts at ``PICARD_RELAXATION`` and is then
    ``−ω · r₀·(r₁ − r₀) / |r₁ − r₀|²`` from the last two residuals (within
    ``[RELAXATION_MIN, 1]``), which damps an oscillating or creeping mode that a fixed blend
    follows for tens of passes (buoyancy.py). Cells solid in either field take the new one."""

    def __init__(self) -> None:
        self.omega = buoyancy.PICARD_RELAXATION
        self.residual: np.ndarray | None = None

    def next(self, field: np.ndarray, used: np.ndarray | None) -> np.ndarray:
        if used is None or len(used) != len(field):
            self.residual = None
            return field
        r = np.nan_to_num(field - used)
        if self.residual is not None:
            dr = r - self.residual
            den = float(dr @ dr)
            if den > 0.0:
                self.omega = min(max(-self.omega * float(self.residual @ dr) / den,
                                     buoyancy.RELAXATION_MIN), 1.0)
        self.residual = r
        return np.where(np.isnan(used), field, used + self.omega * r)


def _field(geom: Geometry, t_cells: np.ndarray) -> np.ndarray:
    return np.where(geom.solid.ravel(), np.nan, t_cells)


def _with_settings_of(dev: Devices, base: Devices) -> Devices:
    """Solved ports of ``dev`` with heat, capacity, floors and row-end hot shares of ``base``."""
    k = base.n
    heat, cap, floor = dev.heat_w.copy(), dev.cap_w.copy(), dev.floor_c.copy()
    heat[:k], cap[:k], floor[:k] = base.heat_w, base.cap_w, base.floor_c
    return replace(dev, heat_w=heat, cap_w=cap, floor_c=floor, hot_share=base.hot_share)


def _ports_key(dev: Devices) -> bytes:
    """Bytes that change whenever any device's ports or airflow change, including a
    reorder of the racks (the source field alone would not see that)."""
    return b"".join(a.tobytes() for m in (dev.intake, dev.discharge)
                    for a in (m.indptr, m.indices, m.data))


def _check_capacity(dev: Devices) -> None:
    heat = dev.heat_w.sum()
    cap = dev.cap_w.sum()
    if len(dev.unit_index) == 0:
        if heat > 0:
            raise SolveError("no enabled cooling unit: the heat has nowhere to go")
        raise SolveError("no enabled cooling unit moves air")
    if heat > cap:
        raise SolveError(f"cooling capacity {cap / 1e3:.1f} kW is below the heat to remove "
                         f"{heat / 1e3:.1f} kW: no steady state, temperatures rise without bound")


def _initial_inlet_guess(dev: Devices) -> np.ndarray:
    u = dev.units
    t_sup = float(np.mean(dev.floor_c[u]))
    t_ret = t_sup + dev.heat_w.sum() / (RHO_CP * dev.airflow_m3s[u].sum())
    guess = np.full(dev.n, t_ret)
    guess[:dev.n_racks] = t_sup
    return guess


def _region_imbalance(fs, source) -> list[str]:
    net = np.bincount(fs.labels, source)
    net[np.unique(fs.labels[fs.return_g > 0])] = 0.0      # vented to the return plenum
    bad = np.flatnonzero(np.abs(net) > 1e-9 + 1e-6 * np.abs(source).sum())
    if len(bad):
        return [f"{len(bad)} enclosed air region(s) have unbalanced airflow "
                f"({np.abs(net[bad]).sum():.3f} m³/s); their pressure is pinned"]
    return []
