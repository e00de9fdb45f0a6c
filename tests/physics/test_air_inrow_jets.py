"""In-row cooler jets (docs/physics.md §2.3, twin/physics/air/inrow_jets.py): a cooler's
supply is spread evenly over its splash zone — the air ahead of its face out to its throw,
up to its height, and beside it by the throw where another cooler's jet meets it (the lane
ahead otherwise), reached from the face without crossing a solid or a closed face — the
throw being its face velocity times ``inrow_jet_throw_s``.

Oracles: the throw worked by hand; the zone of a cooler in the CFD library's in-row room
worked out cell by cell from the room's drawing (rows, coolers, aisle); the discharge
matrix against the zone; the room's heat balance; the CFD's pattern (the racks between
the coolers cooler than those beside them)."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from twin.engine.calibrate import RoomModel
from twin.io import load_layout
from twin.physics.air import AirSolver
from twin.physics.air import inrow_jets
from twin.physics.air.devices import build_devices
from twin.physics.air.grid import build_geometry, make_grid

ROOMS = Path(__file__).resolve().parents[1] / "bench" / "cfd" / "rooms"


def _scene(name="inrow_coolers", **settings):
    """The room's air scene as the live model builds it, with ``settings`` changed; and
    its rack ids."""
    model = RoomModel(load_layout(ROOMS / f"{name}.json"))
    sc = model.scene
    return replace(sc, settings=replace(sc.settings, **settings)), model.rack_ids


def _geom(sc):
    return build_geometry(sc, make_grid(sc.hall, sc.settings))


def test_the_throw_is_the_face_velocity_times_the_throw_time():
    # 2.25 m³/s out of a 0.3 m × 2.0 m face is 3.75 m/s; in 0.5 s that is 1.875 m;
    # 4.9 m³/s out of the same face is 8.17 m/s, 4.08 m
    size = np.array([[0.3, 1.2, 2.0], [0.3, 1.2, 2.0], [0.6, 1.2, 2.0]])
    got = inrow_jets.throw_m(np.array([2.25, 4.9, 2.25]), size, 0.5)
    assert got == pytest.approx([1.875, 4.9 / 0.6 * 0.5, 0.9375])
    assert inrow_jets.throw_m(np.array([2.25]), size[:1], 0.0) == pytest.approx([0.0])


def test_the_zone_of_a_cooler_at_a_row_end_worked_out_from_the_drawing():
    """IRC-1 of the in-row room: x 1.8–2.1 m, back at y = 1.2, face at y = 2.4 facing +y,
    2.0 m high; row A's racks x 2.1–5.1 m, y 1.2–2.4; across the 1.2 m aisle IRC-3
    (x 1.8–2.1) and row B, y 3.6–4.8.  Grid 0.3 m, layers 3/7 m.  Throw 1.875 m: columns
    whose centres lie within 0.15 + 1.875 m of x = 1.95 (x centres 0.15 … 3.75, i.e.
    i = 0 … 12), layers whose centres lie below 2.0 m (k = 0 … 4), and ahead the cells
    whose centres lie within 1.875 m of the face (y centres 2.55 … 4.05, j = 8 … 13),
    stopped by whatever stands across the aisle: at x < 1.8 m nothing (the room beyond
    the row end, all six cells), in front of IRC-3 and row B (x 1.8–3.9 m) the aisle's
    four cells."""
    sc, _lay = _scene()
    geom = _geom(sc)
    g = geom.grid
    assert (g.dx, g.dz) == pytest.approx((0.3, 3.0 / 7))
    u = sc.cooling
    k1 = int(np.flatnonzero(np.isclose(u.center_xy_m, [1.95, 1.8]).all(axis=1))[0])
    zone = inrow_jets.splash_cells(geom, u.center_xy_m[k1], u.size_m[k1], u.rotation_deg[k1], 1.875, 1.875)
    expect = set()
    for k in range(5):
        for i in range(13):
            rows = range(8, 14) if i < 6 else range(8, 12)
            expect |= {(k * g.ny + j) * g.nx + i for j in rows}
    assert set(zone.tolist()) == expect
    # no zone cell is solid, none is above the cooler, every one is ahead of its face
    assert not geom.solid.ravel()[zone].any()
    k, rem = np.divmod(zone, g.nx * g.ny)
    j = rem // g.nx
    assert k.max() == 4 and j.min() == 8


def test_a_closed_face_stops_the_zone_and_no_throw_leaves_the_face_cells():
    """A cold-aisle containment panel in front of the face stops the march there (the
    panel leaks 3 %: not fully open); with no throw the cooler discharges into its face
    cells, as a reversed rack."""
    sc, _ids = _scene()
    geom = _geom(sc)
    u, g = sc.cooling, geom.grid
    free = inrow_jets.splash_cells(geom, u.center_xy_m[0], u.size_m[0], u.rotation_deg[0], 1.875, 1.875)
    from twin.physics.air.scene import Containment
    # an end door across the aisle at x = 2.1 m... and a roof at 2.0 m over the aisle: the
    # contained aisle x 2.1–5.1, y 2.4–3.6 closes IRC-1's face off from it
    box = Containment(np.array([[2.1, 2.4, 5.1, 3.6]]), ("cold_aisle",), np.array([2.0]),
                      np.array([True]), np.array([True]))
    closed = replace(sc, containment=box)
    geom_c = _geom(closed)
    shut = inrow_jets.splash_cells(geom_c, u.center_xy_m[0], u.size_m[0], u.rotation_deg[0], 1.875, 1.875)
    i = shut % g.nx
    assert len(shut) and (i < 7).all()        # no cell inside the aisle beyond the door at 2.1 m
    assert set(shut.tolist()) < set(free.tolist())
    # throw 0: the face's own cells only (one column, five layers, j = 8)
    none = _scene(inrow_jet_throw_s=0.0)[0]
    dev = build_devices(none, _geom(none))
    col = dev.discharge[:, dev.n_racks].toarray().ravel()
    cells = np.flatnonzero(col)
    assert len(cells) == 5 and np.all(cells % g.nx == 6) and np.all((cells // g.nx) % g.ny == 8)


def test_each_cooler_discharges_evenly_over_its_zone():
    sc, _lay = _scene()
    geom = _geom(sc)
    dev = build_devices(sc, geom)
    u = sc.cooling
    throw = inrow_jets.throw_m(u.airflow_m3s, u.size_m, 0.5)
    assert throw == pytest.approx([1.875] * 4)
    for d, ui in zip(range(dev.n_racks, dev.n), dev.unit_index):
        col = dev.discharge[:, d].toarray().ravel()
        zone = inrow_jets.splash_cells(geom, u.center_xy_m[ui], u.size_m[ui], u.rotation_deg[ui], throw[ui],
                                       throw[ui])         # every cooler faces another
        assert set(np.flatnonzero(col).tolist()) == set(zone.tolist())
        assert np.allclose(col[zone], u.airflow_m3s[ui] / len(zone))


@pytest.mark.parametrize("throw_s", [0.0, 0.5])
def test_the_room_balances_with_and_without_the_jets(throw_s):
    """The coolers take out what the racks and their fans put in, to the solver's
    residual, whether their supply enters at the face or over the zone."""
    sc, _lay = _scene(inrow_jet_throw_s=throw_s)
    res = AirSolver().solve(sc)
    assert abs(res.residual_pct) < 1e-3
    assert np.isfinite(res.rack_inlet_mean_c).all()


def test_the_jets_cool_the_racks_between_the_coolers_and_warm_those_beside_them():
    """CFD (library's in-row room, three runs averaged): the middle racks A03/B03 take
    22.8–23.0 °C, the racks beside the coolers 23.6–24.8 °C.  At the face the twin had
    it the other way round (middle 24.9 °C, beside the coolers 22.4 °C); with the jets
    the middle rack is no warmer than its row's end racks, and the ends warm by more
    than 1 K."""
    results = {}
    for throw_s in (0.0, 0.5):
        sc, ids = _scene(inrow_jet_throw_s=throw_s)
        results[throw_s] = AirSolver().solve(sc).rack_inlet_mean_c
    mid = [ids.index("A03"), ids.index("B03")]
    ends = [ids.index(x) for x in ("A01", "A05", "B01", "B05")]
    face, jets = results[0.0], results[0.5]
    assert face[mid].min() > face[ends].max() + 1.0          # the face model's inversion
    assert jets[mid].max() <= jets[ends].min()
    assert (jets[ends] - face[ends]).min() > 1.0
    assert (face[mid] - jets[mid]).min() > 1.0


def test_the_zone_stops_at_the_row_across_and_does_not_wrap_round_its_end():
    """The library's mid-row room: IRC-1 (x 3.9–4.2 m, face at y = 2.4 facing +y,
    3.6 m³/s: 6 m/s, throw 3.0 m) in row A; row B (x 2.1–6.0 m, y 3.6–4.8) across the
    1.2 m aisle.  The zone's box reaches y = 5.4 m and x 0.9–7.2 m: beyond row B's ends
    the jet runs on into the room (all ten cells ahead), in front of row B it stops at
    the aisle's four, and the air behind row B (y > 4.8 m), which the box also covers,
    lies behind the row: the jet does not reach it round the row's end."""
    sc, _ids = _scene("inrow_mid_row")
    geom = _geom(sc)
    g, u = geom.grid, sc.cooling
    k1 = int(np.flatnonzero(np.isclose(u.center_xy_m, [4.05, 1.8]).all(axis=1))[0])
    throw = inrow_jets.throw_m(u.airflow_m3s, u.size_m, 0.5)[k1]
    assert throw == pytest.approx(3.0)
    zone = inrow_jets.splash_cells(geom, u.center_xy_m[k1], u.size_m[k1], u.rotation_deg[k1], throw, throw)
    k, rem = np.divmod(zone, g.nx * g.ny)
    j, i = np.divmod(rem, g.nx)
    x, y = (i + 0.5) * g.dx, (j + 0.5) * g.dx
    assert x.min() == pytest.approx(1.05) and x.max() == pytest.approx(7.05)
    assert y.min() == pytest.approx(2.55) and y.max() == pytest.approx(5.25)
    beside = (x < 2.1) | (x > 6.0)
    assert not ((y > 3.6) & ~beside).any()                     # row B and the air behind it
    for xi in np.unique(x):
        depth = len(np.unique(y[x == xi]))
        assert depth == (10 if xi < 2.1 or xi > 6.0 else 4), xi
    assert sorted(set(k.tolist())) == [0, 1, 2, 3, 4]


