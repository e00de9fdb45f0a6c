"""Generate the CFD case library: small rooms that differ in what matters to the air model.

    python tests/bench/cfd/rooms/make_rooms.py        # rewrite tests/bench/cfd/rooms/*.json

Every room is a layout file built on the small-room sample (its power chain, plant and
workloads) with explicit rack powers and airflows (0.075 m³/s per kW of air heat, about
an 11 K rise), so the CFD case exported from it (`twin export-openfoam`) has exactly the
live model's flows.  Base room 7.2 × 6.0 × 3.0 m, rows of five 0.6 × 1.2 × 2.0 m racks
from x = 2.1 to 5.1 m, two CRAHs against the west and east walls.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = HERE.parents[3] / "layouts" / "small-room.json"
MEASURED = HERE.parents[3] / "layouts" / "measured-room.json"
CATALOGUE = json.loads((HERE.parents[3] / "resources" / "catalogue.json").read_text())["equipment"]
FLOW_PER_KW = 0.075
X0, PER_ROW, W = 2.1, 5, 0.6


def row(name, y_lo, rot, powers, liquid=None, cdu="", model="storage-rack"):
    """Five racks with their backs/fronts on y_lo .. y_lo + 1.2; rot 180 faces +y."""
    out = []
    for i, p in enumerate(powers):
        air_kw = p * (1 - (liquid or 0.0))
        out.append({"id": f"{name}{i + 1:02d}", "name": f"{name}{i + 1:02d}", "model": model,
                    "position_m": [round(X0 + W * (i + 0.5), 4), round(y_lo + 0.6, 4)],
                    "rotation_deg": rot, "workload": "storage", "power_kw": p,
                    "airflow_m3s": round(FLOW_PER_KW * air_kw, 4),
                    "feed_a": "PDU-A1.1", "feed_b": "PDU-B1.1", "cdu": cdu,
                    **({"liquid_share": liquid} if liquid else {})})
    return out


def tiles(*ys, x_lo=X0, n=PER_ROW):
    return [{"id": f"T{round(y * 10):03d}{i}", "open_fraction": 0.56,
             "position_m": [round(x_lo + W * (i + 0.5), 4), y]}
            for k, y in enumerate(ys) for i in range(n)]


def crahs(total_m3s, length_m, y=3.0, width_m=7.2):
    return [{"id": f"CRAH-{k + 1}", "model": "crah-150", "location": "hall", "enabled": True,
             "position_m": [x, y], "rotation_deg": rot, "supply_setpoint_c": 18.0, "rack": "",
             "airflow_m3s": round(total_m3s / 2, 4)}
            for k, (x, rot) in enumerate(((0.45, 90), (round(width_m - 0.45, 4), 270)))]


def air_m3s(racks):
    return sum(r["airflow_m3s"] for r in racks)


def room(base, name, description, racks, units, tile_list, length=6.0, ceiling=False,
         raised=True, containment=(), cdus=(), width=7.2):
    d = copy.deepcopy(base)
    d["name"], d["description"] = name, description
    d["hall"].update(width_m=width, length_m=length, ceiling_height_m=3.0, ceiling_return=ceiling,
                     raised_floor=raised, name=name)
    d.update(racks=racks, cooling_units=units, tiles=tile_list, containment=list(containment),
             grilles=[], cdus=list(cdus), cable_trays=[], scenarios=[], immersion_tanks=[])
    d.pop("fabric", None)
    return d


def axis_rows(base, name, rack_kw, n, width, beyond="1.2 m", capacity_kw=None):
    """Two facing rows of ``n`` equal racks on a balanced 1.2 m open aisle (two tile rows),
    a CRAH on the aisle's axis at each end wall (``capacity_kw`` each where the catalogue
    unit's is too small for the racks)."""
    racks = row("A", 1.2, 180, [rack_kw] * n) + row("B", 3.6, 0, [rack_kw] * n)
    units = crahs(air_m3s(racks), 6.0, width_m=width)
    if capacity_kw is not None:
        units = [dict(u, capacity_kw=capacity_kw) for u in units]
    return room(base, name, f"{rack_kw:g} kW racks, balanced open aisle, CRAHs on the aisle's "
                f"axis {beyond} beyond the row ends", racks, units, tiles(2.7, 3.3, n=n),
                width=width)


