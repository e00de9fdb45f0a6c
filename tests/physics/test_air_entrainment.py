"""Row-end entrainment (twin/physics/air/entrainment.py): detection and effect."""

from dataclasses import replace

import numpy as np
import pytest

from twin.physics.air import AirSolver
from twin.physics.air.devices import build_devices
from twin.physics.air.entrainment import (NEIGHBOUR_SHARE, ROW_FLOW_RANGE_M3S_PER_M, ROW_FLOW_REF_M3S_PER_M,
                                         ROW_LENGTH_EXPONENT, ROW_LENGTH_REF_M, _region_cells,
                                         entrainment_ports, length_weights, neighbour_weights, row_ends)
from twin.physics.air.rows import row_lengths_m, row_totals
from twin.physics.air.grid import build_geometry, front_vector, make_grid
from twin.physics.air.scene import AirScene, Containment
from twin.physics.air.synthetic import room

from .test_air_row_end_hottest import corner_air_c


def _with(scene, **settings):
    return AirScene(scene.hall, scene.racks, scene.cooling, scene.tiles, scene.containment,
                    replace(scene.settings, **settings))


def test_row_ends_found_from_geometry():
    # two rows of 4 racks facing a 1.2 m aisle, plus a lone rack and a row with a gap
    w, d = 0.6, 1.2
    c = [[1 + w * i, 2.0] for i in range(4)] + [[1 + w * i, 2.0 + d + 1.2] for i in range(4)]
    rot = [180.0] * 4 + [0.0] * 4            # fronts at y 2.6 and 3.8: facing
    c += [[8.0, 8.0]]; rot += [90.0]
    c += [[1 + w * i, 8.0] for i in (0, 1, 3, 4)]; rot += [0.0] * 4    # gap of one slot
    c = np.array(c); n = len(c)
    box, side, aisle = row_ends(c, np.tile([w, d, 2.0], (n, 1)), np.array(rot))
    ends = sorted(zip(box.tolist(), side.tolist()))
    # side is along the rack's width axis: −x at rotation 0, +x at 180
    assert {(0, -1.0), (3, 1.0), (4, 1.0), (7, -1.0)} <= set(ends)
    assert {(8, 1.0), (8, -1.0)} <= set(ends)                   # lone rack: two ends
    assert {(9, 1.0), (10, -1.0), (11, 1.0), (12, -1.0)} <= set(ends)   # the gap opens two ends
    assert len(ends) == 10
    assert np.allclose(aisle[box < 8], 1.2)


def test_balanced_open_aisle_heat_lands_on_end_racks_energy_closes():
    sc = room(10, supply_ratio=1.0)          # rows of five: the full share (length_weights)
    off = AirSolver().solve(_with(sc, row_end_entrainment=0.0))
    on = AirSolver().solve(sc)
    ends, mid = [0, 4, 5, 9], [2, 7]
    gap_on = on.rack_inlet_mean_c[ends].mean() - on.rack_inlet_mean_c[mid].mean()
    gap_off = off.rack_inlet_mean_c[ends].mean() - off.rack_inlet_mean_c[mid].mean()
    assert gap_on > gap_off + 2.0
    assert abs(on.residual_pct) < 1e-3
    # hottest inlet of an entraining rack: the peak over its hottest mixture layer (1.4 x
    # the layer's excess over its mean) or its mean plus 0.67 of its own rise (the wrapped
    # exhaust at its open edge), never above its own exhaust; an end rack's edge also
    # takes its corner air unmixed (cooler here than the wrapped exhaust)
    def rule(racks, share):
        t_in, t_out = on.rack_inlet_mean_c[racks], on.rack_exhaust_c[racks]
        layer = np.nanmax(on.rack_inlet_profile_c[racks], axis=1)
        return np.maximum(t_in + 1.4 * (layer - t_in), t_in + share * (t_out - t_in))
    corner = corner_air_c(sc, on)
    assert sorted(corner) == ends and all(corner[b] < rule([b], 0.67)[0] for b in ends)
    assert np.allclose(on.rack_inlet_max_c[ends], rule(ends, 0.67), atol=1e-9)
    assert np.all(on.rack_inlet_max_c[ends] < on.rack_exhaust_c[ends])
    # the wrap's hot streak reaches the inward neighbour's near edge along the top (CFD:
    # 0.02-0.9 of its rise above its mean there, upper quartile 0.64): it takes the rule with 0.65,
    # the mid-row racks do not
    nbs, mids = [1, 3, 6, 8], [2, 7]
    assert np.allclose(on.rack_inlet_max_c[nbs], rule(nbs, 0.65), atol=1e-9)
    assert np.all(on.rack_inlet_max_c[nbs] < on.rack_inlet_max_c[ends].min() - 2.0)
    t_mid = on.rack_inlet_mean_c[mids]
    assert np.all(on.rack_inlet_max_c[mids] < t_mid + 0.65 * (on.rack_exhaust_c[mids] - t_mid) - 1.0)
    # and its mean: a tenth of the end's entrainment, above the mid-row racks'
    assert np.all(on.rack_inlet_mean_c[nbs] > on.rack_inlet_mean_c[mids].max())


