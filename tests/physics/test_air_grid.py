"""The air grid and its blocked geometry (twin/physics/air/grid.py): cell size choice,
containment panels, grille cell spans, the return plenum's conductance."""

import numpy as np
import pytest

from twin.physics.air.grid import Geometry, Grid, build_geometry, footprint_cells, grille_cells, \
    make_grid, on_grid, snap, uses_return_plenum
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


@pytest.mark.parametrize("along_y", [False, True])
@pytest.mark.parametrize("kind, roof, ceiling_return, door_open", [
    ("cold_aisle", True, False, 0.0),      # roofed: the doors' leak goes through the roof
    ("hot_aisle", True, False, 0.0),       # the same for a roofed hot aisle in a room return
    ("cold_aisle", False, False, None),    # no roof: the doors leak themselves
    ("hot_aisle", True, True, None),       # a chimney: its doors leak, up to the ceiling
])
def test_which_end_doors_leak(kind, roof, ceiling_return, door_open, along_y):
    """Aisle x 1..5 m, y 2..3 m on 0.5 m cells (i 2..10, j 4..6), 1.5 m panels (3 of 6
    layers): the end doors stand on the x faces i = 2 and i = 10, rows j 4..5.  Under a
    roof they are sealed and the roof (faces k = 3) leaks; without a roof, or on a
    chimney, they leak at ``containment_leakage`` (docs/physics.md §2.5).  The same aisle
    turned to run along y (x 2..3, y 1..5) has its doors on the y faces."""
    leak = SolverSettings().containment_leakage
    rect = [2.0, 1.0, 3.0, 5.0] if along_y else [1.0, 2.0, 5.0, 3.0]
    sc = _empty_scene(Hall(6.0, 6.0, 3.0, raised_floor=False, ceiling_return=ceiling_return),
                      Containment(np.array([rect]), (kind,), np.array([1.5]),
                                  np.array([roof]), np.array([True])),
                      SolverSettings(cell_m=0.5, cell_z_m=0.5))
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    # in the aisle's own frame: "ends" are the door faces, "sides" the long panels
    if along_y:
        ends, sides = geom.open_y[:, [2, 10], 4:6], geom.open_x[:, 2:10, [4, 6]]
        roof_faces = geom.open_z[3, 2:10, 4:6]
    else:
        ends, sides = geom.open_x[:, 4:6, [2, 10]], geom.open_y[:, [4, 6], 2:10]
        roof_faces = geom.open_z[3, 4:6, 2:10]
    assert np.all(ends[:3] == (leak if door_open is None else door_open))
    assert np.all(ends[3:] == (leak if ceiling_return else 1.0))
    # the door planes beyond the aisle's width stay open
    beside = (np.concatenate([geom.open_y[:3, [2, 10], :4], geom.open_y[:3, [2, 10], 6:]], axis=2)
              if along_y else
              np.concatenate([geom.open_x[:3, :4, [2, 10]], geom.open_x[:3, 6:, [2, 10]]], axis=1))
    assert np.all(beside == 1.0)
    if roof and not ceiling_return:
        # a cold aisle's door leak comes down mid-row: along its eight cells the roof
        # leaks in proportion to the distance to the nearer door, 0.25 0.75 ... 0.25 m
        # (mean 1); a hot aisle's roof leaks evenly
        along = np.array([0.25, 0.75, 1.25, 1.75, 1.75, 1.25, 0.75, 0.25])
        expect = leak * (along if kind == "cold_aisle" else np.ones(8))
        assert np.allclose(roof_faces, expect[:, None] if along_y else expect[None, :])
    assert np.all(sides[:3] == leak)                 # the long sides leak in every case


def test_a_roofed_aisle_as_tall_as_the_room_keeps_its_doors_leaking():
    """Panels and roof at the ceiling of a room-return hall (not a chimney): the roof is
    the ceiling, so there is no roof to leak through and the doors leak themselves."""
    leak = SolverSettings().containment_leakage
    sc = _empty_scene(Hall(6.0, 6.0, 3.0, raised_floor=False),
                      Containment(np.array([[1.0, 2.0, 5.0, 3.0]]), ("cold_aisle",), np.array([3.0]),
                                  np.array([True]), np.array([True])),
                      SolverSettings(cell_m=0.5, cell_z_m=0.5))
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    assert np.all(geom.open_x[:, 4:6, [2, 10]] == leak)
    assert np.all(geom.open_z[-1] == 0.0)


