"""Racks from NetBox: saved REST API results (a folder of JSON files named after their
endpoints) or a live pull with pynetbox, turned into ``RackRow``s for ``build_layout``.

Rack power is the sum of the rack's devices' power-port ``allocated_draw`` (where a port
has none, its ``maximum_draw`` times a stated diversity factor): a budget, not a
measurement. NetBox has no floor coordinates: positions come from rack custom fields, a
rack-to-position CSV, or else ``build_layout`` places the racks in rows (one per rack
group, location or role) and says so. Every problem names the file (or API endpoint),
the object and what is wrong; a file that cannot be read at all raises ``InventoryError``.
The API token is read from an environment variable only and never written anywhere.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twin.interchange.inventory import (FACINGS, ImportReport, InventoryError, RackRow,
                                        _natural, _norm, match_model, model_index)
from twin.io.capped import ReadRefused, read_capped
from twin.model import Catalogue, load_catalogue

#: Largest saved endpoint file read (bytes), most objects taken from one live endpoint,
#: largest positions CSV (bytes).
MAX_NETBOX_BYTES = 100 * 2**20
MAX_NETBOX_OBJECTS = 1_000_000
MAX_POSITIONS_BYTES = 10 * 2**20
#: Share of a port's maximum draw counted where it has no allocated draw.
DEFAULT_DIVERSITY = 0.8
#: Rack custom fields read by default: x (m), y (m), facing; the rack model.
POSITION_FIELDS = ("floor_x_m", "floor_y_m", "facing")
MODEL_FIELD = "twin_model"
#: Rack attributes whose name becomes the row of a rack placed by the importer (first set).
ROW_BY = ("group", "location", "role")
#: Rack fields that may serve as the layout's rack id.
RACK_IDS = ("name", "facility_id", "asset_tag")
#: NetBox's own three-phase factor (PowerFeed.save: V × A × 1.732 × utilisation).
THREE_PHASE = 1.732
WEIGHT_KG = {"kg": 1.0, "g": 1e-3, "lb": 0.45359237, "oz": 0.028349523125}
API_TIMEOUT_S = 30.0


def _file_names(endpoint: str) -> tuple[str, ...]:
    names = [f"dcim_{endpoint}.json", f"dcim_{endpoint.replace('-', '_')}.json",
             f"{endpoint}.json", f"{endpoint.replace('-', '_')}.json"]
    return tuple(dict.fromkeys(names))


#: What is read: key -> (API endpoint under /api/dcim/, the file names it may be saved as).
ENDPOINTS: dict[str, tuple[str, tuple[str, ...]]] = {
    key: (ep, _file_names(ep)) for key, ep in (
        ("racks", "racks"), ("devices", "devices"), ("device_types", "device-types"),
        ("power_ports", "power-ports"), ("power_feeds", "power-feeds"),
        ("locations", "locations"))}


@dataclass
class Endpoint:
    """One endpoint's objects as read: where they came from (a file name or the API path)
    and each object with its place there (``results[3]``, ``[3]``)."""

    label: str
    objects: list[tuple[str, Any]]


@dataclass
class NetboxData:
    """NetBox objects by endpoint key (``ENDPOINTS``); an endpoint not given is absent."""

    source: str
    endpoints: dict[str, Endpoint]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Position:
    """A rack position from the positions CSV, with the line it came from."""

    where: str
    x_m: float
    y_m: float
    rotation_deg: int | None


class _Bad(Exception):
    """One value that is wrong; the caller reports it where it knows the object."""


# ----- reading saved results ---------------------------------------------------------
def read_netbox_folder(folder: str | os.PathLike) -> NetboxData:
    """The saved API results in ``folder``: ``dcim_racks.json`` (required),
    ``dcim_devices.json``, ``dcim_device-types.json``, ``dcim_power-ports.json``,
    ``dcim_power-feeds.json``, ``dcim_locations.json`` (also without ``dcim_``, with ``_``
    for ``-``), each a bare list or a whole API page ``{"count", "next", "results"}``."""
    path, name = Path(folder), str(folder)
    if not path.exists():
        raise InventoryError(name, "no such folder")
    if not path.is_dir():
        raise InventoryError(name, "is a file, not a folder: give the folder of saved NetBox "
                             "API results (dcim_racks.json, dcim_devices.json, ...)")
    try:
        present = {p.name.lower(): p for p in path.iterdir() if p.is_file()}
    except OSError as exc:
        raise InventoryError(name, f"cannot list the folder: {exc.strerror or exc}") from None
    data = NetboxData(name, {})
    used: set[str] = set()
    for key, (_ep, names) in ENDPOINTS.items():
        found = [present[n] for n in names if n in present]
        if len(found) > 1:
            raise InventoryError(name, f"both {found[0].name} and {found[1].name} hold "
                                 f"{key.replace('_', ' ')}: keep one")
        if found:
            used.add(found[0].name.lower())
            data.endpoints[key] = Endpoint(found[0].name, read_results(found[0]))
    if "racks" not in data.endpoints:
        raise InventoryError(name, "no dcim_racks.json (or racks.json): expected NetBox API "
                             "results saved as " + ", ".join(n[0] for _e, n in ENDPOINTS.values()))
    ignored = sorted(p.name for n, p in present.items() if n.endswith(".json") and n not in used)
    if ignored:
        data.notes.append("not read (not a NetBox endpoint this import uses): "
                          + ", ".join(ignored))
    return data


def read_results(path: str | os.PathLike) -> list[tuple[str, Any]]:
    """The objects of one saved endpoint file with their places in it; raises
    ``InventoryError`` for a file that is not whole NetBox API results."""
    name = str(path)
    try:
        data = read_capped(path, MAX_NETBOX_BYTES, "one NetBox endpoint (JSON)")
    except ReadRefused as exc:
        raise InventoryError(name, str(exc)) from None
    return parse_results(name, data)


def parse_results(name: str, data: bytes) -> list[tuple[str, Any]]:
    """``data`` (the bytes of file ``name``) as a list of (place, object)."""
    doc = _json(name, data)
    if isinstance(doc, list):
        return [(f"[{i}]", o) for i, o in enumerate(doc)]
    if isinstance(doc, dict) and "results" in doc:
        results, count, nxt = doc["results"], doc.get("count"), doc.get("next")
        if not isinstance(results, list):
            raise InventoryError(name, f"results: found {_kind(results)}, expected a list "
                                 "of objects")
        more = isinstance(count, int) and not isinstance(count, bool) and count > len(results)
        if nxt or more:
            raise InventoryError(name, f"holds one page: {len(results)} of "
                                 f"{count if isinstance(count, int) else 'more'} results "
                                 f"(next: {nxt}); save every page and join their results "
                                 "in one list, or import from the NetBox URL")
        return [(f"results[{i}]", o) for i, o in enumerate(results)]
    if isinstance(doc, dict) and "detail" in doc:
        raise InventoryError(name, "holds a NetBox error answer, not results: "
                             + _short(str(doc["detail"])))
    raise InventoryError(name, f"found {_kind(doc)}, expected a list of objects or a NetBox "
                         "API page {\"count\": ..., \"next\": ..., \"results\": [...]}")


def _json(name: str, data: bytes) -> Any:
    if not data.strip():
        raise InventoryError(name, "is empty, expected NetBox API results (JSON)")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InventoryError(name, "is UTF-16 text; NetBox answers in UTF-8: save its answer "
                             "unchanged (e.g. with curl -o)")
    if data[:2] == b"\x1f\x8b":
        raise InventoryError(name, "is gzip-compressed: unpack it first")
    if data[:4] == b"PK\x03\x04":
        raise InventoryError(name, "is a ZIP archive: unpack it into the folder first")
    if b"\x00" in data[:65536]:
        raise InventoryError(name, "is binary, not JSON text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InventoryError(name, f"line {line}: byte 0x{data[exc.start]:02x} is not UTF-8 "
                             "text; NetBox answers in UTF-8: save its answer unchanged") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        raise InventoryError(name, f"line {exc.lineno} column {exc.colno}: {exc.msg}"
                             + (" (the file ends before the JSON does: truncated?)"
                                if truncated else "")) from None
    except RecursionError:
        raise InventoryError(name, "JSON nested too deeply for NetBox API results") from None


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return f"the number {v!r}"
    if isinstance(v, str):
        return f"the text {_short(v)!r}"
    if isinstance(v, list):
        return "a list"
    return "an object" if isinstance(v, dict) else type(v).__name__


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1] + "…"


# ----- live pull ---------------------------------------------------------------------
def is_url(source: str | os.PathLike) -> bool:
    return str(source).lower().startswith(("http://", "https://"))


def read_netbox_api(url: str, token_env: str = "NETBOX_TOKEN", site: str | None = None
                    ) -> NetboxData:
    """The same objects as the saved files, pulled live with pynetbox from the NetBox at
    ``url`` (its base address) with the API token in the environment variable
    ``token_env``; ``site`` (a slug, or a numeric id) limits the pull to one site. Raises
    ``InventoryError`` when the token is missing or the server cannot be used."""
    shown = _public(url)
    token = os.environ.get(token_env, "").strip()
    if not token:
        raise InventoryError(shown, f"no API token: set the environment variable {token_env} "
                             "to a NetBox API token (read from there only, never from a file "
                             "or the command line)")
    try:
        import pynetbox
        import requests
    except ImportError:
        raise InventoryError(shown, "pynetbox is not installed (pip install pynetbox)") from None
    scope: dict[str, Any] = {}
    if site:
        scope = {"site_id": int(site)} if site.isdigit() else {"site": site}
    data = NetboxData(shown, {})
    try:
        nb = pynetbox.api(url, token=token)
        nb.http_session = _timeout_session(requests)
        for key, (ep, _names) in ENDPOINTS.items():
            endpoint = getattr(nb.dcim, ep.replace("-", "_"))
            kw = scope if key != "device_types" else {}
            records = endpoint.filter(**kw) if kw else endpoint.all()
            objects: list[tuple[str, Any]] = []
            for i, rec in enumerate(records):
                if i >= MAX_NETBOX_OBJECTS:
                    raise InventoryError(shown, f"dcim/{ep}: more than {MAX_NETBOX_OBJECTS:,} "
                                         "objects; limit the pull to one site")
                objects.append((f"[{i}]", _record_dict(rec)))
            data.endpoints[key] = Endpoint(f"dcim/{ep}", objects)
    except InventoryError:
        raise
    except pynetbox.RequestError as exc:
        raise InventoryError(shown, _request_error(exc, token_env)) from None
    except pynetbox.ContentError:
        raise InventoryError(shown, "the server's answer is not NetBox API JSON: is this the "
                             "address of a NetBox?") from None
    except requests.exceptions.RequestException as exc:
        raise InventoryError(shown, f"cannot reach the NetBox server: {_short(str(exc), 200)}"
                             ) from None
    if urlsplit(url).scheme.lower() == "http":
        data.notes.append("the API token went over plain HTTP, readable on the network: "
                          "use https")
    if site and not data.endpoints["racks"].objects:
        data.notes.append(f"site {site!r} has no racks (a site is given by its slug or id)")
    return data


def _public(url: str) -> str:
    """``url`` without any user:password part and query (never shown or reported)."""
    try:
        p = urlsplit(url)
        netloc = p.netloc.rsplit("@", 1)[-1]
        return urlunsplit((p.scheme, netloc, p.path, "", ""))
    except ValueError:
        return url.split("?", 1)[0].rsplit("@", 1)[-1]


def _timeout_session(requests: Any) -> Any:
    class _Session(requests.Session):
        def request(self, *args: Any, **kw: Any) -> Any:
            kw.setdefault("timeout", API_TIMEOUT_S)
            return super().request(*args, **kw)
    return _Session()


def _record_dict(rec: Any) -> Any:
    """A pynetbox record as the dict the API answered (nested records as dicts)."""
    if isinstance(rec, dict):
        return rec
    try:
        return dict(rec)
    except (TypeError, ValueError):
        return rec


def _request_error(exc: Any, token_env: str) -> str:
    req = getattr(exc, "req", None)
    code = getattr(req, "status_code", None)
    if code in (401, 403):
        return (f"the server refused the request (HTTP {code}): check the token in "
                f"{token_env} and its permissions")
    if code == 404:
        where = _public(str(getattr(req, "url", "")))
        return (f"no NetBox API at this address (HTTP 404 for {where}): give the NetBox "
                "base address, such as https://netbox.example.com")
    return f"the request failed (HTTP {code}): {_short(str(getattr(exc, 'error', exc)), 200)}"


# ----- positions CSV -----------------------------------------------------------------
_POS_COLUMNS = {"rack": ("rack", "rackid", "rackname", "id", "name"),
                "x_m": ("xm", "x"), "y_m": ("ym", "y"),
                "facing": ("facing", "front", "orientation", "rotation", "rotationdeg")}


def read_positions_csv(path: str | os.PathLike, report: ImportReport) -> dict[str, Position]:
    """Rack -> position from a CSV with columns rack, x_m, y_m and optionally facing
    (N/E/S/W or 0/90/180/270). Raises ``InventoryError`` for a file that is not such a
    table; a bad line is an error in ``report`` with its line number."""
    name = str(path)
    try:
        data = read_capped(path, MAX_POSITIONS_BYTES, "a positions table (CSV)")
    except ReadRefused as exc:
        raise InventoryError(name, str(exc)) from None
    if not data.strip():
        raise InventoryError(name, "is empty, expected a header rack,x_m,y_m,facing and one "
                             "rack per line")
    if b"\x00" in data[:65536]:
        raise InventoryError(name, "is binary, not a CSV text table")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InventoryError(name, f"line {line}: byte 0x{data[exc.start]:02x} is not UTF-8 "
                             "text; save the table as CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if any(c in first for c in ",;\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: dict[str, Position] = {}
    cols: dict[str, int] = {}
    label = Path(name).name
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if not cols:
                cols = _position_columns(name, cells)
                continue
            _position_line(label, reader.line_num, cells, cols, out, report)
    except csv.Error as exc:
        raise InventoryError(name, f"line {reader.line_num}: {exc}") from None
    if not cols:
        raise InventoryError(name, "has no header row")
    return out


def _position_columns(name: str, header: list[str]) -> dict[str, int]:
    by_norm = {_norm(h): i for i, h in enumerate(header)}
    cols: dict[str, int] = {}
    for f, aliases in _POS_COLUMNS.items():
        i = next((by_norm[a] for a in aliases if a in by_norm), None)
        if i is not None:
            cols[f] = i
    missing = [f for f in ("rack", "x_m", "y_m") if f not in cols]
    if missing:
        raise InventoryError(name, "header: no " + ", ".join(missing) + " column (found "
                             + ", ".join(repr(h.strip()) for h in header) + "); expected "
                             "rack, x_m, y_m and optionally facing")
    return cols


def _position_line(label: str, line: int, cells: list[str], cols: dict[str, int],
                   out: dict[str, Position], report: ImportReport) -> None:
    where = f"{label} line {line}"

    def cell(f: str) -> str:
        i = cols.get(f)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    rack = cell("rack")
    if not rack:
        return report.error(where, "rack: empty, expected the rack's name")
    if rack in out:
        return report.error(where, f"rack {rack!r} is listed twice (first at {out[rack].where})")
    try:
        x, y = _number(cell("x_m")), _number(cell("y_m"))
    except _Bad as exc:
        return report.error(where, f"{'x_m' if not _safe_number(cell('x_m')) else 'y_m'}: {exc}")
    try:
        rot = _facing(cell("facing"))
    except _Bad as exc:
        return report.error(where, f"facing: {exc}")
    if x is None or y is None:
        if x is not None or y is not None:
            report.error(where, f"rack {rack!r}: has only one of x_m and y_m")
        return None
    out[rack] = Position(where, x, y, rot)
    return None


# ----- values ------------------------------------------------------------------------
def _number(v: Any) -> float | None:
    """A number (or a numeric text) as a finite float; None for null or empty."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool):
        raise _Bad(f"found {_kind(v)}, expected a number")
    if isinstance(v, (int, float)):
        x = float(v)
    elif isinstance(v, str):
        try:
            x = float(v.strip().replace(",", ".") if v.count(",") == 1 and "." not in v else v)
        except ValueError:
            raise _Bad(f"found {_short(v)!r}, expected a number") from None
    else:
        raise _Bad(f"found {_kind(v)}, expected a number")
    if not math.isfinite(x):
        raise _Bad(f"found {v!r}, expected a finite number")
    return x


