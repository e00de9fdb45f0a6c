"""Rack, row and equipment labels of the 3-D view, with level of detail.

Every label (each rack id, each row name, each floor item id) is laid out once, when the
layout's racks or items change, in two text visuals (racks and items; rows in bold). On a
camera change only their anchor positions, colours and an index buffer of the shown
labels' glyphs are re-sent, so showing or hiding labels never lays out text again (that
costs ~60 ms for a hall's 1,440 ids) and hidden labels cost nothing to draw.

Which labels are shown is decided in screen space (``choose_labels``): a rack shows its
id when its neighbour in the row is far enough away on screen for it; a row of which
most racks on screen are too small for their ids shows its name over its left end
instead (the end nearest the left of the view); items show their id when it fits on
them. Labels are then placed nearest
first and a label that would overlap one already placed (or the legend) is dropped, so
nothing overlaps. The test is a few vectorised projections and one short loop over the
candidates on screen, run at most every ``THROTTLE_S`` while the camera moves.

Labels are drawn with the depth test, so racks in front hide them, but their depth is
taken ``DEPTH_BIAS_M`` nearer the camera than their anchor (a label on a rack's top face
is not cut by the face's nearer half).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np
from vispy.gloo import IndexBuffer
from vispy.scene.visuals import create_visual_node
from vispy.visuals.text.text import _FRAGMENT_SHADER, _VERTEX_SHADER, TextVisual

from twin.interchange.rows import rack_rows
from twin.model.events import Change
from twin.view3d.fonts import font_manager
from twin.view3d.throttle import Throttle

if TYPE_CHECKING:  # pragma: no cover
    from twin.view3d.floor_view import FloorView3D

#: Seconds between two label updates while the camera moves (a trailing update follows).
THROTTLE_S = 0.12
#: Labels are depth-tested this many metres nearer the camera than their anchor.
DEPTH_BIAS_M = 0.8
RACK_PT = 8.0
ROW_PT = 10.0
#: A row shows rack ids when at least this share of its racks on screen fit theirs.
ROW_FIT_SHARE = 0.6
#: Character width and line height of the label font, in multiples of its pixel size.
CHAR_W, LINE_H = 0.62, 1.25
#: Grid cell of the overlap test, in pixels.
CELL_PX = 4
DARK_TEXT = (0.06, 0.08, 0.10, 1.0)
LIGHT_TEXT = (0.97, 0.98, 1.0, 1.0)

_BIASED_VERTEX = _VERTEX_SHADER.replace(
    "uniform float u_npix;",
    "uniform float u_npix;\n    uniform vec3 u_toward_eye;\n    uniform float u_bias_m;",
).replace(
    "gl_Position = vec4(pos.xyz + offset.xyz * pos.w, pos.w);",
    "vec4 nearer = $transform(vec4(a_pos + u_toward_eye * u_bias_m, 1));\n"
    "        float z = nearer.w > 0.0 ? nearer.z / nearer.w * pos.w : pos.z;\n"
    "        gl_Position = vec4(pos.xy + offset.xy * pos.w, z, pos.w);",
)
assert "u_toward_eye * u_bias_m" in _BIASED_VERTEX, "vispy's text shader changed"


class LabelTextVisual(TextVisual):
    """vispy's text visual, depth-tested as if ``u_bias_m`` nearer the camera."""

    _shaders = {"vertex": _BIASED_VERTEX, "fragment": _FRAGMENT_SHADER}

    def __init__(self, *args, **kwargs):
        self._toward_eye = np.array([0.0, 0.0, 1.0], np.float32)
        self._subset: IndexBuffer | None = None
        super().__init__(*args, **kwargs)

    def set_eye_direction(self, toward_eye: np.ndarray) -> None:
        self._toward_eye = np.asarray(toward_eye, np.float32).reshape(3)

    def set_shown(self, shown: np.ndarray) -> None:
        """Draw only the strings ``shown`` (indices into ``text``): the others are not
        even sent through the vertex shader (a hall has thousands of hidden ids)."""
        n = np.array([len(t) for t in self.text], np.int64)
        start = np.concatenate([[0], np.cumsum(n)[:-1]])
        quads = np.concatenate([np.arange(start[i], start[i] + n[i]) for i in shown]) \
            if len(shown) else np.zeros(1, np.int64)
        idx = (np.array([0, 1, 2, 0, 2, 3], np.uint32)[None, :]
               + (4 * quads).astype(np.uint32)[:, None]).ravel()
        if self._subset is None:
            self._subset = IndexBuffer(idx)
        else:
            self._subset.set_data(idx)
        self.update()

    def _prepare_draw(self, view):
        if super()._prepare_draw(view) is False:
            return False
        if self._subset is not None:
            self._index_buffer = self._subset
        self.shared_program["u_toward_eye"] = self._toward_eye
        self.shared_program["u_bias_m"] = DEPTH_BIAS_M
        return None


