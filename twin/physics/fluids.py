"""Coolant and air properties used by the liquid loop, plant and roll-up.

Constant properties at one reference state each (the twin does not iterate on
property variation with temperature).  Sources:

- ``PG25``: 25 % propylene glycol / water at 35 °C, ρ 1012.5 kg/m³,
  c_p 3956.7 J/(kg·K) (docs/physics.md §3.7 Liquid worked oracle; ASHRAE Handbook Fundamentals
  ch. 31 glycol tables give the same values to 3 digits).
- ``water``: c_p 4179.6 J/(kg·K) (docs/physics.md §1.3 Fluid properties), ρ 997 kg/m³ (≈ 25–30 °C).
- ``air``: ρ 1.1843 kg/m³, c_p 1006.6 J/(kg·K) (≈ 25 °C, 101.325 kPa; docs/physics.md §1.3 Fluid properties).
- ``dielectric``: a single-phase immersion hydrocarbon fluid (typical synthetic
  PAO/GTL values, ρ ≈ 800 kg/m³, c_p ≈ 2200 J/(kg·K); editable default, unconfirmed).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Fluid", "FLUIDS", "fluid", "PG25", "WATER", "AIR", "DIELECTRIC",
           "M3S_PER_CFM", "LPM_PER_M3S"]

M3S_PER_CFM = 0.3048 ** 3 / 60.0     # 1 ft³/min in m³/s
LPM_PER_M3S = 60_000.0               # 1 m³/s in L/min


@dataclass(frozen=True)
class Fluid:
    """Constant properties of a heat-transfer fluid."""

    name: str
    density_kgm3: float
    cp_jkgk: float

    @property
    def volumetric_cp_jm3k(self) -> float:
        """ρ c_p in J/(m³·K)."""
        return self.density_kgm3 * self.cp_jkgk

    def mass_flow_kgs(self, volume_flow_m3s):
        return self.density_kgm3 * volume_flow_m3s

    def volume_flow_m3s(self, mass_flow_kgs):
        return mass_flow_kgs / self.density_kgm3

    def flow_for_heat_m3s(self, heat_w, delta_t_k):
        """Volume flow that carries ``heat_w`` at a temperature rise ``delta_t_k``."""
        return heat_w / (self.volumetric_cp_jm3k * delta_t_k)


PG25 = Fluid("PG25", 1012.5, 3956.7)
WATER = Fluid("water", 997.0, 4179.6)
AIR = Fluid("air", 1.1843, 1006.6)
DIELECTRIC = Fluid("dielectric", 800.0, 2200.0)

FLUIDS: dict[str, Fluid] = {f.name: f for f in (PG25, WATER, AIR, DIELECTRIC)}


def fluid(name_or_fluid) -> Fluid:
    """Look a fluid up by name (case-insensitive) or pass a :class:`Fluid` through."""
    if isinstance(name_or_fluid, Fluid):
        return name_or_fluid
    key = str(name_or_fluid)
    for name, f in FLUIDS.items():
        if name.lower() == key.lower():
            return f
    raise KeyError(f"unknown fluid {key!r}; known: {', '.join(sorted(FLUIDS))}")