def test_end_doors_stop_entrainment_open_ends_do_not():
    sc = room(20, supply_ratio=1.0)
    g = make_grid(sc.hall, sc.settings)
    r = sc.racks
    front = r.center_xy_m[:, 1]
    ys = np.unique(np.round(front, 3))
    x0 = r.center_xy_m[:, 0].min() - 0.3; x1 = r.center_xy_m[:, 0].max() + 0.3
    rect = [[x0, ys[0] + 0.6, x1, ys[-1] - 0.6]]
    for doors, expect in ((True, 0), (False, 4)):
        cont = Containment(rect, ("cold_aisle",), [2.0], [True], [doors])
        s2 = AirScene(sc.hall, r, sc.cooling, sc.tiles, cont, sc.settings)
        geom = build_geometry(s2, g)
        _e = entrainment_ports(s2, geom).ends()
        box = _e.rack
        assert len(box) == expect
        dev = build_devices(s2, geom)
        assert np.allclose(np.asarray(dev.intake.sum(axis=1)).ravel(), dev.airflow_m3s)


def test_region_cells_samples_the_free_cells_of_each_box():
    """The round-the-corner region of an end is sampled in a local box: a 0.6 x 0.6 m box
    one layer high whose corner sits on cell edges in free air of the 0.3 m grid covers
    exactly 2 x 2 cells of the floor layer; no boxes (no open end) give no cells."""
    sc = room(20)
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    g = geom.grid
    assert g.dx == pytest.approx(0.3)
    one = np.ones(1)
    own, cell = _region_cells(geom, np.array([[0.9, 0.3]]), np.array([[1.0, 0.0]]),
                              np.array([[0.0, 1.0]]), 0 * one, 0.6 * one, 0 * one, 0.6 * one,
                              g.dz * one, None)
    expect = [(0 * g.ny + j) * g.nx + i for j in (1, 2) for i in (3, 4)]
    assert own.tolist() == [0] * 4 and sorted(cell.tolist()) == sorted(expect)
    none = np.zeros(0)
    own, cell = _region_cells(geom, np.zeros((0, 2)), np.zeros((0, 2)), np.zeros((0, 2)),
                              none, none, none, none, none, None)
    assert own.shape == (0,) and cell.shape == (0,)
    assert own.dtype.kind == "i" and cell.dtype.kind == "i"


def test_aisle_width_is_the_gap_to_the_facing_row_not_the_lone_row_default():
    # rows of three facing across a 1.8 m aisle (the back row offset 0.25 m along the row,
    # still overlapping), and a lone rack far away with nothing facing it: 1.2 m default
    w, d = 0.6, 1.2
    c = [[1 + w * i, 2.0] for i in range(3)] + [[1.25 + w * i, 2.0 + d + 1.8] for i in range(3)]
    rot = [180.0] * 3 + [0.0] * 3          # fronts at y 2.6 and 4.4
    c += [[12.0, 2.0]]; rot += [180.0]
    c = np.array(c)
    box, side, aisle = row_ends(c, np.tile([w, d, 2.0], (len(c), 1)), np.array(rot))
    assert sorted(box.tolist()) == [0, 2, 3, 5, 6, 6]
    assert np.allclose(aisle[box < 6], 1.8)
    assert np.allclose(aisle[box == 6], 1.2)


def test_row_ends_of_no_members_are_empty():
    # members=0: the boxes only count as neighbours, so there is no end to return
    c = np.array([[1.0, 2.0], [1.6, 2.0]])
    box, side, aisle = row_ends(c, np.tile([0.6, 1.2, 2.0], (2, 1)), np.zeros(2), 0)
    assert len(box) == len(side) == len(aisle) == 0


def test_entrainment_weights_span_all_cells_of_the_grid():
    # the 10-rack room has two rows of 5 with two open ends each -> 4 ends; the weight
    # matrix is (ends x cells of the grid) and each row sums to 1 (documented shape)
    sc = room(10)
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    _e = entrainment_ports(sc, geom).ends()
    box, w = _e.rack, _e.corner
    assert len(box) == 4
    assert w.shape == (4, geom.grid.n)
    assert np.asarray(w.sum(axis=1)).ravel() == pytest.approx(np.ones(4))


