"""Supply and return grilles in a hall without a return plenum (Grilles in
twin/physics/air/scene.py, built into devices by twin/physics/air/devices.py): each
return grille draws its share of the air handlers' airflow through its own duct."""

import numpy as np
import pytest

from twin.physics.air import AirSolver
from twin.physics.air.devices import RHO_CP, build_devices
from twin.physics.air.grid import build_geometry, make_grid
from twin.physics.air.scene import AirScene, CoolingUnits, Grilles, Hall, Racks, Tiles


def _ducted_room(return_flow_m3s=(np.nan, np.nan)):
    """A 6 x 3.6 x 3 m slab-floor room, one row of 4 racks (5 kW, 0.4 m3/s each) facing
    south, one unit outside moving 1.6 m3/s at 18 C through a supply grille low on the
    south wall, and two ceiling return grilles behind the row: 0.6 x 0.6 m at x = 2.1 and
    1.2 x 0.6 m (twice the area) at x = 3.9, given ``return_flow_m3s`` (NaN: by area)."""
    racks = Racks(np.array([[1.8 + 0.6 * k, 2.4] for k in range(4)]), np.tile([0.6, 1.2, 2.0], (4, 1)),
                  np.zeros(4), np.full(4, 0.4), np.full(4, 5e3))
    units = CoolingUnits(("crah",), [[-1.0, 1.0]], [[1.0, 1.0, 2.0]], [0.0], [1.6], [1e6], [18.0],
                         outside=[True])
    grilles = Grilles(np.array([[3.0, 0.3], [2.1, 3.3], [3.9, 3.3]]),
                      np.array([[2.4, 0.6], [0.6, 0.6], [1.2, 0.6]]),
                      ("supply", "return", "return"), z_m=[0.6, np.nan, np.nan],
                      height_m=[0.6, 0.3, 0.3], flow_m3s=[np.nan, *return_flow_m3s])
    return AirScene(Hall(6.0, 3.6, 3.0, raised_floor=False), racks, units, Tiles(np.zeros((0, 2))),
                    grilles=grilles)


def _devices(scene):
    return build_devices(scene, build_geometry(scene, make_grid(scene.hall, scene.settings)))


def test_ducted_return_grilles_share_the_unit_airflow_by_area():
    """No flows given: the returns share the unit's 1.6 m3/s in proportion to their
    areas 0.36 : 0.72 m2, i.e. 1.6/3 and 3.2/3 m3/s; the supply grille delivers all
    1.6 m3/s. The unit draws its whole airflow from the cells under the two grilles,
    with each cell's weight its grille's flow over its cell count."""
    sc = _ducted_room()
    dev = _devices(sc)
    assert dev.grille_flow_m3s == pytest.approx([1.6, 1.6 / 3, 3.2 / 3])
    row = dev.intake[dev.n_racks].toarray().ravel()
    assert row.sum() == pytest.approx(1.6)
    grid = make_grid(sc.hall, sc.settings)
    cells = np.flatnonzero(row)
    x = (cells % grid.nx + 0.5) * grid.dx
    left, right = np.abs(x - 2.1) <= 0.3, np.abs(x - 3.9) <= 0.6
    assert np.all(left | right)
    assert row[cells[left]].sum() == pytest.approx(1.6 / 3)
    assert row[cells[right]].sum() == pytest.approx(3.2 / 3)
    assert row[cells[left]] == pytest.approx(np.full(left.sum(), 1.6 / 3 / left.sum()))
    assert dev.discharge[:, dev.n_racks].sum() == pytest.approx(1.6)


def test_given_ducted_return_flows_are_kept_and_energy_balances():
    """Flows given (0.5 and 1.1 m3/s, summing to the unit's 1.6): kept as they are. The
    unit holds 18 C and removes the racks' 20 kW, so its airflow-weighted return is
    18 + 20 kW / (rho cp 1.6 m3/s)."""
    sc = _ducted_room((0.5, 1.1))
    s = AirSolver()
    r = s.solve(sc)
    assert r.converged and abs(r.residual_pct) <= 0.1
    assert s._state.dev.grille_flow_m3s == pytest.approx([1.6, 0.5, 1.1])
    assert r.unit_return_c[0] == pytest.approx(18.0 + 20e3 / (RHO_CP * 1.6), abs=1e-3)
    assert r.unit_load_w[0] == pytest.approx(20e3, rel=1e-4)
