"""Model snapshot -> physics inputs: the only place that knows both the layout and physics.

Parameters come from the layout or the catalogue. Assumptions made here (documented in the
README): rack fans move the catalogue airflow per kW of the rack's *nameplate* air heat,
independent of the workload (so a workload edit never changes the airflow field); a rack
without a workload idles; CDUs run N+1 pumps (one standby); the facility water of a CDU
is water; a rear-door heat exchanger belongs to the rack it names.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from twin.model import Layout
from twin.physics import liquid as lq
from twin.physics import power_arch as pa
from twin.physics import power as pw
from twin.physics.air import scene as air
from twin.physics.air.devices import terminal_flows
from twin.physics.facility import Alert
from twin.physics.fluids import PG25, WATER
from twin.physics.workload import (EFFICIENCY_POWER_CAP, EFFICIENCY_THROUGHPUT, KIND_CODES,
                                   RackWorkloads, WorkloadResult)

WATER_KG_PER_L = WATER.density_kgm3 / 1000.0


def rack_numbers(layout: Layout, name: str) -> np.ndarray:
    """One catalogue number per rack (models looked up once)."""
    cat = layout.catalogue
    models = layout.racks["model"]
    if not len(models):
        return np.zeros(0)
    uniq, inverse = _model_groups(models)
    return np.array([cat[m].get(name) for m in uniq], dtype=float)[inverse]


_last_groups: tuple = (None, None, None, None)


def _model_groups(models: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct models and each rack's index into them. One simulation asks for a dozen
    catalogue columns of the same rack table: the grouping (a sort of 1,440 strings,
    0.3 ms) is kept for the last model column seen, checked against a copy."""
    global _last_groups
    ref, copy, uniq, inverse = _last_groups
    if ref is models and np.array_equal(copy, models):
        return uniq, inverse
    uniq, inverse = np.unique(models.astype(str), return_inverse=True)
    _last_groups = (models, models.copy(), uniq, inverse)
    return uniq, inverse


_last_chain: tuple = (None, (), None, None)
_last_arch: list[str] = [""]             # the power architecture the last chain was built for


def _power_chain(layout: Layout) -> tuple[pw.PowerChain, dict[str, int]]:
    """The chain of ``layout.power`` and its id → index map; the last one is kept while
    the catalogue and every component object are the same (a workload edit: the
    hall's thousand components cost 2 ms to assemble)."""
    global _last_chain
    cat = layout.catalogue
    comps = tuple(layout.power.values())
    arch = layout.site.power_architecture
    held_cat, held, chain, index = _last_chain
    if (held_cat is cat and len(held) == len(comps) and all(a is b for a, b in zip(held, comps))
            and _last_arch[0] == arch):
        return chain, index
    index = {c.id: k for k, c in enumerate(comps)}
    by_model = {m: _loss_coefficients(cat[m]) for m in {c.model for c in comps}}
    if arch == "dc800":      # the same components as 800 V DC stages (docs/physics.md §17)
        coeffs = np.array([pa.DC800_STAGE_OF_KIND[c.kind].coefficients()
                           if c.kind in pa.DC800_STAGE_OF_KIND else by_model[c.model]
                           for c in comps], float).reshape(-1, 3)
    else:
        coeffs = np.array([by_model[c.model] for c in comps], float).reshape(-1, 3)
    _last_arch[0] = arch
    chain = pw.PowerChain(
        ids=tuple(c.id for c in comps), kind=tuple(c.kind for c in comps),
        parent=np.array([index.get(c.upstream, -1) for c in comps], np.int64),
        module_rating_kw=np.array([_unit_value(layout, c, "rating_kw") for c in comps]),
        side=tuple(c.side for c in comps), c0=coeffs[:, 0], c1=coeffs[:, 1], c2=coeffs[:, 2],
        failed=np.array([not c.enabled for c in comps], bool))
    _last_chain = (cat, comps, chain, index)
    return chain, index


