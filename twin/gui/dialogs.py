"""Dialogs: a scrollable list of file problems, the export options, save-changes prompt.

Every modal interaction goes through a small function or static method here so tests can
replace it (``monkeypatch``) and nothing blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
    QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QSpinBox, QStyle, QVBoxLayout,
    QWidget,
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
PNG_FILTER = "PNG image (*.png)"


@dataclass
class ExportOptions:
    """What to export: ``target`` is 'window', '3d' or 'plan'; size in pixels."""

    path: Path
    target: str
    width: int
    height: int


class ExportDialog(QDialog):
    """Choose what to export (window, 3-D view, plan), the image size and the file."""

    def __init__(self, targets: dict[str, tuple[str, tuple[int, int]]], default_target: str,
                 default_path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export Image")
        self.setMinimumWidth(480)
        self.targets = targets
        self.target = QComboBox()
        for key, (label, _size) in targets.items():
            self.target.addItem(label, key)
        self.target.setToolTip("Which part of the window to render")
        self.width_px = QSpinBox()
        self.height_px = QSpinBox()
        for spin, tip in ((self.width_px, "Image width in pixels"),
                          (self.height_px, "Image height in pixels")):
            spin.setRange(64, 8192)
            spin.setSuffix(" px")
            spin.setToolTip(tip)
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_px)
        size_row.addWidget(QLabel("\u00d7"))
        size_row.addWidget(self.height_px)
        size_row.addStretch(1)
        self.path = QLineEdit(default_path)
        self.path.setToolTip("PNG file to write")
        browse = QPushButton("Browse\u2026")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("View:", self.target)
        form.addRow("Size:", size_row)
        form.addRow("File:", path_row)
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.note)
        lay.addWidget(buttons)
        self.target.currentIndexChanged.connect(self._target_changed)
        i = self.target.findData(default_target)
        self.target.setCurrentIndex(max(i, 0))
        self._target_changed()

    def _target_changed(self) -> None:
        key = self.target.currentData()
        w, h = self.targets[key][1]
        self.width_px.setValue(w)
        self.height_px.setValue(h)
        self.note.setText("The whole window is captured at its on-screen size."
                          if key == "window" else
                          "The view is rendered at this size; the camera is unchanged.")
        self.width_px.setEnabled(key != "window")
        self.height_px.setEnabled(key != "window")

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export Image", self.path.text(), PNG_FILTER)
        if path:
            self.path.setText(path if path.lower().endswith(".png") else path + ".png")

    def options(self) -> ExportOptions:
        path = self.path.text().strip()
        if path and not path.lower().endswith(".png"):
            path += ".png"
        return ExportOptions(Path(path), self.target.currentData(), self.width_px.value(),
                             self.height_px.value())

    @staticmethod
    def get_options(parent: QWidget | None, targets: dict[str, tuple[str, tuple[int, int]]],
                    default_target: str, default_path: str) -> ExportOptions | None:
        """Run the dialog; asks for a file with ``QFileDialog`` first. None if cancelled."""
        path, _ = QFileDialog.getSaveFileName(parent, "Export Image", default_path, PNG_FILTER)
        if not path:
            return None
        dlg = ExportDialog(targets, default_target, path, parent)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        opts = dlg.options()
        return opts if str(opts.path) not in ("", ".") else None
