"""Streamlines of the solved air field (twin/engine/streamlines.py).

Oracles: in a uniform flow a streamline is a straight line of the length the flow covers
before the wall, travelled in length / speed, through a temperature field it samples
exactly; in a solid-body rotation it is a circle. On the sample layouts, lines seeded at
the unit supplies and perforated tiles end where a device draws the air in: the end cells
are checked against the solver's device ports (``build_devices``: rack fronts, in-row
cooler backs, the air above a CRAH) and against the equipment's faces worked out here
from position, size and rotation — not against the tracer's own stopping test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twin.engine import streamlines as sl
from twin.engine.inputs import air_scene
from twin.engine.simulate import simulate
from twin.io import load_layout
from twin.physics.air.flow import FaceFluxes
from twin.physics.air import inrow_jets
from twin.physics.air.devices import build_devices
from twin.physics.air.entrainment import entrainment_ports
from twin.physics.air.grid import Grid, build_geometry, front_vector
from twin.physics.air.result import AirResult
from twin.physics.cancel import Cancelled

LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"


def field(grid: Grid, u, v, w, temperature) -> AirResult:
    """An AirResult holding only a velocity field (functions of face-centre x, y, z) and a
    temperature field (a function of cell-centre x, y, z)."""
    dx, dz = grid.dx, grid.dz
    xc, yc, zc = grid.x_m, grid.y_m, grid.z_m
    xf, yf, zf = np.arange(grid.nx + 1) * dx, np.arange(grid.ny + 1) * dx, np.arange(grid.nz + 1) * dz
    Z, Y, X = np.meshgrid(zc, yc, xf, indexing="ij")
    fx = u(X, Y, Z) * dx * dz
    Z, Y, X = np.meshgrid(zc, yf, xc, indexing="ij")
    fy = v(X, Y, Z) * dx * dz
    Z, Y, X = np.meshgrid(zf, yc, xc, indexing="ij")
    fz = w(X, Y, Z) * dx * dx
    Z, Y, X = np.meshgrid(zc, yc, xc, indexing="ij")
    e = np.zeros(0)
    return AirResult(grid, temperature(X, Y, Z), FaceFluxes(fx, fy, fz), e, e, e, e, e, e,
                     np.zeros((0, grid.nz)), e, e, e, e, e, e, 0.0, 0.0, 0.0, e)


def zero(X, Y, Z):
    return np.zeros_like(X)


GRID = Grid(nx=40, ny=20, nz=6, dx=0.3, dz=0.5)      # 12 m x 6 m x 3 m


def test_uniform_flow_gives_straight_lines_of_the_right_length_and_time():
    speed = 0.8
    air = field(GRID, lambda X, Y, Z: np.full_like(X, speed), zero, zero,
                lambda X, Y, Z: 20.0 + 0.5 * X)
    seeds = np.array([[1.0, 2.0, 1.2], [3.35, 4.1, 0.7], [6.0, 1.1, 2.4]])
    lines = sl.trace(air, seeds)
    assert lines.n_lines == 3
    assert list(lines.end) == [sl.END_WALL] * 3
    width = GRID.nx * GRID.dx
    np.testing.assert_allclose(lines.length_m(), width - seeds[:, 0], atol=1e-5)
    for i in range(3):
        pts = lines.points_m[lines.offsets[i]:lines.offsets[i + 1]]
        np.testing.assert_allclose(pts[:, 1:], np.broadcast_to(seeds[i, 1:], pts[:, 1:].shape),
                                   atol=1e-12)                   # straight along +x
        assert np.all(np.diff(pts[:, 0]) > 0)
        t = lines.time_s[lines.offsets[i]:lines.offsets[i + 1]]
        np.testing.assert_allclose(t, (pts[:, 0] - seeds[i, 0]) / speed, rtol=1e-9)
        inner = (pts[:, 0] > GRID.x_m[0]) & (pts[:, 0] < GRID.x_m[-1])
        temp = lines.temperature_c[lines.offsets[i]:lines.offsets[i + 1]]
        np.testing.assert_allclose(temp[inner], 20.0 + 0.5 * pts[inner, 0], atol=1e-9)


def test_solid_body_rotation_gives_a_circle():
    omega, centre = 0.5, np.array([6.0, 3.0])
    air = field(GRID, lambda X, Y, Z: -omega * (Y - centre[1]),
                lambda X, Y, Z: omega * (X - centre[0]), zero, lambda X, Y, Z: 20.0 + 0 * X)
    radius = 2.0
    circumference = 2 * np.pi * radius
    lines = sl.trace(air, [[centre[0] + radius, centre[1], 1.5]], max_length_m=circumference)
    pts = lines.points_m
    r = np.hypot(pts[:, 0] - centre[0], pts[:, 1] - centre[1])
    assert np.abs(r - radius).max() < 0.01 * radius
    assert lines.end[0] == sl.END_LENGTH
    np.testing.assert_allclose(pts[-1, :2], pts[0, :2], atol=0.05 * radius)  # one turn
    np.testing.assert_allclose(lines.time_s[-1], 2 * np.pi / omega, rtol=0.02)
    # turning anticlockwise, as omega > 0 says
    assert pts[2, 1] > pts[0, 1]


def test_still_air_and_loops_are_bounded():
    """No flow: every line stops at its seed. A closed loop stops at max_steps."""
    still = field(GRID, zero, zero, zero, lambda X, Y, Z: 20.0 + 0 * X)
    lines = sl.trace(still, [[1, 1, 1], [2, 2, 2]])
    assert list(lines.end) == [sl.END_STILL] * 2 and len(lines.points_m) == 2
    spin = field(GRID, lambda X, Y, Z: -(Y - 3.0), lambda X, Y, Z: X - 6.0, zero,
                 lambda X, Y, Z: 20.0 + 0 * X)
    lines = sl.trace(spin, [[7.0, 3.0, 1.0]], max_steps=50)
    assert lines.end[0] == sl.END_LENGTH and len(lines.points_m) <= 50 // sl.KEEP_EVERY + 2


def test_cancel_stops_the_trace():
    air = field(GRID, lambda X, Y, Z: np.full_like(X, 0.5), zero, zero,
                lambda X, Y, Z: 20.0 + 0 * X)
    with pytest.raises(Cancelled):
        sl.trace(air, [[1.0, 1.0, 1.0]], cancel=lambda: True)


# ------------------------------------------------------------- sample layouts, solved
@pytest.fixture(scope="module")
def small_room():
    lay = load_layout(LAYOUTS / "small-room.json")
    res = simulate(lay)
    return lay, res, air_scene(lay, res.rack_air_heat_kw * 1e3)[0]


@pytest.fixture(scope="module")
def pod():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    res = simulate(lay)
    return lay, res, air_scene(lay, res.rack_air_heat_kw * 1e3)[0]


def _face_zone(points, centres, sizes, rotations, side, grid) -> np.ndarray:
    """Which points lie in the air just outside a box face (side +1: front, -1: back):
    at most 1.5 cells from the face, within the face's width and height (one cell of
    slack each way)."""
    p = np.asarray(points)
    hit = np.zeros(len(p), bool)
    for c, s, rot in zip(centres, sizes, rotations):
        f = front_vector(rot) * side
        t = np.array([f[1], -f[0]])
        rel = p[:, :2] - (c + f * s[1] / 2)
        out = rel @ f
        across = np.abs(rel @ t)
        hit |= ((out > -0.25 * grid.dx) & (out < 1.5 * grid.dx)
                & (across < s[0] / 2 + grid.dx) & (p[:, 2] < s[2] + grid.dz))
    return hit


def intake_owners(scene, air) -> dict[int, set[int]]:
    """Cell -> devices drawing air there, from the solver's device ports (rack fronts,
    row-end corners, in-row cooler backs, the air above a CRAH): device i < n_racks is
    rack i, the others are cooling units."""
    g = air.grid
    dev = build_devices(scene, build_geometry(scene, g))
    coo = dev.intake.tocoo()
    owners: dict[int, set[int]] = {}
    for d, c in zip(coo.row.tolist(), coo.col.tolist()):
        owners.setdefault(c, set()).add(d)
    return owners


def end_owners(lines, air, owners) -> list[set[int]]:
    """The devices drawing air in each line's end cell or the cells touching it."""
    g = air.grid
    out = []
    for e in lines.ends():
        k, j, i = np.unravel_index(g.cell_of(*e), g.shape)
        near: set[int] = set()
        for dk, dj, di in np.ndindex(3, 3, 3):
            kk, jj, ii = k + dk - 1, j + dj - 1, i + di - 1
            if 0 <= kk < g.nz and 0 <= jj < g.ny and 0 <= ii < g.nx:
                near |= owners.get(int(np.ravel_multi_index((kk, jj, ii), g.shape)), set())
        out.append(near)
    return out


