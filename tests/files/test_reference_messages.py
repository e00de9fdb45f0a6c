"""Each reference a layout makes is checked with its own path and message
(``twin/io/semantics.py``: scenarios, CDU pump counts; ``twin/io/layout_file.py``: the
file-level errors). Every case breaks one reference in a valid file and expects exactly
that (path, message); the boundary case puts a value exactly on its limit and loads."""

from __future__ import annotations

import copy
import json

import pytest

from tests.conftest import LAYOUTS
from twin.io import LayoutError, loads_layout, save_layout

POD = json.loads((LAYOUTS / "gb200-pod.json").read_text())   # CDU-A/B, IRC-*, A01.., llm-train


def problems(doc):
    """(path, message, severity) of every problem, errors and warnings alike."""
    warnings: list = []
    try:
        loads_layout(json.dumps(doc), "refs.json", warnings=warnings)
    except LayoutError as exc:
        return [(p.path, p.message, p.severity) for p in exc.problems]
    return [(w.path, w.message, w.severity) for w in warnings]


def pod_with(**blocks):
    doc = copy.deepcopy(POD)
    doc.update(copy.deepcopy(blocks))
    return doc


@pytest.mark.parametrize("scenario, path, message", [
    ({"id": "s", "utilisation": {"nope": 0.5}}, "scenarios[1].utilisation.nope",
     "no workload 'nope'"),
    ({"id": "s", "setpoints_c": {"CRAH-9": 20.0}}, "scenarios[1].setpoints_c.CRAH-9",
     "no cooling unit 'CRAH-9'"),
    ({"id": "s", "failed": ["GEN-1"]}, "scenarios[1].failed",
     "'GEN-1' is not a cooling unit, CDU, CDU pump ('ID/pump'), power component, "
     "'plant/chiller' or 'plant'"),
    ({"id": "s", "rack_models": {"Z99": "gb200-nvl72"}}, "scenarios[1].rack_models.Z99",
     "no rack 'Z99'"),
    ({"id": "s", "rack_models": {"A01": "cdu-inrow-1350"}}, "scenarios[1].rack_models.A01",
     "unknown rack model 'cdu-inrow-1350'"),      # in the catalogue, but not a rack
])
def test_a_scenario_naming_what_does_not_exist_is_rejected_where_it_names_it(
        scenario, path, message):
    ok = {"id": "fine", "utilisation": {"llm-train": 1.0}, "failed": ["CDU-B/pump", "IRC-A1"],
          "setpoints_c": {"IRC-A2": 24.0}, "rack_models": {"A02": "gb300-nvl72"}}
    assert problems(pod_with(scenarios=[ok])) == []         # every kind of valid reference
    assert problems(pod_with(scenarios=[ok, scenario])) == [(path, message, "error")]


def test_failed_pumps_up_to_the_installed_count_and_not_one_more():
    """The pod's CDU model has 2 pumps: 2 failed is a loop with no flow (allowed, the
    engine reports it); 3 cannot be."""
    doc = pod_with()
    k = next(i for i, c in enumerate(doc["cdus"]) if c["id"] == "CDU-B")
    doc["cdus"][k]["failed_pumps"] = 2
    assert [p for p in problems(doc) if p[2] == "error"] == []
    doc["cdus"][k]["failed_pumps"] = 3
    assert problems(doc) == [(f"cdus[{k}].failed_pumps",
                              "found 3, expected at most 2: model 'cdu-inrow-1350' has 2 pumps",
                              "error")]


@pytest.mark.parametrize("text, where, message", [
    ("", "", "refs.json: file is empty, expected a JSON layout"),
    ("{\"a\": 1,}", "line 1 column 9", "refs.json: line 1 column 9: not valid JSON"),
])
def test_file_level_errors_name_the_file(text, where, message):
    with pytest.raises(LayoutError) as exc:
        loads_layout(text, "refs.json")
    assert str(exc.value).startswith(message)
    (p,) = exc.value.problems
    assert p.path == where and p.severity == "error"