def _inrow_row(cooler_slots, n_slots=7, cooler_w=0.6):
    """One row of 0.6 m racks (rotation 0, fronts at y 2.4) in a 7 × 6 m slab-floor room,
    with in-row coolers ``cooler_w`` wide in ``cooler_slots``; returns the scene and the
    rack x."""
    from twin.physics.air.scene import CoolingUnits, Hall, Racks
    x, racks, units = 0.9, [], []
    for k in range(n_slots):
        wdt = cooler_w if k in cooler_slots else 0.6
        (units if k in cooler_slots else racks).append(x + wdt / 2)
        x += wdt
    n, m = len(racks), len(units)
    rk = Racks(np.stack([racks, np.full(n, 3.0)], 1), np.tile([0.6, 1.2, 2.0], (n, 1)), np.zeros(n),
               np.full(n, 0.8), np.full(n, 10e3))
    cu = CoolingUnits(("inrow",) * m, np.stack([units, np.full(m, 3.0)], 1),
                      np.tile([cooler_w, 1.2, 2.0], (m, 1)), np.zeros(m), np.full(m, 0.8 * n / m),
                      np.full(m, 30e3), np.full(m, 20.0))
    return AirScene(Hall(7.0, 6.0, 3.0, raised_floor=False), rk, cu), np.array(racks)


def test_an_end_cooler_leaves_the_rack_beside_it_open_a_mid_row_cooler_does_not():
    """[C R R C R R C]: the coolers at both ends blow across the aisle and do not shelter
    the racks beside them (those entrain); the middle cooler is a row member."""
    sc, xs = _inrow_row({0, 3, 6})
    _e = entrainment_ports(sc, build_geometry(sc, make_grid(sc.hall, sc.settings))).ends()
    box, weights = _e.rack, _e.corner
    assert sorted(box.tolist()) == [0, 3]                 # the first and last rack
    assert weights.shape[0] == 2
    # no cooler at the ends: the end racks entrain as before, the mid cooler opens nothing
    sc2, _ = _inrow_row({3})
    _e = entrainment_ports(sc2, build_geometry(sc2, make_grid(sc2.hall, sc2.settings))).ends()
    box2 = _e.rack
    assert sorted(box2.tolist()) == [0, 5]
    # and a rack between two coolers mid-row stays closed on both sides
    sc3, _ = _inrow_row({0, 2, 4, 6})
    _e = entrainment_ports(sc3, build_geometry(sc3, make_grid(sc3.hall, sc3.settings))).ends()
    box3 = _e.rack
    assert sorted(box3.tolist()) == [0, 2]
    # two coolers side by side at one end: only the outer one is transparent, the inner
    # one ends the row there; the other end (a rack) is open
    sc4, _ = _inrow_row({0, 1}, n_slots=5)
    _e = entrainment_ports(sc4, build_geometry(sc4, make_grid(sc4.hall, sc4.settings))).ends()
    box4 = _e.rack
    assert box4.tolist() == [2]


def test_a_stopped_cooler_mid_row_opens_the_row_to_its_neighbours():
    """A disabled in-row cooler moves no air: hot-aisle air comes back through it, so the
    racks on both sides of it breathe round it like at a gap; running, it is a row member."""
    sc, _ = _inrow_row({3})
    stopped = replace(sc.cooling, enabled=np.array([False]))
    sc_off = AirScene(sc.hall, sc.racks, stopped, sc.tiles, sc.containment, sc.settings)
    geom = build_geometry(sc_off, make_grid(sc_off.hall, sc_off.settings))
    _e = entrainment_ports(sc_off, geom).ends()
    box = _e.rack
    assert sorted(box.tolist()) == [0, 2, 3, 5]


def test_the_corner_region_never_reaches_into_a_containment_volume():
    """A cold aisle contained with a roof but no end doors, its rectangle running 0.9 m
    past the rows' ends: the end racks entrain, but only from cells outside it."""
    sc = room(20, supply_ratio=1.0)
    g = make_grid(sc.hall, sc.settings)
    r = sc.racks
    ys = np.unique(np.round(r.center_xy_m[:, 1], 3))
    x0 = r.center_xy_m[:, 0].min() - 0.3 - 0.9
    x1 = r.center_xy_m[:, 0].max() + 0.3 + 0.9
    rect = np.array([[x0, ys[0] + 0.6, x1, ys[-1] - 0.6]])
    cont = Containment(rect, ("cold_aisle",), [2.0], [True], [False])
    s2 = AirScene(sc.hall, r, sc.cooling, sc.tiles, cont, sc.settings)
    _e = entrainment_ports(s2, build_geometry(s2, g)).ends()
    box, weights = _e.rack, _e.corner
    assert len(box) == 4
    k, j, i = np.unravel_index(weights.indices, g.shape)
    x, y, z = (i + 0.5) * g.dx, (j + 0.5) * g.dx, (k + 0.5) * g.dz
    inside = (x > x0) & (x < x1) & (y > rect[0, 1]) & (y < rect[0, 3]) & (z < 2.0)
    assert not inside.any()
    # without the containment the same ends reach into that volume
    _e = entrainment_ports(sc, build_geometry(sc, g)).ends()
    open_weights = _e.corner
    k, j, i = np.unravel_index(open_weights.indices, g.shape)
    x, y, z = (i + 0.5) * g.dx, (j + 0.5) * g.dx, (k + 0.5) * g.dz
    assert ((x > x0) & (x < x1) & (y > rect[0, 1]) & (y < rect[0, 3]) & (z < 2.0)).any()


