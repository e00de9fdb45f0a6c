"""Exports from the desktop app: PNG of the 3-D view, the plan (with its heatmap) and the
whole window, at a chosen size and scale with the caption band; the clipboard; clear errors
for unwritable paths; the review-report action; the 3-D render at other sizes (no strip).

Images are checked by their pixels: requested size, not blank, colour bars present.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.image_checks import assert_not_blank, band, has_colour_bar, rgb_of
from twin.engine.simulate import simulate
from twin.gui.window import app as app_mod
from twin.gui.base import dialogs
from twin.report.caption import Caption
from twin.gui.window.export_image import ExportDialog, ExportOptions, window_caption
from twin.report.offscreen import figure_image
from twin.report.offscreen import FigureViews, start_qt
from twin.report.output import ExportError
from twin.gui.window.export_report import ReportDialog
from twin.gui.window.settings import AppSettings
from twin.io import load_layout

pytestmark = pytest.mark.gui

LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"
POD = LAYOUTS / "gb200-pod.json"


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture
def problems(monkeypatch):
    """Error dialogs recorded as (title, lines) instead of shown."""
    seen: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(dialogs, "show_problems",
                        lambda parent, title, summary, lines=(): seen.append((title, list(lines))))
    return seen


@pytest.fixture(scope="module")
def pod_window(qapp, tmp_path_factory):
    """The pod in the main window (one for the module: opening and solving takes seconds)."""
    app_mod.create_application()
    folder = tmp_path_factory.mktemp("settings")
    settings = AppSettings(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    w = app_mod.open_main_window(POD, settings=settings)
    w.resize(1400, 900)
    yield w
    w.document.stack.setClean()
    w.close()


@pytest.fixture
def window(pod_window, qtbot, problems):
    """The pod window with a live result on screen and racks coloured by inlet."""
    w = pod_window
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.live.result is not None and w.plan_view.heatmap is not None,
                    timeout=60000)
    w.set_colour_by("inlet")
    QApplication.processEvents()
    return w


def _size(path) -> tuple[int, int]:
    img = QImage(str(path))
    return img.width(), img.height()


# ------------------------------------------------------------------------ window exports
def test_views_export_at_requested_size_with_caption(window, tmp_path):
    w = window
    targets = ["plan"] + (["3d"] if w.view3d is not None else [])
    for target in targets:
        for scale in (1.0, 2.0):
            path = tmp_path / f"{target}-{scale:g}.png"
            w.export_image(path, target, (960, 540), scale)
            rgb = rgb_of(path)
            assert rgb.shape[:2] == (round(540 * scale), round(960 * scale)), target
            assert_not_blank(rgb)
            assert has_colour_bar(band(rgb, scale), "thermal"), f"{target}: no bar in band"
            assert has_colour_bar(rgb[:-round(60 * scale)], "thermal"), f"{target}: no bar"


def test_window_export_is_the_window_plus_the_band(window, tmp_path):
    w = window
    path = tmp_path / "win.png"
    w.export_image(path, "window", None, 1.0)
    assert _size(path) == (w.width(), w.height() + 60)
    w.export_image(path, "window", None, 1.0, caption=False)
    assert _size(path) == (w.width(), w.height())
    assert_not_blank(rgb_of(path))


def test_captions_name_the_layout_metric_and_heatmap(window):
    w = window
    plan = window_caption(w, "plan")
    assert plan.layout_name == "GB200 NVL72 pod" and plan.source == "gb200-pod.json"
    # rack inlets and air share the ASHRAE-class scale: one key says both
    heat = w.plan_view.heatmap
    assert [k.title for k in plan.keys] == [f"{heat.label} \u00b7 racks: rack inlet temperature"]
    assert plan.keys[0].unit == "\u00b0C" and (plan.keys[0].vmin, plan.keys[0].vmax) == heat.levels
    assert [k.heading for k in window_caption(w, "3d").keys] == ["Rack inlet temperature [\u00b0C]"]


def test_caption_keeps_two_keys_when_the_scales_differ():
    from twin.report.caption import ColourKey, figure_keys
    rack = ColourKey("Rack inlet temperature", "\u00b0C", "thermal", 15.0, 35.0)
    same = ColourKey("Air temperature at 1.0 m", "\u00b0C", "thermal", 15.0, 35.0)
    assert [k.title for k in figure_keys(rack, same)] == [
        "Air temperature at 1.0 m \u00b7 racks: rack inlet temperature"]
    for other in (ColourKey("Air speed", "m/s", "thermal", 15.0, 35.0),
                  ColourKey("Air temperature", "\u00b0C", "thermal", 15.0, 36.0),
                  ColourKey("Air temperature", "\u00b0C", "viridis", 15.0, 35.0),
                  ColourKey("Air temperature", "\u00b0C", "thermal", 14.0, 35.0)):
        assert figure_keys(rack, other) == (rack, other)
    assert figure_keys(rack, None) == (rack,)


def test_menu_export_to_file_and_clipboard(window, tmp_path, monkeypatch):
    w = window
    path = tmp_path / "menu.png"
    monkeypatch.setattr(ExportDialog, "get_options", staticmethod(
        lambda *a, **k: ExportOptions(path, "plan", 800, 500, 1.0, True, True)))
    QApplication.clipboard().clear()
    w.actions.export.trigger()
    assert _size(path) == (800, 500)
    clip = QApplication.clipboard().image()
    assert (clip.width(), clip.height()) == (800, 500)
    assert "Exported menu.png and copied to the clipboard" in w.statusBar().currentMessage()


def test_unwritable_path_gives_one_clear_line(window, tmp_path, monkeypatch, problems):
    w = window
    target = tmp_path / "missing" / "x.png"
    monkeypatch.setattr(ExportDialog, "get_options", staticmethod(
        lambda *a, **k: ExportOptions(target, "plan", 800, 500)))
    w.actions.export.trigger()
    assert problems == [("Cannot Export Image",
                         [f"{target}: cannot write: the folder {target.parent} does not exist"])]
    assert not target.parent.exists()
    with pytest.raises(ExportError, match="cannot write: it is a folder"):
        w.export_image(tmp_path, "plan", (800, 500))


def test_export_dialog_options(window, tmp_path, qtbot):
    dlg = ExportDialog(window.export_targets(), "plan", str(tmp_path / "x"))
    qtbot.addWidget(dlg)
    assert (dlg.width_px.value(), dlg.height_px.value()) == (1920, 1080)
    dlg.preset.activated.emit(dlg.preset.findText("3840 \u00d7 2160"))
    dlg.scale.setCurrentIndex(dlg.scale.findData(2.0))
    opts = dlg.options()
    assert (opts.target, opts.width, opts.height, opts.scale) == ("plan", 3840, 2160, 2.0)
    assert opts.path == tmp_path / "x.png" and opts.caption and not opts.clipboard
    assert "7680 \u00d7 4320" in dlg.note.text()
    dlg.target.setCurrentIndex(dlg.target.findData("window"))
    assert not dlg.width_px.isEnabled()
    save = dlg.buttons.button(dlg.buttons.StandardButton.Save)
    dlg.path.setText("")
    assert not save.isEnabled() and dlg.options().path is None
    dlg.clipboard.setChecked(True)
    assert save.isEnabled()


# ------------------------------------------------------------------------------- report
def test_report_action_writes_the_pdf(window, tmp_path, monkeypatch, problems):
    w = window
    path = tmp_path / "review.pdf"
    monkeypatch.setattr(ReportDialog, "get_options", staticmethod(lambda *a: (path, "letter")))
    w.actions.export_report.trigger()
    assert not problems, problems
    assert path.read_bytes().startswith(b"%PDF")
    assert "Exported review.pdf" in w.statusBar().currentMessage()
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        assert "612 x 792" in info


# ----------------------------------------------------------------- headless figure views
def test_figure_views_render_both_views_in_process(qtbot):
    layout = load_layout(LAYOUTS / "small-room.json")
    result = simulate(layout)
    qt = start_qt(need_3d=True)
    views = FigureViews(layout, result, qt.gl_backend)
    try:
        caption = Caption(layout.name, "Plan view", source="small-room.json")
        img = figure_image(views, "plan", "inlet", (900, 500), 1.0, caption)
        rgb = rgb_of(img)
        assert rgb.shape[:2] == (500, 900)
        assert_not_blank(rgb)
        assert has_colour_bar(band(rgb), "thermal")
        if qt.gl_backend is not None:
            img = figure_image(views, "3d", "power", (700, 400), 1.5, caption)
            rgb = rgb_of(img)
            assert rgb.shape[:2] == (600, 1050)
            assert has_colour_bar(band(rgb, 1.5), "power")
    finally:
        views.close()


def test_3d_render_at_another_size_fills_the_image(qtbot):
    """Regression: rendering at a size other than the canvas drew the scene in a strip.
    The same aspect at twice the size must look like the small render, scaled."""
    from twin.model.colour_by import by_model
    from twin.model.viewstate import RackColouring, Selection
    from twin.view3d import FloorView3D, opengl_available

    start_qt(need_3d=True)
    ok, reason = opengl_available()
    if not ok:
        pytest.skip(f"no OpenGL: {reason}")
    layout = load_layout(POD)
    colouring = RackColouring()
    colouring.set(by_model(layout))
    view = FloorView3D(layout, Selection(), colouring, size=(480, 300))
    try:
        small = view.render_image((640, 400)).astype(float)
        big = view.render_image((1280, 800)).astype(float)
        scaled = view.render_image((640, 400), scale=2.0)
        assert big.shape == scaled.shape == (800, 1280, 4)
        down = big.reshape(400, 2, 640, 2, 4).mean(axis=(1, 3))
        left = slice(0, 380)      # the legend (fixed pixel size) sits top right
        assert np.abs(down[:, left, :3] - small[:, left, :3]).mean() < 6
        assert tuple(view.canvas.size) == (480, 300)
    finally:
        view.close()
