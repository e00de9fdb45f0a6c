"""The bridge between the session's 3-D sections (``HeatmapChoice.slice_x_m``,
``slice_y_m``, ``iso_c``), the dock's ``SectionControls`` and the 3-D view.

The slices and the iso-surface are computed by ``twin.engine.slices.sections`` on a
latest-wins worker thread (``LatestWorker``) from the latest result's air field; the
finished images and mesh come back to the GUI thread through ``post`` (a queued Qt
signal) and only the newest request is drawn. A slice dragged in the 3-D view (Ctrl+drag)
updates the session, which updates the dock and asks for the new image.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from twin.engine import layers, slices
from twin.engine.worker import LatestWorker
from twin.gui.docks.sections import SectionControls
from twin.model import units
from twin.model.viewstate import colormap_rgba
from twin.physics.cancel import Cancelled
from twin.session import HeatmapChoice, Session

#: how much of the iso-surface's colour is white (a dark red reads as black when lit)
ISO_LIGHTEN = 0.25
#: the iso-surface is drawn in a hot colour: its temperature's on the scale, or that of
#: this fraction up the scale when its temperature is lower (a pale surface reads as none)
ISO_HOT_FRACTION = 0.75


def hot_colour_c(value_c: float, levels: tuple[float, float]) -> float:
    """The temperature whose scale colour the iso-surface at ``value_c`` is drawn in."""
    lo, hi = levels
    return max(value_c, lo + ISO_HOT_FRACTION * (hi - lo))


class SectionsBridge(QObject):
    """Keeps the 3-D slices and iso-surface in step with the session and the dock.

    Signal: ``message(str)`` a status-bar line about the slice under the mouse."""

    message = Signal(str)

    def __init__(self, session: Session, view3d: Any, controls: SectionControls,
                 post: Callable[[Callable[[], None]], None],
                 parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.controls = controls
        self._view3d = view3d
        self._post = post
        self._worker = LatestWorker(self._finished_on_worker, name="twin-sections")
        self._shown: set[str] = set()
        self._set_hall()
        ch = session.heatmap
        controls.set_choice(ch.slice_x_m, ch.slice_y_m, ch.iso_c)
        controls.changed.connect(self._controls_changed)
        ev = session.events
        ev.heatmap.connect(self._on_heatmap)
        ev.result.connect(self._refresh)
        ev.cleared.connect(self._refresh)
        ev.heatmap_presets.connect(self._set_hall)
        if view3d is not None:
            sv = view3d.sections
            sv.moved.connect(self._on_dragged)
            sv.dragging.connect(view3d.set_interactive)
            sv.hint.connect(self.message.emit)

    def close(self) -> None:
        self._worker.close()

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """Block until the latest request is computed (tests, scripts); its drawing is
        posted to the GUI thread (process events to see it)."""
        return self._worker.wait_idle(timeout_s)

    # ----- dock and drags -> session -------------------------------------------------
    def _controls_changed(self) -> None:
        c = self.controls
        self.session.set_heatmap(slice_x_m=c.slice_x_m, slice_y_m=c.slice_y_m, iso_c=c.iso_c)

    def _on_dragged(self, axis: str, position_m: float) -> None:
        field = {"x": "slice_x_m", "y": "slice_y_m", "z": "height_m"}[axis]
        self.session.set_heatmap(**{field: round(position_m, 2)})

    def _set_hall(self, _presets: Any = None) -> None:
        h = self.session.layout.hall
        self.controls.set_hall(h.width_m, h.length_m)
        self.controls.set_allowable(slices.allowable_c(h.ashrae_class))

    # ----- session -> 3-D view ------------------------------------------------------
    def _on_heatmap(self, choice: HeatmapChoice) -> None:
        self.controls.set_choice(choice.slice_x_m, choice.slice_y_m, choice.iso_c)
        if self._view3d is not None:
            self._view3d.sections.z_draggable = choice.metric == "air"
        self._refresh()

    def request(self) -> slices.SectionRequest | None:
        """What the current choice asks the engine for (None: nothing to draw)."""
        s, ch = self.session, self.session.heatmap
        air = s.result.air if s.result is not None else None
        if (self._view3d is None or air is None or not air.field_current
                or (ch.slice_x_m is None and ch.slice_y_m is None and ch.iso_c is None)):
            return None
        rng = ch.temperature_range
        if rng is not None:
            levels, cmap = rng, layers.USER_RANGE_COLORMAP
        else:
            lo, hi, cmap = layers.temperature_scale(s.layout.hall.ashrae_class)
            levels = (lo, hi)
        return slices.SectionRequest(ch.slice_x_m, ch.slice_y_m, ch.iso_c, levels, cmap,
                                     ch.smooth)

    def _refresh(self, *_args: Any) -> None:
        req = self.request()
        if req is None:
            self._worker.submit(lambda _token: None)       # supersede what is running
            self._draw(None, None)
            return
        air = self.session.result.air                      # type: ignore[union-attr]
        self._worker.submit(lambda token: (req, slices.sections(air, req, token)))

    def _finished_on_worker(self, rid: int, result: Any, error: BaseException | None) -> None:
        self._post(lambda: self._finished(rid, result, error))

    def _finished(self, rid: int, result: Any, error: BaseException | None) -> None:
        if rid != self._worker.latest_id or isinstance(error, Cancelled) or result is None:
            return
        if error is not None:
            self.controls.set_note(f"3-D sections not drawn: {error}")
            return
        self._draw(*result)

    def _draw(self, req: slices.SectionRequest | None, sec: slices.Sections | None) -> None:
        view = self._view3d
        if view is None:
            return
        sv = view.sections
        drawn = set()
        for sl in (sec.slices if sec is not None else ()):
            t = sl.temperature_c
            lo, hi = units.temp(np.nanmin(t)), units.temperature(np.nanmax(t))
            span = hi if hi.startswith(lo + " ") else f"{lo}\u2013{hi}"
            label = f"{sl.label} \u00b7 {span}"
            sv.set_slice(sl.axis, sl.rgba, sl.position_m, sl.extent, label)
            drawn.add(sl.axis)
        for axis in self._shown - drawn:
            sv.clear_slice(axis)
        self._shown = drawn
        note = ""
        if req is not None and sec is not None and sec.iso is not None:
            iso = sec.iso
            if iso.empty:
                sv.clear_iso()
                lo, hi = sec.field_range_c
                where = "below" if hi < iso.value_c else "above"
                note = (f"No iso-surface: the air is {where} {units.temperature(iso.value_c)} "
                        f"everywhere ({units.temp(lo)}\u2013{units.temperature(hi)}).")
            else:
                rgb = colormap_rgba(np.array([hot_colour_c(iso.value_c, req.levels)]),
                                    *req.levels, req.colormap)[0, :3]
                rgb = rgb * (1 - ISO_LIGHTEN) + ISO_LIGHTEN
                sv.set_iso(iso.vertices_m, iso.faces, iso.normals, rgb,
                           f"{units.temperature(iso.value_c)} iso-surface")
        else:
            sv.clear_iso()
        self.controls.set_note(note)