LabelText = create_visual_node(LabelTextVisual)


@dataclass
class LabelContent:
    """What can be labelled: racks (with their row), rows and items, as arrays."""

    rack_text: list[str] = field(default_factory=list)
    rack_anchor: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    rack_step: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))  # next rack
    rack_row: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    row_text: list[str] = field(default_factory=list)
    row_ends: np.ndarray = field(default_factory=lambda: np.zeros((0, 2, 3)))
    item_text: list[str] = field(default_factory=list)
    item_anchor: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    item_size_m: np.ndarray = field(default_factory=lambda: np.zeros(0))  # shorter side


@dataclass
class Chosen:
    """Indices of the shown rack, row and item labels; row ends used (0 or 1)."""

    racks: np.ndarray
    rows: np.ndarray
    row_end: np.ndarray
    items: np.ndarray


def text_box_px(text: list[str], pt: float, dpi: float) -> np.ndarray:
    """(n, 2) estimated width and height in pixels of one-line labels."""
    px = pt / 72.0 * dpi
    n = np.array([len(t) for t in text], float)
    return np.column_stack([n * CHAR_W * px + 4.0, np.full(len(n), LINE_H * px + 2.0)])


def _free(occ: np.ndarray, x: float, y: float, w: float, h: float) -> tuple | None:
    """Grid cells of a w x h box centred on (x, y) when none is taken, else None."""
    c0, c1 = int((x - w / 2) // CELL_PX), int((x + w / 2) // CELL_PX) + 1
    r0, r1 = int((y - h / 2) // CELL_PX), int((y + h / 2) // CELL_PX) + 1
    if c0 < 0 or r0 < 0 or c1 > occ.shape[1] or r1 > occ.shape[0]:
        return None
    if occ[r0:r1, c0:c1].any():
        return None
    return r0, r1, c0, c1


def choose_labels(content: LabelContent, project: Callable[[np.ndarray], np.ndarray],
                  size: tuple[int, int], dpi: float = 96.0,
                  reserved: tuple[tuple[float, float, float, float], ...] = ()) -> Chosen:
    """Decide which labels to show. ``project`` maps (n, 3) scene points to (n, 3) canvas
    pixels x, y and clip w (w <= 0: behind the camera); ``reserved`` rectangles (x, y, w, h)
    take no label (an overlay)."""
    W, H = int(size[0]), int(size[1])
    occ = np.zeros((H // CELL_PX + 1, W // CELL_PX + 1), bool)
    for x, y, w, h in reserved:
        occ[max(int(y // CELL_PX), 0):int((y + h) // CELL_PX) + 1,
            max(int(x // CELL_PX), 0):int((x + w) // CELL_PX) + 1] = True
    c = content
    n_r, n_rows, n_i = len(c.rack_text), len(c.row_text), len(c.item_text)
    pts = np.concatenate([c.rack_anchor, c.rack_anchor + c.rack_step,
                          c.row_ends.reshape(-1, 3), c.item_anchor,
                          c.item_anchor + np.outer(c.item_size_m, [1.0, 0.0, 0.0])]
                         ).reshape(-1, 3)
    p = project(pts) if len(pts) else np.zeros((0, 3))
    rp, rq = p[:n_r], p[n_r:2 * n_r]
    ends = p[2 * n_r:2 * n_r + 2 * n_rows].reshape(n_rows, 2, 3)
    ip = p[2 * n_r + 2 * n_rows:2 * n_r + 2 * n_rows + n_i]
    iq = p[2 * n_r + 2 * n_rows + n_i:]

    def on_screen(q: np.ndarray) -> np.ndarray:
        return (q[:, 2] > 0) & (q[:, 0] >= 0) & (q[:, 0] < W) & (q[:, 1] >= 0) & (q[:, 1] < H)

    rack_box = text_box_px(c.rack_text, RACK_PT, dpi)
    row_box = text_box_px(c.row_text, ROW_PT, dpi)
    item_box = text_box_px(c.item_text, RACK_PT, dpi)
    seen = on_screen(rp)
    gap = np.abs(rq[:, :2] - rp[:, :2])
    fits = seen & ((gap[:, 0] >= rack_box[:, 0]) | (gap[:, 1] >= rack_box[:, 1]))
    rows_seen = (np.bincount(c.rack_row[seen], minlength=n_rows) if n_r
                 else np.zeros(n_rows))[:n_rows]
    rows_fit = (np.bincount(c.rack_row[fits], minlength=n_rows) if n_r
                else np.zeros(n_rows))[:n_rows]
    rack_mode = rows_fit >= ROW_FIT_SHARE * np.maximum(rows_seen, 1)
    # candidates: (depth, kind, index, x, y, w, h); kind 0 rack, 1 row, 2 item
    cand = []
    for i in np.flatnonzero(fits):
        cand.append((rp[i, 2], 0, i, rp[i, 0], rp[i, 1], *rack_box[i]))
    row_end = np.zeros(n_rows, int)
    for k in np.flatnonzero(~rack_mode & (rows_seen > 0)):
        e = ends[k]
        ok = on_screen(e)
        if not ok.any():
            continue
        j = int(np.argmin(np.where(ok, e[:, 0], np.inf)))
        row_end[k] = j
        cand.append((e[j, 2], 1, k, e[j, 0], e[j, 1], *row_box[k]))
    if n_i:
        span = np.hypot(*(iq[:, :2] - ip[:, :2]).T)
        for i in np.flatnonzero(on_screen(ip) & (span >= 0.8 * item_box[:, 0])):
            cand.append((ip[i, 2], 2, i, ip[i, 0], ip[i, 1], *item_box[i]))
    cand.sort(key=lambda t: (t[0], t[1]))
    shown: list[list[int]] = [[], [], []]
    for _w, kind, i, x, y, w, h in cand:
        cells = _free(occ, x, y, w, h)
        if cells is None:
            continue
        r0, r1, c0, c1 = cells
        occ[r0:r1, c0:c1] = True
        shown[kind].append(int(i))
    return Chosen(np.array(sorted(shown[0]), int), np.array(sorted(shown[1]), int), row_end,
                  np.array(sorted(shown[2]), int))


def project_clip(view: "FloorView3D", points_m: np.ndarray) -> np.ndarray:
    """(n, 3) canvas pixels x, y and clip w (<= 0 behind the camera) of scene points."""
    tr = view.view.scene.node_transform(view.canvas.scene)
    p = tr.map(np.asarray(points_m, float).reshape(-1, 3))
    w = p[:, 3:4]
    safe = np.where(np.abs(w) < 1e-9, 1e-9, w)
    return np.column_stack([p[:, :2] / safe, w[:, 0]])


def contrast_text(rgba: np.ndarray) -> np.ndarray:
    """(n, 4) dark or light text colours readable on (n, 4) surface colours."""
    rgba = np.asarray(rgba, float).reshape(-1, 4)
    lum = rgba[:, :3] @ np.array([0.299, 0.587, 0.114])
    return np.where((lum > 0.55)[:, None], DARK_TEXT, LIGHT_TEXT).astype(np.float32)


class ViewLabels:
    """The labels of one ``FloorView3D``: content from the view's boxes, visibility from
    its camera. ``invalidate`` after a camera, size or colour change (``content=True``
    after racks or items changed); ``refresh`` decides and uploads when due."""

    def __init__(self, view: "FloorView3D", order: int = 5):
        self.view = view
        self.enabled = True
        kw = dict(anchor_x="center", anchor_y="center", depth_test=True,
                  font_manager=font_manager(view.canvas))
        self.small = LabelText([" "], pos=[[0, 0, 0]], font_size=RACK_PT,
                               parent=view.view.scene, **kw)
        self.rows = LabelText([" "], pos=[[0, 0, 0]], font_size=ROW_PT, bold=True,
                              parent=view.view.scene, **kw)
        for t in (self.small, self.rows):
            t.set_gl_state("translucent", depth_test=True, depth_mask=False)
            t.order = order
            t.visible = False
        self.content = LabelContent()
        self.chosen: Chosen | None = None
        self._content_dirty = True
        self._dirty = True
        self._rows_key: tuple | None = None
        self._row_index: np.ndarray = np.zeros(0, int)
        self._row_names: list[str] = []
        self._row_members: list[np.ndarray] = []
        self._item_rows = np.zeros(0, int)
        # after the view's own handlers (priority 0): its boxes are rebuilt by then
        view.layout.changed.connect(self._on_model_changed, priority=-10)
        view.colouring.changed.connect(self._on_model_changed, priority=-10)
        view.camera.view_listeners.append(self._on_changed)
        view.canvas.events.resize.connect(self._on_changed, position="last")
        self._throttle = Throttle(THROTTLE_S, self._update, app=view.canvas.app)

    def close(self) -> None:
        for sig in (self.view.layout.changed, self.view.colouring.changed):
            try:
                sig.disconnect(self._on_model_changed)
            except Exception:
                pass
        self._throttle.stop()

    def _on_changed(self, *_args) -> None:
        """The camera or the canvas size changed: update the labels now or, during a
        burst of changes, every ``THROTTLE_S``."""
        self.invalidate()
        self._throttle.request()

    def _on_model_changed(self, *args) -> None:
        """Racks moved or changed colour: update the labels once every handler of the
        change has run (a colouring can arrive before the layout change it follows)."""
        self.invalidate(content=bool(args) and isinstance(args[0], Change))
        self._throttle.request(defer=True)

    def _update(self) -> None:
        if self.refresh():
            self.view.canvas.update()

    # ----- content -----------------------------------------------------------------
    def invalidate(self, content: bool = False) -> None:
        self._dirty = True
        self._content_dirty = self._content_dirty or content

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        self.small.visible = self.rows.visible = False
        self.invalidate()
        self.view.canvas.update()

    def _rows(self) -> tuple[np.ndarray, list[str], list[np.ndarray]]:
        """Row of every rack, row names and members (recomputed when rack ids, positions
        or rotations change)."""
        r = self.view.layout.racks
        key = (tuple(self.view._rack_ids), r["x_m"].tobytes(), r["y_m"].tobytes(),
               r["rotation_deg"].tobytes())
        if key != self._rows_key:
            self._rows_key = key
            rows = rack_rows(self.view.layout)
            index = np.zeros(len(r), int)
            for k, row in enumerate(rows):
                index[list(row.racks)] = k
            self._row_index = index
            self._row_names = [row.title for row in rows]
            self._row_members = [np.array(row.racks, int) for row in rows]
        return self._row_index, self._row_names, self._row_members

    def _build_content(self) -> None:
        v = self.view
        b = v._rack_mesh.bounds
        n = len(b)
        c = LabelContent()
        if n:
            frame = v._rack_mesh.frame[::8]
            width = v.floor.rack_sizes_m[:n, 0] if len(v.floor.rack_sizes_m) >= n else \
                np.full(n, 0.6)
            c.rack_text = list(v._rack_ids)
            c.rack_anchor = np.column_stack([(b[:, 0] + b[:, 3]) / 2, (b[:, 1] + b[:, 4]) / 2,
                                             b[:, 5] + 0.01])
            c.rack_step = np.column_stack([frame[:, 0] * width, frame[:, 1] * width,
                                           np.zeros(n)])
            index, names, members = self._rows() if len(v.layout.racks) == n else \
                (np.zeros(n, int), [], [])
            c.rack_row = index
            c.row_text = names
            ends = np.zeros((len(members), 2, 3))
            for k, m in enumerate(members):
                ends[k, 0] = c.rack_anchor[m[0]]
                ends[k, 1] = c.rack_anchor[m[-1]]
            c.row_ends = ends
        kinds = v._item_kinds
        keep = [k for k, kind in enumerate(kinds) if kind != "rdhx"]
        if keep:
            ib = v._item_mesh.bounds[keep]
            c.item_text = [v._item_ids[k] for k in keep]
            c.item_anchor = np.column_stack([(ib[:, 0] + ib[:, 3]) / 2,
                                             (ib[:, 1] + ib[:, 4]) / 2, ib[:, 5] + 0.01])
            c.item_size_m = np.minimum(ib[:, 3] - ib[:, 0], ib[:, 4] - ib[:, 1])
        self._item_rows = np.array(keep, int)
        texts = c.rack_text + c.item_text
        if texts != getattr(self, "_small_texts", None):
            self._small_texts = texts
            self.small.text = texts or [" "]
        if c.row_text != getattr(self, "_row_texts", None):
            self._row_texts = list(c.row_text)
            self.rows.text = c.row_text or [" "]
        self.content = c

    # ----- visibility --------------------------------------------------------------
    def refresh(self) -> bool:
        """Decide and upload the shown labels if the camera, size or content changed;
        True when updated."""
        if not self._dirty:
            return False
        self._dirty = False
        if not self.enabled:
            return True
        v = self.view
        # a colouring may arrive before the layout change that it follows: labels are
        # rebuilt whenever they no longer match the view's boxes
        stale = (len(self.content.rack_text) != len(v._rack_ids)
                 or len(self.content.item_text) + int((np.asarray(v._item_kinds) == "rdhx")
                                                      .sum()) != len(v._item_ids))
        if self._content_dirty or stale:
            self._content_dirty = False
            self._build_content()
        origin, direction = v.ray((v.canvas.size[0] / 2, v.canvas.size[1] / 2))
        for t in (self.small, self.rows):
            t.set_eye_direction(-direction)
        legend = v.legend
        reserved = ()
        if legend.size[0] > 0 and legend.root.visible:
            tx, ty = legend.root.transform.translate[:2]
            reserved = ((float(tx), float(ty), float(legend.size[0]), float(legend.size[1])),)
        size = tuple(int(s) for s in v.view.size)
        self.chosen = chosen = choose_labels(self.content, lambda p: project_clip(v, p), size,
                                             float(getattr(v.canvas, "dpi", 96) or 96),
                                             reserved)
        hidden = origin - direction * 1.0      # in front of the near plane: clipped
        c = self.content
        colours = self._colours()
        n_r = len(c.rack_text)
        pos = np.tile(hidden, (n_r + len(c.item_text), 1))
        pos[chosen.racks] = c.rack_anchor[chosen.racks]
        pos[n_r + chosen.items] = c.item_anchor[chosen.items]
        row_pos = np.tile(hidden, (max(len(c.row_text), 1), 1))
        if len(chosen.rows):
            row_pos[chosen.rows] = c.row_ends[chosen.rows, chosen.row_end[chosen.rows]]
        self.small.pos = pos.astype(np.float32) if len(pos) else np.zeros((1, 3), np.float32)
        self.rows.pos = row_pos.astype(np.float32)
        if len(colours[0]):
            self.small.color = colours[0]
        if len(colours[1]):
            self.rows.color = colours[1]
        self.small.set_shown(np.concatenate([chosen.racks, n_r + chosen.items]))
        self.rows.set_shown(chosen.rows)
        self.small.visible = bool(len(chosen.racks) + len(chosen.items))
        self.rows.visible = bool(len(chosen.rows))
        return True

    def _colours(self) -> tuple[np.ndarray, np.ndarray]:
        """Text colours readable on each rack's and item's colour; rows on the mean of
        their racks."""
        v = self.view
        rack_rgba = v._rack_colours()[::8]
        item_rgba = v._item_colours()[self._item_rows] if len(self._item_rows) else \
            np.zeros((0, 4))
        small = contrast_text(np.concatenate([rack_rgba, item_rgba]))
        members = self._row_members if len(rack_rgba) else []
        row_rgba = np.array([rack_rgba[m].mean(axis=0) for m in members]).reshape(-1, 4)
        return small, contrast_text(row_rgba)

    def shown_text(self) -> list[str]:
        """The labels shown now (rack and item ids, row names), for tests and tools."""
        if self.chosen is None:
            return []
        c, ch = self.content, self.chosen
        return ([c.rack_text[i] for i in ch.racks] + [c.item_text[i] for i in ch.items]
                + [c.row_text[i] for i in ch.rows])
