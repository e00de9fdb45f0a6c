"""Potential-flow airflow solve (twin/physics/air/flow.py): preconditioned CG on the
cell balance, its AMG hierarchy rebuilt when it stops working, and a clear error when
the solve cannot converge."""

import numpy as np
import pytest

from twin.physics.air import SolveError
from twin.physics.air.devices import build_devices
from twin.physics.air.flow import AmgCache, build_flow_system, face_fluxes, solve_potential
from twin.physics.air.grid import build_geometry, make_grid
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
