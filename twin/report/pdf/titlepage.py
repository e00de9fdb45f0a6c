"""The title page: banner with the layout name, provenance table, headline tiles, contents.

The contents list is drawn after pagination from ``ctx.toc``, so it shows real page
numbers; its height is known beforehand from the number of sections.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPen

from twin.report.pdf import style as st
from twin.report.pdf.blocks import Block, Cell, Column, RichText, Table, plain_html

BANNER_FILL = st.HEAD_FILL


class Banner(Block):
    """Dark banner: report kind, layout name, one-line subject."""

    space_after_pt = 10.0

    def __init__(self, kind: str, title: str, subtitle: str):
        self.kind, self.title, self.subtitle = kind, title, subtitle
        # the subtitle is the layout's description: plain text, never markup (an <img>
        # in it would embed a local file in the report)
        self._sub = RichText(plain_html(subtitle), st.BODY_PT + 0.5, st.HEAD_UNIT,
                             space_after_pt=0)

    def _title_h(self, ctx, width) -> float:
        fm = ctx.metrics(24, bold=True)
        r = fm.boundingRect(QRectF(0, 0, width - 2 * ctx.pt(22), 1e9),
                            int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap), self.title)
        return r.height()

    def height(self, ctx, width) -> float:
        inner = width - 2 * ctx.pt(22)
        return (ctx.pt(22) + ctx.metrics(st.SMALL_PT, bold=True).height() + ctx.pt(8)
                + self._title_h(ctx, width) + ctx.pt(8) + self._sub.height(ctx, inner)
                + ctx.pt(22))

    def draw(self, ctx, p, x, y, width) -> None:
        h = self.height(ctx, width)
        pad = ctx.pt(22)
        p.fillRect(QRectF(x, y, width, h), BANNER_FILL)
        p.fillRect(QRectF(x, y + h - ctx.pt(3), width, ctx.pt(3)), st.ACCENT)
        fm = ctx.metrics(st.SMALL_PT, bold=True)
        p.setFont(ctx.font(st.SMALL_PT, bold=True))
        p.setPen(st.HEAD_UNIT)
        ty = y + pad
        p.drawText(QPointF(x + pad, ty + fm.ascent()), self.kind.upper())
        ty += fm.height() + ctx.pt(8)
        p.setFont(ctx.font(24, bold=True))
        p.setPen(st.HEAD_TEXT)
        th = self._title_h(ctx, width)
        p.drawText(QRectF(x + pad, ty, width - 2 * pad, th),
                   int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap), self.title)
        ty += th + ctx.pt(8)
        self._sub.draw(ctx, p, x + pad, ty, width - 2 * pad)


class Contents(Block):
    """Numbered sections with their page numbers and dot leaders."""

    def __init__(self, sections: int):
        self.sections = sections

    def _line(self, ctx) -> float:
        return ctx.metrics(st.BODY_PT + 0.5).height() * 1.55

    def height(self, ctx, width) -> float:
        return ctx.metrics(st.H2_PT, bold=True).height() + ctx.pt(6) + self.sections * self._line(ctx)

    def draw(self, ctx, p, x, y, width) -> None:
        head = ctx.metrics(st.H2_PT, bold=True)
        p.setFont(ctx.font(st.H2_PT, bold=True))
        p.setPen(st.INK)
        p.drawText(QPointF(x, y + head.ascent()), "Contents")
        y += head.height() + ctx.pt(6)
        fm = ctx.metrics(st.BODY_PT + 0.5)
        p.setFont(ctx.font(st.BODY_PT + 0.5))
        for _level, title, page in [t for t in ctx.toc if t[0] == 1][:self.sections]:
            base = y + fm.ascent()
            number = str(page)
            p.setPen(st.INK)
            p.drawText(QPointF(x, base), title)
            p.drawText(QPointF(x + width - fm.horizontalAdvance(number), base), number)
            left = x + fm.horizontalAdvance(title) + ctx.pt(6)
            right = x + width - fm.horizontalAdvance(number) - ctx.pt(6)
            if right > left:
                p.setPen(QPen(st.RULE, ctx.pt(0.8), Qt.PenStyle.DotLine))
                p.drawLine(QPointF(left, base), QPointF(right, base))
            y += self._line(ctx)


def provenance_table(rows: list[tuple[str, str]]) -> Table:
    """Two columns, no header: what was analysed, when, with what."""
    return Table([Column("", weight=1.2, align="l"), Column("", weight=4.5, align="l", wrap=True)],
                 [[Cell(k, st.DIM, bold=True), v] for k, v in rows], header=False,
                 size_pt=8.5, numbered=False)
