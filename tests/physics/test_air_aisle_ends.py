"""Closed ends of tile-fed aisles (twin/physics/air/rows.py, docs/physics.md §2.9):
which faces close, where not, and what the airflow does with them."""

from dataclasses import fields, replace

import numpy as np
import pytest

from twin.physics.air import AirSolver
from twin.physics.air.entrainment import NEIGHBOUR_SHARE
from twin.physics.air.grid import build_geometry, make_grid
from twin.physics.air.rows import closed_ends, front_vector, row_ends, surplus_rises, tile_aisle_end_faces
from twin.physics.air.scene import AirScene, Containment, CoolingUnits, Grilles, Tiles
from twin.physics.air.synthetic import room


def _closed(scene):
    g = make_grid(scene.hall, scene.settings)
    return g, tile_aisle_end_faces(scene, g.dx, g.dz, g.shape, closed_ends(scene, g.dz))


def _expected_x(g, x_planes, y_lo, y_hi, z_top):
    """x-normal faces at x_planes over the cells with centres in (y_lo, y_hi) and below
    z_top, worked out from the room's dimensions."""
    want = np.zeros((g.nz, g.ny, g.nx + 1), bool)
    yc = (np.arange(g.ny) + 0.5) * g.dx
    zc = (np.arange(g.nz) + 0.5) * g.dz
    for x in x_planes:
        want[np.ix_(zc < z_top, (yc > y_lo) & (yc < y_hi), [int(round(x / g.dx))])] = True
    return want


def _racks_of(racks, keep):
    """The racks selected by ``keep`` (a mask or a slice), every column."""
    return replace(racks, **{f.name: getattr(racks, f.name)[keep] for f in fields(racks)
                             if isinstance(getattr(racks, f.name), np.ndarray)})


def _with_inrow(u, centres, rotations):
    """The cooling units ``u`` plus 0.3 m in-row coolers (0.5 m³/s, 30 kW, 18 °C)."""
    m = len(rotations)
    c = CoolingUnits(("inrow",) * m, np.asarray(centres, float), np.array([[0.3, 1.2, 2.2]] * m),
                     np.asarray(rotations, float), np.full(m, 0.5), np.full(m, 3e4), np.full(m, 18.0))
    return CoolingUnits(u.kind + c.kind, *(np.concatenate([getattr(u, k), getattr(c, k)])
                                           for k in ("center_xy_m", "size_m", "rotation_deg",
                                                     "airflow_m3s", "capacity_w",
                                                     "supply_setpoint_c")))


def test_the_half_aisles_in_front_of_the_end_racks_close_to_the_rack_tops():
    # room(20): rows of ten 0.6 m racks from x = 2.4 to 8.4 m, fronts at y = 3.0 and 4.2 m
    # facing a 1.2 m aisle fed by two tile rows, racks 2.2 m high, ceiling 3.3 m
    sc = room(20, supply_ratio=1.0)
    g, (cx, cy) = _closed(sc)
    assert not cy.any()
    assert np.array_equal(cx, _expected_x(g, (2.4, 8.4), 3.0, 4.2, 2.2))
    assert cx.sum() == 2 * 4 * int(np.ceil(2.2 / g.dz - 0.5))      # 2 ends × 4 cells × layers
    # a hall returning through its ceiling: the supply column rises into the plenum and the
    # end is closed up to the ceiling, above the rack tops across the racks' depth as well
    # (rows from the south row's back at y = 1.8 m to the north row's at 5.4 m)
    sc_c = room(20, supply_ratio=1.0, ceiling_return=True)
    g_c, (cx_c, _) = _closed(sc_c)
    above = _expected_x(g_c, (2.4, 8.4), 1.8, 5.4, 99.0) & ~_expected_x(g_c, (2.4, 8.4), 1.8, 5.4, 2.2)
    assert np.array_equal(cx_c, _expected_x(g_c, (2.4, 8.4), 3.0, 4.2, 99.0) | above)
    # the geometry carries them: closed faces pass no air
    geom = build_geometry(sc, g)
    assert np.all(geom.open_x[cx] == 0.0) and np.all(geom.open_x[~cx & (geom.open_x > 0)] == 1.0)


def _mirrored(rot_deg):
    """Rotations whose front vectors are those of ``rot_deg`` mirrored through y = x
    (front (sin θ, −cos θ))."""
    f = front_vector(rot_deg)[:, ::-1]
    return np.mod(np.rad2deg(np.arctan2(f[:, 0], -f[:, 1])), 360.0).round(9)