def _field_number(obj: dict[str, Any], key: str, minimum: float = 0.0) -> float | None:
    try:
        x = _number(obj.get(key))
    except _Bad as exc:
        raise _Bad(f"{key}: {exc}") from None
    if x is not None and x < minimum:
        raise _Bad(f"{key}: found {x:g}, expected at least {minimum:g}")
    return x


def _facing(v: Any) -> int | None:
    """Rotation (deg) of a facing word or angle; None when not given."""
    if v is None:
        return None
    s = _choice(v).strip().lower()
    if not s:
        return None
    s = s.replace("front", "").replace("facing", "").replace("faces", "").strip(" -:")
    if s.endswith(".0"):
        s = s[:-2]
    if s not in FACINGS:
        raise _Bad(f"found {_choice(v)!r}, expected N, E, S, W (the side the rack "
                   "front faces) or 0, 90, 180, 270 (0: front to the south)")
    return FACINGS[s]


def _choice(v: Any) -> str:
    """The value of a NetBox choice field ({"value", "label"}) or a plain value, as text."""
    if isinstance(v, dict):
        v = v.get("value")
    return "" if v is None else str(v)


def _ref(obj: dict[str, Any], key: str) -> int | None:
    """The id of a nested object (``{"id": 7, ...}`` or a bare ``7``), None for null."""
    v = obj.get(key)
    if v is None:
        return None
    i = v.get("id") if isinstance(v, dict) else v
    if isinstance(i, int) and not isinstance(i, bool):
        return i
    raise _Bad(f"{key}: found {_kind(v)}, expected an object with an integer id, or null")


