"""The ``twin simulate --json`` contract (twin/engine/export.py, README "Command line"):
the exact keys of every section, each figure rounded as documented, and the 24-hour
profile's rows. Scripts read these names: a renamed or dropped key fails here."""

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.engine.calibrate import BOUNDS
from twin.engine.export import clean, energy_doc, result_document
from twin.engine.profile import daily_profile
from twin.engine.simulate import simulate
from twin.io import load_layout

RACK = {"id", "model", "power_kw", "tokens_per_s", "air_heat_kw", "liquid_heat_kw", "state",
        "demand_kw", "inlet_c", "inlet_max_c", "exhaust_c", "airflow_m3s", "capture_index",
        "ashrae"}
LIQUID_RACK = RACK | {"coolant_flow_lpm", "coolant_supply_c", "coolant_return_c",
                      "coolant_dp_kpa", "coolant_need_lpm"}
CDU = {"id", "load_kw", "capacity_pct", "flow_lpm", "loop_supply_c", "loop_return_c",
       "approach_k", "pumps_running", "pump_dp_kpa", "pump_power_kw", "effectiveness",
       "facility_supply_c", "facility_return_c"}
METRICS = {"capture_index", "cooling_by_part_kw", "cooling_power_kw", "electrical_loss_kw",
           "facility_power_kw", "it_power_kw", "liquid_share", "mean_inlet_c", "pue",
           "racks_allowable_only", "racks_out_of_range", "racks_recommended", "rci_hi_pct",
           "rci_lo_pct", "rhi", "rti_pct", "shi", "tokens_per_kwh", "tokens_per_s",
           "usd_per_million_tokens", "worst_inlet_c", "worst_inlet_rack"}
ECONOMICS = {"capex_usd", "capex_total_usd", "capex_per_year_usd", "energy_kwh_per_year",
             "energy_usd_per_year", "cost_per_year_usd", "tokens_per_year", "gpus",
             "usd_per_million_tokens", "energy_usd_per_million_tokens", "usd_per_gpu_hour",
             "utility_kw", "gpus_within_utility"}
COOLING_PARTS = {"air_unit_fans", "cdu_pumps", "immersion_pumps", "facility_pumps", "chillers",
                 "heat_rejection_fans"}
ENERGY = {"air_heat_in_kw", "facility_kw", "facility_residual_pct", "heat_rejected_kw", "it_kw",
          "removed_by_air_cooling_kw", "residual_pct", "to_air_kw", "to_liquid_kw"}
POWER = {"chain_loss_kw", "components", "it_kw", "side_carries_all", "utility_kw"}
FABRIC = {"switch_model", "tiers", "switches", "gpu_ports", "port_gbps", "links",
          "cables_by_medium", "cable_length_m", "optics_kw", "cabling_usd",
          "links_beyond_reach", "links_over_planned_reach", "bisection_tbps", "worst_hops",
          "max_tray_fill_pct"}
COMPONENT = {"energised", "id", "kind", "load_kw", "load_pct", "loss_kw", "rating_kw",
             "worst_failover_pct", "worst_failover_scenario"}


@pytest.fixture(scope="module")
def pod():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    res = simulate(lay)
    return lay, res, result_document(lay, res, "pod")


