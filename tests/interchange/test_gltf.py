"""glTF export: layout -> .glb -> read back with trimesh (and the GLB's JSON chunk).

Checked: a valid GLB 2.0 header and chunks, one mesh and node per box plus the air slice,
node names = ids, rack bounds after the Z-up -> Y-up turn of the root node, vertex
colours = the metric colours (linear, as glTF defines COLOR_0), a non-metallic material,
the node extras, the export without a result, and errors with no file left.
"""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
import trimesh

from tests.interchange.scene_layouts import expected_counts, mixed_room, pod, rack_boxes_m
from twin.engine import layers
from twin.engine.simulate import simulate
from twin.interchange.gltf import AIR_SLICE, Z_UP_TO_Y_UP, linear_rgba8, write_gltf
from twin.interchange.scene import ExportError
from twin.model.colour_by import STATIC_COLOURINGS


@pytest.fixture(scope="module")
def pod_glb(tmp_path_factory):
    lay = pod()
    res = simulate(lay)
    path = tmp_path_factory.mktemp("glb") / "pod.glb"
    summary = write_gltf(lay, path, res, colour_by="inlet")
    return lay, res, summary, trimesh.load(str(path))


@pytest.fixture(scope="module")
def mixed_glb(tmp_path_factory):
    lay = mixed_room()
    res = simulate(lay)
    path = tmp_path_factory.mktemp("glb") / "mixed.glb"
    write_gltf(lay, path, res)
    return lay, res, path, trimesh.load(str(path))


def _json(path) -> dict:
    data = path.read_bytes()
    magic, version, length = struct.unpack("<4sII", data[:12])
    assert magic == b"glTF" and version == 2 and length == len(data)
    n, kind = struct.unpack("<I4s", data[12:20])
    assert kind == b"JSON" and n % 4 == 0
    m, kind2 = struct.unpack("<I4s", data[20 + n:28 + n])
    assert kind2 == b"BIN\x00" and 28 + n + m == len(data)
    return json.loads(data[20:20 + n])


def _colours(mesh) -> np.ndarray:
    v = mesh.visual
    if getattr(v, "kind", None) == "vertex":
        return np.asarray(v.vertex_colors)
    return np.asarray(v.vertex_attributes["color"])


def _world_bounds(scene, node) -> np.ndarray:
    T, geom = scene.graph[node]
    pts = trimesh.transform_points(scene.geometry[geom].vertices, T)
    return np.concatenate([pts.min(axis=0), pts.max(axis=0)])


def _to_y_up(box_m: np.ndarray) -> np.ndarray:
    """x0, y0, z0, x1, y1, z1 in the hall (Z up) -> the same box in glTF's Y up."""
    x0, y0, z0, x1, y1, z1 = box_m
    return np.array([x0, z0, -y1, x1, z1, -y0])


def test_glb_is_valid_and_counts_match(pod_glb):
    lay, _res, summary, scene = pod_glb
    tree = _json(summary.path)
    n_boxes = sum(expected_counts(lay).values())
    assert summary.prim_count == n_boxes + 1          # the air slice
    assert len(tree["meshes"]) == len(scene.geometry) == n_boxes + 1
    assert len(scene.graph.nodes_geometry) == n_boxes + 1
    assert summary.rack_count == len(lay.racks)
    assert summary.bytes == summary.path.stat().st_size


def test_mixed_room_meshes_per_kind(mixed_glb):
    lay, _res, path, scene = mixed_glb
    tree = _json(path)
    kinds: dict[str, int] = {}
    for node in tree["nodes"]:
        if "mesh" in node and node["name"] != AIR_SLICE:
            kinds[node["extras"]["kind"]] = kinds.get(node["extras"]["kind"], 0) + 1
    assert kinds == {k: n for k, n in expected_counts(lay).items() if n}
    names = {n["name"] for n in tree["nodes"] if "mesh" in n}
    assert "CRAH-G1" not in names and "RD-A02" in names and "TANK-1" in names


def test_node_names_are_ids_under_rows(pod_glb):
    lay, _res, summary, scene = pod_glb
    tree = _json(summary.path)
    nodes = tree["nodes"]
    by_name = {n["name"]: n for n in nodes}
    assert set(map(str, lay.racks.ids)) <= set(by_name)
    row_a = by_name["A"]
    assert [nodes[k]["name"] for k in row_a["children"]][:4] == ["A01", "A02", "A03", "A04"]
    root = nodes[tree["scenes"][tree.get("scene", 0)]["nodes"][0]]
    assert root["name"] == "Hall"
    assert np.allclose(np.array(root["matrix"]).reshape(4, 4).T, Z_UP_TO_Y_UP)


