"""Floor items other than racks, the hall, site and plant: small frozen dataclasses.

Items are immutable: an edit replaces the item (``dataclasses.replace``), which keeps undo
simple and snapshots cheap. Optional numbers set to ``None`` fall back to the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ASHRAE_AIR_CLASSES = ("A1", "A2", "A3", "A4")
ASHRAE_WATER_CLASSES = ("W17", "W27", "W32", "W40", "W45", "W+")
WORKLOAD_KINDS = ("training", "inference", "idle")
#: power distribution architectures (docs/physics.md §17): today's AC chain, or 800 V DC
POWER_ARCHITECTURES = ("ac", "dc800")
#: ids of failures that are not layout items (twin.engine.whatif.components): one pump of
#: a CDU (``CDU-A/pump``), one chiller of the plant, the whole plant
PUMP_SUFFIX, CHILLER_ID, PLANT_ID = "/pump", "plant/chiller", "plant"
#: where a rack's fixed power came from (inventory import): not said, metered, budgeted
POWER_BASES = ("", "measured", "budget")
#: GPU power profiles (docs/physics.md §7.6): as fast as the GPUs go, or power-capped for
#: tokens per joule
POWER_PROFILES = ("max_performance", "max_efficiency")
CONTAINMENT_KINDS = ("hot_aisle", "cold_aisle")
HEAT_REJECTION_KINDS = ("dry_cooler", "cooling_tower", "chiller_only")
REDUNDANCY_KINDS = ("N", "N+1", "2N")
FEED_SIDES = ("A", "B", "")
COOLANTS = ("PG25", "water")
ROTATIONS = (0, 90, 180, 270)
#: Where a cooling unit stands: in the hall (a box on the floor) or outside it (a CRAH
#: gallery, or outdoors), feeding the raised-floor plenum or the supply grilles' duct.
UNIT_LOCATIONS = ("hall", "gallery", "outdoor")
GRILLE_KINDS = ("supply", "return")


@dataclass(frozen=True)
class Hall:
    """The room: plan size, height, floor and return arrangement, air class, design
    redundancy target."""

    name: str = "Data hall"
    width_m: float = 12.0
    length_m: float = 10.0
    ceiling_height_m: float = 3.6
    raised_floor: bool = True
    plenum_depth_m: float = 0.6
    tile_pitch_m: float = 0.6
    ceiling_return: bool = False
    ashrae_class: str = "A1"
    #: design redundancy of every cooling and power group (CDUs, air units, pumps, UPS
    #: modules, A/B feeds): the N-1 alerts check the layout against it
    redundancy_target: str = "N+1"
    #: floor ratings (docs/physics.md §15): distributed live load (kg/m², averaged over a
    #: square bay of ``floor_bay_m``) and concentrated load per rack caster/foot (kN);
    #: None: not checked
    floor_rating_kg_m2: float | None = None
    floor_point_rating_kn: float | None = None
    floor_bay_m: float = 1.2


@dataclass(frozen=True)
class Site:
    """Outdoor design conditions for heat rejection, with an optional 24-hour dry-bulb
    curve, and the site's economics (energy price, building cost, lives)."""

    dry_bulb_c: float = 30.0
    wet_bulb_c: float = 22.0
    daily_dry_bulb_c: tuple[float, ...] = ()
    #: economics (docs/physics.md §14): energy price, hours run a year, the building and
    #: its infrastructure per MW of IT nameplate, straight-line lives of IT and facility
    electricity_usd_per_kwh: float = 0.08
    operating_hours_per_year: float = 8760.0
    building_usd_per_mw: float = 11.0e6
    it_life_years: float = 5.0
    facility_life_years: float = 20.0
    #: "ac" (the drawn chain is AC: transformers, UPSs, PDUs/busways, rack PSUs) or
    #: "dc800" (the same components as 800 V DC: solid-state transformers, DC-bus storage,
    #: DC busways, rack DC/DC converters)
    power_architecture: str = "ac"
    #: the grid connection's limits on fast power changes at the utility meter (docs/
    #: physics.md §19): ramp rate and peak-to-trough swing; None: not checked
    grid_max_ramp_mw_per_s: float | None = None
    grid_max_swing_mw: float | None = None
    #: power smoothing: the racks' own energy storage (power shelves, where the model has
    #: it), a GPU power floor (share of compute-phase rack power held by burning), and a
    #: facility battery at the meter (energy and power)
    rack_energy_storage: bool = True
    gpu_power_floor: float = 0.0
    facility_battery_kwh: float = 0.0
    facility_battery_kw: float = 0.0


@dataclass(frozen=True)
class Scenario:
    """A named set of edits over the base layout (docs/physics.md §21): workload
    utilisation, failed equipment, cooling set-points and rack models."""

    id: str
    name: str = ""
    description: str = ""
    utilisation: dict[str, float] = field(default_factory=dict)
    failed: tuple[str, ...] = ()
    setpoints_c: dict[str, float] = field(default_factory=dict)
    rack_models: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "failed", tuple(self.failed))


@dataclass(frozen=True)
class TraceRef:
    """A workload trace (CSV) replayed by the timeline, kept beside the layout: its path,
    relative to the layout file or absolute (twin.io.trace)."""

    path: str = ""


