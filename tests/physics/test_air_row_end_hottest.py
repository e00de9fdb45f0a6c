"""Row-end terms of the air model (twin/physics/air/entrainment.py): the hottest intake
of an end rack at an open row end, and where a ceiling-return hall's end racks draw
their wrapped air from."""

from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from twin.physics.air import AirSolver
from twin.physics.air.devices import build_devices, corner_layers
from twin.physics.air.entrainment import entrainment_ports, exhaust_sealed
from twin.physics.air.hottest import intake_peak_c, neighbour_max_c, rack_hottest_c, row_end_hottest_c
from twin.physics.air.grid import build_geometry, front_vector, make_grid
from twin.physics.air.scene import AirScene, Containment
from twin.physics.air.synthetic import room

ENDS, MID = [0, 9, 10, 19], [4, 5, 14, 15]        # room(20): rows of ten, ends and middles


def _scene(sc, containment=None, **settings):
    return AirScene(sc.hall, sc.racks, sc.cooling, sc.tiles,
                    sc.containment if containment is None else containment,
                    replace(sc.settings, **settings))


def corner_air_c(scene, result):
    """{end rack: its hottest layer of the corner air its open edge entrains (each
    layer's cells averaged with their weights)}, from the ports and the solved field."""
    g = result.grid
    ports = entrainment_ports(scene, build_geometry(scene, g)).ends()
    t = np.asarray(result.temperature_c, float).ravel()
    out = {}
    for k, b in enumerate(ports.rack):
        row = ports.corner[k]
        layer = row.indices // (g.nx * g.ny)
        means = [np.average(t[row.indices[layer == z]], weights=row.data[layer == z])
                 for z in np.unique(layer)]
        out[int(b)] = max(out.get(int(b), -np.inf), max(means))
    return out


def test_corner_layers_by_hand():
    """Two corner rows over a grid of 4 cells a layer: row 0 (rack 7) has cells 1, 2 in
    layer 0 (weights 0.2, 0.2) and 5 in layer 1 (0.6); row 1 (rack 3) cell 9 (layer 2)
    alone. Each layer's part is renormalised: (7, {1: .5, 2: .5}), (7, {5: 1}),
    (3, {9: 1})."""
    corner = sp.csr_matrix(([0.2, 0.2, 0.6, 1.0], ([0, 0, 0, 1], [1, 2, 5, 9])), shape=(2, 12))
    rack, parts = corner_layers(np.array([7, 3]), corner, 4)
    assert rack.tolist() == [7, 7, 3]
    assert np.allclose(parts.toarray()[0, [1, 2]], 0.5) and parts[0].nnz == 2
    assert parts[1, 5] == 1.0 and parts[1].nnz == 1
    assert parts[2, 9] == 1.0 and parts[2].nnz == 1
    assert np.allclose(parts @ np.arange(12.0), [1.5, 5.0, 9.0])


def test_ceiling_return_end_edge_takes_its_corner_air():
    """With a ceiling return the air round a row end is exhaust from floor to ceiling, so
    the end rack's open edge sees it unmixed: its hottest intake is the corner air's mean,
    above its mean plus 0.67 of its rise and above the peak of its mixture; the inward
    neighbours (who draw from the same corner, 0.1 of the share) keep the share rule."""
    sc = room(12, supply_ratio=0.8, ceiling_return=True)
    res = AirSolver().solve(sc)
    corner = corner_air_c(sc, res)
    ends = [0, 5, 6, 11]
    assert sorted(corner) == ends
    t_in, t_out = res.rack_inlet_mean_c, res.rack_exhaust_c
    layer = np.nanmax(res.rack_inlet_profile_c, axis=1)
    share = t_in + 0.67 * (t_out - t_in)
    peak = t_in + 1.4 * (layer - t_in)
    for b in ends:
        assert corner[b] > max(share[b], peak[b]) + 0.2
        assert res.rack_inlet_max_c[b] == pytest.approx(corner[b], abs=1e-9)
        assert corner[b] < t_out[b]
    nbs = [1, 4, 7, 10]
    assert np.allclose(res.rack_inlet_max_c[nbs],
                       np.maximum(peak[nbs], t_in[nbs] + 0.65 * (t_out[nbs] - t_in[nbs])), atol=1e-9)


