"""The 3-D views' shared glyphs (twin/view3d/fonts.py) draw exactly what vispy draws."""

import numpy as np
import pytest
from vispy import scene
from vispy.visuals.text import text as vispy_text

from twin.view3d import fonts
from twin.view3d.raster_canvas import RasterSceneCanvas

pytestmark = pytest.mark.gui

TEXT = "Rack A01 27.4 °C"
#: pairs a font kerns ("AV", "To", "Wa", "y.") in two orders of first appearance
KERNED = ("AVATAR Today, Way.", "yaW .oT RATAVA")


def _render(font_manager, text: str = TEXT) -> np.ndarray:
    canvas = RasterSceneCanvas(size=(240, 60), show=False, bgcolor="black")
    kw = {} if font_manager is None else {"font_manager": font_manager(canvas)}
    scene.visuals.Text(text, pos=(120, 30), color="white", font_size=14, parent=canvas.scene,
                       **kw)
    image = canvas.render()
    canvas.close()
    return image


def test_shared_glyphs_give_vispys_pixels_and_are_rasterised_once(qtbot, monkeypatch):
    with monkeypatch.context() as m:             # vispy's own loader, nothing shared
        m.setattr(vispy_text, "_load_glyph", fonts._vispy_load_glyph)
        plain = _render(None)
    fonts._SharedFieldRenderer._fields.clear()
    fonts._REFERENCE.clear()
    first = _render(fonts.font_manager)
    made = len(fonts._SharedFieldRenderer._fields)
    (reference,) = fonts._REFERENCE.values()
    rendered = dict(reference)
    second = _render(fonts.font_manager)
    assert (plain[..., :3] > 128).sum() > 200          # the text was drawn
    np.testing.assert_array_equal(first, plain)
    np.testing.assert_array_equal(second, plain)
    assert made >= len(set(TEXT) - {" "})                 # at least every glyph shown
    assert len(fonts._SharedFieldRenderer._fields) == made   # the second canvas made none
    # freetype rendered each glyph of the font once: the second canvas took them all
    # (vispy's text and the glyphs it measures line heights with) from the first
    assert set(TEXT) <= set(reference)
    assert all(reference[c] is rendered[c] for c in rendered) and len(reference) == len(rendered)


def test_kerning_is_vispys_whatever_order_the_glyphs_were_first_loaded_in(qtbot, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(vispy_text, "_load_glyph", fonts._vispy_load_glyph)
        plain = [_render(None, t) for t in KERNED]
    fonts._REFERENCE.clear()
    # each text on its own canvas after the other one loaded the glyphs in its order
    for text, want in zip(KERNED, plain):
        np.testing.assert_array_equal(_render(fonts.font_manager, text), want)
    for text, want in zip(reversed(KERNED), reversed(plain)):
        np.testing.assert_array_equal(_render(fonts.font_manager, text), want)
    ref = next(iter(fonts._REFERENCE.values()))
    assert any(k != 0 for g in ref.values() for k in g["kerning"].values())   # kerned font


def test_one_manager_per_canvas():
    a, b = RasterSceneCanvas(show=False), RasterSceneCanvas(show=False)
    assert fonts.font_manager(a) is fonts.font_manager(a)
    assert fonts.font_manager(a) is not fonts.font_manager(b)
    a.close(); b.close()
