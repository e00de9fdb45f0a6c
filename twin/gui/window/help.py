"""The Help menu's pages: the user manual (the README), keyboard shortcuts, the layout file
format, the physics and its limits, and the sample layouts.

Pages are the repository's own Markdown documents shown in a ``QTextBrowser``; a section
can be shown on its own (``markdown_section``). Shortcuts are listed from the window's
actions, so the table never disagrees with the menus.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from twin.paths import DOCS, README


def markdown_section(text: str, heading: str) -> str:
    """The section of a Markdown document that starts at the ``## heading`` line (any
    level), up to the next heading of the same or a higher level; '' when absent."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        stripped = line.lstrip("#")
        level = len(line) - len(stripped)
        if level and stripped.strip().lower().startswith(heading.lower()):
            out = [line]
            for nxt in lines[i + 1:]:
                nlevel = len(nxt) - len(nxt.lstrip("#"))
                if nlevel and nlevel <= level and not nxt.startswith("#" * (level + 1)):
                    break
                out.append(nxt)
            return "\n".join(out).strip() + "\n"
    return ""


def document_text(path: Path, section: str = "") -> str:
    """A document (or one section of it), or a note saying where it would be."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return (f"# Not available\n\nThe document `{path.name}` is not installed with this "
                "copy of the app; it is in the project's repository.")
    if section:
        part = markdown_section(text, section)
        if part:
            return part
    return text


def shortcuts_markdown(actions: list[QAction]) -> str:
    """A table of every action that has a shortcut, in menu order."""
    rows = []
    for act in actions:
        seq = act.shortcut()
        if seq.isEmpty():
            continue
        name = act.text().replace("&", "").rstrip(".\u2026")
        keys = seq.toString(QKeySequence.SequenceFormat.NativeText)
        rows.append(f"| {name} | `{keys}` |")
    mouse = ["| Select / add / toggle | click, Shift+click, Ctrl+click |",
             "| Move the selection | drag on a footprint in the plan |",
             "| Rubber band | drag on empty floor in the plan |",
             "| Orbit / pan / zoom (3-D) | left drag / middle or Shift+left drag / wheel |",
             "| Pan / zoom (plan) | middle drag / wheel |",
             "| Change a field with the wheel | click into the field first |"]
    return ("# Keyboard shortcuts\n\n| command | keys |\n|---|---|\n" + "\n".join(rows)
            + "\n\n# Mouse\n\n| what | how |\n|---|---|\n" + "\n".join(mouse) + "\n")


class HelpDialog(QDialog):
    """A non-modal page of Markdown with a Close button."""

    def __init__(self, title: str, markdown: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("helpDialog")
        self.resize(820, 680)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(markdown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser)
        lay.addWidget(buttons)


#: Help pages: key -> (menu text, dialog title, document, section).
PAGES = {
    "manual": ("&User Manual", "User manual", README, ""),
    "file_format": ("Layout &File Format", "Layout file format", README, "Layout file format"),
    "physics": ("&Physics and Its Limits", "Physics and its limits", DOCS / "physics.md", ""),
    "architecture": ("&Architecture (for Developers)", "Architecture",
                     DOCS / "architecture.md", ""),
}
