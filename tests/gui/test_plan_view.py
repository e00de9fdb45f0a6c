"""Plan view: selection, rubber band, drag with snap and undo, keys, drops, heatmap pixels.

Mouse and drop events are real Qt events sent to the plan's viewport at positions mapped
from hall metres, so the whole pyqtgraph event path is exercised.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from twin.gui.base.commands import Editor
from twin.gui.base.placement import CATALOGUE_MIME
from twin.gui.plan.interaction import catalogue_mime
from twin.gui.plan.view import PlanView
from twin.io import load_layout
from twin.model.colour_by import by_model, by_nameplate_power
from twin.model.viewstate import RackColouring, Selection

pytestmark = pytest.mark.gui

LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"
L = Qt.MouseButton.LeftButton
NO = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def plan(qtbot):
    layout = load_layout(LAYOUTS / "gb200-pod.json")
    selection, colouring = Selection(), RackColouring()
    colouring.set(by_model(layout))
    editor = Editor(layout)
    view = PlanView(layout, selection, colouring, editor)
    qtbot.addWidget(view)
    view.resize(1000, 760)
    view.show()
    qtbot.waitExposed(view)
    view.reset_view()
    QtWidgets.QApplication.processEvents()
    qtbot.wait(50)              # late resize and layout events settle before any drag
    view.reset_view()
    QtWidgets.QApplication.processEvents()
    messages: list[str] = []
    view.message.connect(messages.append)
    view.messages = messages
    return view


def _vp_pos(view: PlanView, x: float, y: float) -> QtCore.QPoint:
    scene = view.view_box.mapViewToScene(QPointF(x, y))
    return view.canvas.mapFromScene(scene)


def _send(view: PlanView, kind, pos: QtCore.QPoint, buttons, modifiers=NO, button=L) -> None:
    vp = view.canvas.viewport()
    ev = QtGui.QMouseEvent(kind, QPointF(pos), QPointF(vp.mapToGlobal(pos)), button, buttons,
                           modifiers)
    QtWidgets.QApplication.sendEvent(vp, ev)


def click(view: PlanView, x: float, y: float, modifiers=NO) -> None:
    p = _vp_pos(view, x, y)
    _send(view, QtCore.QEvent.Type.MouseButtonPress, p, L, modifiers)
    _send(view, QtCore.QEvent.Type.MouseButtonRelease, p, Qt.MouseButton.NoButton, modifiers)
    QtWidgets.QApplication.processEvents()


def drag(view: PlanView, start: tuple[float, float], end: tuple[float, float],
         modifiers=NO, steps: int = 8) -> None:
    p0 = _vp_pos(view, *start)
    p1 = _vp_pos(view, *end)
    _send(view, QtCore.QEvent.Type.MouseButtonPress, p0, L, modifiers)
    for k in range(1, steps + 1):
        t = k / steps
        p = QtCore.QPoint(round(p0.x() + t * (p1.x() - p0.x())),
                          round(p0.y() + t * (p1.y() - p0.y())))
        QTest.qWait(12)  # pyqtgraph drops mouse moves above its rate limit (100 Hz)
        _send(view, QtCore.QEvent.Type.MouseMove, p, L, modifiers, button=Qt.MouseButton.NoButton)
        QtWidgets.QApplication.processEvents()
    _send(view, QtCore.QEvent.Type.MouseButtonRelease, p1, Qt.MouseButton.NoButton, modifiers)
    QtWidgets.QApplication.processEvents()


def rack_xy(view: PlanView, rid: str) -> tuple[float, float]:
    return view.editor.position_of(rid)


# ----- selection ------------------------------------------------------------------------
def test_click_selects_rack(plan):
    click(plan, 3.0, 3.6)  # A01 centre
    assert plan.selection.ids == {"A01"}
    click(plan, 12.5, 9.5)  # empty floor clears
    assert plan.selection.ids == frozenset()


def test_shift_click_adds_and_ctrl_toggles(plan):
    click(plan, 3.0, 3.6)
    click(plan, 3.6, 3.6, SHIFT)
    assert plan.selection.ids == {"A01", "A02"}
    click(plan, 3.0, 3.6, Qt.KeyboardModifier.ControlModifier)
    assert plan.selection.ids == {"A02"}


def test_rubber_band_selects_several(plan):
    # from empty floor below row A, up over A01..A03 (x 2.7..4.5 minus the in-row coolers)
    drag(plan, (2.8, 1.0), (4.4, 3.5))
    sel = plan.selection.ids
    assert {"A01", "A02", "A03"} <= sel
    assert not any(i.startswith("B") for i in sel)


# ----- drag, snap, undo ---------------------------------------------------------------------
def test_drag_rack_snaps_and_undoes_in_one_step(plan):
    editor = plan.editor
    before = rack_xy(plan, "A01")
    count = editor.stack.count()
    drag(plan, (3.0, 3.6), (11.13, 8.0))
    x, y = rack_xy(plan, "A01")
    # footprint corner snapped to the 0.6 m tile grid: x0 10.8 -> centre 11.1, y0 7.2 -> 7.8
    assert (x, y) == pytest.approx((11.1, 7.8), abs=1e-9)
    x0, y0, _x1, _y1 = plan.bounds_of("A01")
    assert x0 / 0.6 == pytest.approx(round(x0 / 0.6)) and y0 / 0.6 == pytest.approx(
        round(y0 / 0.6))  # edges on tile lines
    assert editor.stack.count() == count + 1  # the whole drag is one undo step
    assert plan.selection.ids == {"A01"}
    editor.stack.undo()
    assert rack_xy(plan, "A01") == pytest.approx(before)
    assert plan.bounds_of("A01") == pytest.approx((2.7, 3.0, 3.3, 4.2))


def test_straight_drag_reports_its_move_without_a_negative_zero(plan):
    from twin.gui.plan.tools import move_text
    drag(plan, (3.0, 3.6), (3.0, 2.4))                 # straight down by two tiles
    assert rack_xy(plan, "A01") == pytest.approx((3.0, 2.4))
    assert plan.messages[-1] == "Moved A01 by +0.00, -1.20 m"
    assert move_text(["A05"], (-4.4e-16, 1.2)) == "Moved A05 by +0.00, +1.20 m"


def test_drag_without_snap(plan):
    plan.set_snap(False)
    drag(plan, (3.0, 3.6), (11.13, 8.0))
    x, y = rack_xy(plan, "A01")
    assert abs(x - 11.13) < 0.05 and abs(y - 8.0) < 0.05
    assert (x, y) != pytest.approx((11.1, 7.8), abs=1e-6)


def test_drag_out_of_hall_is_refused(plan):
    before = rack_xy(plan, "A01")
    count = plan.editor.stack.count()
    drag(plan, (3.0, 3.6), (3.0, -0.2))
    assert rack_xy(plan, "A01") == pytest.approx(before)
    assert plan.editor.stack.count() == count  # no undo step left behind
    assert "A01" not in plan.conflict_ids()
    assert any("refused" in m and "leave the hall" in m for m in plan.messages)


def test_drag_onto_rack_is_kept_and_flagged(plan):
    drag(plan, (3.0, 3.6), (3.6, 3.6))  # onto A02
    assert rack_xy(plan, "A01") == pytest.approx((3.6, 3.6))
    assert {"A01", "A02"} <= plan.conflict_ids()
    assert any("Overlap" in m and "A02" in m for m in plan.messages)
    plan.editor.stack.undo()
    assert not plan.conflict_ids()


def test_drag_shows_red_while_overlapping(plan):
    """During the drag (before release) the model is already updated and flagged."""
    p0, p1 = _vp_pos(plan, 3.0, 3.6), _vp_pos(plan, 3.6, 3.6)
    _send(plan, QtCore.QEvent.Type.MouseButtonPress, p0, L)
    for k in range(1, 6):
        p = QtCore.QPoint(round(p0.x() + k / 5 * (p1.x() - p0.x())), p0.y())
        QTest.qWait(12)
        _send(plan, QtCore.QEvent.Type.MouseMove, p, L, button=Qt.MouseButton.NoButton)
    QtWidgets.QApplication.processEvents()
    assert rack_xy(plan, "A01") == pytest.approx((3.6, 3.6))
    i = plan.layout_model.racks.index_of("A01")
    assert plan._racks.conflict[i]
    _send(plan, QtCore.QEvent.Type.MouseButtonRelease, p1, Qt.MouseButton.NoButton)


def test_snap_keeps_row_alignment():
    from twin.gui.plan.tools import snap_axis
    # edge on the grid when that is nearest
    assert snap_axis(2.7, 0.6, 8.13, 0.6) == pytest.approx(8.1)
    # centre on a tile line (pod rows straddle tile lines): 2.7 -> 3.3 stays in line
    assert snap_axis(2.7, 0.6, 0.58, 0.6) == pytest.approx(0.6)
    # an off-grid row (x0 = 6.8) keeps its alignment: whole-tile moves are candidates
    assert snap_axis(6.8, 0.6, 0.62, 0.6) == pytest.approx(0.6)
    # drops snap absolutely: here the centre lands on a tile line (7.1 -> 7.2)
    assert snap_axis(6.8, 0.6, 0.0, 0.6, relative=False) == pytest.approx(0.1)
    assert snap_axis(6.7, 0.6, 0.0, 0.6, relative=False) == pytest.approx(-0.1)


# ----- keys ----------------------------------------------------------------------------------
def test_r_rotates_delete_deletes_ctrl_d_duplicates(plan):
    click(plan, 3.0, 3.6)
    plan.canvas.setFocus()
    QTest.keyClick(plan.canvas, Qt.Key.Key_R)
    racks = plan.layout_model.racks
    assert racks["rotation_deg"][racks.index_of("A01")] == 90
    QTest.keyClick(plan.canvas, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert len(plan.layout_model.racks) == 21
    new = next(iter(plan.selection.ids))
    assert new != "A01" and plan.layout_model.racks.has(new)
    QTest.keyClick(plan.canvas, Qt.Key.Key_Delete)
    assert not plan.layout_model.racks.has(new)
    assert len(plan.layout_model.racks) == 20


# ----- drops ---------------------------------------------------------------------------------
def _drop(view: PlanView, key: str, x: float, y: float) -> None:
    pos = QPointF(_vp_pos(view, x, y))
    mime = catalogue_mime(key)
    vp = view.canvas.viewport()
    act = Qt.DropAction.CopyAction
    enter = QtGui.QDragEnterEvent(pos.toPoint(), act, mime, L, NO)
    QtWidgets.QApplication.sendEvent(vp, enter)
    assert enter.isAccepted()
    move = QtGui.QDragMoveEvent(pos.toPoint(), act, mime, L, NO)
    QtWidgets.QApplication.sendEvent(vp, move)
    assert view._ghost.isVisible()
    drop = QtGui.QDropEvent(pos, act, mime, L, NO)
    QtWidgets.QApplication.sendEvent(vp, drop)
    QtWidgets.QApplication.processEvents()


def test_drop_catalogue_key_adds_snapped_rack(plan):
    assert catalogue_mime("gb300-nvl72").hasFormat(CATALOGUE_MIME)
    n = len(plan.layout_model.racks)
    _drop(plan, "gb300-nvl72", 11.72, 8.45)
    racks = plan.layout_model.racks
    assert len(racks) == n + 1
    rid = racks.ids[-1]
    assert rid.startswith("R-")
    assert racks["model"][-1] == "gb300-nvl72"
    x0, y0, _, _ = plan.bounds_of(rid)
    assert (x0, y0) == pytest.approx((11.4, 7.8))  # corner on the tile grid
    assert plan.selection.ids == {rid}
    assert rid not in plan.conflict_ids()
    plan.editor.stack.undo()
    assert len(plan.layout_model.racks) == n


def test_drop_cdu_adds_item(plan):
    _drop(plan, "cdu-inrow-1350", 12.0, 8.0)
    added = [c for c in plan.layout_model.cdus if c.startswith("CDU-") and c not in
             ("CDU-A", "CDU-B")]
    assert len(added) == 1


def test_out_of_hall_drop_is_refused(plan):
    n = len(plan.layout_model.racks)
    assert plan.drop_model("gb200-nvl72", 14.35, 5.0) is None  # footprint leaves the hall
    assert len(plan.layout_model.racks) == n
    assert any("leave the hall" in m for m in plan.messages)


def test_overlapping_drop_is_flagged(plan):
    rid = plan.drop_model("gb200-nvl72", 3.0, 3.6)  # right on A01
    assert rid is not None
    assert {rid, "A01"} <= plan.conflict_ids()
    assert any("overlapping" in m and "A01" in m for m in plan.messages)


# ----- hover, colouring, alerts, heatmap ------------------------------------------------
def test_tooltip_has_model_power_and_extra(plan):
    plan.tooltip_extra = lambda rid: f"Inlet 24.5 °C ({rid})"
    text = plan.tooltip_text("A01")
    assert "A01" in text and "GB200 NVL72" in text and "132 kW" in text
    assert "Inlet 24.5 °C (A01)" in text
    assert plan._tooltip_at(plan.view_box.mapViewToScene(QPointF(3.0, 3.6))).startswith("A01")


def _pixel(view: PlanView, img: QtGui.QImage, x: float, y: float) -> QtGui.QColor:
    p = view.canvas.mapTo(view, _vp_pos(view, x, y))
    dpr = img.devicePixelRatio()
    return img.pixelColor(round(p.x() * dpr), round(p.y() * dpr))


def test_colouring_drives_rack_pixels_and_key(plan):
    img = plan.render_image()
    c = _pixel(plan, img, 3.0, 3.8)  # inside A01, away from the front strip
    assert (c.red(), c.green(), c.blue()) == (31, 119, 180)  # first category colour
    assert plan.legends.rack_key is plan.legends.category_legend
    plan.colouring.set(by_nameplate_power(plan.layout_model))
    assert plan.legends.rack_key is plan.legends.rack_bar
    img = plan.render_image()
    c = _pixel(plan, img, 3.0, 3.8)  # 132 kW of 132 -> darkest red of the power map
    assert c.red() > 100 and c.green() < 30 and c.blue() < 30


def test_alert_ids_outline(plan):
    plan.set_alert_ids({"A03"})
    i = plan.layout_model.racks.index_of("A03")
    assert plan._racks.alert[i] and plan._racks.alert.sum() == 1


def test_heatmap_shows_hot_colour(plan):
    ny, nx = 18, 24
    field = np.full((ny, nx), 20.0)
    field[:, nx // 2:] = 40.0  # east half hot
    plan.set_heatmap(field, (0.0, 0.0, 14.4, 10.8), (18.0, 40.0), "thermal",
                     "Air temperature", "°C")
    item = plan.heatmap_item()
    assert item.isVisible()
    img = plan.render_image()
    hot = _pixel(plan, img, 12.5, 9.5)  # empty floor, east
    cool = _pixel(plan, img, 1.0, 9.5)  # empty floor, west
    assert hot.red() > 150 and hot.green() < 70 and hot.blue() < 90
    assert cool.blue() > cool.red()
    # in-place update keeps the same ImageItem and levels
    field2 = field + 1.0
    plan.set_heatmap(field2, (0.0, 0.0, 14.4, 10.8), (18.0, 40.0), "thermal",
                     "Air temperature", "°C")
    assert plan.heatmap_item() is item
    assert tuple(item.levels) == (18.0, 40.0)
    assert "°C" in plan.legends.heat_bar.getAxis("left").labelText
    plan.clear_heatmap()
    assert not item.isVisible()


def test_frame_and_reset_view(plan):
    plan.frame_ids(["A01", "A02"])
    (x0, x1), (y0, y1) = plan.view_box.viewRange()
    assert x1 - x0 < 8 and x0 < 2.7 and x1 > 3.9
    plan.reset_view()
    (x0, x1), _ = plan.view_box.viewRange()
    assert x0 <= 0 and x1 >= 14.4


def test_model_reset_redraws(plan):
    other = load_layout(LAYOUTS / "small-room.json")
    plan.layout_model.replace_all(other)
    assert len(plan._racks.bounds) == len(other.racks)
    assert len(plan._zones.tile_ids) == len(other.tiles)


def test_drag_outside_the_hall_shows_red_while_dragging(plan):
    """Before release the rack stands outside the hall: drawn red (the drop is refused)."""
    p0, p1 = _vp_pos(plan, 3.0, 3.6), _vp_pos(plan, 3.0, -0.4)
    _send(plan, QtCore.QEvent.Type.MouseButtonPress, p0, L)
    for k in range(1, 6):
        p = QtCore.QPoint(p0.x(), round(p0.y() + k / 5 * (p1.y() - p0.y())))
        QTest.qWait(12)
        _send(plan, QtCore.QEvent.Type.MouseMove, p, L, button=Qt.MouseButton.NoButton)
    QtWidgets.QApplication.processEvents()
    x, y = rack_xy(plan, "A01")
    assert y < 0.6                                  # its footprint leaves the hall
    i = plan.layout_model.racks.index_of("A01")
    assert "A01" in plan.conflict_ids() and plan._racks.conflict[i]
    _send(plan, QtCore.QEvent.Type.MouseButtonRelease, p1, Qt.MouseButton.NoButton)
    QtWidgets.QApplication.processEvents()
    assert not plan._racks.conflict[i]              # refused: back where it was, not red


def test_grilles_are_picked_dragged_and_banded_in_the_plan(qtbot):
    """Format v2 return grilles: clickable, movable by drag (one undo step), selectable by
    a rubber band, and listed in the symbol key."""
    layout = load_layout(LAYOUTS / "measured-room.json")
    selection, colouring = Selection(), RackColouring()
    colouring.set(by_model(layout))
    editor = Editor(layout)
    view = PlanView(layout, selection, colouring, editor)
    qtbot.addWidget(view)
    view.resize(1000, 760)
    view.show()
    qtbot.waitExposed(view)
    view.reset_view()
    QtWidgets.QApplication.processEvents()
    click(view, 2.1, 0.9)
    assert selection.ids == {"RG-S1"}
    drag(view, (2.1, 0.9), (2.1, 1.5))
    g = layout.grilles["RG-S1"]
    assert g.y_m == pytest.approx(1.5) and g.x_m == pytest.approx(2.1)
    assert view.floor.bounds_of("RG-S1") == pytest.approx((1.5, 1.2, 2.7, 1.8))
    editor.stack.undo()
    assert layout.grilles["RG-S1"].y_m == pytest.approx(0.9)
    selection.clear()
    drag(view, (1.0, 6.4), (5.0, 7.5))               # the north grilles, nothing else
    assert selection.ids == {"RG-N1", "RG-N2"}
    labels = [e[1] for e in view.legends.symbol_key.entries]
    assert "Return grille" in labels and "Supply grille" not in labels
