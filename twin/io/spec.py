"""The layout format (version 3) as a declarative spec: one source for the validator and the JSON Schema.

Each block maps a file key to a ``Field``; ``position_m`` and ``rect_m`` expand to the
model's ``x_m``/``y_m`` and ``x0_m``.. ``y1_m`` fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from twin.model import calibration as cal
from twin.model import equipment as eq
from twin.model import fabric as fb


@dataclass(frozen=True)
class Field:
    """A field: JSON type, whether required, numeric range, allowed values."""

    kind: str  # number | integer | string | bool | enum | vec2 | vec4 | profile | ref
    #           | date (ISO calendar date "YYYY-MM-DD")
    #           | textmap (object of strings) | textlist (list of strings)
    #           | numbermap (object of numbers between minimum and maximum)
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple = ()
    nullable: bool = False
    description: str = ""
    max_length: int | None = None   # strings: most characters allowed

    def expected(self) -> str:
        if self.kind in ("number", "integer"):
            lo = "" if self.minimum is None else (
                f" > {self.minimum:g}" if self.exclusive_minimum else f" >= {self.minimum:g}")
            hi = "" if self.maximum is None else f" <= {self.maximum:g}"
            sep = " and" if lo and hi else ""
            word = "a finite number" if self.kind == "number" else "an integer"
            return f"{word}{lo}{sep}{hi}"
        if self.kind == "enum":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        return {"string": "a string", "ref": "an id (string)", "bool": "true or false",
                "vec2": "[x, y] in metres (two finite numbers)",
                "vec4": "[x0, y0, x1, y1] in metres (four finite numbers)",
                "profile": "a list of 24 hourly factors between 0 and 1.5",
                "date": "an ISO date YYYY-MM-DD", "textmap": "an object of strings", "textlist": "a list of strings",
                "numbermap": f"an object of numbers between {self.minimum:g} and "
                             f"{self.maximum:g}" if self.kind == "numbermap" else ""}[self.kind]


def num(required=False, minimum=None, maximum=None, excl=False, nullable=False, d=""):
    return Field("number", required, minimum, maximum, excl, nullable=nullable, description=d)


def enum(choices, required=False, d=""):
    return Field("enum", required, choices=tuple(choices), description=d)


#: Length limits of text (characters): ids and model keys, names, the layout description.
ID_MAX_CHARS, NAME_MAX_CHARS, DESCRIPTION_MAX_CHARS = 100, 200, 20_000

ID = Field("string", True, description="unique id across the layout", max_length=ID_MAX_CHARS)
REF = Field("ref", False, description="id of another item, or empty", max_length=ID_MAX_CHARS)
POSITION = Field("vec2", True, description="plan position of the footprint centre [x, y] (m)")
ROTATION = Field("integer", False, choices=eq.ROTATIONS,
                 description="direction of the front: 0 south, 90 east, 180 north, 270 west")
MODEL = Field("string", True, description="catalogue model key", max_length=ID_MAX_CHARS)
TEXT = Field("string", max_length=NAME_MAX_CHARS)
FLAG = Field("bool")
TEMP = num(False, -20, 80, d="temperature (C)")

HALL = {
    "name": TEXT,
    # sides and ceiling as the air solver can take on a laptop; the grid they make must
    # also stay within its cell budget (twin.physics.air.grid.MAX_AIR_CELLS, semantics.py)
    "width_m": num(True, 0, 400, True, d="extent along x (east)"),
    "length_m": num(True, 0, 400, True, d="extent along y (north)"),
    "ceiling_height_m": num(True, 2.0, 20, d="floor to ceiling"),
    "raised_floor": FLAG,
    "plenum_depth_m": num(False, 0, 3),
    "tile_pitch_m": num(False, 0.3, 1.2),
    "ceiling_return": FLAG,
    "ashrae_class": enum(eq.ASHRAE_AIR_CLASSES),
    "redundancy_target": enum(eq.REDUNDANCY_KINDS, d="design redundancy of cooling and power "
                              "groups (N, N+1, 2N); the N-1 alerts check against it"),
    "floor_rating_kg_m2": num(False, 0, 1e5, True, nullable=True, d=(
        "distributed live-load rating of the slab or raised floor (kg/m2), checked against "
        "the load averaged over a floor_bay_m square")),
    "floor_point_rating_kn": num(False, 0, 1e3, True, nullable=True, d=(
        "concentrated load rating per rack caster or foot (kN); a rack stands on four")),
    "floor_bay_m": num(False, 0.3, 20, d="side of the square the distributed load is averaged over"),
}
SITE = {
    "dry_bulb_c": num(True, -50, 60),
    "wet_bulb_c": num(True, -50, 45),
    "daily_dry_bulb_c": Field("profile", description="24 hourly dry-bulb temperatures (C)",
                              minimum=-50, maximum=60),
    "electricity_usd_per_kwh": num(False, 0, 5, d="energy price at the utility meter (USD/kWh)"),
    "operating_hours_per_year": num(False, 0, 8784, d="hours the floor runs in a year"),
    "building_usd_per_mw": num(False, 0, 1e9, d=(
        "building, power and cooling infrastructure not itemised in the layout, per MW of "
        "IT nameplate (USD)")),
    "it_life_years": num(False, 0.5, 30, True, d="straight-line life of the IT equipment"),
    "facility_life_years": num(False, 1, 60, d="straight-line life of the building and its equipment"),
    "power_architecture": enum(eq.POWER_ARCHITECTURES, d=(
        "ac, or dc800: the drawn power chain as 800 V DC (solid-state transformers, DC-bus "
        "storage, DC busways, rack DC/DC converters)")),
    "grid_max_ramp_mw_per_s": num(False, 0, 1e4, True, nullable=True, d=(
        "the grid's limit on the ramp rate of the power at the utility meter (MW/s)")),
    "grid_max_swing_mw": num(False, 0, 1e4, True, nullable=True, d=(
        "the grid's limit on the peak-to-trough power swing at the utility meter (MW)")),
    "rack_energy_storage": Field("bool", description="smooth training swings with the "
                                 "energy storage of rack power shelves, where the model has it"),
    "gpu_power_floor": num(False, 0, 1, d="GPU power floor: share of compute-phase rack power "
                           "held in the communication phase by burning (0: off)"),
    "facility_battery_kwh": num(False, 0, 1e7, d="facility battery at the meter used to "
                                "smooth swings: energy (kWh)"),
    "facility_battery_kw": num(False, 0, 1e7, d="facility battery at the meter: power (kW)"),
}
PLANT = {
    "heat_rejection": enum(eq.HEAT_REJECTION_KINDS),
    "chiller_cop_rated": num(False, 1, 15),
    "chilled_water_supply_c": num(False, 4, 35),
    "economiser": FLAG,
    "approach_k": num(False, 0, 20),
    "facility_pump_head_kpa": num(False, 0, 2000),
    "heat_rejection_fan_kw_per_mw": num(False, 0, 100),
    "failed_chillers": Field("integer", minimum=0, maximum=3),
    "chilled_water_storage_m3": num(False, 0, 100000, d=(
        "chilled water held in tanks and pipes for the room coils; with it their fans and "
        "pumps ride on UPS through a plant outage (ride-through)")),
    "facility_water_storage_m3": num(False, 0, 100000, d=(
        "facility water held in tanks and pipes for the CDU exchangers; with it the "
        "facility pumps ride on UPS through a plant outage (ride-through)")),
}
WORKLOAD = {
    "id": ID, "name": TEXT,
    "kind": enum(eq.WORKLOAD_KINDS, True),
    "utilisation": num(False, 0, 1, d="GPU utilisation 0..1"),
    "tokens_per_s_per_gpu": num(False, 0, 1e6, nullable=True, d="tokens/s per GPU at full load"),
    "prefill_share": num(False, 0, 1),
    "decode_share": num(False, 0, 1),
    "profile": Field("profile", minimum=0, maximum=1.5,
                     description="24 hourly utilisation factors"),
    "power_profile": enum(eq.POWER_PROFILES, d="max_performance, or max_efficiency: GPUs "
                          "power-capped for tokens per joule"),
    "swing_period_s": num(False, 0.01, 3600, nullable=True, d=(
        "synchronous training swing: period of one compute + communication step (s); "
        "null: a steady load")),
    "swing_duty": num(False, 0, 1, d="share of each period in the compute phase"),
    "swing_low_fraction": num(False, 0, 1, d="rack power in the communication phase as a "
                              "share of compute-phase power"),
    "swing_rise_s": num(False, 0.001, 10, d="duration of each power edge (s)"),
}
#: Per-rack overrides (v2): absent or null = from the catalogue model (and workload).
RACK_OVERRIDES = {
    "power_kw": num(False, 0, 1000, nullable=True,
                    d="measured or fixed IT power (kW); replaces the model and workload power"),
    "airflow_m3s": num(False, 0, 50, True, nullable=True,
                       d="fixed rack airflow (m3/s)"),
    "airflow_m3s_per_kw": num(False, 0, 1, True, nullable=True,
                              d="rack airflow per kW of its actual air heat (m3/s per kW); "
                                "used when airflow_m3s is not set"),
    "liquid_share": num(False, 0, 1, nullable=True,
                        d="share of the rack heat taken by liquid (0..1)"),
    "height_m": num(False, 0.5, 3.5, nullable=True, d="rack height (m)"),
    "weight_kg": num(False, 0, 10000, nullable=True, d="rack weight (kg)"),
    "power_basis": enum(eq.POWER_BASES, d="where power_kw came from: measured (metered), "
                        "budget (allocated or nameplate draw, e.g. from a DCIM), or empty"),
    "power_budget_kw": num(False, 0, 1000, nullable=True,
                           d="budgeted IT power (kW) kept beside a measured power_kw; "
                             "not simulated"),
}
#: Fields not written while empty (added after files existed without them).
OMITTED_WHEN_EMPTY = ("power_basis", "sensors_file", "fitted_on")
RACK = {
    "id": ID, "name": TEXT, "model": MODEL, "position_m": POSITION, "rotation_deg": ROTATION,
    "workload": REF, "feed_a": REF, "feed_b": REF, "cdu": REF, **RACK_OVERRIDES,
}
SUPPLY_TEMP = num(False, 5, 40, nullable=True,
                  d="supply air temperature (C) when no cooling unit feeds it")
TILE = {
    "id": ID, "position_m": POSITION,
    "open_fraction": num(False, 0, 1, d="open area fraction"),
    "flow_m3s": num(False, 0, 20, nullable=True, d="fixed tile flow (m3/s)"),
    "supply_c": SUPPLY_TEMP,
}
GRILLE = {
    "id": ID, "kind": enum(eq.GRILLE_KINDS, True, d="supply or return"),
    "position_m": POSITION,
    "width_m": num(False, 0, 20, True, d="extent along x (m)"),
    "length_m": num(False, 0, 20, True, d="extent along y (m)"),
    "elevation_m": num(False, 0, 20, nullable=True,
                       d="centre height of a wall or duct grille (m); null: in the ceiling"),
    "height_m": num(False, 0, 10, True, d="vertical extent of a wall or duct grille (m)"),
    "flow_m3s": num(False, 0, 50, nullable=True,
                    d="fixed grille flow (m3/s); null: a share by area"),
    "supply_c": SUPPLY_TEMP,
}
CONTAINMENT = {
    "id": ID, "kind": enum(eq.CONTAINMENT_KINDS, True),
    "rect_m": Field("vec4", True, description="contained aisle [x0, y0, x1, y1] (m)"),
    "height_m": num(False, 1, 10), "roof": FLAG, "end_doors": FLAG,
}
COOLING_UNIT = {
    "id": ID, "model": MODEL, "position_m": POSITION, "rotation_deg": ROTATION,
    "supply_setpoint_c": num(False, 5, 40, nullable=True),
    "airflow_m3s": num(False, 0, 100, nullable=True),
    "capacity_kw": num(False, 1, 5000, nullable=True),
    "enabled": FLAG, "rack": REF,
    "location": enum(eq.UNIT_LOCATIONS, d="hall: a box on the floor; gallery/outdoor: outside "
                     "the hall, supplying through tiles or supply grilles"),
}
CDU = {
    "id": ID, "model": MODEL, "position_m": POSITION, "rotation_deg": ROTATION,
    "facility_supply_c": num(False, 2, 60), "facility_flow_lpm": num(False, 1, 1e6),
    "water_class": enum(eq.ASHRAE_WATER_CLASSES), "coolant": enum(eq.COOLANTS),
    "failed_pumps": Field("integer", minimum=0, maximum=10),
    "header_k_pa_per_m3s2": num(False, 0, 1e14),
    "return_limit_c": num(False, 20, 90),
    "capacity_kw": num(False, 1, 1e5, nullable=True),
    "ua_kw_per_k": num(False, 0.1, 1e5, nullable=True),
}
TANK = {
    "id": ID, "model": MODEL, "position_m": POSITION, "rotation_deg": ROTATION,
    "it_kw": num(False, 0, 2000), "gpus": Field("integer", minimum=0, maximum=10000),
    "workload": REF, "facility_supply_c": num(False, 2, 60),
    "facility_flow_lpm": num(False, 1, 1e6), "feed_a": REF, "feed_b": REF,
}
POWER = {
    "id": ID, "kind": enum(("utility", "transformer", "ups", "pdu", "busway"), True),
    "model": MODEL, "upstream": REF, "side": enum(eq.FEED_SIDES),
    "redundancy": enum(eq.REDUNDANCY_KINDS),
    "rating_kw": num(False, 1, 1e6, nullable=True), "enabled": FLAG,
}

UNDERLAY = {
    "path": Field("string", description="DXF drawing shown under the plan, relative to the "
                  "layout file or absolute", max_length=4096),
    "scale": num(False, 0, 1e6, True, d="metres per drawing unit (after the drawing's own units)"),
    "rotation_deg": num(False, -360, 360, d="rotation of the drawing about its origin (deg, "
                        "counter-clockwise)"),
    "offset_x_m": num(False, -1e5, 1e5, d="where the drawing's origin lands in the hall (m)"),
    "offset_y_m": num(False, -1e5, 1e5, d="where the drawing's origin lands in the hall (m)"),
    "hidden_layers": Field("textlist", description="drawing layers not shown"),
    "visible": FLAG,
}

TRACE = {
    "path": Field("string", description="workload trace (CSV: time, target, utilisation) "
                  "replayed by the timeline, relative to the layout file or absolute",
                  max_length=4096),
}

SCENARIO = {
    "id": ID, "name": TEXT,
    "description": Field("string", max_length=DESCRIPTION_MAX_CHARS),
    "utilisation": Field("numbermap", minimum=0, maximum=1,
                         description="workload id -> utilisation 0..1 in this scenario"),
    "failed": Field("textlist", description="ids of cooling units, CDUs (or CDU/pump), power "
                    "components, tanks or plant/chiller failed in this scenario"),
    "setpoints_c": Field("numbermap", minimum=5, maximum=40,
                         description="cooling unit id -> supply set-point (C)"),
    "rack_models": Field("textmap", description="rack id -> catalogue model in this scenario"),
}

FABRIC = {
    "tiers": Field("integer", choices=fb.FABRIC_TIERS, description=(
        "switch tiers of the scale-out fat tree: 2 (leaf-spine) or 3 (leaf-spine-core); "
        "0: no fabric")),
    "switch": Field("string", description="catalogue key of the switch model (kind "
                    "'switch') used in every tier", max_length=ID_MAX_CHARS),
    "ports_per_gpu": num(False, 0, 16, True, d="scale-out ports per GPU (0.25: one per four GPUs)"),
    "port_gbps": num(False, 0, 1e4, True, d="speed of a scale-out port (Gb/s); the switch's"),
    "rail_optimised": Field("bool", description="port k of a rack is on rail k mod rails and "
                            "a leaf takes one rail of several racks"),
    "rails": Field("integer", minimum=1, maximum=1024, description="rails of a "
                   "rail-optimised fabric (usually the GPUs of one server)"),
    "oversubscription": num(False, 1, 16, d="leaf downlinks per uplink (1: non-blocking)"),
    "frontend_ports_per_rack": Field("integer", minimum=0, maximum=1024, description=(
        "front-end / storage ports of each GPU rack, cabled to the nearest network rack")),
    "frontend_gbps": num(False, 0, 1e4, True, d="speed of a front-end port (Gb/s)"),
    "slack_fraction": num(False, 0, 1, d="share of the route added for dressing and service loops"),
    "in_rack_m": num(False, 0.1, 20, d="length of a link whose ends share a rack (m)"),
    "tray_elevation_m": num(False, 0.5, 20, nullable=True, d=(
        "underside of generated trays above the floor (m); null: 0.3 m above the tallest rack")),
    "tray_width_m": num(False, 0.05, 2, d="width of generated trays (m)"),
    "tray_depth_m": num(False, 0.02, 1, d="depth (side rail height) of generated trays (m)"),
    "tray_fill_limit": num(False, 0.05, 1, d="usable share of a tray's cross-section "
                           "(TIA-569: 0.5)"),
}
CABLE_TRAY = {
    "id": ID,
    "segment_m": Field("vec4", True, description="straight run from [x0, y0] to [x1, y1] (m)"),
    "elevation_m": num(False, 0, 20, d="underside of the tray above the floor (m)"),
    "width_m": num(False, 0.05, 2, True, d="tray width (m)"),
    "depth_m": num(False, 0.02, 1, True, d="tray depth, side rail height (m)"),
}

AIR_CALIBRATION = {
    **{name: num(False, lo, hi, d=f"{cal.MEANINGS.get(name, name)}; fitted, within its "
                 "physical bounds (absent: the product's default)")
       for name, (lo, hi) in cal.BOUNDS.items()},
    "sensors_file": Field("string", description="the sensor readings (CSV) the constants "
                          "were fitted to", max_length=4096),
    "fitted_on": Field("date", description="date of the fit"),
    "mae_before_c": num(False, 0, 100, d="mean absolute rack-inlet error at the sensors "
                        "before the fit (K)"),
    "mae_after_c": num(False, 0, 100, d="mean absolute rack-inlet error at the sensors "
                       "after the fit (K)"),
}

#: Top-level blocks that are objects: key -> (spec, model class or the function that
#: builds the block from its fields).
OBJECT_BLOCKS: dict[str, tuple[dict[str, Field], Callable[..., Any]]] = {
    "hall": (HALL, eq.Hall), "site": (SITE, eq.Site), "plant": (PLANT, eq.Plant),
    "underlay": (UNDERLAY, eq.Underlay), "trace": (TRACE, eq.TraceRef),
    "fabric": (FABRIC, fb.Fabric),
    "air_calibration": (AIR_CALIBRATION, cal.AirCalibration.from_fields)}
#: Object blocks not written while they hold their defaults (no drawing, no trace, no
#: fabric, no calibration).
OPTIONAL_BLOCKS = {"underlay": eq.Underlay, "trace": eq.TraceRef, "fabric": fb.Fabric,
                   "air_calibration": cal.AirCalibration}
#: Top-level lists of items: key -> (spec, model class or None for racks, model collection).
LIST_BLOCKS = {
    "workloads": (WORKLOAD, eq.Workload, "workloads"),
    "racks": (RACK, None, "racks"),
    "tiles": (TILE, eq.Tile, "tiles"),
    "containment": (CONTAINMENT, eq.Containment, "containment"),
    "cooling_units": (COOLING_UNIT, eq.CoolingUnit, "cooling_units"),
    "cdus": (CDU, eq.Cdu, "cdus"),
    "immersion_tanks": (TANK, eq.ImmersionTank, "tanks"),
    "power": (POWER, eq.PowerComponent, "power"),
    "grilles": (GRILLE, eq.Grille, "grilles"),
    "scenarios": (SCENARIO, eq.Scenario, "scenarios"),
    "cable_trays": (CABLE_TRAY, fb.CableTray, "cable_trays"),
}
REQUIRED_TOP = ("format", "version", "hall", "racks")

# ----- equipment catalogue entries (resources/catalogue.json and a layout's "catalogue")
POS = num(False, 0, 1e6)
_ENTRY_COMMON = {
    "kind": Field("enum", True, choices=("rack", "crah", "inrow", "rdhx", "cdu", "tank",
                                         "utility", "transformer", "ups", "pdu", "busway",
                                         "switch")),
    "name": Field("string", True, description="display name"),
    "width_m": num(True, 0, 30), "depth_m": num(True, 0, 30),
    "height_m": num(True, 0, 30), "weight_kg": num(False, 0, 1e6),
    "cost_usd": num(False, 0, 1e10, d="price installed (USD), for the economics"),
    "projected": FLAG,
    "sources": Field("textmap", description="a source for each number"),
    "unconfirmed": Field("textlist", description="numbers that are estimates"),
    "aliases": Field("textlist", description="other names of the model in inventories and "
                     "DCIMs, matched by the imports"),
}
_COOLER = {"capacity_kw": num(True, 0, 1e5, True), "airflow_m3s": num(True, 0, 1000, True),
           "fan_power_kw": num(False, 0, 1000), "supply_setpoint_c": num(False, 5, 40)}
_POWER = {"rating_kw": num(True, 0, 1e6, True),
          "efficiency_25": num(False, 0, 1, True), "efficiency_50": num(False, 0, 1, True),
          "efficiency_100": num(False, 0, 1, True)}
#: kind -> the fields of a catalogue entry of that kind (units in the names; airflow of a
#: rack in m3/s per kW of air heat, coolant in L/min per kW of liquid heat).
CATALOGUE_ENTRY: dict[str, dict[str, Field]] = {
    "rack": {**_ENTRY_COMMON,
             "cooling": enum(("air", "liquid", "hybrid")),
             "nameplate_kw": num(True, 0, 1000, True), "typical_kw": num(False, 0, 1000),
             "gpus": Field("integer", minimum=0, maximum=100000),
             "gpu_idle_w": num(False, 0, 5000), "gpu_max_w": num(False, 0, 5000),
             "power_exponent": num(False, 0.1, 5), "overhead_kw": num(False, 0, 1000),
             "overhead_idle_kw": num(False, 0, 1000), "liquid_fraction": num(False, 0, 1),
             "airflow_m3s_per_kw": num(False, 0, 1, True),
             "coolant_lpm_per_kw": num(False, 0, 20), "branch_k_pa_per_m3s2": num(False, 0, 1e14),
             "tokens_per_s_per_gpu": num(False, 0, 1e6),
             "energy_storage_kj": num(False, 0, 1e6, d="energy storage in the rack's power "
                                      "shelves that smooths training swings (kJ)"),
             "network_u": num(False, 0, 60, d="rack units for network switches: a network "
                              "rack of the fabric (0: none)")},
    "crah": {**_ENTRY_COMMON, **_COOLER},
    "inrow": {**_ENTRY_COMMON, **_COOLER},
    "rdhx": {**_ENTRY_COMMON, **_COOLER},
    "cdu": {**_ENTRY_COMMON, "placement": TEXT,
            "capacity_kw": num(True, 0, 1e5, True), "ua_kw_per_k": num(True, 0, 1e5, True),
            "pump_shutoff_kpa": num(True, 0, 5000, True), "pump_max_flow_lps": num(True, 0, 1e4, True),
            "pump_count": Field("integer", True, minimum=1, maximum=10),
            "pump_efficiency": num(False, 0, 1, True), "internal_k_pa_per_m3s2": num(False, 0, 1e14)},
    "tank": {**_ENTRY_COMMON, "capacity_kw": num(True, 0, 1e4, True),
             "ua_kw_per_k": num(True, 0, 1e4, True), "max_bath_c": num(False, 20, 100),
             "pump_power_kw": num(False, 0, 100)},
    **{k: {**_ENTRY_COMMON, **_POWER} for k in ("utility", "transformer", "ups", "pdu", "busway")},
    "switch": {**_ENTRY_COMMON, "ports": Field("integer", True, minimum=2, maximum=4096),
               "port_gbps": num(True, 0, 1e4, True), "rack_units": num(True, 0, 60, True),
               "power_kw": num(True, 0, 100, d="without pluggable optics (counted per cable end)"),
               "max_power_kw": num(False, 0, 100)},
}
