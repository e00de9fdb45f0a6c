"""Room dressing of the 3-D view: perforated tiles, soft shadows under rows and items,
and a cut-away of the walls nearest the camera.

Plain arrays for one visual each (``tile_quads``, ``floor_shadows``, ``wall_edges``), and
``RoomDressing``, which owns the visuals and keeps the cut-away facing the camera: the
walls between the camera and the room are drawn as a low kerb (their panels are already
culled), the far walls at full height, so the room reads as a room without a wireframe
box across the racks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from twin.interchange.rows import rack_rows
from twin.view3d import palette
from twin.view3d.scenery import KERB_M, wall_edges
from twin.view3d.throttle import Throttle
from twin.view3d.visuals import stable_mesh

if TYPE_CHECKING:  # pragma: no cover
    from twin.view3d.floor_view import FloorView3D

#: Reach of the shadow around a footprint, metres, and its darkness at the footprint.
SHADOW_M = 0.45
SHADOW_ALPHA = 0.42
TILE = palette.hex_rgba("#6fa8d8", 0.55)
TILE_HOLE = palette.hex_rgba("#2b4a66", 0.75)
#: Inward normals of the walls south, east, north, west (as in ``scenery.wall_mesh``).
WALL_NORMALS = np.array([[0, 1], [-1, 0], [0, -1], [1, 0]], float)


def near_walls(view_dir: np.ndarray) -> list[int]:
    """Walls (0 south, 1 east, 2 north, 3 west) between a camera looking along
    ``view_dir`` and the room: their inward normal points away from the camera."""
    d = np.asarray(view_dir, float)[:2]
    return [k for k in range(4) if float(WALL_NORMALS[k] @ d) > 1e-3]


def kerb_mesh(width_m: float, length_m: float, low: list[int]):
    """(vertices, faces) of the low kerbs of the cut-away walls, facing into the hall
    from outside too (no culling: they are seen from the camera's side)."""
    W, L, H = width_m, length_m, KERB_M
    quads = {0: [(0, 0), (W, 0)], 1: [(W, 0), (W, L)], 2: [(W, L), (0, L)], 3: [(0, L), (0, 0)]}
    v = []
    for k in low:
        (xa, ya), (xb, yb) = quads[k]
        v += [(xa, ya, 0), (xb, yb, 0), (xb, yb, H), (xa, ya, H)]
    v = np.array(v, np.float32).reshape(-1, 3)
    base = (np.arange(len(v) // 4, dtype=np.uint32) * 4)[:, None]
    f = np.concatenate([base + np.array([0, 1, 2], np.uint32),
                        base + np.array([0, 2, 3], np.uint32)], axis=1).reshape(-1, 3)
    return v, f


def tile_quads(bounds_m: np.ndarray):
    """(vertices, faces, colours) of perforated tiles: a light tile with a 4 x 4 grid of
    darker holes, just above the floor."""
    b = np.asarray(bounds_m, float).reshape(-1, 4)
    verts, cols = [], []
    for x0, y0, x1, y1 in b:
        verts.append([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        cols.append(TILE)
        w, h = (x1 - x0) / 4, (y1 - y0) / 4
        r = 0.22 * min(w, h)
        for i in range(4):
            for j in range(4):
                cx, cy = x0 + (i + 0.5) * w, y0 + (j + 0.5) * h
                verts.append([(cx - r, cy - r), (cx + r, cy - r), (cx + r, cy + r),
                              (cx - r, cy + r)])
                cols.append(TILE_HOLE)
    if not verts:
        return np.zeros((0, 3), np.float32), np.zeros((0, 3), np.uint32), np.zeros((0, 4))
    q = np.array(verts, float).reshape(-1, 2)
    v = np.column_stack([q, np.full(len(q), 0.004)]).astype(np.float32)
    base = (np.arange(len(verts), dtype=np.uint32) * 4)[:, None]
    f = np.concatenate([base + np.array([0, 1, 2], np.uint32),
                        base + np.array([0, 2, 3], np.uint32)], axis=1).reshape(-1, 3)
    return v, f, np.repeat(np.array(cols, np.float32), 4, axis=0)


# inner rectangle 0..3, outer 4..7 (same corner order): the four ring quads (the
# footprint itself is covered by its box: no fill spent under it)
_SHADOW_FACES = np.array([[4, 5, 1], [4, 1, 0], [5, 6, 2], [5, 2, 1],
                          [6, 7, 3], [6, 3, 2], [7, 4, 0], [7, 0, 3]], np.uint32)


def floor_shadows(rects_m: np.ndarray, reach_m: float = SHADOW_M):
    """(vertices, faces, colours) of soft shadows: around each (x0, y0, x1, y1) footprint
    a ring dark at its edge, fading to nothing ``reach_m`` away."""
    r = np.asarray(rects_m, float).reshape(-1, 4)
    n = len(r)
    if not n:
        return np.zeros((0, 3), np.float32), np.zeros((0, 3), np.uint32), np.zeros((0, 4))
    x0, y0, x1, y1 = r.T
    inner = np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y0]),
                      np.column_stack([x1, y1]), np.column_stack([x0, y1])], axis=1)
    sign = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float)
    outer = inner + sign[None] * reach_m
    xy = np.concatenate([inner, outer], axis=1).reshape(-1, 2)
    v = np.column_stack([xy, np.full(len(xy), 0.003)]).astype(np.float32)
    f = (_SHADOW_FACES[None] + (np.arange(n, dtype=np.uint32) * 8)[:, None, None]).reshape(-1, 3)
    a = np.tile(np.array([SHADOW_ALPHA] * 4 + [0.0] * 4, np.float32), n)
    c = np.zeros((len(v), 4), np.float32)
    c[:, 3] = a
    return v, f, c