def rack_workloads(layout: Layout) -> RackWorkloads:
    """Per-rack workload columns from the rack's workload and its catalogue model."""
    wl = layout.workloads
    refs = layout.racks["workload"]
    n = len(refs)
    kind = np.zeros(n, np.int64)
    util = np.zeros(n)
    prefill = np.zeros(n)
    decode = np.zeros(n)
    tokens_override = np.full(n, np.nan)
    capped = np.zeros(n, bool)
    for key, w in wl.items():
        mask = refs == key
        if not mask.any():
            continue
        kind[mask] = KIND_CODES[w.kind]
        capped[mask] = w.power_profile == "max_efficiency"
        util[mask] = w.utilisation
        if w.kind == "inference":  # utilisation = busy share, split prefill : decode
            busy = w.prefill_share + w.decode_share
            prefill[mask] = w.utilisation * (w.prefill_share / busy if busy > 0 else 0.5)
            decode[mask] = w.utilisation * (w.decode_share / busy if busy > 0 else 0.5)
        if w.tokens_per_s_per_gpu is not None:
            tokens_override[mask] = w.tokens_per_s_per_gpu
    tokens = np.where(np.isnan(tokens_override), rack_numbers(layout, "tokens_per_s_per_gpu"),
                      tokens_override)
    # the max-efficiency profile caps the GPUs' power and, with it, their throughput
    gpu_max = rack_numbers(layout, "gpu_max_w")
    gpu_idle = rack_numbers(layout, "gpu_idle_w")
    gpu_max = np.where(capped, np.maximum(gpu_max * EFFICIENCY_POWER_CAP, gpu_idle), gpu_max)
    tokens = np.where(capped, tokens * EFFICIENCY_THROUGHPUT, tokens)
    return RackWorkloads(
        kind=kind, n_gpus=rack_numbers(layout, "gpus"),
        gpu_idle_w=gpu_idle, gpu_max_w=gpu_max,
        gamma=rack_numbers(layout, "power_exponent"),
        overhead_idle_w=rack_numbers(layout, "overhead_idle_kw") * 1e3,
        overhead_max_w=rack_numbers(layout, "overhead_kw") * 1e3,
        utilisation=util, prefill_share=prefill, decode_share=decode,
        tokens_per_s_at_full_load=tokens)


def rack_liquid_fraction(layout: Layout) -> np.ndarray:
    """Share of each rack's heat taken by liquid: the rack's ``liquid_share``, else its
    model's ``liquid_fraction``."""
    own = layout.racks["liquid_share"]
    return np.where(np.isfinite(own), own, rack_numbers(layout, "liquid_fraction"))


def rack_power_w(layout: Layout, workload_power_w: np.ndarray) -> np.ndarray:
    """IT power of each rack: its measured/fixed ``power_kw`` where set, else the power
    of its model under its workload."""
    own = layout.racks["power_kw"]
    return np.where(np.isfinite(own), own * 1e3, workload_power_w)


def with_power_overrides(layout: Layout, result: WorkloadResult) -> WorkloadResult:
    """A workload result whose rack power is replaced by the racks' own ``power_kw``."""
    if not np.isfinite(layout.racks["power_kw"]).any():
        return result
    return dataclasses.replace(result, rack_power_w=rack_power_w(layout, result.rack_power_w))


def rack_airflow_m3s(layout: Layout, rack_air_heat_w: np.ndarray | None = None) -> np.ndarray:
    """Airflow of each rack (docs/physics.md §10), at least 1e-3 m3/s: its own
    ``airflow_m3s``; else its ``airflow_m3s_per_kw`` x its actual air heat (needs
    ``rack_air_heat_w``); else the catalogue rule, m3/s per kW x nameplate air heat
    (independent of the workload)."""
    r = layout.racks
    air_kw = rack_numbers(layout, "nameplate_kw") * (1 - rack_liquid_fraction(layout))
    flow = rack_numbers(layout, "airflow_m3s_per_kw") * air_kw
    per_kw = r["airflow_m3s_per_kw"]
    if rack_air_heat_w is not None:
        flow = np.where(np.isfinite(per_kw), per_kw * np.asarray(rack_air_heat_w) / 1e3, flow)
    flow = np.where(np.isfinite(r["airflow_m3s"]), r["airflow_m3s"], flow)
    return np.maximum(flow, 1e-3)


