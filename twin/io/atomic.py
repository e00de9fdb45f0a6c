"""The one atomic file write of the code base (layouts, JSON results, PNG, PDF).

``write_atomic`` writes a temporary file in the target's folder, flushes and fsyncs it,
gives it the permissions and group of the file it replaces (or the umask's default for a
new file), renames it over the target and fsyncs the folder, so a crash or a full disk
leaves either the old file or the new one, never half of one. A read-only target is
refused rather than silently replaced. Errors are ``OSError``; callers turn them into their
own one-line messages.

The temporary file gets a random name (``.NAME.XXXXXXXX.tmp``) created exclusively by
``tempfile.mkstemp`` (``O_CREAT | O_EXCL``: a planted file or symlink of that name is never
opened or followed). A target that is a symlink is written through: the file it points at
is replaced and the link stays a link, as text editors do. Temporaries of the same target
left by a killed save (older than ``STALE_TMP_S``) are removed on the next save.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

#: A temporary of a save is stale (left by a killed process) after this many seconds.
STALE_TMP_S = 60.0


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns the target path."""
    target = Path(path)
    if target.is_symlink():   # write through the link to the file it points at
        target = Path(os.path.realpath(target))
    if target.is_dir():
        raise IsADirectoryError(21, "it is a folder", str(target))
    folder = target.parent if str(target.parent) else Path(".")
    group = None
    try:
        st = target.stat()
        mode, existed, group = stat.S_IMODE(st.st_mode), True, st.st_gid
    except FileNotFoundError:
        mode, existed = _umask_mode(), False
    if existed and not mode & stat.S_IWUSR:
        raise PermissionError(13, "the file is read-only", str(target))
    remove_stale_temporaries(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if group is not None and group != os.stat(tmp).st_gid:
            try:
                os.chown(tmp, -1, group)   # keep the group where the user may set it
            except OSError:
                pass
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return target


def remove_stale_temporaries(target: Path, older_than_s: float = STALE_TMP_S) -> list[Path]:
    """Remove ``.NAME.XXXXXXXX.tmp`` files of ``target`` left by a killed save; returns them.
    Only names ``mkstemp`` makes for this target, older than ``older_than_s`` (a save in
    progress in another process is left alone); links are removed, never followed."""
    folder = target.parent if str(target.parent) else Path(".")
    pattern = re.compile(re.escape(f".{target.name}.") + r"[A-Za-z0-9_]{8}\.tmp")
    now = time.time()
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if now - st.st_mtime > older_than_s and not stat.S_ISDIR(st.st_mode):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


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
