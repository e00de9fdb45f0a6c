"""Heat-rejection plant from the layout's ``plant`` and ``site`` blocks, and the roll-up.

The plant is sized from the floor's nameplate heat (rejection at 1.25x, chillers N+1 at
that load), and never below the room air units it serves (an empty or lightly loaded hall
still rejects its fans' and losses' heat): the layout states the kind of plant and its
temperatures, not its machines.
"""

from __future__ import annotations

from twin.engine import inputs
from twin.model import Layout
from twin.model.summary import room_unit_capacities_kw
from twin.physics.facility import FacilityResult, evaluate_facility
from twin.physics.plant import COOLING_TOWER, DRY_COOLER, PlantSpec

#: Design heat of the plant relative to the floor's nameplate IT power.
DESIGN_MARGIN = 1.25
N_CHILLERS = 3  # two duty + one standby at design heat


def plant_spec(layout: Layout, supply_c: float, design_heat_w: float) -> PlantSpec:
    p = layout.plant
    design_heat_w = max(design_heat_w, 1e3)
    return PlantSpec(
        supply_setpoint_c=supply_c,
        heat_rejection=DRY_COOLER if p.heat_rejection == "dry_cooler" else COOLING_TOWER,
        rejection_approach_k=p.approach_k,
        economiser=p.economiser and p.heat_rejection != "chiller_only",
        rejection_design_heat_w=design_heat_w,
        rejection_design_fan_w=p.heat_rejection_fan_kw_per_mw * design_heat_w / 1e3,
        n_chillers=N_CHILLERS - p.failed_chillers,
        chiller_capacity_w=design_heat_w / (N_CHILLERS - 1),
        chiller_rated_cop=p.chiller_cop_rated,
        facility_pump_head_pa=p.facility_pump_head_kpa * 1e3,
    )


def nameplate_heat_w(layout: Layout) -> float:
    """Design heat of the plant: 1.25x the nameplate IT heat, at least the capacity of the
    room air units (CRAHs, in-row coolers, fan walls; not rear doors)."""
    tanks = sum(t.it_kw for t in layout.tanks.values())
    it_w = float(inputs.rack_numbers(layout, "nameplate_kw").sum() + tanks) * 1e3 * DESIGN_MARGIN
    room_w = round(sum(room_unit_capacities_kw(layout)), 3) * 1e3
    return max(it_w, float(room_w))


def facility_for(layout: Layout, power, liquid, immersion, loops, rack_air_heat_w: float,
                 crah_fan_w: float, tokens_per_s: float) -> FacilityResult:
    """Roll the facility up: liquid loops on warm facility water (the coldest CDU/tank
    supply is the plant set-point), air units on their own chilled-water plant."""
    supplies = [c.facility_supply_c for c in layout.cdus.values()]
    supplies += [t.facility_supply_c for t in layout.tanks.values()]
    design_w = nameplate_heat_w(layout)
    chw_c = layout.plant.chilled_water_supply_c
    if supplies:
        spec = plant_spec(layout, min(supplies), design_w)
        air_spec = plant_spec(layout, chw_c, max(rack_air_heat_w * DESIGN_MARGIN, design_w * 0.3))
    else:
        spec, air_spec = plant_spec(layout, chw_c, design_w), None
    s = layout.site
    return evaluate_facility(
        power, spec, s.dry_bulb_c, s.wet_bulb_c, liquid=liquid, immersion=immersion,
        rack_air_heat_w=rack_air_heat_w, crah_fan_power_w=crah_fan_w,
        cdu_pump_heat_to_coolant=loops.pump_heat_to_coolant if loops is not None else 1.0,
        tokens_per_s=tokens_per_s, air_plant_spec=air_spec)


