"""A colour means one temperature through an edit: dragging a rack into a hot spot raises
the room's hottest air by kelvins, yet wherever the air did not change its pixel keeps its
colour (the ASHRAE-class scale, or a user range, never rescales to the data)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent
from PySide6.QtTest import QTest

from tests.gui.test_live import (HOT_SPOT, NONE, L, _discard_on_close, _send, _vp,  # noqa: F401
                                 heat_at, plan_pixel, small, wait_fresh)

pytestmark = pytest.mark.gui


def _floor_points(w) -> list[tuple[float, float]]:
    """Plan points on open floor (no rack, no unit) on a 0.9 m lattice."""
    hall = w.floor_layout.hall
    pts = []
    for x in np.arange(0.45, hall.width_m, 0.9):
        for y in np.arange(0.45, hall.length_m, 0.9):
            if w.plan_view.id_at(float(x), float(y)) is None:
                pts.append((float(x), float(y)))
    return pts


@pytest.mark.parametrize("user_range", [None, (20.0, 30.0)])
def test_unchanged_air_keeps_its_colour_through_a_drag(small, qtbot, user_range):  # noqa: F811
    w = small
    w.set_colour_by("inlet")
    w.session.set_heatmap(metric="air", height_m=1.0, smooth=False,
                          temperature_range=user_range)
    wait_fresh(qtbot, w)
    levels = tuple(w.plan_view.heatmap_item().levels)
    assert levels == (user_range or (15.0, 35.0))
    points = _floor_points(w)
    before = {p: (heat_at(w, *p), plan_pixel(w, *p).getRgb()[:3]) for p in points}
    around = {p: [heat_at(w, p[0] + dx, p[1] + dy) for dx in (-0.3, 0.0, 0.3)
                  for dy in (-0.3, 0.0, 0.3)] for p in points}
    hottest = float(np.nanmax(w.plan_view.heatmap_item().image))

    x0, y0 = w.editor.position_of("A07")
    _send(w, QEvent.Type.MouseButtonPress, _vp(w, x0, y0), L)
    for s in range(1, 9):
        QTest.qWait(12)
        t = s / 8
        _send(w, QEvent.Type.MouseMove, _vp(w, x0 + t * (HOT_SPOT[0] - x0),
                                             y0 + t * (HOT_SPOT[1] - y0)), L, NONE)
    _send(w, QEvent.Type.MouseButtonRelease, _vp(w, *HOT_SPOT), NONE)
    wait_fresh(qtbot, w)

    assert float(np.nanmax(w.plan_view.heatmap_item().image)) > hottest + 1.0  # data moved
    assert tuple(w.plan_view.heatmap_item().levels) == levels                # scale did not
    # held: the air at the point and a cell around it (the pixel read may fall in the
    # neighbouring cell) changed by less than 0.05 K (under a third of a colour step on
    # the 20 K scale); the drag stirs most of the small room's air (buoyancy time 2.3 s),
    # so only a few lattice points qualify
    near = [(dx, dy) for dx in (-0.3, 0.0, 0.3) for dy in (-0.3, 0.0, 0.3)]
    held = [p for p in points if w.plan_view.id_at(*p) is None
            and all(abs(heat_at(w, p[0] + dx, p[1] + dy) - around[p][k]) < 0.05
                    for k, (dx, dy) in enumerate(near))]
    assert len(held) >= 2
    for p in held:
        now = plan_pixel(w, *p).getRgb()[:3]
        assert np.abs(np.subtract(now, before[p][1])).max() <= 6, (p, before[p], now)   # 0.05 K
