"""Engine paths that run only now and then: a cancel that arrives while the physics process
is solving, the caches that a second edit goes through, a solve after a cancelled one,
and older files (migrated) against their current form."""

from __future__ import annotations

import copy
import json
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

from tests.conftest import FIXTURES, LAYOUTS
from twin.engine.simulate import Simulator, simulate
from twin.engine.worker import Cancelled, CancelToken
from twin.io import layout_file, load_layout, loads_layout, migrations
from twin.model import Layout

SMALL = json.loads((LAYOUTS / "small-room.json").read_text())


# ----- a cancel while the physics process solves ------------------------------------------
class _FakeSim:
    """Stands in for ``Simulator`` in the physics process: a solve that takes until it is
    cancelled (``honour``) or a fixed time that ignores the cancel."""

    def __init__(self, honour: bool):
        self.honour = honour
        self.started = threading.Event()
        self.runs = 0

    def run(self, layout, geometry_changed=True, cancel=None, progress=None, coarse=False):
        self.runs += 1
        self.started.set()
        honour = self.honour                  # (a later change is for the next run)
        end = time.monotonic() + (5.0 if honour else 0.4)
        while time.monotonic() < end and not (honour and cancel()):
            time.sleep(0.002)
        return SimpleNamespace(air=None, run=self.runs)

    def maintain(self):
        return False