def test_hottest_by_hand():
    # mean 22 °C, exhaust 33 °C (11 K own rise), share 0.7: 22 + 0.7 × 11 = 29.7 °C,
    # hotter than the mixture's peak (26 °C)
    out = row_end_hottest_c(np.array([26.0, 31.0, 24.0]), np.array([22.0, 22.0, 22.0]),
                            np.array([33.0, 33.0, 18.0]), np.array([0.7, 0.7, 0.7]))
    # second: the peak (31 °C) is already hotter than 29.7 °C and stays;
    # third: a rear door cooled the exhaust to 18 °C, below the mean: nothing hot wraps
    assert np.allclose(out, [29.7, 31.0, 24.0])
    # a door-cooled exhaust adds nothing even where the peak is barely above the mean
    assert np.allclose(row_end_hottest_c(np.array([22.2]), np.array([22.0]), np.array([18.0]),
                                         np.array([0.7])), [22.2])
    # a share of 0 (exhaust sealed) leaves the peak
    assert np.allclose(row_end_hottest_c(np.array([26.0]), np.array([22.0]), np.array([33.0]),
                                         np.array([0.0])), [26.0])


def test_peak_factor_by_hand():
    # hottest cell 24 °C over a 20 °C mean, factor 1.5: 20 + 1.5 × 4 = 26 °C; a uniform
    # face (cell = mean) stays at its mean; factor 1 is the cell itself
    assert np.allclose(intake_peak_c(np.array([24.0, 19.0]), np.array([20.0, 19.0]), 1.5), [26.0, 19.0])
    assert np.allclose(intake_peak_c(np.array([24.0]), np.array([20.0]), 1.0), [24.0])
    # rack_hottest_c: rack 0 does not entrain (its cell, 24 °C, decides: 26 °C; its layer is
    # ignored); rack 1 entrains: the peak of its layer (21 -> 20 + 1.5 = 21.5 °C) against
    # 20 + 0.5 × (31 − 20) = 25.5 °C; rack 2 entrains with a hot layer (27 -> 30.5 °C) that
    # beats 20 + 0.5 × 11 = 25.5 °C (its corner cells, 40 °C, are not on its face)
    out = rack_hottest_c(np.array([24.0, 35.0, 40.0]), np.array([np.nan, 21.0, 27.0]),
                         np.full(3, 20.0), np.full(3, 31.0), np.array([0.0, 0.5, 0.5]),
                         np.array([False, True, True]), 1.5)
    assert np.allclose(out, [26.0, 25.5, 30.5])
    # the edges' air (what an open or door-side edge takes beside it) is a floor for any
    # rack: 27 °C lifts rack 1 (25.5) but not rack 2 (30.5); rack 0 (not entraining, a
    # door-end rack) is lifted from 26 to 28; −inf leaves a rack as it is
    out = rack_hottest_c(np.array([24.0, 35.0, 40.0, 24.0]), np.array([np.nan, 21.0, 27.0, np.nan]),
                         np.full(4, 20.0), np.full(4, 31.0), np.array([0.0, 0.5, 0.5, 0.0]),
                         np.array([False, True, True, False]), 1.5, None,
                         np.array([28.0, 27.0, 27.0, -np.inf]))
    assert np.allclose(out, [28.0, 27.0, 30.5, 26.0])


def test_peak_factor_scales_every_racks_excess_over_its_mean():
    # a starved aisle: mid-row faces are hot at the top. Factor 1 reports the hottest
    # intake cell; 1.1 puts every non-entraining rack 1.1 times as far above its mean
    # (below the air over the row, so the bound of test_the_peak_stops_at_the_hottest_
    # air_beside_the_cell does not act), and the setting reaches a solve that reuses the flow
    sc = room(20, supply_ratio=0.75)
    solver = AirSolver()
    one = solver.solve(_scene(sc, inlet_peak_factor=1.0))
    res = solver.solve(_scene(sc, inlet_peak_factor=1.1))
    assert np.allclose(res.rack_inlet_mean_c, one.rack_inlet_mean_c)
    excess = one.rack_inlet_max_c[MID] - one.rack_inlet_mean_c[MID]
    assert excess.min() > 1.0
    assert np.allclose(res.rack_inlet_max_c[MID], res.rack_inlet_mean_c[MID] + 1.1 * excess)


