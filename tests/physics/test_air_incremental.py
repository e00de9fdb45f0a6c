"""Incremental solving: power-only updates, warm re-solves, cancel/progress, results."""

from dataclasses import replace

import numpy as np
import pytest

from twin.physics.air import AirScene, AirSolver, Racks, SolveError, SolverSettings
from twin.physics.cancel import Cancelled
from twin.physics.air.flow import FaceFluxes, build_flow_system, start_after_edit
from twin.physics.air.grid import build_geometry, make_grid
from twin.physics.air.synthetic import room


def _with(sc, racks):
    return AirScene(sc.hall, racks, sc.cooling, sc.tiles, sc.containment, sc.settings)


def _moved(sc, i, dx):
    r = sc.racks
    c = r.center_xy_m.copy(); c[i, 0] += dx
    return _with(sc, Racks(c, r.size_m, r.rotation_deg, r.airflow_m3s, r.air_heat_w))


@pytest.fixture
def scene():
    return room(20, supply_ratio=0.9, settings=SolverSettings(buoyancy=False))


def test_update_power_matches_full_solve_without_airflow_resolve(scene):
    s = AirSolver()
    s.solve(scene)
    heat = scene.racks.air_heat_w * np.linspace(0.5, 1.2, scene.racks.n)
    upd = s.update_power(heat)
    assert upd.iterations.get("flow_cg", 0) == 0
    fresh = AirSolver().solve(_with(scene, scene.racks.with_power(heat)))
    assert np.allclose(upd.rack_inlet_mean_c, fresh.rack_inlet_mean_c, atol=1e-5)
    assert abs(upd.residual_pct) <= 0.1


def test_power_update_tracks_device_modes_and_stays_warm(scene):
    """A large power swing moves units between modes; still one warm solve
    per mode pass and a match with a full solve."""
    s = AirSolver()
    s.solve(scene)
    heat = scene.racks.air_heat_w * np.linspace(1.4, 0.2, scene.racks.n)
    upd = s.update_power(heat)
    fresh = AirSolver().solve(_with(scene, scene.racks.with_power(heat)))
    assert np.allclose(upd.rack_inlet_mean_c, fresh.rack_inlet_mean_c, atol=1e-3)
    assert np.allclose(upd.unit_return_c, fresh.unit_return_c, atol=1e-3)
    assert np.allclose(upd.rack_capture_index, fresh.rack_capture_index, atol=1e-4)
    assert abs(upd.residual_pct) <= 0.1


def test_fine_state_survives_coarse_drag_passes(scene):
    s = AirSolver()
    s.solve(scene)
    moved = _moved(scene, 3, 0.3)
    s.solve(moved, coarse=True)
    warm = s.solve(moved)
    assert s._state.amg.builds == 1          # the fine hierarchy was refreshed, not rebuilt
    cold = AirSolver().solve(moved)
    assert np.allclose(warm.rack_inlet_mean_c, cold.rack_inlet_mean_c, atol=1e-4)


def test_refreshed_hierarchy_equals_fresh_galerkin_products(scene):
    """After a move the coarse operators are updated by the change only: they must equal
    R A P of the new matrix."""
    s = AirSolver()
    s.solve(scene)
    for k in range(3):
        s.solve(_moved(scene, 3 + k, 0.3))
    amg = s._state.amg
    assert amg.builds == 1
    for fine, coarse in zip(amg.ml.levels[:-1], amg.ml.levels[1:]):
        fresh = fine.R @ fine.A @ fine.P
        assert abs(fresh - coarse.A).max() <= 1e-12 * abs(fresh).max()


