"""How lengths meet the air grid's cells: one rounding rule for every edge and point.

A layout's positions are metres; the air model's boxes are whole cells.  Every edge
(rack footprints, containment panels, the closed half aisle at a row end) goes to its
nearest cell boundary with halves rounding up (:func:`snap`), and a point on a
boundary belongs to the cell above it (``Grid.cell_of``), so what is built and what is
sampled agree.  ``SNAP_TOLERANCE`` absorbs floating-point rounding of positions that
lie on a boundary or half-way between two.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SNAP_TOLERANCE", "snap"]

#: a point or edge within this fraction of a cell of a cell boundary counts as on it
#: (``2.1 / 0.6`` is 3.5000000000000004 in floating point, ``4.2 / 0.6`` 7.000000000000001)
SNAP_TOLERANCE = 1e-6


def snap(v, size: float) -> np.ndarray:
    """Nearest cell boundary (index) of the lengths ``v`` on cells of ``size``, halves
    rounding up.  One rule for every edge: a row of 0.6 m racks whose edges fall on half
    cells (racks centred on the boundaries of the hall grid's 0.6 m cells) shifts as a
    whole by half a cell, each rack on the cell its face samples find, and a containment
    drawn round the row shifts with it.  Round-half-to-even gave alternate racks one and
    two cells and could stop a containment one cell short of its row's end rack
    (docs/physics.md §2.1)."""
    return np.floor(np.asarray(v, float) / size + 0.5 + SNAP_TOLERANCE).astype(int)
