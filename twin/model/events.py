"""Change events: what a mutation of the layout touched, so subscribers can do less work."""

from __future__ import annotations

from dataclasses import dataclass

#: Rack columns whose change moves air (the airflow solve depends on them).
GEOMETRY_RACK_FIELDS = frozenset({"x_m", "y_m", "rotation_deg", "model"})
#: Collections whose change moves air.
GEOMETRY_COLLECTIONS = frozenset({"tiles", "containment", "cooling_units"})


@dataclass(frozen=True)
class Change:
    """One mutation. ``kind`` is one of: racks_added, racks_removed, racks_changed,
    item_added, item_removed, item_changed, settings_changed, reset.
    ``collection`` names the item collection or the settings block (hall, site, plant)."""

    kind: str
    ids: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    collection: str = ""

    @property
    def touches_geometry(self) -> bool:
        """True when the airflow field (not only heat loads) may change."""
        if self.kind in ("racks_added", "racks_removed", "reset"):
            return True
        if self.kind == "racks_changed":
            return bool(GEOMETRY_RACK_FIELDS.intersection(self.fields))
        if self.kind.startswith("item_"):
            return self.collection in GEOMETRY_COLLECTIONS
        return self.collection == "hall"
