"""The 3-D scene the OpenUSD and glTF exports share (Qt-free): one box per rack, room
cooling unit, rear door, CDU, immersion tank and perforated tile, the hall floor, and the
air temperature on a horizontal slice, each box with its id, kind, catalogue model, centre
and size in metres (z up, the floor at z = 0), rotation, RGBA colour and the figures the
exports write as ``twin:`` attributes.

Racks are coloured as in the app (``twin.engine.layers.rack_colouring`` of a result, or a
static colouring of ``twin.model.colour_by``); equipment keeps the kind colours of the 3-D
view. Also here: ``ExportSummary`` and ``ExportError`` of both exports, and the atomic
write they share.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from twin.engine import inputs, layers
from twin.engine.simulate import RACK_STATE_NAMES, TwinResult
from twin.interchange.errors import InterchangeError
from twin.io.atomic import write_atomic
from twin.interchange.rows import Row, rack_rows
from twin.model.colour_by import STATIC_COLOURINGS
from twin.model.layout import Layout
from twin.model.viewstate import Colouring, colormap_rgba

#: Box kinds, in the order the exports write their groups, and each group's name.
GROUPS: dict[str, str] = {
    "floor": "Floor", "rack": "Rows", "cooling_unit": "CoolingUnits",
    "rear_door": "RearDoors", "cdu": "CDUs", "tank": "Tanks", "tile": "Tiles",
}
#: Colours of equipment by catalogue kind (those of the 3-D view, ``twin.view3d.palette``).
KIND_RGBA: dict[str, tuple[float, float, float, float]] = {
    "crah": (0x5f / 255, 0xb4 / 255, 0xc9 / 255, 1.0),
    "inrow": (0x8f / 255, 0xd3 / 255, 0xe6 / 255, 1.0),
    "rdhx": (0x73 / 255, 0x90 / 255, 0xa0 / 255, 1.0),
    "cdu": (0x9a / 255, 0x7f / 255, 0xd6 / 255, 1.0),
    "tank": (0x3f / 255, 0xb5 / 255, 0x8f / 255, 1.0),
    "tile": (0xb9 / 255, 0xc6 / 255, 0xd3 / 255, 1.0),
    "floor": (0x4a / 255, 0x54 / 255, 0x61 / 255, 1.0),
}
OTHER_RGBA = (0xb8 / 255, 0xb0 / 255, 0x8d / 255, 1.0)
#: Racks with no value (NaN) are grey, as in the app; also the prototypes' own colour.
RACK_NEUTRAL_RGBA = (0x9a / 255, 0xa3 / 255, 0xad / 255, 1.0)
#: Size of equipment whose model is not in the catalogue (as the 3-D view draws it).
UNKNOWN_SIZE_M = (0.6, 0.6, 1.0)
#: The hall floor is a slab under z = 0; perforated tiles are thin slabs on it.
FLOOR_THICKNESS_M = 0.05
TILE_THICKNESS_M = 0.02
#: Alert state of a rack: its worst alert's severity ("ok" without one).
ALERT_STATES = ("ok", "warning", "critical")

AttrValue = float | int | str | bool


class ExportError(InterchangeError):
    """A scene that could not be written: ``path`` and why; ``str()`` is one line,
    ``PATH: cannot write: REASON`` (an ``InterchangeError``, which the CLI prints)."""

    def __init__(self, path: str | os.PathLike, message: str):
        super().__init__(str(path), f"cannot write: {message}")
        self.path = Path(path)


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: the file, its size in bytes, the prims (USD) or nodes (glTF)
    written, the racks among them and the wall time of the export in seconds."""

    path: Path
    bytes: int
    prim_count: int
    rack_count: int
    seconds: float


