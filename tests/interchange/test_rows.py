"""Rack rows from the geometry (``twin.interchange.rows.rack_rows``): every rack in one
row, rows split at gaps and joined across in-row equipment, by rotation, named by the ids'
common prefix or "Row N"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interchange.scene_layouts import LAYOUTS, pod
from twin.interchange.rows import id_prefix, rack_rows
from twin.io import load_layout
from twin.model import Layout
from twin.model.equipment import Cdu, Hall
from twin.model.racks import RackTable


def _layout(racks: list[tuple[str, float, float, int]], **items) -> Layout:
    table = RackTable.from_records([{"id": i, "model": "gb200-nvl72", "x_m": x, "y_m": y,
                                     "rotation_deg": r} for i, x, y, r in racks])
    return Layout(hall=Hall(width_m=30, length_m=30), racks=table, **items)


@pytest.mark.parametrize("sample", sorted(p.name for p in LAYOUTS.glob("*.json")))
def test_every_rack_is_in_exactly_one_row(sample):
    lay = load_layout(Path(LAYOUTS) / sample)
    rows = rack_rows(lay)
    indices = [i for r in rows for i in r.racks]
    assert sorted(indices) == list(range(len(lay.racks)))
    for r in rows:
        assert r.ids == tuple(str(lay.racks.ids[i]) for i in r.racks)
        assert len({int(lay.racks["rotation_deg"][i]) for i in r.racks}) == 1


def test_pod_rows_join_across_in_row_coolers():
    rows = rack_rows(pod())
    assert [(r.name, len(r), r.rotation_deg, r.axis) for r in rows] == [
        ("A", 10, 0, "x"), ("B", 10, 180, "x")]
    assert rows[0].ids[:3] == ("A01", "A02", "A03")          # in order along x
    assert rows[0].ids[4:6] == ("A-IB1", "A-IB2")


def test_hyperscale_rows_are_named_by_prefix():
    rows = rack_rows(load_layout(LAYOUTS / "hyperscale-hall.json"))
    assert [r.name for r in rows] == [f"R{k:02d}" for k in range(1, 21)]
    assert all(len(r) == 72 for r in rows)


def test_gap_splits_a_row_and_equipment_in_it_joins():
    racks = [("X1", 1.0, 5.0, 0), ("X2", 1.6, 5.0, 0), ("X3", 3.0, 5.0, 0)]
    split = rack_rows(_layout(racks))
    assert [r.ids for r in split] == [("X1", "X2"), ("X3",)]
    assert [r.name for r in split] == ["Row 1", "Row 2"]      # both would be "X"
    cdu = Cdu("CDU-1", "cdu-inrow-1350", 2.3, 5.0)            # 1.9 .. 2.7 fills the gap
    joined = rack_rows(_layout(racks, cdus=[cdu]))
    assert [r.ids for r in joined] == [("X1", "X2", "X3")]
    assert joined[0].name == "X"


def test_rotation_and_line_separate_rows_and_order_is_south_to_north():
    racks = [("N-1", 1.0, 9.0, 180), ("N-2", 1.6, 9.0, 180),
             ("S-1", 1.6, 2.0, 0), ("S-2", 1.0, 2.0, 0),
             ("E-1", 20.0, 4.0, 90), ("E-2", 20.0, 4.6, 90),
             ("W-1", 20.0, 5.2, 270)]
    rows = rack_rows(_layout(racks))
    assert [r.name for r in rows] == ["S", "E", "W", "N"]
    assert rows[0].ids == ("S-2", "S-1")
    assert rows[1].axis == "y" and rows[1].ids == ("E-1", "E-2")
    assert rows[2].ids == ("W-1",)


def test_id_prefix():
    assert id_prefix(("R01-01", "R01-02", "R01-24")) == "R01"
    assert id_prefix(("A01", "A08", "A-IB1")) == "A"
    assert id_prefix(("R10", "R11")) == "R"          # never half a number
    assert id_prefix(("ROW3.1", "ROW3.2")) == "ROW3"
    assert id_prefix(("R01-01",)) == "R01"
    assert id_prefix(("1", "2")) == ""
    assert id_prefix(()) == ""


def test_empty_layout_has_no_rows():
    assert rack_rows(Layout()) == []