def test_every_section_has_exactly_the_documented_keys(pod):
    lay, res, doc = pod
    assert set(doc) == {"air", "alerts", "cooling_units", "economics", "energy", "fabric",
                        "file", "floor", "layout", "liquid", "metrics", "plant", "power",
                        "racks", "timing_s"}
    assert set(doc["fabric"]) == FABRIC
    assert set(doc["fabric"]["switches"]) == {"leaf", "spine", "aggregation", "core"}
    assert set(doc["floor"]) == {"rating_kg_m2", "point_rating_kn", "bay_m", "max_load_kg_m2",
                                 "max_load_rack", "max_rack_load_kg_m2", "max_point_kn",
                                 "max_point_rack", "heaviest_rack_kg", "racks_over_rating",
                                 "racks_over_point_rating"}
    assert set(doc["economics"]) == ECONOMICS
    assert set(doc["economics"]["capex_usd"]) == {"it", "cooling", "power", "building"}
    i_air, i_liq = lay.racks.index_of("A-IB1"), lay.racks.index_of("A01")
    assert set(doc["racks"][i_air]) == RACK
    assert set(doc["racks"][i_liq]) == LIQUID_RACK
    assert set(doc["liquid"]) == {"cdus", "converged", "immersion_tanks", "newton_iterations"}
    assert all(set(c) == CDU for c in doc["liquid"]["cdus"])
    assert set(doc["metrics"]) == METRICS
    assert set(doc["metrics"]["cooling_by_part_kw"]) == COOLING_PARTS
    assert set(doc["energy"]) == ENERGY
    assert set(doc["power"]) == POWER and all(set(c) == COMPONENT for c in doc["power"]["components"])
    assert set(doc["cooling_units"][0]) == {"capacity_pct", "id", "load_kw", "return_c",
                                           "setpoint_c", "supply_c"}
    assert set(doc["air"]) == {"calibrated", "constants", "converged", "grid", "iterations",
                               "warnings"}
    assert set(doc["air"]["constants"]) == set(BOUNDS) and doc["air"]["calibrated"] is False
    assert set(doc["air"]["grid"]) == {"nx", "ny", "nz"} and doc["air"]["converged"] is True


def test_figures_are_rounded_as_documented(pod):
    lay, res, doc = pod
    i = lay.racks.index_of("A01")
    rack, b, c = doc["racks"][i], res.liquid.racks, res.liquid.cdus
    assert rack["coolant_flow_lpm"] == round(float(b.flow_lpm[i]), 2)
    assert rack["coolant_need_lpm"] == round(float(b.need_lpm[i]), 2)
    assert doc["liquid"]["cdus"][0]["flow_lpm"] == round(float(c.flow_lpm[0]), 1)
    assert doc["liquid"]["cdus"][0]["capacity_pct"] == round(float(c.capacity_fraction[0]) * 100, 2)
    assert doc["metrics"]["liquid_share"] == round(float(res.facility.liquid_heat_share), 4)
    assert doc["metrics"]["rti_pct"] == round(float(res.metrics["rti_pct"]), 4)
    assert doc["power"]["utility_kw"] == round(float(res.power.utility_kw), 3)
    assert doc["power"]["it_kw"] == round(float(res.power.it_kw), 3)
    assert doc["metrics"]["cooling_by_part_kw"]["immersion_pumps"] == \
        round(float(res.facility.immersion_pump_kw), 3)


def test_immersion_tanks_capacity_is_rounded_to_hundredths():
    from twin.model.equipment import ImmersionTank

    lay = load_layout(LAYOUTS / "gb200-pod.json")
    lay.add_item("tanks", ImmersionTank("T1", "immersion-tank-100", 12.5, 9.5, it_kw=77.7,
                                        feed_a="BUSWAY-A1.1", feed_b="BUSWAY-B1.1"))
    res = simulate(lay)
    doc = result_document(lay, res, "pod")
    (tank,) = doc["liquid"]["immersion_tanks"]
    assert set(tank) == {"id", "load_kw", "capacity_pct", "bath_c", "facility_return_c"}
    assert tank["capacity_pct"] == round(float(res.immersion.capacity_fraction[0]) * 100, 2)


def test_without_an_air_result_nothing_is_removed_by_air():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    res = simulate(lay)
    res.air = None
    doc = energy_doc(res)
    assert doc["removed_by_air_cooling_kw"] == 0.0 and doc["residual_pct"] == 0.0
    assert "air_heat_in_kw" not in doc


def test_clean_turns_arrays_and_non_finite_numbers_into_json():
    assert clean({"a": np.array([1.5, np.nan]), "b": (np.float32(2.0), np.inf)}) == \
        {"a": [1.5, None], "b": [2.0, None]}


