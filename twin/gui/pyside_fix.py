"""Work around a PySide6 6.12 reference-count bug on Python 3.11.

Measured here (PySide6-Essentials 6.12.0, Python 3.11.7): every call of a PySide method
that returns ``void`` (``QPainter.setBrush``, ``drawRects``, ``QWidget.update`` ...)
*decrements* the reference count of ``None`` once. A plan repaint makes ~100 such calls,
so after some minutes of painting Python aborts with "Fatal Python error: none_dealloc:
deallocating None". Python 3.12+ makes ``None`` immortal, so the bug is harmless there.

The test suite with the main window and vispy also died with "bool_dealloc: deallocating
True or False", so ``True`` and ``False`` suffer the same somewhere. PySide6 6.11.3 on the
same Python shows none of this (measured): pin ``PySide6-Essentials != 6.12.0`` or run on
Python >= 3.12 for a real fix.

``immortalize_none()`` gives ``None``, ``True`` and ``False`` a huge reference count on
Python < 3.12 (what 3.12 does by design), so the bug can never bring a count to zero. Call
it once, before any Qt painting; it is idempotent and a no-op elsewhere.
"""

from __future__ import annotations

import ctypes
import sys

_DONE = False


def immortalize_none() -> None:
    global _DONE
    if _DONE or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        _DONE = True
        return
    # PyObject starts with Py_ssize_t ob_refcnt in release builds of CPython 3.11.
    for singleton in (None, True, False, Ellipsis, NotImplemented):
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
    _DONE = True


def none_refcount_leak_per_call() -> float:
    """Diagnostic: change of None's reference count per void PySide call (0 when fixed
    upstream or on 3.12+ immortal None, -1 with the bug)."""
    from PySide6.QtGui import QColor

    colour = QColor(1, 2, 3)
    before = sys.getrefcount(None)
    for _ in range(100):
        colour.setRed(5)
    return (sys.getrefcount(None) - before) / 100.0
