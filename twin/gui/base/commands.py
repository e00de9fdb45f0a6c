"""Undoable edits: every change a widget makes to the layout goes through ``Editor``.

``Editor`` wraps a ``QUndoStack``; each method pushes one command whose redo/undo call the
``Layout`` mutation methods inside ``Layout.batch()``, so views update from model events
only and one command emits one ``Change`` whatever the number of items it touches. Consecutive moves that
share a ``drag`` token merge into one undo step (a whole mouse drag is one step).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterable

import numpy as np
from PySide6.QtGui import QUndoCommand, QUndoStack

from twin.model import Layout

ITEM_COLLECTIONS = ("cooling_units", "cdus", "tanks", "tiles", "grilles", "containment")
_MOVE_ID = 1001


class _Command(QUndoCommand):
    def __init__(self, layout: Layout, text: str, redo: Callable[[], None],
                 undo: Callable[[], None]):
        super().__init__(text)
        self._layout, self._redo, self._undo = layout, redo, undo

    def redo(self) -> None:
        with self._layout.batch():
            self._redo()

    def undo(self) -> None:
        with self._layout.batch():
            self._undo()


class _MoveCommand(QUndoCommand):
    """Move racks and items; merges with the next move of the same drag."""

    def __init__(self, editor: "Editor", moves: dict[str, tuple[tuple[float, float],
                                                           tuple[float, float]]], drag: Any):
        super().__init__(f"Move {_count(len(moves))}")
        self.editor, self.moves, self.drag = editor, moves, drag

    def id(self) -> int:
        return _MOVE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _MoveCommand) or self.drag is None or other.drag != self.drag:
            return False
        for key, (_old, new) in other.moves.items():
            old = self.moves[key][0] if key in self.moves else other.moves[key][0]
            self.moves[key] = (old, new)
        # A drag that ends where it started (e.g. a refused drop reverted by the view)
        # leaves no undo step: QUndoStack deletes an obsolete command after the merge.
        self.setObsolete(all(old == new for old, new in self.moves.values()))
        return True

    def redo(self) -> None:
        self.editor._apply_positions({k: new for k, (_old, new) in self.moves.items()})

    def undo(self) -> None:
        self.editor._apply_positions({k: old for k, (old, _new) in self.moves.items()})



def _count(n: int) -> str:
    return "1 item" if n == 1 else f"{n} items"


class Editor:
    """Undoable operations on a ``Layout``."""

    def __init__(self, layout: Layout, stack: QUndoStack | None = None):
        self.layout = layout
        self.stack = stack or QUndoStack()

    # ----- helpers -----------------------------------------------------------------
    def _push(self, text: str, redo: Callable[[], None], undo: Callable[[], None]) -> None:
        self.stack.push(_Command(self.layout, text, redo, undo))

    def collection_of(self, item_id: str) -> str | None:
        """'racks' or the item collection that holds ``item_id``."""
        if self.layout.racks.has(item_id):
            return "racks"
        for coll in ITEM_COLLECTIONS + ("power", "workloads", "scenarios"):
            if item_id in self.layout.items[coll]:
                return coll
        return None

    def position_of(self, item_id: str) -> tuple[float, float]:
        coll = self.collection_of(item_id)
        if coll == "racks":
            i = self.layout.racks.index_of(item_id)
            return float(self.layout.racks["x_m"][i]), float(self.layout.racks["y_m"][i])
        item = self.layout.items[coll][item_id]
        if coll == "containment":
            return item.x0_m, item.y0_m
        return item.x_m, item.y_m

    def _apply_positions(self, positions: dict[str, tuple[float, float]]) -> None:
        with self.layout.batch():
            self._set_positions(positions)

    def _set_positions(self, positions: dict[str, tuple[float, float]]) -> None:
        racks = [k for k in positions if self.layout.racks.has(k)]
        if racks:
            xy = np.array([positions[k] for k in racks], dtype=float)
            self.layout.move_racks(racks, xy[:, 0], xy[:, 1])
        for key, (x, y) in positions.items():
            coll = self.collection_of(key)
            if coll in (None, "racks"):
                continue
            item = self.layout.items[coll][key]
            if coll == "containment":
                dx, dy = x - item.x0_m, y - item.y0_m
                self.layout.update_item(coll, key, x0_m=x, y0_m=y, x1_m=item.x1_m + dx,
                                        y1_m=item.y1_m + dy)
            else:
                self.layout.update_item(coll, key, x_m=x, y_m=y)

    # ----- edits -------------------------------------------------------------------
    def move(self, positions: dict[str, tuple[float, float]], drag: Any = None) -> None:
        """Move racks/items to new plan positions (containment: its x0, y0 corner)."""
        moves = {k: (self.position_of(k), (float(x), float(y)))
                 for k, (x, y) in positions.items()}
        self.stack.push(_MoveCommand(self, moves, drag))

    def rotate(self, ids: Iterable[str], step_deg: int = 90) -> None:
        ids = [i for i in ids if self.collection_of(i) in ("racks", "cooling_units", "cdus",
                                                            "tanks")]
        if not ids:
            return
        racks = [i for i in ids if self.layout.racks.has(i)]
        old_items = {i: self.layout.items[self.collection_of(i)][i] for i in ids
                     if i not in racks}
        old_rot = self.layout.racks["rotation_deg"][self.layout.racks.indices_of(racks)].copy()

        def redo() -> None:
            if racks:
                self.layout.set_rack_values(racks, "rotation_deg", (old_rot + step_deg) % 360)
            for i, item in old_items.items():
                self.layout.update_item(self.collection_of(i), i,
                                        rotation_deg=(item.rotation_deg + step_deg) % 360)

        def undo() -> None:
            if racks:
                self.layout.set_rack_values(racks, "rotation_deg", old_rot)
            for i, item in old_items.items():
                self.layout.replace_item(self.collection_of(i), item)

        self._push(f"Rotate {_count(len(ids))}", redo, undo)

    def set_rack_field(self, ids: Iterable[str], field: str, values: Any, text: str = "") -> None:
        ids = list(ids)
        old = self.layout.racks[field][self.layout.racks.indices_of(ids)].copy()
        self._push(text or f"Set {field} of {_count(len(ids))}",
                   lambda: self.layout.set_rack_values(ids, field, values),
                   lambda: self.layout.set_rack_values(ids, field, old))

    def update_item(self, collection: str, item_id: str, text: str = "", **changes: Any) -> None:
        old = self.layout.items[collection][item_id]
        new = dataclasses.replace(old, **changes)
        self._push(text or f"Edit {item_id}",
                   lambda: self.layout.replace_item(collection, new),
                   lambda: self.layout.replace_item(collection, old))

    def set_settings(self, block: str, value: Any, text: str = "") -> None:
        old = getattr(self.layout, block)
        self._push(text or f"Edit {block}", lambda: self.layout.set_settings(block, value),
                   lambda: self.layout.set_settings(block, old))

    def set_equipment(self, equipment: dict[str, dict[str, Any]], text: str = "") -> None:
        """Replace the layout's own equipment entries (its ``catalogue`` block)."""
        old = dict(self.layout.equipment)
        new = dict(equipment)
        self._push(text or "Edit equipment", lambda: self.layout.set_equipment(new),
                   lambda: self.layout.set_equipment(old))

    def add_racks(self, records: list[dict[str, Any]], text: str = "") -> None:
        ids = [r["id"] for r in records]
        self._push(text or f"Add {_count(len(records))}",
                   lambda: self.layout.add_racks(records),
                   lambda: self.layout.remove_racks(ids))

    def add_item(self, collection: str, item: Any, text: str = "") -> None:
        self._push(text or f"Add {item.id}", lambda: self.layout.add_item(collection, item),
                   lambda: self.layout.remove_item(collection, item.id))

    def delete(self, ids: Iterable[str]) -> None:
        """Delete racks and items; rear doors of deleted racks go with them."""
        ids = set(ids)
        doors = {u.id for u in self.layout.cooling_units.values() if u.rack in ids}
        ids |= doors
        racks = [i for i in self.layout.racks.ids if i in ids]
        items = [(c, i) for i in sorted(ids) if (c := self.collection_of(i)) not in
                 (None, "racks")]
        if not racks and not items:
            return
        saved: dict[str, Any] = {}

        def redo() -> None:
            saved["items"] = [(c, *self.layout.remove_item(c, i)) for c, i in items]
            if racks:
                saved["racks"] = self.layout.remove_racks(racks)

        def undo() -> None:
            if racks:
                idx, records = saved["racks"]
                self.layout.add_racks(records, at=idx)
            for c, index, item in reversed(saved["items"]):
                self.layout.add_item(c, item, at=index)

        self._push(f"Delete {_count(len(racks) + len(items))}", redo, undo)

    def duplicate(self, ids: Iterable[str], offset_m: tuple[float, float] | None = None
                  ) -> list[str]:
        """Copy racks and placed items with fresh ids, offset by one tile; returns new ids."""
        pitch = self.layout.hall.tile_pitch_m
        dx, dy = offset_m or (pitch, pitch)
        records, items, new_ids = [], [], []
        taken = self.layout.all_ids()
        for i in ids:
            coll = self.collection_of(i)
            if coll is None or coll in ("power", "workloads"):
                continue
            new_id = fresh_id(i, taken)
            taken.add(new_id)
            new_ids.append(new_id)
            if coll == "racks":
                rec = self.layout.racks.record(self.layout.racks.index_of(i))
                rec.update(id=new_id, name=new_id, x_m=rec["x_m"] + dx, y_m=rec["y_m"] + dy)
                records.append(rec)
            elif coll == "containment":
                it = self.layout.items[coll][i]
                items.append((coll, dataclasses.replace(
                    it, id=new_id, x0_m=it.x0_m + dx, x1_m=it.x1_m + dx, y0_m=it.y0_m + dy,
                    y1_m=it.y1_m + dy)))
            else:
                it = self.layout.items[coll][i]
                items.append((coll, dataclasses.replace(it, id=new_id, x_m=it.x_m + dx,
                                                        y_m=it.y_m + dy)))
        if not new_ids:
            return []
        self.add_all(records, items, f"Duplicate {_count(len(new_ids))}")
        return new_ids

    def add_all(self, records: list[dict[str, Any]], items: list[tuple[str, Any]],
                text: str) -> None:
        """Add racks and (collection, item) pairs as one undoable step."""
        def redo() -> None:
            if records:
                self.layout.add_racks(records)
            for c, it in items:
                self.layout.add_item(c, it)

        def undo() -> None:
            for c, it in items:
                self.layout.remove_item(c, it.id)
            if records:
                self.layout.remove_racks([r["id"] for r in records])

        self._push(text, redo, undo)


def fresh_id(base: str, taken: set[str]) -> str:
    """``base~N`` with the smallest N >= 2 not in ``taken`` (copies keep their origin)."""
    stem = base.rsplit("~", 1)[0]
    n = 2
    while f"{stem}~{n}" in taken:
        n += 1
    return f"{stem}~{n}"
