"""The one atomic file write of the code base (layouts, JSON results, PNG, PDF).

``write_atomic`` writes a temporary file in the target's folder, flushes and fsyncs it,
gives it the permissions of the file it replaces (or the umask's default for a new file),
renames it over the target and fsyncs the folder, so a crash or a full disk leaves either
the old file or the new one, never half of one. A read-only target is refused rather than
silently replaced. Errors are ``OSError``; callers turn them into their own one-line
messages.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the target path."""
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(21, "it is a folder", str(target))
    folder = target.parent if str(target.parent) else Path(".")
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        existed = True
    except FileNotFoundError:
        mode, existed = _umask_mode(), False
    if existed and not mode & stat.S_IWUSR:
        raise PermissionError(13, "the file is read-only", str(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return target


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
