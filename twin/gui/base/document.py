"""The open document: one ``Layout`` object for the whole session, its undo stack and file.

File > New and File > Open replace the layout's contents in place (``Layout.replace_all``)
so every view keeps its subscription; the undo stack is cleared and marked clean. Loading
and saving go through ``twin.io`` and raise ``LayoutError`` unchanged: a failed open leaves
the current document as it was, a failed save leaves it modified.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from twin.gui.base.commands import Editor
from twin.io import load_layout, save_layout
from twin.model import Hall, Layout

UNTITLED = "Untitled"


def new_layout() -> Layout:
    """An empty hall with sensible defaults: 14.4 m x 10.8 m slab floor, 0.6 m tiles,
    4.2 m ceiling, ASHRAE A1."""
    hall = Hall(name="Data hall", width_m=14.4, length_m=10.8, ceiling_height_m=4.2,
                raised_floor=False, tile_pitch_m=0.6)
    return Layout(name="Untitled layout", description="", hall=hall)


class Document(QObject):
    """The layout being edited, its undo stack, ``Editor`` and file path."""

    #: Emitted after New/Open/Save As change what file (and contents) the window shows.
    file_changed = Signal()

    def __init__(self, layout: Layout | None = None, path: str | Path | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.layout = layout if layout is not None else new_layout()
        self.stack = QUndoStack(self)
        self.editor = Editor(self.layout, self.stack)
        self.path: Path | None = Path(path) if path else None
        self.warnings: list = []

    # ----- state -------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return not self.stack.isClean()

    @property
    def file_label(self) -> str:
        return self.path.name if self.path else UNTITLED

    @property
    def title(self) -> str:
        """``"name — file [*]"``; Qt replaces ``[*]`` by the modified marker."""
        return f"{self.layout.name} \u2014 {self.file_label} [*]"

    # ----- file operations -----------------------------------------------------------
    def new(self) -> None:
        self._replace(new_layout(), None)

    def open(self, path: str | Path) -> None:
        """Load ``path``; raises ``LayoutError`` and keeps the current document on failure."""
        warnings: list = []
        layout = load_layout(path, catalogue=None, warnings=warnings)
        self.warnings = warnings
        self._replace(layout, Path(path))

    def save(self, path: str | Path | None = None) -> None:
        """Save atomically to ``path`` (default: the current file); raises ``LayoutError``
        and keeps the modified state on failure."""
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("no file name: use save(path)")
        self._rebase_paths(target)
        save_layout(self.layout, target)
        changed = target != self.path
        self.path = target
        self.stack.setClean()
        if changed:
            self.file_changed.emit()

    def _rebase_paths(self, target: Path) -> None:
        """Save As to another folder: the drawing's and the trace's relative paths are
        re-made against the new folder, so they still find their files."""
        import dataclasses

        from twin.interchange.underlay import rebased_path
        if self.path is None or self.path.resolve().parent == target.resolve().parent:
            return
        for block in ("underlay", "trace"):
            ref = getattr(self.layout, block)
            new = rebased_path(ref.path, self.path, target)
            if new != ref.path:
                self.layout.set_settings(block, dataclasses.replace(ref, path=new))

    def restore(self, layout: Layout, path: Path | None) -> None:
        """Take over a recovered layout of ``path`` with its edits unsaved (modified)."""
        self._replace(layout, path)
        self.stack.resetClean()

    def _replace(self, layout: Layout, path: Path | None) -> None:
        self.stack.clear()
        self.layout.replace_all(layout)
        self.path = path
        self.stack.setClean()
        self.file_changed.emit()
