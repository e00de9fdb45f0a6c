"""DXF floor plans in: ``read_drawing`` reads a CAD drawing (ezdxf) and flattens its model
space into line segments per layer, in metres, plus its texts, for the plan underlay.

Curves (arcs, circles, ellipses, splines, bulges) become chords within ``FLATTEN_TOL_M``;
block references are exploded (nested ones too, each block flattened once and placed by
its insert's matrix); z is dropped. The drawing's units come from ``$INSUNITS``; a
unitless drawing is taken as millimetres when it is more than 1,000 units across, else as
metres, and ``Drawing.notes`` says so. Every failure is a one-line ``DrawingError`` naming
the file (and the entity, type and handle, where one is at fault).
"""

from __future__ import annotations

import math
import os
import re
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from twin.interchange.errors import InterchangeError

#: Largest file read (bytes).
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Most line segments kept (all layers together).
MAX_SEGMENTS = 2_000_000
#: Most texts kept; further ones are left out with a note.
MAX_TEXTS = 200_000
#: Largest distance between a curve and its chords, in metres of the real drawing.
FLATTEN_TOL_M = 0.005
#: Fewest and most chords of one curve.
MIN_CHORDS, MAX_CHORDS = 4, 720
#: Deepest nesting of block references followed.
MAX_BLOCK_DEPTH = 16
#: A unitless drawing more than this many units across is taken as millimetres.
UNITLESS_MM_ABOVE = 1000.0
#: Colour of layers without a usable colour (and of ACI 7, white on black / black on white).
DEFAULT_RGB = (96, 96, 96)
#: Entity types flattened to segments (others are counted in a note).
CURVES = ("ARC", "CIRCLE", "ELLIPSE", "SPLINE", "LWPOLYLINE", "POLYLINE")
TEXTS = ("TEXT", "MTEXT", "ATTRIB")
IGNORED_QUIETLY = {"ATTDEF", "VIEWPORT", "POINT", "SEQEND", "VERTEX"}

_UNIT_NAMES = {1: "in", 2: "ft", 3: "mi", 4: "mm", 5: "cm", 6: "m", 7: "km", 8: "µin", 9: "mil",
               10: "yd", 11: "Å", 12: "nm", 13: "µm", 14: "dm", 15: "dam", 16: "hm", 17: "Gm",
               18: "AU", 19: "ly", 20: "pc", 21: "US survey ft", 22: "US survey in",
               23: "US survey yd", 24: "US survey mi"}
#: metres per unit of each $INSUNITS code
_METRES_PER_UNIT = {1: 0.0254, 2: 0.3048, 3: 1609.344, 4: 0.001, 5: 0.01, 6: 1.0, 7: 1000.0,
                    8: 2.54e-8, 9: 2.54e-5, 10: 0.9144, 11: 1e-10, 12: 1e-9, 13: 1e-6, 14: 0.1,
                    15: 10.0, 16: 100.0, 17: 1e9, 18: 149597870700.0, 19: 9.46e15, 20: 3.09e16,
                    21: 1200 / 3937, 22: 1 / 39.37, 23: 3600 / 3937, 24: 6336000 / 3937}
_ACAD_RELEASE = {"AC1009": "R12", "AC1012": "R13", "AC1014": "R14", "AC1015": "R2000",
                 "AC1018": "R2004", "AC1021": "R2007", "AC1024": "R2010", "AC1027": "R2013",
                 "AC1032": "R2018"}
_SURROGATES = re.compile("[\udc80-\udcff]+")


class DrawingError(InterchangeError):
    """A drawing could not be read; ``str()`` is ``FILE: message`` (one line)."""


@dataclass(frozen=True, eq=False)
class DrawingLayer:
    """One layer: its name, colour (RGB 0-255), segments (n, 2, 2) in drawing metres (x, y
    of both ends) and whether the drawing has it switched off or frozen."""

    name: str
    colour_rgb: tuple[int, int, int]
    segments_m: np.ndarray
    off: bool = False

    def __len__(self) -> int:
        return len(self.segments_m)