def test_profile_rows_have_the_documented_keys():
    lay = load_layout(LAYOUTS / "small-room.json")
    rows = daily_profile(lay)
    assert len(rows) == 24
    assert [set(r) for r in rows] == 24 * [{
        "hour", "dry_bulb_c", "it_kw", "facility_kw", "cooling_kw", "chiller_kw",
        "electrical_loss_kw", "pue", "tokens_per_s", "tokens_per_kwh", "plant_mode",
        "worst_inlet_c", "alerts"}]
    assert [r["hour"] for r in rows] == list(range(24))
    for r in rows:   # tokens per kWh of facility energy: tokens/s x 3600 s/h / facility kW
        assert r["tokens_per_s"] > 0
        assert r["tokens_per_kwh"] == pytest.approx(r["tokens_per_s"] * 3600 / r["facility_kw"])
        assert r["pue"] == pytest.approx(r["facility_kw"] / r["it_kw"])
    assert rows[0]["facility_kw"] > rows[0]["it_kw"] > 0
    assert rows[0]["cooling_kw"] >= rows[0]["chiller_kw"] >= 0
    assert rows[0]["worst_inlet_c"] > 15


def _r(x, nd=3):
    """A figure as the document gives it: rounded, and None where it is not a number."""
    v = round(float(x), nd)
    return v if np.isfinite(v) else None


