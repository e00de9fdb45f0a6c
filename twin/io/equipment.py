"""Equipment of a layout's own (the file's ``catalogue`` block) from a JSON file:
File > Import Equipment... reads a file with ``read_equipment`` and adds its models to
the layout with ``import_equipment``.

The file is either a catalogue document (``{"equipment": {key: entry, ...}}``, the form of
``resources/catalogue.json``) or the mapping of entries itself. Each entry has the fields
and limits of its kind (``twin.io.spec.CATALOGUE_ENTRY``), the same as the built-in
catalogue; problems name the JSON path (``equipment.<model>.<field>``).
"""

from __future__ import annotations

import json
import os
from typing import Any

from twin.io.errors import LayoutError, Problem
from twin.io.layout_file import equipment_warnings, read_layout_bytes
from twin.io.validate import Checker, describe
from twin.model import Layout


def read_equipment(path: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """The validated entries of an equipment file; ``LayoutError`` lists every problem."""
    name = str(path)
    data = read_layout_bytes(path)          # regular files only, size-limited
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise LayoutError(name, [Problem("", f"not a JSON file: {exc}")]) from None
    if isinstance(doc, dict) and isinstance(doc.get("equipment"), dict):
        doc = doc["equipment"]
    if not isinstance(doc, dict) or not doc:
        raise LayoutError(name, [Problem("", f"found {describe(doc)}, expected equipment "
                                         "models keyed by model name")])
    chk = Checker()
    entries = chk.equipment("equipment", doc)
    if chk.problems:
        raise LayoutError(name, chk.problems)
    return entries


def import_equipment(layout: Layout, path: str | os.PathLike) -> tuple[list[str], list[Problem]]:
    """Add the models of an equipment file to ``layout`` (one ``Change``); returns the
    model keys added and warnings (a key replacing a built-in model). An entry with the
    key of one of the layout's own models replaces it."""
    entries = read_equipment(path)
    warnings = equipment_warnings(entries, layout.base_catalogue, "equipment")
    layout.set_equipment({**layout.equipment, **entries})
    return list(entries), warnings
