"""A starved roofed cold aisle with end doors (docs/physics.md §2.5, "Door leaks under a
roof"): its leak comes down mid-row, mixes down the air column, and the door-end racks'
top edges see the door head's room air (twin/physics/air/grid.py, flow.leak_exchange,
entrainment.door_edges)."""

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from twin.physics.air import AirSolver
from twin.physics.air.devices import build_devices, corner_layers
from twin.physics.air.entrainment import door_edges
from twin.physics.air.flow import FaceFluxes, leak_exchange
from twin.physics.air.grid import build_geometry, door_weights, make_grid
from twin.physics.air.scene import AirScene, Containment
from twin.physics.air.synthetic import hall, room
from twin.physics.air.thermal import transport_matrix

ENDS, MID = [0, 9, 10, 19], [4, 5, 14, 15]        # room(20): rows of ten


def _scene(sc, containment=None, **settings):
    return AirScene(sc.hall, sc.racks, sc.cooling, sc.tiles,
                    sc.containment if containment is None else containment,
                    replace(sc.settings, **settings))


def test_door_weights_by_hand():
    # distances to the nearer door over the mean: 5 cells 0.5 1.5 2.5 1.5 0.5 (mean 1.3)
    assert door_weights(5) == pytest.approx(np.array([0.5, 1.5, 2.5, 1.5, 0.5]) / 1.3)
    assert door_weights(1) == pytest.approx([1.0])
    assert door_weights(4) == pytest.approx([0.5, 1.5, 1.5, 0.5])


def test_leak_exchange_by_hand():
    """Three columns of four layers (ny 1, nx 3). Columns 0 and 2 are open from the floor
    up; in column 1 the face between layers 0 and 1 is closed. Air comes down through a
    leaking panel above layer 3 of columns 0 and 1 (0.4 and 0.3 m³/s) and above layer 1
    of column 2 (0.6 m³/s: a panel under a higher one). Column 0 (four layers from 0)
    exchanges 0.4 × (m + 1) / 4 above layer m: 0.1, 0.2, 0.3; column 1 (three layers
    from 1) 0.3 × m / 3: 0, 0.1, 0.2; column 2 (two layers) 0.3 above layer 0 and nothing
    above the panel's own layer. An upward leak and a side leak exchange nothing."""
    nz, ny, nx = 4, 1, 3
    open_z = np.ones((nz + 1, ny, nx)); open_z[[0, -1]] = 0.0
    open_z[1, 0, 1] = 0.0
    geom = SimpleNamespace(grid=SimpleNamespace(shape=(nz, ny, nx)), open_z=open_z)
    cell = lambda k, i: (k * ny) * nx + i                       # noqa: E731
    lk = SimpleNamespace(axis=np.array([2, 2, 2, 0, 2]),
                         p=np.array([cell(3, 0), cell(3, 1), cell(2, 0), cell(1, 1), cell(1, 2)]))
    ex = leak_exchange(geom, SimpleNamespace(leaks=lk), np.array([-0.4, -0.3, 0.5, -0.2, -0.6]))
    assert ex.shape == (nz - 1, ny, nx)
    assert ex[:, 0, 0] == pytest.approx([0.1, 0.2, 0.3])
    assert ex[:, 0, 1] == pytest.approx([0.0, 0.1, 0.2])
    assert ex[:, 0, 2] == pytest.approx([0.3, 0.0, 0.0])
    # nothing comes down: no exchange
    assert leak_exchange(geom, SimpleNamespace(leaks=lk),
                         np.array([0.4, 0.3, 0.5, -0.2, 0.6])) is None
    assert leak_exchange(geom, SimpleNamespace(leaks=None), np.zeros(4)) is None


def test_exchange_adds_symmetric_conductance_on_open_z_faces():
    sc = room(4, supply_ratio=1.0)
    g = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, g)
    res = AirSolver().solve(sc)
    dev = build_devices(sc, geom)
    zero = FaceFluxes(np.zeros((g.nz, g.ny, g.nx + 1)), np.zeros((g.nz, g.ny + 1, g.nx)),
                      np.zeros((g.nz + 1, g.ny, g.nx)))
    ex = np.zeros((g.nz - 1, g.ny, g.nx)); ex[0, 3, 5] = 0.7
    base = transport_matrix(geom, zero, dev, 0.01, 0.0).tocsr()
    with_ex = transport_matrix(geom, zero, dev, 0.01, 0.0, ex).tocsr()
    a = (0 * g.ny + 3) * g.nx + 5; b = (1 * g.ny + 3) * g.nx + 5
    diff = (with_ex - base).tocoo()
    got = {(int(r), int(c)): v for r, c, v in zip(diff.row, diff.col, diff.data) if abs(v) > 0}
    assert got == pytest.approx({(a, a): 0.7, (b, b): 0.7, (a, b): -0.7, (b, a): -0.7})
    assert res.residual_pct == pytest.approx(0.0, abs=1e-3)


