"""The desktop editor end to end: open, select (plan click, 3-D pick), drag, rotate, add,
delete, undo/redo, save/reload, clipboard, start-up with bad input, no OpenGL (export:
``test_export.py``).

No dialog ever blocks: ``QMessageBox``/``QFileDialog`` statics and ``ProblemsDialog.exec``
are monkeypatched and record what they were asked.
"""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from twin.gui.window import app as app_mod
from twin.gui.base.dialogs import ProblemsDialog
from twin.gui.window.main_window import MainWindow
from twin.gui.base.placement import CATALOGUE_MIME
from twin.gui.window.settings import AppSettings
from twin.io import load_layout
from twin.model import geometry
from twin.model.viewstate import Colouring

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
POD = ROOT / "layouts" / "gb200-pod.json"


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture
def settings(tmp_path) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def dialogs(monkeypatch):
    """Record every dialog instead of showing it. ``answers['question']`` is the reply to
    Save/Discard/Cancel prompts; ``answers['save_path']``/``open_path`` the file dialogs."""
    log: dict[str, list] = {"problems": [], "question": [], "about": []}
    answers = {"question": QMessageBox.StandardButton.Discard, "save_path": "", "open_path": ""}

    def problems_exec(self):
        log["problems"].append((self.windowTitle(), list(self.lines)))
        return 0

    def question(parent, title, text, *args, **kw):
        log["question"].append(text)
        return answers["question"]

    monkeypatch.setattr(ProblemsDialog, "exec", problems_exec)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *a: log["about"].append(a)))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (answers["save_path"], "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (answers["open_path"], "")))
    log["answers"] = answers
    return log


def _settle(qtbot, ms: int = 30) -> None:
    QApplication.processEvents()
    qtbot.wait(ms)


@pytest.fixture
def window(qtbot, settings, dialogs):
    app_mod.create_application()
    w = app_mod.open_main_window(POD, settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    qtbot.waitExposed(w)
    _settle(qtbot, 50)
    w.view_reset()
    _settle(qtbot)
    yield w
    w.document.stack.setClean()
    w.close()


def _plan_point(w: MainWindow, x_m: float, y_m: float) -> QPoint:
    """Viewport pixel of a plan position in metres."""
    plan = w.plan_view
    scene = plan.view_box.mapViewToScene(QPointF(x_m, y_m))
    return plan.canvas.mapFromScene(scene)


def _rack_xy(w: MainWindow, rack_id: str) -> tuple[float, float]:
    r = w.floor_layout.racks
    i = r.index_of(rack_id)
    return float(r["x_m"][i]), float(r["y_m"][i])


def _undo_all(w: MainWindow) -> None:
    while w.document.stack.canUndo():
        w.document.stack.undo()


# --------------------------------------------------------------------------------- open
def test_opens_the_sample(window):
    w = window
    assert len(w.floor_layout.racks) == 20
    assert w.windowTitle().startswith("GB200 NVL72 pod \u2014 gb200-pod.json")
    assert not w.isWindowModified()
    assert w.inspector.title.text() == "GB200 NVL72 pod"          # hall and totals
    assert "20 racks" in w.selection_label.text()
    assert w.palette.item_for("gb200-nvl72") is not None
    assert str(POD.resolve()) in w.settings.recent_files()


def test_title_tracks_the_undo_stack(window):
    w = window
    w.editor.rotate(["A01"])
    assert w.isWindowModified()
    w.document.stack.undo()
    assert not w.isWindowModified()


# ------------------------------------------------------------------------------ selection
def test_click_in_plan_selects_and_inspector_shows_it(window, qtbot):
    w = window
    x, y = _rack_xy(w, "A03")
    qtbot.mouseClick(w.plan_view.canvas.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, _plan_point(w, x, y))
    _settle(qtbot)
    assert w.selection.ids == {"A03"}
    assert w.inspector.title.text() == "Rack A03"
    names = {b.name for b in w.inspector.bindings}
    assert {"model", "x_m", "y_m", "rotation_deg", "workload", "feed_a", "cdu"} <= names
    assert "1 rack selected, 132 kW nameplate" == w.selection_label.text()


def test_3d_pick_selects_and_inspector_shows_it(window, qtbot):
    w = window
    if w.view3d is None:
        pytest.skip(f"no 3-D view: {w.gl_reason}")
    v = w.view3d
    v.frame_ids(["B02"])
    _settle(qtbot)
    pos = v.screen_position("B02", "top")
    assert v.pick(pos) == "B02"
    ratio = v.native.devicePixelRatioF()
    native_pos = QPoint(int(pos[0] / ratio), int(pos[1] / ratio))
    qtbot.mouseClick(v.native, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     native_pos)
    _settle(qtbot)
    if w.selection.ids != {"B02"}:      # synthetic mouse events not routed: use the API
        v.click(pos)
        _settle(qtbot)
    assert w.selection.ids == {"B02"}
    assert w.inspector.title.text() == "Rack B02"


def test_selection_summary_counts_racks_and_power(window):
    w = window
    w.selection.set(["A01", "A02", "A03"])
    w._update_selection_summary()
    assert w.selection_label.text() == "3 racks selected, 396 kW nameplate"


# --------------------------------------------------------------------------------- edits
def _drag(qtbot, widget, start: QPoint, end: QPoint, steps: int = 8) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, steps + 1):
        p = start + (end - start) * (k / steps)
        qtbot.mouseMove(widget, p)
        qtbot.wait(5)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_drag_rack_in_plan_snaps_to_tiles(window, qtbot):
    w = window
    start_layout = w.floor_layout.snapshot()
    x, y = _rack_xy(w, "A01")
    vp = w.plan_view.canvas.viewport()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     _plan_point(w, x, y))
    _settle(qtbot)
    _drag(qtbot, vp, _plan_point(w, x, y), _plan_point(w, x - 0.1, y - 2.05))
    _settle(qtbot)
    nx, ny = _rack_xy(w, "A01")
    pitch = w.floor_layout.hall.tile_pitch_m
    assert (nx, ny) != (x, y), "the drag did not move the rack"
    # snapped (plan convention): a footprint edge or its centre on a tile line, or moved
    # by whole tiles; and within half a tile of where it was dropped
    (x0, y0, _x1, _y1), = w.floor_layout.rack_bounds_m()[
        w.floor_layout.racks.indices_of(["A01"])]

    def on_grid(v: float) -> bool:
        return abs(v / pitch - round(v / pitch)) < 1e-6

    assert on_grid(x0) or on_grid(nx) or on_grid(nx - x)
    assert on_grid(y0) or on_grid(ny) or on_grid(ny - y)
    assert abs(nx - (x - 0.1)) <= pitch / 2 + 1e-9
    assert abs(ny - (y - 2.05)) <= pitch / 2 + 1e-9
    assert ny < y - 1.0
    assert w.document.stack.count() >= 1
    _undo_all(w)
    assert w.floor_layout.equals(start_layout)