def test_a_row_along_y_closes_y_normal_faces_and_a_lone_row_closes_half_its_aisle():
    # rotate the room by 90°: rows along y, the aisle along y, its ends normal to y
    sc = room(20, supply_ratio=1.0)
    # the room mirrored through the line y = x
    r, t, u = sc.racks, sc.tiles, sc.cooling
    sc_r = AirScene(replace(sc.hall, width_m=sc.hall.length_m, length_m=sc.hall.width_m),
                    replace(r, center_xy_m=r.center_xy_m[:, ::-1].copy(), rotation_deg=_mirrored(r.rotation_deg)),
                    replace(u, center_xy_m=u.center_xy_m[:, ::-1].copy(), rotation_deg=_mirrored(u.rotation_deg)),
                    replace(t, center_xy_m=t.center_xy_m[:, ::-1].copy()), sc.containment, sc.settings)
    g, (cx, cy) = _closed(sc_r)
    assert not cx.any()
    assert np.array_equal(cy.transpose(0, 2, 1), _expected_x(replace(g, nx=g.ny, ny=g.nx), (2.4, 8.4),
                                                             3.0, 4.2, 2.2))
    # ... and returning through its ceiling: up to it, above the end rack across the rows
    g_c, (cx, cy) = _closed(replace(sc_r, hall=replace(sc_r.hall, ceiling_return=True)))
    gt = replace(g_c, nx=g_c.ny, ny=g_c.nx)
    above = _expected_x(gt, (2.4, 8.4), 1.8, 5.4, 99.0) & ~_expected_x(gt, (2.4, 8.4), 1.8, 5.4, 2.2)
    assert not cx.any()
    assert np.array_equal(cy.transpose(0, 2, 1), _expected_x(gt, (2.4, 8.4), 3.0, 4.2, 99.0) | above)
    # one row alone (the north row removed): its aisle is SINGLE_ROW_AISLE_M = 1.2 m deep and
    # its end racks close the 0.6 m half in front of them
    keep = sc.racks.rotation_deg == 0.0                                # the north row, front at 4.2
    lone = AirScene(sc.hall, _racks_of(sc.racks, keep), sc.cooling, sc.tiles, sc.containment,
                    sc.settings)
    g, (cx, _) = _closed(lone)
    assert np.array_equal(cx, _expected_x(g, (2.4, 8.4), 3.6, 4.2, 2.2))


def test_no_closure_without_tiles_in_the_aisle_in_a_contained_cold_aisle_or_beside_an_end_cooler():
    sc = room(20, supply_ratio=1.0)
    # tiles moved 3 m away from the aisle (still in the room): no jets in it
    far = AirScene(sc.hall, sc.racks, sc.cooling,
                   replace(sc.tiles, center_xy_m=sc.tiles.center_xy_m + [0.0, 3.0]),
                   sc.containment, sc.settings)
    assert not _closed(far)[1][0].any()
    # a slab floor (no raised floor): no tiles feed anything
    slab = AirScene(replace(sc.hall, raised_floor=False), sc.racks, sc.cooling, sc.tiles,
                    sc.containment, sc.settings)
    assert not _closed(slab)[1][0].any()
    # a contained cold aisle: its doors and roof are the containment's panels (also with
    # the rows 1.2 m east of the room's diagonal, where a probe at (y, y) would miss it)
    assert not _closed(room(20, supply_ratio=1.0, containment="cold_aisle"))[1][0].any()
    cont = room(20, supply_ratio=1.0, containment="cold_aisle")
    east = AirScene(cont.hall, replace(cont.racks, center_xy_m=cont.racks.center_xy_m + [1.2, 0.0]),
                    cont.cooling, replace(cont.tiles, center_xy_m=cont.tiles.center_xy_m + [1.2, 0.0]),
                    replace(cont.containment, rect_m=cont.containment.rect_m + [1.2, 0.0, 1.2, 0.0]),
                    cont.settings)
    assert not _closed(east)[1][0].any()
    # a hot-aisle containment leaves the cold aisle's ends to close
    assert _closed(room(20, supply_ratio=1.0, containment="hot_aisle"))[1][0].sum() == \
        _closed(sc)[1][0].sum()
    # tiles only at the west end: only the west end closes
    west = sc.tiles.center_xy_m[:, 0] < 3.5
    g, (cx, _) = _closed(AirScene(sc.hall, sc.racks, sc.cooling,
                                  Tiles(sc.tiles.center_xy_m[west], 0.6, np.full(int(west.sum()), 0.25)),
                                  sc.containment, sc.settings))
    assert np.array_equal(cx, _expected_x(g, (2.4,), 3.0, 4.2, 2.2))
    # in-row coolers closing the east end of both rows: the racks beside them are not ends
    both = _with_inrow(sc.cooling, [[8.55, 2.4], [8.55, 4.8]], [180.0, 0.0])
    g, (cx, _) = _closed(AirScene(sc.hall, sc.racks, both, sc.tiles, sc.containment, sc.settings))
    assert np.array_equal(cx, _expected_x(g, (2.4,), 3.0, 4.2, 2.2))


