"""Look and feel: Fusion with a calm dark-slate palette, one UI font, compact dock titles.

Everything visual that is shared between widgets lives here so the window looks the same
everywhere (and tests can apply it to a bare ``QApplication``).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

#: Named colours used by widgets that paint themselves (status chips, placeholders).
COLOURS = {
    "window": "#2b2f36",
    "base": "#1f2228",
    "alt_base": "#262a31",
    "panel": "#323741",
    "text": "#dde1e7",
    "dim_text": "#9aa3af",
    "disabled_text": "#6b7380",
    "highlight": "#3a7bd5",
    "highlight_text": "#ffffff",
    "link": "#6ab0ff",
    "border": "#444b57",
    "warning": "#e0a84e",
    "error": "#e5534b",
    "ok": "#57ab5a",
}

STYLESHEET = """
QMainWindow::separator { background: %(border)s; width: 1px; height: 1px; }
QDockWidget { titlebar-close-icon: none; }
QDockWidget::title {
    background: %(panel)s; padding: 4px 8px; border-bottom: 1px solid %(border)s;
    text-align: left;
}
QToolBar { border: none; border-bottom: 1px solid %(border)s; spacing: 2px; padding: 2px 4px; }
QToolBar::separator { background: %(border)s; width: 1px; margin: 4px 4px; }
QToolButton { padding: 3px; border-radius: 3px; }
QToolButton:hover { background: %(panel)s; }
QToolButton:checked { background: #3c4a5e; }
QStatusBar { border-top: 1px solid %(border)s; }
QStatusBar::item { border: none; }
QStatusBar QLabel { padding: 0 6px; }
QTreeView, QListView, QTableView, QPlainTextEdit { border: 1px solid %(border)s; }
QHeaderView::section {
    background: %(panel)s; padding: 3px 6px; border: none;
    border-right: 1px solid %(border)s; border-bottom: 1px solid %(border)s;
}
QGroupBox { border: 1px solid %(border)s; border-radius: 4px; margin-top: 14px; padding-top: 4px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; color: %(dim_text)s; }
QTabWidget::pane { border: 1px solid %(border)s; }
QLabel#placeholder { color: %(dim_text)s; padding: 16px; }
QLabel#sectionTitle { font-weight: 600; padding: 2px 0; }
QLabel#hint { color: %(dim_text)s; }
QToolTip { color: %(text)s; background: %(panel)s; border: 1px solid %(border)s; padding: 4px; }
""" % COLOURS


def make_palette() -> QPalette:
    c = {k: QColor(v) for k, v in COLOURS.items()}
    pal = QPalette()
    R = QPalette.ColorRole
    for role, col in ((R.Window, c["window"]), (R.WindowText, c["text"]), (R.Base, c["base"]),
                      (R.AlternateBase, c["alt_base"]), (R.ToolTipBase, c["panel"]),
                      (R.ToolTipText, c["text"]), (R.PlaceholderText, c["dim_text"]),
                      (R.Text, c["text"]), (R.Button, c["panel"]), (R.ButtonText, c["text"]),
                      (R.BrightText, QColor("#ff6b6b")), (R.Highlight, c["highlight"]),
                      (R.HighlightedText, c["highlight_text"]), (R.Link, c["link"]),
                      (R.Light, QColor("#4a515d")), (R.Midlight, QColor("#3b414b")),
                      (R.Mid, QColor("#30353d")), (R.Dark, QColor("#1a1d22")),
                      (R.Shadow, QColor("#111316"))):
        pal.setColor(role, col)
    G = QPalette.ColorGroup.Disabled
    for role in (R.WindowText, R.Text, R.ButtonText):
        pal.setColor(G, role, c["disabled_text"])
    pal.setColor(G, R.Highlight, QColor("#3b414b"))
    return pal


def apply_style(app: QApplication) -> None:
    """Fusion, the palette, one readable font and the shared stylesheet."""
    app.setStyle("Fusion")
    app.setPalette(make_palette())
    font = QFont("DejaVu Sans")
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPointSizeF(9.0)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET)