def test_neighbour_max_by_hand():
    """A 2 x 2 x 3 (z, y, x) field: the hottest of a cell and its air neighbours through
    open or leaking faces; closed faces, solid cells and the grid's edge do not count."""
    f = np.array([[[20.0, 25.0, 40.0],
                   [21.0, np.nan, 22.0]],
                  [[30.0, 23.0, 24.0],
                   [26.0, 35.0, 28.0]]])
    ox = np.ones((2, 2, 4)); oy = np.ones((2, 3, 3)); oz = np.ones((3, 2, 3))
    ox[0, 0, 2] = 0.0          # between (0,0,1) and (0,0,2): closed, so 40 does not reach
    oz[1, 0, 0] = 0.03         # between (0,0,0) and (1,0,0): a leaking panel still passes
    cells = np.ravel_multi_index(([0, 0, 0, 1, 1], [0, 0, 1, 1, 0], [0, 1, 0, 1, 1]), f.shape)
    # (0,0,0): itself 20, x+ 25, y+ 21, z+ 30 (leaking) -> 30
    # (0,0,1): itself 25, x- 20, x+ closed, y+ solid, z+ 23 -> 25
    # (0,1,0): itself 21, x+ solid, y- 20, z+ 26 -> 26
    # (1,1,1): itself 35, x- 26, x+ 28, y- 23, z- solid -> 35
    # (1,0,1): itself 23, x- 30, x+ 24, y+ 35, z- 25 -> 35 (only through its y face)
    assert np.allclose(neighbour_max_c(f, ox, oy, oz, cells), [30.0, 25.0, 26.0, 35.0, 35.0])
    # rows of four cells along x, every face open (the walls too): only the next cell
    # counts, not the one beyond it, nor one wrapped round from the other end
    for values, expect in (([10.0, 30.0, 20.0, 25.0], [30.0, 30.0, 30.0, 25.0]),
                           ([20.0, 10.0, 5.0, 40.0], [20.0, 20.0, 40.0, 40.0])):
        row = np.array([[values]])
        out = neighbour_max_c(row, np.ones((1, 1, 5)), np.ones((1, 2, 4)), np.ones((2, 1, 4)),
                              np.arange(4))
        assert np.allclose(out, expect), values


def test_the_peak_stops_at_the_hottest_air_beside_the_cell():
    """The peak factor extrapolates a sub-cell hot edge from the hottest cell; that edge
    is air from a hotter neighbour, so the peak never passes the hottest neighbour (and
    never falls below the cell itself)."""
    # rack 0: 20 + 1.5 x 4 = 26 is above its bound 25 -> 25; rack 1: bound 23 is below
    # its own cell 24 -> 24; rack 2: the bound (30) is above the peak -> 26; rack 3
    # entrains: its layer peak 21.5 capped at 21.2, then the wrapped exhaust 25.5 decides
    out = rack_hottest_c(np.array([24.0, 24.0, 24.0, 35.0]), np.array([np.nan] * 3 + [21.0]),
                         np.full(4, 20.0), np.full(4, 31.0), np.array([0.0, 0.0, 0.0, 0.5]),
                         np.array([False, False, False, True]), 1.5,
                         np.array([25.0, 23.0, 30.0, 21.2]))
    assert np.allclose(out, [25.0, 24.0, 26.0, 25.5])
    # a starved roofed cold aisle (tiles at 75 %) takes room air in through its roof into
    # its top layer: with a peak factor of 2 the mid-row racks' peak over that layer would
    # pass every temperature in the hall (39.4 °C against 35.7 °C)
    sc = room(20, supply_ratio=0.75, containment="cold_aisle")
    solver = AirSolver()
    one = solver.solve(_scene(sc, inlet_peak_factor=1.0))
    res = solver.solve(_scene(sc, inlet_peak_factor=2.0))
    hottest_air = np.nanmax(res.temperature_c)
    unbounded = res.rack_inlet_mean_c + 2.0 * (one.rack_inlet_max_c - res.rack_inlet_mean_c)
    assert unbounded[MID].max() > hottest_air + 3.0
    assert res.rack_inlet_max_c.max() <= hottest_air + 1e-9
    assert np.all(res.rack_inlet_max_c >= one.rack_inlet_max_c - 1e-9)


