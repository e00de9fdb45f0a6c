"""Generate the bundled sample layouts from code, so that they stay consistent.

    python layouts/generate.py          # rewrite layouts/*.json
    python layouts/generate.py --check  # exit 1 if a committed sample differs

Every sample is sized like its real counterpart: per-rack power from the catalogue,
cooling capacity covering the load with one unit failed (N+1), feeds sized for 2N.
"""

from __future__ import annotations

import sys
from pathlib import Path

from twin.io import dumps_layout
from twin.model import (Cdu, Containment, CoolingUnit, Grille, Hall, Layout, Plant,
                        PowerComponent, RackTable, Site, Tile, Workload)
from twin.model.fabric import Fabric

HERE = Path(__file__).resolve().parent


#: A warm summer day (dry bulb, C), for the 24-hour profile of the pod.
DAILY_DRY_BULB_C = (22.0, 21.4, 21.0, 20.6, 20.4, 20.8, 22.0, 23.6, 25.4, 27.2, 28.7, 29.8,
                    30.6, 31.2, 31.5, 31.3, 30.7, 29.8, 28.4, 26.8, 25.4, 24.3, 23.4, 22.6)


def rack(rid, model, x, y, rot, workload="", a="", b="", cdu="", name=""):
    return {"id": rid, "name": name or rid, "model": model, "x_m": round(x, 4),
            "y_m": round(y, 4), "rotation_deg": rot, "workload": workload,
            "feed_a": a, "feed_b": b, "cdu": cdu}


def chain_2n(prefix: str, n_ups: int, ups_model: str, transformer: str,
             feeds_per_ups: int, feed_kind: str, feed_model: str, utility_kw: float | None = None):
    """Utility -> per side: transformer(s) -> UPS -> PDUs/busways. Returns (items, A ids, B ids)."""
    items = [PowerComponent(f"{prefix}UTIL", "utility", "utility-feed", rating_kw=utility_kw)]
    feeds = {}
    for side in "AB":
        feeds[side] = []
        for u in range(1, n_ups + 1):
            tx = f"{prefix}TX-{side}{u}"
            ups = f"{prefix}UPS-{side}{u}"
            items.append(PowerComponent(tx, "transformer", transformer, f"{prefix}UTIL", side, "2N"))
            items.append(PowerComponent(ups, "ups", ups_model, tx, side, "2N"))
            for f in range(1, feeds_per_ups + 1):
                fid = f"{prefix}{feed_kind.upper()}-{side}{u}.{f}"
                items.append(PowerComponent(fid, feed_kind, feed_model, ups, side, "2N"))
                feeds[side].append(fid)
    return items, feeds["A"], feeds["B"]


def small_room() -> Layout:
    """14 air-cooled racks, raised floor, 4 perimeter CRAHs (N+1), one cold aisle."""
    hall = Hall(name="Enterprise AI room", width_m=12.0, length_m=10.2, ceiling_height_m=3.6,
                raised_floor=True, plenum_depth_m=0.6, tile_pitch_m=0.6, ceiling_return=False)
    wl = [Workload("train-h100", "H100 fine-tuning", "training", 0.85, 450.0),
          Workload("storage", "Storage and services", "idle", 0.5)]
    power, fa, fb = chain_2n("", 1, "ups-1500", "transformer-3000", 2, "pdu", "pdu-300")
    models = (["storage-rack", "dgx-h100-rack", "dgx-h100-rack", "dgx-h100-rack",
               "dgx-h100-rack", "dgx-h100-rack", "ib-network-rack"],
              ["storage-rack", "dgx-b200-rack", "dgx-b200-rack", "dgx-h100-rack",
               "dgx-h100-rack", "storage-rack", "ib-network-rack"])
    racks, tiles = [], []
    # Cold aisle 1.8 m (three tiles) between y = 4.2 and 6.0; row A faces north, row B south.
    for r, (y, rot, row) in enumerate(((3.6, 180, "A"), (6.6, 0, "B"))):
        for k, model in enumerate(models[r]):
            x = 3.9 + 0.6 * k
            wkl = "train-h100" if "dgx" in model else "storage"
            racks.append(rack(f"{row}{k + 1:02d}", model, x, y, rot, wkl,
                              fa[k % 2], fb[k % 2]))
    for j in range(3):
        for k in range(7):
            tiles.append(Tile(f"T{j + 1}{k + 1:02d}", 3.9 + 0.6 * k, 4.5 + 0.6 * j, 0.56))
    crah = [CoolingUnit("CRAH-1", "crah-150", 0.45, 2.7, 90, 18.0),
            CoolingUnit("CRAH-2", "crah-150", 0.45, 7.5, 90, 18.0),
            CoolingUnit("CRAH-3", "crah-150", 11.55, 2.7, 270, 18.0),
            CoolingUnit("CRAH-4", "crah-150", 11.55, 7.5, 270, 18.0)]
    return Layout("Small air-cooled room", "14 air-cooled racks on a raised floor with "
                  "perforated tiles, four perimeter CRAHs (N+1) and an open cold aisle.",
                  hall, Site(32.0, 23.0), Plant("chiller_only", chilled_water_supply_c=12.0,
                                                economiser=False),
                  RackTable.from_records(racks), workloads=wl, tiles=tiles,
                  cooling_units=crah, power=power)


