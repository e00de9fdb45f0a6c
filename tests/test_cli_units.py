"""``--units us`` on the text commands: °F, ft, gpm in the text; ``--json`` stays SI."""

import json
import re

import pytest

from tests.conftest import LAYOUTS
from twin.cli import main
from twin.model import units

POD = str(LAYOUTS / "gb200-pod.json")


def _without_timing(doc: dict) -> dict:
    """The document without what differs between two runs in any mode: timings and the
    air balance's round-off residual (~1e-7 %, from a multithreaded solve)."""
    doc.pop("timing_s", None)
    doc["energy"].pop("residual_pct", None)
    return doc


def _same(a, b, path: str = "") -> None:
    """Equal documents, numbers to one unit in their last printed digit (3 decimals): two
    solves differ by ~1e-6 from a multithreaded solve, which can flip a rounding."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for k in a:
            _same(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for k, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{k}]")
    elif isinstance(a, float) and isinstance(b, (int, float)):
        assert abs(a - b) <= 1.01e-3, (path, a, b)
    else:
        assert a == b, (path, a, b)


def _simulate(capsys, *args: str) -> str:
    assert main(["simulate", POD, *args]) == 0
    return capsys.readouterr().out


def test_simulate_text_in_us_units_and_json_identical_in_both(capsys):
    si, us = _simulate(capsys), _simulate(capsys, "--units", "us")
    worst_si = re.search(r"worst inlet\s+(-?[\d.]+) \u00b0C at rack (\S+)", si)
    worst_us = re.search(r"worst inlet\s+(-?[\d.]+) \u00b0F at rack (\S+)", us)
    assert worst_si and worst_us, (si, us)
    assert worst_us.group(2) == worst_si.group(2)
    # the same rack, its inlet converted (to the printed precision)
    assert float(worst_us.group(1)) == pytest.approx(float(worst_si.group(1)) * 1.8 + 32, abs=0.1)
    assert "\u00b0C" not in us and " C " not in us
    assert units.current() is units.SI            # the option does not leak past the command
    a = _without_timing(json.loads(_simulate(capsys, "--json")))
    b = _without_timing(json.loads(_simulate(capsys, "--json", "--units", "us")))
    _same(a, b)
    assert "inlet_max_c" in a["racks"][0]                              # SI names and values


def test_info_prints_feet_and_tons_in_us_units(capsys):
    assert main(["info", str(LAYOUTS / "air-cooled-hall.json"), "--units", "us"]) == 0
    out = capsys.readouterr().out
    hall = re.search(r"hall\s+([\d.]+) x ([\d.]+) ft", out)
    assert hall and float(hall.group(1)) == pytest.approx(19.2 / 0.3048, abs=0.05)
    assert re.search(r"air cooling\s+6 units, 2,400 kW \(682 tons\)", out), out


def test_a_bad_unit_system_is_a_usage_error(capsys):
    assert main(["simulate", POD, "--units", "imperial"]) == 2
    assert "invalid choice: 'imperial'" in capsys.readouterr().err