def face_seeds(centres, sizes, rotations, side, grid) -> np.ndarray:
    """Points half a cell outside a box face (side +1: front, -1: back): three across its
    width at five heights."""
    out = []
    for c, s, rot in zip(centres, sizes, rotations):
        f = front_vector(rot) * side
        t = np.array([f[1], -f[0]])
        for a in (-0.3, 0.0, 0.3):
            for z in (0.15, 0.3, 0.5, 0.7, 0.85):
                out.append([*(c + f * (s[1] / 2 + 0.5 * grid.dx) + t * a * s[0]), z * s[2]])
    return np.array(out)


def test_tile_air_ends_at_rack_intakes_or_crah_returns(small_room):
    """Small room (raised floor): lines from every perforated tile — nine points over its
    face in the floor layer, where its whole flow enters and rises as a jet
    (docs/physics.md §2.3) — end in a cell where a rack or a CRAH draws air in; the tile
    air they carry to the racks is at most what the racks draw at their faces (the end
    racks and their neighbours draw the rest round the row ends, and some of the face
    air is recirculated exhaust), the rest bypasses to the CRAHs (over the top of the
    aisle: its ends are closed up to the rack tops)."""
    _lay, res, scene = small_room
    air, g = res.air, res.air.grid
    tiles = scene.tiles.center_xy_m
    off = np.array([(a, b) for a in (-0.2, 0.0, 0.2) for b in (-0.2, 0.0, 0.2)]) * scene.tiles.size_m
    z = np.full(len(off), 0.5 * g.dz)
    seeds = np.column_stack([(tiles[:, None, :] + off[None, :, :]).reshape(-1, 2),
                             np.tile(z, len(tiles))])
    lines = sl.trace(air, seeds)
    owners = end_owners(lines, air, intake_owners(scene, air))
    # every line reaches an intake but for at most one of the 189 that stalls at a
    # stagnation point of the drift's circulation (in front of a CRAH's lower face, where
    # the tracer finds no speed left), none at a wall, a solid face or out of length
    reach = lines.end == sl.END_INTAKE
    assert np.all(reach | (lines.end == sl.END_STILL)) and (~reach).sum() <= 1
    assert all(o for o, ok in zip(owners, reach) if ok), lines.ends()[[not o for o in owners]]
    n_racks = scene.racks.n
    at_rack = np.array([ok and min(o) < n_racks for o, ok in zip(owners, reach)])
    # and geometrically: in front of a rack's front face, above a CRAH, or (from the
    # upper layers of the jets at the aisle's ends) round the corner where an end rack
    # draws its entrained share
    r, u = scene.racks, scene.cooling
    e = lines.ends()
    front = _face_zone(e, r.center_xy_m, r.size_m, r.rotation_deg, +1, g)
    above = np.zeros(lines.n_lines, bool)
    for c, sz in zip(u.center_xy_m, u.size_m):
        half = np.maximum(sz[0], sz[1]) / 2 + g.dx
        above |= ((np.abs(e[:, :2] - c) < half).all(axis=1) & (e[:, 2] > sz[2] - g.dz))
    ports = entrainment_ports(scene, build_geometry(scene, g))     # end racks and neighbours
    box_e, corner_w = ports.rack, ports.corner
    corner = np.isin(g.cell_of(e[:, 0], e[:, 1], e[:, 2]), corner_w.indices) \
        & np.array([bool(o & set(box_e.tolist())) for o in owners])
    assert np.all((front | above | corner)[reach])
    assert np.all((front | corner)[at_rack]) and (front & at_rack).sum() > 0.9 * at_rack.sum()
    q = np.repeat(air.tile_flow_m3s, len(z)) / len(z)            # each seed's share of its tile
    to_racks = q[at_rack].sum() / q.sum()
    drawn = air.rack_airflow_m3s.sum() / q.sum()
    # what the racks draw at their faces: all but the share the end racks and their
    # neighbours take round the corner (room air); the rest of the gap is exhaust mixed
    # back into the aisle
    dev = build_devices(scene, build_geometry(scene, g))
    at_faces = drawn - (dev.entrained[:r.n] * r.airflow_m3s).sum() / q.sum()
    assert at_faces - 0.1 < to_racks <= at_faces + 0.05, (to_racks, at_faces)