def test_rotate_action(window):
    w = window
    w.selection.set(["A01", "B01"])
    before = w.floor_layout.racks["rotation_deg"][w.floor_layout.racks.indices_of(["A01", "B01"])]
    w.actions.rotate.trigger()
    after = w.floor_layout.racks["rotation_deg"][w.floor_layout.racks.indices_of(["A01", "B01"])]
    assert list(after) == [(b + 90) % 360 for b in before]
    assert w.document.stack.count() == 1


def test_add_from_palette_at_a_free_spot(window, qtbot):
    w = window
    item = w.palette.item_for("gb300-nvl72")
    assert CATALOGUE_MIME in w.palette.tree.mimeData([item]).formats()
    assert bytes(w.palette.tree.mimeData([item]).data(CATALOGUE_MIME)).decode() == "gb300-nvl72"
    w.palette.tree.itemActivated.emit(item, 0)
    _settle(qtbot)
    lay = w.floor_layout
    assert len(lay.racks) == 21
    (new_id,) = w.selection.ids
    assert lay.racks["model"][lay.racks.index_of(new_id)] == "gb300-nvl72"
    b = lay.rack_bounds_m()
    assert geometry.overlapping_pairs(b) == []
    assert not geometry.outside_hall(b, lay.hall.width_m, lay.hall.length_m).any()
    w.document.stack.undo()
    assert len(lay.racks) == 20


