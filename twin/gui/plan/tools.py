"""The plan's editing rules as plain functions (Qt-free): where a dragged footprint snaps
on the tile grid, and what the status bar says after a move."""

from __future__ import annotations

from typing import Iterable

from twin.model import units


def snap_axis(start_m: float, size_m: float, delta_m: float, pitch_m: float,
              relative: bool = True) -> float:
    """Snapped offset along one axis for a footprint starting at ``start_m``.

    Candidates: the footprint edge on a tile line, the footprint centre on a tile line
    (both conventions occur in real layouts: a 0.6 m rack covers one tile or straddles a
    tile line), and -- with ``relative`` -- the start moved by whole tiles, which keeps a
    rack in line with its row when the row itself is not on the grid. The candidate
    nearest to the unsnapped position wins (ties: edge, then centre).
    """
    raw = start_m + delta_m
    p = pitch_m
    cands = [round(raw / p) * p, round((raw + size_m / 2) / p) * p - size_m / 2]
    if relative:
        cands.append(start_m + round(delta_m / p) * p)
    best = min(cands, key=lambda c: abs(c - raw) + 1e-9 * cands.index(c))
    return round(best - start_m, 9)


def move_text(ids, delta_m) -> str:
    """Status text of a finished move, e.g. ``Moved A01 by +0.00, -1.20 m`` (a rounding
    residue of −4e-16 m reads +0.00, not −0.00)."""
    d = [round(float(v), 4) + 0.0 for v in delta_m[:2]]
    return f"Moved {names(ids)} by {units.quantities(units.LENGTH, d, signed=True)}"


def names(ids: Iterable[str], n: int = 3) -> str:
    ids = list(ids)
    if not ids:
        return "nothing"
    text = ", ".join(ids[:n])
    return text + (f" and {len(ids) - n} more" if len(ids) > n else "")
