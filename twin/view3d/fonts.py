"""Glyphs for the 3-D views' text: one atlas per canvas, rasterised once per process.

vispy gives each text visual its own font manager, so each one turned every glyph it
shows into a signed-distance field again: a 3-D view with a legend, rack and row labels
and slice labels built ~100 glyphs at start-up, and every further view (a second window,
each figure of a report) built them all again. Here

* the visuals of one canvas share its OpenGL context, so they share one atlas:
  ``font_manager(canvas)`` is passed as ``font_manager=`` to each of them;
* the distance field of a glyph depends only on its bitmap, so it is computed once per
  process and copied into each canvas's atlas (``_SharedFieldRenderer``).
"""

from __future__ import annotations

import hashlib
import weakref

import numpy as np
from vispy.visuals.text.text import FontManager, SDFRendererCPU

_MANAGERS: "weakref.WeakKeyDictionary[object, FontManager]" = weakref.WeakKeyDictionary()


class _SharedFieldRenderer(SDFRendererCPU):
    """vispy's CPU distance-field renderer with a process-wide cache of its results."""

    #: at most this many fields are kept (~20 kB each); later glyphs are computed each time
    LIMIT = 2048
    _fields: dict[tuple, np.ndarray] = {}

    def render_to_texture(self, data, texture, offset, size):
        key = (data.shape, tuple(size), hashlib.blake2b(data.tobytes(), digest_size=16).digest())
        field = self._fields.get(key)
        if field is None:
            field = np.zeros((size[1], size[0], 3), np.uint8)
            super().render_to_texture(data, field, (0, 0), size)
            if len(self._fields) < self.LIMIT:
                self._fields[key] = field
        texture[offset[1]:offset[1] + size[1], offset[0]:offset[0] + size[0], :] = field


def font_manager(canvas: object) -> FontManager:
    """The font manager of ``canvas`` (made on first use, dropped with the canvas)."""
    manager = _MANAGERS.get(canvas)
    if manager is None:
        manager = _MANAGERS[canvas] = _CanvasFonts()
    return manager


class _CanvasFonts(FontManager):
    """vispy's font manager (CPU fields) with the shared field renderer."""

    def __init__(self) -> None:
        super().__init__(method="cpu")
        self._renderer = _SharedFieldRenderer()
