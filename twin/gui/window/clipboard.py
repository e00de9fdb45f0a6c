"""Cut, copy and paste of racks and placed items as JSON records.

The clipboard holds ``{"format": CLIPBOARD_FORMAT, "racks": [...], "items": [...]}`` both
as a private mime type and as plain text (so a selection can be pasted into an editor and
read back). Pasting gives fresh ids and offsets everything by ``offset`` tiles; one paste is
one undo step.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QApplication

from twin.gui.base.commands import fresh_id
from twin.model import Layout
from twin.model import equipment as eq
from twin.model.racks import RACK_FIELDS

CLIPBOARD_FORMAT = "ai-factory-twin-clipboard"
CLIPBOARD_MIME = "application/x-twin-items"
#: Collections that can be copied (placed on the floor), with their dataclass.
COPYABLE = {"cooling_units": eq.CoolingUnit, "cdus": eq.Cdu, "tanks": eq.ImmersionTank,
            "tiles": eq.Tile, "containment": eq.Containment}


def selection_document(layout: Layout, ids) -> dict[str, Any]:
    """JSON-ready records of the selected racks and placed items (in layout order)."""
    ids = set(ids)
    racks = [layout.racks.record(i) for i, rid in enumerate(layout.racks.ids) if rid in ids]
    items = [{"collection": coll, "fields": dataclasses.asdict(it)}
             for coll in COPYABLE for iid, it in layout.items[coll].items() if iid in ids]
    return {"format": CLIPBOARD_FORMAT, "racks": racks, "items": items}


def copy_to_clipboard(layout: Layout, ids) -> int:
    """Put the selection on the system clipboard; returns how many things were copied."""
    doc = selection_document(layout, ids)
    n = len(doc["racks"]) + len(doc["items"])
    if not n:
        return 0
    text = json.dumps(doc, indent=1)
    mime = QMimeData()
    mime.setData(CLIPBOARD_MIME, text.encode("utf-8"))
    mime.setText(text)
    QApplication.clipboard().setMimeData(mime)
    return n


def clipboard_document() -> dict[str, Any] | None:
    """The clipboard's records if it holds a twin selection, else None."""
    mime = QApplication.clipboard().mimeData()
    if mime is None:
        return None
    if mime.hasFormat(CLIPBOARD_MIME):
        raw = bytes(mime.data(CLIPBOARD_MIME).data()).decode("utf-8", "replace")
    elif mime.hasText():
        raw = mime.text()
    else:
        return None
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("format") != CLIPBOARD_FORMAT:
        return None
    return doc


def paste_records(editor, doc: dict[str, Any], offset_m: tuple[float, float]) -> list[str]:
    """Add the clipboard's racks and items with fresh ids, shifted by ``offset_m``; one undo
    step. Unknown models and malformed records are skipped. Returns the new ids."""
    layout: Layout = editor.layout
    dx, dy = offset_m
    taken = layout.all_ids()
    racks, items, new_ids = [], [], []
    for rec in doc.get("racks", []):
        try:
            if rec["model"] not in layout.catalogue:
                continue
            new_id = fresh_id(str(rec["id"]), taken)
            r = {k: rec.get(k, "") for k in RACK_FIELDS}
            name = str(rec.get("name") or "")
            r.update(id=new_id, name=new_id if name in ("", rec["id"]) else name,
                     x_m=float(rec["x_m"]) + dx, y_m=float(rec["y_m"]) + dy,
                     rotation_deg=int(rec.get("rotation_deg", 0)) % 360)
            for ref in ("workload", "feed_a", "feed_b", "cdu"):
                if r[ref] and r[ref] not in layout.all_ids():
                    r[ref] = ""
        except (KeyError, TypeError, ValueError):
            continue
        taken.add(new_id)
        racks.append(r)
        new_ids.append(new_id)
    for entry in doc.get("items", []):
        try:
            coll = entry["collection"]
            cls = COPYABLE[coll]
            fields = dict(entry["fields"])
            if "model" in fields and fields["model"] not in layout.catalogue:
                continue
            new_id = fresh_id(str(fields["id"]), taken)
            fields["id"] = new_id
            if coll == "containment":
                for k in ("x0_m", "x1_m"):
                    fields[k] = float(fields[k]) + dx
                for k in ("y0_m", "y1_m"):
                    fields[k] = float(fields[k]) + dy
            else:
                fields["x_m"] = float(fields["x_m"]) + dx
                fields["y_m"] = float(fields["y_m"]) + dy
            if coll == "cooling_units" and fields.get("rack") and fields["rack"] not in taken:
                fields["rack"] = ""
            item = cls(**fields)
        except (KeyError, TypeError, ValueError):
            continue
        taken.add(new_id)
        items.append((coll, item))
        new_ids.append(new_id)
    if not new_ids:
        return []
    stack = editor.stack
    stack.beginMacro(f"Paste {len(new_ids)} item{'s' if len(new_ids) != 1 else ''}")
    try:
        if racks:
            editor.add_racks(racks)
        for coll, item in items:
            editor.add_item(coll, item)
    finally:
        stack.endMacro()
    return new_ids
