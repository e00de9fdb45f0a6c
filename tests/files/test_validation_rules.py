"""Every rule of the layout validator, one by one (``twin/io/validate.py``,
``twin/io/semantics.py``, the header checks of ``twin/io/layout_file.py``).

Each case starts from a valid file, breaks exactly one rule and expects exactly one
error (its JSON path and full message); the boundary cases put a value exactly ON a limit
and expect the file to load with that value. The messages are written out here, not read
back from the code, so a changed limit, a flipped comparison or a dropped rule fails a
test.
"""

from __future__ import annotations

import copy
import json
import math

import pytest

from tests.conftest import LAYOUTS
from twin.io import LayoutError, loads_layout, spec
from twin.io.layout_file import MIN_VERSION, VERSION

SMALL = json.loads((LAYOUTS / "small-room.json").read_text())   # tiles, CRAHs, PDUs
POD = json.loads((LAYOUTS / "gb200-pod.json").read_text())      # CDUs, busways, containment
TANK = {"id": "TANK-1", "model": "immersion-tank-100", "position_m": [12.5, 1.5],
        "rotation_deg": 0, "workload": "llm-train", "feed_a": "BUSWAY-A1.1",
        "feed_b": "BUSWAY-B1.1"}
MINIMAL = {"format": "ai-factory-twin-layout", "version": 1,
           "hall": {"width_m": 10.0, "length_m": 8.0, "ceiling_height_m": 3.0}, "racks": []}


def small():
    return copy.deepcopy(SMALL)


def pod(tank: bool = False):
    doc = copy.deepcopy(POD)
    if tank:
        doc["immersion_tanks"] = [dict(TANK)]
    return doc


def minimal():
    return copy.deepcopy(MINIMAL)


def outcome(doc, name="rules.json"):
    """(errors, warnings) as (path, message) pairs; errors empty when the file loads."""
    warnings = []
    try:
        lay = loads_layout(json.dumps(doc), name, warnings=warnings)
    except LayoutError as exc:
        assert all(p.severity == "error" for p in exc.problems)
        return [(p.path, p.message) for p in exc.problems], None
    return [], ([(w.path, w.message) for w in warnings], lay)


def errors(doc):
    return outcome(doc)[0]


def loads(doc):
    errs, rest = outcome(doc)
    assert errs == [], errs
    return rest[1]


def test_the_base_files_are_valid_and_quiet():
    for doc in (small(), pod(), pod(tank=True), minimal()):
        errs, (warns, _lay) = outcome(doc)
        assert errs == [] and warns == []


# ----- header -------------------------------------------------------------------------------
def test_header_rules():
    assert errors([]) == [("", "found a list of 0 at the top level, expected a JSON object")]
    d = small()
    d["format"] = "ai-factory-twin-catalogue"
    assert errors(d) == [("format", "found 'ai-factory-twin-catalogue', "
                                    "expected 'ai-factory-twin-layout'")]
    d = small()
    del d["format"]
    assert errors(d) == [("format", "found null, expected 'ai-factory-twin-layout'")]
    for bad, shown in (("1", "'1'"), (1.0, "1.0"), (True, "true"), (None, "null")):
        d = small()
        d["version"] = bad
        assert errors(d) == [("version", f"found {shown}, expected an integer format "
                                         "version")], bad
    d = small()
    d["version"] = VERSION + 1
    assert errors(d) == [("version", f"file is format version {VERSION + 1}, this program "
                                     f"reads versions up to {VERSION}: update the program")]
    d = small()
    d["version"] = MIN_VERSION - 1
    assert errors(d) == [("version", f"found version {MIN_VERSION - 1}, expected "
                                     f"{MIN_VERSION}..{VERSION}")]


def test_versions_on_both_ends_of_the_range_load():
    for version in (MIN_VERSION, VERSION):
        d = small()
        d["version"] = version
        assert len(loads(d).racks) == 14


def test_top_level_rules():
    d = small()
    d["colour"] = "red"
    assert errors(d) == [("colour", "unknown top-level field, expected one of name, "
                          "description, hall, site, plant, underlay, trace, fabric, air_calibration, "
                          "workloads, racks, "
                          "tiles, containment, cooling_units, cdus, immersion_tanks, power, "
                          "grilles, scenarios, cable_trays, catalogue")]
    for key in ("hall", "racks"):
        d = small()
        del d[key]
        errs = errors(d)
        assert ("", f"missing required field '{key}'") in errs
        if key == "hall":
            assert errs == [("", "missing required field 'hall'")]
    for key in ("name", "description"):
        d = small()
        d[key] = 7
        assert errors(d) == [(key, "found 7, expected a string")]
    d = small()
    d["tiles"] = {"id": "T"}
    assert errors(d) == [("tiles", "found an object, expected a list")]
    d = small()
    d["racks"][3] = ["A04"]
    errs = errors(d)
    assert errs == [("racks[3]", "found a list of 1, expected an object")]


def test_optional_blocks_may_be_left_out():
    lay = loads(minimal())
    assert len(lay.racks) == 0 and lay.hall.width_m == 10.0 and lay.site.dry_bulb_c == 30.0


