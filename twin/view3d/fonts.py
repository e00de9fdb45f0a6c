"""One glyph atlas per canvas, shared by every text visual drawn in it.

vispy gives each text visual its own font manager, so each one rasterises every glyph it
shows with FreeType again (about 5 ms a glyph on a laptop): a 3-D view with a legend,
rack and row labels and slice labels rendered ~100 glyphs at start-up, most of them
twice or more. Visuals of one canvas share its OpenGL context, so they can share one
atlas; ``font_manager(canvas)`` is passed as ``font_manager=`` to each of them.
"""

from __future__ import annotations

import weakref

from vispy.visuals.text.text import FontManager

_MANAGERS: "weakref.WeakKeyDictionary[object, FontManager]" = weakref.WeakKeyDictionary()


def font_manager(canvas: object) -> FontManager:
    """The font manager of ``canvas`` (made on first use, dropped with the canvas)."""
    manager = _MANAGERS.get(canvas)
    if manager is None:
        manager = _MANAGERS[canvas] = FontManager(method="cpu")
    return manager