def test_the_spread_is_the_throw_only_where_another_coolers_jet_meets_the_face():
    """Two coolers 0.3 × 1.2 m facing each other across a 1.2 m aisle (faces at y = 2.4
    and 3.6): each spreads by its throw when the other's face lies ahead within it and
    the faces overlap side to side (centres less than 0.3 m apart across); not when the
    other stands more than 0.3 m to the side (staggered), faces away, or lies beyond the
    throw; a cooler alone, or facing racks, keeps to its lane."""
    size = np.array([[0.3, 1.2, 2.0]] * 2)
    rot = np.array([180.0, 0.0])                       # +y and −y
    def spread(x2, throw=(1.9, 1.9), rot=rot):
        return inrow_jets.spread_m(np.array([[3.0, 1.8], [x2, 4.2]]), size, rot, np.array(throw))
    assert spread(3.0) == pytest.approx([1.9, 1.9])
    assert spread(3.29) == pytest.approx([1.9, 1.9])
    assert spread(3.31) == pytest.approx([0.0, 0.0])
    assert spread(3.0, throw=(1.1, 1.9)) == pytest.approx([0.0, 1.9])      # 1.2 m apart
    assert spread(3.0, throw=(1.3, 1.9)) == pytest.approx([1.3, 1.9])
    assert spread(3.0, rot=np.array([180.0, 180.0])) == pytest.approx([0.0, 0.0])
    # square to each other, the second's face on the first's axis: no meeting
    square = inrow_jets.spread_m(np.array([[3.0, 1.8], [3.6, 3.6]]), size, np.array([180.0, 270.0]),
                                 np.array([1.9, 1.9]))
    assert square == pytest.approx([0.0, 0.0])
    # faces touching (both at y = 2.4): nothing lies ahead of either
    touching = inrow_jets.spread_m(np.array([[3.0, 1.8], [3.0, 3.0]]), size, rot, np.array([1.9, 1.9]))
    assert touching == pytest.approx([0.0, 0.0])
    # 0.6 m apart with a 0.7 m throw; faces exactly 1 m apart (binary-exact) with a 1 m
    # throw meet; 0.5 m wide coolers exactly 0.5 m apart across do not overlap
    near = inrow_jets.spread_m(np.array([[3.0, 1.8], [3.0, 3.6]]), size, rot, np.array([0.7, 0.7]))
    assert near == pytest.approx([0.7, 0.7])
    box = np.array([[0.5, 1.0, 2.0]] * 2)
    exact = inrow_jets.spread_m(np.array([[1.0, 1.0], [1.0, 3.0]]), box, rot, np.array([1.0, 1.0]))
    assert exact == pytest.approx([1.0, 1.0])
    side = inrow_jets.spread_m(np.array([[1.0, 1.0], [1.5, 3.0]]), box, rot, np.array([1.0, 1.0]))
    assert side == pytest.approx([0.0, 0.0])
    assert inrow_jets.spread_m(np.array([[3.0, 1.8]]), size[:1], rot[:1], np.array([1.9])) == \
        pytest.approx([0.0])
    # the library's staggered room and its one-row room: no cooler meets another's jet
    for name in ("inrow_staggered", "inrow_one_row"):
        sc, _ids = _scene(name)
        u = sc.cooling
        throw = inrow_jets.throw_m(u.airflow_m3s, u.size_m, 0.5)
        assert np.all(throw > 2.0)
        assert inrow_jets.spread_m(u.center_xy_m, u.size_m, u.rotation_deg, throw) == \
            pytest.approx(np.zeros(len(throw)))