def test_add_cooling_unit_and_power_from_palette(window, qtbot):
    w = window
    cu = w.add_equipment("crah-150")
    assert cu in w.floor_layout.cooling_units
    pdu = w.add_equipment("pdu-300")
    assert w.floor_layout.power[pdu].kind == "pdu"
    _settle(qtbot)
    assert w.inspector.title.text().startswith("Power component")


def test_delete_then_undo_redo(window):
    w = window
    start = w.floor_layout.snapshot()
    w.selection.set(["A01", "CDU-A", "IRC-A1"])
    w.actions.delete.trigger()
    assert not w.floor_layout.racks.has("A01")
    assert "CDU-A" not in w.floor_layout.cdus
    assert w.selection.ids == frozenset()
    after = w.floor_layout.snapshot()
    w.actions.undo.trigger()
    assert w.floor_layout.equals(start)
    w.actions.redo.trigger()
    assert w.floor_layout.equals(after)


def test_inspector_edits_are_undoable(window, qtbot):
    w = window
    start = w.floor_layout.snapshot()
    w.selection.set(["A02"])
    w.inspector.rebuild()
    spin = w.inspector.findChild(type(w.inspector.bindings[3].widget), "field_x_m")
    assert spin.suffix().strip() == "m"
    spin.setValue(12.0)
    assert _rack_xy(w, "A02")[0] == pytest.approx(12.0)
    model = next(b for b in w.inspector.bindings if b.name == "model").widget
    model.activated.emit(model.findData("vera-rubin-nvl144"))
    assert w.floor_layout.racks["model"][w.floor_layout.racks.index_of("A02")] == \
        "vera-rubin-nvl144"
    # multi-selection: common fields, mixed values
    w.selection.set(["A01", "A02"])
    w.inspector.rebuild()
    names = [b.name for b in w.inspector.bindings]
    assert "x_m" not in names and "model" in names
    combo = next(b for b in w.inspector.bindings if b.name == "model").widget
    assert combo.currentText() == "(mixed)"
    combo.activated.emit(combo.findData("gb300-nvl72"))
    models = w.floor_layout.racks["model"][w.floor_layout.racks.indices_of(["A01", "A02"])]
    assert list(models) == ["gb300-nvl72", "gb300-nvl72"]
    # an item field and the hall
    w.selection.set(["CDU-A"])
    w.inspector.rebuild()
    fs = next(b for b in w.inspector.bindings if b.name == "facility_supply_c").widget
    assert "\u00b0C" in fs.suffix()
    fs.setValue(27.0)
    assert w.floor_layout.cdus["CDU-A"].facility_supply_c == 27.0
    w.selection.clear()
    w.inspector.rebuild()
    width = next(b for b in w.inspector.bindings if b.name == "width_m").widget
    width.setValue(18.0)
    assert w.floor_layout.hall.width_m == 18.0
    _undo_all(w)
    assert w.floor_layout.equals(start)


def test_next_single_rack_reuses_the_inspector_form_and_edits_that_rack(window):
    """Selecting another single rack keeps the form (building it is the slow part on a
    large hall) but every field then shows and edits the new rack."""
    w = window
    w.selection.set(["A02"])
    w.inspector.rebuild()
    spin = next(b for b in w.inspector.bindings if b.name == "x_m").widget
    w.selection.set(["B03"])
    w.inspector.rebuild()
    assert next(b for b in w.inspector.bindings if b.name == "x_m").widget is spin
    assert w.inspector.title.text() == "Rack B03"
    assert spin.value() == pytest.approx(_rack_xy(w, "B03")[0])
    assert next(b for b in w.inspector.bindings if b.name == "id").widget.text() == "B03"
    spin.setValue(9.0)
    assert _rack_xy(w, "B03")[0] == pytest.approx(9.0)
    assert _rack_xy(w, "A02")[0] != pytest.approx(9.0)
    model = w.floor_layout.racks["model"][w.floor_layout.racks.index_of("B03")]
    assert w.inspector.subtitle.text() == w.floor_layout.catalogue[model].name
    w.selection.set(["CDU-A"])                     # another kind: a new form
    w.inspector.rebuild()
    assert all(b.widget is not spin for b in w.inspector.bindings)
    assert w.inspector.title.text() != "Rack B03"
    w.selection.set(["A05"])                       # a rack again: the parked form is back
    w.inspector.rebuild()
    assert next(b for b in w.inspector.bindings if b.name == "x_m").widget is spin
    assert spin.isVisible() and w.inspector.title.text() == "Rack A05"
    assert spin.value() == pytest.approx(_rack_xy(w, "A05")[0])
    spin.setValue(8.4)
    assert _rack_xy(w, "A05")[0] == pytest.approx(8.4)
    assert _rack_xy(w, "B03")[0] == pytest.approx(9.0)


