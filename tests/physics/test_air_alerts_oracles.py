"""Oracles for the air-side alerts (docs/physics.md, "8.1 ASHRAE classes" and
"2.10 Device modes and the capacity check"): every threshold is hit exactly and just past
it, with racks and units in an order that a swapped index would break."""

import numpy as np

from twin.physics.air_alerts import air_alerts


def alerts(inlet_mean, inlet_max, fraction=(), supply=(), setpoint=(), cls="A1"):
    n = len(inlet_mean)
    k = len(fraction)
    return air_alerts([f"R{i}" for i in range(n)], np.asarray(inlet_mean, float), np.asarray(inlet_max, float),
                      [f"U{j}" for j in range(k)], np.asarray(fraction, float), np.asarray(supply, float),
                      np.asarray(setpoint, float), cls)


def by_target(out):
    return {(a.target, a.kind, a.severity) for a in out}


def test_inlet_thresholds_on_and_past_each_edge_a1():
    # judged on the hottest intake point: 27.0 none, 27.01 warning, 32.0 warning, 32.01 critical
    out = alerts([20.0, 20.0, 20.0, 20.0, 20.0], [27.0, 27.01, 32.0, 32.01, 26.0])
    assert by_target(out) == {("R1", "inlet_above_recommended", "warning"),
                              ("R2", "inlet_above_recommended", "warning"),
                              ("R3", "inlet_above_allowable", "critical")}
    crit = next(a for a in out if a.target == "R3")
    assert "32.0 °C" in crit.message and "A1 allowable 32" in crit.message


def test_inlet_thresholds_follow_the_class():
    # A2 allowable max 35 °C, min 10 °C: 35.0 only a warning, 35.01 critical
    out = alerts([20.0, 20.0, 10.0, 9.99], [35.0, 35.01, 10.0, 9.99], cls="A2")
    assert by_target(out) == {("R0", "inlet_above_recommended", "warning"),
                              ("R1", "inlet_above_allowable", "critical"),
                              ("R3", "inlet_below_allowable", "warning")}


def test_cold_inlet_judged_on_the_mean_at_the_a1_edge():
    out = alerts([15.0, 14.99, np.nan], [15.0, 14.99, np.nan])
    assert by_target(out) == {("R1", "inlet_below_allowable", "warning")}
    assert out[0].message == "inlet 15.0 °C is below the A1 allowable 15 °C"


def test_unit_capacity_and_setpoint_thresholds():
    # U0 0.9 exactly: nothing; U1 0.95: near; U2 1.0 at set-point: near (not over);
    # U3 1.0 + 2e-6: over; U4 0.5 but supply 18.06 > 18 + 0.05: over; U5 supply 18.05: nothing;
    # U6 NaN (disabled): nothing
    out = alerts([], [], fraction=[0.9, 0.95, 1.0, 1.0 + 2e-6, 0.5, 0.5, np.nan],
                 supply=[18.0, 18.0, 18.0, 18.0, 18.06, 18.05, np.nan], setpoint=[18.0] * 7)
    assert by_target(out) == {("U1", "cooling_unit_near_capacity", "warning"),
                              ("U2", "cooling_unit_near_capacity", "warning"),
                              ("U3", "cooling_unit_over_capacity", "critical"),
                              ("U4", "cooling_unit_over_capacity", "critical")}


def test_empty_hall_has_no_air_alerts():
    assert alerts([], []) == []