def _splash_seeds(scene, air, every=7):
    """Cell centres of the in-row coolers' splash zones (where their supply enters the
    room's flow, twin/physics/air/inrow_jets.py), every ``every``-th cell of each."""
    g, u = air.grid, scene.cooling
    geom = build_geometry(scene, g)
    throw = inrow_jets.throw_m(u.airflow_m3s, u.size_m, scene.settings.inrow_jet_throw_s)
    own, zone = inrow_jets.splash_zones(geom, u.center_xy_m, u.size_m, u.rotation_deg, throw)
    cells = np.concatenate([zone[own == i][::every] for i in range(len(throw))])
    k, rem = np.divmod(cells, g.nx * g.ny)
    j, i = np.divmod(rem, g.nx)
    return np.column_stack([(i + 0.5) * g.dx, (j + 0.5) * g.dx, (k + 0.5) * g.dz])


def test_inrow_supply_ends_at_intakes_and_exhaust_at_cooler_backs(pod):
    """GB200 pod (in-row coolers round a contained hot aisle). Lines from the coolers'
    splash zones (their jets spread the supply there) end where a device draws air: at
    the racks' fronts, or — for the coolers' airflow above the racks' (39.2 against
    27.0 m³/s), which reaches the aisle through the panels' 3 % leakage — back at the
    coolers. The surplus leaks evenly over the panels'
    whole area (zonal leakage, docs/physics.md §2.5), slowly, so fewer lines than its flow
    share cross a panel: at least the racks' share ends at racks, and not every line.
    Lines from the racks' back faces end behind the coolers: the contained aisle lets no
    exhaust round to the fronts."""
    _lay, res, scene = pod
    air, g = res.air, res.air.grid
    u, r = scene.cooling, scene.racks
    assert set(u.kind) == {"inrow"}
    owners = intake_owners(scene, air)

    seeds = _splash_seeds(scene, air)
    first = sl.trace(air, seeds)
    # a zone spreads the supply evenly, so its potential flow has weak spots where the
    # outflows of neighbouring cells meet: 11 of 1,496 lines stop there (or at a wall)
    assert np.mean(first.end == sl.END_INTAKE) > 0.99
    supply = sl.trace(air, seeds[first.end == sl.END_INTAKE])
    ends = end_owners(supply, air, owners)
    assert np.all(supply.end == sl.END_INTAKE)
    assert all(ends), supply.ends()[[not o for o in ends]]
    at_rack = np.array([min(o) < r.n for o in ends])
    share = air.rack_airflow_m3s.sum() / air.unit_airflow_m3s.sum()
    assert share - 0.12 < at_rack.mean() < 0.95, (at_rack.mean(), share)
    front = _face_zone(supply.ends(), r.center_xy_m, r.size_m, r.rotation_deg, +1, g)
    # the rest end round a row end, at a rack that draws air there (racks beside the end
    # coolers: entrainment.py) — never beside a rack that has no corner intake
    geom = build_geometry(scene, g)
    corner_racks = set(entrainment_ports(scene, geom).rack.tolist())
    assert 0 < len(corner_racks) < r.n
    rack_of = [min(o) for o in ends]
    elsewhere = [k for k in np.flatnonzero(at_rack) if not front[k]]
    assert front[at_rack].mean() > 0.5
    assert all(rack_of[k] in corner_racks for k in elsewhere), [rack_of[k] for k in elsewhere]

    exhaust = sl.trace(air, face_seeds(r.center_xy_m, r.size_m, r.rotation_deg, -1, g))
    ends = end_owners(exhaust, air, owners)
    at_cooler = np.array([any(k >= r.n for k in o) for o in ends])
    assert np.mean(exhaust.end == sl.END_INTAKE) > 0.95
    assert at_cooler.mean() > 0.95
    # a rack among the owners of an exhaust line's end is one whose corner intake lies
    # across the aisle's end door from a cooler's back (the cells touching the end count)
    beside = {min(o) for o in ends if o and min(o) < r.n}
    assert beside <= corner_racks, beside - corner_racks
    behind = _face_zone(exhaust.ends(), u.center_xy_m, u.size_m, u.rotation_deg, -1, g)
    assert behind[at_cooler].all()
    # exhaust lines start hot, supply lines cold, on the solved temperatures
    t_supply = supply.temperature_c[supply.offsets[:-1]]
    t_exhaust = exhaust.temperature_c[exhaust.offsets[:-1]]
    assert np.nanmax(t_supply) < np.nanmin(t_exhaust)


