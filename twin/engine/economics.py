"""What the floor costs and what a token costs (docs/physics.md §14).

Capital cost from the catalogue's ``cost_usd`` of every rack, cooling unit, CDU, tank and
power component on the floor, plus the site's building and infrastructure cost per MW of
IT nameplate; annualised straight-line over the IT and facility lives (no interest: a
financing rate is the owner's choice, not the floor's). Energy cost from the facility
power at the utility meter, the hours run and the price. Then

    USD per million tokens = (capex a year + energy a year) / (tokens a year / 1e6)

and the same per GPU-hour. "GPUs per power budget": how many GPUs of the floor's mix the
utility feeds could carry at this operating point (IT kW per GPU and PUE as solved).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from twin.model import Layout

#: Capital cost groups, in report order.
GROUPS = ("it", "cooling", "power", "building")


@dataclass(frozen=True)
class Economics:
    """The floor's costs at one operating point (USD, per year where it says so)."""

    capex_usd: dict[str, float]            # by GROUPS
    capex_per_year_usd: float              # annualised, straight line
    energy_kwh_per_year: float
    energy_usd_per_year: float
    tokens_per_year: float
    gpus: int
    usd_per_million_tokens: float | None   # None: the floor makes no tokens
    energy_usd_per_million_tokens: float | None
    usd_per_gpu_hour: float | None         # None: no GPUs
    utility_kw: float                      # rating of the utility feeds (0: none given)
    gpus_within_utility: int | None        # None: no GPUs or no utility rating

    @property
    def capex_total_usd(self) -> float:
        return float(sum(self.capex_usd.values()))

    @property
    def cost_per_year_usd(self) -> float:
        return self.capex_per_year_usd + self.energy_usd_per_year

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["capex_total_usd"] = self.capex_total_usd
        d["cost_per_year_usd"] = self.cost_per_year_usd
        return d


def capex_usd(layout: Layout) -> dict[str, float]:
    """Capital cost by group: catalogue prices of what is on the floor (overrides of a
    layout's own equipment included) and the building per MW of IT nameplate."""
    cat = layout.catalogue

    def cost(model: str) -> float:
        return float(cat[model].get("cost_usd")) if model in cat else 0.0
    models = layout.racks["model"].tolist()
    per_model: dict[str, float] = {}
    it = sum(per_model.setdefault(m, cost(m)) for m in models)
    nameplate_kw = sum(float(cat[m].get("nameplate_kw")) for m in models if m in cat)
    nameplate_kw += sum(t.it_kw for t in layout.tanks.values())
    cooling = (sum(cost(u.model) for u in layout.cooling_units.values())
               + sum(cost(c.model) for c in layout.cdus.values())
               + sum(cost(t.model) for t in layout.tanks.values()))
    power = sum(cost(p.model) for p in layout.power.values())
    building = layout.site.building_usd_per_mw * nameplate_kw / 1e3
    return {"it": it, "cooling": cooling, "power": power, "building": building}


def economics(layout: Layout, facility_kw: float, it_kw: float, tokens_per_s: float,
              gpus: int) -> Economics:
    """The economics of ``layout`` running at the solved operating point."""
    s = layout.site
    capex = capex_usd(layout)
    per_year = (capex["it"] / s.it_life_years
                + (capex["cooling"] + capex["power"] + capex["building"]) / s.facility_life_years)
    hours = s.operating_hours_per_year
    energy_kwh = facility_kw * hours
    energy_usd = energy_kwh * s.electricity_usd_per_kwh
    tokens = tokens_per_s * 3600.0 * hours
    per_m = (per_year + energy_usd) / (tokens / 1e6) if tokens > 0 else None
    energy_per_m = energy_usd / (tokens / 1e6) if tokens > 0 else None
    gpu_hour = (per_year + energy_usd) / (gpus * hours) if gpus > 0 and hours > 0 else None
    utility_kw = float(sum(layout.catalogue[p.model].get("rating_kw") if p.rating_kw is None
                           else p.rating_kw
                           for p in layout.power.values() if p.kind == "utility" and p.enabled))
    within = None
    if gpus > 0 and utility_kw > 0 and it_kw > 0 and facility_kw > 0:
        # the feeds carry facility power; IT is facility / PUE; GPUs at this IT per GPU
        within = int(utility_kw * (it_kw / facility_kw) / (it_kw / gpus))
    return Economics(capex, per_year, energy_kwh, energy_usd, tokens, gpus, per_m,
                     energy_per_m, gpu_hour, utility_kw, within)
