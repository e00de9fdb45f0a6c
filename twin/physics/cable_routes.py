"""Cable routes over a graph of trays (docs/physics.md §23.2): pure functions on arrays.

Trays are straight runs in plan at a height. Where trays cross or one ends on another they
join; each tray is cut at its joints and into pieces of at most ``max_piece_m``, which are
the graph's edges. Shortest distances between all joints come from
``scipy.sparse.csgraph.shortest_path``. A rack attaches to the nearest point of the nearest
piece; a cable runs from its port (mid-height of the rack) up to the tray (the drop), along
the plan from the rack to the tray (the stub), over the trays, and down again; the slack
share is added to the whole. The fill of a piece is the cross-section of the cables on it
over the tray's usable cross-section.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import shortest_path

#: joints closer than this (m) are one joint
SNAP_M = 1e-3


@dataclass(frozen=True)
class TrayGraph:
    """Joints (nodes) and tray pieces (edges) with all-pairs shortest distances."""

    node_xy: np.ndarray        # (n, 2) plan position of every joint (m)
    edge_a: np.ndarray         # (e,) joint at the start of each piece
    edge_b: np.ndarray         # (e,) joint at the end
    edge_tray: np.ndarray      # (e,) index of the tray the piece belongs to
    edge_len_m: np.ndarray     # (e,)
    tray_elevation_m: np.ndarray   # (t,) underside of each tray above the floor
    tray_section_m2: np.ndarray    # (t,) usable cross-section (width x depth x fill limit)
    dist_m: np.ndarray         # (n, n) shortest distance between joints
    pred: np.ndarray           # (n, n) predecessor of j on the shortest path from i
    edge_of: np.ndarray        # (n, n) piece joining two joints, -1 if none

    @property
    def n_edges(self) -> int:
        return len(self.edge_a)

    def __getstate__(self) -> dict:
        """Pickled (to the GUI process) without the distance and piece tables: drawing a
        route needs only joints, pieces and predecessors; routing is done where built."""
        state = dict(self.__dict__)
        state["dist_m"] = state["edge_of"] = None
        return state


@dataclass(frozen=True)
class Attachment:
    """Where racks meet the trays: piece, position along it (0..1), plan stub and drop."""

    edge: np.ndarray
    t: np.ndarray
    stub_m: np.ndarray
    drop_m: np.ndarray


def build_graph(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray,
                elevation_m: np.ndarray, section_m2: np.ndarray,
                max_piece_m: float = 3.0) -> TrayGraph:
    """The tray graph of straight trays (x0, y0) -> (x1, y1)."""
    a = np.column_stack([x0, y0]).astype(float)
    b = np.column_stack([x1, y1]).astype(float)
    n_t = len(a)
    # positions along each tray (0..1) where it is cut: its ends, crossings, and where
    # another tray ends on it
    cuts: list[list[float]] = [[0.0, 1.0] for _ in range(n_t)]
    d = b - a
    for i in range(n_t):
        for j in range(i + 1, n_t):
            for ti, tj in _meetings(a[i], d[i], a[j], d[j]):
                cuts[i].append(ti)
                cuts[j].append(tj)
    points: list[np.ndarray] = []
    edges_t: list[int] = []
    for i in range(n_t):
        ts = np.unique(np.round(np.clip(cuts[i], 0.0, 1.0), 9))
        length = float(np.hypot(*d[i]))
        # pieces of at most max_piece_m between consecutive cuts
        fine = [ts[0]]
        for lo, hi in zip(ts[:-1], ts[1:]):
            n = max(1, int(np.ceil((hi - lo) * length / max_piece_m - 1e-9)))
            fine.extend(lo + (hi - lo) * np.arange(1, n + 1) / n)
        p = a[i] + np.outer(fine, d[i])
        points.append(p)
        edges_t.extend([i] * (len(p) - 1))
    allp = np.concatenate(points) if points else np.zeros((0, 2))
    key = np.round(allp / SNAP_M).astype(np.int64)
    _, first, node_of = np.unique(key, axis=0, return_index=True, return_inverse=True)
    node_of = node_of.ravel()
    node_xy = allp[first]
    starts = np.cumsum([0] + [len(p) for p in points])
    ea = np.concatenate([node_of[s:e - 1] for s, e in zip(starts[:-1], starts[1:])]) \
        if n_t else np.zeros(0, np.int64)
    eb = np.concatenate([node_of[s + 1:e] for s, e in zip(starts[:-1], starts[1:])]) \
        if n_t else np.zeros(0, np.int64)
    keep = ea != eb
    ea, eb = ea[keep], eb[keep]
    et = np.asarray(edges_t, dtype=np.int64)[keep]
    elen = np.hypot(*(node_xy[eb] - node_xy[ea]).T)
    n = len(node_xy)
    w = coo_matrix((elen, (ea, eb)), shape=(n, n)).tocsr()
    dist, pred = shortest_path(w, method="D", directed=False, return_predecessors=True)
    edge_of = np.full((n, n), -1, dtype=np.int64)
    edge_of[ea, eb] = np.arange(len(ea))
    edge_of[eb, ea] = np.arange(len(ea))
    return TrayGraph(node_xy, ea, eb, et, elen, np.asarray(elevation_m, float),
                     np.asarray(section_m2, float), dist, pred, edge_of)


def _meetings(pa, da, pb, db):
    """Positions (ta, tb) along two segments where they cross or touch."""
    den = da[0] * db[1] - da[1] * db[0]
    r = pb - pa
    len_a, len_b = np.hypot(*da), np.hypot(*db)
    tol_a, tol_b = SNAP_M / max(len_a, 1e-12), SNAP_M / max(len_b, 1e-12)
    if abs(den) > 1e-12:
        ta = (r[0] * db[1] - r[1] * db[0]) / den
        tb = (r[0] * da[1] - r[1] * da[0]) / den
        if -tol_a <= ta <= 1 + tol_a and -tol_b <= tb <= 1 + tol_b:
            return [(float(ta), float(tb))]
        return []
    # parallel: joined where an end of one lies on the other (collinear overlap)
    out = []
    for p, t_own, other_p, other_d, other_len in ((pb, 0.0, pa, da, len_a),
                                                  (pb + db, 1.0, pa, da, len_a)):
        t = float(np.dot(p - other_p, other_d) / max(other_len ** 2, 1e-24))
        q = other_p + t * other_d
        if -SNAP_M / max(other_len, 1e-12) <= t <= 1 + SNAP_M / max(other_len, 1e-12) \
                and np.hypot(*(p - q)) <= SNAP_M:
            out.append((t, t_own))
    return out


def attach(g: TrayGraph, x_m: np.ndarray, y_m: np.ndarray, port_height_m: np.ndarray
           ) -> Attachment:
    """Each point's nearest place on the trays; the drop from ``port_height_m`` up to the
    tray there (never negative)."""
    p = np.column_stack([x_m, y_m]).astype(float)
    a, b = g.node_xy[g.edge_a], g.node_xy[g.edge_b]
    d = b - a
    dd = np.maximum(np.einsum("ij,ij->i", d, d), 1e-24)
    t = np.clip(((p[:, None, :] - a[None]) * d[None]).sum(-1) / dd[None], 0.0, 1.0)
    q = a[None] + t[..., None] * d[None]
    dist = np.hypot(*(p[:, None, :] - q).transpose(2, 0, 1))
    e = np.argmin(dist, axis=1)
    rows = np.arange(len(p))
    elev = g.tray_elevation_m[g.edge_tray[e]]
    return Attachment(e, t[rows, e], dist[rows, e],
                      np.maximum(elev - np.asarray(port_height_m, float), 0.0))


def route(g: TrayGraph, ea: np.ndarray, ta: np.ndarray, eb: np.ndarray, tb: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shortest tray distance between attachment points (piece, position) pairs; also
    the joints the path leaves piece a from and enters piece b by (-1 on one piece)."""
    la, lb = g.edge_len_m[ea], g.edge_len_m[eb]
    ends_a = np.stack([g.edge_a[ea], g.edge_b[ea]], 1)          # (m, 2)
    ends_b = np.stack([g.edge_a[eb], g.edge_b[eb]], 1)
    off_a = np.stack([ta * la, (1 - ta) * la], 1)
    off_b = np.stack([tb * lb, (1 - tb) * lb], 1)
    total = (off_a[:, :, None] + g.dist_m[ends_a[:, :, None], ends_b[:, None, :]]
             + off_b[:, None, :])                                # (m, 2, 2)
    flat = total.reshape(len(ea), 4)
    best = np.argmin(flat, axis=1)
    rows = np.arange(len(ea))
    length = flat[rows, best]
    na, nb = ends_a[rows, best // 2], ends_b[rows, best % 2]
    same = ea == eb
    length = np.where(same, np.abs(ta - tb) * la, length)
    return length, np.where(same, -1, na), np.where(same, -1, nb)


def path_edges(g: TrayGraph, ea: np.ndarray, na: np.ndarray, nb: np.ndarray, eb: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """The pieces every route uses, as (route index, piece) pairs: its first and last
    piece and the pieces of the shortest path between the joints ``na`` and ``nb``."""
    m = len(ea)
    rows, pieces = [np.arange(m)], [ea]
    other = eb != ea
    rows.append(np.nonzero(other)[0])
    pieces.append(eb[other])
    walk = np.nonzero((na >= 0) & (na != nb))[0]
    src, cur = na[walk], nb[walk].copy()
    while len(walk):
        prev = g.pred[src, cur]
        ok = prev >= 0
        walk, src, cur, prev = walk[ok], src[ok], cur[ok], prev[ok]
        rows.append(walk)
        pieces.append(g.edge_of[prev, cur])
        cur = prev
        more = cur != src
        walk, src, cur = walk[more], src[more], cur[more]
    return np.concatenate(rows), np.concatenate(pieces)


def route_points(g: TrayGraph, ea: int, ta: float, na: int, nb: int, eb: int, tb: float
                 ) -> np.ndarray:
    """Plan polyline of one route (for drawing): attachment a, the joints, attachment b."""
    pa = g.node_xy[g.edge_a[ea]] + ta * (g.node_xy[g.edge_b[ea]] - g.node_xy[g.edge_a[ea]])
    pb = g.node_xy[g.edge_a[eb]] + tb * (g.node_xy[g.edge_b[eb]] - g.node_xy[g.edge_a[eb]])
    if na < 0:
        return np.array([pa, pb])
    nodes = [nb]
    while nodes[-1] != na and g.pred[na, nodes[-1]] >= 0:
        nodes.append(int(g.pred[na, nodes[-1]]))
    return np.vstack([pa, g.node_xy[nodes[::-1]], pb])


def fill(g: TrayGraph, rows: np.ndarray, pieces: np.ndarray, section_m2: np.ndarray
         ) -> np.ndarray:
    """Fill of every piece: cable cross-section on it (``section_m2[route]`` per route)
    over its tray's usable cross-section."""
    used = np.bincount(pieces, weights=section_m2[rows], minlength=g.n_edges)
    return used / g.tray_section_m2[g.edge_tray]