def test_default_seeds_sit_on_every_discharge(small_room, pod):
    """The default seeds are on the tiles, and behind every rack (its exhaust) and in
    front of every in-row cooler (its supply)."""
    _lay, res, scene = small_room
    g = res.air.grid
    seeds = sl.device_seeds(res.air)
    d = np.hypot(*(seeds[None, :, :2] - scene.tiles.center_xy_m[:, None, :]).transpose(2, 0, 1))
    assert (d.min(axis=1) < g.dx).all()                        # one per tile
    r = scene.racks
    for lay_res_scene in (small_room, pod):
        _lay, res, scene = lay_res_scene
        g, r, u = res.air.grid, scene.racks, scene.cooling
        seeds = sl.device_seeds(res.air)
        for c, s, rot in zip(r.center_xy_m, r.size_m, r.rotation_deg):
            assert _face_zone(seeds, [c], [s], [rot], -1, g).any()
        # and in every in-row cooler's splash zone (its supply: inrow_jets.py)
        inrow = np.array([k == "inrow" for k in u.kind])
        geom = build_geometry(scene, g)
        at = g.cell_of(seeds[:, 0], seeds[:, 1], seeds[:, 2])
        throw = inrow_jets.throw_m(u.airflow_m3s[inrow], u.size_m[inrow], scene.settings.inrow_jet_throw_s)
        own, zone = inrow_jets.splash_zones(geom, u.center_xy_m[inrow], u.size_m[inrow],
                                            u.rotation_deg[inrow], throw)
        for i in range(len(throw)):
            assert np.isin(at, zone[own == i]).any()


