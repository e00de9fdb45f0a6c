"""Plan layers from results: per-rack colourings and heatmaps agree with the result."""

import numpy as np

from twin.model.viewstate import COLORMAPS
import pytest

from tests.conftest import LAYOUTS
from twin.engine import layers
from twin.engine.simulate import simulate
from twin.io import load_layout
from twin.model import geometry


@pytest.fixture(scope="module")
def pod():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    return lay, simulate(lay)


def test_rack_colourings_follow_results(pod):
    lay, res = pod
    c = layers.rack_colouring("coolant", res)
    i = lay.racks.index_of("A01")
    assert c.values[i] == pytest.approx(res.liquid.racks.return_c[i])
    assert np.isnan(c.values[lay.racks.index_of("A-IB1")])  # air-cooled: no coolant
    assert c.unit == "°C" and c.vmin < c.vmax
    p = layers.rack_colouring("power", res)
    assert p.values.sum() == pytest.approx(res.facility.it_kw)


def test_power_density_integrates_to_it_power(pod):
    lay, res = pod
    hm = layers.heatmap("power", lay, res)
    cell = layers.RASTER_M ** 2
    assert hm.unit == "kW/m²"
    assert hm.image.sum() * cell == pytest.approx(res.rack_power_kw.sum(), rel=1e-6)


def test_inlet_heatmap_marks_rack_footprints_and_their_intake_zones(pod):
    lay, res = pod
    hm = layers.heatmap("inlet", lay, res)
    x0, y0, x1, y1 = lay.rack_bounds_m()[0]
    j = int((y0 + y1) / 2 / layers.RASTER_M)
    i = int((x0 + x1) / 2 / layers.RASTER_M)
    assert hm.image[j, i] >= res.air.rack_inlet_max_c[0] - 1e-9
    assert np.isnan(hm.image[0, 0])              # the floor far from any rack is empty


def test_per_rack_heatmaps_show_in_the_aisle_in_front_of_each_rack():
    """The small room's capture heatmap used to cover only the rack footprints (hidden
    under the racks): a colour bar over an empty floor. Now the intake zone in front of
    each rack carries its figure; where zones of facing racks meet, the worse one."""
    lay = load_layout(LAYOUTS / "small-room.json")
    res = simulate(lay)
    hm = layers.heatmap("capture", lay, res)
    r = lay.racks
    k = r.index_of("A03")
    x0, y0, x1, y1 = lay.rack_bounds_m()[k]
    fx, fy = (float(v) for v in geometry.front_vectors([r["rotation_deg"][k]])[0])
    # the cell centre a quarter of the zone in front of A03's intake face
    cx = (x0 + x1) / 2 + fx * ((x1 - x0) / 2 + layers.INTAKE_ZONE_M / 4)
    cy = (y0 + y1) / 2 + fy * ((y1 - y0) / 2 + layers.INTAKE_ZONE_M / 4)
    j, i = int(cy / layers.RASTER_M), int(cx / layers.RASTER_M)
    assert hm.image[j, i] == pytest.approx(res.air.rack_capture_index[k])
    footprint = np.zeros(hm.image.shape, bool)
    for bx0, by0, bx1, by1 in lay.rack_bounds_m():
        footprint[int(round(by0 / 0.3)):int(round(by1 / 0.3)),
                  int(round(bx0 / 0.3)):int(round(bx1 / 0.3))] = True
    assert np.isfinite(hm.image[~footprint]).sum() >= len(r) * 2   # the aisles show it
    assert np.nanmin(hm.image) == pytest.approx(res.air.rack_capture_index.min())


def test_air_slice_heatmap(pod):
    lay, res = pod
    lo, top = layers.rack_heights_m(lay)
    hm = layers.heatmap("air", lay, res, height_m=top)
    assert hm.image.shape == (len(res.air.y_m), len(res.air.x_m))
    assert hm.levels[0] <= 18.0 and hm.levels[1] >= 32.0
    assert f"{top:.1f} m" in hm.label
    # cells inside equipment show their nearest air cell: no holes, same range and peak
    hm = layers.heatmap("air", lay, res, height_m=lo)
    raw = res.air.slice_at(lo)
    assert np.isnan(raw).any() and np.isfinite(hm.image).all()
    assert np.nanmax(raw) == hm.image.max() and np.nanmin(raw) == hm.image.min()
    air = np.isfinite(raw)
    assert np.array_equal(hm.image[air], raw[air])


