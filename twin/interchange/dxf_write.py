"""DXF floor plans out: ``write_dxf`` draws the layout in metres ($INSUNITS 6, R2013) for
CAD: every rack a block reference (one block per rack model: footprint and front marker,
inserted at the rack centre with its rotation) with attributes ID, MODEL, KW (and INLET_C
with simulated results), row outlines, cooling units, CDUs, perforated tiles, containment,
the hall's walls and labels, each on its own TWIN-* layer. The file is written atomically.
"""

from __future__ import annotations

import io
import math
import os
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.interchange.errors import InterchangeError
from twin.io.atomic import write_atomic
from twin.model import Layout

#: DXF version written (AutoCAD 2013; read by every current CAD program).
DXF_VERSION = "R2013"
#: $INSUNITS code of metres.
INSUNITS_METRES = 6
#: Layer -> ACI colour.
LAYERS = {"TWIN-HALL": 7, "TWIN-RACKS": 5, "TWIN-ROWS": 8, "TWIN-COOLING": 4, "TWIN-CDUS": 6,
          "TWIN-TILES": 3, "TWIN-CONTAINMENT": 1, "TWIN-TANKS": 30, "TWIN-TEXT": 7}
#: Rack attribute tags, in block order.
RACK_TAGS = ("ID", "MODEL", "KW")
RESULT_TAGS = ("INLET_C",)
#: Depth of the front (air intake) marker line inside a rack footprint (m).
FRONT_MARK_M = 0.08
_BAD_NAME = re.compile(r'[<>/\\":;?*|=`,\s]+')


class DxfWriteError(InterchangeError):
    """The DXF could not be written."""


@dataclass(frozen=True)
class DxfSummary:
    """What ``write_dxf`` wrote (the CLI prints it; ``path`` is left out there)."""

    path: str
    racks: int
    blocks: int
    rows: int
    cooling_units: int
    cdus: int
    tiles: int
    containment: int
    results: bool
    bytes: int


def rack_kw(layout: Layout, result: Any = None) -> np.ndarray:
    """The KW attribute of every rack: the simulated power with a result, else the rack's
    own fixed power or, unset, its model's nameplate."""
    r = layout.racks
    if result is not None:
        return np.asarray(result.rack_power_kw, dtype=float)
    fixed = np.asarray(r["power_kw"], dtype=float)
    cat = layout.catalogue
    plate = np.array([float(cat[m].get("nameplate_kw") or math.nan) if m in cat else math.nan
                      for m in r["model"]], dtype=float)
    return np.where(np.isfinite(fixed), fixed, plate)


def block_name(model: str) -> str:
    """The block of a rack model: ``RACK-`` and the model key without characters DXF
    names may not hold."""
    return "RACK-" + (_BAD_NAME.sub("_", model).strip("_") or "MODEL")


