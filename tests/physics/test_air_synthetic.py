"""The synthetic air scenes (``twin.physics.air.synthetic``) used by the benchmarks and the
air tests: their racks stand inside their hall, the settings passed are the ones used, and
their geometry and flows are the ones worked out by hand from their docstrings (so a wrong
room cannot make those tests pass for the wrong reason)."""

import numpy as np
import pytest

from twin.physics.air import SolverSettings
from twin.physics.air.synthetic import RACK_D, RACK_W, chimney_room, door_hall, hall, rack_airflow_m3s, room
from twin.physics.fluids import AIR


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


def test_the_default_hall_is_the_benchmark_hall_of_1400_racks():
    """The defaults are the benchmark's GB200-class hall (docs: tests/bench): 14 rows of
    100 racks, 100 × 0.6 + 2 × 3 = 66 m wide, 30 CRAHs a wall."""
    sc = hall()
    assert sc.racks.n == 1400 and sc.cooling.n == 60
    assert sc.hall.width_m == pytest.approx(66.0)


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



def test_rack_airflow_is_heat_over_rho_cp_dt():
    # 12 kW at 12 K: V = 12e3 / (ρc_p · 12) m³/s
    assert rack_airflow_m3s(12e3, 12.0) == pytest.approx(1e3 / AIR.volumetric_cp_jm3k)


def test_room_geometry_and_flows_by_hand():
    sc = room(8, supply_ratio=1.2, rack_air_kw=10.0, rack_dt_k=10.0)
    # 4 racks a row: width = 4·0.6 + 2·2.4 = 7.2 m; length = 1.8 + 2·1.2 + 1.2 + 1.8 = 7.2 m
    assert (sc.hall.width_m, sc.hall.length_m, sc.hall.height_m) == pytest.approx((7.2, 7.2, 3.3))
    assert sc.hall.raised_floor and not sc.hall.ceiling_return
    r = sc.racks
    assert r.n == 8
    # x centres 2.4 + 0.3 + 0.6 k; south row at 1.8 + 0.6 = 2.4 facing north (180°),
    # north row at 1.8 + 1.2 + 1.2 + 0.6 = 4.8 facing south (0°)
    assert r.center_xy_m[:4, 0] == pytest.approx([2.7, 3.3, 3.9, 4.5])
    assert r.center_xy_m[:4, 1] == pytest.approx([2.4] * 4) and r.center_xy_m[4:, 1] == pytest.approx([4.8] * 4)
    assert list(r.rotation_deg) == [180.0] * 4 + [0.0] * 4
    assert r.size_m[0] == pytest.approx([RACK_W, RACK_D, 2.2])
    v_rack = 10e3 / (AIR.volumetric_cp_jm3k * 10.0)
    assert r.airflow_m3s == pytest.approx([v_rack] * 8)
    # two CRAHs, one a wall, each supplying half of 1.2 × the racks' airflow, 1.5 × heat / 2
    u = sc.cooling
    assert u.n == 2 and u.airflow_m3s == pytest.approx([1.2 * 8 * v_rack / 2] * 2)
    assert u.capacity_w == pytest.approx([1.5 * 80e3 / 2] * 2)
    assert u.center_xy_m == pytest.approx(np.array([[0.5, 3.6], [6.7, 3.6]]))
    assert u.supply_setpoint_c == pytest.approx([18.0, 18.0])
    # two rows of tiles under the aisle (y = 3.0 + 0.3 and + 0.9), one per rack, 25 % open
    t = sc.tiles
    assert len(t.center_xy_m) == 8 and sorted(set(np.round(t.center_xy_m[:, 1], 6))) == [3.3, 3.9]
    assert t.open_fraction == pytest.approx([0.25] * 8)
    assert sc.containment.n == 0


