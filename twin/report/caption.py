"""The caption band burned into exported images: layout, view, metric keys, date stamp.

A screenshot travels without its context (slides, tickets, e-mail), so every exported PNG
carries a dark band along its bottom edge: the layout name and what is shown on the left,
one colour bar per metric (title with unit, gradient, tick values) or category swatches
in the middle, and the date and application version on the right. The band is drawn in
logical pixels and scaled with the image, so a 2x export has the same layout, sharper.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QLinearGradient, QPainter, QPen

import twin
from twin.engine.layers import Heatmap
from twin.model import units
from twin.model.viewstate import CATEGORY_COLOURS, Colouring, colormap_lut
from twin.view3d.overlay import format_tick

#: Height of the band in logical pixels.
BAND_PX = 60
FONT = "DejaVu Sans"
BACKGROUND = QColor("#1b2027")
ACCENT = QColor("#3a7bd5")
TEXT = QColor("#e6e9ee")
DIM = QColor("#9aa3af")
BAR_W, BAR_H = 200, 10
PAD = 16
GAP = 28
MAX_SWATCHES = 4


@dataclass(frozen=True)
class ColourKey:
    """One colour key: a bar from ``vmin`` to ``vmax`` or, with ``categories``, swatches."""

    title: str
    unit: str = ""
    colormap: str = "thermal"
    vmin: float = 0.0
    vmax: float = 1.0
    categories: tuple[str, ...] = ()
    colours: tuple[tuple[int, int, int], ...] = ()    # RGB per category (default: shared)

    @property
    def heading(self) -> str:
        return units.heading(self.title, self.unit)

    @classmethod
    def of_colouring(cls, c: Colouring) -> "ColourKey":
        return cls(c.label, c.unit, c.colormap, float(c.vmin), float(c.vmax), tuple(c.categories),
                   tuple(c.colours))

    @classmethod
    def of_heatmap(cls, hm: Heatmap) -> "ColourKey":
        return cls(hm.label, hm.unit, hm.colormap, float(hm.levels[0]), float(hm.levels[1]))


def figure_keys(rack: ColourKey, field: ColourKey | None) -> tuple[ColourKey, ...]:
    """The keys of a figure: the racks', then the field's; one key when both use one
    scale (colour map, range and unit, as rack inlets and air temperatures do), titled
    for both as the plan's colour bar is."""
    if field is None:
        return (rack,)
    if (not rack.categories and not field.categories and rack.colormap == field.colormap
            and rack.unit == field.unit and (rack.vmin, rack.vmax) == (field.vmin, field.vmax)):
        return (replace(field, title=f"{field.title} \u00b7 racks: {rack.title.lower()}"),)
    return (rack, field)


@dataclass(frozen=True)
class Caption:
    """What the band says about an image."""

    layout_name: str
    view: str
    keys: tuple[ColourKey, ...] = ()
    stamp: datetime | None = None
    source: str = ""

    def stamp_text(self) -> str:
        stamp = self.stamp or datetime.now().astimezone()
        return stamp.strftime("%Y-%m-%d %H:%M %Z").strip()


def _font(px: float, bold: bool = False) -> QFont:
    f = QFont(FONT)
    f.setPixelSize(max(int(round(px)), 1))
    f.setBold(bold)
    f.setStyleHint(QFont.StyleHint.SansSerif)
    return f


def _key_width(key: ColourKey) -> float:
    fm = QFontMetricsF(_font(11))
    if key.categories:
        names = key.categories[:MAX_SWATCHES]
        small = QFontMetricsF(_font(10))
        body = sum(14 + small.horizontalAdvance(n) + 12 for n in names)
        if len(key.categories) > MAX_SWATCHES:
            body += small.horizontalAdvance(f"+{len(key.categories) - MAX_SWATCHES} more")
        return max(fm.horizontalAdvance(key.heading), body)
    return max(fm.horizontalAdvance(key.heading), BAR_W)


def _draw_bar(p: QPainter, key: ColourKey, x: float, y: float) -> None:
    lut = colormap_lut(key.colormap, 64)
    grad = QLinearGradient(QPointF(x, 0), QPointF(x + BAR_W, 0))
    for k, rgba in enumerate(lut):
        grad.setColorAt(k / (len(lut) - 1), QColor(*(int(v) for v in rgba[:3])))
    p.fillRect(QRectF(x, y, BAR_W, BAR_H), grad)
    p.setPen(QPen(DIM, 1))
    p.drawRect(QRectF(x, y, BAR_W, BAR_H))
    p.setFont(_font(10))
    fm = QFontMetricsF(p.font())
    for f in (0.0, 0.5, 1.0):
        tx = x + f * BAR_W
        p.drawLine(QPointF(tx, y + BAR_H), QPointF(tx, y + BAR_H + 3))
        text = format_tick(units.scale_value(key.unit, key.vmin + f * (key.vmax - key.vmin)))
        w = fm.horizontalAdvance(text)
        left = min(max(tx - w / 2, x - 2), x + BAR_W - w + 2)
        p.drawText(QPointF(left, y + BAR_H + 4 + fm.ascent()), text)


