"""Facility roll-up: power by part, PUE, tokens per kWh, energy closure, and alerts.

Power: facility (utility meter) = IT (rack inputs) + electrical-chain losses + cooling
power (CRAH fans, CDU and immersion pumps, facility and condenser pumps, chillers,
heat-rejection fans) [+ losses of the mechanical distribution].  PUE = facility / IT
(The Green Grid); tokens per kWh = tokens/s × 3600 / facility kW ("grid-to-token").

Heat: every watt drawn ends as heat.  Rack heat splits into liquid (CDU loops, immersion)
and air; CRAH coils take the air heat plus fan heat plus the share of electrical losses
released indoors (and CDU pump heat not given to the coolant); the plant rejects the
facility-water heat plus its own pump and chiller power; heat-rejection fan power and
outdoor losses go straight to the atmosphere.  :func:`evaluate_facility` adds those paths
up independently of the power roll-up and returns the relative residual
(heat rejected − facility power) / facility power, ≈ 1e-15 when the inputs are consistent.

Alerts are :class:`Alert` records (severity "critical" | "warning" | "info", a kind, a
target id and a message with numbers and units), built by :func:`liquid_alerts`,
:func:`immersion_alerts`, :func:`power_alerts`, :func:`plant_alerts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .liquid import (ASHRAE_W_CLASS_MAX_SUPPLY_C, CAUSE_NO_FLOW, CAUSE_NO_LOOP, SHUTDOWN, THROTTLED,
                     CduLoops, CoolantLimits, ImmersionResult, ImmersionTanks, LiquidResult)
from .metrics import pue, tokens_per_kwh
from .plant import PlantResult, PlantSpec, solve_plant
from .power import FailoverResult, PowerChain, PowerResult, RackFeeds

__all__ = ["Alert", "FacilityResult", "evaluate_facility",
           "liquid_alerts", "immersion_alerts", "power_alerts", "plant_alerts", "rack_state_alerts"]

CRITICAL, WARNING, INFO = "critical", "warning", "info"


@dataclass(frozen=True)
class Alert:
    severity: str     # "critical" | "warning" | "info"
    kind: str
    target: str
    message: str


@dataclass(frozen=True)
class FacilityResult:
    it_kw: float
    electrical_loss_kw: float          # IT chain losses + mechanical distribution losses
    crah_fan_kw: float
    cdu_pump_kw: float
    immersion_pump_kw: float
    facility_pump_kw: float            # facility water + condenser water pumps
    chiller_kw: float
    rejection_fan_kw: float
    cooling_kw: float
    facility_kw: float
    pue: float
    tokens_per_s: float
    tokens_per_kwh: float
    liquid_heat_share: float           # (CDU + immersion rack heat) / IT
    heat_to_liquid_kw: float
    heat_to_air_kw: float              # CRAH coil load
    heat_rejected_kw: float
    energy_residual: float             # (heat rejected − facility power) / facility power
    plant: PlantResult                 # the facility-water plant (liquid loops, and coils if shared)
    alerts: tuple = field(default_factory=tuple)
    air_plant: PlantResult | None = None   # separate chilled-water plant of the air units


def evaluate_facility(
    power: PowerResult,
    plant_spec: PlantSpec,
    ambient_dry_bulb_c: float,
    ambient_wet_bulb_c: float | None = None,
    *,
    liquid: LiquidResult | None = None,
    immersion: ImmersionResult | None = None,
    rack_air_heat_w: float | None = None,
    crah_fan_power_w=0.0,
    crah_water_delta_t_k: float = 6.0,
    cdu_pump_heat_to_coolant: float | np.ndarray = 1.0,
    loss_heat_indoor_fraction: float = 1.0,
    mechanical_distribution_efficiency: float = 1.0,
    tokens_per_s: float = 0.0,
    air_plant_spec: PlantSpec | None = None,
) -> FacilityResult:
    """Roll the facility up from solved parts and solve the plant for the total heat.

    ``rack_air_heat_w`` defaults to IT − liquid rack heat − immersion heat (the rack heat
    not taken by liquid).  ``cdu_pump_heat_to_coolant`` must match the CduLoops value used
    for ``liquid`` (the rest of the pump power heats the room air).  With
    ``air_plant_spec`` the air units' coils are served by their own chilled-water plant;
    otherwise they share the facility water of ``plant_spec``.
    """
    it_w = power.it_kw * 1e3
    liq_rack_w = float(liquid.cdus.rack_load_w.sum()) if liquid is not None else 0.0
    cdu_pump_w = liquid.cdus.pump_power_w if liquid is not None else np.zeros(0)
    cdu_fac_w = float(np.sum(liquid.cdus.facility_heat_w)) if liquid is not None else 0.0
    # facility-water streams that carry heat: (mass flow, return temperature)
    streams_m, streams_t = [], []
    if liquid is not None:
        on = liquid.cdus.load_w > 0
        streams_m.append(liquid.cdus.facility_flow_kgs[on])
        streams_t.append(liquid.cdus.facility_return_c[on])
    if immersion is not None:
        on = immersion.load_w > 0
        streams_m.append(immersion.facility_flow_kgs[on])
        streams_t.append(immersion.facility_return_c[on])
    imm_rack_w = float(np.sum(immersion.load_w - immersion.pump_power_w)) if immersion is not None else 0.0
    imm_pump_w = float(np.sum(immersion.pump_power_w)) if immersion is not None else 0.0
    imm_fac_w = float(np.sum(immersion.facility_heat_w)) if immersion is not None else 0.0
    if rack_air_heat_w is None:
        rack_air_heat_w = it_w - liq_rack_w - imm_rack_w
    crah_fan_w = float(np.sum(crah_fan_power_w))
    cdu_pump_total = float(np.sum(cdu_pump_w))
    pump_to_room = float(np.sum(cdu_pump_w * (1.0 - np.asarray(cdu_pump_heat_to_coolant, float))))
    chain_loss_w = power.chain_loss_kw * 1e3
    loss_in_w = chain_loss_w * loss_heat_indoor_fraction
    coil_w = rack_air_heat_w + crah_fan_w + loss_in_w + pump_to_room

    # plant(s): the CRAH coils join the liquid loops' facility water, or run on their own
    # chilled-water plant (``air_plant_spec``) — the usual split in a liquid-cooled hall.
    air_spec = air_plant_spec or plant_spec
    coil_m = coil_w / (air_spec.facility_cp_jkgk * crah_water_delta_t_k) if coil_w > 0 else 0.0
    coil_t = air_spec.supply_setpoint_c + crah_water_delta_t_k
    air_pl = None
    if air_plant_spec is not None:
        air_pl = solve_plant(air_plant_spec, coil_w, coil_m, ambient_dry_bulb_c,
                             ambient_wet_bulb_c, return_c=coil_t if coil_w > 0 else None)
    elif coil_w > 0:
        streams_m.append(np.array([coil_m]))
        streams_t.append(np.array([coil_t]))
    m_all = np.concatenate(streams_m) if streams_m else np.zeros(0)
    t_all = np.concatenate(streams_t) if streams_t else np.zeros(0)
    flow = float(m_all.sum())
    heat_in = cdu_fac_w + imm_fac_w + (coil_w if air_pl is None else 0.0)
    ret = float(np.sum(m_all * t_all) / flow) if flow > 0 and np.all(np.isfinite(t_all)) else None
    pl = solve_plant(plant_spec, heat_in, flow, ambient_dry_bulb_c, ambient_wet_bulb_c, return_c=ret)
    plants = [pl] if air_pl is None else [pl, air_pl]

    def total(name: str) -> float:
        return float(sum(getattr(p, name) for p in plants))
    plant_power_w = float(sum(p.total_power_w for p in plants))
    cooling_w = crah_fan_w + cdu_pump_total + imm_pump_w + plant_power_w
    mech_loss_w = cooling_w * (1.0 / mechanical_distribution_efficiency - 1.0)
    facility_w = it_w + chain_loss_w + mech_loss_w + cooling_w
    rejected_w = total("heat_rejected_w") + chain_loss_w * (1.0 - loss_heat_indoor_fraction) + mech_loss_w
    residual = (rejected_w - facility_w) / facility_w if facility_w > 0 else 0.0
    fac_kw = facility_w / 1e3
    alerts = plant_alerts(pl) + (plant_alerts(air_pl, "chilled-water plant") if air_pl else [])
    return FacilityResult(
        it_kw=power.it_kw, electrical_loss_kw=(chain_loss_w + mech_loss_w) / 1e3, crah_fan_kw=crah_fan_w / 1e3,
        cdu_pump_kw=cdu_pump_total / 1e3, immersion_pump_kw=imm_pump_w / 1e3,
        facility_pump_kw=(total("facility_pump_power_w") + total("condenser_pump_power_w")) / 1e3,
        chiller_kw=total("chiller_power_w") / 1e3, rejection_fan_kw=total("rejection_fan_power_w") / 1e3,
        cooling_kw=cooling_w / 1e3, facility_kw=fac_kw, pue=pue(fac_kw, power.it_kw),
        tokens_per_s=float(tokens_per_s), tokens_per_kwh=tokens_per_kwh(tokens_per_s * 3600.0, fac_kw),
        liquid_heat_share=(liq_rack_w + imm_rack_w) / it_w if it_w > 0 else 0.0,
        heat_to_liquid_kw=(cdu_fac_w + imm_fac_w) / 1e3, heat_to_air_kw=coil_w / 1e3,
        heat_rejected_kw=rejected_w / 1e3, energy_residual=float(residual), plant=pl,
        alerts=tuple(alerts), air_plant=air_pl,
    )


# ----------------------------------------------------------------------------- alerts

def _ids(ids, n, prefix):
    return [f"{prefix}[{i}]" for i in range(n)] if ids is None else [str(x) for x in ids]


def liquid_alerts(result: LiquidResult, cdus: CduLoops, rack_ids: Sequence | None = None,
                  cdu_ids: Sequence | None = None, critical_flow_fraction: float = 0.75,
                  near_capacity_fraction: float = 0.9) -> list[Alert]:
    """Rack flow below need, coolant return above limit, CDU/pump over capacity, W class."""
    r, c = result.racks, result.cdus
    rid = _ids(rack_ids, len(r.flow_lpm), "rack")
    cid = _ids(cdu_ids, len(c.load_w), "cdu")
    out: list[Alert] = []
    for i in np.flatnonzero(np.nan_to_num(r.shortfall_lpm) > 1e-9):
        sev = CRITICAL if r.flow_lpm[i] < critical_flow_fraction * r.need_lpm[i] else WARNING
        out.append(Alert(sev, "coolant_flow_low", rid[i],
                         f"coolant flow {r.flow_lpm[i]:.1f} L/min is below the need {r.need_lpm[i]:.1f} L/min "
                         f"for {r.liquid_heat_w[i] / 1e3:.1f} kW (short {r.shortfall_lpm[i]:.1f} L/min)"))
    for j in range(len(c.load_w)):
        tag = cid[j]
        lim = cdus.return_limit_c[j]
        if c.loop_return_c[j] > lim:
            out.append(Alert(CRITICAL, "coolant_return_high", tag,
                             f"loop return {c.loop_return_c[j]:.1f} °C is above the limit {lim:.1f} °C"))
        if c.capacity_fraction[j] > 1.0:
            out.append(Alert(CRITICAL, "cdu_over_capacity", tag,
                             f"CDU load {c.load_w[j] / 1e3:.1f} kW is {c.capacity_fraction[j] * 100:.0f}% of its "
                             f"{cdus.capacity_w[j] / 1e3:.1f} kW capacity"))
        elif c.capacity_fraction[j] > near_capacity_fraction:
            out.append(Alert(WARNING, "cdu_near_capacity", tag,
                             f"CDU load {c.load_w[j] / 1e3:.1f} kW is {c.capacity_fraction[j] * 100:.0f}% of its "
                             f"{cdus.capacity_w[j] / 1e3:.1f} kW capacity"))
        if c.pump_runout_fraction[j] > 1.0 - 1e-12 or (c.n_pumps_running[j] > 0 and c.pump_dp_kpa[j] <= 0):
            out.append(Alert(CRITICAL, "pump_over_capacity", tag,
                             f"each pump runs at {c.pump_flow_lpm[j]:.0f} L/min, beyond its curve "
                             f"({cdus.pump_free_flow_m3s[j] * 60000 * cdus.pump_speed_fraction[j]:.0f} L/min free flow)"))
        elif c.pump_runout_fraction[j] > 0.9:
            out.append(Alert(WARNING, "pump_over_capacity", tag,
                             f"each pump runs at {c.pump_flow_lpm[j]:.0f} L/min, {c.pump_runout_fraction[j] * 100:.0f}% "
                             f"of its free flow (head {c.pump_dp_kpa[j]:.0f} kPa)"))
        avail = cdus.n_pumps_installed[j] - cdus.n_pumps_failed[j]
        if avail < cdus.n_pumps_duty[j]:
            out.append(Alert(CRITICAL, "pumps_failed", tag,
                             f"{max(avail, 0)} of {cdus.n_pumps_duty[j]} duty pumps available "
                             f"({cdus.n_pumps_failed[j]} failed); loop flow {c.flow_lpm[j]:.0f} L/min"))
        elif avail == cdus.n_pumps_duty[j] and cdus.n_pumps_installed[j] > cdus.n_pumps_duty[j]:
            out.append(Alert(WARNING, "pump_redundancy_lost", tag,
                             f"no standby pump left ({cdus.n_pumps_failed[j]} of {cdus.n_pumps_installed[j]} failed)"))
        wmax = ASHRAE_W_CLASS_MAX_SUPPLY_C[cdus.water_class[j]]
        if cdus.facility_supply_c[j] > wmax:
            out.append(Alert(WARNING, "facility_water_above_class", tag,
                             f"facility water supply {cdus.facility_supply_c[j]:.1f} °C is above "
                             f"{cdus.water_class[j]} (max {wmax:.0f} °C)"))
    on = np.flatnonzero(r.cdu_index >= 0)
    lim = cdus.return_limit_c[r.cdu_index[on]]
    for i in on[r.return_c[on] > lim]:
        j = r.cdu_index[i]
        out.append(Alert(CRITICAL, "coolant_return_high", rid[i],
                         f"coolant return {r.return_c[i]:.1f} °C is above the limit {cdus.return_limit_c[j]:.1f} °C "
                         f"({r.flow_lpm[i]:.1f} L/min for {r.liquid_heat_w[i] / 1e3:.1f} kW)"))
    return out


def immersion_alerts(result: ImmersionResult, tanks: ImmersionTanks, tank_ids: Sequence | None = None) -> list[Alert]:
    tid = _ids(tank_ids, len(result.load_w), "tank")
    out = []
    for i in range(len(result.load_w)):
        if result.capacity_fraction[i] > 1.0:
            out.append(Alert(CRITICAL, "immersion_over_capacity", tid[i],
                             f"tank load {result.load_w[i] / 1e3:.1f} kW is {result.capacity_fraction[i] * 100:.0f}% "
                             f"of its {tanks.capacity_w[i] / 1e3:.1f} kW capacity"))
        if result.bath_c[i] > tanks.max_bath_c[i]:
            out.append(Alert(CRITICAL, "immersion_bath_high", tid[i],
                             f"bath {result.bath_c[i]:.1f} °C is above the limit {tanks.max_bath_c[i]:.1f} °C"))
    return out


def power_alerts(result: PowerResult, chain: PowerChain, racks: RackFeeds, rack_ids: Sequence | None = None,
                 failover: FailoverResult | None = None, near_rating_fraction: float = 0.9) -> list[Alert]:
    """Component/feed over rating, lost redundancy, unpowered racks, 2N side unable to carry the load."""
    rid = _ids(rack_ids, racks.n, "rack")
    out = []
    flagged = np.asarray(result.energised, bool) & (
        (np.asarray(result.load_fraction) > near_rating_fraction)
        | np.asarray(result.redundancy_lost, bool))
    for i in np.flatnonzero(flagged):      # (a thousand components: text only for alerts)
        f = result.load_fraction[i]
        desc = f"{chain.kind[i]} load {result.load_kw[i]:.1f} kW is {f * 100:.0f}% of {result.rating_kw[i]:.1f} kW"
        if f > 1.0:
            out.append(Alert(CRITICAL, "component_overload", chain.ids[i], desc))
        elif f > near_rating_fraction:
            out.append(Alert(WARNING, "component_near_rating", chain.ids[i], desc))
        if result.redundancy_lost[i]:
            out.append(Alert(WARNING, "redundancy_lost", chain.ids[i],
                             f"{chain.kind[i]} load {result.load_kw[i]:.1f} kW exceeds the capacity left after one more "
                             f"module failure ({max(chain.n_modules[i] - chain.n_failed[i] - 1, 0) * chain.module_rating_kw[i]:.1f} kW)"))
    for i in np.flatnonzero(~result.rack_powered & (racks.dc_load_kw > 0)):
        out.append(Alert(CRITICAL, "rack_unpowered", rid[i], f"no energised feed for {racks.dc_load_kw[i]:.1f} kW"))
    for i in np.flatnonzero((racks.feed_a < 0) & (racks.feed_b < 0) & (racks.dc_load_kw > 0)):
        out.append(Alert(INFO, "no_power_feed", rid[i],
                         f"no feed assigned: {racks.dc_load_kw[i]:.1f} kW counted at the utility "
                         "meter without chain losses"))
    for side, loads in (("A", result.rack_feed_a_kw), ("B", result.rack_feed_b_kw)):
        for i in np.flatnonzero(loads > racks.feed_rating_kw):
            out.append(Alert(CRITICAL, "feed_overload", rid[i],
                             f"feed {side} carries {loads[i]:.1f} kW, rating {racks.feed_rating_kw[i]:.1f} kW"))
    if failover is not None:
        lost_of = {"A": "B lost", "B": "A lost"}
        for survivor, ok in failover.side_carries_all.items():
            if ok:
                continue
            scen = lost_of[survivor]
            over = failover.overloaded[scen]
            parts = [f"{chain.ids[i]} at {failover.worst_load_fraction[i] * 100:.0f}%" for i in over[:5]]
            n_lost = len(failover.unpowered_racks[scen])
            msg = f"side {survivor} cannot carry the load when side {scen[0]} fails"
            if parts:
                msg += ": " + ", ".join(parts)
            if n_lost:
                msg += f"; {n_lost} rack(s) lose power"
            out.append(Alert(CRITICAL, "side_cannot_carry_load", f"side {survivor}", msg))
    return out


def rack_state_alerts(ids: Sequence, demand_w, powered, limits: CoolantLimits,
                      cdu_ids: Sequence = ()) -> list[Alert]:
    """Racks (then tanks) that do not run at their demand (docs/physics.md §3.9, §4.7):
    ``rack_unpowered`` (no energised feed), ``rack_throttled`` and ``rack_shutdown`` (their
    coolant cannot cool them), all critical, with the reason.  ``limits`` covers the racks,
    the first ``len(limits.state)`` entries of ``ids``."""
    d = np.asarray(demand_w, float)
    out = []

    def cdu(i):
        k = int(limits.cdu_index[i])
        return f" of {cdu_ids[k]}" if 0 <= k < len(cdu_ids) else ""
    for i in np.flatnonzero(~np.asarray(powered, bool) & (d > 0)):
        what = "rack" if i < len(limits.state) else "tank"
        out.append(Alert(CRITICAL, "rack_unpowered", str(ids[int(i)]),
                         f"no energised feed: the {what} draws 0 kW of its {d[i] / 1e3:.1f} kW demand "
                         "(no heat, no tokens)"))
    for i in np.flatnonzero(limits.state == THROTTLED):
        out.append(Alert(CRITICAL, "rack_throttled", str(ids[int(i)]),
                         f"throttled to {limits.power_w[i] / 1e3:.1f} kW of its {d[i] / 1e3:.1f} kW demand: "
                         f"coolant return held at the {limits.throttle_c[i]:.1f} °C limit{cdu(i)}"))
    for i in np.flatnonzero(limits.state == SHUTDOWN):
        if limits.cause[i] == CAUSE_NO_LOOP:
            why = "liquid-cooled but on no coolant loop"
        elif limits.cause[i] == CAUSE_NO_FLOW:
            why = f"no coolant flow{cdu(i).replace(' of ', ' from ')} (pumps failed or valve closed)"
        else:
            why = (f"even at its idle floor the coolant return would pass "
                   f"{limits.throttle_c[i] + limits.margin_k:.1f} °C (the {limits.throttle_c[i]:.1f} °C "
                   f"limit{cdu(i)} + {limits.margin_k:g} K)")
        out.append(Alert(CRITICAL, "rack_shutdown", str(ids[int(i)]),
                         f"shut down to {limits.power_w[i] / 1e3:.1f} kW standby of its {d[i] / 1e3:.1f} kW "
                         f"demand: {why}"))
    return out


def plant_alerts(plant: PlantResult, target: str = "plant") -> list[Alert]:
    out = []
    if plant.chiller_unmet_w > 1e-6:
        out.append(Alert(CRITICAL, "chiller_capacity", target,
                         f"chillers cannot meet {plant.chiller_unmet_w / 1e3:.1f} kW of "
                         f"{plant.chiller_load_w / 1e3:.1f} kW at {plant.supply_c:.1f} °C supply"))
    if plant.rejection_overloaded:
        out.append(Alert(WARNING, "heat_rejection_capacity", target,
                         f"heat rejection {plant.heat_rejected_w / 1e3:.1f} kW is above the design capacity"))
    return out