def test_door_end_racks_of_a_starved_roofed_cold_aisle_only():
    """room(20) with a roofed cold aisle and end doors at 75 % tiles: the door-end racks
    are the row ends; with 120 % tiles, without a roof, without doors or as a hot aisle
    there are none. Every door cell lies outside the aisle, beside its rack."""
    sc = room(20, supply_ratio=0.75, containment="cold_aisle")
    g = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, g)
    tile_q = build_devices(sc, geom).tile_flow_m3s
    racks, air = door_edges(sc, geom, tile_q)
    assert sorted(racks.tolist()) == ENDS
    assert np.allclose(np.asarray(air.sum(axis=1)).ravel(), 1.0)
    c = sc.containment
    # by hand on the 0.3 m room grid (dz 0.471 m): rack 0 (x 2.4–3.0, front at y 3.0
    # facing +y into the aisle y 3.0–4.2) takes the cells one 0.6 m pitch beyond its west
    # side (x 1.8–2.4: i 6, 7), from its front to the aisle middle (y 3.0–3.6: j 10, 11),
    # up to its 2.2 m (five layers); rack 19, its mirror at the east end of the north
    # row, i 28, 29 and j 12, 13
    cells = {int(b): air[k].indices for k, b in enumerate(racks)}

    def ijk(cols):
        k, rem = np.divmod(cols, g.nx * g.ny)
        j, i = np.divmod(rem, g.nx)
        return set(i.tolist()), set(j.tolist()), set(k.tolist()), len(cols)
    assert ijk(cells[0]) == ({6, 7}, {10, 11}, set(range(5)), 20)
    assert ijk(cells[19]) == ({28, 29}, {12, 13}, set(range(5)), 20)
    over = room(20, supply_ratio=1.2, containment="cold_aisle")
    assert len(door_edges(over, geom, build_devices(over, geom).tile_flow_m3s)[0]) == 0
    for variant in (dict(roof=[False]), dict(end_doors=[False]), dict(kind=("hot_aisle",)),
                    dict(height=[sc.hall.height_m])):     # a roof at the ceiling is no roof
        cont = Containment(c.rect_m, variant.get("kind", c.kind), variant.get("height", c.height_m),
                           variant.get("roof", c.roof), variant.get("end_doors", c.end_doors))
        s2 = _scene(sc, cont)
        racks, air = door_edges(s2, build_geometry(s2, g), tile_q)
        assert len(racks) == 0 and air.shape == (0, g.n), variant


def test_starved_roofed_aisle_is_warmest_mid_row_and_door_ends_see_the_door_head():
    """The CFD library's starved contained aisles are warmest mid-row (rows of eight: 22.8
    against 18.7 °C at the ends). With the roof's leak weighted to mid-row and mixed down,
    the twin's middle racks are warmer than its end racks by more than 1 K in the mean.
    Energy closes. The door-end racks' hottest intake is their mean plus 0.75 of the door
    air's hottest layer above it, above their own peak."""
    sc = room(20, supply_ratio=0.75, containment="cold_aisle")
    res = AirSolver().solve(sc)
    t = res.rack_inlet_mean_c
    assert t[MID].min() > t[ENDS].max() + 1.0
    assert res.residual_pct == pytest.approx(0.0, abs=1e-3)
    # the door air: its hottest layer, each layer's cells averaged
    g = res.grid
    geom = build_geometry(sc, g)
    racks, air = door_edges(sc, geom, build_devices(sc, geom).tile_flow_m3s)
    rk, parts = corner_layers(racks, air, g.nx * g.ny)
    layer_t = parts @ np.asarray(res.temperature_c, float).ravel()
    door_c = np.full(sc.racks.n, -np.inf)
    np.maximum.at(door_c, rk, layer_t)
    expect = t[ENDS] + 0.75 * (door_c[ENDS] - t[ENDS])
    assert res.rack_inlet_max_c[ENDS] == pytest.approx(expect, abs=1e-9)
    one = AirSolver().solve(_scene(sc, door_hot_share=0.0))
    assert np.all(expect > one.rack_inlet_max_c[ENDS] + 0.3)
    assert np.allclose(one.rack_inlet_mean_c, t)


