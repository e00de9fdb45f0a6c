"""The network fabric on the plan (docs/physics.md §23): cable trays coloured by fill, the
links of the selected racks along their routes, and links beyond their planned cable in red.

Trays are drawn as a few ``PlotCurveItem`` line-pair paths, one per fill band, so the
1,440-rack hall's 400 tray pieces cost a handful of items; links likewise (one path for
the selection's links, one for the links over their planned reach).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from twin.engine.fabric import TRAY_FILL_BANDS, FabricResult, fill_band

FILL_BANDS = TRAY_FILL_BANDS
LINK_COLOUR, OVER_COLOUR = "#1f4fff", "#ff3b30"
#: the selection's links drawn at most (a network rack can hold thousands)
MAX_LINKS_DRAWN = 600


def _pairs(points: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Polylines as line-pair vertex arrays for ``connect='pairs'``."""
    if not points:
        return np.empty(0), np.empty(0)
    seg = np.concatenate([np.stack([p[:-1], p[1:]], 1).reshape(-1, 2) for p in points
                          if len(p) > 1] or [np.empty((0, 2))])
    return seg[:, 0], seg[:, 1]


class FabricLayer:
    """Plan items of the fabric; ``set_result`` on every result, ``set_selection`` on
    every selection change."""

    def __init__(self, view_box: pg.ViewBox) -> None:
        self.trays = []
        for _hi, colour in FILL_BANDS:
            item = pg.PlotCurveItem(pen=pg.mkPen(colour, width=4, cap=Qt.PenCapStyle.FlatCap),
                                    connect="pairs", antialias=False)
            item.setZValue(5)
            view_box.addItem(item, ignoreBounds=True)
            self.trays.append(item)
        self.links = pg.PlotCurveItem(pen=pg.mkPen(LINK_COLOUR, width=2.5), connect="pairs")
        self.over = pg.PlotCurveItem(pen=pg.mkPen(OVER_COLOUR, width=2), connect="pairs")
        for item in (self.links, self.over):
            item.setZValue(7)
            view_box.addItem(item, ignoreBounds=True)
        self._res: FabricResult | None = None
        self._selected: frozenset[str] = frozenset()

    def set_result(self, res: FabricResult | None) -> None:
        self._res = res
        if res is None:
            for item in (*self.trays, self.links, self.over):
                item.setData([], [])
            return
        g = res.graph
        a, b = g.node_xy[g.edge_a], g.node_xy[g.edge_b]
        band = fill_band(res.fill)
        for k, item in enumerate(self.trays):
            sel = band == k
            xy = np.stack([a[sel], b[sel]], 1).reshape(-1, 2)
            item.setData(xy[:, 0], xy[:, 1])
        over = np.nonzero(res.over_planned_reach())[0][:MAX_LINKS_DRAWN]
        self.over.setData(*_pairs([res.route_polyline(int(i)) for i in over]))
        self._draw_links()

    def set_selection(self, ids: frozenset[str]) -> None:
        self._selected = ids
        self._draw_links()

    def _draw_links(self) -> None:
        res = self._res
        if res is None:
            return
        index = {rid: i for i, rid in enumerate(res.rack_ids)}
        racks = [index[r] for r in self._selected if r in index]
        links = np.unique(np.concatenate([res.links_of(i) for i in racks])) if racks \
            else np.zeros(0, np.int64)
        # one drawn route per rack pair (the links of a pair share it)
        _u, first = np.unique(res.pair[links], return_index=True)
        shown = links[first][:MAX_LINKS_DRAWN]
        self.links.setData(*_pairs([res.route_polyline(int(i)) for i in shown]))