def test_open_row_end_hottest_is_conservative_and_off_behind_end_doors():
    sc = room(20, supply_ratio=1.0)
    res = AirSolver().solve(sc)
    t_in, t_out, t_max = res.rack_inlet_mean_c, res.rack_exhaust_c, res.rack_inlet_max_c
    # the definition, evaluated by hand on the solved figures
    # (rows of ten draw 0.7 of the share round the corner, so the end racks' means sit
    # lower and the corner air their open edges take unmixed is the hotter floor)
    layer = np.nanmax(res.rack_inlet_profile_c[ENDS], axis=1)
    peak = t_in[ENDS] + 1.4 * (layer - t_in[ENDS])
    wrapped = t_in[ENDS] + 0.67 * (t_out[ENDS] - t_in[ENDS])
    corner = corner_air_c(sc, res)
    corner = np.array([corner[b] for b in ENDS])
    assert np.allclose(t_max[ENDS], np.maximum.reduce([peak, wrapped, corner]))
    assert np.all(corner > wrapped + 0.5) and np.all(wrapped > peak + 1.0)
    # direction: the end rack's hottest intake is above its mean and above mid-row's hottest
    assert np.all(t_max[ENDS] >= t_in[ENDS])
    assert t_max[ENDS].min() > t_max[MID].max()
    # end doors on the cold aisle: no entrainment, so no wrapped exhaust at the ends;
    # the hottest intake is again the peak over the hottest intake cell
    closed = AirSolver().solve(room(20, supply_ratio=1.0, containment="cold_aisle"))
    assert closed.rack_inlet_max_c[ENDS].max() < t_max[ENDS].min() - 3.0
    geom = build_geometry(room(20, containment="cold_aisle"), make_grid(sc.hall, sc.settings))
    assert not build_devices(room(20, containment="cold_aisle"), geom).hot_share.any()


def test_sealed_hot_aisle_switches_the_hot_share_off():
    sc = room(20, supply_ratio=1.0)
    r = sc.racks
    south = r.rotation_deg == 180.0                       # fronts +y: backs on the south side
    back_y = (r.center_xy_m[south, 1] - r.size_m[south, 1] / 2).min()
    x0, x1 = r.center_xy_m[:, 0].min() - 0.3, r.center_xy_m[:, 0].max() + 0.3
    for doors in (True, False):
        cont = Containment([[x0, back_y - 1.2, x1, back_y]], ("hot_aisle",), [2.2], [True], [doors])
        s2 = _scene(sc, cont)
        sealed = exhaust_sealed(s2, np.arange(r.n))
        assert np.array_equal(sealed, south & doors)
        dev = build_devices(s2, build_geometry(s2, make_grid(s2.hall, s2.settings)))
        ends = np.flatnonzero(dev.entrained > 0)
        share = np.where(np.isin(ends, ENDS), 0.67, 0.65)       # closed ends (tile-fed)
        expect = np.where(south[ends] & doors, 0.0, share)
        assert np.allclose(dev.hot_share[ends], expect)
        assert not dev.hot_share[dev.entrained == 0].any()
    res = AirSolver().solve(s2)                           # doors=False: both rows wrap
    assert np.all(res.rack_inlet_max_c[ENDS] > np.nanmax(res.rack_inlet_profile_c[ENDS], axis=1))