@pytest.mark.parametrize("which", ["pod", "mixed"])
def test_rack_bounds_after_the_axis_turn(which, pod_glb, mixed_glb):
    lay, scene = (pod_glb[0], pod_glb[3]) if which == "pod" else (mixed_glb[0], mixed_glb[3])
    for rid, box in rack_boxes_m(lay).items():
        got = _world_bounds(scene, rid)
        assert np.allclose(got, _to_y_up(box), atol=1e-3), (rid, got, _to_y_up(box))
    # y is up: every rack stands on the floor
    assert all(_world_bounds(scene, str(r))[1] == pytest.approx(0.0, abs=1e-6)
               for r in lay.racks.ids)


def test_colours_are_the_metric_colours(pod_glb):
    _lay, res, _summary, scene = pod_glb
    want = linear_rgba8(layers.rack_colouring("inlet", res).rgba())
    for i, rid in enumerate(res.rack_ids):
        _T, geom = scene.graph[rid]
        cols = _colours(scene.geometry[geom])
        assert (cols == want[i]).all(), rid


def test_material_is_not_metallic_and_extras_carry_figures(pod_glb):
    _lay, res, summary, _scene = pod_glb
    tree = _json(summary.path)
    for mat in tree["materials"]:
        assert mat["pbrMetallicRoughness"]["metallicFactor"] == 0
    assert all("material" in p and "COLOR_0" in p["attributes"]
               for m in tree["meshes"] for p in m["primitives"])
    node = next(n for n in tree["nodes"] if n["name"] == res.rack_ids[0])
    assert node["extras"]["powerKw"] == pytest.approx(res.rack_power_kw[0])
    assert node["extras"]["inletC"] == pytest.approx(res.air.rack_inlet_mean_c[0])


def test_air_slice_mesh(pod_glb):
    lay, _res, _summary, scene = pod_glb
    T, geom = scene.graph[AIR_SLICE]
    mesh = scene.geometry[geom]
    pts = trimesh.transform_points(mesh.vertices, T)
    assert np.allclose(pts[:, 1], layers.rack_heights_m(lay)[0], atol=1e-6)   # y up
    assert len(_colours(mesh)) == len(mesh.vertices)


def test_without_result_colours_by_model(tmp_path):
    lay = pod()
    summary = write_gltf(lay, tmp_path / "plain.glb")
    scene = trimesh.load(str(summary.path))
    assert AIR_SLICE not in scene.graph.nodes
    assert summary.prim_count == sum(expected_counts(lay).values())
    want = linear_rgba8(STATIC_COLOURINGS["model"](lay).rgba())
    for i, rid in enumerate(lay.racks.ids):
        _T, geom = scene.graph[str(rid)]
        assert (_colours(scene.geometry[geom]) == want[i]).all()


@pytest.mark.parametrize("name", ["missing/hall.glb", "hall.gltf", "folder.glb"])
def test_bad_targets_give_export_error_and_no_file(tmp_path, name):
    (tmp_path / "folder.glb").mkdir()
    with pytest.raises(ExportError) as info:
        write_gltf(pod(), tmp_path / name)
    assert "cannot write" in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.glb"]


def test_read_only_target_is_kept(tmp_path):
    target = tmp_path / "hall.glb"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(ExportError):
        write_gltf(pod(), target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["hall.glb"]


def test_odd_ids_are_node_names_and_an_empty_hall_exports(tmp_path):
    from twin.model import Layout
    from twin.model.equipment import Hall
    from twin.model.racks import RackTable
    ids = ["R 01/02", "Hall", "Rows", "1st"]
    table = RackTable.from_records([{"id": i, "model": "gb200-nvl72", "x_m": 1.0 + k * 0.6,
                                     "y_m": 2.0, "rotation_deg": 0} for k, i in enumerate(ids)])
    lay = Layout(hall=Hall(width_m=10, length_m=8), racks=table)
    summary = write_gltf(lay, tmp_path / "odd.glb")
    tree = _json(summary.path)
    mesh_nodes = {n["name"] for n in tree["nodes"] if "mesh" in n}
    assert set(ids) <= mesh_nodes
    assert len({n["name"] for n in tree["nodes"]}) == len(tree["nodes"])   # groups renamed
    empty = write_gltf(Layout(), tmp_path / "empty.glb")
    assert empty.rack_count == 0 and empty.prim_count == 1                 # the floor
    assert len(_json(empty.path)["meshes"]) == 1
