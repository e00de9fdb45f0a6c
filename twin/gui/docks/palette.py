"""The equipment palette: catalogue entries grouped by kind, a drag source for the plan.

Drag an entry onto the plan (mime ``application/x-twin-catalogue``, payload the catalogue
key) or double-click it to add one at a free spot on the floor.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
    QWidget,
)

from twin.gui.base.placement import CATALOGUE_MIME
from twin.model import units
from twin.model.catalogue import Catalogue, CatalogueEntry

#: Palette groups: title and the catalogue kinds they hold.
GROUPS = (
    ("Racks", ("rack",)),
    ("Air cooling", ("crah", "inrow", "rdhx")),
    ("Liquid cooling", ("cdu", "tank")),
    ("Power chain", ("utility", "transformer", "ups", "pdu", "busway")),
)
KIND_LABELS = {"rack": "rack", "crah": "room air handler", "inrow": "in-row cooler",
               "rdhx": "rear-door heat exchanger", "cdu": "coolant distribution unit",
               "tank": "immersion tank", "utility": "utility service",
               "transformer": "transformer", "ups": "UPS", "pdu": "PDU / RPP",
               "busway": "busway"}
KEY_ROLE = Qt.ItemDataRole.UserRole


def _kw(v: float) -> str:
    return f"{v / 1000:.3g} MW" if v >= 1000 else f"{v:,.4g} kW"


def rating_text(e: CatalogueEntry) -> str:
    """Short rating for the palette column: nameplate for racks, capacity, rating."""
    if e.kind == "rack":
        return _kw(e.get("nameplate_kw"))
    if "capacity_kw" in e.numbers:
        return _kw(e["capacity_kw"])
    if "rating_kw" in e.numbers:
        return _kw(e["rating_kw"])
    return ""


def tooltip_text(e: CatalogueEntry) -> str:
    n = e.numbers
    rows = [f"<b>{e.name}</b>", f"<i>{KIND_LABELS.get(e.kind, e.kind)}</i> \u2014 key "
            f"<code>{e.key}</code>"]
    if e.kind == "rack":
        rows.append(f"Nameplate {n.get('nameplate_kw', 0):g} kW, typical "
                    f"{n.get('typical_kw', 0):g} kW")
        if "gpus" in n:
            rows.append(f"{n['gpus']:g} GPUs")
        if "liquid_fraction" in n:
            rows.append(f"Heat to liquid {n['liquid_fraction'] * 100:.0f} %")
    if "capacity_kw" in n:
        rows.append(f"Capacity {units.capacity(n['capacity_kw'])}")
    for key, label in (("rating_kw", "Rating"), ("airflow_m3s", "Airflow")):
        if key in n:
            rows.append(f"{label} {units.catalogue_value(key, n[key])}")
    if {"width_m", "depth_m", "height_m"} <= n.keys() and n["width_m"] > 0:
        rows.append("Footprint "
                    + units.quantities(units.LENGTH, (n["width_m"], n["depth_m"]), 2, " \u00d7 ")
                    + f", height {units.quantity(units.LENGTH, n['height_m'], 2)}")
    if e.projected:
        rows.append("<span style='color:#e0a84e'>Projected equipment: numbers are "
                    "estimates</span>")
    elif e.unconfirmed:
        rows.append(f"Unconfirmed: {', '.join(e.unconfirmed)}")
    rows.append("<span style='color:#9aa3af'>Drag onto the plan, or double-click to add at "
                "a free spot</span>")
    return "<br>".join(rows)


class _Tree(QTreeWidget):
    def mimeTypes(self) -> list[str]:
        return [CATALOGUE_MIME]

    def mimeData(self, items) -> QMimeData:
        mime = QMimeData()
        keys = [it.data(0, KEY_ROLE) for it in items if it.data(0, KEY_ROLE)]
        if keys:
            mime.setData(CATALOGUE_MIME, keys[0].encode("utf-8"))
            mime.setText(keys[0])
        return mime


class EquipmentPalette(QWidget):
    """Catalogue browser. ``add_requested(key)`` on double-click or Enter."""

    add_requested = Signal(str)

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None):
        super().__init__(parent)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter equipment\u2026")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip("Show only equipment whose name or key contains this text")
        self.tree = _Tree()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Equipment", "Rating"])
        self.tree.headerItem().setToolTip(
            1, "Racks: nameplate IT power; cooling: capacity; power chain: rating")
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setIconSize(QSize(12, 12))
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        lay.addWidget(self.filter)
        lay.addWidget(self.tree)
        self.tree.itemActivated.connect(self._activated)
        self.filter.textChanged.connect(self._apply_filter)
        self.set_catalogue(catalogue)

    def refresh_units(self) -> None:
        """View > Units changed: the tooltips in the new units."""
        self.set_catalogue(self._catalogue)
        self._apply_filter(self.filter.text())

    def set_catalogue(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        self.tree.clear()
        bold = QFont(self.font())
        bold.setBold(True)
        dim = QBrush(QColor("#9aa3af"))
        for title, kinds in GROUPS:
            entries = [e for e in catalogue if e.kind in kinds]
            if not entries:
                continue
            group = QTreeWidgetItem([title, ""])
            group.setFont(0, bold)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setFirstColumnSpanned(False)
            self.tree.addTopLevelItem(group)
            for e in entries:
                item = QTreeWidgetItem([e.name, rating_text(e)])
                item.setData(0, KEY_ROLE, e.key)
                item.setToolTip(0, tooltip_text(e))
                item.setToolTip(1, tooltip_text(e))
                item.setForeground(1, dim)
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsDragEnabled)
                group.addChild(item)
            group.setExpanded(True)

    def item_for(self, key: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, KEY_ROLE) == key:
                    return group.child(j)
        return None

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        key = item.data(0, KEY_ROLE)
        if key:
            self.add_requested.emit(key)

    def _apply_filter(self, text: str) -> None:
        text = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                child = group.child(j)
                hit = not text or text in child.text(0).lower() or \
                    text in str(child.data(0, KEY_ROLE)).lower()
                child.setHidden(not hit)
                shown += hit
            group.setHidden(shown == 0)
