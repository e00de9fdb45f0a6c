"""Alerts a design reviewer must not miss that come from the layout itself, not the physics:
overlapping footprints, footprints outside the hall, racks standing in a contained aisle,
containment opened by a moved rack, and redundancy groups short of the hall's design target.

Rules (docs/physics.md §9.5):

* **Overlap** (``footprint_overlap``, critical): two footprints (racks, room units,
  CDUs, tanks) overlap by more than 1 µm; one alert per item, naming the others.
* **Outside the hall** (``outside_hall``, critical): a footprint leaves the hall.
* **In a contained aisle** (``in_contained_aisle``, critical): a rack or unit whose
  footprint overlaps a containment rectangle by more than ``AISLE_TOL_M`` on both axes.
* **Containment open** (``containment_open``, critical): a contained aisle's walls are
  its two long sides (the rectangle's longer axis; the short ends are its doors). Each
  long side is closed by the footprints that stand against it from outside: those
  overlapping the strip ``WALL_BAND_M`` wide just outside the side. A stretch of a side
  longer than ``GAP_TOL_M`` that no such footprint covers is a gap. A side on the hall
  boundary is a wall and is not checked. The alert targets the footprint next to the
  gap (so the views mark where the hole is), or the zone if none stands on that side.
* **N−1 shortfall** (``redundancy_shortfall``, warning): each redundancy group must
  carry its load after losing as many of its largest members as the design target
  allows — ``N``: none (over-capacity alerts cover it), ``N+1``: the largest one,
  ``2N``: the largest half (⌈n/2⌉). Groups: the hall's enabled room air units (capacity
  vs the heat they remove), its CDUs (capacity vs exchanger duty), each CDU's installed
  pumps (the engine runs count − 1 duty pumps), and the hall's UPSs and transformers
  (rating vs output load; the utility is the metering point, and A/B feeds are checked
  by the 2N failover alert ``side_cannot_carry_load``). The alert targets the largest
  member (the first id of equal ones, so the order of items in the file changes nothing). A pump already failed is reported by the
  liquid alerts; the pump check is of the installed design.

Qt-free; footprints come from ``FloorGeometry``.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from twin.model import Layout
from twin.model import units as fmt
from twin.model.floor import FloorGeometry
from twin.physics.facility import Alert

#: Strip outside a long side of a contained aisle where footprints count as its wall (m).
WALL_BAND_M = 0.1
#: Shortest uncovered stretch of a wall that counts as a gap (m).
GAP_TOL_M = 0.05
#: Overlap of a footprint with an aisle, on both axes, that puts it inside the aisle (m).
AISLE_TOL_M = 0.05
#: Distance from the hall boundary within which an aisle side counts as on the wall (m).
HALL_WALL_TOL_M = 0.05
#: Power-chain kinds checked as redundancy groups, with their names in messages.
#: The utility is the metering point (one feed stands for the grid), so it is no group;
#: A/B feeds are checked by the power alerts' 2N failover (``side_cannot_carry_load``).
POWER_GROUPS = {"transformer": "transformers", "ups": "UPSs"}

CRITICAL, WARNING = "critical", "warning"


# ============================================================================ geometry
def geometry_alerts(layout: Layout, floor: FloorGeometry | None = None) -> list[Alert]:
    """Overlaps, footprints outside the hall, footprints in a contained aisle, open
    containment."""
    own = floor is None
    f = FloorGeometry(layout) if floor is None else floor
    try:
        out: list[Alert] = []
        for item in sorted(f.neighbours, key=str):
            others = sorted(str(o) for o in f.neighbours[item])
            if others:
                out.append(Alert(CRITICAL, "footprint_overlap", str(item),
                                 f"footprint overlaps {_names(others)}"))
        for item in sorted(f.outside, key=str):
            out.append(Alert(CRITICAL, "outside_hall", str(item),
                             "footprint leaves the hall"))
        out += _aisle_alerts(layout, f)
        return out
    finally:
        if own:
            f.close()


def _aisle_alerts(layout: Layout, f: FloorGeometry) -> list[Alert]:
    if not len(f.zone_ids):
        return []
    ids, bounds = f.obstacles()
    hall = layout.hall
    out: list[Alert] = []
    for zid, z in zip(f.zone_ids, f.zone_bounds_m):
        zone = layout.containment[zid]
        aisle = zone.kind.replace("_", " ")
        inside = ((bounds[:, 0] < z[2] - AISLE_TOL_M) & (bounds[:, 2] > z[0] + AISLE_TOL_M)
                  & (bounds[:, 1] < z[3] - AISLE_TOL_M) & (bounds[:, 3] > z[1] + AISLE_TOL_M))
        for k in np.nonzero(inside)[0]:
            out.append(Alert(CRITICAL, "in_contained_aisle", str(ids[k]),
                             f"stands inside the contained {aisle} {zid}: it blocks the "
                             "aisle and is no longer part of its wall"))
        out += _wall_gaps(zid, aisle, z, ids, bounds, hall.width_m, hall.length_m)
    return out


def _wall_gaps(zid: str, aisle: str, z: np.ndarray, ids: np.ndarray, bounds: np.ndarray,
               width_m: float, length_m: float) -> list[Alert]:
    """Gaps in the two long sides of aisle ``z`` (x0, y0, x1, y1)."""
    along_x = (z[2] - z[0]) >= (z[3] - z[1])
    a, c = (0, 1) if along_x else (1, 0)          # along-axis and cross-axis columns
    lo, hi = z[a], z[a + 2]
    hall_hi = length_m if along_x else width_m
    out = []
    for edge, outward, name in ((z[c], -1, "south" if along_x else "west"),
                                (z[c + 2], 1, "north" if along_x else "east")):
        if edge <= HALL_WALL_TOL_M or edge >= hall_hi - HALL_WALL_TOL_M:
            continue
        band = (edge - WALL_BAND_M, edge) if outward < 0 else (edge, edge + WALL_BAND_M)
        wall = ((bounds[:, c] < band[1]) & (bounds[:, c + 2] > band[0])
                & (bounds[:, a] < hi) & (bounds[:, a + 2] > lo))
        spans = sorted((max(b[a], lo), min(b[a + 2], hi), str(i))
                       for b, i in zip(bounds[wall], ids[wall]))
        for g0, g1, next_to in _uncovered(spans, lo, hi):
            axis = "x" if along_x else "y"
            out.append(Alert(CRITICAL, "containment_open", next_to or zid,
                             f"{aisle} {zid} is open: {fmt.num(g1 - g0, 2)} m gap in its "
                             f"{name} wall at {axis} = {fmt.num(g0, 2)}\u2013{fmt.num(g1, 2)} m"
                             ": no rack or unit closes it, so hot and cold air mix there; "
                             "the air model puts a panel along the whole side and does "
                             "not show this leak"))
    return out


def _uncovered(spans: list[tuple[float, float, str]], lo: float, hi: float
               ) -> list[tuple[float, float, str]]:
    """Stretches of [lo, hi] longer than GAP_TOL_M that no span covers, each with the id
    of a neighbouring span ('' if the side has none)."""
    gaps = []
    reach, last = lo, ""
    for s0, s1, sid in spans:
        if s0 - reach > GAP_TOL_M:
            gaps.append((reach, s0, last or sid))
        if s1 > reach:
            reach, last = s1, sid
    if hi - reach > GAP_TOL_M:
        gaps.append((reach, hi, last))
    return gaps


def _names(ids: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


# ========================================================================== redundancy
def units_to_lose(target: str, n: int) -> int:
    """Members of a group of ``n`` the design target says may fail: N 0, N+1 1, 2N ⌈n/2⌉."""
    return {"N": 0, "N+1": 1, "2N": math.ceil(n / 2)}.get(target, 1)


def group_shortfall(capacities: np.ndarray, load: float, target: str
                    ) -> tuple[int, float] | None:
    """(members lost, capacity left) when the group cannot carry ``load`` after losing its
    largest members allowed by ``target``; None when it can (or the target is N)."""
    caps = np.sort(np.asarray(capacities, float))[::-1]
    k = units_to_lose(target, len(caps))
    if k == 0 or load <= 0:
        return None
    left = float(caps[k:].sum())
    return (k, left) if left < load * (1 - 1e-9) else None


def redundancy_alerts(layout: Layout, *, unit_ids: Sequence[str] = (),
                      unit_load_kw: np.ndarray | None = None, cdu_ids: Sequence[str] = (),
                      cdu_load_kw: np.ndarray | None = None, power_ids: Sequence[str] = (),
                      power_kinds: Sequence[str] = (), power_rating_kw: np.ndarray | None = None,
                      power_load_kw: np.ndarray | None = None) -> list[Alert]:
    """N−1 shortfalls of the hall's redundancy groups against ``hall.redundancy_target``."""
    target = layout.hall.redundancy_target
    cat = layout.catalogue
    out: list[Alert] = []

    def check(group: str, ids: list[str], caps: np.ndarray, load: float, what: str) -> None:
        if not ids:
            return
        miss = group_shortfall(caps, load, target)
        if miss is None:
            return
        k, left = miss
        lost = "the largest" if k == 1 else f"the {k} largest"
        largest = min(range(len(ids)), key=lambda k: (-caps[k], ids[k]))  # ties: id order
        out.append(Alert(WARNING, "redundancy_shortfall", ids[largest],
                         f"{group} below the {target} design target: with {lost} of "
                         f"{len(ids)} failed, {fmt.kw(left)} kW {what} is left for "
                         f"{fmt.kw(load)} kW of load"))

    if unit_load_kw is not None and len(unit_ids):
        units = [layout.cooling_units[u] for u in unit_ids]
        on = [k for k, u in enumerate(units) if u.enabled]
        caps = np.array([_capacity(layout, units[k]) for k in on], float)
        load = float(np.nansum(np.asarray(unit_load_kw, float)[on])) if on else 0.0
        check("Room air units", [unit_ids[k] for k in on], caps, load, "of air cooling")
    if cdu_load_kw is not None and len(cdu_ids):
        cdus = [layout.cdus[c] for c in cdu_ids]
        caps = np.array([_capacity(layout, c) for c in cdus], float)
        check("CDUs", list(cdu_ids), caps, float(np.nansum(cdu_load_kw)), "of CDU capacity")
        for c in cdus:
            installed = int(cat[c.model].get("pump_count"))
            duty = max(installed - 1, 1)
            miss = group_shortfall(np.ones(installed), duty, target)
            if miss is not None:
                out.append(Alert(WARNING, "redundancy_shortfall", c.id,
                                 f"CDU pumps below the {target} design target: {installed} "
                                 f"installed for {duty} duty; with {miss[0]} failed "
                                 f"{fmt.num(miss[1])} are left"))
    if power_load_kw is not None and len(power_ids):
        rating = np.asarray(power_rating_kw, float)
        load_kw = np.asarray(power_load_kw, float)
        for kind, name in POWER_GROUPS.items():
            idx = [k for k, kd in enumerate(power_kinds)
                   if kd == kind and np.isfinite(rating[k]) and rating[k] > 0]
            check(name[0].upper() + name[1:], [power_ids[k] for k in idx], rating[idx],
                  float(load_kw[idx].sum()), "of rating")
    return out


def _capacity(layout: Layout, item) -> float:
    own = getattr(item, "capacity_kw", None)
    return float(own) if own is not None else float(layout.catalogue[item.model].get("capacity_kw"))
