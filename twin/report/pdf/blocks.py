"""Flowing report content: headings, rich paragraphs, tiles, tables, figures, page breaks.

Every block measures itself for a width (``height``), may split at a height (tables split
between rows and repeat their header), and paints itself at a position (``draw``). All
sizes are device units of the ``Ctx``; constants are in points and converted with
``ctx.pt``. The paginator in ``pages`` places blocks; blocks know nothing of pages.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QTextDocument

from twin.report.pdf import style as st

AF = Qt.AlignmentFlag
ALIGN = {"l": AF.AlignLeft, "r": AF.AlignRight, "c": AF.AlignHCenter}


class Block:
    """Base block: unsplittable, no space after, does not stick to the next block."""

    keep_with_next = False
    space_after_pt = 0.0

    def height(self, ctx: st.Ctx, width: float) -> float:
        raise NotImplementedError

    def min_height(self, ctx: st.Ctx, width: float) -> float:
        """The least height that must fit with a preceding keep-with-next block."""
        return self.height(ctx, width)

    def split(self, ctx: st.Ctx, width: float, avail: float) -> tuple["Block | None", "Block"]:
        """(part that fits in ``avail``, rest); (None, self) when nothing fits."""
        return None, self

    def draw(self, ctx: st.Ctx, p: QPainter, x: float, y: float, width: float) -> None:
        raise NotImplementedError


class PageBreak(Block):
    """Start a new page."""

    def height(self, ctx, width) -> float:
        return 0.0

    def draw(self, ctx, p, x, y, width) -> None:
        pass


class Spacer(Block):
    def __init__(self, points: float):
        self.points = points

    def height(self, ctx, width) -> float:
        return ctx.pt(self.points)

    def draw(self, ctx, p, x, y, width) -> None:
        pass


class Heading(Block):
    """A numbered section (level 1: rule below, listed in the contents) or a sub-heading."""

    keep_with_next = True

    def __init__(self, text: str, level: int = 1):
        self.text, self.level = text, level
        self.space_after_pt = 6.0 if level == 1 else 3.0

    def _size(self) -> float:
        return st.H1_PT if self.level == 1 else st.H2_PT

    def height(self, ctx, width) -> float:
        fm = ctx.metrics(self._size(), bold=True)
        extra = ctx.pt(5) if self.level == 1 else ctx.pt(2)
        return ctx.pt(4) + fm.height() + extra

    def draw(self, ctx, p, x, y, width) -> None:
        fm = ctx.metrics(self._size(), bold=True)
        p.setFont(ctx.font(self._size(), bold=True))
        p.setPen(st.INK if self.level == 1 else st.ACCENT)
        base = y + ctx.pt(4) + fm.ascent()
        p.drawText(QPointF(x, base), self.text)
        if self.level == 1:
            rule_y = base + fm.descent() + ctx.pt(3)
            p.fillRect(QRectF(x, rule_y, width, ctx.pt(1.2)), st.ACCENT)


def plain_html(text: str) -> str:
    """Plain text (layout names, descriptions) as HTML that shows it literally: escaped,
    line breaks kept, control characters dropped. Never pass layout text to ``RichText``
    unescaped: Qt's HTML would load ``<img src="/local/file">`` into the report."""
    text = "".join(c for c in text if c in "\n\t" or (ord(c) >= 32 and not 127 <= ord(c) < 160))
    return html.escape(text, quote=False).replace("\n", "<br>")


