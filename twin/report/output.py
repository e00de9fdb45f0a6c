"""Writing exported files (PNG, PDF): checked early, written atomically, one clear error.

``check_writable`` runs before any expensive work (a solve, a render) so a typo in the
output path fails in milliseconds; it probes the folder with a randomly named file created
exclusively (never a fixed name, never following a planted link). ``write_export`` writes a temporary file in the same
folder and renames it over the target (``twin.io.atomic``), so a failed export never
leaves half a file.
Errors are ``ExportError`` (an ``OSError``) whose text is one line:
``PATH: cannot write: REASON``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage

from twin.io.atomic import write_atomic


class ExportError(OSError):
    """An export that could not be written; ``str()`` is a one-line message."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "export failed"


def _reason(path: Path, exc: OSError | None = None) -> str:
    folder = path.parent
    if not folder.exists():
        return f"the folder {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if path.is_dir():
        return "it is a folder"
    if exc is not None:
        return exc.strerror or str(exc)
    return "not writable"


def check_writable(path: str | os.PathLike) -> Path:
    """The absolute target path; raises ``ExportError`` when it cannot be written."""
    target = Path(path).expanduser().absolute()
    if not target.parent.is_dir() or target.is_dir():
        raise ExportError(f"{path}: cannot write: {_reason(target)}")
    folder = target.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"{path}: cannot write: the folder {folder} is not writable")
    try:   # a probe with a random name, created exclusively: never a planted file or link
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {_reason(target, exc)}") from exc
    return target


def write_export(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (``twin.io.atomic``); ``ExportError`` on failure."""
    target = check_writable(path)
    try:
        return write_atomic(target, data)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {_reason(target, exc)}") from exc


def png_bytes(image: QImage) -> bytes:
    """The image encoded as PNG."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise ExportError("cannot encode the image as PNG (empty image?)")
    buf.close()
    return bytes(data.data())


def save_png(image: QImage, path: str | os.PathLike) -> Path:
    """Save ``image`` as a PNG file atomically; returns the absolute path."""
    check_writable(path)
    return write_export(path, png_bytes(image))
