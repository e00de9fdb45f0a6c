"""Marking codes of the 3-D view's boxes: which symbol the box shader draws on a kind.

The symbols follow the plan's glyphs (``twin.gui.plan.items``): a CRAH has a cross on its
top, an in-row cooler fins along its long side, a CDU a pump circle, an immersion tank an
inner border; network racks are hatched on top and rear-door heat exchangers show
louvres, so they stand out whatever the racks are coloured by.
"""

from __future__ import annotations

import numpy as np

from twin.model.layout import Layout

NONE, CRAH, INROW_Y, CDU, TANK, NETWORK, RDHX, INROW_X = 0, 1, 2, 3, 4, 5, 6, 7
_ITEM_CODES = {"crah": CRAH, "cdu": CDU, "tank": TANK, "rdhx": RDHX}


def is_network_rack(key: str, name: str, gpus: float) -> bool:
    """A rack model without GPUs whose key or name says network or switches."""
    text = f"{key} {name}".lower()
    return gpus <= 0 and ("network" in text or "switch" in text)


def rack_marks(layout: Layout) -> np.ndarray:
    """(n,) marking code of every rack (network racks hatched, others none)."""
    cat = layout.catalogue
    codes: dict[str, int] = {}
    for model in set(layout.racks["model"]):
        e = cat[model] if model in cat else None
        codes[model] = NETWORK if e is not None and is_network_rack(
            model, e.name, e.get("gpus")) else NONE
    return np.array([codes[m] for m in layout.racks["model"]], np.float32)


def item_marks(kinds: list[str], sizes_m: np.ndarray) -> np.ndarray:
    """(n,) marking codes of floor items from their catalogue kinds and (w, d, h) sizes
    (in-row cooler fins run along the longer side)."""
    out = np.zeros(len(kinds), np.float32)
    for k, kind in enumerate(kinds):
        if kind == "inrow":
            out[k] = INROW_Y if sizes_m[k][0] <= sizes_m[k][1] else INROW_X
        else:
            out[k] = _ITEM_CODES.get(kind, NONE)
    return out
