"""The report's economics section: USD per million tokens and per GPU-hour, capital cost
by group and by model with the catalogue's price sources, and the site's assumptions
(docs/physics.md §14). Figures come from the ``twin simulate --json`` document; table
cells are plain text."""

from __future__ import annotations

from collections import Counter
from typing import Any

from twin.model import Layout
from twin.model import units as fmt
from twin.report.pdf.blocks import Block, Cell, Column, Heading, RichText, Table

GROUP_NAMES = {"it": "IT (racks)", "cooling": "Cooling (units, CDUs, tanks)",
               "power": "Power chain", "building": "Building and infrastructure"}


def economics_section(layout: Layout, doc: dict[str, Any]) -> list[Block]:
    e = doc.get("economics")
    if not e:
        return []
    s = layout.site
    total = e["capex_total_usd"] or 1.0
    figures = [
        ["USD per million tokens", fmt.usd(e["usd_per_million_tokens"]),
         "capital a year + energy a year, over tokens a year"],
        ["of which energy", fmt.usd(e["energy_usd_per_million_tokens"]),
         f"facility power at the meter x {fmt.num(s.operating_hours_per_year)} h x "
         f"{fmt.usd(s.electricity_usd_per_kwh)}/kWh"],
        ["USD per GPU-hour", fmt.usd(e["usd_per_gpu_hour"]), f"{fmt.num(e['gpus'])} GPUs"],
        ["Capital cost", fmt.usd(e["capex_total_usd"]),
         f"{fmt.usd(e['capex_per_year_usd'])} a year (straight line)"],
        ["Energy a year", fmt.usd(e["energy_usd_per_year"]),
         f"{fmt.num(e['energy_kwh_per_year'] / 1e3)} MWh"],
        ["GPUs the utility feed carries", fmt.num(e["gpus_within_utility"])
         if e["gpus_within_utility"] is not None else fmt.MISSING,
         f"feed rating {fmt.kw(e['utility_kw'])} kW at this PUE and IT power per GPU"
         if e["utility_kw"] else "no utility rating in the layout"]]
    blocks: list[Block] = [
        Heading("Economics"),
        RichText(
            "What the floor costs and what a token costs at the operating point of this "
            "review. Capital is annualised straight-line (no interest) over an IT life of "
            f"{s.it_life_years:g} years and a facility life of {s.facility_life_years:g} "
            f"years; the building and the infrastructure the layout does not itemise cost "
            f"{fmt.usd(s.building_usd_per_mw)} per MW of IT nameplate. Catalogue prices are "
            "sourced estimates (see the table's sources); projected models are marked."),
        Table([Column("Figure", weight=1.4, align="l"), Column("Value"),
               Column("Basis", weight=2.6, align="l", wrap=True)], figures, "Cost per token"),
        Table([Column("Group", weight=1.6, align="l"), Column("Capital", "USD"),
               Column("Share", "%")],
              [[GROUP_NAMES[k], fmt.usd(v), fmt.num(v / total * 100, 1)]
               for k, v in e["capex_usd"].items()],
              "Capital cost by group"),
        _by_model(layout)]
    return blocks


def _by_model(layout: Layout) -> Table:
    cat = layout.catalogue
    counts: Counter = Counter(layout.racks["model"].tolist())
    for coll in ("cooling_units", "cdus", "tanks", "power"):
        counts.update(it.model for it in layout.items[coll].values())
    rows = []
    for model, n in sorted(counts.items(), key=lambda kv: -kv[1] * _price(layout, kv[0])):
        price = _price(layout, model)
        entry = cat[model] if model in cat else None
        name = entry.name if entry is not None else model
        source = entry.sources.get("cost_usd", "") if entry is not None else "not in the catalogue"
        if entry is not None and entry.projected:
            name += " (projected)"
        rows.append([Cell(name), fmt.num(n), fmt.usd(price), fmt.usd(n * price), source])
    return Table([Column("Model", weight=1.8, align="l"), Column("Count"),
                  Column("Unit price"), Column("Total"), Column("Price source", weight=2.6,
                                                                 align="l", wrap=True)],
                 rows, "Capital cost by model")


def _price(layout: Layout, model: str) -> float:
    cat = layout.catalogue
    return float(cat[model].get("cost_usd")) if model in cat else 0.0