@pytest.mark.parametrize("ratio", [0.75, 1.0, 1.3])
def test_the_aisle_surplus_leaves_over_its_top_and_no_air_crosses_the_closed_ends(ratio):
    """Mass balance of the aisle box (between the rows, end plane to end plane, up to the
    rack tops), worked out by hand: the closed ends pass nothing, so the net flow out of its
    top is the tiles' supply less what the racks draw from it.  Every rack draws its airflow
    from its front face except the four end racks, which draw the share s of theirs from
    round the corner (outside the box), and their four inward neighbours, which draw
    NEIGHBOUR_SHARE · s of theirs there: out of the top = ratio·ΣV − ΣV + 4 s V (1 + n),
    s = row_end_entrainment · (4.2 m · q / 1.5 m³/s per m) / 6.0 m for these rows of ten,
    q = V / 0.6 m their racks' draw per metre (length_weights)."""
    sc = room(20, supply_ratio=ratio)
    res = AirSolver().solve(sc)
    g = res.grid
    _, (cx, _) = _closed(sc)
    assert np.all(res.fluxes.x[cx] == 0.0)
    yc = (np.arange(g.ny) + 0.5) * g.dx
    xc = (np.arange(g.nx) + 0.5) * g.dx
    k_top = int(np.ceil(2.2 / g.dz - 0.5))                   # first layer above the rack tops
    top = res.fluxes.z[k_top][np.ix_((yc > 3.0) & (yc < 4.2), (xc > 2.4) & (xc < 8.4))].sum()
    V = sc.racks.airflow_m3s
    s = sc.settings.row_end_entrainment * 4.2 * (V[0] / 0.6) / 1.5 / 6.0
    n = NEIGHBOUR_SHARE
    assert top == pytest.approx(ratio * V.sum() - V.sum() + 4 * s * V[0] * (1 + n), abs=1e-4)          # the flow solve's mass tolerance
    assert abs(res.residual_pct) < 1e-3


def test_the_end_racks_entrain_room_air_not_spilled_supply():
    """Beyond the row end, across the aisle, the air is room air well above supply (CFD
    library: 26–30 °C against 18 °C from the floor to the rack tops), not the aisle's
    supply spilling out (18–20 °C in the twin before the ends were closed); only its top
    layer, under the surplus spreading over the row end, is cooler."""
    sc = room(20, supply_ratio=1.0)
    res = AirSolver().solve(sc)
    g = res.grid
    T = res.temperature_c
    yc = (np.arange(g.ny) + 0.5) * g.dx
    zc = (np.arange(g.nz) + 0.5) * g.dz
    beyond = T[np.ix_(zc < 2.2, (yc > 3.0) & (yc < 4.2), [int(2.4 / g.dx) - 1])]
    rise = float(res.rack_exhaust_c.mean()) - 18.0
    assert beyond[zc[zc < 2.2] < 1.5].min() > 18.0 + 0.6 * rise
    assert beyond.mean() > 18.0 + 0.5 * rise


def _with_tiles(sc, xy):
    xy = np.atleast_2d(np.asarray(xy, float))
    return AirScene(sc.hall, sc.racks, sc.cooling, Tiles(xy, 0.6, np.full(len(xy), 0.25)),
                    sc.containment, sc.settings)


def test_which_tiles_feed_an_end():
    """room(20), west end at x = 2.4 m, rack fronts at y = 3.0 / 4.2 m: a tile (by its
    centre) feeds the west end when it lies in the aisle (between the rows' fronts) within
    the end rack's and its neighbour's width (x 2.4-3.6 m)."""
    sc = room(20, supply_ratio=1.0)
    g = make_grid(sc.hall, sc.settings)
    west = _expected_x(g, (2.4,), 3.0, 4.2, 2.2)
    cases = [([2.7, 3.3], west),              # one tile in front of the end rack
             ([3.3, 3.9], west),              # in the far half of the aisle (the other row's)
             ([3.55, 3.6], west),             # in front of the neighbour (x 3.0-3.6 m)
             ([3.65, 3.6], None),             # past it: the third rack's
             ([1.8, 3.6], None),              # beyond the row end, outside the aisle
             ([2.45, 3.6], west),             # off the end rack's centre towards the end
             ([2.7, 2.5], None),              # under the end rack itself
             ([2.7, 2.9], None),              # under its front edge
             ([2.7, 4.7], None)]              # under the facing end rack
    for xy, want in cases:
        _, (cx, _) = _closed(_with_tiles(sc, xy))
        if want is None:
            assert not cx.any(), xy
        else:
            assert np.array_equal(cx, want), xy


