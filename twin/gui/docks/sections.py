"""The "3-D sections" part of the Heatmap dock: vertical air-temperature slices across x
and y, and the temperature iso-surface.

``SectionControls`` holds the user's choice and emits ``changed``; the sections bridge
(``twin.gui.window.sections``) puts it in the session's ``HeatmapChoice`` and draws the
slices and the surface in the 3-D view. A slice dragged there (Ctrl+drag) comes back
through ``set_choice``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QGridLayout, QGroupBox, QLabel, QPushButton, QSlider,
    QVBoxLayout, QWidget,
)

from twin.gui.base.unit_spin import UnitSpinBox
from twin.model import units

_STEP_M = 0.05
_ISO_RANGE_C = (0.0, 80.0)


class _AxisRow:
    """Check box, slider and spin box (metres) of one vertical slice."""

    def __init__(self, axis: str, across: str):
        self.axis = axis
        self.box = QCheckBox(f"Slice at {axis} =")
        self.box.setToolTip(f"A vertical air-temperature plane at {axis} = const in the 3-D "
                            f"view, across the {across}. Ctrl+drag it there to move it.")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip(f"Position of the {axis} slice along the hall")
        self.spin = UnitSpinBox(units.LENGTH, 2, _STEP_M)
        self.spin.setToolTip(f"Position of the {axis} slice from the hall's {axis} = 0 wall")
        self.slider.valueChanged.connect(lambda v: self.spin.set_si_value(v * _STEP_M))
        self.spin.si_changed.connect(self._sync_slider)

    def _sync_slider(self, value_m: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(int(round(value_m / _STEP_M)))
        self.slider.blockSignals(False)

    def set_range(self, length_m: float) -> None:
        top = max(length_m, _STEP_M)
        self.slider.setRange(0, int(round(top / _STEP_M)))
        self.spin.set_si_range(0.0, top)

    def set_value(self, position_m: float | None) -> None:
        self.box.setChecked(position_m is not None)
        if position_m is not None:
            self.spin.set_si_value(position_m)
        self.update_enabled()

    def update_enabled(self) -> None:
        on = self.box.isChecked()
        self.slider.setEnabled(on)
        self.spin.setEnabled(on)

    @property
    def value(self) -> float | None:
        return self.spin.si_value() if self.box.isChecked() else None


class SectionControls(QGroupBox):
    """Vertical slices (x, y) and the iso-surface of the 3-D view."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("3-D sections", parent)
        self.x = _AxisRow("x", "rows laid out along y")
        self.y = _AxisRow("y", "rows laid out along x")
        self.iso_box = QCheckBox("Iso-surface at")
        self.iso_box.setToolTip("A translucent surface in the 3-D view where the air is at "
                                "this temperature: it wraps the air hotter than that (hot "
                                "plumes, recirculation)")
        self.iso_spin = UnitSpinBox(units.TEMP, 1, 0.5)
        self.iso_spin.set_si_range(*_ISO_RANGE_C)
        self.iso_spin.setToolTip("Temperature of the iso-surface")
        self.allowable_button = QPushButton("Allowable")
        self.allowable_button.setAutoDefault(False)
        self.hint = QLabel("Ctrl+drag a slice in the 3-D view to move it (the horizontal "
                           "one up and down).")
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        self.note.setVisible(False)

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for r, row in enumerate((self.x, self.y)):
            grid.addWidget(row.box, r, 0)
            grid.addWidget(row.slider, r, 1)
            grid.addWidget(row.spin, r, 2)
        grid.addWidget(self.iso_box, 2, 0)
        grid.addWidget(self.allowable_button, 2, 1)
        grid.addWidget(self.iso_spin, 2, 2)
        grid.setColumnStretch(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addLayout(grid)
        lay.addWidget(self.note)
        lay.addWidget(self.hint)

        self._allowable_c = 32.0
        self.set_allowable(self._allowable_c)
        self.iso_spin.set_si_value(self._allowable_c)
        self.set_hall(14.4, 10.8)
        for row in (self.x, self.y):
            row.update_enabled()
            row.box.toggled.connect(lambda _on, r=row: self._on_toggle(r))
            row.spin.si_changed.connect(self._emit_if(row.box))
        self.iso_box.toggled.connect(self._on_iso_toggle)
        self.iso_spin.si_changed.connect(self._emit_if(self.iso_box))
        self.allowable_button.clicked.connect(
            lambda: self.iso_spin.set_si_value(self._allowable_c))
        self._on_iso_toggle(False, emit=False)

    # ----- state -------------------------------------------------------------------
    @property
    def slice_x_m(self) -> float | None:
        return self.x.value

    @property
    def slice_y_m(self) -> float | None:
        return self.y.value

    @property
    def iso_c(self) -> float | None:
        return self.iso_spin.si_value() if self.iso_box.isChecked() else None

    def set_hall(self, width_m: float, length_m: float) -> None:
        """Slice positions from wall to wall; a new slice starts mid-hall."""
        self._hall = (width_m, length_m)
        self.x.set_range(width_m)
        self.y.set_range(length_m)

    def set_allowable(self, allowable_c: float) -> None:
        """The allowable limit of the hall's ASHRAE class (the 'Allowable' button)."""
        self._allowable_c = allowable_c
        self.allowable_button.setToolTip(
            f"Set the surface to the allowable inlet limit of the hall's ASHRAE class: "
            f"{units.temperature(allowable_c)}")

    def refresh_units(self) -> None:
        """View > Units changed: the button's tip (the boxes refresh themselves)."""
        self.set_allowable(self._allowable_c)

    def set_choice(self, slice_x_m: float | None, slice_y_m: float | None,
                   iso_c: float | None) -> None:
        """Show a choice made elsewhere (a drag in the 3-D view) without emitting."""
        self.blockSignals(True)
        try:
            for row, v in ((self.x, slice_x_m), (self.y, slice_y_m)):
                for w in (row.box, row.spin, row.slider):
                    w.blockSignals(True)
                row.set_value(v)
                row._sync_slider(row.spin.si_value())
                for w in (row.box, row.spin, row.slider):
                    w.blockSignals(False)
            self.iso_box.blockSignals(True)
            self.iso_spin.blockSignals(True)
            self.iso_box.setChecked(iso_c is not None)
            if iso_c is not None:
                self.iso_spin.set_si_value(iso_c)
            self._on_iso_toggle(iso_c is not None, emit=False)
            self.iso_box.blockSignals(False)
            self.iso_spin.blockSignals(False)
        finally:
            self.blockSignals(False)

    def set_note(self, text: str) -> None:
        """A line about what is drawn, e.g. why the iso-surface is empty."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    # ----- internals ---------------------------------------------------------------
    def _emit_if(self, box: QCheckBox):
        return lambda _v: self.changed.emit() if box.isChecked() else None

    def _on_toggle(self, row: _AxisRow) -> None:
        if row.box.isChecked() and row.spin.si_value() == 0.0:
            mid = self._hall[0 if row.axis == "x" else 1] / 2
            row.spin.blockSignals(True)
            row.spin.set_si_value(mid)
            row._sync_slider(mid)
            row.spin.blockSignals(False)
        row.update_enabled()
        self.changed.emit()

    def _on_iso_toggle(self, on: bool, emit: bool = True) -> None:
        self.iso_spin.setEnabled(on)
        self.allowable_button.setEnabled(on)
        if emit:
            self.changed.emit()
