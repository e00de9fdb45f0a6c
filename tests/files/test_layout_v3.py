"""Layout format v3 (issue 16): the optional ``air_calibration`` block that ``twin
calibrate --write`` stores, its migration from v2, its validation, and the live model
solving with the stored constants."""

from __future__ import annotations

import copy
import csv
import json
import shutil

import numpy as np
import pytest

from tests.conftest import ROOT
from twin.cli import main
from twin.engine import inputs
from twin.engine.calibrate import BOUNDS, RoomModel
from twin.io import LayoutError, dumps_layout, load_layout, loads_layout
from twin.io import migrations
from twin.io.layout_file import VERSION
from twin.model.calibration import AirCalibration
from twin.physics.air.scene import SolverSettings

FIXTURES = ROOT / "tests" / "fixtures"
#: a 10-rack room of the CFD library: a fit takes about a second
ROOM = ROOT / "tests" / "bench" / "cfd" / "rooms" / "open_balanced.json"
TRUTH = dict(row_end_entrainment=0.3, turbulent_diffusivity_m2s=0.07, mixing_length_m=0.25,
             buoyancy_time_s=1.4)


def errors(d):
    with pytest.raises(LayoutError) as exc:
        loads_layout(json.dumps(d), "calibrated.json")
    return [(p.path, p.message) for p in exc.value.problems]


def v3_doc():
    return json.loads((FIXTURES / "layout_v3.json").read_text())


# ----- migration -----------------------------------------------------------------------------
def test_v2_migrates_to_v3_without_a_calibration():
    doc = json.loads((FIXTURES / "layout_v2.json").read_text())
    assert VERSION == 3 and 2 in migrations.MIGRATIONS
    migrated = migrations.migrate(copy.deepcopy(doc), 3)
    assert migrated["version"] == 3 and "air_calibration" not in migrated
    assert {k: v for k, v in migrated.items() if k != "version"} == \
        {k: v for k, v in doc.items() if k != "version"}
    lay = load_layout(FIXTURES / "layout_v2.json")
    assert lay.air_calibration == AirCalibration() and lay.air_calibration.is_empty
    assert inputs.solver_settings(lay) == SolverSettings()        # the product's defaults
    assert '"air_calibration"' not in dumps_layout(lay)            # absent stays absent


def test_every_fixture_version_reaches_the_current_one_through_the_real_chain():
    """v1 and v2 files go through each real step once, in order, to version 3 and load
    as the same floor."""
    seen: list[int] = []
    steps = dict(migrations.MIGRATIONS)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(migrations, "MIGRATIONS", {
            v: (lambda d, v=v, f=f: (seen.append(v), f(d))[1]) for v, f in steps.items()})
        for version in (1, 2):
            seen.clear()
            doc = json.loads((FIXTURES / f"layout_v{version}.json").read_text())
            assert migrations.migrate(doc, VERSION)["version"] == VERSION
            assert seen == list(range(version, VERSION))
    v2, v3 = load_layout(FIXTURES / "layout_v2.json"), load_layout(FIXTURES / "layout_v3.json")
    assert v3.racks.equals(v2.racks) and not v3.equals(v2)     # v3 adds only the calibration


def test_v3_fixture_loads_and_round_trips_byte_for_byte():
    lay = load_layout(FIXTURES / "layout_v3.json")
    cal = lay.air_calibration
    assert dict(cal.constants) == dict(row_end_entrainment=0.45, turbulent_diffusivity_m2s=0.06,
                                       mixing_length_m=0.2, buoyancy_time_s=1.2)
    assert (cal.sensors_file, cal.fitted_on, cal.mae_before_c, cal.mae_after_c) == \
        ("sensors/inlets.csv", "2026-12-05", 1.32, 0.21)
    assert dumps_layout(lay) == (FIXTURES / "layout_v3.json").read_text()
    s = inputs.solver_settings(lay)
    assert (s.row_end_entrainment, s.turbulent_diffusivity_m2s, s.mixing_length_m,
            s.buoyancy_time_s) == (0.45, 0.06, 0.2, 1.2)
    # what is not calibrated keeps its default
    assert s.containment_leakage == SolverSettings().containment_leakage


def test_a_partial_calibration_keeps_the_other_defaults():
    d = v3_doc()
    d["air_calibration"] = {"mixing_length_m": 0.3}
    lay = loads_layout(json.dumps(d))
    s = inputs.solver_settings(lay)
    assert s.mixing_length_m == 0.3
    assert s.row_end_entrainment == SolverSettings().row_end_entrainment
    assert json.loads(dumps_layout(lay))["air_calibration"] == {"mixing_length_m": 0.3}


def test_every_fitted_constant_is_a_field_of_the_block():
    """A constant added to calibrate.BOUNDS becomes a field of the file format and the
    schema, within the same bounds."""
    from twin.io import spec
    from twin.io.schema import json_schema
    props = json_schema()["properties"]["air_calibration"]["properties"]
    for name, (lo, hi) in BOUNDS.items():
        assert (spec.AIR_CALIBRATION[name].minimum, spec.AIR_CALIBRATION[name].maximum) == (lo, hi)
        assert (props[name]["minimum"], props[name]["maximum"]) == (lo, hi)
        assert hasattr(SolverSettings(), name)


