"""Economics (twin/engine/economics.py, docs/physics.md §14) on hand-worked cases: capital
cost from the catalogue prices, straight-line annualised, energy at the meter, USD per
million tokens and per GPU-hour, GPUs the utility feed can carry."""

import dataclasses

import pytest

from tests.conftest import LAYOUTS
from twin.engine.economics import capex_usd, economics
from twin.engine.simulate import simulate
from twin.io import load_layout
from twin.model import Layout
from twin.model.equipment import CoolingUnit, Hall, PowerComponent, Site


def _layout() -> Layout:
    """Two GB200 NVL72 racks (USD 3 M, 132 kW nameplate each), one CRAH (USD 60 k), a
    utility feed rated 1,000 kW and a 3 MVA transformer (USD 250 k); building USD 10 M per
    MW, IT life 4 years, facility 25 years, 8,000 h a year at USD 0.10 per kWh."""
    lay = Layout(hall=Hall(width_m=12, length_m=10, raised_floor=False),
                 site=Site(electricity_usd_per_kwh=0.10, operating_hours_per_year=8000.0,
                           building_usd_per_mw=10e6, it_life_years=4.0,
                           facility_life_years=25.0))
    lay.add_racks([{"id": "R1", "model": "gb200-nvl72", "x_m": 4.0, "y_m": 5.0},
                   {"id": "R2", "model": "gb200-nvl72", "x_m": 4.6, "y_m": 5.0}])
    lay.add_item("cooling_units", CoolingUnit("C1", "crah-150", 1.0, 1.0))
    lay.add_item("power", PowerComponent("U", "utility", "utility-feed", rating_kw=1000.0))
    lay.add_item("power", PowerComponent("T", "transformer", "transformer-3000", upstream="U"))
    return lay


def test_capital_cost_by_group_from_the_catalogue_prices():
    c = capex_usd(_layout())
    assert c == {"it": 6.0e6, "cooling": 60e3, "power": 250e3,
                 "building": pytest.approx(10e6 * 0.264)}       # 2 x 132 kW = 0.264 MW


def test_usd_per_million_tokens_on_a_hand_example():
    """Facility 300 kW, IT 250 kW, 100,000 tokens/s, 144 GPUs:
    capex a year = 6 M / 4 + (60 k + 250 k + 2.64 M) / 25 = 1.5 M + 118 k = 1,618,000;
    energy = 300 kW x 8,000 h = 2.4 GWh -> USD 240,000;
    tokens = 1e5 x 3,600 x 8,000 = 2.88e12 -> 2.88e6 million;
    USD per million tokens = 1,858,000 / 2.88e6 = 0.645139 (energy alone 0.083333);
    per GPU-hour = 1,858,000 / (144 x 8,000) = 1.612847;
    the 1,000 kW feed carries IT 1,000 x 250 / 300 = 833.3 kW at 250 / 144 kW per GPU:
    480 GPUs."""
    e = economics(_layout(), facility_kw=300.0, it_kw=250.0, tokens_per_s=1e5, gpus=144)
    assert e.capex_per_year_usd == pytest.approx(1_618_000.0)
    assert e.energy_kwh_per_year == pytest.approx(2.4e6)
    assert e.energy_usd_per_year == pytest.approx(240_000.0)
    assert e.tokens_per_year == pytest.approx(2.88e12)
    assert e.usd_per_million_tokens == pytest.approx(1_858_000 / 2.88e6)
    assert e.energy_usd_per_million_tokens == pytest.approx(240_000 / 2.88e6)
    assert e.usd_per_gpu_hour == pytest.approx(1_858_000 / (144 * 8000))
    assert e.utility_kw == 1000.0 and e.gpus_within_utility == 480
    assert e.capex_total_usd == pytest.approx(6.0e6 + 60e3 + 250e3 + 2.64e6)


