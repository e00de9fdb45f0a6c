"""The CFD library's repeat runs (tests/bench/cfd): a second run's racks are averaged in
rack by rack, the runs' spread is their mean-inlet MAE, and a repeat starts from an
initial field offset by the kelvin asked."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

CFD = Path(__file__).resolve().parent / "bench" / "cfd"


def _module(name: str):
    sys.path.insert(0, str(CFD))
    try:
        spec = importlib.util.spec_from_file_location(f"cfd_{name}", CFD / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(CFD))


def _rack(rid, mean, top, hot, std=0.5):
    return {"id": rid, "inlet_mean_c": mean, "inlet_top_third_c": top, "inlet_max_c": hot,
            "mean_std_k": std, "max_std_k": std}


def _write(path: Path, racks) -> None:
    path.write_text(json.dumps({"format": "twin-openfoam-result", "racks": racks}))


def test_repeat_is_averaged_rack_by_rack_and_its_spread_is_the_runs_mae(tmp_path):
    fit = _module("fit")
    _write(tmp_path / "room.json", [_rack("A01", 20.0, 22.0, 30.0), _rack("A02", 18.0, 18.5, 19.0)])
    # the repeat lists its racks in another order: matched by id, not by place
    _write(tmp_path / "room@repeat.json", [_rack("A02", 19.0, 19.5, 23.0), _rack("A01", 23.0, 25.0, 31.0)])
    doc, spread = fit.ensemble(tmp_path / "room.json")
    by_id = {r["id"]: r for r in doc["racks"]}
    assert by_id["A01"]["inlet_mean_c"] == pytest.approx(21.5)
    assert by_id["A01"]["inlet_top_third_c"] == pytest.approx(23.5)
    assert by_id["A01"]["inlet_max_c"] == pytest.approx(30.5)
    assert by_id["A02"]["inlet_mean_c"] == pytest.approx(18.5)
    assert by_id["A02"]["inlet_max_c"] == pytest.approx(21.0)
    assert by_id["A01"]["mean_std_k"] == 0.5          # other fields are the first run's
    assert spread == pytest.approx((3.0 + 1.0) / 2)


def test_every_repeat_is_averaged_and_the_spread_is_over_pairs(tmp_path):
    fit = _module("fit")
    _write(tmp_path / "room.json", [_rack("A01", 18.0, 18.0, 20.0)])
    _write(tmp_path / "room@repeat.json", [_rack("A01", 24.0, 26.0, 32.0)])
    _write(tmp_path / "room@repeat0.json", [_rack("A01", 21.0, 22.0, 26.0)])
    _write(tmp_path / "room@0.10.json", [_rack("A01", 40.0, 40.0, 40.0)])   # a mesh study: not a repeat
    doc, spread = fit.ensemble(tmp_path / "room.json")
    assert doc["racks"][0]["inlet_mean_c"] == pytest.approx(21.0)
    assert doc["racks"][0]["inlet_max_c"] == pytest.approx(26.0)
    assert spread == pytest.approx((6.0 + 3.0 + 3.0) / 3)


def test_without_a_repeat_the_reference_is_unchanged(tmp_path):
    fit = _module("fit")
    racks = [_rack("A01", 20.0, 22.0, 30.0)]
    _write(tmp_path / "room.json", racks)
    doc, spread = fit.ensemble(tmp_path / "room.json")
    assert doc["racks"] == racks and spread is None


def test_initial_field_offset(tmp_path):
    run = _module("run_library")
    t = tmp_path / "T"
    t.write_text("FoamFile\n{\n}\ndimensions [0 0 0 1 0 0 0];\ninternalField   uniform 300.917;\n"
                 "boundaryField\n{\n    rack_A01_out { type fixedValue; value uniform 305.5; }\n}\n")
    run.offset_initial_field(t, 2.0)
    text = t.read_text()
    assert "internalField   uniform 302.917;" in text
    assert "value uniform 305.5;" in text             # boundary values untouched
    t.write_text("internalField   nonuniform List<scalar> 2(300 301);\n")
    with pytest.raises(SystemExit, match="no uniform internalField"):
        run.offset_initial_field(t, 2.0)