@dataclass
class SceneBox:
    """One box: ``size_m`` is width (local x), depth (local y, the front faces local -y)
    and height in the item's own frame, turned by ``rotation_deg`` about z (0 front
    south, 90 east, 180 north, 270 west) and centred at ``centre_m``; ``attrs`` are the
    figures written as ``twin:<key>`` (camelCase keys, units in the names)."""

    id: str
    kind: str
    model: str
    centre_m: tuple[float, float, float]
    size_m: tuple[float, float, float]
    rotation_deg: int
    rgba: tuple[float, float, float, float]
    group: str = ""
    attrs: dict[str, AttrValue] = field(default_factory=dict)

    @property
    def extent_m(self) -> tuple[float, float, float]:
        """Size along the hall's x, y and z (width and depth swap at 90 and 270)."""
        w, d, h = self.size_m
        return (d, w, h) if (self.rotation_deg // 90) % 2 else (w, d, h)

    @property
    def bounds_m(self) -> tuple[float, float, float, float, float, float]:
        """x0, y0, z0, x1, y1, z1 in the hall."""
        ex = self.extent_m
        c = self.centre_m
        return (c[0] - ex[0] / 2, c[1] - ex[1] / 2, c[2] - ex[2] / 2,
                c[0] + ex[0] / 2, c[1] + ex[1] / 2, c[2] + ex[2] / 2)


@dataclass
class AirSlice:
    """Air temperature on a horizontal plane at ``height_m``, as a grid of vertices that
    covers the hall wall to wall: cell centres of the air grid plus a ring on the walls
    (which repeats the nearest cell). ``temperature_c`` and ``rgba`` are (ny, nx) and
    (ny, nx, 4) per vertex; blocked cells (inside racks) take their nearest air cell's
    value, as in the plan heatmap."""

    height_m: float
    x_m: np.ndarray
    y_m: np.ndarray
    temperature_c: np.ndarray
    rgba: np.ndarray
    levels: tuple[float, float]

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.y_m), len(self.x_m))

    def vertices_m(self) -> np.ndarray:
        """(ny * nx, 3) vertex positions, row by row (x fastest)."""
        xx, yy = np.meshgrid(self.x_m, self.y_m)
        return np.column_stack([xx.ravel(), yy.ravel(), np.full(xx.size, self.height_m)])

    def quads(self) -> np.ndarray:
        """(m, 4) vertex indices of the quads between the vertices, counter-clockwise
        seen from above."""
        ny, nx = self.shape
        i = np.arange(ny * nx).reshape(ny, nx)
        a, b = i[:-1, :-1].ravel(), i[:-1, 1:].ravel()
        c, d = i[1:, 1:].ravel(), i[1:, :-1].ravel()
        return np.column_stack([a, b, c, d])

    def triangles(self) -> np.ndarray:
        """(2m, 3) the quads split in two triangles."""
        q = self.quads()
        return np.concatenate([q[:, [0, 1, 2]], q[:, [0, 2, 3]]])


