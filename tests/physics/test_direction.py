"""Physical directions and monotone responses checked directly (docs/physics.md,
"2.8 Buoyancy drift", "3. Liquid cooling", "4. Power chain", "5. Heat-rejection plant"):
buoyancy lifts warm air; more load → more loss; warmer supply → warmer inlets; less
tile (supply) flow → warmer inlets."""

import numpy as np
import pytest

from twin.physics.air import AirSolver, SolverSettings
from twin.physics.air import buoyancy
from twin.physics.air.grid import build_geometry, make_grid
from twin.physics.air.scene import AirScene, CoolingUnits, Hall, Racks
from twin.physics.air.synthetic import room
from twin.physics.liquid import CduLoops, LiquidBranches, solve_liquid
from twin.physics.plant import PlantSpec, solve_plant
from twin.physics.power import PowerChain, RackFeeds, solve_power, typical_loss_coefficients

NO_BUOYANCY = SolverSettings(buoyancy=False)


def layer_means(r):
    return np.array([np.nanmean(layer) for layer in r.temperature_c])


@pytest.fixture(scope="module")
def starved():
    """A 12-rack room at supply ratio 0.8 solved with and without buoyancy."""
    return (AirSolver().solve(room(12, supply_ratio=0.8)),
            AirSolver().solve(room(12, supply_ratio=0.8, settings=NO_BUOYANCY)))


def test_buoyancy_drift_points_up_for_warm_air_and_down_for_cold():
    hall = Hall(1.2, 1.2, 2.0, raised_floor=False)
    sc = AirScene(hall, Racks(np.zeros((0, 2)), np.zeros((0, 3)), [], [], []),
                  CoolingUnits((), np.zeros((0, 2)), np.zeros((0, 3)), [], [], [], []),
                  settings=SolverSettings(cell_m=0.3, cell_z_m=0.5))
    g = make_grid(sc.hall, sc.settings)
    geom = build_geometry(sc, g)
    # temperature rising with height, mean 25 °C: faces above the middle are warmer than the mean
    t = np.broadcast_to(np.linspace(20.0, 30.0, g.nz)[:, None, None], g.shape).ravel()
    bz = buoyancy.face_flux(geom, t, 0.6)
    assert bz.shape == (g.nz - 1, g.ny, g.nx)
    t_face = 0.5 * (np.linspace(20, 30, g.nz)[:-1] + np.linspace(20, 30, g.nz)[1:])
    # w = τ g β (T_f − T_ref) · A, β = 1/(25 + 273.15), A = 0.3² m²
    expected = 0.09 * 0.6 * 9.81 / 298.15 * (t_face - 25.0)
    assert bz[:, 0, 0] == pytest.approx(expected, rel=1e-9)
    assert np.all(bz[t_face > 25.0] > 0) and np.all(bz[t_face < 25.0] < 0)
    # the drift carries no net air out of the room
    assert buoyancy.divergence(geom, bz).sum() == pytest.approx(0.0, abs=1e-15)


def test_buoyancy_raises_warm_air(starved):
    on, off = starved
    assert on.iterations["buoyancy_passes"] >= 1 and off.iterations.get("buoyancy_passes", 0) == 0
    top_on, top_off = layer_means(on)[-1], layer_means(off)[-1]
    low_on, low_off = layer_means(on)[0], layer_means(off)[0]
    assert top_on > top_off + 0.1                 # top layer warmer with buoyancy on than off
    assert low_on < low_off - 0.1                 # and the lowest layer cooler
    assert top_on - low_on > 2 * (top_off - low_off)    # stronger stratification
    assert abs(on.residual_pct) <= 0.1 and abs(off.residual_pct) <= 0.1


def test_warmer_supply_gives_warmer_inlets():
    base = AirSolver().solve(room(8, supply_c=18.0, settings=NO_BUOYANCY))
    warm = AirSolver().solve(room(8, supply_c=20.0, settings=NO_BUOYANCY))
    # without buoyancy the air model is affine in the supply temperature: +2 K everywhere
    assert warm.rack_inlet_mean_c - base.rack_inlet_mean_c == pytest.approx(np.full(8, 2.0), abs=1e-4)
    assert warm.unit_return_c - base.unit_return_c == pytest.approx(np.full(2, 2.0), abs=1e-4)
    # with buoyancy (β depends on the absolute temperature) still warmer at every rack
    b18 = AirSolver().solve(room(8, supply_c=18.0))
    b20 = AirSolver().solve(room(8, supply_c=20.0))
    assert np.all(b20.rack_inlet_mean_c > b18.rack_inlet_mean_c + 1.9)


