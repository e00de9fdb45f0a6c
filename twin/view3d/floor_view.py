"""``FloorView3D``: the 3-D view of a layout, a vispy ``SceneCanvas`` wrapper.

The view draws what the model holds and keeps nothing the model owns: it listens to
``Layout.changed`` (rebuilding geometry only when geometry changed), to
``RackColouring.changed`` (re-uploading only the rack colour buffer) and to
``Selection.changed`` (re-uploading only the per-box state buffer). All racks are one
``BoxesVisual`` and all floor items another; the floor grid is one line visual and the
walls one translucent mesh. Picking is a vectorised ray/box slab test in numpy.

Embed ``FloorView3D(...).native`` in a Qt layout. Without a window system, pass
``app="egl"`` (see ``twin.view3d.headless``) and use ``render_image`` only.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
from psygnal import Signal
from vispy import gloo, scene
from vispy.util import keys as vkeys
from vispy.visuals.transforms import STTransform

from twin.model.floor import FloorGeometry
from twin.model.events import ITEM_KINDS, Change, ChangeKind
from twin.model.layout import Layout
from twin.model.viewstate import Colouring, RackColouring, Selection
from twin.view3d import markings, palette, scenery
from twin.view3d.boxes import (BoxMesh, box_mesh, per_vertex, ray_box_hits, union_bounds,
                               vertex_colours, visible_faces)
from twin.view3d.camera import FloorCamera
from twin.view3d.labels import ViewLabels
from twin.view3d.overlay import Background, Legend
from twin.view3d.presets import PRESETS, framing, legend_reserve
from twin.view3d.raster_canvas import GL_DEPTH_COMPONENT24, RasterSceneCanvas
from twin.view3d.room import RoomDressing
from twin.view3d.throttle import Throttle
from twin.view3d.sections import SectionVisuals
from twin.view3d.streamlines import StreamlineVisual
from twin.view3d.trays import TrayVisual
from twin.view3d.visuals import Boxes, stable_mesh

#: Item collections drawn as boxes.
BOX_COLLECTIONS = ("cooling_units", "cdus", "tanks")
_RACK_GEOMETRY_FIELDS = {"x_m", "y_m", "rotation_deg", "model", "id"}
_RACK_MOVE_FIELDS = {"x_m", "y_m", "rotation_deg"}
#: Above this many moved racks a full rebuild is as cheap as the partial update.
_PARTIAL_MAX = 200
_CLICK_SLOP_PX = 5
#: Hover picking runs at most this often while the mouse moves.
HOVER_INTERVAL_S = 0.04


#: resolution of the frames drawn while the user drags (a quarter of the pixels)
INTERACTIVE_SCALE = 0.5


class FloorView3D:
    """3-D view of a floor layout.

    ``app`` is the vispy backend: "pyside6" for the desktop (the default), "egl" for
    off-screen rendering without a display (no ``native`` widget then).

    Signals: ``picked(id | None, modifiers: frozenset[str])`` on a click (modifiers
    from {'shift', 'ctrl'}), ``hovered(id | None, (x, y))`` when the id under the mouse
    changes. With ``select_on_click`` a click also updates the shared ``Selection``
    (Shift/Ctrl toggle the clicked id).
    """

    picked = Signal(object, object)
    hovered = Signal(object, tuple)

    def __init__(self, layout: Layout, selection: Selection, colouring: RackColouring,
                 parent: Any = None, size: tuple[int, int] = (960, 640),
                 select_on_click: bool = True, app: str = "pyside6",
                 floor: FloorGeometry | None = None):
        self.layout = layout
        #: Shared plan geometry (footprint sizes); its own when none is given.
        self.floor = floor if floor is not None else FloorGeometry(layout)
        self.selection = selection
        self.colouring = colouring
        self.select_on_click = select_on_click
        self._alert_ids: frozenset[str] = frozenset()
        self._hover_id: str | None = None
        #: draw the selection and hover highlights (``set_selection_shown``)
        self.show_selection = True
        self._press: tuple[float, float] | None = None

        canvas_type = RasterSceneCanvas if app == "pyside6" else scene.SceneCanvas
        self.canvas = canvas_type(keys=None, size=size, show=False, app=app, parent=parent,
                                  bgcolor=palette.BACKGROUND_BOTTOM, title="3-D floor")
        self.canvas.unfreeze()
        self.view = self.canvas.central_widget.add_view()
        self.camera = FloorCamera()
        self.view.camera = self.camera
        self.background = Background(self.canvas)
        root = self.view.scene

        # Floor and tile grid are drawn first without depth test or depth writes:
        # nothing lies below the floor, so they never need it, and they cannot z-fight.
        self._floor = stable_mesh(parent=root, color=palette.FLOOR)
        self._floor.set_gl_state("opaque", depth_test=False, depth_mask=False)
        self._floor.order = 0
        self._grid = scene.visuals.Line(parent=root, connect="segments", method="gl",
                                        antialias=False)
        self._grid.set_gl_state("translucent", depth_test=False, depth_mask=False)
        self._grid.order = 1
        self._racks = Boxes(parent=root, select_colour=palette.SELECT_EDGE, doors=True)
        self._racks.set_gl_state("opaque", depth_test=True, depth_mask=True, cull_face=True)
        self._racks.order = 2
        self._items = Boxes(parent=root, select_colour=palette.SELECT_EDGE, band_shade=0.5)
        self._items.order = 3
        # Alert markers are screen-sized sprites above the box, visible at any zoom and
        # not hidden by racks in front of them.
        self._alerts = scene.visuals.Markers(parent=root)
        self._alerts.set_gl_state("translucent", depth_test=False)
        self._alerts.order = 10
        self._containment = stable_mesh(parent=root)
        self._containment.set_gl_state("translucent", depth_test=True, depth_mask=False)
        self._containment.order = 6
        self._edges = scene.visuals.Line(parent=root, connect="segments", method="gl",
                                         antialias=False)
        self._edges.set_gl_state("translucent", depth_test=True)
        self._edges.order = 7
        self._walls = stable_mesh(parent=root, color=palette.WALL)
        self._walls.set_gl_state("translucent", depth_test=True, depth_mask=False,
                                 cull_face=True)
        self._walls.order = 9
        self._slice: scene.visuals.Image | None = None
        #: (height m, extent) of the horizontal slice shown, None when none is
        self.slice_plane: tuple[float, tuple[float, float, float, float]] | None = None
        self.streamlines = StreamlineVisual(parent=root)
        #: the fabric's cable trays, coloured by fill (``twin.view3d.trays``)
        self.trays = TrayVisual(parent=root)
        self.legend = Legend(self.canvas)
        #: rack ids, row names and item ids, with level of detail (``twin.view3d.labels``)
        self.labels = ViewLabels(self)
        #: perforated tiles, floor shadows and the wall cut-away (``twin.view3d.room``)
        self.room = RoomDressing(self)
        #: the camera preset re-applied when the canvas is resized (None: the user moved
        #: the camera or framed a selection, so a resize keeps the view)
        self.preset: str | None = "default"
        self._hover_pos = (0.0, 0.0)
        self._hover_throttle = Throttle(HOVER_INTERVAL_S, self._hover, app=self.canvas.app)

        # box tables for picking and framing
        self._rack_ids: list[str] = []
        self._rack_index: dict[str, int] = {}
        self._rack_mesh: BoxMesh = box_mesh([], [], np.zeros((0, 3)), [])
        self._item_ids: list[str] = []
        self._item_index: dict[str, int] = {}
        self._item_mesh: BoxMesh = self._rack_mesh
        self._item_kinds: list[str] = []
        self._contain_ids: list[str] = []
        self._contain_selected: frozenset[str] = frozenset()
        self._contain_bounds = np.zeros((0, 6))

        layout.changed.connect(self._on_layout_changed)
        selection.changed.connect(self._on_selection_changed)
        colouring.changed.connect(self._on_colouring_changed)
        ev = self.canvas.events
        ev.mouse_press.connect(self._on_mouse_press, position="first")
        ev.mouse_release.connect(self._on_mouse_release, position="first")
        ev.mouse_move.connect(self._on_mouse_move, position="first")
        ev.resize.connect(self._on_resize)
        ev.resize.connect(self._refit_on_resize, position="last")

        self.sections = SectionVisuals(self)
        self._alerts_compiled = False
        ev.draw.connect(self._on_first_draw, position="last")
        self.rebuild()
        self.room.rebuild()
        self._on_resize()
        self.reset_camera()

    # ----- Qt embedding ------------------------------------------------------------
    @property
    def native(self):
        """The QWidget to put in a layout."""
        return self.canvas.native

    def set_interactive(self, on: bool) -> None:
        """While ``on`` (a drag in progress) frames render at ``INTERACTIVE_SCALE`` of the
        resolution (on the raster canvas; the stock canvas ignores it)."""
        native = self.canvas.native
        if hasattr(native, "set_render_scale"):
            native.set_render_scale(INTERACTIVE_SCALE if on else 1.0)
        # the floor's translucent dressing costs fill rate on software GL: left out of
        # drag frames, back in the frame after the release
        self.room.set_light(on)

    def close(self) -> None:
        """Disconnect from the model and release the canvas."""
        for sig, slot in ((self.layout.changed, self._on_layout_changed),
                          (self.selection.changed, self._on_selection_changed),
                          (self.colouring.changed, self._on_colouring_changed)):
            try:
                sig.disconnect(slot)
            except Exception:
                pass
        self._hover_throttle.stop()
        self.labels.close()
        self.room.close()
        self.canvas.close()

    # ----- building ----------------------------------------------------------------
    def rebuild(self) -> None:
        """Rebuild everything from the layout."""
        self._build_hall()
        self._build_racks()
        self._build_items()
        self._build_containment()
        self._build_alerts()
        self._update_legend()

    def _build_hall(self) -> None:
        h = self.layout.hall
        v, f = scenery.floor_mesh(h.width_m, h.length_m)
        self._floor.set_data(vertices=v, faces=f, color=palette.FLOOR)
        seg, col = scenery.tile_grid(h.width_m, h.length_m, h.tile_pitch_m)
        self._grid.set_data(pos=seg, color=col)
        v, f = scenery.wall_mesh(h.width_m, h.length_m, h.ceiling_height_m)
        self._walls.set_data(vertices=v, faces=f, color=palette.WALL)
        self._wall_edges = scenery.wall_edges(h.width_m, h.length_m, h.ceiling_height_m,
                                              self.room.low or ())
        self._update_edges()

    def _build_racks(self) -> None:
        r = self.layout.racks
        self._rack_ids = [str(i) for i in r.ids]
        self._rack_index = {rid: k for k, rid in enumerate(self._rack_ids)}
        self._rack_mesh = box_mesh(r["x_m"], r["y_m"], self.floor.rack_sizes_m,
                                   r["rotation_deg"])
        self._racks.set_geometry(self._rack_mesh, self._rack_colours(),
                                 self._state(self._rack_ids, self._rack_index))
        self._racks.set_marks(markings.rack_marks(self.layout))
        self._cull_hidden_faces()

    def _move_racks(self, ids) -> bool:
        """Update the boxes of moved/rotated racks (and doors hung on them) in place and
        upload only the changed span. False when a full rebuild is needed instead."""
        if not ids or len(ids) > _PARTIAL_MAX or any(i not in self._rack_index for i in ids):
            return False
        r = self.layout.racks
        idx = np.array(sorted(self._rack_index[i] for i in ids))
        if len(r) != len(self._rack_ids) or any(r.ids[k] != self._rack_ids[k] for k in idx):
            return False
        sub = box_mesh(r["x_m"][idx], r["y_m"][idx], self.floor.rack_sizes_m[idx],
                       r["rotation_deg"][idx])
        _splice(self._rack_mesh, idx, sub)
        self._racks.update_boxes(self._rack_mesh, int(idx[0]), int(idx[-1]))
        doors = sorted((j, i) for i in ids for j in self._item_hosts.get(i, ()))
        if doors:
            poses = [self._attached_pose(host, self._item_sizes[j][1]) for j, host in doors]
            jd = np.array([j for j, _ in doors])
            sub = box_mesh([p[0] for p in poses], [p[1] for p in poses], self._item_sizes[jd],
                           [p[2] for p in poses])
            _splice(self._item_mesh, jd, sub)
            self._items.update_boxes(self._item_mesh, int(jd[0]), int(jd[-1]))
        self._cull_hidden_faces()
        return True

    def _cull_hidden_faces(self) -> None:
        """Drop side faces covered by a neighbouring rack or item (both meshes at once)."""
        if not hasattr(self, "_item_mesh"):
            return
        rack_faces, item_faces = visible_faces([self._rack_mesh, self._item_mesh])
        self._racks.set_faces(rack_faces)
        self._items.set_faces(item_faces)

    def _rack_colours(self) -> np.ndarray:
        n = len(self._rack_ids)
        c = self.colouring.current
        if n and len(c.values) == n:
            rgba = c.rgba()
        else:
            rgba = np.tile(palette.RACK_NEUTRAL, (n, 1))
        return vertex_colours(rgba)

    def _item_colours(self) -> np.ndarray:
        """RGBA per item: its kind's colour, or its value in a colouring that covers
        equipment too (the failure map; items it has no value for are grey)."""
        c = self.colouring.current
        self._items_coloured = bool(c.equipment)
        if c.equipment:
            return c.rgba_of(np.array([c.equipment.get(i, np.nan) for i in self._item_ids],
                                      dtype=float)).astype(np.float32)
        return np.array([palette.item_colour(k) for k in self._item_kinds],
                        np.float32).reshape(-1, 4)

    def _attached_pose(self, host: str, depth_m: float):
        """(x, y, rotation) of an item hung on the back of rack ``host`` (rear doors)."""
        racks = self.layout.racks
        k = racks.index_of(host)
        rot = int(racks["rotation_deg"][k])
        rack_depth = float(self.floor.rack_sizes_m[k, 1])
        a = np.radians(rot)
        off = rack_depth / 2 + depth_m / 2
        return (float(racks["x_m"][k] - np.sin(a) * off),
                float(racks["y_m"][k] + np.cos(a) * off), rot)

    def _item_table(self):
        """ids, kinds, x, y, sizes, rotations of all box items (rear doors follow racks)."""
        cat = self.layout.catalogue
        racks = self.layout.racks
        ids, kinds, xs, ys, sizes, rots = [], [], [], [], [], []
        self._item_hosts: dict[str, list[int]] = {}
        for coll in BOX_COLLECTIONS:
            for it in self.layout.items.get(coll, {}).values():
                entry = cat[it.model] if it.model in cat else None
                size = entry.footprint_m if entry is not None else (0.6, 0.6, 1.0)
                kind = entry.kind if entry is not None else "other"
                if coll == "tanks":
                    kind = "tank"
                x, y, rot = it.x_m, it.y_m, it.rotation_deg
                host = getattr(it, "rack", "")
                if host and racks.has(host):
                    x, y, rot = self._attached_pose(host, size[1])
                    self._item_hosts.setdefault(host, []).append(len(ids))
                ids.append(it.id)
                kinds.append(kind)
                xs.append(x)
                ys.append(y)
                sizes.append(size)
                rots.append(rot)
        return ids, kinds, xs, ys, np.array(sizes, float).reshape(-1, 3), rots

    def _build_items(self) -> None:
        ids, kinds, xs, ys, sizes, rots = self._item_table()
        self._item_ids, self._item_kinds = ids, kinds
        self._item_index = {i: k for k, i in enumerate(ids)}
        self._item_sizes = sizes
        self._item_mesh = box_mesh(xs, ys, sizes, rots)
        self._items.set_geometry(self._item_mesh, vertex_colours(self._item_colours()),
                                 self._state(self._item_ids, self._item_index))
        self._items.set_marks(markings.item_marks(kinds, sizes))
        self._cull_hidden_faces()

    def _build_containment(self) -> None:
        items = list(self.layout.items.get("containment", {}).values())
        self._contain_ids, self._contain_bounds = scenery.containment_bounds(items)
        self._contain_selected = self._selected_containment()
        v, f, c, e = scenery.containment_panels(items, self._contain_selected)
        if len(v):
            self._containment.set_data(vertices=v, faces=f, vertex_colors=c)
            self._containment.visible = True
        else:
            self._containment.visible = False
        self._contain_edges = e
        self._update_edges()

    def _update_edges(self) -> None:
        walls = getattr(self, "_wall_edges", np.zeros((0, 3), np.float32))
        cont = getattr(self, "_contain_edges", np.zeros((0, 3), np.float32))
        pos = np.concatenate([walls, cont]).astype(np.float32)
        col = np.concatenate([np.tile(palette.WALL_EDGE, (len(walls), 1)),
                              np.tile((1.0, 0.72, 0.55, 0.7), (len(cont), 1))]).astype(np.float32)
        if len(pos):
            self._edges.set_data(pos=pos, color=col)

    def _build_alerts(self) -> None:
        b = self._bounds_of(self._alert_ids)
        if len(b):
            pos = np.column_stack([(b[:, 0] + b[:, 3]) / 2, (b[:, 1] + b[:, 4]) / 2,
                                   b[:, 5] + 0.35])
            self._alerts.set_data(pos=pos.astype(np.float32), size=15, symbol="diamond",
                                  face_color=palette.ALERT, edge_color=(1, 1, 1, 0.95),
                                  edge_width=1.5)
            self._alerts.visible = True
        elif not self._alerts_compiled:
            # an invisible marker until the first frame has compiled the markers' shader
            # (tens of ms on llvmpipe), so the first alert does not stall a drag
            self._alerts.set_data(pos=np.zeros((1, 3), np.float32), size=0,
                                  face_color=(0, 0, 0, 0), edge_color=(0, 0, 0, 0),
                                  edge_width=0)
            self._alerts.visible = True
        else:
            self._alerts.visible = False
        self.canvas.update()

    def _on_first_draw(self, event=None) -> None:
        self.canvas.events.draw.disconnect(self._on_first_draw)
        self._alerts_compiled = True
        if not self._alert_ids:
            self._alerts.visible = False

    def _state(self, ids: list[str], index: dict[str, int]) -> np.ndarray:
        s = np.zeros((len(ids), 2), np.float32)
        if not self.show_selection:
            return per_vertex(s)
        sel = [index[i] for i in self.selection.ids if i in index]
        s[sel, 0] = 1.0
        if self._hover_id in index:
            s[index[self._hover_id], 1] = 1.0
        return per_vertex(s)

    def _update_state(self) -> None:
        self._racks.set_state(self._state(self._rack_ids, self._rack_index))
        self._items.set_state(self._state(self._item_ids, self._item_index))

    def _legend_item_keys(self) -> list[tuple[str, tuple]]:
        keys, seen = [], set()
        # a colouring that covers equipment (the failure map) colours items by value
        for k in ([] if self.colouring.current.equipment else self._item_kinds):
            if k not in seen:
                seen.add(k)
                keys.append((palette.item_label(k), palette.item_colour(k)))
        for it in self.layout.items.get("containment", {}).values():
            if it.kind not in seen and it.kind in palette.CONTAINMENT_KINDS:
                seen.add(it.kind)
                label, col = palette.CONTAINMENT_KINDS[it.kind]
                keys.append((label, col[:3] + (1.0,)))
        if self.trays.n_pieces:
            keys.append(("Cable tray (green to red: fill)", self.trays.key_colour))
        if self._alert_ids:
            keys.append(("Alert", palette.ALERT))
        return keys

    def _update_legend(self) -> None:
        self.legend.update(self.colouring.current, len(self._rack_ids), self._legend_item_keys())
        self.legend.place(self.canvas.size)
        self.canvas.update()

    def refresh_units(self) -> None:
        """View > Units changed: the legend's title and ticks in the new units."""
        self._update_legend()

    # ----- model events ------------------------------------------------------------
    def _on_layout_changed(self, change: Change) -> None:
        """Rebuild what the change touched; redraw only then (a workload, feed or power
        edit changes nothing drawn here: new colours arrive through the colouring)."""
        drawn = [self._apply_change(part) for part in change.elementary]
        if any(drawn):
            self.canvas.update()

    def _apply_change(self, change: Change) -> bool:
        """Rebuild what one elementary change touched; True when something was."""
        kind = change.kind
        if kind is ChangeKind.RESET:
            self.rebuild()
            self.reset_camera()
        elif (kind is ChangeKind.RACKS_CHANGED and set(change.fields) <= _RACK_MOVE_FIELDS
              and self._move_racks(change.ids)):
            self._build_alerts()
        elif kind in (ChangeKind.RACKS_ADDED, ChangeKind.RACKS_REMOVED) or (
                kind is ChangeKind.RACKS_CHANGED
                and _RACK_GEOMETRY_FIELDS.intersection(change.fields)):
            self._build_racks()
            if any(getattr(it, "rack", "")
                   for it in self.layout.items.get("cooling_units", {}).values()):
                self._build_items()
            self._build_alerts()
            if kind is not ChangeKind.RACKS_CHANGED:
                self._update_legend()
        elif kind in ITEM_KINDS and change.collection in BOX_COLLECTIONS:
            self._build_items()
            self._build_alerts()
            self._update_legend()
        elif kind in ITEM_KINDS and change.collection == "containment":
            self._build_containment()
            self._update_legend()
        elif kind is ChangeKind.SETTINGS_CHANGED and change.collection == "hall":
            self._build_hall()
        else:
            return False
        return True

    def _on_colouring_changed(self, colouring: Colouring | None = None) -> None:
        self.recolour()
        self._update_legend()

    def recolour(self) -> None:
        """Re-upload the rack colour buffer (and the items', when a colouring covers
        them or did) from the current colouring."""
        self._racks.set_colours(self._rack_colours())
        if hasattr(self, "_item_ids") and (self.colouring.current.equipment
                                           or getattr(self, "_items_coloured", False)):
            self._items.set_colours(vertex_colours(self._item_colours()))
        self.canvas.update()

    def _selected_containment(self) -> frozenset[str]:
        if not self.show_selection:
            return frozenset()
        return frozenset(self.selection.ids).intersection(self._contain_ids)

    def set_selection_shown(self, on: bool) -> None:
        """Draw the selection and hover highlights (on) or not (an exported image
        without them); the selection itself is unchanged."""
        if bool(on) != self.show_selection:
            self.show_selection = bool(on)
            self._on_selection_changed()

    def _on_selection_changed(self, ids=None) -> None:
        self._update_state()
        if self._selected_containment() != self._contain_selected:
            self._build_containment()   # (new mesh data recompiles its shader: only if needed)
        self.canvas.update()

    # ----- public API --------------------------------------------------------------
    def set_alert_ids(self, ids: Iterable[str]) -> None:
        """Mark racks or items with a red marker above them (empty to clear)."""
        new = frozenset(ids)
        if new != self._alert_ids:
            had = bool(self._alert_ids)
            self._alert_ids = new
            self._build_alerts()
            if had != bool(new):
                self._update_legend()

    @property
    def alert_ids(self) -> frozenset[str]:
        return self._alert_ids

    def set_slice(self, image_rgba: np.ndarray, z_m: float, extent) -> None:
        """Show a translucent horizontal image at height ``z_m``. ``image_rgba`` is
        (ny, nx, 4) (uint8 or float 0..1), row 0 at y0; ``extent`` is (x0, y0, x1, y1) m."""
        img = np.asarray(image_rgba)
        if img.dtype != np.uint8:
            img = (np.clip(img, 0, 1) * 255).astype(np.uint8)
        ny, nx = img.shape[:2]
        x0, y0, x1, y1 = (float(v) for v in extent)
        if self._slice is None:
            self._slice = scene.visuals.Image(img, parent=self.view.scene,
                                              interpolation="linear")
            self._slice.set_gl_state("translucent", depth_test=True, depth_mask=False)
            self._slice.order = 8
            self._slice.transform = STTransform()
        else:
            self._slice.set_data(img)
        self._slice.transform.scale = ((x1 - x0) / nx, (y1 - y0) / ny, 1)
        self._slice.transform.translate = (x0, y0, z_m)
        self._slice.visible = True
        self.slice_plane = (float(z_m), (x0, y0, x1, y1))
        self.sections.refresh()

    def move_slice(self, z_m: float) -> None:
        """Lift the horizontal slice to ``z_m`` at once (its new image follows)."""
        if self._slice is not None and self.slice_plane is not None:
            x0, y0, _z = self._slice.transform.translate[:3]
            self._slice.transform.translate = (x0, y0, z_m)
            self.slice_plane = (float(z_m), self.slice_plane[1])
            self.sections.refresh()

    def clear_slice(self) -> None:
        self.slice_plane = None
        self.sections.refresh()
        if self._slice is not None:
            self._slice.visible = False
            self.canvas.update()

    def set_streamlines(self, picture) -> None:
        """Show the streamlines of a ``twin.engine.streamlines.StreamlinePicture``."""
        self.streamlines.set_picture(picture)
        self.canvas.update()

    def set_fabric(self, fabric) -> None:
        """Show the trays of a ``twin.engine.fabric.FabricResult`` (None: hide them)."""
        shown = self.trays.n_pieces
        self.trays.set_result(fabric)
        if bool(shown) != bool(self.trays.n_pieces):
            self._update_legend()
        self.canvas.update()

    def clear_streamlines(self) -> None:
        if self.streamlines.visible:
            self.streamlines.clear()
            self.canvas.update()

    def reset_camera(self) -> None:
        """Frame the whole hall from the default viewing angle."""
        self.set_preset("default")

    def set_preset(self, name: str) -> None:
        """Apply a camera preset of ``twin.view3d.presets.PRESETS`` ('default', 'plan',
        'aisle', 'iso'); it is re-applied when the view is resized until the user moves
        the camera."""
        if name not in PRESETS:
            raise ValueError(f"unknown camera preset {name!r}")
        self.preset = name
        self.camera.user_moved = False
        f = framing(self.layout, name)
        self.camera.elevation, self.camera.azimuth = f.elevation, f.azimuth
        if f.centre is not None:
            self.camera.fit_box_around(np.array(f.box), f.centre, margin=f.margin)
        else:
            self.camera.fit_box(np.array(f.box), margin=f.margin, centre_z=0.0,
                                **legend_reserve(self.view.size, self.legend.size))
        self.canvas.update()

    def refit(self) -> None:
        """Frame the hall again with the last preset (the default one after a user's own
        camera move): after the view was shown, resized or given a new layout."""
        self.set_preset(self.preset if self.preset is not None and not self.camera.user_moved
                        else "default")

    def _refit_on_resize(self, event=None) -> None:
        if self.camera.user_moved:
            self.preset = None
        if self.preset is not None:
            self.set_preset(self.preset)

    def reset_view(self) -> None:
        """``FloorView`` protocol: the camera's default framing."""
        self.reset_camera()

    def set_snap(self, on: bool) -> None:
        """``FloorView`` protocol: nothing is dragged in the 3-D view."""

    def frame_ids(self, ids: Iterable[str]) -> None:
        """Centre and zoom on the given racks/items (no change when none are known)."""
        b = union_bounds(self._bounds_of(ids))
        if b is None:
            return
        pad = 0.6
        b = b + np.array([-pad, -pad, 0, pad, pad, 0])
        self.camera.fit_box(b, margin=0.12)
        self.preset = None
        self.canvas.update()

    def bounds_of(self, item_id: str) -> np.ndarray | None:
        """(x0, y0, z0, x1, y1, z1) of a rack or item as drawn, or None."""
        b = self._bounds_of([item_id])
        return b[0] if len(b) else None

    def _bounds_of(self, ids: Iterable[str]) -> np.ndarray:
        out = []
        for i in ids:
            if i in self._rack_index:
                out.append(self._rack_mesh.bounds[self._rack_index[i]])
            elif i in self._item_index:
                out.append(self._item_mesh.bounds[self._item_index[i]])
            elif i in self._contain_ids:
                out.append(self._contain_bounds[self._contain_ids.index(i)])
        return np.array(out, float).reshape(-1, 6)

    def project(self, points_m: np.ndarray) -> np.ndarray:
        """(n, 2) canvas pixel positions (x right, y down) of scene points (n, 3)."""
        tr = self.view.scene.node_transform(self.canvas.scene)
        p = tr.map(np.asarray(points_m, float).reshape(-1, 3))
        return p[:, :2] / p[:, 3:4]

    def screen_position(self, item_id: str, where: str = "top") -> tuple[float, float] | None:
        """Canvas pixel position of a box's top centre (``where='top'``) or centre."""
        b = self.bounds_of(item_id)
        if b is None:
            return None
        z = b[5] if where == "top" else (b[2] + b[5]) / 2
        p = self.project([[(b[0] + b[3]) / 2, (b[1] + b[4]) / 2, z]])[0]
        return float(p[0]), float(p[1])

    def ray(self, pos) -> tuple[np.ndarray, np.ndarray]:
        """(origin, unit direction) in scene metres of the ray under canvas pixel ``pos``."""
        tr = self.canvas.scene.node_transform(self.view.scene)
        x, y = float(pos[0]), float(pos[1])
        p0 = tr.map([x, y, -1.0, 1.0])
        p1 = tr.map([x, y, 1.0, 1.0])
        p0, p1 = p0[:3] / p0[3], p1[:3] / p1[3]
        d = p1 - p0
        return p0, d / max(np.linalg.norm(d), 1e-12)

    def pick(self, pos) -> str | None:
        """The id of the rack or item under canvas pixel ``pos`` (None: floor/nothing)."""
        o, d = self.ray(pos)
        i, t = ray_box_hits(o, d, self._rack_mesh.bounds)
        j, u = ray_box_hits(o, d, self._item_mesh.bounds)
        if i >= 0 and t <= u:
            return self._rack_ids[i]
        if j >= 0:
            return self._item_ids[j]
        k, _ = ray_box_hits(o, d, self._contain_bounds)
        return self._contain_ids[k] if k >= 0 else None

    def render_image(self, size: tuple[int, int] | None = None, scale: float = 1.0
                     ) -> np.ndarray:
        """(h, w, 4) uint8 RGBA of the scene laid out at ``size`` logical pixels (default:
        the canvas size) and drawn ``scale`` times larger (2 for a high-DPI image: twice
        the pixels, same framing, text and lines twice as thick). The camera is unchanged;
        the on-screen canvas keeps its size."""
        cur = tuple(int(v) for v in self.canvas.size)
        logical = cur if size is None else (int(size[0]), int(size[1]))
        out = (max(int(round(logical[0] * scale)), 1), max(int(round(logical[1] * scale)), 1))
        if logical == cur:
            self.labels.refresh()
            return self._render_fbo(logical, out)
        self._layout_for(logical)
        try:
            self.labels.invalidate()
            self.labels.refresh()
            return self._render_fbo(logical, out)
        finally:
            self._layout_for(cur)
            self.labels.invalidate()

    def _render_fbo(self, logical: tuple[int, int], out: tuple[int, int]) -> np.ndarray:
        """Draw into an off-screen framebuffer of ``out`` pixels with a 24-bit depth buffer
        (the default 16-bit one z-fights at hall scale).

        vispy maps canvas coordinates to the framebuffer with the *canvas* size (it flips
        y about the canvas height), so a framebuffer of any other size would show the scene
        shifted into a strip. The transform system is therefore configured here so that
        the logical rectangle (0, 0, *logical) fills the whole framebuffer."""
        c = self.canvas
        c.set_current()
        shape = (out[1], out[0])
        fbo = gloo.FrameBuffer(color=gloo.RenderBuffer(shape),
                               depth=gloo.RenderBuffer(shape, format=GL_DEPTH_COMPONENT24))
        c.push_fbo(fbo, (0, 0), out)
        try:
            px, py = (p / max(s, 1) for p, s in zip(c.physical_size, c.size))
            rect_w, rect_h = logical[0] * px, logical[1] * py
            c.transforms.configure(viewport=(0, 0, *out), fbo_size=out,
                                   fbo_rect=(0, c.physical_size[1] - rect_h, rect_w, rect_h))
            c._draw_scene()
            return fbo.read()
        finally:
            c.pop_fbo()

    def _layout_for(self, size) -> None:
        self.canvas.central_widget.size = size
        self.background.resize(size)
        self.legend.place(size)

    # ----- canvas events -----------------------------------------------------------
    def _on_resize(self, event=None) -> None:
        self.background.resize(self.canvas.size)
        self.legend.place(self.canvas.size)

    @staticmethod
    def _modifiers(event) -> frozenset[str]:
        mods = set()
        for m in getattr(event, "modifiers", ()) or ():
            if m == vkeys.SHIFT:
                mods.add("shift")
            elif m == vkeys.CONTROL or m == vkeys.META:
                mods.add("ctrl")
        return frozenset(mods)

    def _on_mouse_press(self, event) -> None:
        self._press = tuple(event.pos[:2]) if event.button == 1 else None

    def _on_mouse_release(self, event) -> None:
        press, self._press = self._press, None
        if event.button != 1 or press is None:
            return
        if np.hypot(event.pos[0] - press[0], event.pos[1] - press[1]) > _CLICK_SLOP_PX:
            return
        self.click(event.pos[:2], self._modifiers(event))

    def click(self, pos, modifiers: Iterable[str] = ()) -> str | None:
        """Handle a click at canvas pixel ``pos``: emit ``picked`` and update the selection."""
        mods = frozenset(modifiers)
        hit = self.pick(pos)
        self.picked.emit(hit, mods)
        if self.select_on_click:
            if mods & {"shift", "ctrl"}:
                if hit is not None:
                    self.selection.toggle(hit)
            elif hit is None:
                self.selection.clear()
            else:
                self.selection.set({hit})
        return hit

    def _on_mouse_move(self, event) -> None:
        if event.buttons:
            return
        self._hover_pos = (float(event.pos[0]), float(event.pos[1]))
        self._hover_throttle.request()

    def _hover(self) -> None:
        """Pick under the last mouse position (at most every ``HOVER_INTERVAL_S``: a pick
        on the hall costs milliseconds and the mouse moves at hundreds of events/s)."""
        pos = self._hover_pos
        hit = self.pick(pos)
        if hit != self._hover_id:
            self._hover_id = hit
            self._update_state()
            self.canvas.update()
            self.hovered.emit(hit, pos)


def _splice(mesh: BoxMesh, idx: np.ndarray, sub: BoxMesh) -> None:
    """Write the boxes of ``sub`` over boxes ``idx`` of ``mesh`` (same vertex layout)."""
    from twin.view3d.boxes import VERTS_PER_BOX as V
    rows = (idx[:, None] * V + np.arange(V)[None, :]).reshape(-1)
    mesh.positions[rows] = sub.positions
    mesh.frame[rows] = sub.frame
    mesh.bounds[idx] = sub.bounds
