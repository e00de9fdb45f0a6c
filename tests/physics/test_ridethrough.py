"""Ride-through oracles (twin/physics/ridethrough.py; docs/physics.md §12.3), each
derived by hand: a sealed room heats at P / C; partial cooling approaches the new steady
state as a first-order system; stopped pumps heat a rack at P / C_i; nothing failed
stays put; limits are crossed when the line says."""

import dataclasses
import numpy as np
import pytest

from twin.physics import ridethrough as rt
from twin.physics.fluids import AIR

RHO_CP = AIR.density_kgm3 * AIR.cp_jkgk
NO_LOOPS = rt.Loops(np.full(2, -1), np.zeros(2), np.ones(2), np.zeros(2), np.full(2, np.nan),
                    *(np.zeros(0),) * 6)


def _room(p_w=(40e3, 20e3), flow=(0.0,), offset=(5.0,), setpoint=(18.0,), cap=(0.0,),
          start=(np.inf,), c=2.0e6, mean0=25.0, fan=0.0):
    return rt.RoomAir(c, mean0, np.array([1.0, -0.5]), np.array(p_w), fan, np.array(flow),
                      np.array(offset), np.array(setpoint), np.array(cap), np.array(start))


def test_a_sealed_room_without_cooling_heats_at_p_over_c():
    room = _room()                                   # 60 kW, 2 MJ/K: 0.03 K/s
    run = rt.simulate_ridethrough(room, NO_LOOPS, 300, 32.0, np.full(2, np.nan))
    assert run.room_mean_c[-1] == pytest.approx(25.0 + 60e3 / 2e6 * 300, abs=1e-6)
    assert run.rack_inlet_c[-1] == pytest.approx([34.0 + 1.0, 34.0 - 0.5], abs=1e-6)
    # rack 0 (offset +1) passes 32 C when 26 + 0.03 t = 32 -> t = 200 s; rack 1 at 250 s
    assert run.inlet_limit_s == pytest.approx([200.0, 250.0], abs=1e-6)


def test_partial_cooling_approaches_the_new_steady_state_exponentially():
    """One coil of 5 m3/s with its return 2 K above the room mean, set-point 18 C, no
    capacity limit: steady when rho cp V (T + 2 - 18) = 60 kW, i.e. T_inf = 16 + 60e3 /
    (rho cp 5); from T0 = 20 C the room follows T_inf + (T0 - T_inf) exp(-t / tau) with
    tau = C / (rho cp V)."""
    g = RHO_CP * 5.0
    room = _room(flow=(5.0,), offset=(2.0,), cap=(1e9,), start=(0.0,), mean0=20.0)
    run = rt.simulate_ridethrough(room, NO_LOOPS, 600, 99.0, np.full(2, np.nan))
    t_inf, tau = 16.0 + 60e3 / g, 2.0e6 / g
    expect = t_inf + (20.0 - t_inf) * np.exp(-run.time_s / tau)
    np.testing.assert_allclose(run.room_mean_c, expect, atol=2e-4)
    assert np.isnan(run.inlet_limit_s).all()


def test_cooling_that_waits_for_the_generators_starts_at_its_delay():
    g = RHO_CP * 5.0
    t_inf = 16.0 + 60e3 / g
    room = _room(flow=(5.0,), offset=(2.0,), cap=(1e9,), start=(30.0,), mean0=t_inf)
    run = rt.simulate_ridethrough(room, NO_LOOPS, 120, 99.0, np.full(2, np.nan))
    k30 = int(np.flatnonzero(run.time_s == 30.0)[0])
    assert run.room_mean_c[k30] == pytest.approx(t_inf + 60e3 / 2e6 * 30, abs=1e-4)
    assert run.room_mean_c[-1] < run.room_mean_c[k30]     # cooling back: it falls again


def _loops(flow_kgs, hx_start=0.0):
    """Two racks of 100 and 50 kW on one loop at 2 and 1 kg/s of coolant (cp 4000), loop
    supply 30 C, facility water 25 C: steady rack returns 30 + P / (m cp) = 42.5 C each,
    mixed return 42.5 C, exchanger conductance 150 kW / 17.5 K."""
    cp = 4000.0
    base_flow = np.array([2.0, 1.0])
    t0 = 30.0 + np.array([100e3, 50e3]) / (base_flow * cp)
    return rt.Loops(np.array([0, 0]), np.array([100e3, 50e3]), np.array([2e5, 1e5]),
                    np.asarray(flow_kgs, float), t0, np.array([1e6]), np.array([30.0]),
                    np.array([150e3 / 17.5]), np.array([25.0]), np.array([hx_start]),
                    np.array([cp]))


