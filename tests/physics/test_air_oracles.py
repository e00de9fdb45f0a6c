"""Analytic oracles for the air physics: energy, mixing limits, plug flow, Laplace."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve_triangular

from twin.physics.air import AirSolver, SolverSettings
from twin.physics.air.devices import RHO_CP, Devices
from twin.physics.air.flow import AmgCache, build_flow_system, face_fluxes, solve_potential
from twin.physics.air.flow import FaceFluxes
from twin.physics.air.grid import Grid, _span, build_geometry, make_grid
from twin.physics.air.scene import AirScene, CoolingUnits, Hall, Racks
from twin.physics.air.synthetic import room
from twin.physics.air.thermal import CoupledTransport, LowerTriangle, transport_matrix


@pytest.mark.parametrize("ratio, cont", [(1.1, None), (0.75, None), (0.8, "cold_aisle"),
                                         (1.0, "hot_aisle")])
def test_energy_balance_and_closed_room_return(ratio, cont):
    sc = room(20, supply_ratio=ratio, containment=cont)
    r = AirSolver().solve(sc)
    assert r.converged
    assert abs(r.residual_pct) <= 0.1
    # every unit holds its set-point → mean return = T_sup + ΣP / (ρ c_p V_sup)
    assert np.allclose(r.unit_supply_c, 18.0)
    v = sc.cooling.airflow_m3s
    t_ret = np.sum(v * r.unit_return_c) / v.sum()
    expected = 18.0 + sc.racks.air_heat_w.sum() / (RHO_CP * v.sum())
    assert t_ret == pytest.approx(expected, abs=1e-4)
    assert r.heat_in_w == pytest.approx(sc.racks.air_heat_w.sum())


def test_mixed_limit_starved_contained_aisle():
    """Supply ratio 0.8, rack ΔT 12 K, supply 18 °C, well-mixed aisle and room:
    inlets 0.8·18 + 0.2·(T_in + 12) = 21.0 °C, return 33.0 °C."""
    st = SolverSettings(turbulent_diffusivity_m2s=50.0, mixing_length_m=0.0, buoyancy=False,
                        max_iterations=20000)
    sc = room(20, supply_ratio=0.8, rack_dt_k=12.0, supply_c=18.0, containment="cold_aisle",
              settings=st)
    r = AirSolver().solve(sc)
    assert np.allclose(r.rack_inlet_mean_c, 21.0, atol=0.1)
    assert np.allclose(r.unit_return_c, 33.0, atol=1e-3)
    assert np.allclose(r.rack_exhaust_c - r.rack_inlet_mean_c, 12.0)


def test_fully_mixed_room_inlet_equals_return():
    st = SolverSettings(turbulent_diffusivity_m2s=200.0, mixing_length_m=0.0, buoyancy=False,
                        max_iterations=20000)
    r = AirSolver().solve(room(8, supply_ratio=0.8, settings=st))
    assert np.allclose(r.rack_inlet_mean_c, 18.0 + 12.0 / 0.8, atol=0.5)


def _duct_scene():
    hall_ = Hall(0.6, 6.0, 1.5, raised_floor=False)
    racks = Racks(np.zeros((0, 2)), np.zeros((0, 3)), [], [], [])
    units = CoolingUnits((), np.zeros((0, 2)), np.zeros((0, 3)), [], [], [], [])
    return AirScene(hall_, racks, units, settings=SolverSettings(cell_m=0.3, cell_z_m=0.5))


def test_laplace_uniform_duct_potential_is_linear():
    sc = _duct_scene()
    g = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, g)
    fs = build_flow_system(geom)
    q = 0.5
    src = np.zeros(g.shape)
    src[:, 0, :] = q / (g.nz * g.nx)
    src[:, -1, :] = -q / (g.nz * g.nx)
    phi, its = solve_potential(fs, src.ravel(), AmgCache(), None, 1e-12, 200)
    P = phi.reshape(g.shape)
    a = g.dx * g.dz / g.dx
    # uniform flow q through every cross-section: φ_j − φ_{j+1} = q / (a · n_faces)
    drop = P[:, :-1, :] - P[:, 1:, :]
    assert np.allclose(drop, q / (a * g.nz * g.nx), rtol=1e-8)
    f = face_fluxes(fs, geom, phi)
    assert np.allclose(f.y[:, 1:-1, :].sum(axis=(0, 2)), q, rtol=1e-8)
    assert np.allclose(f.x, 0, atol=1e-10) and np.allclose(f.z, 0, atol=1e-10)


def _duct_transport(gamma0_m2s: float = 0.0):
    """The plug-flow duct: grid, transport matrix, devices (a supply at the south end, a
    heater across the duct at j = 10-11), potential, flow q (m³/s) and heat (W)."""
    sc = _duct_scene()
    g = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, g)
    q = 0.4
    idx = np.arange(g.n).reshape(g.shape)
    fy = np.zeros((g.nz, g.ny + 1, g.nx)); fy[:, 1:-1, :] = q / (g.nz * g.nx)
    fy[:, 11, :] = 0.0                       # the heater takes the flow through itself
    fl = FaceFluxes(np.zeros((g.nz, g.ny, g.nx + 1)), fy, np.zeros((g.nz + 1, g.ny, g.nx)))
    cells = lambda j: idx[:, j, :].ravel()
    per = q / (g.nz * g.nx)
    rows_in = np.concatenate([cells(g.ny - 1), cells(10)])
    dev_in = np.concatenate([np.zeros(g.nz * g.nx, int), np.ones(g.nz * g.nx, int)])
    intake = sp.csr_matrix((np.full(len(rows_in), per), (dev_in, rows_in)), shape=(2, g.n))
    rows_out = np.concatenate([cells(0), cells(11)])
    discharge = sp.csr_matrix((np.full(len(rows_out), per), (rows_out, dev_in)), shape=(g.n, 2))
    heat = 2400.0
    dev = Devices(1, np.array([0]), np.array([q, q]), np.array([0.0, heat]), np.zeros(2),
                  np.array([18.0, 18.0]), intake, discharge, np.zeros(0))
    M = transport_matrix(geom, fl, dev, gamma0_m2s, 0.0)
    phi = -np.repeat(np.arange(g.ny), g.nx)[None, :].repeat(g.nz, 0).ravel().astype(float)
    phi = phi + 100.0 * (np.arange(g.n) // g.nx % g.ny > 10)   # heater lifts the potential
    return g, M, dev, phi, q, heat


def test_plug_flow_duct_outlet_and_profile():
    """Pure advection along a duct: a supply at 18 °C enters at the south end,
    a heater device across the duct at j = 10 adds P; downstream = 18 + P/(ρ c_p V)."""
    g, M, dev, phi, q, heat = _duct_transport()
    tr = CoupledTransport(M, dev, phi)
    T, t_out, its = tr.solve(np.array([False, True]), np.array([18.0, heat / (RHO_CP * q)]),
                             None, 1e-12, 50)
    T = T.reshape(g.shape)
    rise = heat / (RHO_CP * q)
    assert np.allclose(T[:, :11, :], 18.0)
    assert np.allclose(T[:, 11:, :], 18.0 + rise)
    assert t_out[1] == pytest.approx(18.0 + rise)
    assert its <= 2                          # exact triangular preconditioner


def test_a_coarse_correction_on_one_or_two_levels_only_preconditions():
    """With diffusion against the flow the triangle is no longer exact; a coarse-grid
    correction over one prolongator (pairs of cells) or two (pairs, then pairs of pairs)
    changes the iterations, never the answer."""
    g, M, dev, phi, q, heat = _duct_transport(gamma0_m2s=0.05)
    P0 = sp.csr_matrix((np.ones(g.n), (np.arange(g.n), np.arange(g.n) // 2)))
    m1 = P0.shape[1]
    P1 = sp.csr_matrix((np.ones(m1), (np.arange(m1), np.arange(m1) // 2)))
    linear, value = np.array([False, True]), np.array([18.0, heat / (RHO_CP * q)])
    plain = CoupledTransport(M, dev, phi)
    T_ref, out_ref, _ = plain.solve(linear, value, None, 1e-12, 400)
    assert not plain.has_coarse_correction
    for levels in ([P0], [P0, P1]):
        tr = CoupledTransport(M, dev, phi, prolongators=levels)
        tr.add_coarse_correction()
        assert tr.has_coarse_correction
        assert (tr.coarse_space.P1 is None) == (len(levels) == 1)
        T, t_out, _ = tr.solve(linear, value, None, 1e-12, 400)
        np.testing.assert_allclose(T, T_ref, rtol=0, atol=1e-8)
        np.testing.assert_allclose(t_out, out_ref, rtol=0, atol=1e-8)
    # energy: the heater's rise reaches the duct's far end whatever diffuses upstream
    assert out_ref[1] > 18.0 and T_ref.max() <= 18.0 + heat / (RHO_CP * q) + 1e-9


def test_an_object_spans_the_cells_whose_centres_it_covers_or_else_the_nearest():
    # 10 cells of 0.3 m: centres 0.15, 0.45, ... 2.85
    assert _span(0.45, 0.4, 0.3, 10).tolist() == [1]            # 0.25..0.65 covers 0.45
    assert _span(0.45, 0.62, 0.3, 10).tolist() == [0, 1, 2]     # 0.14..0.76
    # narrower than a cell and between centres: the cell it stands in, never none
    assert _span(0.05, 0.02, 0.3, 10).tolist() == [0]
    assert _span(0.62, 0.02, 0.3, 10).tolist() == [2]
    # past the grid's edge: the edge cell
    assert _span(5.0, 0.02, 0.3, 10).tolist() == [9]
    assert _span(-1.0, 0.02, 0.3, 10).tolist() == [0]


def test_cell_of_points_on_and_past_the_grid_edges():
    g = Grid(nx=4, ny=3, nz=2, dx=0.5, dz=1.0)
    # (i, j, k) -> (k * ny + j) * nx + i; points in the first row and column are cell 0
    assert g.cell_of(0.1, 0.1, 0.1) == 0
    assert g.cell_of(1.2, 0.2, 1.5) == (1 * 3 + 0) * 4 + 2
    assert g.cell_of(0.2, 1.4, 0.5) == (0 * 3 + 2) * 4 + 0
    # past an edge: clipped into the edge cell, never a neighbouring row's index
    assert g.cell_of(-0.3, 0.7, 0.5) == (0 * 3 + 1) * 4 + 0
    assert g.cell_of(0.7, -0.3, 0.5) == (0 * 3 + 0) * 4 + 1
    assert g.cell_of(9.0, 9.0, 9.0) == (1 * 3 + 2) * 4 + 3


def test_racks_breathe_the_air_cells_just_in_front_of_their_faces():
    """Intake cells are the first free cells outside the front face (centre within one
    cell of it), discharge cells the same behind the back face, for racks facing both
    ways."""
    from twin.physics.air.devices import _face_samples
    from twin.physics.air.grid import front_vector
    sc = room(6)
    g = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, g)
    r = sc.racks
    k, rem = np.divmod(np.arange(g.n), g.nx * g.ny)
    j, i = np.divmod(rem, g.nx)
    centre = np.stack([(i + 0.5) * g.dx, (j + 0.5) * g.dx], 1)
    f = front_vector(r.rotation_deg)
    assert len({tuple(v) for v in np.round(f, 6)}) == 2          # rows facing both ways
    for side in (+1.0, -1.0):
        own, cells = _face_samples(geom, r.center_xy_m, r.size_m, r.rotation_deg, side)
        assert set(own.tolist()) == set(range(r.n))
        face = r.center_xy_m[own] + side * f[own] * r.size_m[own, 1:2] / 2
        depth = ((centre[cells] - face) * (side * f[own])).sum(1)
        assert depth.min() > 0 and depth.max() <= g.dx + 1e-9
        assert not geom.solid.ravel()[cells].any()


def test_lower_triangle_solve_is_forward_substitution():
    """A forward Gauss–Seidel sweep from zero on the whole matrix solves with its lower
    triangle exactly (the upper entries meet zeros), whatever the upper triangle holds."""
    A = sp.random(200, 200, density=0.05, random_state=1, format="csr") + sp.eye(200) * 3
    A = A.tocsr()
    b = np.arange(200.0)
    x = LowerTriangle(A).solve(b)
    L = sp.tril(A, format="csr")
    assert np.allclose(L @ x, b, rtol=0, atol=1e-12)
    assert np.allclose(x, spsolve_triangular(L, b, lower=True))


def test_energy_residual_is_heat_in_minus_heat_removed():
    """residual % = 100 (heat in − heat removed) / heat in, heat in = rack air heat + unit
    fan heat (8 racks × 10 kW, no fan heat here): a small, non-zero number after a solve."""
    sc = room(8, supply_ratio=0.9)
    r = AirSolver().solve(sc)
    assert r.heat_in_w == pytest.approx(8 * 10e3, rel=1e-12)
    want = 100.0 * (r.heat_in_w - r.heat_removed_w) / r.heat_in_w
    assert want != 0.0 and abs(want) < 1e-3
    assert r.residual_pct == pytest.approx(want, rel=1e-9)
