"""Analysis ▸ Generation Swap: replace racks with another model — the selected racks, all
racks of a model, or all racks — see what breaks (off the GUI thread, docs/physics.md
§16), then apply it as one undoable step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QTableWidget)

from twin.engine.swap import SwapReport, swap_report, swapped
from twin.gui.base.charts import status_colour
from twin.gui.window.whatif import _AnalysisDialog, _in_background, _Item

if TYPE_CHECKING:
    from twin.gui.window.main_window import MainWindow

COLUMNS = ("Part", "Kind", "Value", "Limit", "Margin", "Smallest fix")


class SwapDialog(_AnalysisDialog):
    """Pick the new model and the racks, preview what breaks, apply."""

    def __init__(self, window: "MainWindow"):
        super().__init__(window, "Generation Swap", "Preview")
        self.report: SwapReport | None = None
        self.headline.setText("Replace racks with another model (the next GPU generation) "
                              "and see every part that goes over its limit, with its margin "
                              "and the smallest fix. Apply makes the swap (Undo reverts it).")
        lay = window.floor_layout
        cat = lay.catalogue
        row = QHBoxLayout()
        self.model = QComboBox()
        for e in cat.of_kind("rack"):
            marked = e.projected and "projected" not in e.name.lower()
            self.model.addItem(e.name + (" (projected)" if marked else ""), e.key)
        self.scope = QComboBox()
        selected = [i for i in window.selection.ids if lay.racks.has(i)]
        if selected:
            self.scope.addItem(f"Selected racks ({len(selected)})", ("racks", selected))
        models = lay.racks["model"].tolist()
        for m in sorted(set(models), key=models.index):
            name = cat[m].name if m in cat else m
            self.scope.addItem(f"All {name} racks ({models.count(m)})", ("model", m))
        self.scope.addItem(f"All racks ({len(models)})", ("all", None))
        for w in (QLabel("Replace:"), self.scope, QLabel("with:"), self.model):
            row.addWidget(w)
        row.addStretch(1)
        self.apply_button = QPushButton("Apply Swap")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        row.addWidget(self.apply_button)
        self.body.insertLayout(1, row)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.body.addWidget(self.table, 1)
        self.bridge.done.connect(self._on_done)
        for combo in (self.model, self.scope):
            combo.currentIndexChanged.connect(self._stale)
        self.resize(1100, 560)

    def _choice(self) -> tuple[str, list[str] | None, str | None]:
        kind, value = self.scope.currentData()
        return (self.model.currentData(), value if kind == "racks" else None,
                value if kind == "model" else None)

    def _stale(self) -> None:
        self.apply_button.setEnabled(False)

    def start(self) -> None:
        to, racks, frm = self._choice()
        snap = self.snap = self.window_.floor_layout.snapshot()
        self._begin("Solving before and after the swap\u2026")
        _in_background(self.bridge, lambda: swap_report(snap, to, racks, frm))

    def _on_done(self, report: SwapReport) -> None:
        self._end()
        self.report = report
        self.window_.last_swaps = [(s, r) for s, r in self.window_.last_swaps
                                   if s.equals(self.snap)][-2:] + [(self.snap, report)]
        self.left.setText("")
        self.headline.setText(report.summary())
        t = self.table
        t.setSortingEnabled(False)
        t.setRowCount(len(report.breaks))
        for r, b in enumerate(report.breaks):
            margin = _Item(f"{b.margin:+,.1f} {b.unit}", b.margin)
            margin.setForeground(status_colour("error"))
            cells = [_Item(b.part), _Item(b.kind), _Item(f"{b.value:,.1f} {b.unit}", b.value),
                     _Item(f"{b.limit_value:,.1f} {b.unit}", b.limit_value), margin,
                     _Item(b.fix)]
            for c, item in enumerate(cells):
                t.setItem(r, c, item)
        t.setSortingEnabled(True)
        self.apply_button.setEnabled(bool(report.racks))

    def apply(self) -> None:
        """The swap as one undoable step on the layout on screen."""
        if self.report is None:
            return
        w = self.window_
        _snap, ids = swapped(w.floor_layout, self.report.to_model, self.report.racks)
        n = len(ids)
        w.editor.set_rack_field(ids, "model", [self.report.to_model] * n,
                                text=f"Replace {n} rack{'s' if n != 1 else ''} with "
                                     f"{self.report.to_model}")
        self.apply_button.setEnabled(False)
        self.left.setText(f"Applied to {n} racks \u00b7 Edit > Undo reverts it")


def open_swap(window: "MainWindow") -> SwapDialog:
    dlg = SwapDialog(window)
    dlg.show()
    return dlg
