"""Views without a window: Qt for headless commands, and the 3-D view and plan as images.

``start_qt(need_3d)`` creates the QApplication for ``twin render`` / ``twin report``: the
``offscreen`` Qt platform (no display needed; the plan is pyqtgraph and needs no OpenGL)
and, when the 3-D view is wanted, a way to draw it -- EGL without any display first, a
hidden Qt OpenGL widget on a reachable display second (``twin.view3d.headless``). It never
touches an X server that does not answer, so it cannot hang or abort.

``FigureViews`` holds one hidden 3-D view and one hidden plan of a simulated layout and
renders either, coloured by a metric, at any size and scale. ``plan_heatmap`` is the rule
for what a plan figure shows under the racks (see its docstring); the CLI, the report and
their captions all use it, so a figure and its caption always agree.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QSize, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget

from twin.engine import layers
from twin.engine.layers import Heatmap
from twin.engine.simulate import TwinResult
from twin.report.caption import Caption, ColourKey, figure_keys, view_height, with_band
from twin.model import Layout
from twin.model.viewstate import Colouring, RackColouring, Selection

#: Alerts of these severities get a marker in the views (as in the desktop app).
VIEW_LABELS = {"3d": "3-D view", "plan": "Plan view", "window": "Whole window"}
MARKED_SEVERITIES = ("critical", "warning")
#: Qt warnings that are expected on the offscreen platform and mean nothing to a user.
_QUIET = ("propagateSizeHints",)


@dataclass(frozen=True)
class HeadlessQt:
    """The application and how (or why not) the 3-D view can be drawn."""

    app: QApplication
    gl_backend: str | None
    gl_reason: str


def _message_handler(mode, _context, message: str) -> None:
    if mode != QtMsgType.QtDebugMsg and not any(q in message for q in _QUIET):
        print(message, file=sys.stderr)


def _gl_for_running_app(app: QApplication) -> tuple[str | None, str]:
    from twin.view3d.gl import opengl_available
    from twin.view3d.headless import egl_available

    ok, reason = opengl_available()
    if ok:
        return "pyside6", reason
    ok_egl, why = egl_available()
    return ("egl", why) if ok_egl else (None, f"{reason}; {why}")


def start_qt(need_3d: bool) -> HeadlessQt:
    """The QApplication for headless rendering (reused if one exists) and the 3-D backend:
    ``"egl"``, ``"pyside6"`` or ``None`` with the reason in ``gl_reason``."""
    from twin.gui.base.qt_app import create_application

    app = QApplication.instance()
    if app is not None:
        backend, reason = _gl_for_running_app(app) if need_3d else (None, "not needed")
        return HeadlessQt(app, backend, reason)
    backend, reason = None, "not needed"
    if need_3d:
        from twin.view3d.headless import display_reachable, egl_available
        ok, reason = egl_available()
        if ok:
            backend = "egl"
        else:
            shown, why = display_reachable()
            if shown:
                backend, reason = "pyside6", why
            else:
                reason = f"{why}; {reason}"
    if backend == "pyside6":
        os.environ.pop("QT_QPA_PLATFORM", None)
    else:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # vispy's Qt backend installs its own message handler when it is first imported
    # (it logs every Qt warning as "WARNING: …"): import it now so that ours comes last
    import vispy.app.backends._pyside6  # noqa: F401
    qInstallMessageHandler(_message_handler)
    return HeadlessQt(create_application([]), backend, reason)


def rgba_to_qimage(rgba: np.ndarray) -> QImage:
    """(h, w, 4) uint8 RGBA -> an independent QImage."""
    arr = np.ascontiguousarray(rgba, dtype=np.uint8)
    h, w = arr.shape[:2]
    return QImage(arr.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()


def render_widget(widget: QWidget, size: tuple[int, int], scale: float = 1.0,
                  background: QColor | None = None) -> QImage:
    """Lay ``widget`` out at ``size`` logical pixels and paint it ``scale`` times larger
    (vector parts stay sharp). Hidden widgets are shown off-screen first; the caller
    restores the size of a widget that lives in a window."""
    w, h = int(size[0]), int(size[1])
    widget.resize(w, h)
    if not widget.isVisible():
        widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        widget.show()
    QApplication.processEvents()
    image = QImage(QSize(max(round(w * scale), 1), max(round(h * scale), 1)),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(background if background is not None else QColor("white"))
    widget.render(image)
    image.setDevicePixelRatio(1.0)
    return image


def plan_heatmap(metric: str, layout: Layout, result: TwinResult) -> Heatmap | None:
    """What a plan figure of ``metric`` shows under the racks (the racks themselves are
    coloured by the metric):

    * ``inlet`` -- the air temperature at mid rack height, the air the intakes draw from
      (hot aisles and recirculation show; the racks carry their own inlet values);
    * ``power`` -- power density in kW/m² over a 2.4 m window;
    * ``floor`` -- the floor load in kg/m² over the hall's floor bay;
    * ``capture``, ``coolant`` -- nothing: these values exist only at racks, and a heatmap
      of them would lie hidden under the rack footprints.
    """
    if metric == "inlet":
        mid, _top = layers.rack_heights_m(layout)
        return layers.heatmap("air", layout, result, mid)
    if metric in ("power", "floor"):
        return layers.heatmap(metric, layout, result)
    return None


@dataclass(frozen=True)
class FigureRanges:
    """Colour ranges held over several figures (the frames of an animation): the racks'
    and the plan field's; None keeps the figure's own."""

    racks: tuple[float, float] | None = None
    field: tuple[float, float] | None = None

    def widened(self, metric: str, layout: Layout, result: TwinResult) -> "FigureRanges":
        """These ranges widened to hold the figure of ``result`` too."""
        c = layers.rack_colouring(metric, result)
        hm = plan_heatmap(metric, layout, result)
        return FigureRanges(_union(self.racks, (c.vmin, c.vmax)),
                            self.field if hm is None else _union(self.field, hm.levels))


def _union(a: tuple[float, float] | None, b: tuple[float, float]) -> tuple[float, float]:
    return b if a is None else (min(a[0], b[0]), max(a[1], b[1]))


class FigureViews:
    """A hidden 3-D view and plan of one simulated layout, rendered on demand.

    ``gl_backend`` is ``"egl"`` or ``"pyside6"`` (from ``start_qt``); ``None`` means no
    3-D images (``image_3d`` raises ``RuntimeError``). Call ``close`` when done.
    """

    def __init__(self, layout: Layout, result: TwinResult, gl_backend: str | None = None,
                 ranges: FigureRanges | None = None, streamlines: bool = False):
        self.layout = layout
        self.result = result
        self.gl_backend = gl_backend
        self.ranges = ranges or FigureRanges()
        #: draw the air's streamlines over the figures of air and inlet temperatures
        self.streamlines = streamlines
        self._picture: Any = None
        self._stream_layer: Any = None
        self.colouring = RackColouring()
        self.selection = Selection()
        self._alert_ids = frozenset(a.target for a in result.alerts
                                    if a.severity in MARKED_SEVERITIES)
        self._plan = None
        self._view3d = None

    def keys(self, view: str, metric: str) -> tuple[ColourKey, ...]:
        """The colour keys of a figure: the racks', then the plan field's if any."""
        rack = ColourKey.of_colouring(self._colouring(metric))
        hm = self._heatmap(metric) if view == "plan" else None
        return figure_keys(rack, None if hm is None else ColourKey.of_heatmap(hm))

    def _streamline_picture(self, metric: str) -> Any:
        """The streamlines over a figure of ``metric`` (None: not asked for, not a
        temperature figure, or no solved air field)."""
        air = self.result.air
        if not self.streamlines or metric not in ("inlet", "air") or air is None \
                or not air.field_current:
            return None
        if self._picture is None:
            from twin.engine.streamlines import picture
            self._picture = picture(air, self.result.ashrae_class, self.ranges.field)
        return self._picture

    def _colouring(self, metric: str) -> Colouring:
        c = layers.rack_colouring(metric, self.result)
        if self.ranges.racks is not None:
            c.vmin, c.vmax = self.ranges.racks
        return c

    def _heatmap(self, metric: str) -> Heatmap | None:
        hm = plan_heatmap(metric, self.layout, self.result)
        if hm is not None and self.ranges.field is not None:
            hm = replace(hm, levels=self.ranges.field)
        return hm

    def image_plan(self, metric: str, size: tuple[int, int], scale: float = 1.0) -> QImage:
        """The plan with racks coloured by ``metric`` and its field underneath."""
        from twin.gui.base.commands import Editor
        from twin.gui.plan.view import PlanView
        from twin.gui.plan.items import BACKGROUND

        self.colouring.set(self._colouring(metric))
        if self._plan is None:
            self._plan = PlanView(self.layout, self.selection, self.colouring,
                                  Editor(self.layout))
            self._plan.set_alert_ids(self._alert_ids)
        hm = self._heatmap(metric)
        pic = self._streamline_picture(metric)
        if pic is not None and self._stream_layer is None:
            from twin.gui.plan.airflow import StreamlineLayer
            self._stream_layer = StreamlineLayer()
            self._plan.view_box.addItem(self._stream_layer, ignoreBounds=True)
        if pic is not None:
            self._stream_layer.set_picture(pic)
        elif self._stream_layer is not None:
            self._stream_layer.clear_lines()
        if hm is None:
            self._plan.clear_heatmap()
        else:
            self._plan.set_heatmap(hm.image, hm.extent, hm.levels, hm.colormap, hm.label,
                                   hm.unit, hm.categories)
        self._plan.resize(int(size[0]), int(size[1]))
        QApplication.processEvents()
        self._plan.reset_view()
        return render_widget(self._plan, size, scale, BACKGROUND)

    def image_3d(self, metric: str, size: tuple[int, int], scale: float = 1.0) -> QImage:
        """The 3-D view from the default camera with racks coloured by ``metric``."""
        if self.gl_backend is None:
            raise RuntimeError("the 3-D view needs OpenGL")
        self.colouring.set(self._colouring(metric))
        size = (int(size[0]), int(size[1]))
        if self._view3d is not None and tuple(self._view3d.canvas.size) != size:
            self._view3d.close()   # the camera frames the hall for the canvas size
            self._view3d = None
        if self._view3d is None:
            from twin.view3d import FloorView3D
            self._view3d = FloorView3D(self.layout, self.selection, self.colouring, size=size,
                                       app=self.gl_backend)
            self._view3d.set_alert_ids(self._alert_ids)
            self._view3d.set_fabric(self.result.fabric)
        pic = self._streamline_picture(metric)
        if pic is None:
            self._view3d.clear_streamlines()
        else:
            self._view3d.set_streamlines(pic)
        return rgba_to_qimage(self._view3d.render_image(size, scale))

    def close(self) -> None:
        """Release the views now (not at interpreter exit, where Qt's teardown order
        is not Python's and destroying a big scene then can crash)."""
        if self._view3d is not None:
            self._view3d.close()
            self._view3d = None
        if self._plan is not None:
            self._plan.close()
            self._plan.deleteLater()
            self._plan = None
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def figure_image(views: FigureViews, view: str, metric: str, size: tuple[int, int],
                 scale: float = 1.0, caption: Caption | None = None) -> QImage:
    """A headless image of ``view`` ('3d' or 'plan') coloured by ``metric``; with a
    ``caption`` (its keys are filled in here) the band is part of ``size``."""
    w, h = int(size[0]), int(size[1])
    view_h = view_height(h) if caption is not None else h
    if view == "3d":
        image = views.image_3d(metric, (w, view_h), scale)
    else:
        image = views.image_plan(metric, (w, view_h), scale)
    if caption is None:
        return image
    keys = views.keys(view, metric)
    return with_band(image, Caption(caption.layout_name, caption.view, keys, caption.stamp,
                                    caption.source), scale)