def _next_reply(conn, rid, timeout_s=10.0):
    """The next reply for request ``rid`` that is not progress."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if conn.poll(0.05):
            kind, got, payload = conn.recv()
            if got == rid and kind != "progress":
                return kind, payload
    raise AssertionError(f"no reply for request {rid}")


@pytest.mark.parametrize("honour", [True, False], ids=["solver-stops", "solver-finishes"])
def test_a_cancel_during_a_solve_is_answered_with_cancelled(physics_server, honour):
    """Whether the solver stops at the cancel or runs to its end, the reply for that
    request is a cancellation, never its result; the next request is solved as usual."""
    srv, parent = physics_server
    srv.sim = fake = _FakeSim(honour)
    parent.send(("run", 1, Layout(), True, False))
    assert fake.started.wait(5)
    t0 = time.monotonic()
    parent.send(("cancel", 1))
    assert _next_reply(parent, 1) == ("cancelled", None)
    if honour:
        assert time.monotonic() - t0 < 2.0          # ended at the cancel, not after 5 s
    fake.honour = False                       # the next solve ends by itself, in 0.4 s
    parent.send(("run", 2, Layout(), True, False))
    kind, payload = _next_reply(parent, 2)
    assert kind == "result" and payload.run == 2


def test_a_newer_request_cancels_the_running_one(physics_server):
    srv, parent = physics_server
    srv.sim = fake = _FakeSim(True)
    parent.send(("run", 1, Layout(), True, False))
    assert fake.started.wait(5)
    fake.honour = False
    parent.send(("run", 2, Layout(), True, False))
    assert _next_reply(parent, 1) == ("cancelled", None)
    kind, payload = _next_reply(parent, 2, timeout_s=10)
    assert kind == "result" and payload.run == 2


def test_a_cancel_for_another_request_leaves_the_solve_alone(physics_server):
    srv, parent = physics_server
    srv.sim = fake = _FakeSim(False)
    parent.send(("run", 5, Layout(), True, False))
    assert fake.started.wait(5)
    parent.send(("cancel", 4))                       # an older, finished request
    kind, payload = _next_reply(parent, 5)
    assert kind == "result" and payload.run == 1


# ----- caches on a second edit -------------------------------------------------------------
def _no_air(doc):
    """The document for the power and workload paths; its air is solved on the coarse
    tier (``_fast``), which is quick. (A room without cooling units has no steady state:
    that is an error now, not a shortcut.)"""
    return copy.deepcopy(doc)


def _fast(lay):
    return simulate(lay, coarse=True)


def test_second_power_edit_is_not_served_the_first_chain():
    """``inputs`` keeps the last power chain while its components are the same objects;
    each edit replaces a component, so each must give the chain of the edited file."""
    lay = loads_layout(json.dumps(_no_air(SMALL)))
    first = _fast(lay)
    for edits in ({"UPS-A1": False}, {"UPS-A1": True, "UPS-B1": False}):
        for cid, enabled in edits.items():
            lay.update_item("power", cid, enabled=enabled)
        got = _fast(lay)
        doc = _no_air(SMALL)
        for p in doc["power"]:
            p["enabled"] = lay.power[p["id"]].enabled
        want = _fast(loads_layout(json.dumps(doc)))
        np.testing.assert_array_equal(got.power.load_kw, want.power.load_kw)
        np.testing.assert_array_equal(got.power.rack_feed_a_kw, want.power.rack_feed_a_kw)
        np.testing.assert_array_equal(got.power.rack_feed_b_kw, want.power.rack_feed_b_kw)
    # with side B down everything is carried by side A, and side B carries nothing
    feeds_b = got.power.rack_feed_b_kw
    assert feeds_b.sum() == 0 and got.power.rack_feed_a_kw.sum() == pytest.approx(
        first.power.rack_feed_a_kw.sum() + first.power.rack_feed_b_kw.sum(), rel=1e-9)


def test_a_model_edited_in_place_is_not_served_the_old_models():
    """``inputs`` keeps the grouping of the last rack model column it saw (checked against
    a copy): a model set in place on the same column must show in the next run."""
    lay = loads_layout(json.dumps(_no_air(SMALL)))
    before = _fast(lay).rack_power_kw.copy()
    lay.set_rack_values(["A02"], "model", "storage-rack")       # same array, edited
    lay.set_rack_values(["A02"], "workload", "storage")
    got = _fast(lay).rack_power_kw
    assert got[1] == pytest.approx(before[0], rel=1e-12)        # now like A01
    assert got[1] < before[1] / 3
    np.testing.assert_array_equal(np.delete(got, 1), np.delete(before, 1))


def test_two_workload_edits_reuse_the_airflow_and_settle_to_fresh_solves():
    """Power-only runs reuse the last airflow field; after two of them the numbers are
    those of a fresh solve of the same layout (powers exactly; inlets to 0.8 K: the kept
    field is the one of the old heat, whose buoyancy drift differs; measured 0.37 K at the
    end racks after the drop to 30 % and 0.76 K after the rise back from a settled 30 %
    with the fitted buoyancy time of 2.3 s; 0.35 and 0.68 K before its end racks drew
    beside themselves where the surplus rises (stop 45), 0.29 and 0.55 K before the
    sample's aisle ends closed to the ceiling, 0.05 K at 0.6 s; docs/physics.md §2.8).
    Such a result says its drift is stale, and the next solve of the same layout (the live
    engine's settle pass) re-solves the drift: the fresh solve's inlets to 0.02 K."""
    lay = load_layout(LAYOUTS / "small-room.json")
    sim = Simulator()
    sim.run(lay.snapshot())
    it_kw = []
    for u in (0.3, 1.0):
        lay.update_item("workloads", "train-h100", utilisation=u)
        snap = lay.snapshot()
        got = sim.run(snap, geometry_changed=False)
        want = simulate(snap)
        np.testing.assert_allclose(got.rack_power_kw, want.rack_power_kw, rtol=1e-12)
        np.testing.assert_allclose(got.air.rack_inlet_mean_c, want.air.rack_inlet_mean_c,
                                   atol=0.8)
        assert not got.air.drift_settled
        settled = sim.run(snap, geometry_changed=True).air
        assert settled.drift_settled
        np.testing.assert_allclose(settled.rack_inlet_mean_c, want.air.rack_inlet_mean_c, atol=0.02)
        it_kw.append(got.facility.it_kw)
    assert it_kw[1] > it_kw[0] + 100          # eight H100/B200 racks from 30 % to 100 %


def test_a_cancelled_move_is_not_reused_by_the_next_power_only_run():
    """A move whose solve was cancelled leaves no airflow to reuse: the next run (even one
    that says only heat changed) solves the moved layout."""
    lay = load_layout(LAYOUTS / "small-room.json")
    sim = Simulator()
    before = sim.run(lay.snapshot())
    lay.move_racks(["A07"], [6.0], [8.7])         # into the hot side: > 5 K warmer (live test)
    token = CancelToken(lambda f, m: token.cancel())           # cancels at its first report
    with pytest.raises(Exception) as exc:
        sim.run(lay.snapshot(), cancel=token, progress=token.progress)
    assert isinstance(exc.value, Cancelled) or type(exc.value).__name__ == "SolveCancelled"
    lay.update_item("workloads", "storage", utilisation=0.4)
    snap = lay.snapshot()
    got = sim.run(snap, geometry_changed=False)
    want = simulate(snap)
    i = snap.racks.index_of("A07")
    # (a warm start agrees with a cold one to the solver's tolerance; the old field
    # would be off by kelvins)
    assert got.air.rack_inlet_mean_c[i] == pytest.approx(want.air.rack_inlet_mean_c[i],
                                                         abs=0.02)
    assert got.metrics["worst_inlet_c"] > before.metrics["worst_inlet_c"] + 5


# ----- older files -------------------------------------------------------------------------
def test_an_older_file_simulates_as_its_current_form(monkeypatch):
    """A file of an (imagined) older version, migrated on load, gives the numbers of the
    current file; so does the v1 fixture."""
    def v0_to_v1(d):
        d = dict(d, version=1)
        d["racks"] = [dict({k: v for k, v in r.items() if k != "model_key"},
                           model=r["model_key"]) for r in d["racks"]]
        return d
    monkeypatch.setitem(migrations.MIGRATIONS, 0, v0_to_v1)
    monkeypatch.setattr(layout_file, "MIN_VERSION", 0)
    old = copy.deepcopy(SMALL)
    old["version"] = 0
    for r in old["racks"]:
        r["model_key"] = r.pop("model")
    migrated = layout_file.layout_from_document(old, "old.json")
    current = load_layout(LAYOUTS / "small-room.json")
    fixture = load_layout(FIXTURES / "layout_v1.json")
    a, b, c = simulate(migrated), simulate(current), simulate(fixture)
    for res in (a, c):
        np.testing.assert_allclose(res.rack_power_kw, b.rack_power_kw, rtol=1e-12)
        np.testing.assert_allclose(res.air.rack_inlet_mean_c, b.air.rack_inlet_mean_c,
                                   atol=2e-3)
        assert res.facility.pue == pytest.approx(b.facility.pue, abs=1e-6)
    assert sorted(set(migrated.racks["model"])) == ["dgx-b200-rack", "dgx-h100-rack",
                                                   "ib-network-rack", "storage-rack"]
