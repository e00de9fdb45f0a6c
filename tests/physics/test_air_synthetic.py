"""The synthetic air scenes (``twin.physics.air.synthetic``) used by the benchmarks and the
air tests: their racks stand inside their hall, and the settings passed are the ones used."""

import numpy as np
import pytest

from twin.physics.air import SolverSettings
from twin.physics.air.synthetic import chimney_room, door_hall, hall, room


def _extent(sc):
    """Plan bounds (x0, y0, x1, y1) of all racks (0.6 × 1.2 m, any of the four rotations)."""
    r = sc.racks
    turned = np.isin(np.asarray(r.rotation_deg) % 180, [90])
    half = np.where(turned[:, None], r.size_m[:, [1, 0]], r.size_m[:, :2]) / 2
    lo, hi = r.center_xy_m - half, r.center_xy_m + half
    return lo[:, 0].min(), lo[:, 1].min(), hi[:, 0].max(), hi[:, 1].max()


def _inside_and_centred(sc):
    """The racks lie in the hall, with the same margin at the west and east walls."""
    x0, y0, x1, y1 = _extent(sc)
    w, L = sc.hall.width_m, sc.hall.length_m
    return bool(x0 >= 0 and y0 >= 0 and x1 <= w and y1 <= L and abs(x0 - (w - x1)) < 1e-9)


def test_hall_holds_its_rows_of_racks():
    """4 rows (2 pairs) of 5 racks: 20 racks, 0.6 m wide, 3 m margins east and west."""
    sc = hall(rows=4, racks_per_row=5, crahs_per_wall=2)
    assert sc.racks.n == 20 and _inside_and_centred(sc)
    assert sc.hall.width_m == pytest.approx(5 * 0.6 + 2 * 3.0)
    assert sc.hall.raised_floor


def test_door_hall_fits_the_doorless_end_racks_of_each_row():
    """2 rows of 6 racks with doors plus the doorless end racks: the rows fit in the hall."""
    sc = door_hall(rows=2, racks_per_row=6, crahs_per_wall=1)
    assert _inside_and_centred(sc)
    doorless = sc.racks.air_heat_w == 14e3
    assert doorless.sum() >= 2 and sc.racks.n == 2 * (6 + 2)


@pytest.mark.parametrize("make", [room, hall, door_hall, chimney_room])
def test_scenes_use_the_settings_passed(make):
    st = SolverSettings(buoyancy=False, thermal_rtol=1e-6)
    kw = {"rows": 2, "racks_per_row": 3} if make in (hall, door_hall) else {}
    assert make(settings=st, **kw).settings is st
    assert make(**kw).settings == SolverSettings()
