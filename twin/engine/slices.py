"""Vertical air-temperature slices and the temperature iso-surface of a solved air field.

Qt-free; the GUI runs ``sections`` on a worker thread and draws what it returns in the 3-D
view (docs/physics.md §22). A vertical slice is the plane ``x = const`` (spanning y and
height) or ``y = const`` (spanning x and height), interpolated linearly between the two
nearest columns of cells, blocked cells (inside racks and units) given their nearest air
value as on the plan, and resampled bilinearly (``raster.smoothed``). The iso-surface is
the surface where the air is at a chosen temperature (default: the allowable limit of the
hall's ASHRAE class), extracted by marching tetrahedra: no extra dependency, conforming
(no cracks between cells), every vertex on a grid edge where the field crosses the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from twin.engine import raster
from twin.engine.layers import fill_blocked_cells
from twin.model.viewstate import colormap_rgba
from twin.physics.air.result import AirResult
from twin.physics.metrics import ASHRAE_ALLOWABLE_C

#: The plane of a vertical slice: ``x`` (x = const) or ``y`` (y = const).
AXES = ("x", "y")
#: Opacity of the vertical slices (the horizontal one uses ``live.SLICE_ALPHA``).
SLICE_ALPHA = 0.78


@dataclass(frozen=True)
class VerticalSlice:
    """Air temperatures (°C) on a vertical plane: ``temperature_c[row, col]``, row 0 at the
    floor; ``extent`` is (u0, z0, u1, z1) m, u along y for an ``x`` slice, along x for a
    ``y`` slice; ``rgba`` the image coloured on the scale asked for (uint8)."""

    axis: str
    position_m: float
    temperature_c: np.ndarray
    extent: tuple[float, float, float, float]
    rgba: np.ndarray

    @property
    def label(self) -> str:
        return f"{self.axis} = {self.position_m:.2f} m"


@dataclass(frozen=True)
class IsoSurface:
    """Triangles where the air is at ``value_c``: ``vertices_m`` (n, 3) x, y, z in metres,
    ``faces`` (m, 3) vertex indices wound so that the normal points to colder air,
    ``normals`` (n, 3) unit vertex normals (towards colder air)."""

    value_c: float
    vertices_m: np.ndarray
    faces: np.ndarray
    normals: np.ndarray

    @property
    def empty(self) -> bool:
        return len(self.faces) == 0


@dataclass(frozen=True)
class SectionRequest:
    """What to compute: slice positions (None: no slice), the iso-surface value (None: no
    surface) and the colour scale (low, high °C, colour map name)."""

    slice_x_m: float | None
    slice_y_m: float | None
    iso_c: float | None
    levels: tuple[float, float]
    colormap: str
    smooth: bool = True


@dataclass(frozen=True)
class Sections:
    """The slices and the iso-surface of one ``SectionRequest``."""

    slices: tuple[VerticalSlice, ...]
    iso: IsoSurface | None
    #: the air temperature range of the field (°C), to say why a surface is empty
    field_range_c: tuple[float, float]


def allowable_c(ashrae_class: str) -> float:
    """The default iso value: the allowable inlet maximum of ``ashrae_class`` (°C)."""
    cls = ashrae_class.upper() if ashrae_class.upper() in ASHRAE_ALLOWABLE_C else "A1"
    return float(ASHRAE_ALLOWABLE_C[cls][1])


def slice_span_m(air: AirResult, axis: str) -> tuple[float, float]:
    """(first, last) cell-centre position along ``axis``: where a slice can sit."""
    centres = air.x_m if axis == "x" else air.y_m
    return float(centres[0]), float(centres[-1])


def section_c(air: AirResult, axis: str, position_m: float) -> np.ndarray:
    """Air temperatures (nz, n) on the plane ``axis = position_m``, linear between the two
    nearest columns of cell centres (clamped to the first and last); a blocked cell
    borrows the other column, and cells blocked in both take their nearest air value."""
    if axis not in AXES:
        raise ValueError(f"slice axis must be one of {AXES}, not {axis!r}")
    t = air.temperature_c                       # (nz, ny, nx)
    field = t if axis == "y" else np.swapaxes(t, 1, 2)    # (nz, n_cut, n_along)
    centres = air.y_m if axis == "y" else air.x_m
    if len(centres) == 1:
        return fill_blocked_cells(field[:, 0].copy())
    p = float(np.clip(position_m, centres[0], centres[-1]))
    k = int(np.clip(np.searchsorted(centres, p) - 1, 0, len(centres) - 2))
    w = (p - centres[k]) / (centres[k + 1] - centres[k])
    lo, hi = field[:, k], field[:, k + 1]
    lo_f = np.where(np.isnan(lo), hi, lo)
    hi_f = np.where(np.isnan(hi), lo, hi)
    return fill_blocked_cells((1 - w) * lo_f + w * hi_f)


def vertical_slice(air: AirResult, axis: str, position_m: float,
                   levels: tuple[float, float], colormap: str, smooth: bool = True
                   ) -> VerticalSlice:
    """The slice ``axis = position_m`` coloured on ``levels`` / ``colormap``."""
    values = section_c(air, axis, position_m)
    img = raster.smoothed(values) if smooth else values
    g = air.grid
    along = g.ny if axis == "x" else g.nx
    extent = (0.0, 0.0, along * g.dx, g.nz * g.dz)
    rgba = colormap_rgba(img.ravel(), levels[0], levels[1], colormap)
    rgba[:, 3] = np.where(np.isfinite(img.ravel()), SLICE_ALPHA, 0.0)
    rgba8 = (np.clip(rgba, 0, 1) * 255).astype(np.uint8).reshape(*img.shape, 4)
    return VerticalSlice(axis, float(position_m), img, extent, rgba8)


# ---------------------------------------------------------------- iso-surface
#: corner c of a cell is at offset (dz, dy, dx) = (c >> 2 & 1, c >> 1 & 1, c & 1)
_CORNERS = np.array([((c >> 2) & 1, (c >> 1) & 1, c & 1) for c in range(8)])
#: six tetrahedra around the diagonal 0-7: neighbouring cells split their shared face
#: along the same diagonal, so the surface has no cracks
_TETS = np.array([(0, 7, 1, 3), (0, 7, 3, 2), (0, 7, 2, 6), (0, 7, 6, 4), (0, 7, 4, 5),
                  (0, 7, 5, 1)])


def _tet_table() -> list[list[tuple[tuple[int, int], ...]]]:
    """For each of the 16 inside/outside codes of a tetrahedron (bit p: vertex p is above
    the value), its triangles as three (inside vertex, outside vertex) edges."""
    table: list[list[tuple[tuple[int, int], ...]]] = []
    for code in range(16):
        ins = [p for p in range(4) if code >> p & 1]
        out = [p for p in range(4) if not code >> p & 1]
        if len(ins) == 1:
            table.append([tuple((ins[0], q) for q in out)])
        elif len(ins) == 3:
            table.append([tuple((p, out[0]) for p in ins)])
        elif len(ins) == 2:
            (a, b), (c, d) = ins, out
            table.append([((a, c), (a, d), (b, d)), ((a, c), (b, d), (b, c))])
        else:
            table.append([])
    return table


_TABLE = _tet_table()


def marching_tetrahedra(field: np.ndarray, value: float,
                        cancel: Callable[[], bool] | None = None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (n, 3) in index space (k, j, i) of ``field[k, j, i]`` and faces (m, 3) of
    the surface ``field == value`` (finite field). Faces are wound so that their normal
    (right-hand rule in (i, j, k)) points from above the value to below it."""
    f = np.asarray(field, float)
    if f.ndim != 3 or min(f.shape) < 2:
        return np.zeros((0, 3)), np.zeros((0, 3), np.int64)
    nz, ny, nx = f.shape
    above = f > value
    corner_above = [above[dz:nz - 1 + dz, dy:ny - 1 + dy, dx:nx - 1 + dx]
                    for dz, dy, dx in _CORNERS]
    n_above = np.sum(corner_above, axis=0)
    k, j, i = np.nonzero((n_above > 0) & (n_above < 8))          # cells the surface cuts
    if len(k) == 0:
        return np.zeros((0, 3)), np.zeros((0, 3), np.int64)
    ids = ((k[:, None] + _CORNERS[:, 0]) * ny + j[:, None] + _CORNERS[:, 1]) * nx \
        + i[:, None] + _CORNERS[:, 2]                             # (cells, 8) point ids
    flat_above = above.ravel()
    edges_in, edges_out = [], []
    for tet in _TETS:
        if cancel is not None and cancel():
            break
        tid = ids[:, tet]                                         # (cells, 4)
        code = (flat_above[tid] * (1 << np.arange(4))).sum(axis=1)
        for c in range(1, 15):
            rows = tid[code == c]
            if not len(rows):
                continue
            for tri in _TABLE[c]:
                edges_in.append(np.stack([rows[:, a] for a, _ in tri], axis=1))
                edges_out.append(np.stack([rows[:, b] for _, b in tri], axis=1))
    if not edges_in:
        return np.zeros((0, 3)), np.zeros((0, 3), np.int64)
    p_in = np.concatenate(edges_in)                               # (tris, 3) point ids
    p_out = np.concatenate(edges_out)
    # one vertex per grid edge: key of the (inside, outside) pair
    key = p_in.astype(np.int64) * f.size + p_out
    uniq, faces = np.unique(key.ravel(), return_inverse=True)
    a, b = uniq // f.size, uniq % f.size
    fa, fb = f.ravel()[a], f.ravel()[b]
    t = ((value - fa) / (fb - fa))[:, None]
    pa = np.stack(np.unravel_index(a, f.shape), axis=1).astype(float)
    pb = np.stack(np.unravel_index(b, f.shape), axis=1).astype(float)
    verts = pa + t * (pb - pa)
    faces = faces.reshape(-1, 3)
    # wind each triangle so its normal points from above the value to below
    v = verts[:, ::-1]                                            # (i, j, k)
    n = np.cross(v[faces[:, 1]] - v[faces[:, 0]], v[faces[:, 2]] - v[faces[:, 0]])
    down = (pb - pa)[faces[:, 0]][:, ::-1]
    flip = (n * down).sum(axis=1) < 0
    faces[flip] = faces[flip][:, [0, 2, 1]]
    keep = np.linalg.norm(n, axis=1) > 1e-12                      # drop slivers of zero area
    return verts, faces[keep]