def test_idle_upkeep_rebuilds_a_refreshed_hierarchy_and_the_next_move_gains():
    """``maintain`` (the physics process's idle time) rebuilds the airflow hierarchy
    that moves left refreshed, and the thermal coarse operators on it: the next move's
    airflow solve then needs fewer iterations than on the refreshed one, to the same
    answer, and its temperature solve sets up no coarse operators."""
    from tests.conftest import LAYOUTS
    from twin.engine.simulate import Simulator
    from twin.io import load_layout
    runs = {}
    for upkeep in (False, True):
        lay = load_layout(LAYOUTS / "gb200-pod.json")
        sim = Simulator()
        sim.run(lay.snapshot())
        for k, rack in enumerate(("A02", "A05")):
            if k and upkeep:
                state = sim.air_solver._state
                amg = state.amg
                amg.idle_rebuild_max_s = float("inf")   # (its set-up time: not under test)
                builds = amg.builds
                assert sim.maintain() and amg.builds == builds + 1
                assert not sim.maintain()                     # nothing left to do
                # the thermal coarse operators follow the new prolongators (built now,
                # not in the next move's solve), and that solve uses them as they are
                space = state.coarse_space
                assert space is not None and space.prolongator is amg.ml.levels[0].P
            i = lay.racks.index_of(rack)
            lay.move_racks([rack], [float(lay.racks["x_m"][i])],
                           [float(lay.racks["y_m"][i]) + lay.hall.tile_pitch_m])
            res = sim.run(lay.snapshot())
            if k and upkeep:
                assert sim.air_solver._state.transport.coarse_space is space
        runs[upkeep] = res.air
    assert runs[True].iterations["flow_cg"] < runs[False].iterations["flow_cg"]
    assert np.allclose(runs[True].rack_inlet_mean_c, runs[False].rack_inlet_mean_c, atol=0.02)


def test_kept_coarse_operators_only_precondition(scene):
    """With the thermal coarse-grid correction on, a re-solve after a move reuses the
    last flow field's coarse operators and still matches a cold solve."""
    s = AirSolver()
    s.solve(scene)
    s._state.thermal_coarse = True
    s.solve(_moved(scene, 3, 0.3))
    kept = s._state.coarse_space
    assert kept is not None
    warm = s.solve(scene)
    assert s._state.transport.coarse_space is kept
    cold = AirSolver().solve(scene)
    assert np.allclose(warm.rack_inlet_mean_c, cold.rack_inlet_mean_c, atol=1e-4)
    assert abs(warm.residual_pct) < 1e-3


def test_warm_start_after_edit_takes_the_new_blocking():
    """Cells that became solid start at φ = 0, opened cells between their open
    neighbours' values; the rest keeps the last potential."""
    sc = room(20, settings=SolverSettings(buoyancy=False))
    g = make_grid(sc.hall, sc.settings)
    old, new = build_geometry(sc, g), build_geometry(_moved(sc, 3, 0.6), g)
    fs = build_flow_system(new)
    phi = np.linspace(1.0, 2.0, g.n)
    changed = (old.solid != new.solid).ravel()
    start = start_after_edit(fs, phi, changed)
    assert changed.any() and np.array_equal(start[~changed], phi[~changed])
    assert np.all(start[changed & new.solid.ravel()] == 0.0)
    opened = np.flatnonzero(changed & ~new.solid.ravel())
    assert np.all((start[opened] >= 1.0) & (start[opened] <= 2.0))


def test_rack_move_warm_resolve_matches_cold(scene):
    s = AirSolver()
    s.solve(scene)
    moved = _moved(scene, 3, 0.3)
    warm = s.solve(moved)
    cold = AirSolver().solve(moved)
    assert np.allclose(warm.rack_inlet_mean_c, cold.rack_inlet_mean_c, atol=1e-4)


def test_coarse_pass_runs_on_a_coarser_grid(scene):
    s = AirSolver()
    fine = s.solve(scene)
    coarse = s.solve(scene, coarse=True)
    assert coarse.grid.nx < fine.grid.nx
    assert abs(coarse.residual_pct) <= 0.1


def test_cancel_and_progress(scene):
    seen = []
    AirSolver().solve(scene, progress=lambda f, m: seen.append((f, m)))
    assert seen[0][0] == 0.0 and seen[-1][0] == 1.0
    with pytest.raises(Cancelled):
        AirSolver().solve(scene, cancel=lambda: True)


def test_a_solve_cancelled_at_its_last_step_leaves_nothing_to_update(scene):
    """Cancelled after the capture index, at the final check: no result was delivered, so a
    power update has nothing to start from and says so (not an AttributeError)."""
    late = []
    s = AirSolver()
    with pytest.raises(Cancelled):
        s.solve(scene, cancel=lambda: bool(late),
                progress=lambda f, m: late.append(m) if m == "capture index" else None)
    with pytest.raises(SolveError, match="needs a previous solve"):
        s.update_power(scene.racks.air_heat_w)