def test_a_lane_is_the_column_of_air_straight_ahead_of_the_face():
    """The staggered room's IRC-1 (x 3.3–3.6 m, face at y = 2.4 facing +y, 4.05 m³/s:
    throw 3.4 m) meets row B's rack B03 (x 3.3–3.9 m) across the 1.2 m aisle: its zone is
    the one column of cells in front of it (x centre 3.45 m), four cells deep, five high."""
    sc, _ids = _scene("inrow_staggered")
    geom = _geom(sc)
    g, u = geom.grid, sc.cooling
    k1 = int(np.flatnonzero(np.isclose(u.center_xy_m, [3.45, 1.8]).all(axis=1))[0])
    throw = inrow_jets.throw_m(u.airflow_m3s, u.size_m, 0.5)[k1]
    assert throw == pytest.approx(4.05 / 0.6 * 0.5)
    zone = inrow_jets.splash_cells(geom, u.center_xy_m[k1], u.size_m[k1], u.rotation_deg[k1], throw, 0.0)
    k, rem = np.divmod(zone, g.nx * g.ny)
    j, i = np.divmod(rem, g.nx)
    assert set(((i + 0.5) * g.dx).round(4).tolist()) == {3.45}
    assert sorted(set(((j + 0.5) * g.dx).round(4).tolist())) == [2.55, 2.85, 3.15, 3.45]
    assert len(zone) == 4 * 5


