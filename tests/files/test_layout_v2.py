"""Layout format v2 (issue 14 A): per-rack overrides, the layout's own equipment, units
outside the hall, supply temperatures on tiles, supply/return grilles, kept tile flows."""

import copy
import json

import numpy as np
import pytest

from tests.conftest import ROOT
from twin.engine import inputs
from twin.engine.simulate import simulate
from twin.io import LayoutError, dumps_layout, load_layout, loads_layout
from twin.io.equipment import import_equipment, read_equipment
from twin.model import load_catalogue
from twin.physics.air import AirScene, AirSolver, CoolingUnits, Grilles, Hall, Racks, Tiles
from twin.physics.air.devices import RHO_CP, terminal_flows

FIXTURES = ROOT / "tests" / "fixtures"
MEASURED = ROOT / "layouts" / "measured-room.json"


def doc():
    return json.loads(MEASURED.read_text())


def errors(d):
    with pytest.raises(LayoutError) as exc:
        loads_layout(json.dumps(d))
    return [(p.path, p.message) for p in exc.value.problems]


# ----- files -------------------------------------------------------------------------------
def test_v1_fixture_migrates_and_v2_fixture_loads_and_round_trips(tmp_path):
    v1 = load_layout(FIXTURES / "layout_v1.json")
    v2 = load_layout(FIXTURES / "layout_v2.json")
    assert json.loads(dumps_layout(v1))["version"] == json.loads(dumps_layout(v2))["version"] == 3
    # the v2 fixture stays a v2 file: saved, it differs only in its version (v3 adds an
    # optional block it does not have)
    assert dumps_layout(v2) == (FIXTURES / "layout_v2.json").read_text().replace(
        '"version": 2,', '"version": 3,', 1)
    r = v2.racks.record(v2.racks.index_of("R1"))
    assert (r["power_kw"], r["airflow_m3s_per_kw"], r["liquid_share"], r["height_m"],
            r["weight_kg"]) == (12.0, 0.08, 0.0, 2.4, 800.0)
    assert r["airflow_m3s"] is None
    assert v2.cooling_units["AHU-1"].location == "gallery"
    assert v2.grilles["RG-1"].kind == "return" and v2.grilles["SG-1"].supply_c is None
    assert "my-rack" in v2.catalogue and v2.catalogue["my-rack"]["nameplate_kw"] == 20.0


def test_every_new_field_survives_save_and_load():
    lay = load_layout(MEASURED)
    assert loads_layout(dumps_layout(lay)).equals(lay)
    assert dumps_layout(loads_layout(dumps_layout(lay))) == MEASURED.read_text()


def test_rack_override_out_of_range_names_the_path():
    d = doc()
    d["racks"][3]["power_kw"] = -1
    d["racks"][4]["airflow_m3s"] = 0
    d["racks"][5]["height_m"] = 9
    assert errors(d) == [
        ("racks[3].power_kw", "found -1, expected a finite number >= 0 and <= 1000"),
        ("racks[4].airflow_m3s", "found 0, expected a finite number > 0 and <= 50"),
        ("racks[5].height_m", "found 9, expected a finite number >= 0.5 and <= 3.5")]


def test_catalogue_block_is_validated_like_the_builtin_one():
    d = doc()
    d["catalogue"]["site-rack"]["nameplate_kw"] = "big"
    d["catalogue"]["bad"] = {"kind": "rack", "name": "x", "width_m": 0.6, "depth_m": 1.2,
                             "height_m": 2.0, "nameplate_kw": 10, "typical_kw": 12}
    d["catalogue"]["odd"] = {"kind": "chiller"}
    got = errors(d)
    assert ("catalogue.site-rack.nameplate_kw",
            "found 'big', expected a finite number > 0 and <= 1000") in got
    assert ("catalogue.bad.typical_kw", "found 12, expected at most the nameplate (10 kW)") in got
    assert "catalogue.odd.kind" in [p for p, _m in got]


def test_builtin_catalogue_passes_the_entry_validation():
    from twin.io.validate import Checker
    raw = json.loads((ROOT / "resources" / "catalogue.json").read_text())["equipment"]
    chk = Checker()
    entries = chk.equipment("equipment", raw)
    assert chk.problems == [] and set(entries) == set(load_catalogue().keys())