def test_each_end_racks_inward_neighbour_draws_a_tenth_of_its_share_from_the_same_corner():
    """room(10): two rows of five, four open ends. Each end rack's inward neighbour (the
    second rack) is a port too, weighted NEIGHBOUR_SHARE, with its end's corner cells; a
    row of two racks makes each rack the other's neighbour; an in-row cooler next to an
    end rack is no neighbour (it draws nothing from the room)."""
    sc = room(10)
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    p = entrainment_ports(sc, geom)
    ends = p.ends()
    assert len(ends) == 4 and len(p) == 8
    # the end racks' own ports, whole: weight 1, their end's closure, flagged as ends
    assert np.array_equal(ends.rack, p.rack[p.is_end]) and np.all(ends.weight == 1.0)
    assert np.array_equal(ends.closed, p.closed[p.is_end]) and ends.closed.all()
    assert ends.is_end.dtype == bool and ends.is_end.all() and len(ends.is_end) == 4
    nb = ~p.is_end
    assert np.allclose(p.weight[nb], NEIGHBOUR_SHARE) and np.all(p.weight[p.is_end] == 1.0)
    x = sc.racks.center_xy_m[:, 0]
    # the neighbour of each end is the rack one slot (0.6 m) inward, in the same row
    assert np.allclose(np.abs(x[p.rack[nb]] - x[ends.rack]), 0.6)
    assert np.allclose(sc.racks.center_xy_m[p.rack[nb], 1], sc.racks.center_xy_m[ends.rack, 1])
    assert (p.corner[np.flatnonzero(nb)] != ends.corner).nnz == 0          # the same corner
    # devices: the neighbour draws n·s of its air there, the end s, the rest from its face
    dev = build_devices(sc, geom)
    s = sc.settings.row_end_entrainment
    assert np.allclose(dev.entrained[ends.rack], s)
    assert np.allclose(dev.entrained[p.rack[nb]], NEIGHBOUR_SHARE * s)
    mid = np.setdiff1d(np.arange(sc.racks.n), p.rack)
    assert np.allclose(dev.entrained[mid], 0.0)
    assert np.allclose(np.asarray(dev.intake.sum(axis=1)).ravel(), dev.airflow_m3s)
    # [C R R C R R C]: the end racks (0 and 3) are the racks beside the end coolers; their
    # inward neighbours are the racks beside the middle cooler (1 and 2)
    sc2, _ = _inrow_row({0, 3, 6})
    p2 = entrainment_ports(sc2, build_geometry(sc2, make_grid(sc2.hall, sc2.settings)))
    assert sorted(p2.ends().rack.tolist()) == [0, 3]
    assert sorted(p2.rack[~p2.is_end].tolist()) == [1, 2]
    # [R C R]: the racks' inward neighbour is the cooler: no neighbour port
    sc3, _ = _inrow_row({1}, n_slots=3)
    p3 = entrainment_ports(sc3, build_geometry(sc3, make_grid(sc3.hall, sc3.settings)))
    assert len(p3.ends()) == 2 and len(p3) == 2


# ----- the cells of a row-end corner (entrainment._region_cells) ----------------------------
def test_neighbour_weights_scale_with_the_neighbours_airflow_over_the_end_racks_by_hand():
    """0.1 × V_nb / V_end, at most 1: equal flows 0.1, a 40 kW rack (3.0 m³/s) beside an
    8 kW end (0.6 m³/s) 0.5, beside a 4 kW end (0.3 m³/s) 1 (10 × 0.1, capped), a
    lighter neighbour less than 0.1."""
    q = np.array([0.6, 0.6, 3.0, 0.3, 0.9, 6.0])
    end = np.array([0, 0, 3, 4, 3])
    nb = np.array([1, 2, 2, 1, 5])
    assert np.allclose(neighbour_weights(q, end, nb), [0.1, 0.5, 1.0, 0.6 / 0.9 * 0.1, 1.0])
    assert len(neighbour_weights(q, end[:0], nb[:0])) == 0


def _flows(scene, airflow_m3s):
    """The scene with new rack airflows (same heat)."""
    r = scene.racks
    return replace(scene, racks=replace(r, airflow_m3s=np.asarray(airflow_m3s, float)))