def _transposed(sc):
    """The scene mirrored across the line x = y: every position (x, y) → (y, x), every
    front (fx, fy) → (fy, fx), i.e. rotation a → 270° − a."""
    def flip(boxes):
        return replace(boxes, center_xy_m=boxes.center_xy_m[:, ::-1].copy(),
                       rotation_deg=(270.0 - boxes.rotation_deg) % 360.0)
    hall = replace(sc.hall, width_m=sc.hall.length_m, length_m=sc.hall.width_m)
    return replace(sc, hall=hall, racks=flip(sc.racks), cooling=flip(sc.cooling))


@pytest.mark.parametrize("name", ["inrow_coolers", "inrow_mid_row", "inrow_staggered", "inrow_one_row"])
def test_every_zone_mirrors_with_the_room(name):
    """Mirrored across x = y, a room gives every cooler the mirrored spread and zone, cell
    for cell: rows along y instead of x, jets along x instead of y (both sides of the
    zone's march — its first row along the face and its run ahead — on the other axis)."""
    sc, _ids = _scene(name)
    tr = _transposed(sc)
    g, gt = make_grid(sc.hall, sc.settings), make_grid(tr.hall, tr.settings)
    assert (gt.nx, gt.ny, gt.nz) == (g.ny, g.nx, g.nz)
    geom, geom_t = build_geometry(sc, g), build_geometry(tr, gt)
    assert np.array_equal(geom_t.solid, geom.solid.transpose(0, 2, 1))
    u, ut = sc.cooling, tr.cooling
    throw = inrow_jets.throw_m(u.airflow_m3s, u.size_m, 0.5)
    spread = inrow_jets.spread_m(u.center_xy_m, u.size_m, u.rotation_deg, throw)
    assert inrow_jets.spread_m(ut.center_xy_m, ut.size_m, ut.rotation_deg, throw) == pytest.approx(spread)
    own, zone = inrow_jets.splash_zones(geom, u.center_xy_m, u.size_m, u.rotation_deg, throw)
    own_t, zone_t = inrow_jets.splash_zones(geom_t, ut.center_xy_m, ut.size_m, ut.rotation_deg, throw)
    k, rem = np.divmod(zone_t, gt.nx * gt.ny)
    jt, it = np.divmod(rem, gt.nx)
    back = (k * g.ny + it) * g.nx + jt                    # (k, j', i') → (k, i', j')
    for i in range(len(throw)):
        assert set(back[own_t == i].tolist()) == set(zone[own == i].tolist()), i
        assert (own == i).sum() > 0