@pytest.mark.parametrize("metric", ["inlet", "power", "capture", "coolant", "air"])
def test_every_heatmap_names_its_colour_map_and_covers_the_hall(pod, metric):
    lay, res = pod
    hm = layers.heatmap(metric, lay, res, height_m=1.2)
    assert hm.colormap == layers.colormap_of(metric, lay.hall.ashrae_class)
    assert hm.colormap in COLORMAPS
    x0, y0, x1, y1 = hm.extent
    assert (x0, y0) == (0.0, 0.0)
    ny, nx = hm.image.shape
    if metric == "air":             # the air grid's own cells
        assert hm.label.endswith("at 1.2 m")
        g = res.air.grid
        assert (x1, y1) == pytest.approx((nx * g.dx, ny * g.dx))
    else:
        assert (x1, y1) == pytest.approx((lay.hall.width_m, lay.hall.length_m), abs=layers.RASTER_M)


def test_value_ranges_per_metric():
    values = np.array([38.2, 44.6])
    lo, hi = layers.value_range("coolant", values)     # coolant: on its own data
    assert 37.0 <= lo <= 38.2 and 44.6 <= hi <= 46.0
    # air temperatures: the hall class's fixed scale, whatever the data (docs/physics.md §22)
    assert layers.value_range("inlet", np.array([22.0, 24.0])) == (15.0, 35.0)
    assert layers.value_range("inlet", np.array([22.0, 44.0])) == (15.0, 35.0)
    assert layers.value_range("air", np.array([5.0]), "A3") == (15.0, 43.0)
    assert layers.value_range("capture", values) == (0.0, 1.0)
    assert layers.value_range("power", np.array([12.0, 130.0]))[0] == 0.0


def test_rack_values_without_an_air_result_are_missing(pod):
    import dataclasses

    lay, res = pod
    no_air = dataclasses.replace(res, air=None)
    assert np.isnan(layers.rack_values("inlet", no_air)).all()
    assert len(layers.rack_values("inlet", no_air)) == len(lay.racks)


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_intake_zone_is_zone_deep_on_the_front_side_only(rotation):
    """One rack in the middle of the pod hall, turned each way: its value covers the
    footprint and INTAKE_ZONE_M (two 0.3 m cells) in front of the intake face, nothing
    behind or beside it."""
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    keep = lay.racks.ids[0]
    lay.remove_racks([str(r) for r in lay.racks.ids[1:]])
    lay.move_racks([keep], [7.2], [5.4])
    k = lay.racks.index_of(keep)
    lay.racks["rotation_deg"][k] = rotation
    values = np.full(len(lay.racks), np.nan)
    values[k] = 1.0
    img = layers.intake_raster(lay, values, "max")
    x0, y0, x1, y1 = lay.rack_bounds_m()[k]
    (fx, fy), = geometry.front_vectors([rotation])
    zx0 = x0 + min(fx, 0) * layers.INTAKE_ZONE_M
    zy0 = y0 + min(fy, 0) * layers.INTAKE_ZONE_M
    zx1 = x1 + max(fx, 0) * layers.INTAKE_ZONE_M
    zy1 = y1 + max(fy, 0) * layers.INTAKE_ZONE_M
    cells = np.argwhere(img == 1.0) * layers.RASTER_M + layers.RASTER_M / 2   # (y, x) centres
    assert cells[:, 1].min() > zx0 - 1e-9 and cells[:, 1].max() < zx1 + 1e-9
    assert cells[:, 0].min() > zy0 - 1e-9 and cells[:, 0].max() < zy1 + 1e-9
    assert cells[:, 1].min() < zx0 + layers.RASTER_M and cells[:, 1].max() > zx1 - layers.RASTER_M
    assert cells[:, 0].min() < zy0 + layers.RASTER_M and cells[:, 0].max() > zy1 - layers.RASTER_M


def test_temperature_scale_marks_the_ashrae_bands():
    """The colour map of class A1 (15-35 C): the recommended band 18-27 C runs blue to
    yellow, red at the 32 C allowable limit, and a distinct magenta beyond it."""
    from twin.model.viewstate import colormap_rgba
    lo, hi, name = layers.temperature_scale("A1")
    assert (lo, hi, name) == (15.0, 35.0, "ashrae-A1")
    rgb = colormap_rgba(np.array([18.0, 27.0, 32.0, 32.5, 40.0]), lo, hi, name)[:, :3] * 255
    np.testing.assert_allclose(rgb[0], (69, 117, 180), atol=1)      # recommended minimum
    np.testing.assert_allclose(rgb[1], (254, 224, 144), atol=1)     # recommended maximum
    np.testing.assert_allclose(rgb[2], (165, 0, 38), atol=2)        # allowable limit: red
    assert rgb[3][2] > 150 and rgb[3][0] > 150                      # beyond: magenta
    np.testing.assert_allclose(rgb[4], (140, 20, 130), atol=1)      # clipped at the top
    assert layers.temperature_scale("a2")[:2] == (15.0, 38.0)


