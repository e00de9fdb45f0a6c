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


def test_a_change_from_zero_or_from_nothing_has_no_percent():
    """A (the pod with no workload on any rack) makes no tokens; B (the pod) does. The
    difference is B's figure itself; a per cent of zero is undefined, so None. The cost
    per million tokens exists in B only: neither a difference nor a per cent."""
    lay_b = load_layout(LAYOUTS / "gb200-pod.json")
    lay_a = lay_b.snapshot()
    lay_a.set_rack_values(list(lay_a.racks.ids), "workload", [""] * len(lay_a.racks))
    rb = simulate(lay_b)
    c = compare(lay_a, simulate(lay_a), lay_b, rb)
    row = {n: (a, b, d, p) for n, a, b, d, p in c.rows}
    tokens = float(rb.facility.tokens_per_s)
    assert tokens > 0
    assert row["tokens_per_s"] == (0.0, pytest.approx(tokens), pytest.approx(tokens), None)
    a, b, d, p = row["usd_per_million_tokens"]
    assert a is None and b > 0 and d is None and p is None