def test_the_hot_share_is_larger_where_the_aisle_spills_at_its_end():
    """room(20) has closed aisle ends (its CRAHs return from the room): its end racks
    take row_end_hot_share = 0.67, their neighbours row_end_neighbour_hot_share = 0.65.
    Returning through ceiling grilles over the hot aisles only, the aisle spills at its
    ends (rows.closed_ends is empty) and the end racks take row_end_hot_share_open =
    0.85; a grille over the east end zone closes that end alone, so the east end racks
    go back to 0.67. The neighbours keep 0.65 throughout. A lone rack with one closed and one spilling
    end takes the larger."""
    from twin.physics.air.scene import Grilles, Tiles
    sc = room(20, supply_ratio=1.0)

    def shares(scene):
        dev = build_devices(scene, build_geometry(scene, make_grid(scene.hall, scene.settings)))
        on = np.flatnonzero(dev.hot_share > 0)
        return dict(zip(on.tolist(), dev.hot_share[on].round(6).tolist()))
    nbs = [1, 8, 11, 18]
    both = dict.fromkeys(nbs, 0.65)
    assert shares(sc) == dict.fromkeys(ENDS, 0.67) | both
    hot = Grilles(np.array([[5.4, 0.9], [5.4, 6.3]]), np.array([[4.8, 0.6], [4.8, 0.6]]),
                  ("return", "return"))
    ceil = replace(sc.hall, ceiling_return=True)
    grilled = AirScene(ceil, sc.racks, sc.cooling, sc.tiles, sc.containment, sc.settings, hot)
    assert shares(grilled) == dict.fromkeys(ENDS, 0.85) | both
    east = Grilles(np.concatenate([hot.center_xy_m, [[9.3, 3.6]]]),
                   np.concatenate([hot.size_m, [[0.6, 0.6]]]), ("return",) * 3)
    one = AirScene(ceil, sc.racks, sc.cooling, sc.tiles, sc.containment, sc.settings, east)
    west_x = sc.racks.center_xy_m[:, 0] < 5.4
    assert shares(one) == {k: 0.85 if west_x[k] else 0.67 for k in ENDS} | both
    from dataclasses import fields
    lone_racks = replace(sc.racks, **{f.name: getattr(sc.racks, f.name)[:1] for f in fields(sc.racks)
                                      if isinstance(getattr(sc.racks, f.name), np.ndarray)})
    lone = AirScene(ceil, lone_racks, sc.cooling, Tiles(np.array([[2.7, 3.3]]), 0.6, np.full(1, 0.25)),
                    sc.containment, sc.settings,
                    Grilles(np.array([[1.8, 3.3]]), np.array([[0.6, 0.6]]), ("return",)))
    assert shares(lone) == {0: 0.85}


def test_hot_share_setting_reaches_a_reused_flow():
    # a settings-only change keeps the solved flow and must still change the figure
    sc = room(20, supply_ratio=1.0)
    solver = AirSolver()
    a = solver.solve(sc)
    b = solver.solve(_scene(sc, row_end_hot_share=0.3))
    t_in, t_out = b.rack_inlet_mean_c[ENDS], b.rack_exhaust_c[ENDS]
    layer = np.nanmax(b.rack_inlet_profile_c[ENDS], axis=1)
    edge = np.array([corner_air_c(sc, b)[k] for k in ENDS])
    wrapped = np.maximum(layer, t_in + 0.3 * (t_out - t_in))
    assert np.all(edge > wrapped + 1.0)          # at 0.3 the edge's corner air decides
    assert np.allclose(b.rack_inlet_max_c[ENDS], np.maximum(wrapped, edge))
    assert np.allclose(a.rack_inlet_mean_c, b.rack_inlet_mean_c)


def _corner_offsets(scene):
    """Offset of every corner cell from its end rack's centre along the rack's front
    direction (m; negative: behind), and the rack depths."""
    g = make_grid(scene.hall, scene.settings)
    geom = build_geometry(scene, g)
    _e = entrainment_ports(scene, geom).ends()
    box, w = _e.rack, _e.corner
    w = w.tocoo()
    k, rem = np.divmod(w.col, g.nx * g.ny)
    j, i = np.divmod(rem, g.nx)
    xy = np.stack([(i + 0.5) * g.dx, (j + 0.5) * g.dx], 1)
    r = scene.racks
    front = front_vector(r.rotation_deg[box[w.row]])
    return ((xy - r.center_xy_m[box[w.row]]) * front).sum(1), r.size_m[box[w.row], 1]


