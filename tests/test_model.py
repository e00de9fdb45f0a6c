"""The layout model: rack table, mutations, events, geometry, snapshots."""

import numpy as np
import pytest

from twin.model import Change, ChangeKind, CoolingUnit, Layout, RackTable, Workload
from twin.model import geometry


def _layout(n=3):
    racks = RackTable.from_records([
        {"id": f"R{i}", "model": "gb200-nvl72", "x_m": 1.0 + 0.6 * i, "y_m": 2.0}
        for i in range(n)])
    return Layout("t", racks=racks, workloads=[Workload("w", "W")])


def test_rack_table_columns_and_records():
    lay = _layout()
    assert len(lay.racks) == 3
    assert lay.racks["x_m"].dtype == np.float64
    assert lay.racks.record(1)["id"] == "R1"
    assert lay.racks.index_of("R2") == 2


def test_mutations_emit_one_change_each():
    lay = _layout()
    got: list[Change] = []
    lay.changed.connect(got.append)
    lay.move_racks(["R0"], [5.0], [6.0])
    lay.set_rack_values(["R1"], "workload", "w")
    idx, recs = lay.remove_racks(["R1"])
    lay.add_racks(recs, at=idx)
    lay.add_item("cooling_units", CoolingUnit("C1", "inrow-70", 3, 3))
    lay.update_item("cooling_units", "C1", supply_setpoint_c=21.0)
    K = ChangeKind
    assert [c.kind for c in got] == [K.RACKS_CHANGED, K.RACKS_CHANGED, K.RACKS_REMOVED,
                                     K.RACKS_ADDED, K.ITEM_ADDED, K.ITEM_CHANGED]
    assert got[0].touches_geometry and not got[1].touches_geometry
    # adding a cooling unit moves air; changing its set-point is a cooling_units item change
    assert got[4].touches_geometry and got[5].any_of(K.ITEM_CHANGED, collection="cooling_units",
                                                     field="supply_setpoint_c")
    assert lay.racks.ids.tolist() == ["R0", "R1", "R2"]
    assert lay.cooling_units["C1"].supply_setpoint_c == 21.0


def test_snapshot_is_independent():
    lay = _layout()
    snap = lay.snapshot()
    lay.move_racks(["R0"], [9.0], [9.0])
    assert snap.racks["x_m"][0] == 1.0
    assert not snap.equals(lay)


def test_rotated_bounds_and_front_vectors():
    b = geometry.plan_bounds([1.0, 1.0], [1.0, 1.0], np.array([[0.6, 1.2, 2], [0.6, 1.2, 2]]),
                             [0, 90])
    assert np.allclose(b[0], [0.7, 0.4, 1.3, 1.6])
    assert np.allclose(b[1], [0.4, 0.7, 1.6, 1.3])
    assert np.allclose(geometry.front_vectors([0, 90, 180, 270]),
                       [[0, -1], [1, 0], [0, 1], [-1, 0]])


def test_overlaps_and_outside():
    b = np.array([[0, 0, 1, 1], [0.5, 0.5, 1.5, 1.5], [1, 0, 2, 1], [5, 5, 6, 6.5]], float)
    assert geometry.overlapping_pairs(b) == [(0, 1), (1, 2)]
    assert geometry.outside_hall(b, 6, 6).tolist() == [False, False, False, True]


def test_new_id_is_fresh():
    lay = _layout()
    assert lay.new_id("R") not in lay.all_ids()


def test_unknown_collection_rejected():
    with pytest.raises(TypeError):
        Layout(bogus=[])


def test_a_batch_emits_one_merged_change_however_many_items_it_touches():
    lay = _layout()
    lay.add_item("cooling_units", CoolingUnit("C1", "inrow-70", 3, 3))
    lay.add_item("cooling_units", CoolingUnit("C2", "inrow-70", 6, 3))
    got: list[Change] = []
    lay.changed.connect(got.append)
    with lay.batch():
        lay.move_racks(["R0", "R1"], [5.0, 6.0], [6.0, 6.0])
        with lay.batch():                       # nested: joins the outer batch
            lay.update_item("cooling_units", "C1", x_m=4.0, y_m=4.0)
            lay.update_item("cooling_units", "C2", x_m=7.0, y_m=4.0)
        assert got == []                        # nothing leaves before the batch ends
    assert len(got) == 1
    ch = got[0]
    assert ch.kind is ChangeKind.BATCH
    # the two unit moves (same kind, collection and fields) merged into one part
    assert [(p.kind, p.ids, p.collection) for p in ch.elementary] == [
        (ChangeKind.RACKS_CHANGED, ("R0", "R1"), ""),
        (ChangeKind.ITEM_CHANGED, ("C1", "C2"), "cooling_units")]
    assert ch.all_ids == ("R0", "R1", "C1", "C2")
    assert ch.touches_geometry and not ch.is_reset and not ch.changes_rack_set


