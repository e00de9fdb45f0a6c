"""``emit`` (twin/gui/base/emit.py): a worker's answer to a deleted bridge is dropped,
not an exception in its thread; ``emit_or_stop`` ends the worker's run instead."""

import threading

import pytest
import shiboken6
from PySide6.QtCore import QObject, Signal

from twin.gui.base.emit import ReceiverGone, emit, emit_or_stop

pytestmark = pytest.mark.gui


class _Bridge(QObject):
    done = Signal(object)


def test_emit_to_a_live_bridge_delivers_and_says_so(qtbot):
    b = _Bridge()
    got = []
    b.done.connect(got.append)
    assert emit(b.done, 42) is True
    assert got == [42]
    emit_or_stop(b.done, 43)
    assert got == [42, 43]


def test_emit_to_a_deleted_bridge_from_a_worker_thread_is_dropped(qtbot):
    b = _Bridge()
    signal = b.done
    shiboken6.delete(b)                       # the window (and its bridge) closed
    outcome = {}

    def worker():
        outcome["sent"] = emit(signal, 1)
        try:
            emit_or_stop(signal, 2)
        except ReceiverGone:
            outcome["stopped"] = True

    t = threading.Thread(target=worker)
    t.start()
    t.join(5)
    assert outcome == {"sent": False, "stopped": True}