def test_ceiling_return_end_racks_wrap_from_the_exhaust_side():
    # room return: the corner region reaches from behind the back face into the aisle;
    # ceiling return: only beside the rack's rear half and up to one pitch behind it
    cells = 0.3                                            # room grid: a corner cell's half is 0.15 m
    v, d = _corner_offsets(room(20, supply_ratio=1.0))
    assert v.max() > d[0] / 2 and v.min() < -d[0] / 2
    v, d = _corner_offsets(room(20, supply_ratio=1.0, ceiling_return=True))
    assert v.max() <= cells / 2 + 1e-9
    assert v.min() >= -d[0] / 2 - 0.6 - cells / 2 - 1e-9 and v.min() < -d[0] / 2
    # direction: the exhaust side is hotter than the aisle end, so the end racks run warmer
    # than they would drawing round the aisle's corner, and stay warmer than mid-row
    res = AirSolver().solve(room(20, supply_ratio=1.0, ceiling_return=True))
    assert res.rack_inlet_mean_c[ENDS].min() > res.rack_inlet_mean_c[MID].max() + 2.0


def test_neighbour_share_reaches_a_reused_flow_and_an_end_and_neighbour_takes_the_larger():
    # the neighbours' share is its own setting: 0.3 puts them at the peak over their
    # hottest layer or their mean + 0.3 of their rise, the end racks unchanged (racks
    # drawing 1.5 m³/s per metre of row: 0.7 of the end share, where the rule, not the
    # top edge, decides the neighbours)
    sc = room(20, supply_ratio=1.0, rack_air_kw=12.875)
    solver = AirSolver()
    a = solver.solve(sc)
    b = solver.solve(_scene(sc, row_end_neighbour_hot_share=0.3))
    nbs = [1, 8, 11, 18]
    t_in, t_out = b.rack_inlet_mean_c[nbs], b.rack_exhaust_c[nbs]
    peak = t_in + 1.4 * (np.nanmax(b.rack_inlet_profile_c[nbs], axis=1) - t_in)
    assert np.allclose(b.rack_inlet_max_c[nbs], np.maximum(peak, t_in + 0.3 * (t_out - t_in)))
    assert np.all(b.rack_inlet_max_c[nbs] < a.rack_inlet_max_c[nbs] - 0.5)
    assert np.allclose(b.rack_inlet_max_c[ENDS], a.rack_inlet_max_c[ENDS])
    # rows of two: each rack is an end and the other's neighbour, and takes the end's 0.67
    pair = room(4, supply_ratio=1.0)
    dev = build_devices(pair, build_geometry(pair, make_grid(pair.hall, pair.settings)))
    assert np.allclose(dev.hot_share, 0.67)


def test_power_only_update_reports_the_peak_of_a_fresh_solve():
    # without buoyancy a power-only update is a fresh solve on the same flow: its hottest
    # intake points (peak factor 1.1, not the default; below the bound of
    # test_the_peak_stops_at_the_hottest_air_beside_the_cell) match a fresh solve's to 1e-3 K
    sc = _scene(room(20, supply_ratio=0.75), buoyancy=False, inlet_peak_factor=1.1)
    solver = AirSolver()
    solver.solve(sc)
    heat = sc.racks.air_heat_w * np.linspace(0.6, 1.2, sc.racks.n)
    upd = solver.update_power(heat)
    fresh = AirSolver().solve(AirScene(sc.hall, replace(sc.racks, air_heat_w=heat), sc.cooling,
                                       sc.tiles, sc.containment, sc.settings))
    assert np.allclose(upd.rack_inlet_max_c, fresh.rack_inlet_max_c, atol=1e-3)
    one = AirSolver().solve(AirScene(sc.hall, replace(sc.racks, air_heat_w=heat), sc.cooling,
                                     sc.tiles, sc.containment, replace(sc.settings, inlet_peak_factor=1.0)))
    excess = one.rack_inlet_max_c[MID] - one.rack_inlet_mean_c[MID]
    assert excess.min() > 1.0
    assert np.allclose(upd.rack_inlet_max_c[MID], upd.rack_inlet_mean_c[MID] + 1.1 * excess, atol=1e-3)
