"""Every refusal names its file, its place in it and what is wrong, with the right
severity: the exact problem of each kind of bad input an importer or the saver meets."""

from __future__ import annotations

import json

import pytest

from tests.conftest import LAYOUTS
from twin.io import LayoutError, Problem, load_layout, loads_layout, save_layout
from twin.io.equipment import read_equipment
from twin.io.trace import parse_trace


def _problems(fn) -> tuple[str, list[Problem]]:
    with pytest.raises(LayoutError) as err:
        fn()
    return err.value.file, err.value.problems


def test_equipment_file_refusals_name_the_file(tmp_path):
    bad = tmp_path / "kit.json"
    bad.write_text("{not json")
    file, probs = _problems(lambda: read_equipment(bad))
    assert file == str(bad) and len(probs) == 1
    assert probs[0].path == "" and probs[0].message.startswith("not a JSON file: ")
    bad.write_text("[1, 2]")
    file, probs = _problems(lambda: read_equipment(bad))
    assert file == str(bad)
    assert probs == [Problem("", "found a list of 2, expected equipment models keyed by "
                             "model name")]
    bad.write_text('{"my-rack": {"kind": "rack"}}')
    file, probs = _problems(lambda: read_equipment(bad))
    assert file == str(bad) and probs and all(p.path.startswith("equipment.my-rack")
                                              for p in probs)


def test_invalid_json_names_its_line_and_column():
    file, probs = _problems(lambda: loads_layout(b'{"format": ', "room.json"))
    assert file == "room.json" and len(probs) == 1
    assert probs == [Problem("line 1 column 12", "not valid JSON: Expecting value")]


def test_unsaveable_text_names_the_field_and_leaves_no_file(tmp_path):
    layout = load_layout(LAYOUTS / "small-room.json")
    layout.name = "Hall \udc80"
    out = tmp_path / "out.json"
    file, probs = _problems(lambda: save_layout(layout, out))
    assert file == str(out) and not out.exists()
    assert probs == [Problem("name", "contains a lone surrogate (not Unicode text), cannot "
                             "save it as UTF-8: retype the text")]


def test_trace_refusals_name_their_lines():
    layout = load_layout(LAYOUTS / "gb200-pod.json")
    file, probs = _problems(lambda: parse_trace(b"", "t.csv", layout))
    assert (file, probs) == ("t.csv", [Problem("", "is empty, expected a header row "
                                                "(time,target,utilisation) and rows")])
    with pytest.raises(LayoutError) as err:
        parse_trace(b"time,target,utilisation\n0,llm-train,0.5\n" + b'"unclosed,x,0.5\n'
                    + b"2,llm-train,0.5\n" * 3, "t.csv", layout)
    assert err.value.file == "t.csv"
    assert all(p.path.startswith("line ") for p in err.value.problems)


#: A rack model of one's own under the key of a built-in one ("NVMe storage rack").
OWN_STORAGE_RACK = {"kind": "rack", "name": "Our storage rack", "width_m": 0.6,
                    "depth_m": 1.2, "height_m": 2.0, "nameplate_kw": 12.0}
REPLACES = "replaces the built-in model 'storage-rack' (NVMe storage rack) in this layout"


def test_an_own_model_replacing_a_built_in_one_is_a_warning_in_the_file():
    doc = json.loads((LAYOUTS / "small-room.json").read_text())
    doc["catalogue"] = {"storage-rack": OWN_STORAGE_RACK}
    warnings: list[Problem] = []
    lay = loads_layout(json.dumps(doc), "room.json", warnings=warnings)
    assert lay.catalogue["storage-rack"]["nameplate_kw"] == 12.0
    assert warnings == [Problem("catalogue.storage-rack", REPLACES, "warning")]
    assert warnings[0].format("room.json") == ("room.json: catalogue.storage-rack: "
                                               f"warning: {REPLACES}")


def test_importing_a_model_that_replaces_a_built_in_one_warns(tmp_path):
    from twin.io.equipment import import_equipment
    lay = load_layout(LAYOUTS / "small-room.json")
    kit = tmp_path / "kit.json"
    kit.write_text(json.dumps({"equipment": {"storage-rack": OWN_STORAGE_RACK,
                                             "our-rack": dict(OWN_STORAGE_RACK, name="Ours")}}))
    added, warnings = import_equipment(lay, kit)
    assert added == ["storage-rack", "our-rack"]
    assert warnings == [Problem("equipment.storage-rack", REPLACES, "warning")]
    assert lay.catalogue["storage-rack"]["nameplate_kw"] == 12.0