def gb200_pod() -> Layout:
    """16 GB200 NVL72 + 4 network racks around a contained hot aisle, 2 in-row CDUs."""
    hall = Hall(name="GB200 pod", width_m=14.4, length_m=10.8, ceiling_height_m=4.2,
                raised_floor=False, tile_pitch_m=0.6, ceiling_return=False)
    wl = [Workload("llm-train", "LLM pre-training", "training", 0.92, 1200.0),
          Workload("fabric", "Network fabric", "idle", 0.5)]
    power, fa, fb = chain_2n("", 2, "ups-1500", "transformer-3000", 2, "busway", "busway-800")
    cdus = [Cdu("CDU-A", "cdu-inrow-1350", 2.0, 3.6, 0, 30.0, 2400.0, "W32"),
            Cdu("CDU-B", "cdu-inrow-1350", 2.0, 6.0, 180, 30.0, 2400.0, "W32")]
    racks, cooling = [], []
    # Hot aisle 1.2 m between y = 4.2 and 5.4; row A faces south (backs north), row B north.
    seq = ["inrow", "gb", "gb", "inrow", "gb", "gb", "ib", "inrow", "ib", "gb", "gb",
           "inrow", "gb", "gb"]
    for r, (y, rot, row) in enumerate(((3.6, 0, "A"), (6.0, 180, "B"))):
        x = 2.4
        n_gb = n_in = n_ib = 0
        for kind in seq:
            if kind == "inrow":
                n_in += 1
                cooling.append(CoolingUnit(f"IRC-{row}{n_in}", "inrow-70", x + 0.15, y, rot, 22.0))
                x += 0.3
                continue
            if kind == "gb":
                n_gb += 1
                rid, model, w, cdu = f"{row}{n_gb:02d}", "gb200-nvl72", "llm-train", f"CDU-{row}"
                feed = 2 * r + (n_gb - 1) // 4
            else:
                n_ib += 1
                rid, model, w, cdu = f"{row}-IB{n_ib}", "ib-network-rack", "fabric", ""
                feed = 2 * r + n_ib - 1
            racks.append(rack(rid, model, x + 0.3, y, rot, w, fa[feed], fb[feed], cdu))
            x += 0.6
    cont = [Containment("HAC-1", "hot_aisle", 2.4, 4.2, 9.6, 5.4, 2.24, True, True)]
    # one 800G XDR port per GPU on a non-blocking rail-optimised leaf-spine of Quantum-X800
    # switches; 18 front-end 400G ports per rack (one BlueField-3 per compute tray)
    fabric = Fabric(tiers=2, switch="q3400", ports_per_gpu=1.0, port_gbps=800.0,
                    rail_optimised=True, rails=8, frontend_ports_per_rack=18)
    return Layout("GB200 NVL72 pod", "Enterprise AI pod: 16 GB200 NVL72 racks and 4 InfiniBand "
                  "racks around a contained hot aisle; two 1.35 MW in-row CDUs on W32 facility "
                  "water; residual air heat to 8 in-row coolers; 2N power on busways. Scale-out "
                  "fabric: one 800G port per GPU, a non-blocking rail-optimised leaf-spine of "
                  "Quantum-X800 switches in the network racks, trays above the rows.",
                  hall, Site(30.0, 21.0, DAILY_DRY_BULB_C), Plant("cooling_tower", chilled_water_supply_c=16.0),
                  RackTable.from_records(racks), workloads=wl, cooling_units=cooling,
                  cdus=cdus, containment=cont, power=power, fabric=fabric)


