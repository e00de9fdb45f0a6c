"""What the main window asks of a floor view: the 3-D view, the plan, or the placeholder
that stands in for one that cannot be shown. A ``Protocol``, so the window calls views
without ``hasattr`` checks; ``ViewPlaceholder`` implements it with no-ops."""

from __future__ import annotations

from typing import Iterable, Protocol, runtime_checkable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


@runtime_checkable
class FloorView(Protocol):
    """A view of the floor that can frame items, reset itself and mark alert targets."""

    def frame_ids(self, ids: Iterable[str]) -> None: ...

    def reset_view(self) -> None: ...

    def set_alert_ids(self, ids: Iterable[str]) -> None: ...

    def set_snap(self, on: bool) -> None: ...


class ViewPlaceholder(QLabel):
    """Stands in for a view that cannot be shown (module missing, no OpenGL)."""

    def __init__(self, title: str, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("placeholder")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setText(f"<h3>{title}</h3><p>{reason}</p>")
        self.native = self

    def frame_ids(self, ids: Iterable[str]) -> None:
        pass

    def reset_view(self) -> None:
        pass

    def set_alert_ids(self, ids: Iterable[str]) -> None:
        pass

    def set_snap(self, on: bool) -> None:
        pass
