"""The simulator in a separate process, so the physics never competes with the GUI.

A solve is mostly numpy/SciPy/pyamg calls, and many of those hold Python's global
interpreter lock for tens of milliseconds. Run on a thread of the GUI's process, that
stalls the event loop while the solve runs. ``RemoteSimulator`` runs ``Simulator`` in a
child process instead: the GUI process keeps one core to itself and only pays for sending
the snapshot and receiving the result. Both ends remember what the other already holds:
item collections and the rack table that did not change are not sent to the child, and an
airflow field the parent already has is not sent back (a hall workload edit: ~1.5 MB
instead of ~5 MB on the wire). While it waits for the next request the child does
idle-time upkeep (``Simulator.maintain``).

``RemoteSimulator.run`` has the contract of ``LocalSimulator.run``: it blocks the calling
(worker) thread until the result, raises the solver's errors, and raises ``Cancelled``
when its ``CancelToken`` is cancelled, telling the child to abandon that solve. The child
keeps its ``Simulator`` between runs (grid, multigrid hierarchy, flow field), exactly like
the in-process one. One child serves one engine at a time; a closed engine hands its
child to the next one (File > Open, tests), which resets it. If the child dies, the run
raises ``PhysicsProcessError`` and the next run starts a new child.

Qt-free.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import socket
import subprocess
import sys
import threading
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import twin
from twin.engine.simulate import Simulator, TwinResult
from twin.engine.worker import Cancelled, CancelToken
from twin.model import Layout

if TYPE_CHECKING:
    from twin.model.racks import RackTable
    from twin.physics.air.flow import FaceFluxes

#: How often a waiting run checks its token (seconds).
POLL_S = 0.005


class PhysicsProcessError(RuntimeError):
    """The physics process stopped or could not be started."""


class LocalSimulator:
    """``Simulator`` on the calling thread (the reference for ``RemoteSimulator``)."""

    def __init__(self) -> None:
        self._sim = Simulator()

    def run(self, snap: Layout, geometry_changed: bool, coarse: bool,
            token: CancelToken) -> TwinResult:
        return _run(self._sim, snap, geometry_changed, coarse, token)

    def close(self) -> None:
        pass


def _run(sim: Simulator, snap: Layout, geometry_changed: bool, coarse: bool,
         token: CancelToken) -> TwinResult:
    result = sim.run(snap, geometry_changed=geometry_changed, cancel=token,
                     progress=token.progress, coarse=coarse)
    token.check()
    return result


# ----- parent side -------------------------------------------------------------------------
class _Child:
    """One physics process (``python -m twin.engine.remote FD``), scheduled as batch work
    at ``niceness`` above the parent's, and the parent's end of its socket. A plain
    subprocess, not ``multiprocessing``: a spawned child would re-run the parent's main
    script, and a forked one would inherit Qt's threads."""

    def __init__(self, niceness: int = 0) -> None:
        self.niceness = niceness
        mine, theirs = socket.socketpair()
        package_root = str(Path(twin.__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "twin.engine.remote", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        _schedule_as_batch(self.process.pid, niceness)
        self.conn = Connection(mine.detach())
        self.next_id = 0
        #: The item collections and rack table the child holds (see ``pack``).
        self.items: dict[str, dict] = {}
        self.racks: RackTable | None = None
        #: The airflow of the last result received (see ``unpack_result``).
        self.fluxes: FaceFluxes | None = None

    def reset(self) -> None:
        """A new ``Simulator`` in the child (for the next engine)."""
        self.conn.send(("reset",))
        self.items, self.racks, self.fluxes = {}, None, None

    def pack(self, snap: Layout) -> Layout:
        """``snap`` with every item collection the child already holds (same ids, same
        immutable items) sent as None: most edits touch one collection, and pickling the
        hall's 1,446 cooling units and 1,009 power components each time costs ~10 ms.
        Likewise the rack table when its contents did not change (a workload or power
        edit: the hall's table is 170 kB of mostly text, ~4 ms to pickle and load)."""
        wire = copy.copy(snap)
        held = self.racks
        # The wire form sends a table the child holds as None (``_Server.unpack``).
        wire.racks = (None if held is not None and held.equals(snap.racks)  # type: ignore[assignment]
                      else snap.racks)
        self.racks = snap.racks
        wire_items: dict[str, Any] = {}   # None: the child holds this collection
        for name, items in snap.items.items():
            held_items = self.items.get(name)
            wire_items[name] = (None if held_items is not None and _same_items(held_items, items)
                                else items)
            self.items[name] = items
        wire.items = wire_items
        return wire

    def unpack_result(self, result: TwinResult) -> TwinResult:
        """Put back the airflow the child left out (unchanged since its last result: a
        workload edit reuses the field, and the hall's face flows are 2.9 MB). Called for
        every result the child sends, in order, including those of superseded runs."""
        air = result.air
        if air is None:
            return result
        if air.fluxes is None:
            return dataclasses.replace(result, air=dataclasses.replace(air, fluxes=self.fluxes))
        self.fluxes = air.fluxes
        return result

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    @property
    def exit_code(self) -> int | None:
        return self.process.poll()

    def stop(self) -> None:
        try:
            self.conn.send(("stop",))
        except (OSError, ValueError):
            pass
        try:
            self.process.wait(2.0)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(2.0)
        self.conn.close()


def _schedule_as_batch(pid: int, niceness: int) -> None:
    """Schedule a physics process as batch work (Linux ``SCHED_BATCH``: the same share of
    the CPU, but a waking GUI thread is not kept waiting behind it; measured effect in
    tests/bench/README.md, History), at ``niceness`` above this process. Where the platform
    has neither, nothing changes."""
    try:
        if hasattr(os, "SCHED_BATCH"):
            os.sched_setscheduler(pid, os.SCHED_BATCH, os.sched_param(0))
        if niceness and hasattr(os, "setpriority"):
            os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, 0) + niceness)
    except OSError:         # (a process that already exited: its run reports that)
        pass


