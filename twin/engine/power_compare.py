"""The floor's power architecture side by side (docs/physics.md §17): AC distribution
against 800 V DC for the racks' load as solved — losses per stage, facility power, PUE,
tokens per kWh, conversions and the copper of the main distribution."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from twin.engine import inputs
from twin.engine.simulate import TwinResult
from twin.model import Layout
from twin.physics import power_arch as pa


@dataclass(frozen=True)
class PowerComparison:
    rack_dc_kw: float          # the racks' 54 V load both architectures deliver
    rated_kw: float            # every stage's rating: the racks' nameplate
    cooling_kw: float          # as solved, the same for both (stated)
    tokens_per_s: float
    ac: pa.Architecture
    dc: pa.Architecture

    def facility_kw(self, arch: pa.Architecture) -> float:
        return arch.utility_kw + self.cooling_kw

    def to_json(self) -> dict[str, Any]:
        def one(a: pa.Architecture) -> dict[str, Any]:
            fac = self.facility_kw(a)
            return {"name": a.name, "conversions": a.conversions,
                    "stages": [{"name": s.name, "output_kw": round(s.output_kw, 3),
                                "loss_kw": round(s.loss_kw, 3),
                                "efficiency": round(s.efficiency, 5)} for s in a.stages],
                    "loss_kw": round(a.loss_kw, 3), "utility_kw": round(a.utility_kw, 3),
                    "rack_input_kw": round(a.rack_input_kw, 3),
                    "facility_kw": round(fac, 3),
                    "pue": round(fac / a.rack_input_kw, 4) if a.rack_input_kw > 0 else None,
                    "tokens_per_kwh": round(self.tokens_per_s * 3600 / fac, 1) if fac > 0 else None,
                    "main_current_a": round(a.current_a, 1),
                    "copper_mm2": round(a.copper_mm2, 1),
                    "copper_kg_per_m": round(a.copper_kg_per_m, 2)}
        return {"rack_dc_kw": round(self.rack_dc_kw, 3), "rated_kw": round(self.rated_kw, 3),
                "cooling_kw": round(self.cooling_kw, 3),
                "assumptions": {"current_density_a_mm2": pa.CURRENT_DENSITY_A_MM2,
                                "ac": f"{pa.AC_VOLTAGE_V:g} V three-phase, power factor "
                                      f"{pa.AC_POWER_FACTOR:g}, {pa.AC_CONDUCTORS} conductors",
                                "dc": f"{pa.DC_VOLTAGE_V:g} V DC, {pa.DC_CONDUCTORS} conductors",
                                "stage_sources": {s.name: s.source
                                                  for s in (*pa.AC_STAGES, *pa.DC_STAGES)}},
                "ac": one(self.ac), "dc": one(self.dc),
                "saving_kw": round(self.facility_kw(self.ac) - self.facility_kw(self.dc), 3),
                "copper_saving_pct": round(100 * (1 - self.dc.copper_mm2 / self.ac.copper_mm2), 1)
                if self.ac.copper_mm2 > 0 else None}


def compare_power(layout: Layout, result: TwinResult) -> PowerComparison:
    """Both architectures for ``result``'s rack load on ``layout`` (racks and tanks); a
    floor already on 800 V DC is compared from its AC solve."""
    if layout.site.power_architecture != "ac":
        from twin.engine.simulate import simulate
        layout = layout.snapshot()
        layout.site = dataclasses.replace(layout.site, power_architecture="ac")
        result = simulate(layout)
    rack_ac = float(result.facility.it_kw)
    rated = float(inputs.rack_numbers(layout, "nameplate_kw").sum()
                  + sum(t.it_kw for t in layout.tanks.values()))
    rated = max(rated, rack_ac, 1e-9)
    dc = pa.dc_load_of(rack_ac, rated)
    ac_arch, dc_arch = pa.compare(dc, rated)
    return PowerComparison(dc, rated, float(result.facility.cooling_kw),
                           float(result.facility.tokens_per_s), ac_arch, dc_arch)
