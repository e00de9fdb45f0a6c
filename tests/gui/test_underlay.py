"""The floor plan underlay in the main window: File > Import > Floor Plan (DXF) shows the
drawing in the plan as one undo step, undo removes the reference, the two-point alignment
clicked in the plan puts a drawing point under a rack, a layout that refers to a drawing
shows it when opened (a missing one is a status-bar note), the settings dialog edits the
transform and layers undoably, and File > Export As > Floor Plan (DXF) writes the plan.

No dialog ever blocks: ``QFileDialog`` statics and ``ProblemsDialog.exec`` are replaced.
"""

from __future__ import annotations

from pathlib import Path

import ezdxf
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from tests.interchange.test_dxf import make_plan
from twin.gui.base.dialogs import ProblemsDialog
from twin.gui.window import app as app_mod
from twin.gui.window.settings import AppSettings
from twin.interchange.underlay import apply_underlay
from twin.model.equipment import Underlay

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
POD = ROOT / "layouts" / "gb200-pod.json"


@pytest.fixture
def dialogs(monkeypatch):
    log: dict[str, list] = {"problems": []}
    answers = {"open_path": "", "save_path": ""}

    def problems_exec(self):
        log["problems"].append((self.windowTitle(), list(self.lines)))
        return 0

    monkeypatch.setattr(ProblemsDialog, "exec", problems_exec)
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (answers["open_path"], "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (answers["save_path"], "")))
    log["answers"] = answers
    return log


def _settle(qtbot, ms: int = 30) -> None:
    QApplication.processEvents()
    qtbot.wait(ms)


def _open(qtbot, tmp_path, path: Path = POD):
    app_mod.create_application()
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    w = app_mod.open_main_window(path, settings=settings, recover=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    qtbot.waitExposed(w)
    _settle(qtbot, 50)
    w.set_view_mode("plan", remember=False)
    w.view_reset()
    _settle(qtbot)
    return w


@pytest.fixture
def window(qtbot, tmp_path, dialogs):
    w = _open(qtbot, tmp_path)
    yield w
    if w.underlay.dialog is not None:
        w.underlay.dialog.close()
    w.document.stack.setClean()
    w.close()


@pytest.fixture
def plan(tmp_path) -> Path:
    return make_plan(tmp_path / "plan.dxf")


def _plan_point(w, x_m: float, y_m: float) -> QPoint:
    plan = w.plan_view
    return plan.canvas.mapFromScene(plan.view_box.mapViewToScene(QPointF(x_m, y_m)))


def _click(w, qtbot, x_m: float, y_m: float) -> None:
    vp = w.plan_view.canvas.viewport()
    pos = _plan_point(w, x_m, y_m)
    qtbot.mouseMove(vp, pos)
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    _settle(qtbot)


def _rack_xy(w, rack_id: str) -> tuple[float, float]:
    r = w.floor_layout.racks
    i = r.index_of(rack_id)
    return float(r["x_m"][i]), float(r["y_m"][i])


def _import(w, qtbot, dialogs, path: Path) -> None:
    dialogs["answers"]["open_path"] = str(path)
    w.actions.import_floor_plan.trigger()
    _settle(qtbot)


def test_import_shows_the_drawing_and_undo_removes_it(window, qtbot, dialogs, plan):
    w = window
    ctrl = w.underlay
    stack = w.document.stack
    before = stack.count()
    clean = w.plan_view.render_image((900, 700))
    _import(w, qtbot, dialogs, plan)
    assert not dialogs["problems"]
    u = w.floor_layout.underlay
    # stored relative to the layout when close to it, else absolute: it finds the drawing
    from twin.interchange.underlay import resolved_path
    found = resolved_path(u.path, w.document.path)
    assert found is not None and Path(found).resolve() == plan.resolve()
    assert (u.scale, u.rotation_deg) == (1.0, 0.0)
    # the drawing (0..12 x 0..8 m) overlaps the 14.4 x 10.8 m hall: its own coordinates
    assert (u.offset_x_m, u.offset_y_m) == (0.0, 0.0)
    assert stack.count() == before + 1 and w.isWindowModified()
    item = ctrl.item
    assert item.scene() is w.plan_view.canvas.scene() and item.isVisible()
    assert item.drawing.n_segments == 17 and item.visible_segments() == 17
    assert w.plan_view.heatmap_item().zValue() < item.zValue() < 0   # lines over the field
    assert "Floor plan plan.dxf: 17 segments" in w.statusBar().currentMessage()
    w.plan_view.clear_heatmap()
    shown = w.plan_view.render_image((900, 700))
    assert shown != clean
    assert ctrl.dialog is not None and ctrl.dialog.layer_list.count() == 2
    assert w.actions.floor_plan_settings.isEnabled()

    stack.undo()
    _settle(qtbot)
    assert w.floor_layout.underlay == Underlay()
    assert not item.isVisible() and ctrl.drawing is None
    assert not w.actions.floor_plan_settings.isEnabled()
    stack.redo()
    _settle(qtbot)
    assert w.floor_layout.underlay.path == u.path and item.isVisible()


def test_path_is_relative_to_a_saved_layout(window, qtbot, dialogs, plan, tmp_path):
    w = window
    assert w.save_to(tmp_path / "hall.json")
    _import(w, qtbot, dialogs, plan)
    assert w.floor_layout.underlay.path == "plan.dxf"


def test_bad_drawing_is_one_dialog_and_no_change(window, qtbot, dialogs, tmp_path):
    w = window
    bad = tmp_path / "bad.dxf"
    bad.write_text("not a drawing\n")
    count = w.document.stack.count()
    _import(w, qtbot, dialogs, bad)
    assert len(dialogs["problems"]) == 1
    title, lines = dialogs["problems"][0]
    assert title == "Cannot Import Floor Plan" and lines == [f"{bad}: not a DXF drawing "
                                                             "(it does not start with a SECTION; "
                                                             "first line 'not a drawing')"]
    assert w.document.stack.count() == count and w.floor_layout.underlay == Underlay()


def test_two_point_alignment_by_clicks_puts_drawing_points_under_racks(window, qtbot, dialogs,
                                                                       plan):
    w = window
    ctrl = w.underlay
    _import(w, qtbot, dialogs, plan)
    w.plan_view.clear_heatmap()
    w.selection.clear()
    assert ctrl.start_picking()
    assert "drawing point 1" in w.statusBar().currentMessage()
    # the desks' corners: drawing (2000, 3000) and (9000, 6000) mm, shown at (2, 3) and
    # (9, 6) m; clicks a few pixels off snap onto them
    px = w.plan_view.view_box.viewPixelSize()[0]
    _click(w, qtbot, 2.0 + 4 * px, 3.0 - 3 * px)
    _click(w, qtbot, 9.0 - 3 * px, 6.0 + 2 * px)
    assert ctrl.picks["drawing_a"] == pytest.approx((2.0, 3.0), abs=1e-12)
    assert ctrl.picks["drawing_b"] == pytest.approx((9.0, 6.0), abs=1e-12)
    # ... belong at the centres of racks A01 and B08 (clicks snap to footprint centres)
    a01, b08 = _rack_xy(w, "A01"), _rack_xy(w, "B08")
    _click(w, qtbot, a01[0] + 3 * px, a01[1])
    _click(w, qtbot, b08[0], b08[1] - 3 * px)
    assert not ctrl.picking and not ctrl.overlay.isVisible()
    assert w.selection.ids == set()             # the clicks picked, they did not select
    u = w.floor_layout.underlay
    np.testing.assert_allclose(apply_underlay(u, np.array([[2.0, 3.0], [9.0, 6.0]])),
                               [a01, b08], atol=1e-9)
    # the drawing: 7 x 3 m between the points; the racks: 6.3 x 2.4 m
    assert u.scale == pytest.approx(np.hypot(6.3, 2.4) / np.hypot(7.0, 3.0), rel=1e-12)
    # and the item draws it there: the point maps through the item's transform too
    p = ctrl.item.mapToParent(QPointF(2.0, 3.0))
    assert (p.x(), p.y()) == pytest.approx(a01, abs=1e-9)
    w.document.stack.undo()
    _settle(qtbot)
    assert w.floor_layout.underlay.scale == 1.0 and w.floor_layout.underlay.offset_x_m == 0.0


def test_fit_with_typed_hall_points_and_coinciding_points(window, qtbot, dialogs, plan):
    w = window
    ctrl = w.underlay
    _import(w, qtbot, dialogs, plan)
    assert ctrl.fit((0.0, 0.0), (1.0, 0.0), (2.0, 3.0), (2.0, 4.0))
    u = w.floor_layout.underlay
    assert (u.scale, u.rotation_deg, u.offset_x_m, u.offset_y_m) == (1.0, 90.0, 2.0, 3.0)
    count = w.document.stack.count()
    assert not ctrl.fit((1.0, 1.0), (1.0, 1.0), (0.0, 0.0), (1.0, 0.0))
    assert w.document.stack.count() == count and "coincide" in w.statusBar().currentMessage()


def test_dialog_edits_transform_layers_and_visibility(window, qtbot, dialogs, plan):
    w = window
    _import(w, qtbot, dialogs, plan)
    d = w.underlay.dialog
    d.scale.setValue(0.5)
    d.rotation.setValue(30.0)
    d.offset_x.setValue(1.25)
    d.offset_y.setValue(-0.5)
    d.apply_button.click()
    u = w.floor_layout.underlay
    assert (u.scale, u.rotation_deg, u.offset_x_m, u.offset_y_m) == (0.5, 30.0, 1.25, -0.5)
    item = w.underlay.item
    p = item.mapToParent(QPointF(2.0, 0.0))
    assert (p.x(), p.y()) == pytest.approx((1.25 + np.sqrt(3) / 2, -0.5 + 0.5), abs=1e-12)
    walls = d.layer_list.findItems("WALLS", Qt.MatchFlag.MatchExactly)[0]
    walls.setCheckState(Qt.CheckState.Unchecked)
    assert w.floor_layout.underlay.hidden_layers == ("WALLS",)
    assert item.visible_segments() == 12
    d.visible_box.setChecked(False)
    assert not w.floor_layout.underlay.visible and not item.isVisible()
    for _ in range(3):
        w.document.stack.undo()
    _settle(qtbot)
    assert w.floor_layout.underlay.hidden_layers == () and item.isVisible()
    assert w.floor_layout.underlay.scale == 1.0 and d.scale.value() == 1.0
    assert walls.checkState() == Qt.CheckState.Checked or \
        d.layer_list.item(0).checkState() == Qt.CheckState.Checked


def test_opened_layout_shows_its_drawing_and_a_missing_one_is_a_note(qtbot, tmp_path, dialogs,
                                                                     plan):
    from twin.io import load_layout, save_layout
    layout = load_layout(POD)
    layout.underlay = Underlay(path="plan.dxf", scale=1.0, rotation_deg=90.0, offset_x_m=12.0,
                               hidden_layers=("FURN",))
    save_layout(layout, tmp_path / "with-plan.json")
    w = _open(qtbot, tmp_path, tmp_path / "with-plan.json")
    try:
        _settle(qtbot)
        ctrl = w.underlay
        assert ctrl.drawing is not None and ctrl.item.isVisible()
        assert w.floor_layout.underlay.rotation_deg == 90.0
        assert ctrl.item.visible_segments() == 5               # FURN hidden
        # the drawing goes missing: re-opening says so in the status bar only
        plan.rename(tmp_path / "elsewhere.dxf")
        assert w.open_path(tmp_path / "with-plan.json", ask=False)
        _settle(qtbot)
        assert ctrl.drawing is None and not ctrl.item.isVisible()
        assert "Floor plan not found" in w.statusBar().currentMessage()
        assert not dialogs["problems"]
        # File > New drops the reference
        w.file_new()
        _settle(qtbot)
        assert w.floor_layout.underlay == Underlay()
    finally:
        w.document.stack.setClean()
        w.close()


def test_export_floor_plan(window, qtbot, dialogs, tmp_path):
    w = window
    out = tmp_path / "pod-plan"
    dialogs["answers"]["save_path"] = str(out)
    w.actions.export_dxf.trigger()
    _settle(qtbot)
    doc = ezdxf.readfile(tmp_path / "pod-plan.dxf")
    assert len(doc.modelspace().query('INSERT[layer=="TWIN-RACKS"]')) == 20
    assert "Exported pod-plan.dxf: 20 racks" in w.statusBar().currentMessage()
    dialogs["answers"]["save_path"] = str(tmp_path / "nofolder" / "x.dxf")
    w.actions.export_dxf.trigger()
    assert dialogs["problems"] and dialogs["problems"][0][0] == "Cannot Export Floor Plan"