def _same_items(a: dict, b: dict) -> bool:
    return len(a) == len(b) and all(ka == kb and va is vb
                                    for (ka, va), (kb, vb) in zip(a.items(), b.items()))


_spare: list[_Child] = []
_spare_lock = threading.Lock()


def _take_child(niceness: int) -> _Child:
    """A spare child of that niceness (reset), else a new one. (A process cannot lower its
    niceness again without privileges, so children are only reused at their own.)"""
    with _spare_lock:
        for child in [c for c in _spare if c.niceness == niceness]:
            _spare.remove(child)
            if child.alive:
                child.reset()
                return child
            child.stop()
    return _Child(niceness)


class RemoteSimulator:
    """``Simulator`` in a child process; ``run`` is called from one worker thread.
    ``niceness`` > 0 runs the process at that lower scheduling priority (best-effort work
    that must not take the cores from the window or from the main physics process)."""

    def __init__(self, niceness: int = 0) -> None:
        self.niceness = niceness
        self._child: _Child | None = _take_child(niceness)

    def run(self, snap: Layout, geometry_changed: bool, coarse: bool,
            token: CancelToken) -> TwinResult:
        child = self._child
        if child is None or not child.alive:
            if child is not None:
                child.stop()
            child = self._child = _Child(self.niceness)
            geometry_changed = True            # a new process knows no earlier solve
        child.next_id += 1
        rid = child.next_id
        try:
            child.conn.send(("run", rid, child.pack(snap), geometry_changed, coarse))
            return self._wait(child, rid, token)
        except (EOFError, OSError) as exc:       # OSError includes a broken pipe
            code = child.exit_code
            self._child = None
            child.stop()
            raise PhysicsProcessError(
                f"the physics process stopped unexpectedly (exit code {code}); it is "
                "restarted for the next edit") from exc

    def _wait(self, child: _Child, rid: int, token: CancelToken) -> TwinResult:
        while True:
            if token.cancelled:
                child.conn.send(("cancel", rid))
                raise Cancelled()
            if not child.conn.poll(POLL_S):
                if not child.alive:
                    raise EOFError("physics process exited")
                continue
            kind, got, payload = child.conn.recv()
            if kind == "result":
                payload = child.unpack_result(payload)
            if got != rid:                     # what a cancelled earlier run still sent
                continue
            if kind == "progress":
                try:
                    token.progress(*payload)
                except Cancelled:
                    child.conn.send(("cancel", rid))
                    raise
            elif kind == "result":
                return payload
            elif kind == "cancelled":
                raise Cancelled()
            else:
                raise payload

    def close(self) -> None:
        """Hand the child to the next engine (it is reset then) or stop it."""
        child, self._child = self._child, None
        if child is None:
            return
        with _spare_lock:
            if child.alive and not any(c.niceness == child.niceness for c in _spare):
                _spare.append(child)
                return
        child.stop()


