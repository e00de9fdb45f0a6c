"""Streamlines in the 3-D view: one vispy line visual, a colour per vertex.

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


class StreamlineVisual:
    """The streamlines of one picture in a vispy scene (hidden until ``set_picture``)."""

    def __init__(self, parent) -> None:
        self.line = scene.visuals.Line(parent=parent, method="gl", antialias=False,
                                       width=LINE_WIDTH_PX)
        self.line.set_gl_state("translucent", depth_test=True, depth_mask=False)
        self.line.order = DRAW_ORDER
        self.line.visible = False
        self.n_segments = 0

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
        self.n_segments = 0

    @property
    def visible(self) -> bool:
        return bool(self.line.visible)
