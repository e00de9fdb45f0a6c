"""Comparison of two floors (twin/engine/compare.py): a floor against itself is zero
everywhere; a swap shows the hand-checkable differences."""

import json

import pytest

from tests.conftest import LAYOUTS
from twin.cli import main
from twin.engine.compare import SAME, compare
from twin.engine.simulate import simulate
from twin.engine.swap import swapped
from twin.io import load_layout


def test_a_floor_against_itself_is_zero_everywhere():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    c = compare(lay, simulate(lay), lay, simulate(lay))
    assert c.identical
    assert all(d is None or abs(d) <= SAME for _n, _a, _b, d, _p in c.rows)
    assert not c.changed and not c.only_a and not c.only_b


def test_differences_are_b_minus_a_with_their_percent():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    b, _ids = swapped(lay, "gb300-nvl72", from_model="gb200-nvl72")
    ra, rb = simulate(lay), simulate(b)
    c = compare(lay, ra, b, rb)
    row = {n: (a, bb, d, p) for n, a, bb, d, p in c.rows}
    a_it, b_it, d, p = row["it_power_kw"]
    assert d == pytest.approx(b_it - a_it, abs=1e-6) and p == pytest.approx(100 * d / a_it, rel=1e-4)
    assert d == pytest.approx(rb.facility.it_kw - ra.facility.it_kw, abs=2e-3)
    assert not c.identical


def test_cli_compare_json(tmp_path, capsys):
    pod = str(LAYOUTS / "gb200-pod.json")
    assert main(["compare", pod, pod, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["identical"] is True and doc["a"] == pod
    assert main(["compare", pod, str(tmp_path / "missing.json")]) == 1