#: Coil capacity of the supply that stands for air delivered at a given temperature
#: (tiles or supply grilles with ``supply_c`` and no unit feeding them): it holds its
#: temperature whatever the load.
GIVEN_SUPPLY_CAPACITY_W = 1e12


def _feeds_supply(layout: Layout, u) -> bool:
    """An enabled air handler that pushes air into the plenum or the supply duct."""
    kind = layout.catalogue[u.model].kind
    return bool(u.enabled and kind == "crah"
                and (u.location != "hall" or layout.hall.raised_floor))


def _terminals(layout: Layout) -> list:
    """Supply terminals: the tiles of a raised floor, then the supply grilles."""
    tiles = list(layout.tiles.values()) if layout.hall.raised_floor else []
    return tiles + [g for g in layout.grilles.values() if g.kind == "supply"]


def given_supply(layout: Layout) -> tuple[float, float] | None:
    """(airflow m3/s, temperature C) of the supply the terminals state themselves
    (``supply_c`` with ``flow_m3s``) when no unit feeds them; None otherwise."""
    if any(_feeds_supply(layout, u) for u in layout.cooling_units.values()):
        return None
    given = [t for t in _terminals(layout) if t.supply_c is not None and t.flow_m3s]
    if not given:
        return None
    flow = sum(t.flow_m3s for t in given)
    return flow, sum(t.flow_m3s * t.supply_c for t in given) / flow


def supply_flow_alerts(layout: Layout) -> list[Alert]:
    """A warning when the given tile and supply-grille flows differ from what the units
    feeding them move: the flows are kept, the units move what the terminals deliver
    (docs/physics.md §2.3)."""
    fed = [u for u in layout.cooling_units.values() if _feeds_supply(layout, u)]
    terms = _terminals(layout)
    if not fed or not terms:
        return []
    units = sum(_unit_value(layout, u, "airflow_m3s") for u in fed)
    pitch = layout.hall.tile_pitch_m
    explicit = np.array([np.nan if t.flow_m3s is None else t.flow_m3s for t in terms])
    area = np.array([t.open_fraction * pitch ** 2 if hasattr(t, "open_fraction")
                     else t.width_m * t.length_m for t in terms])
    flows, scale = terminal_flows(explicit, area, np.ones(len(terms), bool), units)
    if abs(scale - 1.0) <= 1e-6 or units <= 0:
        return []
    given = float(np.nansum(explicit))
    return [Alert("warning", "supply_flow_mismatch", "hall",
                  f"the tiles and supply grilles are given {given:.2f} m\u00b3/s but the units "
                  f"feeding them move {units:.2f} m\u00b3/s: the given flows are kept and the "
                  f"units' airflow is scaled \u00d7{scale:.2f} to {flows.sum():.2f} m\u00b3/s")]


def _unit_value(layout: Layout, unit, field: str, catalogue_field: str | None = None) -> float:
    v = getattr(unit, field, None)
    return float(v) if v is not None else layout.catalogue[unit.model].get(catalogue_field or field)


def solver_settings(layout: Layout) -> air.SolverSettings:
    """The air solver's settings: the product's defaults with the recirculation constants
    the layout stores from a calibration (``air_calibration``, ``twin calibrate --write``)."""
    return dataclasses.replace(air.SolverSettings(),
                               **layout.air_calibration.constants)  # type: ignore[arg-type]


