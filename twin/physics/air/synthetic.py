"""Synthetic air scenes for tests and benchmarks (no layout model needed).

``room``: one cold aisle between two facing rows on a raised floor, two
perimeter CRAHs at the aisle ends' walls.  ``hall``: pairs of rows (cold
aisle between the pair, hot aisles between pairs), perimeter CRAHs along the
west and east walls, optionally contained cold aisles.  ``door_hall``: a
slab-floor hall of racks with rear doors and doorless racks at the row ends.
``chimney_room``: two rows back to back around a contained hot aisle whose
panels reach the ceiling of a ceiling-return room.  ``supply_ratio`` =
CRAH (= tile) airflow / total rack airflow.
"""

from __future__ import annotations

import numpy as np

from ..fluids import AIR
from .scene import AirScene, Containment, CoolingUnits, Hall, Racks, SolverSettings, Tiles

__all__ = ["room", "hall", "door_hall", "chimney_room", "rack_airflow_m3s"]

RACK_W, RACK_D = 0.6, 1.2


def rack_airflow_m3s(air_heat_w, delta_t_k):
    return np.asarray(air_heat_w, float) / (AIR.volumetric_cp_jm3k * delta_t_k)


def _rows(n_pairs: int, per_row: int, x0: float, y0: float, height: float,
          air_kw: float, dt_k: float):
    """Racks of n_pairs facing row pairs; returns racks, tile centres, aisle rects."""
    centers, rots, tiles, aisles = [], [], [], []
    xs = x0 + RACK_W * (np.arange(per_row) + 0.5)
    pitch = 2 * RACK_D + 2 * 1.2            # row, cold aisle, row, hot aisle
    for p in range(n_pairs):
        ys = y0 + p * pitch
        south = ys + RACK_D / 2             # south row faces north (front +y)
        north = ys + RACK_D + 1.2 + RACK_D / 2
        centers += [np.stack([xs, np.full(per_row, south)], 1), np.stack([xs, np.full(per_row, north)], 1)]
        rots += [np.full(per_row, 180.0), np.zeros(per_row)]
        for ty in (ys + RACK_D + 0.3, ys + RACK_D + 0.9):
            tiles.append(np.stack([xs, np.full(per_row, ty)], 1))
        aisles.append([x0, ys + RACK_D, x0 + per_row * RACK_W, ys + RACK_D + 1.2])
    n = 2 * n_pairs * per_row
    heat = np.full(n, air_kw * 1e3)
    racks = Racks(np.concatenate(centers), np.tile([RACK_W, RACK_D, height], (n, 1)),
                  np.concatenate(rots), rack_airflow_m3s(heat, dt_k), heat)
    return racks, np.concatenate(tiles), np.array(aisles)


def _crahs(n_per_wall: int, width: float, length: float, y_lo: float, y_hi: float,
           airflow_each: float, capacity_each: float, setpoint: float):
    ys = np.linspace(y_lo, y_hi, n_per_wall + 2)[1:-1] if n_per_wall > 1 else np.array([(y_lo + y_hi) / 2])
    centers = np.concatenate([np.stack([np.full(len(ys), 0.5), ys], 1),
                              np.stack([np.full(len(ys), width - 0.5), ys], 1)])
    n = len(centers)
    return CoolingUnits(("crah",) * n, centers, np.tile([1.2, 1.0, 2.0], (n, 1)),
                        np.concatenate([np.full(len(ys), 90.0), np.full(len(ys), 270.0)]),
                        np.full(n, airflow_each), np.full(n, capacity_each), np.full(n, setpoint))


