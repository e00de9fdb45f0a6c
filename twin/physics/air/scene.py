"""Input contract of the air solver: frozen dataclasses of numpy columns.

Coordinates: x east (hall width), y north (hall length), z up, origin at the
south-west floor corner.  Per-item data are numpy arrays (one row per rack,
tile, cooling unit or containment zone) so a 1,500-rack hall is a handful of
arrays, not 1,500 objects.

Orientation convention (racks and cooling units): at ``rotation_deg`` 0 the
FRONT (air intake of a rack) faces −y (south); the front direction is (0, −1)
rotated counter-clockwise by ``rotation_deg`` (90 → +x, 180 → +y, 270 → −x).
Width runs along the local x axis, depth along the front-back axis.

The physics layer never sees layout-model objects; an adapter in the engine
builds an :class:`AirScene` from a model snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.physics.columns import column_default

__all__ = ["Hall", "Racks", "Tiles", "Grilles", "CoolingUnits", "Containment",
           "SolverSettings", "AirScene", "COOLING_KINDS", "CONTAINMENT_KINDS"]

COOLING_KINDS = ("crah", "inrow")
CONTAINMENT_KINDS = ("hot_aisle", "cold_aisle")


def _f(a, shape_tail=()) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    if arr.size == 0:
        arr = arr.reshape((0,) + tuple(shape_tail))
    return arr


@dataclass(frozen=True)
class Hall:
    """The air volume of the hall (walls are adiabatic and airtight)."""

    width_m: float
    length_m: float
    height_m: float
    raised_floor: bool = True
    ceiling_return: bool = False
    ashrae_class: str = "A1"


@dataclass(frozen=True, eq=False)
class Racks:
    """IT racks as columns.  ``air_heat_w`` is only the air share of rack heat.

    ``rdhx_capacity_w`` > 0 fits a rear-door heat exchanger fed with water at
    ``rdhx_supply_c``: it removes up to its capacity from the exhaust but never
    cools the exhaust below the water temperature (ideal door, ε = 1, limited
    by capacity).
    """

    center_xy_m: np.ndarray
    size_m: np.ndarray
    rotation_deg: np.ndarray
    airflow_m3s: np.ndarray
    air_heat_w: np.ndarray
    rdhx_capacity_w: np.ndarray = column_default(None)
    rdhx_supply_c: np.ndarray = column_default(None)

    def __post_init__(self):
        n = len(np.atleast_1d(self.airflow_m3s))
        set_ = object.__setattr__
        set_(self, "center_xy_m", _f(self.center_xy_m, (2,)).reshape(n, 2))
        set_(self, "size_m", _f(self.size_m, (3,)).reshape(n, 3))
        set_(self, "rotation_deg", _f(self.rotation_deg).reshape(n))
        set_(self, "airflow_m3s", _f(self.airflow_m3s).reshape(n))
        set_(self, "air_heat_w", _f(self.air_heat_w).reshape(n))
        cap = np.zeros(n) if self.rdhx_capacity_w is None else _f(self.rdhx_capacity_w).reshape(n)
        sup = np.full(n, 18.0) if self.rdhx_supply_c is None else _f(self.rdhx_supply_c).reshape(n)
        set_(self, "rdhx_capacity_w", cap)
        set_(self, "rdhx_supply_c", sup)
        if np.any(self.airflow_m3s <= 0):
            raise ValueError("every rack needs airflow_m3s > 0")
        if not np.all(np.isin(np.mod(self.rotation_deg, 360), (0, 90, 180, 270))):
            raise ValueError("rack rotation_deg must be a multiple of 90")

    @property
    def n(self) -> int:
        return len(self.airflow_m3s)

    def with_power(self, air_heat_w) -> "Racks":
        """A copy with new air heat (same geometry and airflow)."""
        return Racks(self.center_xy_m, self.size_m, self.rotation_deg,
                     self.airflow_m3s, air_heat_w, self.rdhx_capacity_w,
                     self.rdhx_supply_c)


@dataclass(frozen=True, eq=False)
class Tiles:
    """Perforated floor tiles of a raised floor.

    ``flow_m3s`` NaN (or ``None``) means the tile takes a share of the plenum
    supply in proportion to its open area (size² × open_fraction).  The plenum
    is lossless: the tiles (and supply grilles) deliver what the units feeding
    it push in.  Explicit flows are always kept: the other tiles share the
    remainder; when nothing is left to share (the explicit flows exceed the
    units' airflow, or every tile is explicit and they differ from it) the
    units feeding the plenum move what the tiles deliver (their airflows scaled
    together, :func:`devices.terminal_flows`; the engine warns).
    """

    center_xy_m: np.ndarray
    size_m: float = 0.6
    open_fraction: np.ndarray = column_default(None)
    flow_m3s: np.ndarray = column_default(None)

    def __post_init__(self):
        c = _f(self.center_xy_m, (2,)).reshape(-1, 2)
        m = len(c)
        of = np.full(m, 0.25) if self.open_fraction is None else _f(self.open_fraction).reshape(m)
        fl = np.full(m, np.nan) if self.flow_m3s is None else _f(self.flow_m3s).reshape(m)
        object.__setattr__(self, "center_xy_m", c)
        object.__setattr__(self, "open_fraction", of)
        object.__setattr__(self, "flow_m3s", fl)

    @property
    def n(self) -> int:
        return len(self.center_xy_m)


@dataclass(frozen=True, eq=False)
class Grilles:
    """Supply and return grilles (``kind`` per grille: ``"supply"`` or ``"return"``).

    A grille covers the air cells whose centres lie in its plan rectangle
    (``center_xy_m`` ± ``size_m``/2; at least the nearest cell): in the top
    layer when ``z_m`` is NaN (a ceiling grille), else in the layers between
    ``z_m`` ± ``height_m``/2 (a wall or duct grille).  Supply grilles deliver
    the supply of the units feeding the plenum/duct, like tiles.  Return
    grilles replace the default returns of air handlers: in a ceiling-return
    hall they are the only cells open to the plenum (with the chimneys), so
    they draw by pressure; without a plenum each draws a fixed share of the
    air handlers' airflow (``flow_m3s``, else by area) through its own duct.
    """

    center_xy_m: np.ndarray
    size_m: np.ndarray
    kind: tuple
    z_m: np.ndarray = column_default(None)
    height_m: np.ndarray = column_default(None)
    flow_m3s: np.ndarray = column_default(None)

    def __post_init__(self):
        kind = tuple(str(k) for k in self.kind)
        n = len(kind)
        if any(k not in ("supply", "return") for k in kind):
            raise ValueError("grille kind must be 'supply' or 'return'")
        set_ = object.__setattr__
        set_(self, "kind", kind)
        set_(self, "center_xy_m", _f(self.center_xy_m, (2,)).reshape(n, 2))
        set_(self, "size_m", _f(self.size_m, (2,)).reshape(n, 2))
        for name, default in (("z_m", np.nan), ("height_m", 0.3), ("flow_m3s", np.nan)):
            v = getattr(self, name)
            set_(self, name, np.full(n, default) if v is None else _f(v).reshape(n))

    @property
    def n(self) -> int:
        return len(self.kind)

    @property
    def is_supply(self) -> np.ndarray:
        return np.array([k == "supply" for k in self.kind], bool)


@dataclass(frozen=True, eq=False)
class CoolingUnits:
    """Cooling units.  ``kind`` per unit: ``"crah"`` or ``"inrow"``.

    A unit's coil removes heat up to ``capacity_w``; its discharge is
    ``max(supply_setpoint_c, return + fan heat − capacity/(ρ c_p V))`` and
    never warmer than return + fan heat.  ``fan_heat_w`` (default 0) is added
    to the air that passes the unit.  Disabled units move no air.
    ``outside`` (default False) marks air handlers outside the hall (a CRAH
    gallery, outdoors): no box in the hall; they feed the tiles and supply
    grilles and take their return from the ceiling plenum or return grilles.
    """

    kind: tuple
    center_xy_m: np.ndarray
    size_m: np.ndarray
    rotation_deg: np.ndarray
    airflow_m3s: np.ndarray
    capacity_w: np.ndarray
    supply_setpoint_c: np.ndarray
    enabled: np.ndarray = column_default(None)
    fan_heat_w: np.ndarray = column_default(None)
    outside: np.ndarray = column_default(None)

    def __post_init__(self):
        kind = tuple(str(k) for k in self.kind)
        n = len(kind)
        bad = [k for k in kind if k not in COOLING_KINDS]
        if bad:
            raise ValueError(f"unknown cooling unit kind {bad[0]!r}; expected one of {COOLING_KINDS}")
        set_ = object.__setattr__
        set_(self, "kind", kind)
        set_(self, "center_xy_m", _f(self.center_xy_m, (2,)).reshape(n, 2))
        set_(self, "size_m", _f(self.size_m, (3,)).reshape(n, 3))
        set_(self, "rotation_deg", _f(self.rotation_deg).reshape(n))
        set_(self, "airflow_m3s", _f(self.airflow_m3s).reshape(n))
        set_(self, "capacity_w", _f(self.capacity_w).reshape(n))
        set_(self, "supply_setpoint_c", _f(self.supply_setpoint_c).reshape(n))
        en = np.ones(n, bool) if self.enabled is None else np.asarray(self.enabled, bool).reshape(n)
        fan = np.zeros(n) if self.fan_heat_w is None else _f(self.fan_heat_w).reshape(n)
        set_(self, "enabled", en)
        set_(self, "fan_heat_w", fan)
        out = np.zeros(n, bool) if self.outside is None else np.asarray(self.outside, bool).reshape(n)
        if np.any(out & np.array([k != "crah" for k in kind], bool)):
            raise ValueError("only 'crah' units can stand outside the hall")
        set_(self, "outside", out)

    @property
    def n(self) -> int:
        return len(self.kind)


@dataclass(frozen=True, eq=False)
class Containment:
    """Contained aisles: ``rect_m`` rows are (x0, y0, x1, y1) of the aisle.

    Panels run along the two long sides up to ``height_m``; ``end_doors`` close
    the two short ends; ``roof`` closes the top at ``height_m``.  In a hall
    with a ceiling return a hot aisle is a chimney when it has a roof (ducted:
    its walls run up to the ceiling) or its panels reach the ceiling (open top
    under the plenum); it returns straight to the ceiling plenum, and when
    there are chimneys the ceiling is closed elsewhere.
    """

    rect_m: np.ndarray
    kind: tuple
    height_m: np.ndarray
    roof: np.ndarray
    end_doors: np.ndarray

    def __post_init__(self):
        kind = tuple(str(k) for k in self.kind)
        n = len(kind)
        bad = [k for k in kind if k not in CONTAINMENT_KINDS]
        if bad:
            raise ValueError(f"unknown containment kind {bad[0]!r}; expected one of {CONTAINMENT_KINDS}")
        set_ = object.__setattr__
        set_(self, "kind", kind)
        set_(self, "rect_m", _f(self.rect_m, (4,)).reshape(n, 4))
        set_(self, "height_m", _f(self.height_m).reshape(n))
        set_(self, "roof", np.asarray(self.roof, bool).reshape(n))
        set_(self, "end_doors", np.asarray(self.end_doors, bool).reshape(n))

    @property
    def n(self) -> int:
        return len(self.kind)


@dataclass(frozen=True)
class SolverSettings:
    """Numerical and model settings.  ``None`` cell sizes are chosen from the hall.

    ``turbulent_diffusivity_m2s``, ``mixing_length_m``, ``buoyancy_*`` and
    ``row_end_entrainment`` are the recirculation correction (see
    ``README_air.md``): ``row_end_entrainment`` is the share of an end rack's
    airflow drawn round an open row end (:mod:`.entrainment`; 0.48 fitted
    on the CFD library, 0 switches it off); ``row_end_hot_share`` is the share of
    such a rack's own rise above its mean inlet that its hottest intake point
    (the top of the open edge) sees where the aisle's end is closed
    (:func:`.hottest.row_end_hottest_c`), ``row_end_hot_share_open`` where it
    spills its supply below that point (:func:`.rows.closed_ends`), and
    ``row_end_neighbour_hot_share`` the share the end rack's inward neighbour
    takes at either kind of end (an end rack's edge is also never below the corner
    air it entrains); ``door_hot_share`` is the share of the room air outside its
    door that the top edge of an end rack at the door of a starved roofed cold aisle
    sees above its mean (:func:`.entrainment.door_edges`); ``inlet_peak_factor`` scales the excess of a
    rack's hottest intake cell (hottest mixture layer for an entraining rack)
    over its mean to the face's hottest point (:mod:`.hottest`);
    ``top_edge_share`` is the share of the excess of the air over a rack's top (the
    cells above its top intake cells, through open faces) over its mean that its top
    edge takes (:func:`.hottest.over_top_c`; 0 switches it off);
    ``tile_jet_height_m`` is how high a perforated tile's jet carries its air
    before the aisle takes it (its discharge is spread over the air column
    above the tile up to that height; 0 puts it all in the floor cell);
    ``inrow_jet_throw_s`` is the time an in-row cooler's jet carries its supply at
    its face velocity before the racks take it (the supply is spread over the air
    in front of the cooler out to that throw ahead, and to either side where another
    cooler's jet meets it, :mod:`.inrow_jets`; 0 discharges it all into the cells at
    its face);
    ``buoyancy_tol_k`` is the rack-inlet
    error (K) at which the buoyancy passes stop; ``containment_leakage`` is
    the open fraction left in containment panels (seams, cable cut-outs, door
    gaps).  Tolerances are relative to the right side: ``thermal_rtol`` for
    full solves, ``power_rtol`` for power-only updates (rack inlets within
    ~1e-4 K of a full solve on the same flow).
    """

    cell_m: float | None = None
    cell_z_m: float | None = None
    turbulent_diffusivity_m2s: float = 0.04
    mixing_length_m: float = 0.11
    buoyancy: bool = True
    buoyancy_time_s: float = 2.3
    buoyancy_tol_k: float = 0.02
    row_end_entrainment: float = 0.48
    row_end_hot_share: float = 0.67
    row_end_hot_share_open: float = 0.85
    row_end_neighbour_hot_share: float = 0.65
    door_hot_share: float = 0.75
    inlet_peak_factor: float = 1.4
    top_edge_share: float = 0.75
    tile_jet_height_m: float = 1.6
    inrow_jet_throw_s: float = 0.5
    containment_leakage: float = 0.03
    flow_rtol: float = 1e-5
    thermal_rtol: float = 1e-7
    power_rtol: float = 1e-6
    max_iterations: int = 400


@dataclass(frozen=True, eq=False)
class AirScene:
    """Everything the air solver needs for one solve."""

    hall: Hall
    racks: Racks
    cooling: CoolingUnits
    tiles: Tiles = field(default_factory=lambda: Tiles(np.zeros((0, 2))))
    containment: Containment = field(
        default_factory=lambda: Containment(np.zeros((0, 4)), (), np.zeros(0), np.zeros(0, bool),
                                            np.zeros(0, bool)))
    settings: SolverSettings = field(default_factory=SolverSettings)
    grilles: Grilles = field(default_factory=lambda: Grilles(np.zeros((0, 2)), np.zeros((0, 2)), ()))