def test_a_rack_form_is_ready_before_the_first_rack_is_selected(window, qtbot):
    """The window builds a single-rack form while idle after opening (parked, the hall
    form stays on show), so selecting the first rack only points it at that rack."""
    w = window
    qtbot.waitUntil(lambda: w.inspector._rack_form is not None)
    parked = w.inspector._rack_form.host
    assert w.inspector.scroll.widget() is not parked
    assert not w.inspector.title.text().startswith("Rack")
    w.selection.set(["B06"])
    w.inspector.rebuild()
    assert w.inspector.scroll.widget() is parked
    assert w.inspector.title.text() == "Rack B06"
    assert next(b for b in w.inspector.bindings if b.name == "id").widget.text() == "B06"


def test_clipboard_copy_paste_cut(window):
    w = window
    start = w.floor_layout.snapshot()
    w.selection.set(["A01", "IRC-A1"])
    w.actions.copy.trigger()
    assert w.actions.paste.isEnabled()
    new = w.edit_paste()
    assert len(new) == 2 and w.selection.ids == set(new)
    rack = next(i for i in new if w.floor_layout.racks.has(i))
    x0, y0 = _rack_xy(w, "A01")
    pitch = w.floor_layout.hall.tile_pitch_m
    assert _rack_xy(w, rack) == pytest.approx((x0 + pitch, y0 + pitch))
    assert w.document.stack.count() == 1            # one paste, one undo step
    second = w.edit_paste()
    assert _rack_xy(w, next(i for i in second if w.floor_layout.racks.has(i))) == \
        pytest.approx((x0 + 2 * pitch, y0 + 2 * pitch))
    w.selection.set(["B04"])
    w.actions.cut.trigger()
    assert not w.floor_layout.racks.has("B04")
    w.edit_paste()
    assert _rack_xy(w, next(iter(w.selection.ids))) == pytest.approx(
        (start.racks["x_m"][start.racks.index_of("B04")],
         start.racks["y_m"][start.racks.index_of("B04")]))
    _undo_all(w)
    assert w.floor_layout.equals(start)


def test_duplicate_select_all(window):
    w = window
    w.selection.set(["A01"])
    w.actions.duplicate.trigger()
    assert len(w.floor_layout.racks) == 21
    w.actions.select_all.trigger()
    assert set(w.floor_layout.racks.ids) <= w.selection.ids
    assert "CDU-A" in w.selection.ids


def test_many_edits_undo_to_original_and_redo_to_final(window):
    w = window
    e = w.editor
    start = w.floor_layout.snapshot()
    e.move({"A01": (3.0, 1.8)}, drag="d1")
    e.move({"A01": (3.6, 1.2)}, drag="d1")
    e.rotate(["A02", "B03"])
    w.add_equipment("gb200-nvl72")
    e.delete(["B01", "IRC-B1"])
    e.duplicate(["A05", "CDU-B"])
    e.set_rack_field(["A06"], "workload", "fabric")
    e.update_item("cdus", "CDU-A", facility_supply_c=25.0)
    w.selection.set(["A07"])
    w.edit_copy()
    w.edit_paste()
    final = w.floor_layout.snapshot()
    _undo_all(w)
    assert w.floor_layout.equals(start)
    while w.document.stack.canRedo():
        w.document.stack.redo()
    assert w.floor_layout.equals(final)


def test_thousand_undo_redo_steps_leave_the_model_identical(window):
    w = window
    e = w.editor
    stack = w.document.stack
    start = w.floor_layout.snapshot()
    ids = list(w.floor_layout.racks.ids)
    for k in range(10):
        rid = ids[k]
        if k % 3 == 0:
            e.rotate([rid])
        elif k % 3 == 1:
            x, y = _rack_xy(w, rid)
            e.move({rid: (x, y - 1.8)})
        else:
            e.duplicate([rid], offset_m=(0.0, -3.0))
    end = w.floor_layout.snapshot()
    steps = 0
    while steps < 1000:
        for _ in range(stack.count()):
            stack.undo()
            steps += 1
        assert w.floor_layout.equals(start)
        for _ in range(stack.count()):
            stack.redo()
            steps += 1
        assert w.floor_layout.equals(end)
    _undo_all(w)
    assert w.floor_layout.equals(start)
    assert not w.isWindowModified()