def _nested_name(v: Any) -> str:
    if isinstance(v, dict):
        for k in ("name", "model", "display", "slug"):
            if isinstance(v.get(k), str) and v[k].strip():
                return str(v[k]).strip()
    return ""


def _weight_kg(obj: dict[str, Any]) -> float | None:
    w = _field_number(obj, "weight")
    if w is None:
        return None
    unit = _choice(obj.get("weight_unit")).lower() or "kg"
    if unit not in WEIGHT_KG:
        raise _Bad(f"weight_unit: found {unit!r}, expected one of " + ", ".join(WEIGHT_KG))
    return w * WEIGHT_KG[unit]


def _kw(w: float) -> str:
    return f"{w / 1000:,.2f}".rstrip("0").rstrip(".") + " kW"


# ----- objects -----------------------------------------------------------------------
@dataclass
class _Obj:
    where: str
    obj: dict[str, Any]
    id: int


def _objects(data: NetboxData, key: str, kind: str, report: ImportReport) -> dict[int, _Obj]:
    """id -> object of one endpoint: entries that are objects with a unique integer id;
    every other entry is an error in the report."""
    ep = data.endpoints.get(key)
    out: dict[int, _Obj] = {}
    if ep is None:
        return out
    for place, obj in ep.objects:
        if not isinstance(obj, dict):
            report.error(f"{ep.label}: {place}", f"found {_kind(obj)}, expected a {kind} object")
            continue
        label = _nested_name(obj)
        where = f"{ep.label}: {place}" + (f" ({kind} {label!r})" if label else "")
        i = obj.get("id")
        if not isinstance(i, int) or isinstance(i, bool):
            report.error(where, f"id: found {_kind(i)}, expected the {kind}'s integer id")
            continue
        if i in out:
            report.error(where, f"duplicate {kind} id {i} (first at {out[i].where})")
            continue
        out[i] = _Obj(where, obj, i)
    return out


