"""``emit``: send a worker thread's answer to a GUI object that may be gone.

Background work (timelines, what-if sweeps, scenario solves, imports) runs on plain
threads and reports through a ``QObject`` bridge's signals. If the user closes the
window while it runs, the bridge is deleted and ``emit`` raises ``RuntimeError``
("Signal source has been deleted") in the worker: an unhandled exception in a thread,
and the work would go on for nobody. ``emit`` returns whether the signal was sent;
``emit_or_stop`` raises ``ReceiverGone`` instead, so a long computation that reports
progress ends at its next report.
"""

from __future__ import annotations

from typing import Any


class ReceiverGone(Exception):
    """The bridge a worker reports to was deleted (its window closed)."""


def emit(signal: Any, *args: Any) -> bool:
    """``signal.emit(*args)``; False (and nothing sent) if its object was deleted."""
    try:
        signal.emit(*args)
    except RuntimeError:
        return False
    return True


def emit_or_stop(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, raising ``ReceiverGone`` if its object was deleted."""
    if not emit(signal, *args):
        raise ReceiverGone()