def write_dxf(layout: Layout, path: str | os.PathLike, result: Any = None) -> DxfSummary:
    """Write the layout as a DXF plan in metres to ``path`` atomically; with ``result``
    (``twin.engine.simulate.simulate(layout)``) the racks also carry the simulated power
    (KW) and mean inlet temperature (INLET_C). Raises ``DxfWriteError`` (nothing written)
    when the file cannot be written."""
    import ezdxf

    doc = ezdxf.new(DXF_VERSION, setup=False)
    doc.units = INSUNITS_METRES
    doc.header["$MEASUREMENT"] = 1
    doc.header["$LUNITS"] = 2
    for name, colour in LAYERS.items():
        doc.layers.add(name, color=colour)
    msp = doc.modelspace()
    hall = layout.hall
    text_h = 0.12

    # the hall: walls outline, name
    msp.add_lwpolyline([(0, 0), (hall.width_m, 0), (hall.width_m, hall.length_m),
                        (0, hall.length_m)], close=True, dxfattribs={"layer": "TWIN-HALL"})
    _label(msp, f"{layout.name} - {hall.width_m:g} x {hall.length_m:g} m",
           (0.0, hall.length_m + 0.3), 0.3, align="BOTTOM_LEFT")

    # racks: a block per model, an insert per rack
    r = layout.racks
    n = len(r)
    models = list(dict.fromkeys(str(m) for m in r["model"]))
    names: dict[str, str] = {}
    for model in models:
        name = block_name(model)
        while name in names.values():
            name += "_"
        names[model] = name
        entry = layout.catalogue[model] if model in layout.catalogue else None
        w, d = (entry.footprint_m[:2] if entry is not None else (0.6, 1.2))
        _rack_block(doc, name, float(w), float(d), result is not None)
    kw = rack_kw(layout, result)
    air = getattr(result, "air", None) if result is not None else None
    inlet = np.asarray(air.rack_inlet_mean_c, dtype=float) if air is not None else None
    ids, model_col = r.ids, r["model"]
    xs, ys, rots = r["x_m"], r["y_m"], r["rotation_deg"]
    for i in range(n):
        values = {"ID": str(ids[i]), "MODEL": str(model_col[i]), "KW": _num(kw[i], 1)}
        if result is not None:
            values["INLET_C"] = _num(inlet[i], 1) if inlet is not None else ""
        ref = msp.add_blockref(names[str(model_col[i])], (float(xs[i]), float(ys[i])),
                               dxfattribs={"layer": "TWIN-RACKS",
                                           "rotation": float(rots[i]) % 360})
        ref.add_auto_attribs(values)

    # rows: an outline around each, its name at the west/south end
    from twin.interchange.rows import rack_rows
    rows = rack_rows(layout)
    pad = 0.05
    for row in rows:
        x0, y0, x1, y1 = row.bounds_m
        msp.add_lwpolyline([(x0 - pad, y0 - pad), (x1 + pad, y0 - pad), (x1 + pad, y1 + pad),
                            (x0 - pad, y1 + pad)], close=True, dxfattribs={"layer": "TWIN-ROWS"})
        if row.axis == "x":
            _label(msp, row.name, (x0 - 0.15, (y0 + y1) / 2), 0.2, align="MIDDLE_RIGHT")
        else:
            _label(msp, row.name, ((x0 + x1) / 2, y0 - 0.15), 0.2, align="TOP_CENTER")

    # equipment standing in the hall
    units = [u for u in layout.cooling_units.values()
             if getattr(u, "location", "hall") == "hall" and not getattr(u, "rack", "")
             and u.model in layout.catalogue]
    _boxes(msp, layout, "cooling_units", units, "TWIN-COOLING", text_h)
    cdus = [c for c in layout.cdus.values() if c.model in layout.catalogue
            and not getattr(c, "rack", "")]
    _boxes(msp, layout, "cdus", cdus, "TWIN-CDUS", text_h)
    tanks = [t for t in layout.items["tanks"].values() if t.model in layout.catalogue]
    _boxes(msp, layout, "tanks", tanks, "TWIN-TANKS", text_h)

    # perforated tiles: the tile square and its open-area cross
    h = hall.tile_pitch_m / 2
    tiles = list(layout.tiles.values())
    for t in tiles:
        msp.add_lwpolyline([(t.x_m - h, t.y_m - h), (t.x_m + h, t.y_m - h),
                            (t.x_m + h, t.y_m + h), (t.x_m - h, t.y_m + h)], close=True,
                           dxfattribs={"layer": "TWIN-TILES"})
        q = 0.6 * h
        msp.add_line((t.x_m - q, t.y_m - q), (t.x_m + q, t.y_m + q),
                     dxfattribs={"layer": "TWIN-TILES"})
        msp.add_line((t.x_m - q, t.y_m + q), (t.x_m + q, t.y_m - q),
                     dxfattribs={"layer": "TWIN-TILES"})

    # containment zones
    zones = list(layout.containment.values())
    for z in zones:
        msp.add_lwpolyline([(z.x0_m, z.y0_m), (z.x1_m, z.y0_m), (z.x1_m, z.y1_m),
                            (z.x0_m, z.y1_m)], close=True,
                           dxfattribs={"layer": "TWIN-CONTAINMENT"})
        _label(msp, f"{z.id} {z.kind.replace('_', ' ')}",
               ((z.x0_m + z.x1_m) / 2, (z.y0_m + z.y1_m) / 2), text_h,
               align="MIDDLE_CENTER", layer="TWIN-CONTAINMENT")

    doc.header["$EXTMIN"] = (-1.0, -1.0, 0.0)
    doc.header["$EXTMAX"] = (hall.width_m + 1.0, hall.length_m + 1.0, 0.0)
    doc.set_modelspace_vport(height=1.15 * max(hall.length_m, hall.width_m * 0.6, 1.0),
                             center=(hall.width_m / 2, hall.length_m / 2))
    data = _encode(doc)
    try:
        target = write_atomic(path, data)
    except OSError as exc:
        raise DxfWriteError(str(path), f"cannot write: {exc.strerror or exc}") from None
    return DxfSummary(str(target), n, len(models), len(rows), len(units), len(cdus), len(tiles),
                      len(zones), result is not None, len(data))