# ----- objects: unknown and missing fields -------------------------------------------------
def test_unknown_field_in_an_item_and_in_a_block():
    d = small()
    d["tiles"][2]["colour"] = "red"
    assert errors(d) == [("tiles[2].colour", "unknown field, expected one of flow_m3s, id, "
                                             "open_fraction, position_m, supply_c")]
    d = small()
    d["site"]["humidity"] = 0.5
    assert errors(d) == [("site.humidity", "unknown field, expected one of building_usd_per_mw, "
                                           "daily_dry_bulb_c, dry_bulb_c, "
                                           "electricity_usd_per_kwh, facility_battery_kw, "
                                           "facility_battery_kwh, facility_life_years, "
                                           "gpu_power_floor, grid_max_ramp_mw_per_s, "
                                           "grid_max_swing_mw, it_life_years, "
                                           "operating_hours_per_year, power_architecture, "
                                           "rack_energy_storage, wet_bulb_c")]


@pytest.mark.parametrize("block, index, key, expected", [
    ("racks", 4, "id", "a string"),
    ("racks", 4, "model", "a string"),
    ("racks", 4, "position_m", "[x, y] in metres (two finite numbers)"),
    ("workloads", 1, "kind", "one of 'training', 'inference', 'idle'"),
    ("containment", 0, "rect_m", "[x0, y0, x1, y1] in metres (four finite numbers)"),
    ("power", 3, "kind", "one of 'utility', 'transformer', 'ups', 'pdu', 'busway'"),
    ("hall", None, "ceiling_height_m", "a finite number >= 2 and <= 20"),
    ("site", None, "wet_bulb_c", "a finite number >= -50 and <= 45"),
])
def test_missing_required_field(block, index, key, expected):
    d = pod()
    node = d[block] if index is None else d[block][index]
    del node[key]
    where = block if index is None else f"{block}[{index}]"
    assert errors(d) == [(where, f"missing required field '{key}' ({expected})")]


# ----- scalar kinds ------------------------------------------------------------------------
@pytest.mark.parametrize("block, index, key, value, message", [
    # numbers: type, finiteness; booleans are not numbers
    ("hall", None, "width_m", "wide", "found 'wide', expected a finite number > 0 and <= 400"),
    ("hall", None, "width_m", True, "found true, expected a finite number > 0 and <= 400"),
    ("hall", None, "width_m", None, "found null, expected a finite number > 0 and <= 400"),
    ("hall", None, "width_m", [12.0], "found a list of 1, expected a finite number > 0 and "
                                      "<= 400"),
    # integers: a fraction is not one; an enumerated integer (rotation) takes only its values
    ("cdus", 0, "failed_pumps", 1.5, "found 1.5, expected an integer >= 0 and <= 10"),
    ("cdus", 0, "failed_pumps", False, "found false, expected an integer >= 0 and <= 10"),
    ("racks", 0, "rotation_deg", 45, "found 45, expected one of 0, 90, 180, 270"),
    ("racks", 0, "rotation_deg", 360, "found 360, expected one of 0, 90, 180, 270"),
    ("racks", 0, "rotation_deg", -90, "found -90, expected one of 0, 90, 180, 270"),
    # strings, ids and references
    ("racks", 0, "name", 5, "found 5, expected a string"),
    ("racks", 0, "id", "", "found '', expected a string"),
    ("racks", 0, "id", "   ", "found '   ', expected a string"),
    ("racks", 0, "id", 17, "found 17, expected a string"),
    ("racks", 0, "workload", None, "found null, expected an id (string)"),
    ("racks", 0, "cdu", 3, "found 3, expected an id (string)"),
    # booleans
    ("cooling_units", 0, "enabled", 1, "found 1, expected true or false"),
    ("hall", None, "raised_floor", "yes", "found 'yes', expected true or false"),
    # enumerations are case-sensitive
    ("hall", None, "ashrae_class", "a1", "found 'a1', expected one of 'A1', 'A2', 'A3', 'A4'"),
    ("cdus", 1, "coolant", "glycol", "found 'glycol', expected one of 'PG25', 'water'"),
    ("power", 2, "side", "C", "found 'C', expected one of 'A', 'B', ''"),
    ("power", 2, "redundancy", "2N+1", "found '2N+1', expected one of 'N', 'N+1', '2N'"),
    ("containment", 0, "kind", "aisle", "found 'aisle', expected one of 'hot_aisle', "
                                        "'cold_aisle'"),
    # non-nullable number given null; nullable ones accept it (below)
    ("cdus", 0, "facility_supply_c", None, "found null, expected a finite number >= 2 and "
                                           "<= 60"),
])
def test_a_wrong_value_is_rejected_with_path_found_and_expected(block, index, key, value,
                                                                message):
    d = pod()
    (d[block] if index is None else d[block][index])[key] = value
    where = block if index is None else f"{block}[{index}]"
    assert errors(d) == [(f"{where}.{key}", message)]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_anywhere(value):
    text = json.dumps(pod()).replace('"supply_setpoint_c": 22.0', f'"supply_setpoint_c": {value}',
                                     1)
    with pytest.raises(LayoutError) as exc:
        loads_layout(text, "nan.json")
    assert [(p.path, p.message) for p in exc.value.problems] == [
        ("cooling_units[0].supply_setpoint_c",
         f"found {value}, expected a finite number >= 5 and <= 40")]