def test_result_fields_slice_and_velocity():
    sc = room(20)
    r = AirSolver().solve(sc)
    g = r.grid
    assert r.temperature_c.shape == (g.nz, g.ny, g.nx)
    assert np.isnan(r.temperature_c).any()           # racks are solid
    s = r.slice_at(1.0)
    assert s.shape == (g.ny, g.nx)
    k = 1
    at_layer = r.slice_at(g.z_m[k])
    air = ~np.isnan(r.temperature_c[k])
    assert np.allclose(at_layer[air], r.temperature_c[k][air])
    mid = r.slice_at(0.5 * (g.z_m[k] + g.z_m[k + 1]))
    both = air & ~np.isnan(r.temperature_c[k + 1])
    assert np.allclose(mid[both], 0.5 * (r.temperature_c[k] + r.temperature_c[k + 1])[both])
    v = r.velocity_m_s()
    assert v.shape == (3, g.nz, g.ny, g.nx) and np.isfinite(v).all()
    # by hand: a plug flow of 0.02 m³/s up through every horizontal face and 0.01 m³/s
    # along +x through every vertical x-face: w = 0.02 / dx² and u = 0.01 / (dx·dz) in
    # every cell (the mean of two equal faces), v = 0; halving the top faces' flow halves
    # only the top layer's upper face: w there = (0.02 + 0.01) / 2 / dx²
    zf = np.full((g.nz + 1, g.ny, g.nx), 0.02)
    plug = FaceFluxes(x=np.full((g.nz, g.ny, g.nx + 1), 0.01), y=np.zeros((g.nz, g.ny + 1, g.nx)), z=zf)
    u, vy, w = replace(r, fluxes=plug).velocity_m_s()
    assert np.allclose(w, 0.02 / g.dx ** 2) and np.allclose(u, 0.01 / (g.dx * g.dz)) and not vy.any()
    zf = zf.copy()
    zf[-1] = 0.01
    w = replace(r, fluxes=replace(plug, z=zf)).velocity_m_s()[2]
    assert np.allclose(w[-1], 0.015 / g.dx ** 2) and np.allclose(w[:-1], 0.02 / g.dx ** 2)
    assert np.all(r.rack_inlet_max_c >= r.rack_inlet_mean_c - 1e-9)
    assert set(r.timings_s) >= {"flow_s", "thermal_s", "total_s"}


def test_progress_names_each_stage_in_order():
    """The status bar shows these stage names; with buoyancy on at least one buoyancy pass
    runs between the temperature solve and the capture index."""
    seen = []
    AirSolver().solve(room(8, supply_ratio=0.9), progress=lambda f, m: seen.append((f, m)))
    names = [m for _, m in seen]
    assert names[:3] == ["geometry", "airflow", "temperature"]
    assert names[-2:] == ["capture index", "done"]
    assert set(names[3:-2]) == {"buoyancy"}
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_progress_stays_below_the_capture_index_however_many_buoyancy_passes():
    """A tolerance only an unchanged pass meets runs buoyancy passes until the inlets stop
    changing (5 here): the fraction shown still never goes back and every buoyancy pass
    shows less than the capture-index stage after it (the bar does not reach that stage
    early and then fall back)."""
    seen = []
    res = AirSolver().solve(room(8, supply_ratio=0.9, settings=SolverSettings(buoyancy_tol_k=1e-12)),
                            progress=lambda f, m: seen.append((f, m)))
    buoy = [f for f, m in seen if m == "buoyancy"]
    capture = [f for f, m in seen if m == "capture index"]
    assert len(buoy) == res.iterations["buoyancy_passes"] >= 5 and len(capture) == 1
    assert max(buoy) < capture[0]
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and 0.0 <= fractions[0] and fractions[-1] == 1.0


def _moved_rack(sc: AirScene, i: int, dx: float) -> AirScene:
    c = sc.racks.center_xy_m.copy(); c[i, 0] += dx
    return AirScene(sc.hall, replace(sc.racks, center_xy_m=c), sc.cooling, sc.tiles,
                    sc.containment, sc.settings)


