"""Named scenarios (the layout's ``scenarios`` block; twin.engine.scenarios): each edit
applied to a snapshot equals the same edit made by hand, the base is the layout itself,
references are checked on load, and twin compare / twin report take scenarios."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from twin.cli import main
from twin.engine.compare import compare
from twin.engine.scenarios import BASE, apply_scenario
from twin.engine.simulate import simulate
from twin.engine.whatif.components import with_failed
from twin.io import LayoutError, load_layout, loads_layout, save_layout

ROOT = Path(__file__).resolve().parents[1]
POD = ROOT / "layouts" / "gb200-pod.json"
SCENARIOS = [
    {"id": "peak", "name": "Peak", "utilisation": {"llm-train": 1.0}, "failed": ["CDU-B/pump"]},
    {"id": "warm", "setpoints_c": {"IRC-A1": 27.0}, "rack_models": {"A01": "gb300-nvl72"}},
]


def _pod_with_scenarios(scenarios=SCENARIOS):
    doc = json.loads(POD.read_text())
    doc["scenarios"] = copy.deepcopy(scenarios)
    return loads_layout(json.dumps(doc), "pod.json"), doc


def test_scenarios_load_save_and_round_trip(tmp_path):
    lay, _doc = _pod_with_scenarios()
    assert list(lay.scenarios) == ["peak", "warm"]
    assert lay.scenarios["peak"].failed == ("CDU-B/pump",)
    out = tmp_path / "s.json"
    save_layout(lay, out)
    again = load_layout(out)
    assert again.scenarios == lay.scenarios
    assert json.loads(out.read_text())["scenarios"][1]["setpoints_c"] == {"IRC-A1": 27.0}


def test_each_edit_equals_the_same_edit_by_hand():
    lay, _doc = _pod_with_scenarios()
    peak = simulate(apply_scenario(lay, "peak"))
    hand = with_failed(lay, ["CDU-B/pump"])
    hand.update_item("workloads", "llm-train", utilisation=1.0)
    ref = simulate(hand)
    assert peak.facility.facility_kw == pytest.approx(ref.facility.facility_kw, rel=1e-12)
    warm = apply_scenario(lay, "warm")
    assert warm.cooling_units["IRC-A1"].supply_setpoint_c == 27.0
    assert warm.racks["model"][warm.racks.index_of("A01")] == "gb300-nvl72"
    # the layout itself is untouched; the base is the layout
    assert lay.racks["model"][lay.racks.index_of("A01")] == "gb200-nvl72"
    assert lay.cooling_units["IRC-A1"].supply_setpoint_c != 27.0
    assert apply_scenario(lay, BASE).equals(lay)
    with pytest.raises(KeyError, match="no scenario 'nope'; scenarios: peak, warm"):
        apply_scenario(lay, "nope")


def test_base_against_itself_is_zero_everywhere():
    lay, _doc = _pod_with_scenarios()
    a = simulate(apply_scenario(lay, BASE))
    c = compare(lay, a, apply_scenario(lay, BASE), simulate(apply_scenario(lay, BASE)))
    assert c.identical and not c.changed
    assert all(d in (0, None) for _n, _a, _b, d, _p in c.rows)
    assert np.nanmax(np.abs(c.air_delta_c)) < 1e-3


@pytest.mark.parametrize("scenario, path, message", [
    ({"id": "x", "utilisation": {"ghost": 0.5}}, "scenarios[0].utilisation.ghost", "no workload 'ghost'"),
    ({"id": "x", "failed": ["CRAH-9"]}, "scenarios[0].failed", "'CRAH-9' is not a cooling unit"),
    ({"id": "x", "setpoints_c": {"IRC-Z": 20}}, "scenarios[0].setpoints_c.IRC-Z", "no cooling unit"),
    ({"id": "x", "rack_models": {"A01": "nvl-9"}}, "scenarios[0].rack_models.A01", "unknown rack model"),
    ({"id": "x", "utilisation": {"llm-train": 1.5}}, "scenarios[0].utilisation",
     "expected an object of numbers between 0 and 1"),
])
def test_a_scenario_naming_what_is_not_there_is_an_error(scenario, path, message):
    with pytest.raises(LayoutError) as exc:
        _pod_with_scenarios([scenario])
    assert any(p.path == path and message in p.message for p in exc.value.problems), \
        exc.value.lines


def test_cli_compares_scenarios_and_reports_them(tmp_path, capsys, qapp):
    lay, _doc = _pod_with_scenarios()
    f = tmp_path / "pod.json"
    save_layout(lay, f)
    assert main(["compare", str(f), "--b-scenario", "peak", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    it = next(m for m in doc["metrics"] if m["name"] == "it_power_kw")
    assert it["delta"] > 0 and doc["b_scenario"] == "peak"
    assert main(["compare", str(f), "--a-scenario", "warm", "--b-scenario", "warm"]) == 0
    assert "identical" in capsys.readouterr().out
    assert main(["compare", str(f), "--b-scenario", "nope"]) == 2
    pdf = tmp_path / "r.pdf"
    assert main(["report", str(f), "--out", str(pdf), "--compare-scenario", "peak"]) == 0
    import shutil
    import subprocess
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "scenario Peak" in text