def rooms(base):
    even = [12.0] * PER_ROW
    facing = row("A", 1.2, 180, even) + row("B", 3.6, 0, even)
    cold = tiles(2.7, 3.3)
    q = air_m3s(facing)
    out = {
        "open_balanced": room(base, "Open aisle, balanced", "two facing rows, tiles = rack airflow, "
                              "CRAHs return through their tops", facing, crahs(q, 6.0), cold),
        "open_starved": room(base, "Open aisle, starved", "tiles = 75 % of rack airflow",
                             facing, crahs(0.75 * q, 6.0), cold),
        "open_oversupplied": room(base, "Open aisle, over-supplied", "tiles = 130 % of rack airflow",
                                  facing, crahs(1.3 * q, 6.0), cold),
        "ceiling_return": room(base, "Ceiling return", "balanced open aisle, return through a "
                               "ceiling plenum", facing, crahs(q, 6.0), cold, ceiling=True),
        "cold_contained": room(base, "Contained cold aisle", "roof and end doors, tiles = 90 % of "
                               "rack airflow", facing, crahs(0.9 * q, 6.0), cold,
                               containment=[{"id": "CA1", "kind": "cold_aisle",
                                             "rect_m": [X0, 2.4, X0 + PER_ROW * W, 3.6],
                                             "height_m": 2.0, "roof": True, "end_doors": True}]),
    }
    # three more contained cold aisles (added after the door-leak rule was drafted, as
    # its check): uneven racks at 80 %, no roof at 90 %, over-supplied at 115 %
    uneven = row("A", 1.2, 180, [8.0, 12.0, 20.0, 12.0, 8.0]) + row("B", 3.6, 0, [12.0, 8.0, 8.0, 20.0, 12.0])
    aisle = {"id": "CA1", "kind": "cold_aisle", "rect_m": [X0, 2.4, X0 + PER_ROW * W, 3.6],
             "height_m": 2.0, "roof": True, "end_doors": True}
    out["contained_uneven"] = room(base, "Contained cold aisle, uneven racks", "roof and end doors, "
                                   "8-20 kW racks, tiles = 80 % of rack airflow", uneven,
                                   crahs(0.8 * air_m3s(uneven), 6.0), cold, containment=[aisle])
    out["contained_no_roof"] = room(base, "Cold aisle with end doors, no roof", "tiles = 90 % of "
                                    "rack airflow", facing, crahs(0.9 * q, 6.0), cold,
                                    containment=[dict(aisle, roof=False)])
    out["contained_over"] = room(base, "Contained cold aisle, over-supplied", "roof and end doors, "
                                 "tiles = 115 % of rack airflow", facing, crahs(1.15 * q, 6.0), cold,
                                 containment=[aisle])
    # a longer contained aisle (rows of eight in a 9.6 m room), drawn after the door-leak
    # rule and the three rooms above, to see whether the leaked air still comes down
    # mid-row when the row is long
    eight = [12.0] * 8
    long_rows = row("A", 1.2, 180, eight) + row("B", 3.6, 0, eight)
    out["contained_long"] = room(base, "Contained cold aisle, rows of eight", "roof and end doors, "
                                 "tiles = 85 % of rack airflow", long_rows,
                                 crahs(0.85 * air_m3s(long_rows), 6.0, width_m=9.6),
                                 tiles(2.7, 3.3, n=8), width=9.6,
                                 containment=[dict(aisle, rect_m=[X0, 2.4, X0 + 8 * W, 3.6])])
    back = row("A", 1.2, 0, even) + row("B", 3.6, 180, even)
    out["hot_chimney"] = room(base, "Hot-aisle chimney", "rows back to back, hot aisle with a roof "
                              "ducted to the ceiling plenum", back, crahs(air_m3s(back), 6.0, y=0.6 + 1.25),
                              tiles(0.3, 0.9) + tiles(5.1, 5.7), ceiling=True,
                              containment=[{"id": "HA1", "kind": "hot_aisle",
                                            "rect_m": [X0, 2.4, X0 + PER_ROW * W, 3.6],
                                            "height_m": 2.0, "roof": True, "end_doors": True}])
    mixed = row("A", 1.2, 180, [4.0, 8.0, 30.0, 8.0, 4.0]) + row("B", 3.6, 0, [8.0, 40.0, 8.0, 8.0, 12.0])
    out["mixed_density"] = room(base, "Mixed densities", "4-40 kW racks, airflow ∝ power, balanced",
                                mixed, crahs(air_m3s(mixed), 6.0), cold)
    same = row("A", 1.2, 0, even) + row("B", 3.6, 0, even)
    out["same_direction"] = room(base, "Rows facing the same way", "the back row breathes the "
                                 "front row's exhaust; tiles in front of both", same,
                                 crahs(air_m3s(same), 6.0), tiles(0.3, 0.9) + tiles(2.7, 3.3))
    three = row("A", 1.2, 180, even) + row("B", 3.6, 0, even) + row("C", 6.0, 180, even)
    out["three_rows"] = room(base, "Three rows", "two cold aisles, one shared hot aisle",
                             three, crahs(air_m3s(three), 9.0, y=4.5), cold + tiles(7.5, 8.1), length=9.0)
    inrow = [{"id": f"IRC-{k + 1}", "model": "inrow-70", "location": "hall", "enabled": True,
              "position_m": [x, y], "rotation_deg": rot, "supply_setpoint_c": 20.0, "rack": "",
              "airflow_m3s": round(q / 4, 4)}
             for k, (x, y, rot) in enumerate(((X0 - 0.15, 1.8, 180), (X0 + PER_ROW * W + 0.15, 1.8, 180),
                                               (X0 - 0.15, 4.2, 0), (X0 + PER_ROW * W + 0.15, 4.2, 0)))]
    out["inrow_coolers"] = room(base, "In-row coolers", "no raised floor, four in-row coolers at the "
                                "row ends", facing, inrow, [], raised=False)
    liquid = row("A", 1.2, 180, even) + row("B", 3.6, 0, [40.0] * PER_ROW, liquid=0.75, cdu="CDU-1",
                                             model="dlc-rack-40")
    # the CDU (not an air obstacle in the twin) stands in the north-east corner
    cdu = {"id": "CDU-1", "model": "cdu-inrow-1350", "position_m": [6.6, 5.4], "rotation_deg": 0,
           "coolant": "PG25", "facility_flow_lpm": 600.0, "facility_supply_c": 30.0,
           "failed_pumps": 0, "header_k_pa_per_m3s2": 4000000.0, "return_limit_c": 50.0,
           "water_class": "W32"}
    out["liquid_row"] = room(base, "Liquid-cooled row", "row B 40 kW racks with 75 % to liquid "
                             "(10 kW residual air heat) on one CDU", liquid, crahs(air_m3s(liquid), 6.0),
                             cold, cdus=[cdu])
    # the liquid racks: the storage rack's box with cold plates (a layout's own model)
    dlc = dict(CATALOGUE["storage-rack"], name="Direct-liquid-cooled rack 40 kW", cooling="liquid",
               nameplate_kw=40.0, typical_kw=40.0, overhead_kw=40.0, liquid_fraction=0.75,
               coolant_lpm_per_kw=1.5, branch_k_pa_per_m3s2=1.2e10)
    dlc.pop("aliases", None)
    out["liquid_row"]["catalogue"] = {"dlc-rack-40": dlc}
    # the CRAHs against the north wall behind row B (returning through their tops), none
    # at the aisle ends: no return draws across the row ends
    north = [dict(u, position_m=[x, 7.2 - 0.45], rotation_deg=180)
             for u, x in zip(crahs(q, 7.2), (1.8, 5.4))]
    out["north_crahs"] = room(base, "CRAHs on the north wall", "balanced open aisle, the CRAHs "
                              "behind row B, the row ends open to the room", facing, north, cold,
                              length=7.2)
    # two rooms drawn after the stop-42 model was fixed, run once as a check on rooms the
    # constants were not fitted to: CRAHs off the aisle's axis (one at each end wall, in
    # line with the backs of opposite rows), and a 1.8 m aisle of three tile rows between
    # rows of eight
    diagonal = [dict(u, position_m=[u["position_m"][0], y])
                for u, y in zip(crahs(q, 6.0), (1.25, 4.75))]
    out["offaxis_crahs"] = room(base, "CRAHs off the aisle axis", "balanced open aisle, one CRAH "
                                "at each end wall, in line with the backs of opposite rows",
                                facing, diagonal, cold)
    wide = row("A", 1.2, 180, eight) + row("B", 4.2, 0, eight)
    out["wide_aisle"] = room(base, "Wide aisle, rows of eight", "1.8 m aisle of three tile rows, "
                             "tiles = rack airflow", wide,
                             crahs(air_m3s(wide), 6.6, y=3.3, width_m=9.6),
                             tiles(2.7, 3.3, 3.9, n=8), width=9.6, length=6.6)
    # and two more of stop 42, common layouts the library lacked: rows of ten with the
    # CRAHs on the aisle's axis at unequal distances beyond the ends (1.2 and 3.15 m), and
    # CRAHs on both long walls behind the rows (none at the ends)
    out["long_rows"] = axis_rows(base, "Rows of ten", 12.0, 10, 11.7, "1.2 and 3.15 m")
    # stop 43: rows of sixteen, to see whether the rows of ten's mid-row pattern (the
    # supply column stopping below the top of the faces) grows with the row
    out["rows_of_sixteen"] = axis_rows(base, "Rows of sixteen", 12.0, 16, 13.8, capacity_kw=250.0)
    # stop 44: three rooms drawn after the row-length law (docs/physics.md §2.9) was fixed
    # and run once, as a check of it on row lengths, powers and an aisle width it was not
    # chosen on: rows of seven and of thirteen on the 1.2 m aisle, rows of twelve on a
    # 1.8 m aisle of three tile rows
    out["rows_of_seven"] = axis_rows(base, "Rows of seven", 12.0, 7, 8.4)
    out["rows_of_thirteen"] = axis_rows(base, "Rows of thirteen", 8.0, 13, 12.0)
    twelve = row("A", 1.2, 180, [16.0] * 12) + row("B", 4.2, 0, [16.0] * 12)
    out["wide_rows_of_twelve"] = room(base, "Wide aisle, rows of twelve", "16 kW racks, 1.8 m "
                                      "aisle of three tile rows, tiles = rack airflow", twelve,
                                      [dict(u, capacity_kw=250.0)      # 384 kW of racks
                                       for u in crahs(air_m3s(twelve), 6.6, y=3.3, width_m=11.4)],
                                      tiles(2.7, 3.3, 3.9, n=12), width=11.4, length=6.6)
    # and two more drawn after the law was chosen again on all 28 (4.2 m / L), run once as
    # its first check on rows it has not seen: rows of nine with 16 kW racks and rows of
    # twenty with 12 kW racks, both on the 1.2 m aisle
    out["rows_of_nine"] = axis_rows(base, "Rows of nine", 16.0, 9, 9.6, capacity_kw=200.0)
    out["rows_of_twenty"] = axis_rows(base, "Rows of twenty", 12.0, 20, 16.2, capacity_kw=300.0)
    walls = [dict(u, position_m=[x, y], rotation_deg=rot)
             for u, (x, y, rot) in zip(crahs(q, 7.8), ((3.6, 0.45, 0), (3.6, 7.8 - 0.45, 180)))]
    out["wall_crahs"] = room(base, "CRAHs behind both rows", "balanced open aisle, one CRAH on "
                             "each long wall behind a row, the row ends open to the room",
                             row("A", 1.8, 180, even) + row("B", 4.2, 0, even), walls,
                             tiles(3.3, 3.9), length=7.8)
    # stop 45: three rooms drawn after items 20 and 21 (docs/physics.md §2.9) were fixed
    # and run once, as their check: rows of ten with 8 and with 16 kW racks (the row's
    # draw per metre: 1.0 and 2.0 m³/s), and rows of seven with the CRAHs on both long
    # walls behind the rows (the end racks drawing beside themselves)
    out["rows_of_ten_8kw"] = axis_rows(base, "Rows of ten, 8 kW racks", 8.0, 10, 10.2)
    out["rows_of_ten_16kw"] = axis_rows(base, "Rows of ten, 16 kW racks", 16.0, 10, 10.2,
                                        capacity_kw=200.0)
    seven = [12.0] * 7
    walls7 = [dict(u, position_m=[x, y], rotation_deg=rot)
              for u, (x, y, rot) in zip(crahs(2 * 7 * 12.0 * FLOW_PER_KW, 7.8),
                                        ((4.2, 0.45, 0), (4.2, 7.8 - 0.45, 180)))]
    out["wall_crahs_seven"] = room(base, "CRAHs behind rows of seven", "balanced open aisle, "
                                   "rows of seven, one CRAH on each long wall behind a row, the "
                                   "row ends open to the room",
                                   row("A", 1.8, 180, seven) + row("B", 4.2, 0, seven), walls7,
                                   tiles(3.3, 3.9, n=7), length=7.8, width=8.4)
    # stop 47: in-row coolers along the rows, drawn as the check of the in-row jet term
    # (docs/physics.md §2.3): rows of eight with a cooler at each end and one mid-row, and
    # rows of six 8 kW racks with one cooler in the middle and none at the ends
    out["inrow_rows_of_eight"] = room(base, "In-row coolers, rows of eight", "no raised floor, "
                                      "12 kW racks, coolers at both row ends and mid-row",
                                      *inrow_rows("CRRRRCRRRRC", 12.0), raised=False, width=9.9)
    out["inrow_mid_row"] = room(base, "In-row cooler mid-row", "no raised floor, 8 kW racks, one "
                                "cooler in the middle of each row of six, none at the ends",
                                *inrow_rows("RRRCRRR", 8.0), raised=False, width=8.1)
    # then one drawn once the throw time was chosen on those three, run as its check:
    # rows of nine with two coolers each, staggered (no cooler faces another across the
    # aisle) — its CFD's west end ran 13 K over supply, and the jets' spread along the
    # aisle was limited to coolers that meet another's jet; and one drawn after that, as
    # the check of the lane: coolers in one row only, facing racks
    out["inrow_staggered"] = room(base, "In-row coolers, staggered", "no raised floor, 12 kW "
                                  "racks, rows of nine with two coolers each, none facing "
                                  "another across the aisle",
                                  *inrow_rows(("RRCRRRRRCRR", "RRRRRCRRRRC"), 12.0), raised=False,
                                  width=10.2)
    out["inrow_one_row"] = room(base, "In-row coolers in one row", "no raised floor, 8 kW racks, "
                                "three coolers in row A, none in row B",
                                *inrow_rows(("RCRRRCRRRCR", "RRRRRRRRR"), 8.0), raised=False,
                                width=9.9)
    return out


