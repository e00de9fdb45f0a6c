"""3-D view readability and camera: rack and row labels with level of detail (pixels),
no overlapping labels, kind markings, the room's cut-away and shadows, camera presets,
refits on resize and view switches, hover tooltips, exports without the selection
highlight. Needs Xvfb (pytest-xvfb) and OpenGL."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings

from twin.io import load_layout
from twin.model.colour_by import by_model
from twin.model.viewstate import RackColouring, Selection
from twin.view3d import labels as lab
from twin.view3d import markings, room
from twin.view3d.presets import PRESETS, cold_aisle, framing
from twin.view3d.scenery import KERB_M, wall_edges

pytestmark = pytest.mark.gui

LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"
SIZE = (960, 640)


def _view(qtbot, name: str, size=SIZE):
    from twin.view3d import FloorView3D, opengl_available
    ok, reason = opengl_available()
    if not ok:
        pytest.skip(f"no OpenGL: {reason}")
    layout = load_layout(LAYOUTS / f"{name}.json")
    selection, colouring = Selection(), RackColouring()
    colouring.set(by_model(layout))
    view = FloorView3D(layout, selection, colouring, size=size)
    qtbot.addWidget(view.native)
    view.native.resize(*size)
    view.native.show()
    qtbot.waitExposed(view.native)
    return view, layout, selection


@pytest.fixture
def pod(qtbot):
    view, layout, selection = _view(qtbot, "gb200-pod")
    yield view, layout, selection
    view.close()


@pytest.fixture
def hall(qtbot):
    view, layout, selection = _view(qtbot, "hyperscale-hall")
    yield view, layout, selection
    view.close()


def _render_pair(view):
    """The frame with labels and the same frame without them."""
    with_labels = view.render_image()[..., :3].astype(int)
    view.labels.set_enabled(False)
    without = view.render_image()[..., :3].astype(int)
    view.labels.set_enabled(True)
    return with_labels, without


def _changed_near(a, b, xy, r=12) -> int:
    x, y = int(round(xy[0])), int(round(xy[1]))
    d = np.abs(a[y - r:y + r + 1, x - r:x + r + 1] - b[y - r:y + r + 1, x - r:x + r + 1])
    return int((d.max(axis=-1) > 60).sum())


# ----------------------------------------------------------------------------- labels
def test_rack_ids_drawn_on_racks_when_zoomed_in(pod):
    view, layout, _ = pod
    view.frame_ids(["A01", "A02", "A03", "A04"])
    a, b = _render_pair(view)
    shown = view.labels.shown_text()
    assert {"A01", "A02", "A03", "A04"} <= set(shown)
    assert not [t for t in shown if t.startswith("Row ")]
    for rid in ("A02", "A03"):
        assert _changed_near(a, b, view.screen_position(rid)) > 15, rid
    # and not on the empty floor far from any rack
    assert _changed_near(a, b, (15, SIZE[1] - 15), r=10) == 0


def test_hall_zoomed_out_shows_row_labels_not_rack_ids(hall):
    view, layout, _ = hall
    view.set_preset("plan")
    a, b = _render_pair(view)
    shown = view.labels.shown_text()
    rows = [t for t in shown if t.startswith("R") and "-" not in t]
    assert len(rows) >= 10, shown
    assert not [t for t in shown if t.startswith("R") and "-" in t]
    ch, c = view.labels.chosen, view.labels.content
    k = int(ch.rows[0])
    anchor = c.row_ends[k, ch.row_end[k]]
    xy = view.project([anchor])[0]
    assert _changed_near(a, b, xy, r=10) > 10
    # zoomed in on a few racks, the same rows show rack ids
    view.frame_ids(list(layout.racks.ids[:6]))
    view.render_image()
    assert {"R01-02", "R01-03"} <= set(view.labels.shown_text())


def test_labels_never_overlap(hall):
    view, layout, _ = hall
    for preset in PRESETS:
        view.set_preset(preset)
        view.render_image()
        ch, c = view.labels.chosen, view.labels.content
        dpi = float(view.canvas.dpi or 96)
        boxes = []
        pts = [(c.rack_anchor[i], lab.text_box_px([c.rack_text[i]], lab.RACK_PT, dpi)[0])
               for i in ch.racks]
        pts += [(c.item_anchor[i], lab.text_box_px([c.item_text[i]], lab.RACK_PT, dpi)[0])
                for i in ch.items]
        pts += [(c.row_ends[k, ch.row_end[k]], lab.text_box_px([c.row_text[k]], lab.ROW_PT,
                                                                dpi)[0]) for k in ch.rows]
        for p, (w, h) in pts:
            x, y = view.project([p])[0]
            boxes.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2))
        b = np.array(boxes)
        assert len(b) > 3, preset
        ox = np.minimum(b[:, None, 2], b[None, :, 2]) - np.maximum(b[:, None, 0], b[None, :, 0])
        oy = np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1])
        overlap = (ox > 0.5) & (oy > 0.5)
        np.fill_diagonal(overlap, False)
        assert not overlap.any(), preset


def test_choose_labels_prefers_rows_when_racks_are_small():
    """Synthetic: one row of 10 racks, 0.6 m apart, seen at 10 px/m (ids do not fit) and
    at 200 px/m (they do)."""
    c = lab.LabelContent(
        rack_text=[f"R01-{k:02d}" for k in range(10)],
        rack_anchor=np.column_stack([np.arange(10) * 0.6, np.zeros(10), np.full(10, 2.2)]),
        rack_step=np.tile([0.6, 0.0, 0.0], (10, 1)), rack_row=np.zeros(10, int),
        row_text=["R01"], row_ends=np.array([[[0.0, 0, 2.2], [5.4, 0, 2.2]]]))
    for ppm, racks, rows in ((10.0, 0, 1), (200.0, 6, 0)):
        def project(p, ppm=ppm):
            return np.column_stack([20 + p[:, 0] * ppm, 300 - p[:, 1] * ppm,
                                    np.ones(len(p))])
        ch = lab.choose_labels(c, project, (1280, 600))
        assert len(ch.rows) == rows and len(ch.racks) >= racks


def test_label_text_contrasts_with_rack_colour():
    t = lab.contrast_text(np.array([[1.0, 1.0, 0.8, 1.0], [0.1, 0.2, 0.5, 1.0]]))
    assert t[0, :3].max() < 0.2 and t[1, :3].min() > 0.9
    from twin.interchange.rows import Row
    assert Row("A", (0,), ("A01",), 0, "x", (0, 0, 1, 1)).title == "Row A"
    assert Row("R01", (0,), ("R01-01",), 0, "x", (0, 0, 1, 1)).title == "R01"


# ------------------------------------------------------------------ markings, the room
def test_markings_distinguish_kinds():
    layout = load_layout(LAYOUTS / "gb200-pod.json")
    codes = markings.rack_marks(layout)
    ids = list(layout.racks.ids)
    assert codes[ids.index("A-IB1")] == markings.NETWORK
    assert codes[ids.index("A01")] == markings.NONE
    m = markings.item_marks(["crah", "inrow", "inrow", "cdu", "rdhx"],
                            np.array([[1, 2, 2], [0.3, 1.2, 2], [1.2, 0.3, 2], [1, 1, 2],
                                      [0.6, 0.2, 2]], float))
    assert list(m) == [markings.CRAH, markings.INROW_Y, markings.INROW_X, markings.CDU,
                       markings.RDHX]


def test_fronts_backs_and_markings_are_drawn(pod):
    """The front (intake) of a rack is lighter than its back (exhaust); a network rack's
    top carries its hatching (two colours on its top where a GPU rack has one)."""
    view, layout, _ = pod
    view.labels.set_enabled(False)
    view.set_preset("plan")
    view.frame_ids(["A04", "A-IB1", "A05"])
    img = view.render_image()[..., :3].astype(int)
    b = view.bounds_of("A-IB1")
    top = [[b[0] + (b[3] - b[0]) * fx, b[1] + (b[4] - b[1]) * fy, b[5]]
           for fx in np.linspace(0.2, 0.8, 9) for fy in (0.15, 0.25, 0.75, 0.85)]
    px = np.round(view.project(np.array(top))).astype(int)
    lum = img[px[:, 1], px[:, 0]] @ np.array([0.299, 0.587, 0.114])
    assert lum.max() - lum.min() > 40
    x0, y0, _z0, x1, y1, z1 = view.bounds_of("A04")
    rot = int(layout.racks["rotation_deg"][list(layout.racks.ids).index("A04")])
    front_y, back_y = (y0, y1) if rot == 0 else (y1, y0)
    view.camera.azimuth = 0.0 if rot == 0 else 180.0
    view.camera.elevation = 15.0
    view.frame_ids(["A04"])
    front = view.render_image()[..., :3].astype(int)
    pf = view.project([[(x0 + x1) / 2, front_y, z1 * 0.5]])[0].round().astype(int)
    view.camera.azimuth += 180.0
    back = view.render_image()[..., :3].astype(int)
    pb = view.project([[(x0 + x1) / 2, back_y, z1 * 0.5]])[0].round().astype(int)
    lf = front[pf[1] - 3:pf[1] + 4, pf[0] - 3:pf[0] + 4].mean()
    lb = back[pb[1] - 3:pb[1] + 4, pb[0] - 3:pb[0] + 4].mean()
    assert lf > lb * 1.3, (lf, lb)


def test_wall_cut_away_and_shadows():
    assert room.near_walls(np.array([0.0, 0.9, -0.4])) == [0]          # looking north
    assert room.near_walls(np.array([0.5, 0.8, -0.3])) == [0, 3]       # ... and east
    assert room.near_walls(np.array([0.0, 0.0, -1.0])) == []           # straight down
    seg = wall_edges(10, 8, 4, low=[0])
    tops = seg[2:4]   # south wall's top edge
    assert np.allclose(tops[:, 2], KERB_M)
    assert seg[:, 2].max() == pytest.approx(4.0)
    v, f, c = room.floor_shadows(np.array([[0, 0, 1, 2]]))
    assert len(v) == 8 and len(f) == 8 and c[:4, 3].min() > 0.2 and c[4:, 3].max() == 0
    v, f, c = room.tile_quads(np.array([[0, 0, 0.6, 0.6]]))
    assert len(v) == 4 * 17 and len(f) == 2 * 17


def test_near_walls_are_low_in_the_view(pod):
    view, *_ = pod
    view.set_preset("default")
    view.room.update_cut_away()
    assert view.room.low                                  # the default looks over a wall
    z = view._wall_edges[:, 2]
    assert (np.isclose(z, KERB_M)).any() and z.max() > 3.0


# ----------------------------------------------------------------------------- camera
def test_presets_set_angles_and_frame_the_room(hall):
    view, layout, _ = hall
    h = layout.hall
    corners = np.array([[x, y, 0] for x in (0, h.width_m) for y in (0, h.length_m)], float)
    for key in ("default", "plan", "iso"):
        view.set_preset(key)
        _label, el, az = PRESETS[key]
        assert view.camera.elevation == pytest.approx(el)
        assert view.camera.azimuth == pytest.approx(az)
        p = view.project(corners)
        assert (p >= -1).all() and (p[:, 0] <= SIZE[0] + 1).all() and (p[:, 1] <= SIZE[1] + 1).all()
        ext = p.max(axis=0) - p.min(axis=0)
        assert max(ext[0] / SIZE[0], ext[1] / SIZE[1]) > 0.65, key      # fills the view
    view.set_preset("plan")
    p = view.project(np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0]], float))
    assert p[1, 0] > p[0, 0] and p[2, 1] < p[0, 1]         # x right, y up, as on the plan


def test_along_the_cold_aisle(hall):
    view, layout, _ = hall
    axis, (x0, y0, x1, y1) = cold_aisle(layout)
    assert axis == "x" and 0.9 < y1 - y0 < 3.0
    view.set_preset("aisle")
    assert view.camera.elevation == pytest.approx(PRESETS["aisle"][1])
    o, d = view.ray((SIZE[0] / 2, SIZE[1] / 2))
    assert abs(d[0]) > 0.9                            # looking along x
    mid = view.project([[(x0 + x1) / 2, (y0 + y1) / 2, 1.0]])[0]
    assert abs(mid[0] - SIZE[0] / 2) < 0.1 * SIZE[0]
    f = framing(load_layout(LAYOUTS / "gb200-pod.json"), "aisle")
    assert f.centre is not None                      # no facing rows: the front aisle


def test_resize_refits_until_the_user_moves_the_camera(pod, qtbot):
    view, *_ = pod
    view.set_preset("iso")
    before = view.camera.scale_factor
    view.native.resize(480, 320)
    qtbot.waitUntil(lambda: tuple(view.canvas.size) == (480, 320))
    assert view.preset == "iso"
    p = view.project(np.array([[0, 0, 0], [14.4, 10.8, 0]], float))
    assert (p >= -1).all() and (p[:, 0] <= 481).all() and (p[:, 1] <= 321).all()
    view.camera.user_moved = True
    view.camera.scale_factor = before * 0.5
    view.native.resize(700, 500)
    qtbot.waitUntil(lambda: tuple(view.canvas.size) == (700, 500))
    assert view.preset is None and view.camera.scale_factor == pytest.approx(before * 0.5)


# ------------------------------------------------------------------------- the window
@pytest.fixture
def window(qtbot, tmp_path):
    from twin.gui.window import app as app_mod
    from twin.gui.window.settings import AppSettings
    app_mod.create_application()
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    w = app_mod.open_main_window(LAYOUTS / "gb200-pod.json", settings=settings, recover=False)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    qtbot.waitExposed(w)
    if w.view3d is None:
        pytest.skip(f"no 3-D view: {w.gl_reason}")
    qtbot.wait(100)
    yield w
    w.document.stack.setClean()
    w.close()


def test_view_switch_refits_the_camera(window, qtbot):
    v = window.view3d
    window.actions.view_3d.trigger()
    qtbot.wait(50)
    fitted = v.camera.scale_factor
    v.camera.user_moved = True
    v.camera.scale_factor = fitted * 0.3           # the user zoomed in
    window.actions.view_split.trigger()
    qtbot.wait(50)
    window.actions.view_3d.trigger()
    qtbot.waitUntil(lambda: not v.native.render_pending, timeout=3000)
    assert v.preset == "default"
    assert v.camera.scale_factor == pytest.approx(fitted, rel=0.05)


def test_preset_actions_have_free_shortcuts(window):
    acts = window.actions.camera_presets
    assert set(acts) == {"plan", "aisle", "iso"}
    from PySide6.QtGui import QAction
    keys = [a.shortcut().toString() for a in window.findChildren(QAction)
            if not a.shortcut().isEmpty()]
    for a in acts.values():
        assert keys.count(a.shortcut().toString()) == 1
    acts["plan"].trigger()
    assert window.view3d.preset == "plan" and window.view3d.camera.elevation == 90.0


def test_hover_tooltip_names_the_rack(window, qtbot):
    from PySide6.QtWidgets import QToolTip
    window.actions.view_3d.trigger()
    v = window.view3d
    qtbot.wait(100)
    x, y = v.screen_position("A03")
    ratio = v.native.devicePixelRatioF()
    qtbot.mouseMove(v.native, QPoint(int(x / ratio), int(y / ratio)))
    try:
        qtbot.waitUntil(lambda: QToolTip.isVisible(), timeout=2000)
    except Exception:
        pytest.skip("synthetic mouse moves are not routed to the 3-D widget here")
    assert QToolTip.text().splitlines()[0].startswith("A03")
    assert "Front (intake) faces" in QToolTip.text()


def test_export_leaves_out_the_selection_unless_asked(window, tmp_path):
    from tests.image_checks import rgb_of
    from twin.view3d import palette
    window.selection.set({"A03", "A04"})
    sel = (np.array(palette.SELECT_EDGE) * 255).round()

    def highlight_pixels(image) -> int:
        rgb = rgb_of(image).astype(int)
        return int((np.abs(rgb - sel).max(axis=-1) <= 12).sum())

    plain = window.render_target("3d", (900, 600), caption=False)
    marked = window.render_target("3d", (900, 600), caption=False, selection=True)
    assert highlight_pixels(plain) == 0
    assert highlight_pixels(marked) > 50
    assert window.selection.ids == {"A03", "A04"}            # untouched
    assert window.view3d.show_selection and window.plan_view.show_selection


# --------------------------------------------------------------------- the plan's LOD
def test_plan_names_rows_when_zoomed_out_and_racks_when_zoomed_in(qtbot):
    from twin.gui.base.commands import Editor
    from twin.gui.plan.view import PlanView
    layout = load_layout(LAYOUTS / "hyperscale-hall.json")
    selection, colouring = Selection(), RackColouring()
    colouring.set(by_model(layout))
    view = PlanView(layout, selection, colouring, Editor(layout))
    qtbot.addWidget(view)
    img = view.render_image((1000, 800))
    rows = view._row_labels
    ppm = view._ppm()
    assert rows.shown(ppm) and "R01" in rows.shown_titles(ppm)
    # the plate left of row R01 holds dark text on white
    r01 = next(r for r in rows.rows() if r.title == "R01")
    x0, y0, x1, y1 = r01.bounds_m
    pt = view.view_box.mapViewToScene(pg_point(x0 - 1.0, (y0 + y1) / 2))
    p = view.canvas.mapFromScene(pt)
    p = view.canvas.mapTo(view, p)
    from tests.image_checks import rgb_of
    rgb = rgb_of(img).astype(int)
    patch = rgb[p.y() - 6:p.y() + 7, p.x() - 12:p.x() + 4]
    assert (patch.max(axis=-1) < 90).sum() > 5 and (patch.min(axis=-1) > 240).sum() > 5
    view.frame_ids(list(layout.racks.ids[:6]))
    view.render_image((1000, 800))
    assert not rows.shown(view._ppm())


def pg_point(x: float, y: float):
    from PySide6.QtCore import QPointF
    return QPointF(x, y)


def test_drag_frames_leave_the_floor_dressing_out_and_bring_it_back(qtbot):
    """Shadows and tiles cost fill rate on software GL: a drag's frames leave them out,
    the frame after the release has them again; the walls' kerbs stay."""
    from twin.io import load_layout
    from twin.model.colour_by import by_model
    from twin.model.viewstate import RackColouring, Selection
    from twin.view3d import FloorView3D, opengl_available
    from tests.conftest import LAYOUTS
    if not opengl_available()[0]:
        pytest.skip("no OpenGL")
    layout = load_layout(LAYOUTS / "small-room.json")
    colouring = RackColouring()
    colouring.set(by_model(layout))
    view = FloorView3D(layout, Selection(), colouring, size=(640, 400))
    try:
        room = view.room
        room.rebuild()
        shown = (room.shadows.visible, room.tiles.visible, room.kerbs.visible)
        assert shown[0]
        view.set_interactive(True)
        assert not room.shadows.visible and not room.tiles.visible
        assert room.kerbs.visible == shown[2]
        view.set_interactive(False)
        assert (room.shadows.visible, room.tiles.visible, room.kerbs.visible) == shown
    finally:
        view.close()
