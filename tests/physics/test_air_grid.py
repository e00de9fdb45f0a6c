"""The air grid and its blocked geometry (twin/physics/air/grid.py): cell size choice,
containment panels, grille cell spans, the return plenum's conductance."""

import numpy as np
import pytest

from twin.physics.air.grid import Geometry, Grid, build_geometry, grille_cells, make_grid, \
    uses_return_plenum
from twin.physics.air.scene import AirScene, Containment, CoolingUnits, Grilles, Hall, Racks, \
    SolverSettings


def _empty_scene(hall, containment=None, settings=None):
    """A hall with no racks and no cooling units (only the geometry matters)."""
    racks = Racks(np.zeros((0, 2)), np.zeros((0, 3)), np.zeros(0), np.zeros(0), np.zeros(0))
    units = CoolingUnits((), np.zeros((0, 2)), np.zeros((0, 3)), np.zeros(0), np.zeros(0),
                         np.zeros(0), np.zeros(0))
    kw = {} if containment is None else {"containment": containment}
    return AirScene(hall, racks, units, settings=settings or SolverSettings(), **kw)


def test_a_given_cell_size_is_used():
    # 6 m / 0.5 m = 12 cells a side, though the 36 m2 room would get 0.3 m by default
    g = make_grid(Hall(6.0, 6.0, 3.0), SolverSettings(cell_m=0.5))
    assert (g.nx, g.ny) == (12, 12) and g.dx == 0.5


@pytest.mark.parametrize("width, length, cells", [(30.0, 20.0, (100, 67)),   # 600 m2: the limit, 0.3 m
                                                  (40.0, 20.0, (67, 33))])    # 800 m2: a hall, 0.6 m
def test_default_cell_size_follows_the_floor_area(width, length, cells):
    # ROOM_AREA_LIMIT_M2 = 600: up to it 0.3 m cells (30/0.3 = 100, 20/0.3 = 66.7 -> 67),
    # above it 0.6 m (40/0.6 = 66.7 -> 67, 20/0.6 = 33.3 -> 33); the aspect ratio plays no part
    g = make_grid(Hall(width, length, 3.0), SolverSettings())
    assert (g.nx, g.ny) == cells


def _panels(rect, height_m):
    """Geometry of an empty 6 x 6 x 3 m slab room (0.5 m cells, 6 layers of 0.5 m) with one
    cold-aisle containment: no roof, no end doors."""
    sc = _empty_scene(Hall(6.0, 6.0, 3.0, raised_floor=False),
                      Containment([rect], ("cold_aisle",), [height_m], [False], [False]),
                      SolverSettings(cell_m=0.5, cell_z_m=0.5))
    return build_geometry(sc, make_grid(sc.hall, sc.settings))


def test_containment_panels_stop_at_their_height():
    # aisle x 1..5 m, y 2..3 m -> cells i 2..9, faces j = 4 and 6; 1.5 m panels = 3 layers
    geom = _panels([1.0, 2.0, 5.0, 3.0], 1.5)
    leak = SolverSettings().containment_leakage
    for j in (4, 6):
        assert np.all(geom.open_y[:3, j, 2:10] == leak)
        assert np.all(geom.open_y[3:, j, 2:10] == 1.0)      # open above the panels


def test_containment_panels_run_along_the_long_sides_of_an_aisle_along_y():
    # aisle x 1..2 m, y 0.5..3 m -> i faces 2 and 4 (2 cells wide), j 1..5 (5 cells long):
    # the panels stand on the x faces i = 2 and i = 4; the short ends (no doors) stay open
    geom = _panels([1.0, 0.5, 2.0, 3.0], 1.5)
    leak = SolverSettings().containment_leakage
    for i in (2, 4):
        assert np.all(geom.open_x[:3, 1:6, i] == leak)
    for j in (1, 6):
        assert np.all(geom.open_y[:, j, 2:4] == 1.0)


def test_a_grille_edge_on_a_cell_centre_covers_that_cell():
    # 0.5 m cells (centres 0.25, 0.75, 1.25, 1.75); a ceiling grille at (1, 1) of
    # 1.5 x 0.5 m spans x 0.25..1.75 and y 0.75..1.25: its edges lie exactly on the
    # centres, which count as inside -> i 0..3, j 1..2, in the top layer k = 1
    g = Grid(4, 4, 2, 0.5, 0.5)
    gr = Grilles([[1.0, 1.0]], [[1.5, 0.5]], ("return",))
    own, cells = grille_cells(g, gr, np.zeros(g.shape, bool))
    expect = sorted((1 * 4 + j) * 4 + i for j in (1, 2) for i in range(4))
    assert sorted(cells.tolist()) == expect and own.tolist() == [0] * 8


def test_return_conductance_is_area_over_half_a_cell():
    # dx = 0.5, dz = 0.25: a top cell under the plenum has A = 0.25 m2 over d = dz/2 =
    # 0.125 m -> 2.0 m; a wall return cell has A = dx dz = 0.125 m2 over dx/2 = 0.25 m -> 0.5 m
    g = Grid(2, 2, 2, 0.5, 0.25)
    mask = np.array([[True, False], [False, False]])
    geom = Geometry(g, np.zeros(g.shape, bool), np.ones((2, 2, 3)), np.ones((2, 3, 2)),
                    np.ones((3, 2, 2)), mask, np.array([1], np.int64))
    a = geom.return_conductance()
    expect = np.zeros(8); expect[4] = 2.0; expect[1] = 0.5      # top cell (k=1, j=0, i=0) = 4
    assert a == pytest.approx(expect)


def test_a_ceiling_return_hall_without_cooling_units_has_no_return_plenum():
    sc = _empty_scene(Hall(6.0, 6.0, 3.0, ceiling_return=True))
    assert uses_return_plenum(sc) is False