def test_containment_edge_cases_one_layer_a_square_aisle_and_an_empty_rectangle_first():
    """A 0.1 m panel still stands one layer high; a square 2 x 2 m aisle counts as running
    along x (its panels on the y faces, its open ends on the x faces); an aisle drawn
    outside the hall before a real one leaves the real one as it is."""
    leak = SolverSettings().containment_leakage

    def geom_of(rects, height_m):
        n = len(rects)
        sc = _empty_scene(Hall(6.0, 6.0, 3.0, raised_floor=False),
                          Containment(np.array(rects, float), ("cold_aisle",) * n, np.full(n, height_m),
                                      np.zeros(n, bool), np.zeros(n, bool)),
                          SolverSettings(cell_m=0.5, cell_z_m=0.5))
        return build_geometry(sc, make_grid(sc.hall, sc.settings))

    low = geom_of([[1.0, 2.0, 5.0, 3.0]], 0.1)
    assert np.all(low.open_y[0, [4, 6], 2:10] == leak) and np.all(low.open_y[1:, [4, 6], 2:10] == 1.0)
    square = geom_of([[1.0, 1.0, 3.0, 3.0]], 1.5)
    assert np.all(square.open_y[:3, [2, 6], 2:6] == leak)
    assert np.all(square.open_x[:, 2:6, [2, 6]] == 1.0)
    real = geom_of([[1.0, 2.0, 5.0, 3.0]], 1.5)
    for outside in ([[7.0, 2.0, 9.0, 3.0]], [[1.0, 7.0, 5.0, 8.0]], [[2.0, 2.0, 2.0, 3.0]],
                    [[1.0, 2.5, 5.0, 2.5]]):
        both = geom_of(outside + [[1.0, 2.0, 5.0, 3.0]], 1.5)
        for name in ("open_x", "open_y", "open_z"):
            assert np.array_equal(getattr(both, name), getattr(real, name)), (outside, name)


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


# ----- snapping edges on half cells (grid.snap; docs/physics.md §2.1) ------------------------
@pytest.mark.parametrize("v, size, cell", [
    (2.1, 0.6, 4),     # 3.5000000000000004 cells: a half, up
    (2.7, 0.6, 5),     # 4.500000000000001: up
    (5.1, 0.6, 9),     # 8.5 exactly: up (round-half-to-even gave 8)
    (4.2, 0.6, 7),     # 7.000000000000001: on the boundary
    (3.3, 0.3, 11),    # 10.999999999999998: on the boundary, not one below
    (0.29, 0.6, 0),    # 0.48 of a cell: down
    (0.31, 0.6, 1),    # 0.52: up
])
def test_an_edge_snaps_to_the_nearest_boundary_and_halves_round_up(v, size, cell):
    assert snap(v, size) == cell


def test_a_row_on_half_cells_keeps_one_cell_per_rack_and_its_containment():
    """Five 0.6 m racks centred on the 0.6 m cells' boundaries (edges on half cells), in a
    hot-aisle containment drawn round them: every rack takes one cell, next to the last,
    and the containment's panels stand at the row's first and last cells."""
    grid = Grid(12, 10, 7, 0.6, 3.0 / 7)
    x = np.array([2.4, 3.0, 3.6, 4.2, 4.8])
    fp = footprint_cells(grid, np.stack([x, np.full(5, 1.8)], 1), np.tile([0.6, 1.2, 2.0], (5, 1)),
                         np.zeros(5))
    # edges 2.1 .. 5.1 m = 3.5 .. 8.5 cells: each rack the cell above its left edge
    assert fp[:, 0].tolist() == [4, 5, 6, 7, 8] and fp[:, 1].tolist() == [5, 6, 7, 8, 9]
    assert fp[:, 2].tolist() == [2] * 5 and fp[:, 3].tolist() == [4] * 5   # y 1.2..2.4 m
    assert snap([2.1, 2.4, 5.1, 3.6], 0.6).tolist() == [4, 4, 9, 6]     # the aisle x 2.4..5.4 m


def test_a_sealed_chimney_on_half_cells_of_the_hall_grid_returns_every_rack_s_exhaust():
    """The CFD library's chimney room (rows on 0.3 m offsets) on the hall grid's 0.6 m
    cells: the sealed hot aisle returns all exhaust to the plenum, so every rack breathes
    supply air, as on the room grid. With round-half-to-even the chimney stopped one cell
    short of the row: the end racks' exhaust escaped and they read 20-25 °C."""
    from tests.conftest import ROOT
    from twin.engine.calibrate import RoomModel
    from twin.io import load_layout
    model = RoomModel(load_layout(ROOT / "tests/bench/cfd/rooms/hot_chimney.json"))
    res = model.solve({"cell_m": 0.6})
    assert res.grid.dx == pytest.approx(0.6)
    np.testing.assert_allclose(res.rack_inlet_mean_c, 18.0, atol=0.01)
    np.testing.assert_allclose(res.rack_inlet_max_c, 18.0, atol=0.01)


