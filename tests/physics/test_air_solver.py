"""Hand-checked helpers of the air solver (``twin.physics.air.solver``): the airflow
prolongators it hands to the temperature system, the unbalanced-region warning, the
reuse of the capture index, and the buoyancy drift field kept across a power update."""

from types import SimpleNamespace

import numpy as np
import pytest

from twin.physics.air import SolverSettings, solver
from twin.physics.air.flow import AmgCache
from twin.physics.air.solver import AirSolver, _prolongators, _region_imbalance, _State
from twin.physics.air.synthetic import room


def test_no_prolongators_before_the_airflow_hierarchy_is_built():
    """A fresh AMG cache has no hierarchy (``ml`` None): there is nothing to coarsen with."""
    assert _prolongators(AmgCache()) == []


def test_an_enclosed_region_with_unbalanced_airflow_is_reported():
    """Cells 0, 1 form region 0, cell 2 region 1; 0.5 m³/s enters region 0 and nothing
    leaves it, and neither region vents to the return plenum: one region is unbalanced
    by 0.5 m³/s. Region 1 (net 0) is fine."""
    fs = SimpleNamespace(labels=np.array([0, 0, 1]), return_g=np.zeros(3))
    out = _region_imbalance(fs, np.array([0.5, 0.0, 0.0]))
    assert out == ["1 enclosed air region(s) have unbalanced airflow (0.500 m³/s); "
                   "their pressure is pinned"]
    # the same source in a region vented to the plenum is no imbalance
    vented = SimpleNamespace(labels=np.array([0, 0, 1]), return_g=np.array([0.0, 1.0, 0.0]))
    assert _region_imbalance(vented, np.array([0.5, 0.0, 0.0])) == []


class _Transport:
    """Two cells; rack 0 takes its air from cell 0, rack 1 from cell 1 (W rows), a unit
    from cell 0. ``solve`` returns supply shares 0.25 and 0.75 in the cells."""
    n = 2
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])

    def __init__(self):
        self.solves = 0

    def solve(self, linear, value, x0, rtol, maxiter):
        self.solves += 1
        return np.array([0.25, 0.75]), np.zeros(3), 1


def test_capture_index_is_recomputed_when_supply_fractions_move_by_more_than_1e_9(monkeypatch):
    """The capture index is reused only while the supply fractions match the cached ones to
    1e-9 (absolute): a shift of 4e-9 is a change, so the transport solve runs again and the
    new index (0.25, 0.75) replaces the cached (0.9, 0.9); an identical set reuses the cache."""
    dev = SimpleNamespace(n=3, n_racks=2)
    tr = _Transport()
    value0 = np.array([0.0, 0.0, 1.0])
    S = _State(capture=((tr, 3), value0, np.array([0.9, 0.9]), np.zeros(5)))
    s = AirSolver()
    monkeypatch.setattr(solver, "supply_fraction", lambda d, t: value0.copy())
    assert s._capture(S, tr, dev, None, SolverSettings()) == pytest.approx([0.9, 0.9])
    assert tr.solves == 0
    monkeypatch.setattr(solver, "supply_fraction", lambda d, t: value0 + 4e-9)
    assert s._capture(S, tr, dev, None, SolverSettings()) == pytest.approx([0.25, 0.75])
    assert tr.solves == 1


def test_power_update_keeps_the_drift_field_of_its_own_temperatures():
    """With buoyancy on, the next airflow re-solve starts its drift from the last temperature
    field: after a power update that is the updated field (NaN in solids), as returned."""
    s = AirSolver(capture_index=False)
    sc = room(4)
    s.solve(sc)
    upd = s.update_power(sc.racks.air_heat_w * 1.5)
    drift = s._state.drift_field
    assert drift is not None
    np.testing.assert_array_equal(drift, upd.temperature_c.ravel())


def test_a_solve_reports_its_warnings_flags_and_a_zero_residual_without_heat():
    """What the result carries from the solve: a sealed starved cold aisle (no panel
    leakage) keeps its imbalance as a warning; a full solve has settled its drift and
    converged; a room with its racks at zero heat has nothing to balance (residual 0,
    not 0/0)."""
    sealed = room(10, supply_ratio=0.8, containment="cold_aisle",
                  settings=SolverSettings(containment_leakage=0.0))
    r = AirSolver().solve(sealed)
    assert len(r.warnings) == 1 and "unbalanced airflow" in r.warnings[0]
    assert r.converged is True and r.drift_settled is True and r.field_current is True
    sc = room(10)
    cold = AirSolver().solve(type(sc)(sc.hall, sc.racks.with_power(np.zeros(sc.racks.n)), sc.cooling,
                                      sc.tiles, sc.containment, sc.settings, sc.grilles))
    assert cold.heat_in_w == 0.0 and cold.residual_pct == 0.0
    assert np.allclose(cold.rack_inlet_mean_c, 18.0, atol=1e-6)


def test_a_cold_solve_times_its_stages_within_its_total():
    """The stage timings of a buoyant cold solve (several flow passes) are each positive
    and together no more than the total."""
    r = AirSolver().solve(room(10, supply_ratio=0.8))
    t = r.timings_s
    assert r.iterations["buoyancy_passes"] >= 1
    stages = [t[k] for k in ("geometry_s", "flow_s", "thermal_s", "capture_s")]
    assert all(v > 0 for v in stages)
    assert sum(stages) <= t["total_s"] + 1e-6 and t["total_s"] < 60.0
