"""File > Import > Rack Inventory / NetBox Export, and File > Export As > Rack Inventory.

The import dialog shows which header each field was read from (and lets the user change
it), the units, and a preview of every row with the model it matched and any problem;
nothing changes until Import, which adds the racks as one undoable step (or opens them as
a new room sized to them, with provisional cooling)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox,
                               QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QPlainTextEdit, QRadioButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from twin.gui.base.charts import status_colour
from twin.gui.base.dialogs import show_problems
from twin.interchange.errors import InterchangeError
from twin.interchange.inventory import ImportReport, RackRow, build_layout
from twin.interchange.inventory_read import (COLUMNS, Mapping, Table, read_table,
                                             table_rows)
from twin.model import Layout

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.window.main_window import MainWindow

INVENTORY_FILTER = "Rack inventories (*.csv *.xlsx *.xlsm *.txt);;All files (*)"
NONE = "(none)"
PREVIEW_HEADERS = ("Source", "Id", "Model", "x (m)", "y (m)", "Facing", "Power (kW)", "Basis",
                   "Problem")
FACING_NAMES = {0: "S", 90: "E", 180: "N", 270: "W"}


def install(window: "MainWindow") -> None:
    """Add this module's actions to the window's File > Import / Export As menus."""
    imp = QAction("Rack &Inventory (CSV, XLSX)\u2026", window)
    imp.setStatusTip("Racks from a spreadsheet: map the columns, preview, then add them "
                     "(one undo step)")
    imp.triggered.connect(lambda: import_inventory(window))
    nb = QAction("&NetBox Export Folder\u2026", window)
    nb.setStatusTip("Racks and their power budgets from saved NetBox API results")
    nb.triggered.connect(lambda: import_netbox(window))
    window.import_menu.addActions([imp, nb])
    exp = QAction("Rack &Inventory (CSV, XLSX)\u2026", window)
    exp.setStatusTip("The racks as a table that Import > Rack Inventory reads back, with "
                     "the latest results beside them")
    exp.triggered.connect(lambda: export_inventory(window))
    window.export_menu.addAction(exp)
    window.actions.import_inventory, window.actions.import_netbox = imp, nb
    window.actions.export_inventory = exp


# ----- import ----------------------------------------------------------------------
def import_inventory(window: "MainWindow", path: str | None = None) -> "ImportDialog | None":
    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "Import Rack Inventory",
                                              window.settings.last_directory() or "",
                                              INVENTORY_FILTER)
        if not path:
            return None
    try:
        table = read_table(path)
    except InterchangeError as exc:
        show_problems(window, "Import rack inventory", f"Could not read {Path(path).name}",
                      [str(exc)])
        return None
    dlg = ImportDialog(window, path, table=table)
    dlg.show()
    return dlg


def import_netbox(window: "MainWindow", folder: str | None = None) -> "ImportDialog | None":
    if folder is None:
        folder = QFileDialog.getExistingDirectory(window, "Import NetBox Export Folder",
                                                  window.settings.last_directory() or "")
        if not folder:
            return None
    from twin.interchange.netbox import netbox_rows
    try:
        rows, report = netbox_rows(folder)
    except InterchangeError as exc:
        show_problems(window, "Import from NetBox", f"Could not read {Path(folder).name}",
                      [str(exc)])
        return None
    dlg = ImportDialog(window, folder, rows=(rows, report))
    dlg.show()
    return dlg


class ImportDialog(QDialog):
    """Column mapping, options and a preview of every row; Import commits."""

    def __init__(self, window: "MainWindow", source: str, table: Table | None = None,
                 rows: tuple[list[RackRow], ImportReport] | None = None):
        super().__init__(window)
        self.window_, self.source, self.table = window, source, table
        self.fixed_rows = rows
        self.layout_result: Layout | None = None
        self.report = ImportReport(source)
        self.setWindowTitle("Import Racks \u2014 " + Path(source).name)
        self.setModal(False)
        outer = QVBoxLayout(self)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        outer.addWidget(self.headline)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._mapping_box())
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.preview = QTableWidget(0, len(PREVIEW_HEADERS))
        self.preview.setHorizontalHeaderLabels(PREVIEW_HEADERS)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setVisible(False)
        self.preview.setWordWrap(False)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.preview.horizontalHeader().setStretchLastSection(True)
        rl.addWidget(QLabel("Preview (every row; problems in the last column):"))
        rl.addWidget(self.preview, 3)
        self.messages = QPlainTextEdit()
        self.messages.setReadOnly(True)
        rl.addWidget(self.messages, 1)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        outer.addWidget(split, 1)
        target = QHBoxLayout()
        self.into_layout = QRadioButton("Add to this layout")
        self.new_room = QRadioButton("New room sized to the racks, with provisional cooling")
        empty = len(window.floor_layout.racks) == 0
        (self.new_room if empty else self.into_layout).setChecked(True)
        for b in (self.into_layout, self.new_room):
            b.toggled.connect(self.refresh)
            target.addWidget(b)
        target.addStretch(1)
        outer.addLayout(target)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.commit)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.resize(1180, 660)
        self.refresh()

    # ----- mapping ---------------------------------------------------------------
    def _mapping_box(self) -> QWidget:
        box = QGroupBox("Columns and units")
        form = QFormLayout(box)
        self.combos: dict[str, QComboBox] = {}
        self.mapping = Mapping()
        if self.table is None:
            form.addRow(QLabel("Read from the NetBox objects\n(racks, devices, power ports)."))
            return box
        report = ImportReport(self.source)
        from twin.interchange.inventory_read import match_columns
        found = match_columns(self.table.header, self.mapping, report)
        headers = [h for h in self.table.header if h]
        for f in COLUMNS:
            c = QComboBox()
            c.addItems([NONE, *headers])
            if f in found:
                c.setCurrentText(self.table.header[found[f]])
            c.currentTextChanged.connect(self.refresh)
            self.combos[f] = c
            form.addRow(f, c)
        self.length_unit = QComboBox()
        self.length_unit.addItems(["m", "ft"])
        self.power_unit = QComboBox()
        self.power_unit.addItems(["kW", "W"])
        self.basis = QComboBox()
        self.basis.addItems(["(not said)", "measured", "budget"])
        for c in (self.length_unit, self.power_unit, self.basis):
            c.currentTextChanged.connect(self.refresh)
        form.addRow("x/y without a unit in", self.length_unit)
        form.addRow("power without a unit in", self.power_unit)
        form.addRow("power that does not say is", self.basis)
        return box

    def current_mapping(self) -> Mapping:
        m = Mapping()
        if self.table is None:
            return m
        m.columns = {f: ("" if c.currentText() == NONE else c.currentText())
                     for f, c in self.combos.items()}
        m.length_unit = self.length_unit.currentText()
        m.power_unit = self.power_unit.currentText()
        m.power_basis = "" if self.basis.currentIndex() == 0 else self.basis.currentText()
        return m

    # ----- evaluation ------------------------------------------------------------
    def refresh(self, *_: Any) -> None:
        """Read the rows with the current mapping and build the layout they would make."""
        if self.table is not None:
            report = ImportReport(self.source)
            try:
                rows = table_rows(self.table, self.current_mapping(), report)
            except InterchangeError as exc:
                rows = []
                report.error(self.source, exc.message)
        else:
            rows0, report0 = self.fixed_rows or ([], ImportReport(self.source))
            rows = [RackRow(**vars(r)) for r in rows0]          # placement fills copies
            report = ImportReport(**{**vars(report0), "problems": list(report0.problems),
                                     "notes": list(report0.notes),
                                     "placed_in_rows": list(report0.placed_in_rows),
                                     "models": dict(report0.models)})
        base = None if self.new_room.isChecked() else self.window_.floor_layout
        self.rows = rows
        self.layout_result = None if report.errors else build_layout(
            rows, report, base=base, cooling=self.new_room.isChecked())
        self.report = report
        self._show(rows, report)

    def _show(self, rows: list[RackRow], report: ImportReport) -> None:
        by_where: dict[str, list[tuple[str, str]]] = {}
        for p in report.problems:
            by_where.setdefault(p.path, []).append((p.severity, p.message))
        t = self.preview
        t.setRowCount(len(rows))
        for i, r in enumerate(rows):
            model = report.models.get(r.model, r.model)
            source = ("line " + r.where.rsplit(" line ", 1)[1]) if " line " in r.where else r.where
            cells = [source, r.id,
                     model if model == r.model else f"{r.model} \u2192 {model}",
                     _num(r.x_m, 3), _num(r.y_m, 3), FACING_NAMES.get(r.rotation_deg or 0, ""),
                     _num(r.power_kw, 2), r.power_basis,
                     "; ".join(("" if sev == "error" else "warning: ") + m
                               for sev, m in by_where.get(r.where, []))]
            worst = min((sev for sev, _m in by_where.get(r.where, [])),
                        key=("error", "warning", "info").index, default="")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == len(cells) - 1 and worst:
                    item.setForeground(status_colour(worst))
                    item.setToolTip(text)
                t.setItem(i, c, item)
        lines = []
        if report.columns:
            lines.append("Columns: " + ", ".join(f"{f} \u2190 {h!r}" for f, h in report.columns.items()))
        if report.ignored_columns:
            lines.append("Ignored: " + ", ".join(repr(h) for h in report.ignored_columns))
        lines += [f"Model {g!r} \u2192 {k}" for g, k in report.models.items()]
        lines += [f"Note: {n}" for n in report.notes]
        lines += [p.format() for p in report.problems if p.path not in {r.where for r in rows}]
        self.messages.setPlainText("\n".join(lines))
        n_err = len(report.errors)
        ok = self.layout_result is not None
        self.headline.setText(
            f"<b>{len(rows):,} racks</b> read from {Path(self.source).name}"
            + (f" \u00b7 <span style='color:#b00020'>{n_err} errors: nothing is imported until "
               "they are fixed</span>" if n_err else " \u00b7 ready to import")
            + (f" \u00b7 {len(report.placed_in_rows)} placed in rows" if report.placed_in_rows else ""))
        self.import_button.setEnabled(ok)

    # ----- commit ----------------------------------------------------------------
    def commit(self) -> None:
        lay = self.layout_result
        if lay is None:
            return
        w = self.window_
        n = len(self.rows)
        if self.new_room.isChecked():
            w.document.restore(lay, None)
            w.statusBar().showMessage(f"Imported {n:,} racks into a new room from "
                                      f"{Path(self.source).name} (unsaved)", 8000)
        else:
            records = lay.racks.records()[len(w.floor_layout.racks):]
            w.editor.add_racks(records, text=f"Import {n:,} racks from {Path(self.source).name}")
            w.statusBar().showMessage(f"Imported {n:,} racks from {Path(self.source).name} "
                                      "\u00b7 Edit > Undo reverts it", 8000)
        self.accept()


def _num(v: float | None, nd: int) -> str:
    return "" if v is None else f"{v:,.{nd}f}".rstrip("0").rstrip(".")


# ----- export ----------------------------------------------------------------------
def export_inventory(window: "MainWindow", path: str | None = None) -> bool:
    from twin.interchange.inventory_write import write_inventory
    if path is None:
        start = str(window.document.path.with_suffix(".csv")) if window.document.path else ""
        path, _ = QFileDialog.getSaveFileName(window, "Export Rack Inventory", start,
                                              "CSV (*.csv);;Excel workbook (*.xlsx)")
        if not path:
            return False
    result = window.session.result
    if result is not None and list(result.rack_ids) != list(window.floor_layout.racks.ids):
        result = None                     # results of an older floor: leave them out
    try:
        n = write_inventory(window.floor_layout, path, result)
    except InterchangeError as exc:
        show_problems(window, "Export rack inventory", "Could not export", [str(exc)])
        return False
    window.statusBar().showMessage(f"Exported {n:,} racks to {Path(path).name}"
                                   + (" with results" if result is not None else ""), 8000)
    return True
