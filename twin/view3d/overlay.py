"""Screen-space overlays drawn over the 3-D scene: background gradient and the legend.

The legend panel sits in the top-right corner of the canvas and holds the colour bar of
the current rack colouring (title with unit, gradient, tick labels) or, for a categorical
colouring, one swatch per category; below it a key of the floor-item colours. All parts
are a handful of visuals (one text visual per role, one mesh for all swatches) under one
node whose transform places the panel, so a resize only moves that node.
"""

from __future__ import annotations

import math

import numpy as np
from vispy import scene
from vispy.visuals.transforms import STTransform

from twin.model import units
from twin.model.viewstate import Colouring, colormap_lut
from twin.view3d.fonts import font_manager
from twin.view3d import palette
from twin.view3d.visuals import keep_colour_shader, stable_mesh

PAD = 12
BAR_W, BAR_H = 220, 14
ROW_H = 19
SWATCH = 12
MIN_BAR_W = 110
MAX_CATEGORIES = 14
#: the legend covers at most this share of the canvas's area; cut names are at most
#: ``MAX_WIDTH_SHARE`` of its width
MAX_AREA_SHARE = 0.2
MAX_WIDTH_SHARE = 0.4


def format_tick(v: float) -> str:
    if not math.isfinite(v):
        return ""
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100 or v == round(v):
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}".rstrip("0").rstrip(".")


def colour_title(c: Colouring) -> str:
    """The legend's title in the current unit system."""
    return units.heading(c.label, c.unit)


def _overlay_state(v, order: int) -> None:
    # depth_mask=True: overlays are drawn last, and the next frame's depth clear only
    # works when the depth mask is on (translucent scene visuals switch it off).
    v.set_gl_state("translucent", depth_test=False, depth_mask=True)
    v.order = order


class Background:
    """A vertical gradient behind everything: one quad with vertex colours (a textured
    image costs a full-screen texture filter per frame on software GL)."""

    def __init__(self, canvas: scene.SceneCanvas):
        top, bot = palette.BACKGROUND_TOP, palette.BACKGROUND_BOTTOM
        self._colours = np.array([top, top, bot, bot], np.float32)
        self._faces = np.array([[0, 1, 2], [0, 2, 3]], np.uint32)
        self.image = stable_mesh(parent=canvas.scene)
        _overlay_state(self.image, -100)
        self.image.set_gl_state("opaque", depth_test=False, depth_mask=True)   # no blending
        self.resize(canvas.size)

    def resize(self, size) -> None:
        w, h = float(size[0]), float(size[1])
        v = np.array([[0, 0, 0], [w, 0, 0], [w, h, 0], [0, h, 0]], np.float32)
        self.image.set_data(vertices=v, faces=self._faces, vertex_colors=self._colours)


