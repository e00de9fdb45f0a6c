"""The plan's mouse, keyboard and drop tools: pick, click-select, drag-move (snapped, one
undo step per drag, refused when leaving the hall), rubber band, keys, and catalogue drops
with a ghost preview.

``PlanInteraction`` is mixed into ``PlanView``: it reads the view's shared ``FloorGeometry``
and edits only through the ``Editor``. The rules themselves (snapping, status texts) are
plain functions in ``twin.gui.plan.tools``; ``PlanViewBox`` and ``PlanCanvas`` route
Qt's events to these handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QPointF, QRectF, Qt

from twin.gui.base.placement import CATALOGUE_MIME
from twin.gui.plan import items as pi
from twin.gui.plan.tools import move_text, names, snap_axis
from twin.model import geometry
from twin.model.equipment import Cdu, CoolingUnit, ImmersionTank

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.plan.view import PlanView

FRONT_STRIP_M = 0.1
DOOR_STRIP_M = 0.14
_ID_PREFIX = {"rack": "R", "crah": "CRAH", "inrow": "IRC", "rdhx": "RDHX", "cdu": "CDU",
              "tank": "TANK"}


def catalogue_mime(model_key: str) -> QtCore.QMimeData:
    """Mime data for dragging a catalogue model (palette -> plan)."""
    mime = QtCore.QMimeData()
    mime.setData(CATALOGUE_MIME, QtCore.QByteArray(model_key.encode("utf-8")))
    return mime


# ======================================================================================
class PlanViewBox(pg.ViewBox):
    """ViewBox whose left button edits (select, move, rubber band); other buttons navigate."""

    def __init__(self, owner: "PlanView"):
        super().__init__(lockAspect=True, enableMenu=False)
        self._owner = owner

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._owner._click(self.mapToView(ev.pos()), ev.modifiers())
        else:
            ev.ignore()

    def mouseDragEvent(self, ev, axis=None) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or axis is not None:
            if ev.button() == Qt.MouseButton.MiddleButton or ev.button() \
                    == Qt.MouseButton.RightButton:
                super().mouseDragEvent(ev, axis)
            else:
                ev.ignore()
            return
        ev.accept()
        pos = self.mapToView(ev.pos())
        if ev.isStart():
            self._owner._drag_start(self.mapToView(ev.buttonDownPos()), ev.modifiers())
        self._owner._drag_move(pos)
        if ev.isFinish():
            self._owner._drag_finish(pos)


class PlanCanvas(pg.GraphicsLayoutWidget):
    """The graphics view: forwards keys, catalogue drops and tooltips to the PlanView."""

    def __init__(self, owner: "PlanView"):
        super().__init__()
        self._owner = owner
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().installEventFilter(self)

    def eventFilter(self, obj, ev) -> bool:
        if obj is self.viewport() and ev.type() == QtCore.QEvent.Type.ToolTip:
            text = self._owner._tooltip_at(self.mapToScene(ev.pos()))
            if text:
                QtWidgets.QToolTip.showText(ev.globalPos(), text, self.viewport())
            else:
                QtWidgets.QToolTip.hideText()
                ev.ignore()
            return True
        return super().eventFilter(obj, ev)

    def keyPressEvent(self, ev: QtGui.QKeyEvent) -> None:
        if not self._owner._key(ev):
            super().keyPressEvent(ev)

    def mousePressEvent(self, ev) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(ev)

    # --- catalogue drag and drop ------------------------------------------------------
    def dragEnterEvent(self, ev) -> None:
        if ev.mimeData().hasFormat(CATALOGUE_MIME):
            ev.acceptProposedAction()
            self._owner._drop_preview(ev.mimeData(), self.mapToScene(ev.position().toPoint()))
        else:
            super().dragEnterEvent(ev)

    def dragMoveEvent(self, ev) -> None:
        if ev.mimeData().hasFormat(CATALOGUE_MIME):
            ev.acceptProposedAction()
            self._owner._drop_preview(ev.mimeData(), self.mapToScene(ev.position().toPoint()))
        else:
            super().dragMoveEvent(ev)

    def dragLeaveEvent(self, ev) -> None:
        self._owner._ghost.hide()
        super().dragLeaveEvent(ev)

    def dropEvent(self, ev) -> None:
        if ev.mimeData().hasFormat(CATALOGUE_MIME):
            ev.acceptProposedAction()
            self._owner._ghost.hide()
            key = bytes(ev.mimeData().data(CATALOGUE_MIME)).decode("utf-8").strip()
            view = self._owner.view_box.mapSceneToView(self.mapToScene(ev.position().toPoint()))
            self._owner.drop_model(key, view.x(), view.y())
        else:
            super().dropEvent(ev)


# ======================================================================================

class PlanInteraction:
    """Editing by mouse and keyboard on the plan (mixed into ``PlanView``)."""

    def rotate_selection(self) -> None:
        ids = self._editable(self.selection.ids)
        if ids:
            self.editor.rotate(ids)

    def delete_selection(self) -> None:
        ids = self._editable(self.selection.ids)
        if ids:
            self.editor.delete(ids)
            self.selection.set(self.selection.ids - set(ids))

    def duplicate_selection(self) -> None:
        ids = self._editable(self.selection.ids)
        if ids:
            new = self.editor.duplicate(ids)
            if new:
                self.selection.set(new)

    def drop_model(self, model_key: str, x_m: float, y_m: float, rotation_deg: int = 0
                   ) -> str | None:
        """Add a catalogue model centred near (x_m, y_m), snapped; returns the new id or
        None when refused (unknown model, not placeable, or outside the hall)."""
        lay = self.layout_model
        if model_key not in lay.catalogue:
            self.message.emit(f"Unknown catalogue model {model_key!r}")
            return None
        entry = lay.catalogue[model_key]
        if entry.kind not in _ID_PREFIX or entry.kind == "rdhx":
            self.message.emit(f"{entry.name} cannot be placed on the plan"
                              + (" (rear doors belong to a rack)" if entry.kind == "rdhx"
                                 else ""))
            return None
        cx, cy, bounds = self._placement(model_key, x_m, y_m, rotation_deg)
        hall = lay.hall
        if geometry.outside_hall(bounds[None], hall.width_m, hall.length_m)[0]:
            self.message.emit(f"Cannot place {entry.name} there: it would leave the hall")
            return None
        new_id = lay.new_id(_ID_PREFIX[entry.kind])
        if entry.kind == "rack":
            self.editor.add_racks([{"id": new_id, "name": new_id, "model": model_key,
                                    "x_m": cx, "y_m": cy, "rotation_deg": rotation_deg}],
                                  text=f"Add {new_id}")
        elif entry.kind in ("crah", "inrow"):
            self.editor.add_item("cooling_units", CoolingUnit(new_id, model_key, cx, cy,
                                                              rotation_deg))
        elif entry.kind == "cdu":
            self.editor.add_item("cdus", Cdu(new_id, model_key, cx, cy, rotation_deg))
        elif entry.kind == "tank":
            self.editor.add_item("tanks", ImmersionTank(new_id, model_key, cx, cy,
                                                        rotation_deg))
        partners = sorted(self.floor.neighbours.get(new_id, ()))
        if partners:
            self.message.emit(f"Added {new_id} ({entry.name}) overlapping "
                              f"{', '.join(partners[:3])}{'…' if len(partners) > 3 else ''}"
                              " — shown in red")
        else:
            self.message.emit(f"Added {new_id} ({entry.name})")
        self.selection.set({new_id})
        return new_id

    def _ppm(self) -> float:
        px = self.view_box.viewPixelSize()
        return 1.0 / max(px[0], 1e-9)

    def _pick(self, x: float, y: float, ppm: float) -> str | None:
        """Top-most footprint under a point; rear-door strips only when drawn wide
        enough to aim at (6 px)."""
        doors = self._door_bounds if DOOR_STRIP_M * ppm >= 6 else None
        return self.floor.id_at(x, y, doors)

    def _editable(self, ids: Iterable[str]) -> list[str]:
        return [i for i in ids if self.editor.collection_of(i) not in (None, "power",
                                                                        "workloads")]

    def _click(self, pos: QPointF, modifiers) -> None:
        hit = self._pick(pos.x(), pos.y(), self._ppm())
        shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
        ctrl = bool(modifiers & (Qt.KeyboardModifier.ControlModifier
                                 | Qt.KeyboardModifier.MetaModifier))
        if hit is None:
            if not (shift or ctrl):
                self.selection.clear()
            return
        if ctrl:
            self.selection.toggle(hit)
        elif shift:
            self.selection.set(self.selection.ids | {hit})
        else:
            self.selection.set({hit})

    def _drag_start(self, pos: QPointF, modifiers) -> None:
        hit = self._pick(pos.x(), pos.y(), self._ppm())
        if hit is not None and hit in self.floor.zone_ids and hit not in self.selection.ids:
            hit = None  # aisles are floor: drag there draws a rubber band
        if hit is None:
            self._drag = {"mode": "band", "p0": QPointF(pos), "mods": modifiers}
            self._band.setRect(QRectF(pos, pos))
            self._band.show()
            return
        if hit not in self.selection.ids:
            if modifiers & (Qt.KeyboardModifier.ShiftModifier
                            | Qt.KeyboardModifier.ControlModifier):
                self.selection.set(self.selection.ids | {hit})
            else:
                self.selection.set({hit})
        anchor = hit
        if hit in self.floor.door_index:  # a rear door drags its rack
            anchor = self.layout_model.cooling_units[hit].rack
        ids = set()
        for i in self.selection.ids:
            if i in self.floor.door_index:
                i = self.layout_model.cooling_units[i].rack
            if self.editor.collection_of(i) in ("racks", "cooling_units", "cdus", "tanks",
                                                "tiles", "grilles", "containment"):
                ids.add(i)
        ids.add(anchor)
        starts = {i: self.editor.position_of(i) for i in ids}
        self._drag = {"mode": "move", "p0": QPointF(pos), "token": object(), "starts": starts,
                      "anchor": self.bounds_of(anchor), "delta": (0.0, 0.0), "moved": False}
        self.drag_started.emit()

    def _snap_delta(self, dx: float, dy: float) -> tuple[float, float]:
        """Snap a drag offset so the anchor footprint lands on the tile grid."""
        if not self.snap:
            return dx, dy
        x0, y0, x1, y1 = self._drag["anchor"]
        return (snap_axis(x0, x1 - x0, dx, self.layout_model.hall.tile_pitch_m),
                snap_axis(y0, y1 - y0, dy, self.layout_model.hall.tile_pitch_m))

    def _drag_move(self, pos: QPointF) -> None:
        d = self._drag
        if d is None:
            return
        if d["mode"] == "band":
            self._band.setRect(QRectF(d["p0"], pos).normalized())
            return
        delta = self._snap_delta(pos.x() - d["p0"].x(), pos.y() - d["p0"].y())
        if delta == d["delta"]:
            return
        d["delta"] = delta
        d["moved"] = True
        self.editor.move({i: (x + delta[0], y + delta[1]) for i, (x, y) in d["starts"].items()},
                         drag=d["token"])

    def _drag_finish(self, pos: QPointF) -> None:
        d, self._drag = self._drag, None
        if d is None:
            return
        if d["mode"] == "band":
            self._band.hide()
            self._band_select(QRectF(d["p0"], pos).normalized(), d["mods"])
            return
        try:
            self._finish_move(d)
        finally:
            self.drag_finished.emit()

    def _finish_move(self, d: dict[str, Any]) -> None:
        if not d["moved"]:
            return
        moved = list(d["starts"])
        f = self.floor
        bad_out = [i for i in moved if i in f.outside
                   or (i in f.tile_ids or i in f.grille_ids or i in f.zone_ids)
                   and f.leaves_hall(i)]
        if bad_out:
            self.editor.move(d["starts"], drag=d["token"])  # merges into a no-op: dropped
            self.message.emit(f"Move refused: {names(bad_out)} would leave the hall")
            return
        clashes = sorted({i for i in moved if f.neighbours.get(i)})
        if clashes:
            partners = sorted(set().union(*(f.neighbours[i] for i in clashes)) - set(moved))
            self.message.emit(f"Overlap: {names(clashes)} overlaps {names(partners)}"
                              " — kept and shown in red")
        else:
            self.message.emit(move_text(moved, d["delta"]))

    def _band_select(self, rect: QRectF, modifiers) -> None:
        ids = self.floor.ids_crossing(rect.left(), rect.top(), rect.right(), rect.bottom())
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            self.selection.set(self.selection.ids ^ set(ids))
        elif modifiers & Qt.KeyboardModifier.ShiftModifier:
            self.selection.set(self.selection.ids | set(ids))
        else:
            self.selection.set(ids)
        if ids:
            self.message.emit(f"Selected {len(ids)} item{'s' if len(ids) != 1 else ''}")

    def _key(self, ev: QtGui.QKeyEvent) -> bool:
        key, mods = ev.key(), ev.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if key == Qt.Key.Key_R and not ctrl:
            self.rotate_selection()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selection()
        elif key == Qt.Key.Key_D and ctrl:
            self.duplicate_selection()
        elif key == Qt.Key.Key_Escape:
            self.selection.clear()
        elif key == Qt.Key.Key_F and not ctrl:
            if self.selection.ids:
                self.frame_ids(self.selection.ids)
            else:
                self.reset_view()
        elif key == Qt.Key.Key_Home:
            self.reset_view()
        else:
            return False
        ev.accept()
        return True

    # ---- drop ---------------------------------------------------------------------------
    def _placement(self, model_key: str, x: float, y: float, rotation_deg: int = 0
                   ) -> tuple[float, float, np.ndarray]:
        size = np.array([self.layout_model.catalogue[model_key].footprint_m])
        ext = geometry.plan_extent(size, np.array([rotation_deg]))[0]
        x0, y0 = x - ext[0] / 2, y - ext[1] / 2
        if self.snap:
            p = self.layout_model.hall.tile_pitch_m
            x0 += snap_axis(x0, ext[0], 0.0, p, relative=False)
            y0 += snap_axis(y0, ext[1], 0.0, p, relative=False)
        cx, cy = round(x0 + ext[0] / 2, 9), round(y0 + ext[1] / 2, 9)
        return cx, cy, np.array([cx - ext[0] / 2, cy - ext[1] / 2, cx + ext[0] / 2,
                                 cy + ext[1] / 2])

    def _drop_preview(self, mime: QtCore.QMimeData, scene_pos: QPointF) -> None:
        key = bytes(mime.data(CATALOGUE_MIME)).decode("utf-8").strip()
        cat = self.layout_model.catalogue
        if key not in cat or cat[key].kind not in _ID_PREFIX or cat[key].kind == "rdhx":
            self._ghost.hide()
            return
        p = self.view_box.mapSceneToView(scene_pos)
        _cx, _cy, b = self._placement(key, p.x(), p.y())
        hall = self.layout_model.hall
        _ids, bounds = self.floor.obstacles()
        ok = not geometry.outside_hall(b[None], hall.width_m, hall.length_m)[0] \
            and not geometry.rects_overlap(b[None], bounds).any()
        front = pi.front_strips(b[None], np.array([0]), FRONT_STRIP_M)[0]
        self._ghost.show_at(QRectF(b[0], b[1], b[2] - b[0], b[3] - b[1]),
                            QRectF(front[0], front[1], front[2] - front[0], front[3] - front[1]),
                            ok, cat[key].name)

    def _tooltip_at(self, scene_pos: QPointF) -> str:
        p = self.view_box.mapSceneToView(scene_pos)
        if not self.view_box.sceneBoundingRect().contains(scene_pos):
            return ""
        hit = self._pick(p.x(), p.y(), self._ppm())
        return self.tooltip_text(hit) if hit else ""
