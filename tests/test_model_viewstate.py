"""Colour maps and colourings (twin/model/viewstate.py)."""

import numpy as np

from twin.model.viewstate import COLORMAPS, Colouring, colormap_lut, colormap_rgba


def test_a_lut_has_n_entries_evenly_spaced_over_the_map():
    """``colormap_lut(name, n)`` samples 0..1 at n even steps: with n = 3 the middle entry
    is at 0.5, exactly the middle stop of "capture" (254, 224, 144)."""
    lut = colormap_lut("capture", 3)
    assert lut.shape == (3, 4)
    assert lut[:, :3].tolist() == [list(s[1]) for s in COLORMAPS["capture"]]
    assert lut[:, 3].tolist() == [255, 255, 255]
    assert colormap_lut("thermal").shape == (256, 4)          # the default size


def test_a_degenerate_scale_spans_one_unit_above_vmin():
    """When vmax <= vmin (e.g. every rack has the same value) the scale falls back to a
    width of 1: vmin is the first stop, vmin + 0.5 the middle (0.5) stop, vmin + 1 and
    above the last stop."""
    stops = COLORMAPS["capture"]
    rgba = colormap_rgba(np.array([20.0, 20.5, 21.0, 23.0]), 20.0, 20.0, "capture")
    want = [stops[0][1], stops[1][1], stops[2][1], stops[2][1]]
    assert np.allclose(rgba[:, :3], np.array(want) / 255.0)


def test_categorical_values_with_none_take_none_as_missing():
    """Values read from rack records (``None`` for an unset value) are converted to
    floats first, so ``None`` is missing and comes out grey (0.62) like NaN; 1 is the
    second category colour."""
    c = Colouring(categories=("a", "b"), colours=((255, 0, 0), (0, 0, 255)))
    rgba = c.rgba_of([1.0, None])
    assert rgba.tolist() == [[0, 0, 1, 1], [0.62, 0.62, 0.62, 1]]