def test_picture_colours_on_the_views_scale(pod):
    from twin.engine.layers import temperature_scale
    from twin.model.viewstate import colormap_rgba
    _lay, res, _scene = pod
    pic = sl.picture(res.air, "A1")
    lines = pic.lines
    assert lines.n_lines > 50 and np.mean(lines.end == sl.END_INTAKE) > 0.9
    lo, hi, cmap = temperature_scale("A1")
    np.testing.assert_allclose(pic.rgba, colormap_rgba(lines.temperature_c, lo, hi, cmap))
    user = sl.picture(res.air, "A1", (20.0, 30.0))
    assert not np.allclose(user.rgba, pic.rgba)
    # arrowheads point along the last stretch of their line, seen from above
    assert len(pic.head_xy_m) > 0.5 * lines.n_lines
    np.testing.assert_allclose(np.linalg.norm(pic.head_dir, axis=1), 1.0)
    seg = lines.segment_index()
    assert len(seg) == len(lines.points_m) - lines.n_lines


def test_particles_ride_the_lines_at_the_air_speed():
    """Uniform flow: particles sit on the line, one per spacing of travel time, and in
    dt seconds move speed * dt downstream (or wrap back to the seed)."""
    speed = 0.5
    air = field(GRID, lambda X, Y, Z: np.full_like(X, speed), zero, zero,
                lambda X, Y, Z: 20.0 + 0 * X)
    lines = sl.trace(air, [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0]])
    travel = lines.time_s[lines.offsets[1:] - 1]
    p0, line0 = sl.particle_positions(lines, 10.0, spacing_s=3.0)
    expected = np.clip(np.floor(travel / 3.0), 1, sl.MAX_PARTICLES_PER_LINE)
    np.testing.assert_array_equal(np.bincount(line0), expected)
    seeds = lines.starts()
    np.testing.assert_allclose(p0[:, 1:], seeds[line0, 1:], atol=1e-12)   # on the line
    p1, line1 = sl.particle_positions(lines, 10.4, spacing_s=3.0)
    np.testing.assert_array_equal(line0, line1)
    step = p1[:, 0] - p0[:, 0]
    wrapped = step < 0
    np.testing.assert_allclose(step[~wrapped], speed * 0.4, atol=1e-9)
    assert wrapped.sum() <= 1


