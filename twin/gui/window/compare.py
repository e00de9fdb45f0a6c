"""Analysis > Compare With Layout and Compare Scenarios: the floor on screen (A) against
another layout file, or one scenario of this layout against another, solved off the GUI
thread — a table of metrics with B − A and per cent, the air at mid rack height as a
difference map (diverging colours centred on 0 K), and the racks whose inlet class
changed (selectable in the views). The review report exported afterwards carries it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem)
from PySide6.QtCore import Qt

from twin.engine.compare import Comparison, compare
from twin.engine.scenarios import BASE, apply_scenario, scenario_label
from twin.engine.simulate import simulate
from twin.gui.base.style import COLOURS
from twin.gui.plan.items import pg_colormap
from twin.gui.window.whatif import _AnalysisDialog, _in_background
from twin.io import LayoutError, load_layout

if TYPE_CHECKING:
    from twin.gui.window.main_window import MainWindow


class CompareDialog(_AnalysisDialog):
    """``path``: compare with that file; None: compare two scenarios of this layout."""

    def __init__(self, window: "MainWindow", path: str | None = None):
        title = "Compare With " + Path(path).name if path else "Compare Scenarios"
        super().__init__(window, title, "Compare")
        self.path = path
        self.comparison: Comparison | None = None
        self.label_b = ""
        lay = window.floor_layout
        if path is None:
            row = QHBoxLayout()
            self.scenario_a, self.scenario_b = QComboBox(), QComboBox()
            for combo in (self.scenario_a, self.scenario_b):
                combo.addItem("base (the layout as it is)", BASE)
                for sc in lay.scenarios.values():
                    combo.addItem(sc.name or sc.id, sc.id)
            if self.scenario_b.count() > 1:
                self.scenario_b.setCurrentIndex(1)
            row.addWidget(QLabel("A:"))
            row.addWidget(self.scenario_a, 1)
            row.addWidget(QLabel("B:"))
            row.addWidget(self.scenario_b, 1)
            self.body.insertLayout(1, row)
            self.headline.setText("One scenario of this layout (B) against another (A): "
                                  "B \u2212 A.")
        else:
            self.headline.setText(f"This floor (A) against {Path(path).name} (B): B \u2212 A.")
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Metric", "A", "B", "B \u2212 A", "%"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.map = pg.PlotWidget(background=COLOURS["base"])
        self.map.setAspectLocked(True)
        self.map.setTitle("Air at mid rack height, B \u2212 A [K]", size="9pt",
                          color=COLOURS["dim_text"])
        self.image = pg.ImageItem()
        self.map.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(values=(-1, 1), colorMap=pg_colormap("diverging"),
                                   interactive=False, width=12, label="B \u2212 A [K]")
        self.colour_bar.setImageItem(self.image, insert_in=self.map.getPlotItem())
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.map)
        split.setSizes([420, 480])
        self.body.addWidget(split, 1)
        foot = QHBoxLayout()
        self.changed_label = QLabel("")
        self.select_button = QPushButton("Select Racks Whose Class Changed")
        self.select_button.setEnabled(False)
        self.select_button.clicked.connect(self.select_changed)
        foot.addWidget(self.changed_label, 1)
        foot.addWidget(self.select_button)
        self.body.addLayout(foot)
        self.bridge.done.connect(self._on_done)
        self.resize(1000, 600)

    def start(self) -> None:
        layout = self.window_.floor_layout
        path = self.path
        if path is None:
            a_id, b_id = self.scenario_a.currentData(), self.scenario_b.currentData()
            snap = self.snap = apply_scenario(layout, a_id)
            other = apply_scenario(layout, b_id)
            self.label_b = f"scenario {scenario_label(layout, b_id)}" + (
                f" against {scenario_label(layout, a_id)}" if a_id != BASE else "")
            self.hall = (layout.hall.width_m, layout.hall.length_m)
        else:
            snap = self.snap = layout.snapshot()
            self.label_b = path
            self.hall = (layout.hall.width_m, layout.hall.length_m)
        self._begin("Solving both floors\u2026")

        def run() -> Comparison:
            b = other if path is None else None
            if b is None:
                try:
                    b = load_layout(path)
                except LayoutError as exc:
                    raise ValueError(exc.first_lines()[0]) from None
            return compare(snap, simulate(snap), b, simulate(b))
        _in_background(self.bridge, run)

    def _on_done(self, c: Comparison) -> None:
        self._end()
        self.comparison = c
        self.window_.last_comparison = (self.snap, self.label_b, c)
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
        delta = c.air_delta_c
        if delta is not None and np.isfinite(delta).any():
            span = max(float(np.nanmax(np.abs(delta))), 0.1)   # centred on 0 K, symmetric
            self.image.setImage(np.nan_to_num(delta).T, autoLevels=False)
            w, h = self.hall
            self.image.setRect(0, 0, w, h)
            self.colour_bar.setLevels((-span, span))
        else:
            self.image.clear()
        changed = [ch[0] for ch in c.changed]
        self.changed_label.setText(
            (f"Inlet class changed: {', '.join(changed[:12])}"
             + (f" \u2026 and {len(changed) - 12} more" if len(changed) > 12 else ""))
            if changed else "No rack changed its inlet class.")
        self.select_button.setEnabled(bool(changed))

    def select_changed(self) -> None:
        if self.comparison is not None:
            ids = [ch[0] for ch in self.comparison.changed
                   if self.window_.floor_layout.racks.has(ch[0])]
            self.window_.selection.set(ids)


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


def open_compare_scenarios(window: "MainWindow") -> CompareDialog:
    dlg = CompareDialog(window, None)
    dlg.show()
    if window.floor_layout.scenarios:
        dlg.start()
    else:
        dlg.headline.setText("This layout has no scenarios yet: add them with Analysis > "
                             "Scenarios (or in the file's 'scenarios' block).")
    return dlg