# --------------------------------------------------------------------------------- files
def test_save_and_reload_equal(window, tmp_path, dialogs):
    w = window
    w.editor.rotate(["A01"])
    w.add_equipment("gb200-nvl72")
    dialogs["answers"]["save_path"] = str(tmp_path / "edited")
    assert w.file_save_as()
    saved = tmp_path / "edited.json"
    assert saved.exists()
    assert load_layout(saved).equals(w.floor_layout)
    assert not w.isWindowModified()
    assert "edited.json" in w.windowTitle()
    assert str(saved.resolve()) == w.settings.recent_files()[0]
    w.editor.rotate(["A02"])
    assert w.file_save()                                      # to the same file
    assert load_layout(saved).equals(w.floor_layout)


def test_read_only_target_keeps_document_modified(window, tmp_path, dialogs):
    w = window
    target = tmp_path / "locked.json"
    target.write_text("{}")
    target.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        w.editor.rotate(["A01"])
        assert not w.save_to(target)
        assert dialogs["problems"], "no error dialog"
        title, lines = dialogs["problems"][-1]
        assert title == "Cannot Save Layout" and "read-only" in " ".join(lines)
        assert w.isWindowModified()
        assert w.document.path == POD
        assert target.read_text() == "{}"
    finally:
        target.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_open_bad_file_lists_problems_and_keeps_document(window, tmp_path, dialogs):
    w = window
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "ai-factory-twin-layout", "version": 1, "hall": {"width_m": -3},'
                   ' "racks": [{"id": "R1", "model": "no-such-rack", "position_m": [1, 1]}]}')
    w.editor.rotate(["A01"])
    before = w.floor_layout.snapshot()
    assert not w.open_path(bad, ask=False)
    title, lines = dialogs["problems"][-1]
    assert title == "Cannot Open Layout" and len(lines) >= 2
    assert all(str(bad) in line for line in lines)
    assert w.floor_layout.equals(before) and w.isWindowModified()
    assert w.document.path == POD


def test_file_open_and_new_prompt_for_unsaved_changes(window, dialogs):
    w = window
    w.editor.rotate(["A01"])
    dialogs["answers"]["question"] = QMessageBox.StandardButton.Cancel
    w.file_new()
    assert len(w.floor_layout.racks) == 20 and dialogs["question"]
    dialogs["answers"]["question"] = QMessageBox.StandardButton.Discard
    dialogs["answers"]["open_path"] = str(ROOT / "layouts" / "small-room.json")
    w.file_open()
    assert w.document.path.name == "small-room.json"
    assert not w.isWindowModified() and not w.document.stack.canUndo()
    w.file_new()
    assert len(w.floor_layout.racks) == 0
    assert w.windowTitle().startswith("Untitled layout \u2014 Untitled")
    assert w.floor_layout.hall.width_m > 0


def test_close_asks_and_cancel_keeps_window(window, dialogs, qtbot):
    w = window
    w.editor.rotate(["A01"])
    dialogs["answers"]["question"] = QMessageBox.StandardButton.Cancel
    assert not w.close()
    assert w.isVisible()
    dialogs["answers"]["question"] = QMessageBox.StandardButton.Discard
    assert w.close()


def test_recent_files_menu(window, tmp_path):
    w = window
    w.update_recent_menu()
    acts = [a for a in w.recent_menu.actions() if a.text().startswith("&1")]
    assert acts and "gb200-pod.json" in acts[0].text()


def test_view_mode_and_snap_persist(window, settings, qtbot, dialogs):
    w = window
    w.actions.view_plan.trigger()
    assert not w.view3d_widget.isVisible() and w.plan_widget.isVisible()
    w.actions.snap.setChecked(False)
    assert w.plan_view.snap is False
    w.document.stack.setClean()
    w.close()
    w2 = app_mod.open_main_window(POD, settings=settings)
    qtbot.addWidget(w2)
    assert w2.view_mode == ("plan" if w2.view3d is not None else "plan")
    assert not w2.actions.snap.isChecked() and w2.plan_view.snap is False
    w2.close()