@dataclass
class _Type:
    model: str
    manufacturer: str
    slug: str
    weight_kg: float | None


def _device_type(dev: _Obj, types: dict[int, _Obj], types_label: str) -> _Type:
    v = dev.obj.get("device_type")
    if isinstance(v, int) and not isinstance(v, bool):
        if v not in types:
            raise _Bad(f"device_type: id {v} is not in {types_label}")
        full = types[v].obj
    elif isinstance(v, dict):
        tid = v.get("id")
        full = types[tid].obj if isinstance(tid, int) and tid in types else v
    else:
        raise _Bad(f"device_type: found {_kind(v)}, expected the device type object")
    model = full.get("model") or full.get("display") or ""
    if not isinstance(model, str) or not model.strip():
        raise _Bad("device_type: has no model name")
    slug = full.get("slug")
    return _Type(model.strip(), _nested_name(full.get("manufacturer")),
                 slug if isinstance(slug, str) else "", _weight_kg(full))


@dataclass
class _DevicePower:
    where: str
    name: str
    type: _Type
    allocated_w: float = 0.0
    diversity_w: float = 0.0        # maximum draw × diversity of ports without allocation
    ports: int = 0
    max_only: int = 0               # ports counted by maximum draw
    neither: int = 0                # ports with no draw at all


