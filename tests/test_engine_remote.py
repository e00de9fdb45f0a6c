"""The physics process: same numbers as the in-process simulator over a run of edits
(including the collections it keeps between runs), cancellation, and recovery when the
process dies."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from twin.engine.remote import LocalSimulator, PhysicsProcessError, RemoteSimulator
from twin.engine.worker import Cancelled, CancelToken
from twin.io import load_layout

LAYOUTS = Path(__file__).resolve().parents[1] / "layouts"


def _edits(lay):
    """(description, geometry_changed) after each edit applied to ``lay``."""
    yield "cold", True
    lay.update_item("workloads", next(iter(lay.workloads)), utilisation=0.5)
    yield "workload", False
    rid = str(lay.racks.ids[0])
    i = lay.racks.index_of(rid)
    lay.move_racks([rid], [float(lay.racks["x_m"][i])],
                   [float(lay.racks["y_m"][i]) - lay.hall.tile_pitch_m])
    yield "move", True
    uid = next(iter(lay.cooling_units))
    unit = lay.cooling_units[uid]
    lay.update_item("cooling_units", uid, supply_setpoint_c=unit.supply_setpoint_c + 2.0)
    yield "unit set-point", True
    yield "nothing changed", False


def _figures(res) -> np.ndarray:
    return np.concatenate([res.rack_power_kw, res.air.rack_inlet_mean_c,
                           res.air.unit_return_c, [res.facility.pue]])


@pytest.fixture
def remote():
    sim = RemoteSimulator()
    yield sim
    sim.close()


def test_same_results_as_in_process_over_a_run_of_edits(remote):
    lay = load_layout(LAYOUTS / "small-room.json")
    local = LocalSimulator()
    for what, geometry_changed in _edits(lay):
        snap = lay.snapshot()
        a = local.run(snap, geometry_changed, False, CancelToken())
        b = remote.run(snap, geometry_changed, False, CancelToken())
        # two solves of the same snapshot in two processes agree to the solvers' own
        # stopping tolerance, not bit for bit (the iterations' sums may run in another
        # order): the thermal solve stops at 1e-7 of its right side, a few µK here
        # (1.2 µK measured on a clean CI machine's cold solve of the small room)
        np.testing.assert_allclose(_figures(b), _figures(a), rtol=0, atol=1e-5,
                                   err_msg=what)
        # the airflow (left out of the reply when unchanged) is the child's, whole: to the
        # flow solve's tolerance (1e-5 of its right side; 5e-7 m³/s seen on face fluxes of
        # up to 0.9 m³/s)
        for axis in "xyz":
            np.testing.assert_allclose(getattr(b.air.fluxes, axis), getattr(a.air.fluxes, axis),
                                       rtol=0, atol=1e-5, err_msg=what)


def test_unchanged_airflow_is_not_sent_again(remote):
    lay = load_layout(LAYOUTS / "small-room.json")
    first = remote.run(lay.snapshot(), True, False, CancelToken())
    lay.update_item("workloads", next(iter(lay.workloads)), utilisation=0.5)
    again = remote.run(lay.snapshot(), False, False, CancelToken())
    assert again.air.fluxes is first.air.fluxes            # kept, not re-sent
    assert not np.array_equal(again.air.rack_exhaust_c, first.air.rack_exhaust_c)


def test_cancelled_run_raises_cancelled_and_the_next_run_works(remote):
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    token = CancelToken()
    threading.Timer(0.05, token.cancel).start()
    with pytest.raises(Cancelled):
        remote.run(lay.snapshot(), True, False, token)
    res = remote.run(lay.snapshot(), True, False, CancelToken())
    assert res.facility.pue > 1.0


def test_a_process_dying_mid_solve_is_reported_then_replaced(remote, monkeypatch):
    lay = load_layout(LAYOUTS / "small-room.json")
    first = remote.run(lay.snapshot(), True, False, CancelToken())
    child = remote._child
    pack = child.pack

    def die_then_pack(snap):
        child.process.kill()
        child.process.wait()
        return pack(snap)
    monkeypatch.setattr(child, "pack", die_then_pack)
    with pytest.raises(PhysicsProcessError, match=r"stopped unexpectedly \(exit code -9\)"):
        remote.run(lay.snapshot(), True, False, CancelToken())
    again = remote.run(lay.snapshot(), False, False, CancelToken())   # a new process
    np.testing.assert_allclose(_figures(again), _figures(first), atol=1e-6)


def test_unchanged_rack_table_is_not_sent_again(remote):
    lay = load_layout(LAYOUTS / "small-room.json")
    remote.run(lay.snapshot(), True, False, CancelToken())
    child = remote._child                    # (packing by hand: no run after this)
    lay.update_item("workloads", next(iter(lay.workloads)), utilisation=0.5)
    wire = child.pack(lay.snapshot())
    assert wire.racks is None and wire.items["workloads"] is not None
    rid = str(lay.racks.ids[0])
    i = lay.racks.index_of(rid)
    lay.move_racks([rid], [float(lay.racks["x_m"][i])], [float(lay.racks["y_m"][i]) - 0.6])
    wire = child.pack(lay.snapshot())
    assert wire.racks is not None and wire.items["workloads"] is None


def test_a_closed_simulator_hands_its_process_on_only_at_the_same_priority():
    """A process cannot raise its own priority again, so a spare child started at a lower
    priority (the coarse lane's) is only ever reused at that priority."""
    import os
    low = RemoteSimulator(niceness=3)
    low_pid = low._child.process.pid
    assert os.getpriority(os.PRIO_PROCESS, low_pid) == os.getpriority(os.PRIO_PROCESS, 0) + 3
    if hasattr(os, "SCHED_BATCH"):          # batch work: waking GUI threads go first
        assert os.sched_getscheduler(low_pid) == os.SCHED_BATCH
    low.close()                                   # spare now
    normal = RemoteSimulator()
    try:
        assert normal._child.process.pid != low_pid
        again = RemoteSimulator(niceness=3)
        try:
            assert again._child.process.pid == low_pid
        finally:
            again.close()
    finally:
        normal.close()


def test_a_cancel_behind_a_pending_reset_keeps_the_reader_alive():
    """Regression: a cancel that arrived while a reset (a message without a request id)
    was still queued killed the child's reader thread, and the parent then blocked for
    ever on its next send."""
    import socket
    from multiprocessing.connection import Connection

    from twin.engine.remote import _Server
    mine, theirs = socket.socketpair()
    parent, child = Connection(mine.detach()), Connection(theirs.detach())
    server = _Server(child)
    for msg in (("reset",), ("cancel", 3), ("stop",)):
        parent.send(msg)
    server._read()                       # returns on "stop"; raised IndexError before
    assert server.pending == [("stop",)]
    parent.close()
    child.close()


def test_a_child_whose_reader_fails_exits_and_is_replaced(remote):
    """A message the child cannot handle ends the child (instead of leaving nobody to
    read the parent's messages); the next run starts a new one."""
    lay = load_layout(LAYOUTS / "small-room.json")
    token = CancelToken()
    remote.run(lay.snapshot(), True, False, token)
    child = remote._child
    child.conn.send(("run",))            # malformed: the child's reader fails on it
    child.process.wait(10)
    assert not child.alive and child.exit_code == 70
    res = remote.run(lay.snapshot(), True, False, CancelToken())   # in a new process
    assert remote._child is not child and res.air is not None


def test_the_server_leaves_out_only_an_airflow_it_has_already_sent():
    """In-process check of the child's wire form: the first result goes whole, a result
    with the same airflow object goes without it, a new airflow goes whole again."""
    from twin.engine.remote import _Server
    from twin.engine.simulate import Simulator

    lay = load_layout(LAYOUTS / "small-room.json")
    sim = Simulator()
    first = sim.run(lay.snapshot())
    server = _Server(conn=None)
    assert server.racks is None and server.items == {}
    assert server.pack_result(first) is first
    lay.update_item("workloads", next(iter(lay.workloads)), utilisation=0.5)
    again = sim.run(lay.snapshot(), geometry_changed=False)
    packed = server.pack_result(again)
    assert packed.air.fluxes is None and again.air.fluxes is first.air.fluxes
    np.testing.assert_array_equal(packed.air.rack_exhaust_c, again.air.rack_exhaust_c)
    lay.move_racks(["A01"], [3.9], [3.0])
    moved = sim.run(lay.snapshot())
    assert server.pack_result(moved).air.fluxes is moved.air.fluxes


# ----- the child's side, in process: what a request carries in and what comes back --------
class _RecordingSim:
    """Stands in for ``Simulator`` in ``_Server``: records what each run was given,
    reports one progress step, and fails when told to."""

    def __init__(self, fail: Exception | None = None):
        self.seen: list[tuple] = []
        self.fail = fail

    def run(self, layout, geometry_changed=True, cancel=None, progress=None, coarse=False):
        self.seen.append((layout.racks, dict(layout.items), geometry_changed, coarse))
        progress(0.25, "quarter")
        if self.fail is not None:
            raise self.fail
        from types import SimpleNamespace
        return SimpleNamespace(air=None, run=len(self.seen))

    def maintain(self):
        return False


def _replies(conn, rid, timeout_s=10.0):
    """Every message for request ``rid`` up to and including its final reply."""
    import time
    out, end = [], time.monotonic() + timeout_s
    while time.monotonic() < end:
        if conn.poll(0.05):
            msg = conn.recv()
            if msg[1] == rid:
                out.append(msg)
                if msg[0] != "progress":
                    return out
    raise AssertionError(f"no final reply for request {rid}: {out}")


def test_the_child_puts_back_the_rack_table_and_collections_sent_as_none(physics_server):
    """The parent's wire form (``_Child.pack``) sends the rack table and every collection
    the child already holds as None; the child's solve must get the ones of the run
    before (the very objects it received then), and its own flags."""
    import copy
    srv, parent = physics_server
    srv.sim = sim = _RecordingSim()
    lay = load_layout(LAYOUTS / "small-room.json")
    parent.send(("run", 1, lay.snapshot(), True, False))
    assert _replies(parent, 1)[-1][0] == "result"
    wire = copy.copy(lay.snapshot())
    wire.racks = None
    wire.items = {name: None for name in lay.items}
    parent.send(("run", 2, wire, False, True))
    assert _replies(parent, 2)[-1][0] == "result"
    (racks1, items1, geo1, coarse1), (racks2, items2, geo2, coarse2) = sim.seen
    assert (geo1, coarse1, geo2, coarse2) == (True, False, False, True)
    assert racks2 is racks1 and racks2.equals(lay.racks) and len(racks2) == len(lay.racks)
    assert set(items2) == set(lay.items)
    for name in lay.items:
        assert items2[name] is items1[name], name
        assert list(items2[name]) == list(lay.items[name]), name


def test_the_child_sends_progress_then_the_result_or_the_error(physics_server):
    """The solve's progress goes to the parent as ("progress", id, (fraction, message))
    before the reply; a solver error comes back as ("error", id, the exception)."""
    srv, parent = physics_server
    srv.sim = _RecordingSim()
    parent.send(("run", 7, load_layout(LAYOUTS / "small-room.json").snapshot(), True, False))
    got = _replies(parent, 7)
    assert got[0] == ("progress", 7, (0.25, "quarter"))
    assert got[-1][0] == "result" and got[-1][2].run == 1
    srv.sim = _RecordingSim(fail=ValueError("no cooling unit is enabled"))
    parent.send(("run", 8, load_layout(LAYOUTS / "small-room.json").snapshot(), True, False))
    got = _replies(parent, 8)
    assert got[0] == ("progress", 8, (0.25, "quarter"))
    kind, rid, exc = got[-1]
    assert (kind, rid, type(exc), str(exc)) == ("error", 8, ValueError, "no cooling unit is enabled")


def test_stop_ends_the_childs_loop_cleanly():
    """``_Child.stop`` sends the message on which the child's loop returns (its process
    then exits with code 0), not one it fails on."""
    import socket
    from multiprocessing.connection import Connection
    from types import SimpleNamespace

    from twin.engine.remote import _Child, _Server
    mine, theirs = socket.socketpair()
    parent, child_end = Connection(mine.detach()), Connection(theirs.detach())
    srv = _Server(child_end)
    ended = threading.Event()

    def loop():
        srv.loop()
        ended.set()                                  # returned, not raised
    threads = [threading.Thread(target=srv._read, daemon=True),
               threading.Thread(target=loop, daemon=True)]
    for t in threads:
        t.start()
    child = object.__new__(_Child)                   # the parent's end, minus the process
    child.conn = parent
    child.process = SimpleNamespace(wait=lambda timeout: threads[1].join(timeout))
    child.stop()
    assert ended.is_set()
    child_end.close()


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_the_physics_process_imports_the_parents_twin_and_keeps_its_path(monkeypatch):
    """The child runs ``python -m twin.engine.remote FD`` with this interpreter: its
    PYTHONPATH starts with the directory holding the parent's ``twin`` package (a source
    checkout or the mutation sandbox, not some installed copy), then the parent's own
    PYTHONPATH entries. (The environment handed to the process is checked where it is
    made, not read back from /proc: a child that exits at once leaves an empty one.)"""
    import os
    import sys

    import twin
    from twin.engine import remote
    seen: dict = {}

    class Recorded:
        def __init__(self, args, pass_fds, env, stdin):
            seen.update(args=args, fds=pass_fds, env=env)
            self.pid = -1

    monkeypatch.setattr(remote.subprocess, "Popen", Recorded)
    monkeypatch.setattr(remote, "_schedule_as_batch", lambda pid, niceness: None)
    root = str(Path(twin.__file__).resolve().parent.parent)
    for parent_path in ("/nonexistent/a" + os.pathsep + "/nonexistent/b", None):
        if parent_path is None:
            monkeypatch.delenv("PYTHONPATH", raising=False)
        else:
            monkeypatch.setenv("PYTHONPATH", parent_path)
        child = remote._Child()
        child.conn.close()
        assert seen["args"] == [sys.executable, "-m", "twin.engine.remote", str(seen["fds"][0])]
        want = [root] + (parent_path.split(os.pathsep) if parent_path else [])
        assert seen["env"]["PYTHONPATH"].split(os.pathsep) == want


def test_a_cancel_for_a_queued_request_drops_it_before_it_is_solved(physics_server):
    """Requests 1 (solving), 2 and 3 (queued behind it): a cancel for 2 takes it out of
    the queue, so only 1 and 3 ever reach the solver (3 is its second run)."""
    srv, parent = physics_server
    gate, started = threading.Event(), threading.Event()

    class Gated(_RecordingSim):
        def run(self, layout, geometry_changed=True, cancel=None, progress=None, coarse=False):
            started.set()
            gate.wait(10)
            return super().run(layout, geometry_changed, cancel, progress, coarse)
    srv.sim = sim = Gated()
    snap = load_layout(LAYOUTS / "small-room.json").snapshot()
    parent.send(("run", 1, snap, True, False))
    assert started.wait(10)
    parent.send(("run", 2, snap, True, False))
    parent.send(("cancel", 2))
    parent.send(("run", 3, snap, True, False))
    import time
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:                 # the reader has taken all three
        with srv.cond:
            queued = [p[1] for p in srv.pending]
        if 3 in queued:
            break
        time.sleep(0.01)
    assert queued == [3]
    gate.set()
    assert _replies(parent, 1)[-1][0] == "cancelled"   # superseded by 2, then 3
    kind, rid, payload = _replies(parent, 3)[-1]
    assert (kind, rid, payload.run) == ("result", 3, 2)
    assert len(sim.seen) == 2


def test_close_keeps_one_live_spare_per_priority_and_stops_the_rest():
    """Of two simulators closed at the same priority only the first child is kept for the
    next engine; the second is stopped (no process left behind). A child that died is
    never kept: it is stopped, and the next simulator starts a new one."""
    from twin.engine import remote as rm
    a, b = RemoteSimulator(niceness=1), RemoteSimulator(niceness=1)
    ca, cb = a._child, b._child
    dead = RemoteSimulator(niceness=2)
    cd = dead._child
    try:
        a.close()
        b.close()
        assert cb.process.poll() is not None                  # stopped
        assert [c for c in rm._spare if c.niceness == 1] == [ca] and ca.alive
        cd.process.kill()
        cd.process.wait()
        dead.close()
        assert not [c for c in rm._spare if c.niceness == 2]
        again = RemoteSimulator(niceness=1)                   # takes the spare
        assert again._child is ca
        again._child = None
    finally:
        with rm._spare_lock:
            mine = [c for c in rm._spare if c in (ca, cb, cd)]
            for c in mine:
                rm._spare.remove(c)
        for c in (ca, cb, cd):
            if c.alive:
                c.stop()


def test_a_replacement_process_runs_at_the_simulators_priority():
    """A child that died is replaced on the next run by one at the simulator's own lower
    priority (parent's niceness + 3 here), not at the parent's."""
    import os

    from twin.model import Layout
    sim = RemoteSimulator(niceness=3)
    try:
        first = sim._child
        first.process.kill()
        first.process.wait()
        res = sim.run(Layout(), True, False, CancelToken())       # an empty hall: quick
        assert res.facility.it_kw == 0
        new = sim._child
        assert new is not first and new.niceness == 3
        assert os.getpriority(os.PRIO_PROCESS, new.process.pid) == \
            min(19, os.getpriority(os.PRIO_PROCESS, 0) + 3)
    finally:
        sim.close()
