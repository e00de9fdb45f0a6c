"""Results as plain JSON-ready data (``twin simulate --json``), with facility units."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from twin.engine import fabric_export
from twin.engine.inputs import solver_settings
from twin.model.calibration import BOUNDS
from twin.engine.simulate import RACK_STATE_NAMES, TwinResult
from twin.model import Layout
from twin.physics.metrics import ashrae_status, worst_inlet_index

STATUS_NAMES = ("recommended", "allowable", "out_of_range")


def clean(value: Any) -> Any:
    """numpy -> Python; NaN and infinities -> None (JSON has no NaN)."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _r(x: float, nd: int = 3) -> float:
    return round(float(x), nd)


def _opt(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else _r(x, nd)


def racks_doc(layout: Layout, res: TwinResult) -> list[dict[str, Any]]:
    air, liq = res.air, res.liquid
    status = (ashrae_status(air.rack_inlet_max_c, layout.hall.ashrae_class)
              if air is not None else None)
    out = []
    for i, rid in enumerate(res.rack_ids):
        d = {"id": rid, "model": layout.racks["model"][i],
             "power_kw": _r(res.rack_power_kw[i]),
             "tokens_per_s": _r(res.workload.tokens_per_s[i], 1),
             "air_heat_kw": _r(res.rack_air_heat_kw[i]),
             "liquid_heat_kw": _r(res.rack_liquid_heat_kw[i])}
        if res.rack_state is not None and res.rack_demand_kw is not None:
            d.update(state=RACK_STATE_NAMES[int(res.rack_state[i])],
                     demand_kw=_r(res.rack_demand_kw[i]))
        if air is not None and status is not None:   # status comes with the air result
            d.update(inlet_c=_r(air.rack_inlet_mean_c[i]), inlet_max_c=_r(air.rack_inlet_max_c[i]),
                     exhaust_c=_r(air.rack_exhaust_c[i]), airflow_m3s=_r(air.rack_airflow_m3s[i], 4),
                     capture_index=_r(air.rack_capture_index[i], 4),
                     ashrae=STATUS_NAMES[int(status[i])])
        if liq is not None and liq.racks.cdu_index[i] >= 0:
            b = liq.racks
            d.update(coolant_flow_lpm=_r(b.flow_lpm[i], 2), coolant_supply_c=_r(b.supply_c[i]),
                     coolant_return_c=_r(b.return_c[i]), coolant_dp_kpa=_r(b.dp_kpa[i], 2),
                     coolant_need_lpm=_r(b.need_lpm[i], 2))
        out.append(d)
    return out


def cooling_units_doc(res: TwinResult) -> list[dict[str, Any]]:
    air = res.air
    if air is None:
        return []
    return [{"id": uid, "load_kw": _r(air.unit_load_w[j] / 1e3), "return_c": _r(air.unit_return_c[j]),
             "supply_c": _r(air.unit_supply_c[j]), "setpoint_c": _r(res.unit_setpoint_c[j]),
             "capacity_pct": _r(air.unit_capacity_fraction[j] * 100, 2)}
            for j, uid in enumerate(res.unit_ids)]


def liquid_doc(res: TwinResult) -> dict[str, Any]:
    doc: dict[str, Any] = {"cdus": [], "immersion_tanks": []}
    if res.liquid is not None:
        c = res.liquid.cdus
        doc["cdus"] = [{
            "id": cid, "load_kw": _r(c.load_w[j] / 1e3), "capacity_pct": _r(c.capacity_fraction[j] * 100, 2),
            "flow_lpm": _r(c.flow_lpm[j], 1), "loop_supply_c": _r(c.loop_supply_c[j]),
            "loop_return_c": _r(c.loop_return_c[j]), "approach_k": _r(c.approach_k[j]),
            "pumps_running": int(c.n_pumps_running[j]), "pump_dp_kpa": _r(c.pump_dp_kpa[j], 1),
            "pump_power_kw": _r(c.pump_power_w[j] / 1e3), "effectiveness": _r(c.effectiveness[j], 4),
            "facility_supply_c": _r(c.facility_supply_c[j]),
            "facility_return_c": _r(c.facility_return_c[j])} for j, cid in enumerate(res.cdu_ids)]
        doc["newton_iterations"] = res.liquid.newton_iterations
        doc["converged"] = bool(res.liquid.converged)
    if res.immersion is not None:
        t = res.immersion
        doc["immersion_tanks"] = [{
            "id": tid, "load_kw": _r(t.load_w[j] / 1e3), "capacity_pct": _r(t.capacity_fraction[j] * 100, 2),
            "bath_c": _r(t.bath_c[j]), "facility_return_c": _r(t.facility_return_c[j])}
            for j, tid in enumerate(res.tank_ids)]
    return doc


def power_doc(res: TwinResult) -> dict[str, Any]:
    p, f = res.power, res.failover
    comps = [{"id": cid, "kind": res.power_kinds[i], "load_kw": _r(p.load_kw[i]),
              "rating_kw": _r(p.rating_kw[i]), "load_pct": _r(p.load_fraction[i] * 100, 2),
              "loss_kw": _r(p.loss_kw[i]), "energised": bool(p.energised[i]),
              "worst_failover_pct": _r(f.worst_load_fraction[i] * 100, 2),
              "worst_failover_scenario": f.worst_scenario[i]}
             for i, cid in enumerate(res.power_ids)]
    return {"components": comps, "utility_kw": _r(p.utility_kw), "it_kw": _r(p.it_kw),
            "chain_loss_kw": _r(p.chain_loss_kw), "side_carries_all": dict(f.side_carries_all)}


def _plant_doc(pl) -> dict[str, Any]:
    return {"mode": pl.mode, "supply_c": _r(pl.supply_c), "return_c": _r(pl.return_c),
            "heat_kw": _r(pl.heat_in_w / 1e3), "economiser_kw": _r(pl.economiser_heat_w / 1e3),
            "chiller_load_kw": _r(pl.chiller_load_w / 1e3), "chiller_cop": _r(pl.chiller_cop),
            "chillers_running": pl.chillers_running, "chiller_power_kw": _r(pl.chiller_power_w / 1e3),
            "chiller_unmet_kw": _r(pl.chiller_unmet_w / 1e3)}


def metrics_doc(res: TwinResult) -> dict[str, Any]:
    f = res.facility
    m: dict[str, Any] = {k: (_r(v, 4) if isinstance(v, float) else v)
                         for k, v in res.metrics.items()}
    m.update(it_power_kw=_r(f.it_kw), facility_power_kw=_r(f.facility_kw),
             cooling_power_kw=_r(f.cooling_kw), electrical_loss_kw=_r(f.electrical_loss_kw),
             pue=_r(f.pue, 4), tokens_per_s=_r(f.tokens_per_s, 1),
             tokens_per_kwh=_r(f.tokens_per_kwh, 1), liquid_share=_r(f.liquid_heat_share, 4),
             worst_inlet_rack=_worst_inlet_id(res),
             cooling_by_part_kw={"air_unit_fans": _r(f.crah_fan_kw), "cdu_pumps": _r(f.cdu_pump_kw),
                                 "immersion_pumps": _r(f.immersion_pump_kw),
                                 "facility_pumps": _r(f.facility_pump_kw), "chillers": _r(f.chiller_kw),
                                 "heat_rejection_fans": _r(f.rejection_fan_kw)})
    return m


def _worst_inlet_id(res: TwinResult) -> str | None:
    air = res.air
    if air is None:
        return None
    i = worst_inlet_index(air.rack_inlet_max_c, air.rack_inlet_mean_c, res.rack_ids)
    return res.rack_ids[i] if i >= 0 else None


def worst_inlet_entry(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The rack entry of ``doc`` with the worst inlet: the one the JSON names
    (``metrics.worst_inlet_rack``, chosen by ``metrics.worst_inlet_index`` on the
    unrounded result), else the same rule on the document's figures."""
    racks = [r for r in doc["racks"] if r.get("inlet_max_c") is not None]
    named = doc.get("metrics", {}).get("worst_inlet_rack")
    for r in racks:
        if r["id"] == named:
            return r
    i = worst_inlet_index([r["inlet_max_c"] for r in racks],
                          [r.get("inlet_c") if r.get("inlet_c") is not None else float("nan")
                           for r in racks], [r["id"] for r in racks])
    return racks[i] if i >= 0 else None


def economics_doc(res: TwinResult) -> dict[str, Any] | None:
    """Capital cost by group, energy cost and USD per million tokens (USD, rounded)."""
    e = res.economics
    if e is None:
        return None
    return {"capex_usd": {k: _r(v) for k, v in e.capex_usd.items()},
            "capex_total_usd": _r(e.capex_total_usd),
            "capex_per_year_usd": _r(e.capex_per_year_usd),
            "energy_kwh_per_year": _r(e.energy_kwh_per_year),
            "energy_usd_per_year": _r(e.energy_usd_per_year),
            "cost_per_year_usd": _r(e.cost_per_year_usd),
            "tokens_per_year": _r(e.tokens_per_year), "gpus": e.gpus,
            "usd_per_million_tokens": _opt(e.usd_per_million_tokens, 4),
            "energy_usd_per_million_tokens": _opt(e.energy_usd_per_million_tokens, 4),
            "usd_per_gpu_hour": _opt(e.usd_per_gpu_hour, 4),
            "utility_kw": _r(e.utility_kw), "gpus_within_utility": e.gpus_within_utility}


def floor_doc(layout: Layout, res: TwinResult) -> dict[str, Any] | None:
    """Floor loading: ratings, the worst distributed and concentrated loads and their
    racks, and the racks over a rating (docs/physics.md §15)."""
    fl = res.floor
    if fl is None:
        return None
    ids = [str(i) for i in layout.racks.ids]
    n = len(ids)

    def worst(values: np.ndarray) -> str | None:
        return ids[int(np.argmax(values))] if n else None
    over_area = ([ids[k] for k in np.flatnonzero(fl.rack_area_kg_m2 > fl.rating_kg_m2)]
                 if fl.rating_kg_m2 is not None else [])
    over_point = ([ids[k] for k in np.flatnonzero(fl.rack_point_kn > fl.point_rating_kn)]
                  if fl.point_rating_kn is not None else [])
    return {"rating_kg_m2": fl.rating_kg_m2, "point_rating_kn": fl.point_rating_kn,
            "bay_m": fl.bay_m, "max_load_kg_m2": _r(fl.max_area_kg_m2, 1),
            "max_load_rack": worst(fl.rack_area_kg_m2),
            "max_rack_load_kg_m2": _r(fl.rack_area_kg_m2.max(), 1) if n else 0.0,
            "max_point_kn": _r(fl.rack_point_kn.max(), 3) if n else 0.0,
            "max_point_rack": worst(fl.rack_point_kn),
            "heaviest_rack_kg": _r(fl.rack_weight_kg.max(), 1) if n else 0.0,
            "racks_over_rating": over_area, "racks_over_point_rating": over_point}


def energy_doc(res: TwinResult) -> dict[str, Any]:
    f, air = res.facility, res.air
    doc = {"it_kw": _r(f.it_kw), "to_air_kw": _r(res.rack_air_heat_kw.sum()),
           "to_liquid_kw": _r(res.rack_liquid_heat_kw.sum()),
           "facility_kw": _r(f.facility_kw), "heat_rejected_kw": _r(f.heat_rejected_kw),
           "facility_residual_pct": f.energy_residual * 100}
    if air is not None:
        doc.update(air_heat_in_kw=_r(air.heat_in_w / 1e3),
                   removed_by_air_cooling_kw=_r(air.heat_removed_w / 1e3),
                   residual_pct=air.residual_pct)
    else:
        doc.update(removed_by_air_cooling_kw=0.0, residual_pct=0.0)
    return doc


def result_document(layout: Layout, res: TwinResult, file: str = "") -> dict[str, Any]:
    """The ``twin simulate --json`` document."""
    plant = {"facility_water": _plant_doc(res.facility.plant)}
    if res.facility.air_plant is not None:
        plant["chilled_water"] = _plant_doc(res.facility.air_plant)
    doc = {
        "file": file, "layout": layout.name,
        "racks": racks_doc(layout, res), "cooling_units": cooling_units_doc(res),
        "liquid": liquid_doc(res), "power": power_doc(res), "plant": plant,
        "metrics": metrics_doc(res), "energy": energy_doc(res),
        "economics": economics_doc(res), "floor": floor_doc(layout, res),
        "fabric": fabric_export.summary_doc(res.fabric),
        "alerts": [{"severity": a.severity, "kind": a.kind, "target": a.target,
                    "message": a.message} for a in res.alerts],
        "timing_s": {k: _r(v, 4) for k, v in res.timing_s.items()},
    }
    if res.air is not None:
        doc["air"] = {"grid": {"nx": len(res.air.x_m), "ny": len(res.air.y_m), "nz": len(res.air.z_m)},
                      "iterations": res.air.iterations, "converged": bool(res.air.converged),
                      "warnings": list(res.air.warnings),
                      # the recirculation constants solved with, and whether the layout's
                      # calibration set them (twin calibrate --write)
                      "constants": {n: float(getattr(solver_settings(layout), n))
                                    for n in BOUNDS},
                      "calibrated": not layout.air_calibration.is_empty}
    return clean(doc)
