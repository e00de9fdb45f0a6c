"""The bridge between the session's streamline switch (``HeatmapChoice.streamlines``), the
heatmap dock, the plan's ``StreamlineLayer`` and the 3-D view's streamline visual.

Lines are traced by ``twin.engine.streamlines.picture`` on a latest-wins worker thread
(``LatestWorker``) from the latest result's air field; the finished picture comes back to
the GUI thread through ``post`` (a queued Qt signal) and only the newest request is
drawn. A new trace is asked for only when the air field, the temperature scale or the
switch changed — moving the heatmap height or the 3-D sections costs nothing here.

With "Animate particles" ticked a timer moves dots along the lines at the air's own speed
(``particle_positions``: a few milliseconds of numpy per frame); the plan is updated at
``PLAN_FRAME_MS``, the 3-D view (a software-rendered frame is dearer) every
``FRAMES_PER_3D``-th frame, and only the views that are shown.
"""

from __future__ import annotations

from typing import Any, Callable

import time

import numpy as np
from PySide6.QtCore import QObject, QTimer

from twin.engine import streamlines as engine
from twin.engine.worker import LatestWorker
from twin.gui.docks.heatmap import HeatmapControls
from twin.gui.plan.airflow import ParticleLayer, StreamlineLayer
from twin.physics.cancel import Cancelled
from twin.session import Session

#: particle animation: plan frame interval, and a 3-D frame every this many plan frames
PLAN_FRAME_MS = 50
FRAMES_PER_3D = 3


class StreamlinesBridge(QObject):
    """Keeps the streamlines of the plan and the 3-D view in step with the session."""

    def __init__(self, session: Session, plan: Any, view3d: Any, controls: HeatmapControls,
                 post: Callable[[Callable[[], None]], None], parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.controls = controls
        self._plan, self._view3d = plan, view3d
        self._post = post
        self.layer = StreamlineLayer()
        self.particles = ParticleLayer()
        if plan is not None:
            plan.view_box.addItem(self.layer, ignoreBounds=True)
            plan.view_box.addItem(self.particles, ignoreBounds=True)
        self._timer = QTimer(self)
        self._timer.setInterval(PLAN_FRAME_MS)
        self._timer.timeout.connect(self._animate)
        self._frame = 0
        self._t0 = time.perf_counter()
        self._worker = LatestWorker(self._finished_on_worker, name="twin-streamlines")
        self._key: tuple | None = None
        #: the picture on screen (None: none)
        self.picture: engine.StreamlinePicture | None = None
        controls.set_streamlines(session.heatmap.streamlines)
        controls.particles_box.toggled.connect(self._update_animation)
        ev = session.events
        ev.heatmap.connect(self._refresh)
        ev.result.connect(self._refresh)
        ev.cleared.connect(self._refresh)
        self._refresh()

    def close(self) -> None:
        self._timer.stop()
        self._worker.close()

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """Block until the latest request is traced (tests, scripts); its drawing is
        posted to the GUI thread (process events to see it)."""
        return self._worker.wait_idle(timeout_s)

    def _refresh(self, *_args: Any) -> None:
        s, ch = self.session, self.session.heatmap
        self.controls.set_streamlines(ch.streamlines)
        air = s.result.air if s.result is not None else None
        if not ch.streamlines or air is None or not air.field_current:
            why = ""
            if ch.streamlines and s.result is not None:
                why = ("No streamlines: no cooling unit moves air in this layout."
                       if air is None else "Streamlines follow when the air field is solved.")
            if self._key is not None:
                self._key = None
                self._worker.submit(lambda _token: None)     # supersede what is running
                self._clear(why)
            else:
                self.controls.set_streamlines_note(why)
            return
        cls = s.result.ashrae_class                                 # type: ignore[union-attr]
        key = (id(air), cls, ch.temperature_range)
        if key == self._key:
            return
        self._key = key
        rng = ch.temperature_range
        self._worker.submit(lambda token: engine.picture(air, cls, rng, cancel=token))

    def _finished_on_worker(self, rid: int, result: Any, error: BaseException | None) -> None:
        self._post(lambda: self._finished(rid, result, error))

    def _finished(self, rid: int, pic: Any, error: BaseException | None) -> None:
        if rid != self._worker.latest_id or isinstance(error, Cancelled) or pic is None:
            return
        if error is not None:
            self._clear(f"Streamlines not drawn: {error}")
            return
        self._draw(pic)

    def _draw(self, pic: engine.StreamlinePicture) -> None:
        self.picture = pic
        self.layer.set_picture(pic)
        if self._view3d is not None:
            self._view3d.set_streamlines(pic)
        self._update_animation()
        lines = pic.lines
        n = lines.n_lines
        if n == 0:
            self.controls.set_streamlines_note("No streamlines: no device discharges air.")
            return
        ended = np.bincount(lines.end, minlength=len(engine.END_NAMES))
        self.controls.set_streamlines_note(
            f"{n} lines from tiles, unit supplies and rack exhausts, coloured by air "
            f"temperature; {100.0 * ended[engine.END_INTAKE] / n:.0f} % end at an intake "
            f"or return (traced in {pic.elapsed_s * 1e3:.0f} ms).")

    def _clear(self, note: str) -> None:
        self.picture = None
        self._update_animation()
        self.layer.clear_lines()
        if self._view3d is not None:
            self._view3d.clear_streamlines()
        self.controls.set_streamlines_note(note)

    # ----- particles -----------------------------------------------------------------
    @property
    def animating(self) -> bool:
        return self._timer.isActive()

    def _update_animation(self, *_args: Any) -> None:
        on = self.picture is not None and self.controls.particles_box.isChecked() \
            and self.controls.particles_box.isEnabled()
        if on and not self._timer.isActive():
            self._t0 = time.perf_counter()
            self._timer.start()
            self._animate()
        elif not on:
            self._timer.stop()
            self.particles.clear_points()
            if self._view3d is not None:
                self._view3d.streamlines.set_particles(np.zeros((0, 3)))
                self._view3d.canvas.update()

    def _animate(self) -> None:
        pic = self.picture
        if pic is None:
            return
        pts, _line = engine.particle_positions(pic.lines, time.perf_counter() - self._t0)
        plan, view = self._plan, self._view3d
        if plan is not None and plan.isVisible():
            self.particles.set_points(pts[:, :2])
        if view is not None and view.native.isVisible() and self._frame % FRAMES_PER_3D == 0:
            view.streamlines.set_particles(pts)
            view.canvas.update()
        self._frame += 1