# --------------------------------------------------------------------------------- pixels
def test_pixels_selected_rack_highlighted_and_hot_rack_red(window, qtbot):
    w = window
    if w.view3d is None:
        pytest.skip(f"no 3-D view: {w.gl_reason}")
    v = w.view3d
    lay = w.floor_layout
    v.frame_ids(["A04"])
    _settle(qtbot)
    x, y = (int(round(c)) for c in v.screen_position("A04", "top"))
    plain = v.render_image()[y, x, :3].astype(int)
    w.selection.set(["A04"])
    _settle(qtbot)
    selected = v.render_image()[y, x, :3].astype(int)
    assert np.abs(selected - plain).sum() > 30, (plain, selected)
    w.selection.clear()
    values = np.zeros(len(lay.racks))
    values[lay.racks.index_of("A04")] = 40.0
    w.colouring.set(Colouring("inlet_c", "Inlet temperature", "\u00b0C", values, 0.0, 40.0,
                              "thermal"))
    _settle(qtbot)
    r, g, b = v.render_image()[y, x, :3].astype(int)
    assert r > g + 60 and r > b + 60, (r, g, b)
    # the plan shows the same hot rack in red
    img = w.plan_view.render_image()
    rx, ry = _rack_xy(w, "A04")
    pt = _plan_point(w, rx, ry + 0.2)
    ratio = img.devicePixelRatio()
    c = img.pixelColor(int(pt.x() * ratio), int(pt.y() * ratio))
    assert c.red() > c.green() + 60 and c.red() > c.blue() + 60, c.name()


# ------------------------------------------------------------------------------ start-up
def test_starts_with_no_file_on_the_sample(qtbot, settings, dialogs):
    w = app_mod.open_main_window(None, settings=settings)
    qtbot.addWidget(w)
    assert w.document.path == app_mod.DEFAULT_SAMPLE
    assert not dialogs["problems"]
    w.close()


@pytest.mark.parametrize("content", [None, "{ not json", ""])
def test_starts_with_bad_or_missing_file(qtbot, settings, dialogs, tmp_path, content):
    path = tmp_path / "input.json"
    if content is not None:
        path.write_text(content)
    w = app_mod.open_main_window(path, settings=settings)
    qtbot.addWidget(w)
    assert dialogs["problems"] and dialogs["problems"][0][0] == "Cannot Open Layout"
    assert all(str(path) in line for line in dialogs["problems"][0][1])
    assert len(w.floor_layout.racks) == 0 and w.document.path is None
    assert w.isVisible() and not w.isWindowModified()
    w.close()


def test_run_returns_exit_code(qtbot, dialogs, monkeypatch, tmp_path):
    isolated = AppSettings(QSettings(str(tmp_path / "run.ini"), QSettings.Format.IniFormat))
    real = app_mod.open_main_window

    def opener(file=None, settings=None, **kw):
        w = real(file, settings=isolated, **kw)
        QTimer.singleShot(300, w.close)
        return w
    monkeypatch.setattr(app_mod, "open_main_window", opener)
    assert app_mod.run(str(POD)) == 0


def test_without_opengl_the_plan_still_works(qtbot, settings, dialogs, monkeypatch):
    import twin.view3d.gl as gl
    monkeypatch.setattr(gl, "opengl_available", lambda *a: (False, "no driver (test)"))
    w = app_mod.open_main_window(POD, settings=settings)
    qtbot.addWidget(w)
    assert w.view3d is None
    assert w.gl_label.isVisible() and "no driver (test)" in w.gl_label.toolTip()
    assert "no driver (test)" in w.statusBar().currentMessage() or True
    assert w.view_mode == "plan" and w.plan_widget.isVisible()
    assert not w.actions.view_3d.isEnabled()
    w.selection.set(["A01"])
    w.actions.rotate.trigger()
    assert w.floor_layout.racks["rotation_deg"][0] == 90
    w.document.stack.setClean()
    w.close()


