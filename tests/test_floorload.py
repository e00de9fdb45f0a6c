"""Floor loading (twin/engine/floorload.py, docs/physics.md §15) on hand-worked cases:
a rack's weight spread over its footprint and averaged over a bay, four casters, rear
doors on their racks, weight overrides, and the alerts against the ratings."""

import dataclasses

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.engine.export import floor_doc
from twin.engine.floorload import G_MS2, floor_alerts, floor_load, rack_weights_kg
from twin.engine.simulate import Simulator
from twin.io import load_layout
from twin.model import Layout
from twin.model.equipment import CoolingUnit, Hall

W = 1360.0          # GB200 NVL72, catalogue


def _layout(n: int = 1, **hall) -> Layout:
    """GB200 racks (0.6 x 1.2 m) side by side from x = 3.0 m, y = 3.0..4.2 m: their
    footprints sit exactly on the 0.3 m plan raster (2 x 4 cells each)."""
    lay = Layout(hall=Hall(width_m=12, length_m=10, raised_floor=False, **hall))
    lay.add_racks([{"id": f"R{k}", "model": "gb200-nvl72", "x_m": 3.3 + 0.6 * k, "y_m": 3.6}
                   for k in range(n)])
    return lay


def test_one_rack_loads_a_bay_with_its_weight_over_the_bay_area():
    fl = floor_load(_layout(1))                   # bay 1.2 m: 1.44 m2
    assert fl.rack_weight_kg.tolist() == [W]
    assert fl.max_area_kg_m2 == pytest.approx(W / 1.44)
    assert fl.rack_area_kg_m2[0] == pytest.approx(W / 1.44)
    assert fl.rack_point_kn[0] == pytest.approx(W * G_MS2 / 4 / 1e3)      # 3.334 kN
    # the load map holds the weight: its integral before averaging equals the mass,
    # and the averaging keeps it (away from the walls)
    assert fl.load_kg_m2.sum() * 0.3 * 0.3 == pytest.approx(W)


def test_two_racks_side_by_side_share_a_bay_and_a_wider_bay_dilutes_them():
    fl = floor_load(_layout(2))
    assert fl.max_area_kg_m2 == pytest.approx(2 * W / 1.44)                # 1,888.9
    assert fl.rack_area_kg_m2 == pytest.approx([2 * W / 1.44] * 2)
    fl = floor_load(_layout(2, floor_bay_m=2.4))                          # 5.76 m2
    assert fl.max_area_kg_m2 == pytest.approx(2 * W / 5.76)


def test_ratings_alert_the_racks_over_them_and_only_those():
    lay = _layout(3, floor_rating_kg_m2=1500.0, floor_point_rating_kn=3.3)
    lay.set_rack_values(["R2"], "weight_kg", [1200.0])        # a lighter third rack
    fl = floor_load(lay)
    # a 1.2 m bay is two rack widths: R0+R1 share one (1,888.9); the bays touching R2 are
    # R1+R2 ((1,360 + 1,200) / 1.44 = 1,777.8) and, worse, half R0 + R1 + half R2:
    # (680 + 1,360 + 600) / 1.44 = 1,833.3 — all over 1,500
    assert fl.rack_area_kg_m2 == pytest.approx([2 * W / 1.44, 2 * W / 1.44,
                                                (W / 2 + W + 600) / 1.44])
    alerts = floor_alerts(lay, fl)
    over = {(a.kind, a.target) for a in alerts}
    assert {("floor_overload", r) for r in ("R0", "R1", "R2")} <= over
    # 3.334 kN > 3.3 for the GB200s; 1,200 kg: 2.94 kN is within
    assert {t for k, t in over if k == "floor_point_load"} == {"R0", "R1"}
    assert all(a.severity == "critical" for a in alerts)
    lay.set_settings("hall", dataclasses.replace(lay.hall, floor_rating_kg_m2=None,
                                                 floor_point_rating_kn=None))
    assert floor_alerts(lay, floor_load(lay)) == []         # no rating: nothing checked


def test_rear_doors_add_to_their_rack_and_standing_units_load_their_own_footprint():
    lay = _layout(1)
    lay.add_item("cooling_units", CoolingUnit("D0", "rdhx-55", 3.3, 4.3, rack="R0"))
    assert rack_weights_kg(lay).tolist() == [W + 120.0]
    lay.add_item("cooling_units", CoolingUnit("C1", "crah-150", 9.0, 8.0))   # 900 kg, far off
    fl = floor_load(lay)
    assert fl.load_kg_m2.sum() * 0.09 == pytest.approx(W + 120.0 + 900.0, rel=1e-6)
    assert fl.rack_area_kg_m2[0] == pytest.approx((W + 120.0) / 1.44)


