"""The heat-rejection plant the engine builds from the layout (``twin/engine/plant.py``):
design heat 1.25 x nameplate but never below the room units, three chillers (two duty at
design heat, one standby) less those failed, and the plant set-point the coldest CDU
supply. Figures are worked from those definitions."""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import LAYOUTS
from twin.engine import plant as ep
from twin.engine.simulate import simulate
from twin.io import load_layout
from twin.physics.plant import COOLING_TOWER, DRY_COOLER


@pytest.fixture()
def pod():
    return load_layout(LAYOUTS / "gb200-pod.json")


def test_plant_spec_from_the_layout_block(pod):
    """2 MW design heat, 15 kW of rejection fans per MW, one chiller failed of three:
    30 kW of fans, 2 chillers left of 1 MW each (design / the 2 duty), 180 kPa head."""
    pod.plant = dataclasses.replace(pod.plant, heat_rejection="dry_cooler", failed_chillers=1,
                                    facility_pump_head_kpa=180.0, approach_k=6.0,
                                    chiller_cop_rated=5.5, heat_rejection_fan_kw_per_mw=15.0)
    s = ep.plant_spec(pod, 24.0, 2e6)
    assert s.supply_setpoint_c == 24.0 and s.heat_rejection == DRY_COOLER
    assert s.rejection_approach_k == 6.0 and s.chiller_rated_cop == 5.5
    assert s.rejection_design_heat_w == 2e6
    assert s.rejection_design_fan_w == pytest.approx(30e3)
    assert s.n_chillers == 2 and s.chiller_capacity_w == pytest.approx(1e6)
    assert s.facility_pump_head_pa == pytest.approx(180e3)
    assert s.economiser is True


def test_plant_kinds_and_the_economiser(pod):
    tower = ep.plant_spec(pod, 20.0, 5e5)
    assert tower.heat_rejection == COOLING_TOWER and tower.economiser is True
    assert tower.n_chillers == 3 and tower.chiller_capacity_w == pytest.approx(2.5e5)
    pod.plant = dataclasses.replace(pod.plant, heat_rejection="chiller_only")
    assert ep.plant_spec(pod, 20.0, 5e5).economiser is False      # nothing to economise with
    pod.plant = dataclasses.replace(pod.plant, heat_rejection="cooling_tower", economiser=False)
    assert ep.plant_spec(pod, 20.0, 5e5).economiser is False


def test_a_zero_design_heat_is_sized_at_one_kilowatt(pod):
    s = ep.plant_spec(pod, 20.0, 0.0)
    assert s.rejection_design_heat_w == 1e3 and s.chiller_capacity_w == pytest.approx(500.0)


def test_design_heat_is_nameplate_times_margin_but_at_least_the_room_units():
    from twin.model import CoolingUnit, Hall, Layout
    lay = load_layout(LAYOUTS / "small-room.json")
    cat = lay.catalogue
    nameplate_kw = sum(cat[m].get("nameplate_kw") for m in lay.racks["model"])
    assert ep.nameplate_heat_w(lay) == pytest.approx(nameplate_kw * 1e3 * 1.25)
    # an empty hall with two 150 kW CRAHs: the plant rejects at least what they can carry
    empty = Layout(hall=Hall(width_m=10.0, length_m=8.0, ceiling_height_m=3.0),
                   cooling_units=[CoolingUnit("C1", "crah-150", 1.0, 1.0),
                                  CoolingUnit("C2", "crah-150", 8.0, 1.0)])
    assert ep.nameplate_heat_w(empty) == pytest.approx(300e3)


def test_the_coldest_cdu_supply_sets_the_facility_water_and_air_units_get_their_own(pod):
    pod.update_item("cdus", "CDU-B", facility_supply_c=25.0)     # CDU-A stays at 30 C
    fac = simulate(pod).facility
    assert fac.plant.supply_c == pytest.approx(25.0)
    assert fac.air_plant is not None
    assert fac.air_plant.supply_c == pytest.approx(pod.plant.chilled_water_supply_c)


def test_without_liquid_loops_one_plant_runs_on_chilled_water():
    lay = load_layout(LAYOUTS / "small-room.json")
    fac = simulate(lay).facility
    assert fac.air_plant is None
    assert fac.plant.supply_c == pytest.approx(lay.plant.chilled_water_supply_c)