# ----- validation ----------------------------------------------------------------------------
@pytest.mark.parametrize("key, value, message", [
    ("row_end_entrainment", 1.2, "found 1.2, expected a finite number >= 0 and <= 0.95"),
    ("turbulent_diffusivity_m2s", 0.001,
     "found 0.001, expected a finite number >= 0.005 and <= 0.15"),
    ("buoyancy_time_s", "fast", "found 'fast', expected a finite number >= 0.1 and <= 2.4"),
    ("mae_after_c", -0.5, "found -0.5, expected a finite number >= 0 and <= 100"),
    ("fitted_on", "05/12/2026", "found '05/12/2026', expected an ISO date YYYY-MM-DD"),
    ("fitted_on", "2026-02-30", "found '2026-02-30', expected an ISO date YYYY-MM-DD"),
    ("sensors_file", 3, "found 3, expected a string"),
])
def test_a_bad_value_names_the_file_place_and_bound(key, value, message):
    d = v3_doc()
    d["air_calibration"][key] = value
    with pytest.raises(LayoutError) as exc:
        loads_layout(json.dumps(d), "calibrated.json")
    assert [(p.path, p.message) for p in exc.value.problems] == \
        [(f"air_calibration.{key}", message)]
    assert str(exc.value).startswith(f"calibrated.json: air_calibration.{key}: {message}")


def test_an_unknown_constant_and_a_wrong_block_are_refused():
    d = v3_doc()
    d["air_calibration"]["plume_rise"] = 0.2
    assert errors(d) == [("air_calibration.plume_rise", "unknown field, expected one of "
                          + ", ".join(sorted([*BOUNDS, "sensors_file", "fitted_on",
                                              "mae_before_c", "mae_after_c"])))]
    d = v3_doc()
    d["air_calibration"] = [0.45]
    assert errors(d) == [("air_calibration", "found a list of 1, expected an object")]


# ----- twin calibrate --write ----------------------------------------------------------------
def _synthetic_sensors(layout_path, csv_path, truth, noise_k=0.05):
    """Mean-inlet sensors of every rack as the model gives them with ``truth``, with noise."""
    model = RoomModel(load_layout(layout_path))
    res = model.solve(truth)
    rng = np.random.default_rng(7)
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["rack", "value_c", "time"])
        for i, rid in enumerate(model.rack_ids):
            w.writerow([rid, round(float(res.rack_inlet_mean_c[i]) + rng.normal(0, noise_k), 3),
                        "2026-12-05T10:00"])


def test_write_stores_the_fit_and_the_live_model_uses_it(tmp_path, capsys):
    layout = tmp_path / "room.json"
    shutil.copy(ROOM, layout)
    (tmp_path / "data").mkdir()
    sensors = tmp_path / "data" / "inlets.csv"
    _synthetic_sensors(layout, sensors, TRUTH)
    assert main(["calibrate", str(layout), str(sensors), "--write", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["after"]["mae_k"] < doc["before"]["mae_k"]
    lay = load_layout(layout)
    cal = lay.air_calibration
    assert dict(cal.constants) == doc["fitted"] and set(cal.constants) == set(BOUNDS)
    assert cal.sensors_file == "data/inlets.csv"          # relative to the layout's folder
    assert cal.mae_after_c < cal.mae_before_c
    assert cal.mae_before_c == pytest.approx(doc["before"]["mae_k"], abs=1e-4)
    assert len(cal.fitted_on) == 10 and doc["written"]["fitted_on"] == cal.fitted_on
    # the live model's solver settings carry the stored constants
    scene = inputs.air_scene(lay, np.full(len(lay.racks), 5e3))[0]
    for name, value in cal.constants.items():
        assert getattr(scene.settings, name) == value
    # and its inlets are the fitted ones: a second calibration starts where the first ended
    assert main(["calibrate", str(layout), str(sensors), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["start"] == doc["fitted"]
    # (within 0.02 K: the rack heat is simulated again, now with the fitted inlets)
    assert again["before"]["mae_k"] == pytest.approx(doc["after"]["mae_k"], abs=0.02)
    assert again["before"]["mae_k"] < doc["before"]["mae_k"] / 5
    assert load_layout(layout).air_calibration == cal     # without --write: unchanged


def test_without_write_the_layout_file_is_untouched(tmp_path, capsys):
    layout = tmp_path / "room.json"
    shutil.copy(ROOM, layout)
    sensors = tmp_path / "inlets.csv"
    _synthetic_sensors(layout, sensors, TRUTH)
    before = layout.read_bytes()
    assert main(["calibrate", str(layout), str(sensors)]) == 0
    assert "--write stores the fitted constants" in capsys.readouterr().out
    assert layout.read_bytes() == before


def test_a_failed_save_is_one_line_and_keeps_the_file(tmp_path, capsys, monkeypatch):
    layout = tmp_path / "room.json"
    shutil.copy(ROOM, layout)
    sensors = tmp_path / "inlets.csv"
    _synthetic_sensors(layout, sensors, TRUTH)
    before = layout.read_bytes()
    from twin.io import layout_file

    def refuse(*_a, **_k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(layout_file, "write_atomic", refuse)
    assert main(["calibrate", str(layout), str(sensors), "--write"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "room.json" in err and "No space left" in err
    assert layout.read_bytes() == before
