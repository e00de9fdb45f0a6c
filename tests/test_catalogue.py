"""Catalogue sanity: required equipment present, numbers in range, every number sourced."""

import pytest

from twin.model import load_catalogue

CAT = load_catalogue()
REQUIRED = {"gb200-nvl72", "gb300-nvl72", "dgx-b200-rack", "dgx-h100-rack", "vera-rubin-nvl144",
            "ib-network-rack", "storage-rack", "crah-150", "inrow-70", "rdhx-55",
            "cdu-inrack-250", "cdu-inrow-1350", "cdu-facility-2500", "immersion-tank-100",
            "ups-1500", "pdu-300", "transformer-3000", "rubin-ultra-nvl576"}


def test_required_entries_present():
    assert REQUIRED <= set(CAT.keys())


@pytest.mark.parametrize("entry", list(CAT), ids=lambda e: e.key)
def test_every_number_has_a_source(entry):
    missing = [k for k in entry.numbers if not entry.sources.get(k, "").strip()]
    assert not missing, f"{entry.key}: numbers without a source: {missing}"
    assert set(entry.unconfirmed) <= set(entry.numbers)
    assert all(v >= 0 for v in entry.numbers.values())
    assert "cost_usd" in entry.numbers, f"{entry.key}: no cost (the economics need one)"


@pytest.mark.parametrize("entry", CAT.of_kind("rack"), ids=lambda e: e.key)
def test_rack_numbers_in_range(entry):
    assert 0.5 <= entry["width_m"] <= 0.8 and 0.9 <= entry["depth_m"] <= 1.4
    assert 1.8 <= entry["height_m"] <= 2.5
    assert 0 < entry["typical_kw"] <= entry["nameplate_kw"] <= 1000     # Kyber: ~600 kW
    full = entry["gpus"] * entry["gpu_max_w"] / 1000 + entry["overhead_kw"]
    if entry["gpus"]:
        assert full == pytest.approx(entry["nameplate_kw"], rel=1e-6)
    else:
        assert full <= entry["nameplate_kw"]
    assert 0 <= entry["liquid_fraction"] <= 0.95
    assert 0.05 <= entry["airflow_m3s_per_kw"] <= 0.1
    if entry["liquid_fraction"] > 0:
        assert 1.25 <= entry["coolant_lpm_per_kw"] <= 2.0


def test_liquid_racks_and_projection_marked():
    assert CAT["gb200-nvl72"]["liquid_fraction"] > 0.5
    assert CAT["dgx-h100-rack"]["liquid_fraction"] == 0
    rubin = CAT["vera-rubin-nvl144"]
    assert rubin.projected and "nameplate_kw" in rubin.unconfirmed
    assert 120 <= CAT["gb200-nvl72"]["typical_kw"] <= 140


def test_closest_names():
    assert "gb200-nvl72" in CAT.closest("gb200-nvl27")
