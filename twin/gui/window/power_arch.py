"""Analysis ▸ Power Architecture: the floor's racks on AC distribution against 800 V DC,
side by side, from the result on screen (docs/physics.md §17)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from twin.engine.power_compare import compare_power
from twin.model import units

if TYPE_CHECKING:
    from twin.gui.window.main_window import MainWindow


def _rows(doc: dict) -> list[tuple[str, str, str]]:
    ac, dc = doc["ac"], doc["dc"]
    pairs = [("Conversions", lambda a: units.num(a["conversions"])),
             ("Distribution losses", lambda a: f"{units.kw(a['loss_kw'], 1)} kW"),
             ("Facility power", lambda a: f"{units.kw(a['facility_kw'])} kW"),
             ("PUE", lambda a: units.pue(a["pue"])),
             ("Tokens per kWh", lambda a: units.num(a["tokens_per_kwh"])),
             ("Main current", lambda a: f"{units.num(a['main_current_a'])} A"),
             ("Main copper", lambda a: units.quantity(units.LINEAR_MASS, a["copper_kg_per_m"]))]
    rows = [(label, f(ac), f(dc)) for label, f in pairs]
    for a in (ac, dc):
        rows += [(f"  {s['name']}", f"{units.kw(s['loss_kw'], 1)} kW loss" if a is ac else "",
                  f"{units.kw(s['loss_kw'], 1)} kW loss" if a is dc else "") for s in a["stages"]]
    return rows


class PowerArchitectureDialog(QDialog):
    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.setWindowTitle("Power Architecture: AC against 800 V DC")
        lay = QVBoxLayout(self)
        self.headline = QLabel("")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.headline)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["", "AC 415 V", "800 V DC"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        self.doc: dict | None = None
        s = window.session
        if s.result is None or s.snapshot is None:
            self.headline.setText("Simulate the floor first (the comparison uses its result).")
        else:
            self.show_doc(compare_power(s.snapshot, s.result).to_json())
        self.resize(760, 520)

    def show_doc(self, doc: dict) -> None:
        self.doc = doc
        self.headline.setText(
            f"Both deliver the racks' 54 V load of {units.kw(doc['rack_dc_kw'])} kW (stages "
            f"rated {units.kw(doc['rated_kw'])} kW, cooling as solved). 800 V DC saves "
            f"{units.kw(doc['saving_kw'], 1)} kW at the meter and "
            f"{units.num(doc['copper_saving_pct'], 0)} % of the main copper.")
        rows = _rows(doc)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)


def open_power_architecture(window: "MainWindow") -> PowerArchitectureDialog:
    dlg = PowerArchitectureDialog(window)
    dlg.show()
    return dlg