@dataclass
class _RackLoad:
    devices: list[_DevicePower] = field(default_factory=list)
    feeds_w: float = 0.0
    primary: int = 0
    redundant: int = 0


# ----- rows --------------------------------------------------------------------------
def netbox_rows(source: str | os.PathLike, positions_csv: str | os.PathLike | None = None,
                diversity: float = DEFAULT_DIVERSITY, *, site: str | None = None,
                model_map: dict[str, str] | None = None, catalogue: Catalogue | None = None,
                position_fields: tuple[str, str, str] = POSITION_FIELDS,
                model_field: str = MODEL_FIELD, row_by: tuple[str, ...] = ROW_BY,
                rack_id: str = "name", token_env: str = "NETBOX_TOKEN"
                ) -> tuple[list[RackRow], ImportReport]:
    """The racks of a NetBox export folder or a NetBox URL, and the report so far; then
    call ``build_layout(rows, report, model_map=...)`` with the same model map (and the
    base layout whose ``catalogue`` was passed here).

    ``diversity``: share of a port's maximum draw counted where it has no allocated draw;
    ``site``: only racks of this site (slug, name or id); ``position_fields``: the rack
    custom fields holding x (m), y (m) and facing; ``model_field``: the rack custom field
    naming the twin's rack model; ``row_by``: rack attributes naming the row of racks
    placed by the importer; ``rack_id``: the rack field used as the layout's rack id.
    Raises ``InventoryError`` for input that cannot be read at all, ``ValueError`` for a
    bad option."""
    if not (isinstance(diversity, (int, float)) and 0 < diversity <= 1):
        raise ValueError(f"diversity must be above 0 and at most 1, not {diversity!r}")
    if rack_id not in RACK_IDS:
        raise ValueError(f"rack_id must be one of {', '.join(RACK_IDS)}, not {rack_id!r}")
    data = (read_netbox_api(str(source), token_env, site) if is_url(source)
            else read_netbox_folder(source))
    report = ImportReport(data.source)
    positions = read_positions_csv(positions_csv, report) if positions_csv is not None else None
    rows = rows_from_netbox(data, report, positions, diversity=diversity, site=site,
                            model_map=model_map, catalogue=catalogue,
                            position_fields=position_fields, model_field=model_field,
                            row_by=row_by, rack_id=rack_id,
                            positions_label=Path(positions_csv).name if positions_csv else "")
    return rows, report


def rows_from_netbox(data: NetboxData, report: ImportReport,
                     positions: dict[str, Position] | None = None, *,
                     diversity: float = DEFAULT_DIVERSITY, site: str | None = None,
                     model_map: dict[str, str] | None = None,
                     catalogue: Catalogue | None = None,
                     position_fields: tuple[str, str, str] = POSITION_FIELDS,
                     model_field: str = MODEL_FIELD, row_by: tuple[str, ...] = ROW_BY,
                     rack_id: str = "name", positions_label: str = "") -> list[RackRow]:
    """``RackRow``s of NetBox objects already read (see ``netbox_rows``)."""
    report.notes.extend(data.notes)
    all_racks = _objects(data, "racks", "rack", report)
    racks = {i: r for i, r in all_racks.items() if _in_site(r.obj, site)}
    if site and not racks and all_racks:
        report.error(data.endpoints["racks"].label, f"no rack is in site {site!r}")
    sites = sorted({_nested_name(r.obj.get("site")) for r in racks.values()} - {""})
    if len(sites) > 1:
        report.warn(data.endpoints["racks"].label, f"racks of {len(sites)} sites ("
                    + ", ".join(sites) + "): their positions share one floor; give a site")
    locations = {i: _nested_name(o.obj) for i, o in
                 _objects(data, "locations", "location", report).items()}
    loads = {i: _RackLoad() for i in racks}
    devices, known = _devices(data, report, all_racks, loads)
    _power_ports(data, report, devices, known, diversity)
    _feeds(data, report, all_racks, loads)
    catalogue = catalogue or load_catalogue()
    index = model_index(catalogue)
    rows: list[RackRow] = []
    for i, rk in racks.items():
        row = _rack_row(rk, loads[i], report, locations, diversity=diversity,
                        catalogue=catalogue, index=index, model_map=model_map,
                        position_fields=position_fields, model_field=model_field,
                        row_by=row_by, rack_id=rack_id, label=data.endpoints["racks"].label)
        if row is not None:
            rows.append(row)
    if positions is not None:
        _apply_positions(rows, positions, report, positions_label)
    _summary(data, report, rows, racks, loads, diversity, position_fields, model_field,
             row_by, rack_id, positions_label)
    return rows


