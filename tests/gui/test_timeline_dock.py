"""The Timeline dock and File > Import > Workload Trace: compute a period off the GUI
thread, step it into the views and back, export the series, and import a trace as one
undo step."""

from __future__ import annotations

import numpy as np
import pytest

from tests.gui.test_main_window import dialogs, settings, window  # noqa: F401  (fixtures)
from twin.gui.window.trace import import_trace

pytestmark = pytest.mark.gui


def test_profile_steps_into_the_views_and_back(window, qtbot, tmp_path):  # noqa: F811
    w = window
    p = w.timeline_panel
    p.source.setCurrentIndex(0)
    p.compute()
    qtbot.waitUntil(lambda: p.timeline is not None, timeout=30000)
    assert len(p.strip.x) == 24 and p.strip.slider.maximum() == 23
    assert np.allclose(p.strip.x, np.arange(24))
    p.strip.set_index(14)
    qtbot.waitUntil(lambda: w.session.scenario == "Timeline 14:00", timeout=20000)
    fac = p.timeline.series["facility_kw"][14]
    assert w.session.result.facility.facility_kw == pytest.approx(fac, rel=1e-9)
    p.back_to_floor()
    assert w.session.scenario is None
    out = tmp_path / "t.csv"
    assert p.export_csv(str(out)) and out.read_text().count("\n") == 25
    png = tmp_path / "t.png"
    assert p.export_png(str(png)) and png.read_bytes()[:4] == b"\x89PNG"


def test_import_trace_is_one_undo_step_and_replays(window, qtbot, tmp_path):  # noqa: F811
    w = window
    trace = tmp_path / "day.csv"
    trace.write_text("time,target,utilisation\n00:00,llm-train,0.3\n08:00,llm-train,0.95\n")
    depth = w.document.stack.count()
    assert import_trace(w, str(trace))
    assert w.document.stack.count() == depth + 1 and w.floor_layout.trace.path
    p = w.timeline_panel
    assert p.source.currentText() == "Trace: day.csv"
    qtbot.waitUntil(lambda: p.timeline is not None and len(p.timeline.labels) == 2, timeout=30000)
    it = p.timeline.series["it_kw"]
    assert it[0] < it[1]
    w.document.stack.undo()
    assert w.floor_layout.trace.path == "" and p.source.count() == 1


def test_a_bad_trace_is_listed_not_imported(window, dialogs, tmp_path):  # noqa: F811
    bad = tmp_path / "bad.csv"
    bad.write_text("time,target,utilisation\n0,ghost,0.5\n")
    assert not import_trace(window, str(bad))
    assert "column 'target'" in dialogs["problems"][-1][1][0]
    assert window.floor_layout.trace.path == ""
    # a token rate on a rack row: imported, and the warning is shown with its place
    warned = tmp_path / "tokens.csv"
    warned.write_text("time,target,utilisation,tokens_per_s\n0,A01,0.5,900\n")
    assert import_trace(window, str(warned))
    title, lines = dialogs["problems"][-1]
    assert lines[0].startswith(f"{warned}: line 2 column 'tokens_per_s'")
    assert window.floor_layout.trace.path.endswith("tokens.csv")


def test_plan_animation_exports_a_frame_per_step(window, tmp_path):  # noqa: F811
    import imageio.v3 as iio

    from twin.gui.window.trace import export_animation
    out = tmp_path / "plan.gif"
    assert export_animation(window, str(out))
    frames = iio.imread(out, index=None)
    assert frames.shape[0] == 24 and frames.shape[-1] == 3


def test_save_as_elsewhere_keeps_the_trace_found(window, tmp_path):  # noqa: F811
    w = window
    first = tmp_path / "a" / "pod.json"
    first.parent.mkdir()
    w.document.save(first)
    trace = tmp_path / "a" / "day.csv"
    trace.write_text("time,target,utilisation\n0,llm-train,0.5\n")
    assert import_trace(w, str(trace))
    assert w.floor_layout.trace.path == "day.csv"
    second = tmp_path / "b" / "c" / "pod.json"
    second.parent.mkdir(parents=True)
    w.document.save(second)
    assert (second.parent / w.floor_layout.trace.path).resolve() == trace.resolve()
