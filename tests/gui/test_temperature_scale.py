"""View > Temperature Scale: the class scale by default, a locked user range applied to
the rack colours and the heatmap alike, and back."""

from __future__ import annotations

import pytest

from tests.gui.test_main_window import dialogs, settings, window  # noqa: F401  (fixtures)

pytestmark = pytest.mark.gui


def test_user_range_applies_to_racks_and_heatmap_and_goes_back(window, qtbot):  # noqa: F811
    w = window
    qtbot.waitUntil(lambda: w.session.result is not None, timeout=30000)
    w.set_colour_by("inlet")
    w.session.set_heatmap(metric="air")
    c = w.session.colouring.current
    assert (c.vmin, c.vmax, c.colormap) == (15.0, 35.0, "ashrae-A1")
    dlg = w.view_temperature_scale()
    dlg.own.setChecked(True)
    dlg.low.setValue(20.0)
    dlg.high.setValue(20.0)
    assert not dlg.apply() and "above" in dlg.message.text()
    dlg.high.setValue(30.0)
    assert dlg.apply()
    c = w.session.colouring.current
    assert (c.vmin, c.vmax, c.colormap) == (20.0, 30.0, "thermal")
    hm, _note = w.session.heatmap_image()
    assert hm.levels == (20.0, 30.0)
    assert tuple(w.plan_view.heatmap.levels) == (20.0, 30.0)
    dlg = w.view_temperature_scale()
    assert dlg.own.isChecked() and dlg.low.value() == 20.0
    dlg.by_class.setChecked(True)
    assert dlg.apply()
    assert w.session.colouring.current.vmax == 35.0
    assert w.session.heatmap_image()[0].levels == (15.0, 35.0)
