"""Reading a user's file safely: a regular file, no larger than a stated limit.

The one reader every importer shares (layouts, traces, rack inventories, NetBox exports,
positions tables). It refuses before reading anything that is not a regular file (a folder,
FIFO, device or socket: a FIFO could block the GUI for ever) and anything larger than the
limit, and reads at most ``limit + 1`` bytes so a file that grows meanwhile is still refused.
Every refusal is a ``ReadRefused`` whose message is one line without the file name; the
caller wraps it in its own error type, which names the file.
"""

from __future__ import annotations

import os
import stat

_NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class ReadRefused(Exception):
    """A file that was not read, and why (one line, without the file's name)."""


def mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def _refuse_special(st: os.stat_result, what: str, limit_bytes: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise ReadRefused(f"is a directory, expected {what}")
    if not stat.S_ISREG(st.st_mode):
        kind = next((w for test, w in _NOT_REGULAR if test(st.st_mode)), "not a regular file")
        raise ReadRefused(f"is {kind}, expected {what}; nothing was read")
    if st.st_size > limit_bytes:
        raise ReadRefused(f"file is {mib(st.st_size)}, above the limit of {mib(limit_bytes)} "
                          f"for {what}")


def read_capped(path: str | os.PathLike, limit_bytes: int, what: str) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit_bytes``; ``what`` names
    the kind of file expected in messages ("a layout file (.json)")."""
    try:
        _refuse_special(os.stat(path), what, limit_bytes)
        # O_NONBLOCK: a FIFO swapped in after the check still cannot block the open.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise ReadRefused("no such file") from None
    except (OSError, ValueError) as exc:
        raise ReadRefused(f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        with os.fdopen(fd, "rb") as fh:
            _refuse_special(os.fstat(fh.fileno()), what, limit_bytes)
            data = fh.read(limit_bytes + 1)
    except OSError as exc:
        raise ReadRefused(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit_bytes:
        raise ReadRefused(f"file is larger than the limit of {mib(limit_bytes)} for {what}")
    return data
