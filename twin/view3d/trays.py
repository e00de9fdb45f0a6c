"""Cable trays in the 3-D view: every tray piece a flat solid at its elevation, coloured
by its fill band as on the plan (``twin.engine.fabric.TRAY_FILL_BANDS``).

All pieces are one mesh (8 corners and 12 triangles each, flat face colours), so the
1,440-rack hall's few hundred pieces are one draw call; a new result replaces the data.
"""

from __future__ import annotations

import numpy as np
from vispy import scene
from vispy.color import Color

from twin.engine.fabric import TRAY_FILL_BANDS, FabricResult

#: drawn after the racks, before the translucent walls and slices
DRAW_ORDER = 6
#: trays are see-through enough to show the rack tops and aisles under them
TRAY_ALPHA = 0.7
#: the triangles of a box whose corners are numbered (bottom 0-3, top 4-7, counter-
#: clockwise seen from above)
_FACES = np.array([[0, 1, 2], [0, 2, 3], [4, 6, 5], [4, 7, 6], [0, 4, 5], [0, 5, 1],
                   [1, 5, 6], [1, 6, 2], [2, 6, 7], [2, 7, 3], [3, 7, 4], [3, 4, 0]],
                  np.uint32)
#: side faces darker than the top, so a tray reads as a solid without lighting
_SHADE = np.array([0.8, 0.8, 1.0, 1.0] + [0.65] * 8, np.float32)


def tray_mesh(a: np.ndarray, b: np.ndarray, size: np.ndarray, band: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices (8p, 3), faces (12p, 3) and face colours (12p, 4) of tray pieces from
    ``a`` to ``b`` (underside centre lines, m), ``size`` (width, depth) and fill ``band``."""
    p = len(a)
    if p == 0:
        return np.zeros((0, 3), np.float32), np.zeros((0, 3), np.uint32), np.zeros((0, 4), np.float32)
    d = b[:, :2] - a[:, :2]
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    side = np.stack([-d[:, 1], d[:, 0], np.zeros(p)], 1) * (size[:, :1] / 2)
    up = np.zeros((p, 3))
    up[:, 2] = size[:, 1]
    bottom = np.stack([a - side, b - side, b + side, a + side], 1)        # (p, 4, 3)
    verts = np.concatenate([bottom, bottom + up[:, None, :]], 1).reshape(-1, 3)
    faces = (_FACES[None] + 8 * np.arange(p, dtype=np.uint32)[:, None, None]).reshape(-1, 3)
    rgba = np.array([Color(c).rgba for _hi, c in TRAY_FILL_BANDS], np.float32)
    colours = rgba[np.clip(band, 0, len(rgba) - 1)][:, None, :].repeat(12, 1)
    colours[..., :3] *= _SHADE[None, :, None]
    colours[..., 3] = TRAY_ALPHA
    return verts.astype(np.float32), faces, colours.reshape(-1, 4)


class TrayVisual:
    """The trays of one fabric result (hidden when there is none)."""

    def __init__(self, parent) -> None:
        self.mesh = scene.visuals.Mesh(parent=parent)
        self.mesh.set_gl_state("translucent", depth_test=True, depth_mask=False,
                               cull_face=False)
        self.mesh.order = DRAW_ORDER
        self.mesh.visible = False
        self.n_pieces = 0
        #: the colour of the legend's key (the lowest fill band)
        self.key_colour = Color(TRAY_FILL_BANDS[0][1]).rgba

    def set_result(self, res: FabricResult | None) -> None:
        if res is None or len(res.fill) == 0:
            self.mesh.visible = False
            self.n_pieces = 0
            return
        verts, faces, colours = tray_mesh(*res.tray_pieces())
        self.mesh.set_data(vertices=verts, faces=faces, face_colors=colours)
        self.mesh.visible = True
        self.n_pieces = len(faces) // 12