def test_a_layout_entry_overriding_a_builtin_model_warns():
    d = doc()
    d["catalogue"]["storage-rack"] = dict(d["catalogue"]["site-rack"], nameplate_kw=9.0)
    warnings = []
    lay = loads_layout(json.dumps(d), warnings=warnings)
    assert lay.catalogue["storage-rack"]["nameplate_kw"] == 9.0
    assert [w.path for w in warnings] == ["catalogue.storage-rack"]


def test_import_equipment_from_a_file(tmp_path):
    lay = load_layout(MEASURED)
    f = tmp_path / "eq.json"
    f.write_text(json.dumps({"equipment": {"ahu-60": {
        "kind": "crah", "name": "Gallery AHU", "width_m": 1, "depth_m": 1, "height_m": 2,
        "capacity_kw": 60, "airflow_m3s": 4.0}}}))
    assert set(read_equipment(f)) == {"ahu-60"}
    added, warnings = import_equipment(lay, f)
    assert added == ["ahu-60"] and warnings == []
    assert lay.catalogue["ahu-60"]["airflow_m3s"] == 4.0 and "site-rack" in lay.equipment
    f.write_text(json.dumps({"ahu-60": {"kind": "crah", "name": "x"}}))
    with pytest.raises(LayoutError) as exc:
        read_equipment(f)
    assert exc.value.problems[0].path == "equipment.ahu-60"


def test_a_unit_outside_the_hall_validates_and_needs_a_return():
    d = doc()
    d["catalogue"]["ahu"] = {"kind": "crah", "name": "AHU", "width_m": 2, "depth_m": 1,
                             "height_m": 2, "capacity_kw": 200, "airflow_m3s": 9.6}
    d["cooling_units"] = [{"id": "AHU-1", "model": "ahu", "position_m": [-2.0, 3.9],
                           "location": "gallery", "supply_setpoint_c": 18.0}]
    warnings = []
    loads_layout(json.dumps(d), warnings=warnings)      # outside the hall on purpose: fine
    assert any(w.path.endswith("supply_c") for w in warnings)   # units feed: tiles' ignored
    d["cooling_units"][0]["location"] = "hall"
    assert any("leaves the hall" in m for _p, m in errors(copy.deepcopy(d)))
    d["cooling_units"][0]["location"] = "gallery"
    d["hall"]["ceiling_return"] = False
    d["grilles"] = []
    assert ("cooling_units[0].location", "a unit outside the hall takes its return through "
            "the ceiling plenum (hall.ceiling_return) or return grilles: the layout has "
            "neither") in errors(d)


def test_tiles_with_two_supply_temperatures_are_rejected():
    d = doc()
    d["tiles"][1]["supply_c"] = 20.0
    assert errors(d)[0][0] == "tiles[1].supply_c"