def inrow_rows(pattern, rack_kw):
    """Two facing rows (as ``row``) built from ``pattern`` (one for both rows, or a pair):
    R a 0.6 m rack, C a 0.3 m in-row cooler; the coolers share the racks' airflow
    equally.  Returns (racks, units, tiles)."""
    racks, spots = [], []
    patterns = (pattern, pattern) if isinstance(pattern, str) else pattern
    for (name, y, rot), pattern in zip((("A", 1.8, 180), ("B", 4.2, 0)), patterns):
        x, k = X0, 0
        for part in pattern:
            w = W if part == "R" else 0.3
            if part == "R":
                k += 1
                racks.append({"id": f"{name}{k:02d}", "name": f"{name}{k:02d}", "model": "storage-rack",
                              "position_m": [round(x + w / 2, 4), y], "rotation_deg": rot,
                              "workload": "storage", "power_kw": rack_kw,
                              "airflow_m3s": round(FLOW_PER_KW * rack_kw, 4),
                              "feed_a": "PDU-A1.1", "feed_b": "PDU-B1.1", "cdu": ""})
            else:
                spots.append((round(x + w / 2, 4), y, rot))
            x += w
    units = [{"id": f"IRC-{k + 1}", "model": "inrow-70", "location": "hall", "enabled": True,
              "position_m": [x, y], "rotation_deg": rot, "supply_setpoint_c": 20.0, "rack": "",
              "airflow_m3s": round(air_m3s(racks) / len(spots), 4)}
             for k, (x, y, rot) in enumerate(spots)]
    return racks, units, []


