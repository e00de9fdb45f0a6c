"""Racks read from someone else's list (a spreadsheet, a DCIM) turned into a layout.

Every source (CSV/XLSX in ``inventory_read``, NetBox in ``netbox``) yields ``RackRow``s
that say where each came from; ``build_layout`` matches their models to the catalogue,
places racks that have no position in rows (and says so), sizes the room when none is
given, and validates the result with the layout file's own validator, so that every
problem is reported against the source row it came from — never a rack dropped or moved
silently, never a layout that would not load.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twin.io import LayoutError, Problem
from twin.io.layout_file import layout_document, layout_from_document
from twin.model import Catalogue, Layout, RackTable, load_catalogue
from twin.model.equipment import Hall
from twin.interchange.errors import InterchangeError
from twin.interchange.provisional import provisional_cooling

#: Aisle widths used when racks are placed in rows (m): the cold aisle the fronts face,
#: the hot aisle behind, and the clearance to the walls.
COLD_AISLE_M, HOT_AISLE_M, WALL_CLEARANCE_M = 1.2, 1.2, 1.2
#: Facing words -> rotation_deg (the direction the rack front, its air intake, faces).
FACINGS = {"s": 0, "south": 0, "e": 90, "east": 90, "n": 180, "north": 180, "w": 270,
           "west": 270, "0": 0, "90": 90, "180": 180, "270": 270}


@dataclass
class RackRow:
    """One rack as a source gives it, before placement. ``where`` names its place in the
    source (``racks.csv line 12``); ``None``: the source did not say."""

    where: str
    id: str
    name: str = ""
    model: str = ""
    x_m: float | None = None
    y_m: float | None = None
    rotation_deg: int | None = None
    power_kw: float | None = None
    power_basis: str = ""
    power_budget_kw: float | None = None
    airflow_m3s: float | None = None
    liquid_share: float | None = None
    weight_kg: float | None = None
    row: str = ""


@dataclass
class ImportReport:
    """What an import did: columns used and ignored, models matched, racks placed by the
    importer, and every problem with the source place it came from."""

    source: str
    columns: dict[str, str] = field(default_factory=dict)      # field -> source header
    ignored_columns: list[str] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)       # given name -> catalogue key
    placed_in_rows: list[str] = field(default_factory=list)    # rack ids placed here
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def warn(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message, "warning"))

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "columns": self.columns,
                "ignored_columns": self.ignored_columns, "models": self.models,
                "placed_in_rows": self.placed_in_rows, "notes": self.notes,
                "errors": [p.format() for p in self.errors],
                "warnings": [p.format() for p in self.problems if p.severity != "error"]}


class InventoryError(InterchangeError):
    """An inventory could not be read at all (a file that is not a table)."""


# ----- model names -----------------------------------------------------------------
def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def model_index(catalogue: Catalogue) -> dict[str, str]:
    """Normalised key, name and alias -> catalogue key, for rack models."""
    out: dict[str, str] = {}
    for e in catalogue.of_kind("rack"):
        for text in (e.key, e.name, *e.aliases):
            out.setdefault(_norm(text), e.key)
    return out


def match_model(given: str, catalogue: Catalogue, index: dict[str, str] | None = None,
                extra: dict[str, str] | None = None) -> str | None:
    """The catalogue key of the rack model a source names (key, display name or alias,
    ignoring case, spaces and punctuation; ``extra`` maps source names first), or None."""
    if extra and given in extra:
        return extra[given]
    if given in catalogue and catalogue[given].kind == "rack":
        return given
    return (index if index is not None else model_index(catalogue)).get(_norm(given))


# ----- building --------------------------------------------------------------------
def build_layout(rows: list[RackRow], report: ImportReport,
                 room_m: tuple[float, float, float] | None = None,
                 base: Layout | None = None, model_map: dict[str, str] | None = None,
                 name: str = "", cooling: bool = True) -> Layout | None:
    """The layout of ``rows`` (in ``base``'s room and equipment, or a new room of
    ``room_m`` = width, length, height, or one sized to fit), or None when the report
    holds errors. Racks of ``base`` are kept; an imported id that is already used there
    is an error. Without a base, ``cooling`` adds provisional units so that the layout
    simulates (``provisional``; each one is reported)."""
    catalogue = base.catalogue if base is not None else load_catalogue()
    index = model_index(catalogue)
    taken = base.all_ids() if base is not None else set()
    seen: dict[str, str] = {}
    records = []
    for r in rows:
        rid = r.id.strip()
        if not rid:
            report.error(r.where, "no rack id")
            continue
        if rid in seen:
            report.error(r.where, f"duplicate rack id {rid!r} (first at {seen[rid]})")
            continue
        seen[rid] = r.where
        if rid in taken:
            report.error(r.where, f"rack id {rid!r} is already used in the layout")
            continue
        key = match_model(r.model, catalogue, index, model_map) if r.model else None
        if key is None:
            hint = ", ".join(catalogue.closest(r.model)) if r.model else ""
            report.error(r.where, f"rack {rid!r}: " + (
                f"unknown model {r.model!r}" + (f" (closest: {hint})" if hint else "")
                + "; map it with a mapping file's \"models\"" if r.model else "no model"))
            continue
        if r.model != key:
            report.models[r.model] = key
        records.append((r, key))
    if not records and not report.errors:
        report.error(report.source, "no racks found")
    if report.errors:
        return None
    _place_unplaced(records, catalogue, report)
    if report.errors:
        return None
    rack_records = [_record(r, key) for r, key in records]
    layout = _layout_for(rack_records, catalogue, report, room_m, base, name, cooling)
    return _validated(layout, [r for r, _k in records], report,
                      first_index=len(base.racks) if base is not None else 0)


def _record(r: RackRow, key: str) -> dict[str, Any]:
    rec = {"id": r.id.strip(), "name": r.name or r.id.strip(), "model": key,
           "x_m": r.x_m, "y_m": r.y_m, "rotation_deg": r.rotation_deg or 0,
           "power_basis": r.power_basis if r.power_kw is not None else ""}
    for f in ("power_kw", "power_budget_kw", "airflow_m3s", "liquid_share", "weight_kg"):
        rec[f] = getattr(r, f)
    return rec


def _place_unplaced(records: list[tuple[RackRow, str]], catalogue: Catalogue,
                    report: ImportReport) -> None:
    """Racks without a position, placed in rows: one row per source row name (else one
    row per 20 racks), rows in pairs facing a cold aisle, to the north of the placed
    racks. Reported rack by rack."""
    todo = [(r, k) for r, k in records if r.x_m is None or r.y_m is None]
    for r, _k in todo:
        if (r.x_m is None) != (r.y_m is None):
            report.error(r.where, f"rack {r.id!r}: has only one of x and y")
    if not todo or report.errors:
        return
    groups: dict[str, list[tuple[RackRow, str]]] = {}
    for n, (r, k) in enumerate(todo):
        groups.setdefault(r.row or f"row {n // 20 + 1}", []).append((r, k))
    placed = [r for r, _k in records if r.x_m is not None and r.y_m is not None]
    y_m = max((r.y_m for r in placed if r.y_m is not None), default=0.0) + WALL_CLEARANCE_M
    for n, (_row, members) in enumerate(sorted(groups.items(), key=lambda g: _natural(g[0]))):
        depth_m = max(catalogue[k].footprint_m[1] for _r, k in members)
        facing_north = n % 2 == 0        # rows 1 and 2 face each other across a cold aisle
        x_m = WALL_CLEARANCE_M
        for r, k in sorted(members, key=lambda m: _natural(m[0].id)):
            width_m = catalogue[k].footprint_m[0]
            r.x_m, r.y_m = round(x_m + width_m / 2, 4), round(y_m + depth_m / 2, 4)
            r.rotation_deg = 180 if facing_north else 0
            x_m += width_m
            report.placed_in_rows.append(r.id)
        y_m += depth_m + (COLD_AISLE_M if facing_north else HOT_AISLE_M)
    report.notes.append(f"{len(todo)} racks had no position and were placed in "
                        f"{len(groups)} rows (pairs facing a {COLD_AISLE_M:g} m cold aisle); "
                        "move them to where they stand")


def _natural(text: str) -> list[Any]:
    """Sort key that puts R2 before R10."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", text)]