def test_a_batch_of_one_mutation_is_that_mutation_and_an_empty_batch_emits_nothing():
    lay = _layout()
    got: list[Change] = []
    lay.changed.connect(got.append)
    with lay.batch():
        pass
    with lay.batch():
        lay.set_rack_values(["R2"], "workload", "w")
    assert got == [Change(ChangeKind.RACKS_CHANGED, ("R2",), ("workload",))]
    assert not got[0].touches_geometry


def test_change_questions_hold_for_single_and_batched_changes():
    K = ChangeKind
    removed = Change(K.RACKS_REMOVED, ("R1",))
    edit = Change(K.ITEM_CHANGED, ("W",), ("utilisation",), "workloads")
    batch = Change.merged([edit, removed])
    assert batch is not None and batch.kind is K.BATCH
    assert batch.changes_rack_set and not edit.changes_rack_set
    assert batch.any_of(K.ITEM_CHANGED, collection="workloads", field="utilisation")
    assert not batch.any_of(K.ITEM_CHANGED, collection="workloads", field="name")
    assert not edit.touches_geometry and batch.touches_geometry
    assert Change(K.SETTINGS_CHANGED, collection="hall").touches_geometry
    assert not Change(K.SETTINGS_CHANGED, collection="site").touches_geometry
    assert Change(K.RESET).is_reset and Change.merged([]) is None


# ----- boundaries, events and colour maps (issue 24) ---------------------------------------
def test_touching_footprints_do_not_overlap():
    """Racks side by side (east face on the next one's west face) or back to back (north
    face on south face) touch without overlapping; 1 mm more and they overlap.  An overlap
    of exactly the tolerance (1e-6 m) is not an overlap either."""
    b = np.array([[0.0, 0.0, 0.6, 1.2], [0.6, 0.0, 1.2, 1.2], [0.0, 1.2, 0.6, 2.4]])
    assert geometry.overlapping_pairs(b) == []
    assert not geometry.rects_overlap(b, b)[~np.eye(3, dtype=bool)].any()
    b[1, 0], b[2, 1] = 0.599, 1.199
    assert geometry.overlapping_pairs(b) == [(0, 1), (0, 2), (1, 2)]     # 1 and 2 at a corner
    assert geometry.rects_overlap(b[[2]], b[[0]])[0, 0]
    at_tol = np.array([[-1.0, -1.0, 1e-6, 1e-6], [0.0, 0.0, 1.0, 1.0]])
    assert geometry.overlapping_pairs(at_tol) == []
    assert not geometry.rects_overlap(at_tol[[0]], at_tol[[1]])[0, 0]
    assert not geometry.rects_overlap(at_tol[[1]], at_tol[[0]])[0, 0]


def test_item_and_settings_events_name_what_changed():
    lay = _layout()
    lay.add_item("cooling_units", CoolingUnit("C1", "inrow-70", 3, 3))
    got: list[Change] = []
    lay.changed.connect(got.append)
    lay.move_racks(["R0"], [5.0], [6.0])
    lay.replace_item("cooling_units", CoolingUnit("C1", "inrow-70", 4, 3))
    old_hall = lay.hall
    assert lay.set_settings("hall", old_hall) is old_hall
    lay.remove_item("cooling_units", "C1")
    K = ChangeKind
    assert got[0].fields == ("x_m", "y_m") and got[0].touches_geometry
    assert got[1].kind is K.ITEM_CHANGED and got[1].fields == ("x_m",)
    assert got[2].kind is K.SETTINGS_CHANGED and got[2].collection == "hall"
    assert got[3].kind is K.ITEM_REMOVED and got[3].collection == "cooling_units"


