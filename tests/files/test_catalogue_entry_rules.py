"""The consistency rules of a catalogue entry (``twin/io/validate.py``
``Checker.equipment``): each rule broken alone gives exactly its (path, message), and
each limit met exactly passes. Expected messages are written out here."""

from __future__ import annotations

import pytest

from twin.io.validate import Checker

RACK = {"kind": "rack", "name": "R", "width_m": 0.6, "depth_m": 1.2, "height_m": 2.0,
        "nameplate_kw": 6.0}


def check(raw):
    chk = Checker()
    out = chk.equipment("catalogue", raw)
    return [(p.path, p.message, p.severity) for p in chk.problems], sorted(out)


def test_nameplate_equal_to_the_full_power_passes_and_just_below_it_fails():
    """4 GPUs x 1,000 W + 2 kW overhead = 6 kW at full power."""
    gpus = {"gpus": 4, "gpu_max_w": 1000, "overhead_kw": 2.0}
    assert check({"r": {**RACK, **gpus}}) == ([], ["r"])
    assert check({"r": {**RACK, **gpus, "nameplate_kw": 5.9}}) == (
        [("catalogue.r.nameplate_kw",
          "found 5.9 kW, below the full power of GPUs and overhead (6 kW)", "error")], [])


def test_idle_power_may_equal_but_not_exceed_the_maximum_even_for_a_one_watt_gpu():
    assert check({"r": {**RACK, "gpu_idle_w": 1, "gpu_max_w": 1}}) == ([], ["r"])
    assert check({"r": {**RACK, "gpu_idle_w": 2, "gpu_max_w": 1}}) == (
        [("catalogue.r.gpu_idle_w", "expected at most gpu_max_w", "error")], [])


def test_unconfirmed_may_list_only_numbers_of_the_entry():
    assert check({"r": {**RACK, "unconfirmed": ["nameplate_kw"]}}) == ([], ["r"])
    assert check({"r": {**RACK, "unconfirmed": ["name", "nameplate_kw"]}}) == (
        [("catalogue.r.unconfirmed", "lists 'name', which is not a number of this entry",
          "error")], [])


def test_malformed_entries_are_named_and_the_good_ones_kept():
    problems, kept = check({"  ": RACK, "x": {"kind": "chiller"}, "y": [1], "ok": RACK})
    assert kept == ["ok"]
    assert [(p, m) for p, m, _s in problems] == [
        ("catalogue.  ", "empty model name"),
        ("catalogue.x.kind", "found 'chiller', expected one of 'rack', 'crah', 'inrow', "
                             "'rdhx', 'cdu', 'tank', 'utility', 'transformer', 'ups', 'pdu', "
                             "'busway', 'switch'"),
        ("catalogue.y", "found a list of 1, expected an object")]


@pytest.mark.parametrize("raw", [[1], "racks"])
def test_a_catalogue_that_is_not_an_object_is_one_error(raw):
    problems, kept = check(raw)
    assert kept == [] and len(problems) == 1
    path, message, severity = problems[0]
    assert (path, severity) == ("catalogue", "error")
    assert message.endswith(", expected an object of equipment models keyed by model name")
