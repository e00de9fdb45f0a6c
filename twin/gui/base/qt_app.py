"""The QApplication for every entry point (editor, headless figures, tests): named for
QSettings, high-DPI pass-through, shared GL contexts, the app style, and garbage collection
kept on the GUI thread."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pyqtgraph.util.garbage_collector import GarbageCollector

import twin
from twin.gui.base.style import apply_style

ORGANISATION = "AI Factory Twin"
APPLICATION = "AI Factory Floor Twin"

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