def test_less_tile_flow_gives_warmer_inlets():
    inlets = [AirSolver().solve(room(8, supply_ratio=ratio)).rack_inlet_mean_c for ratio in (1.2, 1.0, 0.8)]
    # every rack gets warmer as the tiles deliver less, and the mean strictly so
    assert np.all(inlets[1] >= inlets[0] - 1e-6) and np.all(inlets[2] >= inlets[1] - 1e-6)
    assert inlets[0].mean() < inlets[1].mean() < inlets[2].mean()


def test_more_rack_air_heat_gives_warmer_exhaust_and_return():
    sc = room(8, settings=NO_BUOYANCY)
    solver = AirSolver()
    base = solver.solve(sc)
    more = solver.update_power(sc.racks.air_heat_w * 1.25)
    assert np.all(more.rack_exhaust_c > base.rack_exhaust_c)
    assert np.all(more.unit_return_c > base.unit_return_c)
    assert more.unit_load_w.sum() == pytest.approx(1.25 * base.unit_load_w.sum(), rel=1e-3)


def random_chain(rng, n=12):
    parent = np.full(n, -1)
    for i in range(1, n):
        parent[i] = rng.integers(0, i)                 # a random tree rooted at 0
    ups = typical_loss_coefficients("ups_double_conversion")
    return PowerChain(ids=[f"C{i}" for i in range(n)], kind="pdu", parent=parent,
                      module_rating_kw=rng.uniform(200, 800, n), n_modules=rng.integers(1, 4, n),
                      c0=ups[0], c1=ups[1], c2=ups[2])


@pytest.mark.parametrize("seed", range(4))
def test_more_load_more_loss(seed):
    rng = np.random.default_rng(seed)
    ch = random_chain(rng)
    feed = rng.integers(0, ch.n, 20)
    load = rng.uniform(0, 30, 20)
    prev = None
    for scale in (0.0, 0.5, 1.0, 1.5):
        r = solve_power(ch, RackFeeds(dc_load_kw=load * scale, feed_a=feed))
        if prev is not None:
            assert np.all(r.loss_kw >= prev.loss_kw - 1e-12)
            assert r.chain_loss_kw > prev.chain_loss_kw
            assert r.utility_kw - r.it_kw > prev.utility_kw - prev.it_kw
        prev = r


def test_more_liquid_heat_warmer_loop_and_facility_water():
    cd = CduLoops(ua_w_per_k=[40e3, 60e3], facility_flow_kgs=[2.5, 4.0], facility_supply_c=[25.0, 30.0],
                  capacity_w=300e3, header_segment_k=1e8)
    out = []
    for heat in (0.0, 40e3, 80e3, 120e3):
        br = LiquidBranches(cdu_index=[0, 1, 1], liquid_heat_w=[heat, heat, 0.5 * heat], branch_k=8e10)
        out.append(solve_liquid(br, cd).cdus)
    for a, b in zip(out, out[1:]):
        assert np.all(b.loop_return_c > a.loop_return_c)
        assert np.all(b.loop_supply_c > a.loop_supply_c)
        assert np.all(b.facility_return_c > a.facility_return_c)
        assert np.all(b.capacity_fraction > a.capacity_fraction)


def test_warmer_ambient_more_chiller_power():
    spec = PlantSpec(supply_setpoint_c=18.0, n_chillers=3, chiller_capacity_w=1e6, rejection_design_heat_w=3e6)
    powers = [solve_plant(spec, 1.5e6, 1.5e6 / (4179.6 * 8), db, db - 6).total_power_w
              for db in (5.0, 15.0, 22.0, 28.0, 35.0)]
    # 5 and 15 °C: full economiser both (same fan power); then partial, chiller, hotter chiller
    assert powers[0] == pytest.approx(powers[1], rel=1e-12)
    assert np.all(np.diff(powers[1:]) > 0)