def test_smoothed_heatmaps_are_bilinear_and_keep_empty_cells_empty():
    from twin.engine import raster
    ny, nx = 20, 30
    x = np.arange(nx) + 0.5
    ramp = np.tile(2.0 * x + 7.0, (ny, 1))            # linear along x: bilinear keeps it
    out = raster.smoothed(ramp)
    f = out.shape[1] // nx
    assert out.shape == (ny * f, nx * f) and f == 4
    xs = (np.arange(nx * f) + 0.5) / f                 # centres of the fine pixels
    inner = (xs > 0.5) & (xs < nx - 0.5)
    np.testing.assert_allclose(out[5, inner], 2.0 * xs[inner] + 7.0, atol=1e-9)
    img = np.full((ny, nx), 20.0)
    img[:, :10] = np.nan                               # a rack row: no air value
    sm = raster.smoothed(img)
    assert np.isnan(sm[:, : 10 * f]).all()
    np.testing.assert_allclose(sm[:, 10 * f:], 20.0)  # not pulled towards the empty cells
    cat = np.array([[0.0, 1.0], [2.0, 3.0]])
    assert raster.smoothed(cat).shape == (8, 8)


def test_nice_ranges_snap_outwards_to_the_step():
    assert layers._nice_range(np.array([38.2, 44.6]), 1.0) == (38.0, 45.0)
    assert layers._nice_range(np.array([40.0, 40.0]), 10.0) == (40.0, 50.0)   # one step wide
    assert layers._nice_range(np.array([np.nan, np.inf]), 5.0) == (0.0, 1.0)  # nothing finite
    assert layers._nice_range(np.array([12.0, 14.0]), 5.0, floor=0.0, ceil=100.0) == (0.0, 100.0)
    assert layers._nice_range(np.array([-3.0, 120.0]), 5.0, floor=0.0, ceil=100.0) == (-5.0, 120.0)


def test_value_ranges_exactly_per_metric():
    assert layers.value_range("coolant", np.array([38.2, np.nan, 44.6])) == (38.0, 45.0)
    assert layers.value_range("power", np.array([12.0, 130.0])) == (0.0, 130.0)
    assert layers.value_range("power", np.array([12.0, 131.0])) == (0.0, 140.0)
    assert layers.value_range("floor", np.array([1361.0])) == (0.0, 1370.0)
    assert layers.value_range("capture", np.array([0.2, 0.4])) == (0.0, 1.0)
    assert layers.value_range("inlet", np.array([50.0]), "A4") == (15.0, 48.0)
    assert layers.value_range("air", np.array([5.0]), "nonsense") == (15.0, 35.0)   # A1


def test_rack_values_per_metric_on_a_mixed_floor(pod):
    """The pod has liquid-cooled racks (on a CDU) and air-cooled ones (A-IB1): coolant
    return only for the former, NaN for the latter; NaN for fields racks do not carry."""
    import dataclasses
    lay, res = pod
    i_air, i_liq = lay.racks.index_of("A-IB1"), lay.racks.index_of("A01")
    coolant = layers.rack_values("coolant", res)
    assert np.isnan(coolant[i_air]) and coolant[i_liq] == res.liquid.racks.return_c[i_liq]
    np.testing.assert_array_equal(layers.rack_values("capture", res), res.air.rack_capture_index)
    np.testing.assert_array_equal(layers.rack_values("inlet", res), res.air.rack_inlet_max_c)
    np.testing.assert_array_equal(layers.rack_values("floor", res), res.floor.rack_weight_kg)
    assert np.isnan(layers.rack_values("headroom", res)).all()
    bare = dataclasses.replace(res, air=None, liquid=None, floor=None)
    for metric in ("capture", "coolant", "floor", "headroom_limit"):
        values = layers.rack_values(metric, bare)
        assert len(values) == len(lay.racks) and np.isnan(values).all()
    with pytest.raises(KeyError):
        layers.rack_values("humidity", res)


def test_rack_colouring_carries_label_unit_range_and_map(pod):
    lay, res = pod
    c = layers.rack_colouring("coolant", res)
    assert (c.label, c.unit, c.colormap) == ("Coolant return temperature", "°C", "thermal")
    assert c.key == "coolant"
    assert (c.vmin, c.vmax) == layers._nice_range(layers.rack_values("coolant", res), 1.0)
    c = layers.rack_colouring("inlet", res)
    assert (c.vmin, c.vmax, c.colormap) == (15.0, 35.0, f"ashrae-{res.ashrae_class}")


