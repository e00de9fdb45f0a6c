"""Load and save layout files (JSON, format ``ai-factory-twin-layout``).

Loading never raises anything but ``LayoutError``; its problems name the file, the JSON
path, what was found and what was expected. Saving is atomic and byte-stable.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

from twin.io import semantics, spec
from twin.io.atomic import write_atomic
from twin.io.capped import ReadRefused, mib, read_capped
from twin.io.errors import LayoutError, Problem
from twin.io.migrations import MIGRATIONS, migrate
from twin.io.validate import Checker, HugeInt, describe
from twin.model import Catalogue, Layout, RackTable, load_catalogue
from twin.model.layout import COLLECTIONS

FORMAT = "ai-factory-twin-layout"
VERSION = 3
MIN_VERSION = min([VERSION, *MIGRATIONS])
#: Top-level keys after ``format`` and ``version``.
TOP_KEYS = ("name", "description", *spec.OBJECT_BLOCKS, *spec.LIST_BLOCKS, "catalogue")


#: Largest layout file read, in bytes (100 MiB: about 150,000 racks written compactly).
#: Bigger files are refused by their size before anything is read.
MAX_FILE_BYTES = 100 * 2**20

def read_layout_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of a layout file, refusing before reading anything that is not a regular
    file (FIFO, device, socket, folder) or is larger than ``MAX_FILE_BYTES``."""
    try:
        return read_capped(path, MAX_FILE_BYTES, "a layout file (.json)")
    except ReadRefused as exc:
        raise LayoutError(str(path), [Problem("", str(exc))]) from None


def load_layout(path: str | os.PathLike, catalogue: Catalogue | None = None,
                warnings: list[Problem] | None = None) -> Layout:
    """Read and validate a layout file. Warnings (e.g. overlaps) go to ``warnings``.
    Raises only ``LayoutError`` (also for unreadable, special or oversized files)."""
    return loads_layout(read_layout_bytes(path), str(path), catalogue, warnings)


def _reject_constant(token: str) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[token]


#: Integer literals longer than this many digits are kept as ``HugeInt`` (never converted:
#: no field takes a number that large, and Python refuses ints of > 4,300 digits).
MAX_INT_DIGITS = 20


def _parse_int(text: str) -> int | HugeInt:
    return HugeInt(len(text.lstrip("-"))) if len(text) > MAX_INT_DIGITS else int(text)


class _Duplicates(dict):
    """A JSON object that had a key more than once (the last value kept, as ``json`` does)."""

    keys_twice: list[str]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    dup = _Duplicates(obj)
    dup.keys_twice = []
    for key, _v in pairs:
        if key in seen and key not in dup.keys_twice:
            dup.keys_twice.append(key)
        seen.add(key)
    return dup


