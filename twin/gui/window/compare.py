"""File ▸ Compare With: the floor on screen (A) against another layout file (B), solved
off the GUI thread, as a table of metrics with B − A and per cent, and the racks whose
inlet class changed; the review report exported afterwards carries it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHeaderView, QTableWidget,
                               QTableWidgetItem)

from twin.engine.compare import Comparison, compare
from twin.engine.simulate import simulate
from twin.gui.window.whatif import _AnalysisDialog, _in_background
from twin.io import LayoutError, load_layout

if TYPE_CHECKING:
    from twin.gui.window.main_window import MainWindow


class CompareDialog(_AnalysisDialog):
    def __init__(self, window: "MainWindow", path: str):
        super().__init__(window, "Compare With " + Path(path).name, "Compare")
        self.path = path
        self.comparison: Comparison | None = None
        self.headline.setText(f"This floor (A) against {Path(path).name} (B): B \u2212 A.")
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Metric", "A", "B", "B \u2212 A", "%"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.body.addWidget(self.table, 1)
        self.bridge.done.connect(self._on_done)
        self.resize(720, 520)

    def start(self) -> None:
        snap = self.snap = self.window_.floor_layout.snapshot()
        path = self.path
        self._begin("Solving both floors\u2026")

        def run() -> Comparison:
            try:
                other = load_layout(path)
            except LayoutError as exc:
                raise ValueError(exc.first_lines()[0]) from None
            return compare(snap, simulate(snap), other, simulate(other))
        _in_background(self.bridge, run)

    def _on_done(self, c: Comparison) -> None:
        self._end()
        self.comparison = c
        self.window_.last_comparison = (self.snap, self.path, c)
        d = c.to_json()
        self.left.setText("identical" if c.identical else
                          f"{len(d['inlet_class_changed'])} racks changed inlet class")

        def f(v) -> str:
            return "\u2014" if v is None else f"{v:,.4g}"
        self.table.setRowCount(len(d["metrics"]))
        for r, m in enumerate(d["metrics"]):
            for col, text in enumerate((m["name"], f(m["a"]), f(m["b"]), f(m["delta"]),
                                        f(m["percent"]))):
                self.table.setItem(r, col, QTableWidgetItem(text))


def open_compare(window: "MainWindow", path: str | None = None) -> CompareDialog | None:
    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "Compare With Layout", "",
                                              "Layouts (*.json)")
        if not path:
            return None
    dlg = CompareDialog(window, path)
    dlg.show()
    dlg.start()
    return dlg