# ----- physics effect ----------------------------------------------------------------------
def test_measured_room_inlets_follow_its_powers_and_airflows():
    lay = load_layout(MEASURED)
    res = simulate(lay)
    a = res.air
    flow = np.where(np.isin(res.rack_power_kw, [30.0]), 1.8, 0.6)
    assert np.allclose(res.rack_power_kw.sum(), 140.0)
    assert np.allclose(a.rack_airflow_m3s, flow)
    assert a.tile_flow_m3s.sum() / a.rack_airflow_m3s.sum() == pytest.approx(1.0)
    # the given supply holds 18 C and takes all the heat: return = 18 + P / (rho cp V)
    assert a.unit_supply_c[0] == pytest.approx(18.0)
    assert a.unit_return_c[0] == pytest.approx(18.0 + 140e3 / (RHO_CP * 9.6), abs=1e-3)
    assert abs(a.residual_pct) < 1e-3 and res.unit_ids == []
    # balanced room, returning through grilles over the hot aisles (the CFD library's
    # vents_mixed room is this layout: mid-row 18.9-19.1 C, neighbours 19.5-20.1 C, end
    # racks 21.8-22.8 C, hottest cell 31.3 C): no return draws across the row ends, so the
    # aisle ends stay open (rows.py) and the end racks wrap less hot air than in a hall
    # whose return sweeps the ends; mid-row near the tile temperature, the four ends warmest
    ends = np.isin(res.rack_ids, ["A01", "A06", "B01", "B06"])
    nbs = np.isin(res.rack_ids, ["A02", "A05", "B02", "B05"])
    mid = ~ends & ~nbs
    assert 18.0 <= a.rack_inlet_mean_c.min() and a.rack_inlet_mean_c[mid].max() < 19.0
    assert a.rack_inlet_mean_c[mid].max() < a.rack_inlet_mean_c[nbs].min()
    assert a.rack_inlet_mean_c[nbs].max() < 19.5
    assert a.rack_inlet_mean_c[ends].min() > a.rack_inlet_mean_c[~ends].max() + 1.5
    assert a.rack_inlet_mean_c.max() < 24.0
    # rack rise = P / (rho cp V): 11.2 K at 8 kW / 0.6, 14.0 K at 30 kW / 1.8
    rise = a.rack_exhaust_c - a.rack_inlet_mean_c
    assert np.allclose(rise, res.rack_power_kw * 1e3 / (RHO_CP * flow), atol=1e-6)
    assert np.allclose(lay.rack_sizes_m()[:, 2], 2.2)
    # an end rack's hottest intake is its open edge's wrapped exhaust: mean + 0.85 x rise
    # = 21 + 0.85 x 11.2 = 30.5 C and up, above the recommended 27 C (the CFD room: 31.3 C);
    # their inward neighbours take 0.65 of their rise (18.9 + 0.65 x 11.2 = 26.2 C; the
    # CFD's are 24.7-25.3 C: conservative, below the recommended 27 C) unless the peak over their hottest layer (mean + 1.4 x its excess)
    # is hotter; each alerts by its own hottest against the A1 bands (recommended 27 C,
    # allowable 32 C) and nothing else alerts
    peak = a.rack_inlet_mean_c + 1.4 * (np.nanmax(a.rack_inlet_profile_c, axis=1) - a.rack_inlet_mean_c)
    share = np.where(ends, 0.85, 0.65)
    hottest = np.maximum(peak, a.rack_inlet_mean_c + share * rise)
    assert np.allclose(a.rack_inlet_max_c[ends | nbs], hottest[ends | nbs])
    assert np.allclose(hottest[ends], (a.rack_inlet_mean_c + 0.85 * rise)[ends])
    assert hottest[ends].min() > 27.0 and a.rack_inlet_max_c[~ends].max() < 27.0
    # the neighbours' share decides (18.9 + 0.65 x 11.2 = 26.2 C; CFD 24.7-25.3 C)
    assert np.allclose(hottest[nbs], (a.rack_inlet_mean_c + 0.65 * rise)[nbs])
    assert np.all((25.9 < hottest[nbs]) & (hottest[nbs] < 26.5))
    assert sorted((al.kind, al.target) for al in res.alerts if al.severity != "info") == sorted(
        ("inlet_above_allowable" if h > 32.0 else "inlet_above_recommended", r)
        for r, h in zip(res.rack_ids, hottest) if r in ("A01", "A06", "B01", "B06"))


def test_airflow_per_kw_follows_the_actual_heat_and_liquid_share_splits_it():
    lay = load_layout(MEASURED)
    ids = list(lay.racks.ids[:2])
    lay.set_rack_values(ids, "airflow_m3s", [None, None])
    lay.set_rack_values(ids, "airflow_m3s_per_kw", [0.1, 0.1])
    lay.set_rack_values(ids[1:], "liquid_share", [0.5])
    air_w = (1 - inputs.rack_liquid_fraction(lay)) * inputs.rack_power_w(lay, np.zeros(12))
    flow = inputs.rack_airflow_m3s(lay, air_w)
    assert flow[:2] == pytest.approx([0.8, 0.4])       # 0.1 x 8 kW, 0.1 x 4 kW of air heat
    assert flow[3] == pytest.approx(0.6)                # the fixed value
    lay.set_rack_values(ids, "airflow_m3s_per_kw", [None, None])
    rule = 0.075 * 30.0 * np.array([1.0, 0.5])          # catalogue rule on nameplate air heat
    assert inputs.rack_airflow_m3s(lay, air_w)[:2] == pytest.approx(rule)


