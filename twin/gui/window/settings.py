"""User settings kept in ``QSettings``: recent files, view mode, colour-by, snapping, unit
system, window state.

``AppSettings`` wraps one ``QSettings`` object so tests can hand in an isolated INI file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from twin.gui.base.qt_app import APPLICATION, ORGANISATION
from twin.model import units

MAX_RECENT = 8
VIEW_MODES = ("3d", "plan", "split")


class AppSettings:
    """Typed access to the settings the desktop app remembers between sessions."""

    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings if qsettings is not None else QSettings(ORGANISATION, APPLICATION)

    # ----- recent files ------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.q.value("files/recent", [])
        if isinstance(value, str):
            value = [value] if value else []
        return [str(v) for v in (value or [])][:MAX_RECENT]

    def add_recent_file(self, path: str | Path) -> list[str]:
        p = str(Path(path).resolve())
        files = [p] + [f for f in self.recent_files() if f != p]
        self.q.setValue("files/recent", files[:MAX_RECENT])
        return files[:MAX_RECENT]

    def remove_recent_file(self, path: str | Path) -> None:
        p = str(Path(path).resolve())
        self.q.setValue("files/recent", [f for f in self.recent_files() if f != p])

    def clear_recent_files(self) -> None:
        self.q.setValue("files/recent", [])

    def last_directory(self) -> str:
        return str(self.q.value("files/last_directory", "") or "")

    def set_last_directory(self, path: str | Path) -> None:
        self.q.setValue("files/last_directory", str(Path(path).parent))

    # ----- view --------------------------------------------------------------------
    def view_mode(self) -> str:
        mode = str(self.q.value("view/mode", "split"))
        return mode if mode in VIEW_MODES else "split"

    def set_view_mode(self, mode: str) -> None:
        self.q.setValue("view/mode", mode)

    def split_orientation(self) -> str:
        """'auto' (decided from the window width), 'side' or 'stacked'."""
        value = str(self.q.value("view/split_orientation", "auto"))
        return value if value in ("auto", "side", "stacked") else "auto"

    def set_split_orientation(self, value: str) -> None:
        self.q.setValue("view/split_orientation", value)

    def colour_by(self) -> str:
        """The last colour-by choice ('' when none was made)."""
        return str(self.q.value("view/colour_by", "") or "")

    def set_colour_by(self, key: str) -> None:
        self.q.setValue("view/colour_by", key)

    def unit_system(self) -> str:
        """'si' (default) or 'us': the units numbers are shown in."""
        value = str(self.q.value("view/units", "si") or "si").lower()
        return value if value in units.SYSTEMS else "si"

    def set_unit_system(self, name: str) -> None:
        self.q.setValue("view/units", units.system_named(name).name)

    def snap(self) -> bool:
        return _bool(self.q.value("view/snap", True))

    def set_snap(self, on: bool) -> None:
        self.q.setValue("view/snap", bool(on))

    # ----- crash recovery ----------------------------------------------------------
    def recovery_dir(self) -> Path:
        """Where unsaved edits are kept for crash recovery: ``recovery/`` beside the
        settings file (on Linux ``~/.config/AI Factory Twin/recovery``)."""
        return Path(self.q.fileName()).parent / "recovery"

    # ----- window ------------------------------------------------------------------
    def window_state(self) -> tuple[QByteArray | None, QByteArray | None, QByteArray | None]:
        return (self.q.value("window/geometry"), self.q.value("window/state"),
                self.q.value("window/splitter"))

    def set_window_state(self, geometry: QByteArray, state: QByteArray,
                         splitter: QByteArray) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)
        self.q.setValue("window/splitter", splitter)

    def sync(self) -> None:
        self.q.sync()


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes", "on")
    return bool(value)