# ----- child side --------------------------------------------------------------------------
class _Server:
    """The child: a reader thread takes requests (a newer one cancels the running solve),
    the main thread solves them in order and sends back progress and results."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.sim = Simulator()
        self.cond = threading.Condition()
        self.pending: list[tuple] = []
        self.running: tuple[int, CancelToken] | None = None
        self.items: dict[str, dict] = {}    # what the parent's ``_Child.pack`` left out
        self.racks: RackTable | None = None
        self.sent_fluxes: FaceFluxes | None = None   # see ``_Child.unpack_result``

    def read(self) -> None:
        """The reader thread. If it failed, nobody would read the parent's messages and the
        parent would block on its next send: a failure ends the process instead, which
        the parent reports and replaces."""
        try:
            self._read()
        except BaseException:   # noqa: BLE001 — see docstring
            traceback.print_exc()
            os._exit(70)

    def _read(self) -> None:
        while True:
            try:
                msg = self.conn.recv()
            except (EOFError, OSError):
                msg = ("stop",)
            if msg[0] == "run":
                self.unpack(msg[2])
            elif msg[0] == "reset":
                self.items, self.racks = {}, None
            with self.cond:
                if msg[0] == "cancel":
                    if self.running is not None and self.running[0] == msg[1]:
                        self.running[1].cancel()
                    self.pending = [p for p in self.pending
                                    if p[0] != "run" or p[1] != msg[1]]
                else:
                    if self.running is not None:
                        self.running[1].cancel()
                    self.pending = [msg] if msg[0] == "stop" else self.pending + [msg]
                self.cond.notify()
            if msg[0] == "stop":
                return

    def unpack(self, snap: Layout) -> None:
        """Put back the rack table and collections sent as None (in message order:
        reader thread)."""
        if snap.racks is None:
            snap.racks = self.racks
        else:
            self.racks = snap.racks
        for name, items in snap.items.items():
            if items is None:
                snap.items[name] = self.items[name]
            else:
                self.items[name] = items

    def pack_result(self, result: TwinResult) -> TwinResult:
        """``result`` without its airflow if the parent already has that field."""
        air = result.air
        if air is None:
            return result
        if air.fluxes is self.sent_fluxes:
            # The wire form leaves out a field the parent holds (``_Child.unpack_result``).
            return dataclasses.replace(
                result, air=dataclasses.replace(air, fluxes=None))  # type: ignore[arg-type]
        self.sent_fluxes = air.fluxes
        return result

    def send(self, *msg: Any) -> None:
        """Only the main (solving) thread sends."""
        self.conn.send(msg)

    def loop(self) -> None:
        while True:
            with self.cond:
                while not self.pending:
                    self.cond.wait()
                msg = self.pending.pop(0)
                if msg[0] == "stop":
                    return
                if msg[0] == "reset":
                    self.sim, self.sent_fluxes = Simulator(), None
                    continue
                _, rid, snap, geometry_changed, coarse = msg

                def progress(f: float, m: str, rid: int = rid) -> None:
                    self.send("progress", rid, (f, m))
                token = CancelToken(progress)
                if any(p[0] == "run" for p in self.pending):
                    token.cancel()                 # already superseded
                self.running = (rid, token)
            reply: tuple[str, int, Any]
            try:
                result = _run(self.sim, snap, geometry_changed, coarse, token)
                reply = ("result", rid, self.pack_result(result))
            except Cancelled:
                reply = ("cancelled", rid, None)
            except Exception as exc:           # the parent raises it in the engine
                reply = ("error", rid, exc)
            with self.cond:
                self.running = None
            try:
                self.send(*reply)
            except Exception as exc:           # e.g. an unpicklable exception
                self.sent_fluxes = None
                self.send("error", rid, PhysicsProcessError(f"{type(exc).__name__}: {exc}"))
            with self.cond:
                idle = not self.pending
            if idle:
                self.upkeep()

    def upkeep(self) -> None:
        """Idle-time solver upkeep (a stale airflow hierarchy rebuilt before the next
        edit needs it). A failure changes nothing (the hierarchy is replaced only when
        built) and is not reported here: the next solve rebuilds what it needs and
        reports any real problem with its own request."""
        try:
            self.sim.maintain()
        except Exception:   # noqa: BLE001 — see docstring
            pass


def serve(conn: Connection) -> None:
    """Entry point of the physics process."""
    server = _Server(conn)
    threading.Thread(target=server.read, name="twin-physics-reader", daemon=True).start()
    server.loop()


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
