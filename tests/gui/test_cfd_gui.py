"""The CFD check and the sensors in the app (issue 16): File ▸ Import ▸ OpenFOAM Result
fills the "CFD comparison" dock and the reference heatmaps (the difference on a diverging
scale centred on 0), sensor markers are coloured by the sign of their residual, the
calibration is stored as one undoable edit, and bad input is a message, never a
traceback."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.gui.test_main_window import dialogs, settings  # noqa: F401  (fixtures)
from twin.engine.calibrate import BOUNDS, RoomModel
from twin.gui.window import app as app_mod
from twin.interchange.openfoam.compare import agreement, read_result
from twin.io import load_layout
from twin.model import units
from twin.model.viewstate import COLORMAPS, colormap_rgba

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
CFD = ROOT / "tests" / "bench" / "cfd"
ROOM = CFD / "rooms" / "open_balanced.json"
RESULT = CFD / "reference" / "open_balanced.json"
WHITE = COLORMAPS["diverging"][2][1]


@pytest.fixture
def room(tmp_path) -> Path:
    path = tmp_path / "room.json"
    shutil.copy(ROOM, path)
    return path


@pytest.fixture
def case(tmp_path) -> Path:
    folder = tmp_path / "case"
    folder.mkdir()
    shutil.copy(RESULT, folder / "result.json")
    return folder


@pytest.fixture
def window(qtbot, settings, dialogs, room):  # noqa: F811
    app_mod.create_application()
    w = app_mod.open_main_window(room, settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.session.result is not None, timeout=20000)
    yield w
    w.document.stack.setClean()
    w.close()


def _wait_idle(qtbot, w) -> None:
    qtbot.waitUntil(lambda: not w.cfd_tools.busy, timeout=60000)


def test_import_fills_the_dock_with_the_figures_of_import_openfoam(qtbot, window, case):
    w = window
    assert w.cfd_tools.import_openfoam(str(case))
    _wait_idle(qtbot, w)
    panel = w.cfd_tools.panel
    assert panel is not None and w.cfd_tools.dock.isVisible()
    res = w.session.result
    a = agreement(read_result(case), list(res.rack_ids), res.air.rack_inlet_mean_c,
                  res.air.rack_inlet_max_c)
    assert panel.table.rowCount() == len(a.rack_ids) == 10
    assert panel.figures["mae"].text() == units.difference(a.mae_k, 2)
    assert panel.figures["worst"].text().endswith(f"({a.worst_rack})")
    assert panel.figures["same"].text().startswith("yes" if a.hottest_agrees else "no")
    rows = {panel.table.item(r, 0).text(): r for r in range(panel.table.rowCount())}
    r = rows[a.rack_ids[0]]
    assert float(panel.table.item(r, 1).text()) == pytest.approx(a.cfd_mean_c[0], abs=0.006)
    assert float(panel.table.item(r, 5).text()) == pytest.approx(
        a.twin_mean_c[0] - a.cfd_mean_c[0], abs=0.006)
    assert panel.table.horizontalHeaderItem(5).text() == "\u0394 mean"
    assert panel.units_note.text() == "Inlets in \u00b0C; \u0394 = twin \u2212 CFD in K"


def test_the_difference_layer_is_diverging_and_centred_on_zero(qtbot, window, case):
    w = window
    w.cfd_tools.import_openfoam(str(case))
    _wait_idle(qtbot, w)
    assert w.heatmap_controls.metric == "cfd_diff"
    hm = w.plan_view.heatmap
    assert hm is not None and hm.colormap == "diverging" and hm.unit == "K"
    lo, hi = hm.levels
    assert lo == -hi and hi >= 1.0
    assert np.nanmax(np.abs(hm.image)) <= hi
    # the bar's colour at 0 is the map's centre (white): zero reads as "no difference"
    lut = w.plan_view.legends.heat_bar.colorMap().map(np.array([0.5]), mode="byte")[0][:3]
    assert tuple(int(c) for c in lut) == WHITE
    bar_lo, bar_hi = w.plan_view.legends.heat_bar.levels()
    assert (bar_lo, bar_hi) == (lo, hi)
    # the image's pixel on the rack the twin reads warmest against the CFD: its red
    res = w.session.result
    cfd = read_result(case)
    diff = {r: res.air.rack_inlet_mean_c[res.rack_ids.index(r)] - m
            for r, m in zip(cfd.rack_ids, cfd.inlet_mean_c)}
    warm = max(diff, key=diff.get)
    assert diff[warm] > 0
    rec = w.floor_layout.racks.record(w.floor_layout.racks.index_of(warm))
    x0, y0, x1, y1 = hm.extent
    iy = int((rec["y_m"] - y0) / (y1 - y0) * hm.image.shape[0])
    ix = int((rec["x_m"] - x0) / (x1 - x0) * hm.image.shape[1])
    assert hm.image[iy, ix] == pytest.approx(diff[warm], abs=1e-6)
    red, _g, blue, _a = colormap_rgba(np.array([hm.image[iy, ix]]), lo, hi, hm.colormap)[0]
    assert red > blue
    # under US units the bar is a °F difference (no offset)
    with units.using("us"):
        w.plan_view.refresh_units()
        assert "[\u00b0F]" in w.plan_view.legends.heat_bar.getAxis("left").labelText
    w.plan_view.refresh_units()


def test_the_cfd_layer_uses_the_twins_ashrae_scale(qtbot, window, case):
    w = window
    w.cfd_tools.import_openfoam(str(case))
    _wait_idle(qtbot, w)
    w.cfd_tools.panel.cfd_button.click()
    qtbot.waitUntil(lambda: w.plan_view.heatmap is not None
                    and w.plan_view.heatmap.colormap.startswith("ashrae"))
    hm = w.plan_view.heatmap
    w.heatmap_controls.set_metric("inlet")
    qtbot.waitUntil(lambda: w.plan_view.heatmap.label == "Rack inlet temperature")
    twin = w.plan_view.heatmap
    assert (hm.levels, hm.colormap, hm.unit) == (twin.levels, twin.colormap, twin.unit)
    assert np.nanmax(hm.image) == pytest.approx(read_result(case).inlet_max_c.max())


def test_the_dock_says_when_the_cfd_run_has_not_settled(qtbot, window, case):
    w = window
    assert w.cfd_tools.import_openfoam(str(case))
    _wait_idle(qtbot, w)
    assert "not settled" not in w.cfd_tools.panel.source.text()
    doc = json.loads((case / "result.json").read_text())
    for r in doc["racks"]:
        r["mean_std_k"] = 1.5
    (case / "result.json").write_text(json.dumps(doc))
    assert w.cfd_tools.import_openfoam(str(case))
    _wait_idle(qtbot, w)
    text = w.cfd_tools.panel.source.text()
    assert "The CFD run is not settled: its racks' mean inlets vary by 1.50 K (median)" in text


@pytest.mark.parametrize("make, message", [
    (lambda folder: None, "is not an exported case (no twin_case.json, no result.json)"),
    (lambda folder: (folder / "twin_case.json").write_text("{}"), "no result.json yet: run the case"),
    (lambda folder: (folder / "result.json").write_text('{"format": "other"}'),
     "not an OpenFOAM case result"),
    (lambda folder: (folder / "result.json").write_text("{"), "is not a CFD result (not JSON: line 1"),
])
def test_a_bad_folder_is_one_message(qtbot, window, dialogs, tmp_path, make, message):  # noqa: F811
    folder = tmp_path / "bad"
    folder.mkdir()
    make(folder)
    window.cfd_tools.import_openfoam(str(folder))
    _wait_idle(qtbot, window)
    assert len(dialogs["problems"]) == 1
    title, lines = dialogs["problems"][0]
    assert title == "Import OpenFOAM result" and len(lines) == 1
    assert message in lines[0] and "Traceback" not in lines[0]
    assert window.cfd_tools.cfd is None


def _sensor_csv(path: Path, layout: Path, offsets_k: dict[str, float]) -> Path:
    """Mean-inlet sensors at the live model's values plus ``offsets_k`` (measured hotter
    than predicted: a negative residual)."""
    model = RoomModel(load_layout(layout))
    res = model.solve({})
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["rack", "value_c", "time"])
        for rid, off in offsets_k.items():
            i = model.rack_ids.index(rid)
            w.writerow([rid, round(float(res.rack_inlet_mean_c[i]) + off, 3), "t0"])
    return path


def test_sensor_markers_are_coloured_by_the_sign_of_their_residual(qtbot, window, room, tmp_path):
    w = window
    path = _sensor_csv(tmp_path / "s.csv", room, {"A01": 2.0, "A03": -2.0, "B02": 0.0})
    assert w.cfd_tools.load_sensors(str(path))
    _wait_idle(qtbot, w)
    markers = w.cfd_tools.markers
    assert markers is not None and markers.isVisible()
    r = markers.residual_k
    assert r[0] == pytest.approx(-2.0, abs=0.01) and r[1] == pytest.approx(2.0, abs=0.01)
    assert abs(r[2]) < 0.01
    colours = markers.marker_colours()
    blue, red, white = colours
    assert blue[2] > blue[0] + 60          # predicted colder than measured: blue
    assert red[0] > red[2] + 60            # predicted warmer: red
    assert min(white) > 230                # agreeing: the centre, white
    assert markers.levels[0] == -markers.levels[1]
    assert w.plan_view.legends._sensors_shown
    tip = markers._tip(0, 0, 0)
    assert "Measured" in tip and "Predicted" in tip and "\u2212" in tip
    assert w.actions.calibrate_air.isEnabled()


def test_a_bad_sensor_file_is_one_message(qtbot, window, dialogs, tmp_path):  # noqa: F811
    path = tmp_path / "bad.csv"
    path.write_text("rack,value_c\nNOPE,20\n")
    window.cfd_tools.load_sensors(str(path))
    _wait_idle(qtbot, window)
    (title, lines), = dialogs["problems"]
    assert title == "Import sensor readings"
    assert len(lines) == 1 and "\n" not in lines[0]
    assert "bad.csv" in lines[0] and "rack 'NOPE' is not in the layout" in lines[0]
    assert window.cfd_tools.sensors is None and not window.actions.calibrate_air.isEnabled()


def test_calibrate_stores_the_fit_as_one_undoable_edit(qtbot, window, dialogs, room, tmp_path):  # noqa: F811
    from PySide6.QtWidgets import QMessageBox
    w = window
    model = RoomModel(load_layout(room))
    truth = dict(row_end_entrainment=0.35, turbulent_diffusivity_m2s=0.07,
                 mixing_length_m=0.22, buoyancy_time_s=1.3)
    res = model.solve(truth)
    path = tmp_path / "inlets.csv"
    with open(path, "w", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["rack", "value_c", "time"])
        for i, rid in enumerate(model.rack_ids):
            wr.writerow([rid, round(float(res.rack_inlet_mean_c[i]), 3), "t0"])
    w.cfd_tools.load_sensors(str(path))
    _wait_idle(qtbot, w)
    dialogs["answers"]["question"] = QMessageBox.StandardButton.Yes
    assert w.document.stack.isClean()
    assert w.cfd_tools.calibrate()
    _wait_idle(qtbot, w)
    assert len(dialogs["question"]) == 1 and "Store these constants" in dialogs["question"][0]
    cal = w.floor_layout.air_calibration
    assert set(cal.constants) == set(BOUNDS) and cal.sensors_file == "inlets.csv"
    assert cal.mae_after_c < cal.mae_before_c
    assert not w.document.stack.isClean()
    assert w.document.stack.undoText() == "Calibrate air model to sensors"
    # the live model re-solves with the stored constants: the sensors now agree
    qtbot.waitUntil(lambda: np.nanmax(np.abs(w.cfd_tools.residual_k)) < 0.3, timeout=20000)
    w.document.stack.undo()
    assert w.floor_layout.air_calibration.is_empty
    saved = tmp_path / "saved.json"
    w.document.stack.redo()
    from twin.io import save_layout
    save_layout(w.floor_layout, saved)
    assert json.loads(saved.read_text())["air_calibration"]["sensors_file"] == "inlets.csv"


def test_units_and_opening_another_layout(qtbot, window, case, room, tmp_path):
    from twin.gui.window.units_menu import set_units
    w = window
    w.cfd_tools.import_openfoam(str(case))
    _wait_idle(qtbot, w)
    w.cfd_tools.load_sensors(str(_sensor_csv(tmp_path / "s.csv", room, {"A01": 1.0})))
    _wait_idle(qtbot, w)
    panel = w.cfd_tools.panel
    try:
        set_units(w, "us")
        assert panel.units_note.text() == ("Inlets in \u00b0F; \u0394 = twin \u2212 CFD "
                                           "in \u00b0F")
        assert "\u00b0F" in panel.figures["mae"].text()
        assert "\u00b0F" in w.cfd_tools.markers._tip(0, 0, 0)
    finally:
        set_units(w, "si")
    # File > Open of another floor: the CFD run and the sensors were this one's
    w.open_path(ROOT / "layouts" / "small-room.json")
    qtbot.waitUntil(lambda: w.cfd_tools.cfd is None)
    assert w.session.reference is None and w.cfd_tools.sensors is None
    assert not w.cfd_tools.markers.isVisible() and not w.actions.calibrate_air.isEnabled()
    assert panel.table.rowCount() == 0