def air_scene(layout: Layout, rack_air_heat_w: np.ndarray,
              settings: air.SolverSettings | None = None) -> tuple[air.AirScene, list[str]]:
    """The air solver's scene (hall, racks with rear doors, room units, tiles, containment)
    and the ids of the room units in scene order."""
    cat, h, r = layout.catalogue, layout.hall, layout.racks
    grilles = list(layout.grilles.values())
    door_cap = np.zeros(len(r))
    door_sup = np.full(len(r), 18.0)
    room = []
    for u in layout.cooling_units.values():
        kind = cat[u.model].kind
        if kind == "rdhx":
            if u.enabled and r.has(u.rack):
                i = r.index_of(u.rack)
                door_cap[i] += _unit_value(layout, u, "capacity_kw") * 1e3
                door_sup[i] = _unit_value(layout, u, "supply_setpoint_c")
        else:
            room.append(u)
    # air delivered at a given temperature with no unit feeding it: one supply outside
    # the hall, after the room units (not in the returned unit ids)
    given = given_supply(layout)
    extra = [] if given is None else [given]
    cooling = air.CoolingUnits(
        kind=tuple(cat[u.model].kind for u in room) + ("crah",) * len(extra),
        center_xy_m=np.array([[u.x_m, u.y_m] for u in room]
                             + [[0.0, 0.0]] * len(extra)).reshape(-1, 2),
        size_m=np.array([cat[u.model].footprint_m for u in room]
                        + [(0.0, 0.0, 0.0)] * len(extra)).reshape(-1, 3),
        rotation_deg=np.array([u.rotation_deg for u in room] + [0] * len(extra), float),
        airflow_m3s=np.array([_unit_value(layout, u, "airflow_m3s") for u in room]
                             + [f for f, _c in extra]),
        capacity_w=np.array([_unit_value(layout, u, "capacity_kw") * 1e3 for u in room]
                            + [GIVEN_SUPPLY_CAPACITY_W] * len(extra)),
        supply_setpoint_c=np.array([_unit_value(layout, u, "supply_setpoint_c") for u in room]
                                   + [c for _f, c in extra]),
        enabled=np.array([u.enabled for u in room] + [True] * len(extra), bool),
        fan_heat_w=np.array([cat[u.model].get("fan_power_kw") * 1e3 for u in room]
                            + [0.0] * len(extra)),
        outside=np.array([u.location != "hall" for u in room] + [True] * len(extra), bool))
    racks = air.Racks(
        center_xy_m=np.column_stack([r["x_m"], r["y_m"]]), size_m=layout.rack_sizes_m(),
        rotation_deg=r["rotation_deg"].astype(float),
        airflow_m3s=rack_airflow_m3s(layout, rack_air_heat_w),
        air_heat_w=rack_air_heat_w, rdhx_capacity_w=door_cap, rdhx_supply_c=door_sup)
    tiles = list(layout.tiles.values())
    cont = list(layout.containment.values())
    return air.AirScene(
        hall=air.Hall(h.width_m, h.length_m, h.ceiling_height_m, h.raised_floor,
                      h.ceiling_return, h.ashrae_class),
        racks=racks, cooling=cooling,
        tiles=air.Tiles(np.array([[t.x_m, t.y_m] for t in tiles]).reshape(-1, 2), h.tile_pitch_m,
                        np.array([t.open_fraction for t in tiles]),
                        np.array([np.nan if t.flow_m3s is None else t.flow_m3s for t in tiles])),
        containment=air.Containment(
            np.array([[c.x0_m, c.y0_m, c.x1_m, c.y1_m] for c in cont]).reshape(-1, 4),
            tuple(c.kind for c in cont), np.array([c.height_m for c in cont]),
            np.array([c.roof for c in cont], bool), np.array([c.end_doors for c in cont], bool)),
        settings=settings or solver_settings(layout),
        grilles=air.Grilles(
            np.array([[g.x_m, g.y_m] for g in grilles]).reshape(-1, 2),
            np.array([[g.width_m, g.length_m] for g in grilles]).reshape(-1, 2),
            tuple(g.kind for g in grilles),
            np.array([np.nan if g.elevation_m is None else g.elevation_m for g in grilles]),
            np.array([g.height_m for g in grilles]),
            np.array([np.nan if g.flow_m3s is None else g.flow_m3s for g in grilles]))
    ), [u.id for u in room]