def test_horizontal_velocity_is_linear_in_height_between_the_layers():
    """u = 0.2 + 0.4 z and v = -0.1 z (m/s) are the same on every face of a layer, so the
    cell centres carry them at the layer centres z = 0.25, 0.75, ... 2.75 m and the plan
    field at any height between is the line itself; above the top centre it stays at the
    top layer's value (u(2.75) = 1.3, v(2.75) = -0.275)."""
    air = field(GRID, lambda X, Y, Z: 0.2 + 0.4 * Z, lambda X, Y, Z: -0.1 * Z, zero,
                lambda X, Y, Z: 20.0 + 0 * X)
    for h, (u_exp, v_exp) in ((1.1, (0.2 + 0.44, -0.11)), (0.25, (0.3, -0.025)),
                              (2.9, (1.3, -0.275)), (0.0, (0.3, -0.025))):
        u, v = sl.horizontal_velocity(air, h)
        assert u.shape == v.shape == (GRID.ny, GRID.nx)
        np.testing.assert_allclose(u, u_exp, atol=1e-12)
        np.testing.assert_allclose(v, v_exp, atol=1e-12)


def test_lines_that_never_move_carry_no_particles():
    still = field(GRID, zero, zero, zero, lambda X, Y, Z: 20.0 + 0 * X)
    lines = sl.trace(still, [[1, 1, 1], [2, 2, 2]])
    pts, line = sl.particle_positions(lines, 3.0)
    assert pts.shape == (0, 3) and line.shape == (0,) and line.dtype.kind == "i"


def test_a_single_seed_that_never_moves_has_no_segments_and_no_arrowhead():
    """One line of one point: no segment (an integer (0, 2) index array, usable to index
    the points), no arrowhead; no lines at all: no arrowheads either."""
    one = sl.Streamlines(np.array([[1.0, 2.0, 0.5]]), np.array([20.0]), np.zeros(1),
                         np.array([0, 1]), np.array([sl.END_STILL], np.int8))
    seg = one.segment_index()
    assert seg.shape == (0, 2) and seg.dtype.kind == "i"
    assert one.points_m[seg].shape == (0, 2, 3)
    assert one.length_m().tolist() == [0.0]
    lines, heads = sl.plan_heads(one)
    assert lines.tolist() == [] and heads.shape == (0, 2)
    none = sl.Streamlines(np.zeros((0, 3)), np.zeros(0), np.zeros(0), np.array([0]),
                          np.zeros(0, np.int8))
    lines, heads = sl.plan_heads(none)
    assert lines.shape == (0,) and lines.dtype.kind == "i" and heads.shape == (0, 2)