class RichText(Block):
    """A paragraph of simple HTML (b, i, sub, sup), optionally as a bullet point."""

    def __init__(self, html: str, size_pt: float = st.BODY_PT, colour: QColor = st.INK,
                 bullet: bool = False, space_after_pt: float = 4.0):
        self.html, self.size_pt, self.colour, self.bullet = html, size_pt, colour, bullet
        self.space_after_pt = space_after_pt
        self._doc: tuple[float, QTextDocument] | None = None

    def _indent(self, ctx) -> float:
        return ctx.pt(11) if self.bullet else 0.0

    def _document(self, ctx, width: float) -> QTextDocument:
        if self._doc is None or self._doc[0] != width:
            doc = QTextDocument()
            doc.documentLayout().setPaintDevice(ctx.device)
            doc.setDefaultFont(ctx.font(self.size_pt))
            doc.setDocumentMargin(0)
            doc.setDefaultStyleSheet(f"body {{ color: {self.colour.name()}; }}")
            doc.setHtml(f"<body>{self.html}</body>")
            doc.setTextWidth(width - self._indent(ctx))
            self._doc = (width, doc)
        return self._doc[1]

    def height(self, ctx, width) -> float:
        return self._document(ctx, width).size().height()

    def draw(self, ctx, p, x, y, width) -> None:
        doc = self._document(ctx, width)
        if self.bullet:
            p.setFont(ctx.font(self.size_pt))
            p.setPen(st.ACCENT)
            p.drawText(QPointF(x + ctx.pt(2), y + ctx.metrics(self.size_pt).ascent()), "\u2022")
        p.save()
        p.translate(x + self._indent(ctx), y)
        doc.drawContents(p)
        p.restore()


@dataclass
class Tile:
    """One headline figure: label, value and unit, a note, an accent colour."""

    label: str
    value: str
    unit: str = ""
    note: str = ""
    colour: QColor = field(default_factory=lambda: QColor(st.ACCENT))


class Tiles(Block):
    """A row of headline figures."""

    space_after_pt = 10.0

    def __init__(self, tiles: list[Tile]):
        self.tiles = tiles

    def height(self, ctx, width) -> float:
        return ctx.pt(54)

    def draw(self, ctx, p, x, y, width) -> None:
        n = max(len(self.tiles), 1)
        gap = ctx.pt(6)
        w = (width - gap * (n - 1)) / n
        h = self.height(ctx, width)
        for k, t in enumerate(self.tiles):
            tx = x + k * (w + gap)
            p.fillRect(QRectF(tx, y, w, h), st.TILE_FILL)
            p.fillRect(QRectF(tx, y, ctx.pt(2.5), h), t.colour)
            pad = ctx.pt(8)
            p.setPen(st.DIM)
            p.setFont(ctx.font(st.SMALL_PT, bold=True))
            fm = ctx.metrics(st.SMALL_PT, bold=True)
            p.drawText(QPointF(tx + pad, y + ctx.pt(6) + fm.ascent()), t.label.upper())
            unit_w = ctx.metrics(st.BODY_PT).horizontalAdvance(t.unit) + ctx.pt(3) if t.unit else 0
            size = 16.0     # shrink long values until value and unit fit the tile
            while size > 9 and (ctx.metrics(size, bold=True).horizontalAdvance(t.value)
                                > w - 2 * pad - unit_w):
                size -= 0.5
            big = ctx.metrics(size, bold=True)
            p.setFont(ctx.font(size, bold=True))
            p.setPen(st.INK)
            base = y + ctx.pt(18) + ctx.metrics(16, bold=True).ascent()
            value = big.elidedText(t.value, Qt.TextElideMode.ElideRight, w - 2 * pad - unit_w)
            p.drawText(QPointF(tx + pad, base), value)
            if t.unit:
                p.setFont(ctx.font(st.BODY_PT))
                p.setPen(st.DIM)
                p.drawText(QPointF(tx + pad + big.horizontalAdvance(value) + ctx.pt(3), base),
                           t.unit)
            if t.note:
                sm = ctx.metrics(st.SMALL_PT)
                p.setFont(ctx.font(st.SMALL_PT))
                p.setPen(st.DIM)
                p.drawText(QPointF(tx + pad, y + h - ctx.pt(6)),
                           sm.elidedText(t.note, Qt.TextElideMode.ElideRight, w - 2 * pad))


@dataclass
class Cell:
    """A table cell: text, optional text colour, optional badge fill, bold."""

    text: str
    colour: QColor | None = None
    badge: QColor | None = None
    bold: bool = False


@dataclass
class Column:
    """A table column: title, unit (second header line), relative width, alignment
    ('l', 'r' for numbers, 'c'), and whether long text wraps (else it is elided)."""

    title: str
    unit: str = ""
    weight: float = 1.0
    align: str = "r"
    wrap: bool = False


