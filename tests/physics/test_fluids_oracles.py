"""Oracles for the fluid properties and unit conversions (docs/physics.md, "1.3 Fluid properties")."""

import pytest

from twin.physics.fluids import AIR, DIELECTRIC, FLUIDS, LPM_PER_M3S, M3S_PER_CFM, PG25, WATER, Fluid, fluid

REL = 1e-12


def test_unit_conversions_by_hand():
    # 1 ft = 0.3048 m → 1 ft³ = 0.028316846592 m³; per minute: 4.7194744e-4 m³/s
    assert M3S_PER_CFM == pytest.approx(0.028316846592 / 60.0, rel=REL)
    assert LPM_PER_M3S == 60_000.0


def test_volumetric_heat_capacity_and_flows_by_hand():
    assert PG25.volumetric_cp_jm3k == pytest.approx(4_006_158.75, rel=REL)      # 1012.5 · 3956.7
    assert WATER.volumetric_cp_jm3k == pytest.approx(4_167_061.2, rel=REL)     # 997 · 4179.6
    assert AIR.volumetric_cp_jm3k == pytest.approx(1192.11638, rel=REL)        # 1.1843 · 1006.6
    assert DIELECTRIC.volumetric_cp_jm3k == pytest.approx(1.76e6, rel=REL)     # 800 · 2200
    # 18 kW of air at 15 K: 18e3 / (1192.11638 · 15) = 1.006611 m³/s
    assert AIR.flow_for_heat_m3s(18e3, 15.0) == pytest.approx(18e3 / 17_881.7457, rel=REL)
    # mass ↔ volume flow for water: 2 L/s → 1.994 kg/s and back
    assert WATER.mass_flow_kgs(2e-3) == pytest.approx(1.994, rel=REL)
    assert WATER.volume_flow_m3s(1.994) == pytest.approx(2e-3, rel=REL)
    assert PG25.flow_for_heat_m3s(0.0, 10.0) == 0.0


def test_lookup_by_name_and_pass_through():
    assert fluid("Water") is WATER and fluid("AIR") is AIR and fluid("dielectric") is DIELECTRIC
    custom = Fluid("brine", 1100.0, 3500.0)
    assert fluid(custom) is custom
    assert set(FLUIDS) == {"PG25", "water", "air", "dielectric"}
    with pytest.raises(KeyError, match="PG25, air, dielectric, water"):
        fluid("glycol")
