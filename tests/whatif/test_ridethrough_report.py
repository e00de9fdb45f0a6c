"""The ride-through report's JSON and summary (twin/engine/whatif/ridethrough.py) on a
hand-made run: which samples it keeps, how it rounds, what it names first."""

import numpy as np

from twin.engine.whatif.ridethrough import RideThroughReport
from twin.model.equipment import PLANT_ID
from twin.physics import ridethrough as rt


def _report() -> RideThroughReport:
    """13 s at 1 s steps, two racks: A01's inlet climbs 0.5 K/s from 24 °C (past 27 °C at
    6 s) and its coolant 1 K/s from 40 °C (past 45 °C at 5 s); A02 warms 0.01 K/s and is
    off the liquid loop (no coolant: NaN)."""
    t = np.arange(13.0)
    nan = np.nan
    run = rt.RideThrough(
        time_s=t, room_mean_c=25.0 + 0.1234567 * t,
        rack_inlet_c=np.column_stack([24.0 + 0.5 * t, 22.0 + 0.01 * t]),
        rack_coolant_c=np.column_stack([40.0 + t, np.full(13, nan)]),
        loop_supply_c=(30.0 + 0.25 * t)[:, None],
        inlet_limit_s=np.array([6.0, nan]), coolant_limit_s=np.array([5.0, nan]))
    return RideThroughReport(["CDU-A"], False, 30.0, ["A01", "A02"], ["CDU-A"], run, 27.0,
                             np.array([45.0, nan]), True)


def test_the_json_keeps_every_5_s_and_the_last_sample_to_3_decimals():
    """Samples at 0, 5, 10 s and the last (12 s); NaN is null; no stored water: its rise
    is 0; A01 passes a limit first, so it leads the worst racks."""
    doc = _report().to_json()
    assert doc == {
        "failed": ["CDU-A"], "utility_loss": False, "generator_delay_s": 30.0,
        "summary": "After CDU-A: first rack inlet beyond 27 \u00b0C: A01 after 6 s; "
                   "first coolant over its limit: A01 after 5 s.",
        "steady_state_after_failure": True, "notes": [], "inlet_limit_c": 27.0,
        "first_inlet_limit": {"rack": "A01", "seconds": 6.0},
        "first_coolant_limit": {"rack": "A01", "seconds": 5.0},
        "racks": [{"id": "A01", "inlet_limit_s": 6.0, "coolant_limit_s": 5.0,
                   "coolant_limit_c": 45.0, "inlet_end_c": 30.0},
                  {"id": "A02", "inlet_limit_s": None, "coolant_limit_s": None,
                   "coolant_limit_c": None, "inlet_end_c": 22.12}],
        "series": {
            "time_s": [0.0, 5.0, 10.0, 12.0],
            # 25 + 0.1234567 t: 25.6172835, 26.234567, 26.4814804
            "room_mean_c": [25.0, 25.617, 26.235, 26.481],
            "worst_racks": {"A01": {"inlet_c": [24.0, 26.5, 29.0, 30.0],
                                    "coolant_c": [40.0, 45.0, 50.0, 52.0]},
                            "A02": {"inlet_c": [22.0, 22.05, 22.1, 22.12],
                                    "coolant_c": [None, None, None, None]}},
            "loop_supply_c": {"CDU-A": [30.0, 31.25, 32.5, 33.0]},
            "chilled_water_rise_k": [0.0, 0.0, 0.0, 0.0],
            "facility_water_rise_k": [0.0, 0.0, 0.0, 0.0]}}
    # every 4 s: 0, 4, 8, 12 (the last already in)
    assert _report().to_json(every_s=4.0)["series"]["time_s"] == [0.0, 4.0, 8.0, 12.0]


def test_the_summary_without_a_limit_passed():
    rep = _report()
    rep.run.inlet_limit_s[:] = np.nan
    rep.run.coolant_limit_s[:] = np.nan
    assert rep.summary() == ("After CDU-A: no rack inlet passes 27 \u00b0C in 12 s; "
                             "no coolant passes its limit.")
    rep.utility_loss, rep.failed = True, [PLANT_ID]
    assert rep.summary().startswith("After the whole plant + a utility loss (generators "
                                    "after 30 s): ")
