"""Provisional cooling for an imported rack list that came without its room's units.

A rack inventory lists racks, not the CRAHs and CDUs that cool them, and a layout with no
cooling has no steady state. So that an import simulates at once, the importer adds
N+1 perimeter air units along the north wall sized to the racks' air heat and N+1
facility CDUs for the liquid heat (racks assigned to them), and reports every unit it
added: they stand in for the real ones until the user places those (or imports into a
base layout that has them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from twin.model import Catalogue
from twin.model.equipment import Cdu, CoolingUnit

#: Air units by size: below this air heat (kW) 150 kW CRAHs, above it 400 kW fan walls.
SMALL_AIR_KW = 600.0
AIR_MODELS = ("crah-150", "fanwall-400")
CDU_MODEL = "cdu-facility-2500"
#: Sizing margin on the heat before counting units, then one unit more (N+1).
SIZING_MARGIN = 1.1
#: Aisle between the last rack and the units along the north wall (m).
UNIT_AISLE_M = 2.4
#: Facility water temperature rise across a CDU used to size its flow (K).
FACILITY_RISE_K = 8.0


@dataclass
class Provisional:
    units: list[CoolingUnit]
    cdus: list[Cdu]
    rack_cdu: list[str]          # per record: the CDU id ("" for air-cooled racks)
    north_m: float               # the north edge of the units (room length needed)
    east_m: float                # the east edge of the units (room width needed)
    notes: list[str]


def rack_heat_kw(records: list[dict], catalogue: Catalogue) -> tuple[np.ndarray, np.ndarray]:
    """(air kW, liquid kW) per rack record: its fixed power or the model's typical power,
    split by its liquid share or the model's."""
    power, share = [], []
    for r in records:
        e = catalogue[r["model"]]
        p = r.get("power_kw")
        power.append(e.get("typical_kw", e.get("nameplate_kw")) if p is None else p)
        s = r.get("liquid_share")
        share.append(e.get("liquid_fraction") if s is None else s)
    p_kw, ls = np.array(power, float), np.array(share, float)
    return p_kw * (1 - ls), p_kw * ls


def provisional_cooling(records: list[dict], bounds: np.ndarray,
                        catalogue: Catalogue) -> Provisional:
    """Units for the racks in ``records`` whose plan rectangles are ``bounds``."""
    air_kw, liquid_kw = rack_heat_kw(records, catalogue)
    y0 = float(bounds[:, 3].max()) + UNIT_AISLE_M
    x_lo, x_hi = float(bounds[:, 0].min()), float(bounds[:, 2].max())
    air_total, liquid_total = float(air_kw.sum()), float(liquid_kw.sum())
    model = AIR_MODELS[0] if air_total < SMALL_AIR_KW else AIR_MODELS[1]
    cap = catalogue[model].get("capacity_kw")
    n_air = math.ceil(air_total * SIZING_MARGIN / cap) + 1 if air_total > 0 else 0
    cdu_cap = catalogue[CDU_MODEL].get("capacity_kw")
    n_cdu = math.ceil(liquid_total * SIZING_MARGIN / cdu_cap) + 1 if liquid_total > 0 else 0
    air_size = catalogue[model].footprint_m
    # air units on both walls when the racks leave room to the south (hot aisles then
    # return to a unit on either side), else all to the north
    both = n_air > 1 and float(bounds[:, 1].min()) >= air_size[1] + UNIT_AISLE_M / 2
    south = [(model, air_size)] * (n_air // 2 if both else 0)
    north = [(model, air_size)] * (n_air - len(south))
    north += [(CDU_MODEL, catalogue[CDU_MODEL].footprint_m)] * n_cdu
    gap_m = 0.6
    units: list[CoolingUnit] = []
    cdus: list[Cdu] = []
    per_cdu_kw = liquid_total / max(n_cdu - 1, 1)
    flow_lpm = per_cdu_kw / (4.18 * FACILITY_RISE_K) * 60.0
    depth = max((size[1] for _m, size in north), default=0.0)
    east = x_hi
    for wall, boxes in (("north", north), ("south", south)):
        needed = sum(size[0] for _m, size in boxes) + gap_m * max(len(boxes) - 1, 0)
        pitch_extra = max((x_hi - x_lo) - needed, 0.0) / max(len(boxes) - 1, 1)
        x = x_lo
        for m, size in boxes:
            cx = round(x + size[0] / 2, 3)
            cy = round(y0 + depth - size[1] / 2 if wall == "north" else size[1] / 2, 3)
            rot = 0 if wall == "north" else 180      # the unit's front faces the room
            if m == CDU_MODEL:
                cdus.append(Cdu(f"PROV-CDU-{len(cdus) + 1}", m, cx, cy, rot,
                                facility_flow_lpm=round(max(flow_lpm, 100.0), 0)))
            else:
                units.append(CoolingUnit(f"PROV-AIR-{len(units) + 1}", m, cx, cy, rot))
            x += size[0] + gap_m + pitch_extra
            east = max(east, x - gap_m - pitch_extra)
    # liquid racks to CDUs in turn by position (west to east), N+1: the load on N of them
    rack_cdu = [""] * len(records)
    liquid_idx = [i for i in np.argsort(bounds[:, 0], kind="stable") if liquid_kw[i] > 0]
    for n, i in enumerate(liquid_idx):
        rack_cdu[int(i)] = cdus[n % len(cdus)].id
    notes = []
    if units:
        notes.append(f"provisional cooling: {len(units)} x {catalogue[model].name} (N+1 for "
                     f"{air_total:,.0f} kW of air heat) along the north"
                     + (" and south walls" if south else " wall") + "; replace them "
                     "with the room's real units")
    if cdus:
        notes.append(f"provisional cooling: {len(cdus)} x {catalogue[CDU_MODEL].name} (N+1 "
                     f"for {liquid_total:,.0f} kW of liquid heat), liquid-cooled racks "
                     "assigned to them in turn")
    return Provisional(units, cdus, rack_cdu, y0 + depth, east, notes)
