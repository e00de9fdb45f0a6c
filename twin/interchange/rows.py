"""Rack rows found from the geometry: racks with the same rotation whose centres share a
line and that stand side by side (a gap filled by an in-row cooler, CDU or tank on the
same line still joins them). Shared by the scene exports (USD, glTF), the DXF export and
the inventory import.

A row is named after the common prefix of its rack ids ("R01" for R01-01 … R01-24, "A"
for A01 … A08 and A-IB1) when every row gets a distinct prefix that way, otherwise the rows
are "Row 1", "Row 2", … numbered south to north, then west to east.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.model.layout import Layout

#: Centres within this distance across the row are on one line.
LINE_TOL_M = 0.1
#: Footprints closer than this along the row are adjacent (no gap between them).
GAP_TOL_M = 0.05
#: Characters that separate a row prefix from the rack number in an id.
SEPARATORS = "-_./: "
#: Equipment that may stand in a row between racks (its footprint fills the gap).
ROW_EQUIPMENT = ("cooling_units", "cdus", "tanks")


@dataclass(frozen=True)
class Row:
    """One row of racks: its name, rack indices (into ``layout.racks``) and ids in order
    along the row (west to east for a row along x, south to north along y), the racks'
    rotation, the axis the row runs along and its plan rectangle x0, y0, x1, y1."""

    name: str
    racks: tuple[int, ...]
    ids: tuple[str, ...]
    rotation_deg: int
    axis: str
    bounds_m: tuple[float, float, float, float]

    def __len__(self) -> int:
        return len(self.racks)

    @property
    def title(self) -> str:
        """The name as labelled in the views: 'A' -> 'Row A'; 'R01' and 'Row 3' as they are."""
        n = self.name
        return n if n.lower().startswith("row") or len(n) > 2 else f"Row {n}"


def rack_rows(layout: Layout) -> list[Row]:
    """Every rack in exactly one row (a lone rack is a row of one), rows ordered south to
    north, then west to east."""
    r = layout.racks
    if len(r) == 0:
        return []
    bounds = layout.rack_bounds_m()
    rot = np.asarray(r["rotation_deg"], dtype=np.int64) % 360
    cx, cy = np.asarray(r["x_m"], float), np.asarray(r["y_m"], float)
    fill = _row_equipment_bounds(layout)
    segments: list[tuple[np.ndarray, int, str]] = []
    for value in np.unique(rot):
        members = np.flatnonzero(rot == value)
        along_x = (int(value) // 90) % 2 == 0   # fronts face south/north: row along x
        line = cy[members] if along_x else cx[members]
        pos = cx[members] if along_x else cy[members]
        order = np.lexsort((pos, line))
        members, line, pos = members[order], line[order], pos[order]
        breaks = np.flatnonzero(np.diff(line) > LINE_TOL_M) + 1
        for group in np.split(np.arange(len(members)), breaks):
            idx = members[group]
            idx = idx[np.argsort(pos[group], kind="stable")]
            for seg in _split_at_gaps(idx, bounds, along_x, float(np.median(line[group])), fill):
                segments.append((seg, int(value), "x" if along_x else "y"))
    rows_bounds = [(float(bounds[s, 0].min()), float(bounds[s, 1].min()),
                    float(bounds[s, 2].max()), float(bounds[s, 3].max())) for s, _r, _a in segments]
    order_rows = sorted(range(len(segments)),
                        key=lambda k: (round(rows_bounds[k][1], 3), round(rows_bounds[k][0], 3)))
    ids = r.ids
    seg_ids = [tuple(str(ids[i]) for i in segments[k][0]) for k in order_rows]
    names = _row_names(seg_ids)
    return [Row(names[n], tuple(int(i) for i in segments[k][0]), seg_ids[n], segments[k][1],
                segments[k][2], rows_bounds[k])
            for n, k in enumerate(order_rows)]


def _row_equipment_bounds(layout: Layout) -> np.ndarray:
    """(m, 4) plan rectangles of equipment standing on the floor (units in the hall, CDUs,
    tanks; rear doors hang on racks and do not count)."""
    out: list[tuple[float, float, float, float]] = []
    for coll in ROW_EQUIPMENT:
        items = [it for it in layout.items[coll].values()
                 if it.model in layout.catalogue
                 and getattr(it, "location", "hall") == "hall"
                 and not getattr(it, "rack", "")]
        out.extend(layout.item_bounds_m(coll, items).values())
    return np.array(out, dtype=float).reshape(-1, 4)


def _split_at_gaps(idx: np.ndarray, bounds: np.ndarray, along_x: bool, line_m: float,
                   fill: np.ndarray) -> list[np.ndarray]:
    """Racks ``idx`` (sorted along the row) cut where a gap between neighbours is wider
    than ``GAP_TOL_M`` and not filled by equipment standing across the row's line."""
    lo_col, hi_col = (0, 2) if along_x else (1, 3)
    lo, hi = bounds[idx, lo_col], bounds[idx, hi_col]
    across = (fill[:, 1], fill[:, 3]) if along_x else (fill[:, 0], fill[:, 2])
    on_line = (across[0] - GAP_TOL_M <= line_m) & (line_m <= across[1] + GAP_TOL_M)
    spans = fill[on_line][:, [lo_col, hi_col]]
    spans = spans[np.argsort(spans[:, 0])] if len(spans) else spans
    cuts = [k + 1 for k in range(len(idx) - 1)
            if lo[k + 1] - hi[k] > GAP_TOL_M and not _covered(spans, hi[k], lo[k + 1])]
    return [np.asarray(s) for s in np.split(idx, cuts)]


def _covered(spans: np.ndarray, a: float, b: float) -> bool:
    """Whether the intervals ``spans`` (sorted by start) cover [a, b] up to GAP_TOL_M."""
    reach = a + GAP_TOL_M
    for s0, s1 in spans:
        if s1 <= reach:
            continue
        if s0 > reach:
            break
        reach = s1 + GAP_TOL_M
        if reach >= b:
            return True
    return reach >= b


def id_prefix(ids: tuple[str, ...]) -> str:
    """The row name the rack ids share ("R01" for R01-01, R01-02; "A" for A01, A-IB1), or
    "" when they share none. A number is never cut in half: "R1" is not the prefix of R10
    and R11."""
    if not ids:
        return ""
    first = ids[0]
    n = len(first)
    for other in ids[1:]:
        n = min(n, len(other))
        k = 0
        while k < n and first[k] == other[k]:
            k += 1
        n = k
    prefix = first[:n]
    whole_number = (prefix[-1:].isdigit()
                    and all(len(i) > n and i[n] in SEPARATORS for i in ids))
    if not whole_number:
        prefix = prefix.rstrip("0123456789")
    prefix = prefix.rstrip(SEPARATORS)
    return prefix if any(c.isalnum() for c in prefix) else ""


def _row_names(seg_ids: list[tuple[str, ...]]) -> list[str]:
    """Common id prefixes when every row has its own, else "Row 1", "Row 2", …"""
    names = [id_prefix(ids) for ids in seg_ids]
    if all(names) and len(set(names)) == len(names):
        return names
    return [f"Row {k + 1}" for k in range(len(seg_ids))]
