"""Batched box geometry and ray picking in plain numpy (no vispy, no Qt).

Every rack or floor item is a box standing on the floor with a footprint rotated by
0/90/180/270 degrees. A box is 8 shared corner vertices and 10 triangles (five faces; the
bottom is never seen). Software OpenGL spends most of a frame per vertex, so the faces
are not split: the fragment shader finds the face, its normal, the edge lines and the
dark front band (which shows where the air intake is) from each vertex's box-local
coordinate in 0..1 (x across, y front to back, z up).

Rotation 0 means the front faces -y (south), as in ``twin.model.geometry``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VERTS_PER_BOX = 8
TRIS_PER_BOX = 10
#: Corner k has box-local coordinate (k & 1, (k >> 1) & 1, (k >> 2) & 1).
_LOCAL = np.array([[k & 1, (k >> 1) & 1, (k >> 2) & 1] for k in range(8)], np.float32)
#: Five faces wound counter-clockwise seen from outside: front, back, left, right, top.
_FACES = np.array([[0, 1, 5], [0, 5, 4], [3, 2, 6], [3, 6, 7], [2, 0, 4], [2, 4, 6],
                   [1, 3, 7], [1, 7, 5], [4, 5, 7], [4, 7, 6]], np.uint32)


@dataclass
class BoxMesh:
    """Vertex arrays of ``n`` boxes, ``VERTS_PER_BOX`` consecutive vertices per box."""

    positions: np.ndarray   # (n * 8, 3) float32, scene metres
    local: np.ndarray       # (n * 8, 3) float32, box-local 0..1
    frame: np.ndarray       # (n * 8, 4) float32: cos, sin of rotation; band height, depth
    faces: np.ndarray       # (n * 10, 3) uint32
    bounds: np.ndarray      # (n, 6) float64 axis-aligned x0, y0, z0, x1, y1, z1

    @property
    def n_boxes(self) -> int:
        return len(self.bounds)


def box_mesh(x_m, y_m, size_m, rotation_deg, z0_m=None, band_m: float = 0.12) -> BoxMesh:
    """Build ``n`` boxes centred at (x, y) with (width, depth, height) sizes."""
    x = np.asarray(x_m, dtype=float).reshape(-1)
    y = np.asarray(y_m, dtype=float).reshape(-1)
    n = len(x)
    size = np.asarray(size_m, dtype=float).reshape(n, 3)
    rot = np.asarray(rotation_deg, dtype=float).reshape(-1)
    z0 = np.zeros(n) if z0_m is None else np.broadcast_to(np.asarray(z0_m, float), (n,))
    a = np.radians(rot)
    cs, sn = np.round(np.cos(a), 12), np.round(np.sin(a), 12)
    lx = (_LOCAL[None, :, 0] - 0.5) * size[:, 0:1]          # (n, 8) box frame
    ly = (_LOCAL[None, :, 1] - 0.5) * size[:, 1:2]
    pz = _LOCAL[None, :, 2] * size[:, 2:3] + z0[:, None]
    px = cs[:, None] * lx - sn[:, None] * ly + x[:, None]
    py = sn[:, None] * lx + cs[:, None] * ly + y[:, None]
    positions = np.stack([px, py, pz], axis=-1).reshape(-1, 3).astype(np.float32)
    local = np.tile(_LOCAL, (n, 1))
    h = np.maximum(size[:, 2], 1e-6)
    d = np.maximum(size[:, 1], 1e-6)
    band_h = np.minimum(band_m, 0.12 * h) / h                 # fraction of the height
    band_d = np.minimum(band_m, 0.2 * d) / d                  # fraction of the depth
    frame = np.repeat(np.column_stack([cs, sn, band_h, band_d]).astype(np.float32),
                      VERTS_PER_BOX, axis=0)
    faces = (_FACES[None] + (np.arange(n, dtype=np.uint32) * VERTS_PER_BOX)[:, None, None]
             ).reshape(-1, 3)
    pts = positions.reshape(n, VERTS_PER_BOX, 3)
    bounds = np.concatenate([pts.min(axis=1), pts.max(axis=1)], axis=1).astype(float) \
        if n else np.empty((0, 6))
    return BoxMesh(positions, local, frame, faces, bounds)


#: Corner indices of the four side faces (front, back, left, right), as in ``_FACES``.
_SIDE_CORNERS = np.array([[0, 1, 5, 4], [3, 2, 6, 7], [2, 0, 4, 6], [1, 3, 7, 5]])


def _side_face_keys(mesh: BoxMesh) -> tuple[np.ndarray, np.ndarray]:
    """Per side face of every box: an integer key of its rectangle (plane axis, plane
    position, horizontal range, height, in mm) and the sign of its normal."""
    n = mesh.n_boxes
    pts = mesh.positions.reshape(n, VERTS_PER_BOX, 3).astype(float)
    quad = pts[:, _SIDE_CORNERS]                       # (n, 4, 4 corners, 3)
    lo, hi = quad.min(axis=2), quad.max(axis=2)        # (n, 4, 3)
    plane_x = (hi[..., 0] - lo[..., 0]) < 1e-5         # face in a plane x = const
    centre = pts.mean(axis=1)                          # (n, 3)
    mm = lambda a: np.round(a * 1000.0).astype(np.int64)  # noqa: E731
    axis = np.where(plane_x, 0, 1)
    plane = np.where(plane_x, lo[..., 0], lo[..., 1])
    o_lo = np.where(plane_x, lo[..., 1], lo[..., 0])
    o_hi = np.where(plane_x, hi[..., 1], hi[..., 0])
    # one int64 per face: axis 1 bit, plane 18, start 18 (mm, offset so small negative
    # coordinates work), width 12, top 13; faces that do not fit get a unique key
    p = mm(plane) + 4096
    a = mm(o_lo) + 4096
    w = mm(o_hi) - mm(o_lo)
    top = mm(hi[..., 2])
    fits = ((p >= 0) & (p < 1 << 18) & (a >= 0) & (a < 1 << 18) & (w >= 0) & (w < 1 << 12)
            & (top >= 0) & (top < 1 << 13) & (np.abs(lo[..., 2]) < 1e-4))
    key = (axis.astype(np.int64) << 61) | (p << 43) | (a << 25) | (w << 13) | top
    unique = -1 - np.arange(key.size, dtype=np.int64).reshape(key.shape)
    keys = np.where(fits, key, unique).reshape(-1)
    c = np.where(plane_x, centre[:, None, 0], centre[:, None, 1])
    sign = np.where(plane > c, 1, -1).reshape(-1)
    return keys, sign


def visible_faces(meshes: list[BoxMesh]) -> list[np.ndarray]:
    """Each mesh's triangles without side faces that another box covers exactly (racks
    side by side in a row, a rear door on a rack's back). Software GL pays per triangle,
    so dropping them makes a 1,400-rack hall markedly cheaper to draw."""
    parts = [(_side_face_keys(m) if m.n_boxes else (np.zeros(0, np.int64), np.zeros(0, int)))
             for m in meshes]
    keys = np.concatenate([p[0] for p in parts])
    sign = np.concatenate([p[1] for p in parts])
    hidden = np.zeros(len(keys), bool)
    if len(keys):
        _, inv = np.unique(keys, return_inverse=True)
        inv = inv.reshape(-1)
        has_pos = np.zeros(inv.max() + 1, bool)
        has_neg = np.zeros(inv.max() + 1, bool)
        has_pos[inv[sign > 0]] = True
        has_neg[inv[sign < 0]] = True
        hidden = has_pos[inv] & has_neg[inv]
    out, start = [], 0
    for m in meshes:
        n = m.n_boxes
        h = hidden[start:start + 4 * n].reshape(n, 4)
        start += 4 * n
        keep = np.ones((n, TRIS_PER_BOX), bool)
        keep[:, 0:8] = ~np.repeat(h, 2, axis=1)
        out.append(m.faces[keep.reshape(-1)])
    return out


def vertex_colours(box_rgba: np.ndarray) -> np.ndarray:
    """(n * 8, 4) float32 vertex colours: each box's colour on its corners."""
    return np.repeat(np.asarray(box_rgba, dtype=np.float32).reshape(-1, 4), VERTS_PER_BOX,
                     axis=0)


