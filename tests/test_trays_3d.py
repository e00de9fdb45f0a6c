"""Cable trays in 3-D: each tray piece a solid of the tray's width and depth over its
centre line at its elevation, coloured by its fill band as on the plan."""

from __future__ import annotations

import numpy as np
import pytest

from twin.engine.fabric import TRAY_FILL_BANDS, fill_band


def test_fill_bands_hold_their_upper_bounds():
    assert fill_band(np.array([0.0, 0.5, 0.5001, 0.8, 0.81, 1.0, 1.0001, 7.0])).tolist() == \
        [0, 0, 1, 1, 2, 2, 3, 3]
    assert len(TRAY_FILL_BANDS) == 4


def test_tray_solid_spans_width_depth_and_length_by_hand():
    from twin.view3d.trays import tray_mesh
    a = np.array([[1.0, 2.0, 3.0], [5.0, 0.0, 2.5]])
    b = np.array([[4.0, 2.0, 3.0], [5.0, 6.0, 2.5]])       # one along x, one along y
    size = np.array([[0.6, 0.1], [0.3, 0.15]])
    verts, faces, colours = tray_mesh(a, b, size, np.array([0, 3]))
    assert verts.shape == (16, 3) and faces.shape == (24, 3) and colours.shape == (24, 4)
    x_tray, y_tray = verts[:8], verts[8:]
    np.testing.assert_allclose(x_tray.min(0), [1.0, 1.7, 3.0], atol=1e-6)
    np.testing.assert_allclose(x_tray.max(0), [4.0, 2.3, 3.1], atol=1e-6)
    np.testing.assert_allclose(y_tray.min(0), [4.85, 0.0, 2.5], atol=1e-6)
    np.testing.assert_allclose(y_tray.max(0), [5.15, 6.0, 2.65], atol=1e-6)
    assert faces.max() == 15 and faces[:12].max() == 7             # each box its own corners
    # the top faces carry the band colour itself; the first tray green, the second red
    green, red = (np.array([0x4c, 0xaf, 0x7d]) / 255, np.array([0xe0, 0x45, 0x3a]) / 255)
    np.testing.assert_allclose(colours[2, :3], green, atol=1e-3)
    np.testing.assert_allclose(colours[14, :3], red, atol=1e-3)
    assert (colours[4:12, :3] < colours[2, :3] + 1e-6).all()         # sides darker


@pytest.mark.gui
def test_pod_trays_show_in_the_3d_view():
    from twin.engine.simulate import simulate
    from twin.io import load_layout
    from tests.conftest import LAYOUTS
    from twin.view3d.trays import TrayVisual
    from vispy import scene
    res = simulate(load_layout(LAYOUTS / "gb200-pod.json"))
    assert res.fabric is not None and len(res.fabric.fill) > 0
    node = scene.Node()
    trays = TrayVisual(parent=node)
    trays.set_result(res.fabric)
    assert trays.mesh.visible and trays.n_pieces == len(res.fabric.fill)
    trays.set_result(None)
    assert not trays.mesh.visible
