"""Scenarios in the window: the editor adds and edits them as undo steps and refuses
references that are not there, the switcher shows one in the views without changing the
layout, and Compare Scenarios draws the air difference centred on 0 K."""

from __future__ import annotations

import numpy as np
import pytest

from tests.gui.test_main_window import dialogs, settings, window  # noqa: F401  (fixtures)

pytestmark = pytest.mark.gui


def test_editor_switcher_and_comparison(window, qtbot):  # noqa: F811
    w = window
    assert not w.scenario_switcher_action.isVisible()      # no scenarios: no switcher
    ed = w.analysis_scenarios()
    depth = w.document.stack.count()
    ed.add()
    assert list(w.floor_layout.scenarios) == ["scenario-1"]
    ed.name.setText("Peak")
    ed.util["llm-train"].setValue(1.0)
    ed.failed.setText("CDU-B/pump")
    ed.setpoints.setText("IRC-A1=nope")
    assert not ed.save()
    assert "nope" in ed.message.text()
    ed.setpoints.setText("IRC-ZZ=24")
    assert not ed.save() and "no cooling unit 'IRC-ZZ'" in ed.message.text()
    ed.setpoints.setText("IRC-A1=24")
    assert ed.save()
    sc = w.floor_layout.scenarios["scenario-1"]
    assert (sc.name, sc.utilisation, sc.failed, sc.setpoints_c) == (
        "Peak", {"llm-train": 1.0}, ("CDU-B/pump",), {"IRC-A1": 24.0})
    assert w.document.stack.count() == depth + 2             # add + edit
    assert w.scenario_switcher.combo.count() == 2
    # the switcher shows the scenario in the views, the layout unchanged
    it_base = w.session.result.facility.it_kw
    w.scenario_switcher.combo.setCurrentIndex(1)
    w.scenario_switcher.show_current()
    qtbot.waitUntil(lambda: w.session.scenario == "scenario Peak", timeout=20000)
    assert w.session.result.facility.it_kw > it_base
    assert w.floor_layout.workloads["llm-train"].utilisation < 1.0
    w.scenario_switcher.combo.setCurrentIndex(0)
    w.scenario_switcher.show_current()
    assert w.session.scenario is None
    dlg = w.analysis_compare_scenarios()
    qtbot.waitUntil(lambda: dlg.comparison is not None, timeout=30000)
    lo, hi = dlg.colour_bar.levels()
    assert lo == pytest.approx(-hi) and hi > 0                # centred on 0 K
    assert np.isfinite(dlg.comparison.air_delta_c).any()
    assert w.last_comparison[1] == "scenario Peak"
    w.document.stack.undo()
    w.document.stack.undo()
    assert not w.floor_layout.scenarios