def test_duplicate_keys_are_reported_at_their_path():
    text = json.dumps(POD)
    text = text.replace('"hall": {', '"hall": {"width_m": 1.0, ', 1)     # width_m twice
    with pytest.raises(LayoutError) as exc:
        loads_layout(text, "refs.json")
    found = [(p.path, p.message) for p in exc.value.problems]
    assert found[0][0] == "hall.width_m" and found[0][1].startswith("duplicate key 'width_m'")


def test_saving_onto_a_folder_is_refused_with_its_reason(tmp_path):
    from twin.io import loads_layout as load
    lay = load(json.dumps(POD), "pod.json")
    with pytest.raises(LayoutError) as exc:
        save_layout(lay, tmp_path)
    assert [(p.path, p.message) for p in exc.value.problems] == [
        ("", "is a directory, cannot save a layout there")]
    assert exc.value.file == str(tmp_path)


# ------------------------------------------------------------- supply grilles (§2.3, §2.4)
MINIMAL = {"format": "ai-factory-twin-layout", "version": 1,
           "hall": {"width_m": 10.0, "length_m": 8.0, "ceiling_height_m": 3.0,
                    "ceiling_return": True}, "racks": []}


def hall_with(*grilles, ceiling_return=True):
    doc = copy.deepcopy(MINIMAL)
    doc["hall"]["ceiling_return"] = ceiling_return
    doc["grilles"] = [dict(g) for g in grilles]
    return doc


def grille(gid, kind="supply", x=5.0, y=4.0, **more):
    return {"id": gid, "kind": kind, "position_m": [x, y], "width_m": 0.6, "length_m": 1.2,
            **more}


def test_a_fixed_supply_grille_with_its_flow_and_a_way_back_loads():
    assert problems(hall_with(grille("S1", supply_c=18.0, flow_m3s=1.0))) == []
    assert problems(hall_with(grille("S1", supply_c=18.0, flow_m3s=1.0),
                              grille("R1", "return", x=2.0), ceiling_return=False)) == []


@pytest.mark.parametrize("grilles, ceiling_return, expected", [
    ([grille("S1", supply_c=18.0)], True,
     ("grilles[0].flow_m3s", "a supply temperature needs the flow it delivers (flow_m3s)")),
    ([grille("S1", supply_c=18.0, flow_m3s=1.0), grille("S2", x=2.0, supply_c=20.0, flow_m3s=1.0)],
     True, ("grilles[1].supply_c", "found 20 C, but grilles[0] supplies at 18 C: the plenum and "
            "supply duct are one mixed volume, expected one supply temperature")),
    ([grille("S1", supply_c=18.0, flow_m3s=1.0)], False,
     ("grilles[0].supply_c", "air supplied at a given temperature needs a way back: set "
      "hall.ceiling_return or add return grilles")),
    ([grille("R1", "return", supply_c=18.0)], True,
     ("grilles[0].supply_c", "only supply grilles have a supply temperature")),
])
def test_supply_grille_rules(grilles, ceiling_return, expected):
    assert problems(hall_with(*grilles, ceiling_return=ceiling_return)) == [(*expected, "error")]


def test_a_grille_leaves_the_hall_by_its_half_extent():
    """A 0.6 x 1.2 m grille reaches 0.3 m either side in x and 0.6 m in y of its centre:
    centred 0.6 m from the south wall it fits exactly, 0.5 m from it does not."""
    assert problems(hall_with(grille("R1", "return", x=0.3, y=0.6))) == []
    leaves = ("grilles[0].position_m", "grille leaves the hall (0..10 x 0..8 m, 3 m high)",
              "error")
    assert problems(hall_with(grille("R1", "return", x=5.0, y=0.5))) == [leaves]
    assert problems(hall_with(grille("R1", "return", x=9.75, y=4.0))) == [leaves]
    assert problems(hall_with(grille("R1", "return", x=5.0, y=7.5))) == [leaves]