def hyperscale_hall() -> Layout:
    """1,400 GB200 NVL72 racks (100,800 GPUs) in 20 rows, a CDU per 8 racks, rear doors."""
    hall = Hall(name="Hyperscale GB200 hall", width_m=62.4, length_m=60.6, ceiling_height_m=5.0,
                raised_floor=False, tile_pitch_m=0.6, ceiling_return=False)
    wl = [Workload("frontier-train", "Frontier model pre-training", "training", 0.93, 1200.0),
          Workload("serving", "LLM serving", "inference", 0.7, 1500.0, 0.35, 0.5,
                   tuple([0.55] * 7 + [0.8, 0.95, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
                          0.95, 0.9, 0.85, 0.8, 0.7, 0.65, 0.6])),
          Workload("fabric", "Network fabric", "idle", 0.5)]
    power, fa, fb = chain_2n("", 72, "ups-3000", "transformer-5000", 5, "busway", "busway-800",
                             utility_kw=220_000.0)
    racks, cdus, doors = [], [], []
    busway = 0
    for row in range(20):
        pair, back = divmod(row, 2)
        y = 4.2 + 5.4 * pair + (0.6 if back == 0 else 3.0)
        rot = 0 if back == 0 else 180
        x = 6.0
        placed = 0
        in_busway = 0
        for group in range(9):
            n = 8 if group < 8 else 6
            cid = f"CDU-{row + 1:02d}{group + 1}"
            cdus.append(Cdu(cid, "cdu-inrow-1350", x + 0.4, y, rot, 30.0, 1900.0, "W32"))
            x += 0.8
            for _ in range(n):
                placed += 1
                rid = f"R{row + 1:02d}-{placed:02d}"
                workload = "serving" if row >= 16 else "frontier-train"
                racks.append(rack(rid, "gb200-nvl72", x + 0.3, y, rot, workload,
                                  fa[busway], fb[busway], cid))
                doors.append(CoolingUnit(f"RDHX-{rid}", "rdhx-55", x + 0.3, y, rot, 24.0,
                                         rack=rid))
                x += 0.6
                in_busway += 1
                if in_busway == 4:
                    busway, in_busway = busway + 1, 0
        for k in range(2):
            rid = f"R{row + 1:02d}-IB{k + 1}"
            racks.append(rack(rid, "ib-network-rack", x + 0.3, y, rot, "fabric",
                              fa[busway], fb[busway]))
            doors.append(CoolingUnit(f"RDHX-{rid}", "rdhx-55", x + 0.3, y, rot, 24.0, rack=rid))
            x += 0.6
        busway += 1
    crahs = [CoolingUnit(f"CRAH-{side}{k + 1}", "crah-150", 0.45 if side == "W" else 61.95,
                         12.0 + 18.0 * k, 90 if side == "W" else 270, 22.0)
             for side in "WE" for k in range(3)]
    return Layout("Hyperscale GB200 hall", "About 100,000 GPUs: 1,400 GB200 NVL72 racks in 20 "
                  "rows with 180 in-row CDUs on W32 facility water, rear-door heat exchangers "
                  "on every rack for the residual air heat, perimeter CRAHs for the room, 2N power "
                  "on 3 MW UPS lineups and 800 kW busways. The grid allows a 10 MW/s ramp and a 20 MW "
                  "swing at the meter (twin swing). Scale-out fabric sized to the 40 network "
                  "racks: one 800G port per 8 GPUs (9 per rack) on a leaf-spine of Quantum-X800 "
                  "switches, 2:1 at the leaves, on 0.9 m trays above the rows (a full one-port-"
                  "per-GPU fabric needs about eight times the network racks: twin cabling says "
                  "so). Generated by layouts/generate.py.",
                  hall, Site(28.0, 20.0, grid_max_ramp_mw_per_s=10.0, grid_max_swing_mw=20.0), Plant("cooling_tower", chilled_water_supply_c=18.0),
                  RackTable.from_records(racks), workloads=wl, cdus=cdus,
                  cooling_units=crahs + doors, power=power,
                  fabric=Fabric(tiers=2, switch="q3400", ports_per_gpu=0.125, port_gbps=800.0,
                                oversubscription=2.0, tray_width_m=0.9))