def test_each_aisle_weighs_its_own_tiles_and_racks():
    """Two contained aisles (hall of 2 × 2 rows of six): each is starved or fed by its own
    twelve tiles against its own twelve racks. Tiles giving exactly the racks' airflow
    feed it; 99 % starve it; a neighbouring aisle's surplus does not feed it."""
    sc = hall(rows=4, racks_per_row=6, containment="cold_aisle")
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    a = sc.racks.airflow_m3s[0]
    assert np.all(sc.racks.airflow_m3s == a) and sc.tiles.n == 24

    def ends(share0, share1):
        q = np.concatenate([np.full(12, share0 * a), np.full(12, share1 * a)])
        return sorted(door_edges(sc, geom, q)[0].tolist())
    first, second = [0, 5, 6, 11], [12, 17, 18, 23]
    assert ends(0.99, 10.0) == first
    assert ends(10.0, 0.99) == second
    assert ends(0.99, 0.99) == first + second
    assert ends(1.0, 1.0) == []


def test_a_lone_rack_in_a_starved_aisle_has_two_door_ends():
    from dataclasses import fields
    sc = room(2, supply_ratio=0.75, containment="cold_aisle")
    one = replace(sc.racks, **{f.name: getattr(sc.racks, f.name)[:1] for f in fields(sc.racks)
                               if isinstance(getattr(sc.racks, f.name), np.ndarray)
                               and len(getattr(sc.racks, f.name)) == sc.racks.n})
    s1 = AirScene(sc.hall, one, sc.cooling, sc.tiles, sc.containment, sc.settings)
    geom = build_geometry(s1, make_grid(s1.hall, s1.settings))
    racks, air = door_edges(s1, geom, np.zeros(s1.tiles.n))
    assert racks.tolist() == [0, 0] and air.shape[0] == 2


def test_an_inrow_cooler_feeding_the_aisle_counts_as_supply():
    """Rack 4 of room(20)'s roofed cold aisle (tiles at 75 %) replaced by an in-row cooler
    of the same box blowing into the aisle: at 5 m³/s the aisle is fed (no door-end
    racks); at 0.01 m³/s it is still starved (the four row ends)."""
    from dataclasses import fields

    from twin.physics.air.scene import CoolingUnits
    sc = room(20, supply_ratio=0.75, containment="cold_aisle")
    u, r = sc.cooling, sc.racks

    def with_cooler(flow_m3s, at=4, enabled=True):
        keep = np.arange(r.n) != at
        racks = replace(r, **{f.name: getattr(r, f.name)[keep] for f in fields(r)
                              if isinstance(getattr(r, f.name), np.ndarray)
                              and len(getattr(r, f.name)) == r.n})
        units = CoolingUnits(u.kind + ("inrow",), np.vstack([u.center_xy_m, r.center_xy_m[at]]),
                             np.vstack([u.size_m, r.size_m[at]]),
                             np.append(u.rotation_deg, r.rotation_deg[at]),
                             np.append(u.airflow_m3s, flow_m3s), np.append(u.capacity_w, 50e3),
                             np.append(u.supply_setpoint_c, 18.0),
                             np.append(np.ones(len(u.kind), bool), enabled))
        s2 = AirScene(sc.hall, racks, units, sc.tiles, sc.containment, sc.settings)
        geom = build_geometry(s2, make_grid(s2.hall, s2.settings))
        return len(door_edges(s2, geom, build_devices(s2, geom).tile_flow_m3s)[0])
    assert with_cooler(0.01) == 4
    assert with_cooler(5.0) == 0
    assert with_cooler(5.0, enabled=False) == 4          # a stopped cooler feeds nothing
    # at a row end the cooler is the row's end member: the rack beside it is not a door end
    assert with_cooler(0.01, at=0) == 3


def test_one_door_end():
    """Row A of room(20) alone, its west half under a starved roofed aisle (x from the
    row's west end to mid-row): rack 0 is the one door-end rack; rack 9, the row's east
    end, stands outside the aisle."""
    from dataclasses import fields
    sc = room(20, supply_ratio=0.75, containment="cold_aisle")
    keep = np.arange(sc.racks.n) < 10
    row = replace(sc.racks, **{f.name: getattr(sc.racks, f.name)[keep] for f in fields(sc.racks)
                               if isinstance(getattr(sc.racks, f.name), np.ndarray)
                               and len(getattr(sc.racks, f.name)) == sc.racks.n})
    c = sc.containment
    x0, y0, x1, y1 = c.rect_m[0]
    half = Containment([[x0, y0, (x0 + x1) / 2, y1]], c.kind, c.height_m, c.roof, c.end_doors)
    s1 = AirScene(sc.hall, row, sc.cooling, sc.tiles, half, sc.settings)
    geom = build_geometry(s1, make_grid(s1.hall, s1.settings))
    racks, air = door_edges(s1, geom, np.zeros(s1.tiles.n))
    assert racks.tolist() == [0] and air.shape[0] == 1