def door_fan_power_w(layout: Layout) -> float:
    """Fan power of enabled rear-door heat exchangers (room units are in the air scene)."""
    cat = layout.catalogue
    return sum(cat[u.model].get("fan_power_kw") * 1e3 for u in layout.cooling_units.values()
               if u.enabled and cat[u.model].kind == "rdhx")


def liquid_inputs(layout: Layout, rack_liquid_heat_w: np.ndarray
                  ) -> tuple[lq.LiquidBranches, lq.CduLoops | None, list[str]]:
    """CDU loops (None without CDUs) and rack cold-plate branches; taps ordered by distance
    from their CDU."""
    cat, r = layout.catalogue, layout.racks
    cdus = list(layout.cdus.values())
    index = {c.id: k for k, c in enumerate(cdus)}
    cdu_idx = np.array([index.get(c, -1) for c in r["cdu"]], np.int64)
    cdu_idx[rack_liquid_fraction(layout) <= 0] = -1
    cx = np.array([c.x_m for c in cdus] + [0.0])[cdu_idx]
    cy = np.array([c.y_m for c in cdus] + [0.0])[cdu_idx]
    distance = np.hypot(r["x_m"] - cx, r["y_m"] - cy)
    branch_k = rack_numbers(layout, "branch_k_pa_per_m3s2")
    branch_k = np.where(branch_k > 0, branch_k, np.inf)
    coolant = [PG25 if c.coolant == "PG25" else WATER for c in cdus]

    def num(c, field, cat_field=None):
        return _unit_value(layout, c, field, cat_field)
    loops = lq.CduLoops(
        ua_w_per_k=np.array([num(c, "ua_kw_per_k") * 1e3 for c in cdus]),
        facility_flow_kgs=np.array([c.facility_flow_lpm / 60.0 * WATER_KG_PER_L for c in cdus]),
        facility_supply_c=np.array([c.facility_supply_c for c in cdus]),
        capacity_w=np.array([num(c, "capacity_kw") * 1e3 for c in cdus]),
        pump_shutoff_pa=np.array([cat[c.model].get("pump_shutoff_kpa") * 1e3 for c in cdus]),
        pump_free_flow_m3s=np.array([cat[c.model].get("pump_max_flow_lps") / 1e3 for c in cdus]),
        n_pumps_installed=np.array([cat[c.model].get("pump_count") for c in cdus], int),
        n_pumps_duty=np.array([max(cat[c.model].get("pump_count") - 1, 1) for c in cdus], int),
        n_pumps_failed=np.array([c.failed_pumps for c in cdus], int),
        pump_efficiency=np.array([cat[c.model].get("pump_efficiency") for c in cdus]),
        series_k=np.array([cat[c.model].get("internal_k_pa_per_m3s2") for c in cdus]),
        header_segment_k=np.array([c.header_k_pa_per_m3s2 for c in cdus]),
        return_limit_c=np.array([c.return_limit_c for c in cdus]),
        coolant_density_kgm3=np.array([f.density_kgm3 for f in coolant]),
        coolant_cp_jkgk=np.array([f.cp_jkgk for f in coolant]),
        water_class=tuple(c.water_class for c in cdus),
    ) if cdus else None
    branches = lq.LiquidBranches(cdu_index=cdu_idx, liquid_heat_w=rack_liquid_heat_w,
                                 branch_k=branch_k, manifold_position=distance)
    return branches, loops, [c.id for c in cdus]


