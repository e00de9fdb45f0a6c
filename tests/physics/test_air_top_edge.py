"""The top edge of a rack's face takes the air over the rack's top before it mixes down
(twin/physics/air/hottest.py, "Top edge"; docs/physics.md §2.13): ``over_top_c`` by hand,
and ``rack_inlet_max_c`` on solved rooms against the rule evaluated from the field."""

from dataclasses import replace

import numpy as np
import pytest

from twin.physics.air import AirSolver
from twin.physics.air.grid import front_vector
from twin.physics.air.hottest import OPEN_OVER_TOP, over_top_c
from twin.physics.air.scene import AirScene
from twin.physics.air.synthetic import room

MID = [4, 5, 14, 15]                       # room(20): the middles of its two rows of ten


def _scene(sc, **settings):
    return AirScene(sc.hall, sc.racks, sc.cooling, sc.tiles, sc.containment,
                    replace(sc.settings, **settings))


def test_over_top_by_hand():
    """A 3 × 2 × 4 (z, y, x) grid, the cell value 10 k + 4 j + i + 0.5 at (k, j, i): which
    cells count, and how they are weighted."""
    shape = (3, 2, 4)
    t = np.array([10.0 * k + 4 * j + i + 0.5 for k in range(3) for j in range(2) for i in range(4)])
    oz = np.ones((4, 2, 4))
    flat = lambda k, j, i: (k * 2 + j) * 4 + i          # noqa: E731
    oz[1, 1, 3] = 0.03                                   # a leaking roof over (0, 1, 3)
    oz[2, 0, 3] = OPEN_OVER_TOP                          # exactly at the threshold: open
    oz[2, 1, 2] = OPEN_OVER_TOP - 0.01                   # just below it: shut
    rows = np.array([0, 0, 0, 1, 1, 2, 3, 4, 4, 6])
    cells = np.array([flat(0, 0, 0), flat(1, 0, 0), flat(1, 0, 1),     # rack 0: layers 0-1
                      flat(0, 0, 2), flat(1, 0, 3),                    # rack 1: top cell at x 3
                      flat(2, 1, 0),                                   # rack 2: the grid's top
                      flat(0, 1, 3),                                   # rack 3: under the roof
                      flat(1, 1, 1), flat(1, 1, 2),                    # rack 4: one face shut
                      flat(0, 1, 0)])                                  # rack 6: the floor layer
    w = np.array([0.2, 0.2, 0.6, 0.5, 0.5, 1.0, 1.0, 0.3, 0.7, 1.0])
    out = over_top_c(rows, cells, w, 7, t, oz, shape)
    # rack 0: its top layer is 1; the cells above (2,0,0) = 20.5 and (2,0,1) = 21.5 weighted
    # 0.2 : 0.6 -> (0.2 × 20.5 + 0.6 × 21.5) / 0.8 = 21.25 (its layer-0 cell does not count)
    # rack 1: top layer 1 at x 3 only, through a face open to exactly the threshold: 23.5
    # rack 2: nothing above the grid's top; rack 3: a roof; rack 5: no intake at all
    # rack 4: (2,1,1) = 25.5 only; (2,1,2) is behind a face open to less than the threshold
    assert out[0] == pytest.approx(21.25)
    assert out[1] == pytest.approx(23.5)
    assert out[4] == pytest.approx(25.5)
    # rack 6: a rack one layer high takes the layer above the floor's: (1,1,0) = 14.5
    assert out[6] == pytest.approx(14.5)
    assert np.all(np.isneginf(out[[2, 3, 5]]))
    # the weights' scale does not matter, only their proportions
    assert np.allclose(over_top_c(rows, cells, 7.0 * w, 7, t, oz, shape), out)
    # no intake cells at all
    empty = np.zeros(0, int)
    assert np.all(np.isneginf(over_top_c(empty, empty, np.zeros(0), 2, t, oz, shape)))


def _over_front_c(scene, res, rack):
    """The air over a non-entraining rack's top, from the field: the cells one layer above
    its top intake layer, one cell in front of its face, across its width."""
    g = res.grid
    r = scene.racks
    f = front_vector(r.rotation_deg[[rack]])[0]
    t = np.array([f[1], -f[0]])
    n_w = int(round(r.size_m[rack, 0] / g.dx))
    k_top = int(round(r.size_m[rack, 2] / g.dz))            # the layer above the rack's top
    u = ((np.arange(n_w) + 0.5) / n_w - 0.5) * r.size_m[rack, 0]
    p = r.center_xy_m[rack] + f * (r.size_m[rack, 1] / 2 + 0.5 * g.dx) + u[:, None] * t
    i = np.floor(p[:, 0] / g.dx).astype(int)
    j = np.floor(p[:, 1] / g.dx).astype(int)
    return res.temperature_c[k_top, j, i].mean()


def test_the_top_edge_takes_the_air_over_the_rack_when_the_top_cell_is_cool():
    # a balanced open aisle: mid-row faces are at supply up to their top intake layer, the
    # air over the row top is warm, so the top-edge rule decides their hottest intake
    sc = room(20, supply_ratio=1.0)
    solver = AirSolver()
    off = solver.solve(_scene(sc, top_edge_share=0.0))
    res = solver.solve(sc)
    assert sc.settings.top_edge_share == 0.75
    # a figure only: the field and the means do not move (to the solvers' tolerance: the
    # second solve starts from the first's solution)
    assert np.allclose(res.rack_inlet_mean_c, off.rack_inlet_mean_c, rtol=0, atol=1e-5)
    assert np.allclose(res.temperature_c, off.temperature_c, rtol=0, atol=1e-5, equal_nan=True)
    mean = res.rack_inlet_mean_c[MID]
    over = np.array([_over_front_c(sc, res, k) for k in MID])
    assert np.all(over > mean + 1.0)                        # warm air over the row top
    rule = mean + 0.75 * (over - mean)
    assert np.all(rule > off.rack_inlet_max_c[MID] + 0.3)  # it decides there
    assert np.allclose(res.rack_inlet_max_c[MID], rule, atol=1e-9)
    # no rack reports less than before, and a larger share lifts no rack less
    assert np.all(res.rack_inlet_max_c >= off.rack_inlet_max_c - 1e-5)
    full = solver.solve(_scene(sc, top_edge_share=1.0))
    assert np.allclose(full.rack_inlet_max_c[MID], [_over_front_c(sc, full, k) for k in MID], atol=1e-9)
    assert np.all(full.rack_inlet_max_c >= res.rack_inlet_max_c - 1e-5)


def test_a_containment_roof_shuts_the_top_edge_off():
    # a roofed cold aisle at the racks' height: the air over the racks' tops is outside
    # the containment (hot), behind a panel that leaks a few per cent, so it does not
    # reach the top edges of the racks inside
    sc = room(20, supply_ratio=1.0, containment="cold_aisle")
    solver = AirSolver()
    off = solver.solve(_scene(sc, top_edge_share=0.0))
    res = solver.solve(sc)
    over = np.array([_over_front_c(sc, res, k) for k in MID])
    assert np.all(over > res.rack_inlet_mean_c[MID] + 3.0)  # hot over the roof
    assert np.allclose(res.rack_inlet_max_c, off.rack_inlet_max_c, rtol=0, atol=1e-5)