@pytest.mark.parametrize("block, index, key", [
    ("cooling_units", 0, "supply_setpoint_c"), ("cooling_units", 0, "airflow_m3s"),
    ("cooling_units", 0, "capacity_kw"), ("cdus", 0, "capacity_kw"), ("cdus", 0, "ua_kw_per_k"),
    ("power", 1, "rating_kw"), ("tiles", 0, "flow_m3s"),
    ("workloads", 0, "tokens_per_s_per_gpu"),
])
def test_nullable_numbers_accept_null(block, index, key):
    d = small() if block == "tiles" else pod()
    d[block][index][key] = None
    lay = loads(d)
    coll = {"cooling_units": "cooling_units", "cdus": "cdus", "power": "power",
            "tiles": "tiles", "workloads": "workloads"}[block]
    assert getattr(list(lay.items[coll].values())[index], key) is None


@pytest.mark.parametrize("key, value, message", [
    ("position_m", [1.0], "found a list of 1, expected [x, y] in metres (two finite numbers)"),
    ("position_m", [1.0, 2.0, 3.0], "found a list of 3, expected [x, y] in metres "
                                    "(two finite numbers)"),
    ("position_m", [1.0, "2"], "found a list of 2, expected [x, y] in metres "
                               "(two finite numbers)"),
    ("position_m", [1.0, True], "found a list of 2, expected [x, y] in metres "
                                "(two finite numbers)"),
    ("position_m", "3.9, 3.6", "found '3.9, 3.6', expected [x, y] in metres "
                               "(two finite numbers)"),
])
def test_positions(key, value, message):
    d = small()
    d["racks"][6][key] = value
    assert errors(d) == [(f"racks[6].{key}", message)]


def test_rectangles():
    d = pod()
    d["containment"][0]["rect_m"] = [2.4, 4.2, 9.6]
    assert errors(d) == [("containment[0].rect_m", "found a list of 3, expected [x0, y0, x1, "
                                                   "y1] in metres (four finite numbers)")]


# ----- numeric limits: every limit in the spec, on it and just past it ---------------------
def _numeric_limits():
    """(block, field name, Field) of every number with a limit in the format."""
    blocks = {**{k: v[0] for k, v in spec.OBJECT_BLOCKS.items()},
              **{k: v[0] for k, v in spec.LIST_BLOCKS.items()}}
    for block, fields in blocks.items():
        for key, f in fields.items():
            if f.kind in ("number", "integer") and not f.choices and (
                    f.minimum is not None or f.maximum is not None):
                yield block, key, f


LIMITS = list(_numeric_limits())


def test_the_limits_cover_every_block_with_numbers():
    assert {b for b, _k, _f in LIMITS} == {"hall", "site", "plant", "workloads", "tiles",
                                           "containment", "cooling_units", "cdus",
                                           "immersion_tanks", "power", "racks", "grilles",
                                           "underlay", "fabric", "cable_trays",
                                           "air_calibration"}
    assert len(LIMITS) == 93     # hall 8, site 12, plant 8, workload 8, tile 3, containment 1,
    #                               cooling unit 3, CDU 7, tank 4, power 1, rack 7, grille 6,
    #                               underlay 4, fabric 12, cable tray 3, air calibration 6


def _doc_with(block, key, value):
    """A valid file (hall, site and plant: the minimal one, so that no rack leaves a tiny
    hall) with ``value`` in ``block``'s first item. Returns the document and JSON path."""
    if block in ("hall", "site", "plant", "underlay", "fabric", "air_calibration"):
        d = minimal()
        d.setdefault(block, dict(SMALL.get(block, {})) if block != "hall" else d["hall"])
        d[block][key] = value
        return d, f"{block}.{key}"
    d = small() if block == "tiles" else pod(tank=block == "immersion_tanks")
    if block == "grilles":      # a ceiling return grille over the pod, under a high ceiling
        d["grilles"] = [{"id": "RG-1", "kind": "return", "position_m": [3.0, 3.0]}]
        d["hall"]["ceiling_height_m"] = spec.HALL["ceiling_height_m"].maximum
        d["hall"]["width_m"] = d["hall"]["length_m"] = 50.0
        d["grilles"][0]["position_m"] = [25.0, 25.0]
    if block == "cable_trays":
        d["cable_trays"] = [{"id": "TRAY-1", "segment_m": [1.0, 1.0, 3.0, 1.0]}]
    if key == "supply_c":       # a supply temperature comes with the flow it delivers
        d[block][0]["flow_m3s"] = 0.5
        if block == "grilles":
            d[block][0]["kind"] = "supply"
            d["hall"]["ceiling_return"] = True
    d[block][0][key] = value
    return d, f"{block}[0].{key}"


def _loaded_value(lay, block, key):
    if block == "air_calibration":
        return lay.air_calibration.fields()[key]
    if block in ("hall", "site", "plant", "underlay", "fabric"):
        return getattr(getattr(lay, block), key)
    if block == "racks":
        return lay.racks.record(0)[key]
    coll = {"immersion_tanks": "tanks"}.get(block, block)
    return getattr(next(iter(lay.items[coll].values())), key)


def _number_text(v):
    return repr(int(v)) if isinstance(v, int) else repr(v)


