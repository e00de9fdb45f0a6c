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
    return True