def iso_surface(air: AirResult, value_c: float,
                cancel: Callable[[], bool] | None = None) -> IsoSurface:
    """The surface where the air is at ``value_c`` (°C), in metres. Blocked cells take the
    value of their nearest air cell first (as on the plan), so the surface does not stop
    at equipment; the racks drawn over it hide what runs inside them."""
    field = fill_blocked_cells(air.temperature_c)
    verts, faces = marching_tetrahedra(field, value_c, cancel)
    g = air.grid
    xyz = np.empty_like(verts)
    xyz[:, 0] = (verts[:, 2] + 0.5) * g.dx
    xyz[:, 1] = (verts[:, 1] + 0.5) * g.dx
    xyz[:, 2] = (verts[:, 0] + 0.5) * g.dz
    return IsoSurface(float(value_c), xyz.astype(np.float32), faces.astype(np.uint32),
                      vertex_normals(xyz, faces))


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Unit vertex normals: the area-weighted sum of the adjacent faces' normals."""
    normals = np.zeros_like(vertices, dtype=float)
    if len(faces):
        v = vertices[faces]
        fn = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
        for c in range(3):
            np.add.at(normals, faces[:, c], fn)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return (normals / np.maximum(length, 1e-12)).astype(np.float32)


def sections(air: AirResult, request: SectionRequest,
             cancel: Callable[[], bool] | None = None) -> Sections:
    """The vertical slices and iso-surface ``request`` asks for, from one air field."""
    slices = tuple(vertical_slice(air, axis, pos, request.levels, request.colormap,
                                  request.smooth)
                   for axis, pos in (("x", request.slice_x_m), ("y", request.slice_y_m))
                   if pos is not None)
    iso = iso_surface(air, request.iso_c, cancel) if request.iso_c is not None else None
    t = air.temperature_c
    finite = t[np.isfinite(t)]
    rng = (float(finite.min()), float(finite.max())) if finite.size else (np.nan, np.nan)
    return Sections(slices, iso, rng)