def test_a_lone_rack_a_wall_end_a_fine_grid_and_cold_containment_elsewhere():
    sc = room(20, supply_ratio=1.0)
    r = sc.racks
    # a lone rack (the first, front at y = 3.0) with one tile in front: its two half-aisle
    # ends close, 0.6 m deep
    one = AirScene(sc.hall, _racks_of(r, slice(0, 1)),
                   sc.cooling, Tiles(np.array([[2.7, 3.3]]), 0.6, np.full(1, 0.25)),
                   sc.containment, sc.settings)
    g, (cx, _) = _closed(one)
    assert np.array_equal(cx, _expected_x(g, (2.4, 3.0), 3.0, 3.6, 2.2))
    # the rows moved against the west wall: that end's plane is the wall (closed already),
    # the east end still closes
    shift = replace(r, center_xy_m=r.center_xy_m - [2.4, 0.0])
    wall = AirScene(sc.hall, shift, sc.cooling,
                    replace(sc.tiles, center_xy_m=sc.tiles.center_xy_m - [2.4, 0.0]),
                    sc.containment, sc.settings)
    g, (cx, _) = _closed(wall)
    assert np.array_equal(cx, _expected_x(g, (6.0,), 3.0, 4.2, 2.2))
    # one cell off the wall, the west end closes on the first inner face; the west CRAH
    # (x = 0.5 m) is then level with the row, not beyond its end, so the surplus rises there
    # and that end closes to the ceiling
    near = AirScene(sc.hall, replace(r, center_xy_m=r.center_xy_m - [2.1, 0.0]), sc.cooling,
                    replace(sc.tiles, center_xy_m=sc.tiles.center_xy_m - [2.1, 0.0]),
                    sc.containment, sc.settings)
    g, (cx, _) = _closed(near)
    assert np.array_equal(cx, _expected_x(g, (0.3,), 3.0, 4.2, 99.0) | _expected_x(g, (6.3,), 3.0, 4.2, 2.2))
    # on a 0.1 m grid the planes sit exactly at the rows' ends
    fine = AirScene(sc.hall, r, sc.cooling, sc.tiles, sc.containment,
                    replace(sc.settings, cell_m=0.1))
    g, (cx, _) = _closed(fine)
    assert np.array_equal(cx, _expected_x(g, (2.4, 8.4), 3.0, 4.2, 2.2))
    # a cold-aisle containment elsewhere in the room neither closes this aisle's ends nor
    # lets an aisle without tiles close
    elsewhere = Containment(np.array([[9.0, 0.5, 10.0, 1.5]]), ("cold_aisle",), [2.0], [True], [True])
    far = AirScene(sc.hall, r, sc.cooling, replace(sc.tiles, center_xy_m=sc.tiles.center_xy_m + [0.0, 3.0]),
                   elsewhere, sc.settings)
    assert not _closed(far)[1][0].any()
    assert np.array_equal(_closed(AirScene(sc.hall, r, sc.cooling, sc.tiles, elsewhere,
                                           sc.settings))[1][0], _closed(sc)[1][0])


def test_an_end_cooler_keeps_its_end_open_unless_it_is_stopped():
    """One row (the north one) with an in-row cooler at its east end: the west end closes;
    stopped, the cooler is no row member and the east end closes too."""
    sc = room(20, supply_ratio=1.0)
    keep = sc.racks.rotation_deg == 0.0                                # north row, front 4.2
    north = _racks_of(sc.racks, keep)
    u = sc.cooling
    units = _with_inrow(u, [[8.55, 4.8]], [0.0])
    running = AirScene(sc.hall, north, units, sc.tiles, sc.containment, sc.settings)
    g, (cx, _) = _closed(running)
    assert np.array_equal(cx, _expected_x(g, (2.4,), 3.6, 4.2, 2.2))
    stopped = AirScene(sc.hall, north, replace(units, enabled=np.append(np.ones(u.n, bool), False)),
                       sc.tiles, sc.containment, sc.settings)
    g, (cx, _) = _closed(stopped)
    assert np.array_equal(cx, _expected_x(g, (2.4, 8.4), 3.6, 4.2, 2.2))
    # with the cooler running the row has one rack end; the tiles only at the east end (by
    # the cooler): that one end is not fed and nothing closes
    east = sc.tiles.center_xy_m[:, 0] > 7.0
    far = AirScene(sc.hall, north, units, Tiles(sc.tiles.center_xy_m[east], 0.6,
                                                np.full(int(east.sum()), 0.25)),
                   sc.containment, sc.settings)
    assert not _closed(far)[1][0].any()


