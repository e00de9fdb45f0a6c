"""3-D view: pixels of rendered frames (hot rack red, selection highlight), picking,
geometry updates and model-event wiring. Needs Xvfb (pytest-xvfb) and OpenGL."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twin.io import load_layout
from twin.model.colour_by import by_model, by_nameplate_power
from twin.model.viewstate import Colouring, RackColouring, Selection
from twin.view3d.boxes import box_mesh, ray_box_hits, vertex_colours

pytestmark = pytest.mark.gui

LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"
SIZE = (800, 560)


@pytest.fixture
def pod_view(qtbot):
    from twin.view3d import FloorView3D, opengl_available
    ok, reason = opengl_available()
    if not ok:
        pytest.skip(f"no OpenGL: {reason}")
    layout = load_layout(LAYOUTS / "gb200-pod.json")
    selection, colouring = Selection(), RackColouring()
    colouring.set(by_model(layout))
    view = FloorView3D(layout, selection, colouring, size=SIZE)
    qtbot.addWidget(view.native)
    view.native.resize(*SIZE)
    view.native.show()
    qtbot.waitExposed(view.native)
    yield view, layout, selection, colouring
    view.close()


def _pixel(view, rack_id, where="top"):
    x, y = view.screen_position(rack_id, where)
    return int(round(x)), int(round(y))


def _rgb(img, xy, r=1):
    x, y = xy
    return img[y - r:y + r + 1, x - r:x + r + 1, :3].reshape(-1, 3).astype(int).mean(axis=0)


def test_renders_non_blank_image(pod_view):
    view, *_ = pod_view
    img = view.render_image()
    assert img.shape == (SIZE[1], SIZE[0], 4) and img.dtype == np.uint8
    assert img[..., :3].std() > 15
    assert len(np.unique(img[..., :3].reshape(-1, 3), axis=0)) > 200


def _shown(view):
    from PySide6.QtGui import QImage
    view.native.render_now()
    shown = view.native.grab().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = shown.width(), shown.height()
    rows = np.frombuffer(shown.constBits(), np.uint8).reshape(h, shown.bytesPerLine())
    return rows[:, :w * 4].reshape(h, w, 4)[..., :3].astype(int)


def test_widget_shows_the_scene_without_a_gl_widget(pod_view):
    """The on-screen widget is a raster widget painting an off-screen rendering (no
    QOpenGLWidget, so Qt never composes the whole window through OpenGL); what it shows
    is the frame ``render_image`` draws."""
    from PySide6.QtOpenGLWidgets import QOpenGLWidget
    view, *_ = pod_view
    assert not isinstance(view.native, QOpenGLWidget)
    on_screen = _shown(view)
    drawn = view.render_image()[..., :3].astype(int)
    assert on_screen.shape == drawn.shape
    assert np.abs(on_screen - drawn).mean() < 2.0
    assert on_screen.std() > 15


def test_interactive_frames_render_lighter_and_full_resolution_returns(pod_view):
    """During a drag the widget shows a half-resolution frame scaled to its size (the
    same picture, softer); afterwards the full-resolution frame again."""
    view, *_ = pod_view
    full = _shown(view)
    view.set_interactive(True)
    soft = _shown(view)
    assert view.canvas.native._framebuffer().shape[:2] == (SIZE[1] // 2, SIZE[0] // 2)
    assert soft.shape == full.shape
    assert np.abs(soft - full).mean() < 12.0 and np.abs(soft - full).max() > 30
    view.set_interactive(False)
    assert tuple(view.canvas.physical_size) == SIZE
    assert np.abs(_shown(view) - full).mean() < 1.0


def test_scene_changes_render_on_the_next_turn_of_the_event_loop(pod_view, qtbot):
    """A scene change schedules its frame instead of rendering inside the window's
    repaint; a repaint meanwhile shows the last frame; the event loop then renders and
    shows the new one."""
    view, _, selection, _ = pod_view
    before = _shown(view)
    selection.set(["A05"])
    native = view.native
    assert native.render_pending
    native.repaint()                        # e.g. the main window relaid out its docks
    assert native.render_pending
    qtbot.waitUntil(lambda: not native.render_pending, timeout=2000)
    after = _shown(view)
    assert np.abs(after - before).max() > 60          # the selection highlight
    assert np.abs(after - view.render_image()[..., :3].astype(int)).mean() < 2.0


def test_render_at_other_size_keeps_canvas(pod_view):
    view, *_ = pod_view
    img = view.render_image((640, 400))
    assert img.shape == (400, 640, 4) and img[..., :3].std() > 15
    assert tuple(view.canvas.size) == SIZE


def test_hot_rack_is_red_at_its_position(pod_view):
    view, layout, _, colouring = pod_view
    view.frame_ids(["A04"])
    xy = _pixel(view, "A04")
    values = np.full(len(layout.racks), 20.0)
    values[layout.racks.index_of("A04")] = 40.0
    colouring.set(Colouring("inlet_c", "Inlet temperature", "\u00b0C", values, 18.0, 40.0,
                            "thermal"))
    r, g, b = _rgb(view.render_image(), xy)
    assert r > g + 60 and r > b + 60, (r, g, b)
    # a cool neighbour is blue-ish
    r2, g2, b2 = _rgb(view.render_image(), _pixel(view, "A02"))
    assert b2 > r2, (r2, g2, b2)


def test_selected_rack_is_highlighted(pod_view):
    view, _, selection, _ = pod_view
    view.frame_ids(["A04"])
    xy = _pixel(view, "A04", "centre")
    plain = _rgb(view.render_image(), xy)
    selection.set({"A04"})
    selected = _rgb(view.render_image(), xy)
    assert np.abs(selected - plain).sum() > 30, (plain, selected)
    selection.clear()
    assert np.abs(_rgb(view.render_image(), xy) - plain).sum() < 6


def test_pick_returns_rack_under_its_projection(pod_view):
    view, layout, selection, _ = pod_view
    for rid in ("A01", "A04", "B05", "A-IB2"):
        assert view.pick(view.screen_position(rid, "top")) == rid
    # items are pickable too, the empty floor is not
    assert view.pick(view.screen_position("CDU-A", "top")) == "CDU-A"
    assert view.pick(view.project([[13.8, 10.2, 0.0]])[0]) is None


def test_click_updates_selection_and_emits_picked(pod_view):
    view, _, selection, _ = pod_view
    got = []
    view.picked.connect(lambda i, m: got.append((i, m)))
    view.click(view.screen_position("A03", "top"))
    assert selection.ids == {"A03"} and got[-1] == ("A03", frozenset())
    view.click(view.screen_position("B03", "top"), {"shift"})
    assert selection.ids == {"A03", "B03"}
    view.click(view.screen_position("A03", "top"), {"ctrl"})
    assert selection.ids == {"B03"}
    view.click(view.project([[13.8, 10.2, 0.0]])[0])
    assert selection.ids == frozenset() and got[-1][0] is None


def test_real_mouse_click_and_hover(pod_view, qtbot):
    from PySide6.QtCore import QPoint, Qt
    view, _, selection, _ = pod_view
    x, y = _pixel(view, "B02")
    hovered = []
    view.hovered.connect(lambda i, p: hovered.append(i))
    ratio = view.native.devicePixelRatioF()
    pt = QPoint(int(x / ratio), int(y / ratio))
    qtbot.mouseMove(view.native, pt)
    qtbot.mouseClick(view.native, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pt)
    qtbot.wait(50)
    if selection.ids != {"B02"}:
        pytest.skip("synthetic mouse events are not routed to the GL widget here")
    assert selection.ids == {"B02"}


def test_geometry_follows_moved_rack(pod_view):
    view, layout, _, _ = pod_view
    old = view.bounds_of("A01").copy()
    layout.move_racks(["A01"], [12.5], [8.5])
    new = view.bounds_of("A01")
    assert np.allclose((new[0] + new[3]) / 2, 12.5, atol=1e-4)
    assert np.allclose((new[1] + new[4]) / 2, 8.5, atol=1e-4)
    assert not np.allclose(old, new)
    # the moved rack is found at its new place, and the picture shows it there
    assert view.pick(view.screen_position("A01", "top")) == "A01"
    layout.set_rack_values(["A01"], "rotation_deg", [90])
    b = view.bounds_of("A01")
    assert np.isclose(b[3] - b[0], 1.2, atol=1e-4) and np.isclose(b[4] - b[1], 0.6, atol=1e-4)


def test_add_remove_racks_and_reset(pod_view):
    view, layout, selection, colouring = pod_view
    rec = layout.racks.record(0)
    rec.update(id="NEW-1", name="NEW-1", x_m=12.0, y_m=9.0)
    layout.add_racks([rec])
    assert view.bounds_of("NEW-1") is not None
    img = view.render_image()          # stale colouring length: drawn neutral, no error
    assert img[..., :3].std() > 15
    colouring.set(by_nameplate_power(layout))
    layout.remove_racks(["NEW-1", "A01"])
    assert view.bounds_of("NEW-1") is None and view.bounds_of("A01") is None
    other = load_layout(LAYOUTS / "small-room.json")
    layout.replace_all(other)
    assert len(view._rack_ids) == len(other.racks)
    assert view.render_image()[..., :3].std() > 10


def test_item_change_rebuilds_items(pod_view):
    view, layout, *_ = pod_view
    layout.update_item("cdus", "CDU-A", x_m=12.0, y_m=1.0)
    b = view.bounds_of("CDU-A")
    assert np.isclose((b[0] + b[3]) / 2, 12.0) and np.isclose((b[1] + b[4]) / 2, 1.0)


def test_alerts_slice_and_camera(pod_view):
    view, *_ = pod_view
    view.reset_camera()
    base = view.render_image()
    view.set_alert_ids(["A05"])
    x, y = view.screen_position("A05", "top")
    img = view.render_image()
    patch = img[int(y) - 30:int(y) + 2, int(x) - 10:int(x) + 10, :3].astype(int)
    red = (patch[..., 0] > 200) & (patch[..., 1] < 90) & (patch[..., 2] < 90)
    assert red.sum() > 10
    view.set_alert_ids([])
    assert np.array_equal(view.render_image(), base)
    slice_img = np.zeros((18, 24, 4), np.uint8)
    slice_img[..., 1] = 255
    slice_img[..., 3] = 160
    view.set_slice(slice_img, 1.0, (0.0, 0.0, 14.4, 10.8))
    with_slice = view.render_image()
    assert (with_slice[..., 1].astype(int) - base[..., 1]).mean() > 10
    view.clear_slice()
    assert np.array_equal(view.render_image(), base)
    view.frame_ids(["B08"])
    x, y = view.screen_position("B08", "centre")
    assert abs(x - SIZE[0] / 2) < 80 and abs(y - SIZE[1] / 2) < 80


def test_edits_during_a_drag_recompile_no_shader(pod_view, monkeypatch):
    """Selecting a rack, the first alert and a legend that gains a row change only data:
    the next frame compiles no shader program (a compile stalls a frame by tens of ms on
    llvmpipe). Selecting the containment still highlights it."""
    from vispy.visuals.shaders.program import ModularProgram
    view, layout, selection, _ = pod_view
    view.render_image()
    builds = []
    build = ModularProgram._build
    monkeypatch.setattr(ModularProgram, "_build",
                        lambda prog: (builds.append(prog), build(prog))[1])
    rebuilt = []
    view._containment.events.data_updated.connect(lambda e: rebuilt.append(1))
    selection.set(["A05"])
    view.set_alert_ids(["A05"])          # first alert: markers and a legend row appear
    view.render_image()
    assert builds == [] and rebuilt == []   # a rack selection leaves the containment be
    before = view.render_image()
    selection.set(["HAC-1"])
    assert not np.array_equal(view.render_image(), before)   # highlighted roof
    assert builds == []
    view.set_alert_ids([])


def test_legend_shows_colouring(pod_view):
    view, layout, _, colouring = pod_view
    assert "NVIDIA GB200 NVL72" in view.legend.labels.text
    colouring.set(by_nameplate_power(layout))
    assert view.legend.title.text == "Rack nameplate power [kW]"
    assert view.legend.bar.visible


def test_opengl_available_reports_reason(qapp):
    from twin.view3d import opengl_available
    ok, reason = opengl_available()
    assert isinstance(ok, bool) and reason


# ----- pure geometry (no GL needed, kept here next to the view tests) -------------------
def test_box_mesh_rotation_and_bounds():
    m = box_mesh([1.0, 5.0], [2.0, 2.0], [[0.6, 1.2, 2.0]] * 2, [0, 90])
    assert m.positions.shape == (16, 3) and m.faces.shape == (20, 3)
    assert np.allclose(m.bounds[0], [0.7, 1.4, 0, 1.3, 2.6, 2.0], atol=1e-6)
    assert np.allclose(m.bounds[1], [4.4, 1.7, 0, 5.6, 2.3, 2.0], atol=1e-6)
    # box-local y = 0 is the front: rotation 0 faces -y, rotation 90 faces +x
    front0 = m.positions[:8][m.local[:8, 1] == 0]
    front90 = m.positions[8:][m.local[8:, 1] == 0]
    assert np.allclose(front0[:, 1], 1.4, atol=1e-6) and np.allclose(front90[:, 0], 5.6, atol=1e-6)
    # faces are wound counter-clockwise seen from outside (back-face culling relies on it)
    p = m.positions[:8].astype(float)
    centre = p.mean(axis=0)
    for f in m.faces[:10]:
        a, b, c = p[f]
        normal = np.cross(b - a, c - a)
        assert np.dot(normal, (a + b + c) / 3 - centre) > 0
    assert vertex_colours(np.ones((2, 4))).shape == (16, 4)


def test_ray_box_hits_nearest():
    m = box_mesh([1.0, 3.0], [0.0, 0.0], [[1, 1, 1]] * 2, [0, 0])
    assert ray_box_hits([-5, 0, 0.5], [1, 0, 0], m.bounds)[0] == 0
    assert ray_box_hits([9, 0, 0.5], [-1, 0, 0], m.bounds)[0] == 1
    assert ray_box_hits([9, 0, 5], [-1, 0, 0], m.bounds)[0] == -1
    assert ray_box_hits([3, 0, 9], [0, 0, -1], m.bounds) == (1, 8.0)


def test_hidden_faces_between_neighbours_are_dropped():
    from twin.view3d.boxes import visible_faces
    # two racks side by side, and a rear door on the first one
    racks = box_mesh([1.0, 1.6], [2.0, 2.0], [[0.6, 1.2, 2.2]] * 2, [0, 0])
    doors = box_mesh([1.0], [2.75], [[0.6, 0.3, 2.2]], [0])
    rf, df = visible_faces([racks, doors])
    assert len(rf) == 20 - 2 - 2 - 2      # right of #0, left of #1, back of #0
    assert len(df) == 10 - 2              # front of the door
    lone = box_mesh([5.0], [5.0], [[0.6, 1.2, 2.2]], [90])
    assert len(visible_faces([lone])[0]) == 10