def _air_idle():
    return _room(p_w=(0.0, 0.0))


def test_a_loop_with_nothing_failed_stays_at_its_steady_state():
    run = rt.simulate_ridethrough(_air_idle(), _loops([2.0, 1.0]), 600, 99.0,
                                  np.full(2, 60.0))
    np.testing.assert_allclose(run.rack_coolant_c, 42.5, atol=0.01)
    np.testing.assert_allclose(run.loop_supply_c, 30.0, atol=0.01)


def test_stopped_pumps_heat_each_rack_at_p_over_its_capacity():
    run = rt.simulate_ridethrough(_air_idle(), _loops([0.0, 0.0]), 60, 99.0,
                                  np.full(2, 60.0))
    # 100 kW into 200 kJ/K: 0.5 K/s; 50 kW into 100 kJ/K: 0.5 K/s; from 42.5 C
    np.testing.assert_allclose(run.rack_coolant_c[-1], 42.5 + 0.5 * 60, atol=1e-4)
    # 42.5 + 0.5 t = 60 at t = 35 s; the loop itself, without flow, stays put
    assert run.coolant_limit_s == pytest.approx([35.0, 35.0], abs=1e-3)
    np.testing.assert_allclose(run.loop_supply_c, 30.0, atol=1e-9)


def test_lost_facility_water_heats_the_loop_at_its_total_heat_over_all_capacity():
    """Pumps run, the exchanger has no cold water: after the racks' first transient the
    whole loop (racks 300 kJ/K + CDU 1 MJ/K) warms at 150 kW / 1.3 MJ/K."""
    run = rt.simulate_ridethrough(_air_idle(), _loops([2.0, 1.0], hx_start=np.inf), 600,
                                  99.0, np.full(2, np.nan))
    slope = np.diff(run.loop_supply_c[-60:, 0]).mean() / (run.time_s[1] - run.time_s[0])
    assert slope == pytest.approx(150e3 / 1.3e6, rel=1e-3)


def test_a_rack_past_its_coolant_limit_drops_to_standby():
    """With standby heat 5 kW: rack 0 heats at 0.5 K/s until 60 C (35 s), then at
    5 kW / 200 kJ/K = 0.025 K/s."""
    loops = _loops([0.0, 0.0])
    loops = dataclasses.replace(loops, rack_standby_w=np.array([5e3, 5e3]))
    run = rt.simulate_ridethrough(_air_idle(), loops, 95, 99.0, np.full(2, 60.0))
    assert run.coolant_limit_s[0] == pytest.approx(35.0, abs=1e-3)
    assert run.rack_coolant_c[-1, 0] == pytest.approx(60.0 + 0.025 * 60, abs=0.01)


def test_stored_facility_water_takes_the_loop_heat_while_the_plant_is_down():
    """Plant lost for good, pumps on UPS, 4 MJ/K of facility water in storage: the energy
    of all nodes grows by exactly P t, and once they move together every node (racks
    300 kJ/K, CDU 1 MJ/K, water 4 MJ/K) warms at 150 kW / 5.3 MJ/K."""
    water = rt.PlantWater(4e6, back_s=np.inf, plant_capacity_w=1e6)
    loops = dataclasses.replace(_loops([2.0, 1.0]), water=water)
    run = rt.simulate_ridethrough(_air_idle(), loops, 3000, 99.0, np.full(2, np.nan))
    energy = (2e5 * (run.rack_coolant_c[:, 0] - 42.5) + 1e5 * (run.rack_coolant_c[:, 1] - 42.5)
              + 1e6 * (run.loop_supply_c[:, 0] - 30.0) + 4e6 * run.facility_water_rise_k)
    np.testing.assert_allclose(energy, 150e3 * run.time_s, rtol=1e-5, atol=1.0)
    slope = np.diff(run.facility_water_rise_k[-300:]).mean() / (run.time_s[1] - run.time_s[0])
    assert slope == pytest.approx(150e3 / 5.3e6, rel=1e-3)
    slope = np.diff(run.rack_coolant_c[-300:, 0]).mean()
    assert slope == pytest.approx(150e3 / 5.3e6, rel=1e-3)
    assert np.all(run.chilled_water_rise_k == 0.0)            # no chilled-water storage