class Legend:
    """Colour bar or category key for racks, plus a key of item kinds."""

    def __init__(self, canvas: scene.SceneCanvas, font_size: float = 9.0):
        self.canvas = canvas
        self.font_size = font_size
        self.root = scene.Node(parent=canvas.scene)
        self.root.order = 100
        self.root.transform = STTransform()
        self.panel = scene.visuals.Rectangle(center=(100, 100), width=200, height=100,
                                             color=palette.OVERLAY_PANEL,
                                             border_color=palette.OVERLAY_BORDER,
                                             radius=6, parent=self.root)
        keep_colour_shader(self.panel._mesh)      # its fill: a new size keeps the shader
        _overlay_state(self.panel, 0)
        self.bar = scene.visuals.Image(np.zeros((1, 256, 4), np.uint8), parent=self.root,
                                       interpolation="linear")
        self.bar.transform = STTransform()
        _overlay_state(self.bar, 1)
        self.swatches = stable_mesh(parent=self.root)
        _overlay_state(self.swatches, 1)
        self.lines = scene.visuals.Line(parent=self.root, connect="segments", width=1,
                                        color=palette.OVERLAY_TEXT_DIM)
        _overlay_state(self.lines, 2)
        fonts = font_manager(canvas)
        self.title = scene.visuals.Text("", parent=self.root, color=palette.OVERLAY_TEXT,
                                        font_manager=fonts,
                                        font_size=font_size + 1, bold=True,
                                        anchor_x="left", anchor_y="bottom")
        self.labels = scene.visuals.Text(["."], pos=[[0, 0]], parent=self.root,
                                         font_manager=fonts,
                                         color=palette.OVERLAY_TEXT, font_size=font_size,
                                         anchor_x="left", anchor_y="center")
        self.ticks = scene.visuals.Text(["."], pos=[[0, 0]], parent=self.root,
                                        font_manager=fonts,
                                        color=palette.OVERLAY_TEXT_DIM, font_size=font_size,
                                        anchor_x="center", anchor_y="bottom")
        for t in (self.title, self.labels, self.ticks):
            _overlay_state(t, 3)
        self.size = (0, 0)
        self._shown_key: tuple | None = None
        self._content: tuple[Colouring, int, list] | None = None
        self._canvas_size: tuple[int, int] = (0, 0)

    # Canvas pixel coordinates grow downwards, which flips vispy's text anchors:
    # anchor_y="bottom" hangs the text below its position.

    # ----- content -----------------------------------------------------------------
    def _px(self, pt: float) -> float:
        return pt / 72.0 * float(getattr(self.canvas, "dpi", 96) or 96)

    def _text_w(self, s: str, pt: float, bold: bool = False) -> float:
        return len(s) * self._px(pt) * (0.60 if bold else 0.55)

    def _elide(self, s: str, max_px: float, pt: float, bold: bool = False) -> str:
        """``s`` cut with an ellipsis to at most ``max_px`` wide."""
        if self._text_w(s, pt, bold) <= max_px:
            return s
        n = max(int(max_px / self._text_w("x", pt, bold)) - 1, 3)
        return s[:n].rstrip() + "\u2026"

    def update(self, colouring: Colouring, n_racks: int,
               item_keys: list[tuple[str, tuple]]) -> None:
        """Rebuild the panel for a colouring and a list of (label, colour) item keys
        (nothing to do when what it shows is unchanged: a live result with new values in
        the same range keeps its legend)."""
        self._content = (colouring, n_racks, item_keys)
        self._refit()

    def _refit(self) -> None:
        """Lay the panel out as fully as the canvas allows, covering at most
        ``MAX_AREA_SHARE`` of its area (see ``_fits`` for what a small canvas loses)."""
        if self._content is None:
            return
        colouring, n_racks, item_keys = self._content
        cw, ch = (float(v) for v in self._canvas_size)
        fitted = None
        for items, rows, bar_w, text_w in self._fits(len(colouring.categories or ()), cw):
            panel = _PanelLayout(self, colouring, n_racks, item_keys if items else [],
                                 rows, bar_w, text_w)
            fitted = panel
            w, h = panel.size
            if cw <= 0 or w * h <= MAX_AREA_SHARE * cw * ch:
                break
        assert fitted is not None
        key = (self.font_size, self._px(1.0), fitted.rows, fitted.bar_w, bool(fitted.items),
               fitted.text_w,
               *self._content_key(colouring, n_racks, item_keys))
        if key == self._shown_key:
            return
        self._shown_key = key
        self._apply(fitted)

    @staticmethod
    def _fits(n_categories: int, canvas_w: float):
        """(item key shown, category rows, bar length px, longest text px) from fullest
        to most compact: the item key goes first, then category rows (counted in a
        "+N more" row), then long names are cut, then the bar shortens."""
        bar_w = float(min(BAR_W, max(MIN_BAR_W, MAX_WIDTH_SHARE * canvas_w - 2 * PAD - 16)))
        rows = min(n_categories, MAX_CATEGORIES)
        yield True, rows, bar_w, math.inf
        yield False, rows, bar_w, math.inf
        for r in range(rows - 1, 1, -1):
            yield False, r, bar_w, math.inf
        rows = min(rows, 2)
        for share in (0.5, MAX_WIDTH_SHARE):
            yield False, rows, bar_w, max(MIN_BAR_W, share * canvas_w - 2 * PAD)
        yield False, rows, MIN_BAR_W, MIN_BAR_W

    def _apply(self, panel: "_PanelLayout") -> None:
        w, h = panel.size
        self.size = (w, h)
        self.title.text = panel.title
        self.title.pos = (PAD, PAD)
        self.panel.center = (w / 2, h / 2)
        self.panel.width, self.panel.height = w, h
        if panel.bar_y is not None:
            self.bar.set_data(colormap_lut(panel.colormap, 256)[None, :, :])
            self.bar.transform.translate = (PAD, panel.bar_y, 0)
            self.bar.transform.scale = (panel.bar_w / 256.0, BAR_H, 1)
        self.bar.visible = panel.bar_y is not None
        if panel.sw_v:
            v = np.array(panel.sw_v, np.float32)
            f = (np.arange(len(v) // 4, dtype=np.uint32)[:, None] * 4
                 + np.array([[0, 1, 2, 0, 2, 3]], np.uint32)).reshape(-1, 3)
            self.swatches.set_data(vertices=v, faces=f,
                                   vertex_colors=np.array(panel.sw_c, np.float32))
            self.swatches.visible = True
        else:
            self.swatches.visible = False
        self._set_text(self.labels, panel.labels, panel.label_pos)
        self._set_text(self.ticks, panel.tick_text, panel.tick_pos)
        if panel.segs:
            self.lines.set_data(pos=np.array(panel.segs, np.float32))
            self.lines.visible = True
        else:
            self.lines.visible = False

    @staticmethod
    def _content_key(colouring: Colouring, n_racks: int, item_keys) -> tuple:
        """Everything ``update`` draws from: title, colours, range, the 'no value' and
        'waiting' rows, and the item keys."""
        values = np.asarray(colouring.values, float)
        stale = len(values) != n_racks and n_racks > 0
        no_value = bool(n_racks and not stale and np.isnan(values).any())
        return (colour_title(colouring), colouring.colormap, colouring.vmin, colouring.vmax,
                tuple(colouring.categories or ()), colouring.colours, stale, no_value,
                tuple((name, tuple(col)) for name, col in item_keys))

    @staticmethod
    def _set_text(visual, text, pos) -> None:
        if text:
            visual.text = text
            visual.pos = np.array(pos, np.float32)
            visual.visible = True
        else:
            visual.visible = False

    @staticmethod
    def _swatch(verts, cols, x, yc, colour) -> None:
        y0, y1 = yc - SWATCH / 2, yc + SWATCH / 2
        verts += [(x, y0, 0), (x + SWATCH, y0, 0), (x + SWATCH, y1, 0), (x, y1, 0)]
        c = tuple(colour[:3]) + (1.0,)
        cols += [c] * 4

    def place(self, canvas_size, margin: int = 12) -> None:
        """Fit the panel to a canvas of ``canvas_size`` and put it in the top-right
        corner."""
        size = (int(canvas_size[0]), int(canvas_size[1]))
        if size != self._canvas_size:
            self._canvas_size = size
            self._refit()
        x = max(margin, canvas_size[0] - self.size[0] - margin)
        self.root.transform.translate = (x, margin, 0)


class _PanelLayout:
    """Where everything of one legend panel goes (pixels from its top-left corner): the
    title, the bar or up to ``rows`` category swatches, the 'no value' row and the item
    key; ``size`` is the panel's (w, h)."""

    def __init__(self, legend: Legend, colouring: Colouring, n_racks: int,
                 items: list[tuple[str, tuple]], rows: int, bar_w: float, text_w: float):
        self.items, self.rows, self.bar_w, self.text_w = items, rows, bar_w, text_w
        self.colormap = colouring.colormap
        fs = legend.font_size
        line_px = legend._px(fs)
        row_h = max(ROW_H, line_px * 1.55)
        self.title = legend._elide(colour_title(colouring), text_w, fs + 1, True)
        self.sw_v: list = []
        self.sw_c: list = []
        self.labels: list[str] = []
        self.label_pos: list = []
        self.segs: list = []
        self.tick_text: list[str] = []
        self.tick_pos: list = []
        self.bar_y: float | None = None
        widths = [legend._text_w(self.title, fs + 1, True)]
        y = PAD + legend._px(fs + 1) * 1.5 + 4

        def row(label: str, colour=None) -> None:
            nonlocal y
            x = PAD
            if colour is not None:
                Legend._swatch(self.sw_v, self.sw_c, PAD, y + row_h / 2, colour)
                x += SWATCH + 8
            label = legend._elide(label, text_w - (x - PAD), fs)
            self.labels.append(label)
            self.label_pos.append((x, y + row_h / 2))
            widths.append(x - PAD + legend._text_w(label, fs))
            y += row_h

        stale = len(colouring.values) != n_racks and n_racks > 0
        if colouring.categories and not stale:
            cats = list(colouring.categories)
            cols = colouring.rgba_of(np.arange(min(rows, len(cats)), dtype=float))
            for k, name in enumerate(cats[:rows]):
                row(name, cols[k])
            if len(cats) > rows:
                row(f"+{len(cats) - rows} more")
        elif stale:
            row("(waiting for values)")
        else:
            self.bar_y = y
            x0, x1, y1 = PAD, PAD + bar_w, y + BAR_H
            self.segs += [(x0, y), (x1, y), (x1, y), (x1, y1), (x1, y1), (x0, y1), (x0, y1),
                          (x0, y)]
            for k in range(5):
                f = k / 4
                x = PAD + f * bar_w
                self.segs += [(x, y1), (x, y1 + 4)]
                v = colouring.vmin + f * (colouring.vmax - colouring.vmin)
                self.tick_text.append(format_tick(units.scale_value(colouring.unit, v)))
                self.tick_pos.append((x, y1 + 6))
            widths.append(bar_w + 2 * 8)
            y += BAR_H + 6 + line_px * 1.6
            if n_racks and np.isnan(np.asarray(colouring.values, float)).sum():
                row("no value", palette.RACK_NEUTRAL)
        sep_y = None
        if items:
            sep_y = y + 4
            y += 12
            for name, col in items:
                row(name, col)
        w = int(max(widths) + 2 * PAD)
        self.size = (w, int(y + PAD - 4))
        if sep_y is not None:
            self.segs += [(PAD, sep_y), (w - PAD, sep_y)]
