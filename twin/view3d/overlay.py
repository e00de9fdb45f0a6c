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

from twin.model.viewstate import Colouring, colormap_lut
from twin.view3d import palette
from twin.view3d.visuals import keep_colour_shader, stable_mesh

PAD = 12
BAR_W, BAR_H = 220, 14
ROW_H = 19
SWATCH = 12
MAX_CATEGORIES = 14


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
    return f"{c.label} [{c.unit}]" if c.unit else c.label


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
        self.title = scene.visuals.Text("", parent=self.root, color=palette.OVERLAY_TEXT,
                                        font_size=font_size + 1, bold=True,
                                        anchor_x="left", anchor_y="bottom")
        self.labels = scene.visuals.Text(["."], pos=[[0, 0]], parent=self.root,
                                         color=palette.OVERLAY_TEXT, font_size=font_size,
                                         anchor_x="left", anchor_y="center")
        self.ticks = scene.visuals.Text(["."], pos=[[0, 0]], parent=self.root,
                                        color=palette.OVERLAY_TEXT_DIM, font_size=font_size,
                                        anchor_x="center", anchor_y="bottom")
        for t in (self.title, self.labels, self.ticks):
            _overlay_state(t, 3)
        self.size = (0, 0)
        self._shown_key: tuple | None = None

    # Canvas pixel coordinates grow downwards, which flips vispy's text anchors:
    # anchor_y="bottom" hangs the text below its position.

    # ----- content -----------------------------------------------------------------
    def _px(self, pt: float) -> float:
        return pt / 72.0 * float(getattr(self.canvas, "dpi", 96) or 96)

    def _text_w(self, s: str, pt: float, bold: bool = False) -> float:
        return len(s) * self._px(pt) * (0.60 if bold else 0.55)

    def update(self, colouring: Colouring, n_racks: int,
               item_keys: list[tuple[str, tuple]]) -> None:
        """Rebuild the panel for a colouring and a list of (label, colour) item keys
        (nothing to do when what it shows is unchanged: a live result with new values in
        the same range keeps its legend)."""
        key = (self.font_size, self._px(1.0),
               *self._content_key(colouring, n_racks, item_keys))
        if key == self._shown_key:
            return
        self._shown_key = key
        fs = self.font_size
        line_px = self._px(fs)
        row_h = max(ROW_H, line_px * 1.55)
        title = colour_title(colouring)
        y = PAD
        widths = [self._text_w(title, fs + 1, True)]
        self.title.text = title
        self.title.pos = (PAD, y)
        y += self._px(fs + 1) * 1.5 + 4
        sw_v, sw_c, labels, label_pos, segs = [], [], [], [], []
        tick_text, tick_pos = [], []
        stale = len(colouring.values) != n_racks and n_racks > 0
        if colouring.categories and not stale:
            cats = list(colouring.categories)[:MAX_CATEGORIES]
            cols = colouring.rgba_of(np.arange(len(cats), dtype=float))
            for k, name in enumerate(cats):
                self._swatch(sw_v, sw_c, PAD, y + row_h / 2, cols[k])
                labels.append(name)
                label_pos.append((PAD + SWATCH + 8, y + row_h / 2))
                widths.append(SWATCH + 8 + self._text_w(name, fs))
                y += row_h
            if len(colouring.categories) > MAX_CATEGORIES:
                labels.append(f"+{len(colouring.categories) - MAX_CATEGORIES} more")
                label_pos.append((PAD + SWATCH + 8, y + row_h / 2))
                y += row_h
            self.bar.visible = False
        elif stale:
            labels.append("(waiting for values)")
            label_pos.append((PAD, y + row_h / 2))
            y += row_h
            self.bar.visible = False
        else:
            lut = colormap_lut(colouring.colormap, 256)
            self.bar.set_data(lut[None, :, :])
            self.bar.transform.translate = (PAD, y, 0)
            self.bar.transform.scale = (BAR_W / 256.0, BAR_H, 1)
            self.bar.visible = True
            segs += [(PAD, y), (PAD + BAR_W, y), (PAD + BAR_W, y), (PAD + BAR_W, y + BAR_H),
                     (PAD + BAR_W, y + BAR_H), (PAD, y + BAR_H), (PAD, y + BAR_H), (PAD, y)]
            for k in range(5):
                f = k / 4
                x = PAD + f * BAR_W
                segs += [(x, y + BAR_H), (x, y + BAR_H + 4)]
                tick_text.append(format_tick(colouring.vmin + f * (colouring.vmax - colouring.vmin)))
                tick_pos.append((x, y + BAR_H + 6))
            widths.append(BAR_W + 2 * 8)
            y += BAR_H + 6 + line_px * 1.6
            nan = np.isnan(np.asarray(colouring.values, float)).sum() if n_racks else 0
            if nan:
                self._swatch(sw_v, sw_c, PAD, y + row_h / 2, palette.RACK_NEUTRAL)
                labels.append("no value")
                label_pos.append((PAD + SWATCH + 8, y + row_h / 2))
                y += row_h
        if item_keys:
            y += 4
            segs += [(PAD, y), (PAD + 10, y)]  # replaced below by full-width separator
            sep_y = y
            y += 8
            for name, col in item_keys:
                self._swatch(sw_v, sw_c, PAD, y + row_h / 2, col)
                labels.append(name)
                label_pos.append((PAD + SWATCH + 8, y + row_h / 2))
                widths.append(SWATCH + 8 + self._text_w(name, fs))
                y += row_h
        w = int(max(widths) + 2 * PAD)
        h = int(y + PAD - 4)
        if item_keys:
            segs[-2:] = [(PAD, sep_y), (w - PAD, sep_y)]
        self.size = (w, h)
        self.panel.center = (w / 2, h / 2)
        self.panel.width, self.panel.height = w, h
        if sw_v:
            v = np.array(sw_v, np.float32)
            f = (np.arange(len(v) // 4, dtype=np.uint32)[:, None] * 4
                 + np.array([[0, 1, 2, 0, 2, 3]], np.uint32)).reshape(-1, 3)
            self.swatches.set_data(vertices=v, faces=f, vertex_colors=np.array(sw_c, np.float32))
            self.swatches.visible = True
        else:
            self.swatches.visible = False
        self._set_text(self.labels, labels, label_pos)
        self._set_text(self.ticks, tick_text, tick_pos)
        if segs:
            self.lines.set_data(pos=np.array(segs, np.float32))
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
        """Put the panel in the top-right corner of a canvas of ``canvas_size``."""
        x = max(margin, canvas_size[0] - self.size[0] - margin)
        self.root.transform.translate = (x, margin, 0)
