"""Camera presets of the 3-D view: the default view, plan from above, along the cold aisle
and isometric, each as a viewing angle and the box it frames (plain numpy, no vispy).

Angles are vispy turntable angles: azimuth 0 looks along +y (north) with x to the right,
so plan from above (elevation 90, azimuth 0) shows the floor as the plan view does;
azimuth -90 looks along +x, 90 along -x. "Along the cold aisle" finds the aisle between
two rows whose fronts face each other (a cold-aisle containment zone when there is one)
nearest the middle of the hall and looks down its length from eye height.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.interchange.rows import rack_rows
from twin.model.layout import Layout

#: Preset key -> (menu text, elevation, azimuth); the aisle's azimuth follows the aisle.
PRESETS: dict[str, tuple[str, float, float]] = {
    "default": ("Default View", 34.0, -28.0),
    "plan": ("Plan from Above", 90.0, 0.0),
    "aisle": ("Along the Cold Aisle", 11.0, -90.0),
    "iso": ("Isometric", 35.264, -45.0),
}
#: Width of the aisle in front of a row that faces no other row.
FRONT_AISLE_M = 1.2
#: Heights framed: the racks' (at most 3 m), not the ceiling's.
FRAME_HEIGHT_M = 3.0


@dataclass(frozen=True)
class Framing:
    """Elevation and azimuth in degrees and the (x0, y0, z0, x1, y1, z1) box to frame."""

    elevation: float
    azimuth: float
    box: tuple[float, float, float, float, float, float]
    margin: float = 0.04
    #: look at this point (and only zoom) instead of centring the box
    centre: tuple[float, float, float] | None = None


def _aisle_from_containment(layout: Layout) -> tuple[str, tuple[float, float, float, float]] | None:
    zones = [z for z in layout.items.get("containment", {}).values() if z.kind == "cold_aisle"]
    if not zones:
        return None
    w, length = layout.hall.width_m, layout.hall.length_m
    z = min(zones, key=lambda z: np.hypot((z.x0_m + z.x1_m) / 2 - w / 2,
                                          (z.y0_m + z.y1_m) / 2 - length / 2))
    rect = (min(z.x0_m, z.x1_m), min(z.y0_m, z.y1_m), max(z.x0_m, z.x1_m), max(z.y0_m, z.y1_m))
    return ("x" if rect[2] - rect[0] >= rect[3] - rect[1] else "y"), rect


def cold_aisle(layout: Layout) -> tuple[str, tuple[float, float, float, float]] | None:
    """(axis the aisle runs along, its plan rectangle x0, y0, x1, y1) of the cold aisle
    nearest the hall's middle (with no two rows facing each other: the aisle in front of
    the middle row), or None without racks."""
    found = _aisle_from_containment(layout)
    if found is not None:
        return found
    rows = rack_rows(layout)
    best, best_d = None, np.inf
    cx, cy = layout.hall.width_m / 2, layout.hall.length_m / 2
    for a in rows:
        ra = np.radians(a.rotation_deg)
        # front direction (sin r, -cos r): the row facing +y (or +x) and one facing back
        fa = (np.sin(ra), -np.cos(ra))
        k = 1 if a.axis == "x" else 0          # the coordinate across the row
        if fa[k] < 0.5:
            continue
        for b in rows:
            rb = np.radians(b.rotation_deg)
            if b.axis != a.axis or (np.sin(rb), -np.cos(rb))[k] > -0.5:
                continue
            lo, hi = a.bounds_m[k + 2], b.bounds_m[k]      # a's front, b's front
            j = 1 - k
            s0, s1 = max(a.bounds_m[j], b.bounds_m[j]), min(a.bounds_m[j + 2], b.bounds_m[j + 2])
            if hi <= lo or s1 <= s0 or hi - lo > 4.0:
                continue
            rect = (s0, lo, s1, hi) if k == 1 else (lo, s0, hi, s1)
            d = np.hypot((rect[0] + rect[2]) / 2 - cx, (rect[1] + rect[3]) / 2 - cy)
            if d < best_d:
                best, best_d = (a.axis, rect), d
    if best is None and rows:      # no facing rows: the aisle in front of the middle row
        row = min(rows, key=lambda r: np.hypot((r.bounds_m[0] + r.bounds_m[2]) / 2 - cx,
                                               (r.bounds_m[1] + r.bounds_m[3]) / 2 - cy))
        x0, y0, x1, y1 = row.bounds_m
        r = np.radians(row.rotation_deg)
        fx, fy = np.sin(r), -np.cos(r)
        if row.axis == "x":
            best = ("x", (x0, y1, x1, y1 + FRONT_AISLE_M) if fy > 0 else
                    (x0, y0 - FRONT_AISLE_M, x1, y0))
        else:
            best = ("y", (x1, y0, x1 + FRONT_AISLE_M, y1) if fx > 0 else
                    (x0 - FRONT_AISLE_M, y0, x0, y1))
    return best


def hall_box(layout: Layout) -> tuple[float, float, float, float, float, float]:
    h = layout.hall
    return (0.0, 0.0, 0.0, h.width_m, h.length_m, min(h.ceiling_height_m, FRAME_HEIGHT_M))


def framing(layout: Layout, preset: str) -> Framing:
    """The framing of ``preset`` (a key of ``PRESETS``) for ``layout``."""
    _label, elevation, azimuth = PRESETS[preset]
    box = hall_box(layout)
    if preset == "plan":
        return Framing(elevation, azimuth, (box[0], box[1], 0.0, box[3], box[4], 0.0), 0.03)
    if preset == "aisle":
        aisle = cold_aisle(layout)
        if aisle is None:
            return Framing(elevation, azimuth, box)
        axis, (x0, y0, x1, y1) = aisle
        depth = 1.2      # the racks either side (typical rack depth)
        centre = ((x0 + x1) / 2, (y0 + y1) / 2, 1.0)
        if axis == "x":
            return Framing(elevation, -90.0, (x0, y0 - depth, 0.0, x1, y1 + depth, 2.4), 0.02,
                           centre)
        return Framing(elevation, 0.0, (x0 - depth, y0, 0.0, x1 + depth, y1, 2.4), 0.02,
                       centre)
    return Framing(elevation, azimuth, box)


def legend_reserve(view_px, legend_px) -> dict[str, float]:
    """Room kept free for the legend in the top-right corner when framing: a strip on
    the right in a wide view, a band at the top in a narrow one (a 3-D view beside two
    docks at 1024 x 700 is taller than wide), whichever leaves the larger area."""
    w, h = float(view_px[0]), float(view_px[1])
    lw, lh = float(legend_px[0]), float(legend_px[1])
    if lw <= 0 or lh <= 0:
        return {}
    right = 0.6 * lw
    if (w - right) * h >= w * (h - lh):
        return {"reserve_right_px": right}
    return {"reserve_top_px": lh}