def _draw_swatches(p: QPainter, key: ColourKey, x: float, y: float) -> None:
    p.setFont(_font(10))
    fm = QFontMetricsF(p.font())
    rgb = list(key.colours or CATEGORY_COLOURS)
    for k, name in enumerate(key.categories[:MAX_SWATCHES]):
        p.fillRect(QRectF(x, y, 10, 10), QColor(*rgb[k % len(rgb)]))
        p.setPen(TEXT)
        p.drawText(QPointF(x + 14, y + 5 + fm.ascent() / 2 - 1), name)
        x += 14 + fm.horizontalAdvance(name) + 12
    if len(key.categories) > MAX_SWATCHES:
        p.setPen(DIM)
        p.drawText(QPointF(x, y + 5 + fm.ascent() / 2 - 1),
                   f"+{len(key.categories) - MAX_SWATCHES} more")


def draw_band(p: QPainter, caption: Caption, width: float, top: float) -> None:
    """Paint the band ``BAND_PX`` high at ``top`` across ``width`` (logical pixels)."""
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    p.fillRect(QRectF(0, top, width, BAND_PX), BACKGROUND)
    p.fillRect(QRectF(0, top, width, 2), ACCENT)
    # right: date stamp and application
    stamp, app = caption.stamp_text(), f"AI Factory Floor Twin {twin.__version__}"
    big, small = _font(13, True), _font(10)
    right_w = max(QFontMetricsF(big).horizontalAdvance(stamp),
                  QFontMetricsF(small).horizontalAdvance(app))
    rx = width - PAD - right_w
    p.setFont(big)
    p.setPen(TEXT)
    p.drawText(QRectF(rx, top + 12, right_w, 20), Qt.AlignmentFlag.AlignRight, stamp)
    p.setFont(small)
    p.setPen(DIM)
    p.drawText(QRectF(rx, top + 34, right_w, 16), Qt.AlignmentFlag.AlignRight, app)
    # keys, right to left before the stamp, as many as fit
    widths = [_key_width(k) for k in caption.keys]
    x_end = rx - GAP
    placed: list[tuple[ColourKey, float]] = []
    name_min = 220.0
    for key, w in zip(caption.keys, widths):
        if x_end - sum(pw + GAP for _k, pw in placed) - w < PAD + name_min:
            break
        placed.append((key, w))
    x = x_end - sum(w for _k, w in placed) - GAP * max(len(placed) - 1, 0)
    keys_left = x
    for key, w in placed:
        p.setFont(_font(11))
        p.setPen(TEXT)
        p.drawText(QPointF(x, top + 10 + QFontMetricsF(p.font()).ascent()), key.heading)
        if key.categories:
            _draw_swatches(p, key, x, top + 32)
        else:
            _draw_bar(p, key, x, top + 28)
        x += w + GAP
    # left: layout name and what the image shows
    left_w = (keys_left if placed else rx) - GAP - PAD
    p.setFont(_font(15, True))
    p.setPen(TEXT)
    fm = QFontMetricsF(p.font())
    p.drawText(QPointF(PAD, top + 10 + fm.ascent()),
               fm.elidedText(caption.layout_name, Qt.TextElideMode.ElideRight, left_w))
    p.setFont(small)
    p.setPen(DIM)
    sub = caption.view + (f" \u00b7 {caption.source}" if caption.source else "")
    fm = QFontMetricsF(small)
    p.drawText(QPointF(PAD, top + 36 + fm.ascent()),
               fm.elidedText(sub, Qt.TextElideMode.ElideMiddle, left_w))
    p.restore()


def with_band(image: QImage, caption: Caption, scale: float = 1.0) -> QImage:
    """``image`` with the caption band appended below it (``BAND_PX * scale`` pixels)."""
    band = int(round(BAND_PX * scale))
    out = QImage(image.width(), image.height() + band, QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(BACKGROUND)
    p = QPainter(out)
    p.drawImage(0, 0, image)
    p.scale(scale, scale)
    draw_band(p, caption, image.width() / scale, image.height() / scale)
    p.end()
    return out


def view_height(height_px: int) -> int:
    """Logical height left for the view in an image ``height_px`` tall with a band."""
    return max(int(height_px) - BAND_PX, 16)
