"""The metrics, alerts and workload docks as standalone widgets: what they show for real
simulation results, filtering and click-to-select, and undoable workload edits."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QPalette
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QLabel

from twin.engine.simulate import simulate
from twin.gui.docks.alerts import EMPTY_TEXT, AlertsPanel
from twin.gui.base.charts import status_colour
from twin.gui.base.commands import Editor
from twin.gui.docks.metrics import MetricsPanel
from twin.model import units
from twin.model.units import power as format_power_kw
from twin.gui.docks.profile_editor import PRESETS
from twin.gui.docks.workloads import MIXED, WorkloadPanel
from twin.gui.docks.workload_table import DECODE, KIND, POWER, PREFILL, RACKS, UTIL
from twin.io import load_layout
from twin.model.viewstate import Selection
from twin.physics.facility import Alert
from twin.physics.metrics import worst_inlet_index

pytestmark = pytest.mark.gui

LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"


@pytest.fixture(scope="module")
def pod_run():
    layout = load_layout(LAYOUTS / "gb200-pod.json")
    return layout, simulate(layout)


@pytest.fixture(scope="module")
def warm_run():
    """The small room: open aisles, row-end racks above the recommended band (the
    contained air-cooled hall breathes supply air everywhere)."""
    layout = load_layout(LAYOUTS / "small-room.json")
    return layout, simulate(layout)


def _texts(widget) -> str:
    """All label text of a widget, tags stripped, one label per line."""
    return "\n".join(re.sub(r"<[^>]+>", "", label.text()) for label in
                     widget.findChildren(QLabel))


# ================================================================ metrics panel
def test_metrics_panel_shows_pod_figures(qtbot, pod_run):
    layout, result = pod_run
    panel = MetricsPanel()
    qtbot.addWidget(panel)
    assert not panel.has_result
    panel.set_result(result, layout)
    assert panel.has_result
    text = _texts(panel)
    fac = result.facility
    assert format_power_kw(fac.it_kw) in text and "MW" in format_power_kw(fac.it_kw)
    assert format_power_kw(fac.facility_kw) in text
    assert f"{fac.pue:.3f}" in text
    # histogram: one count per rack, drawn as bars whose heights add up to the rack count
    assert panel.histogram.counts.sum() == len(result.rack_ids) == len(layout.racks)
    drawn = sum(np.sum(bar.opts["height"]) for bar in panel.histogram.bars.values())
    assert drawn == len(layout.racks)
    # power bar: the stacked segments span the facility power (in MW here)
    widths = panel.power.bar.opts["width"]
    assert widths.sum() == pytest.approx(fac.facility_kw / 1e3, rel=1e-9)
    panel.clear()
    assert not panel.has_result


def test_metrics_panel_colours_warm_inlet_and_links_rack(qtbot, warm_run):
    layout, result = warm_run
    panel = MetricsPanel()
    qtbot.addWidget(panel)
    panel.set_result(result, layout)
    worst = result.metrics["worst_inlet_c"]
    assert 27.0 < worst < 32.0          # above recommended, within A1 allowable
    tile = panel.tiles["worst_inlet"]
    assert tile.value.text() == f"{worst:.1f} \u00b0C"
    colour = tile.value.palette().color(QPalette.ColorRole.WindowText)
    assert colour == status_colour("warning")
    # the worst rack by the one rule used everywhere (ties within WORST_INLET_TIE_K: the
    # open row ends' hottest intakes now tie, the warmer mean decides)
    air = result.air
    rack = result.rack_ids[worst_inlet_index(air.rack_inlet_max_c, air.rack_inlet_mean_c, result.rack_ids)]
    assert air.rack_inlet_max_c[result.rack_ids.index(rack)] == pytest.approx(worst, abs=0.01)
    assert rack in tile.detail.text()
    with qtbot.waitSignal(panel.target_activated) as sig:
        tile.detail.linkActivated.emit(rack)
    assert sig.args == [rack]
    assert panel.equipment.values["cdu"].text() == units.MISSING   # an air-only hall


# ================================================================ alerts panel
ALERTS = [
    Alert("warning", "inlet_above_recommended", "R10", "inlet up to 28.1 \u00b0C"),
    Alert("critical", "inlet_above_allowable", "R10", "inlet up to 33.0 \u00b0C"),
    Alert("critical", "inlet_above_allowable", "R2", "inlet up to 34.0 \u00b0C"),
    Alert("info", "future_kind", "hall", "something to know"),
    Alert("critical", "cdu_over_capacity", "CDU-1", "CDU load 110 kW is 110% of capacity"),
    Alert("warning", "cooling_unit_near_capacity", "CRAH-3", "load is 93% of capacity"),
]


def test_alerts_panel_lists_sorts_and_filters(qtbot):
    panel = AlertsPanel()
    qtbot.addWidget(panel)
    panel.set_alerts(ALERTS)
    model = panel.model
    assert model.rowCount() == len(ALERTS)
    plain = re.sub(r"<[^>]+>", "", panel.summary.text())
    assert plain == "3 critical, 2 warnings, 1 info"      # the header counts
    # severity first, then target in natural order (R2 before R10)
    order = [(model.alert(r).severity, model.alert(r).target) for r in range(model.rowCount())]
    assert order[:3] == [("critical", "CDU-1"), ("critical", "R2"), ("critical", "R10")]
    assert order[-1] == ("info", "hall")
    assert model.index(0, 2).data() == "CDU over capacity"          # kind in words
    assert model.index(5, 2).data() == "Future kind"                 # unknown kind
    panel.toggles["warning"].setChecked(False)
    assert model.rowCount() == 4
    assert all(model.alert(r).severity != "warning" for r in range(4))
    panel.filter.setText("r10")
    assert [model.alert(r).target for r in range(model.rowCount())] == ["R10"]
    assert "showing 1 of 6" in panel.summary.text().replace("\u00a0", " ")
    panel.toggles["warning"].setChecked(True)
    panel.filter.setText("capacity")              # matches kind words and messages
    assert {model.alert(r).target for r in range(model.rowCount())} == {"CDU-1", "CRAH-3"}


def test_alerts_panel_click_emits_target_and_copies(qtbot):
    panel = AlertsPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 300)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_alerts(ALERTS)
    row = next(r for r in range(panel.model.rowCount()) if panel.model.alert(r).target == "R2")
    rect = panel.view.visualRect(panel.model.index(row, 2))
    with qtbot.waitSignal(panel.target_activated) as sig:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert sig.args == ["R2"]
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QApplication.clipboard().text().splitlines()
    assert lines == ["critical\tInlet above allowable\tR2\tinlet up to 34.0 \u00b0C"]
    with qtbot.waitSignal(panel.target_activated) as sig:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert sig.args == ["R2"]


def test_alerts_panel_empty_state_and_real_alerts(qtbot, warm_run):
    panel = AlertsPanel()
    qtbot.addWidget(panel)
    panel.set_alerts([])
    assert panel.stack.currentWidget() is panel.empty
    assert panel.empty.text() == EMPTY_TEXT
    _layout, result = warm_run
    panel.set_alerts(result.alerts)
    assert panel.stack.currentWidget() is panel.view
    assert panel.model.rowCount() == len(result.alerts) > 0


# ================================================================ workload panel
@pytest.fixture
def wl(qtbot):
    layout = load_layout(LAYOUTS / "gb200-pod.json")
    selection = Selection()
    editor = Editor(layout)
    panel = WorkloadPanel(layout, selection, editor)
    qtbot.addWidget(panel)
    panel.resize(400, 700)
    return panel, layout, selection, editor


def _rows_by_id(panel) -> dict[str, int]:
    return {panel.model.workload(r).id: r for r in range(panel.model.rowCount())}


def test_workload_panel_assigns_to_selected_racks(wl):
    panel, layout, selection, editor = wl
    assert panel.current_id == next(iter(layout.workloads))   # first workload until chosen
    racks = layout.racks
    train = [r for r, w in zip(racks.ids, racks["workload"]) if w == "llm-train"]
    fabric = [r for r, w in zip(racks.ids, racks["workload"]) if w == "fabric"]
    selection.set([train[0], fabric[0]])
    assert panel.assign.currentText() == MIXED
    i = panel.assign.findData("fabric")
    panel.assign.setCurrentIndex(i)
    panel.assign.activated.emit(i)
    assert racks["workload"][racks.index_of(train[0])] == "fabric"
    assert panel.assign.currentData() == "fabric"
    counts = _rows_by_id(panel)
    assert panel.model.index(counts["fabric"], RACKS).data() == str(len(fabric) + 1)
    editor.stack.undo()
    assert racks["workload"][racks.index_of(train[0])] == "llm-train"
    assert panel.assign.currentText() == MIXED
    assert panel.model.index(counts["fabric"], RACKS).data() == str(len(fabric))
    # selecting racks that share a workload makes it the current one
    selection.set(fabric[:2])
    assert panel.current_id == "fabric"


def test_workload_table_edits_are_validated_and_undoable(wl, qtbot):
    panel, layout, _selection, editor = wl
    row = _rows_by_id(panel)["llm-train"]
    util = panel.model.index(row, UTIL)
    assert panel.model.setData(util, 50.0)
    assert layout.workloads["llm-train"].utilisation == pytest.approx(0.5)
    assert util.data() == "50 %"
    editor.stack.undo()
    assert layout.workloads["llm-train"].utilisation == pytest.approx(0.92)
    assert util.data() == "92 %"
    # refused input changes nothing and says why
    n = editor.stack.index()
    assert not panel.model.setData(util, 150.0)
    assert not panel.problem.isHidden() and "0 and 100" in panel.problem.text()
    assert panel.model.setData(panel.model.index(row, KIND), "inference")
    assert layout.workloads["llm-train"].kind == "inference"
    assert not panel.model.setData(panel.model.index(row, PREFILL), 60.0)   # 60 + 50 > 100
    assert "must not exceed 100 %" in panel.problem.text()
    assert panel.model.setData(panel.model.index(row, DECODE), 40.0)
    assert panel.model.setData(panel.model.index(row, PREFILL), 60.0)
    assert editor.stack.index() == n + 3
    power = panel.model.index(row, POWER)
    assert power.data() == "max performance"
    assert panel.model.setData(power, "max_efficiency")
    assert layout.workloads["llm-train"].power_profile == "max_efficiency"
    assert power.data() == "max efficiency"
    assert not panel.model.setData(power, "turbo")
    assert "max_performance" in panel.problem.text()
    editor.stack.undo()
    assert layout.workloads["llm-train"].power_profile == "max_performance"
    # edit in place through the delegate: double-click opens a percent spin box
    panel.show()
    qtbot.waitExposed(panel)
    panel.table.edit(util)
    spin = panel.table.indexWidget(util)
    assert isinstance(spin, QDoubleSpinBox)
    spin.setValue(75.0)
    qtbot.keyClick(spin, Qt.Key.Key_Return)      # the delegate commits on a queued call
    qtbot.waitUntil(lambda: layout.workloads["llm-train"].utilisation == pytest.approx(0.75))


def test_workload_slider_drag_is_one_undo_step(wl):
    panel, layout, _selection, editor = wl
    panel._select_row("llm-train")
    n = editor.stack.count()
    panel.slider.setSliderDown(True)
    for v in (80, 70, 60):
        panel.slider.setValue(v)
        assert layout.workloads["llm-train"].utilisation == pytest.approx(v / 100)
    panel.slider.setSliderDown(False)
    assert editor.stack.count() == n + 1
    editor.stack.undo()
    assert layout.workloads["llm-train"].utilisation == pytest.approx(0.92)
    assert panel.slider.value() == 92
    panel.slider.setValue(40)           # keyboard / page step: one command per change
    assert editor.stack.count() == n + 1 and editor.stack.index() == n + 1
    assert layout.workloads["llm-train"].utilisation == pytest.approx(0.4)


def test_workload_add_and_delete_are_undoable(wl):
    panel, layout, _selection, editor = wl
    before = list(layout.workloads)
    wid = panel.add_workload()
    assert wid not in before and wid in layout.workloads
    assert panel.current_id == wid and panel.delete_button.isEnabled()
    panel.delete_current()
    assert wid not in layout.workloads
    editor.stack.undo()
    assert wid in layout.workloads and wid in _rows_by_id(panel)
    editor.stack.undo()
    assert list(layout.workloads) == before
    # a workload in use cannot be deleted
    panel._select_row("llm-train")
    assert not panel.delete_button.isEnabled()
    panel.delete_current()
    assert "llm-train" in layout.workloads


def test_workload_profile_edits(wl, qtbot):
    panel, layout, _selection, editor = wl
    panel._select_row("llm-train")
    assert layout.workloads["llm-train"].profile == ()
    panel.profile.set_hour_value(5, 0.4)
    profile = layout.workloads["llm-train"].profile
    assert len(profile) == 24 and profile[5] == pytest.approx(0.4)
    assert all(v == 1.0 for h, v in enumerate(profile) if h != 5)
    assert panel.model.index(_rows_by_id(panel)["llm-train"], 7).data() == "yes"
    editor.stack.undo()
    assert layout.workloads["llm-train"].profile == ()
    panel.profile.preset_buttons["Night batch"].click()
    assert layout.workloads["llm-train"].profile == PRESETS["Night batch"]
    panel.profile.preset_buttons["Flat"].click()
    assert layout.workloads["llm-train"].profile == ()
    # clicking the plot sets the bar under the cursor to the clicked height
    panel.show()
    qtbot.waitExposed(panel)
    plot = panel.profile.plot
    vb = plot.getPlotItem().getViewBox()
    at = lambda hour, value: plot.mapFromScene(vb.mapViewToScene(QPointF(hour, value)))
    n = editor.stack.index()
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=at(20.5, 0.5))
    profile = layout.workloads["llm-train"].profile
    assert editor.stack.index() == n + 1
    assert profile[20] == pytest.approx(0.5, abs=0.051) and profile[19] == 1.0
    # a drag across hours 3..9 paints a ramp and is one undo step
    _drag(qtbot, plot.viewport(), [at(h + 0.5, 0.1 * (h - 1)) for h in range(3, 10)])
    profile = layout.workloads["llm-train"].profile
    assert editor.stack.index() == n + 2
    assert profile[3:10] == pytest.approx([0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], abs=0.051)
    assert profile[20] == pytest.approx(0.5, abs=0.051)
    editor.stack.undo()
    assert layout.workloads["llm-train"].profile[3] == 1.0


def _drag(qtbot, widget, points) -> None:
    """Left-button drag through ``points``; pyqtgraph drops mouse moves closer than 10 ms
    apart, so the moves are spaced out."""
    L, N = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton

    def send(kind, pos, button, buttons):
        QApplication.sendEvent(widget, QMouseEvent(kind, QPointF(pos), QPointF(
            widget.mapToGlobal(pos)), button, buttons, Qt.KeyboardModifier.NoModifier))

    send(QEvent.Type.MouseButtonPress, points[0], L, L)
    for p in points[1:]:
        qtbot.wait(15)
        send(QEvent.Type.MouseMove, p, N, L)
    qtbot.wait(15)
    send(QEvent.Type.MouseButtonRelease, points[-1], L, N)