def test_row_links_join_boxes_on_one_front_line_whatever_their_depth_and_width():
    """Boxes facing −y (rotation 0) with their fronts on y = 2.0 m, centres half their
    depth behind it: depths 1.2, 1.0, 1.07 m and widths 0.6, 0.8, 0.4 m still make one
    row. Neighbours touch when the gap is under half the narrower width: 0.15 m between
    the 0.8 and the 0.4 m box (half of 0.4 is 0.2) touches, 0.25 m would not, and a box
    whose front is 0.2 m back (a line tolerance of 0.15 m) is in another row."""
    from twin.physics.air.rows import row_links
    w = np.array([0.6, 0.8, 0.4, 0.6])
    d = np.array([1.2, 1.0, 1.07, 1.2])
    x = np.array([0.3, 0.6 + 0.4, 1.4 + 0.15 + 0.2, 3.0])
    y = 2.0 + d / 2
    y[3] += 0.2
    sizes = np.column_stack([w, d, np.full(4, 2.0)])
    minus, plus = row_links(np.column_stack([x, y]), sizes, np.zeros(4))
    # width axis of rotation 0 is −x: "plus" is the neighbour to the west
    assert minus.tolist() == [1, 2, -1, -1] and plus.tolist() == [-1, 0, 1, -1]
    x[2] += 0.1                                           # gap 0.25 m > 0.2 m: apart
    minus, plus = row_links(np.column_stack([x, y]), sizes, np.zeros(4))
    assert minus.tolist() == [1, -1, -1, -1] and plus.tolist() == [-1, 0, -1, -1]


def test_with_return_grilles_an_end_closes_only_under_one():
    """room(20): row ends at x = 2.4 and 8.4 m, rows from the south row's back (y 1.8 m)
    to the north row's (5.4 m). Units returning from the room close both ends wherever
    they stand (the exhaust reaches them round the row ends); so does a ceiling open to
    the plenum. With return grilles an end closes only when one lies over its end zone:
    from the end plane 1.5 m out (END_ZONE_M), from the end rack's back across the whole
    aisle (rows.py, docs/physics.md §2.9)."""
    from twin.physics.air.rows import END_ZONE_M, closed_ends
    from twin.physics.air.scene import Grilles
    sc = room(20, supply_ratio=1.0)
    u = sc.cooling
    assert END_ZONE_M == 1.5
    g, (cx, _) = _closed(sc)
    assert np.array_equal(cx, _expected_x(g, (2.4, 8.4), 3.0, 4.2, 2.2))
    # both CRAHs on the north wall, mid-row, far from either end: still closed, and since
    # neither stands on the aisle's line beyond an end the surplus rises there and the
    # half aisles close to the ceiling
    north = replace(u, center_xy_m=np.array([[5.4, 7.3], [6.6, 7.3]]), rotation_deg=np.array([0.0, 0.0]))
    _, (cx2, _) = _closed(AirScene(sc.hall, sc.racks, north, sc.tiles, sc.containment, sc.settings))
    assert np.array_equal(cx2, _expected_x(g, (2.4, 8.4), 3.0, 4.2, 99.0))
    # grilles over the hot aisles only (y 0.6-1.2 and 6.0-6.6 m, x 3.0-7.8 m), in a
    # ceiling-return hall or ducted from a room-return one: no end closes
    hot = Grilles(np.array([[5.4, 0.9], [5.4, 6.3]]), np.array([[4.8, 0.6], [4.8, 0.6]]),
                  ("return", "return"))
    ceil = replace(sc.hall, ceiling_return=True)
    for hall in (ceil, sc.hall):
        grilled = AirScene(hall, sc.racks, u, sc.tiles, sc.containment, sc.settings, hot)
        assert not _closed(grilled)[1][0].any()
        assert len(closed_ends(grilled, g.dz)[0]) == 0
    # a grille over the east end zone (x 8.4-9.9 m; here 9.0-9.6 m at the aisle) closes
    # that end: up to the ceiling (and above the end rack across the rows' depth)
    over = Grilles(np.concatenate([hot.center_xy_m, [[9.3, 3.6]]]),
                   np.concatenate([hot.size_m, [[0.6, 0.6]]]), ("return",) * 3)
    gc, (cx, _) = _closed(AirScene(ceil, sc.racks, u, sc.tiles, sc.containment, sc.settings, over))
    above = _expected_x(gc, (8.4,), 1.8, 5.4, 99.0) & ~_expected_x(gc, (8.4,), 1.8, 5.4, 2.2)
    assert np.array_equal(cx, _expected_x(gc, (8.4,), 3.0, 4.2, 99.0) | above)
    # ... and beyond the zone (centre 10.3 m, x 10.0-10.6 m) it does not; nor one behind
    # the south row's back beyond the band (y 1.1-1.7 m against the back at 1.8 m), while
    # at y 1.7-2.3 m beside the south end rack it closes that row's half only (the band
    # from the north row's back, 5.4 m, across the aisle ends at 3.0 m)
    for xy, want in (([10.3, 3.6], ()), ([9.0, 1.4], ()), ([9.0, 2.0], ((8.4, 3.0, 3.6),))):
        gr = Grilles(np.concatenate([hot.center_xy_m, [xy]]), np.concatenate([hot.size_m, [[0.6, 0.6]]]),
                     ("return",) * 3)
        _, (cx, _) = _closed(AirScene(sc.hall, sc.racks, u, sc.tiles, sc.containment, sc.settings, gr))
        expect = np.zeros_like(cx)
        for x, y0, y1 in want:
            expect |= _expected_x(g, (x,), y0, y1, 2.2)
        assert np.array_equal(cx, expect), xy
    # a supply grille is no return
    sup = Grilles(np.array([[9.3, 3.6]]), np.array([[0.6, 0.6]]), ("supply",))
    assert not _closed(AirScene(ceil, sc.racks, u, sc.tiles, sc.containment, sc.settings,
                                Grilles(np.concatenate([hot.center_xy_m, sup.center_xy_m]),
                                        np.concatenate([hot.size_m, sup.size_m]),
                                        ("return", "return", "supply"))))[1][0].any()


