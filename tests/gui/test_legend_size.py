"""The 3-D key never crowds the view: in the split view of a 1024 x 700 window the legend
covers at most a fifth of the 3-D view, for a colour bar and for a categorical key (the
plan's keys sit beside its plot, never over it)."""

from __future__ import annotations

import pytest

from tests.gui.test_main_window import dialogs, settings, window  # noqa: F401  (fixtures)

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("colour_by", ["model", "inlet", "power"])
def test_legends_take_at_most_a_fifth_of_each_view_at_1024x700(window, qtbot, colour_by):  # noqa: F811
    w = window
    w.resize(1024, 700)
    w.set_view_mode("split")
    qtbot.waitUntil(lambda: w.session.result is not None, timeout=30000)
    w.set_colour_by(colour_by)
    w.session.set_heatmap(metric="air")
    qtbot.wait(50)
    if w.view3d is not None:
        cw, ch = w.view3d.canvas.size
        lw, lh = w.view3d.legend.size
        assert 0 < lw * lh <= 0.2 * cw * ch
        x, y = w.view3d.legend.root.transform.translate[:2]
        assert x >= 0 and x + lw <= cw and y + lh <= ch         # inside the view
        if colour_by == "model":       # names cut to fit still say which model is which
            names = w.view3d.legend.labels.text
            names = [names] if isinstance(names, str) else list(names)
            assert len(set(names)) == len(names)
    else:
        pytest.skip("no OpenGL")


def test_narrow_plan_keeps_its_colour_bar_in_view(window, qtbot):  # noqa: F811
    """A plan narrower than the symbol key allows drops that key and the long title, and
    its colour bar stays inside the widget; widened again, both come back."""
    w = window
    w.resize(1024, 700)
    w.set_view_mode("split")
    qtbot.waitUntil(lambda: w.session.result is not None, timeout=30000)
    w.set_colour_by("inlet")
    w.session.set_heatmap(metric="air")
    plan = w.plan_view
    qtbot.waitUntil(lambda: plan.legends.compact, timeout=3000)
    qtbot.wait(20)

    def right_edge(item) -> float:
        return plan.canvas.mapFromScene(item.sceneBoundingRect().topRight()).x()

    assert plan.width() < 720
    assert plan.legends.symbol_key not in plan.legends._side
    assert right_edge(plan.legends.heat_bar) <= plan.canvas.width() + 1
    assert plan.plot.titleLabel.text == w.floor_layout.name
    w.resize(1600, 1000)
    w.set_view_mode("plan")
    qtbot.waitUntil(lambda: not plan.legends.compact, timeout=3000)
    assert plan.legends.symbol_key in plan.legends._side
    assert "racks" in plan.plot.titleLabel.text


def test_narrow_window_narrows_the_side_docks_and_gives_the_views_room(window, qtbot):  # noqa: F811
    from twin.gui.window.main_window import DOCK_WIDTHS_PX
    w = window
    w.resize(1024, 700)
    qtbot.wait(20)
    assert w.palette_dock.width() <= DOCK_WIDTHS_PX[True][0] + 2
    assert w.inspector_dock.width() <= DOCK_WIDTHS_PX[True][1] + 2
    assert w.splitter.width() >= 480                  # the views: half the window or so
    w.resize(1600, 1000)
    qtbot.wait(20)
    assert w.palette_dock.width() >= DOCK_WIDTHS_PX[False][0] - 2