def measured_rooms(measured):
    """Three rooms on the measured-room sample (12 racks of 2.2 m in two facing rows,
    a 1.8 m cold aisle, tiles with fixed flows at 18 °C, no CRAH in the hall, a ceiling
    plenum fed by return grilles over the two hot aisles): its mixed floor as it is (two
    30 kW racks among 8 kW ones, extra tiles in front of them), and all-8 kW floors with
    the tiles at 100 % and 75 % of the racks' airflow."""
    out = {}
    mixed = copy.deepcopy(measured)
    mixed.update(name="Ceiling vents, mixed", description="measured room: two 30 kW racks among "
                 "8 kW ones, tiles = rack airflow, return grilles over the hot aisles")
    out["vents_mixed"] = mixed
    for name, share, what in (("vents_balanced", 1.0, "balanced"), ("vents_starved", 0.75, "starved")):
        d = copy.deepcopy(measured)
        for r in d["racks"]:
            r.update(power_kw=8.0, airflow_m3s=0.6)
        d["tiles"] = [dict(t, flow_m3s=round(0.6 * share, 4)) for t in d["tiles"]
                      if abs(t["position_m"][1] - 3.9) > 0.01]     # no extra tiles mid-aisle
        d.update(name=f"Ceiling vents, {what}",
                 description=f"measured room, all racks 8 kW, tiles = {share * 100:g} % of rack "
                 "airflow, return grilles over the hot aisles")
        out[name] = d
    return out


def sample_room(base):
    """The small-room sample itself, as the app opens it (14 racks in two facing rows of
    seven, catalogue racks with their workloads, four CRAHs): added after the constants
    were fitted, as a room they were not tuned on."""
    d = copy.deepcopy(base)
    d.update(name="Small-room sample", description="layouts/small-room.json as shipped")
    return {"small_room": d}


def main() -> int:
    base = json.loads(BASE.read_text())
    made = rooms(base) | measured_rooms(json.loads(MEASURED.read_text())) | sample_room(base)
    for name, d in made.items():
        (HERE / f"{name}.json").write_text(json.dumps(d, indent=1) + "\n")
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