def test_no_tokens_or_gpus_give_no_unit_cost():
    e = economics(_layout(), facility_kw=300.0, it_kw=250.0, tokens_per_s=0.0, gpus=0)
    assert e.usd_per_million_tokens is None and e.energy_usd_per_million_tokens is None
    assert e.usd_per_gpu_hour is None and e.gpus_within_utility is None


def test_dearer_energy_raises_the_token_cost_by_exactly_its_share():
    lay = _layout()
    a = economics(lay, 300.0, 250.0, 1e5, 144)
    lay.set_settings("site", dataclasses.replace(lay.site, electricity_usd_per_kwh=0.20))
    b = economics(lay, 300.0, 250.0, 1e5, 144)
    assert b.usd_per_million_tokens - a.usd_per_million_tokens == pytest.approx(
        a.energy_usd_per_million_tokens)


def test_simulate_carries_the_economics_of_its_operating_point():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    res = simulate(lay)
    f, e = res.facility, res.economics
    assert e is not None and e.gpus == 1152
    assert e.energy_kwh_per_year == pytest.approx(f.facility_kw * 8760.0)
    assert res.metrics["usd_per_million_tokens"] == e.usd_per_million_tokens
    assert e.tokens_per_year == pytest.approx(f.tokens_per_s * 3600 * 8760)


def test_the_report_prints_the_json_figures():
    """The report's economics section carries the simulate --json figures digit for digit
    (formatted by the one money formatter)."""
    from twin.engine.export import result_document
    from twin.model import units
    from twin.report.pdf.economics_section import economics_section

    lay = load_layout(LAYOUTS / "gb200-pod.json")
    doc = result_document(lay, simulate(lay))
    blocks = economics_section(lay, doc)
    tables = [b for b in blocks if b.__class__.__name__ == "Table"]

    def text(cell):
        return cell.text if hasattr(cell, "text") else cell
    cost = [[text(c) for c in r] for r in tables[0].rows]
    assert cost[0][1] == units.usd(doc["economics"]["usd_per_million_tokens"])
    assert cost[2][1] == units.usd(doc["economics"]["usd_per_gpu_hour"])
    groups = {text(r[0]): text(r[1]) for r in tables[1].rows}
    assert groups["IT (racks)"] == units.usd(16 * 3.0e6 + 4 * 0.9e6)   # 16 GB200 + 4 IB racks
    models = {text(r[0]): [text(c) for c in r] for r in tables[2].rows}
    assert models["NVIDIA GB200 NVL72"][1:4] == ["16", "$3 M", "$48 M"]


def test_the_max_efficiency_power_profile_caps_gpu_power_and_throughput():
    """A GB200 NVL72 rack training at utilisation 1: max performance draws 72 x gpu_max +
    overhead at full load and makes 72 x tokens/s per GPU; max efficiency caps each GPU at
    0.75 x gpu_max and keeps 0.88 of the tokens (docs/physics.md §7.6)."""
    from twin.engine import inputs
    from twin.model import Workload
    from twin.model.catalogue import load_catalogue
    from twin.physics.workload import evaluate_workloads

    e = load_catalogue()["gb200-nvl72"]
    out = {}
    for profile in ("max_performance", "max_efficiency"):
        lay = _layout()
        lay.add_item("workloads", Workload("W", kind="training", utilisation=1.0,
                                           power_profile=profile))
        lay.set_rack_values(["R1", "R2"], "workload", ["W", "W"])
        out[profile] = evaluate_workloads(inputs.rack_workloads(lay))
    full, capped = out["max_performance"], out["max_efficiency"]
    assert full.rack_power_w[0] == pytest.approx(72 * e["gpu_max_w"] + e["overhead_kw"] * 1e3)
    assert capped.rack_power_w[0] == pytest.approx(72 * 0.75 * e["gpu_max_w"] + e["overhead_kw"] * 1e3)
    assert full.tokens_per_s[0] == pytest.approx(72 * e["tokens_per_s_per_gpu"])
    assert capped.tokens_per_s[0] == pytest.approx(0.88 * 72 * e["tokens_per_s_per_gpu"])
