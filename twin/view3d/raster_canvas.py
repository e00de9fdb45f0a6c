"""A vispy canvas on a plain (raster) QWidget: draws off-screen, shows the image.

A ``QOpenGLWidget`` anywhere in a window makes Qt compose the *whole* window through
OpenGL on every repaint of any widget in it. On a laptop without a GPU (software GL) that
makes every repaint expensive, even when only a status-bar label changed, and the live
twin must show a result within tens of milliseconds. ``RasterSceneCanvas``
keeps the window on Qt's raster backing store: its widget renders the scene with its own
``QOpenGLContext`` on a ``QOffscreenSurface`` into a vispy framebuffer object, reads the
pixels back and paints them as an image. Only the 3-D view's own repaint touches OpenGL, and a
repaint elsewhere in the window costs what it costs in any widget application.

While the user drags something (``set_render_scale``), frames are rendered at a lower
resolution and scaled up smoothly: on software OpenGL a frame's cost is mostly its pixel
count, and a drag repaints the view at mouse rate while the physics wants the same cores.
The full-resolution frame returns when the drag ends.

A scene change does not render inside the window's repaint: it schedules the rendering
for the next turn of the event loop, and the widget then paints the finished image. A
frame of the 3-D view (tens of ms on software OpenGL) therefore never runs in one go
with the mouse event that caused it and the repaint of the rest of the window, so the
event loop stays responsive. A repaint of the window over the view (a relayout of the
main window's docks repaints the view too) shows the last frame while the next one is
pending; ``render_now`` renders a pending frame at once (before grabbing the widget).

Mouse, wheel and key handling are vispy's Qt backend's (``QtBaseCanvasBackend``), so the
canvas behaves exactly like a ``SceneCanvas`` on the stock PySide6 backend.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QOffscreenSurface, QOpenGLContext, QPainter
from PySide6.QtWidgets import QWidget
from vispy import gloo, scene
from vispy.app.backends import _pyside6  # noqa: F401  selects vispy's Qt backend module
from vispy.app.backends._qt import QtBaseCanvasBackend, _set_config

from twin.view3d import shader_parse  # noqa: F401  parses each shader source once

#: A 24-bit depth buffer (vispy's default 16 bits z-fight at hall scale).
GL_DEPTH_COMPONENT24 = 0x81A6


class RasterCanvasBackend(QtBaseCanvasBackend, QWidget):
    """vispy canvas backend: a raster QWidget showing an off-screen GL rendering.

    The GL context and its surface are children of the widget, so Qt deletes them with it
    on the GUI thread; the framebuffer is a vispy object, deleted through vispy's command
    queue in its own context (never by the garbage collector on some other thread)."""

    def _init_specific(self, p, kwargs) -> None:
        glformat = _set_config(p.context.config)
        p.context.shared.add_ref("qt-raster", self)
        QWidget.__init__(self, p.parent, Qt.WindowType.Widget)
        self._context = QOpenGLContext(self)
        self._context.setFormat(glformat)
        shared = p.context.shared.ref
        if shared is not self:
            self._context.setShareContext(shared._context)
        if not self._context.create():
            raise RuntimeError("could not create an OpenGL context for the 3-D view")
        self._surface = QOffscreenSurface(None, self)
        self._surface.setFormat(self._context.format())
        self._surface.create()
        self._fbo: gloo.FrameBuffer | None = None
        self._gl_initialised = False
        self._render_scale = 1.0
        self._image: QImage | None = None         # the last frame rendered
        self._pixels: np.ndarray | None = None
        self._image_physical_size: tuple[int, int] | None = None
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self._render_and_show)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.WheelFocus)
        self._initialized = True

    # ----- vispy backend interface -------------------------------------------------------
    def _vispy_set_current(self) -> None:
        if self._vispy_canvas is not None:
            self._context.makeCurrent(self._surface)

    def _vispy_swap_buffers(self) -> None:
        """Nothing to swap: the frame is read back from the framebuffer object."""

    def _vispy_close(self) -> None:
        self._render_timer.stop()
        self._fbo = None
        self.close()

    def _vispy_update(self) -> None:
        """The scene changed: render it on the next turn of the event loop."""
        if self._vispy_canvas is not None and not self._render_timer.isActive():
            self._render_timer.start()

    def set_render_scale(self, scale: float) -> None:
        """Render at ``scale`` × the widget's pixel size (1: full resolution). Only the
        framebuffer shrinks: the canvas keeps its size and pixel scale, so no visual
        rebuilds its shaders (changing those cost ~40 ms per switch)."""
        if scale != self._render_scale:
            self._render_scale = scale
            self._vispy_update()

    # ----- Qt events ---------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        self.resizeGL(event.size().width(), event.size().height())

    def resizeGL(self, w: int, h: int) -> None:
        """Also vispy's hook when the window moves to a screen of another pixel ratio."""
        if self._vispy_canvas is None:
            return
        ratio = self.devicePixelRatioF()
        self._vispy_set_physical_size(int(w * ratio), int(h * ratio))
        self._vispy_canvas.events.resize(size=(w, h), physical_size=self._physical_size)

    def paintEvent(self, event) -> None:
        if not self._image_fits():
            self._render()         # first frame, new size: nothing fit to show
        if self._image is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(self.rect(), self._image)
        painter.end()

    @property
    def render_pending(self) -> bool:
        """A scene change waits to be rendered."""
        return self._render_timer.isActive()

    def _image_fits(self) -> bool:
        """The last frame was rendered for the widget's present size."""
        return self._image is not None and self._image_physical_size == tuple(self._physical_size)

    def render_now(self) -> None:
        """Render a pending frame now and repaint the widget with it."""
        if self._render_timer.isActive():
            self._render_and_show()

    def _render_and_show(self) -> None:
        self._render()
        QWidget.update(self)

    def _render(self) -> None:
        """Render the scene into the framebuffer and keep the image."""
        self._render_timer.stop()
        canvas = self._vispy_canvas
        if canvas is None:
            return
        canvas.set_current()
        if not self._gl_initialised:
            self._gl_initialised = True
            canvas.events.initialize()
        fbo = self._framebuffer()
        # Bound directly, not through ``canvas.push_fbo``: pushing and popping a
        # framebuffer reconfigures the canvas transforms, and every visual re-sets its
        # shader variables (~10 ms a frame on the hall). The transforms map the canvas
        # to normalised device coordinates; the viewport maps those onto the framebuffer
        # at whatever render scale it has.
        h, w = fbo.color_buffer.shape[:2]
        fbo.activate()
        try:
            canvas.context.set_viewport(0, 0, w, h)
            canvas.events.draw(region=None)
            rgba = np.ascontiguousarray(fbo.read())       # top row first
        finally:
            fbo.deactivate()
            canvas.context.set_viewport(0, 0, *canvas.physical_size)
        h, w = rgba.shape[:2]
        # colours are right but translucent visuals leave alpha < 1: show the frame opaque
        image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBX8888)
        image.setDevicePixelRatio(self.devicePixelRatioF() * self._render_scale)
        self._image, self._pixels = image, rgba          # (the image reads the array)
        self._image_physical_size = tuple(self._physical_size)

    def _framebuffer(self) -> gloo.FrameBuffer:
        """The render target at the widget's pixel size (times the render scale), with a
        24-bit depth buffer."""
        shape = tuple(max(int(v * self._render_scale), 1) for v in self._physical_size[::-1])
        if self._fbo is None:
            self._fbo = gloo.FrameBuffer(
                color=gloo.RenderBuffer(shape),
                depth=gloo.RenderBuffer(shape, format=GL_DEPTH_COMPONENT24))
        elif self._fbo.color_buffer.shape[:2] != shape:
            self._fbo.resize(shape)
        return self._fbo


class RasterSceneCanvas(scene.SceneCanvas):
    """``SceneCanvas`` whose native widget is a ``RasterCanvasBackend``."""

    def create_native(self) -> None:
        if self._backend is not None:
            return
        assert self._app.native
        RasterCanvasBackend(self, **self._backend_kwargs)
        self._backend_kwargs = None
        self.events.draw.connect(self.context.flush_commands, position="last")