def test_floor_heatmap_is_the_bay_averaged_floor_load(pod):
    """The floor layer is the floor result's load in kg/m² averaged over the hall's floor
    bay (the pod's 1.2 m), on its own extent, from zero to the next 250 kg/m² step at or
    above the heaviest bay (the pod states no rating); no floor result, no layer."""
    import dataclasses
    lay, res = pod
    hm = layers.heatmap("floor", lay, res)
    fl = res.floor
    np.testing.assert_array_equal(hm.image, fl.load_kg_m2)
    assert hm.extent == fl.extent
    assert (hm.label, hm.unit) == ("Floor load (1.2 m bay)", "kg/m²")
    peak = float(fl.load_kg_m2.max())
    assert hm.levels[0] == 0.0 and hm.levels[1] % 250.0 == 0.0
    assert peak <= hm.levels[1] < peak + 250.0
    assert layers.heatmap("floor", lay, dataclasses.replace(res, floor=None)) is None


def test_both_capacity_layers_cover_the_hall_on_the_tile_grid(pod):
    """Headroom and what binds it are drawn on the same tile grid: 0.6 m tiles over the
    pod's 14.4 m x 10.8 m hall, so both extents are (0, 0, 14.4, 10.8)."""
    lay, res = pod
    limit = layers.heatmap("headroom_limit", lay, res)
    room = layers.heatmap("headroom", lay, res)
    assert limit.extent == pytest.approx((0.0, 0.0, 14.4, 10.8))
    assert room.extent == pytest.approx(limit.extent)
    ny, nx = limit.image.shape
    assert (nx * 0.6, ny * 0.6) == pytest.approx(limit.extent[2:])


@pytest.mark.parametrize("metric", ["inlet", "coolant"])
def test_facing_racks_share_an_aisle_that_shows_the_hotter_figure(metric):
    """Two racks face each other across an aisle INTAKE_ZONE_M wide, so their intake zones
    fill the same cells: a temperature layer draws the worse, i.e. hotter, of the two
    (24 and 30 degrees here), whichever rack is drawn last."""
    from types import SimpleNamespace
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    a, b = (str(r) for r in lay.racks.ids[:2])
    lay.remove_racks([str(r) for r in lay.racks.ids[2:]])
    lay.move_racks([a, b], [7.2, 7.2], [3.0, 4.8])
    ia, ib = lay.racks.index_of(a), lay.racks.index_of(b)
    lay.racks["rotation_deg"][ia], lay.racks["rotation_deg"][ib] = 180, 0
    (fa, fb) = geometry.front_vectors(lay.racks["rotation_deg"][[ia, ib]])
    assert tuple(fa) == pytest.approx((0, 1)) and tuple(fb) == pytest.approx((0, -1))
    ba, bb = lay.rack_bounds_m()[[ia, ib]]
    assert bb[1] - ba[3] == pytest.approx(layers.INTAKE_ZONE_M)   # the aisle between them
    for hot in (ia, ib):
        t = np.full(2, 24.0)
        t[hot] = 30.0
        cdu = np.zeros(2, int)
        res = SimpleNamespace(rack_ids=[a, b], ashrae_class="A1",
                              air=SimpleNamespace(rack_inlet_max_c=t),
                              liquid=SimpleNamespace(racks=SimpleNamespace(cdu_index=cdu,
                                                                           return_c=t)))
        hm = layers.heatmap(metric, lay, res)
        rows = slice(int(round(ba[3] / layers.RASTER_M)), int(round(bb[1] / layers.RASTER_M)))
        cols = slice(int(round(ba[0] / layers.RASTER_M)), int(round(ba[2] / layers.RASTER_M)))
        aisle = hm.image[rows, cols]
        assert aisle.size >= 4 and np.all(aisle == 30.0)


def test_rack_power_values_are_floats_whatever_the_result_holds(pod):
    """One float per rack (NaN marks "no value" in every metric): a result whose rack
    power is held in whole kW (a hand-made or imported result) still gives floats."""
    import dataclasses
    _lay, res = pod
    whole = dataclasses.replace(res, rack_power_kw=np.array([120, 0, 35]))
    values = layers.rack_values("power", whole)
    assert values.dtype == np.float64
    assert values.tolist() == [120.0, 0.0, 35.0]


def test_the_top_of_the_temperature_scale_is_exactly_its_magenta_end():
    """Beyond the top of the scale the colour is clipped to the scale's end, the deep
    magenta (140, 20, 130): no interpolation there, so the 8-bit lookup table the views
    draw with ends on that colour exactly, for every class."""
    from twin.model.viewstate import colormap_lut, colormap_rgba
    for cls in ("A1", "A2", "A3", "A4"):
        lo, hi, name = layers.temperature_scale(cls)
        assert colormap_lut(name)[-1].tolist() == [140, 20, 130, 255]
        rgb = colormap_rgba(np.array([hi, hi + 10.0]), lo, hi, name)[:, :3] * 255
        np.testing.assert_allclose(rgb, [(140, 20, 130)] * 2, atol=1e-9)
