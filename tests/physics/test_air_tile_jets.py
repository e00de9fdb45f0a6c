"""Tile jets (docs/physics.md §2.3, twin/physics/air/devices.py): a perforated tile's air
enters at its floor cells and rises as a jet through the air column above it up to
``tile_jet_height_m``, the column taking it evenly (the airflow of a discharge spread
over the column) while the supply temperature enters at the floor only."""

from dataclasses import replace

import numpy as np
import pytest

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


def test_a_tile_delivers_at_the_floor_and_its_jet_spreads_the_flow_evenly_up_its_column():
    """Every tile's whole flow enters its floor cells; the jet flux through the face above
    layer k of a column of L layers is (L − 1 − k) / L of the column's flow, so the floor
    discharge less the jet's divergence is the column's even share q / L in every one of
    its cells: the airflow the potential solve sees is that of the column discharge."""
    sc = _settings(room(10, supply_ratio=1.0), tile_jet_height_m=1.6)
    g = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, g)
    dev = build_devices(sc, geom)
    per_cell = np.asarray(dev.discharge[:, dev.units].sum(axis=1)).ravel()
    own, cells = _tile_cells(sc, geom)
    layer = g.nx * g.ny
    floor = cells < layer
    assert np.isclose(per_cell.sum(), dev.tile_flow_m3s.sum())
    assert not per_cell[layer:].any()                                     # floor layer only
    jet = dev.jet_z_m3s
    assert jet.shape == (g.nz - 1, g.ny, g.nx)
    L = int(np.ceil(1.6 / g.dz - 0.5))
    for t in range(sc.tiles.n):
        mine = cells[(own == t) & floor]
        q_col = dev.tile_flow_m3s[t] / len(mine)                           # per floor cell
        assert np.allclose(per_cell[mine], q_col)
        j, i = np.unravel_index(mine, (g.ny, g.nx))
        for k in range(g.nz - 1):
            assert np.allclose(jet[k, j, i], q_col * max(L - 1 - k, 0) / L)
    div = np.zeros(g.shape); div[:-1] += jet; div[1:] -= jet
    net = per_cell - div.ravel()
    for t in range(sc.tiles.n):
        assert np.allclose(net[cells[own == t]], dev.tile_flow_m3s[t] / np.sum(own == t))
    outside = np.ones(len(net), bool); outside[cells] = False
    assert np.allclose(net[outside], 0.0)


def test_the_jet_carries_side_air_up_the_column():
    """A back row that breathes a front row's exhaust across a tile aisle (the CFD library's
    rows facing the same way): the tiles' air rises from the floor and carries the exhaust
    that meets it upward, so the back row's intake is supply air at the floor and hot at
    the top (CFD: 0–1 K over supply at the floor, 5–8 K at the top), where a discharge
    spread up the column put the exhaust into its intake at every height (3.8 K at the
    floor)."""
    from pathlib import Path

    from twin.engine.calibrate import RoomModel
    from twin.io import load_layout
    room_file = Path(__file__).resolve().parents[1] / "bench" / "cfd" / "rooms" / "same_direction.json"
    model = RoomModel(load_layout(room_file))
    res = model.solve(model.constants)
    back = [model.rack_ids.index(f"B0{n}") for n in (2, 3, 4)]
    prof = res.rack_inlet_profile_c[back] - 18.0
    top = np.array([np.flatnonzero(np.isfinite(p))[-1] for p in prof])
    assert np.all(prof[:, 0] < 1.5)
    assert np.all(prof[np.arange(3), top] > prof[:, 0] + 4.0)
    assert np.all(np.diff(prof[:, :3], axis=1) > 0)        # warmer with height


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
    air rises through the aisle to the intakes or out of its top whatever the jet's height:
    the air crossing each layer of the aisle is the same (mass balance of the aisle's
    column), and so are the rack inlets, starved or balanced.  The heat balance stays
    exact either way."""
    for ratio in (0.8, 1.0):
        sc = room(20, supply_ratio=ratio)
        floor = AirSolver().solve(_settings(sc, tile_jet_height_m=0.0))
        jet = AirSolver().solve(_settings(sc, tile_jet_height_m=1.6))
        assert np.allclose(jet.rack_inlet_mean_c, floor.rack_inlet_mean_c, atol=0.01)
        for res in (floor, jet):
            assert abs(res.residual_pct) < 1e-3


@pytest.mark.parametrize("settings", [dict(buoyancy=False), dict(buoyancy=True, buoyancy_time_s=1e-9)])
def test_the_flow_less_the_jets_is_a_potential_flow(settings):
    """The jets are a fixed flux beside the potential flow (§2.3): the solved face fluxes
    less the jet flux are a gradient, F = a (φ_P − φ_N), so round every loop of four
    open faces the potential differences F / a add up to zero.  The jets themselves are
    not a gradient (they stop at the column's edge): a flow that dropped them, with or
    without the (here vanishing) buoyancy drift, leaves loops round the columns' edges
    that do not close."""
    base = room(10, supply_ratio=1.0)
    # one more tile on the open floor behind a row, where its jet has air on every side
    # (the aisle's own columns stand between rack faces and closed aisle ends)
    t = base.tiles
    tiles = replace(t, center_xy_m=np.vstack([t.center_xy_m, [3.9, 0.9]]),
                    open_fraction=np.append(t.open_fraction, t.open_fraction[0]), flow_m3s=None)
    sc = _settings(AirScene(base.hall, base.racks, base.cooling, tiles, base.containment,
                            base.settings, base.grilles), **settings)
    g = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, g)
    jet = build_devices(sc, geom).jet_z_m3s
    assert jet is not None and jet.max() > 0.01
    res = AirSolver().solve(sc)
    fx, fz = res.fluxes.x, res.fluxes.z.copy()
    fz[1:-1] -= jet
    ax, az = g.dz, g.dx * g.dx / g.dz          # A / d of a vertical and a horizontal face
    # loop P(k, j, i-1) -> Q(k, j, i) -> R(k+1, j, i) -> S(k+1, j, i-1) -> P
    loop = (fx[:-1, :, 1:-1] / ax + fz[1:-1, :, 1:] / az
            - fx[1:, :, 1:-1] / ax - fz[1:-1, :, :-1] / az)
    ok = ((geom.open_x[:-1, :, 1:-1] == 1) & (geom.open_x[1:, :, 1:-1] == 1)
          & (geom.open_z[1:-1, :, 1:] == 1) & (geom.open_z[1:-1, :, :-1] == 1))
    assert ok.sum() > 1000
    scale = np.abs(fz[1:-1]).max() / az
    assert np.abs(loop[ok]).max() < 1e-3 * scale
    # the check has teeth: the fluxes with the jets left in do not close round the columns
    raw = (fx[:-1, :, 1:-1] / ax + res.fluxes.z[1:-1, :, 1:] / az
           - fx[1:, :, 1:-1] / ax - res.fluxes.z[1:-1, :, :-1] / az)
    assert np.abs(raw[ok]).max() > 0.1 * scale