def test_explicit_tile_flows_are_kept_and_a_mismatch_is_reported():
    flows, scale = terminal_flows(np.array([0.6, 0.6]), np.ones(2), np.ones(2, bool), 3.5)
    assert flows.tolist() == [0.6, 0.6] and scale == pytest.approx(1.2 / 3.5)
    flows, scale = terminal_flows(np.array([0.6, np.nan]), np.ones(2), np.ones(2, bool), 3.5)
    assert flows.tolist() == [0.6, pytest.approx(2.9)] and scale == 1.0
    lay = load_layout(ROOT / "layouts" / "small-room.json")
    for t in list(lay.tiles.values()):
        lay.update_item("tiles", t.id, flow_m3s=0.6)
    res = simulate(lay)
    n = len(lay.tiles)
    assert res.air.tile_flow_m3s == pytest.approx(np.full(n, 0.6))
    assert res.air.unit_airflow_m3s.sum() == pytest.approx(0.6 * n)
    msg = [a for a in res.alerts if a.kind == "supply_flow_mismatch"]
    assert len(msg) == 1 and msg[0].severity == "warning"
    assert f"{0.6 * n:.2f}" in msg[0].message and "42.00" in msg[0].message


def _grille_room(ceiling_return: bool):
    """A 6 x 3.6 x 3 m room, one row of 4 racks (5 kW, 0.4 m3/s each) facing south, one
    supply grille low on the south wall at 18 C fed by a unit outside, two ceiling return
    grilles behind the row (given 0.5 and 1.1 m3/s when ducted)."""
    racks = Racks(np.array([[1.8 + 0.6 * k, 2.4] for k in range(4)]), np.tile([0.6, 1.2, 2.0], (4, 1)),
                  np.zeros(4), np.full(4, 0.4), np.full(4, 5e3))
    units = CoolingUnits(("crah",), [[-1.0, 1.0]], [[1.0, 1.0, 2.0]], [0.0], [1.6], [1e6], [18.0],
                         outside=[True])
    grilles = Grilles(np.array([[3.0, 0.3], [2.1, 3.3], [3.9, 3.3]]),
                      np.array([[2.4, 0.6], [0.6, 0.6], [0.6, 0.6]]),
                      ("supply", "return", "return"), z_m=[0.6, np.nan, np.nan],
                      height_m=[0.6, 0.3, 0.3], flow_m3s=[np.nan, 0.5, 1.1])
    return AirScene(Hall(6.0, 3.6, 3.0, raised_floor=False, ceiling_return=ceiling_return),
                    racks, units, Tiles(np.zeros((0, 2))), grilles=grilles)


@pytest.mark.parametrize("ceiling_return", [False, True], ids=["ducted", "plenum"])
def test_return_grilles_balance_energy_and_flow(ceiling_return):
    """Oracle: flow out of the return grilles = flow in at the supply grille = unit
    airflow; the unit holds 18 C, so its airflow-weighted return is 18 + P / (rho cp V)."""
    sc = _grille_room(ceiling_return)
    s = AirSolver()
    r = s.solve(sc)
    assert r.converged and abs(r.residual_pct) <= 0.1
    dev = s._state.dev
    g = dev.grille_flow_m3s
    assert g[0] == pytest.approx(1.6)                   # all the supply through its grille
    if not ceiling_return:
        assert g[1:].tolist() == pytest.approx([0.5, 1.1])   # given ducted flows kept
    assert dev.intake[dev.n_racks].sum() == pytest.approx(1.6)
    assert r.unit_return_c[0] == pytest.approx(18.0 + 20e3 / (RHO_CP * 1.6), abs=1e-3)
    assert r.unit_load_w[0] == pytest.approx(20e3, rel=1e-4)
    # the return draws only at the grilles: the unit's intake cells lie under them
    cells = dev.intake[dev.n_racks].nonzero()[1]
    if ceiling_return:
        cells = s._state.fs.return_g.nonzero()[0]
    grid = r.grid
    i = cells % grid.nx
    j = (cells // grid.nx) % grid.ny
    x, y = (i + 0.5) * grid.dx, (j + 0.5) * grid.dx
    assert np.all(y > 3.0 - 1e-9) and np.all((np.abs(x - 2.1) <= 0.3) | (np.abs(x - 3.9) <= 0.3))
