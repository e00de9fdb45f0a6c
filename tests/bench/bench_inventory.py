"""Benchmark: rack inventory import of the 1,440-rack hyperscale hall (target <= 2 s each
for CSV and XLSX: read, match, place, validate, write the layout), and the export.

Run: .venv/bin/python tests/bench/bench_inventory.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from twin.interchange.inventory import build_layout
from twin.interchange.inventory_read import inventory_rows
from twin.interchange.inventory_write import write_inventory
from twin.io import load_layout, save_layout

HALL = Path(__file__).resolve().parents[2] / "layouts" / "hyperscale-hall.json"


def main() -> None:
    hall = load_layout(HALL)
    room = (hall.hall.width_m, hall.hall.length_m, hall.hall.ceiling_height_m)
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".csv", ".xlsx"):
            src = Path(folder, "racks" + suffix)
            t0 = time.perf_counter()
            write_inventory(hall, src)
            t_export = time.perf_counter() - t0
            t0 = time.perf_counter()
            rows, report, _table = inventory_rows(src)
            t_read = time.perf_counter() - t0
            layout = build_layout(rows, report, room_m=room, cooling=False)
            assert layout is not None, report.errors[:3]
            save_layout(layout, Path(folder, "out.json"))
            t_all = time.perf_counter() - t0
            print(f"{suffix[1:]:>4}: {len(rows):,} racks  export {t_export:.2f} s "
                  f"({src.stat().st_size / 1024:,.0f} KiB)  import {t_all:.2f} s "
                  f"(read {t_read:.2f} s)  target <= 2 s")


if __name__ == "__main__":
    main()
