"""Energy in = energy out across air, liquid, facility water and electrical losses
(docs/physics.md, "1.4 Energy conservation" and "6.2 Heat paths and energy closure"),
for random small layouts with random failures, through ``twin.engine.simulate``.

Each layout is one of the bundled samples (an air-cooled room, a liquid-cooled pod with
two CDUs) with a random subset of racks, random workload levels, a random 2N side's
component failed, at most one failed pump per CDU (N+1 keeps flow) and, in the pod, one
random in-row cooler switched off.  Every path is added up independently of the roll-up.
"""

import copy
import json

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.engine import inputs
from twin.engine.simulate import simulate
from twin.io.layout_file import layout_from_document
from twin.physics.fluids import WATER

BASES = {name: json.loads((LAYOUTS / f"{name}.json").read_text()) for name in ("small-room", "gb200-pod")}


def random_layout(base: str, seed: int):
    rng = np.random.default_rng(seed)
    doc = copy.deepcopy(BASES[base])
    n = len(doc["racks"])
    keep = np.sort(rng.choice(n, size=int(rng.integers(3, n + 1)), replace=False))
    doc["racks"] = [doc["racks"][i] for i in keep]
    for w in doc["workloads"]:
        w["utilisation"] = float(rng.uniform(0.0, 1.0))
    side = rng.choice(["A", "B"])
    side_parts = [p for p in doc["power"] if p["side"] == side]
    failed = side_parts[int(rng.integers(len(side_parts)))]
    failed["enabled"] = False
    for c in doc["cdus"]:
        c["failed_pumps"] = int(rng.integers(0, 2))
    if base == "gb200-pod":
        doc["cooling_units"][int(rng.integers(len(doc["cooling_units"])))]["enabled"] = False
    doc["site"]["dry_bulb_c"] = float(rng.uniform(0.0, 38.0))
    doc["site"]["wet_bulb_c"] = doc["site"]["dry_bulb_c"] - float(rng.uniform(2.0, 10.0))
    return layout_from_document(doc), failed["id"]


# the fast (coarse) air tier for most layouts, one full refined solve of the liquid pod
CASES = [(b, s, True) for b in BASES for s in range(6)] + [("gb200-pod", 1, False)]


@pytest.mark.parametrize("base, seed, coarse", CASES)
def test_energy_in_equals_energy_out(base, seed, coarse):
    lay, failed_id = random_layout(base, seed)
    res = simulate(lay, coarse=coarse)
    p, f = res.power, res.facility
    rel = 1e-9
    # the failure took effect and every rack is still fed from the other side
    assert not p.energised[res.power_ids.index(failed_id)]
    assert p.rack_powered.all()
    # racks: workload power = IT power = air share + liquid share
    it_kw = res.rack_power_kw.sum()
    assert p.it_kw == pytest.approx(it_kw, rel=rel)
    assert res.rack_air_heat_kw + res.rack_liquid_heat_kw == pytest.approx(res.rack_power_kw, rel=1e-12)
    # electrical: utility = IT + Σ losses of the energised components (incl. no-load losses)
    assert p.utility_kw == pytest.approx(it_kw + p.loss_kw[p.energised].sum(), rel=rel)
    assert p.chain_loss_kw == pytest.approx(p.loss_kw.sum(), rel=rel)
    # air: rack air heat + the running units' fan heat goes in, and leaves through the coils
    # (air solver tolerance 0.1 %)
    air = res.air
    assert air.heat_in_w == pytest.approx((res.rack_air_heat_kw.sum() + f.crah_fan_kw) * 1e3, rel=rel)
    assert air.unit_load_w.sum() + air.rack_door_removed_w.sum() == pytest.approx(air.heat_in_w, rel=1e-3)
    # liquid: each CDU passes its racks' heat plus its pump heat into the facility water,
    # and the water warms by exactly that: C_fac (T_ret − T_sup)
    liquid_w = 0.0
    if res.liquid is not None:
        c = res.liquid.cdus
        assert np.all(c.flow_m3s > 0)
        pump_in = c.pump_power_w * lay_pump_share(lay, res)
        assert c.facility_heat_w == pytest.approx(c.rack_load_w + pump_in, rel=rel)
        assert c.facility_flow_kgs * WATER.cp_jkgk * (c.facility_return_c - c.facility_supply_c) == \
            pytest.approx(c.facility_heat_w, rel=rel)
        assert c.rack_load_w.sum() == pytest.approx(res.rack_liquid_heat_kw.sum() * 1e3, rel=rel)
        liquid_w = c.facility_heat_w.sum()
    # plants take the water heat and the coil heat
    plants = [f.plant] + ([f.air_plant] if f.air_plant is not None else [])
    assert sum(pl.heat_in_w for pl in plants) == pytest.approx(liquid_w + f.heat_to_air_kw * 1e3, rel=rel)
    assert f.heat_to_liquid_kw * 1e3 == pytest.approx(liquid_w, rel=rel)
    for pl in plants:
        assert pl.chiller_unmet_w == 0
        assert pl.heat_rejected_w == pytest.approx(pl.heat_in_w + pl.total_power_w, rel=rel)
    # facility: power drawn = IT + electrical losses + cooling = heat rejected to the outdoors
    assert f.facility_kw == pytest.approx(f.it_kw + f.electrical_loss_kw + f.cooling_kw, rel=rel)
    assert f.heat_rejected_kw == pytest.approx(f.facility_kw, rel=rel)
    assert abs(f.energy_residual) < 1e-9
    assert f.pue == pytest.approx(f.facility_kw / it_kw, rel=rel)


def lay_pump_share(lay, res):
    """Share of each CDU's pump power that heats its coolant, as the engine set it up."""
    _, loops, _ = inputs.liquid_inputs(lay, res.rack_liquid_heat_kw * 1e3)
    return loops.pump_heat_to_coolant


def test_energy_closes_when_racks_lose_both_feeds():
    doc = copy.deepcopy(BASES["small-room"])
    for c in doc["power"]:
        if c["id"] in ("PDU-A1.1", "PDU-B1.1"):
            c["enabled"] = False
    res = simulate(layout_from_document(doc), coarse=True)
    assert not res.power.rack_powered.all()
    assert abs(res.facility.energy_residual) < 1e-9