def _moved(sc, k, xy):
    c = sc.cooling.center_xy_m.copy()
    c[k] = xy
    return replace(sc, cooling=replace(sc.cooling, center_xy_m=c))


def test_a_face_on_a_cell_centre_starts_its_zone_a_cell_on_and_never_behind_the_row_across():
    """IRC-1 moved 0.15 m north (face at y = 2.55, a cell centre): the cell there has its
    centre on the face, not ahead of it, so the zone starts with the next (y = 2.85), as
    the face cells of a rack would; with a 3.0 m throw the box reaches y = 5.55, past row
    B (y 3.6–4.8), but not the air behind it: y 2.85–3.45 across the aisle, on to 5.25
    only beyond the row end (x < 1.8 m)."""
    sc, _ids = _scene()
    u = sc.cooling
    k1 = int(np.flatnonzero(np.isclose(u.center_xy_m, [1.95, 1.8]).all(axis=1))[0])
    moved = _moved(sc, k1, [1.95, 1.95])
    geom = _geom(moved)
    g = geom.grid
    zone = inrow_jets.splash_cells(geom, moved.cooling.center_xy_m[k1], u.size_m[k1], u.rotation_deg[k1],
                                   3.0, 3.0)
    k, rem = np.divmod(zone, g.nx * g.ny)
    j, i = np.divmod(rem, g.nx)
    x, y = (i + 0.5) * g.dx, (j + 0.5) * g.dx
    assert y.min() == pytest.approx(2.85)
    assert y[x > 1.8].max() == pytest.approx(3.45)
    assert y[x < 1.8].max() == pytest.approx(5.25)
    assert x.min() == pytest.approx(0.15) and x.max() == pytest.approx(4.95)