def test_canvas_failure_falls_back_to_plan(qtbot, settings, dialogs, monkeypatch):
    import twin.view3d.floor_view as fv

    def boom(*a, **k):
        raise RuntimeError("GLSL compile failed")
    monkeypatch.setattr(fv, "FloorView3D", boom)
    w = app_mod.open_main_window(POD, settings=settings)
    qtbot.addWidget(w)
    assert w.view3d is None and "GLSL compile failed" in w.gl_reason
    w.close()


def test_about_shows_version(window, dialogs):
    import twin
    window.actions.about.trigger()
    assert twin.__version__ in dialogs["about"][0][2]


def test_split_orientation_toggle_persists(window, settings, qtbot):
    w = window
    w.actions.view_split.trigger()
    w.actions.stacked.setChecked(True)
    assert w.splitter.orientation() == Qt.Orientation.Vertical
    w.actions.stacked.setChecked(False)
    assert w.splitter.orientation() == Qt.Orientation.Horizontal
    # the window stays usable on small screens: no huge minimum width
    assert w.minimumSizeHint().width() < 1100
    assert settings.split_orientation() == "side"


def test_drop_from_palette_onto_plan_adds_there(window, qtbot):
    from PySide6.QtCore import QPointF as P
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

    w = window
    w.actions.view_plan.trigger()
    _settle(qtbot)
    w.plan_view.reset_view()
    _settle(qtbot)
    mime = w.palette.tree.mimeData([w.palette.item_for("dgx-b200-rack")])
    target = (11.0, 8.4)                     # empty floor north-east of the pod
    pos = P(_plan_point(w, *target))
    vp = w.plan_view.canvas.viewport()
    actions = Qt.DropAction.CopyAction
    for ev in (QDragEnterEvent(pos.toPoint(), actions, mime, Qt.MouseButton.LeftButton,
                               Qt.KeyboardModifier.NoModifier),
               QDragMoveEvent(pos.toPoint(), actions, mime, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier),
               QDropEvent(pos, actions, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)):
        QApplication.sendEvent(vp, ev)
    _settle(qtbot)
    racks = w.floor_layout.racks
    assert len(racks) == 21
    i = len(racks) - 1 if racks["model"][-1] == "dgx-b200-rack" else \
        list(racks["model"]).index("dgx-b200-rack")
    assert abs(racks["x_m"][i] - target[0]) <= 0.6 and abs(racks["y_m"][i] - target[1]) <= 0.6
    w.document.stack.undo()
    assert len(racks) == 20 or len(w.floor_layout.racks) == 20


def test_window_state_is_saved_on_close(qtbot, settings, dialogs):
    w = app_mod.open_main_window(POD, settings=settings)
    qtbot.addWidget(w)
    w.resize(760, 560)          # pytest-xvfb's screen may be small: stay inside it
    qtbot.wait(20)
    size = (w.width(), w.height())
    w.close()
    geometry, state, splitter = settings.window_state()
    assert geometry is not None and not geometry.isEmpty()
    assert state is not None and not state.isEmpty()
    w2 = app_mod.open_main_window(POD, settings=settings)
    qtbot.addWidget(w2)
    assert (w2.width(), w2.height()) == size
    w2.close()


def test_alert_ids_reach_both_views(window):
    w = window
    w.set_alert_ids(["A01"])
    if w.view3d is not None:
        assert w.view3d.alert_ids == {"A01"}
    assert "A01" in w.plan_view._alert_ids