def _in_site(rack: dict[str, Any], site: str | None) -> bool:
    if not site:
        return True
    s = rack.get("site")
    if isinstance(s, dict):
        return site in (str(s.get("id")), s.get("slug"), s.get("name"))
    return str(s) == site


def _devices(data: NetboxData, report: ImportReport, all_racks: dict[int, _Obj],
             loads: dict[int, _RackLoad]) -> tuple[dict[int, _DevicePower], set[int]]:
    """Devices standing in the imported racks by id, and the ids of every device read."""
    types = _objects(data, "device_types", "device type", report)
    types_ep = data.endpoints.get("device_types")
    types_label = types_ep.label if types_ep else "the device types (no dcim_device-types.json)"
    racks_label = data.endpoints["racks"].label
    out: dict[int, _DevicePower] = {}
    every = _objects(data, "devices", "device", report)
    for i, dev in every.items():
        try:
            rack = _ref(dev.obj, "rack")
            if rack is None:
                continue
            if rack not in all_racks:
                raise _Bad(f"rack: rack id {rack} is not in {racks_label}")
            if rack not in loads:        # a rack of another site
                continue
            dtype = _device_type(dev, types, types_label)
        except _Bad as exc:
            report.error(dev.where, str(exc))
            continue
        d = _DevicePower(dev.where, _nested_name(dev.obj) or f"id {i}", dtype)
        out[i] = d
        loads[rack].devices.append(d)
    return out, set(every)


def _power_ports(data: NetboxData, report: ImportReport, devices: dict[int, _DevicePower],
                 known: set[int], diversity: float) -> None:
    devices_ep = data.endpoints.get("devices")
    devices_label = devices_ep.label if devices_ep else "the devices (no dcim_devices.json)"
    for _i, port in _objects(data, "power_ports", "power port", report).items():
        try:
            dev = _ref(port.obj, "device")
            if dev is None:
                continue
            if dev not in known:
                raise _Bad(f"device: device id {dev} is not in {devices_label}")
            allocated = _field_number(port.obj, "allocated_draw")
            maximum = _field_number(port.obj, "maximum_draw")
        except _Bad as exc:
            report.error(port.where, str(exc))
            continue
        d = devices.get(dev)
        if d is None:                    # a device in no imported rack
            continue
        d.ports += 1
        if allocated is not None:
            d.allocated_w += allocated
        elif maximum is not None:
            d.diversity_w += maximum * diversity
            d.max_only += 1
        else:
            d.neither += 1


def _feeds(data: NetboxData, report: ImportReport, all_racks: dict[int, _Obj],
           loads: dict[int, _RackLoad]) -> None:
    racks_label = data.endpoints["racks"].label
    for _i, feed in _objects(data, "power_feeds", "power feed", report).items():
        o = feed.obj
        try:
            rack = _ref(o, "rack")
            if rack is None or rack not in loads:
                if rack is not None and rack not in all_racks:
                    report.warn(feed.where, f"rack: rack id {rack} is not in {racks_label}; "
                                "feed not counted")
                continue
            status = _choice(o.get("status")) or "active"
            if status != "active":
                continue
            volts = _field_number(o, "voltage", minimum=-100_000)
            amps = _field_number(o, "amperage")
            util = _field_number(o, "max_utilization")
            if volts is None or amps is None:
                raise _Bad("voltage and amperage are needed for the feed's capacity")
            if util is None:
                util = 80.0
            if util > 100:
                raise _Bad(f"max_utilization: found {util:g}, expected a percentage up to 100")
        except _Bad as exc:
            report.error(feed.where, str(exc))
            continue
        three = _choice(o.get("phase")) == "three-phase" and _choice(o.get("supply")) != "dc"
        watts = abs(volts) * amps * util / 100 * (THREE_PHASE if three else 1.0)
        load = loads[rack]
        if _choice(o.get("type")) == "redundant":
            load.redundant += 1
        else:
            load.primary += 1
            load.feeds_w += watts