def test_colour_maps_run_from_their_first_to_their_last_stop():
    from twin.model.viewstate import COLORMAPS, colormap_lut, colormap_rgba
    stops = COLORMAPS["thermal"]
    first, last = np.array(stops[0][1]) / 255, np.array(stops[-1][1]) / 255
    rgba = colormap_rgba(np.array([10.0, 30.0, 20.0, np.nan, 50.0]), 10.0, 30.0)
    assert np.allclose(rgba[0, :3], first) and np.allclose(rgba[1, :3], last)
    assert np.allclose(rgba[4, :3], last) and np.allclose(rgba[3, :3], 0.62)   # clipped, NaN
    mid = stops[3]                                       # (0.6, ...): 22 °C on 10..30
    assert np.allclose(colormap_rgba([22.0], 10.0, 30.0)[0, :3], np.array(mid[1]) / 255)
    lut = colormap_lut("power", 5)
    assert lut.dtype == np.uint8 and lut[0, :3].tolist() == list(COLORMAPS["power"][0][1])
    assert lut[-1, :3].tolist() == list(COLORMAPS["power"][-1][1])


def test_categorical_colouring_cycles_its_colours_and_greys_missing_values():
    from twin.model.viewstate import CATEGORY_COLOURS, Colouring
    c = Colouring(categories=("a", "b", "c"), colours=((255, 0, 0), (0, 255, 0), (0, 0, 255)))
    rgba = c.rgba_of(np.array([0.0, 2.0, 4.0, np.nan]))
    assert rgba.tolist() == [[1, 0, 0, 1], [0, 0, 1, 1], [0, 1, 0, 1],   # 4 % 3 = 1
                             [0.62, 0.62, 0.62, 1]]
    own = Colouring(categories=("x",))                       # default colours in turn
    assert own.category_rgb() == CATEGORY_COLOURS
    assert np.allclose(own.rgba_of(np.array([11.0]))[0, :3],
                       np.array(CATEGORY_COLOURS[11 % len(CATEGORY_COLOURS)]) / 255)
    scale = Colouring(values=np.array([10.0, 30.0]), vmin=10.0, vmax=30.0, colormap="power")
    assert np.allclose(scale.rgba()[1, :3], np.array((127, 0, 0)) / 255)   # the last stop


def test_catalogue_entries_keep_name_text_and_projected_flag():
    from twin.model.catalogue import parse_catalogue
    cat = parse_catalogue({"equipment": {"x-rack": {"kind": "rack", "name": "X rack",
                                                    "vendor": "Acme", "nameplate_kw": 40}}})
    e = cat["x-rack"]
    assert (e.name, e.kind, e.projected) == ("X rack", "rack", False)
    assert e.text == {"vendor": "Acme"}
    assert e.get("nameplate_kw") == 40.0 and e.get("missing") == 0.0


def test_colour_by_nameplate_gives_each_rack_its_models_rating():
    from twin.model.colour_by import by_nameplate_power
    lay = _layout(2)
    lay.add_racks([{"id": "S", "model": "storage-rack", "x_m": 4.0, "y_m": 2.0}])
    c = by_nameplate_power(lay)
    cat = lay.catalogue
    want = [cat["gb200-nvl72"].get("nameplate_kw")] * 2 + [cat["storage-rack"].get("nameplate_kw")]
    assert c.values.tolist() == want and c.vmax == max(want) and c.unit == "kW"
    assert want[0] != want[2]


# ----- layout mutations: the exact events, ids and messages (issue 24, mutation survivors) ----
def test_a_new_layout_is_untitled_and_an_unknown_collection_is_named():
    assert Layout().name == "Untitled layout"
    with pytest.raises(TypeError, match=r"^unknown collections: \['bogus', 'racks_x'\]$"):
        Layout(racks_x=[], bogus=[])


def test_adding_an_item_twice_names_the_collection_and_the_id():
    lay = _layout()
    lay.add_item("cooling_units", CoolingUnit("C1", "inrow-70", 3, 3))
    with pytest.raises(KeyError, match="cooling_units already has 'C1'"):
        lay.add_item("cooling_units", CoolingUnit("C1", "inrow-70", 5, 3))
    assert lay.cooling_units["C1"].x_m == 3                  # the first one stays