def _duplicate_problems(node: Any, path: str = "") -> list[Problem]:
    out: list[Problem] = []
    stack = [(node, path)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key in getattr(node, "keys_twice", ()):
                out.append(Problem(f"{path}.{key}" if path else key,
                                   f"duplicate key {key!r}: a key may appear only once in an "
                                   "object (the later value would silently replace the first)"))
            stack.extend((v, f"{path}.{k}" if path else k) for k, v in node.items()
                         if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(node)
                         if isinstance(v, (dict, list)))
    return out


def loads_layout(data: bytes | str, name: str = "<layout>", catalogue: Catalogue | None = None,
                 warnings: list[Problem] | None = None) -> Layout:
    """Parse layout text or bytes; see ``load_layout``."""
    if len(data) > MAX_FILE_BYTES:
        raise LayoutError(name, [Problem("", f"layout is larger than the limit of "
                                         f"{mib(MAX_FILE_BYTES)}")])
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LayoutError(name, [Problem("", f"not UTF-8 text (byte {exc.start}), "
                                             "expected a UTF-8 JSON layout file")]) from None
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise LayoutError(name, [Problem("", "file is empty, expected a JSON layout")])
    twice: list[dict] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = _object(pairs)
        if isinstance(obj, _Duplicates):
            twice.append(obj)
        return obj

    try:
        doc = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int,
                         object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        raise LayoutError(name, [Problem(f"line {exc.lineno} column {exc.colno}",
                                         f"not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise LayoutError(name, [Problem("", "JSON nested too deeply")]) from None
    except (ValueError, OverflowError) as exc:   # e.g. a float literal of millions of digits
        raise LayoutError(name, [Problem("", f"not valid JSON: {exc}")]) from None
    if twice:
        raise LayoutError(name, _duplicate_problems(doc))
    return layout_from_document(doc, name, catalogue, warnings)


def _check_header(doc: Any, name: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise LayoutError(name, [Problem("", f"found {describe(doc)} at the top level, "
                                         "expected a JSON object")])
    if doc.get("format") != FORMAT:
        raise LayoutError(name, [Problem("format", f"found {describe(doc.get('format'))}, "
                                         f"expected {FORMAT!r}")])
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise LayoutError(name, [Problem("version", f"found {describe(version)}, "
                                         "expected an integer format version")])
    if version > VERSION:
        raise LayoutError(name, [Problem("version", f"file is format version {version}, "
                                         f"this program reads versions up to {VERSION}: "
                                         "update the program")])
    if version < MIN_VERSION:
        raise LayoutError(name, [Problem("version", f"found version {version}, expected "
                                         f"{MIN_VERSION}..{VERSION}")])
    return migrate(doc, VERSION)


def layout_from_document(doc: Any, name: str = "<layout>", catalogue: Catalogue | None = None,
                         warnings: list[Problem] | None = None) -> Layout:
    """Validate a decoded document and build the ``Layout``."""
    doc = _check_header(doc, name)
    catalogue = catalogue or load_catalogue()
    chk = Checker()
    for key in doc:
        if key not in ("format", "version", *TOP_KEYS):
            chk.error(key, "unknown top-level field, expected one of " + ", ".join(TOP_KEYS))
    for key in spec.REQUIRED_TOP:
        if key not in doc:
            chk.error("", f"missing required field '{key}'")
    for key, limit in (("name", spec.NAME_MAX_CHARS), ("description", spec.DESCRIPTION_MAX_CHARS)):
        if key in doc:
            chk.text(key, doc[key], limit)
    settings = {}
    for key, (fields, cls) in spec.OBJECT_BLOCKS.items():
        if key in doc:
            kwargs = chk.obj(key, doc[key], fields)
            settings[key] = cls(**kwargs) if kwargs is not None else None
    lists: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key, (fields, _cls, _coll) in spec.LIST_BLOCKS.items():
        raw = doc.get(key, [])
        if not isinstance(raw, list):
            chk.error(key, f"found {describe(raw)}, expected a list")
            raw = []
        lists[key] = [(f"{key}[{i}]", kw) for i, item in enumerate(raw)
                      if (kw := chk.obj(f"{key}[{i}]", item, fields)) is not None]
    equipment = chk.equipment("catalogue", doc["catalogue"]) if "catalogue" in doc else {}
    errors = [p for p in chk.problems if p.severity == "error"] + semantics.duplicate_ids(lists)
    if errors:
        raise LayoutError(name, errors + _later_errors(doc, settings, lists, catalogue, errors,
                                                                 equipment))
    layout = _build(doc, settings, lists, catalogue, equipment)
    found = equipment_warnings(equipment, catalogue)
    found += semantics.check(layout, {k: [p for p, _ in v] for k, v in lists.items()})
    errors = [p for p in found if p.severity == "error"]
    if errors:
        raise LayoutError(name, errors)
    if warnings is not None:
        warnings.extend(p for p in found if p.severity != "error")
    return layout


def equipment_warnings(equipment: dict[str, Any], base: Catalogue,
                       path: str = "catalogue") -> list[Problem]:
    """A warning for every entry that replaces a built-in model of the same name."""
    return [Problem(f"{path}.{key}", f"replaces the built-in model {key!r} "
                    f"({base[key].name}) in this layout", "warning")
            for key in equipment if key in base]


def _later_errors(doc, settings, lists, catalogue: Catalogue, errors: list[Problem],
                  equipment: dict[str, Any] | None = None) -> list[Problem]:
    """The semantic errors (unknown models, dangling references, racks outside the hall…)
    of the items that passed the structural checks, so that one open lists every problem
    of the file and its count is the file's (issue 14, C8). Skipped when the hall is
    invalid (positions cannot be checked) or an id is used twice (references are then
    ambiguous); errors about an item that failed its structure, or naming its id, are
    left out: they follow from errors shown."""
    if settings.get("hall") is None or any("duplicate id" in p.message for p in errors):
        return []
    # the item or block a problem is about: its path up to the first dot, or the whole
    # path when that is a top-level key of the file (an unknown key may hold a dot)
    bad_paths = {p.path if p.path in doc else p.path.split(".")[0] for p in errors}
    bad_ids = {str(item.get("id")) for key in spec.LIST_BLOCKS
               for i, item in enumerate(_as_list(doc.get(key)))
               if isinstance(item, dict) and f"{key}[{i}]" in bad_paths and item.get("id")}
    ok = {k: [(p, kw) for p, kw in v if p not in bad_paths] for k, v in lists.items()}
    try:
        layout = _build(doc, settings, ok, catalogue, equipment or {})
        found = semantics.check(layout, {k: [p for p, _ in v] for k, v in ok.items()})
    except Exception:       # a partial layout the checks cannot read: report what we have
        return []
    return [p for p in found if p.severity == "error"
            and p.path.split(".")[0] not in bad_paths and p.path not in bad_paths
            and not any(f"'{i}'" in p.message for i in bad_ids)]


def _as_list(raw: Any) -> list:
    return raw if isinstance(raw, list) else []


def _build(doc, settings, lists, catalogue: Catalogue, equipment: dict[str, Any]) -> Layout:
    collections: dict[str, Any] = {}   # keyword arguments of Layout
    for key, (_fields, cls, coll) in spec.LIST_BLOCKS.items():
        if cls is not None:
            collections[coll] = [cls(**kw) for _p, kw in lists[key]]
    return Layout(
        name=doc.get("name", "Untitled layout"), description=doc.get("description", ""),
        racks=RackTable.from_records([kw for _p, kw in lists["racks"]]),
        catalogue=catalogue, equipment=equipment,
        **{k: v for k, v in settings.items() if v is not None},
        **collections,
    )


# ----- writing ---------------------------------------------------------------------
def _item_doc(kwargs: dict[str, Any], fields: dict[str, spec.Field]) -> dict[str, Any]:
    out = {}
    for key in fields:
        if key == "position_m":
            out[key] = [kwargs["x_m"], kwargs["y_m"]]
        elif key in ("rect_m", "segment_m"):
            out[key] = [kwargs["x0_m"], kwargs["y0_m"], kwargs["x1_m"], kwargs["y1_m"]]
        elif kwargs.get(key) is not None and not (key in spec.OMITTED_WHEN_EMPTY
                                                  and kwargs[key] == ""):
            v = kwargs[key]
            out[key] = list(v) if isinstance(v, tuple) else v
    return {k: out[k] for k in sorted(out) if not (isinstance(out[k], list) and not out[k]
                                                     and fields[k].kind == "profile")}


def layout_document(layout: Layout) -> dict[str, Any]:
    """The layout as a JSON-ready document: format and version first, then sorted keys."""
    body: dict[str, Any] = {"name": layout.name, "description": layout.description}
    for key, (fields, _cls) in spec.OBJECT_BLOCKS.items():
        if key not in spec.OPTIONAL_BLOCKS or getattr(layout, key) != spec.OPTIONAL_BLOCKS[key]():
            block = getattr(layout, key)
            body[key] = _item_doc(block.fields() if hasattr(block, "fields") else vars_of(block),
                                  fields)
    for key, (fields, _item_cls, coll) in spec.LIST_BLOCKS.items():
        if coll == "racks":
            records = layout.racks.records()
        else:
            records = [vars_of(it) for it in layout.items[coll].values()]
        body[key] = [_item_doc(r, fields) for r in records]
    if layout.equipment:
        body["catalogue"] = {k: _entry_doc(e) for k, e in sorted(layout.equipment.items())}
    return {"format": FORMAT, "version": VERSION, **{k: body[k] for k in sorted(body)}}


def _entry_doc(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: (dict(sorted(v.items())) if isinstance(v, dict) else v)
            for k, v in sorted(entry.items())}


def vars_of(item: Any) -> dict[str, Any]:
    return {k: getattr(item, k) for k in item.__dataclass_fields__}


#: An indented list of numbers. Its line breaks are real ones, which ``json.dumps`` never
#: writes inside a string: a name such as "[ 1, 2 ]" is left as it is.
_NUMBER_LIST = re.compile(r"\[\n\s*([-+0-9.eE]+(?:,\n\s*[-+0-9.eE]+)*)\n\s*\]")


def dumps_layout(layout: Layout) -> str:
    """Indented JSON with short number lists (positions, profiles) kept on one line."""
    text = json.dumps(layout_document(layout), indent=2, ensure_ascii=False, allow_nan=False)
    return _NUMBER_LIST.sub(
        lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text) + "\n"


def _unencodable(node: Any, path: str = "") -> str:
    """JSON path of the first string (or key) in ``node`` that is not encodable as UTF-8."""
    def bad(text: str) -> bool:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(node, str):
        return path if bad(node) else ""
    items = (node.items() if isinstance(node, dict) else enumerate(node)
             if isinstance(node, list) else ())
    for k, v in items:
        sub = f"{path}[{k}]" if isinstance(k, int) else (f"{path}.{k}" if path else k)
        if isinstance(k, str) and bad(k):
            return sub
        if found := _unencodable(v, sub):
            return found
    return ""


def save_layout(layout: Layout, path: str | os.PathLike) -> None:
    """Write atomically (``twin.io.atomic``); a failed save leaves the old file intact."""
    name = str(path)
    try:
        text = dumps_layout(layout).encode("utf-8")
    except UnicodeEncodeError:
        where = _unencodable(layout_document(layout))
        raise LayoutError(name, [Problem(where, "contains a lone surrogate (not Unicode text), "
                                         "cannot save it as UTF-8: retype the text")]) from None
    if Path(path).is_dir():
        raise LayoutError(name, [Problem("", "is a directory, cannot save a layout there")])
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise LayoutError(name, [Problem("", f"cannot save: {exc.strerror or exc}")]) from None


__all__ = ["FORMAT", "VERSION", "load_layout", "loads_layout", "layout_from_document",
           "layout_document", "dumps_layout", "save_layout", "COLLECTIONS"]