def room(n_racks: int = 20, supply_ratio: float = 1.1, rack_air_kw: float = 10.0,
         rack_dt_k: float = 12.0, supply_c: float = 18.0, capacity_margin: float = 1.5,
         ceiling_return: bool = False, containment: str | None = None,
         settings: SolverSettings | None = None) -> AirScene:
    """A small raised-floor room: one cold aisle between two rows of n_racks/2."""
    per_row = max(1, n_racks // 2)
    margin = 2.4
    width = per_row * RACK_W + 2 * margin
    length = 1.8 + 2 * RACK_D + 1.2 + 1.8
    racks, tiles, aisles = _rows(1, per_row, margin, 1.8, 2.2, rack_air_kw, rack_dt_k)
    total = racks.airflow_m3s.sum() * supply_ratio
    heat = racks.air_heat_w.sum()
    units = _crahs(1, width, length, 0.0, length, total / 2, capacity_margin * heat / 2, supply_c)
    cont = _containment(aisles, containment, 2.2)
    return AirScene(Hall(width, length, 3.3, raised_floor=True, ceiling_return=ceiling_return),
                    racks, units, Tiles(tiles, 0.6, np.full(len(tiles), 0.25)), cont,
                    settings or SolverSettings())


def hall(rows: int = 14, racks_per_row: int = 100, supply_ratio: float = 1.1,
         rack_air_kw: float = 18.0, rack_dt_k: float = 12.0, supply_c: float = 18.0,
         crahs_per_wall: int = 30, capacity_margin: float = 1.3,
         containment: str | None = None, settings: SolverSettings | None = None) -> AirScene:
    """A GB200-class hall: ``rows`` rows (pairs facing a cold aisle) of 0.6×1.2×2.3 m racks."""
    n_pairs = max(1, rows // 2)
    margin_x, margin_y = 3.0, 1.8
    width = racks_per_row * RACK_W + 2 * margin_x
    pitch = 2 * RACK_D + 2 * 1.2
    length = n_pairs * pitch - 1.2 + 2 * margin_y
    racks, tiles, aisles = _rows(n_pairs, racks_per_row, margin_x, margin_y, 2.3, rack_air_kw, rack_dt_k)
    total = racks.airflow_m3s.sum() * supply_ratio
    n_units = 2 * crahs_per_wall
    heat = racks.air_heat_w.sum()
    units = _crahs(crahs_per_wall, width, length, 0.0, length, total / n_units,
                   capacity_margin * heat / n_units, supply_c)
    cont = _containment(aisles, containment, 2.3)
    return AirScene(Hall(width, length, 3.6, raised_floor=True), racks, units,
                    Tiles(tiles, 0.6, np.full(len(tiles), 0.25)), cont, settings or SolverSettings())


def _containment(aisles: np.ndarray, kind: str | None, height: float) -> Containment:
    if kind is None:
        return Containment(np.zeros((0, 4)), (), np.zeros(0), np.zeros(0, bool), np.zeros(0, bool))
    k = len(aisles)
    return Containment(aisles, (kind,) * k, np.full(k, height), np.ones(k, bool), np.ones(k, bool))


def door_hall(rows: int = 4, racks_per_row: int = 12, rack_air_kw: float = 18.0,
              door_kw: float = 55.0, water_c: float = 24.0, end_rack_air_kw: float = 14.0,
              crahs_per_wall: int = 3, crah_airflow_m3s: float = 10.5, crah_kw: float = 150.0,
              crah_fan_kw: float = 7.5, supply_c: float = 22.0,
              settings: SolverSettings | None = None) -> AirScene:
    """Slab-floor hall: rows of racks with rear doors (``door_kw`` at ``water_c``)
    and one doorless rack at each row end; perimeter CRAHs blow horizontally."""
    n_pairs = max(1, rows // 2)
    margin_x, margin_y = 3.0, 1.8
    width = (racks_per_row + 2) * RACK_W + 2 * margin_x
    length = n_pairs * (2 * RACK_D + 2 * 1.2) - 1.2 + 2 * margin_y
    r, _, _ = _rows(n_pairs, racks_per_row + 2, margin_x, margin_y, 2.3, rack_air_kw, 12.0)
    per_row = racks_per_row + 2
    end = np.zeros(r.n, bool)
    end[per_row - 1::per_row] = True
    heat = np.where(end, end_rack_air_kw * 1e3, r.air_heat_w)
    racks = Racks(r.center_xy_m, r.size_m, r.rotation_deg, rack_airflow_m3s(heat, 12.0), heat,
                  np.where(end, 0.0, door_kw * 1e3), np.full(r.n, water_c))
    u = _crahs(crahs_per_wall, width, length, 0.0, length, crah_airflow_m3s, crah_kw * 1e3, supply_c)
    units = CoolingUnits(u.kind, u.center_xy_m, u.size_m, u.rotation_deg, u.airflow_m3s,
                         u.capacity_w, u.supply_setpoint_c, fan_heat_w=np.full(u.n, crah_fan_kw * 1e3))
    return AirScene(Hall(width, length, 4.5, raised_floor=False), racks, units,
                    settings=settings or SolverSettings())


def chimney_room(racks_per_row: int = 10, supply_ratio: float = 1.15, rack_air_kw: float = 12.0,
                 supply_c: float = 22.0, height_m: float = 4.0,
                 settings: SolverSettings | None = None) -> AirScene:
    """Ceiling-return room, slab floor: two rows back to back around a hot aisle
    contained with end doors and panels up to the ceiling (no roof); CRAHs at
    the west and east walls blow into the cold aisles."""
    margin_x, margin_y = 3.0, 2.4
    width = racks_per_row * RACK_W + 2 * margin_x
    length = 2 * RACK_D + 1.2 + 2 * margin_y
    xs = margin_x + RACK_W * (np.arange(racks_per_row) + 0.5)
    south, north = margin_y + RACK_D / 2, margin_y + RACK_D + 1.2 + RACK_D / 2
    centers = np.concatenate([np.stack([xs, np.full(racks_per_row, south)], 1),
                              np.stack([xs, np.full(racks_per_row, north)], 1)])
    rots = np.concatenate([np.zeros(racks_per_row), np.full(racks_per_row, 180.0)])   # backs inward
    n = 2 * racks_per_row
    heat = np.full(n, rack_air_kw * 1e3)
    racks = Racks(centers, np.tile([RACK_W, RACK_D, 2.0], (n, 1)), rots,
                  rack_airflow_m3s(heat, 12.0), heat)
    total = racks.airflow_m3s.sum() * supply_ratio
    units = _crahs(1, width, length, margin_y, length - margin_y, total / 2, 1.5 * heat.sum() / 2,
                   supply_c)
    aisle = [[margin_x, margin_y + RACK_D, margin_x + racks_per_row * RACK_W, margin_y + RACK_D + 1.2]]
    cont = Containment(np.array(aisle), ("hot_aisle",), np.array([height_m]), np.array([False]),
                       np.array([True]))
    return AirScene(Hall(width, length, height_m, raised_floor=False, ceiling_return=True),
                    racks, units, containment=cont, settings=settings or SolverSettings())