@pytest.mark.parametrize("block, key, f", LIMITS, ids=[f"{b}.{k}" for b, k, _ in LIMITS])
def test_a_value_on_a_limit_loads_and_one_just_past_it_is_rejected(block, key, f):
    integer = f.kind == "integer"
    step = (lambda v, d: v + d) if integer else (lambda v, d: math.nextafter(v, v + d))
    # failed pumps above the model's pump count are refused by a cross-check (semantics)
    if f.maximum is not None and (block, key) != ("cdus", "failed_pumps"):
        at = int(f.maximum) if integer else float(f.maximum)
        d, path = _doc_with(block, key, at)
        assert _loaded_value(loads(d), block, key) == at
        past = step(at, 1)
        d, path = _doc_with(block, key, past)
        assert errors(d) == [(path, f"found {_number_text(past)}, expected {f.expected()}")]
    if f.minimum is not None:
        lo = int(f.minimum) if integer else float(f.minimum)
        inside = step(lo, 1) if f.exclusive_minimum else lo
        d, path = _doc_with(block, key, inside)
        assert _loaded_value(loads(d), block, key) == inside
        past = lo if f.exclusive_minimum else step(lo, -1)
        d, path = _doc_with(block, key, past)
        assert errors(d) == [(path, f"found {_number_text(past)}, expected {f.expected()}")]


@pytest.mark.parametrize("block, key, text", [
    ("hall", "width_m", "a finite number > 0 and <= 400"),
    ("hall", "ceiling_height_m", "a finite number >= 2 and <= 20"),
    ("hall", "tile_pitch_m", "a finite number >= 0.3 and <= 1.2"),
    ("site", "wet_bulb_c", "a finite number >= -50 and <= 45"),
    ("plant", "chiller_cop_rated", "a finite number >= 1 and <= 15"),
    ("workloads", "utilisation", "a finite number >= 0 and <= 1"),
    ("tiles", "open_fraction", "a finite number >= 0 and <= 1"),
    ("cooling_units", "supply_setpoint_c", "a finite number >= 5 and <= 40"),
    ("cdus", "failed_pumps", "an integer >= 0 and <= 10"),
    ("cdus", "facility_flow_lpm", "a finite number >= 1 and <= 1e+06"),
    ("immersion_tanks", "gpus", "an integer >= 0 and <= 10000"),
    ("power", "rating_kw", "a finite number >= 1 and <= 1e+06"),
])
def test_limits_are_the_documented_ones(block, key, text):
    """The limits themselves, written out (the loop above takes them from the spec)."""
    fields = {**{k: v[0] for k, v in spec.OBJECT_BLOCKS.items()},
              **{k: v[0] for k, v in spec.LIST_BLOCKS.items()}}[block]
    assert fields[key].expected() == text


def test_hall_width_just_above_zero_passes_the_field_rule():
    """The exclusive minimum: 0 is rejected, anything above it is a hall width."""
    d = minimal()
    d["hall"]["width_m"] = 0
    assert errors(d) == [("hall.width_m", "found 0, expected a finite number > 0 and <= 400")]
    d["hall"]["width_m"] = 5e-324
    assert loads(d).hall.width_m == 5e-324


# ----- 24-hour profiles --------------------------------------------------------------------
@pytest.mark.parametrize("block, key, lo, hi", [
    ("workloads", "profile", 0.0, 1.5),
    ("site", "daily_dry_bulb_c", -50.0, 60.0),
])
def test_profiles_take_24_values_between_their_limits(block, key, lo, hi):
    def doc(values):
        d = small()
        (d[block][0] if block == "workloads" else d[block])[key] = values
        return d
    path = f"{block}[0].{key}" if block == "workloads" else f"{block}.{key}"
    expected = "a list of 24 hourly factors between 0 and 1.5"
    on_limits = [lo, hi] * 12
    lay = loads(doc(on_limits))
    got = lay.workloads["train-h100"].profile if block == "workloads" else \
        lay.site.daily_dry_bulb_c
    assert got == tuple(on_limits)
    for bad in ([lo] * 23, [lo] * 25, [lo] * 23 + [math.nextafter(hi, math.inf)],
                [math.nextafter(lo, -math.inf)] + [hi] * 23, [lo] * 23 + [True],
                [lo] * 23 + ["1"]):
        assert errors(doc(bad)) == [(path, f"found a list of {len(bad)}, expected {expected}")]
    assert errors(doc(0.5)) == [(path, f"found 0.5, expected {expected}")]


def test_an_empty_profile_means_none():
    d = small()
    d["workloads"][0]["profile"] = []
    errs = errors(d)
    assert errs == [("workloads[0].profile", "found a list of 0, expected a list of 24 "
                                             "hourly factors between 0 and 1.5")]


# ----- ids and references ------------------------------------------------------------------
def test_duplicate_ids_within_and_across_blocks():
    d = small()
    d["racks"][5]["id"] = "A02"
    assert errors(d) == [("racks[5].id", "duplicate id 'A02', already used at racks[1]")]
    d = small()
    d["tiles"][3]["id"] = "train-h100"                  # a workload's id
    assert errors(d) == [("tiles[3].id", "duplicate id 'train-h100', already used at "
                                         "workloads[0]")]
    d = small()
    d["power"][8]["id"] = "CRAH-4"                      # blocks are read in file-format order
    assert errors(d) == [("power[8].id", "duplicate id 'CRAH-4', already used at "
                                         "cooling_units[3]")]
    d = small()
    d["racks"][13]["id"] = "a01"                         # ids are case-sensitive
    assert loads(d).racks.ids[13] == "a01"


