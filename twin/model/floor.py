"""The floor's plan geometry, derived once per change and shared by every view.

``FloorGeometry`` keeps, for one ``Layout``, the footprints of racks, placed equipment
(cooling units, CDUs, tanks; rear doors are attached to their racks), tiles, supply and
return grilles and containment zones, and the conflicts between them (overlaps, footprints outside the hall).
It follows the layout's changes itself, incrementally where a change moved or rotated a
few footprints, before any view's handler runs (its handler has the highest priority), and
records in ``last`` what the latest change did and what the geometry was before, so a view
can repaint only the region that changed. Qt-free: the plan, the 3-D view and the
session read it; picking and rubber-band selection are plain array queries here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from twin.model import geometry
from twin.model.equipment import CoolingUnit
from twin.model.events import ITEM_KINDS, Change, ChangeKind
from twin.model.layout import Layout

#: Collections of placed equipment drawn as footprints (rear doors go with their rack).
EQUIPMENT_COLLECTIONS = ("cooling_units", "cdus", "tanks")
#: Rack columns that change a footprint.
FOOTPRINT_FIELDS = frozenset({"x_m", "y_m", "rotation_deg", "model", "height_m"})
#: Item fields whose change only moves or turns a footprint (incremental update).
MOVE_FIELDS = frozenset({"x_m", "y_m", "rotation_deg"})
#: Priority of the geometry's layout handler: before the session and every view.
GEOMETRY_FIRST = 200
#: Overlapping pairs listed at most (neighbours); beyond, overlaps are known per footprint.
MAX_LISTED_PAIRS = 200_000
#: Footprint assumed for an unknown catalogue model of a placed item.
UNKNOWN_ITEM_SIZE_M = (0.6, 0.6, 2.0)


@dataclass
class FloorUpdate:
    """What the latest change did to the geometry (for views that repaint regions)."""

    rebuilt: bool = False                 # everything was derived again
    reset: bool = False                   # the layout was replaced (File > New / Open)
    rack_rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))
    rack_bounds_before: np.ndarray = field(default_factory=lambda: np.empty((0, 4)))
    rack_models_changed: bool = False
    eq_rows: list[int] = field(default_factory=list)
    eq_bounds_before: np.ndarray = field(default_factory=lambda: np.empty((0, 4)))
    equipment_rebuilt: bool = False
    zones_rebuilt: bool = False
    conflicts_before: frozenset[str] = frozenset()


class FloorGeometry:
    """Footprints and conflicts of everything on one layout's floor (see module doc)."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.last = FloorUpdate(rebuilt=True)
        self.rebuild()
        layout.changed.connect(self._on_layout_changed, priority=GEOMETRY_FIRST)

    def close(self) -> None:
        self.layout.changed.disconnect(self._on_layout_changed)

    # ================================================================= derivation
    def rebuild(self) -> None:
        """Derive everything from the layout."""
        r = self.layout.racks
        self.rack_ids = r.ids
        self.rack_sizes_m = self.layout.rack_sizes_m()
        self.rack_bounds_m = geometry.plan_bounds(r["x_m"], r["y_m"], self.rack_sizes_m,
                                                  r["rotation_deg"])
        self._rebuild_equipment()
        self._rebuild_doors()
        self._rebuild_zones()
        self._recompute_conflicts()

    def _rebuild_equipment(self) -> None:
        lay = self.layout
        cat = lay.catalogue
        ids, colls, kinds, rots, items = [], [], [], [], []
        for coll in EQUIPMENT_COLLECTIONS:
            for it in lay.items[coll].values():
                kind = cat[it.model].kind if it.model in cat else coll
                if kind == "rdhx" and isinstance(it, CoolingUnit) and it.rack:
                    continue  # rear doors are drawn on their rack
                ids.append(it.id)
                colls.append(coll)
                kinds.append(kind)
                rots.append(int(it.rotation_deg))
                items.append(it)
        self.eq_ids: list[str] = ids
        #: units standing outside the hall on purpose (a CRAH gallery, outdoors)
        self.eq_off_floor: set[str] = {it.id for it in items
                                       if getattr(it, "location", "hall") != "hall"}
        self.eq_collection: list[str] = colls
        self.eq_kind: list[str] = kinds
        self.eq_index: dict[str, int] = {k: i for i, k in enumerate(ids)}
        self.eq_rotation_deg = np.array(rots, dtype=int)
        if items:
            self.eq_sizes_m = np.array([cat[it.model].footprint_m if it.model in cat
                                        else UNKNOWN_ITEM_SIZE_M for it in items], dtype=float)
            self.eq_bounds_m = geometry.plan_bounds([it.x_m for it in items],
                                                    [it.y_m for it in items], self.eq_sizes_m,
                                                    rots)
        else:
            self.eq_sizes_m = np.empty((0, 3))
            self.eq_bounds_m = np.empty((0, 4))

    def _rebuild_doors(self) -> None:
        lay = self.layout
        ids, rack_idx = [], []
        self.door_of_rack: dict[str, str] = {}
        for it in lay.cooling_units.values():
            if it.rack and lay.racks.has(it.rack):
                ids.append(it.id)
                rack_idx.append(lay.racks.index_of(it.rack))
                self.door_of_rack[it.rack] = it.id
        self.door_ids: list[str] = ids
        self.door_index: dict[str, int] = {k: i for i, k in enumerate(ids)}
        self.door_rack_index = np.array(rack_idx, dtype=int)

    def _rebuild_zones(self) -> None:
        lay = self.layout
        h = lay.hall.tile_pitch_m / 2
        tiles = list(lay.tiles.values())
        self.tile_ids: list[str] = [t.id for t in tiles]
        self.tile_bounds_m = np.array([(t.x_m - h, t.y_m - h, t.x_m + h, t.y_m + h)
                                       for t in tiles], dtype=float).reshape(-1, 4)
        grilles = list(lay.grilles.values())
        self.grille_ids: list[str] = [g.id for g in grilles]
        self.grille_kinds: list[str] = [g.kind for g in grilles]
        self.grille_bounds_m = np.array(
            [(g.x_m - g.width_m / 2, g.y_m - g.length_m / 2, g.x_m + g.width_m / 2,
              g.y_m + g.length_m / 2) for g in grilles], dtype=float).reshape(-1, 4)
        zones = list(lay.containment.values())
        self.zone_ids: list[str] = [z.id for z in zones]
        self.zone_bounds_m = np.array([(z.x0_m, z.y0_m, z.x1_m, z.y1_m) for z in zones],
                                      dtype=float).reshape(-1, 4)

    def _update_rack_rows(self, idx: np.ndarray, model_changed: bool) -> None:
        r = self.layout.racks
        if model_changed:
            self.rack_sizes_m[idx] = geometry.footprint_sizes(self.layout.catalogue,
                                                              r["model"][idx])
            height = r["height_m"][idx]
            self.rack_sizes_m[idx, 2] = np.where(np.isfinite(height), height,
                                                 self.rack_sizes_m[idx, 2])
        self.rack_bounds_m[idx] = geometry.plan_bounds(r["x_m"][idx], r["y_m"][idx],
                                                       self.rack_sizes_m[idx],
                                                       r["rotation_deg"][idx])

    def _update_eq_rows(self, ids: Iterable[str]) -> None:
        lay = self.layout
        for i in ids:
            k = self.eq_index[i]
            it = lay.items[self.eq_collection[k]][i]
            self.eq_rotation_deg[k] = int(it.rotation_deg)
            self.eq_bounds_m[k] = geometry.plan_bounds([it.x_m], [it.y_m],
                                                       self.eq_sizes_m[k:k + 1],
                                                       [it.rotation_deg])[0]

    # ================================================================== conflicts
    def obstacles(self) -> tuple[np.ndarray, np.ndarray]:
        """Ids and bounds of everything that must not overlap (racks, then equipment)."""
        ids = np.concatenate([self.rack_ids.astype(object),
                              np.array(self.eq_ids, dtype=object)])
        return ids, np.vstack([self.rack_bounds_m, self.eq_bounds_m])

    def _recompute_conflicts(self) -> None:
        ids, bounds = self.obstacles()
        self.neighbours: dict[str, set[str]] = {}
        scan = geometry.overlap_scan(bounds, limit=MAX_LISTED_PAIRS)
        for a, b in scan.pairs:
            self.neighbours.setdefault(ids[a], set()).add(ids[b])
            self.neighbours.setdefault(ids[b], set()).add(ids[a])
        # beyond the listed pairs (thousands of racks on one spot) only who overlaps is known
        self._unlisted: set[str] = (set() if scan.complete
                                    else set(ids[scan.overlapping].tolist()) - set(self.neighbours))
        hall = self.layout.hall
        out = geometry.outside_hall(bounds, hall.width_m, hall.length_m)
        self.outside: set[str] = set(ids[out].tolist()) - self.eq_off_floor

    def _update_conflicts(self, moved: list[str]) -> None:
        """Incremental overlap update after ``moved`` footprints changed."""
        moved = [m for m in moved if self.layout.racks.has(m) or m in self.eq_index]
        if not moved:
            return
        self._unlisted.difference_update(moved)
        for m in moved:
            for p in self.neighbours.pop(m, ()):
                s = self.neighbours.get(p)
                if s is not None:
                    s.discard(m)
                    if not s:
                        del self.neighbours[p]
        ids, bounds = self.obstacles()
        mb = np.array([self.bounds_of(m) for m in moved], dtype=float)
        hits = geometry.rects_overlap(mb, bounds)
        for k, m in enumerate(moved):
            for j in np.nonzero(hits[k])[0]:
                p = ids[j]
                if p == m:
                    continue
                self.neighbours.setdefault(m, set()).add(p)
                self.neighbours.setdefault(p, set()).add(m)
        hall = self.layout.hall
        out = geometry.outside_hall(mb, hall.width_m, hall.length_m)
        for m, o in zip(moved, out):
            (self.outside.add if o and m not in self.eq_off_floor else self.outside.discard)(m)

    def conflict_ids(self) -> frozenset[str]:
        """Ids overlapping another footprint or outside the hall."""
        return (frozenset(k for k, v in self.neighbours.items() if v) | frozenset(self.outside)
                | frozenset(self._unlisted))

    # =================================================================== queries
    def bounds_of(self, item_id: str) -> tuple[float, float, float, float] | None:
        """Plan rectangle x0, y0, x1, y1 of a rack, placed item, tile or zone."""
        lay = self.layout
        if lay.racks.has(item_id):
            return _row(self.rack_bounds_m[lay.racks.index_of(item_id)])
        if item_id in self.eq_index:
            return _row(self.eq_bounds_m[self.eq_index[item_id]])
        for ids, b in ((self.tile_ids, self.tile_bounds_m),
                       (self.grille_ids, self.grille_bounds_m),
                       (self.zone_ids, self.zone_bounds_m)):
            if item_id in ids:
                return _row(b[ids.index(item_id)])
        return None

    def leaves_hall(self, item_id: str) -> bool:
        b = self.bounds_of(item_id)
        hall = self.layout.hall
        return b is not None and bool(geometry.outside_hall(np.array([b]), hall.width_m,
                                                            hall.length_m)[0])

    def ids_crossing(self, x0: float, y0: float, x1: float, y1: float) -> list[str]:
        """What a rubber band selects: racks, equipment and tiles it touches, and zones it
        encloses entirely (aisles are floor: touching one selects nothing)."""
        ids = [str(self.rack_ids[k]) for k in _crossing(self.rack_bounds_m, x0, y0, x1, y1)]
        ids += [self.eq_ids[k] for k in _crossing(self.eq_bounds_m, x0, y0, x1, y1)]
        ids += [self.tile_ids[k] for k in _crossing(self.tile_bounds_m, x0, y0, x1, y1)]
        ids += [self.grille_ids[k] for k in _crossing(self.grille_bounds_m, x0, y0, x1, y1)]
        zb = self.zone_bounds_m
        if len(zb):
            inside = (zb[:, 0] >= x0) & (zb[:, 2] <= x1) & (zb[:, 1] >= y0) & (zb[:, 3] <= y1)
            ids += [self.zone_ids[k] for k in np.nonzero(inside)[0]]
        return ids

    def id_at(self, x: float, y: float, door_bounds_m: np.ndarray | None = None
              ) -> str | None:
        """The top-most footprint under a plan point: equipment, then rear doors (when
        their drawn strips ``door_bounds_m`` are given), racks, tiles, zones."""
        hit = _inside(self.eq_bounds_m, x, y)
        if len(hit):
            return self.eq_ids[hit[-1]]
        if door_bounds_m is not None:
            hit = _inside(door_bounds_m, x, y)
            if len(hit):
                return self.door_ids[hit[-1]]
        hit = _inside(self.rack_bounds_m, x, y)
        if len(hit):
            return str(self.rack_ids[hit[-1]])
        hit = _inside(self.grille_bounds_m, x, y)
        if len(hit):
            return self.grille_ids[hit[-1]]
        hit = _inside(self.tile_bounds_m, x, y)
        if len(hit):
            return self.tile_ids[hit[-1]]
        hit = _inside(self.zone_bounds_m, x, y)
        if len(hit):
            return self.zone_ids[hit[-1]]
        return None

    # ============================================================== layout changes
    def _on_layout_changed(self, change: Change) -> None:
        u = FloorUpdate(conflicts_before=self.conflict_ids(), reset=change.is_reset)
        self.last = u
        if change.changes_rack_set or change.any_of(
                ChangeKind.SETTINGS_CHANGED, collection="hall") or change.any_of(
                ChangeKind.SETTINGS_CHANGED, collection="catalogue"):
            self.rebuild()
            u.rebuilt = True
            return
        for part in change.elementary:
            if part.kind is ChangeKind.RACKS_CHANGED:
                geo = FOOTPRINT_FIELDS.intersection(part.fields)
                if geo:
                    idx = self.layout.racks.indices_of(part.ids)
                    u.rack_rows = np.concatenate([u.rack_rows, idx])
                    u.rack_bounds_before = np.vstack([u.rack_bounds_before,
                                                      self.rack_bounds_m[idx]])
                    self._update_rack_rows(idx, bool({"model", "height_m"} & geo))
                    self._update_conflicts(list(part.ids))
                u.rack_models_changed |= "model" in part.fields
            elif part.kind in ITEM_KINDS and part.collection in EQUIPMENT_COLLECTIONS:
                if (part.kind is ChangeKind.ITEM_CHANGED and not u.equipment_rebuilt
                        and all(i in self.eq_index for i in part.ids)
                        and not set(part.fields) - MOVE_FIELDS):
                    rows = [self.eq_index[i] for i in part.ids]
                    u.eq_rows += rows
                    u.eq_bounds_before = np.vstack([u.eq_bounds_before, self.eq_bounds_m[rows]])
                    self._update_eq_rows(part.ids)
                    self._update_conflicts(list(part.ids))
                else:
                    self._rebuild_equipment()
                    self._rebuild_doors()
                    self._recompute_conflicts()
                    u.equipment_rebuilt = True
            elif part.kind in ITEM_KINDS and part.collection in ("tiles", "containment",
                                                                 "grilles"):
                self._rebuild_zones()
                u.zones_rebuilt = True


def _row(b: np.ndarray) -> tuple[float, float, float, float]:
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])


def _inside(b: np.ndarray, x: float, y: float) -> np.ndarray:
    if not len(b):
        return np.empty(0, dtype=int)
    return np.nonzero((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3]))[0]


def _crossing(b: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    if not len(b):
        return np.empty(0, dtype=int)
    return np.nonzero((b[:, 0] < x1) & (b[:, 2] > x0) & (b[:, 1] < y1) & (b[:, 3] > y0))[0]

