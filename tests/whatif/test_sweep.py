"""The N-1 sweep (twin/engine/whatif): every single failure, judged against the base;
the same answer in this process, in worker processes and on a Dask cluster."""

import json
import os

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.cli import main
from twin.engine.simulate import simulate
from twin.engine.whatif.components import CHILLER_ID, single_failures, with_failed
from twin.engine.whatif.sweep import run_sweep
from twin.io import load_layout


@pytest.fixture(scope="module")
def pod():
    return load_layout(LAYOUTS / "gb200-pod.json")


@pytest.fixture(scope="module")
def pod_sweep(pod):
    return run_sweep(pod, jobs=1)


def test_every_component_is_failed_once(pod):
    comps = single_failures(pod)
    ids = [c.id for c in comps]
    assert len(ids) == len(set(ids))
    assert set(pod.cooling_units) | set(pod.cdus) | set(pod.power) <= set(ids)
    assert {"CDU-A/pump", "CDU-B/pump", CHILLER_ID} <= set(ids)
    snap = with_failed(pod, ["CDU-A/pump", "IRC-A1", "UPS-A1"])
    assert snap.cdus["CDU-A"].failed_pumps == 1 and pod.cdus["CDU-A"].failed_pumps == 0
    assert not snap.cooling_units["IRC-A1"].enabled and pod.cooling_units["IRC-A1"].enabled
    assert not snap.power["UPS-A1"].enabled
    with pytest.raises(KeyError, match="NOPE"):
        with_failed(pod, ["NOPE"])


def test_pod_verdicts_follow_the_failed_floor(pod, pod_sweep):
    by_id = {o.component: o for o in pod_sweep.outcomes}
    # a whole CDU: its 8 racks have no coolant flow and shut down
    cdu = by_id["CDU-A"]
    on_a = [r for r, c in zip(pod.racks.ids, pod.racks["cdu"]) if c == "CDU-A"]
    assert cdu.verdict == "fails" and sorted(cdu.racks_failed) == sorted(on_a)
    # one pump of two: the other carries the loop
    assert by_id["CDU-A/pump"].verdict == "survives"
    # the single utility feed takes every rack's power
    assert by_id["UTIL"].verdict == "fails" and len(by_id["UTIL"].racks_failed) == len(pod.racks)
    # A and B sides: losing one side's UPS keeps every rack on the other
    assert by_id["UPS-A1"].verdict == "survives" and by_id["UPS-B1"].verdict == "survives"
    assert pod_sweep.summary[1].startswith("N+1 on CDUs: no \u2014 CDU-")
    assert "N+1 on CDU pumps: yes" in pod_sweep.summary


def test_each_scenario_equals_a_fresh_solve_of_the_failed_floor(pod, pod_sweep):
    """The sweep's reuse of the base airflow (heat-only failures) and of the last air
    solve must not change an answer: compare with a cold solve of the failed layout."""
    by_id = {o.component: o for o in pod_sweep.outcomes}
    for cid in ("IRC-B2", "UPS-A1", "CDU-B/pump"):
        fresh = simulate(with_failed(pod, [cid]))
        state = by_id[cid].state
        assert state.facility_kw == pytest.approx(fresh.facility.facility_kw, rel=1e-6)
        assert state.worst_inlet_c == pytest.approx(float(fresh.air.rack_inlet_max_c.max()),
                                                    abs=0.02)


