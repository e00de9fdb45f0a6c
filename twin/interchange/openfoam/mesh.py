"""A structured hex mesh written straight to OpenFOAM's ``constant/polyMesh``.

The hall is a uniform ``nx × ny × nz`` block of hexes (cell sizes ``dx``, ``dy``,
``dz``); racks and units are removed cells, containment panels are baffles
(internal faces turned into a wall on both sides).  Every boundary face carries a
patch label: the caller marks device faces on :class:`FaceGrids` (one integer array
per face direction and per side the fluid is on), everything unmarked is ``walls``.

Cells are numbered in C order of (k, j, i) over the fluid cells, so the owner of an
internal face (the cell on its low side) always has the lower number and the faces
sorted by (owner, neighbour) are in OpenFOAM's upper-triangular order.  Output is
deterministic: the same inputs write the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .foamfile import header

__all__ = ["Block", "FaceGrids", "PolyMesh", "build_polymesh", "write_polymesh"]

WALLS = 0   # the label of unmarked boundary faces


@dataclass(frozen=True)
class Block:
    """The hexahedral block over the hall and its removed (solid) cells."""

    nx: int
    ny: int
    nz: int
    dx: float
    dy: float
    dz: float
    solid: np.ndarray          # (nz, ny, nx) bool

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.nz, self.ny, self.nx

    def face_shape(self, axis: int) -> tuple[int, int, int]:
        """Shape of the grid of faces normal to ``axis`` (0 x, 1 y, 2 z)."""
        s = list(self.shape)
        s[2 - axis] += 1
        return s[0], s[1], s[2]

    def face_area(self, axis: int) -> float:
        return (self.dy * self.dz, self.dx * self.dz, self.dx * self.dy)[axis]


class FaceGrids:
    """Per face direction: a label for boundary faces with the fluid on their low side
    (outward normal +axis, ``side=0``) and on their high side (``side=1``), baffles, and
    the air speed into the domain (m/s; negative out of it) and temperature (K) of
    each face.  ``label[axis][side]`` is shaped like the face grid of ``axis``."""

    def __init__(self, block: Block) -> None:
        self.block = block
        shapes = [block.face_shape(a) for a in range(3)]
        self.label = [[np.zeros(s, np.int32) for _ in range(2)] for s in shapes]
        self.speed = [[np.zeros(s) for _ in range(2)] for s in shapes]
        self.temp = [[np.zeros(s) for _ in range(2)] for s in shapes]
        self.baffle = [np.zeros(s, bool) for s in shapes]

    def fluid_side(self, axis: int) -> tuple[np.ndarray, np.ndarray]:
        """(fluid on low side, fluid on high side) of every face normal to ``axis``:
        padded so the domain boundary counts as solid."""
        ax = 2 - axis
        pad = [(0, 0)] * 3
        pad[ax] = (1, 1)
        fluid = np.pad(~self.block.solid, pad, constant_values=False)
        n = self.block.shape[ax]
        lo = np.take(fluid, np.arange(0, n + 1), axis=ax)
        hi = np.take(fluid, np.arange(1, n + 2), axis=ax)
        return lo, hi

    def boundary(self, axis: int, side: int) -> np.ndarray:
        """Boundary faces of ``axis`` with the fluid on ``side`` (baffles included)."""
        lo, hi = self.fluid_side(axis)
        if side == 0:
            return lo & (~hi | self.baffle[axis])
        return hi & (~lo | self.baffle[axis])


@dataclass(frozen=True)
class PolyMesh:
    points: np.ndarray         # (n_points, 3)
    faces: np.ndarray          # (n_faces, 4) point indices
    owner: np.ndarray          # (n_faces,)
    neighbour: np.ndarray      # (n_internal,)
    patches: list              # [(name, type, n_faces)] in face order
    face_label: np.ndarray     # (n_boundary,) patch label of each boundary face
    face_speed: np.ndarray     # (n_boundary,) m/s into the domain
    face_temp: np.ndarray      # (n_boundary,) K
    face_axis: np.ndarray      # (n_boundary,) signed axis of the outward normal: ±1, ±2, ±3
    face_k: np.ndarray         # (n_boundary,) layer index of the face (z faces: plane index)
    n_cells: int

    @property
    def n_internal(self) -> int:
        return len(self.neighbour)


def build_polymesh(grids: FaceGrids, names: list[str], types: list[str]) -> PolyMesh:
    """Faces, owners and patches of the block; ``names[l]``/``types[l]`` name label ``l``
    (label 0 is the walls, written last)."""
    b = grids.block
    nx, ny = b.nx, b.ny
    cid = -np.ones(b.shape, np.int64)
    cid[~b.solid] = np.arange(int((~b.solid).sum()))

    def pid(i, j, k):
        return (k * (ny + 1) + j) * (nx + 1) + i

    int_o, int_n, int_p = [], [], []
    bnd: list[tuple] = []
    for axis in range(3):
        ax = 2 - axis
        pad = [(0, 0)] * 3
        pad[ax] = (1, 1)
        cidp = np.pad(cid, pad, constant_values=-1)
        n_ax = b.shape[ax]
        c_lo = np.take(cidp, np.arange(0, n_ax + 1), axis=ax)
        c_hi = np.take(cidp, np.arange(1, n_ax + 2), axis=ax)
        K, J, I = np.meshgrid(*[np.arange(s) for s in b.face_shape(axis)], indexing="ij")
        if axis == 0:
            pts = [pid(I, J, K), pid(I, J + 1, K), pid(I, J + 1, K + 1), pid(I, J, K + 1)]
        elif axis == 1:
            pts = [pid(I, J, K), pid(I, J, K + 1), pid(I + 1, J, K + 1), pid(I + 1, J, K)]
        else:
            pts = [pid(I, J, K), pid(I + 1, J, K), pid(I + 1, J + 1, K), pid(I, J + 1, K)]
        P = np.stack(pts, -1)                       # points in +axis orientation
        inner = (c_lo >= 0) & (c_hi >= 0) & ~grids.baffle[axis]
        int_o.append(c_lo[inner]); int_n.append(c_hi[inner]); int_p.append(P[inner])
        for side, cells, flip, sign in ((0, c_lo, False, +1), (1, c_hi, True, -1)):
            m = grids.boundary(axis, side)
            p = P[m][:, ::-1] if flip else P[m]
            bnd.append((grids.label[axis][side][m], p, cells[m], grids.speed[axis][side][m],
                        grids.temp[axis][side][m], np.full(int(m.sum()), sign * (axis + 1)), K[m]))
    io, ineigh, ip = (np.concatenate(a) for a in (int_o, int_n, int_p))
    order = np.lexsort((ineigh, io))
    io, ineigh, ip = io[order], ineigh[order], ip[order]
    lab, bp, bcell, bspeed, btemp, baxis, bk = (np.concatenate([t[i] for t in bnd]) for i in range(7))
    # patches in label order 1, 2, …, then the walls (label 0)
    rank = np.where(lab == WALLS, len(names), lab)
    order = np.argsort(rank, kind="stable")
    lab, bp, bcell, bspeed, btemp, baxis, bk = (a[order] for a in (lab, bp, bcell, bspeed, btemp, baxis, bk))
    counts = np.bincount(lab, minlength=len(names))
    patches = [(names[n], types[n], int(counts[n])) for n in list(range(1, len(names))) + [WALLS]]
    allp = np.concatenate([ip, bp])
    used, inv = np.unique(allp, return_inverse=True)
    k, rem = np.divmod(used, (ny + 1) * (nx + 1))
    j, i = np.divmod(rem, nx + 1)
    points = np.stack([i * b.dx, j * b.dy, k * b.dz], 1)
    return PolyMesh(points, inv.reshape(-1, 4), np.concatenate([io, bcell]), ineigh, patches,
                    lab, bspeed, btemp, baxis, bk, int((~b.solid).sum()))


def _rows(fmt: str, arr: np.ndarray) -> str:
    return "\n".join(fmt % tuple(r) for r in arr.tolist())


def write_polymesh(case: Path, mesh: PolyMesh) -> None:
    """``constant/polyMesh/{points,faces,owner,neighbour,boundary}`` in ASCII."""
    d = case / "constant" / "polyMesh"
    d.mkdir(parents=True, exist_ok=True)
    loc = "constant/polyMesh"
    (d / "points").write_text(header("vectorField", loc, "points") + f"{len(mesh.points)}\n(\n"
                              + _rows("(%.9g %.9g %.9g)", mesh.points) + "\n)\n")
    (d / "faces").write_text(header("faceList", loc, "faces") + f"{len(mesh.faces)}\n(\n"
                             + _rows("4(%d %d %d %d)", mesh.faces) + "\n)\n")
    for name, arr in (("owner", mesh.owner), ("neighbour", mesh.neighbour)):
        note = (f"nPoints:{len(mesh.points)} nCells:{mesh.n_cells} nFaces:{len(mesh.faces)} "
                f"nInternalFaces:{mesh.n_internal}")
        (d / name).write_text(header("labelList", loc, name, note) + f"{len(arr)}\n(\n"
                              + "\n".join(map(str, arr.tolist())) + "\n)\n")
    start = mesh.n_internal
    body = f"{len(mesh.patches)}\n(\n"
    for name, typ, n in mesh.patches:
        body += f"    {name}\n    {{\n        type {typ};\n        nFaces {n};\n        startFace {start};\n    }}\n"
        start += n
    (d / "boundary").write_text(header("polyBoundaryMesh", loc, "boundary") + body + ")\n")
