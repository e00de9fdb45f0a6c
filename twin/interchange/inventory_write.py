"""Rack inventories out: the layout's racks as a CSV or XLSX table that the import reads
back (same racks, positions and powers), optionally with simulated results beside them."""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path
from typing import Any

from twin.interchange.errors import InterchangeError
from twin.io.atomic import write_atomic
from twin.model import Layout

#: Columns written, in order; all of them are import aliases (``inventory_read.COLUMNS``).
COLUMNS = ("id", "name", "row", "x_m", "y_m", "facing", "model", "power_kw", "power_basis",
           "budget_kw", "airflow_m3s", "liquid_share", "weight_kg")
#: Result columns (with a simulation); the import lists them as ignored.
RESULT_COLUMNS = ("sim_power_kw", "sim_inlet_c", "sim_inlet_max_c", "sim_exhaust_c")
FACING_LETTER = {0: "S", 90: "E", 180: "N", 270: "W"}


class InventoryWriteError(InterchangeError):
    """The inventory could not be written."""


def inventory_table(layout: Layout, result: Any = None) -> list[list[Any]]:
    """Header and one row per rack (numbers as numbers, unset overrides empty)."""
    from twin.interchange.rows import rack_rows
    row_of: dict[int, str] = {}
    for row in rack_rows(layout):
        for i in row.racks:
            row_of[int(i)] = row.name
    r = layout.racks
    header = list(COLUMNS) + (list(RESULT_COLUMNS) if result is not None else [])
    out: list[list[Any]] = [header]
    air = getattr(result, "air", None)
    for i in range(len(r)):
        line: list[Any] = [
            r["id"][i], r["name"][i], row_of.get(i, ""), float(r["x_m"][i]), float(r["y_m"][i]),
            FACING_LETTER.get(int(r["rotation_deg"][i]), str(int(r["rotation_deg"][i]))),
            r["model"][i], _opt(r["power_kw"][i]), r["power_basis"][i],
            _opt(r["power_budget_kw"][i]), _opt(r["airflow_m3s"][i]),
            _opt(r["liquid_share"][i]), _opt(r["weight_kg"][i])]
        if result is not None:
            line += [round(float(result.rack_power_kw[i]), 3),
                     _opt(air.rack_inlet_mean_c[i], 2) if air is not None else "",
                     _opt(air.rack_inlet_max_c[i], 2) if air is not None else "",
                     _opt(air.rack_exhaust_c[i], 2) if air is not None else ""]
        out.append(line)
    return out


def _opt(v: Any, nd: int | None = None) -> Any:
    x = float(v)
    if not math.isfinite(x):
        return ""
    return round(x, nd) if nd is not None else x


def write_inventory(layout: Layout, path: str | os.PathLike, result: Any = None) -> int:
    """Write the racks to ``path`` (.csv or .xlsx by suffix) atomically; returns the number
    of racks written."""
    table = inventory_table(layout, result)
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        data = _xlsx_bytes(table, layout.name)
    elif suffix in (".csv", ".txt", ""):
        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator="\n").writerows(table)
        data = buf.getvalue().encode("utf-8")
    else:
        raise InventoryWriteError(str(path), f"unknown inventory format {suffix!r}; "
                                  "expected .csv or .xlsx")
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise InventoryWriteError(str(path), f"cannot write: {exc.strerror or exc}") from None
    return len(table) - 1


def _xlsx_bytes(table: list[list[Any]], title: str) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=False)
    ws = book.active
    ws.title = "Racks"
    for row in table:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJKLMNOPQ", (12, 14, 8, 9, 9, 7, 20, 10, 11, 10, 12, 12, 10,
                                                 13, 12, 15, 13)):
        ws.column_dimensions[col].width = width
    book.properties.title = title
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
