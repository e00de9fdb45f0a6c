"""View > Temperature Scale: the hall's ASHRAE-class scale (fixed, the default), or the
user's own range, for rack inlets and air in every view (docs/physics.md §22). The range
is typed in the unit system shown (°C or °F) and kept in °C."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QRadioButton,
                               QVBoxLayout)

from twin.engine import layers
from twin.gui.base.unit_spin import UnitSpinBox
from twin.model import units

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.window.main_window import MainWindow


class TemperatureScaleDialog(QDialog):
    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Temperature Scale")
        cls = window.floor_layout.hall.ashrae_class
        lo, hi, _name = layers.temperature_scale(cls)
        rng = window.session.heatmap.temperature_range
        outer = QVBoxLayout(self)
        self._class_scale = (cls, lo, hi)
        self.by_class = QRadioButton()
        self.refresh_units()
        self.own = QRadioButton("My range (locked: it does not follow the data)")
        outer.addWidget(self.by_class)
        outer.addWidget(self.own)
        form = QFormLayout()
        self.low, self.high = UnitSpinBox(units.TEMP, 1, 0.5), UnitSpinBox(units.TEMP, 1, 0.5)
        for spin, value in ((self.low, rng[0] if rng else lo), (self.high, rng[1] if rng else hi)):
            spin.set_si_range(-20.0, 120.0)
            spin.set_si_value(value)
        form.addRow("From", self.low)
        form.addRow("To", self.high)
        outer.addLayout(form)
        self.message = QLabel("")
        outer.addWidget(self.message)
        (self.own if rng else self.by_class).setChecked(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

    def refresh_units(self) -> None:
        """The class's scale in the units shown (the range boxes refresh themselves)."""
        cls, lo, hi = self._class_scale
        self.by_class.setText(f"ASHRAE {cls}: "
                              + units.localise(f"{lo:g}\u2013{hi:g} \u00b0C")
                              + ", fixed (recommended band blue to yellow, red at the "
                              "allowable limit, magenta beyond)")

    def apply(self) -> bool:
        if self.own.isChecked():
            lo, hi = self.low.si_value(), self.high.si_value()
            if not hi > lo:
                self.message.setText("The upper end must be above the lower one.")
                return False
            self.window_.session.set_heatmap(temperature_range=(lo, hi))
        else:
            self.window_.session.set_heatmap(temperature_range=None)
        self.accept()
        return True


def open_temperature_scale(window: "MainWindow") -> TemperatureScaleDialog:
    dlg = TemperatureScaleDialog(window)
    dlg.show()
    return dlg