def test_on_grid_moves_boxes_onto_the_cells_they_fill():
    """A 0.6 x 1.2 m rack at (2.25, 1.95) m on 0.3 m cells: edges x 1.95..2.55 and
    y 1.35..2.55 m are all half cells and round up, to x 2.1..2.7, y 1.5..2.7: centre
    (2.4, 2.1), size kept. The same rack turned 90 degrees swaps its extents; a 0.8 m
    wide one becomes 0.9 m. The aisle rectangle and the grilles snap the same way; a
    grille smaller than a cell takes the cell that holds its centre (the one above, on a
    boundary); an air handler outside the hall has no box and stays where it is."""
    hall = Hall(6.0, 6.0, 3.0)
    racks = Racks([[2.25, 1.95], [4.05, 3.15], [1.0, 4.5]],
                  [[0.6, 1.2, 2.0], [0.6, 1.2, 2.0], [0.8, 1.2, 2.0]], [0, 90, 0],
                  [0.5, 0.5, 0.5], [1e3, 1e3, 1e3])
    units = CoolingUnits(("crah", "crah", "crah"), [[0.55, 3.0], [9.0, 9.0], [3.0, 5.5]],
                         [[1.0, 1.0, 2.0], [1.0, 1.0, 2.0], [2.5, 0.9, 2.0]], [90, 0, 0],
                         [1.0, 1.0, 1.0], [1e4] * 3, [18.0] * 3, outside=[False, True, False])
    sc = AirScene(hall, racks, units,
                  containment=Containment([[1.95, 2.55, 4.35, 3.45]], ("cold_aisle",), [2.0],
                                          [False], [False]),
                  grilles=Grilles([[3.15, 4.65], [5.0, 5.0], [3.0, 4.8], [5.1, 0.6]],
                                  [[1.2, 0.6], [0.1, 0.1], [1.2, 0.6], [0.1, 0.1]],
                                  ("return",) * 4))
    g = make_grid(hall, SolverSettings(cell_m=0.3))
    on = on_grid(sc, g)
    # the 0.8 m rack: x 0.6..1.4 -> 0.6..1.5 (4.67 cells up to 5), y 3.9..5.1 unchanged
    np.testing.assert_allclose(on.racks.center_xy_m, [[2.4, 2.1], [4.2, 3.3], [1.05, 4.5]])
    # the turned rack: x 3.45..4.65 -> 3.6..4.8 (1.2 m), y 2.85..3.45 -> 3.0..3.6 (0.6 m)
    np.testing.assert_allclose(on.racks.size_m, [[0.6, 1.2, 2.0], [0.6, 1.2, 2.0], [0.9, 1.2, 2.0]])
    # the 1 x 1 m CRAH, turned: x 0.05..1.05 -> 0.0..1.2 (3.5 cells rounds up), y 2.5..3.5
    # -> 2.4..3.6 (8.33 down, 11.67 up): 1.2 x 1.2 m about (0.6, 3.0); the 2.5 x 0.9 m one
    # facing south: x 1.75..4.25 -> 1.8..4.2 (2.4 m wide), y 5.05..5.95 -> 5.1..6.0 (0.9 deep)
    np.testing.assert_allclose(on.cooling.center_xy_m, [[0.6, 3.0], [9.0, 9.0], [3.0, 5.55]])
    np.testing.assert_allclose(on.cooling.size_m, [[1.2, 1.2, 2.0], [1.0, 1.0, 2.0], [2.4, 0.9, 2.0]])
    np.testing.assert_allclose(on.containment.rect_m, [[2.1, 2.7, 4.5, 3.6]])
    # grilles: 2.55..3.75 x 4.35..4.95 -> 2.7..3.9 x 4.5..5.1; one cell about 5.0 (4.8..5.1);
    # the aligned one stays; a 0.1 m grille centred on the 5.1 m boundary takes 5.1..5.4
    np.testing.assert_allclose(on.grilles.center_xy_m, [[3.3, 4.8], [4.95, 4.95], [3.0, 4.8], [5.25, 0.75]])
    np.testing.assert_allclose(on.grilles.size_m, [[1.2, 0.6], [0.3, 0.3], [1.2, 0.6], [0.3, 0.3]])
    assert on_grid(on, g).racks.center_xy_m.tolist() == on.racks.center_xy_m.tolist()  # settled


