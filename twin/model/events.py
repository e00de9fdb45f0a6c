"""Change events: what a mutation of the layout touched, so subscribers can do less work.

Every mutation of a ``Layout`` is described by one ``Change`` of a ``ChangeKind``. Inside
``Layout.batch()`` (one undoable command, e.g. a move of racks and cooling units together)
the elementary changes are merged and emitted once, as a single ``Change``: a ``BATCH`` whose
``parts`` are the merged elementary changes. Subscribers either ask questions that hold for
both (``touches_geometry``, ``any_of``, ``all_ids``) or walk ``elementary``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable


class ChangeKind(Enum):
    """What one elementary mutation did."""

    RACKS_ADDED = "racks_added"
    RACKS_REMOVED = "racks_removed"
    RACKS_CHANGED = "racks_changed"
    ITEM_ADDED = "item_added"
    ITEM_REMOVED = "item_removed"
    ITEM_CHANGED = "item_changed"
    SETTINGS_CHANGED = "settings_changed"
    RESET = "reset"
    BATCH = "batch"


#: Rack columns whose change moves air (the airflow solve depends on them).
GEOMETRY_RACK_FIELDS = frozenset({"x_m", "y_m", "rotation_deg", "model", "height_m",
                                  "airflow_m3s", "airflow_m3s_per_kw", "liquid_share"})
#: Collections whose change moves air.
GEOMETRY_COLLECTIONS = frozenset({"tiles", "containment", "cooling_units", "grilles"})
#: Parts of a layout that no solve reads: the drawing under the plan, the trace the
#: timeline replays, the named scenarios (a scenario is solved on its own snapshot).
NON_PHYSICS_BLOCKS = frozenset({"underlay", "trace", "scenarios"})
#: Kinds that change which racks exist (tables aligned with the racks must be rebuilt).
RACK_SET_KINDS = frozenset({ChangeKind.RACKS_ADDED, ChangeKind.RACKS_REMOVED,
                            ChangeKind.RESET})
#: Kinds of item mutations.
ITEM_KINDS = frozenset({ChangeKind.ITEM_ADDED, ChangeKind.ITEM_REMOVED,
                        ChangeKind.ITEM_CHANGED})


#: Order of the parts of a batch (others keep their first-seen order after these).
_ORDER = {ChangeKind.RESET: 0, ChangeKind.RACKS_REMOVED: 1, ChangeKind.RACKS_ADDED: 2}


@dataclass(frozen=True)
class Change:
    """One mutation (or, for ``BATCH``, the merged mutations of one command).

    ``collection`` names the item collection or the settings block (hall, site, plant);
    ``fields`` the rack columns or item fields that changed."""

    kind: ChangeKind
    ids: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    collection: str = ""
    parts: tuple["Change", ...] = ()

    @property
    def elementary(self) -> tuple["Change", ...]:
        """The elementary changes (itself unless it is a batch)."""
        return self.parts if self.kind is ChangeKind.BATCH else (self,)

    @property
    def is_reset(self) -> bool:
        """The whole layout was replaced (File > New / Open)."""
        return any(p.kind is ChangeKind.RESET for p in self.elementary)

    @property
    def changes_rack_set(self) -> bool:
        """Racks were added or removed (or everything was replaced)."""
        return any(p.kind in RACK_SET_KINDS for p in self.elementary)

    def any_of(self, *kinds: ChangeKind, collection: str | None = None,
               field: str | None = None) -> bool:
        """True when an elementary change has one of ``kinds`` (any kind when none is
        given), concerns ``collection`` (when given) and touches ``field`` (when given)."""
        return any((not kinds or p.kind in kinds)
                   and (collection is None or p.collection == collection)
                   and (field is None or field in p.fields)
                   for p in self.elementary)

    @property
    def all_ids(self) -> tuple[str, ...]:
        """Every id any elementary change touched, in first-seen order."""
        return tuple(dict.fromkeys(i for p in self.elementary for i in p.ids))

    @property
    def touches_physics(self) -> bool:
        """False when every part concerns only ``NON_PHYSICS_BLOCKS`` (no re-solve)."""
        return any(p.kind in (ChangeKind.RESET, ChangeKind.RACKS_ADDED, ChangeKind.RACKS_REMOVED,
                              ChangeKind.RACKS_CHANGED) or p.collection not in NON_PHYSICS_BLOCKS
                   for p in self.elementary)

    @property
    def touches_geometry(self) -> bool:
        """True when the airflow field (not only heat loads) may change."""
        return any(p._part_touches_geometry() for p in self.elementary)

    def _part_touches_geometry(self) -> bool:
        if self.kind in RACK_SET_KINDS:
            return True
        if self.kind is ChangeKind.RACKS_CHANGED:
            return bool(GEOMETRY_RACK_FIELDS.intersection(self.fields))
        if self.kind in ITEM_KINDS:
            return self.collection in GEOMETRY_COLLECTIONS
        return self.collection in ("hall", "catalogue", "air_calibration")

    @staticmethod
    def merged(changes: Iterable["Change"]) -> "Change | None":
        """One change for a sequence: elementary changes of the same kind, collection and
        fields are merged (their ids joined); several distinct ones make a ``BATCH``.

        The layout already holds the final state when the batch is emitted, so parts that
        replace rack-aligned tables come first (reset, then racks removed or added): an
        observer that walks the parts rebuilds its rack arrays before it touches them."""
        groups: dict[tuple, list[str]] = {}
        for ch in changes:
            for p in ch.elementary:
                key = (p.kind, p.collection, tuple(sorted(p.fields)))
                groups.setdefault(key, []).extend(p.ids)
        parts = tuple(sorted(
            (Change(kind, tuple(dict.fromkeys(ids)), fields, coll)
             for (kind, coll, fields), ids in groups.items()),
            key=lambda p: _ORDER.get(p.kind, len(_ORDER))))
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return Change(ChangeKind.BATCH, parts=parts)
