"""Glyphs for the 3-D views' text: one atlas per canvas, rasterised once per process.

vispy gives each text visual its own font manager, so each one turned every glyph it
shows into a signed-distance field again: a 3-D view with a legend, rack and row labels
and slice labels built ~100 glyphs at start-up, and every further view (a second window,
each figure of a report) built them all again. Here

* the visuals of one canvas share its OpenGL context, so they share one atlas:
  ``font_manager(canvas)`` is passed as ``font_manager=`` to each of them;
* the distance field of a glyph depends only on its bitmap, so it is computed once per
  process and copied into each canvas's atlas (``_SharedFieldRenderer``);
* freetype's bitmap of a glyph (and its kerning against every other glyph) depends only
  on the font, so it is made once per process too (``_load_glyph_shared``, which takes
  the place of vispy's ``_load_glyph`` for every text visual): vispy reads each bitmap
  into Python pixel by pixel, ~4 ms a glyph, 0.3–0.4 s for each new view.
"""

from __future__ import annotations

import hashlib
import weakref

import numpy as np
import vispy.visuals.text.text as _vispy_text
from vispy.visuals.text.text import FontManager, SDFRendererCPU

_MANAGERS: "weakref.WeakKeyDictionary[object, FontManager]" = weakref.WeakKeyDictionary()

#: vispy's own loader (freetype): renders one glyph into a font's glyph dictionary and
#: fills the kerning between it and every glyph already there, both ways
_vispy_load_glyph = _vispy_text._load_glyph
#: per font (face, bold, italic, size): every glyph loaded in this process, by vispy's
#: loader, so that each holds its kerning against all the others
_REFERENCE: dict[tuple, dict[str, dict]] = {}


def _load_glyph_shared(font: dict, char: str, glyphs: dict[str, dict]) -> None:
    """Put ``char`` into a canvas's glyph dictionary ``glyphs`` as vispy's loader would
    (bitmap, offset, advance, kerning both ways with the glyphs already there), from the
    process-wide reference of that font: freetype renders each glyph once per process."""
    ref = _REFERENCE.setdefault((font["face"], font["bold"], font["italic"], font["size"]), {})
    if char not in ref:
        _vispy_load_glyph(font, char, ref)
    src = ref[char]
    glyphs[char] = dict(src, kerning={c: src["kerning"][c] for c in (*glyphs, char)})
    for other, glyph in glyphs.items():
        glyph["kerning"][char] = ref[other]["kerning"][char]


_vispy_text._load_glyph = _load_glyph_shared


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
