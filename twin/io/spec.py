"""The layout format v1 as a declarative spec: one source for the validator and the JSON Schema.

Each block maps a file key to a ``Field``; ``position_m`` and ``rect_m`` expand to the
model's ``x_m``/``y_m`` and ``x0_m``.. ``y1_m`` fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from twin.model import equipment as eq


@dataclass(frozen=True)
class Field:
    """A field: JSON type, whether required, numeric range, allowed values."""

    kind: str  # number | integer | string | bool | enum | vec2 | vec4 | profile | ref
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple = ()
    nullable: bool = False
    description: str = ""

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
                "profile": "a list of 24 hourly factors between 0 and 1.5"}[self.kind]


def num(required=False, minimum=None, maximum=None, excl=False, nullable=False, d=""):
    return Field("number", required, minimum, maximum, excl, nullable=nullable, description=d)


def enum(choices, required=False, d=""):
    return Field("enum", required, choices=tuple(choices), description=d)


ID = Field("string", True, description="unique id across the layout")
REF = Field("ref", False, description="id of another item, or empty")
POSITION = Field("vec2", True, description="plan position of the footprint centre [x, y] (m)")
ROTATION = Field("integer", False, choices=eq.ROTATIONS,
                 description="direction of the front: 0 south, 90 east, 180 north, 270 west")
MODEL = Field("string", True, description="catalogue model key")
TEXT = Field("string")
FLAG = Field("bool")
TEMP = num(False, -20, 80, d="temperature (C)")

HALL = {
    "name": TEXT,
    "width_m": num(True, 0, 2000, True, d="extent along x (east)"),
    "length_m": num(True, 0, 2000, True, d="extent along y (north)"),
    "ceiling_height_m": num(True, 2.0, 30, d="floor to ceiling"),
    "raised_floor": FLAG,
    "plenum_depth_m": num(False, 0, 3),
    "tile_pitch_m": num(False, 0.3, 1.2),
    "ceiling_return": FLAG,
    "ashrae_class": enum(eq.ASHRAE_AIR_CLASSES),
    "redundancy_target": enum(eq.REDUNDANCY_KINDS, d="design redundancy of cooling and power "
                              "groups (N, N+1, 2N); the N-1 alerts check against it"),
}
SITE = {
    "dry_bulb_c": num(True, -50, 60),
    "wet_bulb_c": num(True, -50, 45),
    "daily_dry_bulb_c": Field("profile", description="24 hourly dry-bulb temperatures (C)",
                              minimum=-50, maximum=60),
}
PLANT = {
    "heat_rejection": enum(eq.HEAT_REJECTION_KINDS),
    "chiller_cop_rated": num(False, 1, 15),
    "chilled_water_supply_c": num(False, 4, 35),
    "economiser": FLAG,
    "approach_k": num(False, 0, 20),
    "facility_pump_head_kpa": num(False, 0, 2000),
    "heat_rejection_fan_kw_per_mw": num(False, 0, 100),
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
}
RACK = {
    "id": ID, "name": TEXT, "model": MODEL, "position_m": POSITION, "rotation_deg": ROTATION,
    "workload": REF, "feed_a": REF, "feed_b": REF, "cdu": REF,
}
TILE = {
    "id": ID, "position_m": POSITION,
    "open_fraction": num(False, 0, 1, d="open area fraction"),
    "flow_m3s": num(False, 0, 20, nullable=True, d="fixed tile flow (m3/s)"),
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
    "capacity_kw": num(False, 0, 5000, nullable=True),
    "enabled": FLAG, "rack": REF,
}
CDU = {
    "id": ID, "model": MODEL, "position_m": POSITION, "rotation_deg": ROTATION,
    "facility_supply_c": num(False, 2, 60), "facility_flow_lpm": num(False, 0, 1e6, True),
    "water_class": enum(eq.ASHRAE_WATER_CLASSES), "coolant": enum(eq.COOLANTS),
    "failed_pumps": Field("integer", minimum=0, maximum=10),
    "header_k_pa_per_m3s2": num(False, 0, 1e14),
    "return_limit_c": num(False, 20, 90),
    "capacity_kw": num(False, 0, 1e5, True, nullable=True),
    "ua_kw_per_k": num(False, 0, 1e5, True, nullable=True),
}
TANK = {
    "id": ID, "model": MODEL, "position_m": POSITION, "rotation_deg": ROTATION,
    "it_kw": num(False, 0, 2000), "gpus": Field("integer", minimum=0, maximum=10000),
    "workload": REF, "facility_supply_c": num(False, 2, 60),
    "facility_flow_lpm": num(False, 0, 1e6, True), "feed_a": REF, "feed_b": REF,
}
POWER = {
    "id": ID, "kind": enum(("utility", "transformer", "ups", "pdu", "busway"), True),
    "model": MODEL, "upstream": REF, "side": enum(eq.FEED_SIDES),
    "redundancy": enum(eq.REDUNDANCY_KINDS),
    "rating_kw": num(False, 0, 1e6, True, nullable=True), "enabled": FLAG,
}

#: Top-level blocks that are objects: key -> (spec, model class).
OBJECT_BLOCKS = {"hall": (HALL, eq.Hall), "site": (SITE, eq.Site), "plant": (PLANT, eq.Plant)}
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
}
REQUIRED_TOP = ("format", "version", "hall", "racks")
