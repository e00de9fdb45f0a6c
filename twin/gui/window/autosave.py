"""Autosave for crash recovery: the editor writes unsaved edits to its recovery file.

``Autosaver`` watches the document's undo stack: an edit starts a throttle timer (at most one write
every ``interval_ms``, the first one ``interval_ms`` after the first unsaved edit, however
long a drag goes on); when the document becomes clean (saved, or undone back to the saved
state) or the window closes cleanly, the recovery file goes. ``offer_recovery`` runs at
start-up: recovery files of sessions that crashed or were killed are offered for restore,
newest first (Qt-free storage: ``twin.io.recovery``).
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from twin.gui.base.document import Document
from twin.io import LayoutError
from twin.io.recovery import RecoveryEntry, RecoveryStore

#: How often unsaved edits are written at most (and how soon after the first one).
AUTOSAVE_INTERVAL_MS = 5000


class Autosaver(QObject):
    """Keeps this session's recovery file in step with the document's unsaved edits."""

    def __init__(self, document: Document, store: RecoveryStore,
                 interval_ms: int = AUTOSAVE_INTERVAL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self.document, self.store = document, store
        self.path = store.session_file()
        self.writes = 0
        self.last_error = ""
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.write_now)
        # after the undo stack moved (a command's redo runs before the stack counts it)
        document.stack.indexChanged.connect(self._on_change)
        document.stack.cleanChanged.connect(self._on_clean_changed)

    def _on_change(self, _index: int) -> None:
        if self.document.modified and not self._timer.isActive():
            self._timer.start()

    def _on_clean_changed(self, clean: bool) -> None:
        if clean:
            self._timer.stop()
            self.store.remove(self.path)

    def write_now(self) -> None:
        """Write the unsaved layout now (nothing when the document is clean)."""
        if not self.document.modified:
            self.store.remove(self.path)
            return
        try:
            self.store.write(self.path, self.document.layout, self.document.path)
            self.writes += 1
            self.last_error = ""
        except (OSError, ValueError) as exc:    # a full disk must not stop editing
            self.last_error = f"{self.path}: {exc}"

    def close(self) -> None:
        """A clean exit: nothing to recover."""
        self._timer.stop()
        if not self._closed:
            self._closed = True
            self.document.stack.indexChanged.disconnect(self._on_change)
        self.store.remove(self.path)


def _describe(entry: RecoveryEntry) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.saved_at))
    where = str(entry.source) if entry.source else "a layout that was never saved"
    return f"{entry.name} (unsaved edits of {where}, autosaved {when})"


def offer_recovery(parent: QWidget, document: Document, store: RecoveryStore) -> bool:
    """Offer the newest orphaned recovery file; True when its layout was restored.
    Older orphans are offered no more once one is restored or discarded (they are kept
    on disk only if the user cancels)."""
    orphans = store.orphans()
    if not orphans:
        return False
    entry = orphans[0]
    B = QMessageBox.StandardButton
    answer = QMessageBox.question(
        parent, "Recover unsaved changes",
        f"The editor was not closed cleanly. Restore {_describe(entry)}?\n\n"
        "Restore opens the recovered layout with its edits unsaved; Discard deletes the "
        "recovery file.", B.Yes | B.Discard | B.Cancel, B.Yes)
    if answer == B.Cancel:
        return False
    restored = False
    if answer == B.Yes:
        try:
            layout = store.load(entry)
        except LayoutError as exc:
            QMessageBox.warning(parent, "Recovery failed", "\n".join(exc.lines) or str(exc))
        else:
            document.restore(layout, Path(entry.source) if entry.source else None)
            restored = True
    for e in orphans:
        store.remove(e.path)
    return restored
