"""The "Heatmap" dock: what the plan heatmap shows, at what height, and the overlays.

``HeatmapControls`` only holds the user's choice and emits ``changed``; the live controller
(``twin.gui.window.live``) draws the heatmap, the airflow arrows and the 3-D slice from the latest
result, so moving the height slider never re-solves anything.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton,
    QSlider, QVBoxLayout, QWidget,
)

from twin.gui.base.unit_spin import UnitSpinBox
from twin.gui.docks.sections import SectionControls
from twin.model import units

#: (key, label) of the heatmap choices; keys are ``twin.engine.layers`` metrics.
HEATMAP_CHOICES = (("off", "Off"), ("air", "Air temperature at height"),
                   ("inlet", "Rack inlet temperature"), ("power", "Power density"),
                   ("capture", "Capture index"), ("coolant", "Coolant return"),
                   ("floor", "Floor load"), ("headroom", "Headroom (next rack)"),
                   ("headroom_limit", "Headroom: what binds"),
                   ("cfd_inlet", "CFD inlet temperature"),
                   ("cfd_diff", "Twin \u2212 CFD difference"))
_STEP_M = 0.05


class HeatmapControls(QWidget):
    """Metric chooser, slice height (slider, spin box, presets) and overlay switches."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.metric_combo = QComboBox()
        for key, label in HEATMAP_CHOICES:
            self.metric_combo.addItem(label, key)
        self.metric_combo.setToolTip("What the plan heatmap under the racks shows")

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Height of the air-temperature slice above the floor")
        self.spin = UnitSpinBox(units.LENGTH, 2, _STEP_M)
        self.spin.setToolTip("Height of the air-temperature slice above the floor")
        self.mid_button = QPushButton("Rack inlet (mid height)")
        self.top_button = QPushButton("Rack top")
        for b in (self.mid_button, self.top_button):
            b.setAutoDefault(False)
        self.arrows_box = QCheckBox("Airflow arrows on the plan")
        self.arrows_box.setToolTip("Horizontal air velocity at the slice height; the longest "
                                   "arrow is the fastest 95th-percentile air")
        self.smooth_box = QCheckBox("Smooth field (bilinear)")
        self.smooth_box.setChecked(True)
        self.smooth_box.setToolTip("Interpolate the plan heatmap between cells; off: one "
                                   "flat colour per solver cell")
        self.streamlines_box = QCheckBox("Streamlines (plan and 3-D)")
        self.streamlines_box.setToolTip(
            "Paths the air takes from tiles, unit supplies and rack exhausts to the intakes "
            "and returns, traced in the solved air field and coloured by air temperature")
        self.particles_box = QCheckBox("Animate particles")
        self.particles_box.setToolTip("Dots riding the streamlines at the air's own speed "
                                      "(real time), bunching where the air is slow")
        self.particles_box.setEnabled(False)
        self.streamlines_note = QLabel()
        self.streamlines_note.setObjectName("hint")
        self.streamlines_note.setWordWrap(True)
        self.streamlines_note.hide()
        self.slice_box = QCheckBox("Show slice in 3-D")
        self.slice_box.setToolTip("Draw the heatmap as a translucent plane in the 3-D view "
                                  "(air temperature at its height, others on the floor)")
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)

        height_row = QHBoxLayout()
        height_row.addWidget(self.slider, 1)
        height_row.addWidget(self.spin)
        presets = QHBoxLayout()
        presets.addWidget(self.mid_button)
        presets.addWidget(self.top_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Show", self.metric_combo)
        form.addRow("Height", height_row)
        form.addRow("", presets)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addLayout(form)
        lay.addWidget(self.arrows_box)
        lay.addWidget(self.smooth_box)
        lay.addWidget(self.slice_box)
        lay.addWidget(self.streamlines_box)
        particles_row = QHBoxLayout()
        particles_row.setContentsMargins(22, 0, 0, 0)
        particles_row.addWidget(self.particles_box)
        lay.addLayout(particles_row)
        lay.addWidget(self.streamlines_note)
        lay.addWidget(self.note)
        #: vertical slices and the iso-surface of the 3-D view (their own ``changed``)
        self.sections = SectionControls()
        lay.addWidget(self.sections)
        lay.addStretch(1)

        self._presets = (1.0, 2.0)
        self.set_height_range(4.0)
        self.set_presets(1.0, 2.0)
        self.spin.set_si_value(1.0)
        self.slider.setValue(round(1.0 / _STEP_M))
        self.metric_combo.currentIndexChanged.connect(self._on_metric)
        self.slider.valueChanged.connect(lambda v: self.spin.set_si_value(v * _STEP_M))
        self.spin.si_changed.connect(self._on_spin)
        self.mid_button.clicked.connect(lambda: self.set_height(self._presets[0]))
        self.top_button.clicked.connect(lambda: self.set_height(self._presets[1]))
        self.arrows_box.toggled.connect(self._on_toggle)
        self.slice_box.toggled.connect(self.changed)
        self.streamlines_box.toggled.connect(self.changed)
        self.streamlines_box.toggled.connect(self.particles_box.setEnabled)
        self.smooth_box.toggled.connect(self.changed)
        self._update_enabled()

    # ----- state -------------------------------------------------------------------
    @property
    def metric(self) -> str:
        return self.metric_combo.currentData()

    @property
    def height_m(self) -> float:
        return self.spin.si_value()

    @property
    def arrows(self) -> bool:
        return self.arrows_box.isChecked()

    @property
    def smooth(self) -> bool:
        return self.smooth_box.isChecked()

    @property
    def slice_3d(self) -> bool:
        return self.slice_box.isChecked()

    @property
    def streamlines(self) -> bool:
        return self.streamlines_box.isChecked()

    def set_streamlines(self, on: bool) -> None:
        """Tick the streamline switch without emitting ``changed``."""
        self.streamlines_box.blockSignals(True)
        self.streamlines_box.setChecked(on)
        self.streamlines_box.blockSignals(False)
        self.particles_box.setEnabled(on)

    def set_streamlines_note(self, text: str) -> None:
        """The line under the streamline switch (how many lines, or why there are none)."""
        self.streamlines_note.setText(text)
        self.streamlines_note.setVisible(bool(text))

    def set_metric(self, key: str) -> None:
        i = self.metric_combo.findData(key)
        if i >= 0:
            self.metric_combo.setCurrentIndex(i)

    def set_height(self, height_m: float) -> None:
        self.spin.set_si_value(height_m)

    def set_height_range(self, ceiling_m: float) -> None:
        """Heights from the floor to the ceiling of the hall."""
        top = max(ceiling_m, _STEP_M)
        self.slider.setRange(0, int(round(top / _STEP_M)))
        self.spin.set_si_range(0.0, top)

    def set_presets(self, mid_m: float, top_m: float) -> None:
        """Heights of the two preset buttons (``layers.rack_heights_m``)."""
        self._presets = (mid_m, top_m)
        self.mid_button.setToolTip("Half the typical rack height: "
                                   + units.quantity(units.LENGTH, mid_m, 2))
        self.top_button.setToolTip("Top of the typical rack: "
                                   + units.quantity(units.LENGTH, top_m, 2))

    def refresh_units(self) -> None:
        """View > Units changed: the presets' tips (the height box refreshes itself)."""
        self.set_presets(*self._presets)

    def set_note(self, text: str) -> None:
        """A line under the controls, e.g. the arrow scale or why nothing is drawn."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    # ----- internals ---------------------------------------------------------------
    def _on_metric(self, _i: int) -> None:
        self._update_enabled()
        self.changed.emit()

    def _on_toggle(self, _on: bool) -> None:
        self._update_enabled()
        self.changed.emit()

    def _on_spin(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(int(round(value / _STEP_M)))
        self.slider.blockSignals(False)
        self.changed.emit()

    def _update_enabled(self) -> None:
        height = self.metric == "air" or self.arrows
        for w in (self.slider, self.spin, self.mid_button, self.top_button):
            w.setEnabled(height)
        self.slice_box.setEnabled(self.metric != "off")
