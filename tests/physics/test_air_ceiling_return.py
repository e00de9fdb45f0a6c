"""Ceiling-return plenum: pressure-driven returns, hot-aisle chimneys, plenum spill."""

import numpy as np
import pytest
import scipy.sparse as sp

from twin.physics.air import AirScene, AirSolver, Containment, SolveError
from twin.physics.air.devices import RHO_CP, Devices, attach_plenum, build_devices
from twin.physics.air.grid import build_geometry, make_grid
from twin.physics.air.scene import CoolingUnits, Grilles, Hall, Racks, Tiles
from twin.physics.air.synthetic import chimney_room, room


def test_hot_aisle_chimney_to_the_ceiling_keeps_inlets_near_supply():
    """Panels up to the ceiling, no roof, end doors: every rack exhausts into the
    aisle and the plenum draws it off; the cold side sees supply air."""
    sc = chimney_room(supply_ratio=1.15)
    r = AirSolver().solve(sc)
    assert r.converged and abs(r.residual_pct) <= 0.1
    assert r.rack_inlet_mean_c.max() <= 22.0 + 2.5
    assert r.rack_inlet_mean_c.mean() <= 22.0 + 1.0
    assert r.rack_capture_index.mean() >= 0.9
    # all rack heat reaches the plenum: return = supply + heat / (ρ c_p V_units)
    v = sc.cooling.airflow_m3s
    expected = 22.0 + sc.racks.air_heat_w.sum() / (RHO_CP * v.sum())
    assert np.sum(v * r.unit_return_c) / v.sum() == pytest.approx(expected, abs=1e-3)


def test_chimney_is_the_only_return_when_present():
    sc = chimney_room()
    g = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, g)
    x0, y0, x1, y1 = sc.containment.rect_m[0]
    jj, ii = np.nonzero(geom.return_mask)
    assert len(ii) > 0
    assert np.all((ii + 0.5) * g.dx > x0) and np.all((ii + 0.5) * g.dx < x1)
    assert np.all((jj + 0.5) * g.dx > y0) and np.all((jj + 0.5) * g.dx < y1)
    # panels below the ceiling and no roof: not a chimney, the whole ceiling returns
    low = Containment(sc.containment.rect_m, ("hot_aisle",), [2.4], [False], [True])
    sc_low = AirScene(sc.hall, sc.racks, sc.cooling, sc.tiles, low, sc.settings)
    assert build_geometry(sc_low, g).return_mask.sum() > 10 * geom.return_mask.sum()


def test_starved_open_ceiling_return_pulls_plenum_air_back_and_balances():
    """Grilles over the whole ceiling of a starved room: where the room pulls
    harder than the plenum, plenum air flows back down (the spill device)."""
    sc = room(20, supply_ratio=0.75, ceiling_return=True)
    s = AirSolver()
    r = s.solve(sc)
    assert r.converged and abs(r.residual_pct) <= 0.1
    dev = s._state.dev
    assert dev.n == sc.racks.n + sc.cooling.n + 1          # the plenum spill device
    spill = dev.airflow_m3s[-1]
    assert 0 < spill < sc.cooling.airflow_m3s.sum()
    # the spill carries plenum air: it neither heats nor cools
    assert np.sum(r.unit_load_w) == pytest.approx(r.heat_in_w, rel=1e-3)
    assert r.rack_capture_index.mean() <= 0.75 + 0.02


def _wall_return_room(return_xy, return_z_m):
    """A 6 x 3.6 x 3 m slab-floor room with a ceiling-return plenum: one row of 4 racks
    (5 kW, 0.4 m3/s each) facing south, one unit outside (1.6 m3/s at 18 C) delivering
    through a supply grille low on the south wall, and one return grille 1.2 m wide and
    0.6 m high at ``return_xy`` / ``return_z_m`` (a wall grille into the plenum)."""
    racks = Racks(np.array([[1.8 + 0.6 * k, 2.4] for k in range(4)]), np.tile([0.6, 1.2, 2.0], (4, 1)),
                  np.zeros(4), np.full(4, 0.4), np.full(4, 5e3))
    units = CoolingUnits(("crah",), [[-1.0, 1.0]], [[1.0, 1.0, 2.0]], [0.0], [1.6], [1e6], [18.0],
                         outside=[True])
    grilles = Grilles(np.array([[3.0, 0.3], return_xy]), np.array([[2.4, 0.6], [1.2, 0.2]]),
                      ("supply", "return"), z_m=[0.6, return_z_m], height_m=[0.6, 0.6])
    return AirScene(Hall(6.0, 3.6, 3.0, raised_floor=False, ceiling_return=True), racks, units,
                    Tiles(np.zeros((0, 2))), grilles=grilles)