class Table(Block):
    """A table with a dark header (title and unit lines), zebra rows and right-aligned
    numbers. Column widths follow the content: every column gets what its widest cell
    and the longest word of its title need, wrapping columns share the rest by weight.
    Splits between rows; every part keeps the widths, repeats the title (marked
    "continued") and the header."""

    space_after_pt = 9.0

    def __init__(self, columns: list[Column], rows: list[list[Cell | str]], title: str = "",
                 size_pt: float = st.TABLE_PT, header: bool = True, continued: bool = False,
                 note: str = "", widths: tuple[float, list[float]] | None = None,
                 numbered: bool = True):
        self.columns, self.title, self.size_pt = columns, title, size_pt
        self.numbered = numbered
        self.rows = [[c if isinstance(c, Cell) else Cell(str(c)) for c in r] for r in rows]
        self.header, self.continued, self.note = header, continued, note
        self._col_widths = widths
        self._heights: tuple[float, list[float]] | None = None

    # ----- geometry ------------------------------------------------------------------
    def _pad(self, ctx) -> tuple[float, float]:
        return ctx.pt(3.5), ctx.pt(2.1)

    def _widths(self, ctx, width: float) -> list[float]:
        if self._col_widths is not None and self._col_widths[0] == width:
            return self._col_widths[1]
        padx = self._pad(ctx)[0]
        fm, bold = ctx.metrics(self.size_pt), ctx.metrics(self.size_pt, bold=True)
        badge = ctx.metrics(self.size_pt - 0.6, bold=True)
        need = []
        for k, col in enumerate(self.columns):
            words = col.title.split() or [""]
            w = max([bold.horizontalAdvance(x) for x in words] + [fm.horizontalAdvance(col.unit)])
            if not col.wrap:
                for row in self.rows:
                    c = row[k]
                    m = badge if c.badge is not None else bold if c.bold else fm
                    w = max(w, m.horizontalAdvance(c.text) + (ctx.pt(6) if c.badge else 0))
            need.append(w + 2 * padx + ctx.pt(1))
        wrap = [k for k, c in enumerate(self.columns) if c.wrap]
        fixed = sum(need[k] for k in range(len(need)) if k not in wrap)
        spare = width - fixed
        out = list(need)
        if wrap and spare > 0:
            total = sum(self.columns[k].weight for k in wrap)
            for k in wrap:
                out[k] = spare * self.columns[k].weight / total
        elif spare > 0:     # no wrapping column: widen all in proportion to their weight
            total = sum(c.weight for c in self.columns)
            out = [n + spare * c.weight / total for n, c in zip(need, self.columns)]
        else:               # too wide: shrink in proportion (cells get elided)
            total = sum(need)
            out = [width * n / total for n in need]
        self._col_widths = (width, out)
        return out

    def _title_h(self, ctx) -> float:
        if not self.title:
            return 0.0
        return ctx.metrics(st.CAPTION_PT, bold=True).height() + ctx.pt(3)

    def _header_lines(self, ctx, widths: list[float]) -> int:
        bold = ctx.metrics(self.size_pt, bold=True)
        padx = self._pad(ctx)[0]
        lines = 1
        for col, w in zip(self.columns, widths):
            r = bold.boundingRect(QRectF(0, 0, w - 2 * padx, 1e9),
                                  int(AF.AlignLeft | Qt.TextFlag.TextWordWrap), col.title)
            lines = max(lines, round(r.height() / bold.height()))
        return lines

    def _header_h(self, ctx, width: float) -> float:
        if not self.header:
            return 0.0
        fm = ctx.metrics(self.size_pt, bold=True)
        lines = self._header_lines(ctx, self._widths(ctx, width))
        lines += 1 if any(c.unit for c in self.columns) else 0
        return fm.height() * lines + 2 * self._pad(ctx)[1] + ctx.pt(0.5)

    def _note_rect(self, ctx, width: float) -> QRectF:
        fm = ctx.metrics(st.SMALL_PT, italic=True)
        return fm.boundingRect(QRectF(0, 0, width, 1e9),
                               int(AF.AlignLeft | Qt.TextFlag.TextWordWrap), self.note)

    def _note_h(self, ctx, width: float) -> float:
        return self._note_rect(ctx, width).height() + ctx.pt(3) if self.note else 0.0

    def _row_heights(self, ctx, width: float) -> list[float]:
        if self._heights is not None and self._heights[0] == width:
            return self._heights[1]
        fm = ctx.metrics(self.size_pt)
        padx, pady = self._pad(ctx)
        base = fm.height() + 2 * pady
        wrap = [(k, w) for k, (c, w) in enumerate(zip(self.columns, self._widths(ctx, width)))
                if c.wrap]
        heights = []
        for row in self.rows:
            h = base
            for k, w in wrap:
                text = row[k].text
                if fm.horizontalAdvance(text) > w - 2 * padx:
                    r = fm.boundingRect(QRectF(0, 0, w - 2 * padx, 1e9),
                                        int(AF.AlignLeft | Qt.TextFlag.TextWordWrap), text)
                    h = max(h, r.height() + 2 * pady)
            heights.append(h)
        self._heights = (width, heights)
        return heights

    def height(self, ctx, width) -> float:
        return (self._title_h(ctx) + self._header_h(ctx, width)
                + sum(self._row_heights(ctx, width)) + self._note_h(ctx, width))

    def min_height(self, ctx, width) -> float:
        rows = self._row_heights(ctx, width)[:3]
        return self._title_h(ctx) + self._header_h(ctx, width) + sum(rows)

    def split(self, ctx, width, avail):
        used = self._title_h(ctx) + self._header_h(ctx, width)
        k = 0
        for h in self._row_heights(ctx, width):
            if used + h > avail:
                break
            used += h
            k += 1
        if k == 0:
            return None, self
        widths = (width, self._widths(ctx, width))
        head = Table(self.columns, self.rows[:k], self.title, self.size_pt, self.header,
                     self.continued, widths=widths, numbered=self.numbered)
        tail = Table(self.columns, self.rows[k:], self.title, self.size_pt, self.header, True,
                     self.note, widths=widths, numbered=self.numbered)
        return head, tail

    # ----- painting ------------------------------------------------------------------
    def draw(self, ctx, p, x, y, width) -> None:
        widths = self._widths(ctx, width)
        padx, pady = self._pad(ctx)
        if self.title:
            fm = ctx.metrics(st.CAPTION_PT, bold=True)
            p.setFont(ctx.font(st.CAPTION_PT, bold=True))
            p.setPen(st.INK)
            text = self.title + (" (continued)" if self.continued else "")
            p.drawText(QPointF(x, y + fm.ascent()), text)
            y += self._title_h(ctx)
        if self.header:
            y = self._draw_header(ctx, p, x, y, width, widths)
        fm = ctx.metrics(self.size_pt)
        heights = self._row_heights(ctx, width)
        for i, (row, h) in enumerate(zip(self.rows, heights)):
            if i % 2 == 1:
                p.fillRect(QRectF(x, y, width, h), st.ZEBRA)
            cx = x
            for cell, col, w in zip(row, self.columns, widths):
                self._draw_cell(ctx, p, cell, col, QRectF(cx + padx, y + pady, w - 2 * padx,
                                                          h - 2 * pady), fm)
                cx += w
            y += h
        p.setPen(QPen(st.RULE, ctx.pt(0.6)))
        p.drawLine(QPointF(x, y), QPointF(x + width, y))
        if self.note:
            p.setFont(ctx.font(st.SMALL_PT, italic=True))
            p.setPen(st.DIM)
            r = self._note_rect(ctx, width)
            p.drawText(QRectF(x, y + ctx.pt(2), width, r.height()),
                       int(AF.AlignLeft | Qt.TextFlag.TextWordWrap), self.note)

    def _draw_header(self, ctx, p, x, y, width, widths) -> float:
        h = self._header_h(ctx, width)
        padx, pady = self._pad(ctx)
        p.fillRect(QRectF(x, y, width, h), st.HEAD_FILL)
        bold = ctx.metrics(self.size_pt, bold=True)
        lines = self._header_lines(ctx, widths)
        cx = x
        for col, w in zip(self.columns, widths):
            r = QRectF(cx + padx, y + pady, w - 2 * padx, bold.height() * lines)
            p.setFont(ctx.font(self.size_pt, bold=True))
            p.setPen(st.HEAD_TEXT)
            p.drawText(r, int(ALIGN[col.align] | AF.AlignBottom | Qt.TextFlag.TextWordWrap),
                       col.title)
            if col.unit:
                p.setFont(ctx.font(self.size_pt))
                p.setPen(st.HEAD_UNIT)
                p.drawText(QRectF(r.left(), r.bottom(), r.width(), bold.height()),
                           int(ALIGN[col.align] | AF.AlignVCenter), col.unit)
            cx += w
        return y + h

    def _draw_cell(self, ctx, p, cell: Cell, col: Column, r: QRectF, fm) -> None:
        if not cell.text:
            return
        if cell.badge is not None:
            bfm = ctx.metrics(self.size_pt - 0.6, bold=True)
            bw = min(bfm.horizontalAdvance(cell.text) + ctx.pt(6), r.width())
            bh = bfm.height() + ctx.pt(0.8)
            bx = {"l": r.left(), "r": r.right() - bw, "c": r.center().x() - bw / 2}[col.align]
            box = QRectF(bx, r.top() + (fm.height() - bh) / 2, bw, bh)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(cell.badge)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.drawRoundedRect(box, bh / 2.5, bh / 2.5)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setFont(ctx.font(self.size_pt - 0.6, bold=True))
            p.setPen(QColor("white"))
            p.drawText(box, int(AF.AlignCenter), cell.text)
            return
        p.setFont(ctx.font(self.size_pt, bold=cell.bold))
        p.setPen(cell.colour if cell.colour is not None else st.INK)
        if col.wrap:
            p.drawText(r, int(ALIGN[col.align] | AF.AlignTop | Qt.TextFlag.TextWordWrap),
                       cell.text)
            return
        text = cell.text
        metrics = ctx.metrics(self.size_pt, bold=cell.bold)
        if metrics.horizontalAdvance(text) > r.width():
            text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, r.width())
        p.drawText(r, int(ALIGN[col.align] | AF.AlignTop), text)