@dataclass
class Scene:
    """The whole floor as boxes, grouped by kind, racks by row."""

    name: str
    hall_m: tuple[float, float, float]
    boxes: list[SceneBox]
    rows: list[Row]
    colouring: Colouring
    air_slice: AirSlice | None = None
    with_result: bool = False
    #: catalogue width, depth, height of each model in the scene (the prototypes' size)
    model_sizes_m: dict[str, tuple[float, float, float]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[SceneBox]:
        return [b for b in self.boxes if b.kind == kind]

    def counts(self) -> dict[str, int]:
        """Boxes per kind (every kind of ``GROUPS``, zero included)."""
        out = {k: 0 for k in GROUPS}
        for b in self.boxes:
            out[b.kind] = out.get(b.kind, 0) + 1
        return out

    def models(self) -> list[str]:
        """Distinct catalogue models of the boxes, in order of first use ("" excluded)."""
        return list(dict.fromkeys(b.model for b in self.boxes if b.model))

    def by_group(self) -> Iterator[tuple[str, list[SceneBox]]]:
        """(group name, boxes) in ``GROUPS`` order."""
        for kind, group in GROUPS.items():
            boxes = self.of_kind(kind)
            if boxes:
                yield group, boxes


# ====================================================================== colouring
def colouring_for(layout: Layout, result: TwinResult | None,
                  colour_by: str | Colouring = "inlet") -> Colouring:
    """The rack colouring of ``colour_by`` aligned with ``layout.racks``: a result metric
    (``layers.METRICS``) of ``result``, a static colouring (``STATIC_COLOURINGS``), or a
    ``Colouring`` as given (the app's current one). A result metric without a result
    colours by model. ``ValueError`` for an unknown key."""
    n = len(layout.racks)
    if isinstance(colour_by, Colouring):
        if len(colour_by.values) == n:
            return colour_by
        return STATIC_COLOURINGS["model"](layout)
    if colour_by in layers.METRICS:
        if result is None:
            return STATIC_COLOURINGS["model"](layout)
        c = layers.rack_colouring(colour_by, result)
        return dataclasses.replace(c, values=_aligned(c.values, result.rack_ids, layout))
    if colour_by in STATIC_COLOURINGS:
        return STATIC_COLOURINGS[colour_by](layout)
    choices = ", ".join(sorted({*layers.METRICS, *STATIC_COLOURINGS}))
    raise ValueError(f"unknown colouring {colour_by!r} (choose from {choices})")


def _rack_index(result_ids: list[str], layout: Layout) -> np.ndarray:
    """For each rack of the layout its index in the result (-1: not in the result)."""
    ids = layout.racks.ids
    if len(ids) == len(result_ids) and all(a == b for a, b in zip(ids, result_ids)):
        return np.arange(len(ids))
    where = {rid: k for k, rid in enumerate(result_ids)}
    return np.array([where.get(str(i), -1) for i in ids], dtype=np.int64)


def _aligned(values: Any, result_ids: list[str], layout: Layout) -> np.ndarray:
    """Per-rack ``values`` of a result re-ordered for ``layout.racks`` (missing: NaN)."""
    idx = _rack_index(result_ids, layout)
    v = np.asarray(values, dtype=float)
    out = np.full(len(idx), np.nan)
    have = idx >= 0
    out[have] = v[idx[have]]
    return out


def _by_id(values: Any, ids: list[str]) -> dict[str, float]:
    """``{id: value}`` of the finite values of a per-item result array."""
    v = np.asarray(values, dtype=float).ravel()
    return {i: float(x) for i, x in zip(ids, v) if math.isfinite(float(x))}


# ========================================================================= scene
def build_scene(layout: Layout, result: TwinResult | None = None,
                colour_by: str | Colouring = "inlet", air_slice: bool = True) -> Scene:
    """The scene of ``layout``; with ``result`` (a solve of this layout) the simulated
    figures, the metric colours and the air slice (``air_slice``)."""
    colouring = colouring_for(layout, result, colour_by)
    rows = rack_rows(layout)
    boxes = [_floor_box(layout)]
    boxes += _rack_boxes(layout, result, colouring, rows)
    boxes += _equipment_boxes(layout, result, colouring)
    boxes += _tile_boxes(layout, result)
    h = layout.hall
    sl = _air_slice(layout, result) if (air_slice and result is not None) else None
    cat = layout.catalogue
    sizes = {m: tuple(float(v) for v in cat[m].footprint_m)
             for m in dict.fromkeys(b.model for b in boxes if b.model) if m in cat}
    return Scene(layout.name, (h.width_m, h.length_m, h.ceiling_height_m), boxes, rows,
                 colouring, sl, result is not None,
                 {m: (s[0], s[1], s[2]) for m, s in sizes.items()})


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB components (0..1) to linear light, as glTF vertex colours and USD display
    colours are defined."""
    c = np.asarray(rgb, dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _rgba(row: Any) -> tuple[float, float, float, float]:
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))


def _floor_box(layout: Layout) -> SceneBox:
    h = layout.hall
    return SceneBox("Floor", "floor", "", (h.width_m / 2, h.length_m / 2, -FLOOR_THICKNESS_M / 2),
                    (h.width_m, h.length_m, FLOOR_THICKNESS_M), 0, KIND_RGBA["floor"],
                    attrs={"name": h.name, "widthM": float(h.width_m),
                           "lengthM": float(h.length_m),
                           "ceilingHeightM": float(h.ceiling_height_m)})


def alert_states(result: TwinResult) -> dict[str, str]:
    """Id -> "critical" or "warning": the worst severity of the alerts that name it (rack
    inlets outside the ASHRAE band, units over capacity, …); ids without one are "ok"."""
    rank = {s: k for k, s in enumerate(ALERT_STATES)}
    worst: dict[str, int] = {}
    for a in result.alerts:
        k = rank.get(a.severity, 0)
        if k > worst.get(a.target, 0):
            worst[a.target] = k
    return {target: ALERT_STATES[k] for target, k in worst.items()}


def rack_alert_states(layout: Layout, result: TwinResult) -> list[str]:
    """Per rack of ``layout``: its alert state ("ok", "warning", "critical")."""
    states = alert_states(result)
    return [states.get(str(i), "ok") for i in layout.racks.ids]


def _rack_boxes(layout: Layout, result: TwinResult | None, colouring: Colouring,
                rows: list[Row]) -> list[SceneBox]:
    r = layout.racks
    n = len(r)
    if n == 0:
        return []
    sizes = layout.rack_sizes_m()
    rgba = colouring.rgba()
    liquid_share = inputs.rack_liquid_fraction(layout)
    figures: dict[str, np.ndarray] = {"liquidShare": liquid_share}
    states: list[str] | None = None
    run_state: list[str] | None = None
    if result is None:
        own = r["power_kw"]
        figures["powerKw"] = np.where(np.isfinite(own), own,
                                      inputs.rack_numbers(layout, "typical_kw"))
        figures["airflowM3s"] = inputs.rack_airflow_m3s(layout)
    else:
        ids = result.rack_ids
        figures["powerKw"] = _aligned(result.rack_power_kw, ids, layout)
        air, liq = result.air, result.liquid
        if air is not None:
            figures["airflowM3s"] = _aligned(air.rack_airflow_m3s, ids, layout)
            figures["inletC"] = _aligned(air.rack_inlet_mean_c, ids, layout)
            figures["inletMaxC"] = _aligned(air.rack_inlet_max_c, ids, layout)
            figures["exhaustC"] = _aligned(air.rack_exhaust_c, ids, layout)
        else:
            figures["airflowM3s"] = inputs.rack_airflow_m3s(layout)
        if liq is not None:
            ret = np.where(liq.racks.cdu_index >= 0, liq.racks.return_c, np.nan)
            figures["coolantReturnC"] = _aligned(ret, ids, layout)
        states = rack_alert_states(layout, result)
        if result.rack_state is not None:
            codes = _aligned(result.rack_state, ids, layout)
            run_state = [RACK_STATE_NAMES[int(c)] if np.isfinite(c) and 0 <= c < len(RACK_STATE_NAMES)
                         else "" for c in codes]
    row_of = {i: row.name for row in rows for i in row.racks}
    columns = {k: v.tolist() for k, v in figures.items()}
    ids_col, models, names = r.ids, r["model"], r["name"]
    workloads, cdus = r["workload"], r["cdu"]
    x, y, rot = r["x_m"].tolist(), r["y_m"].tolist(), r["rotation_deg"].tolist()
    out = []
    for i in range(n):
        w, d, h = (float(s) for s in sizes[i])
        attrs: dict[str, AttrValue] = {}
        for key, col in columns.items():
            v = col[i]
            if math.isfinite(v):
                attrs[key] = float(v)
        if names[i] and names[i] != ids_col[i]:
            attrs["name"] = str(names[i])
        if workloads[i]:
            attrs["workload"] = str(workloads[i])
        if cdus[i]:
            attrs["cdu"] = str(cdus[i])
        if states is not None:
            attrs["alert"] = states[i]
        if run_state is not None and run_state[i]:
            attrs["state"] = run_state[i]
        row = row_of.get(i, "")
        attrs["row"] = row
        out.append(SceneBox(str(ids_col[i]), "rack", str(models[i]),
                            (float(x[i]), float(y[i]), h / 2), (w, d, h), int(rot[i]) % 360,
                            _rgba(rgba[i]), row, attrs))
    # in row order, racks in order along their row
    order = [i for row in rows for i in row.racks]
    return [out[i] for i in order] if len(order) == n else out


def _attached_pose(layout: Layout, sizes: np.ndarray, host: str, depth_m: float
                   ) -> tuple[float, float, int]:
    """(x, y, rotation) of an item hung on the back of rack ``host`` (rear doors), as the
    3-D view places it."""
    r = layout.racks
    k = r.index_of(host)
    rot = int(r["rotation_deg"][k]) % 360
    a = math.radians(rot)
    off = float(sizes[k, 1]) / 2 + depth_m / 2
    return (float(r["x_m"][k]) - math.sin(a) * off, float(r["y_m"][k]) + math.cos(a) * off, rot)


def _equipment_boxes(layout: Layout, result: TwinResult | None,
                     colouring: Colouring) -> list[SceneBox]:
    """Room units in the hall and rear doors, CDUs, tanks."""
    cat = layout.catalogue
    rack_sizes = layout.rack_sizes_m() if len(layout.racks) else np.empty((0, 3))
    unit_figs: dict[str, dict[str, float]] = {}
    door_load: dict[str, float] = {}
    cdu_figs: dict[str, dict[str, float]] = {}
    tank_figs: dict[str, dict[str, float]] = {}
    if result is not None:
        air, liq, imm = result.air, result.liquid, result.immersion
        if air is not None:
            m = len(result.unit_ids)
            for key, arr, scale in (("loadKw", air.unit_load_w, 1e-3),
                                    ("supplyC", air.unit_supply_c, 1.0),
                                    ("returnC", air.unit_return_c, 1.0),
                                    ("capacityFraction", air.unit_capacity_fraction, 1.0),
                                    ("airflowM3s", air.unit_airflow_m3s, 1.0)):
                for uid, v in _by_id(np.asarray(arr, float)[:m] * scale,
                                     result.unit_ids).items():
                    unit_figs.setdefault(uid, {})[key] = v
            door_load = _by_id(np.asarray(air.rack_door_removed_w, float) * 1e-3,
                               result.rack_ids)
        if liq is not None:
            c = liq.cdus
            for key, arr, scale in (("loadKw", c.load_w, 1e-3),
                                    ("capacityFraction", c.capacity_fraction, 1.0),
                                    ("supplyC", c.loop_supply_c, 1.0),
                                    ("returnC", c.loop_return_c, 1.0),
                                    ("flowLpm", c.flow_lpm, 1.0)):
                for cid, v in _by_id(np.asarray(arr, float) * scale, result.cdu_ids).items():
                    cdu_figs.setdefault(cid, {})[key] = v
        if imm is not None:
            for key, arr, scale in (("loadKw", imm.load_w, 1e-3), ("bathC", imm.bath_c, 1.0),
                                    ("capacityFraction", imm.capacity_fraction, 1.0)):
                for tid, v in _by_id(np.asarray(arr, float) * scale, result.tank_ids).items():
                    tank_figs.setdefault(tid, {})[key] = v
    equipment_rgba = colouring.equipment
    states = alert_states(result) if result is not None else None

    def colour(item_id: str, kind: str) -> tuple[float, float, float, float]:
        if equipment_rgba:
            return _rgba(colouring.rgba_of(np.array([equipment_rgba.get(item_id, np.nan)]))[0])
        return KIND_RGBA.get(kind, OTHER_RGBA)

    out: list[SceneBox] = []
    for coll in ("cooling_units", "cdus", "tanks"):
        for it in layout.items[coll].values():
            entry = cat[it.model] if it.model in cat else None
            size = tuple(float(s) for s in (entry.footprint_m if entry is not None
                                            else UNKNOWN_SIZE_M))
            ckind = "tank" if coll == "tanks" else (entry.kind if entry is not None else "other")
            x, y, rot = float(it.x_m), float(it.y_m), int(it.rotation_deg) % 360
            attrs: dict[str, AttrValue] = {"equipmentKind": ckind}
            if coll == "cooling_units":
                host = it.rack
                if ckind == "rdhx" and host:
                    kind = "rear_door"
                    attrs["rack"] = host
                    if layout.racks.has(host):
                        x, y, rot = _attached_pose(layout, rack_sizes, host, size[1])
                    if host in door_load:
                        attrs["loadKw"] = door_load[host]
                elif it.location != "hall":
                    continue               # a gallery or outdoor unit: not in the hall
                else:
                    kind = "cooling_unit"
                    attrs.update(unit_figs.get(it.id, {}))
                attrs["enabled"] = bool(it.enabled)
            elif coll == "cdus":
                kind = "cdu"
                attrs.update(cdu_figs.get(it.id, {}))
            else:
                kind = "tank"
                attrs["itKw"] = float(it.it_kw)
                attrs.update(tank_figs.get(it.id, {}))
            if states is not None:
                attrs["alert"] = states.get(it.id, "ok")
            w, d, h = size
            out.append(SceneBox(it.id, kind, it.model, (x, y, h / 2), (w, d, h), rot,
                                colour(it.id, ckind), "", attrs))
    return out


def _tile_boxes(layout: Layout, result: TwinResult | None) -> list[SceneBox]:
    tiles = list(layout.tiles.values())
    if not tiles:
        return []
    flows: list[float] = []
    air = result.air if result is not None else None
    if air is not None and len(air.tile_flow_m3s) == len(tiles):
        flows = [float(f) for f in air.tile_flow_m3s]
    p = float(layout.hall.tile_pitch_m)
    out = []
    for k, t in enumerate(tiles):
        attrs: dict[str, AttrValue] = {"openFraction": float(t.open_fraction)}
        if flows and math.isfinite(flows[k]):
            attrs["flowM3s"] = flows[k]
        out.append(SceneBox(t.id, "tile", "", (float(t.x_m), float(t.y_m), TILE_THICKNESS_M / 2),
                            (p, p, TILE_THICKNESS_M), 0, KIND_RGBA["tile"], "", attrs))
    return out


def slice_height_m(layout: Layout) -> float:
    """Height of the exported air slice: mid rack-inlet height, the first preset of the
    app's heatmap (``layers.rack_heights_m``)."""
    return float(layers.rack_heights_m(layout)[0])


def _air_slice(layout: Layout, result: TwinResult) -> AirSlice | None:
    air = result.air
    if air is None or not air.field_current or air.temperature_c.size == 0:
        return None
    z = slice_height_m(layout)
    img = layers.fill_blocked_cells(air.slice_at(z))
    if not np.isfinite(img).any():
        return None
    g = air.grid
    img = np.pad(img, 1, mode="edge")
    x = np.concatenate([[0.0], np.asarray(air.x_m, float), [g.nx * g.dx]])
    y = np.concatenate([[0.0], np.asarray(air.y_m, float), [g.ny * g.dx]])
    cls = layout.hall.ashrae_class
    lo, hi = layers.value_range("air", img, cls)
    rgba = colormap_rgba(img.ravel(), lo, hi, layers.colormap_of("air", cls)).reshape(img.shape + (4,))
    return AirSlice(z, x, y, img, rgba, (lo, hi))


# ================================================================== atomic write
def checked_target(path: str | os.PathLike, suffixes: tuple[str, ...]) -> Path:
    """The absolute target; ``ExportError`` when its suffix is not one of ``suffixes`` or
    its folder is missing or not writable (checked before any work)."""
    target = Path(path).expanduser().absolute()
    if target.suffix.lower() not in suffixes:
        raise ExportError(path, "the file name must end in " + _choices(suffixes))
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(path, f"the folder {folder} does not exist")
    if target.is_dir():
        raise ExportError(path, "it is a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(path, f"the folder {folder} is not writable")
    return target


def _choices(suffixes: tuple[str, ...]) -> str:
    return suffixes[0] if len(suffixes) == 1 else ", ".join(suffixes[:-1]) + " or " + suffixes[-1]


def write_file(path: str | os.PathLike, target: Path, data: bytes) -> int:
    """Write ``data`` atomically (``twin.io.atomic``): the old file or the new one, never
    half of one. Returns the size; ``ExportError`` on failure."""
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise ExportError(path, exc.strerror or str(exc)) from exc
    return len(data)


class Timer:
    """Seconds since construction."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.t0
