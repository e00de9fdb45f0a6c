"""The "CFD comparison" dock: a run OpenFOAM case's rack inlets beside the live model's.

Per rack: the CFD's mean inlet and hottest intake cell, the twin's, and the errors
(twin − CFD); above the table the agreement figures of ``twin import-openfoam`` — mean-inlet
MAE, worst rack, bias, hottest-inlet error and whether both name the same hottest rack.
The twin's columns follow the live model: an edit re-solves and the table updates. Two
buttons put the CFD inlets or the difference on the plan heatmap.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from twin.interchange.openfoam.compare import Agreement
from twin.model import units

#: columns: (title, tooltip); the units are printed above the table
COLUMNS = (("Rack", "Rack id"),
           ("CFD mean", "The CFD's flux-weighted mean inlet of the rack"),
           ("CFD max", "The CFD's hottest intake cell of the rack"),
           ("Twin mean", "The live model's mean inlet of the rack"),
           ("Twin max", "The live model's hottest intake point of the rack"),
           ("\u0394 mean", "Error of the mean inlet: twin − CFD"),
           ("\u0394 max", "Error of the hottest intake: twin − CFD"))
EMPTY_TEXT = ("No CFD result. File \u25b8 Import \u25b8 OpenFOAM Result\u2026 reads a run "
              "case (its result.json) and compares its rack inlets with the live model.")


def _number(text: str) -> QTableWidgetItem:
    """A right-aligned number cell."""
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class CfdComparisonPanel(QWidget):
    """Summary figures and the per-rack table of one CFD result against the live model."""

    #: a heatmap key of ``twin.engine.reference_layers`` to show on the plan
    show_layer = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.source = QLabel(EMPTY_TEXT)
        self.source.setWordWrap(True)
        self.source.setObjectName("hint")
        self.figures: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, title, tip in (
                ("mae", "Mean-inlet MAE", "Mean absolute error of the racks' mean inlets"),
                ("worst", "Worst rack", "The rack whose mean inlet is furthest from the CFD's"),
                ("bias", "Bias", "Mean of twin − CFD over the racks (positive: the twin is "
                 "warmer)"),
                ("hottest", "Hottest-inlet error", "The twin's hottest intake minus the "
                 "CFD's hottest intake cell (negative: optimistic)"),
                ("same", "Same hottest rack", "Whether both name the same rack as the one "
                 "with the hottest mean inlet")):
            lab = QLabel("\u2014")
            lab.setToolTip(tip)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.figures[key] = lab
            form.addRow(title + ":", lab)
        self.cfd_button = QPushButton("Show CFD inlets")
        self.cfd_button.setToolTip("Plan heatmap: the CFD's hottest intake cell of each rack "
                                   "on the ASHRAE scale of the twin's inlets")
        self.diff_button = QPushButton("Show twin \u2212 CFD")
        self.diff_button.setToolTip("Plan heatmap: twin − CFD mean inlet of each rack, "
                                    "diverging colours centred on 0")
        for b in (self.cfd_button, self.diff_button):
            b.setAutoDefault(False)
            b.setEnabled(False)
        self.cfd_button.clicked.connect(lambda: self.show_layer.emit("cfd_inlet"))
        self.diff_button.clicked.connect(lambda: self.show_layer.emit("cfd_diff"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.cfd_button)
        buttons.addWidget(self.diff_button)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.units_note = QLabel("")
        self.units_note.setObjectName("hint")
        self.missing = QLabel("")
        self.missing.setObjectName("hint")
        self.missing.setWordWrap(True)
        self.missing.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addWidget(self.source)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.units_note)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.missing)
        self.agreement: Agreement | None = None
        self._headers()

    def _headers(self) -> None:
        self.table.setHorizontalHeaderLabels([title for title, _tip in COLUMNS])
        for col, (_title, tip) in enumerate(COLUMNS):
            self.table.horizontalHeaderItem(col).setToolTip(tip)
        self.units_note.setText(f"Inlets in {units.label(units.TEMP)}; \u0394 = twin \u2212 "
                                f"CFD in {units.label(units.DTEMP)}")

    def clear(self) -> None:
        """No CFD result (another layout was opened)."""
        self.set_source(EMPTY_TEXT, [])
        self.show_agreement(None)

    def set_source(self, text: str, missing: list[str]) -> None:
        """The line naming the case (and its run), and the racks the layout lacks."""
        self.source.setText(text)
        self.missing.setText("" if not missing else units.localise(
            f"Not in the layout: {', '.join(missing[:12])}"
            + (f" and {len(missing) - 12} more" if len(missing) > 12 else "")))
        self.missing.setVisible(bool(missing))

    def show_agreement(self, a: Agreement | None) -> None:
        """Fill the figures and the table (None: the live model has no air result yet)."""
        self.agreement = a
        for b in (self.cfd_button, self.diff_button):
            b.setEnabled(a is not None)
        if a is None:
            self.table.setRowCount(0)
            for lab in self.figures.values():
                lab.setText("\u2014")
            return
        f = self.figures
        f["mae"].setText(units.difference(a.mae_k, 2))
        f["worst"].setText(f"{units.difference(a.worst_k, 2)} ({a.worst_rack})")
        f["bias"].setText(units.difference(a.bias_k, 2, signed=True))
        f["hottest"].setText(
            f"{units.difference(a.hottest_error_k, 2, signed=True)} (twin "
            f"{units.temperature(float(np.max(a.twin_max_c)))}, CFD "
            f"{units.temperature(float(np.max(a.cfd_max_c)))})")
        f["same"].setText(("yes" if a.hottest_agrees else "no")
                          + f" (CFD {a.hottest_cfd}, twin {a.hottest_twin})")
        self._headers()
        self.table.setRowCount(len(a.rack_ids))
        for row, rid in enumerate(a.rack_ids):
            vals = (a.cfd_mean_c[row], a.cfd_max_c[row], a.twin_mean_c[row], a.twin_max_c[row])
            errs = (a.twin_mean_c[row] - a.cfd_mean_c[row], a.twin_max_c[row] - a.cfd_max_c[row])
            self.table.setItem(row, 0, QTableWidgetItem(rid))
            for col, v in enumerate(vals, start=1):
                self.table.setItem(row, col, _number(units.temp(float(v), 2)))
            for col, v in enumerate(errs, start=5):
                text = units.value(units.DTEMP, float(v), 2, sep=False)
                self.table.setItem(row, col, _number(("+" if v > 0 else "") + text))