def test_every_figure_is_its_result_in_facility_units_rounded_as_documented(pod):
    """The contract figure by figure (README "Command line"): kW from W, per cent from
    fractions, temperatures and powers to 3 places, flows and pressures to 2, capture
    index and airflow to 4, token rates to 1. The second CDU, an air-cooled rack and the
    last power component are checked so a figure taken from the wrong item fails too."""
    lay, res, doc = pod
    air, b, c, p, fo, f = (res.air, res.liquid.racks, res.liquid.cdus, res.power, res.failover,
                           res.facility)
    for rid in ("A-IB1", "A01"):
        i = lay.racks.index_of(rid)
        rack = doc["racks"][i]
        assert rack["model"] == lay.racks["model"][i]
        assert (rack["power_kw"], rack["tokens_per_s"], rack["air_heat_kw"],
                rack["liquid_heat_kw"], rack["demand_kw"]) == (
            _r(res.rack_power_kw[i]), _r(res.workload.tokens_per_s[i], 1),
            _r(res.rack_air_heat_kw[i]), _r(res.rack_liquid_heat_kw[i]),
            _r(res.rack_demand_kw[i]))
        assert (rack["inlet_c"], rack["inlet_max_c"], rack["exhaust_c"], rack["airflow_m3s"],
                rack["capture_index"]) == (
            _r(air.rack_inlet_mean_c[i]), _r(air.rack_inlet_max_c[i]), _r(air.rack_exhaust_c[i]),
            _r(air.rack_airflow_m3s[i], 4), _r(air.rack_capture_index[i], 4))
    i = lay.racks.index_of("A01")
    rack = doc["racks"][i]
    assert (rack["coolant_supply_c"], rack["coolant_return_c"], rack["coolant_dp_kpa"]) == (
        _r(b.supply_c[i]), _r(b.return_c[i]), _r(b.dp_kpa[i], 2))
    j = 1
    cdu = doc["liquid"]["cdus"][j]
    assert cdu == {
        "id": res.cdu_ids[j], "load_kw": _r(c.load_w[j] / 1e3),
        "capacity_pct": _r(c.capacity_fraction[j] * 100, 2), "flow_lpm": _r(c.flow_lpm[j], 1),
        "loop_supply_c": _r(c.loop_supply_c[j]), "loop_return_c": _r(c.loop_return_c[j]),
        "approach_k": _r(c.approach_k[j]), "pumps_running": int(c.n_pumps_running[j]),
        "pump_dp_kpa": _r(c.pump_dp_kpa[j], 1), "pump_power_kw": _r(c.pump_power_w[j] / 1e3),
        "effectiveness": _r(c.effectiveness[j], 4), "facility_supply_c": _r(c.facility_supply_c[j]),
        "facility_return_c": _r(c.facility_return_c[j])}
    assert doc["liquid"]["newton_iterations"] == res.liquid.newton_iterations
    k = len(res.power_ids) - 1
    comp = doc["power"]["components"][k]
    assert comp == {
        "id": res.power_ids[k], "kind": res.power_kinds[k], "load_kw": _r(p.load_kw[k]),
        "rating_kw": _r(p.rating_kw[k]), "load_pct": _r(p.load_fraction[k] * 100, 2),
        "loss_kw": _r(p.loss_kw[k]), "energised": bool(p.energised[k]),
        "worst_failover_pct": _r(fo.worst_load_fraction[k] * 100, 2),
        "worst_failover_scenario": fo.worst_scenario[k]}
    assert (doc["power"]["utility_kw"], doc["power"]["it_kw"], doc["power"]["chain_loss_kw"]) == (
        _r(p.utility_kw), _r(p.it_kw), _r(p.chain_loss_kw))
    u = len(res.unit_ids) - 1
    assert doc["cooling_units"][u] == {
        "id": res.unit_ids[u], "load_kw": _r(air.unit_load_w[u] / 1e3),
        "return_c": _r(air.unit_return_c[u]), "supply_c": _r(air.unit_supply_c[u]),
        "setpoint_c": _r(res.unit_setpoint_c[u]),
        "capacity_pct": _r(air.unit_capacity_fraction[u] * 100, 2)}
    for key, pl in (("facility_water", f.plant), ("chilled_water", f.air_plant)):
        assert doc["plant"][key] == {
            "mode": pl.mode, "supply_c": _r(pl.supply_c), "return_c": _r(pl.return_c),
            "heat_kw": _r(pl.heat_in_w / 1e3), "economiser_kw": _r(pl.economiser_heat_w / 1e3),
            "chiller_load_kw": _r(pl.chiller_load_w / 1e3), "chiller_cop": _r(pl.chiller_cop),
            "chillers_running": pl.chillers_running,
            "chiller_power_kw": _r(pl.chiller_power_w / 1e3),
            "chiller_unmet_kw": _r(pl.chiller_unmet_w / 1e3)}
    m = doc["metrics"]
    assert (m["it_power_kw"], m["facility_power_kw"], m["cooling_power_kw"],
            m["electrical_loss_kw"], m["pue"], m["tokens_per_s"], m["tokens_per_kwh"],
            m["liquid_share"]) == (
        _r(f.it_kw), _r(f.facility_kw), _r(f.cooling_kw), _r(f.electrical_loss_kw), _r(f.pue, 4),
        _r(f.tokens_per_s, 1), _r(f.tokens_per_kwh, 1), _r(f.liquid_heat_share, 4))
    assert m["cooling_by_part_kw"] == {
        "air_unit_fans": _r(f.crah_fan_kw), "cdu_pumps": _r(f.cdu_pump_kw),
        "immersion_pumps": _r(f.immersion_pump_kw), "facility_pumps": _r(f.facility_pump_kw),
        "chillers": _r(f.chiller_kw), "heat_rejection_fans": _r(f.rejection_fan_kw)}
    assert m["shi"] == _r(res.metrics["shi"], 4) and m["rti_pct"] == _r(res.metrics["rti_pct"], 4)
    e = doc["energy"]
    assert e == {
        "it_kw": _r(f.it_kw), "to_air_kw": _r(res.rack_air_heat_kw.sum()),
        "to_liquid_kw": _r(res.rack_liquid_heat_kw.sum()), "facility_kw": _r(f.facility_kw),
        "heat_rejected_kw": _r(f.heat_rejected_kw), "facility_residual_pct": f.energy_residual * 100,
        "air_heat_in_kw": _r(air.heat_in_w / 1e3),
        "removed_by_air_cooling_kw": _r(air.heat_removed_w / 1e3), "residual_pct": air.residual_pct}
    assert doc["air"]["grid"] == {"nx": len(air.x_m), "ny": len(air.y_m), "nz": len(air.z_m)}
    assert doc["air"]["iterations"] == air.iterations
    assert doc["layout"] == lay.name and doc["file"] == "pod"
    assert [(a["severity"], a["kind"], a["target"]) for a in doc["alerts"]] == [
        (a.severity, a.kind, a.target) for a in res.alerts]