def test_seeds_fill_every_column_that_fits_and_thin_to_the_bins_that_do_not():
    """Air rising at w = z m/s in the nine columns x, y < 0.9 m: a cell discharges where its
    net outflow (0.5 m/s x area) is over 30 % of its outflow (0.5 (k + 1)), layers k = 0,
    1, 2. Nine columns in nine bins fit max_columns = 9 exactly: every column is seeded at
    two heights, the middle and top of its three discharge layers (z = 0.75 and 1.25 m).
    With max_columns = 4 the bins grow until only four hold columns: 4 x 2 seeds."""
    air = field(GRID, zero, zero, lambda X, Y, Z: Z * ((X < 0.9) & (Y < 0.9)),
                lambda X, Y, Z: 20.0 + 0 * X)
    seeds = sl.device_seeds(air, max_columns=9)
    columns = {(round(x, 6), round(y, 6)) for x, y, _z in seeds}
    assert columns == {(x, y) for x in (0.15, 0.45, 0.75) for y in (0.15, 0.45, 0.75)}
    assert len(seeds) == 18 and set(np.round(seeds[:, 2], 6)) == {0.75, 1.25}
    thin = sl.device_seeds(air, max_columns=4)
    assert len({(round(x, 6), round(y, 6)) for x, y, _z in thin}) == 4
    assert len(thin) == 8 and set(np.round(thin[:, 2], 6)) == {0.75, 1.25}


def test_air_is_still_below_one_percent_of_the_95th_percentile_speed():
    """u depends on the row only: row 0 at 0.015 m/s, rows 1-18 at 1 m/s, row 19 at
    2 m/s, each row 5 % of the 4,800 cells. The 95th percentile falls between the last
    1 m/s cell and the first 2 m/s one: 1 + 0.05 x 1 = 1.05 m/s, so the air is still below
    0.0105 m/s: a seed in row 0 moves (to the wall), one in air at 0.009 m/s would not."""
    def u(X, Y, Z):
        return np.select([Y < 0.3, Y > 5.7], [0.015, 2.0], 1.0)
    air = field(GRID, u, zero, zero, lambda X, Y, Z: 20.0 + 0 * X)
    lines = sl.trace(air, [[1.0, 0.15, 1.25]])
    assert lines.end.tolist() == [sl.END_WALL]
    assert lines.length_m()[0] == pytest.approx(GRID.nx * GRID.dx - 1.0, abs=1e-5)
    slower = field(GRID, lambda X, Y, Z: np.select([Y < 0.3, Y > 5.7], [0.009, 2.0], 1.0),
                   zero, zero, lambda X, Y, Z: 20.0 + 0 * X)
    assert sl.trace(slower, [[1.0, 0.15, 1.25]]).end.tolist() == [sl.END_STILL]


def test_horizontal_velocity_of_a_single_layer_field_is_that_layer_at_any_height():
    """One layer of cells (nz = 1): u = 0.5 m/s and v = -0.2 m/s everywhere; the plan field
    at any height is that layer's, component by component."""
    grid = Grid(nx=8, ny=5, nz=1, dx=0.5, dz=3.0)
    air = field(grid, lambda X, Y, Z: 0.5 + 0 * X, lambda X, Y, Z: -0.2 + 0 * X, zero,
                lambda X, Y, Z: 20.0 + 0 * X)
    for h in (0.0, 1.5, 10.0):
        u, v = sl.horizontal_velocity(air, h)
        assert u.shape == v.shape == (grid.ny, grid.nx)
        np.testing.assert_allclose(u, 0.5, atol=1e-12)
        np.testing.assert_allclose(v, -0.2, atol=1e-12)


