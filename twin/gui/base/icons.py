"""Small line icons painted in code (no image files): view modes, rotate, snap, camera.

Standard actions (new, open, save, delete) use ``QStyle`` standard icons; the icons here
cover what the platform set lacks, drawn in the palette's text colour at 1x and 2x.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

INK = QColor("#dde1e7")
ACCENT = QColor("#6ab0ff")


def _paint(name: str, p: QPainter) -> None:
    """Draw icon ``name`` in a 16 x 16 box."""
    pen = QPen(INK, 1.3)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    if name == "view3d":          # an isometric cube
        top = QPainterPath()
        top.moveTo(8, 2); top.lineTo(14, 5); top.lineTo(8, 8); top.lineTo(2, 5); top.closeSubpath()
        p.setBrush(QColor(106, 176, 255, 90))
        p.drawPath(top)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPolyline([QPointF(2, 5), QPointF(2, 11), QPointF(8, 14), QPointF(14, 11),
                        QPointF(14, 5)])
        p.drawLine(QPointF(8, 8), QPointF(8, 14))
    elif name == "plan":          # a floor grid with two racks
        p.drawRect(QRectF(2, 2, 12, 12))
        for v in (6, 10):
            p.setPen(QPen(QColor(INK.red(), INK.green(), INK.blue(), 110), 1))
            p.drawLine(QPointF(v, 2), QPointF(v, 14))
            p.drawLine(QPointF(2, v), QPointF(14, v))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ACCENT)
        p.drawRect(QRectF(3.5, 3.5, 2, 5))
        p.drawRect(QRectF(10.5, 7.5, 2, 5))
    elif name == "split":         # two panes side by side
        p.drawRoundedRect(QRectF(1.5, 2.5, 13, 11), 1.5, 1.5)
        p.drawLine(QPointF(8, 2.5), QPointF(8, 13.5))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(106, 176, 255, 110))
        p.drawRect(QRectF(2.3, 3.3, 5, 9.4))
    elif name == "rotate":        # a 3/4 circle arrow
        p.drawArc(QRectF(3, 3, 10, 10), 90 * 16, 270 * 16)
        head = QPainterPath()
        head.moveTo(8, 0.8); head.lineTo(11, 3); head.lineTo(8, 5.2); head.closeSubpath()
        p.setBrush(INK)
        p.drawPath(head)
    elif name == "duplicate":     # two overlapping sheets
        p.drawRoundedRect(QRectF(2, 2, 8.5, 8.5), 1, 1)
        p.setBrush(QColor(106, 176, 255, 90))
        p.drawRoundedRect(QRectF(5.5, 5.5, 8.5, 8.5), 1, 1)
    elif name == "camera":        # frame corners and a centre dot
        for x, y, dx, dy in ((2, 2, 1, 1), (14, 2, -1, 1), (2, 14, 1, -1), (14, 14, -1, -1)):
            p.drawPolyline([QPointF(x + 4 * dx, y), QPointF(x, y), QPointF(x, y + 4 * dy)])
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ACCENT)
        p.drawEllipse(QPointF(8, 8), 2.2, 2.2)
    elif name == "snap":          # grid dots with a magnet-ish corner
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(INK)
        for x in (3, 8, 13):
            for y in (3, 8, 13):
                p.drawEllipse(QPointF(x, y), 1.1, 1.1)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(ACCENT, 1.4))
        p.drawRect(QRectF(3, 8, 5, 5))
    elif name == "export":        # a picture with a mountain
        p.drawRoundedRect(QRectF(1.5, 3, 13, 10), 1.5, 1.5)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ACCENT)
        m = QPainterPath()
        m.moveTo(3, 12); m.lineTo(7, 7); m.lineTo(9.5, 10); m.lineTo(11, 8.5)
        m.lineTo(13.5, 12); m.closeSubpath()
        p.drawPath(m)
        p.setBrush(INK)
        p.drawEllipse(QPointF(11.2, 5.8), 1.2, 1.2)


def painted_icon(size_px: int, paint) -> QIcon:
    """An icon drawn by ``paint(painter)`` in logical pixels, at 1x and 2x for high DPI."""
    out = QIcon()
    for scale in (1, 2):
        pm = QPixmap(size_px * scale, size_px * scale)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(scale, scale)
        paint(p)
        p.end()
        pm.setDevicePixelRatio(scale)
        out.addPixmap(pm)
    return out


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    return painted_icon(16, lambda p: _paint(name, p))
