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