def _layout_for(records: list[dict[str, Any]], catalogue: Catalogue, report: ImportReport,
                room_m: tuple[float, float, float] | None, base: Layout | None,
                name: str, cooling: bool) -> Layout:
    if base is not None:
        layout = Layout(base.name, base.description, base.hall, base.site, base.plant,
                        RackTable.from_records(base.racks.records() + records),
                        base.base_catalogue, base.equipment, base.underlay, base.trace,
                        base.fabric, air_calibration=base.air_calibration,
                        **{c: list(base.items[c].values()) for c in base.items})
        return layout
    bounds = _bounds(RackTable.from_records(records), catalogue)
    extra: dict[str, Any] = {}
    north_m, east_m = float(bounds[:, 3].max()), float(bounds[:, 2].max())
    if cooling:
        prov = provisional_cooling(records, bounds, catalogue)
        for rec, cdu in zip(records, prov.rack_cdu):
            rec["cdu"] = cdu
        extra = {"cooling_units": prov.units, "cdus": prov.cdus}
        north_m, east_m = prov.north_m, max(east_m, prov.east_m)
        report.notes.extend(prov.notes)
    racks = RackTable.from_records(records)
    if room_m is None:
        width = _tiles(east_m + WALL_CLEARANCE_M)
        length = _tiles(north_m + (WALL_CLEARANCE_M if not cooling else 0.0))
        height = max(3.6, float(max(catalogue[m].footprint_m[2] for m in racks["model"])) + 1.2)
        room_m = (width, length, height)
        report.notes.append(f"room sized to the racks: {width:g} x {length:g} m, "
                            f"{height:g} m high (give --room W,L,H for the real room)")
    hall = dataclasses.replace(Hall(), name=name or "Imported hall", width_m=room_m[0],
                               length_m=room_m[1], ceiling_height_m=room_m[2],
                               raised_floor=False)
    return Layout(name or "Imported racks", f"Racks imported from {report.source}.", hall,
                  racks=racks, catalogue=catalogue, **extra)