def test_economics_and_floor_figures_are_rounded_as_documented(pod):
    lay, res, doc = pod
    e, fl = res.economics, res.floor
    ec = doc["economics"]
    assert ec["capex_usd"] == {k: _r(v) for k, v in e.capex_usd.items()}
    assert (ec["capex_total_usd"], ec["energy_kwh_per_year"], ec["tokens_per_year"],
            ec["gpus"], ec["utility_kw"], ec["gpus_within_utility"]) == (
        _r(e.capex_total_usd), _r(e.energy_kwh_per_year), _r(e.tokens_per_year), e.gpus,
        _r(e.utility_kw), e.gpus_within_utility)
    assert ec["usd_per_million_tokens"] == _r(e.usd_per_million_tokens, 4)
    assert ec["usd_per_gpu_hour"] == _r(e.usd_per_gpu_hour, 4)
    ids = [str(i) for i in lay.racks.ids]
    floor = doc["floor"]
    assert floor["max_load_kg_m2"] == _r(fl.max_area_kg_m2, 1)
    assert floor["max_rack_load_kg_m2"] == _r(fl.rack_area_kg_m2.max(), 1)
    assert floor["heaviest_rack_kg"] == _r(fl.rack_weight_kg.max(), 1)
    assert floor["max_point_kn"] == _r(fl.rack_point_kn.max(), 3)
    assert floor["max_load_rack"] == ids[int(np.argmax(fl.rack_area_kg_m2))]
    assert floor["max_point_rack"] == ids[int(np.argmax(fl.rack_point_kn))]


#: decimals of every rounded figure (twin/engine/export.py's contract, module docstring
#: above): kW, degC, kPa-less pressures and USD to 3; per cent 2; coolant flows and rack
#: pressure drops 2; CDU flow and pump head 1; token rates 1; airflow, capture index,
#: effectiveness, PUE, shares, per-token and per-GPU-hour costs, metrics and timings 4;
#: floor loads in kg 1. Keys not listed are counts, names or unrounded residuals.
DECIMALS = {
    "racks": {"power_kw": 3, "tokens_per_s": 1, "air_heat_kw": 3, "liquid_heat_kw": 3,
              "demand_kw": 3, "inlet_c": 3, "inlet_max_c": 3, "exhaust_c": 3, "airflow_m3s": 4,
              "capture_index": 4, "coolant_flow_lpm": 2, "coolant_supply_c": 3,
              "coolant_return_c": 3, "coolant_dp_kpa": 2, "coolant_need_lpm": 2},
    "cooling_units": {"load_kw": 3, "return_c": 3, "supply_c": 3, "setpoint_c": 3,
                      "capacity_pct": 2},
    "cdus": {"load_kw": 3, "capacity_pct": 2, "flow_lpm": 1, "loop_supply_c": 3,
             "loop_return_c": 3, "approach_k": 3, "pump_dp_kpa": 1, "pump_power_kw": 3,
             "effectiveness": 4, "facility_supply_c": 3, "facility_return_c": 3},
    "components": {"load_kw": 3, "rating_kw": 3, "load_pct": 2, "loss_kw": 3,
                   "worst_failover_pct": 2},
    "power": {"utility_kw": 3, "it_kw": 3, "chain_loss_kw": 3},
    "plant": {"supply_c": 3, "return_c": 3, "heat_kw": 3, "economiser_kw": 3,
              "chiller_load_kw": 3, "chiller_cop": 3, "chiller_power_kw": 3,
              "chiller_unmet_kw": 3},
    "metrics": {"rci_hi_pct": 4, "rci_lo_pct": 4, "rti_pct": 4, "shi": 4, "rhi": 4,
                "capture_index": 4, "worst_inlet_c": 4, "mean_inlet_c": 4,
                "usd_per_million_tokens": 4, "it_power_kw": 3, "facility_power_kw": 3,
                "cooling_power_kw": 3, "electrical_loss_kw": 3, "pue": 4, "tokens_per_s": 1,
                "tokens_per_kwh": 1, "liquid_share": 4},
    "cooling_by_part_kw": dict.fromkeys(COOLING_PARTS, 3),
    "energy": {"it_kw": 3, "to_air_kw": 3, "to_liquid_kw": 3, "facility_kw": 3,
               "heat_rejected_kw": 3, "air_heat_in_kw": 3, "removed_by_air_cooling_kw": 3},
    "economics": {"capex_total_usd": 3, "capex_per_year_usd": 3, "energy_kwh_per_year": 3,
                  "energy_usd_per_year": 3, "cost_per_year_usd": 3, "tokens_per_year": 3,
                  "usd_per_million_tokens": 4, "energy_usd_per_million_tokens": 4,
                  "usd_per_gpu_hour": 4, "utility_kw": 3},
    "floor": {"max_load_kg_m2": 1, "max_rack_load_kg_m2": 1, "max_point_kn": 3,
              "heaviest_rack_kg": 1},
    "capex_usd": dict.fromkeys(("it", "cooling", "power", "building"), 3),
    "timing_s": dict.fromkeys(("workload_s", "power_s", "liquid_s", "air_s", "facility_s",
                               "total_s", "cpu_s"), 4),
}