@pytest.mark.parametrize("field, ref, message", [
    ("workload", "train-b200", "unknown workload 'train-b200'"),
    ("workload", "A02", "unknown workload 'A02'"),                 # a rack, not a workload
    ("cdu", "CDU-9", "unknown CDU 'CDU-9'"),
    ("cdu", "IRC-A1", "unknown CDU 'IRC-A1'"),                     # a cooling unit
    ("feed_a", "BUSWAY-A9", "found 'BUSWAY-A9', expected the id of a PDU, busway or UPS in "
                            "'power'"),
    ("feed_b", "TX-B1", "found 'TX-B1', expected the id of a PDU, busway or UPS in 'power'"),
    ("feed_a", "UTIL", "found 'UTIL', expected the id of a PDU, busway or UPS in 'power'"),
    ("feed_b", "CDU-A", "found 'CDU-A', expected the id of a PDU, busway or UPS in 'power'"),
])
def test_a_dangling_rack_reference_is_rejected(field, ref, message):
    d = pod()
    d["racks"][7][field] = ref
    assert errors(d) == [(f"racks[7].{field}", message)]


@pytest.mark.parametrize("field, ref", [("feed_a", "UPS-A1"), ("feed_b", "UPS-B2"),
                                        ("feed_a", ""), ("cdu", "CDU-B"), ("workload", "")])
def test_rack_references_that_are_allowed(field, ref):
    """A UPS may feed a rack directly (the last of the feed kinds), a rack may have no
    feed or workload, and either CDU will do."""
    d = pod()
    d["racks"][7][field] = ref
    lay = loads(d)
    assert lay.racks[field][7] == ref


def test_a_liquid_cooled_rack_without_a_cdu_is_a_warning_only():
    d = pod()
    d["racks"][2]["cdu"] = ""
    errs, (warns, lay) = outcome(d)
    assert errs == [] and warns == [("racks[2].cdu", "liquid-cooled model 'gb200-nvl72' "
                                                     "needs a CDU ('cdu' is empty)")]
    d = small()                                  # air-cooled racks need none
    assert outcome(d)[1][0] == []


def test_tank_references():
    for field, ref, message in (
            ("workload", "nope", "unknown workload 'nope'"),
            ("feed_a", "TX-A1", "found 'TX-A1', expected the id of a PDU, busway or UPS in "
                                "'power'"),
            ("feed_b", "ghost", "found 'ghost', expected the id of a PDU, busway or UPS in "
                                "'power'")):
        d = pod(tank=True)
        d["immersion_tanks"][0][field] = ref
        assert errors(d) == [(f"immersion_tanks[0].{field}", message)], field
    d = pod(tank=True)
    d["immersion_tanks"][0].update(workload="", feed_a="UPS-A1", feed_b="")
    tank = loads(d).tanks["TANK-1"]
    assert (tank.workload, tank.feed_a, tank.feed_b) == ("", "UPS-A1", "")


def test_rear_door_names_its_rack_and_nothing_else_does():
    d = pod()
    d["cooling_units"].append({"id": "RDHX-1", "model": "rdhx-55", "position_m": [3.0, 2.85],
                               "rack": "A01"})
    lay = loads(d)
    assert lay.cooling_units["RDHX-1"].rack == "A01"
    d["cooling_units"][-1]["rack"] = "A99"
    assert errors(d) == [("cooling_units[8].rack", "rear-door heat exchanger needs the id of "
                                                   "its rack, found 'A99'")]
    d["cooling_units"][-1]["rack"] = ""
    assert errors(d) == [("cooling_units[8].rack", "rear-door heat exchanger needs the id of "
                                                   "its rack, found ''")]
    d = pod()
    d["cooling_units"][2]["rack"] = "A01"
    assert errors(d) == [("cooling_units[2].rack", "only rear-door heat exchangers name a "
                                                   "rack")]


# ----- catalogue models of the right kind --------------------------------------------------
@pytest.mark.parametrize("block, index, model, message", [
    ("racks", 0, "crah-150", "found 'crah-150' (a crah), expected a rack model such as "
                             "gb200-nvl72, gb300-nvl72, vera-rubin-nvl144, rubin-ultra-nvl576"),
    ("cooling_units", 1, "cdu-inrow-1350", "found 'cdu-inrow-1350' (a cdu), expected a "
                                           "crah/inrow/rdhx model such as crah-150, inrow-70, "
                                           "rdhx-55, fanwall-400"),
    ("cdus", 1, "inrow-70", "found 'inrow-70' (a inrow), expected a cdu model such as "
                            "cdu-inrack-250, cdu-inrow-1350, cdu-facility-2500"),
    ("power", 2, "pdu-300", "found 'pdu-300' (a pdu), expected a ups model such as ups-1500, "
                            "ups-3000"),
    ("power", 1, "transformer-9000", "unknown catalogue model 'transformer-9000'; closest: "
                                     "transformer-5000, transformer-3000"),
])
def test_a_model_of_the_wrong_kind_or_unknown(block, index, model, message):
    d = pod()
    d[block][index]["model"] = model
    assert errors(d) == [(f"{block}[{index}].model", message)]


