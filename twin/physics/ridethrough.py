"""Ride-through: temperatures over time after a failure, from the steady state before it
(docs/physics.md §12.3).

A lumped transient on top of the steady solves, so that it runs in seconds:

- **Room air** is one well-mixed node at the room's mean temperature ``T_r`` with the heat
  capacity of its air and of the rack structures in the air stream. Each rack's inlet and
  each coil's return keep their steady offset from the room mean (the offsets of the
  failed scenario's steady airflow when it has one, else the base's): the air model's
  transport fixes *where* air is hot, the node *how fast* the room heats.
  ``C_room dT_r/dt = P_air + P_fans − Σ_j Q_j``, ``Q_j = clip(ρ c_p V_j (T_r + o_j − T_set,j),
  0, Q_cap,j)`` for each coil that runs (room units and rear doors; a coil that waits for
  the generators runs from its start time).
- **Liquid loops** (with ``rack_standby_w``, a rack whose coolant passes its limit shuts
  down to standby, as the steady model does, and stays down: an integration event at each
  first passage latches it, so no rack chatters at its limit): a node per rack (its coolant and cold plates, at the rack's coolant
  return) and a node per CDU loop (the CDU and header coolant, at the loop supply).
  ``C_i dT_i/dt = P_i − ṁ_i c_p (T_i − T_s,k)``;
  ``C_k dT_s,k/dt = Σ_i ṁ_i c_p (T_i − T_s,k) − G_k (T_R,k − T_fw,k)`` with the mixed
  return ``T_R,k`` and the exchanger conductance ``G_k`` that gives the steady state's
  exchanger duty (zero while the facility water is lost or no coolant flows).

- **Plant water** (:class:`PlantWater`, one node each for the chilled water of the room
  coils and the facility water of the CDU exchangers) where the layout holds water in
  storage: while the plant is down the coils and exchangers keep running on it (their
  fans and pumps on UPS) and it warms, ``C_w dΔT_w/dt = Σ Q − Q_plant``; a coil then
  delivers air no colder than its set-point + ``ΔT_w``, an exchanger cools against
  facility water at its supply + ``ΔT_w``. Once back, the plant removes
  ``Q_plant = min(Q_cap, Σ Q + Q_cap ΔT_w / 1 K)``: all it has until the water is back at
  its set-point, then what the load needs. Without storage the coils and exchangers
  stop until the plant is back.

Oracles (tests/physics/test_ridethrough.py): a sealed room with its cooling gone heats
at ``P / C_room``; with partial cooling it approaches the new steady state as a
first-order system with ``τ = C_room / Σ ρ c_p V_j``; a loop whose pumps stop heats each
rack at ``P_i / C_i``; with nothing failed every node stays at its steady value; with
the plant lost and water in storage, the energy of all nodes grows by exactly the heat
put in, and once the nodes move together they heat at ``P / (C_room + C_w)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from twin.physics.fluids import AIR

#: Heat capacity of a rack's structure in thermal contact with its air stream within
#: minutes (heat sinks, chassis, trays: about 200 kg of aluminium and steel).
RACK_STRUCTURE_J_PER_K = 100e3
#: Coolant held in a liquid-cooled rack (manifolds, hoses, cold plates: about 40 L) and
#: the heat capacity of its cold plates (about 40 kg of copper).
RACK_COOLANT_L = 40.0
RACK_COLD_PLATES_J_PER_K = 15e3
#: Coolant in a CDU and its header pipes.
CDU_COOLANT_L = 250.0


@dataclass(frozen=True)
class PlantWater:
    """Stored water between a set of coils or exchangers and the plant that cools it."""

    heat_capacity_j_per_k: float = 0.0   # 0: no storage (coils/exchangers wait for the plant)
    back_s: float = 0.0                  # when the plant cools it again (inf: never)
    plant_capacity_w: float = 0.0        # what the plant can remove once back

    @property
    def stored(self) -> bool:
        return self.heat_capacity_j_per_k > 0

    def plant_w(self, t: float, load_w: float, warming_k: float) -> float:
        """Heat the plant removes at ``t`` (module docstring)."""
        if t < self.back_s:
            return 0.0
        return min(self.plant_capacity_w, load_w + self.plant_capacity_w * max(warming_k, 0.0))


NO_STORAGE = PlantWater()


@dataclass(frozen=True)
class RoomAir:
    """The room node after the failure (module docstring); coils: room units + doors."""

    heat_capacity_j_per_k: float
    mean0_c: float                   # room mean at t = 0 (the steady state before)
    inlet_offset_k: np.ndarray       # (n_racks,) rack inlet − room mean
    rack_air_heat_w: np.ndarray      # (n_racks,) after the failure
    fan_heat_w: float                # fans of the coils that run
    coil_airflow_m3s: np.ndarray     # (n_coils,)
    coil_return_offset_k: np.ndarray
    coil_setpoint_c: np.ndarray
    coil_capacity_w: np.ndarray
    coil_start_s: np.ndarray         # 0: runs throughout; inf: failed
    water: PlantWater = NO_STORAGE   # the coils' chilled water


@dataclass(frozen=True)
class Loops:
    """Liquid nodes after the failure: racks (``loop`` −1: not on a loop) and CDU loops."""

    rack_loop: np.ndarray            # (n_racks,) loop index or −1
    rack_heat_w: np.ndarray
    rack_heat_capacity_j_per_k: np.ndarray
    rack_mass_flow_kgs: np.ndarray   # 0 where the pumps stopped
    rack_coolant0_c: np.ndarray      # steady rack coolant return before the failure
    loop_heat_capacity_j_per_k: np.ndarray
    loop_supply0_c: np.ndarray
    hx_conductance_w_per_k: np.ndarray
    facility_supply_c: np.ndarray
    hx_start_s: np.ndarray           # when the facility water is back (0: never lost)
    cp_jkgk: np.ndarray              # (n_loops,) coolant heat capacity
    #: what a rack draws once its coolant passes its limit (it shuts down to standby, as
    #: in the steady model); None: racks keep their heat whatever the temperature
    rack_standby_w: np.ndarray | None = None
    water: PlantWater = NO_STORAGE   # the exchangers' facility water


@dataclass(frozen=True)
class RideThrough:
    """Temperatures at ``time_s`` and, per rack, the first time each limit is passed
    (NaN: not within the run)."""

    time_s: np.ndarray
    room_mean_c: np.ndarray          # (n_t,)
    rack_inlet_c: np.ndarray         # (n_t, n_racks)
    rack_coolant_c: np.ndarray       # (n_t, n_racks), NaN off loops
    loop_supply_c: np.ndarray        # (n_t, n_loops)
    inlet_limit_s: np.ndarray        # (n_racks,)
    coolant_limit_s: np.ndarray
    #: warming of the stored chilled and facility water (zeros without storage)
    chilled_water_rise_k: np.ndarray | None = None
    facility_water_rise_k: np.ndarray | None = None


def _coil_heat_w(air: RoomAir, t: float, room_c: float, water_rise_k: float) -> float:
    on = t >= air.coil_start_s
    q = np.clip(AIR.density_kgm3 * AIR.cp_jkgk * air.coil_airflow_m3s
                * (room_c + air.coil_return_offset_k - air.coil_setpoint_c - water_rise_k),
                0.0, air.coil_capacity_w)
    return float(np.sum(q[on]))


def _fans_w(air: RoomAir, t: float) -> float:
    running = np.isfinite(air.coil_start_s)
    if not running.any():
        return 0.0
    share = np.mean(t >= air.coil_start_s[running])
    return air.fan_heat_w * share


def simulate_ridethrough(air: RoomAir, loops: Loops, duration_s: float,
                         inlet_limit_c: float, coolant_limit_c: np.ndarray,
                         step_s: float = 1.0) -> RideThrough:
    """Integrate from the steady state before the failure to ``duration_s``; samples
    every ``step_s``. ``coolant_limit_c`` per rack (NaN: no limit)."""
    n_r = len(air.inlet_offset_k)
    on_loop = loops.rack_loop >= 0
    li = np.flatnonzero(on_loop)
    k_of = loops.rack_loop[li]
    n_l = len(loops.loop_supply0_c)
    cp_i = loops.cp_jkgk[k_of] if n_l else np.zeros(0)
    mc = loops.rack_mass_flow_kgs[li] * cp_i                       # W/K per rack
    mc_loop = np.bincount(k_of, mc, n_l)
    p_air = float(np.sum(air.rack_air_heat_w))
    standby = None if loops.rack_standby_w is None else loops.rack_standby_w[li]
    limit_i = np.nan_to_num(np.asarray(coolant_limit_c, float)[li], nan=np.inf)
    latched = np.zeros(len(li), bool)            # racks shut down (to standby) so far
    passed_s = np.full(len(li), np.nan)          # when each reached its limit (events)

    n_s = 1 + len(li) + n_l                      # room, racks, loops; then the two waters
    aw, lw = air.water, loops.water

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        room, tr, ts = y[0], y[1:1 + len(li)], y[1 + len(li):n_s]
        chw, fw = y[n_s], y[n_s + 1]
        d = np.zeros_like(y)
        q_coils = _coil_heat_w(air, t, room, chw)
        d[0] = (p_air + _fans_w(air, t) - q_coils) / air.heat_capacity_j_per_k
        if aw.stored:
            d[n_s] = (q_coils - aw.plant_w(t, q_coils, chw)) / aw.heat_capacity_j_per_k
        if len(li):
            ts_i = ts[k_of]
            heat = loops.rack_heat_w[li]
            if standby is not None:
                heat = np.where(latched, np.minimum(heat, standby), heat)
            d[1:1 + len(li)] = (heat - mc * (tr - ts_i)) / loops.rack_heat_capacity_j_per_k[li]
            into = np.bincount(k_of, mc * (tr - ts_i), n_l)
            mixed = np.where(mc_loop > 0, np.bincount(k_of, mc * tr, n_l)
                             / np.where(mc_loop > 0, mc_loop, 1.0), ts)
            hx_on = (t >= loops.hx_start_s) & (mc_loop > 0)
            q_hx = np.where(hx_on, loops.hx_conductance_w_per_k
                            * (mixed - loops.facility_supply_c - fw), 0.0)
            d[1 + len(li):n_s] = (into - q_hx) / loops.loop_heat_capacity_j_per_k
            if lw.stored:
                q = float(q_hx.sum())
                d[n_s + 1] = (q - lw.plant_w(t, q, fw)) / lw.heat_capacity_j_per_k
        return d

    y0 = np.concatenate([[air.mean0_c], loops.rack_coolant0_c[li], loops.loop_supply0_c,
                         [0.0, 0.0]])
    times = np.arange(0.0, duration_s + 0.5 * step_s, step_s)
    # the coils and the exchangers switch at their start times: integrate piecewise
    breaks = sorted({float(s) for s in np.concatenate([air.coil_start_s, loops.hx_start_s,
                                                        [aw.back_s, lw.back_s]])
                     if 0.0 < s < duration_s})

    def first_passage(_t: float, y: np.ndarray) -> float:
        """Crosses zero upward when a rack still running reaches its coolant limit."""
        over = y[1:1 + len(li)] - limit_i
        return float(np.max(np.where(latched, -np.inf, over), initial=-1.0))
    first_passage.terminal, first_passage.direction = True, 1.0   # type: ignore[attr-defined]
    events = first_passage if standby is not None and np.isfinite(limit_i).any() else None

    ys = np.empty((len(y0), len(times)))
    start, y = 0.0, y0
    for stop in breaks + [float(duration_s)]:
        while True:
            over = ~latched & (y[1:1 + len(li)] >= limit_i - 1e-6)
            passed_s[over] = start                       # (at an event: its time)
            latched |= over
            sel = (times >= start) & ((times < stop) if stop < duration_s else (times <= stop))
            t_eval = times[sel]
            if not len(t_eval) or t_eval[-1] < stop:     # the end state starts the next piece
                t_eval = np.append(t_eval, stop)
            sol = solve_ivp(rhs, (start, stop), y, method="RK45", t_eval=t_eval, events=events,
                            max_step=5.0 * max(step_s, 1.0), rtol=1e-7, atol=1e-7)
            if not sol.success:
                raise ValueError(f"the ride-through integration failed: {sol.message}")
            got_y = np.asarray(sol.y, float).reshape(len(y0), -1)   # (none before an event)
            got = min(got_y.shape[1], int(sel.sum()))
            ys[:, np.flatnonzero(sel)[:got]] = got_y[:, :got]
            if sol.status != 1:                           # reached ``stop``
                y, start = got_y[:, -1], stop
                break
            # a rack reached its limit: it shuts down, and the run goes on from there
            start, y = float(sol.t_events[0][0]), sol.y_events[0][0]
    room = ys[0]
    inlet = room[:, None] + air.inlet_offset_k[None, :]
    coolant = np.full((len(times), n_r), np.nan)
    coolant[:, li] = ys[1:1 + len(li)].T
    supply = ys[1 + len(li):n_s].T
    coolant_s = _first_passage(times, coolant, coolant_limit_c)
    if events is not None:          # a rack that shut down may never show above it
        coolant_s[li] = passed_s
    return RideThrough(times, room, inlet, coolant, supply,
                       _first_passage(times, inlet, np.full(n_r, inlet_limit_c)), coolant_s,
                       ys[n_s].copy(), ys[n_s + 1].copy())


def _first_passage(times: np.ndarray, values: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Per column, the first time ``values`` exceeds ``limit`` (linear between samples);
    NaN where it never does."""
    over = values > limit[None, :]
    out = np.full(values.shape[1], np.nan)
    hit = over.any(axis=0)
    for j in np.flatnonzero(hit):
        k = int(np.argmax(over[:, j]))
        if k == 0:
            out[j] = 0.0
            continue
        v0, v1 = values[k - 1, j], values[k, j]
        out[j] = times[k - 1] + (times[k] - times[k - 1]) * (limit[j] - v0) / (v1 - v0)
    return out
