"""The rack table (twin/model/racks.py): column types and inserting racks."""

import numpy as np

from twin.model.racks import RACK_FIELDS, RackTable


def _plain_columns(ids, xs):
    """Columns as plain Python lists, as a caller building a table by hand would pass them."""
    n = len(ids)
    cols = {k: [""] * n if t is object else [0] * n for k, t in RACK_FIELDS.items()}
    cols["id"], cols["model"], cols["x_m"] = list(ids), ["gb200-nvl72"] * n, list(xs)
    return cols


def test_columns_given_as_lists_take_the_field_types():
    """The constructor casts every column to its ``RACK_FIELDS`` type: integer positions
    become float64 (so a later 1.5 m move is not truncated to 1) and ids become object
    strings (so a longer id inserted later is not cut to the width of the first ones)."""
    table = RackTable(_plain_columns(["R0", "R1"], [1, 2]))
    assert {k: table[k].dtype for k in RACK_FIELDS} == {
        k: np.dtype(t) for k, t in RACK_FIELDS.items()}
    table.set_values(np.array([0]), "x_m", 1.5)
    assert table["x_m"].tolist() == [1.5, 2.0]
    table.insert(np.array([2]), [{"id": "R100", "model": "gb200-nvl72", "x_m": 3.0}])
    assert table.ids.tolist() == ["R0", "R1", "R100"] and table.index_of("R100") == 2