def test_a_blocked_face_has_no_zone_and_the_cooler_blows_over_its_top():
    """IRC-3 pushed across the aisle onto IRC-1's face (its box y 2.4–3.6): no air ahead of
    either face, so neither has a zone (an empty integer array) and each discharges into
    the air just above its box, as any device whose face is blocked."""
    sc, _ids = _scene()
    u = sc.cooling
    k1 = int(np.flatnonzero(np.isclose(u.center_xy_m, [1.95, 1.8]).all(axis=1))[0])
    k3 = int(np.flatnonzero(np.isclose(u.center_xy_m, [1.95, 4.2]).all(axis=1))[0])
    blocked = _moved(sc, k3, [1.95, 3.0])
    geom = _geom(blocked)
    g = geom.grid
    for k in (k1, k3):
        zone = inrow_jets.splash_cells(geom, blocked.cooling.center_xy_m[k], u.size_m[k], u.rotation_deg[k],
                                       1.875, 1.875)
        assert zone.shape == (0,) and zone.dtype.kind == "i"
    dev = build_devices(blocked, geom)
    top = int(np.ceil(2.0 / g.dz - 1e-9))                  # the first layer above the 2 m box
    for k in (k1, k3):
        col = dev.discharge[:, dev.n_racks + list(dev.unit_index).index(k)].toarray().ravel()
        cells = np.flatnonzero(col)
        assert len(cells) and np.all(cells // (g.nx * g.ny) == top)
        assert col.sum() == pytest.approx(u.airflow_m3s[k])


def test_the_zone_holds_the_cells_whose_centres_lie_within_the_throw_and_the_spread():
    """IRC-1 of the in-row room (face at y = 2.4, x 1.8–2.1) with a throw and a spread of
    1.65 m: a cell whose centre lies exactly 1.65 m ahead of the face is outside, one
    exactly 1.65 m beyond its side inside (y centres 2.55 … 3.75 beyond the row end, to
    3.45 across the aisle; x centres 0.15 … 3.75), so a face whose edges lie on cell
    centres keeps the columns on both edges.  A 0.6 m wide cooler centred on a cell edge
    keeps to its two columns when nothing meets its jet, a 0.3 m one there to the two it
    half covers; a unit one layer high to that layer; no coolers, no zones."""
    sc, _ids = _scene()
    geom = _geom(sc)
    g, u = geom.grid, sc.cooling
    k1 = int(np.flatnonzero(np.isclose(u.center_xy_m, [1.95, 1.8]).all(axis=1))[0])
    zone = inrow_jets.splash_cells(geom, u.center_xy_m[k1], u.size_m[k1], u.rotation_deg[k1], 1.65, 1.65)
    k, rem = np.divmod(zone, g.nx * g.ny)
    j, i = np.divmod(rem, g.nx)
    x, y = (i + 0.5) * g.dx, (j + 0.5) * g.dx
    assert x.min() == pytest.approx(0.15) and x.max() == pytest.approx(3.75)
    assert y.max() == pytest.approx(3.75) and y[x > 1.8].max() == pytest.approx(3.45)
    wide = np.array([0.6, 1.2, 2.0])
    lane = inrow_jets.splash_cells(geom, np.array([1.2, 1.8]), wide, 180.0, 1.0, 0.0)
    i2 = lane % g.nx
    assert sorted(set(i2.tolist())) == [3, 4]
    # a 0.3 m cooler centred on a cell edge (x = 2.1) has both half-covered columns as its
    # lane; a 0.4 m high unit only the first layer
    edge = inrow_jets.splash_cells(geom, np.array([2.1, 1.8]), u.size_m[k1], 180.0, 1.0, 0.0)
    assert sorted(set((edge % g.nx).tolist())) == [6, 7]
    short = inrow_jets.splash_cells(geom, np.array([1.95, 1.8]), np.array([0.3, 1.2, 0.4]), 180.0, 1.0, 0.0)
    assert len(short) and set((short // (g.nx * g.ny)).tolist()) == {0}
    none = inrow_jets.splash_zones(geom, np.zeros((0, 2)), np.zeros((0, 3)), np.zeros(0), np.zeros(0))
    assert [a.shape for a in none] == [(0,), (0,)] and all(a.dtype.kind == "i" for a in none)
