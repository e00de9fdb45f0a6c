"""Streamlines in the window: the heatmap dock's switch traces them off the GUI thread and
draws them on the plan (coloured pixels where the lines run, none once switched off) and
in the 3-D view."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.gui.test_live import _discard_on_close, _vp, open_live  # noqa: F401  (fixture)
from twin.engine import streamlines as engine

pytestmark = pytest.mark.gui


def _plan_rgb(w) -> np.ndarray:
    QApplication.processEvents()
    img = w.plan_view.canvas.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return rows[:, :img.width() * 3].reshape(img.height(), img.width(), 3).astype(int)


def _at(w, img: np.ndarray, pts_m: np.ndarray) -> np.ndarray:
    """Pixels (n, 3) of ``img`` under plan points (x, y) in metres."""
    dpr = w.plan_view.canvas.devicePixelRatioF()
    out = []
    for x, y in pts_m:
        p = _vp(w, float(x), float(y))
        out.append(img[min(round(p.y() * dpr), img.shape[0] - 1),
                       min(round(p.x() * dpr), img.shape[1] - 1)])
    return np.array(out)


def _switch(qtbot, w, on: bool) -> None:
    w.heatmap_controls.streamlines_box.setChecked(on)
    assert w.session.heatmap.streamlines is on
    bridge = w.live.streamlines
    assert bridge.wait_idle(30)
    qtbot.waitUntil(lambda: (bridge.picture is not None) is on, timeout=10000)


def test_plan_and_3d_show_streamlines_while_switched_on(qtbot, tmp_path):
    w = open_live(qtbot, tmp_path, "small-room.json")
    w.set_view_mode("split", remember=False)
    w.heatmap_controls.set_metric("off")          # a plain floor under the lines
    qtbot.waitUntil(lambda: w.session.heatmap.metric == "off")
    before = _plan_rgb(w)
    render_before = w.view3d.render_image()[..., :3].astype(int)

    _switch(qtbot, w, True)
    pic = w.live.streamlines.picture
    lines = pic.lines
    assert lines.n_lines > 50
    assert "lines from tiles" in w.heatmap_controls.streamlines_note.text()
    on = _plan_rgb(w)
    # points where a line runs along the floor plan (not straight up), away from
    # equipment: racks and units are drawn over the lines
    seg = lines.segment_index()
    a, b = lines.points_m[seg[:, 0]], lines.points_m[seg[:, 1]]
    flat = np.hypot(*(b - a)[:, :2].T) > 0.05
    mid = 0.5 * (a + b)[flat, :2]
    colour = (pic.rgba[seg[flat, 0], :3] * 255).round()
    free = np.array([w.session.floor.id_at(float(x), float(y)) is None for x, y in mid])
    mid, colour = mid[free], colour[free]
    assert len(mid) > 100
    px_on, px_off = _at(w, on, mid), _at(w, before, mid)
    changed = np.abs(px_on - px_off).sum(axis=1) > 60
    assert changed.mean() > 0.9, changed.mean()
    # drawn in the line's temperature colour (antialiasing and crossings: most, not all)
    near_colour = np.abs(px_on - colour).max(axis=1) < 70
    assert near_colour.mean() > 0.8, near_colour.mean()
    # cold tile air and hot exhaust come out in different colours
    assert np.ptp(px_on[changed & near_colour], axis=0).max() > 80

    view = w.live.streamlines._view3d
    assert view.streamlines.visible and view.streamlines.n_segments == len(seg)
    render_on = w.view3d.render_image()[..., :3].astype(int)
    assert (np.abs(render_on - render_before).sum(axis=2) > 60).sum() > 2000

    _switch(qtbot, w, False)
    off = _plan_rgb(w)
    assert np.abs(_at(w, off, mid) - px_off).sum(axis=1).max() < 30
    assert not view.streamlines.visible
    assert w.heatmap_controls.streamlines_note.isHidden()
    np.testing.assert_array_equal(w.view3d.render_image()[..., :3].astype(int), render_before)


def test_trace_follows_the_result_not_the_height_slider(qtbot, tmp_path):
    """Moving the heatmap height re-traces nothing; a new result re-traces once."""
    w = open_live(qtbot, tmp_path, "gb200-pod.json")
    _switch(qtbot, w, True)
    bridge = w.live.streamlines
    first = bridge.picture
    w.heatmap_controls.set_height(2.0)
    qtbot.waitUntil(lambda: abs(w.session.heatmap.height_m - 2.0) < 1e-9)
    assert bridge.wait_idle(10)
    QApplication.processEvents()
    assert bridge.picture is first
    # a locked temperature range recolours the lines
    w.session.set_heatmap(temperature_range=(20.0, 30.0))
    assert bridge.wait_idle(30)
    qtbot.waitUntil(lambda: bridge.picture is not first, timeout=10000)
    expected = engine.temperature_colours(bridge.picture.lines.temperature_c, "A1", (20.0, 30.0))
    np.testing.assert_allclose(bridge.picture.rgba, expected)


def test_particles_move_along_the_lines_while_ticked(qtbot, tmp_path):
    w = open_live(qtbot, tmp_path, "gb200-pod.json")
    w.set_view_mode("split", remember=False)
    box = w.heatmap_controls.particles_box
    assert not box.isEnabled()                     # only with streamlines on
    _switch(qtbot, w, True)
    assert box.isEnabled()
    bridge = w.live.streamlines
    box.setChecked(True)
    assert bridge.animating
    layer = bridge.particles
    qtbot.waitUntil(lambda: layer.isVisible() and len(layer.data) > 0, timeout=5000)
    first = np.column_stack([layer.data["x"], layer.data["y"]]).copy()
    qtbot.wait(300)
    later = np.column_stack([layer.data["x"], layer.data["y"]])
    assert first.shape == later.shape and np.abs(later - first).max() > 0.05
    # every dot lies on a streamline (within a point spacing, seen from above)
    xy = bridge.picture.lines.points_m[:, :2]
    gap = np.min(np.hypot(*(later[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)), axis=1)
    assert gap.max() < 0.3
    assert w.view3d.streamlines.particles.visible
    _switch(qtbot, w, False)
    assert not bridge.animating and not layer.isVisible()
    assert not box.isEnabled() and not w.view3d.streamlines.particles.visible