def test_the_end_zone_and_the_grilles_by_their_edges():
    """Rectangles that only share an edge do not overlap (either axis, either order). The
    south row's west end of room(20) (end rack x 2.4-3.0 m, back at y 1.8 m, aisle to
    4.2 m): its end zone is x 0.9-2.4 m, y 1.8-4.2 m; a 0.1 m grille just inside each of
    its edges closes the south row's half-aisle end (y 3.0-3.6 m), one just outside does
    not (the north row's zone, y 3.0-5.4 m, is checked by the grille's y); a grille centred
    outside the zone whose extent reaches in closes it."""
    from twin.physics.air.rows import _rects_overlap
    from twin.physics.air.scene import Grilles
    a = np.array([[0.0, 0.0, 1.0, 1.0]])
    touching = np.array([[1.0, 0.0, 2.0, 1.0], [-1.0, 0.0, 0.0, 1.0],
                         [0.0, 1.0, 1.0, 2.0], [0.0, -1.0, 1.0, 0.0]])
    assert not _rects_overlap(a, touching).any()
    assert _rects_overlap(a, touching + [[-0.01, 0, -0.01, 0], [0.01, 0, 0.01, 0],
                                         [0, -0.01, 0, -0.01], [0, 0.01, 0, 0.01]]).all()
    sc = room(20, supply_ratio=1.0)
    g = make_grid(sc.hall, sc.settings)
    south_half = _expected_x(g, (2.4,), 3.0, 3.6, 2.2)
    hot = Grilles(np.array([[5.4, 0.9], [5.4, 6.3]]), np.array([[4.8, 0.6], [4.8, 0.6]]),
                  ("return", "return"))

    def closes(xy, size=(0.1, 0.1)):
        gr = Grilles(np.concatenate([hot.center_xy_m, [xy]]),
                     np.concatenate([hot.size_m, [size]]), ("return",) * 3)
        _, (cx, _) = _closed(AirScene(sc.hall, sc.racks, sc.cooling, sc.tiles, sc.containment,
                                      sc.settings, gr))
        return cx
    for inside in ([2.3, 2.0], [2.0, 1.9], [2.0, 2.9]):
        assert np.array_equal(closes(inside), south_half), inside     # near each edge
    assert np.array_equal(closes([0.95, 2.0], (0.02, 0.1)), south_half)  # x 0.94-0.96 m
    for outside in ([2.5, 2.0], [0.8, 2.0], [2.0, 1.7]):
        assert not closes(outside).any(), outside
    assert np.array_equal(closes([2.0, 4.1]), _expected_x(g, (2.4,), 3.0, 4.2, 2.2))   # both
    assert np.array_equal(closes([2.0, 4.3]), _expected_x(g, (2.4,), 3.6, 4.2, 2.2))   # north
    assert np.array_equal(closes([0.6, 2.0], (0.8, 0.1)), south_half)     # x 0.2-1.0 m
    assert np.array_equal(closes([2.7, 2.0], (0.8, 0.1)), south_half)     # x 2.3-3.1 m
    assert not closes([0.5, 2.0], (0.6, 0.1)).any()                       # x 0.2-0.8 m


@pytest.mark.parametrize("ceiling_m", [3.3, 4.0, 4.1])
def test_the_closed_half_aisle_reaches_the_layers_the_end_rack_fills(ceiling_m):
    """room(20)'s 2.2 m racks under a 3.3, 4.0 and 4.1 m ceiling: 7, 9 and 9 layers of
    0.471, 0.444 and 0.456 m, so a rack fills round(4.67) = 5, round(4.95) = 5 and
    round(4.83) = 5 layers; the closed faces at its open side go exactly as high.
    Under 4.0 m the old rule (layers with centres below the top, 4.45 < 2.2 fails for the
    fifth) stopped a layer short of a 2.0 m rack at 4.5 layers and opened the aisle end
    at the rack-top layer: the end racks read 1 K colder than under 3.95 or 4.05 m."""
    sc = room(20, supply_ratio=1.0)
    sc = replace(sc, hall=replace(sc.hall, height_m=ceiling_m))
    g, (cx, _) = _closed(sc)
    x, y = sc.racks.center_xy_m[0]
    assert build_geometry(sc, g).solid[:, int(y / g.dx), int(x / g.dx)].sum() == 5   # a rack's column
    layers = np.flatnonzero(cx.any(axis=(1, 2)))
    assert layers.tolist() == [0, 1, 2, 3, 4]


