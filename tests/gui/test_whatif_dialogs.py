"""Analysis ▸ Failure Sweep and Ride-Through in the window: run off the GUI thread, fill
the table and plots, show a scenario in the views without touching the layout, Escape
returns to the base (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from tests.conftest import LAYOUTS
from twin.gui.plan import items as pi
from twin.gui.window import app as app_mod
from twin.gui.window.settings import AppSettings


@pytest.fixture
def window(qtbot, tmp_path):
    app_mod.create_application()
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    w = app_mod.open_main_window(LAYOUTS / "gb200-pod.json", settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.session.result is not None, timeout=60000)
    yield w
    w.session.clear_scenario()


def test_failure_sweep_table_and_scenario_view(window, qtbot):
    dlg = window.analysis_failure_sweep()
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=120000)
    assert dlg.table.rowCount() == len(dlg.result.outcomes) > 20
    assert dlg.table.item(0, 2).text() == "fails"          # sorted: failures first
    assert "N+1 on CDUs: no" in dlg.summary.text()
    base_ids = set(window.floor_layout.cdus)
    row = next(r for r in range(dlg.table.rowCount()) if dlg.table.item(r, 0).text() == "CDU-A")
    dlg.table.selectRow(row)
    qtbot.waitUntil(lambda: window.session.scenario == "CDU-A failed", timeout=60000)
    assert window.session.snapshot.cdus["CDU-A"].failed_pumps > 0
    assert window.floor_layout.cdus["CDU-A"].failed_pumps == 0       # layout untouched
    assert set(window.floor_layout.cdus) == base_ids
    assert "Scenario: CDU-A failed" in window.session.status.text
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert window.session.scenario is None
    assert window.session.snapshot.cdus["CDU-A"].failed_pumps == 0
    assert not window.document.modified
    _check_failure_map(window, dlg)


def _check_failure_map(window, dlg):
    """The map mode: units by the verdict of their own failure in the plan and 3-D view,
    and back to the colouring before when it is turned off."""
    from twin.engine.whatif import failure_map
    verdict = failure_map.unit_verdicts(dlg.result)
    assert verdict["CDU-A"] == 2                          # "fails 8 racks"
    dlg.map_box.setChecked(True)
    assert window.colour_key == failure_map.KEY
    plan = window.plan_view
    k = plan.floor.eq_index["CDU-A"]
    colour = plan._equipment.palette[plan._equipment.bucket[k]]
    assert (colour.red(), colour.green(), colour.blue()) == failure_map.VERDICT_RGB[2]
    k = plan.floor.eq_index["IRC-A1"]
    colour = plan._equipment.palette[plan._equipment.bucket[k]]
    assert (colour.red(), colour.green(), colour.blue()) == failure_map.VERDICT_RGB[verdict["IRC-A1"]]
    if window.view3d is not None:
        items = window.view3d._item_colours()
        i = window.view3d._item_ids.index("CDU-A")
        assert np.allclose(items[i, :3] * 255, failure_map.VERDICT_RGB[2], atol=0.5)
    dlg.map_box.setChecked(False)
    assert window.colour_key == "model"
    k = plan.floor.eq_index["CDU-A"]
    assert plan._equipment.palette[plan._equipment.bucket[k]] == pi.KIND_COLOURS["cdu"]


def _cdu_trip(window, qtbot, duration_s: float):
    """The Ride-Through dialog run on a trip of CDU-A, its report arrived."""
    dlg = window.analysis_ride_through()
    qtbot.addWidget(dlg)
    dlg.fail_edit.setText("CDU-A")
    dlg.duration.setValue(duration_s)
    dlg.start()
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=60000)
    return dlg


def test_ride_through_plots_a_cdu_trip(window, qtbot):
    dlg = _cdu_trip(window, qtbot, 120)
    assert "first coolant over its limit" in dlg.headline.text()
    items = dlg.plot_coolant.getPlotItem().listDataItems()
    assert len(items) >= 8                    # the 8 racks of CDU-A
    assert "after" in dlg.answer.text()


def test_report_carries_the_sweep_and_ride_through(tmp_path):
    import shutil
    import subprocess

    from twin.cli import main

    out = tmp_path / "pod.pdf"
    assert main(["report", str(LAYOUTS / "gb200-pod.json"), "--out", str(out), "--sweep",
                 "--ride-through", "CDU-A", "--ride-through", "utility"]) == 0
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Failure analysis" in text
    assert "N+1 on CDUs: no" in text and "Single failures, worst first" in text
    assert "Ride-through: CDU-A" in text and "Ride-through: utility loss" in text
    assert main(["report", str(LAYOUTS / "gb200-pod.json"), "--out", str(out),
                 "--ride-through", "NOPE"]) == 1


def test_ride_through_slider_shows_an_instant_in_the_views(window, qtbot):
    dlg = _cdu_trip(window, qtbot, 60)
    window.set_colour_by("coolant")
    dlg.slider.setValue(30)
    assert window.session.scenario == "CDU-A, 30 s after"
    i = window.session.rack_index("A01")
    assert window.session.colouring.current.values[i] == pytest.approx(dlg.report.run.rack_coolant_c[30, i])
    assert dlg.cursors[0].value() == 30
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)
    assert window.session.scenario is None
    assert window.session.colouring.current.values[i] == pytest.approx(
        window.session.result.liquid.racks.return_c[i])


def test_generation_swap_previews_what_breaks_then_applies_as_one_undo_step(window, qtbot):
    dlg = window.analysis_swap()
    qtbot.addWidget(dlg)
    dlg.scope.setCurrentIndex(next(i for i in range(dlg.scope.count())
                                   if dlg.scope.itemData(i) == ("model", "gb200-nvl72")))
    dlg.model.setCurrentIndex(dlg.model.findData("rubin-ultra-nvl576"))
    dlg.start()
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=60000)
    assert dlg.table.rowCount() == len(dlg.report.breaks) > 0
    parts = {dlg.table.item(r, 0).text() for r in range(dlg.table.rowCount())}
    assert {"CDU-A", "CDU-B"} <= parts
    assert window.floor_layout.racks["model"].tolist().count("gb200-nvl72") == 16   # preview only
    assert window.last_swaps and window.last_swaps[-1][1] is dlg.report
    dlg.apply()
    models = window.floor_layout.racks["model"].tolist()
    assert models.count("rubin-ultra-nvl576") == 16 and "gb200-nvl72" not in models
    window.document.stack.undo()
    assert window.floor_layout.racks["model"].tolist().count("gb200-nvl72") == 16


def test_power_architecture_dialog_shows_the_comparison_of_the_result(window, qtbot):
    from twin.engine.power_compare import compare_power
    dlg = window.analysis_power_architecture()
    qtbot.addWidget(dlg)
    s = window.session
    expect = compare_power(s.snapshot, s.result).to_json()
    assert dlg.doc == expect
    texts = {dlg.table.item(r, 0).text(): (dlg.table.item(r, 1).text(), dlg.table.item(r, 2).text())
             for r in range(dlg.table.rowCount())}
    assert texts["Conversions"] == ("4", "2")
    assert "saves" in dlg.headline.text()


def test_the_binding_layer_labels_the_plan_colour_bar(window, qtbot):
    from twin.engine.capacity import LIMITS
    window.session.set_heatmap(metric="headroom_limit")
    plan = window.plan_view
    qtbot.waitUntil(lambda: plan.heatmap is not None and plan.heatmap.categories == LIMITS,
                    timeout=20000)
    axis = plan.legends.heat_bar.axis
    assert [name for _v, name in axis._tickLevels[0]] == list(LIMITS)


def test_replace_model_offers_the_selected_racks_first(window, qtbot):
    window.selection.set(["A01", "A02"])
    window.actions.replace_model.trigger()
    dlg = window.whatif_dialog
    qtbot.addWidget(dlg)
    kind, ids = dlg.scope.itemData(0)
    assert kind == "racks" and sorted(ids) == ["A01", "A02"]
    assert "Selected racks (2)" in dlg.scope.itemText(0)


def test_compare_with_a_layout_file_fills_the_table(window, qtbot):
    dlg = window.analysis_compare(str(LAYOUTS / "gb200-pod.json"))
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.comparison is not None, timeout=60000)
    assert dlg.comparison.identical and dlg.left.text() == "identical"
    assert dlg.table.rowCount() == len(dlg.comparison.rows) > 5
    assert window.last_comparison[2] is dlg.comparison
