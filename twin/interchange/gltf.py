"""glTF export of the floor: one binary ``.glb`` a browser glTF viewer opens.

One mesh and one node per box (racks, room units, rear doors, CDUs, tanks, tiles, the
floor) named by its id, with vertex colours (``COLOR_0``: the app's colours, converted to
the linear RGB glTF defines); with a result the air temperature slice as the mesh
``AirSliceC``. Nodes are grouped as in the USD export (``Hall`` > ``Rows`` > row > rack,
``CoolingUnits``, ``CDUs``, …), and each node's ``extras`` carry its id, kind, model and
figures (the USD export's ``twin:`` attributes). The hall is Z up; the root node ``Hall``
turns it to glTF's Y up (x stays east, y up, z south).

All meshes share one non-metallic material (the colour is in the vertices; glTF's
default material is fully metallic and renders black without an environment map).
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import trimesh
from trimesh.exchange.gltf import export_glb

from twin.engine.simulate import TwinResult
from twin.interchange.scene import (
    GROUPS, ExportSummary, Scene, SceneBox, Timer, build_scene, checked_target,
    srgb_to_linear, write_file,
)
from twin.model.layout import Layout
from twin.model.viewstate import Colouring

SUFFIXES = (".glb",)
#: Z up (the hall) to Y up (glTF): x' = x, y' = z, z' = -y.
Z_UP_TO_Y_UP = np.array([[1.0, 0.0, 0.0, 0.0],
                         [0.0, 0.0, 1.0, 0.0],
                         [0.0, -1.0, 0.0, 0.0],
                         [0.0, 0.0, 0.0, 1.0]])
AIR_SLICE = "AirSliceC"
_UNIT_BOX = trimesh.creation.box(extents=(1.0, 1.0, 1.0))
_BOX_VERTICES = np.asarray(_UNIT_BOX.vertices, float)
_BOX_FACES = np.asarray(_UNIT_BOX.faces, np.int64)
_MATERIALS: list[dict[str, Any]] = [
    {"name": "twin-box", "pbrMetallicRoughness": {
        "baseColorFactor": [1.0, 1.0, 1.0, 1.0], "metallicFactor": 0.0,
        "roughnessFactor": 0.85}},
    {"name": "twin-air-slice", "doubleSided": True, "pbrMetallicRoughness": {
        "baseColorFactor": [1.0, 1.0, 1.0, 1.0], "metallicFactor": 0.0,
        "roughnessFactor": 1.0}},
]


def write_gltf(layout: Layout, path: str | os.PathLike, result: TwinResult | None = None,
               colour_by: str | Colouring = "inlet", air_slice: bool = True) -> ExportSummary:
    """Write the floor as one binary glTF (``.glb``). ``result`` and ``colour_by`` as in
    ``write_usd``. ``ExportError`` (nothing written) for another suffix or an unwritable
    path; ``ValueError`` for an unknown colouring. ``prim_count`` of the summary is the
    number of meshes."""
    timer = Timer()
    target = checked_target(path, SUFFIXES)
    scene = build_scene(layout, result, colour_by, air_slice)
    data, meshes = glb_bytes(scene)
    size = write_file(path, target, data)
    return ExportSummary(target, size, meshes, len(layout.racks), timer.seconds)


def linear_rgba8(rgba: Any) -> np.ndarray:
    """(…, 4) uint8 RGBA of sRGB colours (0..1): RGB in linear light, as glTF's COLOR_0."""
    c = np.asarray(rgba, dtype=float)
    out = np.concatenate([srgb_to_linear(c[..., :3]), c[..., 3:4]], axis=-1)
    return np.clip(np.round(out * 255.0), 0, 255).astype(np.uint8)


def node_matrix(box: SceneBox) -> np.ndarray:
    """The box's placement in the hall: turn about z, then move to its centre."""
    a = math.radians(box.rotation_deg)
    c, s = round(math.cos(a), 12), round(math.sin(a), 12)
    m = np.eye(4)
    m[:2, :2] = [[c, -s], [s, c]]
    m[:3, 3] = box.centre_m
    return m


