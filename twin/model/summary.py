"""Nameplate summary of a layout: counts, IT power, cooling and power-chain capacity.

No physics here: these are the catalogue numbers a designer checks first (``twin info``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from twin.model.layout import Layout


def _capacity(layout: Layout, item: Any, field: str) -> float:
    override = getattr(item, field, None)
    return float(override) if override is not None else layout.catalogue[item.model].get(field)


def _n_minus_one(caps: list[float]) -> float:
    return sum(caps) - max(caps) if caps else 0.0


def room_unit_capacities_kw(layout: Layout) -> list[float]:
    """Capacity of each enabled room air unit (CRAH, in-row cooler, fan wall; not rear
    doors)."""
    cat = layout.catalogue
    return [_capacity(layout, u, "capacity_kw") for u in layout.cooling_units.values()
            if u.enabled and cat[u.model].kind != "rdhx"]


def summarise(layout: Layout) -> dict[str, Any]:
    """A JSON-ready summary of what is on the floor and what it is rated for."""
    cat = layout.catalogue
    models = Counter(layout.racks["model"].tolist())
    entries = {m: cat[m] for m in models}
    gpus = sum(n * entries[m].get("gpus") for m, n in models.items())
    nameplate = sum(n * entries[m].get("nameplate_kw") for m, n in models.items())
    typical = sum(n * entries[m].get("typical_kw") for m, n in models.items())
    liquid_typ = sum(n * entries[m].get("typical_kw") * entries[m].get("liquid_fraction")
                     for m, n in models.items())
    units = [u for u in layout.cooling_units.values() if u.enabled]
    room_caps = room_unit_capacities_kw(layout)
    door_caps = [_capacity(layout, u, "capacity_kw") for u in units if cat[u.model].kind == "rdhx"]
    cdu_caps = [_capacity(layout, c, "capacity_kw") for c in layout.cdus.values()]
    tank_caps = [cat[t.model].get("capacity_kw") for t in layout.tanks.values()]
    tank_it = sum(t.it_kw for t in layout.tanks.values())
    chain: dict[str, dict[str, float]] = {}
    for comp in layout.power.values():
        rating = _capacity(layout, comp, "rating_kw")
        key = comp.kind + (f" side {comp.side}" if comp.side else "")
        entry = chain.setdefault(key, {"count": 0, "rating_kw": 0.0})
        entry["count"] += 1
        entry["rating_kw"] += rating
    return {
        "name": layout.name,
        "hall": {"width_m": layout.hall.width_m, "length_m": layout.hall.length_m,
                 "area_m2": layout.hall.width_m * layout.hall.length_m,
                 "raised_floor": layout.hall.raised_floor},
        "racks": len(layout.racks),
        "racks_by_model": dict(sorted(models.items())),
        "gpus": int(gpus + sum(t.gpus for t in layout.tanks.values())),
        "it_nameplate_kw": round(nameplate + tank_it, 3),
        "it_typical_kw": round(typical + tank_it, 3),
        "heat_to_liquid_typical_kw": round(liquid_typ + tank_it, 3),
        "heat_to_air_typical_kw": round(typical - liquid_typ, 3),
        "cooling": {
            "room_units": len(room_caps),
            "air_capacity_kw": round(sum(room_caps), 3),
            "air_capacity_n_minus_1_kw": round(_n_minus_one(room_caps), 3),
            "rear_doors": len(door_caps),
            "rear_door_capacity_kw": round(sum(door_caps), 3),
            "cdus": len(cdu_caps),
            "liquid_capacity_kw": round(sum(cdu_caps) + sum(tank_caps), 3),
            "immersion_tanks": len(tank_caps),
        },
        "power_chain": {k: {"count": v["count"], "rating_kw": round(v["rating_kw"], 3)}
                        for k, v in sorted(chain.items())},
        "workloads": len(layout.workloads),
        "tiles": len(layout.tiles),
    }
