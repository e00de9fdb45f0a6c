"""OpenUSD export of the floor (``.usda`` text or ``.usdc`` binary, by suffix).

The stage is Z up, one metre per unit, default prim ``/Hall``::

    /Hall                      Xform (assembly)   twin: layout, colouring and result figures
      Floor                    Cube               the hall floor, a slab under z = 0
      Rows/<row>/<rack>        instance of /Prototypes/<model>, racks in order along the row
      CoolingUnits/<unit>      room units standing in the hall
      RearDoors/<door>         rear-door heat exchangers on the backs of their racks
      CDUs/<cdu>, Tanks/<tank>, Tiles/<tile>
      Results/AirSliceC        Mesh: air temperature on a horizontal slice (with a result)
    /Prototypes                class: one Xform with a Cube per model (and one for tiles)

Every box is an Xform that references its model's prototype and is ``instanceable``, so
1,440 racks of one model share one prototype; its own colour is an inherited constant
``primvars:displayColor`` on the instance. Prim names are valid identifiers made from the
ids, the id itself is kept in ``twin:id``. Figures are typed custom attributes in the
``twin:`` namespace (``twin:powerKw``, ``twin:inletC``, … units in the names); figures a
box has no value for are left out, never NaN.

Colours are written in linear RGB, as USD renderers expect: the app's sRGB colours
converted, so a viewer that shows sRGB on screen shows the app's colours.

The layer is authored with the Sdf API inside one ``Sdf.ChangeBlock`` (3,000 prims in
about 0.3 s), then serialised and written atomically (``twin.io.atomic``).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from pxr import Gf, Kind, Sdf, Usd, UsdGeom, Vt

from twin.engine.simulate import TwinResult
from twin.interchange.scene import (
    RACK_NEUTRAL_RGBA, AirSlice, AttrValue, ExportError, ExportSummary, Scene, SceneBox, Timer, build_scene,
    checked_target, srgb_to_linear, write_file,
)
from twin.model.layout import Layout
from twin.model.viewstate import Colouring

SUFFIXES = (".usda", ".usdc", ".usd")
#: Name of the prototype of perforated tiles (they have no catalogue model).
TILE_PROTOTYPE = "PerforatedTile"
_T = Sdf.ValueTypeNames
_CUBE_EXTENT = Vt.Vec3fArray([Gf.Vec3f(-0.5, -0.5, -0.5), Gf.Vec3f(0.5, 0.5, 0.5)])
_INVALID = re.compile(r"[^A-Za-z0-9_]")


def write_usd(layout: Layout, path: str | os.PathLike, result: TwinResult | None = None,
              colour_by: str | Colouring = "inlet", air_slice: bool = True) -> ExportSummary:
    """Write the floor as an OpenUSD stage (``.usda`` text, ``.usdc`` or ``.usd`` binary).

    ``result``: a solve of ``layout`` (its figures, metric colours and the air slice);
    ``colour_by``: a metric of ``twin.engine.layers.METRICS`` ("inlet", "power", …), a
    static colouring ("model", "nameplate_kw") or a ``Colouring``. Raises ``ExportError``
    (nothing written) for a bad suffix or an unwritable path, ``ValueError`` for an unknown
    colouring."""
    timer = Timer()
    target = checked_target(path, SUFFIXES)
    scene = build_scene(layout, result, colour_by, air_slice)
    layer, prims = scene_layer(scene, result)
    data = _serialise(layer, target, path)
    size = write_file(path, target, data)
    return ExportSummary(target, size, prims, len(layout.racks), timer.seconds)


def scene_layer(scene: Scene, result: TwinResult | None = None) -> tuple[Sdf.Layer, int]:
    """An anonymous layer holding ``scene`` and the number of prims in it."""
    layer = Sdf.Layer.CreateAnonymous(".usda")
    writer = _Writer(layer)
    with Sdf.ChangeBlock():
        writer.write(scene, result)
    layer.defaultPrim = "Hall"
    layer.documentation = f"{scene.name}: exported by the AI Factory Floor Twin"
    stage = Usd.Stage.Open(layer)
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.z)
    UsdGeom.SetStageMetersPerUnit(stage, UsdGeom.LinearUnits.meters)
    return layer, writer.prims


def _serialise(layer: Sdf.Layer, target: Path, path: str | os.PathLike) -> bytes:
    """The layer in the target's format: text for .usda, the crate format otherwise."""
    if target.suffix.lower() == ".usda":
        return layer.ExportToString().encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="twin-usd-") as folder:
        tmp = Path(folder) / "scene.usdc"
        try:
            ok = layer.Export(str(tmp))
        except Exception as exc:  # noqa: BLE001 — pxr raises Tf.ErrorException
            raise ExportError(path, " ".join(str(exc).split())) from exc
        if not ok or not tmp.exists():
            raise ExportError(path, "USD could not serialise the stage")
        return tmp.read_bytes()