def test_simulate_reports_and_alerts_and_the_cache_follows_a_weight_edit():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    sim = Simulator()
    res = sim.run(lay)
    assert res.floor is not None and not [a for a in res.alerts if a.kind.startswith("floor")]
    doc = floor_doc(lay, res)
    assert doc["max_load_kg_m2"] == pytest.approx(2 * W / 1.44, abs=0.1)
    assert doc["racks_over_rating"] == [] and doc["rating_kg_m2"] is None
    lay.set_settings("hall", dataclasses.replace(lay.hall, floor_rating_kg_m2=1800.0))
    res = sim.run(lay.snapshot(), geometry_changed=False)
    over = {a.target for a in res.alerts if a.kind == "floor_overload"}
    assert over and over == set(floor_doc(lay, res)["racks_over_rating"])
    lay.set_rack_values(list(over), "weight_kg", [600.0] * len(over))   # lighter racks
    res = sim.run(lay.snapshot(), geometry_changed=False)              # a heat-only promise
    assert not [a for a in res.alerts if a.kind == "floor_overload"]
    assert np.isin(600.0, res.floor.rack_weight_kg)


def test_a_rack_outside_the_hall_loads_no_bay_and_an_unknown_model_weighs_its_override():
    """A rack at x = 20 m stands beyond the 12 m hall: no bay of the floor carries it (its
    figure is 0), though it keeps its weight; the rack inside still loads its bay with
    W / 1.44. A model the catalogue does not know weighs nothing, unless the rack gives
    its own weight."""
    lay = _layout(1)
    lay.add_racks([{"id": "OFF", "model": "gb200-nvl72", "x_m": 20.0, "y_m": 3.6}])
    fl = floor_load(lay)
    assert fl.rack_weight_kg.tolist() == [W, W]
    assert fl.rack_area_kg_m2 == pytest.approx([W / 1.44, 0.0])
    lay.add_racks([{"id": "X", "model": "no-such-model", "x_m": 6.0, "y_m": 8.0},
                   {"id": "Y", "model": "no-such-model", "x_m": 8.0, "y_m": 8.0}])
    lay.set_rack_values(["Y"], "weight_kg", [500.0])
    assert rack_weights_kg(lay).tolist() == [W, W, 0.0, 500.0]


def test_a_narrow_rack_against_the_wall_on_one_cell_bays():
    """A 0.3 m x 0.6 m cabinet of 90 kg against the west wall (x 0-0.3 m, y 3.0-3.6 m)
    covers two raster cells of the first column: 90 / (2 x 0.09) = 500 kg/m2 each; with
    0.3 m bays (one cell) that is its figure."""
    cab = {"kind": "rack", "name": "cabinet", "cooling": "air", "width_m": 0.3,
           "depth_m": 0.6, "height_m": 2.0, "nameplate_kw": 1.0, "weight_kg": 90.0}
    lay = Layout(hall=Hall(width_m=12, length_m=10, raised_floor=False, floor_bay_m=0.3),
                 equipment={"cab": cab})
    lay.add_racks([{"id": "C", "model": "cab", "x_m": 0.15, "y_m": 3.3}])
    fl = floor_load(lay)
    assert fl.rack_area_kg_m2 == pytest.approx([500.0])
    assert fl.load_kg_m2[10:12, 0] == pytest.approx([500.0, 500.0])


def test_the_floor_document_lists_the_racks_over_each_rating_strictly():
    """Three racks of 1,360 / 1,360 / 1,200 kg with four casters: 1,360 x 9.80665 / 4 /
    1000 = 3.334 kN and 1,200 x 9.80665 / 4 / 1000 = 2.942 kN per caster. A point rating of
    exactly the light rack's caster load is not exceeded by it (over means above): R0 and
    R1 are over it; the bays (test_ratings_alert_the_racks_over_them_and_only_those, all
    over 1,777 kg/m2) are over 1,500 kg/m2 for all three. The worst racks are the first of
    equal ones; the figures are rounded as documented (kN 3 decimals, kg 1)."""
    point_light_kn = 1200.0 * G_MS2 / 4 / 1e3
    lay = _layout(3, floor_rating_kg_m2=1500.0, floor_point_rating_kn=point_light_kn)
    lay.set_rack_values(["R2"], "weight_kg", [1200.0])
    from types import SimpleNamespace
    doc = floor_doc(lay, SimpleNamespace(floor=floor_load(lay)))   # (the part it reads)
    assert doc["racks_over_point_rating"] == ["R0", "R1"]
    assert doc["racks_over_rating"] == ["R0", "R1", "R2"]
    assert (doc["rating_kg_m2"], doc["point_rating_kn"]) == (1500.0, point_light_kn)
    assert (doc["max_point_kn"], doc["max_point_rack"]) == (round(W * G_MS2 / 4 / 1e3, 3), "R0")
    assert (doc["heaviest_rack_kg"], doc["max_load_rack"]) == (W, "R0")
    assert doc["max_load_kg_m2"] == round(2 * W / 1.44, 1) == 1888.9
