"""The 3-D views' shared glyphs (twin/view3d/fonts.py) draw exactly what vispy draws."""

import numpy as np
import pytest
from vispy import scene

from twin.view3d import fonts

pytestmark = pytest.mark.gui

TEXT = "Rack A01 27.4 °C"


def _render(font_manager) -> np.ndarray:
    canvas = scene.SceneCanvas(size=(240, 60), show=False, bgcolor="black")
    kw = {} if font_manager is None else {"font_manager": font_manager(canvas)}
    scene.visuals.Text(TEXT, pos=(120, 30), color="white", font_size=14, parent=canvas.scene,
                       **kw)
    image = canvas.render()
    canvas.close()
    return image


def test_shared_glyphs_give_vispys_pixels_and_are_rasterised_once(qtbot):
    plain = _render(None)
    fonts._SharedFieldRenderer._fields.clear()
    first = _render(fonts.font_manager)
    made = len(fonts._SharedFieldRenderer._fields)
    second = _render(fonts.font_manager)
    assert (plain[..., :3] > 128).sum() > 200          # the text was drawn
    np.testing.assert_array_equal(first, plain)
    np.testing.assert_array_equal(second, plain)
    assert made >= len(set(TEXT) - {" "})                 # at least every glyph shown
    assert len(fonts._SharedFieldRenderer._fields) == made   # the second canvas made none


def test_one_manager_per_canvas():
    a, b = scene.SceneCanvas(show=False), scene.SceneCanvas(show=False)
    assert fonts.font_manager(a) is fonts.font_manager(a)
    assert fonts.font_manager(a) is not fonts.font_manager(b)
    a.close(); b.close()
