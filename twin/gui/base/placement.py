"""Placing new equipment from the catalogue: which collection, a fresh id, a free spot.

Used by the equipment palette (double-click adds at a free spot) and by drops on the plan
(``add_from_catalogue(editor, key, (x, y))``). Positions are footprint centres in metres.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from twin.model import Cdu, CoolingUnit, ImmersionTank, Layout, PowerComponent
from twin.model.catalogue import COOLING_KINDS, POWER_KINDS, RACK_KINDS

#: Mime type of a catalogue drag; the payload is the UTF-8 catalogue key.
CATALOGUE_MIME = "application/x-twin-catalogue"

#: Catalogue kind -> (model collection, id prefix).
KIND_TARGETS: dict[str, tuple[str, str]] = {
    **{k: ("racks", "R") for k in RACK_KINDS},
    **{k: ("cooling_units", k.upper()) for k in COOLING_KINDS},
    "cdu": ("cdus", "CDU"),
    "tank": ("tanks", "TANK"),
    **{k: ("power", k.upper()) for k in POWER_KINDS},
}


def target_of(layout: Layout, key: str) -> str:
    """The collection a catalogue entry goes to ('racks', 'cooling_units', ...)."""
    return KIND_TARGETS[layout.catalogue[key].kind][0]


def is_placeable(layout: Layout, key: str) -> bool:
    """True for equipment with a plan position (not power-chain stages)."""
    return key in layout.catalogue and target_of(layout, key) != "power"


def occupied_bounds(layout: Layout) -> np.ndarray:
    """(n, 4) plan rectangles of racks, cooling units, CDUs and tanks."""
    parts = [layout.rack_bounds_m()]
    for coll in ("cooling_units", "cdus", "tanks"):
        b = layout.item_bounds_m(coll)
        if b:
            parts.append(np.array(list(b.values()), dtype=float))
    parts = [p for p in parts if len(p)]
    return np.concatenate(parts) if parts else np.empty((0, 4))


def free_spot(layout: Layout, key: str, rotation_deg: int = 0,
              near: tuple[float, float] | None = None) -> tuple[float, float]:
    """A footprint centre on the tile grid where ``key`` overlaps nothing, one tile in from
    the walls; the spot nearest ``near`` (default: the south-west corner). Falls back to
    the hall centre when the floor is full."""
    hall = layout.hall
    pitch = hall.tile_pitch_m
    entry = layout.catalogue[key]
    w, d = entry.get("width_m", 0.6), entry.get("depth_m", 1.2)
    if rotation_deg % 180 == 90:
        w, d = d, w
    nx, ny = int(hall.width_m // pitch), int(hall.length_m // pitch)
    cw, cd = max(1, math.ceil(w / pitch - 1e-9)), max(1, math.ceil(d / pitch - 1e-9))
    if nx < cw + 2 or ny < cd + 2:
        return hall.width_m / 2, hall.length_m / 2
    occ = np.zeros((ny, nx), dtype=np.int32)
    for x0, y0, x1, y1 in occupied_bounds(layout):
        i0, i1 = int(math.floor(x0 / pitch + 1e-6)), int(math.ceil(x1 / pitch - 1e-6))
        j0, j1 = int(math.floor(y0 / pitch + 1e-6)), int(math.ceil(y1 / pitch - 1e-6))
        occ[max(j0, 0):max(j1, 0), max(i0, 0):max(i1, 0)] = 1
    occ[0, :] = occ[-1, :] = 1   # keep one tile clear along the walls
    occ[:, 0] = occ[:, -1] = 1
    integral = np.zeros((ny + 1, nx + 1), dtype=np.int64)
    integral[1:, 1:] = occ.cumsum(0).cumsum(1)
    window = (integral[cd:, cw:] - integral[:-cd, cw:] - integral[cd:, :-cw]
              + integral[:-cd, :-cw])
    free = np.argwhere(window == 0)          # rows j, cols i of the window's corner cell
    if not len(free):
        return hall.width_m / 2, hall.length_m / 2
    cx = free[:, 1] * pitch + w / 2
    cy = free[:, 0] * pitch + d / 2
    tx, ty = near if near is not None else (0.0, 0.0)
    k = int(np.argmin((cx - tx) ** 2 + (cy - ty) ** 2))
    return round(float(cx[k]), 6), round(float(cy[k]), 6)


def new_equipment(layout: Layout, key: str, position: tuple[float, float] | None = None,
                  rotation_deg: int = 0) -> tuple[str, Any]:
    """(collection, rack record or item) for catalogue ``key`` with a fresh id; placed at
    ``position`` or at a free spot."""
    entry = layout.catalogue[key]
    coll, prefix = KIND_TARGETS[entry.kind]
    new_id = layout.new_id(prefix)
    if coll == "power":
        return coll, PowerComponent(id=new_id, kind=entry.kind, model=key)
    x, y = position if position is not None else free_spot(layout, key, rotation_deg)
    x, y = float(x), float(y)
    if coll == "racks":
        return coll, {"id": new_id, "name": new_id, "model": key, "x_m": x, "y_m": y,
                      "rotation_deg": int(rotation_deg), "workload": "", "feed_a": "",
                      "feed_b": "", "cdu": ""}
    if coll == "cooling_units":
        return coll, CoolingUnit(id=new_id, model=key, x_m=x, y_m=y, rotation_deg=rotation_deg)
    if coll == "cdus":
        return coll, Cdu(id=new_id, model=key, x_m=x, y_m=y, rotation_deg=rotation_deg)
    return coll, ImmersionTank(id=new_id, model=key, x_m=x, y_m=y, rotation_deg=rotation_deg)


def add_from_catalogue(editor, key: str, position: tuple[float, float] | None = None,
                       rotation_deg: int = 0) -> str:
    """Add one piece of equipment through the undoable ``Editor``; returns its id."""
    coll, obj = new_equipment(editor.layout, key, position, rotation_deg)
    name = editor.layout.catalogue[key].name
    if coll == "racks":
        editor.add_racks([obj], text=f"Add {name}")
        return obj["id"]
    editor.add_item(coll, obj, text=f"Add {name}")
    return obj.id
