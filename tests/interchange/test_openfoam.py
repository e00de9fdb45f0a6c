"""OpenFOAM export and import: deterministic case, valid mesh, balanced flows, tied devices,
a checked-in result compared with the live model, one-line errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from twin.cli import main
from twin.engine.simulate import simulate
from twin.interchange.openfoam import export_case
from twin.interchange.openfoam.case_driver import device_law, read_internal, set_patch_values
from twin.interchange.openfoam.compare import agreement, read_result
from twin.io import load_layout

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ROOT / "tests" / "bench" / "cfd" / "rooms"
REFERENCE = ROOT / "tests" / "bench" / "cfd" / "reference"


@pytest.fixture(scope="module")
def solved():
    layout = load_layout(ROOMS / "open_balanced.json")
    return layout, simulate(layout)


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_export_is_deterministic_and_complete(tmp_path, solved):
    layout, res = solved
    a = export_case(layout, res, tmp_path / "a", cell_m=0.3, procs=4)
    export_case(layout, res, tmp_path / "b", cell_m=0.3, procs=4)
    fa, fb = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert fa == fb
    for need in ("Allrun", "Allclean", "README.md", "twin_driver.py", "twin_case.json",
                 "system/controlDict", "system/fvSchemes", "system/fvSolution",
                 "system/decomposeParDict", "constant/polyMesh/boundary", "0/U", "0/T", "0/p_rgh"):
        assert need in fa, need
    assert b"numberOfSubdomains 4;" in fa["system/decomposeParDict"]
    assert b"buoyantBoussinesqSimpleFoam" in fa["system/controlDict"]
    assert b"kEpsilon" in fa["constant/turbulenceProperties"]
    assert os.access(tmp_path / "a" / "Allrun", os.X_OK)
    spec = json.loads(fa["twin_case.json"])
    assert [d["id"] for d in spec["devices"]] == res.rack_ids
    assert spec["cells"] == a.cells
    # every rack has an intake and an exhaust patch with faces
    boundary = fa["constant/polyMesh/boundary"].decode()
    for i in range(len(res.rack_ids)):
        for side in ("in", "out"):
            m = re.search(rf"rack_{i:04d}_{side}\s*\{{[^}}]*nFaces (\d+);", boundary)
            assert m and int(m.group(1)) > 0


def test_exported_flows_match_the_live_model(tmp_path, solved):
    """Rack patches carry the live airflow over their meshed area; tiles deliver what the
    CRAHs move; the fixed flows balance."""
    layout, res = solved
    export_case(layout, res, tmp_path / "c", cell_m=0.15)
    boundary = (tmp_path / "c" / "constant" / "polyMesh" / "boundary").read_text()
    u = (tmp_path / "c" / "0" / "U").read_text()
    face = {"x": 0.15 * 0.2, "y": 0.15 * 0.2, "z": 0.15 * 0.15}

    def patch_flow(name: str, axis: str) -> float:
        n = int(re.search(rf"{name}\s*\{{[^}}]*nFaces (\d+);", boundary).group(1))
        block = re.search(rf"\n    {name}\n    \{{\n\s*type fixedValue; value (uniform|nonuniform List<vector> \d+)\s*\(([^;]*)\);", u)
        vals = np.array(re.findall(r"[-0-9.eE+]+", block.group(2)), float).reshape(-1, 3)
        comp = vals[:, "xyz".index(axis)]
        return float(np.abs(comp).sum() * face[axis] if len(vals) == n else abs(comp[0]) * n * face[axis])

    flows = res.air.rack_airflow_m3s
    for i in (0, 4, 7):
        assert patch_flow(f"rack_{i:04d}_in", "y") == pytest.approx(flows[i], rel=1e-9)
        assert patch_flow(f"rack_{i:04d}_out", "y") == pytest.approx(flows[i], rel=1e-9)
    assert patch_flow("tiles", "z") == pytest.approx(res.air.tile_flow_m3s.sum(), rel=1e-9)
    assert patch_flow("tiles", "z") == pytest.approx(res.air.unit_airflow_m3s.sum(), rel=1e-9)


def test_every_room_of_the_library_exports(tmp_path):
    """Ceiling return (an opening), chimneys, containment baffles, in-row coolers."""
    for name in ("ceiling_return", "hot_chimney", "cold_contained", "inrow_coolers"):
        layout = load_layout(ROOMS / f"{name}.json")
        export_case(layout, simulate(layout), tmp_path / name, cell_m=0.3)
        boundary = (tmp_path / name / "constant" / "polyMesh" / "boundary").read_text()
        if name in ("ceiling_return", "hot_chimney"):
            assert "ceiling_return" in boundary
            assert "pRefCell" not in (tmp_path / name / "system" / "fvSolution").read_text()
        if name == "inrow_coolers":
            spec = json.loads((tmp_path / name / "twin_case.json").read_text())
            assert sum(d["kind"] == "inrow" for d in spec["devices"]) == 4


def test_check_mesh_on_the_exported_sample(tmp_path, solved):
    if shutil.which("checkMesh") is None:
        pytest.skip("OpenFOAM is not installed (checkMesh not on PATH): "
                    "apt-get install openfoam to run this check")
    layout, res = solved
    export_case(layout, res, tmp_path / "m", cell_m=0.3)
    env = dict(os.environ, WM_PROJECT_DIR=os.environ.get("WM_PROJECT_DIR", "/usr/share/openfoam"))
    out = subprocess.run(["checkMesh"], cwd=tmp_path / "m", capture_output=True, text=True,
                         env=env, timeout=120)
    assert "Mesh OK." in out.stdout, out.stdout[-2000:]


def test_driver_device_law_and_patch_rewrite(tmp_path):
    rack = dict(airflow_m3s=1.0, heat_w=12060.0, cap_w=0.0, floor_c=18.0)
    assert device_law(20.0, rack, 1206.0) == pytest.approx(30.0)
    door = dict(rack, cap_w=6030.0)
    assert device_law(20.0, door, 1206.0) == pytest.approx(25.0)
    cooler = dict(airflow_m3s=1.0, heat_w=0.0, cap_w=1e9, floor_c=20.0)
    assert device_law(35.0, cooler, 1206.0) == pytest.approx(20.0)
    t = tmp_path / "T"
    t.write_text("internalField   nonuniform List<scalar> 3(290 291.5 292);\nboundaryField\n{\n"
                 "    rack_0000_out\n    {\n        type fixedValue;\n        value uniform 300;\n    }\n"
                 "    rack_0001_out\n    {\n        type fixedValue;\n        value nonuniform List<scalar> 0();\n    }\n}\n")
    set_patch_values(t, {"rack_0000_out": 301.25, "rack_0001_out": 302.5})
    text = t.read_text()
    assert "value uniform 301.250000;" in text and "value uniform 302.500000;" in text
    assert read_internal(t).tolist() == [290.0, 291.5, 292.0]


def test_import_compares_a_checked_in_result(tmp_path, capsys, solved):
    layout, res = solved
    cfd = read_result(REFERENCE / "open_balanced.json")
    assert cfd.rack_ids == res.rack_ids
    a = agreement(cfd, res.rack_ids, res.air.rack_inlet_mean_c, res.air.rack_inlet_max_c)
    err = res.air.rack_inlet_mean_c - cfd.inlet_mean_c
    assert a.mae_k == pytest.approx(np.abs(err).mean())
    assert a.bias_k == pytest.approx(err.mean())
    assert a.worst_k == pytest.approx(np.abs(err).max())
    assert a.hottest_cfd == res.rack_ids[int(np.argmax(cfd.inlet_mean_c))]
    case = tmp_path / "case"
    case.mkdir()
    shutil.copyfile(REFERENCE / "open_balanced.json", case / "result.json")
    assert main(["import-openfoam", str(case), str(ROOMS / "open_balanced.json"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["mae_k"] == pytest.approx(a.mae_k, abs=1e-3)
    assert len(doc["racks"]) == len(res.rack_ids)


def test_one_line_errors(tmp_path, capsys):
    room = str(ROOMS / "open_balanced.json")
    assert main(["import-openfoam", str(tmp_path / "nowhere"), room]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'nowhere'}: does not exist\n"
    assert main(["import-openfoam", str(tmp_path), room]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not an exported case (no twin_case.json, no result.json)" in err
    (tmp_path / "twin_case.json").write_text("{}")
    assert main(["import-openfoam", str(tmp_path), room]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no result.json yet: run the case first (./Allrun)" in err
    (tmp_path / "notes.csv").write_text("rack,value_c\n")
    assert main(["import-openfoam", str(tmp_path / "notes.csv"), room]) == 1
    assert "notes.csv: is not a CFD result (not JSON: line 1, column 1)" in capsys.readouterr().err
    (tmp_path / "result.json").write_text('{"format": "something else"}')
    assert main(["import-openfoam", str(tmp_path), str(ROOMS / "open_balanced.json")]) == 1
    assert "not an OpenFOAM case result" in capsys.readouterr().err
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert main(["export-openfoam", str(ROOMS / "open_balanced.json"), "--out", str(other)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a twin case" in err
    assert (other / "notes.txt").exists()
    assert main(["export-openfoam", str(ROOMS / "open_balanced.json"), "--out", str(tmp_path / "x"),
                 "--cell-size", "0"]) == 2


def test_import_says_whether_the_cfd_run_settled(tmp_path, capsys):
    """The library's open aisle settled (8 cycles, median rack 0.28 K apart between them);
    the wide aisle of rows of twelve did not (2.33 K); a run of two cycles cannot tell."""
    settled = read_result(REFERENCE / "open_balanced.json").settling()
    assert settled["settled"] and settled["note"] is None and settled["cycles_averaged"] == 8
    wide = json.loads((REFERENCE / "wide_rows_of_twelve.json").read_text())
    st = read_result(REFERENCE / "wide_rows_of_twelve.json").settling()
    stds = [r["mean_std_k"] for r in wide["racks"]]
    assert st["rack_std_median_k"] == pytest.approx(np.median(stds), abs=1e-3)
    assert st["rack_std_max_k"] == pytest.approx(max(stds), abs=1e-3)
    assert not st["settled"] and st["note"].startswith("not settled: its racks' mean inlets vary by 2.33 K")
    short = dict(wide, cycles_averaged=2)
    (tmp_path / "result.json").write_text(json.dumps(short))
    st = read_result(tmp_path).settling()
    assert not st["settled"] and st["note"].startswith("averaged over 2 cycles only")
    # a result without the figures (an older driver) is not judged
    bare = dict(wide, racks=[{k: v for k, v in r.items() if k != "mean_std_k"} for r in wide["racks"]])
    bare.pop("cycles_averaged")
    (tmp_path / "result.json").write_text(json.dumps(bare))
    st = read_result(tmp_path).settling()
    assert st == dict(cycles_averaged=None, rack_std_median_k=None, rack_std_max_k=None,
                      settled=True, note=None)
    # and the command line says it, in text and JSON
    case = tmp_path / "wide"
    case.mkdir()
    shutil.copyfile(REFERENCE / "wide_rows_of_twelve.json", case / "result.json")
    room = str(ROOMS / "wide_rows_of_twelve.json")
    assert main(["import-openfoam", str(case), room]) == 0
    out = capsys.readouterr().out
    assert "inlets in °C; error = twin − CFD, K" in out
    assert "CFD run: averaged over 8 cycles; racks vary by 2.33 K (median)" in out
    assert "note: the CFD run is not settled" in out
    assert main(["import-openfoam", str(case), room, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["cfd_settling"]["settled"] is False and doc["cfd_iterations"] == wide["iterations"]


@pytest.mark.parametrize("center_x_m, width_m", [(2.4, 0.45), (2.475, 0.6), (2.55, 0.75), (3.0, 0.6)])
def test_the_case_rounds_boxes_like_the_live_model(center_x_m, width_m):
    """A box whose edges fall on half cells fills the cells the live model's
    ``footprint_cells`` gives it (halves round up): a 0.45 m rack at x = 2.4 m on 0.15 m
    cells has edges at 14.5 and 17.5 cells and fills 15..18, where round-half-to-even
    made it 14..18, a rack a third wider than the live model's."""
    from twin.interchange.openfoam.mesh import Block
    from twin.interchange.openfoam.room import _box
    from twin.physics.air.grid import Grid, footprint_cells
    b = Block(48, 40, 15, 0.15, 0.15, 0.2, np.zeros((15, 40, 48), bool))
    size = (width_m, 1.2, 2.1)
    ours = _box(b, (center_x_m, 3.075), size, 0.0)
    live = footprint_cells(Grid(48, 40, 15, 0.15, 0.2), [[center_x_m, 3.075]], [size], [0.0])[0]
    assert ours == tuple(int(v) for v in live)
    assert (ours[1] - ours[0]) * 0.15 == pytest.approx(width_m)
    assert ours[3] - ours[2] == 8 and ours[4] == 11        # 1.2 m deep; 2.1 m is 10.5 layers
