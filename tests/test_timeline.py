"""Workload traces and the timeline (twin.io.trace, twin.engine.timeline, twin trace /
twin timeline): a constant trace gives the steady result at every step, a trace step
equals the steady solve of the layout edited by hand to that instant, values hold until
the next row, the 24-hour profile matches twin simulate --profile, and bad traces name
the line and column."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from twin.cli import main
from twin.engine.profile import daily_profile
from twin.engine.simulate import simulate
from twin.engine.timeline import profile_steps, run_timeline, trace_steps
from twin.io import LayoutError, load_layout
from twin.io.trace import parse_trace

ROOT = Path(__file__).resolve().parents[1]
POD = ROOT / "layouts" / "gb200-pod.json"


def _trace(text: str, layout):
    return parse_trace(text.encode(), "day.csv", layout)


def _steady(layout):
    f = simulate(layout).facility
    return f.it_kw, f.facility_kw, f.pue


def test_a_constant_trace_gives_the_steady_result_at_every_step():
    lay = load_layout(POD)
    u = lay.workloads["llm-train"].utilisation
    tr = _trace(f"time,target,utilisation\n0,llm-train,{u}\n3600,llm-train,{u}\n"
                f"7200,llm-train,{u}\n", lay)
    tl = run_timeline(lay, trace_steps(lay, tr), "day.csv", trace=tr)
    it, fac, pue = _steady(lay)
    np.testing.assert_allclose(tl.series["it_kw"], it, rtol=1e-9)
    np.testing.assert_allclose(tl.series["facility_kw"], fac, rtol=1e-6)
    np.testing.assert_allclose(tl.series["pue"], pue, rtol=1e-6)
    assert tl.t_s.tolist() == [0.0, 3600.0, 7200.0]


def test_a_step_equals_the_layout_edited_by_hand_to_that_instant():
    lay = load_layout(POD)
    tr = _trace("time,target,utilisation\n00:00,llm-train,0.5\n06:00,A01..A04,20%\n"
                "12:00,llm-train,1.0\n", lay)
    tl = run_timeline(lay, trace_steps(lay, tr), "day.csv", trace=tr)
    # 06:00: the job at 0.5, racks A01-A04 at 0.2 (the range is A01, A02, A03, A04)
    hand = load_layout(POD)
    hand.update_item("workloads", "llm-train", utilisation=0.5)
    w2 = dataclasses.replace(hand.workloads["llm-train"], id="slow", utilisation=0.2)
    hand.add_item("workloads", w2)
    hand.set_rack_values(["A01", "A02", "A03", "A04"], "workload", ["slow"] * 4)
    it, fac, _pue = _steady(hand)
    assert tl.series["it_kw"][1] == pytest.approx(it, rel=1e-9)
    assert tl.series["facility_kw"][1] == pytest.approx(fac, rel=1e-6)
    # 12:00: the job back at 1.0, the four racks still held at 0.2 (no new row for them)
    hand.update_item("workloads", "llm-train", utilisation=1.0)
    assert tl.series["it_kw"][2] == pytest.approx(_steady(hand)[0], rel=1e-9)
    # lower utilisation, lower power; labels are clock times for a day-long trace
    assert tl.series["it_kw"][1] < tl.series["it_kw"][0] < tl.series["it_kw"][2]
    assert tl.labels == ["00:00", "06:00", "12:00"]


def test_before_its_first_row_a_target_runs_as_the_layout_says():
    lay = load_layout(POD)
    tr = _trace("time,target,utilisation\n0,A01,0.1\n60,llm-train,0.3\n", lay)
    tl = run_timeline(lay, trace_steps(lay, tr), "t.csv", trace=tr)
    hand = load_layout(POD)
    hand.add_item("workloads", dataclasses.replace(hand.workloads["llm-train"], id="one",
                                                   utilisation=0.1))
    hand.set_rack_values(["A01"], "workload", ["one"])
    assert tl.series["it_kw"][0] == pytest.approx(_steady(hand)[0], rel=1e-9)
    assert tl.labels == ["0 s", "60 s"]


def test_the_24_hour_profile_matches_simulate_profile():
    lay = load_layout(POD)
    tl = run_timeline(lay, profile_steps(lay), "24-hour profile")
    rows = daily_profile(lay)
    np.testing.assert_allclose(tl.series["facility_kw"], [r["facility_kw"] for r in rows], rtol=1e-9)
    np.testing.assert_allclose(tl.series["pue"], [r["pue"] for r in rows], rtol=1e-9)
    v, at = tl.peak("facility_kw")
    assert v == max(r["facility_kw"] for r in rows) and at.endswith(":00")


def test_iso_times_percentages_and_token_rates():
    lay = load_layout(POD)
    tr = _trace("Timestamp,Workload,Util,tokens/s\n2026-12-01T00:00:00,llm-train,90%,1000\n"
                "2026-12-01T00:30:00,llm-train,0.5,400\n", lay)
    assert tr.times_s == [0.0, 1800.0]
    assert [r.utilisation for r in tr.rows] == [0.9, 0.5]
    tl = run_timeline(lay, trace_steps(lay, tr), "t.csv", trace=tr)
    assert tl.trace_tokens_per_s.tolist() == [1000.0, 400.0]


@pytest.mark.parametrize("text, expected", [
    ("", "is empty"),
    ("when,who\n1,2\n", "line 1: missing columns time, target, utilisation"),
    ("time,target,utilisation\n1,nobody,0.5\n", "line 2 column 'target': found 'nobody'"),
    ("time,target,utilisation\nnoon,llm-train,0.5\n", "line 2 column 'time': found 'noon'"),
    ("time,target,utilisation\n1,llm-train,1.5\n", "line 2 column 'utilisation': found '1.5'"),
    ("time,target,utilisation\n1,A01..ZZ9,0.5\n", "found 'A01..ZZ9'"),
    ("time,target,utilisation\n", "has a header but no rows"),
])
def test_bad_traces_name_the_line_and_column(text, expected):
    with pytest.raises(LayoutError) as exc:
        _trace(text, load_layout(POD))
    assert any(expected in line for line in exc.value.lines), exc.value.lines
    assert all(line.startswith("day.csv") for line in exc.value.lines)


def test_cli_trace_import_keeps_a_relative_path_and_timeline_replays_it(tmp_path, capsys):
    lay_path = tmp_path / "pod.json"
    lay_path.write_bytes(POD.read_bytes())
    sub = tmp_path / "traces"
    sub.mkdir()
    (sub / "day.csv").write_text("time,target,utilisation\n00:00,llm-train,0.4\n"
                                 "12:00,llm-train,0.95\n")
    assert main(["trace", "import", str(lay_path), str(sub / "day.csv")]) == 0
    assert load_layout(lay_path).trace.path == "traces/day.csv"
    capsys.readouterr()
    assert main(["timeline", str(lay_path), "--json", "--csv", str(tmp_path / "t.csv")]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [s["label"] for s in doc["steps"]] == ["00:00", "12:00"]
    assert doc["peaks"]["facility_kw"]["at"] == "12:00"
    assert (tmp_path / "t.csv").read_text().startswith("t_s,label,it_kw,facility_kw")
    assert main(["timeline", str(lay_path), "--profile", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["steps"]) == 24
    bad = tmp_path / "bad.csv"
    bad.write_text("time,target,utilisation\n0,ghost,0.5\n")
    before = lay_path.read_bytes()
    assert main(["trace", "import", str(lay_path), str(bad)]) == 1
    assert "column 'target'" in capsys.readouterr().err and lay_path.read_bytes() == before
    tokens = tmp_path / "tokens.csv"                 # a rate on a rack row: imported, warned
    tokens.write_text("time,target,utilisation,tokens_per_s\n0,A01,0.5,900\n")
    assert main(["trace", "import", str(lay_path), str(tokens)]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"{tokens}: line 2 column 'tokens_per_s'") and "warning" in err


def test_render_over_time_writes_one_frame_per_step(tmp_path, capsys, qapp):
    import imageio.v3 as iio
    lay_path = tmp_path / "pod.json"
    lay_path.write_bytes(POD.read_bytes())
    trace = tmp_path / "t.csv"
    trace.write_text("time,target,utilisation\n0,llm-train,0.2\n600,llm-train,0.9\n"
                     "1200,llm-train,0.5\n")
    out = tmp_path / "a.gif"
    assert main(["render", str(lay_path), "--over-time", "--trace", str(trace), "--out", str(out),
                 "--size", "640x400", "--metric", "power"]) == 0
    assert "3 frames" in capsys.readouterr().out
    frames = iio.imread(out, index=None)
    assert frames.shape == (3, 400, 640, 3)
    assert not np.array_equal(frames[0], frames[1])          # the racks' power changed
    assert main(["render", str(lay_path), "--over-time", "--out", str(tmp_path / "a.png")]) == 1
    assert "expected a .gif" in capsys.readouterr().err


def test_drawing_trace_and_scenario_edits_do_not_re_solve():
    from twin.model.equipment import TraceRef
    from twin.model.events import Change, ChangeKind
    assert not Change(ChangeKind.SETTINGS_CHANGED, collection="trace").touches_physics
    assert not Change(ChangeKind.SETTINGS_CHANGED, collection="underlay").touches_physics
    assert not Change(ChangeKind.ITEM_ADDED, ("s",), collection="scenarios").touches_physics
    assert Change(ChangeKind.SETTINGS_CHANGED, collection="site").touches_physics
    assert Change(ChangeKind.RESET).touches_physics
    both = Change.merged([Change(ChangeKind.SETTINGS_CHANGED, collection="trace"),
                          Change(ChangeKind.ITEM_CHANGED, ("w",), ("utilisation",), "workloads")])
    assert both.touches_physics
    lay = load_layout(POD)
    seen = []
    lay.changed.connect(lambda ch: seen.append(ch.touches_physics))
    lay.set_settings("trace", TraceRef("day.csv"))
    assert seen == [False]


def test_animation_frames_share_one_colour_range():
    """A frame's colours mean the same value in every frame: the ranges are the union of
    the frames' own (power at 20 % and 90 % utilisation differ by far)."""
    from twin.engine.timeline import TimelinePlayer
    from twin.report.offscreen import FigureRanges, FigureViews
    layout = load_layout(POD)
    trace = parse_trace(b"time,target,utilisation\n0,llm-train,0.2\n600,llm-train,0.9\n",
                        "t.csv", layout)
    steps = trace_steps(layout, trace)
    player = TimelinePlayer(steps)
    solved = [player.solve(k) for k in range(len(steps))]
    own = [FigureViews(s, r).keys("plan", "power") for s, r in solved]
    assert own[0][0].vmax < own[1][0].vmax                   # each frame on its own data
    ranges = FigureRanges()
    for s, r in solved:
        ranges = ranges.widened("power", s, r)
    assert ranges.racks == (min(k[0].vmin for k in own), max(k[0].vmax for k in own))
    assert ranges.field == (min(k[1].vmin for k in own), max(k[1].vmax for k in own))
    held = [FigureViews(s, r, None, ranges).keys("plan", "power") for s, r in solved]
    assert held[0] == held[1]
    assert (held[0][0].vmin, held[0][0].vmax) == ranges.racks