#: Share of an immersion tank's IT power drawn when its workload idles (estimate).
TANK_IDLE_FRACTION = 0.3


def tank_loads(layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """IT power (W) and tokens/s of each immersion tank: nameplate IT scaled linearly from
    ``TANK_IDLE_FRACTION`` at idle to 1 at full utilisation of its workload."""
    power, tokens = [], []
    for t in layout.tanks.values():
        w = layout.workloads.get(t.workload)
        u = 0.0 if w is None or w.kind == "idle" else w.utilisation
        power.append(t.it_kw * 1e3 * (TANK_IDLE_FRACTION + (1 - TANK_IDLE_FRACTION) * u))
        rate = w.tokens_per_s_per_gpu if w is not None and w.tokens_per_s_per_gpu else 0.0
        tokens.append(t.gpus * rate * u)
    return np.array(power, float), np.array(tokens, float)


def immersion_inputs(layout: Layout, tank_heat_w: np.ndarray) -> tuple[lq.ImmersionTanks, list[str]]:
    cat = layout.catalogue
    tanks = list(layout.tanks.values())
    fac = np.array([t.facility_flow_lpm / 60.0 * WATER_KG_PER_L for t in tanks])
    return lq.ImmersionTanks(
        heat_w=tank_heat_w, ua_w_per_k=np.array([cat[t.model].get("ua_kw_per_k") * 1e3 for t in tanks]),
        fluid_flow_kgs=fac * 2.0, facility_flow_kgs=fac,
        facility_supply_c=np.array([t.facility_supply_c for t in tanks]),
        capacity_w=np.array([cat[t.model].get("capacity_kw") * 1e3 for t in tanks]),
        max_bath_c=np.array([cat[t.model].get("max_bath_c") for t in tanks]),
        pump_power_w=np.array([cat[t.model].get("pump_power_kw") * 1e3 for t in tanks]),
    ), [t.id for t in tanks]


def _loss_coefficients(entry) -> tuple[float, float, float]:
    """(c0, c1, c2) of a power model from its catalogue efficiencies (lossless if none):
    the non-negative fit, so a stage's loss never falls as its load rises."""
    effs = (entry.get("efficiency_25", 1.0), entry.get("efficiency_50", 1.0),
            entry.get("efficiency_100", 1.0))
    return pw.monotonic_loss_coefficients(effs) if min(effs) < 1.0 else (0.0, 0.0, 0.0)


def power_inputs(layout: Layout, rack_power_kw: np.ndarray, tank_power_kw: np.ndarray,
                 rack_optics_kw: np.ndarray | None = None
                 ) -> tuple[pw.PowerChain, pw.RackFeeds]:
    """The chain as a tree of components and the A/B feeds of racks, then tanks.
    ``rack_optics_kw``: the fabric's pluggable optics in each rack (docs/physics.md §23),
    fed through the rack's feeds on top of its model's power shelves."""
    chain, index = _power_chain(layout)
    r, tanks = layout.racks, list(layout.tanks.values())
    fa = np.array([index.get(x, -1) for x in [*r["feed_a"], *(t.feed_a for t in tanks)]], np.int64)
    fb = np.array([index.get(x, -1) for x in [*r["feed_b"], *(t.feed_b for t in tanks)]], np.int64)
    load = np.concatenate([rack_power_kw, tank_power_kw])
    # Each rack feed (whip, breaker, rack PDU) is rated for the rack's power shelves, so
    # one side can carry the whole rack when the other fails.
    plate = rack_numbers(layout, "nameplate_kw")
    if rack_optics_kw is not None:
        plate = plate + rack_optics_kw
    rating = np.concatenate([plate, [t.it_kw for t in tanks]])
    return chain, pw.RackFeeds(dc_load_kw=load, feed_a=fa, feed_b=fb, feed_rating_kw=rating,
                               share_a=np.select([(fa >= 0) & (fb >= 0), fa >= 0], [0.5, 1.0], 0.0))
