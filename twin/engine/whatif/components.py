"""The single failures of a layout (docs/physics.md §12.1): what can fail, and the layout
snapshot with it failed.

Every room cooling unit, rear door, CDU (all its pumps stop), one pump of each CDU, one
chiller of the plant (of its three: two duty, one standby) and every power component
from the utility feeds down (a disabled component de-energises what it feeds). Failing
a component changes a snapshot, never the layout on screen.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from twin.model.equipment import CHILLER_ID, PLANT_ID, PUMP_SUFFIX
from twin.model import Layout

#: Sweep groups in the order of the summary line, with the words it uses.
GROUPS = {"air": "air cooling", "cdu": "CDUs", "pump": "CDU pumps", "chiller": "chillers",
          "power": "power"}
#: PUMP_SUFFIX ("CDU-A/pump"), CHILLER_ID and PLANT_ID (the whole plant, a ride-through
#: failure, not a single failure of the sweep) live in twin.model.equipment.


@dataclass(frozen=True)
class Component:
    """One thing that can fail: its id (a layout item id, ``CDU/pump`` or the plant's
    chiller), its kind (the catalogue kind, ``cdu pump``, ``chiller``) and sweep group."""

    id: str
    kind: str
    group: str

    @property
    def changes_airflow(self) -> bool:
        """Whether failing it changes the air side's units (a full air solve); the others
        change heat loads only (a power-only or liquid-only update on the base airflow)."""
        return self.group == "air"


def single_failures(layout: Layout) -> list[Component]:
    """Every component of ``layout`` whose single failure the N-1 sweep studies, in a
    stable order: air side, CDUs, CDU pumps, chillers, power chain."""
    cat = layout.catalogue
    out = [Component(u.id, cat[u.model].kind, "air") for u in layout.cooling_units.values()
           if u.enabled]
    cdus = [c for c in layout.cdus.values() if c.failed_pumps < _pumps(layout, c)]
    out += [Component(c.id, "cdu", "cdu") for c in cdus]
    out += [Component(c.id + PUMP_SUFFIX, "cdu pump", "pump") for c in cdus]
    if layout.racks.ids.size or layout.tanks:
        out.append(Component(CHILLER_ID, "chiller", "chiller"))
    out += [Component(p.id, p.kind, "power") for p in layout.power.values() if p.enabled]
    return out


def _pumps(layout: Layout, cdu) -> int:
    return int(layout.catalogue[cdu.model].get("pump_count"))


def with_failed(layout: Layout, ids: list[str]) -> Layout:
    """A snapshot of ``layout`` with the components ``ids`` failed. Raises KeyError naming
    an id that is not a component of the layout."""
    snap = layout.snapshot()
    for cid in ids:
        _fail(snap, cid)
    return snap


def _fail(snap: Layout, cid: str) -> None:
    items = snap.items
    if cid in items["cooling_units"]:
        items["cooling_units"][cid] = dataclasses.replace(items["cooling_units"][cid], enabled=False)
    elif cid in items["cdus"]:
        c = items["cdus"][cid]
        items["cdus"][cid] = dataclasses.replace(c, failed_pumps=_pumps(snap, c))
    elif cid.endswith(PUMP_SUFFIX) and cid[:-len(PUMP_SUFFIX)] in items["cdus"]:
        c = items["cdus"][cid[:-len(PUMP_SUFFIX)]]
        items["cdus"][c.id] = dataclasses.replace(
            c, failed_pumps=min(c.failed_pumps + 1, _pumps(snap, c)))
    elif cid == CHILLER_ID:
        snap.plant = dataclasses.replace(snap.plant,
                                         failed_chillers=min(snap.plant.failed_chillers + 1, 3))
    elif cid == PLANT_ID:
        snap.plant = dataclasses.replace(snap.plant, failed_chillers=3)
    elif cid in items["power"]:
        items["power"][cid] = dataclasses.replace(items["power"][cid], enabled=False)
    else:
        raise KeyError(f"{cid!r} is not a cooling unit, CDU, CDU pump ('ID{PUMP_SUFFIX}'), "
                       f"a chiller of the plant ('{CHILLER_ID}'), the whole plant "
                       f"('{PLANT_ID}') or a power component")
