"""The report's look: one type family (DejaVu Sans), a small palette, sizes in points.

``Ctx`` carries the PDF paint device and converts points to device units (the writer runs
at 1200 dpi so text is laid out with precise advances); fonts and metrics are cached.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPaintDevice

FAMILY = "DejaVu Sans"
MONO = "DejaVu Sans Mono"
DPI = 1200

INK = QColor("#1d232b")
DIM = QColor("#5b6572")
FAINT = QColor("#8a939e")
RULE = QColor("#c9d0d8")
ZEBRA = QColor("#f2f4f7")
HEAD_FILL = QColor("#27303b")
HEAD_TEXT = QColor("#ffffff")
HEAD_UNIT = QColor("#b8c3cf")
ACCENT = QColor("#2f6fc0")
TILE_FILL = QColor("#f4f7fb")

SEVERITY = {"critical": QColor("#c62828"), "warning": QColor("#d97a00"),
            "info": QColor("#2f6fc0")}
STATUS = {"recommended": QColor("#2e7d32"), "allowable": QColor("#d97a00"),
          "out_of_range": QColor("#c62828")}

BODY_PT = 9.0
SMALL_PT = 7.5
TABLE_PT = 7.2
CAPTION_PT = 8.0
H1_PT = 15.0
H2_PT = 11.0


class Ctx:
    """Device, unit conversion and font/metrics caches for layout and painting."""

    def __init__(self, device: QPaintDevice):
        self.device = device
        self.u = device.logicalDpiX() / 72.0   # device units per point
        self._fonts: dict[tuple, QFont] = {}
        self._metrics: dict[tuple, QFontMetricsF] = {}
        self.toc: list[tuple[int, str, int]] = []   # (level, title, page number)

    def pt(self, points: float) -> float:
        return points * self.u

    def font(self, size_pt: float, bold: bool = False, italic: bool = False,
             mono: bool = False) -> QFont:
        key = (size_pt, bold, italic, mono)
        f = self._fonts.get(key)
        if f is None:
            f = QFont(MONO if mono else FAMILY)
            f.setStyleHint(QFont.StyleHint.Monospace if mono else QFont.StyleHint.SansSerif)
            f.setPointSizeF(size_pt)
            f.setBold(bold)
            f.setItalic(italic)
            f.setFeature(QFont.Tag("liga"), 0)   # "fi" as two letters: text stays searchable
            self._fonts[key] = f
        return f

    def metrics(self, size_pt: float, bold: bool = False, italic: bool = False,
                mono: bool = False) -> QFontMetricsF:
        key = (size_pt, bold, italic, mono)
        m = self._metrics.get(key)
        if m is None:
            m = QFontMetricsF(self.font(size_pt, bold, italic, mono), self.device)
            self._metrics[key] = m
        return m