def test_a_wall_return_grille_alone_carries_the_whole_return_into_the_plenum():
    """The return grille sits on the north wall 2 m up (below the top layer): the ceiling
    itself is closed, so the grille's cells are the plenum's only opening. Each opens
    through one vertical face: conductance A / d = dx dz / (dx / 2) = 2 dz. All the unit's
    air goes back through them (q = a phi > 0 summing to 1.6 m3/s) and the unit returns
    18 C + 20 kW / (rho cp 1.6 m3/s)."""
    sc = _wall_return_room([3.0, 3.5], 2.0)
    grid = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, grid)
    assert not geom.return_mask.any() and len(geom.return_side) == 4   # 4 cells of 0.3 m
    a = geom.return_conductance()
    assert a[geom.return_side] == pytest.approx(np.full(4, 2 * grid.dz))
    assert np.count_nonzero(a) == 4
    s = AirSolver()
    r = s.solve(sc)
    assert r.converged and abs(r.residual_pct) <= 0.1
    q = s._state.fs.return_g * s._state.phi
    assert q.sum() == pytest.approx(1.6, rel=1e-4) and q.min() >= 0.0
    assert r.unit_return_c[0] == pytest.approx(18.0 + 20e3 / (RHO_CP * 1.6), abs=2e-3)
    assert r.unit_load_w[0] == pytest.approx(20e3, rel=1e-3)


def test_a_ceiling_return_whose_only_grille_is_blocked_is_refused():
    """The return grille lies inside a rack (its cells are solid): no cell opens to the
    plenum, so there is no return path and the solve says so."""
    sc = _wall_return_room([2.7, 2.4], 1.0)
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    assert not geom.return_mask.any() and len(geom.return_side) == 0
    with pytest.raises(SolveError, match="no open cell under the plenum"):
        build_devices(sc, geom)


def _plenum_fed(n_cells):
    """One plenum-fed unit (1.2 m3/s) and nothing else, its intake still unattached."""
    return Devices(0, np.array([0]), np.array([1.2]), np.zeros(1), np.array([1e5]), np.array([18.0]),
                   sp.csr_matrix((1, n_cells)), sp.csr_matrix((n_cells, 1)), np.zeros(0),
                   plenum_units=np.array([0]))


def test_plenum_spill_only_where_air_flows_out_of_the_plenum():
    """Return cells exchange q = a phi with the plenum. Cells drawing air in, however
    weakly, are mixed into the unit's intake (weights q / sum q) and need no spill device;
    a cell with q < 0 gets plenum air back through the spill device, which carries
    exactly that flow and takes the plenum mix."""
    a = np.array([2.0, 2.0, 2.0, 0.0, 2.0])
    phi = np.array([0.25, 0.25, 5e-13, 7.0, 0.0])      # q = 0.5, 0.5, 1e-12, (no return), 0
    dev = attach_plenum(_plenum_fed(5), a, phi)
    assert dev.n == 1                                   # no spill device
    assert dev.intake.toarray()[0] == pytest.approx(1.2 * np.array([0.5, 0.5, 1e-12, 0, 0]) / (1 + 1e-12))
    phi = np.array([0.25, 0.25, -0.1, 7.0, 0.0])        # q = 0.5, 0.5, -0.2
    dev = attach_plenum(_plenum_fed(5), a, phi)
    assert dev.n == 2 and dev.airflow_m3s[1] == pytest.approx(0.2)
    assert dev.intake.toarray()[1] == pytest.approx([0.1, 0.1, 0, 0, 0])   # 0.2 x the mix
    assert dev.discharge.toarray()[:, 1] == pytest.approx([0, 0, 0.2, 0, 0])
    assert dev.heat_w[1] == 0.0 and dev.cap_w[1] == 0.0