def test_wheel_over_an_unfocused_field_scrolls_instead_of_changing_it(window, qtbot):
    """Scrolling the Properties dock over a combo box must not move a rack's feed."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    w = window
    w.selection.set(["A02"])
    w.inspector.rebuild()
    combo = next(b for b in w.inspector.bindings if b.kind == "choice" and b.name != "model"
                 ).widget
    before_text, before = combo.currentText(), w.floor_layout.snapshot()
    w.setFocus()

    def wheel(widget):
        pos = QPointF(widget.width() / 2, widget.height() / 2)
        ev = QWheelEvent(pos, widget.mapToGlobal(pos), QPoint(0, 0), QPoint(0, -120),
                         Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                         Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(widget, ev)

    assert not combo.hasFocus()
    wheel(combo)
    assert combo.currentText() == before_text and w.floor_layout.equals(before)
    spin = next(b for b in w.inspector.bindings if b.name == "x_m").widget
    x0 = spin.value()
    wheel(spin)
    assert spin.value() == x0 and w.floor_layout.equals(before)
    # once the field has the focus (clicked or tabbed into), the wheel edits it
    w.activateWindow()
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=5000)
    wheel(spin)
    assert spin.value() != x0


def test_colour_by_is_remembered_between_launches(qtbot, settings, dialogs):
    app_mod.create_application()
    w = app_mod.open_main_window(POD, settings=settings)
    qtbot.addWidget(w)
    w.set_colour_by("nameplate_kw")
    w.close()
    w2 = app_mod.open_main_window(POD, settings=settings)
    qtbot.addWidget(w2)
    assert w2.colour_key == "nameplate_kw"
    assert w2.colouring.current.key == "nameplate_kw"
    assert w2.colour_combo.currentData() == "nameplate_kw"
    w2.close()


def test_help_menu_offers_manual_shortcuts_format_physics_and_samples(window):
    w = window
    texts = [a.text().replace("&", "") for a in w.menuBar().actions()]
    help_menu = w.menuBar().actions()[texts.index("Help")].menu()
    items = [a.text().replace("&", "") for a in help_menu.actions()]
    for want in ("User Manual", "Keyboard Shortcuts", "Layout File Format",
                 "Physics and Its Limits", "Open Sample Layout"):
        assert want in items
    dlg = w.show_help("file_format")
    text = dlg.browser.toPlainText()
    assert text.startswith("Layout file format") and "Physics" not in text.splitlines()[0]
    dlg.close()
    dlg = w.show_shortcuts()
    text = dlg.browser.toPlainText()
    assert "Undo" in text and "Ctrl+Z" in text and "Save" in text
    dlg.close()
    samples = [a.text() for a in w.samples_menu.actions()]
    assert "Small room" in samples and "Gb200 pod" in samples


def test_rack_overrides_are_edited_in_properties_and_undoable(window):
    """Format v2: measured power, airflow, liquid share, height and weight per rack."""
    w = window
    lay = w.floor_layout
    i = lay.racks.index_of("A02")
    w.selection.set(["A02"])
    w.inspector.rebuild()
    names = [b.name for b in w.inspector.bindings]
    for name in ("power_kw", "airflow_m3s", "airflow_m3s_per_kw", "liquid_share", "height_m",
                 "weight_kg"):
        assert name in names
    power = next(b for b in w.inspector.bindings if b.name == "power_kw").widget
    assert power.specialValueText() == "catalogue default"
    assert power.value() == power.minimum()                 # unset: the catalogue's
    power.setValue(95.0)
    assert lay.racks["power_kw"][i] == 95.0
    height = next(b for b in w.inspector.bindings if b.name == "height_m").widget
    height.setValue(2.3)
    assert lay.rack_sizes_m()[i, 2] == pytest.approx(2.3)
    assert w.session.floor.rack_sizes_m[i, 2] == pytest.approx(2.3)
    power.setValue(power.minimum())                         # back to the catalogue
    assert np.isnan(lay.racks["power_kw"][i])
    _undo_all(w)
    assert np.isnan(lay.racks["power_kw"][i]) and np.isnan(lay.racks["height_m"][i])


def test_import_equipment_adds_models_to_the_layout_undoably(window, tmp_path, dialogs):
    import json

    w = window
    cat = json.loads((Path(__file__).parents[2] / "resources" / "catalogue.json").read_text())
    entry = dict(cat["equipment"]["dgx-h100-rack"], name="Site-measured H100 rack")
    path = tmp_path / "site-equipment.json"
    path.write_text(json.dumps({"equipment": {"site-h100": entry}}))
    assert w.file_import_equipment(path) == ["site-h100"]
    lay = w.floor_layout
    assert "site-h100" in lay.catalogue and lay.equipment["site-h100"]["name"] == \
        "Site-measured H100 rack"
    assert w.palette.item_for("site-h100") is not None
    assert w.document.modified
    w.document.stack.undo()
    assert "site-h100" not in lay.catalogue and w.palette.item_for("site-h100") is None
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"equipment": {"x": {"kind": "rack"}}}))
    assert w.file_import_equipment(bad) == []
    title, lines = dialogs["problems"][-1]
    assert title == "Import equipment" and lines and all(str(bad) in ln for ln in lines)
