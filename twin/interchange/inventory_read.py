"""Rack inventories from spreadsheets: CSV and XLSX tables to ``RackRow``s.

A table has one rack per row under a header row. Headers are matched case-insensitively
(spaces, underscores and punctuation ignored) against the aliases in ``COLUMNS``; a
mapping file can name the header of any field, map model names and set units and the
floor-tile grid. XLSX cells are read as the values Excel saved (formulas are never
evaluated). Every problem names the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Iterator

from twin.interchange.inventory import FACINGS, ImportReport, InventoryError, RackRow, _norm
from twin.io.capped import ReadRefused, read_capped

#: Largest inventory file read (bytes) and most racks in one.
MAX_INVENTORY_BYTES = 50 * 2**20
MAX_INVENTORY_ROWS = 200_000
FT_M = 0.3048
LB_KG = 0.45359237
CFM_M3S = 0.000471947443

#: Field -> header aliases (normalised: lower case, letters and digits only). A field
#: name ending in a unit (``_ft``, ``_w``, ``_cfm``, ``_lb``) is read in that unit.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "rackid", "rack", "asset", "assetid", "assettag", "cabinet", "cabinetid", "tag"),
    "name": ("name", "rackname", "label", "displayname"),
    "row": ("row", "rowname", "rowid", "aisle"),
    "x_m": ("xm", "x", "posx", "positionx", "positionxm", "eastm", "east", "xcoordm"),
    "y_m": ("ym", "y", "posy", "positiony", "positionym", "northm", "north", "ycoordm"),
    "x_ft": ("xft", "positionxft", "eastft"),
    "y_ft": ("yft", "positionyft", "northft"),
    "tile": ("tile", "grid", "gridref", "floortile", "tileref", "gridlocation", "gridposition"),
    "facing": ("facing", "front", "frontfacing", "faces", "orientation", "direction",
               "rotationdeg", "rotation"),
    "model": ("model", "rackmodel", "racktype", "type", "product", "system", "devicetype"),
    "power_kw": ("powerkw", "kw", "power", "itkw", "itpowerkw", "rackkw", "loadkw"),
    "power_w": ("powerw", "w", "watts", "itw", "itpowerw"),
    "measured_kw": ("measuredkw", "measuredpowerkw", "actualkw", "meteredkw", "drawkw"),
    "measured_w": ("measuredw", "measuredpowerw", "actualw", "meteredw", "draww"),
    "budget_kw": ("budgetkw", "powerbudgetkw", "budgetedkw", "allocatedkw", "designkw",
                  "plannedkw", "nameplatekw", "ratedkw"),
    "budget_w": ("budgetw", "powerbudgetw", "budgetedw", "allocatedw", "designw", "plannedw",
                 "allocateddraw", "maximumdraw"),
    "power_basis": ("powerbasis", "basis", "powersource"),
    "airflow_m3s": ("airflowm3s", "airflow", "airflowm3pers"),
    "airflow_cfm": ("airflowcfm", "cfm"),
    "liquid_share": ("liquidshare", "liquidfraction", "liquid", "liquidpct", "liquidpercent"),
    "weight_kg": ("weightkg", "weight", "masskg", "mass"),
    "weight_lb": ("weightlb", "weightlbs", "lb", "lbs"),
}
#: Fields a mapping file's "columns" may name.
FIELDS = tuple(COLUMNS)
_TILE = re.compile(r"^\s*([A-Za-z]{1,3})\s*-?\s*(\d{1,4})\s*$")
_NUMBER = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(%|[A-Za-z/³3]+)?\s*$")


@dataclass
class Table:
    """A sheet as text cells: the header and the data rows with their line numbers."""

    file: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]
    sheet: str = ""


@dataclass
class Mapping:
    """How to read a table: header per field, model names, units, the tile grid."""

    columns: dict[str, str] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    length_unit: str = "m"                 # of x and y columns without a unit
    power_unit: str = "kW"                 # of power columns without a unit
    power_basis: str = ""                  # of power columns that do not say
    tile_pitch_m: float = 0.6
    tile_origin_m: tuple[float, float] = (0.0, 0.0)
    sheet: str = ""


# ----- reading the table -----------------------------------------------------------
def read_table(path: str | os.PathLike, sheet: str = "") -> Table:
    """The first (or the named) sheet of a CSV or XLSX file."""
    name = str(path)
    try:
        data = read_capped(path, MAX_INVENTORY_BYTES, "a rack inventory (CSV or XLSX)")
    except ReadRefused as exc:
        raise InventoryError(name, str(exc)) from None
    if not data.strip():
        raise InventoryError(name, "is empty, expected a header row and one rack per row")
    if data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(name, data, sheet)
    return _read_csv(name, data)


def _read_csv(name: str, data: bytes) -> Table:
    if b"\x00" in data[:65536]:
        raise InventoryError(name, "is binary, not a CSV text table (save the sheet as "
                             "CSV UTF-8 or XLSX)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InventoryError(name, f"line {line}: byte 0x{data[exc.start]:02x} is not UTF-8 "
                             "text; save the table as CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if any(c in first for c in ",;\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    header: list[str] | None = None
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                continue
            rows.append((reader.line_num, cells))
            if len(rows) > MAX_INVENTORY_ROWS:
                raise InventoryError(name, f"more than {MAX_INVENTORY_ROWS:,} racks")
    except csv.Error as exc:
        raise InventoryError(name, f"line {reader.line_num}: {exc}") from None
    return _checked_header(Table(name, header or [], rows))


def _read_xlsx(name: str, data: bytes, sheet: str) -> Table:
    import openpyxl
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InventoryError(name, f"is not a readable XLSX workbook ({_one_line(exc)}); "
                             "a truncated or damaged file, or another format") from None
    try:
        if sheet and sheet not in book.sheetnames:
            raise InventoryError(name, f"has no sheet {sheet!r}; sheets: "
                                 + ", ".join(book.sheetnames))
        ws = book[sheet] if sheet else book.worksheets[0]
        rows: list[tuple[int, list[Any]]] = []
        header: list[str] | None = None
        for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else v for v in values]
            if not any(str(c).strip() for c in cells):
                continue
            if header is None:
                header = [str(c).strip() for c in cells]
                continue
            rows.append((n, cells))
            if len(rows) > MAX_INVENTORY_ROWS:
                raise InventoryError(name, f"more than {MAX_INVENTORY_ROWS:,} racks")
        title = ws.title
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InventoryError(name, f"cannot read the sheet ({_one_line(exc)})") from None
    finally:
        book.close()
    return _checked_header(Table(name, header or [], rows, title))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _checked_header(t: Table) -> Table:
    if not t.header:
        raise InventoryError(t.file, "has no header row")
    seen: dict[str, int] = {}
    for i, h in enumerate(t.header):
        key = _norm(h)
        if key and key in seen:
            raise InventoryError(t.file, f"header: columns {seen[key] + 1} and {i + 1} are "
                                 f"both {h!r}; rename one")
        seen[key] = i
    return t


# ----- mapping file ----------------------------------------------------------------
def read_mapping(path: str | os.PathLike) -> Mapping:
    """A mapping file (JSON): ``{"columns": {field: header}, "models": {name: key},
    "length_unit": "m"|"ft", "power_unit": "kW"|"W", "power_basis": "measured"|"budget",
    "grid": {"pitch_m": 0.6, "origin_m": [x, y]}, "sheet": name}``."""
    name = str(path)
    try:
        raw = read_capped(path, 2**20, "a column mapping (JSON)")
    except ReadRefused as exc:
        raise InventoryError(name, str(exc)) from None
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InventoryError(name, "is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InventoryError(name, f"line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if not isinstance(doc, dict):
        raise InventoryError(name, "expected a JSON object")
    known = {"columns", "models", "length_unit", "power_unit", "power_basis", "grid", "sheet"}
    for key in doc:
        if key not in known:
            raise InventoryError(name, f"{key}: unknown field, expected one of "
                                 + ", ".join(sorted(known)))
    m = Mapping()
    cols, models = doc.get("columns", {}), doc.get("models", {})
    for key, value in (("columns", cols), ("models", models)):
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise InventoryError(name, f"{key}: expected an object of strings")
    for f in cols:
        if f not in COLUMNS:
            raise InventoryError(name, f"columns.{f}: unknown field, expected one of "
                                 + ", ".join(FIELDS))
    m.columns, m.models = dict(cols), dict(models)
    for key, choices in (("length_unit", ("m", "ft")), ("power_unit", ("kW", "W")),
                         ("power_basis", ("", "measured", "budget"))):
        if key in doc:
            if doc[key] not in choices:
                raise InventoryError(name, f"{key}: found {doc[key]!r}, expected one of "
                                     + ", ".join(repr(c) for c in choices))
            setattr(m, key, doc[key])
    if "sheet" in doc:
        if not isinstance(doc["sheet"], str):
            raise InventoryError(name, "sheet: expected a sheet name")
        m.sheet = doc["sheet"]
    if "grid" in doc:
        g = doc["grid"]
        ok = (isinstance(g, dict) and _finite(g.get("pitch_m", 0.6)) and g.get("pitch_m", 0.6) > 0
              and isinstance(g.get("origin_m", [0, 0]), list) and len(g.get("origin_m", [0, 0])) == 2
              and all(_finite(v) for v in g.get("origin_m", [0, 0])))
        if not ok:
            raise InventoryError(name, "grid: expected {\"pitch_m\": a number > 0, "
                                 "\"origin_m\": [x, y]}")
        m.tile_pitch_m = float(g.get("pitch_m", 0.6))
        m.tile_origin_m = tuple(float(v) for v in g.get("origin_m", [0, 0]))  # type: ignore[assignment]
    return m


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


# ----- columns -> rows -------------------------------------------------------------
def match_columns(header: list[str], mapping: Mapping, report: ImportReport) -> dict[str, int]:
    """Field -> column index: the mapping's headers first, then the aliases. Records in
    the report what matched and which columns are ignored."""
    by_norm = {_norm(h): i for i, h in enumerate(header) if h}
    out: dict[str, int] = {}
    excluded = {f for f, h in mapping.columns.items() if not h}   # mapped to no column
    for f, h in mapping.columns.items():
        if f in excluded:
            continue
        if _norm(h) not in by_norm:
            raise InventoryError(report.source, f"mapping: column {h!r} for {f} is not in "
                                 "the header (" + ", ".join(repr(x) for x in header if x) + ")")
        out[f] = by_norm[_norm(h)]
    used = set(out.values())
    for f, aliases in COLUMNS.items():
        if f in out or f in excluded:
            continue
        for a in aliases:
            i = by_norm.get(a)
            if i is not None and i not in used:
                out[f] = i
                used.add(i)
                break
    report.columns = {f: header[i] for f, i in sorted(out.items(), key=lambda x: x[1])}
    report.ignored_columns = [h for i, h in enumerate(header) if h and i not in used]
    return out


def table_rows(table: Table, mapping: Mapping, report: ImportReport) -> list[RackRow]:
    """The racks of ``table``: every row becomes a ``RackRow`` or an error in the report."""
    cols = match_columns(table.header, mapping, report)
    if "id" not in cols and "name" not in cols:
        raise InventoryError(table.file, "no rack id column: expected a header such as "
                             "'id', 'rack' or 'asset tag' (or map one in a mapping file)")
    if "model" not in cols:
        raise InventoryError(table.file, "no model column: expected a header such as "
                             "'model' or 'rack type' (or map one in a mapping file)")
    out = []
    for line, cells in table.rows:
        reader = _RowReader(table, line, cells, cols, report)
        row = reader.rack(mapping)
        if row is not None:
            out.append(row)
    return out


class _RowReader:
    """One table row read field by field; problems go to the report with the line and
    column."""

    def __init__(self, table: Table, line: int, cells: list[Any], cols: dict[str, int],
                 report: ImportReport):
        self.table, self.line, self.cells, self.cols, self.report = table, line, cells, cols, report
        self.where = f"{table.file} line {line}"
        self.ok = True

    def text(self, f: str) -> str:
        i = self.cols.get(f)
        if i is None or i >= len(self.cells):
            return ""
        v = self.cells[i]
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip()

    def bad(self, f: str, found: str, expected: str) -> None:
        col = self.table.header[self.cols[f]]
        self.report.error(f"{self.where} column {col!r}", f"found {found!r}, expected {expected}")
        self.ok = False

    def number(self, f: str, units: dict[str, float] | None = None,
               default_unit: str = "") -> float | None:
        """The cell as a number in the field's unit; a unit written in the cell (``12 kW``,
        ``80 %``) is converted when ``units`` knows it."""
        i = self.cols.get(f)
        if i is None or i >= len(self.cells):
            return None
        v = self.cells[i]
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            x = float(v)
            unit = default_unit
        else:
            s = str(v).strip()
            if not s:
                return None
            m = _NUMBER.match(s.replace(",", "") if s.count(",") and "." in s else s.replace(",", "."))
            if not m:
                self.bad(f, s, "a number")
                return None
            x, unit = float(m.group(1)), (m.group(2) or default_unit)
        if not math.isfinite(x):
            self.bad(f, str(v), "a finite number")
            return None
        if units is not None:
            factor = units.get(unit.lower())
            if factor is None:
                self.bad(f, str(v), "a number in " + " or ".join(k for k in units if k))
                return None
            x *= factor
        return x

    def rack(self, m: Mapping) -> RackRow | None:
        rid = self.text("id") or self.text("name")
        r = RackRow(self.where, rid, name=self.text("name"), model=self.text("model"),
                    row=self.text("row"))
        self.position(r, m)
        self.facing(r)
        self.power(r, m)
        r.airflow_m3s = self.number("airflow_m3s", {"": 1, "m3/s": 1, "m³/s": 1, "cfm": CFM_M3S})
        cfm = self.number("airflow_cfm", {"": 1, "cfm": 1})
        if cfm is not None and r.airflow_m3s is None:
            r.airflow_m3s = cfm * CFM_M3S
        header = self.table.header[self.cols["liquid_share"]] if "liquid_share" in self.cols else ""
        percent = "%" in header or "pct" in _norm(header) or "percent" in _norm(header)
        r.liquid_share = self.number("liquid_share", {"": 1, "%": 0.01}, "%" if percent else "")
        r.weight_kg = self.number("weight_kg", {"": 1, "kg": 1, "lb": LB_KG, "lbs": LB_KG})
        lb = self.number("weight_lb", {"": 1, "lb": 1, "lbs": 1})
        if lb is not None and r.weight_kg is None:
            r.weight_kg = lb * LB_KG
        return r if self.ok else None

    def position(self, r: RackRow, m: Mapping) -> None:
        length = {"": 1.0, "m": 1.0, "ft": FT_M, "'": FT_M}
        default = "ft" if m.length_unit == "ft" else ""
        x = self.number("x_m", length, default)
        y = self.number("y_m", length, default)
        xf, yf = self.number("x_ft", {"": FT_M, "ft": FT_M}), self.number("y_ft", {"": FT_M, "ft": FT_M})
        x, y = (x if x is not None else xf), (y if y is not None else yf)
        tile = self.text("tile")
        if x is None and y is None and tile:
            t = _TILE.match(tile)
            if not t:
                return self.bad("tile", tile, "a floor tile such as 'AB12' (column letters, "
                                "row number)")
            col = 0
            for ch in t.group(1).upper():
                col = col * 26 + ord(ch) - 64
            x = m.tile_origin_m[0] + (col - 0.5) * m.tile_pitch_m
            y = m.tile_origin_m[1] + (int(t.group(2)) - 0.5) * m.tile_pitch_m
        r.x_m, r.y_m = x, y

    def facing(self, r: RackRow) -> None:
        s = self.text("facing").lower()
        if not s:
            return
        s = s.replace("front", "").replace("facing", "").replace("faces", "").strip(" -:")
        if s.endswith(".0"):
            s = s[:-2]
        if s not in FACINGS:
            return self.bad("facing", self.text("facing"), "N, E, S, W (the side the rack "
                            "front faces) or 0, 90, 180, 270 (0: front to the south)")
        r.rotation_deg = FACINGS[s]

    def power(self, r: RackRow, m: Mapping) -> None:
        kw_units = {"": 1.0, "kw": 1.0, "w": 1e-3, "mw": 1e3}
        w_units = {"": 1e-3, "w": 1e-3, "kw": 1.0}
        plain_default = "w" if m.power_unit == "W" else ""
        measured = _first(self.number("measured_kw", kw_units), self.number("measured_w", w_units))
        budget = _first(self.number("budget_kw", kw_units), self.number("budget_w", w_units))
        plain = _first(self.number("power_kw", kw_units, plain_default),
                       self.number("power_w", w_units))
        basis = self.text("power_basis").lower() or m.power_basis
        if basis not in ("", "measured", "budget"):
            return self.bad("power_basis", basis, "measured, budget or empty")
        if measured is not None:
            r.power_kw, r.power_basis, r.power_budget_kw = measured, "measured", budget
        elif budget is not None and plain is None:
            r.power_kw, r.power_basis = budget, "budget"
        else:
            r.power_kw, r.power_basis = plain, basis
            r.power_budget_kw = budget


def _first(*values: float | None) -> float | None:
    return next((v for v in values if v is not None), None)


def inventory_rows(path: str | os.PathLike, mapping: Mapping | None = None
                   ) -> tuple[list[RackRow], ImportReport, Table]:
    """Read a CSV/XLSX inventory: its racks, the report so far, and the table (for a
    preview). Raises ``InventoryError`` when the file is not a readable table."""
    mapping = mapping or Mapping()
    table = read_table(path, mapping.sheet)
    report = ImportReport(str(path))
    rows = table_rows(table, mapping, report)
    if not table.rows:
        report.error(str(path), "has a header but no racks")
    return rows, report, table


def iter_preview(table: Table, limit: int = 50) -> Iterator[list[str]]:
    """The first ``limit`` data rows as text (for the GUI preview)."""
    for _line, cells in table.rows[:limit]:
        yield ["" if c is None else str(c) for c in cells]
