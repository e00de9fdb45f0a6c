"""Row names on the plan when its racks are too small for their ids: the same level of
detail as the 3-D view (``twin.view3d.labels``).

The rack layer draws rack ids from ``label_ppm`` pixels per metre on (and while at most
``MAX_RACK_LABELS`` racks are in view); below that this item names each row (``Row.title``
of ``twin.interchange.rows``) in a small white plate just off the row's west end (south
end for a row along y), in device pixels, skipping a plate that would overlap one
already drawn. Rows are found again only when the racks moved, turned or changed.
"""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import QPointF, QRectF, Qt

from twin.gui.plan.items import FootprintLayer, _PlanItem, pixels_per_metre
from twin.interchange.rows import Row, rack_rows
from twin.model.layout import Layout

#: The rack layer stops drawing ids above this many racks in view (``FootprintLayer``).
MAX_RACK_LABELS = 400
TEXT = QtGui.QColor(38, 50, 56)
PLATE = QtGui.QColor(255, 255, 255, 225)


class RowLabels(_PlanItem):
    """Row names, shown while the rack layer ``racks`` shows no ids."""

    def __init__(self, layout: Layout, racks: FootprintLayer, pt: int = 8) -> None:
        super().__init__()
        self.layout_model = layout
        self.racks = racks
        self.pt = pt
        self._key: tuple | None = None
        self._rows: list[Row] = []

    def rows(self) -> list[Row]:
        r = self.layout_model.racks
        key = (len(r), tuple(r.ids), r["x_m"].tobytes(), r["y_m"].tobytes(),
               r["rotation_deg"].tobytes())
        if key != self._key:
            self._key = key
            self._rows = rack_rows(self.layout_model)
        return self._rows

    def shown(self, ppm: float) -> bool:
        """Row names are drawn at ``ppm`` (rack ids are not)."""
        return ppm < self.racks.label_ppm or len(self.racks._visible_rows()) > MAX_RACK_LABELS

    def paint(self, p: QtGui.QPainter, *args) -> None:
        ppm = pixels_per_metre(p)
        if not self.shown(ppm):
            return
        tr = p.worldTransform()
        p.save()
        p.resetTransform()
        font = QtGui.QFont()
        font.setPointSize(self.pt)
        font.setBold(True)
        p.setFont(font)
        fm = QtGui.QFontMetricsF(font)
        placed: list[QRectF] = []
        for row in self.rows():
            x0, y0, x1, y1 = row.bounds_m
            text = row.title
            tw, th = fm.horizontalAdvance(text) + 8, fm.height() + 2
            if row.axis == "x":        # west end, beside the row
                d = tr.map(QPointF(x0, (y0 + y1) / 2))
                box = QRectF(d.x() - tw - 3, d.y() - th / 2, tw, th)
            else:                      # south end, below the row (y grows up on screen)
                d = tr.map(QPointF((x0 + x1) / 2, y0))
                box = QRectF(d.x() - tw / 2, d.y() + 3, tw, th)
            if any(box.intersects(b) for b in placed):
                continue
            placed.append(box)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(PLATE)
            p.drawRoundedRect(box, 3, 3)
            p.setPen(TEXT)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        p.restore()

    def shown_titles(self, ppm: float) -> list[str]:
        """Titles of the rows that would be named at ``ppm`` (for tests)."""
        return [r.title for r in self.rows()] if self.shown(ppm) else []