@dataclass(frozen=True)
class DrawingText:
    """A text of the drawing: its anchor (drawing metres), cap height (m), rotation (deg,
    counter-clockwise), anchor alignment (``halign`` 0 left, 1 centre, 2 right; ``valign``
    0 baseline, 1 bottom, 2 middle, 3 top) and plain text (lines separated by newlines)."""

    text: str
    layer: str
    x_m: float
    y_m: float
    height_m: float
    rotation_deg: float = 0.0
    halign: int = 0
    valign: int = 0


@dataclass(frozen=True, eq=False)
class Drawing:
    """A flattened drawing. Coordinates are "drawing metres": the drawing's own
    coordinates times ``unit_factor_m`` (metres per drawing unit); the underlay transform
    places them in the hall."""

    file: str
    version: str
    units: str
    unit_factor_m: float
    layers: tuple[DrawingLayer, ...]
    texts: tuple[DrawingText, ...]
    extents_m: tuple[float, float, float, float]
    notes: tuple[str, ...] = ()

    @property
    def n_segments(self) -> int:
        return sum(len(layer) for layer in self.layers)

    @property
    def layer_names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    def layer(self, name: str) -> DrawingLayer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    def segments_m(self, hidden: Iterable[str] = ()) -> np.ndarray:
        """(n, 2, 2) segments of every layer not in ``hidden`` (drawing metres)."""
        skip = set(hidden)
        parts = [layer.segments_m for layer in self.layers if layer.name not in skip]
        return np.concatenate(parts) if parts else np.empty((0, 2, 2))


# ----- reading ---------------------------------------------------------------------------
def read_drawing(path: str | os.PathLike) -> Drawing:
    """Read a DXF file (ASCII or binary, R12 to R2018) and flatten its model space.

    Raises ``DrawingError`` for a missing, empty, oversized, truncated or damaged file,
    a file that is not a DXF (a DWG, binary garbage, other text), an unknown version, a
    drawing with nothing to show in model space or more than ``MAX_SEGMENTS`` segments."""
    name = str(path)
    doc, notes = _load(Path(path), name)
    version = str(getattr(doc, "dxfversion", "") or "")
    release = _ACAD_RELEASE.get(version)
    if release is None:
        m = re.fullmatch(r"AC10(\d\d)", version)
        if m is None or int(m.group(1)) < 9:
            raise DrawingError(name, f"unknown DXF version {version!r} ($ACADVER); "
                               "expected R12 to R2018 (AC1009 to AC1032)")
        notes.append(f"DXF version {version} is newer than R2018: read as R2018")
        release = "newer than R2018"
    try:
        insunits = int(doc.header.get("$INSUNITS", 0) or 0)
    except (TypeError, ValueError):
        insunits = 0
    factor = _METRES_PER_UNIT.get(insunits)
    if factor is None and insunits != 0:
        notes.append(f"unknown $INSUNITS code {insunits}: read as unitless")
    msp = doc.modelspace()
    guess = factor if factor is not None else _guess_factor(msp)
    sink = _Sink(name, tol=FLATTEN_TOL_M / guess)
    flattener = _Flattener(doc, sink)
    for entity in msp:
        flattener.entity(entity, 0)
    if sink.count == 0 and not sink.texts:
        what = _summary(sink.ignored)
        first = (f"; skipped {sink.skipped[0]}" if sink.skipped else "")
        raise DrawingError(name, "nothing to show in model space" + (f" (only {what})" if what else
                                                                         " (it is empty)") + first)
    ext = sink.extents()
    if factor is None:
        across = max(ext[2] - ext[0], ext[3] - ext[1])
        if across > UNITLESS_MM_ABOVE:
            factor, units = 0.001, "mm (assumed)"
            notes.append(f"the drawing has no units ($INSUNITS unset) and is {across:,.0f} "
                         "units across: millimetres assumed; change the scale if wrong")
        else:
            factor, units = 1.0, "m (assumed)"
            notes.append(f"the drawing has no units ($INSUNITS unset) and is {across:,.4g} "
                         "units across: metres assumed; change the scale if wrong")
    else:
        units = _UNIT_NAMES.get(insunits, str(insunits))
    if sink.ignored:
        notes.append("not shown: " + _summary(sink.ignored))
    if sink.skipped:
        more = f" and {len(sink.skipped) - 1} more" if len(sink.skipped) > 1 else ""
        notes.append(f"skipped {sink.skipped[0]}{more}")
    if sink.texts_dropped:
        notes.append(f"{sink.texts_dropped:,} texts beyond {MAX_TEXTS:,} left out")
    if sink.recoded:
        notes.append(f"{sink.recoded:,} texts were not valid in the file's encoding: read as cp1252")
    layers = _layers(doc, sink, factor)
    texts = tuple(DrawingText(t[0], t[1], t[2] * factor, t[3] * factor, t[4] * factor, t[5],
                              t[6], t[7]) for t in sink.texts)
    x0, y0, x1, y1 = (float(v) * factor for v in ext)
    return Drawing(name, f"{version} ({release})", units, float(factor), layers, texts,
                   (x0, y0, x1, y1), tuple(notes))


