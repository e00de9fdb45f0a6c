"""What the views draw from a result: per-rack colourings and plan heatmaps.

Qt-free, shared by the live GUI, ``twin render`` and the review report so that all three
show the same numbers with the same colour maps, ranges and units.

Metrics: ``inlet`` (rack inlet, hottest intake point, °C), ``power`` (rack power kW; as a
heatmap, power density kW per m² of floor averaged over a 2.4 m window — a rack plus its
share of the aisles), ``capture`` (cold-aisle capture index), ``coolant`` (coolant return
°C of liquid-cooled racks), ``air`` (air temperature slice at a height, °C) and
``floor`` (rack weight kg; as a heatmap, the floor load in kg/m² averaged over the hall's
floor bay, docs/physics.md §15). Per-rack
figures (inlet, capture, coolant) are drawn on the rack and on the intake zone in front of
it, so the aisle a rack breathes from carries its number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.ndimage import distance_transform_edt

from twin.engine import raster
from twin.engine.raster import RASTER_M  # noqa: F401  (the raster of every plan heatmap)
from twin.engine.simulate import TwinResult
from twin.model import Layout, geometry
from twin.model.viewstate import COLORMAPS, Colouring
from twin.physics.metrics import ASHRAE_ALLOWABLE_C

#: Air temperature scales (docs/physics.md §22): fixed per ASHRAE class, never rescaled by
#: the data — from TEMP_SCALE_LO_C to the class's allowable maximum + TEMP_SCALE_OVER_K,
#: the recommended band 18-27 °C in blues to yellow, on to red at the allowable limit, and
#: a distinct magenta beyond it.
TEMP_SCALE_LO_C, TEMP_SCALE_OVER_K = 15.0, 3.0
RECOMMENDED_C = (18.0, 27.0)
#: Metrics drawn on the temperature scale, and the map of a user's own range.
TEMPERATURE_METRICS = ("inlet", "air")
USER_RANGE_COLORMAP = "thermal"

#: metric key -> (label, unit, colour map)
METRICS = {
    "inlet": ("Rack inlet temperature", "°C", "thermal"),
    "power": ("Rack power", "kW", "power"),
    "capture": ("Cold-aisle capture index", "", "capture"),
    "coolant": ("Coolant return temperature", "°C", "thermal"),
    "air": ("Air temperature", "°C", "thermal"),
    "floor": ("Rack weight", "kg", "power"),
    "headroom": ("Headroom", "kW", "capture"),
    "headroom_limit": ("What binds the headroom", "", "limits"),
}
HEATMAP_LABELS = {"power": ("Power density", "kW/m²"), "floor": ("Floor load", "kg/m²")}
DENSITY_WINDOW_M = 2.4
#: Depth of the zone in front of a rack's intake that shows its per-rack figure.
INTAKE_ZONE_M = 0.6


@dataclass(frozen=True)
class Heatmap:
    """A plan image: ``image[iy, ix]`` covers ``extent`` (x0, y0, x1, y1) in metres."""

    image: np.ndarray
    extent: tuple[float, float, float, float]
    levels: tuple[float, float]
    colormap: str
    label: str
    unit: str
    #: labels of integer values 0, 1, … for a categorical field (the binding limits)
    categories: tuple[str, ...] = ()


def _nice_range(values: np.ndarray, step: float, floor: float | None = None,
                ceil: float | None = None) -> tuple[float, float]:
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return (0.0, 1.0)
    lo = np.floor(v.min() / step) * step
    hi = np.ceil(v.max() / step) * step
    lo = lo if floor is None else min(lo, floor)
    hi = hi if ceil is None else max(hi, ceil)
    return (float(lo), float(hi if hi > lo else lo + step))


def rack_values(metric: str, result: TwinResult) -> np.ndarray:
    """One value per rack for ``metric`` (NaN where it does not apply)."""
    n = len(result.rack_ids)
    air, liq = result.air, result.liquid
    if metric == "power":
        return np.asarray(result.rack_power_kw, float)
    if metric == "floor":
        return (result.floor.rack_weight_kg.copy() if result.floor is not None
                else np.full(n, np.nan))
    if metric in ("headroom", "headroom_limit"):      # floor fields: racks carry none
        return np.full(n, np.nan)
    if metric == "inlet":
        return air.rack_inlet_max_c.copy() if air is not None else np.full(n, np.nan)
    if metric == "capture":
        return air.rack_capture_index.copy() if air is not None else np.full(n, np.nan)
    if metric == "coolant":
        if liq is None:
            return np.full(n, np.nan)
        return np.where(liq.racks.cdu_index >= 0, liq.racks.return_c, np.nan)
    raise KeyError(metric)


def temperature_scale(ashrae_class: str = "A1") -> tuple[float, float, str]:
    """(low, high, colour map) of the air-temperature scale of ``ashrae_class``; the map
    ``ashrae-<class>`` is registered in ``COLORMAPS`` on first use."""
    cls = ashrae_class.upper() if ashrae_class.upper() in ASHRAE_ALLOWABLE_C else "A1"
    allow = ASHRAE_ALLOWABLE_C[cls][1]
    lo, hi = TEMP_SCALE_LO_C, allow + TEMP_SCALE_OVER_K
    name = f"ashrae-{cls}"
    if name not in COLORMAPS:
        def at(t: float) -> float:
            return (t - lo) / (hi - lo)
        rec_lo, rec_hi = RECOMMENDED_C
        COLORMAPS[name] = [
            (0.0, (49, 54, 149)), (at(rec_lo), (69, 117, 180)),
            (at((rec_lo + rec_hi) / 2), (171, 217, 233)), (at(rec_hi), (254, 224, 144)),
            (at((rec_hi + allow) / 2), (244, 109, 67)), (at(allow), (165, 0, 38)),
            (at(allow) + 1e-6, (214, 55, 196)), (1.0, (140, 20, 130))]
    return lo, hi, name


def value_range(metric: str, values: np.ndarray, ashrae_class: str = "A1"
                ) -> tuple[float, float]:
    """Stable colour ranges: air temperatures on the fixed scale of the hall's ASHRAE
    class (never moved by the data), others on the data."""
    if metric in ("inlet", "air"):
        return temperature_scale(ashrae_class)[:2]
    if metric == "coolant":
        return _nice_range(values, 1.0)
    if metric == "capture":
        return (0.0, 1.0)
    return (0.0, _nice_range(values, 10.0)[1])


def colormap_of(metric: str, ashrae_class: str = "A1") -> str:
    """The colour map of ``metric`` (air temperatures: the class's scale)."""
    if metric in ("inlet", "air"):
        return temperature_scale(ashrae_class)[2]
    return METRICS[metric][2]


def rack_colouring(metric: str, result: TwinResult) -> Colouring:
    label, unit, _cmap = METRICS[metric]
    values = rack_values(metric, result)
    lo, hi = value_range(metric, values, result.ashrae_class)
    return Colouring(metric, label, unit, values, lo, hi, colormap_of(metric, result.ashrae_class))


def _density_raster(layout: Layout, values: np.ndarray) -> np.ndarray:
    """Per-rack values spread over their footprints per m², averaged over a window."""
    return raster.density(layout, layout.rack_bounds_m(), values, DENSITY_WINDOW_M)


def _larger_magnitude(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(a) | (np.abs(b) > np.abs(a)), b, a)


def intake_raster(layout: Layout, values: np.ndarray, worst: str) -> np.ndarray:
    """Per-rack values on each rack's footprint and on the intake zone in front of it
    (``INTAKE_ZONE_M`` deep, the rack's width): the aisle a rack breathes from shows its
    figure. Where zones of facing racks meet, the worse value is drawn (``worst`` is
    'max' for temperatures, 'min' for the capture index, 'absmax' for differences)."""
    ny, nx = raster.raster_shape(layout)
    img = np.full((ny, nx), np.nan)
    picks: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
        "max": np.fmax, "min": np.fmin, "absmax": _larger_magnitude}
    pick = picks[worst]
    r = layout.racks
    bounds = layout.rack_bounds_m()
    fronts = geometry.front_vectors(r["rotation_deg"]) if len(r) else np.empty((0, 2))
    for b, (fx, fy), v in zip(bounds, fronts, values):
        if not np.isfinite(v):
            continue
        x0, y0, x1, y1 = b
        zone = (x0 + min(fx, 0) * INTAKE_ZONE_M, y0 + min(fy, 0) * INTAKE_ZONE_M,
                x1 + max(fx, 0) * INTAKE_ZONE_M, y1 + max(fy, 0) * INTAKE_ZONE_M)
        rows, cols = raster.cells(zone, ny, nx)
        img[rows, cols] = pick(img[rows, cols], v)
    return img