def _rack_block(doc: Any, name: str, w: float, d: float, with_results: bool) -> None:
    """Footprint centred on the origin (front, the air intake, to -y: south at rotation
    0), a line across the front, and the attribute definitions (only ID shown; the
    attributes are on TWIN-RACKS with their rack)."""
    blk = doc.blocks.new(name=name)
    blk.add_lwpolyline([(-w / 2, -d / 2), (w / 2, -d / 2), (w / 2, d / 2), (-w / 2, d / 2)],
                       close=True)
    y = -d / 2 + min(FRONT_MARK_M, d / 4)
    blk.add_line((-w / 2, y), (w / 2, y))
    h = max(0.03, min(0.12, w / 5))
    tags = RACK_TAGS + (RESULT_TAGS if with_results else ())
    for k, tag in enumerate(tags):
        att = blk.add_attdef(tag, (0.0, -k * 1.5 * h), height=h,
                             dxfattribs={"layer": "TWIN-RACKS"})
        att.set_placement((0.0, -k * 1.5 * h), align=_align("MIDDLE_CENTER"))
        if tag != "ID":
            att.is_invisible = True


def _boxes(msp: Any, layout: Layout, collection: str, items: list[Any], layer: str,
           text_h: float) -> None:
    """Footprint outlines (with a front line) and id labels of placed items."""
    if not items:
        return
    bounds = layout.item_bounds_m(collection, items)
    for it in items:
        x0, y0, x1, y1 = bounds[it.id]
        msp.add_lwpolyline([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], close=True,
                           dxfattribs={"layer": layer})
        rot = int(getattr(it, "rotation_deg", 0)) % 360
        m = min(FRONT_MARK_M, (x1 - x0) / 4, (y1 - y0) / 4)
        front = {0: ((x0, y0 + m), (x1, y0 + m)), 90: ((x1 - m, y0), (x1 - m, y1)),
                 180: ((x0, y1 - m), (x1, y1 - m)), 270: ((x0 + m, y0), (x0 + m, y1))}
        a, b = front.get(rot, front[0])
        msp.add_line(a, b, dxfattribs={"layer": layer})
        _label(msp, it.id, ((x0 + x1) / 2, (y0 + y1) / 2), min(text_h, (x1 - x0) / 4),
               align="MIDDLE_CENTER", rotation=90.0 if (y1 - y0) > 1.5 * (x1 - x0) else 0.0)


def _align(name: str) -> Any:
    from ezdxf.enums import TextEntityAlignment
    return TextEntityAlignment[name]


def _label(msp: Any, text: str, at: tuple[float, float], height: float, align: str = "LEFT",
           layer: str = "TWIN-TEXT", rotation: float = 0.0) -> None:
    t = msp.add_text(text, height=height, rotation=rotation, dxfattribs={"layer": layer})
    t.set_placement(at, align=_align(align))


def _num(v: Any, nd: int) -> str:
    x = float(v)
    return f"{x:.{nd}f}" if math.isfinite(x) else ""


def _encode(doc: Any) -> bytes:
    buf = io.StringIO()
    doc.write(buf)
    return bytes(doc.encode(buf.getvalue()))