def test_a_strongly_buoyant_move_converges_to_the_tight_reference():
    """A 20-rack starved room (supply 90 %) whose fourth rack moves half a slot: the row
    opens a gap, and the strong drift (buoyancy time 2.3 s) couples the flow and the
    temperatures tightly. Unrelaxed, the buoyancy passes overshot (inlet changes 0.33,
    0.47, 0.50, 0.34 … K) and stopped at the sixth pass 0.32 K from a reference solved
    with a ten times tighter pass tolerance; relaxed (buoyancy.PICARD_RELAXATION) the
    live re-solve, warm from the unmoved room, lands within 0.05 K of it, as does a cold
    solve, in fewer passes than the limit."""
    sc = room(20, supply_ratio=0.9)
    live = AirSolver()
    live.solve(sc)
    moved = _moved_rack(sc, 3, 0.3)
    res = live.solve(moved)
    tight = replace(moved.settings, flow_rtol=1e-7, buoyancy_tol_k=0.002)
    ref = AirSolver().solve(AirScene(moved.hall, moved.racks, moved.cooling, moved.tiles,
                                     moved.containment, tight))
    cold = AirSolver().solve(moved)
    for r in (res, cold):
        assert np.abs(r.rack_inlet_mean_c - ref.rack_inlet_mean_c).max() < 0.05
        assert np.abs(r.rack_inlet_max_c - ref.rack_inlet_max_c).max() < 0.05
        assert r.iterations["buoyancy_passes"] < 6


def test_the_buoyancy_stop_uses_the_error_the_contraction_implies():
    """Worked by hand: the error left after a pass that changed the inlets by d, at a
    contraction q per pass, is q/(1 − q)·d; the passes stop when it is within the tolerance
    (0.02 K by default), however the changes are given."""
    from twin.physics.air.solver import _contraction, _picard_done
    st = SolverSettings()
    assert st.buoyancy_tol_k == 0.02
    assert _picard_done(np.array([0.01, 0.02]), st, 0.5)            # 1 x 0.02 = 0.02 K: stop
    assert not _picard_done(np.array([0.021]), st, 0.5)
    assert _picard_done(0.05, st, 0.2)                              # 0.25 x 0.05 = 0.0125 K
    assert not _picard_done(0.05, st, 0.4)                          # 0.667 x 0.05 = 0.033 K
    assert not _picard_done(0.0023, st, 0.9)                        # 9 x 0.0023 = 0.0207 K
    assert _picard_done(0.0021, st, 0.9)                            # 9 x 0.0021 = 0.0189 K
    assert _picard_done(np.zeros(0), st, 0.4)                       # no rack: nothing to wait for
    # the measured ratio of two passes' changes, floored and kept below 1: a growing change
    # (ratio 1.2) never stops early
    assert _contraction(0.1) == 0.4 and _contraction(0.6) == 0.6
    assert _contraction(1.2) == 0.95 and not _picard_done(0.002, st, _contraction(1.2))


def test_aitken_relaxation_worked_by_hand():
    """The first relaxed field is ``used + 0.8 r`` (r = new − used); the next takes
    ``ω = −0.8 · r₀·(r₁ − r₀) / |r₁ − r₀|²`` from the last two residuals: r₀ = (1, 2),
    r₁ = (−0.5, 0.5), r₁ − r₀ = (−1.5, −1.5), r₀·Δ = −4.5, |Δ|² = 4.5, ω = 0.8; then
    r₂ = (0.1, −0.3), Δ = (0.6, −0.8), r₁·Δ = −0.7, |Δ|² = 1.0, ω = 0.56. ω stays within
    [RELAXATION_MIN, 1], a solid cell (NaN) takes the new field, and a field of another
    size (a new grid) starts over."""
    from twin.physics.air import buoyancy
    from twin.physics.air.solver import _Relaxation
    rx = _Relaxation()
    assert rx.next(np.array([1.0, 2.0]), None).tolist() == [1.0, 2.0]
    out = rx.next(np.array([1.0, 2.0]), np.zeros(2))
    assert out == pytest.approx([0.8, 1.6])
    out = rx.next(np.array([0.3, 2.1]), out)                     # r₁ = (−0.5, 0.5)
    assert rx.omega == pytest.approx(0.8) and out == pytest.approx([0.4, 2.0])
    out = rx.next(out + [0.1, -0.3], out)                        # r₂ = (0.1, −0.3)
    assert rx.omega == pytest.approx(0.56) and out == pytest.approx([0.456, 1.832])
    rx.next(out + [1.0, 1.0], out)                                # r₃ = (1, 1): Δ = (0.9, 1.3)
    assert rx.omega == buoyancy.RELAXATION_MIN                   # −0.56·(0.9 − 0.39)/2.5 < 0
    rx2 = _Relaxation()
    rx2.next(np.array([1.0, 1.0]), np.zeros(2))
    rx2.next(np.array([-2.2, -2.2]), np.array([0.8, 0.8]))       # r: (1,1) -> (-3,-3)
    assert rx2.omega == pytest.approx(0.2)                       # 0.8·8/32
    same = _Relaxation()                                         # r₁ = r₀: no new information,
    same.next(np.array([1.0, 1.0]), np.zeros(2))                 # ω is kept (not 0/0)
    out = same.next(np.array([1.8, 1.8]), np.array([0.8, 0.8]))
    assert same.omega == 0.8 and out == pytest.approx([1.6, 1.6])
    rx3 = _Relaxation()
    rx3.next(np.array([1.0, 1.0]), np.zeros(2))
    rx3.next(np.array([1.6, 1.6]), np.array([0.8, 0.8]))         # r: (1,1) -> (0.8,0.8)
    assert rx3.omega == 1.0                                      # 0.8·1/0.2 = 4 -> 1
    solid = rx3.next(np.array([5.0, 5.0]), np.array([np.nan, 1.0]))
    assert solid[0] == 5.0
    assert rx3.next(np.array([1.0, 2.0, 3.0]), np.zeros(2)).tolist() == [1.0, 2.0, 3.0]