def _rounded_figures(doc):
    """(section, key, value) of every figure DECIMALS names, over the whole document."""
    groups = [("racks", doc["racks"]), ("cooling_units", doc["cooling_units"]),
              ("cdus", doc["liquid"]["cdus"]), ("components", doc["power"]["components"]),
              ("power", [doc["power"]]), ("plant", list(doc["plant"].values())),
              ("metrics", [doc["metrics"]]),
              ("cooling_by_part_kw", [doc["metrics"]["cooling_by_part_kw"]]),
              ("energy", [doc["energy"]]), ("economics", [doc["economics"]]),
              ("floor", [doc["floor"]]), ("capex_usd", [doc["economics"]["capex_usd"]]),
              ("timing_s", [doc["timing_s"]])]
    for section, entries in groups:
        for entry in entries:
            for key, nd in DECIMALS[section].items():
                if entry.get(key) is not None:
                    yield section, key, entry[key]


def test_every_rounded_figure_has_at_most_its_documented_decimals_and_some_use_them_all(pod):
    """On the liquid-cooled pod and two air-cooled rooms (many figures with long
    decimals): each figure is a float (a count or int would lose the unit's precision)
    with no more decimals than documented, and each kind of figure that varies uses its
    last decimal somewhere (so it is not rounded to fewer)."""
    docs = [pod[2]]
    for name in ("small-room.json", "measured-room.json"):    # a figure's last decimal is 0 by
        lay = load_layout(LAYOUTS / name)                    # chance 1 in 10: four floors
        docs.append(result_document(lay, simulate(lay), name))
    half = load_layout(LAYOUTS / "small-room.json")         # (the fourth: training at half)
    half.update_item("workloads", "train-h100", utilisation=0.5)
    docs.append(result_document(half, simulate(half), "small-room.json"))
    full: set[tuple[str, str]] = set()
    for doc in docs:
        for section, key, v in _rounded_figures(doc):
            nd = DECIMALS[section][key]
            assert type(v) is float, (section, key, v)
            assert v == round(v, nd), (section, key, v, nd)
            if v != round(v, nd - 1):
                full.add((section, key))
    # the figures of these two floors that carry digits beyond nd - 1 decimals somewhere
    # (kW of a pump of 7.968, an inlet of 20.305, a capture index of 0.7932, ...)
    assert {("racks", k) for k in ("power_kw", "air_heat_kw", "liquid_heat_kw", "demand_kw",
                                   "inlet_c", "inlet_max_c", "exhaust_c", "airflow_m3s",
                                   "capture_index", "coolant_flow_lpm", "coolant_return_c",
                                   "coolant_supply_c", "coolant_dp_kpa", "coolant_need_lpm")} <= full
    assert {("cooling_units", k) for k in ("load_kw", "return_c", "capacity_pct")} <= full
    assert {("cdus", k) for k in ("load_kw", "capacity_pct", "flow_lpm", "loop_supply_c",
                                  "approach_k", "pump_dp_kpa", "pump_power_kw",
                                  "effectiveness", "facility_return_c")} <= full
    assert {("components", k) for k in ("load_kw", "load_pct", "loss_kw",
                                        "worst_failover_pct")} <= full
    assert {("power", k) for k in ("utility_kw", "it_kw", "chain_loss_kw")} <= full
    assert {("metrics", k) for k in ("rti_pct", "shi", "rhi", "capture_index", "worst_inlet_c",
                                     "mean_inlet_c", "usd_per_million_tokens", "it_power_kw",
                                     "facility_power_kw", "cooling_power_kw",
                                     "electrical_loss_kw", "pue")} <= full
    assert {("energy", k) for k in ("it_kw", "facility_kw", "to_liquid_kw",
                                    "air_heat_in_kw", "removed_by_air_cooling_kw")} <= full
    assert {("economics", k) for k in ("energy_kwh_per_year", "energy_usd_per_year",
                                       "usd_per_million_tokens", "usd_per_gpu_hour")} <= full
    assert {("floor", k) for k in ("max_load_kg_m2", "max_point_kn")} <= full
    assert ("timing_s", "total_s") in full or ("timing_s", "cpu_s") in full  # all four end in 0: 1 in 10^4


