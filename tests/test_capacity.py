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
    frac = lay.catalogue["gb200-nvl72"]["liquid_fraction"]
    c = res.cdu_ids.index(r["cdu"][k])
    liq = res.liquid.cdus
    liquid = (liq.load_w[c] / liq.capacity_fraction[c] - liq.load_w[c]) / 1e3 / frac
    a = res.air
    air = np.sum(a.unit_load_w / a.unit_capacity_fraction - a.unit_load_w) / 1e3 / (1 - frac)
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
