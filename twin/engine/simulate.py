"""One simulation of a layout: workloads -> power -> air + liquid -> plant -> roll-up.

``Simulator`` keeps what a change did not touch (the air solver's grid, multigrid
hierarchy and flow field), so a workload edit re-runs only the cheap parts and a rack move
re-solves the air from a warm start. ``simulate`` is the one-shot form for the CLI.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from twin.engine import inputs, layout_alerts
from twin.engine.economics import Economics, economics
from twin.engine.fabric import FabricBuilder, FabricResult
from twin.engine.floorload import FloorLoad, floor_alerts, floor_load
from twin.engine.plant import facility_for
from twin.model import Layout
from twin.physics import metrics, power_arch
from twin.physics.air.devices import RHO_CP
from twin.physics.air.result import AirResult
from twin.physics.air.devices import SolveError
from twin.physics.air.solver import AirSolver
from twin.physics.air_alerts import air_alerts
from twin.physics.facility import (Alert, FacilityResult, immersion_alerts, liquid_alerts,
                                   power_alerts, rack_state_alerts)
from twin.physics.liquid import (STANDBY_FRACTION, LiquidResult, limit_to_coolant, solve_immersion,
                                 solve_liquid)
from twin.physics.power import FailoverResult, PowerResult, failover_analysis, solve_power
from twin.physics.workload import RackWorkloads, WorkloadResult, evaluate_workloads

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
#: ``TwinResult.rack_state`` beyond the coolant states of ``twin.physics.liquid``
#: (RUNNING 0, THROTTLED 1, SHUTDOWN 2): no energised feed.
UNPOWERED = 3
RACK_STATE_NAMES = ("running", "throttled", "shutdown", "unpowered")


@dataclass
class TwinResult:
    """Everything one simulation produced, aligned with the snapshot it came from."""

    rack_ids: list[str]
    workload: WorkloadResult
    rack_power_kw: np.ndarray
    rack_liquid_heat_kw: np.ndarray
    rack_air_heat_kw: np.ndarray
    air: AirResult | None
    unit_ids: list[str]
    unit_setpoint_c: np.ndarray
    liquid: LiquidResult | None
    cdu_ids: list[str]
    power: PowerResult
    failover: FailoverResult
    power_ids: list[str]
    power_kinds: list[str]
    facility: FacilityResult
    metrics: dict[str, float]
    alerts: list[Alert]
    timing_s: dict[str, float] = field(default_factory=dict)
    immersion: Any = None
    tank_ids: list[str] = field(default_factory=list)
    # what the workloads ask for, and what the racks run at (docs/physics.md §3.9, §4.7):
    # RACK_STATE_NAMES codes; None in results made before these existed
    rack_demand_kw: np.ndarray | None = None
    rack_state: np.ndarray | None = None
    #: capital and energy cost, USD per million tokens (docs/physics.md §14)
    economics: Economics | None = None
    #: weights on the floor against its ratings (docs/physics.md §15)
    floor: FloorLoad | None = None
    #: the hall's ASHRAE air class (its temperature colour scale, layers.temperature_scale)
    ashrae_class: str = "A1"
    #: the network fabric, its links, media and tray fill (docs/physics.md §23); None
    #: without a fabric or when it cannot be built (an alert says why)
    fabric: FabricResult | None = None


class Simulator:
    """Stateful simulator for live use; one instance per open document."""

    def __init__(self, capture_index: bool = True) -> None:
        """``capture_index=False``: air results carry no capture index (NaN), which saves
        a solve per run where nobody reads it (the N-1 sweep's workers)."""
        self.air_solver = AirSolver(capture_index)
        # footprint alerts and floor load of the last footprints (``_footprint_key``)
        self._footprints: tuple | None = None
        self._geometry_alerts: list[Alert] = []
        self._floor: FloorLoad | None = None
        # room-unit ids and set-points of the last refined air solve; None: none to reuse
        self._air_units: tuple[list[str], np.ndarray] | None = None
        self._air_flow: np.ndarray | None = None    # rack airflows of that solve
        # the fabric, kept between runs: a rack move re-routes only that rack's links
        self._fabric = FabricBuilder()

    def run(self, layout: Layout, geometry_changed: bool = True,
            cancel: Callable[[], bool] | None = None,
            progress: Callable[[float, str], None] | None = None,
            coarse: bool = False) -> TwinResult:
        """Simulate ``layout`` (a snapshot). ``geometry_changed=False`` promises that only
        heat loads changed since the last run, so the airflow field is reused."""
        t0, cpu0 = time.perf_counter(), time.process_time()
        timing: dict[str, float] = {}
        r = layout.racks
        rack_ids = [str(x) for x in r.ids]
        rack_wl = inputs.rack_workloads(layout)
        demand = inputs.with_power_overrides(layout, evaluate_workloads(rack_wl))
        fabric = self._fabric.update(layout)
        if fabric is not None:    # the optics of each rack's cable ends (§23.4)
            demand = dataclasses.replace(
                demand, rack_power_w=demand.rack_power_w + fabric.rack_optics_w,
                rack_peak_power_w=demand.rack_peak_power_w + fabric.rack_optics_w)
        if layout.site.power_architecture == "dc800":
            demand = _on_dc800(layout, demand)
        liquid_frac = inputs.rack_liquid_fraction(layout)
        tank_demand_w, tank_demand_tokens = inputs.tank_loads(layout)
        timing["workload_s"] = time.perf_counter() - t0

        # a rack (or tank) without an energised feed draws nothing (docs/physics.md §4.7);
        # the design checks (2N failover) run on the demand
        t = time.perf_counter()
        optics_kw = fabric.rack_optics_w / 1e3 if fabric is not None else None
        chain, demand_feeds = inputs.power_inputs(layout, demand.rack_power_w / 1e3,
                                                  tank_demand_w / 1e3, optics_kw)
        powered = solve_power(chain, demand_feeds).rack_powered
        rack_on, tank_on = powered[:len(r)], powered[len(r):]
        fail = failover_analysis(chain, demand_feeds)
        timing["power_s"] = time.perf_counter() - t

        t = time.perf_counter()
        rack_w = np.where(rack_on, demand.rack_power_w, 0.0)
        liquid_w = rack_w * liquid_frac
        branches, loops, cdu_ids = inputs.liquid_inputs(layout, liquid_w)
        liq = solve_liquid(branches, loops) if loops is not None else None
        # racks their coolant cannot cool throttle, then shut down (§3.9)
        limits = limit_to_coolant(branches, liq, loops, rack_w, liquid_frac, _idle_power_w(rack_wl),
                                  STANDBY_FRACTION * inputs.rack_numbers(layout, "nameplate_kw") * 1e3)
        if limits.changed:
            rack_w, liquid_w = limits.power_w, limits.liquid_heat_w
            if loops is not None:
                branches = dataclasses.replace(branches, liquid_heat_w=liquid_w)
                liq = solve_liquid(branches, loops)
        air_w = rack_w - liquid_w
        wl = _delivered(demand, rack_w, _idle_power_w(rack_wl))
        tank_heat_w = np.where(tank_on, tank_demand_w, 0.0)
        tank_tokens = np.where(tank_on, tank_demand_tokens, 0.0)
        tank_ids: list[str] = []
        imm = None
        if len(tank_heat_w):
            tanks, tank_ids = inputs.immersion_inputs(layout, tank_heat_w)
            imm = solve_immersion(tanks)
        timing["liquid_s"] = time.perf_counter() - t

        t = time.perf_counter()
        air_res, unit_ids, setpoints = self._air(layout, air_w, geometry_changed, cancel,
                                                 progress, coarse)
        timing["air_s"] = time.perf_counter() - t

        t = time.perf_counter()
        chain, feeds = inputs.power_inputs(layout, rack_w / 1e3, tank_heat_w / 1e3, optics_kw)
        pres = solve_power(chain, feeds)
        timing["power_s"] += time.perf_counter() - t

        t = time.perf_counter()
        crah_fan_w = inputs.door_fan_power_w(layout)
        if air_res is not None:
            # (a given supply, after the room units, has no fan: docs/physics.md §2.3)
            enabled = (np.isfinite(air_res.unit_load_w) & (air_res.unit_load_w != 0))[:len(unit_ids)]
            crah_fan_w += float(np.sum(_room_fan_power_w(layout, unit_ids) * enabled))
        fac = facility_for(layout, pres, liq, imm, loops, float(air_w.sum()), crah_fan_w,
                           float(wl.tokens_per_s.sum() + tank_tokens.sum()))
        timing["facility_s"] = time.perf_counter() - t

        alerts: list[Alert] = []
        if air_res is not None:
            alerts += air_alerts(rack_ids, air_res.rack_inlet_mean_c, air_res.rack_inlet_max_c,
                                 unit_ids, air_res.unit_capacity_fraction,
                                 air_res.unit_supply_c, setpoints, layout.hall.ashrae_class)
        if liq is not None and loops is not None:   # a liquid result comes with its loops
            alerts += liquid_alerts(liq, loops, rack_ids, cdu_ids)
        if imm is not None:
            alerts += immersion_alerts(imm, tanks, tank_ids)
        alerts += power_alerts(pres, chain, feeds, rack_ids + tank_ids, fail)
        alerts += rack_state_alerts(rack_ids + tank_ids, np.concatenate([demand.rack_power_w, tank_demand_w]),
                                    powered, limits, cdu_ids)
        alerts += list(fac.alerts)
        alerts += inputs.supply_flow_alerts(layout)
        alerts += self._fabric.alerts()
        key = _footprint_key(layout)
        if key != self._footprints:
            self._footprints = key
            self._floor = floor_load(layout)
            self._geometry_alerts = (layout_alerts.geometry_alerts(layout)
                                     + floor_alerts(layout, self._floor))
        alerts += self._geometry_alerts
        alerts += layout_alerts.redundancy_alerts(
            layout, unit_ids=unit_ids,
            unit_load_kw=air_res.unit_load_w / 1e3 if air_res is not None else None,
            cdu_ids=cdu_ids, cdu_load_kw=liq.cdus.load_w / 1e3 if liq is not None else None,
            power_ids=list(chain.ids), power_kinds=list(chain.kind),
            power_rating_kw=pres.rating_kw, power_load_kw=pres.load_kw)
        alerts.sort(key=lambda a: (SEVERITY_ORDER.get(a.severity, 3), a.kind, a.target))
        gpus = int(inputs.rack_numbers(layout, "gpus").sum() + sum(t.gpus for t in layout.tanks.values()))
        econ = economics(layout, fac.facility_kw, fac.it_kw, fac.tokens_per_s, gpus)
        air_m = air_metrics(air_res, layout.hall.ashrae_class)
        air_m["usd_per_million_tokens"] = (econ.usd_per_million_tokens
                                           if econ.usd_per_million_tokens is not None else np.nan)
        timing["total_s"] = time.perf_counter() - t0
        timing["cpu_s"] = time.process_time() - cpu0     # unlike total_s, not slowed by a busy CPU
        return TwinResult(
            rack_ids=rack_ids, workload=wl, rack_power_kw=rack_w / 1e3,
            rack_liquid_heat_kw=liquid_w / 1e3, rack_air_heat_kw=air_w / 1e3, air=air_res,
            unit_ids=unit_ids, unit_setpoint_c=setpoints, liquid=liq, cdu_ids=cdu_ids,
            power=pres, failover=fail, power_ids=list(chain.ids), power_kinds=list(chain.kind),
            facility=fac, metrics=air_m, alerts=alerts,
            timing_s=timing, immersion=imm, tank_ids=tank_ids,
            rack_demand_kw=demand.rack_power_w / 1e3,
            rack_state=np.where(rack_on, limits.state, UNPOWERED), economics=econ,
            floor=self._floor, ashrae_class=layout.hall.ashrae_class, fabric=fabric)

    def maintain(self) -> bool:
        """Idle-time upkeep of the solver state (see ``AirSolver.maintain``)."""
        return self.air_solver.maintain()

    def _air(self, layout, air_w, geometry_changed, cancel, progress, coarse):
        """Air result, room-unit ids and set-points. A power-only run reuses the last
        refined solve's flow field and units: no scene is built (cooling units are
        geometry, so they did not change)."""
        # racks whose airflow follows their heat (airflow_m3s_per_kw) need a new flow field
        flow = inputs.rack_airflow_m3s(layout, air_w)
        if (self._air_units is not None and not geometry_changed and not coarse
                and self._air_flow is not None and np.array_equal(flow, self._air_flow)):
            unit_ids, setpoints = self._air_units
            return self.air_solver.update_power(air_w, cancel), unit_ids, setpoints
        self._air_units = None
        self._air_flow = flow
        scene, unit_ids = inputs.air_scene(layout, air_w)
        setpoints = scene.cooling.supply_setpoint_c[:len(unit_ids)]   # not a given supply
        if len(layout.racks) == 0 or not (scene.cooling.enabled.any()
                                          or (scene.racks.rdhx_capacity_w > 0).any()):
            if np.sum(air_w) > 0:
                raise SolveError(f"{np.sum(air_w) / 1e3:.1f} kW of rack heat goes to air but no "
                                 "cooling unit is enabled: no steady state, temperatures rise "
                                 "without bound")
            return None, unit_ids, setpoints
        res = self.air_solver.solve(scene, cancel, progress, coarse=coarse)
        if not coarse:
            self._air_units = (unit_ids, setpoints)
        return res, unit_ids, setpoints


def simulate(layout: Layout, **kw: Any) -> TwinResult:
    """One-shot simulation (CLI, tests)."""
    return Simulator().run(layout, **kw)


def air_metrics(air: AirResult | None, ashrae_class: str) -> dict[str, float]:
    """RCI, RTI, SHI/RHI and capture index from an air result (docs/physics.md §8 Metrics,
    §8.7 Air metrics with rear doors).

    Rear doors are cooling coils in series with their racks: supply and return
    temperatures are airflow-weighted over every coil that moves air (room
    units: return → supply; doors: the rack's own exhaust → the door outlet),
    ΔT_IT is the racks' own rise (air heat / ρ c_p V, before any door) and
    SHI/RHI use that pre-door exhaust.  Without doors these are the plain
    room-unit definitions.  The capture index counts door discharge as supply
    in proportion to the heat the door removed (see ``README_air.md``)."""
    if air is None or len(air.rack_inlet_mean_c) == 0:
        return {}
    flow = air.rack_airflow_m3s
    rise = air.rack_air_heat_w / (RHO_CP * flow)
    pre_door = air.rack_inlet_mean_c + rise
    on = np.isfinite(air.unit_return_c) & (air.unit_airflow_m3s > 0)
    door = air.rack_door_removed_w > 0
    coil_flow = np.concatenate([air.unit_airflow_m3s[on], flow[door]])
    have_coils = coil_flow.sum() > 0
    supply_c = (float(np.average(np.concatenate([air.unit_supply_c[on], air.rack_exhaust_c[door]]),
                                 weights=coil_flow)) if have_coils else float("nan"))
    return_c = (float(np.average(np.concatenate([air.unit_return_c[on], pre_door[door]]),
                                 weights=coil_flow)) if have_coils else float("nan"))
    dt_it = float(np.average(rise, weights=flow))
    lo, hi = metrics.ASHRAE_ALLOWABLE_C[ashrae_class]
    shi, rhi = (metrics.shi_rhi(supply_c, air.rack_inlet_mean_c, pre_door, flow)
                if have_coils and dt_it > 0 else (float("nan"), float("nan")))
    status = metrics.ashrae_status(air.rack_inlet_max_c, ashrae_class)
    return {
        "rci_hi_pct": metrics.rci_hi(air.rack_inlet_mean_c, 27.0, hi),
        "rci_lo_pct": metrics.rci_lo(air.rack_inlet_mean_c, 18.0, lo),
        "rti_pct": metrics.rti(return_c, supply_c, dt_it) if have_coils and dt_it > 0 else float("nan"),
        "shi": shi, "rhi": rhi,
        "capture_index": metrics.capture_index(air.rack_capture_index, flow),
        "worst_inlet_c": float(np.nanmax(air.rack_inlet_max_c)),
        "mean_inlet_c": float(np.average(air.rack_inlet_mean_c, weights=flow)),
        "racks_recommended": int(np.sum(status == metrics.STATUS_RECOMMENDED)),
        "racks_allowable_only": int(np.sum(status == metrics.STATUS_ALLOWABLE)),
        "racks_out_of_range": int(np.sum(status == metrics.STATUS_OUT_OF_RANGE)),
    }


def _on_dc800(layout: Layout, demand: WorkloadResult) -> WorkloadResult:
    """Rack inputs on 800 V DC: the 54 V load behind today's AC PSUs through DC/DC
    converters instead (docs/physics.md §17); the rest of the chain follows."""
    rated = inputs.rack_numbers(layout, "nameplate_kw") * 1e3
    return dataclasses.replace(
        demand, rack_power_w=power_arch.dc800_rack_input(demand.rack_power_w, rated),
        rack_peak_power_w=power_arch.dc800_rack_input(demand.rack_peak_power_w, rated))


def _footprint_key(layout: Layout) -> tuple:
    """What the footprint alerts and the floor load depend on: the hall, the racks'
    places, models and weights, and every placed item's place and model (not whether it
    runs: a failed unit stands where it stood). About 1 ms on the 1,440-rack hall."""
    r = layout.racks
    racks = tuple(np.asarray(r[f]).tobytes() for f in ("x_m", "y_m", "rotation_deg", "height_m",
                                                       "weight_kg"))
    items = tuple(tuple((it.id, it.model, it.x_m, it.y_m, it.rotation_deg, getattr(it, "rack", ""),
                         getattr(it, "location", "")) for it in layout.items[c].values())
                  for c in ("cooling_units", "cdus", "tanks"))
    return (layout.hall, id(layout.catalogue), tuple(r["model"].tolist()), tuple(map(str, r.ids)),
            racks, items, tuple(layout.containment.values()), tuple(layout.tiles.values()),
            tuple(layout.grilles.values()))


def _idle_power_w(w: RackWorkloads) -> np.ndarray:
    """Each rack's power with its GPUs idle: the floor a throttled rack cannot go below."""
    return w.n_gpus * w.gpu_idle_w + w.overhead_idle_w


def _delivered(demand: WorkloadResult, power_w: np.ndarray, floor_w: np.ndarray) -> WorkloadResult:
    """The workload result at the powers the racks run at: tokens scale with the power above
    the idle floor (docs/physics.md §3.9); a rack at its demand keeps its tokens, a rack at
    or below its floor (shut down, unpowered) makes none."""
    d = demand.rack_power_w
    span = d - floor_w
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(span > 0, np.clip((power_w - floor_w) / np.where(span > 0, span, 1.0), 0.0, 1.0),
                         0.0)
    share = np.where(power_w >= d, 1.0, share)
    return dataclasses.replace(demand, rack_power_w=power_w, tokens_per_s=demand.tokens_per_s * share)


def _room_fan_power_w(layout: Layout, unit_ids: list[str]) -> np.ndarray:
    cat = layout.catalogue
    return np.array([cat[layout.cooling_units[u].model].get("fan_power_kw") * 1e3
                     for u in unit_ids])