class RoomDressing:
    """Tiles, shadows and the wall cut-away of one ``FloorView3D``."""

    def __init__(self, view: "FloorView3D"):
        self.view = view
        root = view.view.scene
        self.shadows = stable_mesh(parent=root)
        self.tiles = stable_mesh(parent=root)
        self.kerbs = stable_mesh(parent=root, color=palette.WALL)
        for vis, order in ((self.shadows, 1), (self.tiles, 1)):
            vis.set_gl_state("translucent", depth_test=False, depth_mask=False)
            vis.order = order
        self.kerbs.set_gl_state("translucent", depth_test=True, depth_mask=False,
                                cull_face=False)
        self.kerbs.order = 9
        self.low: list[int] | None = None
        #: during a drag: shadows and tiles left out (``set_light``)
        self._light = False
        self._filled: dict[int, bool] = {}
        self._throttle = Throttle(0.1, self.update_cut_away, app=view.canvas.app)
        self._rebuild_throttle = Throttle(0.1, self.rebuild, app=view.canvas.app)
        view.camera.view_listeners.append(self._throttle.request)
        # after the view's own handler (priority 0): its boxes are rebuilt by then
        view.layout.changed.connect(self._on_layout_changed, priority=-10)

    def set_light(self, on: bool) -> None:
        """Leave the floor shadows and tiles out (``on``: frames during a drag) or draw
        them again."""
        self._light = on
        for mesh in (self.shadows, self.tiles):
            mesh.visible = bool(self._filled.get(id(mesh))) and not on

    def close(self) -> None:
        try:
            self.view.layout.changed.disconnect(self._on_layout_changed)
        except Exception:
            pass
        self._throttle.stop()
        self._rebuild_throttle.stop()

    def _on_layout_changed(self, change) -> None:
        if change.touches_geometry or change.is_reset:
            self._rebuild_throttle.request(defer=True)

    def rebuild(self) -> None:
        """Tiles and shadows from the layout (after racks, items or the hall changed)."""
        v = self.view
        vt, ft, ct = tile_quads(v.floor.tile_bounds_m)
        self._set(self.tiles, vt, ft, ct)
        rects = [r.bounds_m for r in rack_rows(v.layout)]
        b = v._item_mesh.bounds
        rects += [(b[k, 0], b[k, 1], b[k, 3], b[k, 4]) for k, kind in
                  enumerate(v._item_kinds) if kind != "rdhx"]
        vs, fs, cs = floor_shadows(np.array(rects, float).reshape(-1, 4))
        self._set(self.shadows, vs, fs, cs)
        self.low = None
        self.update_cut_away()

    def _set(self, mesh, v, f, c) -> None:
        if len(v):
            mesh.set_data(vertices=v, faces=f, vertex_colors=c)
        self._filled[id(mesh)] = bool(len(v))
        mesh.visible = bool(len(v)) and not (self._light and mesh is not self.kerbs)

    def update_cut_away(self) -> None:
        """Lower the walls between the camera and the room; raise the others."""
        v = self.view
        _o, d = v.ray((v.canvas.size[0] / 2, v.canvas.size[1] / 2))
        low = near_walls(d)
        if low == self.low and getattr(v, "_wall_edges", None) is not None:
            return
        self.low = low
        h = v.layout.hall
        v._wall_edges = wall_edges(h.width_m, h.length_m, h.ceiling_height_m, low)
        v._update_edges()
        kv, kf = kerb_mesh(h.width_m, h.length_m, low)
        self._set(self.kerbs, kv, kf, np.tile(palette.hex_rgba("#c9d4e0", 0.35), (len(kv), 1)))
        v.canvas.update()