def test_new_id_takes_the_lowest_unused_number():
    lay = _layout(0)
    assert lay.new_id("A") == "A-1"
    lay.add_racks([{"id": "A-1", "model": "gb200-nvl72", "x_m": 1.0, "y_m": 2.0}])
    assert lay.new_id("A") == "A-2"                          # skips A-1 only
    lay.add_racks([{"id": "A-3", "model": "gb200-nvl72", "x_m": 2.0, "y_m": 2.0}])
    assert lay.new_id("A") == "A-2"                          # the gap, not after A-3
    lay.add_item("cooling_units", CoolingUnit("A-2", "inrow-70", 3, 3))   # any collection
    assert lay.new_id("A") == "A-4" and lay.new_id("B") == "B-1"


def test_adding_and_removing_racks_emit_a_change_naming_exactly_those_racks():
    lay = _layout(4)
    got: list[Change] = []
    lay.changed.connect(got.append)
    idx, records = lay.remove_racks(["R3", "R1"])
    assert idx.tolist() == [1, 3] and [r["id"] for r in records] == ["R1", "R3"]
    lay.add_racks(records, at=idx)
    lay.add_racks([{"id": "N", "model": "gb200-nvl72", "x_m": 9.0, "y_m": 2.0}])
    assert got == [Change(ChangeKind.RACKS_REMOVED, ("R1", "R3")),
                   Change(ChangeKind.RACKS_ADDED, ("R1", "R3")),
                   Change(ChangeKind.RACKS_ADDED, ("N",))]
    assert lay.racks.ids.tolist() == ["R0", "R1", "R2", "R3", "N"]


def test_removing_no_racks_and_undoing_it_leaves_the_table_as_it_was():
    lay = _layout(2)
    before = lay.racks.copy()
    idx, records = lay.remove_racks([])
    lay.add_racks(records, at=idx)                            # the undo of that removal
    assert lay.racks.equals(before) and lay.racks.index_of("R1") == 1


def test_replacing_an_item_names_its_collection_and_the_fields_that_differ():
    lay = _layout()
    lay.add_item("cooling_units", CoolingUnit("C1", "inrow-70", 3, 3))
    got: list[Change] = []
    lay.changed.connect(got.append)
    lay.replace_item("cooling_units", CoolingUnit("C1", "inrow-70", 3, 4, capacity_kw=60.0))
    assert got == [Change(ChangeKind.ITEM_CHANGED, ("C1",), ("y_m", "capacity_kw"),
                          "cooling_units")]


def test_setting_the_layouts_own_equipment_is_a_catalogue_settings_change():
    lay = _layout()
    got: list[Change] = []
    lay.changed.connect(got.append)
    old = lay.set_equipment({"my-rack": {"kind": "rack", "nameplate_kw": 33.0}})
    assert old == {} and lay.catalogue["my-rack"].get("nameplate_kw") == 33.0
    assert "my-rack" not in lay.base_catalogue
    assert got == [Change(ChangeKind.SETTINGS_CHANGED, collection="catalogue")]


def test_setting_rack_values_scalar_list_override_and_id():
    lay = _layout()
    lay.set_rack_values(["R1"], "height_m", 2.4)              # a scalar override
    lay.set_rack_values(["R0", "R2"], "power_kw", [55.0, None])   # None: back to the model
    h, p = lay.racks["height_m"], lay.racks["power_kw"]
    assert np.isnan(h[0]) and h[1] == 2.4 and np.isnan(h[2])
    assert p[0] == 55.0 and np.isnan(p[1]) and np.isnan(p[2])
    assert lay.racks.record(2)["power_kw"] is None
    lay.set_rack_values(["R1"], "id", "Z")                    # a rename re-indexes the table
    assert lay.racks.index_of("Z") == 1 and not lay.racks.has("R1")
    lay.set_rack_values(["Z"], "name", "renamed")             # other columns keep the index
    assert lay.racks.index_of("Z") == 1


def test_a_scenarios_failed_list_is_kept_as_a_tuple():
    from twin.model.equipment import Scenario
    s = Scenario("S", failed=["CDU-A", "UPS-B"])              # e.g. from JSON: a list
    assert s.failed == ("CDU-A", "UPS-B")
    assert hash(s.failed)                                     # usable as a cache key


