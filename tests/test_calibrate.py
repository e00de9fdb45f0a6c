"""``twin calibrate``: the constants a model generated synthetic sensor data with (plus noise)
are recovered; the sensor CSV's errors are one line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from twin.cli import main
from twin.engine.calibrate import BOUNDS, RoomModel
from twin.io import load_layout

ROOM = Path(__file__).resolve().parent / "bench" / "cfd" / "rooms" / "open_starved.json"
# the room whose sensors see every constant: same-direction rows (a 10 %-of-range step of
# each moves the intake profiles by 0.06–0.4 K rms; in the starved room the aisle-end
# closure leaves the buoyancy time almost no hold: 0.04 K over its whole range)
RECOVERY_ROOM = ROOM.with_name("same_direction.json")
TRUTH = dict(row_end_entrainment=0.7, turbulent_diffusivity_m2s=0.03, mixing_length_m=0.25,
             buoyancy_time_s=1.0)


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_calibrate_recovers_the_constants_of_synthetic_sensors(tmp_path, capsys):
    model = RoomModel(load_layout(RECOVERY_ROOM))
    res = model.solve(TRUTH)
    rng = np.random.default_rng(3)
    rows = []
    for i, rid in enumerate(model.rack_ids):
        for z in (0.3, 0.7, 1.1, 1.5, 1.9):
            k = int(z / res.grid.dz)
            for t in range(3):                 # three readings per sensor, averaged
                rows.append([rid, z, round(float(res.rack_inlet_profile_c[i, k]) + rng.normal(0, 0.1), 3),
                             f"2026-12-05T10:0{t}"])
    csv_path = _write(tmp_path / "sensors.csv", ["rack", "z_m", "value_c", "time"], rows)
    assert main(["calibrate", str(RECOVERY_ROOM), str(csv_path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n_sensors"] == 50 and doc["n_readings"] == 150
    for name, true in TRUTH.items():
        lo, hi = BOUNDS[name]
        assert abs(doc["fitted"][name] - true) <= 0.1 * (hi - lo), (name, doc["fitted"][name])
    assert doc["before"]["mae_k"] > 1.0
    assert doc["after"]["mae_k"] < 0.1          # the noise is 0.1 K per reading, averaged over 3
    assert doc["after"]["cv_rmse"] < doc["before"]["cv_rmse"]
    assert len(doc["residuals"]) == 50


def test_sensors_by_position_and_mean_inlets(tmp_path, capsys):
    """x/y sensors belong to the nearest rack intake; no height means the mean inlet."""
    model = RoomModel(load_layout(ROOM))
    res = model.solve({})
    r = model.scene.racks
    # rack A01 faces +y: its intake face centre is 0.6 m north of its centre
    x, y = r.center_xy_m[0]
    rows = [[x, y + 0.6, "", round(float(res.rack_inlet_mean_c[0]), 3), "t0"]]
    csv_path = _write(tmp_path / "s.csv", ["x_m", "y_m", "z_m", "value_c", "time"], rows)
    assert main(["calibrate", str(ROOM), str(csv_path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["residuals"][0]["sensor"] == model.rack_ids[0]
    assert abs(doc["residuals"][0]["before_k"]) < 0.01


@pytest.mark.parametrize("header, row, message", [
    (["rack", "value_c"], ["NOPE", "20"], "rack 'NOPE' is not in the layout"),
    # a misspelt column would be dropped silently (a height lost makes the sensor a mean)
    (["rack", "zm", "value_c"], ["A01", "1.0", "20"], "unknown column 'zm': did you mean 'z_m'?"),
    (["rack", "value_c", "tiem"], ["A01", "20", "x"], "unknown column 'tiem': did you mean 'time'?"),
    (["rak", "value_c"], ["A01", "20"], "unknown column 'rak': did you mean 'rack'?"),
    (["rack", "value_c"], ["A01", "warm"], "line 2: value_c 'warm' is not a number"),
    (["rack", "temp"], ["A01", "20"], "no value_c column"),
    (["x_m", "y_m", "value_c"], ["50", "50", "20"], "no rack intake within"),
])
def test_sensor_file_errors_are_one_line(tmp_path, capsys, header, row, message):
    csv_path = _write(tmp_path / "bad.csv", header, [row])
    assert main(["calibrate", str(ROOM), str(csv_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "bad.csv" in err


def test_other_columns_are_ignored_and_named(tmp_path, capsys):
    csv_path = _write(tmp_path / "s.csv", ["rack", "value_c", "sensor name", "notes"],
                      [["A01", "24.0", "S-1", "north"], ["A05", "23.0", "S-2", ""]])
    assert main(["calibrate", str(ROOM), str(csv_path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ignored_columns"] == ["sensor name", "notes"]
    assert main(["calibrate", str(ROOM), str(csv_path)]) == 0
    assert "ignored columns: sensor name, notes" in capsys.readouterr().out


def test_a_fit_that_does_not_converge_is_reported_and_never_written(tmp_path, capsys, monkeypatch):
    import twin.engine.calibrate as cal
    layout = tmp_path / "room.json"
    layout.write_bytes(ROOM.read_bytes())
    csv_path = _write(tmp_path / "s.csv", ["rack", "value_c"], [["A01", "24.0"], ["A05", "23.0"]])
    real = cal.fit_constants

    def stopped(*args, **kw):
        f = real(*args, **dict(kw, max_evaluations=1))
        return cal.FitResult(f.constants, f.before_k, f.after_k, f.evaluations, False, f.solves)
    monkeypatch.setattr(cal, "fit_constants", stopped)
    assert main(["calibrate", str(layout), str(csv_path), "--write"]) == 1
    out, err = capsys.readouterr()
    assert "NOT converged" in out and "note: the fit did not converge in 1 steps" in out
    assert "not changed: the fit did not converge" in err
    assert layout.read_bytes() == ROOM.read_bytes()
    assert main(["calibrate", str(layout), str(csv_path), "--json", "--write"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["converged"] is False and "written" not in doc
    assert layout.read_bytes() == ROOM.read_bytes()


def test_fit_notes_by_hand():
    from twin.engine.calibrate import FitResult, fit_notes
    mid = {n: (lo + hi) / 2 for n, (lo, hi) in BOUNDS.items()}
    ok = FitResult(mid, np.zeros(6), np.zeros(6), 5, True, 25)
    assert fit_notes(ok, 6) == []
    notes = fit_notes(FitResult(mid, np.zeros(2), np.zeros(2), 40, False, 200), 2)
    assert notes == ["the fit did not converge in 40 steps: the constants are the best found, "
                     "not a fit",
                     "2 sensors for 4 constants: the readings cannot determine them all (place "
                     "sensors at row ends and mid-row, at several heights)"]
    one = fit_notes(FitResult(mid, np.zeros(1), np.zeros(1), 5, True, 25), 1)
    assert one[0].startswith("1 sensor for 4 constants: ")
    assert fit_notes(FitResult(mid, np.zeros(4), np.zeros(4), 5, True, 25), 4) == []   # as many as constants
    lo_d, hi_d = BOUNDS["turbulent_diffusivity_m2s"]
    lo_t = BOUNDS["buoyancy_time_s"][0]
    edge = dict(mid, turbulent_diffusivity_m2s=hi_d, buoyancy_time_s=lo_t + 1e-4)
    notes = fit_notes(FitResult(edge, np.zeros(9), np.zeros(9), 5, True, 25), 9)
    assert notes == [f"turbulent_diffusivity_m2s ended at its upper bound ({hi_d:g}): the readings "
                     "push it beyond its physical range, so part of the misfit is not this "
                     "constant's",
                     f"buoyancy_time_s ended at its lower bound ({lo_t + 1e-4:g}): the readings "
                     "push it beyond its physical range, so part of the misfit is not this "
                     "constant's"]
    # within 0.1 % of the range a constant is on its bound, beyond it not (the tolerance is
    # absolute: buoyancy time 0.1-2.4 s, 0.0023 s; diffusivity 0.005-0.15, 0.000145 m2/s)
    def flagged(**c):
        return [n.split(" ")[0] for n in fit_notes(FitResult(dict(mid, **c), np.zeros(9), np.zeros(9), 5, True, 25), 9)]
    assert flagged(buoyancy_time_s=lo_t + 0.0015) == ["buoyancy_time_s"]
    assert flagged(buoyancy_time_s=lo_t + 0.0024) == []
    assert flagged(buoyancy_time_s=1.5 * lo_t) == []
    assert flagged(turbulent_diffusivity_m2s=hi_d - 0.0005 * (hi_d - lo_d)) == ["turbulent_diffusivity_m2s"]
    assert flagged(turbulent_diffusivity_m2s=hi_d - 0.00015) == []
    inside = dict(mid, turbulent_diffusivity_m2s=hi_d - 0.002 * (hi_d - lo_d))
    assert fit_notes(FitResult(inside, np.zeros(9), np.zeros(9), 5, True, 25), 9) == []


def test_a_fits_solves_do_not_depend_on_the_solve_before():
    """Each solve of a fit starts from the one before; its buoyancy passes stop at
    FIT_BUOYANCY_TOL_K, so the inlets it ends at do not carry that history (at the live
    0.02 K the small-room sample's racks moved by up to 0.009 K)."""
    from twin.engine.calibrate import FIT_BUOYANCY_TOL_K
    assert FIT_BUOYANCY_TOL_K == 0.002
    sample = Path(__file__).resolve().parents[1] / "layouts" / "small-room.json"
    model = RoomModel(load_layout(sample))
    first = np.asarray(model.solve(dict(buoyancy_time_s=1.0)).rack_inlet_mean_c).copy()
    model.solve(dict(buoyancy_time_s=0.5))
    again = np.asarray(model.solve(dict(buoyancy_time_s=1.0)).rack_inlet_mean_c)
    assert np.abs(again - first).max() < 0.002
    fresh = np.asarray(RoomModel(load_layout(sample)).solve(dict(buoyancy_time_s=1.0)).rack_inlet_mean_c)
    assert np.abs(fresh - first).max() < 0.002


# ----- the fit's pieces, on hand-made results and a linear model -----------------------
def test_predicted_at_reads_the_mean_or_the_intake_layer_at_the_sensors_height():
    """Layers 0.5 m thick: a sensor at 0.6 m reads layer 1; at 1.7 m (layer 3) rack 0 has
    no air (its meshed height ends at 1.5 m), so it reads its top layer (2); rack 1 reaches
    layer 3; no height reads the rack's mean."""
    from types import SimpleNamespace

    from twin.engine.calibrate import Observations, predicted_at
    nan = np.nan
    res = SimpleNamespace(grid=SimpleNamespace(dz=0.5),
                          rack_inlet_mean_c=np.array([21.0, 24.0]),
                          rack_inlet_profile_c=np.array([[20.0, 21.0, 22.0, nan],
                                                         [23.0, 24.0, 25.0, 26.0]]))
    obs = Observations(np.array([0, 0, 1, 1, 0]), np.array([0.6, 1.7, 1.7, nan, 9.0]),
                       np.zeros(5))
    assert predicted_at(res, obs).tolist() == [21.0, 22.0, 26.0, 24.0, 22.0]


class _LinearRoom:
    """A stand-in room whose inlets rise 4 K per second of buoyancy time: the least-squares
    fit of one constant to it is the exact solution of a line."""

    def predict(self, constants, obs):
        return 20.0 + 4.0 * constants["buoyancy_time_s"] + np.arange(obs.n)


def test_fit_constants_recovers_a_linear_models_constant_and_reports_progress():
    """Observations made at buoyancy time 1.5 s, the fit started at 0.5 s: every residual
    before is 4 x (0.5 - 1.5) = -4 K, after 0 K; progress counts one solve of the budget
    (max_evaluations + 1) x (1 constant + 1) = 22 solves per call, from 1/22."""
    from twin.engine.calibrate import Observations, fit_constants
    obs = Observations(np.arange(3), np.full(3, np.nan), 26.0 + np.arange(3.0))
    heard: list[float] = []
    fit = fit_constants([(_LinearRoom(), obs)], ("buoyancy_time_s",),
                        start={"buoyancy_time_s": 0.5}, max_evaluations=10,
                        progress=heard.append)
    assert fit.constants == {"buoyancy_time_s": 1.5}
    np.testing.assert_allclose(fit.before_k, [-4.0, -4.0, -4.0])
    np.testing.assert_allclose(fit.after_k, 0.0, atol=1e-9)
    assert fit.success and fit.evaluations >= 1
    assert heard[0] == pytest.approx(1 / 22)
    assert heard == pytest.approx([min(1.0, n / 22) for n in range(1, len(heard) + 1)])
    # a start outside the bounds is clipped into them (0.1 - 2.4 s)
    low = fit_constants([(_LinearRoom(), obs)], ("buoyancy_time_s",),
                        start={"buoyancy_time_s": -3.0}, max_evaluations=10)
    np.testing.assert_allclose(low.before_k, 4.0 * (0.1 - 1.5))


def test_a_robust_fit_is_not_dragged_by_one_outlier():
    """Five readings at buoyancy time 1.5 s, one of them 8 K off: least squares moves the
    constant by the outlier's mean, 8 / 5 / 4 = 0.4 s (to 1.9 s); with ``robust_k`` = 0.1 K
    the outlier counts linearly and the fit stays within 0.02 s of 1.5 s."""
    from twin.engine.calibrate import Observations, fit_constants
    value = 26.0 + np.arange(5.0)
    value[2] += 8.0
    obs = Observations(np.arange(5), np.full(5, np.nan), value)
    start = {"buoyancy_time_s": 0.5}
    plain = fit_constants([(_LinearRoom(), obs)], ("buoyancy_time_s",), start=start)
    robust = fit_constants([(_LinearRoom(), obs)], ("buoyancy_time_s",), start=start, robust_k=0.1)
    assert plain.constants["buoyancy_time_s"] == pytest.approx(1.9, abs=1e-3)
    assert robust.constants["buoyancy_time_s"] == pytest.approx(1.5, abs=0.02)


def test_error_figures_by_hand():
    """Residuals +1 and -3 K: MAE 2, RMSE sqrt((1 + 9) / 2) = sqrt(5), bias -1, worst 3;
    CV-RMSE over the mean observed rise above the coldest reading: (0 + 10) / 2 = 5 K.
    The same readings in °F (68 and 86 °F, residuals ×1.8) give the same CV-RMSE;
    readings all alike have no rise, and no CV-RMSE."""
    from twin.engine.calibrate import error_figures
    e = error_figures(np.array([1.0, -3.0]), np.array([20.0, 30.0]))
    assert e == pytest.approx(dict(mae_k=2.0, rmse_k=5 ** 0.5, cv_rmse=5 ** 0.5 / 5,
                                   bias_k=-1.0, worst_k=3.0))
    f = error_figures(np.array([1.8, -5.4]), np.array([68.0, 86.0]))
    assert f["cv_rmse"] == pytest.approx(e["cv_rmse"])
    flat = error_figures(np.array([0.5, -0.5]), np.array([22.0, 22.0]))
    assert np.isnan(flat["cv_rmse"]) and flat["mae_k"] == pytest.approx(0.5)


def test_the_stored_calibration_keeps_the_constants_sorted_and_both_maes():
    """Before: residuals -2 and +1 K (MAE 1.5); after 0.12345 and -0.1 K (MAE 0.111725,
    stored to 4 decimals: 0.1117)."""
    import datetime

    from twin.engine.calibrate import FitResult, stored_calibration
    fit = FitResult({"mixing_length_m": 0.2, "buoyancy_time_s": 1.2},
                    np.array([-2.0, 1.0]), np.array([0.12345, -0.1]), 7, True)
    cal = stored_calibration(fit, np.array([24.0, 26.0]), "sensors.csv",
                             on=datetime.date(2026, 12, 5))
    assert list(cal.constants.items()) == [("buoyancy_time_s", 1.2), ("mixing_length_m", 0.2)]
    assert (cal.sensors_file, cal.fitted_on) == ("sensors.csv", "2026-12-05")
    assert (cal.mae_before_c, cal.mae_after_c) == (1.5, 0.1117)


def test_readings_all_alike_give_null_cv_rmse_in_json_and_n_a_in_text():
    """No rise above the coldest reading: CV-RMSE has no value; the JSON says null (NaN is
    not JSON) and the text says n/a."""
    from twin.cli_calibrate import _figures_doc, _per_cent
    from twin.engine.calibrate import error_figures
    e = error_figures(np.array([0.5, -0.5]), np.array([22.0, 22.0]))
    doc = _figures_doc(e)
    assert doc["cv_rmse"] is None and doc["mae_k"] == 0.5
    assert "NaN" not in json.dumps(doc)
    assert _per_cent(e["cv_rmse"]).startswith("n/a") and _per_cent(0.1234) == "12.3 %"
