"""Sample layouts: current with their generator, valid, and realistic for their kind."""

import subprocess
import sys

import pytest

from tests.conftest import LAYOUTS, ROOT, SAMPLES
from twin.io import load_layout
from twin.model.summary import summarise


def test_generator_matches_committed_samples():
    r = subprocess.run([sys.executable, str(LAYOUTS / "generate.py"), "--check"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_four_kinds_present():
    assert {p.name for p in SAMPLES} >= {"small-room.json", "gb200-pod.json",
                                         "hyperscale-hall.json", "air-cooled-hall.json"}


#: Design samples; ``measured-room.json`` is a survey of an existing room (no power chain,
#: no modelled units), checked by tests/files/test_layout_v2.py.
DESIGNS = [p for p in SAMPLES if p.name != "measured-room.json"]


@pytest.mark.parametrize("path", DESIGNS, ids=lambda p: p.name)
def test_sample_is_realistic(path):
    warnings = []
    lay = load_layout(path, warnings=warnings)
    assert not warnings
    s = summarise(lay)
    c = s["cooling"]
    # Air cooling covers the air heat with one room unit failed (rear doors take their share).
    assert c["air_capacity_n_minus_1_kw"] + c["rear_door_capacity_kw"] >= s["heat_to_air_typical_kw"]
    assert c["liquid_capacity_kw"] >= s["heat_to_liquid_typical_kw"]
    # 2N: each side's UPS capacity carries the whole IT load.
    for side in "AB":
        assert s["power_chain"][f"ups side {side}"]["rating_kw"] >= s["it_typical_kw"]
    # Every rack is fed from both sides and every liquid rack has a CDU.
    assert all(lay.racks["feed_a"]) and all(lay.racks["feed_b"])


def test_kinds_of_samples():
    pod = summarise(load_layout(LAYOUTS / "gb200-pod.json"))
    assert pod["racks_by_model"]["gb200-nvl72"] == 16 and 1800 <= pod["it_typical_kw"] <= 3000
    room = load_layout(LAYOUTS / "small-room.json")
    assert 10 <= len(room.racks) <= 20 and room.hall.raised_floor and len(room.tiles) > 0
    hall = summarise(load_layout(LAYOUTS / "hyperscale-hall.json"))
    assert hall["racks"] >= 1400 and hall["gpus"] >= 100_000
    air = load_layout(LAYOUTS / "air-cooled-hall.json")
    assert {c.kind for c in air.containment.values()} == {"hot_aisle"}
    assert all(air.catalogue[m]["liquid_fraction"] == 0 for m in set(air.racks["model"]))