def heatmap(metric: str, layout: Layout, result: TwinResult, height_m: float | None = None
            ) -> Heatmap | None:
    """The plan heatmap of ``metric``; ``air`` needs a solved air field and a height."""
    label, unit, cmap = METRICS[metric]
    label, unit = HEATMAP_LABELS.get(metric, (label, unit))
    if metric == "air":
        air = result.air
        if air is None or not air.field_current:
            return None
        z = 1.0 if height_m is None else height_m
        img = fill_blocked_cells(air.slice_at(z))
        g = air.grid
        extent = (0.0, 0.0, len(air.x_m) * g.dx, len(air.y_m) * g.dx)
        cls = layout.hall.ashrae_class
        return Heatmap(img, extent, value_range("air", img, cls), colormap_of("air", cls),
                       f"{label} at {z:.1f} m", unit)
    if metric in ("headroom", "headroom_limit"):  # the largest rack a position takes (§18)
        from twin.engine.capacity import LIMITS, capacity_map
        cm = capacity_map(layout, result)
        p = layout.hall.tile_pitch_m
        if metric == "headroom_limit":
            codes = np.where(cm.binding >= 0, cm.binding, np.nan).astype(float)
            return Heatmap(codes, (0.0, 0.0, len(cm.x_m) * p, len(cm.y_m) * p),
                           (-0.5, len(LIMITS) - 0.5), "limits",
                           f"What binds a {cm.model} rack", "", LIMITS)
        top = _nice_range(np.array([cm.nameplate_kw * 1.5]), 50.0)[1]
        return Heatmap(cm.capacity_kw, (0.0, 0.0, len(cm.x_m) * p, len(cm.y_m) * p),
                       (0.0, top), "capture", f"Headroom for a {cm.model} rack", "kW")
    if metric == "floor":     # the bay-averaged load of every weight on the floor
        fl = result.floor
        if fl is None:
            return None
        top = max(fl.max_area_kg_m2, fl.rating_kg_m2 or 0.0)
        return Heatmap(fl.load_kg_m2, fl.extent, (0.0, _nice_range(np.array([top]), 250.0)[1]), cmap,
                       f"{label} ({fl.bay_m:g} m bay)", unit)
    values = rack_values(metric, result)
    if not np.isfinite(values).any():
        return None
    if metric == "power":
        img = _density_raster(layout, values)
        levels = (0.0, _nice_range(img, 5.0)[1])
    else:
        img = intake_raster(layout, values, "min" if metric == "capture" else "max")
        levels = value_range(metric, values, layout.hall.ashrae_class)
        cmap = colormap_of(metric, layout.hall.ashrae_class)
    return Heatmap(img, raster.extent(layout), levels, cmap, label, unit)


def fill_blocked_cells(img: np.ndarray) -> np.ndarray:
    """An air slice with each blocked cell (NaN: inside equipment) given the value of its
    nearest air cell, for drawing. Racks are drawn over the field, but the grid cells a
    rack blocks need not line up with its outline (a 0.6 m hall grid under racks set on
    0.3 m offsets), and a blank strip beside a rack read as a hole in the field. Values
    only repeat those of air cells: the slice's range and peak are unchanged."""
    blocked = ~np.isfinite(img)
    if not blocked.any() or blocked.all():
        return img
    nearest = distance_transform_edt(blocked, return_distances=False, return_indices=True)
    return img[tuple(nearest)]


def rack_heights_m(layout: Layout) -> tuple[float, float]:
    """Presets for the slice height: mid inlet (half the typical rack) and rack top."""
    heights = layout.rack_sizes_m()[:, 2] if len(layout.racks) else np.array([2.0])
    top = float(np.median(heights))
    return (round(top / 2, 2), round(top, 2))
