"""Rack inventory import and export (twin.interchange.inventory*): header aliases and units,
tile coordinates, a mapping file, measured and budgeted power kept apart, XLSX cached
formula values, placement in rows, round trips, and every kind of bad input."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from twin.cli import main
from twin.engine.simulate import simulate
from twin.interchange.inventory import ImportReport, InventoryError, build_layout
from twin.interchange.inventory_read import (CFM_M3S, FT_M, LB_KG, Mapping, inventory_rows,
                                             read_mapping)
from twin.interchange.inventory_write import write_inventory
from twin.io import load_layout

ROOT = Path(__file__).resolve().parents[2]
POD = ROOT / "layouts" / "gb200-pod.json"


def _csv(tmp_path: Path, text: str, name: str = "racks.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _import(path: Path, mapping: Mapping | None = None, **kw):
    rows, report, _t = inventory_rows(path, mapping)
    layout = None if report.errors else build_layout(rows, report, **kw)
    return layout, report


# ----- headers, units and values ---------------------------------------------------
def test_header_aliases_units_in_headers_and_cells(tmp_path):
    p = _csv(tmp_path, "Asset Tag;Rack Type;X (ft);Y (ft);Front;Power (W);Airflow CFM;Weight (lb);Liquid %\n"
                       "R1;DGX B200;10;20;east;40000;2000;1500;10\n"
                       "R2;dgx-h100-rack;12;20;W;30 kW;;;\n")
    layout, report = _import(p, room_m=(20.0, 20.0, 4.0), cooling=False)
    assert report.columns == {"id": "Asset Tag", "model": "Rack Type", "x_ft": "X (ft)",
                              "y_ft": "Y (ft)", "facing": "Front", "power_w": "Power (W)",
                              "airflow_cfm": "Airflow CFM", "weight_lb": "Weight (lb)",
                              "liquid_share": "Liquid %"}
    assert report.models == {"DGX B200": "dgx-b200-rack"}
    r = {rec["id"]: rec for rec in layout.racks.records()}
    assert r["R1"]["x_m"] == pytest.approx(10 * 0.3048) and r["R1"]["y_m"] == pytest.approx(6.096)
    assert r["R1"]["rotation_deg"] == 90 and r["R2"]["rotation_deg"] == 270
    assert r["R1"]["power_kw"] == pytest.approx(40.0)
    assert r["R2"]["power_kw"] == pytest.approx(30.0)          # the unit in the cell wins
    assert r["R1"]["airflow_m3s"] == pytest.approx(2000 * 0.000471947443)
    assert r["R1"]["weight_kg"] == pytest.approx(1500 * 0.45359237)
    assert r["R1"]["liquid_share"] == pytest.approx(0.10)       # a per-cent header
    assert r["R2"]["airflow_m3s"] is None and r["R2"]["weight_kg"] is None
    assert (FT_M, LB_KG, CFM_M3S) == (0.3048, 0.45359237, 0.000471947443)


def test_measured_and_budget_power_are_kept_apart(tmp_path):
    p = _csv(tmp_path, "id,model,x_m,y_m,measured kW,budget kW\n"
                       "A,gb200-nvl72,2,2,118.5,132\n"
                       "B,gb200-nvl72,2.6,2,,132\n"
                       "C,gb200-nvl72,3.2,2,,\n")
    layout, report = _import(p, room_m=(10.0, 8.0, 4.0), cooling=False)
    r = {rec["id"]: rec for rec in layout.racks.records()}
    assert (r["A"]["power_kw"], r["A"]["power_basis"], r["A"]["power_budget_kw"]) == (118.5, "measured", 132.0)
    assert (r["B"]["power_kw"], r["B"]["power_basis"], r["B"]["power_budget_kw"]) == (132.0, "budget", None)
    assert (r["C"]["power_kw"], r["C"]["power_basis"]) == (None, "")


def test_tile_coordinates_on_a_stated_grid(tmp_path):
    p = _csv(tmp_path, "rack,model,tile,facing\nT1,dgx-h100-rack,AB12,S\nT2,dgx-h100-rack,A1,N\n")
    m = Mapping(tile_pitch_m=0.6, tile_origin_m=(1.0, 2.0))
    layout, _report = _import(p, m, room_m=(30.0, 20.0, 4.0), cooling=False)
    r = {rec["id"]: rec for rec in layout.racks.records()}
    # AB is column 28: x = 1.0 + (28 - 0.5) * 0.6 = 17.5; row 12: y = 2.0 + 11.5 * 0.6 = 8.9
    assert (r["T1"]["x_m"], r["T1"]["y_m"]) == pytest.approx((17.5, 8.9))
    assert (r["T2"]["x_m"], r["T2"]["y_m"]) == pytest.approx((1.3, 2.3))
    assert (r["T1"]["rotation_deg"], r["T2"]["rotation_deg"]) == (0, 180)


def test_a_mapping_file_names_columns_models_and_units(tmp_path):
    p = _csv(tmp_path, "Cab,What,E,N,Draw\nC1,Big GPU box,3,4,90000\n")
    mp = tmp_path / "map.json"
    mp.write_text(json.dumps({"columns": {"id": "Cab", "model": "What", "x_m": "E", "y_m": "N",
                                          "power_kw": "Draw"},
                              "models": {"Big GPU box": "gb300-nvl72"}, "power_unit": "W",
                              "power_basis": "budget"}))
    m = read_mapping(mp)
    layout, report = _import(p, m, model_map=m.models, room_m=(10.0, 10.0, 4.0), cooling=False)
    rec = layout.racks.records()[0]
    assert (rec["model"], rec["x_m"], rec["y_m"]) == ("gb300-nvl72", 3.0, 4.0)
    assert (rec["power_kw"], rec["power_basis"]) == (90.0, "budget")
    # without its models the model is unknown, and the row says which one
    m.models = {}
    _layout, report = _import(p, m, room_m=(10.0, 10.0, 4.0), cooling=False)
    assert [e.format() for e in report.errors] == [
        f"{p} line 2: rack 'C1': unknown model 'Big GPU box'; map it with a mapping "
        "file's \"models\""]


def test_bad_mapping_files_name_the_field(tmp_path):
    cases = {'{"columns": {"colour": "X"}}': "columns.colour: unknown field",
             '{"length_unit": "yd"}': "length_unit: found 'yd'",
             '{"grid": {"pitch_m": -1}}': "grid: expected",
             '{"columns": ': "line 1 column"}
    for text, expected in cases.items():
        mp = tmp_path / "m.json"
        mp.write_text(text)
        with pytest.raises(InventoryError, match=re.escape(expected)):
            read_mapping(mp)


def test_xlsx_reads_cached_formula_values_and_never_evaluates(tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["id", "model", "x_m", "y_m", "power_kw"])
    ws.append(["X1", "gb200-nvl72", 2.0, 2.0, "=100+32"])
    ws.append(["X2", "gb200-nvl72", 2.6, 2.0, "=100+33"])
    path = tmp_path / "racks.xlsx"
    book.save(path)
    # give X1's formula a saved (cached) value of 120.5 as Excel would; X2 keeps none
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    sheet = files["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace("<f>100+32</f><v></v>", "<f>100+32</f><v>120.5</v>").replace(
        "<f>100+32</f><v/>", "<f>100+32</f><v>120.5</v>")
    if "<v>120.5</v>" not in sheet:
        sheet = sheet.replace("<f>100+32</f>", "<f>100+32</f><v>120.5</v>")
    files["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    layout, _report = _import(path, room_m=(10.0, 8.0, 4.0), cooling=False)
    r = {rec["id"]: rec for rec in layout.racks.records()}
    assert r["X1"]["power_kw"] == 120.5          # the saved value, not 132 evaluated
    assert r["X2"]["power_kw"] is None           # no saved value: not evaluated either


# ----- placement, rooms, provisional cooling ----------------------------------------
def test_racks_without_positions_are_placed_in_rows_and_reported(tmp_path):
    p = _csv(tmp_path, "id,model,row,power_kw\n"
             + "".join(f"B{i},dgx-h100-rack,B,30\n" for i in range(1, 4))
             + "".join(f"A{i},dgx-h100-rack,A,30\n" for i in range(1, 3)))
    layout, report = _import(p)
    assert sorted(report.placed_in_rows) == ["A1", "A2", "B1", "B2", "B3"]
    assert any("placed in 2 rows" in n for n in report.notes)
    r = {rec["id"]: rec for rec in layout.racks.records()}
    # row A first (facing north), B across the cold aisle (facing south)
    assert r["A1"]["rotation_deg"] == 180 and r["B1"]["rotation_deg"] == 0
    assert r["A1"]["y_m"] < r["B1"]["y_m"] and r["A1"]["x_m"] < r["A2"]["x_m"]
    depth = 1.2    # dgx-h100-rack
    gap = (r["B1"]["y_m"] - depth / 2) - (r["A1"]["y_m"] + depth / 2)
    assert gap == pytest.approx(1.2)


def test_a_new_room_simulates_with_the_powers_given(tmp_path):
    p = _csv(tmp_path, "id,model,x_m,y_m,facing,power_kw\n"
                       "G1,gb200-nvl72,3.0,3.0,N,110\nG2,gb200-nvl72,3.6,3.0,N,125\n"
                       "H1,dgx-h100-rack,3.0,6.0,S,35\nH2,dgx-h100-rack,3.6,6.0,S,38.5\n")
    layout, report = _import(p)
    assert any("provisional cooling" in n for n in report.notes)
    res = simulate(layout)
    assert res.rack_power_kw == pytest.approx([110, 125, 35, 38.5])
    # the liquid racks are on the provisional CDUs; N+1 units are there
    assert set(layout.racks["cdu"][:2]) <= set(layout.cdus) and len(layout.cdus) == 2
    assert len(layout.cooling_units) >= 2


def test_unknown_models_duplicates_and_racks_outside_the_room_are_all_listed(tmp_path):
    p = _csv(tmp_path, "id,model,x_m,y_m\nA,gb200-nvl72,1,1\nA,gb200-nvl72,2,1\n"
                       "B,nvl-9000,3,1\nC,gb200-nvl72,50,1\n")
    _layout, report = _import(p, room_m=(10.0, 10.0, 4.0), cooling=False)
    msgs = [p.format() for p in report.errors]
    assert any("racks.csv line 3" in m and "duplicate rack id 'A'" in m for m in msgs)
    assert any("racks.csv line 4" in m and "unknown model 'nvl-9000'" in m for m in msgs)
    # with the model fixed, the rack outside the room is named by its line
    p2 = _csv(tmp_path, "id,model,x_m,y_m\nA,gb200-nvl72,1,1\nC,gb200-nvl72,50,1\n", "r2.csv")
    layout, report = _import(p2, room_m=(10.0, 10.0, 4.0), cooling=False)
    assert layout is None
    assert any(e.path == f"{p2} line 3" and "rack 'C'" in e.message for e in report.errors)


def test_overlapping_racks_are_listed_not_moved(tmp_path):
    p = _csv(tmp_path, "id,model,x_m,y_m\nA,dgx-h100-rack,2,2\nB,dgx-h100-rack,2.3,2\n")
    layout, report = _import(p, room_m=(10.0, 10.0, 4.0), cooling=False)
    assert layout is not None
    assert layout.racks["x_m"].tolist() == [2.0, 2.3]
    assert any("overlaps" in w.message and w.severity == "warning" for w in report.problems)


# ----- bad files ---------------------------------------------------------------------
@pytest.mark.parametrize("content, expected", [
    (b"", "is empty"),
    (b"\x00\x01\x02binary\x00", "is binary"),
    (b"id,model\nR1,caf\xe9\n", "line 2: byte 0xe9 is not UTF-8"),
    (b"PK\x03\x04truncated zip", "is not a readable XLSX"),
    (b"name\nR1\n", "no model column"),
    (b"colour,model\nred,x\n", "no rack id column"),
    (b"id,model,x_m,id\nR1,a,1,2\n", "columns 1 and 4 are both"),
])
def test_bad_files_end_with_a_clear_error(tmp_path, content, expected):
    p = tmp_path / "bad.csv"
    p.write_bytes(content)
    with pytest.raises(InventoryError) as exc:
        inventory_rows(p)
    assert str(p) in str(exc.value) and expected in str(exc.value)


def test_a_bad_cell_names_the_line_and_column(tmp_path):
    p = _csv(tmp_path, "id,model,x_m,y_m,facing\nR1,gb200-nvl72,abc,1,N\nR2,gb200-nvl72,1,1,up\n")
    _rows, report, _t = inventory_rows(p)
    assert [e.format() for e in report.errors] == [
        f"{p} line 2 column 'x_m': found 'abc', expected a number",
        f"{p} line 3 column 'facing': found 'up', expected N, E, S, W (the side the rack "
        "front faces) or 0, 90, 180, 270 (0: front to the south)"]


# ----- round trips -------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_gives_back_the_racks_positions_and_powers(tmp_path, suffix):
    pod = load_layout(POD)
    n = len(pod.racks)
    pod.racks.set_values(np.arange(n), "power_kw", np.linspace(20.5, 110.25, n))
    pod.racks.set_values(np.arange(3), "power_basis", ["measured", "budget", "measured"])
    pod.racks.set_values(np.arange(1), "power_budget_kw", [150.0])
    out = tmp_path / f"racks{suffix}"
    assert write_inventory(pod, out, simulate(pod)) == n
    layout, report = _import(out, room_m=(pod.hall.width_m, pod.hall.length_m,
                                          pod.hall.ceiling_height_m), cooling=False)
    assert layout is not None, report.errors
    assert "sim_inlet_c" in report.ignored_columns
    for f in ("id", "model", "x_m", "y_m", "rotation_deg", "power_kw", "power_basis",
              "power_budget_kw", "weight_kg", "liquid_share", "airflow_m3s"):
        a, b = pod.racks[f], layout.racks[f]
        if a.dtype == object:
            assert a.tolist() == b.tolist(), f
        else:
            np.testing.assert_allclose(a, b, rtol=1e-14, err_msg=f)   # XLSX keeps 15 digits


def test_cli_import_writes_nothing_on_error_and_reports_json(tmp_path, capsys):
    good = _csv(tmp_path, "id,model,x_m,y_m,kw\nR1,gb300-nvl72,3,3,135\n")
    out = tmp_path / "out.json"
    assert main(["import", "inventory", str(good), "--out", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["written"] and doc["racks"] == 1 and doc["power_kw"]["fixed"] == 135.0
    assert load_layout(out).racks["power_kw"][0] == 135.0
    bad = _csv(tmp_path, "id,model,x_m,y_m\nR1,unknown-thing,3,3\n", "bad.csv")
    out2 = tmp_path / "out2.json"
    assert main(["import", "inventory", str(bad), "--out", str(out2)]) == 1
    err = capsys.readouterr().err
    assert "unknown model 'unknown-thing'" in err and "nothing written" in err
    assert not out2.exists()
    assert main(["import", "inventory", str(tmp_path / "missing.csv"), "--out", str(out2)]) == 1
    assert "no such file" in capsys.readouterr().err


def test_cli_export_inventory_and_base_layout(tmp_path, capsys):
    out = tmp_path / "pod.xlsx"
    assert main(["export", "inventory", str(POD), "--out", str(out)]) == 0
    assert "racks 20" in capsys.readouterr().out
    extra = _csv(tmp_path, "id,model,x_m,y_m,facing\nNEW-1,dgx-h100-rack,12.0,9.0,S\n")
    merged = tmp_path / "merged.json"
    assert main(["import", "inventory", str(extra), "--base", str(POD), "--out", str(merged)]) == 0
    lay = load_layout(merged)
    assert len(lay.racks) == 21 and len(lay.cdus) == 2 and "NEW-1" in lay.racks.ids.tolist()
    clash = _csv(tmp_path, "id,model,x_m,y_m\nA01,dgx-h100-rack,12,9\n", "clash.csv")
    assert main(["import", "inventory", str(clash), "--base", str(POD), "--out", str(merged)]) == 1
    assert "rack id 'A01' is already used" in capsys.readouterr().err


def test_report_lists_everything_as_json():
    r = ImportReport("x.csv")
    r.error("x.csv line 2", "bad")
    r.warn("x.csv line 3", "odd")
    d = r.as_dict()
    assert d["errors"] == ["x.csv line 2: bad"] and d["warnings"] == ["x.csv line 3: warning: odd"]