def test_a_rack_half_a_layer_over_fills_and_closes_that_layer():
    """2.0 m racks under a 4.0 m ceiling (9 layers of 0.444 m): 4.5 layers, a half that
    rounds up like every edge (snapping.snap): the racks fill 5 layers, their faces draw
    from 5, and the closed half aisle at the row end reaches the fifth."""
    sc = room(20, supply_ratio=1.0)
    r = sc.racks
    sc = replace(sc, hall=replace(sc.hall, height_m=4.0),
                 racks=replace(r, size_m=np.column_stack([r.size_m[:, :2], np.full(r.n, 2.0)])))
    g, (cx, _) = _closed(sc)
    assert g.dz == pytest.approx(4.0 / 9)
    x, y = sc.racks.center_xy_m[0]
    geom = build_geometry(sc, g)
    assert geom.solid[:, int(y / g.dx), int(x / g.dx)].sum() == 5
    assert np.flatnonzero(cx.any(axis=(1, 2))).tolist() == [0, 1, 2, 3, 4]
    from twin.physics.air.devices import build_devices
    mid = sc.racks.n // 4                  # a mid-row rack: its face alone, no corner
    layers = np.unique(build_devices(sc, geom).intake[mid].indices // (g.nx * g.ny))
    assert layers.tolist() == [0, 1, 2, 3, 4]


def _aisle_of(end_xy, others):
    """The aisle width rows.row_ends gives a 0.6 x 1.2 m rack at ``end_xy`` facing north
    (rotation 180) among ``others`` ((x, y, rotation) of more such racks, none touching
    it): rows.facing_distance_m, or SINGLE_ROW_AISLE_M where no rack faces it."""
    from twin.physics.air.rows import SINGLE_ROW_AISLE_M, facing_distance_m
    xy = np.array([end_xy] + [o[:2] for o in others], float)
    rots = np.array([180.0] + [o[2] for o in others])
    sizes = np.tile([0.6, 1.2, 2.0], (len(xy), 1))
    box, _, aisle = row_ends(xy, sizes, rots, 1)
    facing = facing_distance_m(xy, sizes, rots, np.array([0]))[0]
    assert float(aisle[0]) == (facing if np.isfinite(facing) else SINGLE_ROW_AISLE_M)
    return float(aisle[0])


def test_the_aisle_is_the_distance_to_the_nearest_rack_facing_the_end_rack():
    """The end rack's front is at y = 2.4 m (centre 1.8); a rack facing south (rotation 0)
    with its front at 2.4 + a is an aisle of a across when it overlaps the end rack
    sideways; otherwise the single-row default of 1.2 m."""
    single = 1.2
    assert _aisle_of((3.0, 1.8), [(3.0, 3.9, 0)]) == pytest.approx(0.9)        # a narrow aisle
    assert _aisle_of((3.0, 1.8), [(3.0, 6.0, 0)]) == pytest.approx(3.0)        # MAX_AISLE_M, kept
    assert _aisle_of((3.0, 1.8), [(3.0, 6.1, 0)]) == single                   # beyond it
    assert _aisle_of((3.0, 1.8), [(3.0, 3.0, 0)]) == single                   # fronts touching
    assert _aisle_of((3.0, 1.8), [(3.5, 3.9, 0)]) == pytest.approx(0.9)        # 0.1 m overlap
    assert _aisle_of((3.0, 1.8), [(4.0, 4.2, 0)]) == single                   # 0.4 m apart
    assert _aisle_of((3.0, 1.8), [(3.0, 4.2, 90)]) == single                  # side-on
    assert _aisle_of((3.0, 1.8), [(3.0, 4.2, 180)]) == single                 # same way
    # only corners touching: 0.6 m apart sideways, whichever way the rounding falls
    # (|3.9 - 4.5| = 0.6000000000000005, |8.1 - 7.5| = 0.5999999999999996)
    assert _aisle_of((3.9, 1.8), [(4.5, 4.2, 0)]) == single
    assert _aisle_of((8.1, 1.8), [(7.5, 4.2, 0)]) == single


def _units_at(scene, centres, **kw):
    """The scene with its units moved to ``centres`` (and any other columns replaced)."""
    return replace(scene, cooling=replace(scene.cooling, center_xy_m=np.asarray(centres, float), **kw))


def test_the_surplus_rises_where_no_unit_stands_on_the_aisles_line_beyond_the_end():
    """room(20): the CRAHs stand at x = 0.5 and 9.3 m on the aisle's centre line (y 3.6 m,
    the aisle 3.0–4.2 m), beyond both ends: the surplus is drawn along the aisle, nothing
    rises.  Moved behind the south row (y 1.0 m) they leave every end's surplus rising; one
    moved, the other end's stays drawn.  The line is the aisle's width, edges included; a
    ceiling return, a return grille, a stopped unit or an in-row cooler on the line: as
    each says."""
    sc = room(20, supply_ratio=1.0)
    ends = closed_ends(sc, 0.3)
    box = ends[0]
    x_end = sc.racks.center_xy_m[box, 0]
    assert len(box) == 4 and not surplus_rises(sc, *ends).any()
    behind = _units_at(sc, [[0.5, 1.0], [9.3, 1.0]])
    assert surplus_rises(behind, *closed_ends(behind, 0.3)).all()
    west_only = _units_at(sc, [[0.5, 3.6], [9.3, 1.0]])
    rises = surplus_rises(west_only, *closed_ends(west_only, 0.3))
    assert np.array_equal(rises, x_end > 5.0)                  # the east ends rise
    # the aisle's edges (its front faces at y 3.0 and 4.2 m) are on the line, 1 cm out not
    assert not surplus_rises(_units_at(sc, [[0.5, 3.0], [9.3, 4.2]]), *ends).any()
    assert surplus_rises(_units_at(sc, [[0.5, 2.99], [9.3, 4.21]]), *ends).all()
    # a unit on the line but level with the rows (not beyond the end) draws nothing along it
    level = _units_at(sc, [[5.4, 3.6], [5.4, 3.6]])
    assert surplus_rises(level, *ends).all()
    # a stopped unit, a unit outside the hall and an in-row cooler do not draw the surplus
    stopped = replace(sc.cooling, enabled=np.array([False, True]))
    assert np.array_equal(surplus_rises(replace(sc, cooling=stopped), *ends), x_end < 5.0)
    outside = replace(sc.cooling, outside=np.array([True, False]))
    assert np.array_equal(surplus_rises(replace(sc, cooling=outside), *ends), x_end < 5.0)
    inrow = replace(sc.cooling, kind=("inrow", "crah"))
    assert np.array_equal(surplus_rises(replace(sc, cooling=inrow), *ends), x_end < 5.0)
    # a ceiling return has its own closure, and return grilles draw where they lie
    ceiling = replace(behind, hall=replace(behind.hall, ceiling_return=True))
    assert not surplus_rises(ceiling, *closed_ends(ceiling, 0.3)).any()
    gr = Grilles(np.array([[1.5, 3.6]]), np.array([[0.6, 1.2]]), ("return",))
    grilled = replace(behind, grilles=gr)
    assert not surplus_rises(grilled, *closed_ends(grilled, 0.3)).any()
    assert len(surplus_rises(sc, *(a[:0] for a in ends))) == 0
    assert surplus_rises(ceiling, *ends).dtype == bool and surplus_rises(sc, *ends).dtype == bool
    # one end alone is judged like any other
    assert surplus_rises(behind, *(a[:1] for a in ends)).tolist() == [True]
    # a unit that moves no air draws nothing; a small one (0.5 m³/s) on the line does
    idle = replace(sc.cooling, airflow_m3s=np.array([0.0, sc.cooling.airflow_m3s[1]]))
    assert np.array_equal(surplus_rises(replace(sc, cooling=idle), *ends), x_end < 5.0)
    small = replace(sc.cooling, airflow_m3s=np.array([0.5, 0.5]))
    assert not surplus_rises(replace(sc, cooling=small), *ends).any()
    # beyond the end means past the end plane (the end rack's centre + half its 0.6 m
    # width): a centre 0.05 m past the west plane (x 2.35 m) is beyond, 0.05 m short of
    # it (2.45 m, over the end rack) is not; the east unit stays behind the row
    for x, west_rises in ((2.35, False), (2.45, True)):
        moved = _units_at(sc, [[x, 3.6], [9.3, 1.0]])
        assert np.array_equal(surplus_rises(moved, *ends), np.where(x_end < 5.0, west_rises, True)), x


def test_where_the_surplus_rises_the_half_aisle_is_closed_to_the_ceiling():
    """The CRAHs behind the south row: the half aisles in front of the end racks close from
    the floor to the ceiling (rows from x = 2.4 to 8.4 m, aisle y 3.0–4.2 m); those faces
    pass no air, the surplus leaves over the aisle's top between them, energy closes."""
    sc = _units_at(room(20, supply_ratio=1.0), [[0.5, 1.0], [9.3, 1.0]])
    g, (cx, cy) = _closed(sc)
    assert not cy.any()
    assert np.array_equal(cx, _expected_x(g, (2.4, 8.4), 3.0, 4.2, 99.0))
    res = AirSolver().solve(sc)
    assert np.all(res.fluxes.x[cx] == 0.0) and abs(res.residual_pct) < 1e-3
    # on the aisle's line the same room closes to the rack tops only
    g2, (cx2, _) = _closed(room(20, supply_ratio=1.0))
    assert np.array_equal(cx2, _expected_x(g2, (2.4, 8.4), 3.0, 4.2, 2.2))