def test_a_tank_model_must_be_a_tank():
    d = pod(tank=True)
    d["immersion_tanks"][0]["model"] = "gb200-nvl72"
    errs = errors(d)
    assert errs == [("immersion_tanks[0].model", "found 'gb200-nvl72' (a rack), expected a "
                                                 "tank model such as immersion-tank-100")]


# ----- the power chain ---------------------------------------------------------------------
def test_a_power_chain_that_loops_back_on_itself_is_rejected():
    d = small()
    d["power"][1]["upstream"] = "PDU-A1.1"       # TX-A1 <- UPS-A1 <- PDU-A1.1 <- TX-A1 ...
    assert sorted(errors(d)) == [
        ("power[1].upstream", "power chain loops back to 'TX-A1'"),
        ("power[2].upstream", "power chain loops back to 'UPS-A1'"),
        ("power[3].upstream", "power chain loops back to 'PDU-A1.1'"),
        ("power[4].upstream", "power chain loops back to 'UPS-A1'"),   # feeds off the loop
    ]


def test_a_component_upstream_of_itself_is_a_loop():
    d = small()
    d["power"][8]["upstream"] = "PDU-B1.2"
    assert errors(d) == [("power[8].upstream", "power chain loops back to 'PDU-B1.2'")]


def test_a_two_component_loop_apart_from_the_utility():
    d = small()
    d["power"][5]["upstream"] = "UPS-B1"          # TX-B1 <-> UPS-B1
    assert sorted(errors(d)) == [
        ("power[5].upstream", "power chain loops back to 'TX-B1'"),
        ("power[6].upstream", "power chain loops back to 'UPS-B1'"),
        ("power[7].upstream", "power chain loops back to 'UPS-B1'"),
        ("power[8].upstream", "power chain loops back to 'UPS-B1'"),
    ]


def test_a_long_chain_without_a_loop_loads():
    """Five levels (utility, transformer, UPS, busway, PDU) in file order reversed:
    order in the file is not a loop."""
    d = small()
    d["power"].append({"id": "BW-A", "kind": "busway", "model": "busway-800",
                       "upstream": "UPS-A1", "side": "A"})
    d["power"][3]["upstream"] = "BW-A"
    d["power"].reverse()
    lay = loads(d)
    assert lay.power["PDU-A1.1"].upstream == "BW-A" and len(lay.power) == 10


def test_power_upstream_rules():
    d = small()
    d["power"][2]["upstream"] = "TX-A9"
    assert errors(d) == [("power[2].upstream", "unknown power component 'TX-A9'")]
    d = small()
    d["power"][2]["upstream"] = "A01"             # a rack id
    assert errors(d) == [("power[2].upstream", "unknown power component 'A01'")]
    d = small()
    d["power"][2]["upstream"] = ""
    assert errors(d) == [("power[2].upstream", "a ups needs an upstream component")]
    d = small()
    del d["power"][1]["upstream"]
    assert errors(d) == [("power[1].upstream", "a transformer needs an upstream component")]
    d = small()                                    # the utility is the root: none needed
    assert loads(d).power["UTIL"].upstream == ""


# ----- geometry ----------------------------------------------------------------------------
def test_a_rack_touching_the_walls_is_inside_and_one_past_them_is_not():
    d = small()           # storage rack 0.6 x 1.2 m, front north (180): x +-0.3, y +-0.6
    d["racks"][0]["position_m"] = [0.3, 0.6]
    d["racks"][1]["position_m"] = [11.7, 9.6]
    lay = loads(d)
    assert lay.racks["x_m"][0] == 0.3 and lay.racks["y_m"][1] == 9.6
    d["racks"][1]["position_m"] = [11.7, 9.61]
    assert errors(d) == [("racks[1].position_m", "rack footprint [11.4, 9.01]..[12, 10.21] m "
                                                 "leaves the hall (0..12 x 0..10.2 m)")]
    d["racks"][1]["position_m"] = [11.7, 9.6]
    d["racks"][0]["position_m"] = [0.29, 0.6]
    assert errors(d) == [("racks[0].position_m", "rack footprint [-0.01, 0]..[0.59, 1.2] m "
                                                 "leaves the hall (0..12 x 0..10.2 m)")]


def test_a_turned_rack_uses_its_turned_footprint():
    d = small()
    d["racks"][0].update(position_m=[0.6, 5.0], rotation_deg=90)      # 1.2 x 0.6 m now
    assert loads(d).racks["rotation_deg"][0] == 90
    d["racks"][0]["position_m"] = [0.3, 5.0]
    assert errors(d) == [("racks[0].position_m", "rack footprint [-0.3, 4.7]..[0.9, 5.3] m "
                                                 "leaves the hall (0..12 x 0..10.2 m)")]


def test_overlaps_are_warnings_and_touching_racks_do_not_overlap():
    d = small()
    errs, (warns, _lay) = outcome(d)             # the row's racks touch side by side
    assert errs == [] and warns == []
    d["racks"][1]["position_m"] = [4.49, 3.6]    # 1 cm into A01
    errs, (warns, _lay) = outcome(d)
    assert errs == [] and warns == [("racks[1].position_m", "rack 'A02' overlaps rack 'A01'")]


