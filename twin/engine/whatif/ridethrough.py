"""Ride-through of a layout: the steady solves before and after a failure turned into the
lumped transient of ``twin.physics.ridethrough`` (docs/physics.md §12.3), and its
answer per rack: seconds until the ASHRAE allowable inlet limit and the coolant limit.

Racks keep drawing what they drew before the failure (a rack throttles only once its
limits are passed: the times say when), unless the failure takes their power. A utility
loss keeps IT and the CDU pumps on UPS; the room units and the facility water (chillers,
towers) stop until the generators carry them (``generator_delay_s``, plus
``restart_s`` for the plant to cool again). Losing the whole plant (``plant``) stops
the chilled and the facility water for the run. Where the plant holds water in storage
(``chilled_water_storage_m3``, ``facility_water_storage_m3``) the coils and exchangers
run on it through the outage (their fans and pumps on UPS) and it warms; the plant comes
back with its design margin over the load it carried before.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twin.engine import inputs
from twin.engine.simulate import Simulator, TwinResult
from twin.engine.plant import DESIGN_MARGIN
from twin.engine.whatif.components import PLANT_ID, with_failed
from twin.model import Layout
from twin.physics import ridethrough as rt
from twin.physics.air import SolveError
from twin.physics.fluids import AIR, PG25, WATER
from twin.physics.liquid import STANDBY_FRACTION, solve_liquid
from twin.physics.metrics import ASHRAE_ALLOWABLE_C

RHO_CP_AIR = AIR.density_kgm3 * AIR.cp_jkgk
#: Racks whose time series the JSON and the plots carry (the hottest at the end).
WORST_SHOWN = 10


@dataclass
class RideThroughReport:
    """The run and its answer, aligned with ``rack_ids`` and ``cdu_ids``."""

    failed: list[str]
    utility_loss: bool
    generator_delay_s: float
    rack_ids: list[str]
    cdu_ids: list[str]
    run: rt.RideThrough
    inlet_limit_c: float
    coolant_limit_c: np.ndarray
    steady_after: bool                 # whether the failed floor has a steady state
    notes: list[str] = field(default_factory=list)
    base: TwinResult | None = None     # the steady state before the failure
    failed_layout: Layout | None = None

    def result_at(self, k: int) -> TwinResult:
        """The base result with the rack inlets and rack coolant returns of time sample
        ``k``: what the views colour at that instant. The air field is the steady one
        and not current (``field_current`` False: no air heatmap), and the steady alerts
        do not apply to the instant (none)."""
        assert self.base is not None, "made by ride_through"
        b, r = self.base, self.run
        inlet = r.rack_inlet_c[k]
        out = dataclasses.replace(b, alerts=[], metrics={
            **b.metrics, "worst_inlet_c": float(np.nanmax(inlet)) if len(inlet) else np.nan})
        if b.air is not None:
            shift = inlet - b.air.rack_inlet_max_c
            out.air = dataclasses.replace(b.air, rack_inlet_max_c=inlet,
                                          rack_inlet_mean_c=b.air.rack_inlet_mean_c + shift,
                                          field_current=False)
        if b.liquid is not None:
            coolant = r.rack_coolant_c[k]
            racks = dataclasses.replace(b.liquid.racks, return_c=np.where(
                np.isfinite(coolant), coolant, b.liquid.racks.return_c))
            out.liquid = dataclasses.replace(b.liquid, racks=racks)
        return out

    def first(self, times: np.ndarray) -> tuple[str | None, float | None]:
        if not np.isfinite(times).any():
            return None, None
        k = int(np.nanargmin(times))
        return self.rack_ids[k], float(times[k])

    def worst_racks(self, n: int = WORST_SHOWN) -> list[int]:
        """Indices of the ``n`` racks that pass a limit first, then the hottest inlets."""
        r = self.run
        first = np.fmin(r.inlet_limit_s, r.coolant_limit_s)
        first = np.where(np.isfinite(first), first, np.inf)
        return list(np.lexsort((-r.rack_inlet_c.max(axis=0), first))[:n])

    def summary(self) -> str:
        parts = ["the whole plant" if x == PLANT_ID else x for x in self.failed]
        if self.utility_loss:
            parts.append(f"a utility loss (generators after {self.generator_delay_s:g} s)")
        what = " + ".join(parts) if parts else "no failure"
        rid, t = self.first(self.run.inlet_limit_s)
        cid, tc = self.first(self.run.coolant_limit_s)
        dur = self.run.time_s[-1]
        air = (f"first rack inlet beyond {self.inlet_limit_c:g} \u00b0C: {rid} after {t:.0f} s"
               if rid else f"no rack inlet passes {self.inlet_limit_c:g} \u00b0C in {dur:.0f} s")
        liq = (f"; first coolant over its limit: {cid} after {tc:.0f} s" if cid
               else "; no coolant passes its limit" if np.isfinite(self.coolant_limit_c).any()
               else "")
        return f"After {what}: {air}{liq}."

    def to_json(self, every_s: float = 5.0) -> dict[str, Any]:
        r = self.run
        step = max(1, int(round(every_s / max(r.time_s[1] - r.time_s[0], 1e-9)))) \
            if len(r.time_s) > 1 else 1
        pick = np.arange(0, len(r.time_s), step)
        if pick[-1] != len(r.time_s) - 1:
            pick = np.append(pick, len(r.time_s) - 1)

        def series(a: np.ndarray) -> list:
            return [None if not np.isfinite(v) else round(float(v), 3) for v in a[pick]]
        rid, t = self.first(r.inlet_limit_s)
        cid, tc = self.first(r.coolant_limit_s)
        return {
            "failed": self.failed, "utility_loss": self.utility_loss,
            "generator_delay_s": self.generator_delay_s, "summary": self.summary(),
            "steady_state_after_failure": self.steady_after, "notes": self.notes,
            "inlet_limit_c": self.inlet_limit_c,
            "first_inlet_limit": {"rack": rid, "seconds": t},
            "first_coolant_limit": {"rack": cid, "seconds": tc},
            "racks": [{"id": k, "inlet_limit_s": _num(r.inlet_limit_s[i]),
                       "coolant_limit_s": _num(r.coolant_limit_s[i]),
                       "coolant_limit_c": _num(self.coolant_limit_c[i]),
                       "inlet_end_c": _num(r.rack_inlet_c[-1, i], 3)}
                      for i, k in enumerate(self.rack_ids)],
            "series": {"time_s": [round(float(x), 3) for x in r.time_s[pick]],
                       "room_mean_c": series(r.room_mean_c),
                       "worst_racks": {self.rack_ids[i]: {"inlet_c": series(r.rack_inlet_c[:, i]),
                                                          "coolant_c": series(r.rack_coolant_c[:, i])}
                                       for i in self.worst_racks()},
                       "loop_supply_c": {c: series(r.loop_supply_c[:, k])
                                         for k, c in enumerate(self.cdu_ids)},
                       "chilled_water_rise_k": series(_rise(r.chilled_water_rise_k, r.time_s)),
                       "facility_water_rise_k": series(_rise(r.facility_water_rise_k, r.time_s))},
        }


def _rise(rise_k: np.ndarray | None, time_s: np.ndarray) -> np.ndarray:
    return np.zeros(len(time_s)) if rise_k is None else rise_k


def _num(x: float, nd: int = 2) -> float | None:
    return round(float(x), nd) if np.isfinite(x) else None


def ride_through(layout: Layout, failed: list[str], duration_s: float = 600.0,
                 utility_loss: bool = False, generator_delay_s: float = 30.0,
                 restart_s: float = 0.0, step_s: float = 1.0,
                 base: TwinResult | None = None) -> RideThroughReport:
    """Temperatures over ``duration_s`` after ``failed`` (component ids) fail at t = 0,
    and/or a utility loss. Raises KeyError for an unknown id, SolveError when the floor
    before the failure has no steady state."""
    sim = Simulator()
    base = base if base is not None else sim.run(layout)
    if base.air is None and base.liquid is None:
        raise SolveError("the floor has neither an air nor a liquid solution to start from")
    snap = with_failed(layout, failed)
    plant_lost = PLANT_ID in failed
    notes: list[str] = []
    try:
        after: TwinResult | None = Simulator().run(snap)
    except SolveError as exc:
        after = None
        notes.append(f"no steady state after the failure ({' '.join(str(exc).split())}); "
                     "the room keeps the airflow pattern of the base")
    back_s = (np.inf if plant_lost else generator_delay_s + restart_s if utility_loss
              else 0.0)
    powered = _still_powered(base, after)
    room = _room(snap, base, after, powered, back_s)
    loops, limit_c = _loops(layout, base, _flows_after(snap, base, after), powered, back_s)
    if back_s > 0:
        storage = _with_storage(layout, room, loops, back_s)
        room, loops = storage[0], storage[1]
        notes += storage[2]
    inlet_limit = ASHRAE_ALLOWABLE_C[layout.hall.ashrae_class][1]
    run = rt.simulate_ridethrough(room, loops, duration_s, inlet_limit, limit_c, step_s)
    return RideThroughReport(list(failed), utility_loss, generator_delay_s, base.rack_ids,
                             base.cdu_ids, run, inlet_limit, limit_c, after is not None, notes,
                             base, snap)


def _with_storage(layout: Layout, room: rt.RoomAir, loops: rt.Loops, back_s: float
                  ) -> tuple[rt.RoomAir, rt.Loops, list[str]]:
    """Coils and exchangers that run on stored water through the outage (module
    docstring); the plant returns at ``back_s`` with its design margin over the heat
    the water carried before."""
    p, notes = layout.plant, []
    if p.chilled_water_storage_m3 > 0 and len(room.coil_start_s):
        # (the coils here are those the failure left: each runs from t = 0 on the store)
        q0 = np.clip(RHO_CP_AIR * room.coil_airflow_m3s * (room.mean0_c + room.coil_return_offset_k
                                                          - room.coil_setpoint_c),
                     0.0, room.coil_capacity_w)
        water = rt.PlantWater(WATER.density_kgm3 * WATER.cp_jkgk * p.chilled_water_storage_m3,
                              back_s, DESIGN_MARGIN * float(q0.sum()))
        room = dataclasses.replace(room, water=water, coil_start_s=np.zeros_like(room.coil_start_s))
        notes.append(f"the room coils run on {p.chilled_water_storage_m3:g} m³ of stored "
                     "chilled water until the plant is back")
    if p.facility_water_storage_m3 > 0 and len(loops.hx_start_s):
        # the exchangers carried the racks' liquid heat before
        water = rt.PlantWater(WATER.density_kgm3 * WATER.cp_jkgk * p.facility_water_storage_m3,
                              back_s, DESIGN_MARGIN * float(loops.rack_heat_w.sum()))
        loops = dataclasses.replace(loops, water=water,
                                    hx_start_s=np.minimum(loops.hx_start_s, 0.0))
        notes.append(f"the CDU exchangers run on {p.facility_water_storage_m3:g} m³ of stored "
                     "facility water until the plant is back")
    return room, loops, notes


def _still_powered(base: TwinResult, after: TwinResult | None) -> np.ndarray:
    if after is None or after.rack_state is None:
        return np.ones(len(base.rack_ids), bool)
    return after.rack_state != 3          # RACK_STATE_NAMES: unpowered


def _room(snap: Layout, base: TwinResult, after: TwinResult | None, powered: np.ndarray,
          back_s: float) -> rt.RoomAir:
    h = snap.hall
    volume = h.width_m * h.length_m * (h.ceiling_height_m
                                       + (h.plenum_depth_m if h.raised_floor else 0.0))
    capacity = RHO_CP_AIR * volume + rt.RACK_STRUCTURE_J_PER_K * len(base.rack_ids)
    b = base.air
    if b is None:                          # liquid only: the room carries nothing
        z = np.zeros(0)
        return rt.RoomAir(capacity, 20.0, np.zeros(len(base.rack_ids)), z, 0.0, z, z, z, z, z)
    ref = after.air if after is not None and after.air is not None else b
    ref_res = after if after is not None and after.air is not None else base
    ref_mean = float(np.nanmean(ref.temperature_c))
    air_heat = np.where(powered, base.rack_air_heat_kw * 1e3, 0.0)
    # coils that run after the failure: room units (scene order) and rear doors
    scene, _ids = inputs.air_scene(snap, ref_res.rack_air_heat_kw * 1e3)
    cu, racks = scene.cooling, scene.racks
    n_units = len(ref.unit_return_c)
    on = np.asarray(cu.enabled[:n_units], bool) & np.isfinite(ref.unit_return_c)
    door = racks.rdhx_capacity_w > 0
    pre_door = ref.rack_inlet_mean_c + ref.rack_air_heat_w / (RHO_CP_AIR * ref.rack_airflow_m3s)
    flow = np.concatenate([ref.unit_airflow_m3s[on], ref.rack_airflow_m3s[door]])
    offset = np.concatenate([ref.unit_return_c[on], pre_door[door]]) - ref_mean
    setpoint = np.concatenate([cu.supply_setpoint_c[:n_units][on], racks.rdhx_supply_c[door]])
    cap = np.concatenate([cu.capacity_w[:n_units][on], racks.rdhx_capacity_w[door]])
    start = np.full(len(flow), back_s)
    # the steady balance of the reference solve fixes the heat the coils' fans add, so
    # that a floor with nothing failed stays exactly where it is
    q_ref = np.clip(RHO_CP_AIR * flow * (ref_mean + offset - setpoint), 0.0, cap)
    fan_w = float(q_ref.sum() - ref.rack_air_heat_w.sum())
    return rt.RoomAir(capacity, float(np.nanmean(b.temperature_c)),
                      ref.rack_inlet_max_c - ref_mean, air_heat, fan_w, flow, offset, setpoint,
                      cap, start)


def _flows_after(snap: Layout, base: TwinResult, after: TwinResult | None) -> np.ndarray | None:
    """Each rack's coolant mass flow (kg/s) once the failure has happened: the failed
    floor's solve; when its air has no steady state, its liquid loops solved alone (they
    do not depend on the room air), so a failed CDU or pump set still stops its racks'
    flow instead of pumping on at the base's rate. None: no liquid loop."""
    if after is not None:
        return after.liquid.racks.mass_flow_kgs if after.liquid is not None else None
    branches, loops, _ = inputs.liquid_inputs(snap, base.rack_liquid_heat_kw * 1e3)
    return solve_liquid(branches, loops).racks.mass_flow_kgs if loops is not None else None