def test_the_plant_back_pulls_the_stored_water_down_to_its_set_point():
    """Back at 600 s with 400 kW for a 150 kW load: until then the energy grows at P t;
    afterwards the water falls and the loop returns to its steady state."""
    water = rt.PlantWater(4e6, back_s=600.0, plant_capacity_w=400e3)
    loops = dataclasses.replace(_loops([2.0, 1.0]), water=water)
    run = rt.simulate_ridethrough(_air_idle(), loops, 4000, 99.0, np.full(2, np.nan))
    k = int(np.flatnonzero(run.time_s == 600.0)[0])
    energy = (2e5 * (run.rack_coolant_c[k, 0] - 42.5) + 1e5 * (run.rack_coolant_c[k, 1] - 42.5)
              + 1e6 * (run.loop_supply_c[k, 0] - 30.0) + 4e6 * run.facility_water_rise_k[k])
    assert energy == pytest.approx(150e3 * 600, rel=1e-5)
    peak = int(np.argmax(run.facility_water_rise_k))
    assert 600 <= run.time_s[peak] <= 601
    assert np.all(np.diff(run.facility_water_rise_k[peak:]) <= 1e-9)
    assert run.facility_water_rise_k[-1] == pytest.approx(0.0, abs=1e-3)
    np.testing.assert_allclose(run.rack_coolant_c[-1], 42.5, atol=1e-2)


def test_stored_chilled_water_keeps_the_coils_cooling_the_room():
    """A 5 m3/s coil on 8 MJ/K of chilled water, plant lost for good, fans on UPS: room
    and water hold P t between them, and once the coil's approach is steady both warm
    at 60 kW / (2 + 8) MJ/K."""
    g = RHO_CP * 5.0
    t_inf = 16.0 + 60e3 / g
    room = dataclasses.replace(_room(flow=(5.0,), offset=(2.0,), cap=(1e9,), start=(0.0,),
                                     mean0=t_inf),
                               water=rt.PlantWater(8e6, back_s=np.inf, plant_capacity_w=1e6))
    run = rt.simulate_ridethrough(room, NO_LOOPS, 3000, 99.0, np.full(2, np.nan))
    energy = 2e6 * (run.room_mean_c - t_inf) + 8e6 * run.chilled_water_rise_k
    np.testing.assert_allclose(energy, 60e3 * run.time_s, rtol=1e-5, atol=1.0)
    slope = np.diff(run.room_mean_c[-300:]).mean()
    assert slope == pytest.approx(60e3 / 1e7, rel=1e-3)
    # the coil then carries the water's share, Q = P C_w / (C_r + C_w) = 48 kW, so the
    # room sits 16 + Q / (rho cp V) above the water's warming
    gap = run.room_mean_c[-1] - run.chilled_water_rise_k[-1]
    assert gap == pytest.approx(16.0 + 48e3 / g, abs=2e-3)


def test_a_failed_integration_is_an_error_that_says_so(monkeypatch):
    """solve_ivp reporting failure (e.g. a step size underflow) must not pass for a result:
    the run stops with a ValueError that names the integration and the solver's reason."""
    class Failed:
        success, message = False, "Required step size is less than spacing between numbers."

    monkeypatch.setattr(rt, "solve_ivp", lambda *a, **k: Failed())
    with pytest.raises(ValueError, match=r"ride-through integration failed: Required step size"):
        rt.simulate_ridethrough(_room(), NO_LOOPS, 300, 32.0, np.full(2, np.nan))


def test_the_rates_at_the_start_of_a_stopped_pump_loop_by_hand(monkeypatch):
    """The right-hand side at t = 0, read without integrating: stopped pumps (no flow) put
    each rack at dT/dt = P_i / C_i = 100 kW / 200 kJ/K = 50 kW / 100 kJ/K = 0.5 K/s; the
    loop node (no flow, no exchanger) and the idle room do not move."""
    seen = {}

    class Stop(Exception):
        pass

    def capture(fun, t_span, y0, **kw):
        seen["d"] = np.asarray(fun(t_span[0], np.asarray(y0, float)))
        raise Stop

    monkeypatch.setattr(rt, "solve_ivp", capture)
    with pytest.raises(Stop):
        rt.simulate_ridethrough(_air_idle(), _loops([0.0, 0.0]), 60, 99.0, np.full(2, 60.0))
    # room, rack 0, rack 1, loop, chilled water, facility water
    np.testing.assert_allclose(seen["d"], [0.0, 0.5, 0.5, 0.0, 0.0, 0.0], atol=1e-12)


def test_a_loop_without_flow_divides_by_no_zero():
    """Stopped pumps leave a loop with no flow: its mixed return is not 0 / 0 (no
    RuntimeWarning), and the loop stays at its supply temperature."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        run = rt.simulate_ridethrough(_air_idle(), _loops([0.0, 0.0]), 10, 99.0, np.full(2, 60.0))
    np.testing.assert_allclose(run.loop_supply_c, 30.0, atol=1e-9)