@pytest.mark.parametrize("block, index, inside, outside, message", [
    ("cooling_units", 0, [0.45, 1.25], [0.45, 1.24],     # crah-150 turned (90): 0.9 x 2.5
     "footprint leaves the hall (0..12 x 0..10.2 m)"),
    ("cooling_units", 2, [11.55, 8.95], [11.56, 8.95],   # turned (270): 0.9 x 2.5
     "footprint leaves the hall (0..12 x 0..10.2 m)"),
])
def test_units_leave_the_hall(block, index, inside, outside, message):
    d = small()
    d[block][index]["position_m"] = inside
    assert loads(d).cooling_units[d[block][index]["id"]].x_m == inside[0]
    d[block][index]["position_m"] = outside
    assert errors(d) == [(f"{block}[{index}].position_m", message)]


def test_cdus_and_tanks_leave_the_hall():
    d = pod(tank=True)
    d["cdus"][0]["position_m"] = [0.4, 0.6]                    # 0.8 x 1.2: on the corner
    d["immersion_tanks"][0]["position_m"] = [13.8, 9.6]        # 1.2 x 2.4: on the corner
    lay = loads(d)
    assert (lay.cdus["CDU-A"].x_m, lay.tanks["TANK-1"].y_m) == (0.4, 9.6)
    d["cdus"][0]["position_m"] = [0.39, 0.6]
    d["immersion_tanks"][0]["position_m"] = [13.8, 9.61]
    assert errors(d) == [
        ("cdus[0].position_m", "footprint leaves the hall (0..14.4 x 0..10.8 m)"),
        ("immersion_tanks[0].position_m", "footprint leaves the hall (0..14.4 x 0..10.8 m)")]


def test_a_rear_door_is_not_placed_by_itself():
    """A rear door hangs on its rack; its own position is not checked against the hall."""
    d = pod()
    d["cooling_units"].append({"id": "RDHX-1", "model": "rdhx-55", "position_m": [-5.0, -5.0],
                               "rack": "A01"})
    assert loads(d).cooling_units["RDHX-1"].x_m == -5.0


@pytest.mark.parametrize("rect, ok", [
    ([2.4, 4.2, 9.6, 5.4], True), ([2.4, 4.2, 2.41, 4.21], True),
    ([2.4, 4.2, 2.4, 5.4], False), ([2.4, 4.2, 9.6, 4.2], False),
    ([9.6, 4.2, 2.4, 5.4], False), ([2.4, 5.4, 9.6, 4.2], False),
])
def test_containment_rectangle_must_have_an_area(rect, ok):
    d = pod()
    d["containment"][0]["rect_m"] = rect
    if ok:
        c = loads(d).containment["HAC-1"]
        assert (c.x0_m, c.y0_m, c.x1_m, c.y1_m) == tuple(rect)
    else:
        assert errors(d) == [("containment[0].rect_m", "expected x0 < x1 and y0 < y1")]


# ----- all errors at once ------------------------------------------------------------------
def test_every_broken_rule_is_listed_with_its_file():
    d = pod()
    d["racks"][0]["workload"] = "nope"
    d["racks"][1]["cdu"] = "CDU-Z"
    d["power"][2]["upstream"] = "ghost"
    with pytest.raises(LayoutError) as exc:
        loads_layout(json.dumps(d), "hall.json")
    assert exc.value.lines == [
        "hall.json: racks[0].workload: unknown workload 'nope'",
        "hall.json: racks[1].cdu: unknown CDU 'CDU-Z'",
        "hall.json: power[2].upstream: unknown power component 'ghost'",
    ]


def test_structural_and_semantic_errors_are_listed_together():
    """One open lists every problem of the file (issue 14): a rack with a bad field and
    another rack with a dangling reference are both reported, structure first."""
    d = pod()
    d["racks"][0]["rotation_deg"] = 7
    d["racks"][1]["workload"] = "nope"
    assert errors(d) == [("racks[0].rotation_deg", "found 7, expected one of 0, 90, 180, 270"),
                         ("racks[1].workload", "unknown workload 'nope'")]


def test_a_hall_too_large_for_the_air_grid_is_named_with_the_other_errors():
    d = minimal()
    d["hall"].update(width_m=400.0, length_m=400.0, ceiling_height_m=20.0)   # field limits
    (err,) = errors(d)
    assert err[0] == "hall"
    assert err[1].startswith("the air grid of the 400 x 400 x 20 m hall would have ")
    assert err[1].endswith("make the hall smaller or its ceiling lower")
    d["name"] = 7
    assert errors(d) == [("name", "found 7, expected a string"), err]


def test_name_and_description_have_length_limits():
    for key, limit in (("name", spec.NAME_MAX_CHARS), ("description",
                                                       spec.DESCRIPTION_MAX_CHARS)):
        d = small()
        d[key] = "x" * limit
        assert getattr(loads(d), key) == "x" * limit
        d[key] = "x" * (limit + 1)
        assert errors(d) == [(key, f"found text of {limit + 1:,} characters, expected at "
                                   f"most {limit:,}")]


