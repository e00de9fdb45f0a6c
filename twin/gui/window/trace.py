"""File > Import > Workload Trace: a trace CSV checked against the floor, referenced from
the layout (one undo step), and the Timeline dock opened on it."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from twin.gui.base.dialogs import show_problems
from twin.io import LayoutError
from twin.io.errors import capped_lines
from twin.io.trace import read_trace

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.window.main_window import MainWindow


def install(window: "MainWindow") -> None:
    act = QAction("Workload &Trace (CSV)\u2026", window)
    act.setStatusTip("Utilisation over time from a scheduler's log or telemetry; replay it "
                     "in the Timeline panel")
    act.triggered.connect(lambda: import_trace(window))
    window.import_menu.addAction(act)
    window.actions.import_trace = act
    gif = QAction("Plan &Animation Over Time (GIF)\u2026", window)
    gif.setStatusTip("The plan at every step of the Timeline panel's period, as an animated GIF")
    gif.triggered.connect(lambda: export_animation(window))
    window.export_menu.addAction(gif)
    window.actions.export_animation = gif


def export_animation(window: "MainWindow", path: str | None = None) -> bool:
    """The plan over the Timeline panel's period (its trace, or the 24-hour profile) as an
    animated GIF, drawn on the GUI thread with a cancellable progress dialog."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from twin.engine.timeline import profile_steps, trace_steps
    from twin.report.animation import render_animation
    from twin.report.output import ExportError

    if path is None:
        path, _ = QFileDialog.getSaveFileName(window, "Export Plan Animation", "plan.gif",
                                              "Animated GIF (*.gif)")
        if not path:
            return False
    panel = window.timeline_panel
    layout = window.floor_layout.snapshot()
    tf = panel.trace_file() if panel.source.currentText() != "24-hour profile" else None
    try:
        trace = read_trace(tf, layout) if tf is not None else None
    except LayoutError as exc:
        show_problems(window, "Export plan animation", "The trace cannot be read",
                      exc.first_lines())
        return False
    steps = trace_steps(layout, trace) if trace is not None else profile_steps(layout)
    dlg = QProgressDialog("Drawing frames\u2026", "Cancel", 0, len(steps), window)
    dlg.setWindowModality(Qt.WindowModality.WindowModal)
    dlg.setMinimumDuration(300)

    class _Cancel(Exception):
        pass

    def progress(fraction: float, text: str) -> None:
        dlg.setValue(int(round(fraction * len(steps))))
        dlg.setLabelText(text)
        QApplication.processEvents()
        if dlg.wasCanceled():
            raise _Cancel()
    metric = window.session.colour_key if window.session.colour_key in (
        "inlet", "power", "capture", "coolant", "floor") else "inlet"
    try:
        n = render_animation(layout, steps, path, metric, progress=progress,
                             source=window.document.file_label)
    except _Cancel:
        window.statusBar().showMessage("Animation cancelled", 5000)
        return False
    except (ExportError, ValueError, RuntimeError) as exc:
        show_problems(window, "Export plan animation", f"Could not write {Path(path).name}",
                      [str(exc)])
        return False
    finally:
        dlg.close()
    window.statusBar().showMessage(f"Exported {Path(path).name}: {n} frames", 8000)
    return True


def import_trace(window: "MainWindow", path: str | None = None) -> bool:
    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "Import Workload Trace",
                                              window.settings.last_directory() or "",
                                              "Workload traces (*.csv *.txt);;All files (*)")
        if not path:
            return False
    try:
        trace = read_trace(path, window.floor_layout)
    except LayoutError as exc:
        show_problems(window, "Import workload trace", f"Could not import {Path(path).name}",
                      exc.first_lines())
        return False
    doc_path = window.document.path
    ref = str(Path(path).resolve())
    if doc_path is not None:
        try:
            ref = Path(os.path.relpath(Path(path).resolve(), doc_path.resolve().parent)).as_posix()
        except ValueError:
            pass
    lay = window.floor_layout
    window.editor.set_settings("trace", dataclasses.replace(lay.trace, path=ref),
                               text=f"Import trace {Path(path).name}")
    panel = window.timeline_panel
    panel.refresh_sources()
    panel.source.setCurrentIndex(panel.source.count() - 1)
    window.timeline_dock.show()
    window.timeline_dock.raise_()
    panel.compute()
    window.statusBar().showMessage(f"Trace {Path(path).name}: {len(trace.rows):,} rows, "
                                   f"{len(trace.times_s):,} steps over "
                                   f"{trace.duration_s / 3600:,.1f} h", 8000)
    if trace.warnings:
        n = len(trace.warnings)
        show_problems(window, "Import workload trace",
                      f"Imported {Path(path).name} with {n} warning{'s' if n != 1 else ''}",
                      capped_lines(trace.warnings, path))
    return True
