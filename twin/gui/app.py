"""Start the desktop app: ``run(file)`` creates the QApplication, opens the main window on
``file`` (or the bundled sample) and runs the event loop.

A missing or invalid file is reported in a dialog listing every problem; the window still
opens, with a new empty layout.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pyqtgraph.util.garbage_collector import GarbageCollector

import twin
from twin.gui.settings import APPLICATION, ORGANISATION, AppSettings
from twin.gui.style import apply_style
from twin.paths import DEFAULT_SAMPLE

#: How often garbage is collected (on the GUI thread, see ``create_application``).
GC_INTERVAL_S = 0.5


_garbage_collector: GarbageCollector | None = None


def _collect_garbage_on_gui_thread() -> None:
    """Python's cyclic garbage collector runs on whichever thread happens to allocate.
    On the live engine's worker thread it can free a Qt object from a closed window there,
    and Qt then fires a timer of a deleted object on the GUI thread (a crash). pyqtgraph's
    ``GarbageCollector`` turns automatic collection off and collects from a GUI-thread
    timer instead."""
    global _garbage_collector
    if _garbage_collector is None:
        _garbage_collector = GarbageCollector(interval=GC_INTERVAL_S)


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists), named for QSettings, styled."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        # QWidget.grab of GL content and the 3-D canvases' contexts share across top-levels.
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(twin.__version__)
    QGuiApplication.setApplicationDisplayName(APPLICATION)
    apply_style(app)
    _collect_garbage_on_gui_thread()
    return app


def open_main_window(file: str | Path | None = None, settings: AppSettings | None = None,
                     enable_3d: bool = True, show: bool = True):
    """Build and show the main window on ``file`` (default: the bundled sample).

    Errors in the file are shown in a dialog; the window then holds a new, empty layout.
    """
    from twin.gui.document import Document
    from twin.gui.main_window import MainWindow
    from twin.io import LayoutError

    target = Path(file) if file else DEFAULT_SAMPLE
    document = Document()
    error: LayoutError | None = None
    t0 = time.perf_counter()
    try:   # load before the views exist so they are built once, for the real layout
        document.open(target)
    except LayoutError as exc:
        error = exc
    seconds = time.perf_counter() - t0
    window = MainWindow(document=document, settings=settings, enable_3d=enable_3d)
    if show:
        window.show()
    if error is None:
        window.note_opened(target, seconds)
    else:
        window.report_open_error(target, error)
        window.statusBar().showMessage(
            f"Could not open {target.name}; started a new, empty layout instead.", 15000)
    return window


def run(file: str | None = None) -> int:
    """Run the desktop app; returns the process exit code."""
    app = create_application()
    window = open_main_window(file)
    window.raise_()
    code = app.exec()
    return int(code)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(run(sys.argv[1] if len(sys.argv) > 1 else None))
