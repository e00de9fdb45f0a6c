"""Colours of the 3-D view: theme, floor, walls, and a legend-friendly palette for items.

Item colours are chosen to stay apart from the rack colour maps (thermal blue->red,
power cream->red) and from each other; ``ITEM_KINDS`` gives the legend label of each
catalogue kind so the GUI and the in-canvas legend say the same thing.
"""

from __future__ import annotations


def hex_rgba(h: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    h = h.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, alpha)


#: Background gradient, top to bottom.
BACKGROUND_TOP = hex_rgba("#3b4654")
BACKGROUND_BOTTOM = hex_rgba("#151a21")
FLOOR = hex_rgba("#4a5461")
TILE_LINE = hex_rgba("#5d6876")
TILE_LINE_MAJOR = hex_rgba("#74808f")
WALL = hex_rgba("#c9d4e0", 0.10)
WALL_EDGE = hex_rgba("#aab6c4", 0.85)
#: Racks with no value (NaN or a stale colouring) are drawn in this grey.
RACK_NEUTRAL = hex_rgba("#9aa3ad")
#: Front band (air intake side) of racks.
FRONT_BAND = hex_rgba("#1c2229")
SELECT_EDGE = (1.0, 0.86, 0.25)
ALERT = hex_rgba("#ff2d2d")
OVERLAY_PANEL = (0.07, 0.09, 0.12, 0.80)
OVERLAY_BORDER = (0.45, 0.52, 0.60, 0.9)
OVERLAY_TEXT = (0.93, 0.95, 0.97, 1.0)
OVERLAY_TEXT_DIM = (0.72, 0.77, 0.83, 1.0)

#: Catalogue kind -> (legend label, colour).
ITEM_KINDS: dict[str, tuple[str, tuple[float, float, float, float]]] = {
    "crah": ("CRAH / air handler", hex_rgba("#5fb4c9")),
    "inrow": ("In-row cooler", hex_rgba("#8fd3e6")),
    "rdhx": ("Rear-door heat exchanger", hex_rgba("#7390a0")),
    "cdu": ("CDU", hex_rgba("#9a7fd6")),
    "tank": ("Immersion tank", hex_rgba("#3fb58f")),
}
OTHER_ITEM = ("Other equipment", hex_rgba("#b8b08d"))

#: Containment kind -> (legend label, translucent colour).
CONTAINMENT_KINDS: dict[str, tuple[str, tuple[float, float, float, float]]] = {
    "hot_aisle": ("Hot-aisle containment", hex_rgba("#ff8a50", 0.30)),
    "cold_aisle": ("Cold-aisle containment", hex_rgba("#5aa7ff", 0.30)),
}


def item_colour(kind: str) -> tuple[float, float, float, float]:
    return ITEM_KINDS.get(kind, OTHER_ITEM)[1]


def item_label(kind: str) -> str:
    return ITEM_KINDS.get(kind, OTHER_ITEM)[0]