def test_a_starved_ceiling_vent_room_converges_to_its_tight_reference(monkeypatch):
    """The CFD library's starved ceiling-vent room (tiles at 75 %, tests/bench/cfd): with a
    fixed 0.8 blend its buoyancy passes crept (inlet changes 3.7, 1.8, 1.4, 1.1, 0.9, 0.8,
    0.7 … K, still 0.23 K at the thirtieth) and the solve stopped 0.53 K from the
    reference, its mirrored rows 0.35 K apart; with Aitken's relaxation it lands within
    0.05 K of a reference solved to a 20 times tighter stop (up to 40 passes), the rows
    mirror each other."""
    from pathlib import Path
    from twin.engine import inputs
    from twin.engine.simulate import simulate
    from twin.io import load_layout
    lay = load_layout(Path(__file__).resolve().parents[1] / "bench" / "cfd" / "rooms"
                      / "vents_starved.json")
    res = simulate(lay)
    scene, _ = inputs.air_scene(lay, res.rack_air_heat_kw * 1e3)
    from twin.physics.air import buoyancy
    monkeypatch.setattr(buoyancy, "MAX_PICARD_PASSES", 40)
    ref = AirSolver().solve(replace(scene, settings=replace(scene.settings, buoyancy_tol_k=0.001)))
    got = res.air.rack_inlet_mean_c
    assert np.abs(got - ref.rack_inlet_mean_c).max() < 0.05
    assert np.abs(got[:6] - got[6:]).max() < 0.05                # A01..A06 mirror B01..B06
    assert ref.iterations["buoyancy_passes"] < 20


def test_new_recirculation_constants_are_not_taken_as_converged_from_the_old_drift():
    """The CFD library's over-supplied open aisle (tiles at 130 %, tests/bench/cfd), solved
    with a held-out fit's constants (mixing length 0.0032 m, diffusivity 0.0942 m²/s,
    buoyancy time 2.39 s) and then with the defaults again on the same solver: the first
    thermal pass under the old drift landed within the buoyancy stop of the old inlets
    and the solve stopped there, 0.196 K from a fresh solve of the defaults. A change of
    the constants changes the drift's law, so the buoyancy passes run: within 0.02 K."""
    from pathlib import Path
    from twin.engine import inputs
    from twin.engine.simulate import simulate
    from twin.io import load_layout
    lay = load_layout(Path(__file__).resolve().parents[1] / "bench" / "cfd" / "rooms"
                      / "open_oversupplied.json")
    scene, _ = inputs.air_scene(lay, simulate(lay).rack_air_heat_kw * 1e3)
    fresh = AirSolver().solve(scene)
    solver = AirSolver()
    solver.solve(replace(scene, settings=replace(scene.settings, mixing_length_m=0.0032,
                                                 turbulent_diffusivity_m2s=0.0942,
                                                 buoyancy_time_s=2.39, row_end_entrainment=0.4765)))
    again = solver.solve(scene)
    assert again.iterations["buoyancy_passes"] >= 1
    assert np.abs(again.rack_inlet_mean_c - fresh.rack_inlet_mean_c).max() < 0.02
    assert np.abs(again.rack_inlet_max_c - fresh.rack_inlet_max_c).max() < 0.02
    # an edit that keeps the constants still stops at once when the inlets barely move
    same = solver.solve(scene)
    assert same.iterations["buoyancy_passes"] == 0
