"""Solver inputs from a layout (twin/engine/inputs.py): unit conversions, coolant choice
and pass-through of settings, each checked against the layout's own numbers by hand."""

import dataclasses
import json

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.engine import inputs
from twin.io import load_layout, loads_layout
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


def test_cold_plate_branch_position_is_the_straight_line_distance_to_its_cdu(pod):
    """A rack's tap on its CDU's manifold sits at its distance from the CDU: A01 at
    (3.0, 3.6) m on CDU-A at (2.0, 3.6) m is 1.0 m along, whatever side of the CDU."""
    i = pod.racks.index_of("A01")
    assert (pod.racks["x_m"][i], pod.racks["y_m"][i]) == (3.0, 3.6)
    cdu = pod.cdus["CDU-A"]
    assert pod.racks["cdu"][i] == "CDU-A" and (cdu.x_m, cdu.y_m) == (2.0, 3.6)
    branches, _loops, _ids = inputs.liquid_inputs(pod, np.full(len(pod.racks), 1e3))
    assert branches.manifold_position[i] == pytest.approx(1.0)


def test_an_inference_workload_without_a_split_is_half_prefill_half_decode(pod):
    """Inference with neither prefill nor decode share given splits its busy share
    evenly: 80 % utilisation is 40 % prefill and 40 % decode."""
    pod.update_item("workloads", "llm-train", kind="inference", utilisation=0.8,
                    prefill_share=0.0, decode_share=0.0)
    i = pod.racks.index_of("A01")
    assert pod.racks["workload"][i] == "llm-train"
    wl = inputs.rack_workloads(pod)
    assert wl.prefill_share[i] == pytest.approx(0.4)
    assert wl.decode_share[i] == pytest.approx(0.4)
    assert wl.prefill_share[i] + wl.decode_share[i] == pytest.approx(wl.utilisation[i])


def test_a_rack_with_both_feeds_splits_its_load_evenly_whatever_the_chain_order():
    """Two live feeds carry half the rack each (share_a = 0.5), also when the B feed is
    the first component listed in the power chain (chain index 0)."""
    doc = json.loads((LAYOUTS / "gb200-pod.json").read_text())
    power = doc["power"]
    k = next(j for j, c in enumerate(power) if c["id"] == "BUSWAY-B1.1")
    power.insert(0, power.pop(k))
    lay = loads_layout(json.dumps(doc))
    i = lay.racks.index_of("A01")
    assert (lay.racks["feed_a"][i], lay.racks["feed_b"][i]) == ("BUSWAY-A1.1", "BUSWAY-B1.1")
    n = len(lay.racks)
    _chain, feeds = inputs.power_inputs(lay, np.full(n, 100.0), np.zeros(len(lay.tanks)))
    assert feeds.feed_b[i] == 0
    assert feeds.share_a[i] == 0.5