def test_worker_processes_and_a_dask_cluster_give_the_same_verdicts(pod, pod_sweep, monkeypatch):
    from distributed import LocalCluster

    comps = [c for c in single_failures(pod) if c.id in ("IRC-A2", "CDU-B", "BUSWAY-B1.1")]
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.setenv(var, "0")      # (so that the teardown restores the original)
        monkeypatch.delenv(var)
    local = run_sweep(pod, components=comps, jobs=2)
    # the workers fill the cores: each is started with one BLAS / OpenMP thread
    assert (os.environ["OPENBLAS_NUM_THREADS"], os.environ["OMP_NUM_THREADS"]) == ("1", "1")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        dask = run_sweep(pod, components=comps, scheduler=cluster.scheduler_address)
    base = {o.component: o.verdict for o in pod_sweep.outcomes}
    for result in (local, dask):
        assert [o.component for o in result.outcomes] == ["IRC-A2", "CDU-B", "BUSWAY-B1.1"]
        assert {o.component: o.verdict for o in result.outcomes} == \
            {c.id: base[c.id] for c in comps}
    assert local.workers == 2


def test_cli_sweep_json_and_transient(tmp_path, capsys):
    path = str(LAYOUTS / "gb200-pod.json")
    assert main(["whatif", path, "--sweep", "n-1", "--jobs", "1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {s["verdict"] for s in doc["scenarios"]} <= {"survives", "degraded", "fails"}
    assert doc["summary"] and doc["base"]["it_kw"] > 0
    out = tmp_path / "rt.json"
    assert main(["whatif", path, "--fail", "CDU-A", "--transient", "--duration-s", "120",
                 "--json", "--out", str(out)]) == 0
    rt = json.loads(out.read_text())
    assert rt["first_coolant_limit"]["rack"] and 0 < rt["first_coolant_limit"]["seconds"] < 120
    assert rt["series"]["time_s"][-1] == 120
    assert main(["whatif", path, "--fail", "NOPE", "--transient"]) == 1
    assert "NOPE" in capsys.readouterr().err
    assert main(["whatif", path]) == 1


def test_failed_chillers_round_trip_and_leave_the_plant_short():
    """The small room's chilled water comes from chillers (chiller mode at its design
    ambient: two of three run). With two failed, one runs and the plant falls short by
    the load beyond one chiller's capacity, with an alert; the setting is saved and
    loaded back."""
    import dataclasses

    from twin.io import dumps_layout, loads_layout

    lay = load_layout(LAYOUTS / "small-room.json")
    base = simulate(lay).facility.plant
    assert base.mode == "chiller" and base.chillers_running == 2 and base.chiller_unmet_w == 0
    lay.set_settings("plant", dataclasses.replace(lay.plant, failed_chillers=2))
    back = loads_layout(dumps_layout(lay))
    assert back.plant.failed_chillers == 2
    res = simulate(back)
    p = res.facility.plant
    assert p.chillers_running == 1
    assert 0 < p.chiller_unmet_w < p.chiller_load_w
    assert any(a.kind == "chiller_capacity" for a in res.alerts)


def test_a_quick_sweep_runs_here_and_a_longer_one_on_every_core(monkeypatch):
    """Estimate: an air-side scenario costs the base's air solve (1 s), any other the rest
    of the base solve (1.25 - 1 = 0.25 s). 2 air + 7 others: 2 + 1.75 = 3.75 s, under the
    4 s of LOCAL_UNDER_S: one process; one more scenario makes exactly 4 s: every core."""
    from types import SimpleNamespace

    from twin.engine.whatif import sweep
    from twin.engine.whatif.components import Component
    assert sweep.LOCAL_UNDER_S == 4.0
    monkeypatch.setattr(sweep.os, "cpu_count", lambda: 6)
    base = SimpleNamespace(timing_s={"air_s": 1.0, "total_s": 1.25})
    air = [Component(f"U{i}", "crah", "air") for i in range(2)]
    other = [Component(f"P{i}", "pdu", "power") for i in range(8)]
    assert sweep._auto_jobs(base, air + other[:7]) == 1
    assert sweep._auto_jobs(base, air + other) == 6
    # no timing known: nothing to estimate, a quick sweep
    assert sweep._auto_jobs(SimpleNamespace(timing_s={}), air + other) == 1


def test_progress_reports_the_time_left_at_the_pace_so_far():
    """Two of five scenarios done after ~6 s: 3 s each, 3 left, ~9 s to go."""
    import time

    from twin.engine.whatif.sweep import _Reporter
    heard = []
    rep = _Reporter(5, lambda done, total, left_s: heard.append((done, total, left_s)),
                    time.perf_counter() - 6.0)
    rep()
    rep()
    assert [(d, t) for d, t, _s in heard] == [(1, 5), (2, 5)]
    assert heard[1][2] == pytest.approx(9.0, rel=0.05)
    assert heard[0][2] == pytest.approx(24.0, rel=0.05)       # 6 s for one, 4 left


def test_the_components_of_a_sweep_in_order_with_their_kinds_and_groups(pod):
    """Air side (enabled units), whole CDUs, one pump of each CDU with a pump left, the
    plant's chiller, then the enabled power chain; a disabled unit, a CDU whose pumps have
    all failed and a disabled power part are not failures to study."""
    import dataclasses

    lay = pod.snapshot()
    items = lay.items
    items["cooling_units"]["IRC-A2"] = dataclasses.replace(lay.cooling_units["IRC-A2"],
                                                           enabled=False)
    pumps = int(lay.catalogue[lay.cdus["CDU-B"].model].get("pump_count"))
    items["cdus"]["CDU-B"] = dataclasses.replace(lay.cdus["CDU-B"], failed_pumps=pumps)
    items["power"]["UPS-B2"] = dataclasses.replace(lay.power["UPS-B2"], enabled=False)
    got = [(c.id, c.kind, c.group) for c in single_failures(lay)]
    units = [(u, "inrow", "air") for u in lay.cooling_units if u != "IRC-A2"]
    power = [(p.id, p.kind, "power") for p in lay.power.values() if p.id != "UPS-B2"]
    assert got == (units + [("CDU-A", "cdu", "cdu"), ("CDU-A/pump", "cdu pump", "pump"),
                            (CHILLER_ID, "chiller", "chiller")] + power)
    assert [c.changes_airflow for c in single_failures(lay)[:len(units) + 1]] == \
        [True] * len(units) + [False]


def test_each_cdus_own_return_limit_is_checked_in_the_base_and_every_scenario(pod):
    """The pod's loops return at about 38.9 °C. With CDU-A's limit at 35 °C and CDU-B's at
    45 °C only CDU-A is over, in the base and in each scenario (heat-only and air-side):
    over before and after, it is no new reason."""
    import dataclasses

    from twin.engine.whatif.components import Component
    lay = pod.snapshot()
    for cid, limit in (("CDU-A", 35.0), ("CDU-B", 45.0)):
        lay.items["cdus"][cid] = dataclasses.replace(lay.cdus[cid], return_limit_c=limit)
    res = run_sweep(lay, [Component("UPS-A1", "ups", "power"),
                          Component("IRC-A1", "inrow", "air")], jobs=1)
    assert res.base.coolant_over_limit == ["CDU-A"]
    assert 35.0 < res.base.worst_coolant_return_c < 45.0
    for out in res.outcomes:
        assert out.state.coolant_over_limit == ["CDU-A"], out.component
        assert not any("coolant return" in r for r in out.reasons)


def test_cancel_stops_the_sweep_while_a_scenario_is_still_running():
    """The Cancel button must not wait for the running scenario to finish: with one
    scenario that never finishes, a cancel() that turns True ends the collection with
    Cancelled (stopping the pool) within a fraction of a second."""
    import threading
    from concurrent.futures import Future

    from twin.engine.whatif.sweep import _collect, _Reporter
    from twin.physics.cancel import Cancelled
    running = Future()                      # a scenario still being solved
    asked = threading.Event()
    stopped, raised = [], []

    def cancel():
        if asked.is_set():
            return True
        asked.set()                         # the first look: not yet; every later one: yes
        return False

    def collect():
        try:
            _collect({running: 0}, [None], _Reporter(1, None, 0.0), cancel,
                     lambda: stopped.append(True))
        except Cancelled:
            raised.append(True)

    t = threading.Thread(target=collect, daemon=True)
    t.start()
    t.join(timeout=1.5)
    late = t.is_alive()
    if late:                                # let the thread end: the scenario finishes
        running.set_result(None)
        t.join(timeout=5)
    assert not late, "cancel waited for the running scenario"
    assert raised == [True] and stopped == [True]


def test_a_second_cooling_unit_failure_is_solved_without_the_first_one():
    """One worker solves CRAH-1 failed, then CRAH-2 failed: the second scenario is its own
    floor (CRAH-1 back on, CRAH-2 off), so its figures equal a cold solve of the layout
    with only CRAH-2 failed, not those of the previous scenario."""
    lay = load_layout(LAYOUTS / "small-room.json")
    comps = [c for c in single_failures(lay) if c.id in ("CRAH-1", "CRAH-2")]
    assert [c.changes_airflow for c in comps] == [True, True]
    sweep = run_sweep(lay, components=comps, jobs=1)
    for out in sweep.outcomes:
        fresh = simulate(with_failed(lay, [out.component]))
        assert out.state.worst_inlet_c == pytest.approx(float(fresh.air.rack_inlet_max_c.max()),
                                                        abs=0.02), out.component
        hot = np.sort(fresh.air.rack_inlet_max_c)
        assert hot[-1] - hot[-2] > 0.1            # a clear hottest rack, not a tie
        worst = fresh.rack_ids[int(fresh.air.rack_inlet_max_c.argmax())]
        assert out.state.worst_inlet_rack == worst, out.component
        assert out.state.facility_kw == pytest.approx(fresh.facility.facility_kw, rel=1e-6)
    # the two failures heat the room differently: the hottest rack is on the failed unit's
    # side (A06 and B01; the runner-up on each floor is 0.16-0.2 K cooler, 8x the 0.02 K)
    one, two = (o.state.worst_inlet_rack for o in sweep.outcomes)
    assert one != two


def _row(cid: str, verdict: str, racks_failed=(), reasons=("1 rack lose power",)):
    from twin.engine.whatif.outcome import Outcome
    return Outcome(cid, "cdu", "cdu", verdict, list(reasons) if verdict != "survives" else [],
                   None, racks_failed=list(racks_failed))


def test_the_summary_counts_the_other_failing_components_only_when_there_are_any():
    """The group's line names the scenario that fails the most racks (docs/physics.md
    §12.2), e.g. "N+1 on CDUs: no — CDU-3 fails 12 racks"; "; k more fail" counts the
    *other* failing scenarios, so a group with a single failure has no such tail."""
    from twin.engine.whatif.sweep import summary_lines
    one = [_row("CDU-A", "fails", ["R1", "R2", "R3"]), _row("CDU-B", "survives")]
    assert summary_lines(one) == ["N+1 on CDUs: no \u2014 CDU-A fails 3 racks"]
    two = one + [_row("CDU-C", "fails", ["R4"])]
    assert summary_lines(two) == ["N+1 on CDUs: no \u2014 CDU-A fails 3 racks; 1 more fail"]


def test_a_scheduler_without_dask_installed_says_what_to_install(monkeypatch):
    """Without Dask distributed, ``--scheduler`` stops with the pip command that adds it
    (one the user can paste: lower-case, the package's ``cluster`` extra)."""
    import sys

    from twin.engine.whatif import sweep
    monkeypatch.setitem(sys.modules, "distributed", None)     # import fails
    with pytest.raises(RuntimeError) as err:
        sweep._on_dask(None, [], [], [], "tcp://127.0.0.1:1", None, None)  # type: ignore[arg-type]
    assert str(err.value) == ("--scheduler needs Dask distributed: pip install "
                              "'ai-factory-twin[cluster]'")
