"""File > Export Review Report: choose the PDF and page size, then write it with progress.

The report needs a result that matches the layout on screen. The live twin's latest
result is used when it is a refined solve of exactly this layout; otherwise the layout is
solved here, on the GUI thread, with the progress dialog kept responsive (and its Cancel
button honoured) through the solver's progress and cancel callbacks.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QApplication, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
    QLabel, QLineEdit, QProgressDialog, QVBoxLayout, QWidget,
)

from twin.engine.simulate import TwinResult, simulate
from twin.engine.worker import Cancelled
from twin.gui.base.dialogs import file_row
from twin.paths import file_slug
from twin.report.output import ExportError
from twin.report.pdf import ReportSource, write_report
from twin.model import Layout, units
from twin.physics.air.solver import SolveError

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.window.main_window import MainWindow

PDF_FILTER = "PDF document (*.pdf)"


def default_page() -> str:
    """Letter where the locale measures in US units, A4 elsewhere."""
    us = QLocale().measurementSystem() == QLocale.MeasurementSystem.ImperialUSSystem
    return "letter" if us else "a4"


class ReportDialog(QDialog):
    """The PDF file and the page size of the review report."""

    def __init__(self, default_path: str, page: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export Review Report")
        self.setMinimumWidth(520)
        self.path = QLineEdit(default_path)
        self.path.setToolTip("PDF file to write")
        row = file_row(self.path, self._browse)
        self.page = QComboBox()
        self.page.addItem("A4 (210 \u00d7 297 mm)", "a4")
        self.page.addItem("US Letter (8.5 \u00d7 11 in)", "letter")
        self.page.setCurrentIndex(max(self.page.findData(page), 0))
        form = QFormLayout()
        form.addRow("File:", row)
        form.addRow("Page size:", self.page)
        note = QLabel("Title page, summary, 3-D view, plan heatmaps, cooling and power "
                      "capacity, alerts, every rack, and the assumptions with catalogue "
                      "sources. Large halls take several seconds.")
        note.setObjectName("hint")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export Review Report", self.path.text(),
                                              PDF_FILTER)
        if path:
            self.path.setText(path if path.lower().endswith(".pdf") else path + ".pdf")

    def options(self) -> tuple[Path, str] | None:
        text = self.path.text().strip()
        if not text:
            return None
        return Path(text if text.lower().endswith(".pdf") else text + ".pdf"), self.page.currentData()

    @staticmethod
    def get_options(parent: QWidget | None, default_path: str) -> tuple[Path, str] | None:
        """Run the dialog: (PDF path, 'a4' | 'letter'), or None if cancelled."""
        dlg = ReportDialog(default_path, default_page(), parent)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return dlg.options()


def current_result(window: "MainWindow") -> tuple[Layout, TwinResult] | None:
    """The live twin's (snapshot, result) when it is a refined solve of exactly the layout
    shown, else None (then the report solves the layout itself)."""
    live = getattr(window, "live", None)
    result, snap = getattr(live, "result", None), getattr(live, "snapshot", None)
    info = getattr(live, "info", None)
    if result is None or snap is None or info is None or getattr(live, "error", None):
        return None
    if info.coarse or not snap.equals(window.floor_layout):
        return None
    return snap, result


def export_report(window: "MainWindow") -> Path | None:
    """Ask, solve if needed, write the PDF; report the outcome in the status bar or a
    dialog. Returns the written path, None when cancelled or failed."""
    from twin.gui.base.dialogs import show_problems
    from twin.report.offscreen import start_qt

    folder = Path(window.settings.last_directory() or ".")
    opts = ReportDialog.get_options(window, str(folder / f"{file_slug(window.floor_layout.name)}"
                                                         "-review.pdf"))
    if opts is None:
        return None
    path, page = opts
    progress = QProgressDialog("Preparing the review report\u2026", "Cancel", 0, 100, window)
    progress.setWindowTitle("Export Review Report")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    progress.setValue(0)

    def report(lo: float, hi: float):
        def callback(fraction: float, text: str) -> None:
            progress.setValue(int(100 * (lo + (hi - lo) * fraction)))
            progress.setLabelText(text)
            QApplication.processEvents()
        return callback

    doc = window.document
    try:
        solved = current_result(window)
        if solved is None:
            snap = window.floor_layout.snapshot()
            solved = (snap, simulate(snap, progress=report(0.0, 0.4),
                                     cancel=progress.wasCanceled))
        layout, result = solved
        source = ReportSource.of_layout(layout, doc.path, doc.modified)
        qt = start_qt(need_3d=True)
        sweep = window.last_sweep[1] if (window.last_sweep is not None
                                         and window.last_sweep[0].equals(layout)) else None
        rides = [r for s, r in window.last_rides if s.equals(layout)]
        swaps = [r for s, r in window.last_swaps if s.equals(layout)]
        lc = window.last_comparison
        comparison = (Path(lc[1]).name, lc[2]) if lc is not None and lc[0].equals(layout) else None
        info = write_report(layout, result, path, source, page=page, gl_backend=qt.gl_backend,
                            gl_reason=qt.gl_reason, progress=report(0.4, 1.0),
                            cancel=progress.wasCanceled, sweep=sweep, rides=rides,
                            swaps=swaps, comparison=comparison,
                            unit_system=units.current().name)
    except Cancelled:
        window.statusBar().showMessage("Review report cancelled", 5000)
        return None
    except (ExportError, SolveError, ValueError, RuntimeError) as exc:
        show_problems(window, "Cannot Export Review Report",
                      f"The review report could not be written to <b>{path.name}</b>.",
                      [str(exc)])
        return None
    finally:
        progress.close()
    window.statusBar().showMessage(f"Exported {path.name} ({info.pages} pages, "
                                   f"{info.seconds:.1f} s)", 8000)
    return info.path
