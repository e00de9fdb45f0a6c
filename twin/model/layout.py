"""The ``Layout``: the whole floor as data, with mutations that emit ``Change`` events."""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, Iterable, Iterator

import numpy as np
from psygnal import Signal

from twin.model.calibration import AirCalibration
from twin.model.catalogue import Catalogue, load_catalogue
from twin.model.equipment import Hall, Plant, Site, TraceRef, Underlay
from twin.model.fabric import Fabric
from twin.model.events import Change, ChangeKind
from twin.model import geometry
from twin.model.racks import RackTable

#: Item collections: name -> what they hold (all items have an ``id``).
COLLECTIONS = ("workloads", "tiles", "containment", "cooling_units", "cdus", "tanks", "power",
               "grilles", "scenarios", "cable_trays")
SETTINGS = ("hall", "site", "plant", "underlay", "trace", "fabric", "air_calibration")


class Layout:
    """A floor layout. Racks live in a columnar ``RackTable``; other items in ordered
    dicts keyed by id. Every mutation emits one ``Change`` through ``changed``; inside
    ``batch()`` the mutations emit one merged ``Change`` when the outermost batch ends."""

    changed = Signal(object)

    def __init__(self, name: str = "Untitled layout", description: str = "",
                 hall: Hall | None = None, site: Site | None = None, plant: Plant | None = None,
                 racks: RackTable | None = None, catalogue: Catalogue | None = None,
                 equipment: dict[str, dict[str, Any]] | None = None,
                 underlay: Underlay | None = None, trace: TraceRef | None = None,
                 fabric: Fabric | None = None, air_calibration: AirCalibration | None = None,
                 **collections: Iterable[Any]):
        self.name = name
        self.description = description
        self.hall = hall or Hall()
        self.site = site or Site()
        self.plant = plant or Plant()
        self.underlay = underlay or Underlay()
        self.trace = trace or TraceRef()
        self.fabric = fabric or Fabric()
        #: recirculation constants fitted to measurements (``twin calibrate --write``)
        self.air_calibration = air_calibration or AirCalibration()
        self.racks = racks if racks is not None else RackTable()
        #: the built-in catalogue (or the one given) and the layout's own equipment
        #: (``catalogue`` block of the file: key -> entry in catalogue-file form);
        #: ``catalogue`` is the two together, the layout's entries winning
        self.base_catalogue = catalogue or load_catalogue()
        self.equipment: dict[str, dict[str, Any]] = dict(equipment or {})
        self.catalogue = self.base_catalogue.extended(self.equipment)
        unknown = set(collections) - set(COLLECTIONS)
        if unknown:
            raise TypeError(f"unknown collections: {sorted(unknown)}")
        self.items: dict[str, dict[str, Any]] = {
            c: {it.id: it for it in collections.get(c, ())} for c in COLLECTIONS}
        self._batch_depth = 0
        self._pending: list[Change] = []

    # ----- events --------------------------------------------------------------------
    def _emit(self, change: Change) -> None:
        if self._batch_depth:
            self._pending.append(change)
        else:
            self.changed.emit(change)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group mutations into one ``Change`` (one undoable command = one event, however
        many racks and items it touches). Nested batches join the outermost one."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if not self._batch_depth:
                pending, self._pending = self._pending, []
                merged = Change.merged(pending)
                if merged is not None:
                    self.changed.emit(merged)

    # ----- read access -------------------------------------------------------------
    def __getattr__(self, name: str) -> dict[str, Any]:
        items = self.__dict__.get("items")
        if items is not None and name in items:
            return items[name]
        raise AttributeError(name)

    def rack_sizes_m(self) -> np.ndarray:
        """(n, 3) width, depth, height of every rack: the catalogue's, the height replaced
        by the rack's own ``height_m`` where set."""
        sizes = geometry.footprint_sizes(self.catalogue, self.racks["model"])
        height = self.racks["height_m"]
        sizes[:, 2] = np.where(np.isfinite(height), height, sizes[:, 2])
        return sizes

    def rack_bounds_m(self) -> np.ndarray:
        """(n, 4) plan rectangles x0, y0, x1, y1 of every rack."""
        r = self.racks
        return geometry.plan_bounds(r["x_m"], r["y_m"], self.rack_sizes_m(), r["rotation_deg"])

    def item_bounds_m(self, collection: str, items: list[Any] | None = None
                      ) -> dict[str, tuple[float, float, float, float]]:
        """Plan rectangles of placed items (cooling units, CDUs, tanks)."""
        items = list(self.items[collection].values()) if items is None else items
        if not items:
            return {}
        size = np.array([self.catalogue[it.model].footprint_m for it in items])
        b = geometry.plan_bounds([it.x_m for it in items], [it.y_m for it in items], size,
                                 [it.rotation_deg for it in items])
        return {it.id: (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
                for it, row in zip(items, b)}

    def all_ids(self) -> set[str]:
        ids = set(self.racks.ids.tolist())
        for c in COLLECTIONS:
            ids.update(self.items[c])
        return ids

    def new_id(self, prefix: str) -> str:
        """A fresh id ``prefix-N`` not used anywhere in the layout."""
        used = self.all_ids()
        n = 1
        while f"{prefix}-{n}" in used:
            n += 1
        return f"{prefix}-{n}"

    # ----- rack mutations ----------------------------------------------------------
    def set_rack_values(self, ids: Iterable[str], field: str, values: Any) -> np.ndarray:
        """Set one column for the given racks; returns the old values."""
        ids = list(ids)
        idx = self.racks.indices_of(ids)
        old = self.racks[field][idx].copy()
        self.racks.set_values(idx, field, values)
        self._emit(Change(ChangeKind.RACKS_CHANGED, tuple(ids), (field,)))
        return old

    def move_racks(self, ids: Iterable[str], x_m: Any, y_m: Any) -> None:
        ids = list(ids)
        idx = self.racks.indices_of(ids)
        self.racks.set_values(idx, "x_m", x_m)
        self.racks.set_values(idx, "y_m", y_m)
        self._emit(Change(ChangeKind.RACKS_CHANGED, tuple(ids), ("x_m", "y_m")))

    def add_racks(self, records: list[dict[str, Any]], at: Iterable[int] | None = None) -> None:
        """Append racks, or insert them at the given final indices (undo of a removal)."""
        at = np.arange(len(self.racks), len(self.racks) + len(records)) if at is None \
            else np.asarray(list(at), dtype=np.int64)
        self.racks.insert(at, records)
        self._emit(Change(ChangeKind.RACKS_ADDED, tuple(r["id"] for r in records)))

    def remove_racks(self, ids: Iterable[str]) -> tuple[np.ndarray, list[dict[str, Any]]]:
        """Remove racks; returns their former indices and records for undo."""
        ids = list(ids)
        idx = np.sort(self.racks.indices_of(ids))
        records = self.racks.delete(idx)
        self._emit(Change(ChangeKind.RACKS_REMOVED, tuple(r["id"] for r in records)))
        return idx, records

    # ----- item mutations ----------------------------------------------------------
    def add_item(self, collection: str, item: Any, at: int | None = None) -> None:
        items = self.items[collection]
        if item.id in items:
            raise KeyError(f"{collection} already has {item.id!r}")
        entries = list(items.items())
        entries.insert(len(entries) if at is None else at, (item.id, item))
        self.items[collection] = dict(entries)
        self._emit(Change(ChangeKind.ITEM_ADDED, (item.id,), collection=collection))

    def remove_item(self, collection: str, item_id: str) -> tuple[int, Any]:
        items = self.items[collection]
        index = list(items).index(item_id)
        item = items.pop(item_id)
        self._emit(Change(ChangeKind.ITEM_REMOVED, (item_id,), collection=collection))
        return index, item

    def update_item(self, collection: str, item_id: str, **changes: Any) -> Any:
        """Replace fields of an item; returns the old item."""
        old = self.items[collection][item_id]
        self.items[collection][item_id] = dataclasses.replace(old, **changes)
        self._emit(Change(ChangeKind.ITEM_CHANGED, (item_id,), tuple(changes), collection))
        return old

    def replace_item(self, collection: str, item: Any) -> Any:
        old = self.items[collection][item.id]
        self.items[collection][item.id] = item
        fields = tuple(f.name for f in dataclasses.fields(item)
                       if getattr(old, f.name) != getattr(item, f.name))
        self._emit(Change(ChangeKind.ITEM_CHANGED, (item.id,), fields, collection))
        return old

    def set_settings(self, block: str, value: Any) -> Any:
        """Replace a settings block (``SETTINGS``); returns the old one."""
        if block not in SETTINGS:
            raise KeyError(block)
        old = getattr(self, block)
        setattr(self, block, value)
        self._emit(Change(ChangeKind.SETTINGS_CHANGED, collection=block))
        return old

    def set_equipment(self, equipment: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Replace the layout's own equipment entries (the file's ``catalogue`` block);
        returns the old ones (undo)."""
        old = self.equipment
        self.equipment = dict(equipment)
        self.catalogue = self.base_catalogue.extended(self.equipment)
        self._emit(Change(ChangeKind.SETTINGS_CHANGED, collection="catalogue"))
        return old

    def replace_all(self, other: "Layout") -> None:
        """Take over everything from ``other`` (File > New/Open keep the same object)."""
        self.name, self.description = other.name, other.description
        self.hall, self.site, self.plant = other.hall, other.site, other.plant
        self.underlay, self.trace = other.underlay, other.trace
        self.fabric = other.fabric
        self.air_calibration = other.air_calibration
        self.racks = other.racks.copy()
        self.base_catalogue, self.equipment = other.base_catalogue, dict(other.equipment)
        self.catalogue = other.catalogue
        self.items = {c: dict(other.items[c]) for c in COLLECTIONS}
        self._emit(Change(ChangeKind.RESET))

    # ----- snapshots and comparison ------------------------------------------------
    def snapshot(self) -> "Layout":
        """An independent copy for a worker thread (items are immutable, racks copied)."""
        snap = Layout.__new__(Layout)
        snap._batch_depth, snap._pending = 0, []
        snap.name, snap.description = self.name, self.description
        snap.hall, snap.site, snap.plant = self.hall, self.site, self.plant
        snap.underlay, snap.trace = self.underlay, self.trace
        snap.fabric = self.fabric
        snap.air_calibration = self.air_calibration
        snap.racks = self.racks.copy()
        snap.base_catalogue, snap.equipment = self.base_catalogue, self.equipment
        snap.catalogue = self.catalogue
        snap.items = {c: dict(self.items[c]) for c in COLLECTIONS}
        return snap

    def equals(self, other: "Layout") -> bool:
        return (self.name == other.name and self.description == other.description
                and self.hall == other.hall and self.site == other.site
                and self.plant == other.plant and self.underlay == other.underlay
                and self.trace == other.trace and self.fabric == other.fabric
                and self.air_calibration == other.air_calibration
                and self.racks.equals(other.racks)
                and self.equipment == other.equipment
                and all(list(self.items[c].items()) == list(other.items[c].items())
                        for c in COLLECTIONS))
