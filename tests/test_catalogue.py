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


# ----- user entries: defaults, parsing, suggestions (issue 24, mutation survivors) -----------
def test_a_user_rack_gets_its_overhead_typical_power_and_airflow_derived():
    from twin.model.catalogue import with_defaults
    # 8 GPUs of 5 kW on a 50 kW nameplate: overhead = 50 - 8 x 5000 W / 1000 = 10 kW, and
    # without GPU load the rack still draws it (idle overhead = overhead)
    out = with_defaults({"kind": "rack", "nameplate_kw": 50, "gpus": 8, "gpu_max_w": 5000})
    assert (out["typical_kw"], out["overhead_kw"], out["overhead_idle_kw"]) == (50.0, 10.0, 10.0)
    assert out["airflow_m3s_per_kw"] == 0.0695 and out["liquid_fraction"] == 0.0
    # GPUs rated above the nameplate: no negative overhead (the boundary is 0)
    assert with_defaults({"kind": "rack", "nameplate_kw": 30, "gpus": 8,
                          "gpu_max_w": 5000})["overhead_kw"] == 0.0
    # no GPUs: the whole nameplate is overhead
    bare = with_defaults({"kind": "rack", "nameplate_kw": 12.5})
    assert (bare["gpus"], bare["overhead_kw"], bare["overhead_idle_kw"]) == (0, 12.5, 12.5)


def test_a_user_entrys_own_numbers_win_over_the_defaults():
    from twin.model.catalogue import with_defaults
    out = with_defaults({"kind": "rack", "nameplate_kw": 50, "typical_kw": 42,
                         "overhead_kw": 6, "overhead_idle_kw": 3, "gpus": 8, "gpu_max_w": 5000,
                         "airflow_m3s_per_kw": 0.08})
    assert (out["typical_kw"], out["overhead_kw"], out["overhead_idle_kw"],
            out["airflow_m3s_per_kw"]) == (42, 6, 3, 0.08)


def test_other_kinds_get_their_own_defaults_and_no_rack_power_terms():
    from twin.model.catalogue import with_defaults
    crah = with_defaults({"kind": "crah", "capacity_kw": 150})
    assert crah == {"kind": "crah", "capacity_kw": 150, "fan_power_kw": 0.0,
                    "supply_setpoint_c": 20.0}
    assert with_defaults({"kind": "inrow"})["supply_setpoint_c"] == 22.0
    assert with_defaults({"kind": "ups", "rating_kw": 500}) == {"kind": "ups", "rating_kw": 500}


def test_an_entry_keeps_its_sources_unconfirmed_numbers_projection_and_aliases():
    from twin.model.catalogue import parse_entry
    e = parse_entry("x-rack", {"kind": "rack", "nameplate_kw": 120, "projected": True,
                               "unconfirmed": ["nameplate_kw"], "aliases": ["X-1"],
                               "sources": {"nameplate_kw": "vendor sheet"}, "vendor": "Acme"})
    assert (e.key, e.kind, e.name) == ("x-rack", "rack", "x-rack")     # name: the key
    assert e.numbers == {"nameplate_kw": 120.0} and e.text == {"vendor": "Acme"}
    assert (e.projected, e.unconfirmed, e.aliases) == (True, ("nameplate_kw",), ("X-1",))
    assert e.sources == {"nameplate_kw": "vendor sheet"}


def test_closest_suggests_weak_matches_down_to_a_similarity_of_0_3():
    from twin.model.catalogue import Catalogue, parse_entry
    cat = Catalogue({k: parse_entry(k, {"kind": "crah"}) for k in ("crah-150", "inrow-70")})
    # difflib ratio = 2 M / (len(a) + len(b)): "crh" vs "crah-150": M = 3 ("cr", "h"),
    # 6 / 11 = 0.55 (below difflib's default cutoff 0.6); vs "inrow-70": M = 1 ("r"),
    # 2 / 11 = 0.18 (below 0.3)
    assert cat.closest("crh") == ["crah-150"]
    assert cat.closest("zzz") == []
