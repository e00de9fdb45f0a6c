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
