"""Tile jets (docs/physics.md §2.3, twin/physics/air/devices.py): a perforated tile's air is
discharged over the air column above it up to ``tile_jet_height_m``, not only into the
floor cell."""

from dataclasses import replace

import numpy as np

from twin.physics.air import AirScene, AirSolver
from twin.physics.air.devices import _tile_cells, build_devices
from twin.physics.air.grid import build_geometry, make_grid
from twin.physics.air.synthetic import room


def _settings(scene, **kw):
    return AirScene(scene.hall, scene.racks, scene.cooling, scene.tiles, scene.containment,
                    replace(scene.settings, **kw), scene.grilles)


def _cells(scene):
    g = make_grid(scene.hall, scene.settings)
    geom = build_geometry(scene, g)
    own, cells = _tile_cells(scene, geom)
    return g, geom, own, cells


def test_the_jet_column_holds_the_layers_whose_centres_lie_below_the_jet_height():
    sc = room(10)
    for h, layers_of_dz in ((0.0, lambda dz: 1), (0.1, lambda dz: 1),
                            (1.6, lambda dz: int(np.ceil(1.6 / dz - 0.5))),
                            (99.0, lambda dz: None)):
        s = _settings(sc, tile_jet_height_m=h)
        g, geom, own, cells = _cells(s)
        floor = _cells(_settings(sc, tile_jet_height_m=0.0))[3]
        k = cells // (g.nx * g.ny)
        expect = layers_of_dz(g.dz) or g.nz                 # capped at the ceiling
        # every tile of the room is in the open aisle: full columns over every floor cell
        assert sorted(set(k.tolist())) == list(range(expect)), (h, g.dz)
        assert len(cells) == expect * len(floor)
        # each column sits straight over a floor cell of the same tile
        assert np.array_equal(np.unique(cells % (g.nx * g.ny)), np.unique(floor))
    # with 0.3 m layers, 1.6 m holds the layers centred at 0.15 ... 1.35 m: five
    assert int(np.ceil(1.6 / 0.3 - 0.5)) == 5


def test_a_tile_spreads_its_flow_evenly_over_its_column_and_delivers_all_of_it():
    sc = _settings(room(10, supply_ratio=1.0), tile_jet_height_m=1.6)
    g = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, g)
    dev = build_devices(sc, geom)
    # the room's CRAHs discharge only through the plenum's tiles: m3/s into each air cell
    per_cell = np.asarray(dev.discharge[:, dev.units].sum(axis=1)).ravel()
    own, cells = _tile_cells(sc, geom)
    for t in range(sc.tiles.n):
        mine = cells[own == t]
        assert np.allclose(per_cell[mine], dev.tile_flow_m3s[t] / len(mine))
    outside = np.ones(len(per_cell), bool); outside[cells] = False
    assert not per_cell[outside].any()                                    # nowhere else
    assert np.isclose(per_cell.sum(), dev.tile_flow_m3s.sum())


def test_a_tile_under_a_rack_has_no_column():
    sc = room(10)
    g = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, g)
    own, cells = _tile_cells(sc, geom)
    solid = geom.solid.ravel()
    assert not solid[cells].any()
    r = sc.racks
    moved = replace(sc.tiles, center_xy_m=np.vstack([sc.tiles.center_xy_m, r.center_xy_m[:1]]),
                    open_fraction=np.append(sc.tiles.open_fraction, 0.25), flow_m3s=None)
    s2 = AirScene(sc.hall, r, sc.cooling, moved, sc.containment, sc.settings, sc.grilles)
    own2, _ = _tile_cells(s2, build_geometry(s2, g))
    assert not (own2 == sc.tiles.n).any()


def test_with_closed_aisle_ends_the_jet_height_does_not_change_what_the_racks_breathe():
    """The ends of a tile-fed aisle are closed up to the rack tops (rows.py), so every tile's
    air rises through the aisle to the intakes or out of its top whether it enters at the
    floor or spread up the jet column: the air crossing each layer of the aisle is the
    same (mass balance of the aisle's column), and so are the rack inlets, starved or
    balanced.  The heat balance stays exact either way."""
    for ratio in (0.8, 1.0):
        sc = room(20, supply_ratio=ratio)
        floor = AirSolver().solve(_settings(sc, tile_jet_height_m=0.0))
        jet = AirSolver().solve(_settings(sc, tile_jet_height_m=1.6))
        assert np.allclose(jet.rack_inlet_mean_c, floor.rack_inlet_mean_c, atol=0.01)
        assert not np.allclose(jet.fluxes.z, floor.fluxes.z, atol=1e-3)      # the flows differ
        for res in (floor, jet):
            assert abs(res.residual_pct) < 1e-3
