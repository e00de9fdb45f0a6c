"""Device ports and terminal flows of the air solver (twin/physics/air/devices.py):
how supply is shared among tiles and grilles, where a blocked face breathes, and the
errors for units or racks with nowhere to take their air."""

import numpy as np
import pytest

from twin.physics.air.devices import SolveError, build_devices, tile_flows
from twin.physics.air.grid import build_geometry, make_grid
from twin.physics.air.scene import AirScene, CoolingUnits, Grilles, Hall, Racks, SolverSettings, Tiles

#: 0.5 m cells, 6 layers of 0.5 m in the 3 m high rooms below
_SETTINGS = SolverSettings(cell_m=0.5, cell_z_m=0.5)


def _crah(outside=False):
    """One 1.2 x 1.0 x 2.0 m CRAH moving 1 m3/s, at the west wall blowing east."""
    return CoolingUnits(("crah",), [[0.5, 3.0]], [[1.0, 1.2, 2.0]], [90.0], [1.0], [1e5], [18.0],
                        outside=[outside])


def _no_racks():
    return Racks(np.zeros((0, 2)), np.zeros((0, 3)), np.zeros(0), np.zeros(0), np.zeros(0))


def _devices(scene):
    return build_devices(scene, build_geometry(scene, make_grid(scene.hall, scene.settings)))


def test_tile_flows_keep_explicit_flows_and_share_the_rest_by_open_area():
    # 2.5 m3/s into the plenum: tile 0 is given 0.5, the other 2.0 go to tiles 1 and 2
    # by open area 0.25 : 0.75 (same size) -> 0.5 and 1.5
    tiles = Tiles([[1.0, 1.0], [2.0, 1.0], [3.0, 1.0]], 0.6, [0.25, 0.25, 0.75], [0.5, np.nan, np.nan])
    sc = AirScene(Hall(6.0, 6.0, 3.0), _no_racks(), _crah(), tiles)
    q = tile_flows(sc, 2.5, np.ones(3, bool))
    assert q == pytest.approx([0.5, 0.5, 1.5])


def test_a_tile_and_a_supply_grille_share_the_supply_by_open_area():
    # tile: 0.6 m square, 25 % open -> 0.09 m2; ceiling supply grille 0.3 x 0.3 m = 0.09 m2:
    # equal areas, so each delivers half the unit's 1 m3/s
    sc = AirScene(Hall(6.0, 6.0, 3.0, raised_floor=True), _no_racks(), _crah(),
                  Tiles([[3.0, 3.0]], 0.6, [0.25]),
                  grilles=Grilles([[4.75, 4.75]], [[0.3, 0.3]], ("supply",)), settings=_SETTINGS)
    dev = _devices(sc)
    assert dev.tile_flow_m3s == pytest.approx([0.5])
    assert dev.grille_flow_m3s == pytest.approx([0.5])


def test_a_unit_outside_the_hall_without_any_return_is_refused():
    sc = AirScene(Hall(6.0, 6.0, 3.0, raised_floor=True), _no_racks(), _crah(outside=True),
                  Tiles([[3.0, 3.0]], 0.6), settings=_SETTINGS)
    with pytest.raises(SolveError, match="cooling unit 0 stands outside the hall and has no return: "
                                         "add return grilles or a ceiling return"):
        _devices(sc)


def _rack_at_the_south_wall(height_m):
    """A 0.6 x 1.2 m rack of ``height_m`` whose front (facing -y) stands on the south wall
    (y = 0): no air in front of its intake (row-end entrainment off: only its own ports)."""
    racks = Racks([[3.25, 0.6]], [[0.6, 1.2, height_m]], [0.0], [0.5], [5e3])
    return AirScene(Hall(6.0, 6.0, 3.0, raised_floor=False), racks, _crah(),
                    settings=SolverSettings(cell_m=0.5, cell_z_m=0.5, row_end_entrainment=0.0))


def test_an_intake_against_a_wall_breathes_from_the_air_just_above_the_rack():
    # rack x 2.95..3.55 -> cells i 6..6 (round(5.9)=6, round(7.1)=7), y 0..1.2 -> j 0..1
    # (round(2.4)=2); 2.0 m high -> 4 layers, so its intake is layer k = 4 over the footprint
    dev = _devices(_rack_at_the_south_wall(2.0))
    row = dev.intake[0]
    nx = ny = 12
    assert sorted(row.indices.tolist()) == sorted((4 * ny + j) * nx + 6 for j in (0, 1))
    assert row.sum() == pytest.approx(0.5)          # the whole rack airflow


def test_a_rack_blocked_at_its_intake_up_to_the_ceiling_is_refused():
    with pytest.raises(SolveError, match="rack 0 has no free air at its intake"):
        _devices(_rack_at_the_south_wall(3.0))
