"""Power architectures side by side (docs/physics.md §17): today's AC distribution against
800 V DC, for the same racks at the same load.

Each architecture is a chain of conversion stages with the loss model of §4.1 (efficiency
at 25/50/100 % load, monotonic fit) rated at the floor's design load. The rack's DC load
(its 54 V bus) is what both must deliver:

- **AC**: MV/LV transformer → double-conversion UPS (rectifier + inverter) → 415 V
  PDU/busway → rack PSUs (AC to 54 V DC): four stages, four conversions (the
  transformer's, the UPS's two, the PSU's).
- **800 V DC**: solid-state transformer (MV AC to 800 V DC, storage on the DC bus, no
  UPS double conversion) → 800 V DC busway → rack DC/DC (800 V to 54 V): three stages,
  two conversions.

Copper of the main distribution: current from the power and voltage (415 V three-phase
at power factor 0.95, four conductors; 800 V DC, two conductors), cross-section at a
stated current density, mass per metre of run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from twin.physics.power import efficiency_at, monotonic_loss_coefficients

COPPER_KG_M3 = 8960.0
#: design current density of copper busbars (A/mm²): busway ratings put 1.2–2 A/mm²
CURRENT_DENSITY_A_MM2 = 1.6
AC_VOLTAGE_V, AC_POWER_FACTOR, AC_CONDUCTORS = 415.0, 0.95, 4
DC_VOLTAGE_V, DC_CONDUCTORS = 800.0, 2


@dataclass(frozen=True)
class Stage:
    """One conversion stage: efficiencies at 25/50/100 % of its rating, AC/DC conversions."""

    name: str
    efficiency: tuple[float, float, float]
    conversions: int
    source: str

    def coefficients(self) -> tuple[float, float, float]:
        c0, c1, c2 = monotonic_loss_coefficients(self.efficiency)
        return c0, c1, c2


AC_STAGES = (
    Stage("MV/LV transformer", (0.985, 0.990, 0.988), 1,
          "DOE 2016 liquid-filled distribution transformer class (98.5-99.5 %)"),
    Stage("UPS, double conversion", (0.940, 0.960, 0.955), 2,
          "double-conversion UPS 94-97 % (APC WP113 loss model; docs/physics.md 4.5)"),
    Stage("415 V PDU / busway", (0.985, 0.990, 0.990), 0,
          "PDU/busway 98-99.5 % (docs/physics.md 4.5)"),
    Stage("Rack PSUs, AC to 54 V DC", (0.955, 0.965, 0.955), 1,
          "80 PLUS Titanium class and OCP ORv3 power shelves: 96-97.5 % peak"),
)
DC_STAGES = (
    Stage("Solid-state transformer, MV to 800 V DC", (0.975, 0.985, 0.980), 1,
          "projected: SST demonstrators about 98-98.5 % (NVIDIA 800 VDC white paper, 2025)"),
    Stage("800 V DC busway", (0.997, 0.998, 0.997), 0,
          "estimate: the 415 V busway's I²R loss at 800 V DC and about half the current"),
    Stage("Rack DC/DC, 800 V to 54 V", (0.975, 0.980, 0.975), 1,
          "projected: 800 V to 54 V converters about 98 % (NVIDIA 800 VDC white paper, 2025)"),
)


#: The UPS of an 800 V DC floor: batteries on the DC bus, no double conversion; in float
#: their charger's standing loss only (estimate).
DC_STORAGE = Stage("DC-bus storage (in float)", (0.998, 0.999, 0.999), 0,
                   "estimate: battery strings on the 800 V DC bus, no conversion in normal "
                   "operation; charger standing loss")
#: What each drawn component kind becomes on an 800 V DC floor.
DC800_STAGE_OF_KIND = {"transformer": DC_STAGES[0], "ups": DC_STORAGE, "pdu": DC_STAGES[1],
                       "busway": DC_STAGES[1]}


@dataclass(frozen=True)
class StageLoad:
    name: str
    output_kw: float
    loss_kw: float
    efficiency: float


@dataclass(frozen=True)
class Architecture:
    name: str
    stages: list[StageLoad]
    conversions: int
    utility_kw: float          # input of the first stage
    rack_input_kw: float       # what crosses into the racks (IT power for PUE)
    current_a: float           # main distribution current at the floor's load
    copper_mm2: float          # its conductors' total cross-section
    copper_kg_per_m: float

    @property
    def loss_kw(self) -> float:
        return float(sum(s.loss_kw for s in self.stages))


def chain(stages: tuple[Stage, ...], load_kw: float, rated_kw: float,
          in_rack: int) -> tuple[list[StageLoad], float, float]:
    """Walk ``stages`` from the rack up for an output of ``load_kw`` at the last stage;
    each stage is rated ``rated_kw``. ``in_rack``: how many of the last stages sit in
    the rack. Returns (stage loads in chain order, utility kW, rack input kW)."""
    out, loads = load_kw, []
    for st in reversed(stages):
        c0, c1, c2 = st.coefficients()
        x = out / rated_kw if rated_kw > 0 else 0.0
        loss = rated_kw * (c0 + c1 * x + c2 * x * x) if out > 0 else 0.0
        loads.append(StageLoad(st.name, out, loss, float(efficiency_at(x, c0, c1, c2))))
        out += loss
    loads.reverse()
    rack_input = loads[len(stages) - in_rack].output_kw + loads[len(stages) - in_rack].loss_kw
    return loads, out, rack_input


def _copper(current_a: float, conductors: int) -> tuple[float, float]:
    mm2 = conductors * current_a / CURRENT_DENSITY_A_MM2
    return mm2, mm2 * 1e-6 * COPPER_KG_M3


def compare(rack_dc_kw: float, rated_kw: float, ac: tuple[Stage, ...] = AC_STAGES,
            dc: tuple[Stage, ...] = DC_STAGES) -> tuple[Architecture, Architecture]:
    """AC and 800 V DC delivering ``rack_dc_kw`` to the racks' 54 V buses, every stage
    rated ``rated_kw`` (module docstring)."""
    out: list[Architecture] = []
    for name, stages, volts in (("AC 415 V", ac, AC_VOLTAGE_V),
                                ("800 V DC", dc, DC_VOLTAGE_V)):
        loads, utility, rack_in = chain(stages, rack_dc_kw, rated_kw, in_rack=1)
        main_kw = loads[-1].output_kw + loads[-1].loss_kw      # into the racks
        if volts == AC_VOLTAGE_V:
            current = main_kw * 1e3 / (math.sqrt(3) * volts * AC_POWER_FACTOR)
            mm2, kg = _copper(current, AC_CONDUCTORS)
        else:
            current = main_kw * 1e3 / volts
            mm2, kg = _copper(current, DC_CONDUCTORS)
        out.append(Architecture(name, loads, sum(s.conversions for s in stages), utility,
                                rack_in, current, mm2, kg))
    return out[0], out[1]


def dc_load_of(rack_ac_kw: float, rated_kw: float) -> float:
    """The racks' 54 V DC load behind AC PSUs drawing ``rack_ac_kw``: solves
    ``P_dc + PSU loss(P_dc) = rack_ac_kw`` (the loss rises with the load: one root)."""
    from scipy.optimize import brentq

    if rack_ac_kw <= 0:
        return 0.0
    psu = AC_STAGES[-1]
    c0, c1, c2 = psu.coefficients()

    def gap(p_dc: float) -> float:
        x = p_dc / rated_kw
        return p_dc + rated_kw * (c0 + c1 * x + c2 * x * x) - rack_ac_kw
    return float(brentq(gap, 0.0, rack_ac_kw, xtol=1e-9))


def _loss_root(p_in: np.ndarray, rated: np.ndarray, c: tuple[float, float, float]) -> np.ndarray:
    """The output ``p`` of a stage whose input is ``p_in``: ``p + R (c0 + c1 x + c2 x²) =
    p_in`` with ``x = p / R``, a quadratic in ``p`` (zero in, zero out)."""
    c0, c1, c2 = c
    r = np.maximum(rated, 1e-9)
    a, b, cc = c2 / r, 1.0 + c1, r * c0 - p_in
    with np.errstate(invalid="ignore", divide="ignore"):
        quad = (-b + np.sqrt(np.maximum(b * b - 4 * a * cc, 0.0))) / (2 * a)
    lin = -cc / b
    p = np.where(a > 0, quad, lin)
    return np.where(p_in > 0, np.clip(p, 0.0, p_in), 0.0)


def dc800_rack_input(p_ac: np.ndarray, rated: np.ndarray) -> np.ndarray:
    """A rack's input on 800 V DC for the AC input ``p_ac`` it has today (both rated at
    ``rated``): the AC PSUs' output (its 54 V load) plus the DC/DC converters' loss."""
    p_ac = np.asarray(p_ac, float)
    rated = np.asarray(rated, float)
    p_dc = _loss_root(p_ac, rated, AC_STAGES[-1].coefficients())
    c0, c1, c2 = DC_STAGES[-1].coefficients()
    x = p_dc / np.maximum(rated, 1e-9)
    return np.where(p_dc > 0, p_dc + rated * (c0 + c1 * x + c2 * x * x), 0.0)
