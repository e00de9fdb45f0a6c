"""Sensor markers on the plan: measured rack inlets (File ▸ Import ▸ Sensor Readings)
at their places, each coloured by its residual predicted − measured on a diverging scale
centred on 0 (blue: the model reads colder than the sensor, red: warmer), with the
measured and predicted values in its tooltip. The scale is keyed by a colour bar beside
the plan (``PlanLegends.show_sensors``)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from twin.model.viewstate import colormap_rgba

DIVERGING = "diverging"
#: marker diameter on the floor (m): sized with the plan, so that the sensors of one rack
#: (``twin.gui.window.cfd.SENSOR_SPREAD_M`` apart) stay apart at every zoom
MARKER_M = 0.16


class SensorMarkers(pg.ScatterPlotItem):
    """One round marker per sensor, outlined dark so that it reads on any heatmap."""

    def __init__(self) -> None:
        super().__init__(size=MARKER_M, pxMode=False, hoverable=True, tip=self._tip,
                         hoverPen=pg.mkPen(20, 20, 20, width=2.5), hoverSize=MARKER_M * 1.4)
        self.setZValue(40)
        self.levels: tuple[float, float] = (-1.0, 1.0)
        self.residual_k = np.zeros(0)
        self._tips: list[str] = []

    def set_markers(self, xy_m: np.ndarray, residual_k: np.ndarray, tips: list[str],
                    levels: tuple[float, float]) -> None:
        """Markers at ``xy_m`` (n, 2) coloured by ``residual_k`` on ``levels``."""
        self.levels = levels
        self.residual_k = np.asarray(residual_k, float)
        self._tips = list(tips)
        rgba = colormap_rgba(self.residual_k, levels[0], levels[1], DIVERGING)
        brushes = [pg.mkBrush(QtGui.QColor.fromRgbF(*c[:3], 1.0)) if np.isfinite(v)
                   else pg.mkBrush(160, 160, 160) for c, v in zip(rgba, self.residual_k)]
        pen = pg.mkPen(25, 30, 35, width=1.2)
        pen.setCosmetic(True)
        self.setData(pos=np.asarray(xy_m, float).reshape(-1, 2), brush=brushes, pen=pen,
                     data=list(range(len(tips))), symbol="o")
        self.show()

    def marker_colours(self) -> list[tuple[int, int, int]]:
        """The fill colour of every marker (for tests and exports)."""
        return [tuple(p.brush().color().getRgb()[:3]) for p in self.points()]

    def clear_markers(self) -> None:
        self.setData(pos=np.zeros((0, 2)))
        self.residual_k = np.zeros(0)
        self._tips = []
        self.hide()

    def _tip(self, x: float, y: float, data: object) -> str:
        i = data if isinstance(data, int) else -1
        return self._tips[i] if 0 <= i < len(self._tips) else ""
