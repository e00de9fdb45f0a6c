"""Start the desktop app: ``run(file)`` creates the QApplication, opens the main window on
``file`` (or the bundled sample) and runs the event loop.

A missing or invalid file is reported in a dialog listing every problem; the window still
opens, with a new empty layout.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from twin.gui.base.qt_app import create_application
from twin.gui.window.autosave import offer_recovery
from twin.gui.window.settings import AppSettings
from twin.paths import DEFAULT_SAMPLE



def open_main_window(file: str | Path | None = None, settings: AppSettings | None = None,
                     enable_3d: bool = True, show: bool = True, recover: bool = True):
    """Build and show the main window on ``file`` (default: the bundled sample).

    Errors in the file are shown in a dialog; the window then holds a new, empty layout.
    With ``recover``, unsaved edits of a session that crashed are offered for restore.
    """
    from twin.gui.base.document import Document
    from twin.gui.window.main_window import MainWindow
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
    if recover and offer_recovery(window, document, window.autosaver.store):
        window.statusBar().showMessage("Restored the unsaved changes of the last session; "
                                       "save them to keep them.", 15000)
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
