"""Headroom (twin/engine/capacity.py, docs/physics.md §18): the capacity at a position is
the smallest of the resource limits computed by hand from the solved floor; free
positions; stranded capacity; CLI."""

import dataclasses
import json

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.cli import main
from twin.engine.capacity import LIMITS, capacity_map
from twin.engine.simulate import simulate
from twin.io import load_layout


@pytest.fixture(scope="module")
def pod():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    return lay, simulate(lay)


def _cooling_limits_kw(lay, res, cdu_id):
    """(liquid, air) kW a new GB200 rack on ``cdu_id`` may draw: the CDU's spare heat
    over the rack's liquid fraction, and the room units' spare over its air fraction."""
    frac = lay.catalogue["gb200-nvl72"]["liquid_fraction"]
    c = res.cdu_ids.index(cdu_id)
    liq = res.liquid.cdus
    liquid = (liq.load_w[c] / liq.capacity_fraction[c] - liq.load_w[c]) / 1e3 / frac
    a = res.air
    air = np.sum(a.unit_load_w / a.unit_capacity_fraction - a.unit_load_w) / 1e3 / (1 - frac)
    return liquid, air


def _path(lay, leaf):
    out = []
    while leaf:
        out.append(leaf)
        leaf = lay.power[leaf].upstream
    return out


def test_a_position_takes_the_smallest_of_its_resource_limits_by_hand(pod):
    lay, res = pod
    cm = capacity_map(lay, res, "gb200-nvl72")
    j, i = np.argwhere(np.isfinite(cm.capacity_kw))[0]
    x, y = cm.x_m[i], cm.y_m[j]
    r = lay.racks
    k = int(np.argmin(np.hypot(r["x_m"] - x, r["y_m"] - y)))       # nearest rack (all fed)
    p, f = res.power, res.failover
    idx = {c: n for n, c in enumerate(res.power_ids)}
    paths = [_path(lay, r["feed_a"][k]), _path(lay, r["feed_b"][k])]
    normal = min(p.rating_kw[idx[c]] - p.load_kw[idx[c]] for q in paths for c in q)
    fail = min(p.rating_kw[idx[c]] * (1 - f.worst_load_fraction[idx[c]]) for q in paths for c in q)
    power = min(2 * normal, fail)
    liquid, air = _cooling_limits_kw(lay, res, r["cdu"][k])
    expect = min(power, liquid, air)
    assert cm.capacity_kw[j, i] == pytest.approx(expect, rel=1e-9)
    assert LIMITS[cm.binding[j, i]] == ("power", "liquid", "air")[int(np.argmin([power, liquid, air]))]


def test_free_positions_leave_out_equipment_and_walls(pod):
    lay, res = pod
    cm = capacity_map(lay, res, "gb200-nvl72")
    w, d = 0.6, 1.2
    for (j, i) in np.argwhere(np.isfinite(cm.capacity_kw)):
        x0, x1, y0, y1 = cm.x_m[i] - w / 2, cm.x_m[i] + w / 2, cm.y_m[j] - d / 2, cm.y_m[j] + d / 2
        assert x0 >= -1e-9 and y0 >= -1e-9 and x1 <= lay.hall.width_m + 1e-9
        b = lay.rack_bounds_m()
        overlap = (b[:, 0] < x1 - 1e-6) & (b[:, 2] > x0 + 1e-6) & (b[:, 1] < y1 - 1e-6) & (b[:, 3] > y0 + 1e-6)
        assert not overlap.any()


def test_no_cdu_means_no_liquid_rack_and_hot_air_means_no_rack(pod):
    lay = load_layout(LAYOUTS / "small-room.json")
    res = simulate(lay)
    cm = capacity_map(lay, res, "gb300-nvl72")           # liquid-cooled: no CDU here
    fin = np.isfinite(cm.capacity_kw)
    assert fin.any() and np.all(cm.capacity_kw[fin] == 0.0)
    cm = capacity_map(lay, res, "dgx-h100-rack")         # air: hot-aisle positions take none
    hot = cm.binding == LIMITS.index("inlet")
    assert hot.any() and np.all(cm.capacity_kw[hot] == 0.0)


