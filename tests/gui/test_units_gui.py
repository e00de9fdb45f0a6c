"""View > Units: every number of the window in US customary units and back, live.

The metrics dock, the plan's colour bars (°F ticks at their °C positions), the 3-D legend,
the heatmap height box (shows feet, keeps metres), the inspector and the alerts switch
together; the choice is remembered in the settings.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.conftest import LAYOUTS
from twin.gui.window import app as app_mod
from twin.gui.window.settings import AppSettings
from twin.model import units

pytestmark = pytest.mark.gui

F = "\u00b0F"
C = "\u00b0C"


@pytest.fixture(autouse=True)
def _si_after(monkeypatch):
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    yield
    units.set_system("si")          # the app's choice is process-wide: leave SI behind


def _settings(tmp_path) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


def _open(qtbot, settings):
    app_mod.create_application()
    w = app_mod.open_main_window(LAYOUTS / "gb200-pod.json", settings=settings)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    qtbot.waitExposed(w)
    qtbot.waitUntil(w.live.settled, timeout=60000)
    return w


def _bar_ticks(bar) -> list[tuple[float, str]]:
    levels = bar.axis._tickLevels          # what setTicks gave the bar's value axis
    return list(levels[0]) if levels else []


def test_units_switch_every_widget_live_and_back(qtbot, tmp_path):
    settings = _settings(tmp_path)
    w = _open(qtbot, settings)
    w.set_colour_by("inlet")
    w.heatmap_controls.set_metric("air")
    QApplication.processEvents()
    m = w.metrics_panel
    worst_c = float(m.tiles["worst_inlet"].value.text().split()[0])
    assert m.tiles["worst_inlet"].value.text().endswith(C)
    assert "m\u00b3/s" in m.equipment.values["airflow"].text()
    width_label = w.findChild(object, "field_width_m")
    assert width_label is not None and width_label.suffix() == " m"

    w.unit_actions["us"].trigger()
    QApplication.processEvents()

    assert units.current() is units.US and settings.unit_system() == "us"
    # metrics dock: °F (the same rack, converted) and CFM
    tile = m.tiles["worst_inlet"].value.text()
    assert tile.endswith(F) and float(tile.split()[0]) == pytest.approx(worst_c * 1.8 + 32, abs=0.1)
    assert re.fullmatch(r"[\d,]+ CFM", m.equipment.values["airflow"].text())
    assert "[\u00b0F]" in m.histogram.plot.getPlotItem().getAxis("bottom").labelText
    # plan: the rack colour bar and the heatmap bar carry °F ticks at their °C positions
    legends = w.plan_view.legends
    for bar in (legends.rack_bar, legends.heat_bar):
        ticks = _bar_ticks(bar)
        assert len(ticks) >= 3
        for pos_c, text in ticks:
            assert float(text.replace(",", "")) == pytest.approx(pos_c * 1.8 + 32, abs=1e-6)
    assert F in legends.heat_bar.getAxis("left").labelText
    assert "ft" in w.plan_view.plot.getAxis("bottom").labelText
    # 3-D legend: title and ticks in °F (15..35 °C is 59..95 °F)
    if w.view3d is not None:
        legend = w.view3d.legend
        assert F in legend.title.text
        ticks = [float(t.replace(",", "")) for t in legend.ticks.text]
        assert min(ticks) == pytest.approx(59.0) and max(ticks) == pytest.approx(95.0)
    # heatmap height: typed in feet, kept in metres
    spin = w.heatmap_controls.spin
    assert spin.suffix() == " ft"
    spin.setValue(6.56)
    assert w.heatmap_controls.height_m == pytest.approx(6.56 * 0.3048)
    # inspector (the hall: nothing selected): width in feet, the layout still in metres
    width = w.findChild(object, "field_width_m")
    assert width.suffix() == " ft"
    assert width.value() == pytest.approx(w.floor_layout.hall.width_m / 0.3048, abs=0.05)

    w.unit_actions["si"].trigger()
    QApplication.processEvents()
    assert m.tiles["worst_inlet"].value.text() == f"{worst_c:.1f} {C}"
    assert "m\u00b3/s" in m.equipment.values["airflow"].text()
    assert _bar_ticks(legends.rack_bar) == []          # the bar's own °C ticks again
    assert spin.suffix() == " m" and w.heatmap_controls.height_m == pytest.approx(6.56 * 0.3048)
    assert settings.unit_system() == "si"


def test_the_choice_is_remembered_and_applied_before_the_widgets_are_built(qtbot, tmp_path):
    settings = _settings(tmp_path)
    settings.set_unit_system("us")
    w = _open(qtbot, settings)
    assert w.unit_actions["us"].isChecked()
    assert w.metrics_panel.tiles["worst_inlet"].value.text().endswith(F)
    assert w.heatmap_controls.spin.suffix() == " ft"