def _loops(layout: Layout, base: TwinResult, flows_after_kgs: np.ndarray | None,
           powered: np.ndarray, back_s: float) -> tuple[rt.Loops, np.ndarray]:
    n = len(base.rack_ids)
    cdus = list(layout.cdus.values())
    liq = base.liquid
    if liq is None or not cdus:
        z, zi = np.zeros(0), np.full(n, -1)
        return (rt.Loops(zi, np.zeros(n), np.ones(n), np.zeros(n), np.full(n, np.nan),
                         z, z, z, z, z, z), np.full(n, np.nan))
    fluid = [PG25 if c.coolant == "PG25" else WATER for c in cdus]
    rho_cp = np.array([f.density_kgm3 * f.cp_jkgk for f in fluid])
    cp = np.array([f.cp_jkgk for f in fluid])
    loop = liq.racks.cdu_index.astype(int)
    heat = np.where(powered & (loop >= 0), base.rack_liquid_heat_kw * 1e3, 0.0)
    flows = flows_after_kgs if flows_after_kgs is not None else liq.racks.mass_flow_kgs
    flows = np.where(loop >= 0, np.nan_to_num(flows), 0.0)
    k = np.maximum(loop, 0)
    rack_c = np.where(loop >= 0, rt.RACK_COOLANT_L / 1e3 * rho_cp[k] + rt.RACK_COLD_PLATES_J_PER_K,
                      1.0)
    t0 = np.where(loop >= 0, liq.racks.return_c, np.nan)
    base_flow = np.where(loop >= 0, np.nan_to_num(liq.racks.mass_flow_kgs), 0.0)
    n_l = len(cdus)
    mc = base_flow * cp[k]
    mixed = np.bincount(k[loop >= 0], (mc * np.nan_to_num(t0))[loop >= 0], n_l) \
        / np.maximum(np.bincount(k[loop >= 0], mc[loop >= 0], n_l), 1e-12)
    supply0 = liq.cdus.loop_supply_c
    fac = liq.cdus.facility_supply_c
    load = np.bincount(k[loop >= 0], (mc * (np.nan_to_num(t0) - supply0[k]))[loop >= 0], n_l)
    g = np.where(mixed - fac > 1e-6, load / np.maximum(mixed - fac, 1e-6), 0.0)
    standby = STANDBY_FRACTION * inputs.rack_numbers(layout, "nameplate_kw") * 1e3 \
        * inputs.rack_liquid_fraction(layout)
    loops = rt.Loops(loop, heat, rack_c, flows, t0, rt.CDU_COOLANT_L / 1e3 * rho_cp, supply0,
                     g, fac, np.full(n_l, back_s), cp, standby)
    limits = np.array([c.return_limit_c for c in cdus])
    return loops, np.where(loop >= 0, limits[k], np.nan)
