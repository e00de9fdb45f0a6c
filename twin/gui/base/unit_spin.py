"""A spin box for an SI quantity that shows and takes the current unit system's unit.

``UnitSpinBox(units.LENGTH)`` shows metres or feet (View > Units), and its owner reads and
writes SI only: ``si_value()``, ``set_si_value()``, ``set_si_range()`` and the
``si_changed(float)`` signal. What the user types is converted back with
``units.to_si``; a value set in SI is kept exactly (not the round trip through the shown
decimals) until the user changes it, so switching units never moves a slice or a limit.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

from twin.model import units


def _nice(step: float) -> float:
    """1, 2 or 5 times a power of ten nearest (in ratio) to ``step``."""
    p = 10.0 ** math.floor(math.log10(step))
    return min((m * p for m in (1, 2, 5, 10)), key=lambda s: abs(math.log(s / step)))


class UnitSpinBox(QDoubleSpinBox):
    """A ``QDoubleSpinBox`` of one kind of quantity (``units.TEMP``, ``units.LENGTH``, ...)
    with an SI interface; ``refresh_units()`` after the unit system changed."""

    si_changed = Signal(float)

    def __init__(self, kind: str, si_decimals: int = 2, si_step: float = 0.1,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self._si_decimals, self._si_step = si_decimals, si_step
        self._si_range = (0.0, 99.99)
        self._si = 0.0
        self.valueChanged.connect(self._typed)
        self.refresh_units()

    def si_value(self) -> float:
        return self._si

    def set_si_value(self, value_si: float) -> None:
        """Show ``value_si`` (clamped to the range); ``si_changed`` when it changed."""
        lo, hi = self._si_range
        value_si = min(max(float(value_si), lo), hi)
        changed = value_si != self._si
        self._si = value_si
        self.blockSignals(True)
        self.setValue(units.convert(self.kind, value_si))
        self.blockSignals(False)
        if changed:
            self.si_changed.emit(value_si)

    def set_si_range(self, lo_si: float, hi_si: float) -> None:
        self._si_range = (float(lo_si), float(hi_si))
        self.blockSignals(True)
        self.setRange(*sorted((units.convert(self.kind, lo_si), units.convert(self.kind, hi_si))))
        self.blockSignals(False)
        self.set_si_value(self._si)

    def refresh_units(self) -> None:
        """Suffix, decimals, step and range in the current system; the SI value kept."""
        self.blockSignals(True)
        self.setDecimals(units.decimals(self.kind, self._si_decimals))
        self.setSingleStep(_nice(abs(units.convert(self.kind, self._si_step)
                                     - units.convert(self.kind, 0.0))))
        self.setSuffix(f" {units.label(self.kind)}")
        lo, hi = self._si_range
        self.setRange(*sorted((units.convert(self.kind, lo), units.convert(self.kind, hi))))
        self.setValue(units.convert(self.kind, self._si))
        self.blockSignals(False)

    def _typed(self, shown: float) -> None:
        self._si = float(units.to_si(self.kind, shown))
        self.si_changed.emit(self._si)
