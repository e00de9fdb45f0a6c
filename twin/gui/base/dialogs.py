"""Dialogs: a scrollable list of file problems and the save-changes prompt (the export
dialogs live with their exports: ``twin.gui.window.export_image``, ``twin.gui.window.export_report``).

Every modal interaction goes through a small function or static method here so tests can
replace it (``monkeypatch``) and nothing blocks.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QMessageBox, QPlainTextEdit, QStyle,
    QVBoxLayout, QWidget,
)


class ProblemsDialog(QDialog):
    """An error summary with one problem per line in a scrollable, copyable text box."""

    def __init__(self, title: str, summary: str, lines: list[str],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(720)
        self.resize(820, 320)
        self.lines = list(lines)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        text = QLabel(summary)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(text, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        if self.lines:
            self.details = QPlainTextEdit("\n".join(self.lines))
            self.details.setReadOnly(True)
            self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
            mono.setPointSizeF(QFont().pointSizeF())
            self.details.setFont(mono)
            self.details.setMinimumHeight(120 if len(self.lines) < 6 else 220)
            lay.addWidget(self.details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)


def show_problems(parent: QWidget | None, title: str, summary: str,
                  lines: list[str] = ()) -> None:
    """Show an error with its problem lines (blocks until closed)."""
    ProblemsDialog(title, summary, list(lines), parent).exec()


def ask_save_changes(parent: QWidget | None, name: str) -> QMessageBox.StandardButton:
    """Save / Discard / Cancel for unsaved changes."""
    B = QMessageBox.StandardButton
    return QMessageBox.question(
        parent, "Unsaved changes",
        f"Save the changes to \u201c{name}\u201d before closing it?\n\n"
        "Your changes are lost if you don't save them.",
        B.Save | B.Discard | B.Cancel, B.Save)


LAYOUT_FILTER = "Layout files (*.json);;All files (*)"


def file_row(path_edit, on_browse) -> "QHBoxLayout":
    """A path field with a Browse… button, as in every save dialog of the app."""
    from PySide6.QtWidgets import QHBoxLayout, QPushButton
    browse = QPushButton("Browse\u2026")
    browse.clicked.connect(on_browse)
    row = QHBoxLayout()
    row.addWidget(path_edit, 1)
    row.addWidget(browse)
    return row
