"""Measured rack inlet temperatures from a CSV file (for ``twin calibrate``).

Format (header row, names case-insensitive, any column order, ``,`` or ``;``):

| column | meaning |
|---|---|
| ``rack`` | rack id the sensor sits on (or give ``x_m``, ``y_m`` instead) |
| ``x_m``, ``y_m`` | plan position of the sensor (m); it belongs to the rack whose intake face centre is nearest (within 1.5 m) |
| ``z_m`` | sensor height above the floor (m); empty: the rack's mean inlet |
| ``value_c`` (or ``value``) | measured air temperature, °C |
| ``time`` | when it was read (any text); readings of one sensor are averaged (the model is steady) |

A sensor is one (rack, height); several rows of it (times) are averaged.  Other columns
(a sensor name, notes) are ignored and listed as such, except one whose name is close to
a known one (``zm``, ``tiem``, ``valeu_c``): that is taken for a misspelling and refused,
since dropping it would silently change what is fitted (a height lost makes a sensor a
rack's mean inlet).
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass

import numpy as np

from twin.io.capped import ReadRefused, read_capped

from .errors import InterchangeError

__all__ = ["SensorReadings", "read_sensors", "MAX_SENSOR_BYTES"]

MAX_SENSOR_BYTES = 64 * 2 ** 20
MATCH_DISTANCE_M = 1.5
#: the columns the reader knows
COLUMNS = ("rack", "x_m", "y_m", "z_m", "value_c", "value", "time")


@dataclass(frozen=True)
class SensorReadings:
    """One row per sensor: its rack (index into the given ids), height (NaN: mean inlet),
    mean measured value and how many readings were averaged; ``labels`` name them."""

    rack: np.ndarray
    z_m: np.ndarray
    value_c: np.ndarray
    readings: np.ndarray
    labels: list[str]
    ignored_columns: tuple[str, ...] = ()


def _number(text: str, file: str, line: int, column: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise InterchangeError(file, f"line {line}: {column} {text!r} is not a number") from None
    if not np.isfinite(v):
        raise InterchangeError(file, f"line {line}: {column} must be finite")
    return v


def read_sensors(path: str, rack_ids: list[str], intake_xy_m: np.ndarray) -> SensorReadings:
    """Readings of ``path`` matched to racks (``intake_xy_m``: each rack's intake face
    centre, for sensors given by position)."""
    try:
        raw = read_capped(path, MAX_SENSOR_BYTES, "a sensor CSV file")
    except ReadRefused as exc:
        raise InterchangeError(path, str(exc)) from None
    except OSError as exc:
        raise InterchangeError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InterchangeError(path, "is not UTF-8 text") from None
    dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=dialect))
    if not rows:
        raise InterchangeError(path, "is empty")
    head = [h.strip().lower() for h in rows[0]]
    col = {h: i for i, h in enumerate(head)}
    ignored = tuple(h for h in head if h and h not in COLUMNS)
    for h in ignored:
        near = [c for c in difflib.get_close_matches(h, COLUMNS, n=2, cutoff=0.75) if c not in col]
        if near:
            raise InterchangeError(path, f"line 1: unknown column {h!r}: did you mean {near[0]!r}? "
                                   f"(columns: {', '.join(COLUMNS)})")
    value_col = "value_c" if "value_c" in col else "value" if "value" in col else None
    if value_col is None:
        raise InterchangeError(path, "line 1: no value_c column (the measured temperature, °C)")
    by_rack = "rack" in col
    if not by_rack and not ("x_m" in col and "y_m" in col):
        raise InterchangeError(path, "line 1: give a rack column or x_m and y_m columns")
    index = {r: i for i, r in enumerate(rack_ids)}
    sums: dict[tuple[int, float], list[float]] = {}      # (rack, height; -1: mean inlet)
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cell = {h: (row[i].strip() if i < len(row) else "") for h, i in col.items()}
        rid = cell.get("rack", "")
        if rid:
            if rid not in index:
                raise InterchangeError(path, f"line {n}: rack {rid!r} is not in the layout")
            k = index[rid]
        elif not by_rack or ("x_m" in col and cell.get("x_m")):
            x = _number(cell.get("x_m", ""), path, n, "x_m")
            y = _number(cell.get("y_m", ""), path, n, "y_m")
            d = np.hypot(intake_xy_m[:, 0] - x, intake_xy_m[:, 1] - y) if len(intake_xy_m) else np.zeros(0)
            if not len(d) or d.min() > MATCH_DISTANCE_M:
                raise InterchangeError(path, f"line {n}: no rack intake within {MATCH_DISTANCE_M} m "
                                       f"of ({x:g}, {y:g})")
            k = int(np.argmin(d))
        else:
            raise InterchangeError(path, f"line {n}: no rack and no position")
        z = _number(cell["z_m"], path, n, "z_m") if cell.get("z_m") else float("nan")
        if np.isfinite(z) and not 0 <= z <= 20:
            raise InterchangeError(path, f"line {n}: z_m {z:g} is outside 0-20 m")
        v = _number(cell.get(value_col, ""), path, n, value_col)
        if not -30 <= v <= 90:
            raise InterchangeError(path, f"line {n}: {value_col} {v:g} °C is not an air temperature")
        sums.setdefault((k, round(z, 3) if np.isfinite(z) else -1.0), []).append(v)
    if not sums:
        raise InterchangeError(path, "has no readings")
    keys = sorted(sums)
    return SensorReadings(
        rack=np.array([k for k, _ in keys], np.int64),
        z_m=np.array([np.nan if z < 0 else z for _, z in keys], float),
        value_c=np.array([float(np.mean(sums[t])) for t in keys]),
        readings=np.array([len(sums[t]) for t in keys], np.int64),
        labels=[rack_ids[k] + ("" if z < 0 else f" @ {z:g} m") for k, z in keys],
        ignored_columns=ignored)
