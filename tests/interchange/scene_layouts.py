"""Layouts for the scene-export tests: the GB200 pod as shipped, and a mixed room with
every kind of box (tiles, room units, a rear door, a gallery unit that is left out, an
immersion tank, a rack turned east and one with its own height)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from twin.io import load_layout
from twin.model import Layout
from twin.model.equipment import CoolingUnit, ImmersionTank

LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"


def pod() -> Layout:
    return load_layout(LAYOUTS / "gb200-pod.json")


def mixed_room() -> Layout:
    lay = load_layout(LAYOUTS / "small-room.json")
    lay.set_settings("hall", dataclasses.replace(lay.hall, ceiling_return=True))
    lay.add_item("cooling_units", CoolingUnit("RD-A02", "rdhx-55", 0.0, 0.0, rack="A02"))
    lay.add_item("cooling_units", CoolingUnit("CRAH-G1", "crah-150", 6.0, -2.0,
                                              location="gallery"))
    lay.add_item("tanks", ImmersionTank("TANK-1", "immersion-tank-100", 9.5, 8.5,
                                        rotation_deg=90))
    lay.set_rack_values(["B07"], "rotation_deg", 90)
    lay.set_rack_values(["B07"], "x_m", 9.0)
    lay.set_rack_values(["A01"], "height_m", 2.6)
    return lay


def expected_counts(lay: Layout) -> dict[str, int]:
    """Boxes per kind the exports must write for ``lay``."""
    cat = lay.catalogue
    units = list(lay.cooling_units.values())
    doors = [u for u in units if cat[u.model].kind == "rdhx" and u.rack]
    room = [u for u in units if u not in doors and u.location == "hall"]
    return {"floor": 1, "rack": len(lay.racks), "cooling_unit": len(room),
            "rear_door": len(doors), "cdu": len(lay.cdus), "tank": len(lay.tanks),
            "tile": len(lay.tiles)}


def rack_boxes_m(lay: Layout) -> dict[str, np.ndarray]:
    """Rack id -> x0, y0, z0, x1, y1, z1 from the layout's own footprint helpers."""
    b = lay.rack_bounds_m()
    h = lay.rack_sizes_m()[:, 2]
    return {str(rid): np.array([b[i, 0], b[i, 1], 0.0, b[i, 2], b[i, 3], h[i]])
            for i, rid in enumerate(lay.racks.ids)}
