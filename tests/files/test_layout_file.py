"""Layout files: round trips, atomic save, and one clear message for every bad input."""

import json
import os
import stat

import pytest

from tests.conftest import FIXTURES, LAYOUTS, SAMPLES
from twin.io import LayoutError, dumps_layout, load_layout, loads_layout, save_layout
from twin.io import layout_file
from twin.io.layout_file import layout_document


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_load_save_load_is_identical_and_byte_stable(path, tmp_path):
    first = load_layout(path)
    out = tmp_path / "copy.json"
    save_layout(first, out)
    assert out.read_bytes() == path.read_bytes()
    second = load_layout(out)
    assert second.equals(first)
    assert dumps_layout(second) == dumps_layout(first)


def test_v1_fixture_still_loads():
    lay = load_layout(FIXTURES / "layout_v1.json")
    assert len(lay.racks) > 0


def _doc():
    return json.loads((FIXTURES / "layout_v1.json").read_text())


def _error(doc_or_text, name="bad.json") -> str:
    text = doc_or_text if isinstance(doc_or_text, (str, bytes)) else json.dumps(doc_or_text)
    with pytest.raises(LayoutError) as exc:
        loads_layout(text, name)
    return str(exc.value)


def test_not_json():
    msg = _error("{ not json", "x.json")
    assert msg.startswith("x.json: line 1 column 3: not valid JSON")


def test_not_utf8():
    assert "not UTF-8" in _error(b"\xff\xfe{}")


def test_empty_file():
    assert "file is empty" in _error("   \n")


def test_missing_and_directory(tmp_path):
    with pytest.raises(LayoutError, match="no such file"):
        load_layout(tmp_path / "nope.json")
    with pytest.raises(LayoutError, match="is a directory"):
        load_layout(tmp_path)


def test_future_version_names_both():
    doc = _doc()
    doc["version"] = 99
    msg = _error(doc)
    assert "version 99" in msg and "up to 3" in msg


def test_wrong_format_and_top_level():
    assert "expected 'ai-factory-twin-layout'" in _error({"format": "x", "version": 1})
    assert "expected a JSON object" in _error("[1, 2]")


@pytest.mark.parametrize("mutate, where, what", [
    (lambda d: d["racks"][1].update(id=d["racks"][0]["id"]), "racks[1].id", "duplicate id"),
    (lambda d: d["racks"][0].update(position_m=[50.0, 2.0]), "racks[0].position_m",
     "leaves the hall"),
    (lambda d: d["racks"][0].update(position_m=[-3.0, 2.0]), "racks[0].position_m",
     "leaves the hall"),
    (lambda d: d["hall"].update(width_m=-4), "hall.width_m", "found -4, expected a finite"),
    (lambda d: d["hall"].update(width_m="wide"), "hall.width_m", "found 'wide'"),
    (lambda d: d["racks"][2].pop("model"), "racks[2]", "missing required field 'model'"),
    (lambda d: d["racks"][0].update(model="gb200-nvl27"), "racks[0].model",
     "closest: gb200-nvl72"),
    (lambda d: d["racks"][0].update(rotation_deg=45), "racks[0].rotation_deg", "one of 0, 90"),
    (lambda d: d["racks"][0].update(colour="red"), "racks[0].colour", "unknown field"),
    (lambda d: d["racks"][0].update(workload="nope"), "racks[0].workload", "unknown workload"),
    (lambda d: d["racks"][0].update(feed_a="nope"), "racks[0].feed_a", "PDU, busway or UPS"),
    (lambda d: d["tiles"][0].update(open_fraction=1.5), "tiles[0].open_fraction", "<= 1"),
    (lambda d: d["power"][1].update(upstream="ghost"), "power[1].upstream", "unknown power"),
    (lambda d: d["cooling_units"][0].update(model="gb200-nvl72"), "cooling_units[0].model",
     "expected a crah/inrow/rdhx model"),
    (lambda d: d.pop("hall"), "bad.json", "missing required field 'hall'"),
    (lambda d: d.update(racks={}), "racks", "expected a list"),
    (lambda d: d["workloads"][0].update(profile=[1.0] * 5), "workloads[0].profile", "24 hourly"),
])
def test_bad_field_names_path_found_expected(mutate, where, what):
    doc = _doc()
    mutate(doc)
    msg = _error(doc)
    assert where in msg and what in msg, msg
    assert "Traceback" not in msg


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers(token):
    text = json.dumps(_doc()).replace('"ceiling_height_m": 3.6', f'"ceiling_height_m": {token}')
    msg = _error(text)
    assert "hall.ceiling_height_m" in msg and f"found {token}" in msg


def test_overlap_is_a_warning():
    doc = _doc()
    doc["racks"][1]["position_m"] = list(doc["racks"][0]["position_m"])
    warnings = []
    loads_layout(json.dumps(doc), "o.json", warnings=warnings)
    assert any("overlaps" in w.message and w.severity == "warning" for w in warnings)


def test_every_error_listed_once():
    doc = _doc()
    doc["hall"]["width_m"] = -1
    doc["racks"][0]["rotation_deg"] = 7
    with pytest.raises(LayoutError) as exc:
        loads_layout(json.dumps(doc), "b.json")
    assert len(exc.value.lines) == 2