def valid_name(text: str) -> str:
    """A valid USD prim name from an id: other characters become "_", a leading digit
    gets a "_" in front."""
    name = _INVALID.sub("_", text) or "_"
    return "_" + name if name[0].isdigit() else name


class _Names:
    """Unique valid names among the children of one prim."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, text: str) -> str:
        base = valid_name(text)
        name, k = base, 1
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name


class _Writer:
    """Authors the scene's prim specs on a layer."""

    def __init__(self, layer: Sdf.Layer):
        self.layer = layer
        self.model_sizes_m: dict[str, tuple[float, float, float]] = {}
        self.prims = 0
        #: prototype key (model or TILE_PROTOTYPE) -> (path, size w, d, h)
        self.prototypes: dict[str, tuple[str, tuple[float, float, float]]] = {}
        self.proto_root: Sdf.PrimSpec | None = None
        self.proto_names = _Names()

    # ----------------------------------------------------------------- primitives
    def prim(self, parent: Any, name: str, type_name: str,
             specifier: Any = Sdf.SpecifierDef) -> Sdf.PrimSpec:
        self.prims += 1
        return Sdf.PrimSpec(parent, name, specifier, type_name)

    @staticmethod
    def attr(spec: Sdf.PrimSpec, name: str, type_name: Any, value: Any,
             custom: bool = False, uniform: bool = False) -> Sdf.AttributeSpec:
        a = Sdf.AttributeSpec(spec, name, type_name,
                              Sdf.VariabilityUniform if uniform else Sdf.VariabilityVarying,
                              custom)
        a.default = value
        return a

    def twin(self, spec: Sdf.PrimSpec, name: str, value: AttrValue) -> None:
        """A typed ``twin:`` attribute: bool, int, double or string."""
        if isinstance(value, bool):
            t = _T.Bool
        elif isinstance(value, (int, np.integer)):
            t, value = _T.Int, int(value)
        elif isinstance(value, (float, np.floating)):
            t, value = _T.Double, float(value)
        else:
            t, value = _T.String, str(value)
        self.attr(spec, f"twin:{name}", t, value, custom=True)

    def xform_ops(self, spec: Sdf.PrimSpec, translate: tuple[float, float, float],
                  rotate_z: float = 0.0, scale: tuple[float, float, float] | None = None) -> None:
        order = ["xformOp:translate"]
        self.attr(spec, "xformOp:translate", _T.Double3, Gf.Vec3d(*translate))
        if rotate_z:
            self.attr(spec, "xformOp:rotateZ", _T.Double, float(rotate_z))
            order.append("xformOp:rotateZ")
        if scale is not None:
            self.attr(spec, "xformOp:scale", _T.Double3, Gf.Vec3d(*scale))
            order.append("xformOp:scale")
        self.attr(spec, "xformOpOrder", _T.TokenArray, Vt.TokenArray(order), uniform=True)

    def colour(self, spec: Sdf.PrimSpec, rgba: tuple[float, float, float, float]) -> None:
        lin = srgb_to_linear(np.asarray(rgba[:3], float))
        a = self.attr(spec, "primvars:displayColor", _T.Color3fArray,
                      Vt.Vec3fArray([Gf.Vec3f(*(float(c) for c in lin))]))
        a.SetInfo("interpolation", UsdGeom.Tokens.constant)

    def cube(self, parent: Any, name: str, size_m: tuple[float, float, float],
             translate: tuple[float, float, float]) -> Sdf.PrimSpec:
        """A unit Cube scaled to ``size_m`` (its extent authored)."""
        c = self.prim(parent, name, "Cube")
        self.attr(c, "size", _T.Double, 1.0)
        self.attr(c, "extent", _T.Float3Array, _CUBE_EXTENT)
        self.xform_ops(c, translate, scale=size_m)
        return c

    # ----------------------------------------------------------------- prototypes
    def prototype(self, key: str, size_m: tuple[float, float, float],
                  rgba: tuple[float, float, float, float]) -> tuple[str, tuple[float, float, float]]:
        """The prototype of ``key`` (created on first use): an Xform whose Cube stands on
        z = 0, centred on the origin, with the front towards -y."""
        if key in self.prototypes:
            return self.prototypes[key]
        if self.proto_root is None:
            self.proto_root = self.prim(self.layer, "Prototypes", "", Sdf.SpecifierClass)
        name = self.proto_names(key)
        p = self.prim(self.proto_root, name, "Xform")
        p.kind = Kind.Tokens.component
        self.colour(p, rgba)                  # instances author their own
        self.twin(p, "model", key if key != TILE_PROTOTYPE else "")
        size_m = self.model_sizes_m.get(key, size_m)
        self.cube(p, "Box", size_m, (0.0, 0.0, size_m[2] / 2))
        self.prototypes[key] = (f"/Prototypes/{name}", size_m)
        return self.prototypes[key]

    def instance(self, parent: Sdf.PrimSpec, name: str, box: SceneBox,
                 proto_key: str) -> Sdf.PrimSpec:
        own = RACK_NEUTRAL_RGBA if box.kind == "rack" else box.rgba
        path, (pw, pd, ph) = self.prototype(proto_key, box.size_m, own)
        spec = self.prim(parent, name, "Xform")
        spec.referenceList.Prepend(Sdf.Reference("", path))
        spec.instanceable = True
        spec.kind = Kind.Tokens.component
        w, d, h = box.size_m
        scale = (w / pw, d / pd, h / ph)
        same = all(abs(s - 1.0) < 1e-12 for s in scale)
        cx, cy, cz = box.centre_m
        self.xform_ops(spec, (cx, cy, cz - h / 2), box.rotation_deg, None if same else scale)
        self.colour(spec, box.rgba)
        self.twin(spec, "id", box.id)
        self.twin(spec, "kind", box.kind)
        if box.model:
            self.twin(spec, "model", box.model)
        for key, value in box.attrs.items():
            self.twin(spec, key, value)
        return spec

    # ----------------------------------------------------------------------- scene
    def write(self, scene: Scene, result: TwinResult | None) -> None:
        self.model_sizes_m = scene.model_sizes_m
        hall = self.prim(self.layer, "Hall", "Xform")
        hall.kind = Kind.Tokens.assembly
        self.hall_attrs(hall, scene, result)
        for group, boxes in scene.by_group():
            if group == "Floor":
                self.floor(hall, boxes[0])
                continue
            g = self.prim(hall, group, "Xform")
            g.kind = Kind.Tokens.group
            if group == "Rows":
                self.rows(g, scene, boxes)
                continue
            names = _Names()
            for box in boxes:
                key = box.model if box.model else TILE_PROTOTYPE
                self.instance(g, names(box.id), box, key)
        if scene.air_slice is not None:
            res = self.prim(hall, "Results", "Xform")
            res.kind = Kind.Tokens.group
            self.air_slice(res, scene.air_slice)

    def hall_attrs(self, hall: Sdf.PrimSpec, scene: Scene, result: TwinResult | None) -> None:
        c = scene.colouring
        self.twin(hall, "layoutName", scene.name)
        self.twin(hall, "colourBy", c.key)
        self.twin(hall, "colourLabel", c.label)
        self.twin(hall, "colourUnit", c.unit)
        self.twin(hall, "colourMin", float(c.vmin))
        self.twin(hall, "colourMax", float(c.vmax))
        self.twin(hall, "withResult", scene.with_result)
        if result is not None:
            f = result.facility
            for key, value in (("itKw", f.it_kw), ("facilityKw", f.facility_kw), ("pue", f.pue)):
                if np.isfinite(value):
                    self.twin(hall, key, float(value))
        lo = np.min([b.bounds_m[:3] for b in scene.boxes], axis=0)
        hi = np.max([b.bounds_m[3:] for b in scene.boxes], axis=0)
        self.attr(hall, "extentsHint", _T.Float3Array,
                  Vt.Vec3fArray([Gf.Vec3f(*lo.tolist()), Gf.Vec3f(*hi.tolist())]))

    def floor(self, hall: Sdf.PrimSpec, box: SceneBox) -> None:
        spec = self.cube(hall, "Floor", box.size_m, box.centre_m)
        self.colour(spec, box.rgba)
        self.twin(spec, "id", box.id)
        self.twin(spec, "kind", box.kind)
        for key, value in box.attrs.items():
            self.twin(spec, key, value)

    def rows(self, group: Sdf.PrimSpec, scene: Scene, boxes: list[SceneBox]) -> None:
        row_names = _Names()
        specs: dict[str, tuple[Sdf.PrimSpec, _Names]] = {}
        for row in scene.rows:
            spec = self.prim(group, row_names(row.name), "Xform")
            spec.kind = Kind.Tokens.group
            self.twin(spec, "row", row.name)
            self.twin(spec, "rotationDeg", int(row.rotation_deg))
            self.twin(spec, "rackCount", len(row))
            specs[row.name] = (spec, _Names())
        for box in boxes:
            if box.group not in specs:       # not in a row (never for rack_rows' rows)
                spec = self.prim(group, row_names(box.group or "Unassigned"), "Xform")
                specs[box.group] = (spec, _Names())
            parent, names = specs[box.group]
            self.instance(parent, names(box.id), box, box.model)

    def air_slice(self, parent: Sdf.PrimSpec, sl: AirSlice) -> None:
        m = self.prim(parent, "AirSliceC", "Mesh")
        pts = sl.vertices_m().astype(np.float32)
        quads = sl.quads()
        self.attr(m, "points", _T.Point3fArray, Vt.Vec3fArray.FromNumpy(pts))
        self.attr(m, "faceVertexCounts", _T.IntArray,
                  Vt.IntArray.FromNumpy(np.full(len(quads), 4, np.int32)))
        self.attr(m, "faceVertexIndices", _T.IntArray,
                  Vt.IntArray.FromNumpy(quads.astype(np.int32).ravel()))
        self.attr(m, "extent", _T.Float3Array,
                  Vt.Vec3fArray([Gf.Vec3f(*pts.min(axis=0).tolist()),
                                 Gf.Vec3f(*pts.max(axis=0).tolist())]))
        self.attr(m, "subdivisionScheme", _T.Token, UsdGeom.Tokens.none, uniform=True)
        self.attr(m, "doubleSided", _T.Bool, True, uniform=True)
        rgb = srgb_to_linear(sl.rgba.reshape(-1, 4)[:, :3]).astype(np.float32)
        a = self.attr(m, "primvars:displayColor", _T.Color3fArray, Vt.Vec3fArray.FromNumpy(rgb))
        a.SetInfo("interpolation", UsdGeom.Tokens.vertex)
        t = self.attr(m, "primvars:temperatureC", _T.FloatArray,
                      Vt.FloatArray.FromNumpy(sl.temperature_c.ravel().astype(np.float32)),
                      custom=False)
        t.SetInfo("interpolation", UsdGeom.Tokens.vertex)
        self.twin(m, "heightM", float(sl.height_m))
        self.twin(m, "colourMinC", float(sl.levels[0]))
        self.twin(m, "colourMaxC", float(sl.levels[1]))
