"""Batched box geometry and ray picking in plain numpy (no vispy, no Qt).

Every rack or floor item is a box standing on the floor with a footprint rotated by
0/90/180/270 degrees. A box is drawn as seven quads (28 vertices, 14 triangles): the
front face and the top face are each split in two so that a band along the top of the
front face and along the front edge of the top face can be drawn darker. That band shows
which way a rack faces (its air intake) from any viewing angle, without overlapping
geometry that could z-fight. The bottom face is never visible and is omitted.

Rotation 0 means the front faces -y (south), as in ``twin.model.geometry``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

QUADS_PER_BOX = 7
VERTS_PER_BOX = 4 * QUADS_PER_BOX
TRIS_PER_BOX = 2 * QUADS_PER_BOX
#: Quads (in build order) that form the front band: front-face band, top-face band.
BAND_QUADS = (1, 3)

_UV = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]], dtype=np.float32)
_QUAD_NORMALS = np.array([[0, -1, 0], [0, -1, 0], [0, 0, 1], [0, 0, 1],
                          [0, 1, 0], [-1, 0, 0], [1, 0, 0]], dtype=np.float64)


@dataclass
class BoxMesh:
    """Vertex arrays of ``n`` boxes, ``VERTS_PER_BOX`` consecutive vertices per box."""

    positions: np.ndarray   # (n * 28, 3) float32
    normals: np.ndarray     # (n * 28, 3) float32
    uv: np.ndarray          # (n * 28, 2) float32, 0..1 across each quad (for edge lines)
    faces: np.ndarray       # (n * 14, 3) uint32
    bounds: np.ndarray      # (n, 6) float64 axis-aligned x0, y0, z0, x1, y1, z1

    @property
    def n_boxes(self) -> int:
        return len(self.bounds)


def _band(size: np.ndarray, fraction: float, cap_m: float) -> np.ndarray:
    return np.minimum(cap_m, fraction * size)


def box_mesh(x_m, y_m, size_m, rotation_deg, z0_m=None, band_m: float = 0.12) -> BoxMesh:
    """Build the quads of ``n`` boxes centred at (x, y) with (width, depth, height) sizes."""
    x = np.asarray(x_m, dtype=float).reshape(-1)
    y = np.asarray(y_m, dtype=float).reshape(-1)
    n = len(x)
    size = np.asarray(size_m, dtype=float).reshape(n, 3)
    rot = np.asarray(rotation_deg, dtype=float).reshape(-1)
    z0 = np.zeros(n) if z0_m is None else np.broadcast_to(np.asarray(z0_m, float), (n,))
    W, D, H = size[:, 0] / 2, size[:, 1] / 2, size[:, 2]
    hb = _band(H, 0.12, band_m)          # front band height
    tb = _band(2 * D, 0.2, band_m)       # top band depth
    zero = np.zeros(n)
    # corners (n, 7, 4, 3) in the box frame: x across, y front(-)..back(+), z up from 0
    c = np.empty((n, QUADS_PER_BOX, 4, 3))

    def quad(k, xs, ys, zs):
        for j in range(4):
            c[:, k, j, 0], c[:, k, j, 1], c[:, k, j, 2] = xs[j], ys[j], zs[j]

    hm = H - hb
    yt = -D + tb
    quad(0, (-W, W, W, -W), (-D, -D, -D, -D), (zero, zero, hm, hm))          # front main
    quad(1, (-W, W, W, -W), (-D, -D, -D, -D), (hm, hm, H, H))                # front band
    quad(2, (-W, W, W, -W), (yt, yt, D, D), (H, H, H, H))                    # top main
    quad(3, (-W, W, W, -W), (-D, -D, yt, yt), (H, H, H, H))                  # top band
    quad(4, (W, -W, -W, W), (D, D, D, D), (zero, zero, H, H))                # back
    quad(5, (-W, -W, -W, -W), (D, -D, -D, D), (zero, zero, H, H))            # left
    quad(6, (W, W, W, W), (-D, D, D, -D), (zero, zero, H, H))                # right
    a = np.radians(rot)
    cs, sn = np.round(np.cos(a), 12), np.round(np.sin(a), 12)
    px = cs[:, None, None] * c[..., 0] - sn[:, None, None] * c[..., 1] + x[:, None, None]
    py = sn[:, None, None] * c[..., 0] + cs[:, None, None] * c[..., 1] + y[:, None, None]
    pz = c[..., 2] + z0[:, None, None]
    positions = np.stack([px, py, pz], axis=-1).reshape(-1, 3).astype(np.float32)
    nl = np.broadcast_to(_QUAD_NORMALS, (n, QUADS_PER_BOX, 3))
    nx = cs[:, None] * nl[..., 0] - sn[:, None] * nl[..., 1]
    ny = sn[:, None] * nl[..., 0] + cs[:, None] * nl[..., 1]
    normals = np.stack([nx, ny, nl[..., 2]], axis=-1)
    normals = np.repeat(normals, 4, axis=1).reshape(-1, 3).astype(np.float32)
    uv = np.tile(_UV, (n * QUADS_PER_BOX, 1))
    base = (np.arange(n * QUADS_PER_BOX, dtype=np.uint32) * 4)[:, None]
    faces = np.concatenate([base + np.array([0, 1, 2], np.uint32),
                            base + np.array([0, 2, 3], np.uint32)], axis=1).reshape(-1, 3)
    pts = positions.reshape(n, VERTS_PER_BOX, 3)
    bounds = np.concatenate([pts.min(axis=1), pts.max(axis=1)], axis=1).astype(float) \
        if n else np.empty((0, 6))
    return BoxMesh(positions, normals, uv, faces, bounds)


def band_mask(n: int) -> np.ndarray:
    """(n * 28,) bool: vertices that belong to the front band."""
    per_box = np.zeros((QUADS_PER_BOX, 4), dtype=bool)
    per_box[list(BAND_QUADS)] = True
    return np.tile(per_box.reshape(-1), n)


def vertex_colours(box_rgba: np.ndarray, band_shade: float = 0.32,
                   band_rgba: np.ndarray | None = None) -> np.ndarray:
    """(n * 28, 4) float32 vertex colours: each box's colour, darker on the front band."""
    rgba = np.asarray(box_rgba, dtype=np.float32).reshape(-1, 4)
    n = len(rgba)
    out = np.empty((n, QUADS_PER_BOX, 4, 4), dtype=np.float32)
    out[:] = rgba[:, None, None, :]
    if band_rgba is None:
        band = rgba.copy()
        band[:, :3] *= band_shade
        out[:, list(BAND_QUADS)] = band[:, None, None, :]
    else:
        out[:, list(BAND_QUADS)] = np.asarray(band_rgba, dtype=np.float32)
    return out.reshape(-1, 4)


def per_vertex(values: np.ndarray) -> np.ndarray:
    """Repeat one row per box to its 28 vertices (float32)."""
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