def test_the_floor_of_an_empty_hall_is_all_zero_loads_and_no_worst_rack():
    """No racks: nothing weighs on the floor, so every load figure is 0 and no rack is
    named (the keys stay, so a script reading them does not break)."""
    from twin.engine.export import floor_doc
    from twin.model import Hall, Layout, RackTable
    lay = Layout("empty", hall=Hall(width_m=10.0, length_m=6.0),
                 racks=RackTable.from_records([]))
    floor = floor_doc(lay, simulate(lay))
    assert floor is not None
    assert {k: floor[k] for k in ("max_load_kg_m2", "max_rack_load_kg_m2", "max_point_kn",
                                  "heaviest_rack_kg", "max_load_rack", "max_point_rack",
                                  "racks_over_rating", "racks_over_point_rating")} == {
        "max_load_kg_m2": 0.0, "max_rack_load_kg_m2": 0.0, "max_point_kn": 0.0,
        "heaviest_rack_kg": 0.0, "max_load_rack": None, "max_point_rack": None,
        "racks_over_rating": [], "racks_over_point_rating": []}


def test_a_racks_token_rate_and_ashrae_status_follow_its_own_workload_and_the_halls_class(pod):
    """Each rack row carries that rack's own token rate (GPU racks run, the network rack
    none), and the ASHRAE status is judged against the hall's air class: an inlet of
    33 degC is outside A1's allowable 15-32 degC but within A3's 5-40 degC."""
    import dataclasses

    from twin.engine.export import racks_doc
    lay, res, doc = pod
    tokens = {r["id"]: r["tokens_per_s"] for r in doc["racks"]}
    assert tokens["A-IB1"] == 0.0
    assert tokens["A01"] > 1.0
    assert sum(tokens.values()) == pytest.approx(res.facility.tokens_per_s, rel=1e-6)
    i = lay.racks.index_of("A01")
    inlet = res.air.rack_inlet_max_c.copy()
    inlet[i] = 33.0
    hot = dataclasses.replace(res, air=dataclasses.replace(res.air, rack_inlet_max_c=inlet))
    a1 = racks_doc(lay, hot)
    assert a1[i]["ashrae"] == "out_of_range"
    a3 = lay.snapshot()
    a3.hall = dataclasses.replace(a3.hall, ashrae_class="A3")
    assert racks_doc(a3, hot)[i]["ashrae"] == "allowable"