def _tiles(length_m: float, pitch_m: float = 0.6) -> float:
    """``length_m`` rounded up to whole floor tiles."""
    return round(math.ceil(round(length_m / pitch_m, 6)) * pitch_m, 6)


def _bounds(racks: RackTable, catalogue: Catalogue) -> np.ndarray:
    from twin.model import geometry
    sizes = geometry.footprint_sizes(catalogue, racks["model"])
    return geometry.plan_bounds(racks["x_m"], racks["y_m"], sizes, racks["rotation_deg"])


_RACK_PATH = re.compile(r"^racks\[(\d+)\]")


def _validated(layout: Layout, rows: list[RackRow], report: ImportReport,
               first_index: int) -> Layout | None:
    """``layout`` checked by the layout file's validator (ranges, racks outside the room,
    overlaps, the air grid's size), with each problem put on its source row."""
    doc = layout_document(layout)
    warnings: list[Problem] = []
    try:
        checked = layout_from_document(doc, report.source, layout.base_catalogue, warnings)
    except LayoutError as exc:
        report.problems.extend(_on_source(p, rows, first_index) for p in exc.problems)
        return None
    report.problems.extend(_on_source(p, rows, first_index) for p in warnings)
    return checked


def _on_source(p: Problem, rows: list[RackRow], first_index: int) -> Problem:
    m = _RACK_PATH.match(p.path)
    if m and 0 <= int(m.group(1)) - first_index < len(rows):
        r = rows[int(m.group(1)) - first_index]
        field_name = p.path[m.end():].lstrip(".")
        text = f"rack {r.id!r}" + (f" {field_name}" if field_name else "") + f": {p.message}"
        return Problem(r.where, text, p.severity)
    return p