# ----- colour-by and the current colouring --------------------------------------------------
def test_colour_by_model_labels_known_models_by_name_and_unknown_ones_by_key():
    from twin.model.colour_by import by_model
    lay = _layout(1)
    lay.add_racks([{"id": "X", "model": "zz-unknown", "x_m": 4.0, "y_m": 2.0},
                   {"id": "S", "model": "storage-rack", "x_m": 5.0, "y_m": 2.0}])
    c = by_model(lay)
    # categories sorted by key: gb200-nvl72, storage-rack, zz-unknown
    assert (c.key, c.label, c.unit) == ("model", "Rack model", "")
    assert c.categories == ("NVIDIA GB200 NVL72", "NVMe storage rack", "zz-unknown")
    assert c.values.tolist() == [0.0, 2.0, 1.0] and (c.vmin, c.vmax) == (0, 2)


def test_colour_by_nameplate_is_keyed_from_zero_and_unknown_models_have_no_value():
    from twin.model.colour_by import STATIC_COLOURINGS, by_nameplate_power
    lay = _layout(1)
    lay.add_racks([{"id": "X", "model": "zz-unknown", "x_m": 4.0, "y_m": 2.0}])
    c = by_nameplate_power(lay)
    assert (c.key, c.label, c.unit, c.colormap) == ("nameplate_kw", "Rack nameplate power",
                                                    "kW", "power")
    assert STATIC_COLOURINGS[c.key] is by_nameplate_power
    assert c.vmin == 0.0 and c.vmax == lay.catalogue["gb200-nvl72"].get("nameplate_kw")
    assert c.values[0] == c.vmax and np.isnan(c.values[1])


def test_the_current_colouring_starts_as_colour_by_model_and_follows_set():
    from twin.model.viewstate import Colouring, RackColouring
    rc = RackColouring()
    assert isinstance(rc.current, Colouring) and rc.current.key == "model"
    got = []
    rc.changed.connect(got.append)
    new = Colouring("nameplate_kw", "Rack nameplate power", "kW")
    rc.set(new)
    assert rc.current is new and got == [new]


# ----- overlap scan against its definition (rects_overlap on every pair) ----------------------
def _brute_pairs(b, tol_m=1e-6):
    hit = geometry.rects_overlap(b, b, tol_m)
    return [(i, j) for i in range(len(b)) for j in range(i + 1, len(b)) if hit[i, j]]


def _random_rects(rng, n, w_range, d_range, span):
    """n rectangles x0, y0, x1, y1: centres in a span[0] x span[1] area, widths (x) and depths
    (y) drawn apart, so that a swapped x/y or a dropped side shows."""
    c = rng.uniform((0, 0), span, size=(n, 2))
    ext = np.column_stack([rng.uniform(*w_range, n), rng.uniform(*d_range, n)])
    return np.column_stack([c - ext / 2, c + ext / 2])


@pytest.mark.parametrize("sizes", ["similar", "very different"])
def test_overlap_scan_equals_the_pairwise_definition(sizes):
    rng = np.random.default_rng(24)
    for _ in range(20):
        if sizes == "similar":        # racks: binned into cells (largest / smallest < 8)
            b = _random_rects(rng, 60, (0.5, 0.8), (1.0, 1.4), (8.0, 5.0))
        else:                         # a 6 m x 0.3 m busway among 0.3 m boxes: the sweep
            b = np.vstack([_random_rects(rng, 40, (0.2, 0.4), (0.2, 0.4), (8.0, 5.0)),
                           _random_rects(rng, 4, (5.0, 7.0), (0.2, 0.3), (8.0, 5.0)),
                           _random_rects(rng, 4, (0.2, 0.3), (3.0, 5.0), (8.0, 5.0))])
        want = _brute_pairs(b)
        scan = geometry.overlap_scan(b)
        assert scan.pairs == want and scan.complete
        mask = np.zeros(len(b), bool)
        mask[[i for p in want for i in p]] = True
        assert scan.overlapping.tolist() == mask.tolist()
        assert want                                           # the case is not trivial