def _rack_row(rk: _Obj, load: _RackLoad, report: ImportReport, locations: dict[int, str], *,
              diversity: float, catalogue: Catalogue, index: dict[str, str],
              model_map: dict[str, str] | None, position_fields: tuple[str, str, str],
              model_field: str, row_by: tuple[str, ...], rack_id: str, label: str
              ) -> RackRow | None:
    o = rk.obj
    name = o["name"].strip() if isinstance(o.get("name"), str) else ""
    ident = o.get(rack_id) if rack_id != "name" else name
    where = f"{label} rack {name or ident!r} (id {rk.id})"
    if not isinstance(ident, str) or not ident.strip():
        report.error(where, f"{rack_id}: empty, and it is the rack id of the import "
                     "(choose another rack id field)")
        return None
    cf = o.get("custom_fields")
    if cf is None:
        cf = {}
    if not isinstance(cf, dict):
        report.error(where, f"custom_fields: found {_kind(cf)}, expected an object")
        return None
    row = RackRow(where, ident.strip(), name=name)
    try:
        _custom_position(row, cf, position_fields)
        row.weight_kg = _rack_weight(o, load, report, where)
    except _Bad as exc:
        report.error(where, str(exc))
        return None
    row.row = _row_name(o, row_by, locations)
    _rack_power(row, load, report, diversity)
    row.model = _rack_model(row, o, cf, load, report, catalogue, index, model_map, model_field)
    return row


def _custom_position(row: RackRow, cf: dict[str, Any], fields: tuple[str, str, str]) -> None:
    fx, fy, ff = fields
    values = []
    for f in (fx, fy):
        try:
            values.append(_number(cf.get(f)))
        except _Bad as exc:
            raise _Bad(f"custom field {f}: {exc}") from None
    x, y = values
    try:
        rot = _facing(cf.get(ff))
    except _Bad as exc:
        raise _Bad(f"custom field {ff}: {exc}") from None
    if (x is None) != (y is None):
        given, missing = (fx, fy) if x is not None else (fy, fx)
        raise _Bad(f"custom field {given} is set but {missing} is not")
    if x is not None:
        row.x_m, row.y_m, row.rotation_deg = x, y, rot
        row.where += ", position from its custom fields"


def _safe_number(v: Any) -> bool:
    try:
        _number(v)
    except _Bad:
        return False
    return True


def _rack_weight(o: dict[str, Any], load: _RackLoad, report: ImportReport,
                 where: str) -> float | None:
    rack_kg = _weight_kg(o)
    known = [d.type.weight_kg for d in load.devices if d.type.weight_kg is not None]
    if rack_kg is None and not known:
        return None
    if len(known) < len(load.devices):
        report.notes.append(f"{where}: weight counts {len(known)} of its {len(load.devices)} "
                            "devices (the others' device types give no weight)")
    return round((rack_kg or 0.0) + sum(k for k in known if k is not None), 3)


def _row_name(o: dict[str, Any], row_by: tuple[str, ...], locations: dict[int, str]) -> str:
    for attr in row_by:
        v = o.get(attr)
        text = _nested_name(v)
        if not text and attr == "location" and isinstance(v, int):
            text = locations.get(v, "")
        if not text and isinstance(v, dict) and isinstance(v.get("id"), int) and attr == "location":
            text = locations.get(v["id"], "")
        if text:
            return text
    return ""


def _rack_power(row: RackRow, load: _RackLoad, report: ImportReport, diversity: float) -> None:
    allocated = sum(d.allocated_w for d in load.devices)
    by_max = sum(d.diversity_w for d in load.devices)
    for d in load.devices:
        if d.neither:
            report.warn(d.where, f"{d.neither} of its {d.ports} power ports have neither "
                        "allocated_draw nor maximum_draw: counted as 0 W in rack "
                        f"{row.id!r} (only a PDU feeding other devices should have none)")
    parts = []
    total_w = allocated + by_max
    if total_w > 0:
        row.power_kw, row.power_basis = round(total_w / 1000, 6), "budget"
        ports = sum(d.ports - d.max_only - d.neither for d in load.devices)
        parts.append(f"budget {_kw(total_w)} = {_kw(allocated)} allocated draw of {ports} "
                     "power ports")
        if by_max:
            names = ", ".join(d.name for d in load.devices if d.max_only)
            n_max = sum(d.max_only for d in load.devices)
            parts.append(f"+ {_kw(by_max)} = maximum draw × diversity {diversity:g} of "
                         f"{n_max} ports without allocated draw ({names})")
    elif load.devices:
        parts.append("no power draw on its devices' power ports: the model's typical power "
                     "is simulated")
    else:
        parts.append("no devices: the model's typical power is simulated")
    bare = [d.name for d in load.devices if d.ports == 0]
    if bare:
        parts.append(f"devices without power ports: {len(bare)} ({', '.join(bare[:5])}"
                     + (", ..." if len(bare) > 5 else "") + ")")
    if load.primary:
        parts.append(f"feeds {_kw(load.feeds_w)} usable ({load.primary} primary"
                     + (f", {load.redundant} redundant not added" if load.redundant else "")
                     + ")")
        if total_w > load.feeds_w:
            report.warn(row.where, f"rack {row.id!r}: budget {_kw(total_w)} exceeds the "
                        f"{_kw(load.feeds_w)} its primary power feeds may carry "
                        "(V × A × phase factor × max utilisation)")
    report.notes.append(f"rack {row.id!r}: " + "; ".join(parts))


