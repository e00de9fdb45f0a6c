"""Streamlines in the 3-D view: one vispy line visual, a colour per vertex, and the
animated particles riding them (one markers visual).

The lines come from ``twin.engine.streamlines`` (traced off the GUI thread); this module
only hands them to the GPU: every line's consecutive points are joined by one segment
(the ``connect`` index array), so all lines are one draw call. Lines are depth-tested
against the racks (they pass behind rows) but write no depth, so crossing lines and the
translucent slice blend instead of cutting each other.
"""

from __future__ import annotations

import numpy as np
from vispy import scene

from twin.engine.streamlines import StreamlinePicture

#: line width in pixels (wide lines are drawn by software OpenGL too)
LINE_WIDTH_PX = 2.0
#: opacity of the lines
LINE_ALPHA = 0.9
#: drawn after the racks and containment, before the walls and the slice
DRAW_ORDER = 7
#: particle dots: diameter in pixels, light fill with a dark rim
PARTICLE_PX = 6.0
PARTICLE_FACE = (0.98, 0.99, 1.0, 0.95)
PARTICLE_EDGE = (0.05, 0.07, 0.09, 0.9)


class StreamlineVisual:
    """The streamlines of one picture in a vispy scene (hidden until ``set_picture``)."""

    def __init__(self, parent) -> None:
        self.line = scene.visuals.Line(parent=parent, method="gl", antialias=False,
                                       width=LINE_WIDTH_PX)
        self.line.set_gl_state("translucent", depth_test=True, depth_mask=False)
        self.line.order = DRAW_ORDER
        self.line.visible = False
        self.n_segments = 0
        self.particles = scene.visuals.Markers(parent=parent)
        self.particles.set_gl_state("translucent", depth_test=True, depth_mask=False)
        self.particles.order = DRAW_ORDER
        self.particles.visible = False

    def set_particles(self, points_m: np.ndarray) -> None:
        """Show particle dots at ``points_m`` (n, 3); none: hide them."""
        if not len(points_m):
            self.particles.visible = False
            return
        self.particles.set_data(np.asarray(points_m, np.float32), size=PARTICLE_PX,
                                face_color=PARTICLE_FACE, edge_color=PARTICLE_EDGE,
                                edge_width=1.0)
        self.particles.visible = True

    def set_picture(self, pic: StreamlinePicture) -> None:
        seg = pic.lines.segment_index()
        self.n_segments = len(seg)
        if not len(seg):
            self.clear()
            return
        rgba = np.array(pic.rgba, np.float32)
        rgba[:, 3] = LINE_ALPHA
        self.line.set_data(pos=pic.lines.points_m.astype(np.float32), color=rgba,
                           connect=seg.astype(np.uint32))
        self.line.visible = True

    def clear(self) -> None:
        self.line.visible = False
        self.particles.visible = False
        self.n_segments = 0

    @property
    def visible(self) -> bool:
        return bool(self.line.visible)
