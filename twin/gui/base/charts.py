"""Small pyqtgraph charts for the docks, styled for the dark-slate theme.

The docks show a few compact, static-looking figures (a stacked power bar, an inlet
histogram, a 24-hour profile). ``compact_plot`` builds one with the app's colours, labelled
axes and no mouse navigation; ``status_colour`` is the shared ok/warning/error colouring.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont

from twin.gui.base.style import COLOURS

#: Status names -> colour, shared by text values and chart fills.
STATUS_COLOURS = {
    "ok": QColor(COLOURS["ok"]),
    "warning": QColor(COLOURS["warning"]),
    "error": QColor(COLOURS["error"]),
    "cold": QColor("#5fa8e8"),
    "neutral": QColor(COLOURS["text"]),
}
AXIS_PEN = QColor("#6b7380")
AXIS_TEXT = QColor(COLOURS["dim_text"])
LEFT_AXIS_PX = 42


def status_colour(status: str) -> QColor:
    return STATUS_COLOURS.get(status, STATUS_COLOURS["neutral"])


def axis_font(point_size: float = 7.5) -> QFont:
    font = QFont()
    font.setPointSizeF(point_size)
    return font


def compact_plot(x_label: str = "", y_label: str = "", height: int = 140,
                 view_box: pg.ViewBox | None = None) -> pg.PlotWidget:
    """A fixed-height plot with dark background, dim axes and labels, no navigation
    (``view_box`` may handle the mouse itself, e.g. to edit bars)."""
    w = pg.PlotWidget(background=COLOURS["base"], viewBox=view_box)
    w.setFixedHeight(height)
    w.setMinimumWidth(120)
    plot = w.getPlotItem()
    plot.hideButtons()
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.getViewBox().setDefaultPadding(0.0)
    plot.layout.setContentsMargins(2, 4, 8, 2)
    label_style = {"color": COLOURS["dim_text"], "font-size": "8pt"}
    for name in ("left", "bottom"):
        ax = plot.getAxis(name)
        ax.setPen(pg.mkPen(AXIS_PEN))
        ax.setTextPen(pg.mkPen(AXIS_TEXT))
        ax.setTickFont(axis_font())
        ax.enableAutoSIPrefix(False)
    if x_label:
        plot.setLabel("bottom", x_label, **label_style)
    if y_label:
        plot.setLabel("left", y_label, **label_style)
        # a fixed width keeps the plot area still when tick labels change (and lets
        # mouse positions map the same before and after the first paint)
        plot.getAxis("left").setWidth(LEFT_AXIS_PX)
    return w
