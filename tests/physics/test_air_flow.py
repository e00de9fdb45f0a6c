"""Potential-flow airflow solve (twin/physics/air/flow.py): preconditioned CG on the
cell balance, its AMG hierarchy rebuilt when it stops working, and a clear error when
the solve cannot converge."""

import numpy as np
import pytest

from twin.physics.air import SolveError
from twin.physics.air.devices import build_devices
from twin.physics.air.flow import AmgCache, build_flow_system, face_fluxes, solve_potential
from twin.physics.air.grid import Geometry, Grid, build_geometry, make_grid
from twin.physics.air.synthetic import room


class _UnfitFirst(AmgCache):
    """An AMG cache whose first hierarchy does not fit (its V-cycle does nothing: plain CG,
    ~235 iterations on this room); every rebuilt one is the real V-cycle (~14)."""

    def vcycle(self, b):
        return super().vcycle(b) if self.builds > 1 else b.copy()


@pytest.fixture(scope="module")
def system():
    """The 20-rack room's flow system (36 x 24 x 7 cells) and its device sources."""
    sc = room(20)
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    dev = build_devices(sc, geom)
    source = np.asarray(dev.discharge.sum(axis=1)).ravel() - np.asarray(dev.intake.sum(axis=0)).ravel()
    return geom, build_flow_system(geom), source


def _net_outflow(geom, fluxes):
    """Per cell: flow out through its six faces minus flow in (m3/s)."""
    return ((fluxes.x[:, :, 1:] - fluxes.x[:, :, :-1]) + (fluxes.y[:, 1:, :] - fluxes.y[:, :-1, :])
            + (fluxes.z[1:] - fluxes.z[:-1]))


def test_a_hierarchy_that_stops_working_is_rebuilt_and_the_flow_balances(system):
    """CG with the unfit hierarchy does not converge in 40 iterations; the solve rebuilds
    it once and tries again. The answer conserves mass: in every air cell the net face
    outflow equals what the devices put in (discharge - intake)."""
    geom, fs, source = system
    amg = _UnfitFirst()
    phi, it = solve_potential(fs, source, amg, None, 1e-8, 40)
    assert amg.builds == 2 and 0 < it <= 40
    out = _net_outflow(geom, face_fluxes(fs, geom, phi))
    air = ~geom.solid
    assert np.abs(out[air] - source.reshape(geom.grid.shape)[air]).max() <= 1e-6 * np.abs(source).max()


def test_a_potential_that_cannot_converge_raises_solve_error(system):
    """One CG iteration cannot reach a 1e-8 residual on a multigrid-size room, neither
    with the first hierarchy nor with the rebuilt one: a SolveError says so."""
    _, fs, source = system
    amg = AmgCache()
    with pytest.raises(SolveError, match="did not converge in 1 CG iterations"):
        solve_potential(fs, source, amg, None, 1e-8, 1)
    assert amg.builds == 2


def test_the_retry_after_a_rebuild_keeps_the_tolerance_relative_to_the_right_side(system):
    """rtol is relative to |b| (SolverSettings: "Tolerances are relative to the right
    side"), also in the second attempt after the unfit hierarchy is rebuilt: a tiny source
    of norm 1e-4 solved to rtol 1e-6 must leave a residual of at most 1e-10, not stop at
    the zero start (whose residual is |b| itself)."""
    _, fs, source = system
    b = source / np.linalg.norm(source) * 1e-4
    amg = _UnfitFirst()
    phi, it = solve_potential(fs, b, amg, None, 1e-6, 40)
    assert amg.builds == 2 and it > 0
    assert np.linalg.norm(b - fs.A @ phi) <= 1e-6 * 1e-4


def test_the_pin_adds_one_conductance_to_its_cell_balance():
    """A closed 2 x 2 x 2 box of 0.5 m cells: every face conductance is 0.5 m (x, y:
    dx dz / dx = dz; z: dx^2 / dz), each cell has 3 open neighbours (diagonal 1.5). Mass
    balance makes every row of A sum to zero, except the pin (the first air cell, which
    fixes the potential level): its diagonal gets the median conductance 0.5 on top."""
    g = Grid(2, 2, 2, 0.5, 0.5)
    ox = np.ones((2, 2, 3)); ox[:, :, [0, -1]] = 0
    oy = np.ones((2, 3, 2)); oy[:, [0, -1], :] = 0
    oz = np.ones((3, 2, 2)); oz[[0, -1]] = 0
    geom = Geometry(g, np.zeros(g.shape, bool), ox, oy, oz, np.zeros((2, 2), bool))
    fs = build_flow_system(geom)
    assert fs.pins.tolist() == [0]
    assert fs.A.diagonal() == pytest.approx([2.0] + [1.5] * 7)
    assert np.asarray(fs.A.sum(axis=1)).ravel() == pytest.approx([0.5] + [0.0] * 7)
