"""Crash recovery: unsaved edits kept in recovery files until they are saved or discarded.

A running editor writes its unsaved layout to one recovery file of its own
(``session-<pid>-<start>.json`` in the recovery folder), atomically and throttled; a save,
File > New / Open to a clean state, or a clean exit removes it. A recovery file whose
process no longer runs belongs to a session that crashed or was killed: the next start
offers to restore it. The file holds the layout document and where it came from::

    {"recovery": {"source": "/path/pod.json" | null, "saved_at": 1733300000.0, "pid": 4242},
     "layout": {...the layout document...}}

Qt-free; the editor's ``Autosaver`` (``twin/gui/window/autosave.py``) drives it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from twin.io.atomic import write_atomic
from twin.io.errors import LayoutError, Problem
from twin.io.layout_file import layout_document, layout_from_document
from twin.model import Layout


@dataclass(frozen=True)
class RecoveryEntry:
    """One recovery file: the layout it holds came from ``source`` (None: never saved)."""

    path: Path
    source: Path | None
    saved_at: float
    pid: int
    name: str

    @property
    def orphaned(self) -> bool:
        """Its session is gone (crashed or killed): offer to restore it."""
        return not _alive(self.pid)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:       # someone else's process: alive
        return True
    return True


class RecoveryStore:
    """The recovery folder of one user."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def session_file(self) -> Path:
        """The recovery file of this process's editing session."""
        return self.folder / f"session-{os.getpid()}-{int(time.time() * 1000)}.json"

    def write(self, path: Path, layout: Layout, source: Path | None) -> None:
        """Write ``layout`` (unsaved edits of ``source``) to the recovery file ``path``."""
        doc = {"recovery": {"source": str(source) if source else None,
                            "saved_at": time.time(), "pid": os.getpid()},
               "layout": layout_document(layout)}
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(doc, ensure_ascii=True, allow_nan=False).encode("ascii"))

    def entries(self) -> list[RecoveryEntry]:
        """Readable recovery files, newest first (unreadable ones are skipped)."""
        out = []
        for p in sorted(self.folder.glob("session-*.json")):
            try:
                meta = json.loads(p.read_text(encoding="utf-8"))["recovery"]
                src = meta.get("source")
                out.append(RecoveryEntry(p, Path(src) if src else None,
                                         float(meta["saved_at"]), int(meta["pid"]),
                                         Path(src).name if src else "Untitled layout"))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return sorted(out, key=lambda e: -e.saved_at)

    def orphans(self) -> list[RecoveryEntry]:
        return [e for e in self.entries() if e.orphaned]

    def load(self, entry: RecoveryEntry) -> Layout:
        """The layout kept in ``entry``; raises ``LayoutError`` when it is not readable."""
        try:
            doc = json.loads(entry.path.read_text(encoding="utf-8"))["layout"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LayoutError(str(entry.path), [Problem("", f"not a readable recovery file "
                                                           f"({type(exc).__name__})")]) from None
        return layout_from_document(doc, str(entry.path))

    @staticmethod
    def remove(path: Path) -> None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