def test_save_is_atomic_on_failure(tmp_path, monkeypatch, pod):
    target = tmp_path / "pod.json"
    save_layout(pod, target)
    before = target.read_bytes()
    pod.name = "changed"

    def boom(*_a):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(layout_file.os, "replace", boom)
    with pytest.raises(LayoutError, match="No space left"):
        save_layout(pod, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["pod.json"]


def test_read_only_target_and_missing_folder(tmp_path, pod):
    target = tmp_path / "ro.json"
    save_layout(pod, target)
    os.chmod(target, stat.S_IRUSR)
    with pytest.raises(LayoutError, match="read-only"):
        save_layout(pod, target)
    with pytest.raises(LayoutError, match="cannot save"):
        save_layout(pod, tmp_path / "no" / "such" / "dir.json")


def test_document_has_format_and_version_first(pod):
    keys = list(layout_document(pod))
    assert keys[:2] == ["format", "version"]
    assert keys[2:] == sorted(keys[2:])


def test_migration_hook_runs(monkeypatch):
    doc = _doc()
    doc["version"] = 0
    doc["racks"][0]["model_key"] = doc["racks"][0].pop("model")

    def v0_to_v1(d):
        d["racks"] = [dict(r, model=r.pop("model_key")) if "model_key" in r else r
                      for r in d["racks"]]
        d["version"] = 1
        return d
    monkeypatch.setitem(layout_file.MIGRATIONS, 0, v0_to_v1)
    monkeypatch.setattr(layout_file, "MIN_VERSION", 0)
    lay = layout_file.layout_from_document(doc, "old.json")
    assert lay.racks["model"][0] == _doc()["racks"][0]["model"]


def test_save_keeps_the_permissions_of_the_file_it_replaces(tmp_path, pod):
    """Saves used to write mode 0600 even over a 0644 file (issue 14, C7)."""
    target = tmp_path / "shared.json"
    save_layout(pod, target)
    os.chmod(target, 0o644)
    save_layout(pod, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    os.chmod(target, 0o664)
    save_layout(pod, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


def test_a_new_file_gets_the_umask_default(tmp_path, pod):
    old = os.umask(0o022)
    try:
        save_layout(pod, tmp_path / "new.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["new.json"]   # no temp file left


def test_a_read_only_file_is_not_replaced(tmp_path, pod):
    target = tmp_path / "ro.json"
    target.write_text("old")
    os.chmod(target, 0o444)
    with pytest.raises(LayoutError, match="read-only"):
        save_layout(pod, target)
    assert target.read_text() == "old"


def test_a_layout_loads_against_the_catalogue_it_is_given(tmp_path):
    """``catalogue=`` replaces the bundled catalogue: the layout keeps the one passed, and
    a model the passed catalogue lacks is an error although the bundled one has it."""
    import json

    from tests.conftest import LAYOUTS
    from twin.io import LayoutError, loads_layout
    from twin.model.catalogue import Catalogue, load_catalogue

    text = (LAYOUTS / "small-room.json").read_text("utf-8")
    full = load_catalogue()
    mine = Catalogue({e.key: e for e in full})
    assert loads_layout(text, "small.json", catalogue=mine).catalogue is mine
    assert loads_layout(text, "small.json").catalogue is full
    model = json.loads(text)["racks"][0]["model"]
    fewer = Catalogue({e.key: e for e in full if e.key != model})
    with pytest.raises(LayoutError, match=model):
        loads_layout(text, "small.json", catalogue=fewer)


def test_load_layout_hands_its_warnings_to_the_caller(tmp_path):
    """``load_layout(path, warnings=...)`` gets the same warnings as ``loads_layout``."""
    doc = json.loads((LAYOUTS / "small-room.json").read_text())
    doc["racks"][1]["position_m"] = [4.49, 3.6]           # 1 cm into A01
    path = tmp_path / "o.json"
    path.write_text(json.dumps(doc))
    warnings = []
    load_layout(path, warnings=warnings)
    assert [(w.path, w.message, w.severity) for w in warnings] == [
        ("racks[1].position_m", "rack 'A02' overlaps rack 'A01'", "warning")]


def test_a_document_without_a_file_name_is_called_layout_in_messages():
    """Like ``loads_layout``, ``layout_from_document`` names a nameless document
    ``<layout>``."""
    with pytest.raises(LayoutError) as exc:
        layout_file.layout_from_document({"format": "nope"})
    assert exc.value.file == "<layout>"
    assert exc.value.lines == ["<layout>: format: found 'nope', expected "
                               "'ai-factory-twin-layout'"]


@pytest.mark.parametrize("error", [OverflowError("number too large"),
                                   ValueError("number too large")])
def test_any_other_failure_of_the_json_parser_is_a_layout_error(monkeypatch, error):
    """Loading raises nothing but ``LayoutError``: a parser failure that is not a syntax
    error (a number the parser cannot hold) is one problem for the whole file."""
    def refuse(*_args, **_kwargs):
        raise error
    monkeypatch.setattr(layout_file, "json", type("json", (), {
        "loads": staticmethod(refuse), "JSONDecodeError": json.JSONDecodeError}))
    with pytest.raises(LayoutError) as exc:
        loads_layout('{"format": 1e999999999}', "big.json")
    assert exc.value.file == "big.json"
    assert [(p.path, p.message) for p in exc.value.problems] == [
        ("", "not valid JSON: number too large")]
    assert exc.value.lines == ["big.json: not valid JSON: number too large"]