def test_a_stronger_neighbour_draws_more_of_its_air_round_the_corner_a_weaker_less():
    """room(10) at 12 kW a rack with rack 1 (end rack 0's neighbour) at three times rack 0's airflow and
    rack 8 (end rack 9's neighbour) at half of rack 9's: their ports weigh 0.3 and 0.05,
    the devices draw 0.3·s and 0.05·s of their air there, the end racks s, and the ports
    stay flagged by kind (an end rack's port is an end even where a neighbour's weight
    reaches 1)."""
    sc = room(10, rack_air_kw=12.0)     # rows drawing 1.2-1.9 m³/s per m: full shares
    q = sc.racks.airflow_m3s.copy()
    q[1] = 3.0 * q[0]; q[8] = 0.5 * q[9]
    sc = _flows(sc, q)
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    p = entrainment_ports(sc, geom)
    w = dict(zip(p.rack[~p.is_end].tolist(), p.weight[~p.is_end].tolist()))
    assert w[1] == pytest.approx(0.3) and w[8] == pytest.approx(0.05)
    assert w[3] == pytest.approx(0.1) and w[6] == pytest.approx(0.1)
    dev = build_devices(sc, geom)
    s = sc.settings.row_end_entrainment
    assert dev.entrained[1] == pytest.approx(0.3 * s) and dev.entrained[8] == pytest.approx(0.05 * s)
    assert np.allclose(dev.entrained[[0, 4, 5, 9]], s)
    # the corner flow it draws: its share of its own airflow, through the corner cells
    corner = np.asarray(dev.intake[1].toarray()).ravel()[p.corner[list(p.rack).index(1)].indices]
    assert corner.sum() == pytest.approx(0.3 * s * q[1])
    assert np.allclose(np.asarray(dev.intake.sum(axis=1)).ravel(), dev.airflow_m3s)
    # ten times the end rack's flow: the neighbour takes the end rack's full share, and
    # its port is still a neighbour's (the hottest-intake rule and the edge floor tell
    # the two apart by kind, not by weight)
    q[1] = 10.0 * q[0]
    sc10 = _flows(sc, q)
    p10 = entrainment_ports(sc10, build_geometry(sc10, make_grid(sc10.hall, sc10.settings)))
    assert p10.weight[list(p10.rack).index(1)] == 1.0 and not p10.is_end[list(p10.rack).index(1)]
    assert 1 not in p10.ends().rack.tolist() and len(p10.ends()) == 4


def test_a_stronger_neighbour_runs_warmer_and_energy_still_closes():
    """Solved: the neighbour at three times its end rack's airflow (same heat) draws 0.3 of
    the end rack's share round the corner, whose air is more than 3 K above its mean, and
    it runs warmer than its mirror at the end rack's airflow; energy still closes."""
    base = room(10, supply_ratio=1.0)
    q = base.racks.airflow_m3s.copy()
    q[1] = 3.0 * q[0]
    strong = _flows(base, q)
    solved = AirSolver().solve(strong)
    assert abs(solved.residual_pct) < 1e-3
    # the mirrored neighbour (rack 3, beside end rack 4) moves the end rack's airflow
    assert solved.rack_inlet_mean_c[1] > solved.rack_inlet_mean_c[3] + 0.3
    # the warmth is the corner air it draws: its mean is its corner draw's and its face's
    # mixture (0.3·s of it from the corner), above its face's air alone
    t = solved.temperature_c.ravel()
    geom = build_geometry(strong, solved.grid)
    p = entrainment_ports(strong, geom)
    row = p.corner[list(p.rack).index(1)]
    corner_c = float((row @ t)[0])
    assert corner_c > solved.rack_inlet_mean_c[1] + 3.0


def _empty_geometry(cell_m):
    """A 6 x 6 x 3 m room with nothing in it, on cells of ``cell_m`` (0.43 m layers)."""
    from tests.physics.test_air_grid import _empty_scene
    from twin.physics.air.scene import Hall, SolverSettings
    sc = _empty_scene(Hall(6.0, 6.0, 3.0), settings=SolverSettings(cell_m=cell_m))
    return build_geometry(sc, make_grid(sc.hall, sc.settings))


def _cells(geom, origin, ax_u, ax_v, u, v, h, excluded=None):
    one = lambda a: np.array([a], float)
    own, cell = _region_cells(geom, one(origin), one(ax_u), one(ax_v), one(u[0]), one(u[1]),
                              one(v[0]), one(v[1]), one(h), excluded)
    g = geom.grid
    k, rem = np.divmod(cell, g.nx * g.ny)
    j, i = np.divmod(rem, g.nx)
    return sorted(zip(i.tolist(), j.tolist(), k.tolist()))


def test_a_corner_holds_the_cells_whose_centres_lie_in_it_edges_included():
    """1.2 m cells (centres 0.6, 1.8, 3.0, 4.2, 5.4 m), 7 layers of 0.43 m. A box from
    (3.0, 1.8) to (4.2, 3.6) m, 1 m high (2.33 layers: 2): its edges pass through the
    centres of columns 2 and 3 and rows 1 and 2, which it holds, on both sides alike."""
    geom = _empty_geometry(1.2)
    want = sorted((i, j, k) for i in (2, 3) for j in (1, 2) for k in (0, 1))
    assert _cells(geom, (3.0, 3.0), (1, 0), (0, 1), (0.0, 1.2), (-1.2, 0.6), 1.0) == want
    # the same box for a rack turned a quarter turn: u along +y, v along −x, so the world
    # box is x 2.4..4.2 (centres 3.0, 4.2), y 3.0..4.2 (centres 3.0, 4.2)
    turned = sorted((i, j, k) for i in (2, 3) for j in (2, 3) for k in (0, 1))
    assert _cells(geom, (3.0, 3.0), (0, 1), (-1, 0), (0.0, 1.2), (-1.2, 0.6), 1.0) == turned


