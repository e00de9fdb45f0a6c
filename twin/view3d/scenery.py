"""Static scenery as plain arrays: floor, tile grid, walls, containment panels.

Each function returns what one vispy visual needs (vertices, faces and colours for a
mesh; segment end points and colours for a line set), so the canvas draws the whole
floor grid as one line visual and all walls as one translucent mesh.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from twin.view3d import palette


def floor_mesh(width_m: float, length_m: float, margin_m: float = 0.0):
    """(vertices (4, 3), faces (2, 3)) of the floor rectangle just below z = 0."""
    x0, y0, x1, y1 = -margin_m, -margin_m, width_m + margin_m, length_m + margin_m
    v = np.array([[x0, y0, -0.002], [x1, y0, -0.002], [x1, y1, -0.002], [x0, y1, -0.002]],
                 np.float32)
    return v, np.array([[0, 1, 2], [0, 2, 3]], np.uint32)


def tile_grid(width_m: float, length_m: float, pitch_m: float, major_every: int = 10):
    """(segments (2k, 3), colours (2k, 4)) of floor tile lines; every ``major_every``-th
    line is brighter so distances can be read off the floor."""
    pitch = max(float(pitch_m), 0.05)
    xs = np.arange(0.0, width_m + 1e-6, pitch)
    ys = np.arange(0.0, length_m + 1e-6, pitch)
    nx, ny = len(xs), len(ys)
    seg = np.zeros((2 * (nx + ny), 3), np.float32)
    seg[0:2 * nx:2, 0], seg[1:2 * nx:2, 0] = xs, xs
    seg[0:2 * nx:2, 1], seg[1:2 * nx:2, 1] = 0.0, length_m
    seg[2 * nx::2, 1], seg[2 * nx + 1::2, 1] = ys, ys
    seg[2 * nx::2, 0], seg[2 * nx + 1::2, 0] = 0.0, width_m
    seg[:, 2] = 0.001
    major = np.concatenate([np.arange(nx) % major_every == 0, np.arange(ny) % major_every == 0])
    col = np.where(major[:, None], palette.TILE_LINE_MAJOR, palette.TILE_LINE)
    return seg, np.repeat(col, 2, axis=0).astype(np.float32)


def _quad_faces(n_quads: int) -> np.ndarray:
    base = (np.arange(n_quads, dtype=np.uint32) * 4)[:, None]
    return np.concatenate([base + np.array([0, 1, 2], np.uint32),
                           base + np.array([0, 2, 3], np.uint32)], axis=1).reshape(-1, 3)


def wall_mesh(width_m: float, length_m: float, height_m: float):
    """(vertices, faces) of the four hall walls as quads wound to face into the hall, so
    back-face culling hides the walls nearest the camera (a cut-away room) and saves
    their fill on software GL."""
    W, L, H = width_m, length_m, height_m
    v = np.array([[0, 0, 0], [W, 0, 0], [W, 0, H], [0, 0, H],
                  [W, 0, 0], [W, L, 0], [W, L, H], [W, 0, H],
                  [W, L, 0], [0, L, 0], [0, L, H], [W, L, H],
                  [0, L, 0], [0, 0, 0], [0, 0, H], [0, L, H]], np.float32)
    return v, _quad_faces(4)[:, ::-1].copy()


#: Height of the walls nearest the camera in the cut-away, metres.
KERB_M = 0.3


def wall_edges(width_m: float, length_m: float, height_m: float,
               low: list[int] | tuple[int, ...] = ()) -> np.ndarray:
    """(n, 3) segment end points: the floor outline, each wall's top edge (at ``KERB_M``
    for the walls in ``low``: 0 south, 1 east, 2 north, 3 west) and the corner posts up
    to the lower of their two walls."""
    W, L = width_m, length_m
    c = [(0, 0), (W, 0), (W, L), (0, L)]
    top = [KERB_M if k in low else height_m for k in range(4)]
    seg = []
    for k in range(4):
        (xa, ya), (xb, yb) = c[k], c[(k + 1) % 4]
        seg += [(xa, ya, 0.003), (xb, yb, 0.003), (xa, ya, top[k]), (xb, yb, top[k])]
        post = min(top[k], top[k - 1])          # corner k joins walls k - 1 and k
        seg += [(xa, ya, 0.003), (xa, ya, post)]
    return np.array(seg, np.float32)


def containment_panels(items: Iterable, highlight: Iterable[str] = ()):
    """(vertices, faces, colours, edge segments) of containment: a roof at ``height_m``
    and end doors at the two short ends of each rectangle (the racks form the sides)."""
    hl = set(highlight)
    verts, cols, edges = [], [], []
    for it in items:
        label, colour = palette.CONTAINMENT_KINDS.get(it.kind, ("", (0.8, 0.8, 0.8, 0.2)))
        colour = np.array(colour, np.float32)
        if it.id in hl:
            colour = np.minimum(colour * np.array([1.25, 1.25, 1.25, 2.2], np.float32), 1.0)
        x0, y0, x1, y1, h = it.x0_m, it.y0_m, it.x1_m, it.y1_m, it.height_m
        quads = []
        roof_colour = colour * np.array([1, 1, 1, 0.6], np.float32)
        if it.roof:
            quads.append([(x0, y0, h), (x1, y0, h), (x1, y1, h), (x0, y1, h)])
        if it.end_doors:
            if (x1 - x0) >= (y1 - y0):       # long along x: doors at x0 and x1
                quads.append([(x0, y0, 0), (x0, y1, 0), (x0, y1, h), (x0, y0, h)])
                quads.append([(x1, y0, 0), (x1, y1, 0), (x1, y1, h), (x1, y0, h)])
            else:
                quads.append([(x0, y0, 0), (x1, y0, 0), (x1, y0, h), (x0, y0, h)])
                quads.append([(x0, y1, 0), (x1, y1, 0), (x1, y1, h), (x0, y1, h)])
        for k, q in enumerate(quads):
            verts.extend(q)
            cols.extend([roof_colour if (it.roof and k == 0) else colour] * 4)
            for k in range(4):
                edges += [q[k], q[(k + 1) % 4]]
    if not verts:
        return (np.zeros((0, 3), np.float32), np.zeros((0, 3), np.uint32),
                np.zeros((0, 4), np.float32), np.zeros((0, 3), np.float32))
    v = np.array(verts, np.float32)
    return v, _quad_faces(len(v) // 4), np.array(cols, np.float32), np.array(edges, np.float32)


def containment_bounds(items: Iterable) -> tuple[list[str], np.ndarray]:
    """Ids and (n, 6) boxes of containment volumes, for picking."""
    ids, b = [], []
    for it in items:
        ids.append(it.id)
        b.append((min(it.x0_m, it.x1_m), min(it.y0_m, it.y1_m), 0.0,
                  max(it.x0_m, it.x1_m), max(it.y0_m, it.y1_m), it.height_m))
    return ids, np.array(b, float).reshape(-1, 6)
