"""The layout model: rack table, mutations, events, geometry, snapshots."""

import numpy as np
import pytest

from twin.model import Change, CoolingUnit, Layout, RackTable, Workload
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
    assert [c.kind for c in got] == ["racks_changed", "racks_changed", "racks_removed",
                                     "racks_added", "item_added", "item_changed"]
    assert got[0].touches_geometry and not got[1].touches_geometry
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