def test_scenario_maps_and_lists_name_what_they_expect():
    d = pod()
    d["scenarios"] = [{"id": "S1", "failed": "CDU-A"}]
    assert errors(d) == [("scenarios[0].failed", "found 'CDU-A', expected a list of strings")]
    d["scenarios"] = [{"id": "S1", "utilisation": {"llm-train": 2}}]
    assert errors(d) == [("scenarios[0].utilisation", "found an object, expected an object "
                                                      "of numbers between 0 and 1")]
    d["scenarios"] = [{"id": "S1", "setpoints_c": {"IRC-A1": 4}}]
    assert errors(d) == [("scenarios[0].setpoints_c", "found an object, expected an object "
                                                      "of numbers between 5 and 40")]


# ----- supply temperatures, units outside the hall (README "What version 2 adds") ----------
def _tile_with_supply(d):
    d["tiles"][0].update(supply_c=18.0, flow_m3s=0.5)
    return d


def test_a_tile_supply_temperature_is_ignored_while_any_crah_feeds_the_floor():
    d = _tile_with_supply(small())
    d["cooling_units"][3]["enabled"] = False            # the other three still feed
    errs, (warns, _lay) = outcome(d)
    assert errs == [] and warns == [("tiles[0].supply_c", "ignored: cooling units feed the "
                                                          "supply (their set-points apply)")]


def test_with_no_unit_feeding_the_floor_the_tiles_are_the_supply_and_need_a_return():
    d = _tile_with_supply(small())
    for unit in d["cooling_units"]:
        unit["enabled"] = False                         # CRAHs switched off: not feeding
    assert errors(copy.deepcopy(d)) == [
        ("tiles[0].supply_c", "air supplied at a given temperature needs a way back: set "
                              "hall.ceiling_return or add return grilles")]
    d["hall"]["ceiling_return"] = True
    errs, (warns, _lay) = outcome(d)
    assert errs == [] and warns == []


def test_only_air_handlers_stand_outside_the_hall_whatever_stands_before_them():
    d = small()                                         # four CRAHs in the hall first
    d["cooling_units"].append({"id": "IRC-1", "model": "inrow-70", "position_m": [6.0, 9.0],
                               "location": "gallery"})
    assert errors(d) == [("cooling_units[4].location", "only air handlers (CRAH, fan wall) "
                          "can stand outside the hall; 'inrow-70' is a inrow")]


# ----- fabric and cable trays (docs/physics.md §23) ---------------------------------------
def test_the_fabric_port_speed_is_the_switch_model_s():
    d = pod()
    d["fabric"]["port_gbps"] = 400.0                    # q3400: 800 Gb/s ports
    assert errors(d) == [("fabric.port_gbps", "found 400, but the switch 'q3400' has 800 "
                                              "Gb/s ports")]


def test_a_cable_tray_lies_in_the_hall_and_has_a_length():
    d = pod()
    d["cable_trays"] = [{"id": "TRAY-1", "segment_m": [1.0, 2.0, 14.4, 2.0]},
                        {"id": "TRAY-2", "segment_m": [1.0, 2.0, 14.5, 2.0]},
                        {"id": "TRAY-3", "segment_m": [3.0, 3.0, 3.0, 3.0]}]
    assert errors(d) == [
        ("cable_trays[1].segment_m", "tray leaves the hall (0..14.4 x 0..10.8 m)"),
        ("cable_trays[2].segment_m", "tray has no length (both ends at the same point)")]


# ----- severities as the user sees them ------------------------------------------------------
def _warning_lines(doc, name="rules.json"):
    warnings = []
    loads_layout(json.dumps(doc), name, warnings=warnings)
    return [w.format(name) for w in warnings]


def test_a_liquid_cooled_rack_without_a_cdu_is_shown_as_a_warning():
    d = pod()
    d["racks"][2]["cdu"] = ""
    assert _warning_lines(d, "pod.json") == [
        "pod.json: racks[2].cdu: warning: liquid-cooled model 'gb200-nvl72' needs a CDU "
        "('cdu' is empty)"]


def test_beyond_the_listed_overlaps_one_warning_counts_the_racks():
    from twin.io.semantics import MAX_OVERLAP_WARNINGS
    n = 21                                              # 21 racks on one spot: 210 pairs
    assert n * (n - 1) // 2 > MAX_OVERLAP_WARNINGS
    d = minimal()
    d["racks"] = [{"id": f"R{i:02}", "model": "storage-rack", "position_m": [5.0, 4.0]}
                  for i in range(n)]
    lines = _warning_lines(d)
    assert len(lines) == MAX_OVERLAP_WARNINGS + 1
    assert all(": warning: rack 'R" in line for line in lines[:-1])
    assert lines[-1] == (f"rules.json: racks: warning: {n} racks overlap another rack; only "
                         f"the first {MAX_OVERLAP_WARNINGS} overlaps are listed")


def test_an_unknown_key_with_a_dot_does_not_hide_the_errors_of_the_block_it_names():
    """An unknown top-level key "fabric.note" is a problem of its own: the fabric block's
    errors are still listed with it (one open lists every problem of the file)."""
    doc = copy.deepcopy(POD)
    doc["fabric"]["port_gbps"] = 400          # the catalogue's switch has 800 Gb/s ports
    doc["fabric.note"] = "x"
    with pytest.raises(LayoutError) as exc:
        loads_layout(json.dumps(doc), "pod.json")
    paths = [p.path for p in exc.value.problems if p.severity == "error"]
    assert "fabric.note" in paths
    assert "fabric.port_gbps" in paths
