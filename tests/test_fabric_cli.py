"""``twin cabling``: the JSON document and the cable schedule agree with each other and
with the totals; bad fabric input ends in one line naming the file and the place."""

import csv
import json

import pytest

from tests.conftest import LAYOUTS
from twin.cli import main
from twin.engine.fabric_export import SCHEDULE_COLUMNS

POD = LAYOUTS / "gb200-pod.json"


def test_json_lists_every_link_and_its_totals_add_up(capsys):
    assert main(["cabling", str(POD), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    fab, links = doc["fabric"], doc["links"]
    assert len(links) == fab["links"] == fab["gpu_ports"] + 16 * 72 + 16 * 18
    assert sum(fab["cables_by_medium"].values()) == len(links)
    # each link rounded to 1 cm: at most 5 mm off each
    assert sum(r["routed_length_m"] for r in links) == pytest.approx(fab["cable_length_m"],
                                                                   abs=0.005 * len(links) + 0.05)
    assert sum(r["power_w"] for r in links) / 1e3 == pytest.approx(fab["optics_kw"], abs=0.01)
    assert fab["switches"] == {"leaf": 16, "spine": 8, "aggregation": 0, "core": 0}
    # every leaf port is used once: 72 GPU ports down and 72 up on each of 16 leaves
    leaf_ends = [r["to_port"] for r in links if r["tier"] == "gpu-leaf"]
    assert len(set(zip([r["to_rack"] for r in links if r["tier"] == "gpu-leaf"], leaf_ends))) \
        == len(leaf_ends)
    assert {t["id"] for t in doc["trays"]} == {"TRAY-ROW-1", "TRAY-ROW-2", "TRAY-CROSS-1",
                                               "TRAY-CROSS-2"}


def test_csv_schedule_has_a_row_per_cable_with_an_order_length(tmp_path, capsys):
    out = tmp_path / "schedule.csv"
    assert main(["cabling", str(POD), "--csv", str(out)]) == 0
    text = capsys.readouterr().out
    assert "optics power" in text and "kW" in text
    rows = list(csv.DictReader(out.open()))
    assert tuple(rows[0]) == SCHEDULE_COLUMNS and len(rows) == 2592
    for r in rows[:50]:
        routed, ordered = float(r["routed_length_m"]), float(r["order_length_m"])
        assert routed <= ordered < routed + 1.0


@pytest.mark.parametrize("edit, message", [
    ({"switch": "qm9701"}, "fabric.switch: unknown catalogue model 'qm9701'"),
    ({"tiers": 4}, "fabric.tiers: found 4, expected one of 0, 2, 3"),
    ({"port_gbps": 400.0}, "fabric.port_gbps: found 400, but the switch 'q3400' has 800 Gb/s ports"),
    ({"switch": "gb200-nvl72"}, "fabric.switch: found 'gb200-nvl72' (a rack), expected a switch"),
])
def test_bad_fabric_input_is_one_line_naming_file_and_place(tmp_path, capsys, edit, message):
    doc = json.loads(POD.read_text())
    doc["fabric"].update(edit)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    assert main(["cabling", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(str(bad)) and message in err[0]


def test_a_fabric_the_ports_cannot_carry_is_one_line(tmp_path, capsys):
    doc = json.loads((LAYOUTS / "hyperscale-hall.json").read_text())
    doc["fabric"].update(ports_per_gpu=1.0, oversubscription=1.0)
    bad = tmp_path / "hall.json"
    bad.write_text(json.dumps(doc))
    assert main(["cabling", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{bad}: fabric: 100,800 GPU ports need")
    assert "use 3 tiers" in err[0]


def test_a_layout_without_a_fabric_says_so(capsys):
    assert main(["cabling", str(LAYOUTS / "small-room.json")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "has no fabric" in err[0]
