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
TRUTH = dict(row_end_entrainment=0.45, turbulent_diffusivity_m2s=0.06, mixing_length_m=0.2,
             buoyancy_time_s=1.2)


def _write(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_calibrate_recovers_the_constants_of_synthetic_sensors(tmp_path, capsys):
    model = RoomModel(load_layout(ROOM))
    res = model.solve(TRUTH)
    rng = np.random.default_rng(3)
    rows = []
    for i, rid in enumerate(model.rack_ids):
        for z in (0.3, 1.0, 1.7):
            k = int(z / res.grid.dz)
            for t in range(3):                 # three readings per sensor, averaged
                rows.append([rid, z, round(float(res.rack_inlet_profile_c[i, k]) + rng.normal(0, 0.1), 3),
                             f"2026-12-05T10:0{t}"])
    csv_path = _write(tmp_path / "sensors.csv", ["rack", "z_m", "value_c", "time"], rows)
    assert main(["calibrate", str(ROOM), str(csv_path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n_sensors"] == 30 and doc["n_readings"] == 90
    for name, true in TRUTH.items():
        lo, hi = BOUNDS[name]
        assert abs(doc["fitted"][name] - true) <= 0.1 * (hi - lo), (name, doc["fitted"][name])
    assert doc["before"]["mae_k"] > 1.0
    assert doc["after"]["mae_k"] < 0.1          # the noise is 0.1 K per reading, averaged over 3
    assert doc["after"]["cv_rmse"] < doc["before"]["cv_rmse"]
    assert len(doc["residuals"]) == 30


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
    (["rack", "value_c"], ["A01", "warm"], "line 2: value_c 'warm' is not a number"),
    (["rack", "temp"], ["A01", "20"], "no value_c column"),
    (["x_m", "y_m", "value_c"], ["50", "50", "20"], "no rack intake within"),
])
def test_sensor_file_errors_are_one_line(tmp_path, capsys, header, row, message):
    csv_path = _write(tmp_path / "bad.csv", header, [row])
    assert main(["calibrate", str(ROOM), str(csv_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "bad.csv" in err
