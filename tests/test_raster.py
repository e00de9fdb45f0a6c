"""The plan raster (twin/engine/raster.py): how many 0.3 m cells cover a hall."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from twin.engine.raster import RASTER_M, raster_shape


def _hall(width_m: float, length_m: float):
    return SimpleNamespace(hall=SimpleNamespace(width_m=width_m, length_m=length_m))


@pytest.mark.parametrize("width_m, length_m, expected", [
    (10.8, 14.4, (48, 36)),      # 10.8 / 0.3 is 36.000000000000004 in floating point: 36
    (10.9, 0.3, (1, 37)),        # a part cell counts; exactly one cell is one
    (0.2, 0.1, (1, 1)),          # narrower than a cell: still one cell each way
])
def test_a_hall_is_covered_by_whole_cells_and_at_least_one(width_m, length_m, expected):
    assert RASTER_M == 0.3
    assert raster_shape(_hall(width_m, length_m)) == expected
