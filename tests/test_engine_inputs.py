"""Solver inputs from a layout (twin/engine/inputs.py): unit conversions, coolant choice
and pass-through of settings, each checked against the layout's own numbers by hand."""

import dataclasses

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.engine import inputs
from twin.io import load_layout
from twin.physics import air
from twin.physics.fluids import PG25, WATER


@pytest.fixture
def pod():
    return load_layout(LAYOUTS / "gb200-pod.json")


def test_cdu_loop_inputs_convert_the_layout_units(pod):
    """2400 l/min of facility water is 2400 / 60 x 0.997 kg/l = 39.88 kg/s; a PG25 loop
    gets PG25's density and heat capacity, a water loop water's; the pump count is the
    catalogue's."""
    pod.update_item("cdus", "CDU-B", coolant="water", facility_flow_lpm=1200.0)
    heat = np.full(len(pod.racks), 1e3)
    _branches, loops, ids = inputs.liquid_inputs(pod, heat)
    assert ids == ["CDU-A", "CDU-B"]
    assert loops.facility_flow_kgs == pytest.approx([2400 / 60 * 0.997, 1200 / 60 * 0.997],
                                                    rel=1e-3)
    assert loops.coolant_density_kgm3.tolist() == [PG25.density_kgm3, WATER.density_kgm3]
    assert loops.coolant_cp_jkgk.tolist() == [PG25.cp_jkgk, WATER.cp_jkgk]
    pumps = pod.catalogue["cdu-inrow-1350"].get("pump_count")
    assert loops.n_pumps_installed.tolist() == [pumps, pumps]
    assert loops.n_pumps_installed.dtype.kind == "i"


def test_rack_workload_overheads_are_watts(pod):
    i = pod.racks.index_of("A01")
    entry = pod.catalogue[pod.racks["model"][i]]
    wl = inputs.rack_workloads(pod)
    assert wl.overhead_idle_w[i] == entry.get("overhead_idle_kw") * 1000.0
    assert wl.overhead_max_w[i] == entry.get("overhead_kw") * 1000.0


def test_air_scene_keeps_the_solver_settings_it_is_given(pod):
    heat = np.full(len(pod.racks), 2e3)
    settings = dataclasses.replace(air.SolverSettings(), max_iterations=7)
    scene, _ids = inputs.air_scene(pod, heat, settings)
    assert scene.settings is settings
    default, _ids = inputs.air_scene(pod, heat)
    assert default.settings == air.SolverSettings()


def test_air_scene_flags_are_boolean_even_without_room_units(pod):
    for uid in [u.id for u in pod.cooling_units.values()
                if pod.catalogue[u.model].kind != "rdhx"]:
        pod.remove_item("cooling_units", uid)
    scene, ids = inputs.air_scene(pod, np.full(len(pod.racks), 2e3))
    assert ids == [] and scene.cooling.enabled.dtype == bool
    assert (~scene.cooling.enabled).shape == scene.cooling.outside.shape


def test_only_enabled_rear_doors_add_their_fans_outside_the_air_scene(pod):
    """Room units' fans are in the air scene; rear doors' fans are added apart: the
    in-row coolers of the pod count nothing here, one door its catalogue fan power."""
    from twin.model.equipment import CoolingUnit

    assert inputs.door_fan_power_w(pod) == 0.0
    fan_w = pod.catalogue["rdhx-55"].get("fan_power_kw") * 1e3
    x, y = pod.racks["x_m"][0], pod.racks["y_m"][0]
    pod.add_item("cooling_units", CoolingUnit("RD-1", "rdhx-55", x, y, rack=pod.racks.ids[0]))
    assert inputs.door_fan_power_w(pod) == pytest.approx(fan_w) and fan_w > 0
    pod.update_item("cooling_units", "RD-1", enabled=False)
    assert inputs.door_fan_power_w(pod) == 0.0


def test_air_scene_hall_carries_the_layout_ashrae_class(pod):
    pod.set_settings("hall", dataclasses.replace(pod.hall, ashrae_class="A3"))
    scene, _ids = inputs.air_scene(pod, np.full(len(pod.racks), 2e3))
    assert scene.hall.ashrae_class == "A3"
    assert scene.hall.ceiling_return == pod.hall.ceiling_return