@dataclass(frozen=True)
class Underlay:
    """A CAD drawing (DXF) shown under the plan: the file, and the similarity transform
    from drawing units to hall metres (scale, then rotation about the drawing origin, then
    offset). Only the reference is kept in the layout, never the drawing."""

    path: str = ""
    scale: float = 1.0
    rotation_deg: float = 0.0
    offset_x_m: float = 0.0
    offset_y_m: float = 0.0
    hidden_layers: tuple[str, ...] = ()
    visible: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden_layers", tuple(self.hidden_layers))


@dataclass(frozen=True)
class Plant:
    """Heat rejection: chiller, economiser kind and approaches, chilled-water temperatures."""

    heat_rejection: str = "cooling_tower"
    chiller_cop_rated: float = 6.5
    chilled_water_supply_c: float = 14.0
    economiser: bool = True
    approach_k: float = 4.0
    facility_pump_head_kpa: float = 200.0
    heat_rejection_fan_kw_per_mw: float = 15.0
    #: chillers out of service, of the plant's three (two duty + one standby)
    failed_chillers: int = 0
    #: water held for the room coils / the CDU exchangers through a plant outage (their
    #: fans and pumps on UPS); 0: they stop until the plant is back (ride-through)
    chilled_water_storage_m3: float = 0.0
    facility_water_storage_m3: float = 0.0


@dataclass(frozen=True)
class Tile:
    """A perforated floor tile: open area fraction, or a fixed flow (``flow_m3s``).
    ``supply_c``: the temperature of the air it delivers when no cooling unit feeds the
    plenum (a measured room: tiles at 18 C with given flows, the units not modelled)."""

    id: str
    x_m: float
    y_m: float
    open_fraction: float = 0.25
    flow_m3s: float | None = None
    supply_c: float | None = None


@dataclass(frozen=True)
class Grille:
    """A supply or return grille in the ceiling (``elevation_m`` None) or in a wall / on a
    duct (centre at ``elevation_m``, ``height_m`` tall): plan centre, ``width_m`` along x,
    ``length_m`` along y. Return grilles draw room air to the ceiling plenum (hall
    ``ceiling_return``) or through their own duct (``flow_m3s``, else by area); supply
    grilles deliver the units' duct air (or air at ``supply_c`` when no unit feeds it)."""

    id: str
    kind: str
    x_m: float
    y_m: float
    width_m: float = 0.6
    length_m: float = 0.6
    elevation_m: float | None = None
    height_m: float = 0.3
    flow_m3s: float | None = None
    supply_c: float | None = None


@dataclass(frozen=True)
class Containment:
    """A contained aisle: its plan rectangle, height, roof and end doors."""

    id: str
    kind: str
    x0_m: float
    y0_m: float
    x1_m: float
    y1_m: float
    height_m: float = 2.4
    roof: bool = True
    end_doors: bool = True


@dataclass(frozen=True)
class CoolingUnit:
    """A CRAH/CRAC, in-row cooler or rear-door heat exchanger (``rack`` names its rack)."""

    id: str
    model: str
    x_m: float
    y_m: float
    rotation_deg: int = 0
    supply_setpoint_c: float | None = None
    airflow_m3s: float | None = None
    capacity_kw: float | None = None
    enabled: bool = True
    rack: str = ""
    #: "hall" (default: a box on the floor), or "gallery"/"outdoor": outside the hall, no
    #: footprint in it; supplies through the tiles / supply grilles, returns through the
    #: ceiling plenum or the return grilles
    location: str = "hall"


@dataclass(frozen=True)
class Cdu:
    """A coolant distribution unit and its secondary loop (racks name it in ``cdu``)."""

    id: str
    model: str
    x_m: float
    y_m: float
    rotation_deg: int = 0
    facility_supply_c: float = 30.0
    facility_flow_lpm: float = 600.0
    water_class: str = "W32"
    coolant: str = "PG25"
    failed_pumps: int = 0
    header_k_pa_per_m3s2: float = 4.0e6
    return_limit_c: float = 50.0
    capacity_kw: float | None = None
    ua_kw_per_k: float | None = None


@dataclass(frozen=True)
class ImmersionTank:
    """A single-phase immersion tank holding IT, with its own heat exchanger."""

    id: str
    model: str
    x_m: float
    y_m: float
    rotation_deg: int = 0
    it_kw: float = 80.0
    gpus: int = 64
    workload: str = ""
    facility_supply_c: float = 30.0
    facility_flow_lpm: float = 250.0
    feed_a: str = ""
    feed_b: str = ""


@dataclass(frozen=True)
class PowerComponent:
    """A stage in the power chain: utility, transformer, UPS, PDU/RPP or busway."""

    id: str
    kind: str
    model: str
    upstream: str = ""
    side: str = ""
    redundancy: str = "N"
    rating_kw: float | None = None
    enabled: bool = True


@dataclass(frozen=True)
class Workload:
    """What runs on racks: kind, utilisation, token rate and an optional 24-hour profile."""

    id: str
    name: str = ""
    kind: str = "training"
    utilisation: float = 0.9
    tokens_per_s_per_gpu: float | None = None
    prefill_share: float = 0.3
    decode_share: float = 0.5
    profile: tuple[float, ...] = ()
    power_profile: str = "max_performance"
    #: synchronous training swing (docs/physics.md §19): every rack of the job between its
    #: compute-phase power and ``swing_low_fraction`` of it, ``swing_duty`` of each
    #: ``swing_period_s`` computing, with ``swing_rise_s`` edges; None: a steady load
    swing_period_s: float | None = None
    swing_duty: float = 0.7
    swing_low_fraction: float = 0.3
    swing_rise_s: float = 0.05
