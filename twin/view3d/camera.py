"""The floor camera: a turntable that orbits, pans in the floor plane and frames boxes.

Mouse: left drag orbits, right drag or wheel zooms, middle drag or Shift + left drag pans
along the floor. ``fit_box`` frames an axis-aligned box from the current viewing angle by
projecting its corners, so the framing is right for any aspect ratio and field of view.
"""

from __future__ import annotations

import numpy as np
from vispy.scene.cameras import TurntableCamera
from vispy.util import keys


class FloorCamera(TurntableCamera):
    """TurntableCamera with z up and panning that stays parallel to the floor."""

    def __init__(self, **kwargs):
        kwargs.setdefault("fov", 35.0)
        kwargs.setdefault("elevation", 34.0)
        kwargs.setdefault("azimuth", -28.0)
        #: called after every change of the view (orbit, pan, zoom, framing)
        self.view_listeners: list = []
        #: set by a user's orbit, pan or zoom; cleared when the view frames something
        self.user_moved = False
        super().__init__(**kwargs)
        self.depth_value = 1e4          # near = distance / 100: good depth precision
        self._pan_start = None

    def view_changed(self):
        super().view_changed()
        for listener in getattr(self, "view_listeners", ()):
            listener()

    def _update_rotation(self, event):
        super()._update_rotation(event)
        # stay above the floor: boxes have no bottom faces and the floor is one-sided
        self.elevation = float(np.clip(self.elevation, 3.0, 90.0))

    def viewbox_mouse_event(self, event):
        if event.handled or not self.interactive:
            return
        if event.type == "mouse_wheel" or (event.type == "mouse_move"
                                           and event.press_event is not None):
            self.user_moved = True
        if event.type == "mouse_move" and event.press_event is not None:
            mods = event.mouse_event.modifiers
            pan = (3 in event.buttons) or (1 in event.buttons and keys.SHIFT in mods)
            if pan:
                p1 = np.asarray(event.mouse_event.press_event.pos[:2], float)
                p2 = np.asarray(event.mouse_event.pos[:2], float)
                if self._pan_start is None:
                    self._pan_start = np.asarray(self.center, float)
                self._pan_floor(p1, p2)
                event.handled = True
                return
        if event.type == "mouse_release":
            self._pan_start = None
        super().viewbox_mouse_event(event)

    def _pan_floor(self, p1: np.ndarray, p2: np.ndarray) -> None:
        """Move the centre so the floor follows the mouse (approximately)."""
        h = max(self._viewbox.size[1], 1)
        metres_per_px = self.scale_factor / h
        d = (p2 - p1) * metres_per_px
        az = np.radians(self.azimuth)
        right = np.array([np.cos(az), np.sin(az)])
        fwd = np.array([-np.sin(az), np.cos(az)])
        el = max(np.sin(np.radians(abs(self.elevation))), 0.25)
        shift = -d[0] * right + d[1] * fwd / el
        c = self._pan_start
        self.center = (c[0] + shift[0], c[1] + shift[1], c[2])

    # ----- framing -----------------------------------------------------------------
    def project(self, points: np.ndarray) -> np.ndarray:
        """(n, 2) view-box pixel positions of scene points (n, 3)."""
        tr = self._viewbox.scene.node_transform(self._viewbox)
        p = tr.map(np.asarray(points, float))
        return p[:, :2] / p[:, 3:4]

    def fit_box(self, box: np.ndarray, margin: float = 0.08, centre_z: float | None = None,
                reserve_right_px: float = 0.0, reserve_top_px: float = 0.0) -> None:
        """Centre on an (x0, y0, z0, x1, y1, z1) box and zoom so it fills the view, less
        ``reserve_right_px`` on the right or ``reserve_top_px`` at the top (room for an
        overlay such as the legend)."""
        box = np.asarray(box, float)
        lo, hi = box[:3], box[3:]
        centre = (lo + hi) / 2
        if centre_z is not None:
            centre[2] = centre_z
        self.center = tuple(centre)
        size = np.asarray(self._viewbox.size, float)
        if (size < 2).any():
            self.scale_factor = float(max(hi[:2] - lo[:2]) * 1.2 + 1e-3)
            return
        corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1])
                            for z in (lo[2], hi[2])])
        self.scale_factor = float(max(np.linalg.norm(hi - lo), 0.5))
        reserve = min(max(reserve_right_px, 0.0), 0.35 * size[0])
        top = min(max(reserve_top_px, 0.0), 0.35 * size[1])
        target = np.array([(size[0] - reserve) / 2, (size[1] + top) / 2])
        avail = np.array([size[0] - reserve, size[1] - top]) * (1 - 2 * margin)
        for _ in range(8):
            p = self.project(corners)
            ext = p.max(axis=0) - p.min(axis=0)
            ratio = float(max(ext[0] / avail[0], ext[1] / avail[1]))
            if not np.isfinite(ratio) or ratio <= 0:
                break
            self.scale_factor = self.scale_factor * ratio
            # perspective makes the box's image off-centre: slide the centre along the
            # floor so that the projected box is centred in the view
            p = self.project(corners)
            off = (p.max(axis=0) + p.min(axis=0)) / 2 - target
            c = np.asarray(self.center, float)
            J = (self.project(c[None] + np.eye(3)[:2] * 0.01) - self.project(c[None])) / 0.01
            try:
                d = np.linalg.solve(J.T, off)
            except np.linalg.LinAlgError:
                d = np.zeros(2)
            self.center = (c[0] + d[0], c[1] + d[1], c[2])
            if abs(ratio - 1) < 0.005 and np.abs(off).max() < 1.0:
                break

    def fit_box_around(self, box: np.ndarray, centre, margin: float = 0.04) -> None:
        """Look at ``centre`` and zoom (bisection on the distance) until the whole
        (x0, y0, z0, x1, y1, z1) box is in front of the eye and fills the view. For boxes
        the eye looks along, where ``fit_box``'s re-centring does not converge."""
        box = np.asarray(box, float)
        lo, hi = box[:3], box[3:]
        corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1])
                            for z in (lo[2], hi[2])])
        self.center = tuple(float(c) for c in centre)
        size = np.asarray(self._viewbox.size, float)
        avail = size * (1 - 2 * margin)

        def fits(scale: float) -> bool:
            self.scale_factor = scale
            p = self._viewbox.scene.node_transform(self._viewbox).map(corners)
            if (p[:, 3] <= 1e-6).any():
                return False
            q = p[:, :2] / p[:, 3:4]
            m = (size - avail) / 2
            return bool((q >= m - 0.5).all() and (q <= size - m + 0.5).all())

        small, big = 0.1, float(np.linalg.norm(hi - lo)) * 4 + 1.0
        while not fits(big) and big < 1e5:
            big *= 2
        for _ in range(30):
            mid = (small * big) ** 0.5
            if fits(mid):
                big = mid
            else:
                small = mid
        self.scale_factor = big
