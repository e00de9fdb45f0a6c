"""Pages: A4 or Letter geometry, pagination of blocks, running header and footer.

Pagination runs before any painting, so the total page count ("Page 3 of 41") and the
page of every section (the contents list) are known when the pages are drawn. A block
that does not fit goes to the next page; a table splits between rows; a heading stays
with the start of what follows it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from twin.report.pdf import style as st
from twin.report.pdf.blocks import Block, Heading, PageBreak

PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
#: Page margins in points: left, top, right, bottom (header and footer sit inside them).
MARGINS_PT = (50.0, 58.0, 50.0, 54.0)

Placed = list[tuple[Block, float]]


def page_layout(page: str) -> QPageLayout:
    """Portrait A4 or Letter with no printer margins (the report draws its own)."""
    return QPageLayout(QPageSize(PAGE_SIZES[page]), QPageLayout.Orientation.Portrait,
                       QMarginsF(0, 0, 0, 0))


@dataclass(frozen=True)
class Frame:
    """The page in device units and the rectangle that holds the flowing content."""

    page: QRectF
    content: QRectF

    @classmethod
    def of(cls, writer: QPdfWriter, ctx: st.Ctx) -> "Frame":
        r = writer.pageLayout().fullRectPixels(writer.resolution())
        page = QRectF(0, 0, r.width(), r.height())
        left, top, right, bottom = (ctx.pt(v) for v in MARGINS_PT)
        return cls(page, page.adjusted(left, top, -right, -bottom))


def paginate(blocks: list[Block], ctx: st.Ctx, frame: Frame) -> list[Placed]:
    """Place ``blocks`` on pages: [(block, y offset in the content rectangle)] per page.
    Level-1 and level-2 headings are recorded in ``ctx.toc`` with their page number."""
    width, height = frame.content.width(), frame.content.height()
    pages: list[Placed] = [[]]
    y = 0.0
    queue = deque(blocks)
    while queue:
        block = queue.popleft()
        if isinstance(block, PageBreak):
            if pages[-1]:
                pages.append([])
                y = 0.0
            continue
        h = block.height(ctx, width)
        need = h
        if block.keep_with_next and queue and not isinstance(queue[0], PageBreak):
            need += ctx.pt(block.space_after_pt) + queue[0].min_height(ctx, width)
        if y + need <= height or (not pages[-1] and need > height and h <= height):
            pages[-1].append((block, y))
            if isinstance(block, Heading):
                ctx.toc.append((block.level, block.text, len(pages)))
            y += h + ctx.pt(block.space_after_pt)
            continue
        head, tail = block.split(ctx, width, height - y)
        if head is not None:
            pages[-1].append((head, y))
            queue.appendleft(tail)
        elif not pages[-1]:     # taller than a page and cannot split: place it alone
            pages[-1].append((block, y))
        else:
            queue.appendleft(block)
        pages.append([])
        y = 0.0
    if not pages[-1]:
        pages.pop()
    return pages


@dataclass(frozen=True)
class RunningText:
    """What the header and footer say."""

    title: str
    layout_name: str
    source: str
    stamp: str


def decorate(ctx: st.Ctx, p: QPainter, frame: Frame, text: RunningText, number: int,
             total: int) -> None:
    """Header (not on the title page) and footer with the page number."""
    c = frame.content
    small = st.SMALL_PT
    fm = ctx.metrics(small)
    p.setFont(ctx.font(small))
    if number > 1:
        y = c.top() - ctx.pt(22)
        p.setPen(st.DIM)
        p.drawText(QRectF(c.left(), y, c.width() * 0.6, fm.height()),
                   int(Qt.AlignmentFlag.AlignLeft), text.title)
        p.setFont(ctx.font(small, bold=True))
        p.setPen(st.INK)
        p.drawText(QRectF(c.left() + c.width() * 0.4, y, c.width() * 0.6, fm.height()),
                   int(Qt.AlignmentFlag.AlignRight),
                   fm.elidedText(text.layout_name, Qt.TextElideMode.ElideRight,
                                 c.width() * 0.55))
        p.setPen(QPen(st.RULE, ctx.pt(0.6)))
        p.drawLine(QPointF(c.left(), y + fm.height() + ctx.pt(4)),
                   QPointF(c.right(), y + fm.height() + ctx.pt(4)))
    y = c.bottom() + ctx.pt(20)
    p.setPen(QPen(st.RULE, ctx.pt(0.6)))
    p.drawLine(QPointF(c.left(), y - ctx.pt(5)), QPointF(c.right(), y - ctx.pt(5)))
    page_text = f"Page {number} of {total}"
    bold = ctx.metrics(small, bold=True)
    page_w = bold.horizontalAdvance(page_text)
    stamp_w = fm.horizontalAdvance(text.stamp)
    p.setFont(ctx.font(small, bold=True))
    p.setPen(st.INK)
    p.drawText(QPointF(c.right() - page_w, y + fm.ascent()), page_text)
    p.setFont(ctx.font(small))
    p.setPen(st.DIM)
    stamp_x = c.right() - page_w - ctx.pt(14) - stamp_w
    p.drawText(QPointF(stamp_x, y + fm.ascent()), text.stamp)
    p.drawText(QPointF(c.left(), y + fm.ascent()),
               fm.elidedText(text.source, Qt.TextElideMode.ElideRight,
                             stamp_x - c.left() - ctx.pt(14)))


def paint(writer: QPdfWriter, ctx: st.Ctx, frame: Frame, pages: list[Placed],
          text: RunningText) -> None:
    """Draw every page (the writer's first page is already open)."""
    p = QPainter()
    if not p.begin(writer):
        raise RuntimeError("cannot start painting the PDF")
    try:
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        for n, placed in enumerate(pages, start=1):
            if n > 1:
                writer.newPage()
            c = frame.content
            for block, y in placed:
                block.draw(ctx, p, c.left(), c.top() + y, c.width())
            decorate(ctx, p, frame, text, n, len(pages))
    finally:
        p.end()
