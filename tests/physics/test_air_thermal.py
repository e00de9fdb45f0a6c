"""Small hand-checked cases of the air temperature system (``twin.physics.air.thermal``):
the transport matrix of cells with no open face, the forward substitution used as the
preconditioner's triangle, and the iteration count reported across the coarse-grid switch."""

from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp

from twin.physics.air import thermal
from twin.physics.air.thermal import COARSE_AFTER_ITERATIONS, CoupledTransport, LowerTriangle, transport_matrix


def test_cells_with_no_open_face_get_an_identity_row():
    """Three cells in a row, every face closed, no device intake: nothing enters or leaves a
    cell, so its diagonal would be 0; the matrix puts 1 there (the row reads T = 0, well
    scaled), and the whole matrix is the 3×3 identity."""
    nz, ny, nx = 1, 1, 3
    grid = SimpleNamespace(n=3, shape=(nz, ny, nx), dx=0.5, dz=0.5)
    geom = SimpleNamespace(grid=grid, open_x=np.zeros((nz, ny, nx + 1)),
                           open_y=np.zeros((nz, ny + 1, nx)), open_z=np.zeros((nz + 1, ny, nx)))
    fx = SimpleNamespace(x=np.zeros((nz, ny, nx + 1)), y=np.zeros((nz, ny + 1, nx)),
                         z=np.zeros((nz + 1, ny, nx)))
    dev = SimpleNamespace(intake=sp.csr_matrix((1, 3)))
    M = transport_matrix(geom, fx, dev, 0.01, 0.1)
    assert M.toarray() == pytest.approx(np.eye(3))


def test_lower_triangle_solves_integer_right_sides():
    """[[2, 0], [1, 4]] x = [2, 9] by forward substitution: x0 = 2/2 = 1, x1 = (9 − 1)/4 = 2;
    an integer right side must be taken as floats (the compiled sweep wants float64)."""
    A = sp.csr_matrix(np.array([[2.0, 0.0], [1.0, 4.0]]))
    assert LowerTriangle(A).solve(np.array([2, 9])) == pytest.approx([1.0, 2.0])


def test_iterations_add_up_across_the_switch_to_the_coarse_correction(monkeypatch):
    """GMRES on the triangle alone stops unconverged after COARSE_AFTER_ITERATIONS; the
    solve adds the coarse correction and continues (here 7 more iterations): the count
    reported is the total, COARSE_AFTER_ITERATIONS + 7."""
    n = 2
    dev = SimpleNamespace(n=1, airflow_m3s=np.array([1.0]),
                          intake=sp.csr_matrix(np.array([[1.0, 0.0]])),
                          discharge=sp.csr_matrix(np.array([[0.0], [1.0]])))
    ct = CoupledTransport(sp.identity(n, format="csr"), dev, np.array([1.0, 0.0]),
                          prolongators=[sp.csr_matrix(np.ones((n, 1)))])
    runs = iter([(np.zeros(n + 1), COARSE_AFTER_ITERATIONS, False), (np.zeros(n + 1), 7, True)])
    monkeypatch.setattr(thermal, "gmres", lambda *a, **k: next(runs))
    _, _, its = ct.solve(np.zeros(1, bool), np.array([20.0]), None, 1e-6, 100)
    assert ct.has_coarse_correction
    assert its == COARSE_AFTER_ITERATIONS + 7