def test_csv_and_json_of_a_timeline_keep_six_figures_and_leave_gaps_empty():
    """A step without a value (no coolant loop: NaN) is an empty CSV cell and null in the
    JSON; values print with 6 significant figures in the CSV and 4 decimals in the JSON;
    the peaks name the step they happen at."""
    from twin.engine.timeline import Timeline
    tl = Timeline("day.csv", ["00:00", "01:00"], np.array([0.0, 3600.0]),
                  {"it_kw": np.array([1234.56789, 1000.0]),
                   "facility_kw": np.array([1500.0, 1600.123456]),
                   "pue": np.array([1.2150004, 1.6]),
                   "worst_inlet_c": np.array([np.nan, np.nan]),
                   "worst_coolant_return_c": np.array([np.nan, 41.23456789])})
    assert tl.to_csv() == ("t_s,label,it_kw,facility_kw,pue,worst_inlet_c,worst_coolant_return_c\n"
                           "0,00:00,1234.57,1500,1.215,,\n"
                           "3600,01:00,1000,1600.12,1.6,,41.2346\n")
    doc = tl.to_json()
    assert doc["steps"][0] == {"t_s": 0.0, "label": "00:00", "it_kw": 1234.5679,
                               "facility_kw": 1500.0, "pue": 1.215, "worst_inlet_c": None,
                               "worst_coolant_return_c": None}
    assert doc["steps"][1]["worst_coolant_return_c"] == 41.2346
    assert doc["peaks"]["facility_kw"] == {"value": 1600.123456, "at": "01:00"}
    assert doc["peaks"]["worst_inlet_c"]["at"] == ""
    assert doc["step_seconds_mean"] is None


