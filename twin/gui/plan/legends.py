"""The plan's side panel: the rack colour key (a colour bar, or a category legend for
categorical colourings), the key of the plan's symbols, the heatmap's colour bar and,
with sensors loaded, the bar of their residuals.

``PlanLegends`` lays them out beside the plot in the plan's ``GraphicsLayout`` and re-lays
out only when what it shows changes (relabelling a colour bar re-lays out the whole side
panel, so a live result in the same range leaves it alone). Values stay SI; titles and
tick labels are in the current unit system (``units.scale_ticks``: °F ticks on a °C bar).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from twin.gui.plan import items as pi
from twin.gui.plan.fabric import FILL_BANDS, LINK_COLOUR
from twin.model import Layout, units
from twin.model.floor import FloorGeometry
from twin.model.viewstate import Colouring

#: Names of the equipment kinds in the symbol key.
KIND_NAMES = {"crah": "CRAH (perimeter)", "inrow": "In-row cooler", "cdu": "CDU",
              "tank": "Immersion tank"}


def _colour_bar() -> pg.ColorBarItem:
    bar = pg.ColorBarItem(values=(0, 1), colorMap=pi.pg_colormap("thermal"),
                          interactive=False, colorMapMenu=False, width=16)
    for name in ("left", "right", "top", "bottom"):
        ax = bar.getAxis(name)
        ax.setPen(pg.mkPen(90, 100, 110))
        ax.setTextPen(pg.mkPen(50, 55, 60))
    return bar


def _ticks(unit: str, lo: float, hi: float) -> list | None:
    """Bar ticks in the current system (None: the axis's own SI ticks)."""
    ticks = units.scale_ticks(unit, float(lo), float(hi))
    return None if ticks is None else [ticks, []]


class PlanLegends:
    """Rack key, symbol key and heatmap bar beside ``plot`` in ``layout_item``."""

    def __init__(self, layout_item: pg.GraphicsLayout, plot: pg.PlotItem,
                 heat_image: pg.ImageItem):
        self._ci, self._plot = layout_item, plot
        self.rack_bar = _colour_bar()
        self.category_legend = pi.CategoryLegend()
        self.symbol_key = pi.CategoryLegend()
        self.heat_bar = _colour_bar()
        self.heat_bar.setImageItem(heat_image)
        self.rack_key: Any = self.rack_bar
        self._side: list[Any] = []
        self._heat_shown = False
        #: a narrow plan leaves the symbol key out and keeps its colour bars
        self.compact = False
        self.rack_key_shown: tuple | None = None
        self._heat_title = ""
        self._was_shared = False
        #: residuals of the sensor markers (predicted − measured), when sensors are shown
        self.sensor_bar = _colour_bar()
        self.sensor_bar.setColorMap(pi.pg_colormap("diverging"))
        self._sensors_shown = False

    # ----- rack colouring -------------------------------------------------------------
    def show_colouring(self, c: Colouring) -> None:
        """The key of the rack colouring (bar or categories); unchanged keys are kept."""
        label = units.heading(c.label, c.unit)
        key = (label, c.colormap, c.vmin, c.vmax, tuple(c.categories or ()), c.colours)
        if key == self.rack_key_shown:
            return
        self.rack_key_shown = key
        if c.categories:
            rgb = c.category_rgb()
            cols = [QtGui.QColor(*rgb[k % len(rgb)]) for k in range(len(c.categories))]
            self.category_legend.set_entries(label, list(zip(cols, c.categories)))
            self.rack_key = self.category_legend
        else:
            self.rack_bar.setColorMap(pi.pg_colormap(c.colormap))
            self.rack_bar.setLevels(values=(c.vmin, c.vmax if c.vmax > c.vmin else c.vmin + 1))
            self.rack_bar.getAxis("left").setLabel(label)
            self.rack_bar.axis.setTicks(_ticks(c.unit, c.vmin, c.vmax))
            self.rack_key = self.rack_bar
        self._arrange()

    # ----- plan symbols ---------------------------------------------------------------
    def show_symbols(self, layout: Layout, floor: FloorGeometry,
                     equipment_coloured: bool = False) -> None:
        """What the plan's strips, fills and hatches mean, for what this layout has
        (``equipment_coloured``: a colouring colours the equipment, not its kind)."""
        entries: list[tuple] = [(pi.FRONT_MARK, "Rack front (air intake)", "strip")]
        if floor.door_ids:
            entries.append((pi.DOOR, "Rear-door heat exchanger", "strip"))
        for kind, name in KIND_NAMES.items():
            if kind in floor.eq_kind and not equipment_coloured:
                entries.append((pi.KIND_COLOURS[kind], name))
        kinds = {z.kind for z in layout.containment.values()}
        if "hot_aisle" in kinds:
            entries.append((QtGui.QColor(229, 57, 53), "Hot-aisle containment", "hatch"))
        if "cold_aisle" in kinds:
            entries.append((QtGui.QColor(30, 136, 229), "Cold-aisle containment", "hatch"))
        if layout.tiles:
            entries.append((pi.KIND_COLOURS["tile"], "Perforated tile"))
        grille_kinds = {g.kind for g in layout.grilles.values()}
        if "supply" in grille_kinds:
            entries.append((pi.GRILLE_COLOURS["supply"], "Supply grille"))
        if "return" in grille_kinds:
            entries.append((pi.GRILLE_COLOURS["return"], "Return grille"))
        if layout.fabric.tiers:
            lo = 0
            for hi, colour in FILL_BANDS:
                text = (f"Cable tray {lo:.0%}\u2013{hi:.0%} full" if np.isfinite(hi)
                        else "Cable tray over its fill")
                entries.append((QtGui.QColor(colour), text, "line"))
                lo = hi
            entries.append((QtGui.QColor(LINK_COLOUR), "Links of the selection", "line"))
        entries.append((pi.CONFLICT, "Overlap / outside hall"))
        entries.append((pi.ALERT, "Alert", "outline"))
        self.symbol_key.set_entries("Plan symbols", entries)

    # ----- heatmap --------------------------------------------------------------------
    def show_heat(self, colormap: str, levels: tuple[float, float], label: str, unit: str = "",
                  categories: tuple[str, ...] = ()) -> None:
        """The heatmap's bar: colour map, range and title ``label [unit]`` (SI, shown in
        the current system; each touched only on change); a categorical field labels its
        values' ticks with ``categories``."""
        title = units.heading(label, unit)
        if self.heat_bar.colorMap() is None or self.heat_bar.colorMap().name != colormap:
            self.heat_bar.setColorMap(pi.pg_colormap(colormap))
        if tuple(self.heat_bar.levels()) != tuple(levels):
            self.heat_bar.setLevels(values=tuple(levels))
        ticks = ([[(float(k), name) for k, name in enumerate(categories)]] if categories
                 else _ticks(unit, *levels))
        if ticks != getattr(self, "_heat_ticks", None):
            self._heat_ticks = ticks
            self.heat_bar.axis.setTicks(ticks)     # the axis that carries the values
        self._heat_key = (colormap, tuple(float(v) for v in levels))
        if title != self._heat_title:   # relabelling re-lays out the side panel
            self._heat_title = title
            self._label_heat()
        if not self._heat_shown:
            self._heat_shown = True
            self._arrange()
        elif self._shared() != self._was_shared:
            self._arrange()

    def _shared(self) -> bool:
        """The rack colours and the heatmap use one scale (one colour map and range, as
        inlet and air temperatures do): one bar says both."""
        k = self.rack_key_shown
        return (self._heat_shown and k is not None and self.rack_key is self.rack_bar
                and (k[1], (float(k[2]), float(k[3]))) == getattr(self, "_heat_key", None))

    def _label_heat(self) -> None:
        title = self._heat_title
        if self._shared() and self.rack_key_shown is not None and not self.compact:
            rack_label = self.rack_key_shown[0].split(" [")[0]
            title = f"{title} · racks: {rack_label.lower()}"
        self.heat_bar.getAxis("left").setLabel(title)

    # ----- sensors --------------------------------------------------------------------
    def show_sensors(self, levels: tuple[float, float]) -> None:
        """The bar of the sensor markers' residuals (K, °F difference in US units)."""
        self.sensor_bar.setLevels(values=tuple(levels))
        self.sensor_bar.axis.setTicks(_ticks("K", *levels))
        self.sensor_bar.getAxis("left").setLabel(
            units.heading("Sensors: predicted − measured", "K"))
        if not self._sensors_shown:
            self._sensors_shown = True
            self._arrange()

    def hide_sensors(self) -> None:
        if self._sensors_shown:
            self._sensors_shown = False
            self._arrange()

    def hide_heat(self) -> None:
        if self._heat_shown:
            self._heat_shown = False
            self._arrange()

    def set_compact(self, on: bool) -> None:
        """Leave the symbol key out (a plan too narrow for it) or bring it back."""
        if on != self.compact:
            self.compact = on
            self._arrange()

    def _arrange(self) -> None:
        ci = self._ci
        for item in self._side:
            ci.removeItem(item)
        ci.removeItem(self._plot)
        ci.addItem(self._plot, 0, 0, rowspan=2)
        shared = self._was_shared = self._shared()
        column = ([] if shared else [self.rack_key]) + ([] if self.compact else [self.symbol_key])
        self._side = list(column)
        for row, item in enumerate(column):
            ci.addItem(item, row, 1, rowspan=2 if len(column) == 1 else 1)
        self._label_heat()
        if self._heat_shown:
            self._side.append(self.heat_bar)
            ci.addItem(self.heat_bar, 0, 2, rowspan=2)
        if self._sensors_shown:
            self._side.append(self.sensor_bar)
            ci.addItem(self.sensor_bar, 0, 3 if self._heat_shown else 2, rowspan=2)
