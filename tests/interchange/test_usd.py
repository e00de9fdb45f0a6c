"""OpenUSD export: layout -> .usda / .usdc -> read back with pxr.

Checked: stage metadata (Z up, metres, default prim), prims per kind against the layout,
the hierarchy (rows, groups), world-space bounding boxes of racks to 1 mm (a turned rack
and one with its own height included), the twin: attributes against the simulation (and
never NaN), instancing (one prototype per model), display colours of the chosen metric,
the air slice mesh, the export without a result, and clear errors with no file left for
unwritable paths.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from pxr import Sdf, Usd, UsdGeom

from tests.interchange.scene_layouts import expected_counts, mixed_room, pod, rack_boxes_m
from twin.engine import layers
from twin.engine.simulate import simulate
from twin.interchange import usd as usd_mod
from twin.interchange.rows import rack_rows
from twin.interchange.scene import ExportError, srgb_to_linear
from twin.interchange.usd import valid_name, write_usd
from twin.model.colour_by import STATIC_COLOURINGS

FORMATS = (".usda", ".usdc")


@pytest.fixture(scope="module")
def pod_solved():
    lay = pod()
    return lay, simulate(lay)


@pytest.fixture(scope="module")
def mixed_solved():
    lay = mixed_room()
    return lay, simulate(lay)


@pytest.fixture(scope="module", params=FORMATS)
def pod_stage(request, pod_solved, tmp_path_factory):
    lay, res = pod_solved
    path = tmp_path_factory.mktemp("usd") / f"pod{request.param}"
    summary = write_usd(lay, path, res, colour_by="inlet")
    return lay, res, summary, Usd.Stage.Open(str(path))


@pytest.fixture(scope="module", params=FORMATS)
def mixed_stage(request, mixed_solved, tmp_path_factory):
    lay, res = mixed_solved
    path = tmp_path_factory.mktemp("usd") / f"mixed{request.param}"
    write_usd(lay, path, res)
    return lay, res, Usd.Stage.Open(str(path))


def _by_kind(stage: Usd.Stage) -> dict[str, list[Usd.Prim]]:
    out: dict[str, list[Usd.Prim]] = {}
    for prim in stage.Traverse():
        a = prim.GetAttribute("twin:kind")
        if a and a.HasAuthoredValue():
            out.setdefault(a.Get(), []).append(prim)
    return out


def _racks(stage: Usd.Stage) -> dict[str, Usd.Prim]:
    return {p.GetAttribute("twin:id").Get(): p for p in _by_kind(stage)["rack"]}


# ------------------------------------------------------------------------------ stage
def test_stage_is_z_up_in_metres_with_hall_default_prim(pod_stage):
    lay, _res, summary, stage = pod_stage
    assert UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.z
    assert UsdGeom.GetStageMetersPerUnit(stage) == 1.0
    assert stage.GetDefaultPrim().GetPath() == Sdf.Path("/Hall")
    assert summary.path.exists() and summary.bytes == summary.path.stat().st_size > 0
    assert summary.rack_count == len(lay.racks)
    assert summary.prim_count == len(list(stage.TraverseAll()))
    assert summary.seconds > 0


def test_text_and_binary_by_suffix(pod_stage):
    _lay, _res, summary, _stage = pod_stage
    head = summary.path.read_bytes()[:8]
    if summary.path.suffix == ".usda":
        assert head.startswith(b"#usda")
    else:
        assert head.startswith(b"PXR-USDC")


@pytest.mark.parametrize("which", ["pod", "mixed"])
def test_prims_per_kind_match_the_layout(which, pod_stage, mixed_stage):
    lay, stage = (pod_stage[0], pod_stage[3]) if which == "pod" else (mixed_stage[0],
                                                                        mixed_stage[2])
    found = {k: len(v) for k, v in _by_kind(stage).items()}
    want = {k: n for k, n in expected_counts(lay).items() if n}
    assert found == want
    assert found.get("rack") == len(lay.racks)


def test_mixed_room_has_every_kind_and_leaves_gallery_units_out(mixed_stage):
    lay, _res, stage = mixed_stage
    kinds = _by_kind(stage)
    assert {"rack", "cooling_unit", "rear_door", "tank", "tile", "floor"} <= set(kinds)
    ids = {p.GetAttribute("twin:id").Get() for ps in kinds.values() for p in ps}
    assert "CRAH-G1" not in ids and "RD-A02" in ids
    for kind, group in (("cooling_unit", "CoolingUnits"), ("rear_door", "RearDoors"),
                        ("tank", "Tanks"), ("tile", "Tiles")):
        assert all(p.GetParent().GetPath() == Sdf.Path(f"/Hall/{group}") for p in kinds[kind])


def test_racks_are_grouped_by_row_in_order(pod_stage):
    lay, _res, _summary, stage = pod_stage
    for row in rack_rows(lay):
        prim = stage.GetPrimAtPath(f"/Hall/Rows/{valid_name(row.name)}")
        assert prim, row.name
        children = [c.GetAttribute("twin:id").Get() for c in prim.GetChildren()]
        assert children == list(row.ids)
        assert prim.GetAttribute("twin:row").Get() == row.name


def test_prim_names_are_valid_and_keep_the_id(mixed_stage):
    _lay, _res, stage = mixed_stage
    for prims in _by_kind(stage).values():
        for p in prims:
            assert Sdf.Path.IsValidIdentifier(p.GetName())
            assert p.GetName() == valid_name(p.GetAttribute("twin:id").Get()) or \
                p.GetName().startswith(valid_name(p.GetAttribute("twin:id").Get()))
    assert valid_name("R01-01") == "R01_01" and valid_name("1A") == "_1A"


# ----------------------------------------------------------------------- geometry
@pytest.mark.parametrize("which", ["pod", "mixed"])
def test_rack_world_bounds_match_the_layout_to_1_mm(which, pod_stage, mixed_stage):
    lay, stage = (pod_stage[0], pod_stage[3]) if which == "pod" else (mixed_stage[0],
                                                                        mixed_stage[2])
    cache = UsdGeom.BBoxCache(Usd.TimeCode.Default(), [UsdGeom.Tokens.default_])
    want = rack_boxes_m(lay)
    racks = _racks(stage)
    assert set(racks) == set(want)
    for rid, prim in racks.items():
        r = cache.ComputeWorldBound(prim).ComputeAlignedRange()
        got = np.array([*r.GetMin(), *r.GetMax()])
        assert np.allclose(got, want[rid], atol=1e-3), (rid, got, want[rid])


def test_turned_rack_tall_rack_and_rear_door_positions(mixed_stage):
    lay, _res, stage = mixed_stage
    cache = UsdGeom.BBoxCache(Usd.TimeCode.Default(), [UsdGeom.Tokens.default_])
    racks = _racks(stage)

    def bounds(prim):
        r = cache.ComputeWorldBound(prim).ComputeAlignedRange()
        return np.array([*r.GetMin(), *r.GetMax()])

    b07 = bounds(racks["B07"])         # turned east: the 0.6 m width runs along y
    assert b07[4] - b07[1] == pytest.approx(0.6, abs=1e-3)
    assert b07[3] - b07[0] == pytest.approx(lay.rack_sizes_m()[lay.racks.index_of("B07"), 1],
                                            abs=1e-3)
    assert bounds(racks["A01"])[5] == pytest.approx(2.6, abs=1e-3)
    door = next(p for p in _by_kind(stage)["rear_door"])
    d = bounds(door)
    a02 = bounds(racks["A02"])     # rotation 180: the front faces north, the door south
    assert d[4] == pytest.approx(a02[1], abs=1e-3)
    assert d[0] == pytest.approx(a02[0], abs=1e-3) and d[3] == pytest.approx(a02[3], abs=1e-3)


def test_hall_extents_hint_and_floor(pod_stage):
    lay, _res, _summary, stage = pod_stage
    cache = UsdGeom.BBoxCache(Usd.TimeCode.Default(), [UsdGeom.Tokens.default_])
    r = cache.ComputeWorldBound(stage.GetPrimAtPath("/Hall/Floor")).ComputeAlignedRange()
    assert np.allclose([*r.GetMin()], [0, 0, -0.05], atol=1e-6)
    assert np.allclose([*r.GetMax()], [lay.hall.width_m, lay.hall.length_m, 0], atol=1e-6)
    hint = UsdGeom.ModelAPI(stage.GetPrimAtPath("/Hall")).GetExtentsHint()
    whole = cache.ComputeWorldBound(stage.GetPrimAtPath("/Hall")).ComputeAlignedRange()
    assert np.allclose([*hint[0], *hint[1]], [*whole.GetMin(), *whole.GetMax()], atol=1e-3)


# --------------------------------------------------------------------- attributes
def test_rack_attributes_equal_the_simulation(pod_stage):
    lay, res, _summary, stage = pod_stage
    racks = _racks(stage)
    air = res.air
    for i, rid in enumerate(res.rack_ids):
        p = racks[rid]
        assert p.GetAttribute("twin:model").Get() == lay.racks["model"][i]
        assert p.GetAttribute("twin:powerKw").Get() == pytest.approx(res.rack_power_kw[i], rel=1e-12)
        assert p.GetAttribute("twin:inletC").Get() == pytest.approx(air.rack_inlet_mean_c[i], rel=1e-12)
        assert p.GetAttribute("twin:inletMaxC").Get() == pytest.approx(air.rack_inlet_max_c[i], rel=1e-12)
        assert p.GetAttribute("twin:exhaustC").Get() == pytest.approx(air.rack_exhaust_c[i], rel=1e-12)
        assert p.GetAttribute("twin:airflowM3s").Get() == pytest.approx(air.rack_airflow_m3s[i], rel=1e-12)
        assert p.GetAttribute("twin:alert").Get() in ("ok", "warning", "critical")
        assert p.GetAttribute("twin:powerKw").GetTypeName() == Sdf.ValueTypeNames.Double
        assert p.GetAttribute("twin:model").GetTypeName() == Sdf.ValueTypeNames.String
    liq = res.liquid
    k = int(np.flatnonzero(liq.racks.cdu_index >= 0)[0])
    assert racks[res.rack_ids[k]].GetAttribute("twin:coolantReturnC").Get() == \
        pytest.approx(liq.racks.return_c[k], rel=1e-12)


def test_air_only_racks_have_no_coolant_return_and_no_attribute_is_nan(mixed_stage):
    lay, res, stage = mixed_stage
    for prim in stage.Traverse():
        for a in prim.GetAttributes():
            if a.GetName().startswith("twin:"):
                v = a.Get()
                assert not (isinstance(v, float) and not math.isfinite(v)), a.GetPath()
    assert res.liquid is None
    assert not any(p.GetAttribute("twin:coolantReturnC") for p in _racks(stage).values())


def test_alert_state_follows_the_alerts(mixed_solved, tmp_path):
    lay, res = mixed_solved
    from dataclasses import replace
    from twin.physics.facility import Alert
    flagged = replace(res, alerts=[*res.alerts, Alert("critical", "inlet", "A03", "hot"),
                                   Alert("warning", "inlet", "A04", "warm"),
                                   Alert("critical", "cooling_unit_over_capacity", "CRAH-1",
                                         "over")])
    write_usd(lay, tmp_path / "a.usda", flagged)
    stage = Usd.Stage.Open(str(tmp_path / "a.usda"))
    racks = _racks(stage)
    assert racks["A03"].GetAttribute("twin:alert").Get() == "critical"
    assert racks["A04"].GetAttribute("twin:alert").Get() == "warning"
    assert racks["A05"].GetAttribute("twin:alert").Get() == "ok"
    units = {p.GetAttribute("twin:id").Get(): p for p in _by_kind(stage)["cooling_unit"]}
    assert units["CRAH-1"].GetAttribute("twin:alert").Get() == "critical"
    assert units["CRAH-2"].GetAttribute("twin:alert").Get() == "ok"


# ---------------------------------------------------------------- instancing, colour
def test_repeated_models_are_instances_of_one_prototype(mixed_stage):
    lay, _res, stage = mixed_stage
    kinds = _by_kind(stage)
    boxes = [p for k, ps in kinds.items() if k != "floor" for p in ps]
    assert all(p.IsInstance() for p in boxes)
    models = {p.GetAttribute("twin:model").Get() if p.GetAttribute("twin:model") else ""
              for p in boxes}
    assert len(stage.GetPrototypes()) == len(models)      # tiles: one prototype too
    assert len(stage.GetPrimAtPath("/Prototypes").GetAllChildren()) == len(models)
    assert len(stage.GetPrototypes()) < len(boxes) / 4


def test_display_colours_are_the_metric_colours(pod_stage):
    lay, res, _summary, stage = pod_stage
    rgba = layers.rack_colouring("inlet", res).rgba()
    want = srgb_to_linear(rgba[:, :3])
    racks = _racks(stage)
    for i, rid in enumerate(res.rack_ids):
        pv = UsdGeom.PrimvarsAPI(racks[rid]).GetPrimvar("displayColor")
        assert pv.GetInterpolation() == UsdGeom.Tokens.constant
        assert np.allclose(np.array(pv.Get())[0], want[i], atol=1e-6)
        # the prototype's gprim inherits it
        box = racks[rid].GetFilteredChildren(Usd.TraverseInstanceProxies())[0]
        inherited = UsdGeom.PrimvarsAPI(box).FindPrimvarWithInheritance("displayColor")
        assert np.allclose(np.array(inherited.Get())[0], want[i], atol=1e-6)


def test_power_colouring_and_other_keys(pod_solved, tmp_path):
    lay, res = pod_solved
    write_usd(lay, tmp_path / "p.usda", res, colour_by="power")
    stage = Usd.Stage.Open(str(tmp_path / "p.usda"))
    assert stage.GetPrimAtPath("/Hall").GetAttribute("twin:colourBy").Get() == "power"
    want = srgb_to_linear(layers.rack_colouring("power", res).rgba()[:, :3])
    got = UsdGeom.PrimvarsAPI(_racks(stage)[res.rack_ids[0]]).GetPrimvar("displayColor").Get()
    assert np.allclose(np.array(got)[0], want[0], atol=1e-6)
    with pytest.raises(ValueError, match="unknown colouring"):
        write_usd(lay, tmp_path / "q.usda", res, colour_by="no-such-metric")
    assert not (tmp_path / "q.usda").exists()


# ------------------------------------------------------------------------ air slice
def test_air_slice_is_one_coloured_mesh_with_temperatures(pod_stage):
    lay, res, _summary, stage = pod_stage
    mesh = UsdGeom.Mesh(stage.GetPrimAtPath("/Hall/Results/AirSliceC"))
    assert mesh
    pts = np.array(mesh.GetPointsAttr().Get())
    assert np.allclose(pts[:, 2], layers.rack_heights_m(lay)[0])
    assert pts[:, 0].min() == 0 and pts[:, 0].max() == pytest.approx(lay.hall.width_m, abs=0.31)
    pv = UsdGeom.PrimvarsAPI(mesh)
    colour = pv.GetPrimvar("displayColor")
    temps = pv.GetPrimvar("temperatureC")
    assert colour.GetInterpolation() == temps.GetInterpolation() == UsdGeom.Tokens.vertex
    t = np.array(temps.Get())
    assert len(t) == len(pts) == len(colour.Get())
    field = res.air.slice_at(layers.rack_heights_m(lay)[0])
    assert np.isfinite(t).all()
    assert t.min() >= np.nanmin(field) - 1e-4 and t.max() <= np.nanmax(field) + 1e-4
    ext = np.array(mesh.GetExtentAttr().Get())
    assert np.allclose(ext, [pts.min(axis=0), pts.max(axis=0)], atol=1e-6)
    counts = np.array(mesh.GetFaceVertexCountsAttr().Get())
    assert (counts == 4).all() and np.array(mesh.GetFaceVertexIndicesAttr().Get()).max() < len(pts)


# ------------------------------------------------------------------ without result
def test_without_result_colours_by_model_and_uses_fixed_power(tmp_path):
    lay = pod()
    summary = write_usd(lay, tmp_path / "plain.usdc")
    stage = Usd.Stage.Open(str(summary.path))
    assert not stage.GetPrimAtPath("/Hall/Results")
    want = srgb_to_linear(STATIC_COLOURINGS["model"](lay).rgba()[:, :3])
    racks = _racks(stage)
    cat = lay.catalogue
    for i, rid in enumerate(lay.racks.ids):
        p = racks[rid]
        assert p.GetAttribute("twin:powerKw").Get() == pytest.approx(
            cat[lay.racks["model"][i]]["typical_kw"])
        assert not p.GetAttribute("twin:inletC")
        assert not p.GetAttribute("twin:alert")
        got = UsdGeom.PrimvarsAPI(p).GetPrimvar("displayColor").Get()
        assert np.allclose(np.array(got)[0], want[i], atol=1e-6)
    assert stage.GetPrimAtPath("/Hall").GetAttribute("twin:colourBy").Get() == "model"


def test_both_formats_hold_the_same_stage(pod_solved, tmp_path):
    lay, res = pod_solved
    stages = [Usd.Stage.Open(str(write_usd(lay, tmp_path / f"s{s}", res).path)) for s in FORMATS]
    paths = [[str(p.GetPath()) for p in st.TraverseAll()] for st in stages]
    assert paths[0] == paths[1]
    a, b = (_racks(st) for st in stages)
    for rid in a:
        assert a[rid].GetAttribute("twin:inletC").Get() == b[rid].GetAttribute("twin:inletC").Get()


# ------------------------------------------------------------------------ errors
def test_missing_folder_gives_export_error_and_no_file(tmp_path):
    target = tmp_path / "no-such-folder" / "hall.usda"
    with pytest.raises(ExportError) as info:
        write_usd(pod(), target)
    assert "does not exist" in str(info.value) and "\n" not in str(info.value)
    assert info.value.path == target
    assert not target.exists() and not target.parent.exists()


def test_read_only_file_is_kept_and_folder_left_clean(tmp_path):
    target = tmp_path / "hall.usdc"
    target.write_bytes(b"old")
    os.chmod(target, 0o444)
    with pytest.raises(ExportError, match="cannot write"):
        write_usd(pod(), target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hall.usdc"]


@pytest.mark.parametrize("name", ["hall.obj", "folder.usda", "file.txt/hall.usda"])
def test_bad_targets_give_export_error(tmp_path, name):
    (tmp_path / "folder.usda").mkdir()
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ExportError):
        write_usd(pod(), tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "folder.usda"]


def test_failure_while_serialising_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "hall.usdc"
    target.write_bytes(b"old")

    def boom(*_a, **_k):
        raise ExportError(target, "disk full")
    monkeypatch.setattr(usd_mod, "_serialise", boom)
    with pytest.raises(ExportError, match="disk full"):
        write_usd(pod(), target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hall.usdc"]


# ------------------------------------------------------------------ validity, edge cases
def test_stage_passes_usd_validation_and_extents_are_computed_ones(mixed_stage):
    _lay, _res, stage = mixed_stage
    try:
        from pxr import UsdValidation
    except ImportError:                      # usd-core before 24.11
        UsdValidation = None
    if UsdValidation is not None:
        validators = UsdValidation.ValidationRegistry().GetOrLoadAllValidators()
        errors = UsdValidation.ValidationContext(validators).Validate(stage)
        assert not errors, [e.GetMessage() for e in errors]
    t = Usd.TimeCode.Default()
    for prim in stage.TraverseAll():
        if prim.IsA(UsdGeom.Boundable) and prim.GetAttribute("extent").HasAuthoredValue():
            b = UsdGeom.Boundable(prim)
            computed = UsdGeom.Boundable.ComputeExtentFromPlugins(b, t)
            assert np.allclose(np.array(b.GetExtentAttr().Get()), np.array(computed), atol=1e-6)


def test_odd_ids_and_an_empty_hall(tmp_path):
    from twin.model import Layout
    from twin.model.equipment import Hall
    from twin.model.racks import RackTable
    ids = ["R 01/02", "R_01_02", "1st", "Rows"]
    table = RackTable.from_records([{"id": i, "model": "gb200-nvl72", "x_m": 1.0 + k * 0.6,
                                     "y_m": 2.0, "rotation_deg": 0} for k, i in enumerate(ids)])
    lay = Layout(hall=Hall(width_m=10, length_m=8), racks=table)
    write_usd(lay, tmp_path / "odd.usda")
    stage = Usd.Stage.Open(str(tmp_path / "odd.usda"))
    racks = _racks(stage)
    assert sorted(racks) == sorted(ids)
    names = [p.GetName() for p in racks.values()]
    assert len(set(names)) == 4 and all(Sdf.Path.IsValidIdentifier(n) for n in names)
    empty = write_usd(Layout(), tmp_path / "empty.usdc")
    stage = Usd.Stage.Open(str(empty.path))
    assert empty.rack_count == 0 and stage.GetPrimAtPath("/Hall/Floor")
    assert not stage.GetPrimAtPath("/Hall/Rows")