def air_cooled_hall() -> Layout:
    """48 air-cooled DGX H100/B200 racks in two hot-aisle-contained pods, fan walls."""
    hall = Hall(name="Air-cooled GPU hall", width_m=19.2, length_m=15.0, ceiling_height_m=4.5,
                raised_floor=False, tile_pitch_m=0.6, ceiling_return=True)
    wl = [Workload("h100-train", "H100 training", "training", 0.9, 450.0),
          Workload("b200-infer", "B200 inference", "inference", 0.75, 900.0, 0.3, 0.55),
          Workload("fabric", "Network fabric", "idle", 0.5)]
    power, fa, fb = chain_2n("", 2, "ups-1500", "transformer-3000", 2, "busway", "busway-800")
    racks, cont = [], []
    rows = ((3.6, 0, "A", "dgx-h100-rack"), (6.0, 180, "B", "dgx-h100-rack"),
            (9.0, 0, "C", "dgx-b200-rack"), (11.4, 180, "D", "dgx-b200-rack"))
    for r, (y, rot, name, model) in enumerate(rows):
        for k in range(12):
            is_ib = k in (0, 11)
            racks.append(rack(f"{name}{k + 1:02d}", "ib-network-rack" if is_ib else model,
                              6.3 + 0.6 * k, y, rot,
                              "fabric" if is_ib else ("h100-train" if r < 2 else "b200-infer"),
                              fa[r], fb[r]))
    cont.append(Containment("HAC-1", "hot_aisle", 6.0, 4.2, 13.2, 5.4, 4.5, False, True))
    cont.append(Containment("HAC-2", "hot_aisle", 6.0, 9.6, 13.2, 10.8, 4.5, False, True))
    walls = [CoolingUnit(f"FW-{side}{k + 1}", "fanwall-400", 0.6 if side == "W" else 18.6,
                         3.0 + 4.5 * k, 90 if side == "W" else 270, 22.0)
             for side in "WE" for k in range(3)]
    return Layout("Air-cooled H100/B200 hall", "44 DGX H100/B200 racks and 4 network racks in "
                  "two hot-aisle-contained pods with chimneys to a ceiling return plenum; six "
                  "400 kW fan walls (N+1); 2N power on busways.",
                  hall, Site(32.0, 22.0), Plant("cooling_tower", chilled_water_supply_c=14.0),
                  RackTable.from_records(racks), workloads=wl, cooling_units=walls,
                  containment=cont, power=power)


#: The measured room's own rack model (the layout's ``catalogue`` block).
SITE_RACK = {
    "kind": "rack", "name": "Site rack (measured)", "cooling": "air",
    "width_m": 0.6, "depth_m": 1.2, "height_m": 2.2, "weight_kg": 900.0,
    "nameplate_kw": 30.0, "airflow_m3s_per_kw": 0.075,
    "sources": {"nameplate_kw": "site survey: largest rack PDU rating",
                "airflow_m3s_per_kw": "site survey: 0.6 m3/s measured at 8 kW"},
}


def measured_room() -> Layout:
    """A measured 12-rack raised-floor room (README, "A measured room"): two facing rows,
    perforated tiles at 18 C with measured flows and no CRAH in the hall, ceiling return
    grilles over the hot aisles, per-rack power, airflow and height."""
    hall = Hall(name="Measured room", width_m=6.0, length_m=7.8, ceiling_height_m=3.0,
                raised_floor=True, plenum_depth_m=0.6, tile_pitch_m=0.6, ceiling_return=True)
    racks, tiles = [], []
    for row, (y, rot, tile_ys) in enumerate(((2.4, 180, (3.3, 3.9)), (5.4, 0, (4.5, 3.9)))):
        for k in range(6):
            x = 1.5 + 0.6 * k
            big = k == 2 + row      # one 30 kW rack in each row
            rid = f"{'AB'[row]}{k + 1:02d}"
            r = rack(rid, "site-rack", x, y, rot)
            r.update(power_kw=30.0 if big else 8.0, airflow_m3s=1.8 if big else 0.6,
                     height_m=2.2)
            racks.append(r)
            # the tile in front of each rack gives its airflow; a 30 kW rack has two
            tiles.append(Tile(f"T-{rid}", x, tile_ys[0], 0.25, 0.9 if big else 0.6, 18.0))
            if big:
                tiles.append(Tile(f"T-{rid}b", x, tile_ys[1], 0.25, 0.9, 18.0))
    grilles = [Grille(f"RG-{side}{k + 1}", "return", 2.1 + 1.8 * k, y, 1.2, 0.6)
               for side, y in (("S", 0.9), ("N", 6.9)) for k in range(2)]
    return Layout("Measured room", "A measured 12-rack raised-floor room: two facing rows, "
                  "perforated tiles at 18 C with measured flows and no CRAH in the hall, "
                  "ceiling return grilles over the hot aisles; per-rack power (8 kW, two at "
                  "30 kW), airflow (0.6 m3/s per 8 kW rack, 1.8 m3/s for the 30 kW ones) and "
                  "height (2.2 m).",
                  hall, Site(30.0, 22.0), Plant("cooling_tower", chilled_water_supply_c=12.0),
                  RackTable.from_records(racks), equipment={"site-rack": SITE_RACK},
                  tiles=tiles, grilles=grilles)


SAMPLES = {
    "small-room.json": small_room,
    "gb200-pod.json": gb200_pod,
    "hyperscale-hall.json": hyperscale_hall,
    "air-cooled-hall.json": air_cooled_hall,
    "measured-room.json": measured_room,
}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, build in SAMPLES.items():
        text = dumps_layout(build())
        path = HERE / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    for name in stale:
        print(f"{name}: differs from layouts/generate.py; run python layouts/generate.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