def test_a_corner_that_reaches_past_the_wall_keeps_the_cells_inside():
    """Boxes reaching 0.9 m past each wall on 1.2 m cells (5 x 5, centres 0.6 .. 5.4 m)
    hold the edge column or row inside (centre 0.6 or 5.4 m) and nothing else: no cell
    from the far side of the grid."""
    geom = _empty_geometry(1.2)
    west = _cells(geom, (0.6, 3.0), (-1, 0), (0, 1), (0.0, 1.5), (-0.6, 0.6), 0.5)
    south = _cells(geom, (3.0, 0.6), (0, -1), (-1, 0), (0.0, 1.5), (-0.6, 0.6), 0.5)
    east = _cells(geom, (5.4, 3.0), (1, 0), (0, 1), (0.0, 1.5), (-0.6, 0.6), 0.5)
    north = _cells(geom, (3.0, 5.4), (0, 1), (1, 0), (0.0, 1.5), (-0.6, 0.6), 0.5)
    assert (west, south, east, north) == ([(0, 2, 0)], [(2, 0, 0)], [(4, 2, 0)], [(2, 4, 0)])


def test_a_corner_spans_at_least_one_layer_at_most_the_room_and_skips_containment():
    """The box (3.0..4.2, 1.8..3.6) m again: a 0.1 m high corner still takes the floor
    layer, one taller than the 3 m room takes its 7 layers and no more, and cells whose
    centres lie inside a containment volume 1.3 m high over x < 3.6 m (layers 0-2, centres
    0.21, 0.64 and 1.07 m) are left out, those above it (from 1.5 m) kept."""
    from twin.physics.air.rows import in_boxes
    geom = _empty_geometry(1.2)
    box = dict(origin=(3.0, 3.0), ax_u=(1, 0), ax_v=(0, 1), u=(0.0, 1.2), v=(-1.2, 0.6))
    cols = [(i, j) for i in (2, 3) for j in (1, 2)]
    assert _cells(geom, h=0.1, **box) == sorted((i, j, 0) for i, j in cols)
    assert _cells(geom, h=4.0, **box) == sorted((i, j, k) for i, j in cols for k in range(7))
    aisle = lambda x, y, z: in_boxes(x, y, z, np.array([[0.0, 0.0, 3.6, 6.0]]), np.array([1.3]))
    got = _cells(geom, h=4.0, excluded=aisle, **box)
    assert got == sorted([(i, j, k) for i, j in cols for k in range(7) if i == 3 or k >= 3])


def test_corners_of_different_heights_and_a_far_edge_through_centres():
    """Two boxes in one call, 1.0 and 2.0 m high (2 and 5 layers of 0.43 m): each keeps its
    own layers. A box whose far edge v1 runs through a row of centres (y 1.8..4.2 m about
    3.0 m: rows 1, 2, 3) holds that row."""
    from twin.physics.air.entrainment import _region_cells
    geom = _empty_geometry(1.2)
    a = lambda *v: np.array(v, float)
    own, cell = _region_cells(geom, a([3.0, 3.0], [3.0, 3.0]), a([1, 0], [1, 0]), a([0, 1], [0, 1]),
                              a(0.0, 0.0), a(0.0, 0.0), a(0.0, 0.0), a(0.0, 0.0), a(1.0, 2.0), None)
    k = cell // (geom.grid.nx * geom.grid.ny)
    assert sorted(k[own == 0].tolist()) == [0, 1] and sorted(k[own == 1].tolist()) == [0, 1, 2, 3, 4]
    rows = {j for _, j, _ in _cells(geom, (3.0, 3.0), (1, 0), (0, 1), (0.0, 0.0), (-1.2, 1.2), 0.4)}
    assert rows == {1, 2, 3}


# ----- longer rows entrain less (entrainment.length_weights) ---------------------------------
def test_row_lengths_run_from_the_first_members_outer_side_to_the_last_ones():
    """By hand: two facing rows of four 0.6 m racks are 2.4 m long each, a lone rack is
    its own width (turned 90°: still its width, along its own width axis), a row with an
    empty slot is two rows of 1.2 m, and a small gap (under half a width) does not break
    a row but counts in its length; rows of turned racks (width along y) measure along y."""
    w, d = 0.6, 1.2
    c = [[1 + w * i, 2.0] for i in range(4)] + [[1 + w * i, 2.0 + d + 1.2] for i in range(4)]
    rot = [180.0] * 4 + [0.0] * 4
    c += [[8.0, 8.0]]; rot += [90.0]
    c += [[1 + w * i, 8.0] for i in (0, 1, 3, 4)]; rot += [0.0] * 4     # an empty slot
    c += [[1.0, 12.0], [1.0 + w + 0.1, 12.0], [1.0 + 2 * w + 0.1, 12.0]]; rot += [0.0] * 3   # 0.1 m gap
    c += [[14.0, 1 + w * i] for i in range(3)]; rot += [90.0] * 3          # along y
    c = np.array(c); n = len(c)
    got = row_lengths_m(c, np.tile([w, d, 2.0], (n, 1)), np.array(rot))
    assert np.allclose(got, [2.4] * 8 + [0.6] + [1.2] * 4 + [1.9] * 3 + [1.8] * 3)
    assert len(row_lengths_m(np.zeros((0, 2)), np.zeros((0, 3)), np.zeros(0))) == 0
    # the same rows' sums of a value per box (box k carries k): each box gets its row's
    value = np.arange(n, dtype=float)
    total = row_totals(c, np.tile([w, d, 2.0], (n, 1)), np.array(rot), value)
    assert np.allclose(total, [6] * 4 + [22] * 4 + [8] + [9 + 10] * 2 + [11 + 12] * 2
                       + [13 + 14 + 15] * 3 + [16 + 17 + 18] * 3)