def per_vertex(values: np.ndarray) -> np.ndarray:
    """Repeat one row per box to its vertices (float32)."""
    v = np.asarray(values, dtype=np.float32)
    return np.repeat(v, VERTS_PER_BOX, axis=0)


def ray_box_hits(origin, direction, bounds: np.ndarray) -> tuple[int, float]:
    """Index of the nearest axis-aligned box the ray enters at t >= 0 and its distance,
    or (-1, inf). Vectorised slab test over all boxes; ``bounds`` is (n, 6)."""
    if len(bounds) == 0:
        return -1, float("inf")
    o = np.asarray(origin, dtype=float)
    d = np.asarray(direction, dtype=float)
    d = np.where(np.abs(d) < 1e-12, 1e-12, d)
    inv = 1.0 / d
    t1 = (bounds[:, :3] - o) * inv
    t2 = (bounds[:, 3:] - o) * inv
    tmin = np.minimum(t1, t2).max(axis=1)
    tmax = np.maximum(t1, t2).min(axis=1)
    ok = (tmax >= np.maximum(tmin, 0.0))
    if not ok.any():
        return -1, float("inf")
    t_enter = np.where(ok, np.maximum(tmin, 0.0), np.inf)
    i = int(np.argmin(t_enter))
    return i, float(t_enter[i])


def union_bounds(bounds: np.ndarray) -> np.ndarray | None:
    """(6,) bounding box of a set of boxes, or None when empty."""
    if len(bounds) == 0:
        return None
    return np.concatenate([bounds[:, :3].min(axis=0), bounds[:, 3:].max(axis=0)])
