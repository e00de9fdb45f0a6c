"""3-D vertical slices and iso-surface: pixels of rendered frames (the hot aisle redder
than the cold aisle on a slice across the rows, the iso-surface drawn in a hot colour),
the Ctrl+drag that moves a slice along its normal, and the dock -> session -> view path.
Needs Xvfb (pytest-xvfb) and OpenGL."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from vispy.util import keys as vkeys

from twin.engine import layers, slices
from twin.engine.simulate import simulate
from twin.io import load_layout
from twin.model.viewstate import RackColouring, Selection

pytestmark = pytest.mark.gui

LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"
SIZE = (800, 560)


@pytest.fixture(scope="module")
def solved_pod():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    return lay, simulate(lay).air


@pytest.fixture
def view(qtbot, solved_pod):
    from twin.view3d import FloorView3D, opengl_available
    ok, reason = opengl_available()
    if not ok:
        pytest.skip(f"no OpenGL: {reason}")
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    v = FloorView3D(lay, Selection(), RackColouring(), size=SIZE)
    qtbot.addWidget(v.native)
    v.native.resize(*SIZE)
    v.native.show()
    qtbot.waitExposed(v.native)
    yield v
    v.close()


def _redness(img, xy, r=2):
    x, y = (int(round(c)) for c in xy)
    patch = img[y - r:y + r + 1, x - r:x + r + 1, :3].reshape(-1, 3).astype(int)
    rgb = patch.mean(axis=0)
    return rgb[0] - rgb[2], rgb


def test_slice_across_the_rows_shows_the_hot_aisle_redder_than_the_cold_aisle(view,
                                                                             solved_pod):
    lay, air = solved_pod
    (lo, hi), cmap = layers.temperature_scale("A1")[:2], layers.temperature_scale("A1")[2]
    rows = np.unique(np.round(lay.racks["y_m"], 2))
    x_end = float(lay.rack_bounds_m()[:, 2].max()) - 0.15     # inside the rows' last racks
    sl = slices.vertical_slice(air, "x", x_end, (lo, hi), cmap)
    view.reset_camera()
    view.camera.azimuth, view.camera.elevation = 60.0, 22.0  # looking at the slice's face
    base = view.render_image()
    view.sections.set_slice("x", sl.rgba, x_end, sl.extent, sl.label)
    img = view.render_image()
    hot = (x_end, float(rows.mean()), 1.0)                   # the aisle between the rows
    cold = (x_end, float(rows.min()) - 1.5, 1.0)             # in front of the first row
    (hot_px, cold_px) = view.project([hot, cold])
    hot_red, hot_rgb = _redness(img, hot_px)
    cold_red, cold_rgb = _redness(img, cold_px)
    assert hot_red > cold_red + 60, (hot_rgb, cold_rgb)
    assert hot_rgb[0] > 150 and cold_rgb[2] > cold_rgb[0]    # red there, blue-ish here
    # the slice changed the picture where it is drawn, and only while it is shown
    assert np.abs(img[..., :3].astype(int) - base[..., :3]).mean() > 1.0
    view.sections.clear_slice("x")
    assert np.array_equal(view.render_image(), base)


def test_iso_surface_is_drawn_in_a_hot_colour_and_cleared(view, solved_pod):
    _lay, air = solved_pod
    view.reset_camera()
    view.camera.elevation = 70.0                             # from above: over the racks
    base = view.render_image()
    iso = slices.iso_surface(air, 26.0)
    assert not iso.empty
    view.sections.set_iso(iso.vertices_m, iso.faces, iso.normals, (0.95, 0.35, 0.2),
                          "26.0 \u00b0C iso-surface")
    assert view.sections.iso_visible
    img = view.render_image()[..., :3].astype(int)
    diff = img - base[..., :3].astype(int)
    changed = np.abs(diff).sum(axis=2) > 30
    assert changed.sum() > 200
    # where it shows, it pulls the picture towards red
    assert (diff[changed][:, 0] - diff[changed][:, 2]).mean() > 20
    view.sections.clear_iso()
    assert np.array_equal(view.render_image(), base)


def _event(pos, buttons=(), modifiers=(vkeys.CONTROL,)):
    return SimpleNamespace(pos=np.array(pos, float), button=1, buttons=list(buttons),
                           modifiers=modifiers)


def test_ctrl_drag_moves_a_vertical_slice_along_its_normal(view, solved_pod):
    lay, air = solved_pod
    (lo, hi, cmap) = layers.temperature_scale("A1")
    sl = slices.vertical_slice(air, "y", 1.5, (lo, hi), cmap)
    view.reset_camera()
    view.sections.set_slice("y", sl.rgba, 1.5, sl.extent, sl.label)
    moves, drags = [], []
    view.sections.moved.connect(lambda axis, p: moves.append((axis, p)))
    view.sections.dragging.connect(drags.append)
    start = view.project([[11.5, 1.5, 3.0]])[0]              # on the slice, clear of racks
    assert view.sections.plane_at(start)[0] == "y"
    further = view.project([[11.5, 2.5, 3.0]])[0]            # where y = 2.5 m projects
    sv = view.sections
    sv._on_press(_event(start))
    assert drags == [True] and not view.camera.interactive
    sv._on_move(_event(further, buttons=[1]))
    sv._on_release(_event(further))
    assert drags == [True, False] and view.camera.interactive
    axis, pos = moves[-1]
    assert axis == "y" and pos == pytest.approx(2.5, abs=0.05)
    assert sv.slice_position("y") == pytest.approx(pos)
    # without Ctrl a press leaves the slice to the camera
    sv._on_press(_event(further, modifiers=()))
    assert view.camera.interactive and len(drags) == 2


def test_ctrl_drag_lifts_the_horizontal_slice(view):
    img = np.zeros((36, 48, 4), np.uint8)
    img[..., 0] = 200
    img[..., 3] = 120
    view.reset_camera()
    view.set_slice(img, 1.0, (0.0, 0.0, 14.4, 10.8))
    moves = []
    view.sections.moved.connect(lambda axis, p: moves.append((axis, p)))
    start = view.project([[12.5, 1.0, 1.0]])[0]              # a corner clear of racks
    higher = view.project([[12.5, 1.0, 1.8]])[0]
    view.sections._on_press(_event(start))
    view.sections._on_move(_event(higher, buttons=[1]))
    view.sections._on_release(_event(higher))
    axis, z = moves[-1]
    assert axis == "z" and z == pytest.approx(1.8, abs=0.05)
    assert view.slice_plane[0] == pytest.approx(z)
    view.sections.z_draggable = False                         # a floor heatmap stays put
    assert view.sections.plane_at(view.project([[12.5, 1.0, z]])[0]) is None


def test_dock_choice_draws_slices_and_iso_surface_off_the_gui_thread(qtbot):
    from PySide6.QtCore import QCoreApplication

    from twin.gui.window.app import open_main_window
    from twin.view3d import opengl_available
    ok, reason = opengl_available()
    if not ok:
        pytest.skip(f"no OpenGL: {reason}")
    w = open_main_window(LAYOUTS / "gb200-pod.json", recover=False)
    qtbot.addWidget(w)
    try:
        assert w.live.wait_shown(60)
        ctl = w.heatmap_controls.sections
        assert ctl.iso_spin.value() == 32.0                   # the A1 allowable limit
        ctl.x.box.setChecked(True)                             # starts mid-hall
        ctl.iso_box.setChecked(True)
        assert w.session.heatmap.slice_x_m == pytest.approx(7.2)
        assert w.session.heatmap.iso_c == 32.0
        bridge = w.live.sections
        assert bridge.wait_idle(30)
        qtbot.waitUntil(lambda: w.view3d.sections.slice_position("x") is not None, timeout=5000)
        assert w.view3d.sections.iso_visible                  # the pod's hot aisle passes 32
        # a drag in 3-D reaches the session and the dock
        w.view3d.sections.moved.emit("x", 5.55)
        assert w.session.heatmap.slice_x_m == pytest.approx(5.55)
        assert ctl.x.spin.value() == pytest.approx(5.55)
        assert bridge.wait_idle(30)
        qtbot.waitUntil(lambda: w.view3d.sections.slice_position("x") == pytest.approx(5.55),
                        timeout=5000)
        # a value the air never reaches: no surface, and the dock says why
        ctl.iso_spin.setValue(70.0)
        assert bridge.wait_idle(30)
        qtbot.waitUntil(lambda: not w.view3d.sections.iso_visible, timeout=5000)
        QCoreApplication.processEvents()
        assert "below 70.0" in ctl.note.text()
        ctl.x.box.setChecked(False)
        ctl.iso_box.setChecked(False)
        assert bridge.wait_idle(30)
        qtbot.waitUntil(lambda: w.view3d.sections.slice_position("x") is None, timeout=5000)
    finally:
        w.close()
