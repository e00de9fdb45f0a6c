"""The shared floor geometry (``twin.model.floor``): footprints, conflicts, picking and
rubber bands; incremental updates agree with a rebuild from scratch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import LAYOUTS
from twin.io import load_layout
from twin.model import CoolingUnit, Hall, Layout, RackTable
from twin.model.floor import FloorGeometry


def _room() -> Layout:
    """Three 0.6 x 1.2 m racks facing south in a 6 x 4 m hall and one in-row cooler."""
    racks = RackTable.from_records([
        {"id": "A", "name": "A", "model": "dgx-h100-rack", "x_m": 1.0, "y_m": 1.0},
        {"id": "B", "name": "B", "model": "dgx-h100-rack", "x_m": 1.6, "y_m": 1.0},
        {"id": "C", "name": "C", "model": "dgx-h100-rack", "x_m": 3.0, "y_m": 1.0,
         "rotation_deg": 90},
    ])
    lay = Layout(hall=Hall(width_m=6.0, length_m=4.0), racks=racks,
                 cooling_units=[CoolingUnit("U", "inrow-70", 4.5, 1.0)])
    return lay


def _size(lay, model):
    return lay.catalogue[model].footprint_m


def test_footprints_are_the_catalogue_sizes_turned_by_rotation():
    lay = _room()
    f = FloorGeometry(lay)
    w, d, _h = _size(lay, "dgx-h100-rack")
    # A: centred at (1.0, 1.0), not turned: x from 1 - w/2 to 1 + w/2, y from 1 - d/2
    assert f.bounds_of("A") == pytest.approx((1.0 - w / 2, 1.0 - d / 2, 1.0 + w / 2, 1.0 + d / 2))
    # C: turned by 90 degrees: width and depth swap
    assert f.bounds_of("C") == pytest.approx((3.0 - d / 2, 1.0 - w / 2, 3.0 + d / 2, 1.0 + w / 2))
    uw, ud, _ = _size(lay, "inrow-70")
    assert f.bounds_of("U") == pytest.approx((4.5 - uw / 2, 1.0 - ud / 2, 4.5 + uw / 2, 1.0 + ud / 2))
    assert f.bounds_of("nope") is None


def test_touching_racks_do_not_conflict_overlapping_ones_do():
    lay = _room()
    f = FloorGeometry(lay)
    w = _size(lay, "dgx-h100-rack")[0]
    assert w == pytest.approx(0.6)                # A and B side by side exactly touch
    assert f.conflict_ids() == frozenset()
    lay.move_racks(["B"], [1.5], [1.0])           # 0.1 m into A
    assert f.conflict_ids() == {"A", "B"}
    assert f.neighbours["A"] == {"B"} and f.neighbours["B"] == {"A"}
    lay.move_racks(["B"], [1.6], [1.0])           # back: touching again
    assert f.conflict_ids() == frozenset() and "A" not in f.neighbours


def test_outside_the_hall_is_a_conflict_on_the_boundary_is_not():
    lay = _room()
    f = FloorGeometry(lay)
    d = _size(lay, "dgx-h100-rack")[1]
    lay.move_racks(["A"], [0.3], [d / 2])         # flush with the walls at x = 0, y = 0
    assert "A" not in f.outside
    lay.move_racks(["A"], [0.29], [d / 2])        # 1 cm through the west wall
    assert f.outside == {"A"} and "A" in f.conflict_ids()
    assert f.leaves_hall("A")


def test_moving_a_unit_into_a_rack_is_seen_and_recorded_for_repaint():
    lay = _room()
    f = FloorGeometry(lay)
    before = f.bounds_of("U")
    lay.update_item("cooling_units", "U", x_m=3.0, y_m=1.0)    # onto rack C
    u = f.last
    assert not u.rebuilt and u.eq_rows == [0]
    assert tuple(u.eq_bounds_before[0]) == pytest.approx(before)
    assert u.conflicts_before == frozenset()
    assert f.conflict_ids() == {"C", "U"}


def test_a_rotation_is_an_incremental_rack_update():
    lay = _room()
    f = FloorGeometry(lay)
    lay.set_rack_values(["A"], "rotation_deg", 90)
    u = f.last
    assert list(u.rack_rows) == [0] and not u.rebuilt and not u.rack_models_changed
    w, d, _ = _size(lay, "dgx-h100-rack")
    assert f.bounds_of("A") == pytest.approx((1.0 - d / 2, 1.0 - w / 2, 1.0 + d / 2, 1.0 + w / 2))


def test_pick_prefers_equipment_then_racks_and_bands_select_by_crossing():
    lay = _room()
    f = FloorGeometry(lay)
    assert f.id_at(1.0, 1.0) == "A"
    assert f.id_at(4.5, 1.0) == "U"
    assert f.id_at(5.9, 3.9) is None
    # a band from (0.8, 0.0) to (1.7, 0.5) touches A and B (their y0 = 0.4) but not C
    assert sorted(f.ids_crossing(0.8, 0.0, 1.7, 0.5)) == ["A", "B"]
    assert f.ids_crossing(5.5, 3.0, 5.9, 3.9) == []


def test_a_rack_set_change_rebuilds_everything():
    lay = _room()
    f = FloorGeometry(lay)
    lay.remove_racks(["B"])
    assert f.last.rebuilt and list(f.rack_ids) == ["A", "C"]
    assert f.rack_bounds_m.shape == (2, 4)


def _same(a: FloorGeometry, b: FloorGeometry):
    assert list(a.rack_ids) == list(b.rack_ids)
    assert np.allclose(a.rack_bounds_m, b.rack_bounds_m)
    assert a.eq_ids == b.eq_ids and np.allclose(a.eq_bounds_m, b.eq_bounds_m)
    assert a.conflict_ids() == b.conflict_ids()
    assert {k: v for k, v in a.neighbours.items() if v} == \
        {k: v for k, v in b.neighbours.items() if v}
    assert a.outside == b.outside


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(-0.5, 6.5), st.floats(-0.5, 4.5),
                          st.sampled_from([0, 90, 180, 270])), min_size=1, max_size=8))
def test_incremental_updates_agree_with_a_rebuild(moves):
    lay = _room()
    f = FloorGeometry(lay)
    names = ["A", "B", "C", "U"]
    for k, x, y, rot in moves:
        target = names[k]
        if target == "U":
            lay.update_item("cooling_units", "U", x_m=x, y_m=y, rotation_deg=rot)
        else:
            with lay.batch():
                lay.move_racks([target], [x], [y])
                lay.set_rack_values([target], "rotation_deg", rot)
        _same(f, FloorGeometry(lay))


def test_the_sample_rooms_have_no_conflicts():
    for name in ("small-room.json", "gb200-pod.json", "air-cooled-hall.json"):
        f = FloorGeometry(load_layout(LAYOUTS / name))
        assert f.conflict_ids() == frozenset(), name


def test_ten_thousand_racks_on_one_spot_stay_bounded():
    """Every pair of 10,000 stacked racks overlaps (5e7 pairs): the geometry lists a bounded
    number of them and still knows that every rack is in conflict."""
    import time

    from twin.model import floor as floor_mod

    n = 10_000
    racks = RackTable.from_records([{"id": f"R{i}", "name": f"R{i}", "model": "dgx-h100-rack",
                                     "x_m": 3.0, "y_m": 2.0} for i in range(n)])
    lay = Layout(hall=Hall(width_m=6.0, length_m=4.0), racks=racks)
    t0 = time.perf_counter()
    f = FloorGeometry(lay)
    assert time.perf_counter() - t0 < 30
    pairs = sum(len(v) for v in f.neighbours.values()) // 2
    assert pairs <= floor_mod.MAX_LISTED_PAIRS + n
    assert len(f.conflict_ids()) == n


def test_a_floor_tile_covers_one_tile_pitch_around_its_centre():
    lay = load_layout(LAYOUTS / "small-room.json")
    floor = FloorGeometry(lay)
    h = lay.hall.tile_pitch_m / 2
    for t in list(lay.tiles.values())[:3]:
        assert floor.bounds_of(t.id) == pytest.approx((t.x_m - h, t.y_m - h, t.x_m + h, t.y_m + h))
    floor.close()


# ----- doors, grilles, zones, off-floor units, overrides (issue 24, mutation survivors) -------
def _fitted_room() -> Layout:
    """Racks A (0.6 x 1.2 m at x 1.0) and B (at x 1.6, its own 2.4 m height) facing south
    with a rear door D on A; a CRAH on the floor and one in a gallery west of the hall
    (x < 0); a CDU K inside the 6 x 4 m hall and K2 beyond its east wall (x > 6); a supply
    grille G 0.8 m along x by 0.4 m along y; a hot aisle Z 2.0 m by 0.8 m behind the racks."""
    from twin.model import Cdu, Containment, Grille
    racks = RackTable.from_records([
        {"id": "A", "name": "A", "model": "dgx-h100-rack", "x_m": 1.0, "y_m": 1.0},
        {"id": "B", "name": "B", "model": "dgx-h100-rack", "x_m": 1.6, "y_m": 1.0,
         "height_m": 2.4}])
    return Layout(hall=Hall(width_m=6.0, length_m=4.0), racks=racks,
                  cooling_units=[CoolingUnit("C", "crah-150", 3.0, 3.5),
                                 CoolingUnit("D", "rdhx-55", 1.0, 1.75, rack="A"),
                                 CoolingUnit("G1", "crah-150", -1.5, 2.0, location="gallery")],
                  cdus=[Cdu("K", "cdu-inrow-1350", 5.0, 1.0), Cdu("K2", "cdu-inrow-1350", 7.0, 1.0)],
                  grilles=[Grille("G", "supply", 4.8, 2.4, width_m=0.8, length_m=0.4)],
                  containment=[Containment("Z", "hot_aisle", 0.5, 1.6, 2.5, 2.4)])


def test_a_new_geometry_reports_a_full_rebuild():
    assert FloorGeometry(_room()).last.rebuilt


def test_rear_doors_go_with_their_rack_and_equipment_keeps_its_catalogue_kind():
    f = FloorGeometry(_fitted_room())
    assert f.eq_ids == ["C", "G1", "K", "K2"]                 # D is drawn on rack A
    assert f.eq_kind == ["crah", "crah", "cdu", "cdu"]
    assert f.door_ids == ["D"] and f.door_of_rack == {"A": "D"}
    assert f.door_rack_index.tolist() == [0]


def test_a_door_whose_rack_was_removed_is_no_longer_a_door():
    lay = _fitted_room()
    f = FloorGeometry(lay)
    lay.remove_racks(["A"])
    assert f.last.rebuilt and f.door_ids == [] and f.door_of_rack == {}
    assert f.door_rack_index.tolist() == []


def test_only_units_placed_outside_the_hall_on_purpose_may_stand_outside_it():
    f = FloorGeometry(_fitted_room())
    # the gallery CRAH G1 is west of x = 0 by design; the CDU K2 (no location: the hall)
    # stands beyond the east wall: a conflict
    assert f.eq_off_floor == {"G1"}
    assert f.outside == {"K2"} and f.conflict_ids() == {"K2"}


def test_a_grille_is_its_width_along_x_and_length_along_y_and_can_be_picked():
    f = FloorGeometry(_fitted_room())
    # centre (4.8, 2.4), 0.8 m along x, 0.4 m along y
    assert f.bounds_of("G") == pytest.approx((4.4, 2.2, 5.2, 2.6))
    assert f.id_at(4.8, 2.4) == "G" and f.id_at(5.19, 2.21) == "G"
    assert f.id_at(4.8, 2.65) is None                          # just north of it
    assert f.ids_crossing(4.7, 2.3, 4.9, 2.5) == ["G"]


def test_a_rear_door_is_picked_on_its_drawn_strip_before_the_aisle_under_it():
    f = FloorGeometry(_fitted_room())
    strip = np.array([[0.7, 1.6, 1.3, 1.75]])                  # behind A (its rear: y 1.6)
    assert f.id_at(1.0, 1.7, door_bounds_m=strip) == "D"
    assert f.id_at(1.0, 1.7) == "Z"                            # without strips: the aisle
    assert f.id_at(1.0, 1.0, door_bounds_m=strip) == "A"


def test_a_band_selects_a_zone_only_when_it_encloses_it():
    f = FloorGeometry(_fitted_room())
    # Z spans x 0.5..2.5 and y 1.6..2.4; the bands below cross racks A and B (y 0.4..1.6)
    assert f.ids_crossing(0.5, 1.0, 2.5, 2.4) == ["A", "B", "Z"]   # edges on the zone's
    assert f.ids_crossing(0.0, 1.0, 2.45, 2.5) == ["A", "B"]       # 5 cm short in x
    assert f.ids_crossing(0.0, 1.0, 2.6, 2.35) == ["A", "B"]       # 5 cm short in y


def test_a_new_model_keeps_a_racks_own_height_and_records_the_old_bounds():
    lay = _fitted_room()
    f = FloorGeometry(lay)
    before = [f.bounds_of("A"), f.bounds_of("B")]
    lay.set_rack_values(["A", "B"], "model", "gb200-nvl72")
    u = f.last
    assert not u.rebuilt and u.rack_models_changed and u.rack_rows.tolist() == [0, 1]
    assert np.allclose(u.rack_bounds_before, before)
    # A takes the GB200's catalogue height, B keeps its own 2.4 m
    assert f.rack_sizes_m[:, 2].tolist() == [lay.catalogue["gb200-nvl72"]["height_m"], 2.4]
    assert np.array_equal(f.rack_sizes_m, FloorGeometry(lay).rack_sizes_m)


def test_moves_of_two_kinds_of_equipment_in_one_batch_record_both_rows():
    lay = _fitted_room()
    f = FloorGeometry(lay)
    k_c, k_k = f.eq_index["C"], f.eq_index["K"]
    before = [f.bounds_of("C"), f.bounds_of("K")]
    with lay.batch():
        lay.update_item("cooling_units", "C", x_m=3.2)
        lay.update_item("cdus", "K", y_m=2.0)
    u = f.last
    assert not u.equipment_rebuilt and u.eq_rows == [k_c, k_k]
    assert np.allclose(u.eq_bounds_before, before)
    lay.add_item("cdus", type(lay.cdus["K"])("K3", "cdu-inrow-1350", 5.0, 3.0))
    assert f.last.equipment_rebuilt and f.eq_ids[-1] == "K3"


# ----- edges, overrides and update records (mutation survivors, seed-5 run) -------------------
def _grille_room() -> Layout:
    """A 4 x 3 m hall holding only a 0.5 m grille G centred at (1.25, 1.25): its edges are
    x 1.0 .. 1.5 and y 1.0 .. 1.5, exact in binary."""
    from twin.model import Grille
    return Layout(hall=Hall(width_m=4.0, length_m=3.0),
                  grilles=[Grille("G", "supply", 1.25, 1.25, width_m=0.5, length_m=0.5)])


def test_a_point_exactly_on_an_edge_picks_the_footprint():
    """Picking is inclusive: a click exactly on any of the four edges hits G; 1/16 m east
    of its east edge hits nothing."""
    f = FloorGeometry(_grille_room())
    assert f.bounds_of("G") == (1.0, 1.0, 1.5, 1.5)
    for x, y in ((1.0, 1.25), (1.5, 1.25), (1.25, 1.0), (1.25, 1.5)):
        assert f.id_at(x, y) == "G", (x, y)
    assert f.id_at(1.5625, 1.25) is None


def test_a_band_ending_exactly_on_an_edge_does_not_select_the_footprint():
    """Crossing is strict on all four sides: a band whose north edge lies on G's south edge
    (y = 1.0), or whose south, east or west edge lies on G's opposite edge, shares only a
    line with G and does not select it; 1/16 m further in, it does."""
    f = FloorGeometry(_grille_room())
    assert f.ids_crossing(0.0, 0.0, 2.0, 1.0) == []            # band north edge on y0
    assert f.ids_crossing(0.0, 1.5, 2.0, 2.0) == []            # band south edge on y1
    assert f.ids_crossing(0.0, 0.0, 1.0, 2.0) == []            # band east edge on x0
    assert f.ids_crossing(1.5, 0.0, 2.0, 2.0) == []            # band west edge on x1
    assert f.ids_crossing(0.0, 0.0, 2.0, 1.0625) == ["G"]


def test_a_new_height_alone_resizes_the_rack():
    """Setting only ``height_m`` (no new model) is a footprint change: A's size becomes
    0.6 x 1.2 x 2.5 m at once, incrementally; NaN goes back to the catalogue height."""
    lay = _fitted_room()
    f = FloorGeometry(lay)
    w, d, h = _size(lay, "dgx-h100-rack")
    lay.set_rack_values(["A"], "height_m", 2.5)
    assert not f.last.rebuilt and f.last.rack_rows.tolist() == [0]
    assert f.rack_sizes_m[0].tolist() == [w, d, 2.5]
    lay.set_rack_values(["A"], "height_m", np.nan)
    assert f.rack_sizes_m[0].tolist() == [w, d, h]


def test_replacing_the_whole_layout_is_recorded_as_a_reset():
    """File > New / Open (``replace_all``) rebuilds and says it was a reset, so views drop
    what belonged to the old floor; an ordinary move afterwards is not a reset."""
    lay = _room()
    f = FloorGeometry(lay)
    lay.replace_all(_fitted_room())
    assert f.last.reset and f.last.rebuilt
    assert f.eq_ids == ["C", "G1", "K", "K2"]
    lay.move_racks(["A"], [2.0], [1.0])
    assert not f.last.reset


def test_a_changed_aisle_or_tile_is_recorded_as_a_zone_rebuild():
    """Widening the hot aisle Z to x1 = 3.0 rebuilds the zones (views repaint them) and
    its new bounds are known; a rack move does not touch the zones."""
    lay = _fitted_room()
    f = FloorGeometry(lay)
    lay.update_item("containment", "Z", x1_m=3.0)
    assert f.last.zones_rebuilt and not f.last.rebuilt
    assert f.bounds_of("Z") == pytest.approx((0.5, 1.6, 3.0, 2.4))
    lay.move_racks(["A"], [1.0], [0.75])
    assert not f.last.zones_rebuilt


def test_a_floor_without_equipment_still_has_three_size_columns():
    """Equipment sizes are width, depth and height (n, 3) like the racks' sizes, also when
    there is no equipment: (0, 3), so the two stack into one (n, 3) table."""
    racks = RackTable.from_records([{"id": "A", "name": "A", "model": "dgx-h100-rack",
                                     "x_m": 1.0, "y_m": 1.0}])
    f = FloorGeometry(Layout(hall=Hall(width_m=6.0, length_m=4.0), racks=racks))
    assert f.eq_ids == [] and f.eq_sizes_m.shape == (0, 3)
    assert np.vstack([f.rack_sizes_m, f.eq_sizes_m]).shape == (1, 3)
