"""Analysis > Training Power Swings: the dialog computes off the GUI thread, shows raw and
smoothed series and the verdicts, and saves its settings into the layout as one undo step."""

from __future__ import annotations

import pytest

from tests.gui.test_main_window import dialogs, settings, window  # noqa: F401  (fixtures)

pytestmark = pytest.mark.gui


def test_swing_dialog_computes_and_saves_as_one_undo_step(window, qtbot):  # noqa: F811
    w = window
    dlg = w.analysis_swing()
    qtbot.waitUntil(lambda: not dlg.busy, timeout=20000)
    assert dlg.report is not None and dlg.report.stages == []     # the pod has no swing yet
    dlg.ramp_limit.setValue(10.0)
    dlg.period.setValue(2.0)
    qtbot.waitUntil(lambda: not dlg.busy and bool(dlg.report.stages), timeout=20000)
    qtbot.waitUntil(lambda: not dlg.busy and dlg.report.max_ramp_mw_per_s == 10.0, timeout=20000)
    raw = dlg.report.stages[0]
    assert dlg.table.item(0, 0).text() == "raw" and dlg.table.item(0, 6).text() == "OVER"
    assert raw.metrics.swing_w > 0 and len(dlg.raw_curve.getData()[0]) > 10
    assert w.floor_layout.workloads["llm-train"].swing_period_s is None   # not saved yet
    depth = w.document.stack.count()
    dlg.save_to_layout()
    assert w.document.stack.count() == depth + 1
    assert w.floor_layout.workloads["llm-train"].swing_period_s == 2.0
    assert w.floor_layout.site.grid_max_ramp_mw_per_s == 10.0
    w.document.stack.undo()
    assert w.floor_layout.workloads["llm-train"].swing_period_s is None
    assert w.floor_layout.site.grid_max_ramp_mw_per_s is None
    dlg.close()