def test_length_weights_by_hand():
    """(4.2 m · q / 1.5 m³/s per m) / L, never above 1, q held within 1–2 m³/s per m.
    At q = 1.5: rows up to 4.2 m (seven racks) take the full share, 6 m 0.7, 8.4 m a
    half, 16.8 m a quarter.  At q = 1.0 the reference is 2.8 m (5.6 m: a half), at 2.0
    5.6 m (8.4 m: two thirds); below 1.0 it stays 2.8 m, above 2.0 5.6 m."""
    assert ROW_LENGTH_REF_M == 4.2 and ROW_LENGTH_EXPONENT == 1.0
    assert ROW_FLOW_REF_M3S_PER_M == 1.5 and ROW_FLOW_RANGE_M3S_PER_M == (1.0, 2.0)
    length = np.array([0.6, 2.4, 4.2, 6.0, 8.4, 16.8, 2.4, 5.6, 5.6, 8.4, 5.6, 5.6, 11.2])
    q = np.array([1.5] * 6 + [1.0, 1.0, 2.0, 2.0, 0.5, 3.0, 3.0])
    assert np.allclose(length_weights(length, q),
                       [1.0, 1.0, 1.0, 0.7, 0.5, 0.25, 1.0, 0.5, 1.0, 2 / 3, 0.5, 1.0, 0.5])


@pytest.mark.parametrize("n, rack_kw, weight", [(10, 10.0, 1.0), (20, 12.875, 0.7), (20, 10.0, 0.543695),
                                                (32, 12.875, 4.2 / 9.6), (32, 10.0, 0.339809)])
def test_end_racks_of_longer_rows_draw_less_round_the_corner(n, rack_kw, weight):
    """room(n): two rows of n/2 0.6 m racks (3.0, 6.0 and 9.6 m).  At 12.875 kW a rack
    moves 0.9 m³/s (12 K rise), 1.5 m³/s per metre of row, the reference: the weights are
    4.2 / L.  At 10 kW it moves 0.699 m³/s, 1.165 per metre: the reference length is
    4.2 · 1.165 / 1.5 = 3.262 m, and a 3.0 m row still takes the full share.  The end
    racks draw weight·s of their air round the corner and their inward neighbours
    0.1·weight·s; every rack still draws its whole airflow."""
    sc = room(n, rack_air_kw=rack_kw)
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    p = entrainment_ports(sc, geom)
    assert len(p.ends()) == 4
    assert np.allclose(p.weight[p.is_end], weight, rtol=1e-4)
    assert np.allclose(p.weight[~p.is_end], NEIGHBOUR_SHARE * weight, rtol=1e-4)
    dev = build_devices(sc, geom)
    s = sc.settings.row_end_entrainment
    assert np.allclose(dev.entrained[p.ends().rack], weight * s, rtol=1e-4)
    assert np.allclose(dev.entrained[p.rack[~p.is_end]], NEIGHBOUR_SHARE * weight * s, rtol=1e-4)
    assert np.allclose(np.asarray(dev.intake.sum(axis=1)).ravel(), dev.airflow_m3s)


def _corner_reach_m(sc, port_rows):
    """Per end port of ``sc`` (rows ``port_rows`` of its ports), the nearest and furthest
    corner cell centre along the rack's front vector from its centre."""
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    p = entrainment_ports(sc, geom)
    g = geom.grid
    out = []
    for k in port_rows:
        _, j, i = np.unravel_index(p.corner[k].indices, g.shape)
        xy = np.stack([(i + 0.5) * g.dx, (j + 0.5) * g.dx], 1) - sc.racks.center_xy_m[p.rack[k]]
        v = xy @ front_vector(sc.racks.rotation_deg[p.rack[k]:p.rack[k] + 1])[0]
        out.append((v.min(), v.max()))
    return p, np.array(out)