def glb_bytes(scene: Scene) -> tuple[bytes, int]:
    """The scene as GLB bytes and the number of meshes in it."""
    ts = trimesh.Scene()
    g = ts.graph
    names = _Names({b.id for b in scene.boxes} | {AIR_SLICE})
    hall = names.group("Hall")
    g.update(frame_from=g.base_frame, frame_to=hall, matrix=Z_UP_TO_Y_UP)
    extras: dict[str, dict[str, Any]] = {hall: _hall_extras(scene)}
    meshes = 0
    for group, boxes in scene.by_group():
        parent = hall
        if group != "Floor":
            parent = names.group(group)
            g.update(frame_from=hall, frame_to=parent, matrix=np.eye(4))
        row_nodes: dict[str, str] = {}
        if group == "Rows":
            for row in scene.rows:
                node = names.group(row.name)
                row_nodes[row.name] = node
                g.update(frame_from=parent, frame_to=node, matrix=np.eye(4))
                extras[node] = {"row": row.name, "rotationDeg": row.rotation_deg,
                                "rackCount": len(row)}
        for box in boxes:
            mesh = trimesh.Trimesh(vertices=_BOX_VERTICES * np.asarray(box.size_m),
                                   faces=_BOX_FACES,
                                   vertex_colors=np.tile(linear_rgba8(box.rgba), (8, 1)),
                                   process=False, validate=False)
            ts.add_geometry(mesh, geom_name=box.id, node_name=box.id,
                            parent_node_name=row_nodes.get(box.group, parent),
                            transform=node_matrix(box))
            extras[box.id] = {"id": box.id, "kind": box.kind, "model": box.model, **box.attrs}
            meshes += 1
    sl = scene.air_slice
    if sl is not None:
        results = names.group("Results")
        g.update(frame_from=hall, frame_to=results, matrix=np.eye(4))
        mesh = trimesh.Trimesh(vertices=sl.vertices_m(), faces=sl.triangles(),
                               vertex_colors=linear_rgba8(sl.rgba.reshape(-1, 4)),
                               process=False, validate=False)
        ts.add_geometry(mesh, geom_name=AIR_SLICE, node_name=AIR_SLICE,
                        parent_node_name=results, transform=np.eye(4))
        extras[AIR_SLICE] = {"heightM": sl.height_m, "colourMinC": sl.levels[0],
                             "colourMaxC": sl.levels[1]}
        meshes += 1

    def finish(tree: dict[str, Any]) -> None:
        tree["materials"] = [dict(m) for m in _MATERIALS]
        for mesh in tree.get("meshes", []):
            for prim in mesh.get("primitives", []):
                prim["material"] = 1 if mesh.get("name") == AIR_SLICE else 0
        for node in tree.get("nodes", []):
            if node.get("name") in extras:
                node["extras"] = extras[node["name"]]
        tree.setdefault("asset", {})["generator"] = "AI Factory Floor Twin (trimesh)"

    return export_glb(ts, include_normals=False, tree_postprocessor=finish), meshes


def _hall_extras(scene: Scene) -> dict[str, Any]:
    c = scene.colouring
    return {"layoutName": scene.name, "colourBy": c.key, "colourLabel": c.label,
            "colourUnit": c.unit, "colourMin": float(c.vmin), "colourMax": float(c.vmax),
            "withResult": scene.with_result, "upAxis": "Y (hall z)",
            "groups": [g for g in GROUPS.values() if g != "Floor"]}


class _Names:
    """Node names of groups that never clash with an id (nor with each other)."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)

    def group(self, name: str) -> str:
        out, k = name, 1
        while out in self.taken:
            k += 1
            out = f"{name} ({k})"
        self.taken.add(out)
        return out
