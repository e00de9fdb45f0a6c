"""Vertical temperature slices and the temperature iso-surface in the 3-D view, and the
Ctrl+drag that moves a slice along its normal.

``SectionVisuals`` belongs to a ``FloorView3D``: each vertical slice is a textured quad
(the image ``twin.engine.slices`` coloured on the temperature scale) with an outline and
a label naming its position; the iso-surface is one translucent mesh in the colour of its
temperature, lit from the vertex normals in numpy (no shading program to compile). A
left press with Ctrl on a slice — vertical or the horizontal heatmap slice — grabs it;
the mouse then moves it along its normal (the point of the normal line nearest the mouse
ray) and ``moved(axis, position_m)`` reports each new position ('x', 'y' or 'z' for the
horizontal slice's height). Images arrive later from a worker; the plane moves at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from psygnal import Signal
from vispy import scene
from vispy.util import keys as vkeys
from vispy.visuals.transforms import MatrixTransform

from twin.model import units
from twin.view3d.fonts import font_manager
from twin.view3d.boxes import ray_box_hits
from twin.view3d.visuals import stable_mesh

#: Normal of each draggable plane.
NORMALS = {"x": np.array([1.0, 0, 0]), "y": np.array([0, 1.0, 0]), "z": np.array([0, 0, 1.0])}
OUTLINE = (0.96, 0.97, 1.0, 0.95)
LABEL = (1.0, 1.0, 1.0, 1.0)
ISO_ALPHA = 0.42
#: key light of the iso-surface (from above, front left) and its ambient share
_LIGHT = np.array([-0.35, -0.55, 0.76]) / np.linalg.norm([-0.35, -0.55, 0.76])
_AMBIENT = 0.5
HINT = "Ctrl+drag to move it"


def plane_matrix(axis: str, position_m: float, extent, shape) -> np.ndarray:
    """4x4 matrix (vispy's row-vector convention) taking image pixel (col, row) of an
    image of ``shape`` (rows, cols) onto the vertical plane ``axis = position_m`` whose
    ``extent`` is (u0, z0, u1, z1) m (u along y for an x slice, along x for a y slice)."""
    rows, cols = shape[:2]
    u0, z0, u1, z1 = (float(v) for v in extent)
    su, sz = (u1 - u0) / max(cols, 1), (z1 - z0) / max(rows, 1)
    m = np.eye(4)
    if axis == "x":
        m[0] = (0, su, 0, 0)
        m[2] = (1, 0, 0, 0)
        m[3] = (position_m, u0, z0, 1)
    else:
        m[0] = (su, 0, 0, 0)
        m[2] = (0, 1, 0, 0)
        m[3] = (u0, position_m, z0, 1)
    m[1] = (0, 0, sz, 0)
    return m


def plane_corners(axis: str, position_m: float, extent) -> np.ndarray:
    """(4, 3) corners of a plane in metres: 'x'/'y' vertical with ``extent`` (u0, z0, u1,
    z1), 'z' horizontal at height ``position_m`` with ``extent`` (x0, y0, x1, y1)."""
    a0, b0, a1, b1 = (float(v) for v in extent)
    quad = [(a0, b0), (a1, b0), (a1, b1), (a0, b1)]
    if axis == "x":
        return np.array([(position_m, u, z) for u, z in quad])
    if axis == "y":
        return np.array([(u, position_m, z) for u, z in quad])
    return np.array([(x, y, position_m) for x, y in quad])


def ray_plane_hit(origin, direction, axis: str, position_m: float, extent) -> float | None:
    """Distance along the ray to the plane's rectangle, or None when it misses."""
    n = "xyz".index(axis)
    d = float(direction[n])
    if abs(d) < 1e-9:
        return None
    t = (position_m - float(origin[n])) / d
    if t <= 0:
        return None
    p = np.asarray(origin, float) + t * np.asarray(direction, float)
    a, b = (p[k] for k in range(3) if k != n)     # in-plane coordinates, as in extent
    a0, b0, a1, b1 = extent
    return t if (min(a0, a1) <= a <= max(a0, a1) and min(b0, b1) <= b <= max(b0, b1)) else None


def along_normal(origin, direction, point, normal) -> float | None:
    """Parameter t of the point ``point + t * normal`` nearest the ray (None when the ray
    runs along the normal: the drag cannot tell how far)."""
    d = np.asarray(direction, float)
    n = np.asarray(normal, float)
    w = np.asarray(point, float) - np.asarray(origin, float)
    b = float(n @ d)
    denom = 1.0 - b * b                     # unit n and d
    if denom < 1e-4:
        return None
    return (b * float(d @ w) - float(n @ w)) / denom


def lit_colours(normals: np.ndarray, rgb, alpha: float = ISO_ALPHA) -> np.ndarray:
    """(n, 4) float32 vertex colours: ``rgb`` lit by a key light (either side lit alike)."""
    lambert = np.abs(np.asarray(normals, float) @ _LIGHT)
    shade = _AMBIENT + (1 - _AMBIENT) * lambert
    out = np.empty((len(shade), 4), np.float32)
    out[:, :3] = np.clip(np.asarray(rgb, float)[None, :3] * shade[:, None], 0, 1)
    out[:, 3] = alpha
    return out


class SectionVisuals:
    """The vertical slices, the iso-surface and the slice drag of one ``FloorView3D``."""

    #: (axis, position_m) while a slice is dragged
    moved = Signal(str, float)
    #: True when a drag starts, False when it ends
    dragging = Signal(bool)
    #: a status line about the slice under the mouse ('' when it leaves)
    hint = Signal(str)

    def __init__(self, view: Any):
        self._view = view
        root = view.view.scene
        self._images: dict[str, scene.visuals.Image] = {}
        #: axis -> (position_m, extent, image shape, label) of each slice shown
        self._planes: dict[str, tuple[float, tuple, tuple, str]] = {}
        self._outline = scene.visuals.Line(parent=root, connect="segments", method="gl",
                                           antialias=False, width=1.5)
        self._outline.set_gl_state("translucent", depth_test=True, depth_mask=False)
        self._outline.order = 9
        self._outline.visible = False
        self._labels = scene.visuals.Text(["."], pos=[[0, 0, 0]], parent=root, color=LABEL,
                                          font_manager=font_manager(view.canvas),
                                          font_size=9, bold=True, anchor_x="center",
                                          anchor_y="bottom")
        self._labels.set_gl_state("translucent", depth_test=False)
        self._labels.order = 11
        self._labels.visible = False
        self._iso = stable_mesh(parent=root)
        self._iso.set_gl_state("translucent", depth_test=True, depth_mask=False,
                               cull_face=False)
        self._iso.order = 5
        self._iso.visible = False
        self._iso_label: tuple[np.ndarray, str] | None = None
        self._drag: tuple[str, np.ndarray, float] | None = None
        #: whether the horizontal slice can be dragged (an air slice at a height)
        self.z_draggable = True
        self._hover = ""
        ev = view.canvas.events
        ev.mouse_press.connect(self._on_press, position="first")
        ev.mouse_move.connect(self._on_move, position="first")
        ev.mouse_release.connect(self._on_release, position="first")

    # ----- slices ------------------------------------------------------------------
    def set_slice(self, axis: str, rgba: np.ndarray, position_m: float, extent,
                  label: str) -> None:
        """Show the vertical slice ``axis = position_m``: ``rgba`` (rows, cols, 4) uint8,
        row 0 at the floor, over ``extent`` (u0, z0, u1, z1) m."""
        img = np.ascontiguousarray(rgba)
        image = self._images.get(axis)
        if image is None:
            # 'subdivide': the default picks the impostor method under a perspective
            # camera, which cannot invert the mapping onto a vertical plane
            image = scene.visuals.Image(img, parent=self._view.view.scene,
                                        interpolation="linear", method="subdivide")
            image.set_gl_state("translucent", depth_test=True, depth_mask=False,
                               cull_face=False)
            image.order = 8
            image.transform = MatrixTransform()
            self._images[axis] = image
        else:
            image.set_data(img)
        image.visible = True
        self._planes[axis] = (float(position_m), tuple(extent), img.shape[:2], label)
        self._place(axis)

    def clear_slice(self, axis: str) -> None:
        if axis in self._images:
            self._images[axis].visible = False
        if self._planes.pop(axis, None) is not None:
            self._update_decorations()

    def slice_position(self, axis: str) -> float | None:
        """Where the slice ``axis`` is drawn (None: not shown)."""
        if axis == "z":
            plane = self._view.slice_plane
            return None if plane is None else plane[0]
        return self._planes[axis][0] if axis in self._planes else None

    def _place(self, axis: str) -> None:
        pos, extent, shape, _label = self._planes[axis]
        self._images[axis].transform.matrix = plane_matrix(axis, pos, extent, shape)
        self._update_decorations()

    def _move_to(self, axis: str, position_m: float) -> None:
        """Move a slice now, before its new image arrives."""
        if axis == "z":
            self._view.move_slice(position_m)
            return
        pos, extent, shape, _ = self._planes[axis]
        self._planes[axis] = (position_m, extent, shape, f"{axis} = {units.quantity(units.LENGTH, position_m, 2)}")
        self._place(axis)

    # ----- iso-surface -------------------------------------------------------------
    def set_iso(self, vertices_m: np.ndarray, faces: np.ndarray, normals: np.ndarray,
                rgb, label: str) -> None:
        """Show the iso-surface mesh in colour ``rgb``, ``label`` above its highest point
        (an empty mesh hides it)."""
        if len(faces) == 0:
            self.clear_iso()
            return
        self._iso.set_data(vertices=np.asarray(vertices_m, np.float32),
                           faces=np.asarray(faces, np.uint32),
                           vertex_colors=lit_colours(normals, rgb))
        self._iso.visible = True
        top = np.asarray(vertices_m)[int(np.argmax(np.asarray(vertices_m)[:, 2]))]
        self._iso_label = (top + (0, 0, 0.15), label)
        self._update_decorations()

    def clear_iso(self) -> None:
        if self._iso.visible or self._iso_label is not None:
            self._iso.visible = False
            self._iso_label = None
            self._update_decorations()

    @property
    def iso_visible(self) -> bool:
        return bool(self._iso.visible)

    # ----- outlines and labels -----------------------------------------------------
    def refresh(self) -> None:
        """Redraw outlines and labels (the horizontal slice moved, showed or hid)."""
        self._update_decorations()

    def _update_decorations(self) -> None:
        segs, texts, where = [], [], []
        planes = [(a, p[0], p[1], p[3]) for a, p in sorted(self._planes.items())]
        if self._view.slice_plane is not None:
            z, extent = self._view.slice_plane
            planes.append(("z", z, extent, f"z = {units.quantity(units.LENGTH, z, 2)}"))
        for axis, pos, extent, label in planes:
            c = plane_corners(axis, pos, extent)
            segs.append(c[[0, 1, 1, 2, 2, 3, 3, 0]])
            texts.append(label)
            # vertical: above its top edge, a fifth of the way from its far end (clear of the row
            # labels over the racks); horizontal: at its x = 0 edge, a third of the way
            where.append(c[2] + (c[3] - c[2]) / 5 + (0, 0, 0.08) if axis != "z"
                         else c[0] + (c[3] - c[0]) / 3 + (0, 0, 0.05))
        if segs:
            self._outline.set_data(pos=np.concatenate(segs).astype(np.float32), color=OUTLINE)
        self._outline.visible = bool(segs)
        if self._iso_label is not None:
            where.append(self._iso_label[0])
            texts.append(self._iso_label[1])
        if texts:
            self._labels.text = texts
            self._labels.pos = np.array(where, np.float32)
        self._labels.visible = bool(texts)
        self._view.canvas.update()

    # ----- drag --------------------------------------------------------------------
    def plane_at(self, pos) -> tuple[str, np.ndarray] | None:
        """(axis, point in metres) of the nearest slice under canvas pixel ``pos`` that no
        rack or item hides, or None."""
        v = self._view
        o, d = v.ray(pos)
        best: tuple[float, str] | None = None
        planes = {a: (p[0], p[1]) for a, p in self._planes.items()}
        if v.slice_plane is not None and self.z_draggable:
            planes["z"] = v.slice_plane
        for axis, (position, extent) in planes.items():
            t = ray_plane_hit(o, d, axis, position, extent)
            if t is not None and (best is None or t < best[0]):
                best = (t, axis)
        if best is None:
            return None
        boxes = [b for b in (v._rack_mesh.bounds, v._item_mesh.bounds) if len(b)]
        if boxes:
            _i, t_box = ray_box_hits(o, d, np.concatenate(boxes))
            if _i >= 0 and t_box < best[0]:
                return None
        return best[1], o + best[0] * d

    def _on_press(self, event) -> None:
        if event.button != 1 or not _ctrl(event):
            return
        hit = self.plane_at(event.pos[:2])
        if hit is None:
            return
        axis, point = hit
        start = self.slice_position(axis)
        if start is None:
            return
        self._drag = (axis, point, start)
        self._view.camera.interactive = False
        self.dragging.emit(True)

    def _on_move(self, event) -> None:
        if self._drag is None:
            if not event.buttons:
                self._update_hint(event.pos[:2])
            return
        axis, point, start = self._drag
        o, d = self._view.ray(event.pos[:2])
        t = along_normal(o, d, point, NORMALS[axis])
        if t is None:
            return
        new = float(np.clip(start + t, *self._limits(axis)))
        self._move_to(axis, new)
        self.moved.emit(axis, new)

    def _on_release(self, event) -> None:
        if self._drag is None:
            return
        self._drag = None
        self._view.camera.interactive = True
        self.dragging.emit(False)

    def _limits(self, axis: str) -> tuple[float, float]:
        h = self._view.layout.hall
        top = {"x": h.width_m, "y": h.length_m, "z": h.ceiling_height_m}[axis]
        return 0.0, float(top)

    def _update_hint(self, pos) -> None:
        hit = self.plane_at(pos) if (self._planes or self._view.slice_plane) else None
        if hit is None:
            text = ""
        elif hit[0] == "z":
            text = (f"Horizontal slice at {self.slice_position('z'):.2f} m: {HINT} up or "
                    "down")
        else:
            text = f"Vertical slice {self._planes[hit[0]][3]}: {HINT} along {hit[0]}"
        if text != self._hover:
            self._hover = text
            self.hint.emit(text)


def _ctrl(event) -> bool:
    return any(m in (vkeys.CONTROL, vkeys.META) for m in (getattr(event, "modifiers", ())
                                                          or ()))