def test_streamlines_pass_the_cancel_request_to_the_trace():
    """The seeded lines of a field (air rising in one corner column, as above) are traced
    under the caller's cancel test: a request to cancel raises Cancelled."""
    air = field(GRID, zero, zero, lambda X, Y, Z: Z * ((X < 0.9) & (Y < 0.9)),
                lambda X, Y, Z: 20.0 + 0 * X)
    assert sl.streamlines(air, cancel=lambda: False).n_lines > 0
    with pytest.raises(Cancelled):
        sl.streamlines(air, cancel=lambda: True)


def test_a_line_ends_after_max_length_however_many_steps_it_may_take():
    """Uniform flow along +x from x = 1 m, 11 m from the wall: with max_length_m = 3 m and
    room for a thousand steps, the line ends by length at 3 m, within one step
    (0.3 x 0.3 m cells = 0.09 m) beyond it, still moving straight along +x."""
    air = field(GRID, lambda X, Y, Z: np.full_like(X, 0.8), zero, zero,
                lambda X, Y, Z: 20.0 + 0 * X)
    h = sl.STEP_CELLS * GRID.dx
    lines = sl.trace(air, [[1.0, 2.0, 1.2]], max_length_m=3.0, max_steps=1000)
    assert lines.end.tolist() == [sl.END_LENGTH]
    assert 3.0 - 1e-9 <= lines.length_m()[0] < 3.0 + h
    assert 4.0 - 1e-9 <= lines.ends()[0, 0] < 4.0 + h


def test_a_line_ends_where_the_air_stops():
    """Plane stagnation flow u = -0.5 (x - 6), v = 0.5 (y - 3) (divergence-free: no cell
    draws air in): on the line y = 3 m the air runs along +x at 0.5 (6 - x) m/s and stops
    at x = 6 m. A line seeded there from x = 1 m stays on y = 3 m and ends as still within
    one step (0.09 m) of the stagnation point."""
    air = field(GRID, lambda X, Y, Z: -0.5 * (X - 6.0), lambda X, Y, Z: 0.5 * (Y - 3.0), zero,
                lambda X, Y, Z: 20.0 + 0 * X)
    h = sl.STEP_CELLS * GRID.dx
    lines = sl.trace(air, [[1.0, 3.0, 1.2]])
    assert lines.end.tolist() == [sl.END_STILL]
    end = lines.ends()[0]
    assert abs(end[0] - 6.0) <= h and end[1] == pytest.approx(3.0, abs=1e-9)
    assert lines.length_m()[0] == pytest.approx(end[0] - 1.0, abs=h)


def test_a_single_layer_field_traces_along_its_far_edge_to_the_wall():
    """One layer of cells (nz = 1), uniform flow of 0.5 m/s along +x: lines seeded along
    the far edge of the plan (y within a quarter cell of 2.5 m) and in the middle run
    straight to the wall at x = 4 m, in (4 - x0) / 0.5 s, sampling the uniform 21 degrees
    all the way, the last cell too."""
    grid = Grid(nx=8, ny=5, nz=1, dx=0.5, dz=3.0)
    air = field(grid, lambda X, Y, Z: 0.5 + 0 * X, zero, zero, lambda X, Y, Z: 21.0 + 0 * X)
    seeds = np.array([[1.0, 2.4, 1.5], [0.2, 1.2, 0.4]])
    lines = sl.trace(air, seeds)
    assert lines.end.tolist() == [sl.END_WALL] * 2
    np.testing.assert_allclose(lines.length_m(), 4.0 - seeds[:, 0], atol=1e-5)
    np.testing.assert_allclose(lines.ends()[:, 1:], seeds[:, 1:], atol=1e-12)
    np.testing.assert_allclose(lines.time_s[lines.offsets[1:] - 1], (4.0 - seeds[:, 0]) / 0.5,
                               rtol=1e-6)
    np.testing.assert_allclose(lines.temperature_c, 21.0, atol=1e-12)
