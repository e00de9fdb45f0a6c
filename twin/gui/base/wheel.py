"""Mouse wheels scroll docks, not values: a field in a scrolled form changes with the wheel
only once it has the keyboard focus (clicked or tabbed into).

Without this, scrolling the Properties dock over a combo box silently moved a rack's
feed to the other side, and over a spin box changed a set-point.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QWidget


class _WheelGuard(QObject):
    """Event filter: a wheel event over an unfocused field goes to its parent instead."""

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:   # noqa: N802 (Qt name)
        if ev.type() == QEvent.Type.Wheel and isinstance(obj, QWidget) and not obj.hasFocus():
            parent = obj.parentWidget()
            if parent is not None:
                QCoreApplication.sendEvent(parent, ev)
            return True
        return False


_GUARD: _WheelGuard | None = None


def wheel_needs_focus(*widgets: QWidget) -> None:
    """Make the wheel change these fields only while they have the focus; otherwise it
    scrolls whatever contains them. The fields take the focus by click or Tab only."""
    global _GUARD
    if _GUARD is None:
        _GUARD = _WheelGuard()
    for w in widgets:
        w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        w.installEventFilter(_GUARD)