def test_a_point_on_a_cell_boundary_belongs_to_the_cell_above_it():
    """Grid.cell_of, as snap puts edges: x = 0.6 m on 0.3 m cells is column 2, not 1, even
    as 1.7999999999999998 / 0.3 rounds (y = 1.8 m: row 6); z = 0.9 m on 0.45 m layers is
    layer 2; points outside the hall clip into its edge cells."""
    g = Grid(10, 10, 6, 0.3, 0.45)
    assert g.cell_of(0.6, 0.6 * 3, 0.9) == (2 * 10 + 6) * 10 + 2
    assert g.cell_of(-0.1, -0.1, -0.1) == 0
    assert g.cell_of(9.0, 9.0, 9.0) == g.n - 1


def test_units_in_the_hall_are_solid_turned_and_units_outside_are_not():
    """A 1.8 x 0.9 x 2.0 m CRAH turned 90° at (2, 3) fills x 1.55..2.45 -> cells 3..4 (0.5 m
    cells; edges snap to 1.5 and 2.5), y 2.1..3.9 -> 4..7, four layers; the same unit
    marked as standing outside the hall (a gallery) fills nothing."""
    hall = Hall(6.0, 6.0, 3.0, raised_floor=False)
    racks = Racks(np.zeros((0, 2)), np.zeros((0, 3)), np.zeros(0), np.zeros(0), np.zeros(0))
    units = CoolingUnits(("crah", "crah"), np.array([[2.0, 3.0], [4.5, 3.0]]),
                         np.array([[1.8, 0.9, 2.0], [1.8, 0.9, 2.0]]), np.array([90.0, 90.0]),
                         np.array([4.0, 4.0]), np.array([1e5, 1e5]), np.array([18.0, 18.0]),
                         outside=np.array([False, True]))
    sc = AirScene(hall, racks, units, settings=SolverSettings(cell_m=0.5, cell_z_m=0.5))
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    expect = np.zeros(geom.solid.shape, bool)
    expect[:4, 4:8, 3:5] = True
    assert np.array_equal(geom.solid, expect)


def test_the_return_mask_holds_the_top_layer_return_grilles_and_no_solid_cells():
    """Ceiling-return hall, 0.5 m cells and layers (6 of them), one CRAH 2.5 m tall in
    the south-west corner (layers 0..4): a 1 x 1 m ceiling return grille at (4, 4) opens
    the four top-layer cells i 7..8, j 7..8 to the plenum, a 0.5 m one over the CRAH the
    top layer's first cell (free above the unit); a wall grille 2.0 m up at (5.75, 2)
    opens its side cells only (layers 3..4, the one under the top layer included); a
    ceiling grille over a unit that reaches the ceiling opens nothing (its top cells are
    solid). With no return grille at all the whole ceiling returns, less the solid cells
    under it."""
    hall = Hall(6.0, 6.0, 3.0, raised_floor=False, ceiling_return=True)
    racks = Racks(np.zeros((0, 2)), np.zeros((0, 3)), np.zeros(0), np.zeros(0), np.zeros(0))
    units = CoolingUnits(("crah", "crah"), np.array([[0.5, 0.5], [5.0, 5.0]]),
                         np.array([[1.0, 1.0, 2.5], [1.0, 1.0, 3.0]]), np.zeros(2),
                         np.array([4.0, 0.0]), np.array([1e5, 1e5]), np.array([18.0, 18.0]))
    settings = SolverSettings(cell_m=0.5, cell_z_m=0.5)
    grilles = Grilles(np.array([[4.0, 4.0], [5.75, 2.0], [5.0, 5.0], [0.25, 0.25]]),
                      np.array([[1.0, 1.0], [0.5, 1.0], [1.0, 1.0], [0.5, 0.5]]), ("return",) * 4,
                      z_m=np.array([np.nan, 2.0, np.nan, np.nan]),
                      height_m=np.array([np.nan, 1.0, np.nan, np.nan]))
    sc = AirScene(hall, racks, units, settings=settings, grilles=grilles)
    g = make_grid(hall, settings)
    geom = build_geometry(sc, g)
    expect = np.zeros((g.ny, g.nx), bool)
    expect[7:9, 7:9] = True
    expect[0, 0] = True            # the first cell of the top layer, over the 2.5 m CRAH
    assert np.array_equal(geom.return_mask, expect)
    k, j, i = np.unravel_index(geom.return_side, g.shape)
    assert set(k.tolist()) == {3, 4} and set(i.tolist()) == {11} and set(j.tolist()) == {3, 4}
    whole = build_geometry(AirScene(hall, racks, units, settings=settings), g).return_mask
    assert whole.sum() == g.nx * g.ny - 4 and not whole[9:11, 9:11].any()