def _rack_model(row: RackRow, o: dict[str, Any], cf: dict[str, Any], load: _RackLoad,
                report: ImportReport, catalogue: Catalogue, index: dict[str, str],
                model_map: dict[str, str] | None, model_field: str) -> str:
    """The rack's model name: its custom field ``model_field``, else the device type with
    the largest draw (then the most devices) that names a catalogue model, else its rack
    type; when none matches, the dominant name (``build_layout`` reports it unknown)."""
    given = cf.get(model_field)
    if isinstance(given, str) and given.strip():
        if match_model(given.strip(), catalogue, index, model_map) is None:
            report.warn(row.where, f"rack {row.id!r}: the model {given.strip()!r} is its "
                        f"custom field {model_field}")
        return given.strip()
    held: dict[str, list[Any]] = {}          # model -> [count, watts, candidate names]
    for d in load.devices:
        t = d.type
        h = held.setdefault(t.model, [0, 0.0, [t.model, t.slug,
                                               f"{t.manufacturer} {t.model}".strip()]])
        h[0] += 1
        h[1] += d.allocated_w + d.diversity_w
    order = sorted(held.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))
    matched = []
    for model, (_n, _w, names) in order:
        for cand in names:
            if cand and match_model(cand, catalogue, index, model_map) is not None:
                matched.append(cand)
                break
    rack_type = o.get("rack_type")
    type_names = ([rack_type.get("model"), rack_type.get("slug")]
                  if isinstance(rack_type, dict) else [])
    if matched:
        keys = {match_model(m, catalogue, index, model_map) for m in matched}
        if len(keys) > 1:
            report.notes.append(f"rack {row.id!r} holds " + ", ".join(matched)
                                + f"; imported as {matched[0]} (the largest draw)")
        return matched[0]
    for cand in type_names:
        if isinstance(cand, str) and cand and match_model(cand, catalogue, index,
                                                          model_map) is not None:
            return cand
    holds = ", ".join(f"{n} × {m}" + (f" ({_kw(w)})" if w else "")
                      for m, (n, w, _c) in order)
    rt = type_names[0] if type_names and isinstance(type_names[0], str) else ""
    said = [f"holds {holds}" if holds else "holds no devices"]
    if rt:
        said.append(f"rack type {rt!r}")
    report.warn(row.where, f"rack {row.id!r} " + ", ".join(said) + ": none of these is a "
                f"catalogue rack model; set the rack's custom field {model_field} or map "
                "a device type's or the rack type's model to a catalogue model")
    return order[0][0] if order else rt


def _apply_positions(rows: list[RackRow], positions: dict[str, Position],
                     report: ImportReport, label: str) -> None:
    by_id = {r.id: r for r in rows}
    by_name = {r.name: r for r in rows if r.name}
    for rack, pos in positions.items():
        r = by_id.get(rack) or by_name.get(rack)
        if r is None:
            report.error(pos.where, f"rack {rack!r} is not among the imported NetBox racks")
            continue
        if r.x_m is not None:
            report.warn(pos.where, f"rack {rack!r}: not used, its custom fields give its "
                        "position")
            continue
        r.x_m, r.y_m, r.rotation_deg = pos.x_m, pos.y_m, pos.rotation_deg
        r.where += f", position from {pos.where}"


def _summary(data: NetboxData, report: ImportReport, rows: list[RackRow],
             racks: dict[int, _Obj], loads: dict[int, _RackLoad], diversity: float,
             position_fields: tuple[str, str, str], model_field: str,
             row_by: tuple[str, ...], rack_id: str, positions_label: str) -> None:
    fx, fy, ff = position_fields
    def src(custom: str, column: str) -> str:
        return f"rack custom field {custom}" + (f" / {positions_label} {column}"
                                                 if positions_label else "")
    report.columns = {
        "id": f"rack {rack_id}", "name": "rack name",
        "model": f"rack custom field {model_field} / device types / rack type",
        "x_m": src(fx, "x_m"), "y_m": src(fy, "y_m"), "facing": src(ff, "facing"),
        "power_kw": f"devices' power ports: allocated_draw, else maximum_draw × {diversity:g}",
        "weight_kg": "rack weight + device types' weight",
        "row": "rack " + " / ".join(row_by)}
    n_dev = sum(len(load.devices) for load in loads.values())
    missing = [k for k in ("devices", "power_ports") if k not in data.endpoints]
    report.notes.insert(0, f"NetBox: {len(racks)} racks, {n_dev} devices in them; rack power "
                        "is a budget (allocated draw), not a measurement"
                        + (f"; no {' or '.join(ENDPOINTS[k][1][0] for k in missing)}, so no "
                           "rack power from NetBox" if missing else ""))
    unplaced = sorted((r.id for r in rows if r.x_m is None), key=_natural)
    if unplaced:
        report.notes.append(f"NetBox has no floor coordinates: {len(unplaced)} racks have no "
                            f"custom fields {fx}/{fy}" + (f" nor a line in {positions_label}"
                                                          if positions_label else "")
                            + " and are placed in rows by " + " / ".join(row_by))