def test_hall_geometry_by_hand():
    sc = hall(rows=4, racks_per_row=5, crahs_per_wall=2, supply_ratio=1.0, rack_air_kw=18.0)
    # 2 row pairs; pitch = 2·1.2 + 2·1.2 = 4.8 m; width = 5·0.6 + 2·3 = 9 m;
    # length = 2·4.8 − 1.2 + 2·1.8 = 12 m
    assert (sc.hall.width_m, sc.hall.length_m, sc.hall.height_m) == pytest.approx((9.0, 12.0, 3.6))
    r = sc.racks
    assert r.n == 20
    rows_y = sorted(set(np.round(r.center_xy_m[:, 1], 6)))
    # pair 0 at y0 = 1.8: rows at 2.4 and 4.8; pair 1 four point eight further on
    assert rows_y == pytest.approx([2.4, 4.8, 7.2, 9.6])
    # 4 CRAHs: 2 a wall at y = 12·(1/3) and 12·(2/3), x = 0.5 and 8.5; all the racks' air
    u = sc.cooling
    assert u.n == 4
    assert sorted(map(tuple, np.round(u.center_xy_m, 6))) == [(0.5, 4.0), (0.5, 8.0), (8.5, 4.0), (8.5, 8.0)]
    assert u.airflow_m3s.sum() == pytest.approx(r.airflow_m3s.sum())
    assert u.capacity_w == pytest.approx([1.3 * 20 * 18e3 / 4] * 4)
    assert sc.tiles.open_fraction == pytest.approx([0.25] * 20)
    cont = hall(rows=4, racks_per_row=5, crahs_per_wall=2, containment="cold_aisle").containment
    # one cold aisle a pair, 1.2 m between the rows: y 3.0-4.2 and 7.8-9.0, x 3-6
    assert cont.rect_m == pytest.approx(np.array([[3.0, 3.0, 6.0, 4.2], [3.0, 7.8, 6.0, 9.0]]))
    assert cont.kind == ("cold_aisle", "cold_aisle") and cont.end_doors.all()


def test_chimney_room_by_hand():
    sc = chimney_room(racks_per_row=4, supply_ratio=1.15, rack_air_kw=12.0, height_m=4.0)
    # width = 4·0.6 + 2·3 = 8.4 m; length = 2·1.2 + 1.2 + 2·2.4 = 8.4 m; ceiling return, slab
    assert (sc.hall.width_m, sc.hall.length_m) == pytest.approx((8.4, 8.4))
    assert sc.hall.ceiling_return and not sc.hall.raised_floor
    # backs inward: the south row (y = 3.0) faces south (0°), the north row (y = 5.4) north
    r = sc.racks
    assert list(r.rotation_deg) == [0.0] * 4 + [180.0] * 4
    assert r.center_xy_m[:, 1] == pytest.approx([3.0] * 4 + [5.4] * 4)
    # the two CRAHs between y 2.4 and 6.0 (centre 4.2) share 1.15 × the racks' airflow
    u = sc.cooling
    assert u.airflow_m3s == pytest.approx([1.15 * r.airflow_m3s.sum() / 2] * 2)
    assert u.center_xy_m[:, 1] == pytest.approx([4.2, 4.2])
    # the hot aisle contained to the ceiling, end doors, no roof
    c = sc.containment
    assert c.kind == ("hot_aisle",) and c.rect_m == pytest.approx(np.array([[3.0, 3.6, 5.4, 4.8]]))
    assert c.height_m == pytest.approx([4.0]) and c.end_doors.all() and not c.roof.any()


def test_hall_racks_are_2_3_m_tall():
    """The docstring promises 0.6 × 1.2 × 2.3 m racks (GB200 class)."""
    sc = hall(rows=2, racks_per_row=3, crahs_per_wall=1)
    assert sc.racks.size_m == pytest.approx(np.tile([0.6, 1.2, 2.3], (6, 1)))


def test_door_hall_is_a_4_5_m_slab_floor_hall():
    """The rear-door hall: slab floor (no raised floor) under a 4.5 m ceiling, 2.3 m racks;
    width = (6 + 2 doorless end racks)·0.6 + 2·3 = 10.8 m, length = 2·1.2 + 1.2 + 2·1.8 = 7.2 m."""
    sc = door_hall(rows=2, racks_per_row=6, crahs_per_wall=1)
    h = sc.hall
    assert (h.width_m, h.length_m, h.height_m) == pytest.approx((10.8, 7.2, 4.5))
    assert not h.raised_floor
    assert sc.racks.size_m[:, 2] == pytest.approx([2.3] * sc.racks.n)
