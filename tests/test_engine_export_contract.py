"""The ``twin simulate --json`` contract (twin/engine/export.py, README "Command line"):
the exact keys of every section, each figure rounded as documented, and the 24-hour
profile's rows. Scripts read these names: a renamed or dropped key fails here."""

import numpy as np
import pytest

from tests.conftest import LAYOUTS
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
    assert set(doc["air"]) == {"converged", "grid", "iterations", "warnings"}
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
    assert {"hour", "dry_bulb_c", "it_kw", "facility_kw", "cooling_kw", "chiller_kw", "pue",
            "tokens_per_kwh", "plant_mode", "worst_inlet_c"} <= set(rows[0])
    assert rows[0]["facility_kw"] > rows[0]["it_kw"] > 0
    assert rows[0]["cooling_kw"] >= rows[0]["chiller_kw"] >= 0
    assert rows[0]["worst_inlet_c"] > 15