def test_trace_steps_count_from_the_first_row_and_hold_each_value():
    """A trace from 600 s to 3,600 s is a 3,000 s period (under 3 h: labels in seconds)
    whose steps start at 0; each step's layout holds the latest row of every target. No
    instants, no steps."""
    from twin.io.trace import Trace
    lay = load_layout(POD)
    tr = _trace("time,target,utilisation\n600,llm-train,0.5\n3600,llm-train,0.6\n", lay)
    steps = trace_steps(lay, tr)
    assert [(label, t) for label, t, _snap in steps] == [("0 s", 0.0), ("3,000 s", 3000.0)]
    assert [snap().workloads["llm-train"].utilisation for _l, _t, snap in steps] == [0.5, 0.6]
    assert trace_steps(lay, Trace("empty.csv", [])) == []


def test_step_figures_without_any_coolant_return_give_nan_quietly():
    """Racks on a loop whose returns are all unknown at a step (NaN) have no worst coolant
    return: the figure is NaN, without numpy's "All-NaN slice" warning on the CLI's
    stderr at every step. Racks off any loop (CDU index -1) do not count."""
    import warnings
    from types import SimpleNamespace

    from twin.engine.timeline import step_figures

    def result(return_c, cdu_index):
        facility = SimpleNamespace(it_kw=100.0, facility_kw=120.0, pue=1.2, tokens_per_kwh=5.0)
        racks = SimpleNamespace(return_c=np.array(return_c), cdu_index=np.array(cdu_index))
        return SimpleNamespace(facility=facility, liquid=SimpleNamespace(racks=racks),
                               metrics={"worst_inlet_c": 24.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = step_figures(result([np.nan, np.nan, 41.0], [0, 1, -1]))
    assert np.isnan(got["worst_coolant_return_c"])
    assert got["worst_inlet_c"] == 24.0 and got["pue"] == 1.2
    assert step_figures(result([38.0, np.nan, 41.0], [0, 1, -1]))["worst_coolant_return_c"] == 38.0