class Figure(Block):
    """An image at a share of the text width with a caption below; without an image, a
    framed note says why (e.g. no OpenGL for the 3-D view)."""

    space_after_pt = 12.0

    def __init__(self, image: QImage | None, caption: str, width_share: float = 1.0,
                 max_height_pt: float = 1e9, missing: str = "", aspect: float = 0.6):
        self.image, self.caption, self.missing = image, caption, missing
        self.width_share, self.max_height_pt = width_share, max_height_pt
        self.aspect = image.height() / image.width() if image is not None else aspect
        self._caption = RichText(caption, st.CAPTION_PT, st.DIM, space_after_pt=0)

    def _image_size(self, ctx, width) -> tuple[float, float]:
        w = width * self.width_share
        h = w * self.aspect
        cap = ctx.pt(self.max_height_pt)
        if h > cap:
            h, w = cap, cap / self.aspect
        return w, h

    def height(self, ctx, width) -> float:
        return self._image_size(ctx, width)[1] + ctx.pt(5) + self._caption.height(ctx, width)

    def draw(self, ctx, p, x, y, width) -> None:
        w, h = self._image_size(ctx, width)
        ix = x + (width - w) / 2
        target = QRectF(ix, y, w, h)
        if self.image is not None:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            p.drawImage(target, self.image)
            p.setPen(QPen(st.RULE, ctx.pt(0.5)))
            p.drawRect(target)
        else:
            p.fillRect(target, st.ZEBRA)
            p.setPen(QPen(st.RULE, ctx.pt(0.8), Qt.PenStyle.DashLine))
            p.drawRect(target)
            p.setFont(ctx.font(st.BODY_PT))
            p.setPen(st.DIM)
            p.drawText(target.adjusted(ctx.pt(24), 0, -ctx.pt(24), 0),
                       int(AF.AlignCenter | Qt.TextFlag.TextWordWrap), self.missing)
        self._caption.draw(ctx, p, x, y + h + ctx.pt(5), width)
