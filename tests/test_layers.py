"""Plan layers from results: per-rack colourings and heatmaps agree with the result."""

import numpy as np
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
    assert hm.colormap == layers.METRICS[metric][2]
    x0, y0, x1, y1 = hm.extent
    assert (x0, y0) == (0.0, 0.0)
    ny, nx = hm.image.shape
    if metric == "air":             # the air grid's own cells
        assert hm.label.endswith("at 1.2 m")
        g = res.air.grid
        assert (x1, y1) == pytest.approx((nx * g.dx, ny * g.dx))
    else:
        assert (x1, y1) == pytest.approx((lay.hall.width_m, lay.hall.length_m), abs=layers.RASTER_M)