def test_a_floor_rating_below_the_rack_stops_every_position(pod):
    lay, _res = pod
    lay = lay.snapshot()
    lay.hall = dataclasses.replace(lay.hall, floor_point_rating_kn=1.0)   # 3.3 kN casters
    cm = capacity_map(lay, simulate(lay), "gb200-nvl72")
    fin = np.isfinite(cm.capacity_kw)
    assert np.all(cm.binding[fin] == LIMITS.index("floor")) and np.all(cm.capacity_kw[fin] == 0)


def test_stranded_capacity_is_what_the_binding_resource_leaves(pod):
    lay, res = pod
    rows = capacity_map(lay, res).to_json()["stranded"]
    usable = min(r["it_headroom_kw"] for r in rows)
    assert sum(r["binds"] for r in rows) >= 1
    for r in rows:
        assert r["stranded_it_kw"] == pytest.approx(r["it_headroom_kw"] - usable, abs=1e-3)
    power = next(r for r in rows if r["resource"].startswith("power"))
    assert power["installed"] == pytest.approx(6400.0)           # 8 busways of 800 kW
    assert power["it_headroom_kw"] == pytest.approx(3200.0 - res.facility.it_kw, rel=1e-6)


def test_cli_capacity_json(capsys):
    assert main(["capacity", str(LAYOUTS / "gb200-pod.json"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["model"] == "gb200-nvl72" and doc["free_positions"] > 0
    assert len(doc["map"]["capacity_kw"]) == len(doc["map"]["y_m"])
    assert main(["capacity", str(LAYOUTS / "gb200-pod.json"), "--model", "crah-150"]) == 1


def test_the_headroom_heatmap_is_the_map_on_the_tile_grid(pod):
    from twin.engine import layers
    lay, res = pod
    hm = layers.heatmap("headroom", lay, res)
    cm = capacity_map(lay, res)
    np.testing.assert_array_equal(hm.image, cm.capacity_kw)
    assert hm.extent[2] == pytest.approx(len(cm.x_m) * lay.hall.tile_pitch_m)
    assert hm.unit == "kW" and "gb200-nvl72" in hm.label


def test_the_binding_layer_holds_the_limit_codes_with_their_names(pod):
    from twin.engine import layers
    lay, res = pod
    hm = layers.heatmap("headroom_limit", lay, res)
    cm = capacity_map(lay, res)
    fin = cm.binding >= 0
    np.testing.assert_array_equal(hm.image[fin], cm.binding[fin].astype(float))
    assert np.isnan(hm.image[~fin]).all()
    assert hm.categories == LIMITS and hm.levels == (-0.5, len(LIMITS) - 0.5)


def test_stranded_rows_by_hand_for_single_and_dual_fed_racks(pod):
    """Each row from its definition: power over the leaf components (busways): installed
    their ratings, used their loads, half usable when every rack is 2N-fed; air over the
    room units (capacity = load / loaded fraction) per IT kW of the air share 1 - f;
    liquid over the CDUs per IT kW of the liquid share f; space: the racks' nameplate plus
    what the free positions could hold. The smallest headroom binds; what the others
    have beyond it is stranded. Figures to 3 decimals."""
    from twin.engine.capacity import stranded
    lay, res = pod
    f = float(lay.catalogue["gb200-nvl72"].get("liquid_fraction"))
    p, a, c = res.power, res.air, res.liquid.cdus
    leaves = [i for i, cid in enumerate(res.power_ids) if cid.startswith("BUSWAY")]
    assert len(leaves) == 8 and all(not any(q.upstream == res.power_ids[i] for q in
                                            lay.power.values()) for i in leaves)
    cap_p, used_p = p.rating_kw[leaves].sum(), p.load_kw[leaves].sum()
    cap_a, used_a = (a.unit_load_w / a.unit_capacity_fraction).sum() / 1e3, a.unit_load_w.sum() / 1e3
    cap_l, used_l = (c.load_w / c.capacity_fraction).sum() / 1e3, c.load_w.sum() / 1e3
    plate = float(sum(lay.catalogue[m].get("nameplate_kw") for m in lay.racks["model"]))
    space = 1234.5

    def expected(label, usable_p):
        rows = [(label, "kW", cap_p, used_p, max(usable_p - used_p, 0.0)),
                ("air cooling", "kW", cap_a, used_a, (cap_a - used_a) / (1 - f)),
                ("liquid cooling (CDUs)", "kW", cap_l, used_l, (cap_l - used_l) / f),
                ("space (free positions)", "kW of racks", space + plate, plate, space)]
        least = min(r[4] for r in rows)
        return [{"resource": n, "unit": u, "installed": pytest.approx(round(i, 3), abs=1e-9),
                 "used": pytest.approx(round(us, 3), abs=1e-9),
                 "it_headroom_kw": pytest.approx(round(h, 3), abs=1e-9),
                 "stranded_it_kw": pytest.approx(round(h - least, 3), abs=1e-3),
                 "binds": h == least} for n, u, i, us, h in rows]

    assert stranded(lay, res, f, space) == expected("power (rack feeds, 2N: half usable)",
                                                    cap_p / 2)
    single = lay.snapshot()
    single.set_rack_values(list(single.racks.ids), "feed_b", [""] * len(single.racks))
    assert stranded(single, res, f, space) == expected("power (rack feeds)", cap_p)


def test_the_capacity_json_counts_positions_at_nameplate_and_orders_the_best():
    """Three free positions of four: 120.5554 kW (air binds), exactly the 120 kW nameplate
    (power), 0 kW (floor); the best first, to 3 decimals."""
    from twin.engine.capacity import CapacityMap
    cm = CapacityMap("m", np.array([0.3, 0.9]), np.array([0.6, 1.8]),
                     np.array([[np.nan, 120.0], [120.5554, 0.0]]),
                     np.array([[-1, 0], [2, 4]]), 120.0, [])
    assert cm.free_positions == 3
    assert cm.to_json() == {
        "model": "m", "nameplate_kw": 120.0, "free_positions": 3,
        "positions_at_nameplate": 2, "max_kw": 120.555,
        "binding_counts": {"power": 1, "liquid": 0, "air": 1, "inlet": 0, "floor": 1},
        "best": [{"x_m": 0.3, "y_m": 1.8, "capacity_kw": 120.555, "binding": "air"},
                 {"x_m": 0.9, "y_m": 0.6, "capacity_kw": 120.0, "binding": "power"},
                 {"x_m": 0.9, "y_m": 1.8, "capacity_kw": 0.0, "binding": "floor"}],
        "stranded": []}
    none = CapacityMap("m", np.array([0.3]), np.array([0.6]), np.full((1, 1), np.nan),
                       np.full((1, 1), -1), 120.0, [])
    doc = none.to_json()
    assert (doc["free_positions"], doc["max_kw"], doc["best"]) == (0, None, [])


#: a rack model 0.5 m x 1.0 m of 800 kg (binary-exact sizes: its weight over a 1 m bay
#: is exactly 800 kg/m2) and a 0.3 m square post (one raster cell)
_SMALL = {"kind": "rack", "name": "small rack", "cooling": "air", "width_m": 0.5,
          "depth_m": 1.0, "height_m": 2.0, "nameplate_kw": 10.0, "weight_kg": 800.0}
_POST = {"kind": "rack", "name": "post", "cooling": "air", "width_m": 0.3, "depth_m": 0.3,
         "height_m": 2.0, "nameplate_kw": 1.0}


def test_a_footprint_touching_one_raster_cell_of_equipment_is_not_free():
    """A 0.3 m post at (0.45, 0.45) fills raster cell (1, 1). A 0.6 x 1.2 m rack centred on
    the tile (0.3, 0.9) covers x 0-0.6, y 0.3-1.5: cells 0-1 by 1-4, one of them the
    post's; on the tile (0.9, 0.9) it covers cells 2-3 and is clear."""
    from twin.engine.capacity import _free
    from twin.model import Hall, Layout, RackTable
    lay = Layout(hall=Hall(width_m=2.4, length_m=2.4, raised_floor=False),
                 racks=RackTable.from_records([{"id": "P", "model": "post", "x_m": 0.45,
                                                "y_m": 0.45}]),
                 equipment={"post": _POST})
    xs, ys, free = _free(lay, 0.6, 1.2)
    assert xs.tolist() == pytest.approx([0.3, 0.9, 1.5, 2.1])
    assert not free[1, 0] and free[1, 1]
    assert not free[0].any()                   # y from -0.3: outside the hall


def test_the_floor_rating_allows_a_rack_that_loads_a_bay_exactly_to_it():
    """Nothing stands yet; the small rack puts 800 kg on a 1 m bay: 800 kg/m2. A rating of
    800 kg/m2 takes it (the air binds: 50 kW of spare unit capacity), 799.9 does not."""
    from types import SimpleNamespace

    from twin.engine import raster
    from twin.model import Hall, Layout
    empty = SimpleNamespace(rating_kw=np.zeros(0), load_kw=np.zeros(0))
    res = SimpleNamespace(power=empty, failover=SimpleNamespace(worst_load_fraction=np.zeros(0)),
                          power_ids=[], liquid=None,
                          air=SimpleNamespace(unit_load_w=np.array([50e3]),
                                              unit_capacity_fraction=np.array([0.5]),
                                              field_current=False))
    for rating, cap_kw, limit in ((800.0, 50.0, "air"), (799.9, 0.0, "floor")):
        lay = Layout(hall=Hall(width_m=2.4, length_m=2.4, raised_floor=False, floor_bay_m=1.0,
                               floor_rating_kg_m2=rating), equipment={"small": _SMALL})
        res.floor = SimpleNamespace(load_kg_m2=np.zeros(raster.raster_shape(lay)))
        cm = capacity_map(lay, res, "small")
        fin = np.isfinite(cm.capacity_kw)
        assert fin.any()
        assert np.all(cm.capacity_kw[fin] == cap_kw)
        assert {LIMITS[b] for b in cm.binding[fin]} == {limit}


def test_a_footprint_against_the_wall_sees_equipment_in_the_first_raster_row():
    """A 0.3 m post at (0.45, 0.15) fills raster cell (row 0, column 1), against the wall
    y = 0. A 0.6 x 0.6 m footprint centred on the tile (0.3, 0.3) covers x 0-0.6, y 0-0.6:
    rows 0-1 by columns 0-1, the post's cell among them; on the tile (0.9, 0.3) it covers
    columns 2-3 and is clear."""
    from twin.engine.capacity import _free
    from twin.model import Hall, Layout, RackTable
    lay = Layout(hall=Hall(width_m=2.4, length_m=2.4, raised_floor=False),
                 racks=RackTable.from_records([{"id": "P", "model": "post", "x_m": 0.45,
                                                "y_m": 0.15}]),
                 equipment={"post": _POST})
    _xs, ys, free = _free(lay, 0.6, 0.6)
    assert ys[0] == pytest.approx(0.3)
    assert not free[0, 0] and free[0, 1]


def _air_only_result(lay):
    """A solved floor stand-in with no power, no liquid, no floor map: room units with
    50 kW of spare (50 kW loaded to half their capacity)."""
    from types import SimpleNamespace
    empty = SimpleNamespace(rating_kw=np.zeros(0), load_kw=np.zeros(0))
    return SimpleNamespace(power=empty, power_ids=[], liquid=None, floor=None,
                           failover=SimpleNamespace(worst_load_fraction=np.zeros(0)),
                           air=SimpleNamespace(unit_load_w=np.array([50e3]),
                                               unit_capacity_fraction=np.array([0.5]),
                                               field_current=False))


def test_the_default_model_is_the_most_common_gpu_rack_else_the_most_common_rack():
    """Three storage racks (no GPUs), two DGX H100 racks and one GB200 rack: the default
    is the DGX H100 rack (the most common with GPUs), not the storage rack (the most
    common of all). With only the storage racks it is the storage rack; an empty floor
    still gets a rack model of the catalogue."""
    from twin.model import Hall, Layout, RackTable
    placed = [("S1", "storage-rack", 0.3), ("S2", "storage-rack", 0.9),
              ("S3", "storage-rack", 1.5), ("H1", "dgx-h100-rack", 2.1),
              ("H2", "dgx-h100-rack", 2.7), ("G1", "gb200-nvl72", 3.3)]

    def floor(racks):
        recs = [{"id": i, "model": m, "x_m": x, "y_m": 1.2} for i, m, x in racks]
        return Layout(hall=Hall(width_m=6.0, length_m=6.0, raised_floor=False),
                      racks=RackTable.from_records(recs))

    lay = floor(placed)
    assert capacity_map(lay, _air_only_result(lay)).model == "dgx-h100-rack"
    lay = floor(placed[:3])
    assert capacity_map(lay, _air_only_result(lay)).model == "storage-rack"
    lay = floor([])
    cm = capacity_map(lay, _air_only_result(lay))
    assert lay.catalogue[cm.model].kind == "rack" and cm.free_positions > 0


def test_the_stranded_rows_of_an_empty_hall_by_hand():
    """The 2.4 m square hall holds the 0.5 x 1.0 m small rack (10 kW nameplate) at 4 x 2
    tile centres (x 0.3-2.1; y 0.9 and 1.5: at 0.3 and 2.1 it would cross a wall), so the
    space row offers 8 x 10 = 80 kW; the room units 100 kW installed, 50 kW used, 50 kW
    spare for an air-cooled rack. The air binds and 30 kW of the space is stranded."""
    from twin.model import Hall, Layout
    lay = Layout(hall=Hall(width_m=2.4, length_m=2.4, raised_floor=False),
                 equipment={"small": _SMALL})
    cm = capacity_map(lay, _air_only_result(lay), "small")
    assert cm.free_positions == 8
    assert cm.stranded == [
        {"resource": "air cooling", "unit": "kW", "installed": 100.0, "used": 50.0,
         "it_headroom_kw": 50.0, "stranded_it_kw": 0.0, "binds": True},
        {"resource": "space (free positions)", "unit": "kW of racks", "installed": 80.0,
         "used": 0.0, "it_headroom_kw": 80.0, "stranded_it_kw": 30.0, "binds": False}]


def test_a_rack_fed_from_its_b_side_only_gives_a_new_rack_its_b_path(pod):
    """Every rack fed from side B alone: a new rack joins the B feed of the nearest rack
    and may take the whole smallest spare on that path (single-fed: no 2N halving, no
    failover limit), against the liquid and air limits as in the dual-fed case."""
    lay = pod[0].snapshot()
    lay.set_rack_values(list(lay.racks.ids), "feed_a", [""] * len(lay.racks))
    res = simulate(lay)
    cm = capacity_map(lay, res, "gb200-nvl72")
    j, i = np.argwhere(np.isfinite(cm.capacity_kw))[0]
    r = lay.racks
    k = int(np.argmin(np.hypot(r["x_m"] - cm.x_m[i], r["y_m"] - cm.y_m[j])))
    p = res.power
    idx = {c: n for n, c in enumerate(res.power_ids)}
    power = min(p.rating_kw[idx[c]] - p.load_kw[idx[c]] for c in _path(lay, r["feed_b"][k]))
    liquid, air = _cooling_limits_kw(lay, res, r["cdu"][k])
    assert power > 0
    assert cm.capacity_kw[j, i] == pytest.approx(min(power, liquid, air), rel=1e-9)
    assert LIMITS[cm.binding[j, i]] == ("power", "liquid", "air")[int(np.argmin([power, liquid, air]))]