def test_overlap_scan_across_cells_overlap_of_exactly_the_tolerance_is_none():
    """Two 1 m squares in neighbouring cells overlapping along x by exactly tol (0.25 m, exact
    in binary): not an overlap; 0.3 m: an overlap. Same along y."""
    for axis in (0, 1):
        b = np.array([[0.0, 0.0, 1.0, 1.0], [0.75, 0.0, 1.75, 1.0]])
        if axis:
            b = b[:, [1, 0, 3, 2]]
        assert geometry.overlap_scan(b, tol_m=0.25).pairs == [] == _brute_pairs(b, 0.25)
        b[1, [axis, axis + 2]] -= 0.05
        assert geometry.overlap_scan(b, tol_m=0.25).pairs == [(0, 1)] == _brute_pairs(b, 0.25)


def test_overlap_scan_with_a_limit_lists_that_many_pairs_and_says_it_stopped():
    b = np.tile([2.0, 2.0, 2.6, 3.2], (4, 1))                # 4 racks on one spot: 6 pairs
    every = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    at = geometry.overlap_scan(b, limit=6)                    # the limit = the pair count
    assert at.pairs == every and at.complete
    for limit in (5, 3):
        cut = geometry.overlap_scan(b, limit=limit)
        assert len(cut.pairs) == limit and set(cut.pairs) < set(every) and not cut.complete
        assert cut.overlapping.all()                          # who overlaps stays exact


def test_a_crowded_cell_beside_a_lone_footprint_is_compared_both_ways():
    """70 racks on one spot with one rack overlapping it from the west and one from the
    east, in cells of their own (a 0.4 m box far away makes the cells 0.4 m): the cell
    pairs (1, 70) and (70, 1) are compared, every pair is listed when the limit allows, the
    same as the definition."""
    stack = np.tile([5.0, 5.0, 6.0, 6.0], (70, 1))
    west, east = [4.2, 5.2, 5.2, 6.2], [5.8, 4.9, 6.8, 5.9]
    b = np.vstack([[[0.2, 0.2, 0.6, 0.6], west], stack, [east]])
    scan = geometry.overlap_scan(b, limit=10**6)
    want = _brute_pairs(b)
    assert len(want) == 70 * 69 // 2 + 70 + 70   # in the stack, stack-west, stack-east
    assert scan.pairs == want and scan.complete
    assert scan.overlapping.tolist() == [False] + [True] * 72     # all but the far box


# ----- mutation survivors (layout.py: add_item, item_bounds_m, set_settings) -----------------
def test_adding_an_item_at_an_index_puts_it_there_and_names_it_in_the_change():
    """``at`` is the undo of a removal: the item goes back to its old place, not the end;
    the ITEM_ADDED change names the item's id and its collection."""
    lay = _layout()
    lay.add_item("cooling_units", CoolingUnit("C1", "inrow-70", 3, 3))
    lay.add_item("cooling_units", CoolingUnit("C2", "inrow-70", 5, 3))
    got: list[Change] = []
    lay.changed.connect(got.append)
    index, item = lay.remove_item("cooling_units", "C1")
    lay.add_item("cooling_units", item, at=index)            # undo: back to the front
    assert index == 0 and list(lay.cooling_units) == ["C1", "C2"]
    assert got[1] == Change(ChangeKind.ITEM_ADDED, ("C1",), collection="cooling_units")
    assert got[1].all_ids == ("C1",)


def test_item_bounds_of_given_items_cover_those_items_only():
    """With ``items`` given (e.g. not yet in the layout), only those are measured. An
    inrow-70 is 0.3 m wide and 1.2 m deep (catalogue); unrotated at (3, 3) it spans
    x 2.85..3.15 and y 2.4..3.6."""
    lay = _layout()
    lay.add_item("cooling_units", CoolingUnit("C1", "inrow-70", 9.0, 9.0))
    new = CoolingUnit("C2", "inrow-70", 3.0, 3.0)
    b = lay.item_bounds_m("cooling_units", [new])
    assert list(b) == ["C2"]
    assert np.allclose(b["C2"], (2.85, 2.4, 3.15, 3.6))
    assert lay.item_bounds_m("cooling_units", []) == {}       # none given: none measured


def test_an_unknown_settings_block_is_named_in_the_key_error():
    lay = _layout()
    with pytest.raises(KeyError) as err:
        lay.set_settings("bogus", None)
    assert err.value.args == ("bogus",)
