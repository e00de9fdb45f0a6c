"""``Throttle`` (twin/view3d/throttle.py): first request at once, a burst's last request
after the interval, and nothing at all once stopped (a closed view's canvas may be gone)."""

import pytest

from twin.view3d.raster_canvas import RasterSceneCanvas
from twin.view3d.throttle import Throttle

pytestmark = pytest.mark.gui


@pytest.fixture
def canvas(qtbot):
    c = RasterSceneCanvas(size=(40, 30), show=False)
    yield c
    c.close()


def test_a_burst_runs_first_and_last_only(qtbot, canvas):
    calls = []
    t = Throttle(0.05, lambda: calls.append(1), app=canvas.app)
    t.request()                      # the first runs now
    t.request()
    t.request()                      # these two fold into one trailing call
    assert calls == [1]
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=2000)
    qtbot.wait(150)                  # and nothing more follows
    assert calls == [1, 1]


def test_after_stop_nothing_runs_not_even_a_new_request(qtbot, canvas):
    calls = []
    t = Throttle(0.05, lambda: calls.append(1), app=canvas.app)
    t.request()
    t.request()                      # pending trailing call
    t.stop()
    t.request()                      # e.g. a camera event while the canvas is deleted
    t.request(defer=True)
    qtbot.wait(200)
    assert calls == [1]