def test_where_the_surplus_rises_between_facing_rows_the_end_draws_beside_itself():
    """room(10) (rows of five, racks 1.2 m deep, aisle 1.2 m, 0.3 m cells) with its CRAHs
    behind the south row (y 1.0 m): every end's surplus rises as a column
    (rows.surplus_rises), the half aisle in front of each end is closed to the ceiling and
    the air across it beyond the end is a dead pocket that the twin keeps near supply (the
    CFD has exhaust there from floor to ceiling): each end rack's corner cells reach from
    0.3 m behind its back (cell centres from −0.75 m) to its front face (to +0.45 m), not
    into the aisle.  Built with the units on the aisle's line they reach the aisle middle
    (+1.05 m).  With the north row turned away (no row faces the south row: a single
    row's aisle is open on its far side) the south row's ends reach the aisle middle too."""
    base = room(10, supply_ratio=1.0)
    behind = replace(base, cooling=replace(base.cooling, center_xy_m=np.array([[0.5, 1.0], [7.3, 1.0]])))
    p, reach = _corner_reach_m(behind, range(4))
    assert len(p.ends()) == 4 and np.allclose(reach, [[-0.75, 0.45]] * 4)
    p, reach = _corner_reach_m(base, range(4))
    assert np.allclose(reach, [[-0.75, 1.05]] * 4)
    rot = behind.racks.rotation_deg.copy()
    rot[5:] = rot[0]
    turned = replace(behind, racks=replace(behind.racks, rotation_deg=rot))
    p, reach = _corner_reach_m(turned, range(len(p)))
    south = np.flatnonzero(p.is_end & (p.rack < 5))
    assert len(south) == 2 and np.allclose(reach[south], [[-0.75, 1.05]] * 2)


def test_drawing_beside_itself_warms_the_end_racks_and_energy_closes(monkeypatch):
    """Solved, room(10) with its CRAHs behind the south row: the north row's end racks draw
    warmer air beside themselves than the pocket across the closed half aisle holds, so
    their mean inlets are warmer (by more than 0.2 K) than with the pocket in their
    corner; the south row's, whose pocket the units' return sweeps with exhaust, move by
    under 0.1 K, mid-row racks by under 0.03 K; energy closes in both."""
    base = room(10, supply_ratio=1.0)
    sc = replace(base, cooling=replace(base.cooling, center_xy_m=np.array([[0.5, 1.0], [7.3, 1.0]])))

    def inlets():
        res = AirSolver().solve(sc)
        assert abs(res.residual_pct) < 1e-3
        return res.rack_inlet_mean_c
    beside = inlets()
    monkeypatch.setattr("twin.physics.air.entrainment.surplus_rises", lambda *a: np.zeros(len(a[1]), bool))
    pocket = inlets()
    assert np.all(beside[[5, 9]] > pocket[[5, 9]] + 0.2)
    assert np.all(np.abs(beside[[0, 4]] - pocket[[0, 4]]) < 0.1)
    assert np.all(np.abs(beside[[2, 7]] - pocket[[2, 7]]) < 0.03)


def test_a_row_that_draws_more_per_metre_entrains_more_solved(monkeypatch):
    """Rows of ten (6.0 m) at 10 and 14 kW a rack (1.165 and 1.631 m³/s per metre of row,
    12 K rise): the end racks' rise over mid-row, per kelvin of rack rise, is larger in
    the rows that draw more (0.54 against 0.76 of the share round the corner); with the
    reference length fixed (the draw's scaling off) the two are within a quarter of
    that difference; energy closes in both."""
    def rise(kw):
        res = AirSolver().solve(room(20, supply_ratio=1.0, rack_air_kw=kw))
        assert abs(res.residual_pct) < 1e-3
        t = res.rack_inlet_mean_c
        return (t[[0, 9, 10, 19]].mean() - t[[4, 5, 14, 15]].mean()) / 12.0
    on = rise(14.0) - rise(10.0)
    monkeypatch.setattr("twin.physics.air.entrainment.ROW_FLOW_RANGE_M3S_PER_M", (1.5, 1.5))
    off = rise(14.0) - rise(10.0)
    assert on > 0.02 and abs(off) < 0.25 * on


def test_solved_row_ends_cool_as_the_rows_lengthen_energy_closes(monkeypatch):
    """Balanced open aisles with rows of 5, 10 and 16: the end racks' rise over mid-row
    falls with the row's length (CFD library: 24.2, 22.6, 20.7 °C at the ends), where
    with the length weighting off it does not (the rows of sixteen's ends are as warm as
    the rows of ten's); energy closes."""
    def rises():
        out = []
        for n in (10, 20, 32):
            res = AirSolver().solve(room(n, supply_ratio=1.0))
            t, k = res.rack_inlet_mean_c, n // 2
            assert abs(res.residual_pct) < 1e-3
            out.append(t[[0, k - 1, k, n - 1]].mean() - t[[k // 2, k + k // 2]].mean())
        return out
    on = rises()
    assert on[0] > on[1] + 1.0 > on[2] + 2.0
    monkeypatch.setattr("twin.physics.air.entrainment.ROW_LENGTH_EXPONENT", 0.0)
    off = rises()
    assert off[0] == pytest.approx(on[0], abs=1e-4)           # rows of five: untouched
    assert off[2] > off[0] - 0.5 and off[2] > on[2] + 2.5
