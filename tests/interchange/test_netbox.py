"""NetBox rack import (twin.interchange.netbox): saved API results and a (mocked) live pull
to a layout whose rack powers are the hand-summed power-port budgets; positions from
custom fields, a CSV or rows; and every kind of bad input named by file and object."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from twin.engine.simulate import simulate
from twin.interchange import netbox
from twin.interchange.inventory import ImportReport, InventoryError, build_layout
from twin.interchange.netbox import netbox_rows, read_netbox_api

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "netbox"
POSITIONS = FIXTURE / "positions.csv"

# Rack budgets summed by hand from the fixture's power ports (W -> kW):
BUDGET_KW = {
    "A01": 4 * 6 * 1700 / 1000,                        # 4 DGX H100 x 6 PSUs x 1,700 W = 40.8
    "A02": (3 * 6 * 1700 + 6 * 3300 * 0.8) / 1000,     # gpu-08 has maximum draw only: 46.44
    "A03": (2 * 2 * 800 + 150) / 1000,                 # 2 QM9700 + 1 SN2201 (+ a patch panel) = 3.35
    "B01": 4 * 6 * 2400 / 1000,                        # 4 DGX B200 x 6 x 2,400 W = 57.6
    "B02": 3 * 6 * 2400 / 1000,                        # gpu-16 has no draw at all: 43.2
    "B03": 6 * 2 * 600 / 1000,                         # 6 storage servers x 2 x 600 W = 7.2
}


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "export"
    shutil.copytree(FIXTURE, dst)
    return dst


def _doc(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def _save(folder: Path, name: str, doc: Any) -> None:
    (folder / name).write_text(json.dumps(doc, indent=1), encoding="utf-8")


def _results(doc: Any) -> list[Any]:
    return doc["results"] if isinstance(doc, dict) else doc


def _import(source: Any = FIXTURE, **kw: Any):
    build = {k: kw.pop(k) for k in ("room_m", "cooling") if k in kw}
    rows, report = netbox_rows(source, **kw)
    layout = None if report.errors else build_layout(rows, report, model_map=kw.get("model_map"),
                                                     **build)
    return rows, layout, report


def _racks(layout) -> dict[str, dict]:
    return {rec["id"]: rec for rec in layout.racks.records()}


def _text(report: ImportReport) -> str:
    return "\n".join(p.format() for p in report.problems)


# ----- power budgets ---------------------------------------------------------------
def test_rack_powers_are_the_hand_summed_allocated_draws():
    rows, layout, report = _import()
    assert not report.errors, _text(report)
    assert BUDGET_KW == pytest.approx({"A01": 40.8, "A02": 46.44, "A03": 3.35, "B01": 57.6,
                                       "B02": 43.2, "B03": 7.2})
    r = _racks(layout)
    assert {k: v["power_kw"] for k, v in r.items()} == pytest.approx(BUDGET_KW)
    assert {v["power_basis"] for v in r.values()} == {"budget"}
    assert {k: v["model"] for k, v in r.items()} == {
        "A01": "dgx-h100-rack", "A02": "dgx-h100-rack", "A03": "ib-network-rack",
        "B01": "dgx-b200-rack", "B02": "dgx-b200-rack", "B03": "storage-rack"}
    assert report.models == {"DGX H100": "dgx-h100-rack", "QM9700": "ib-network-rack",
                             "DGX B200": "dgx-b200-rack"}
    # weight: the rack (175 kg) and its devices' types (DGX H100 130.45 kg)
    assert r["A01"]["weight_kg"] == pytest.approx(175 + 4 * 130.45)
    assert r["A03"]["weight_kg"] == pytest.approx(175 + 2 * 14.5 + 6.2 + 1.5)
    wheres = {row.id: row.where for row in rows}
    assert wheres["A01"] == "dcim_racks.json rack 'A01' (id 7)"
    assert wheres["B03"] == "dcim_racks.json rack 'B03' (id 12), position from its custom fields"
    notes = "\n".join(report.notes)
    assert "6 racks, 26 devices in them" in notes and "budget" in notes      # spare-sw-01: in no rack
    assert "rack 'A03': budget 3.35 kW" in notes and "pp-a03-01" in notes    # no power ports


def test_device_without_allocated_draw_counts_maximum_draw_times_diversity():
    _rows, layout, report = _import(diversity=0.5)
    # gpu-08: 6 PSUs x 3,300 W maximum x 0.5 = 9.9 kW beside 3 x 10.2 kW allocated
    assert _racks(layout)["A02"]["power_kw"] == pytest.approx((3 * 6 * 1700 + 6 * 3300 * 0.5) / 1000)
    note = next(n for n in report.notes if n.startswith("rack 'A02'"))
    assert "diversity 0.5" in note and "gpu-08" in note and "9.9 kW" in note
    assert _racks(layout)["A01"]["power_kw"] == pytest.approx(40.8)          # unchanged
    with pytest.raises(ValueError, match="diversity"):
        netbox_rows(FIXTURE, diversity=1.5)


def test_device_with_neither_draw_is_listed_and_counted_as_zero():
    _rows, _layout, report = _import()
    warning = next(p for p in report.problems if "gpu-16" in p.path)
    assert warning.severity == "warning"
    assert warning.path == "dcim_devices.json: results[15] (device 'gpu-16')"
    assert "6 of its 6 power ports have neither allocated_draw nor maximum_draw" in warning.message


def test_feed_capacity_is_noted_and_an_overloaded_rack_warned():
    _rows, _layout, report = _import()
    # A01: one primary feed 415 V x 100 A x 0.8 x 1.732 = 57,502 W; the B feed is redundant
    a01 = next(n for n in report.notes if n.startswith("rack 'A01'"))
    assert "feeds 57.5 kW usable (1 primary, 1 redundant not added)" in a01
    # B01: 415 V x 63 A x 0.8 x 1.732 = 36,226 W, below its 57.6 kW budget
    over = [p for p in report.problems if "exceeds" in p.message]
    assert [p.path for p in over] == ["dcim_racks.json rack 'B01' (id 10)"]
    assert "budget 57.6 kW exceeds the 36.23 kW" in over[0].message
    assert over[0].severity == "warning"


def test_layout_simulates_with_the_budgets_as_rack_power():
    _rows, layout, report = _import()
    result = simulate(layout)
    ids = list(layout.racks.ids)
    assert np.asarray(result.rack_power_kw) == pytest.approx([BUDGET_KW[i] for i in ids])
    assert any("provisional cooling" in n for n in report.notes)


# ----- models ------------------------------------------------------------------------
def _rename_type(folder: Path, type_id: int, model: str) -> None:
    for name in ("dcim_device-types.json", "dcim_devices.json"):
        doc = _doc(folder, name)
        for o in _results(doc):
            t = o if name == "dcim_device-types.json" else o["device_type"]
            if t["id"] == type_id:
                t["model"], t["display"], t["slug"] = model, model, model.lower()
        _save(folder, name, doc)


def test_unknown_model_is_listed_with_the_device_types_the_rack_holds(tmp_path):
    folder = _copy(tmp_path)
    _rename_type(folder, 2, "SYS-A21GE-NBRT")          # the DGX B200s become Supermicro boxes
    _rows, layout, report = _import(folder)
    assert layout is None
    errors = {p.path: p.message for p in report.errors}
    assert set(errors) == {"dcim_racks.json rack 'B01' (id 10)", "dcim_racks.json rack 'B02' (id 11)"}
    assert "unknown model 'SYS-A21GE-NBRT'" in errors["dcim_racks.json rack 'B01' (id 10)"]
    held = next(p for p in report.problems if p.path == "dcim_racks.json rack 'B01' (id 10)"
                and p.severity == "warning" and "holds" in p.message)
    assert "holds 4 × SYS-A21GE-NBRT (57.6 kW), rack type 'NetShelter SX 48U 750mm'" in held.message
    assert "twin_model" in held.message
    assert "none of these is a catalogue rack model" in held.message
    # the caller's model map resolves it
    _rows, layout, report = _import(folder, model_map={"SYS-A21GE-NBRT": "dgx-b200-rack"})
    assert not report.errors, _text(report)
    assert _racks(layout)["B01"]["model"] == "dgx-b200-rack"


def test_empty_rack_without_a_model_is_an_error(tmp_path):
    folder = _copy(tmp_path)
    doc = _doc(folder, "dcim_racks.json")
    doc["results"].append(dict(doc["results"][0], id=13, name="A04", rack_type=None,
                               custom_fields={}))
    doc["count"] = 7
    _save(folder, "dcim_racks.json", doc)
    _rows, layout, report = _import(folder)
    assert layout is None
    assert [p.format() for p in report.errors] == [
        "dcim_racks.json rack 'A04' (id 13): rack 'A04': no model"]
    assert any(p.path == "dcim_racks.json rack 'A04' (id 13)" and "holds no devices" in p.message
               for p in report.problems)
    assert any(n.startswith("rack 'A04': no devices") for n in report.notes)


def test_rack_custom_field_names_the_model(tmp_path):
    folder = _copy(tmp_path)
    doc = _doc(folder, "dcim_racks.json")
    doc["results"][2]["custom_fields"]["twin_model"] = "gb200-nvl72"    # A03
    _save(folder, "dcim_racks.json", doc)
    _rows, layout, _report = _import(folder)
    assert _racks(layout)["A03"]["model"] == "gb200-nvl72"


# ----- positions ---------------------------------------------------------------------
def test_racks_without_positions_are_placed_in_rows_and_reported():
    _rows, layout, report = _import()
    r = _racks(layout)
    assert (r["B03"]["x_m"], r["B03"]["y_m"], r["B03"]["rotation_deg"]) == (3.3, 5.4, 0)
    assert report.placed_in_rows == ["A01", "A02", "A03", "B01", "B02"]
    assert any("NetBox has no floor coordinates: 5 racks" in n for n in report.notes)
    assert any("placed in 2 rows" in n for n in report.notes)
    # one row per rack group: Row A faces Row B across the cold aisle, north of B03
    assert r["A01"]["y_m"] == r["A02"]["y_m"] == r["A03"]["y_m"] > 5.4
    assert r["B01"]["y_m"] == r["B02"]["y_m"] > r["A01"]["y_m"]
    assert (r["A01"]["rotation_deg"], r["B01"]["rotation_deg"]) == (180, 0)


def test_rows_by_rack_role():
    _rows, layout, report = _import(row_by=("role",))
    r = _racks(layout)
    assert r["A01"]["y_m"] == r["B02"]["y_m"] != r["A03"]["y_m"]      # GPU compute / Network
    assert report.columns["row"] == "rack role"


def test_positions_from_csv():
    rows, layout, report = _import(positions_csv=POSITIONS)
    assert not report.errors, _text(report)
    r = _racks(layout)
    assert {k: (v["x_m"], v["y_m"], v["rotation_deg"]) for k, v in r.items()} == {
        "A01": (2.1, 3.0, 180), "A02": (2.7, 3.0, 180), "A03": (3.3, 3.0, 180),
        "B01": (2.1, 5.4, 0), "B02": (2.7, 5.4, 0), "B03": (3.3, 5.4, 0)}
    assert report.placed_in_rows == []
    assert {row.id: row.where for row in rows}["A02"] == (
        "dcim_racks.json rack 'A02' (id 8), position from positions.csv line 3")


def test_custom_fields_win_over_csv_and_csv_problems_are_listed_by_line(tmp_path):
    csv_path = tmp_path / "pos.csv"
    csv_path.write_text("Rack;X;Y;Front\nA01;2.1;3.0;north\nB03;9;9;S\nZ99;1;1;S\n"
                        "A02;abc;3.0;N\nA03;3.3;3.0;up\nA01;1;1;N\n", encoding="utf-8")
    _rows, _layout, report = _import(positions_csv=csv_path)
    found = {(p.path, p.severity): p.message for p in report.problems}
    assert found[("pos.csv line 3", "warning")] == (
        "rack 'B03': not used, its custom fields give its position")
    assert found[("pos.csv line 4", "error")] == "rack 'Z99' is not among the imported NetBox racks"
    assert found[("pos.csv line 5", "error")] == "x_m: found 'abc', expected a number"
    assert found[("pos.csv line 6", "error")].startswith("facing: found 'up', expected N, E, S, W")
    assert found[("pos.csv line 7", "error")] == "rack 'A01' is listed twice (first at pos.csv line 2)"


def test_positions_csv_that_is_not_a_table(tmp_path):
    bad = tmp_path / "pos.csv"
    bad.write_text("name,east,north\nA01,1,2\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"pos\.csv: header: no x_m, y_m column"):
        netbox_rows(FIXTURE, positions_csv=bad)
    bad.write_bytes(b"")
    with pytest.raises(InventoryError, match="is empty"):
        netbox_rows(FIXTURE, positions_csv=bad)
    bad.write_bytes(b"rack,x_m,y_m\nA01,1,2\nB\xe4r,1,2\n")
    with pytest.raises(InventoryError, match=r"line 3: byte 0xe4 is not UTF-8"):
        netbox_rows(FIXTURE, positions_csv=bad)


def test_overlapping_positions_and_racks_outside_the_room_are_listed(tmp_path):
    csv_path = tmp_path / "pos.csv"
    csv_path.write_text("rack,x_m,y_m,facing\nA01,2.1,3.0,N\nA02,2.1,3.0,N\n"
                        "A03,3.3,3.0,N\nB01,2.1,5.4,S\nB02,2.7,5.4,S\n", encoding="utf-8")
    _rows, layout, report = _import(positions_csv=csv_path, room_m=(12.0, 12.0, 4.0),
                                    cooling=False)
    overlap = [p for p in report.problems if "overlaps" in p.message]
    assert [p.format() for p in overlap] == [
        "dcim_racks.json rack 'A02' (id 8), position from pos.csv line 3: warning: "
        "rack 'A02' position_m: rack 'A02' overlaps rack 'A01'"]      # listed, not moved
    assert (_racks(layout)["A02"]["x_m"], _racks(layout)["A02"]["y_m"]) == (2.1, 3.0)
    csv_path.write_text("rack,x_m,y_m,facing\nA01,2.1,3.0,N\nA02,2.7,3.0,N\n"
                        "A03,30,3.0,N\nB01,2.1,5.4,S\nB02,2.7,5.4,S\n", encoding="utf-8")
    _rows, layout, report = _import(positions_csv=csv_path, room_m=(12.0, 12.0, 4.0),
                                    cooling=False)
    assert layout is None
    assert [p.format() for p in report.errors] == [
        "dcim_racks.json rack 'A03' (id 9), position from pos.csv line 4: rack 'A03' "
        "position_m: rack footprint [29.7, 2.4]..[30.3, 3.6] m leaves the hall (0..12 x 0..12 m)"]


def test_duplicate_rack_names_are_listed(tmp_path):
    folder = _copy(tmp_path)
    doc = _doc(folder, "dcim_racks.json")
    doc["results"][1]["name"] = "A01"            # two racks named A01 (in two locations, say)
    _save(folder, "dcim_racks.json", doc)
    _rows, layout, report = _import(folder)
    assert layout is None
    assert [p.format() for p in report.errors] == [
        "dcim_racks.json rack 'A01' (id 8): duplicate rack id 'A01' (first at "
        "dcim_racks.json rack 'A01' (id 7))"]
    # another rack field as the id resolves it
    _rows, layout, report = _import(folder, rack_id="facility_id")
    assert not report.errors and "DH1-A02" in _racks(layout)


# ----- file forms --------------------------------------------------------------------
def test_bare_lists_and_short_names_read_like_api_pages(tmp_path):
    folder = tmp_path / "bare"
    folder.mkdir()
    for f in FIXTURE.glob("*.json"):
        doc = json.loads(f.read_text(encoding="utf-8"))
        short = f.name.removeprefix("dcim_").replace("-", "_")
        _save(folder, short, _results(doc))
    assert not (folder / "power_feeds.json").read_text().startswith("{")
    bare_rows, bare_report = netbox_rows(folder)
    rows, report = netbox_rows(FIXTURE)
    strip = lambda rs: [(r.id, r.model, r.power_kw, r.weight_kg, r.x_m, r.row) for r in rs]
    assert strip(bare_rows) == strip(rows)
    assert bare_rows[0].where == "racks.json rack 'A01' (id 7)"
    assert len(bare_report.problems) == len(report.problems)


def test_pages_and_nested_ids(tmp_path):
    folder = _copy(tmp_path)
    # results saved by pynetbox's serialize(): nested objects as bare ids
    doc = _doc(folder, "dcim_devices.json")
    for d in doc["results"]:
        d["rack"] = d["rack"]["id"] if d["rack"] else None
        d["device_type"] = d["device_type"]["id"]
    _save(folder, "dcim_devices.json", doc)
    rows, report = netbox_rows(folder)
    assert not report.errors, _text(report)
    assert {r.id: r.power_kw for r in rows} == pytest.approx(BUDGET_KW)
    # one page of many is refused, not imported short
    doc["next"] = "https://netbox.example.com/api/dcim/devices/?limit=50&offset=50"
    doc["count"] = 312
    _save(folder, "dcim_devices.json", doc)
    with pytest.raises(InventoryError, match=r"dcim_devices\.json: holds one page: 27 of 312"):
        netbox_rows(folder)


# ----- bad input ---------------------------------------------------------------------
@pytest.mark.parametrize("content, message", [
    (b"", "is empty, expected NetBox API results"),
    (b"  \n", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is binary, not JSON text"),
    (b'{"count": 6, "next": null, "results": [{"id": 7, "name": "A0', "truncated"),
    (b'[{"id": 7, "name": "Caf\xe9"}]', "line 1: byte 0xe9 is not UTF-8"),
    ('[{"id": 7}]'.encode("utf-16"), "is UTF-16 text"),
    (b"\x1f\x8b\x08\x00", "gzip"),
    (b'{"detail": "Invalid v1 token"}', "holds a NetBox error answer, not results: Invalid v1 token"),
    (b'{"racks": []}', "expected a list of objects or a NetBox API page"),
    (b'{"count": 1, "results": {"id": 7}}', "results: found an object, expected a list"),
    (b"[" * 100_000, "nested too deeply"),
])
def test_unreadable_files_are_one_clear_error(tmp_path, content, message):
    folder = _copy(tmp_path)
    (folder / "dcim_racks.json").write_bytes(content)
    with pytest.raises(InventoryError) as exc:
        netbox_rows(folder)
    assert str(exc.value).startswith(str(folder / "dcim_racks.json") + ": ")
    assert message in str(exc.value)


def test_file_above_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(netbox, "MAX_NETBOX_BYTES", 50_000)   # racks 17 kB, devices 78 kB
    with pytest.raises(InventoryError, match=r"dcim_devices\.json: file is .* MiB, above the limit"):
        netbox_rows(FIXTURE)


def test_folder_problems(tmp_path):
    with pytest.raises(InventoryError, match="no such folder"):
        netbox_rows(tmp_path / "missing")
    with pytest.raises(InventoryError, match="is a file, not a folder"):
        netbox_rows(FIXTURE / "dcim_racks.json")
    (tmp_path / "dcim_devices.json").write_text("[]")
    with pytest.raises(InventoryError, match=r"no dcim_racks\.json \(or racks\.json\)"):
        netbox_rows(tmp_path)
    folder = _copy(tmp_path)
    shutil.copy(folder / "dcim_racks.json", folder / "racks.json")
    with pytest.raises(InventoryError, match=r"both dcim_racks\.json and racks\.json"):
        netbox_rows(folder)


def test_bad_objects_are_errors_naming_file_and_object(tmp_path):
    folder = _copy(tmp_path)
    devices = _doc(folder, "dcim_devices.json")
    devices["results"][3] = "gpu-04"                       # not an object
    devices["results"][12]["rack"] = {"id": 99, "name": "Z99"}   # gpu-13: a missing rack
    devices["results"][5]["id"] = devices["results"][4]["id"]    # gpu-06: duplicate id
    _save(folder, "dcim_devices.json", devices)
    ports = _doc(folder, "dcim_power-ports.json")
    ports["results"][0]["allocated_draw"] = "lots"
    ports["results"][1]["device"] = {"id": 4242, "name": "ghost"}
    _save(folder, "dcim_power-ports.json", ports)
    racks = _doc(folder, "dcim_racks.json")
    racks["results"][0]["custom_fields"]["floor_x_m"] = 2.0      # A01: x without y
    _save(folder, "dcim_racks.json", racks)
    rows, layout, report = _import(folder)
    assert layout is None
    errors = {p.path: p.message for p in report.errors}
    assert errors["dcim_devices.json: results[3]"] == "found the text 'gpu-04', expected a device object"
    assert errors["dcim_devices.json: results[12] (device 'gpu-13')"] == (
        "rack: rack id 99 is not in dcim_racks.json")
    assert errors["dcim_devices.json: results[5] (device 'gpu-06')"] == (
        "duplicate device id 105 (first at dcim_devices.json: results[4] (device 'gpu-05'))")
    assert errors["dcim_power-ports.json: results[0] (power port 'PSU1')"] == (
        "allocated_draw: found 'lots', expected a number")
    assert errors["dcim_power-ports.json: results[1] (power port 'PSU2')"] == (
        "device: device id 4242 is not in dcim_devices.json")
    assert errors["dcim_racks.json rack 'A01' (id 7)"] == (
        "custom field floor_x_m is set but floor_y_m is not")
    assert "A01" not in {r.id for r in rows}


# ----- site ----------------------------------------------------------------------------
def test_site_filter(tmp_path):
    rows, report = netbox_rows(FIXTURE, site="dc1")
    assert len(rows) == 6 and not report.errors
    rows, report = netbox_rows(FIXTURE, site="elsewhere")
    assert rows == [] and [p.format() for p in report.errors] == [
        "dcim_racks.json: no rack is in site 'elsewhere'"]


# ----- live pull with a mocked pynetbox ---------------------------------------------
_RECORDS = __import__("pynetbox").core.api.Api("http://127.0.0.1:9")


class _Endpoint:
    def __init__(self, api: "_FakeApi", name: str, objects: list[dict]):
        self.api, self.name, self.objects = api, name, objects

    def all(self):
        self.api.calls.append((self.name, {}))
        return self._records()

    def filter(self, **kw):
        self.api.calls.append((self.name, kw))
        return self._records()

    def _records(self):
        if self.api.fail is not None:
            raise self.api.fail
        # real pynetbox records (of a client that never connects) built from the JSON
        real = getattr(_RECORDS.dcim, self.name)
        return iter([real.return_obj(o, _RECORDS, real) for o in self.objects])


class _FakeApi:
    def __init__(self, url: str, token: str | None = None):
        self.url, self.token, self.calls, self.fail = url, token, [], None
        self.dcim = type("Dcim", (), {})()
        files = {"racks": "dcim_racks.json", "devices": "dcim_devices.json",
                 "device_types": "dcim_device-types.json",
                 "power_ports": "dcim_power-ports.json", "power_feeds": "dcim_power-feeds.json",
                 "locations": "dcim_locations.json"}
        for attr, name in files.items():
            setattr(self.dcim, attr, _Endpoint(self, attr, _results(_doc(FIXTURE, name))))


@pytest.fixture
def fake_netbox(monkeypatch):
    import pynetbox
    made: list[_FakeApi] = []

    def api(url, token=None, **_kw):
        made.append(_FakeApi(url, token))
        return made[-1]

    monkeypatch.setattr(pynetbox, "api", api)
    return made


def test_live_pull_reads_like_the_saved_files(fake_netbox, monkeypatch, tmp_path):
    secret = "nbt_0123456789abcdef.fedcba9876543210"
    monkeypatch.setenv("NETBOX_TOKEN", secret)
    monkeypatch.chdir(tmp_path)
    rows, layout, report = _import("https://netbox.example.com", site="dc1")
    assert not report.errors, _text(report)
    api = fake_netbox[0]
    assert (api.url, api.token) == ("https://netbox.example.com", secret)
    assert ("racks", {"site": "dc1"}) in api.calls and ("power_ports", {"site": "dc1"}) in api.calls
    assert ("device_types", {}) in api.calls
    assert {k: v["power_kw"] for k, v in _racks(layout).items()} == pytest.approx(BUDGET_KW)
    assert rows[0].where == "dcim/racks rack 'A01' (id 7)"
    assert report.source == "https://netbox.example.com"
    # the token is nowhere in what the import produced, and nothing was written
    assert secret not in json.dumps(report.as_dict()) + repr(rows)
    assert list(tmp_path.iterdir()) == []


def test_live_pull_needs_the_token_variable(fake_netbox, monkeypatch):
    monkeypatch.delenv("NB_TOKEN", raising=False)
    with pytest.raises(InventoryError, match="no API token: set the environment variable NB_TOKEN"):
        read_netbox_api("https://netbox.example.com/", token_env="NB_TOKEN")
    assert fake_netbox == []


def test_live_pull_server_errors_are_one_line(fake_netbox, monkeypatch):
    import pynetbox
    import requests
    monkeypatch.setenv("NETBOX_TOKEN", "nbt_secret")
    real_api = pynetbox.api

    def failing(fail):
        def api(url, token=None, **kw):
            nb = real_api(url, token=token, **kw)
            nb.fail = fail
            return nb
        return api

    monkeypatch.setattr(pynetbox, "api", failing(requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='netbox.invalid', port=443): Max retries exceeded")))
    with pytest.raises(InventoryError) as exc:
        netbox_rows("https://user:pw@netbox.invalid/")
    assert str(exc.value).startswith("https://netbox.invalid/: cannot reach the NetBox server")
    assert "pw" not in str(exc.value) and "nbt_secret" not in str(exc.value)

    class _Resp:
        status_code, reason, url = 403, "Forbidden", "https://netbox.example.com/api/dcim/racks/"
        text, request = '{"detail": "Invalid token"}', type("Req", (), {"body": None})()

        def json(self):
            return {"detail": "Invalid token"}

    monkeypatch.setattr(pynetbox, "api", failing(pynetbox.RequestError(_Resp())))
    with pytest.raises(InventoryError, match=r"refused the request \(HTTP 403\): check the token "
                                             "in NETBOX_TOKEN"):
        netbox_rows("https://netbox.example.com")


def test_live_pull_from_an_unreachable_server(monkeypatch):
    monkeypatch.setenv("NETBOX_TOKEN", "nbt_secret")
    with pytest.raises(InventoryError) as exc:          # nothing listens on port 9 (discard)
        netbox_rows("http://127.0.0.1:9")
    assert str(exc.value).startswith("http://127.0.0.1:9: cannot reach the NetBox server")
    assert "nbt_secret" not in str(exc.value)