def _load(path: Path, name: str) -> tuple[Any, list[str]]:
    """The ezdxf document (repaired by ``ezdxf.recover`` if the normal reader refuses it)
    and notes; every refusal is a ``DrawingError``."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DrawingError(name, "no such file") from None
    except OSError as exc:
        raise DrawingError(name, f"cannot read: {exc.strerror or exc}") from None
    if path.is_dir():
        raise DrawingError(name, "is a folder, not a DXF file")
    if st.st_size == 0:
        raise DrawingError(name, "the file is empty")
    if st.st_size > MAX_FILE_BYTES:
        raise DrawingError(name, f"the file is {st.st_size / 2**20:,.0f} MiB; drawings up to "
                           f"{MAX_FILE_BYTES / 2**20:,.0f} MiB are read (purge or split it)")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
            fh.seek(max(0, st.st_size - 1024))
            tail = fh.read()
    except OSError as exc:
        raise DrawingError(name, f"cannot read: {exc.strerror or exc}") from None
    binary = head.startswith(b"AutoCAD Binary DXF")
    if not binary:
        _check_text_head(head, name)
    end = tail.rstrip(b" \t\r\n\x00\x1a")
    if not (end.endswith(b"EOF") if not binary else b"EOF" in tail):
        raise DrawingError(name, "the file ends early (no EOF marker): it is truncated or "
                           "still being written; save or copy it again")
    import ezdxf
    from ezdxf import recover
    notes: list[str] = []
    try:
        doc = ezdxf.readfile(str(path))
    except Exception as first:             # DXFStructureError, decoding, ezdxf's own bugs
        try:
            doc, auditor = recover.readfile(str(path))
        except Exception as exc:
            raise DrawingError(name, f"damaged DXF that could not be repaired: {_one_line(exc)}"
                               f" (the reader said: {_one_line(first)})") from None
        fixed = len(getattr(auditor, "fixes", ()) or ())
        notes.append(f"the file was damaged ({_one_line(first)}); repaired on reading"
                     + (f" ({fixed} fixes)" if fixed else ""))
    return doc, notes


def _check_text_head(head: bytes, name: str) -> None:
    """Refuse what is plainly not an ASCII DXF, with a message that says what it is."""
    if head[:4] in (b"AC10", b"AC20") or re.match(rb"AC1\d\d\d", head[:6]):
        raise DrawingError(name, "this is a DWG drawing, not a DXF: save it as DXF in the CAD "
                           "program (File > Save As > DXF)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DrawingError(name, "the file is UTF-16 text: DXF files are UTF-8 or an ANSI "
                           "code page; save it again as DXF")
    if head.startswith(b"PK\x03\x04"):
        raise DrawingError(name, "this is a ZIP archive, not a DXF: unpack it first")
    if b"\x00" in head:
        raise DrawingError(name, "binary data, not a DXF drawing")
    text = head.decode("latin-1")
    lines = [ln.strip() for ln in text.lstrip("\ufeff\xef\xbb\xbf").splitlines()]
    k = 0
    while k + 1 < len(lines) and lines[k] == "999":      # comments before the first section
        k += 2
    if not (k + 1 < len(lines) and lines[k] == "0" and lines[k + 1] == "SECTION"):
        first = next((ln for ln in lines if ln), "")[:40]
        raise DrawingError(name, "not a DXF drawing (it does not start with a SECTION"
                           + (f"; first line {first!r})" if first else ")"))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {kind}" for kind, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def _guess_factor(msp: Any) -> float:
    """Metres per unit guessed for a unitless drawing from the extent of its lines,
    polylines, circles, inserts and texts (before flattening: the chord tolerance)."""
    xs: list[float] = []
    ys: list[float] = []
    for e in msp:
        try:
            t = e.dxftype()
            if t == "LINE":
                for p in (e.dxf.start, e.dxf.end):
                    xs.append(p.x); ys.append(p.y)
            elif t in ("CIRCLE", "ARC", "INSERT", "TEXT", "MTEXT"):
                p = e.dxf.center if t in ("CIRCLE", "ARC") else e.dxf.insert
                xs.append(p.x); ys.append(p.y)
            elif t == "LWPOLYLINE":
                for x, y in e.get_points("xy"):
                    xs.append(x); ys.append(y)
        except Exception:
            continue
    if not xs:
        return 1.0
    x = np.asarray(xs, float); y = np.asarray(ys, float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return 1.0
    across = max(np.ptp(x[ok]), np.ptp(y[ok]))
    return 0.001 if across > UNITLESS_MM_ABOVE else 1.0


# ----- flattening ---------------------------------------------------------------------------
@dataclass
class _Sink:
    """Segments (x0, y0, x1, y1 rows) and texts per layer, in drawing units."""

    file: str
    tol: float
    lines: dict[str, array] = field(default_factory=dict)
    chunks: dict[str, list[np.ndarray]] = field(default_factory=dict)
    texts: list[tuple] = field(default_factory=list)
    count: int = 0
    ignored: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    texts_dropped: int = 0
    recoded: int = 0

    def line(self, layer: str, x0: float, y0: float, x1: float, y1: float, where: str) -> None:
        buf = self.lines.get(layer)
        if buf is None:
            buf = self.lines[layer] = array("d")
        buf.extend((x0, y0, x1, y1))
        self.count += 1
        if self.count > MAX_SEGMENTS:
            self._too_many(where)

    def segments(self, layer: str, rows: np.ndarray, where: str) -> None:
        if not len(rows):
            return
        self.chunks.setdefault(layer, []).append(rows)
        self.count += len(rows)
        if self.count > MAX_SEGMENTS:
            self._too_many(where)

    def polyline(self, layer: str, pts: np.ndarray, where: str) -> None:
        if len(pts) >= 2:
            self.segments(layer, np.hstack([pts[:-1], pts[1:]]), where)

    def text(self, row: tuple) -> None:
        if len(self.texts) >= MAX_TEXTS:
            self.texts_dropped += 1
        else:
            self.texts.append(row)

    def _too_many(self, where: str) -> None:
        raise DrawingError(self.file, f"more than {MAX_SEGMENTS:,} line segments (reached at "
                           f"{where}): too large to show under the plan; purge or split the "
                           "drawing, or freeze detail layers before exporting it")

    def layer_arrays(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for layer in list(self.lines) + [k for k in self.chunks if k not in self.lines]:
            parts = [np.frombuffer(self.lines[layer], dtype=float).reshape(-1, 4)] \
                if layer in self.lines else []
            parts += self.chunks.get(layer, [])
            rows = np.concatenate(parts) if len(parts) > 1 else parts[0]
            rows = rows[np.isfinite(rows).all(axis=1)]
            out[layer] = rows
        return out

    def extents(self) -> tuple[float, float, float, float]:
        lo = np.array([np.inf, np.inf]); hi = -lo
        for rows in self.layer_arrays().values():
            if len(rows):
                pts = rows.reshape(-1, 2)
                lo = np.minimum(lo, pts.min(axis=0)); hi = np.maximum(hi, pts.max(axis=0))
        if self.texts:
            t = np.array([(r[2], r[3]) for r in self.texts], float)
            t = t[np.isfinite(t).all(axis=1)]
            if len(t):
                lo = np.minimum(lo, t.min(axis=0)); hi = np.maximum(hi, t.max(axis=0))
        if not np.isfinite(lo).all():
            return (0.0, 0.0, 0.0, 0.0)
        return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


@dataclass
class _Block:
    """A block flattened once in its own coordinates: segment rows and texts per layer
    ("0" stays "0": such entities take the layer of the insert that places them)."""

    rows: dict[str, np.ndarray]
    texts: list[tuple]


class _Flattener:
    def __init__(self, doc: Any, sink: _Sink):
        self.doc, self.sink = doc, sink
        self.blocks: dict[str, _Block | None] = {}
        self._open: set[str] = set()

    def entity(self, e: Any, depth: int, sink: _Sink | None = None) -> None:
        sink = sink if sink is not None else self.sink
        kind = e.dxftype()
        try:
            if e.dxf.get("invisible", 0):
                return
            layer = str(e.dxf.get("layer", "0") or "0")
            if kind == "LINE":
                s, t = e.dxf.start, e.dxf.end
                sink.line(layer, s.x, s.y, t.x, t.y, _where(e))
            elif kind == "LWPOLYLINE" and not e.has_arc and _plain_extrusion(e):
                pts = np.asarray(e.get_points("xy"), dtype=float).reshape(-1, 2)
                if e.closed and len(pts) > 2:
                    pts = np.vstack([pts, pts[:1]])
                sink.polyline(layer, pts, _where(e))
            elif kind in ("ARC", "CIRCLE"):
                self._arc(e, layer, sink)
            elif kind in CURVES:
                self._path(e, layer, sink)
            elif kind in ("3DFACE", "SOLID", "TRACE"):
                corners = [e.dxf.get(f"vtx{k}") for k in range(4)]
                xy = np.array([(p.x, p.y) for p in corners if p is not None], float)
                if kind != "3DFACE" and len(xy) == 4:
                    xy = xy[[0, 1, 3, 2]]          # SOLID vertices are in Z order
                if kind != "3DFACE" and not _plain_extrusion(e):
                    xy = _ocs_to_wcs(e, xy)
                sink.polyline(layer, np.vstack([xy, xy[:1]]), _where(e))
            elif kind in TEXTS:
                self._text(e, layer, sink)
            elif kind == "INSERT":
                self._insert(e, layer, depth, sink)
            elif kind not in IGNORED_QUIETLY:
                sink.ignored[kind] = sink.ignored.get(kind, 0) + 1
        except DrawingError:
            raise
        except Exception as exc:                       # one bad entity: skipped, named
            sink.skipped.append(f"{_where(e)} ({_one_line(exc)})")

    # --- curves --------------------------------------------------------------------------
    def _arc(self, e: Any, layer: str, sink: _Sink) -> None:
        c, r = e.dxf.center, float(e.dxf.radius)
        if not (r > 0 and math.isfinite(r)):
            return
        if e.dxftype() == "CIRCLE":
            a0, span = 0.0, 2 * math.pi
        else:
            a0 = math.radians(float(e.dxf.start_angle))
            span = (math.radians(float(e.dxf.end_angle)) - a0) % (2 * math.pi)
            if span == 0:
                span = 2 * math.pi
        n = _chords(r, span, sink.tol)
        a = a0 + np.linspace(0.0, span, n + 1)
        xy = np.column_stack([c.x + r * np.cos(a), c.y + r * np.sin(a)])
        if not _plain_extrusion(e):
            xy = _ocs_to_wcs(e, xy)
        sink.polyline(layer, xy, _where(e))

    def _path(self, e: Any, layer: str, sink: _Sink) -> None:
        from ezdxf import path as ezpath
        kind = e.dxftype()
        if kind == "POLYLINE" and (e.is_polygon_mesh or e.is_poly_face_mesh):
            for sub in e.virtual_entities():
                self.entity(sub, 0, sink)
            return
        p = ezpath.make_path(e)
        subs = list(p.sub_paths()) if p.has_sub_paths else [p]
        for sp in subs:
            pts = list(sp.flattening(sink.tol, segments=MIN_CHORDS))
            if len(pts) > 200_000:
                raise ValueError(f"{len(pts):,} chords")
            xy = np.array([(v.x, v.y) for v in pts], dtype=float).reshape(-1, 2)
            sink.polyline(layer, xy, _where(e))

    # --- texts ---------------------------------------------------------------------------
    def _text(self, e: Any, layer: str, sink: _Sink) -> None:
        kind = e.dxftype()
        if kind == "ATTRIB" and e.is_invisible:
            return
        if kind == "MTEXT":
            text = e.plain_text(split=False)
            p = e.dxf.insert
            x, y = float(p.x), float(p.y)
            height = float(e.dxf.get("char_height", 2.5) or 2.5)
            rotation = float(e.get_rotation())
            ap = int(e.dxf.get("attachment_point", 1) or 1)
            halign, valign = (ap - 1) % 3, (3, 2, 1)[min(2, (ap - 1) // 3)]
        else:
            text = e.plain_text()
            align = e.get_align_enum().name
            use_align = align not in ("LEFT", "ALIGNED", "FIT") and e.dxf.hasattr("align_point")
            p = e.dxf.align_point if use_align else e.dxf.insert
            halign = 1 if ("CENTER" in align or align == "MIDDLE") else 2 if "RIGHT" in align else 0
            valign = (3 if align.startswith("TOP") else 2 if align.startswith("MIDDLE")
                      else 1 if align.startswith("BOTTOM") else 0)
            height = float(e.dxf.get("height", 2.5) or 2.5)
            rotation = float(e.dxf.get("rotation", 0.0) or 0.0)
            if _plain_extrusion(e):
                x, y = float(p.x), float(p.y)
            else:
                ocs = e.ocs()
                w = ocs.to_wcs(p)
                d = ocs.to_wcs((math.cos(math.radians(rotation)), math.sin(math.radians(rotation)), 0))
                o = ocs.to_wcs((0, 0, 0))
                x, y = float(w.x), float(w.y)
                rotation = math.degrees(math.atan2(d.y - o.y, d.x - o.x))
        text = _clean_text(text, sink)
        if text.strip() and math.isfinite(x) and math.isfinite(y) and height > 0:
            sink.text((text, layer, x, y, height, rotation, halign, valign))

    # --- block references ---------------------------------------------------------------
    def _insert(self, e: Any, layer: str, depth: int, sink: _Sink) -> None:
        for attrib in getattr(e, "attribs", ()):       # placed in world coordinates already
            self.entity(attrib, depth, sink)
        if depth >= MAX_BLOCK_DEPTH:
            raise ValueError(f"block references nested deeper than {MAX_BLOCK_DEPTH}")
        block = self._block(str(e.dxf.name), depth, _where(e))
        if block is None:
            return
        inserts = list(e.multi_insert()) if int(e.mcount) > 1 else [e]
        for ins in inserts:
            m = np.array(list(ins.matrix44()), dtype=float).reshape(4, 4)
            a, t = m[:2, :2], m[3, :2]
            for lay, rows in block.rows.items():
                target = layer if lay == "0" else lay
                pts = rows.reshape(-1, 2) @ a + t
                sink.segments(target, pts.reshape(-1, 4), _where(e))
            if block.texts:
                sx = math.hypot(a[1, 0], a[1, 1])               # the block's y axis: heights
                for (text, lay, x, y, h, rot, ha, va) in block.texts:
                    px, py = np.array([x, y]) @ a + t
                    d = np.array([math.cos(math.radians(rot)), math.sin(math.radians(rot))]) @ a
                    sink.text((text, layer if lay == "0" else lay, float(px), float(py),
                               h * sx, math.degrees(math.atan2(d[1], d[0])), ha, va))

    def _block(self, name: str, depth: int, where: str) -> _Block | None:
        if name in self.blocks:
            found = self.blocks[name]
            if found is None and name in self._open:
                raise ValueError(f"block {name!r} contains itself")
            return found
        block = self.doc.blocks.get(name)
        if block is None:
            raise ValueError(f"undefined block {name!r}")
        self.blocks[name] = None
        self._open.add(name)
        try:
            local = _Sink(self.sink.file, self.sink.tol)
            local.count = self.sink.count                    # the cap counts every segment
            base = block.block.dxf.get("base_point", None)
            for sub in block:
                self.entity(sub, depth + 1, local)
        finally:
            self._open.discard(name)
        rows = local.layer_arrays()
        if base is not None and (base.x or base.y):
            rows = {k: v - np.array([base.x, base.y, base.x, base.y]) for k, v in rows.items()}
            local.texts = [(t[0], t[1], t[2] - base.x, t[3] - base.y) + t[4:] for t in local.texts]
        for kind, n in local.ignored.items():
            self.sink.ignored[kind] = self.sink.ignored.get(kind, 0) + n
        self.sink.skipped.extend(local.skipped)
        self.sink.recoded += local.recoded
        result = _Block(rows, local.texts) if (rows or local.texts) else None
        self.blocks[name] = result
        return result


def _where(e: Any) -> str:
    try:
        handle = e.dxf.get("handle", None)
    except Exception:
        handle = None
    return f"{e.dxftype()} #{handle}" if handle else f"{e.dxftype()} (in a block reference)"


def _plain_extrusion(e: Any) -> bool:
    ex = e.dxf.get("extrusion", None)
    return ex is None or (abs(ex.x) < 1e-12 and abs(ex.y) < 1e-12 and ex.z > 0)


def _ocs_to_wcs(e: Any, xy: np.ndarray) -> np.ndarray:
    ocs = e.ocs()
    z = float(e.dxf.get("elevation", 0.0) or 0.0) if e.dxftype() != "CIRCLE" and \
        e.dxftype() != "ARC" else float(e.dxf.center.z)
    out = [ocs.to_wcs((float(x), float(y), z)) for x, y in xy]
    return np.array([(p.x, p.y) for p in out], dtype=float).reshape(-1, 2)


def _chords(radius: float, span_rad: float, tol: float) -> int:
    """Chords for an arc of ``span_rad`` whose sagitta stays below ``tol``."""
    if tol >= radius:
        step = math.pi / 2
    else:
        step = 2 * math.acos(1 - tol / radius)
    n = math.ceil(span_rad / max(step, 1e-9))
    least = max(1, math.ceil(MIN_CHORDS * span_rad / (2 * math.pi)))
    return int(min(MAX_CHORDS, max(least, n)))


def _clean_text(text: str, sink: _Sink) -> str:
    """Text with bytes that were not valid in the file's encoding (kept by ezdxf as lone
    surrogates) read as cp1252, so Qt can draw it."""
    if _SURROGATES.search(text):
        sink.recoded += 1
        raw = text.encode("utf-8", "surrogateescape")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252", "replace")
    return text


def _layers(doc: Any, sink: _Sink, factor: float) -> tuple[DrawingLayer, ...]:
    """Layers in the drawing's table order (those with segments or texts), then any
    layer used but not in the table."""
    rows = sink.layer_arrays()
    used = set(rows) | {t[1] for t in sink.texts}
    out: list[DrawingLayer] = []
    seen: set[str] = set()
    for entry in doc.layers:
        name = str(entry.dxf.name)
        if name not in used or name in seen:
            continue
        seen.add(name)
        out.append(_layer(name, entry, rows.get(name), factor))
    for name in sorted(used - seen):
        out.append(_layer(name, None, rows.get(name), factor))
    return tuple(out)


def _layer(name: str, entry: Any, rows: np.ndarray | None, factor: float) -> DrawingLayer:
    segs = (rows * factor).reshape(-1, 2, 2) if rows is not None else np.empty((0, 2, 2))
    rgb, off = DEFAULT_RGB, False
    if entry is not None:
        try:
            off = bool(entry.is_off() or entry.is_frozen())
            true = entry.rgb
            if true is not None:
                rgb = (int(true[0]), int(true[1]), int(true[2]))
            else:
                aci = abs(int(entry.color))
                if 1 <= aci <= 255 and aci != 7:
                    from ezdxf.colors import aci2rgb
                    c = aci2rgb(aci)
                    rgb = (int(c[0]), int(c[1]), int(c[2]))
        except Exception:
            pass
    return DrawingLayer(name, rgb, np.ascontiguousarray(segs, dtype=float), off)
