"""State shared by all views but owned by none: the selection and the rack colouring.

Qt-free; views subscribe to the psygnal signals. The colouring maps one value per rack to
RGBA with a named colour map, so the 3-D view, the plan and the colour bars agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
from psygnal import Signal

#: Colour maps as (position, RGB) stops; "thermal" is perceptually ordered blue->red.
COLORMAPS: dict[str, list[tuple[float, tuple[int, int, int]]]] = {
    "thermal": [(0.0, (49, 54, 149)), (0.25, (69, 117, 180)), (0.45, (171, 217, 233)),
                (0.6, (254, 224, 144)), (0.8, (244, 109, 67)), (1.0, (165, 0, 38))],
    "power": [(0.0, (255, 247, 236)), (0.35, (253, 187, 132)), (0.7, (239, 101, 72)),
              (1.0, (127, 0, 0))],
    "capture": [(0.0, (165, 0, 38)), (0.5, (254, 224, 144)), (1.0, (0, 104, 55))],
    # differences (B - A), centred on 0 with symmetric levels: blue colder, red warmer
    "diverging": [(0.0, (33, 102, 172)), (0.25, (103, 169, 207)), (0.5, (247, 247, 247)),
                  (0.75, (239, 138, 98)), (1.0, (178, 24, 43))],
    # five flat bands for the headroom's binding limits (power, liquid, air, inlet, floor)
    "limits": [(0.0, (31, 119, 180)), (0.1999, (31, 119, 180)), (0.2, (126, 87, 194)),
               (0.3999, (126, 87, 194)), (0.4, (44, 160, 44)), (0.5999, (44, 160, 44)),
               (0.6, (255, 127, 14)), (0.7999, (255, 127, 14)), (0.8, (140, 86, 75)),
               (1.0, (140, 86, 75))],
}
#: Qualitative colours for categorical colouring (e.g. by rack model).
CATEGORY_COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40),
                    (148, 103, 189), (140, 86, 75), (227, 119, 194), (127, 127, 127),
                    (188, 189, 34), (23, 190, 207)]


def colormap_rgba(values: np.ndarray, vmin: float, vmax: float, name: str = "thermal"
                  ) -> np.ndarray:
    """(n, 4) float RGBA in 0..1; NaN values come out neutral grey."""
    stops = COLORMAPS[name]
    pos = np.array([s[0] for s in stops])
    rgb = np.array([s[1] for s in stops], dtype=float) / 255.0
    v = np.asarray(values, dtype=float)
    t = np.clip((v - vmin) / (vmax - vmin if vmax > vmin else 1.0), 0.0, 1.0)
    out = np.ones((len(v), 4))
    for c in range(3):
        out[:, c] = np.interp(t, pos, rgb[:, c])
    out[~np.isfinite(v), :3] = 0.62
    return out


def colormap_lut(name: str, n: int = 256) -> np.ndarray:
    """(n, 4) uint8 lookup table of a colour map, for image items and colour bars."""
    return (colormap_rgba(np.linspace(0, 1, n), 0.0, 1.0, name) * 255).round().astype(np.uint8)


class Selection:
    """The ids selected in any view (racks and items share one id space)."""

    changed = Signal(frozenset)

    def __init__(self) -> None:
        self._ids: frozenset[str] = frozenset()

    @property
    def ids(self) -> frozenset[str]:
        return self._ids

    def set(self, ids: Iterable[str]) -> None:
        new = frozenset(ids)
        if new != self._ids:
            self._ids = new
            self.changed.emit(new)

    def toggle(self, item_id: str) -> None:
        self.set(self._ids ^ {item_id})

    def clear(self) -> None:
        self.set(())


@dataclass
class Colouring:
    """One value per rack (aligned with the rack table) and how to draw it."""

    key: str = "model"
    label: str = "Rack model"
    unit: str = ""
    values: np.ndarray = field(default_factory=lambda: np.empty(0))
    vmin: float = 0.0
    vmax: float = 1.0
    colormap: str = "thermal"
    categories: tuple[str, ...] = ()
    #: RGB per category (default: CATEGORY_COLOURS in turn)
    colours: tuple[tuple[int, int, int], ...] = ()
    #: values of equipment by id on the same scale, for colourings that cover more than
    #: racks (the failure map colours cooling units and CDUs too); empty: equipment keeps
    #: its kind colours
    equipment: dict[str, float] = field(default_factory=dict)

    def category_rgb(self) -> list[tuple[int, int, int]]:
        """The RGB (0..255) of each category colour, in turn."""
        return list(self.colours or CATEGORY_COLOURS)

    def rgba(self) -> np.ndarray:
        """(n, 4) RGBA per rack."""
        return self.rgba_of(self.values)

    def rgba_of(self, values: np.ndarray) -> np.ndarray:
        """(n, 4) RGBA of ``values`` on this colouring's scale; NaN comes out grey."""
        v = np.asarray(values, dtype=float)
        if self.categories:
            cols = np.array(self.category_rgb(), dtype=float) / 255.0
            idx = np.where(np.isfinite(v), v, 0).astype(int) % len(cols)
            out = np.column_stack([cols[idx], np.ones(len(idx))])
            out[~np.isfinite(v), :3] = 0.62
            return out
        return colormap_rgba(v, self.vmin, self.vmax, self.colormap)


class RackColouring:
    """The current colour-by choice; emits ``changed`` when values or the metric change."""

    changed = Signal(object)

    def __init__(self) -> None:
        self.current = Colouring()

    def set(self, colouring: Colouring) -> None:
        self.current = colouring
        self.changed.emit(colouring)
