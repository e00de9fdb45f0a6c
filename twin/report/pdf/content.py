"""The report's sections as blocks, from the ``twin simulate --json`` document.

Every number comes from ``result_document`` (the JSON figures) or the layout and its
catalogue, printed with the rules of ``fmt``; so the PDF and ``twin simulate --json``
agree digit for digit. Sections: summary, views, cooling capacity, power chain, alerts,
racks (assumptions and sources are in ``assumptions``).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from typing import Any

from twin.engine.export import worst_inlet_entry
from twin.model import units as fmt
from twin.report.pdf import style as st
from twin.report.pdf.blocks import Block, Cell, Column, Figure, Heading, RichText, Table, Tile, \
    Tiles
from twin.model import Layout
from twin.physics.metrics import ASHRAE_ALLOWABLE_C, ASHRAE_RECOMMENDED_C, worst_inlet_order



def _deg() -> str:
    """The temperature unit of the report's unit system (``fmt.using``)."""
    return fmt.label(fmt.TEMP)
Doc = dict[str, Any]
#: Rows of the racks table (about 40 pages) and of the alerts table; beyond, the worst
#: are listed and the rest counted in the table's note.
RACK_ROWS_MAX = 1500
ALERT_ROWS_MAX = 300


# ============================================================================= helpers
def load_cell(pct: float | None) -> Cell:
    """A load percentage, amber from 80 %, red and bold from 100 %."""
    text = fmt.pct(pct)
    if pct is None:
        return Cell(text)
    if pct >= 100:
        return Cell(text, st.SEVERITY["critical"], bold=True)
    if pct >= 80:
        return Cell(text, st.SEVERITY["warning"], bold=True)
    return Cell(text)


def severity_cell(severity: str) -> Cell:
    return Cell(severity.upper(), badge=st.SEVERITY.get(severity, st.DIM))


#: Short ASHRAE inlet status for dense tables.
STATUS_SHORT = {"recommended": "rec.", "allowable": "allow.", "out_of_range": "OUT"}


def status_cell(status: str | None, short: bool = False) -> Cell:
    if not status:
        return Cell(fmt.MISSING)
    text = STATUS_SHORT.get(status, status) if short else status.replace("_", " ")
    return Cell(text, st.STATUS.get(status), bold=status != "recommended")


def _capacity_kw(layout: Layout, item: Any) -> float:
    own = getattr(item, "capacity_kw", None)
    return float(own) if own is not None else layout.catalogue[item.model].get("capacity_kw")


def _model_name(layout: Layout, key: str) -> str:
    return layout.catalogue[key].name if key in layout.catalogue else key


def worst_inlet_rack(doc: Doc) -> dict[str, Any] | None:
    """The rack with the worst inlet, by the one rule of the dock, CLI and JSON
    (``twin.physics.metrics.worst_inlet_index``)."""
    return worst_inlet_entry(doc)


def alert_counts(doc: Doc) -> Counter:
    return Counter(a["severity"] for a in doc["alerts"])


# ============================================================================= summary
def key_figures(doc: Doc, info: dict[str, Any], ashrae_class: str) -> list[tuple[str, str, str]]:
    """(figure, value with unit, basis) rows of the summary table."""
    m, e = doc["metrics"], doc["energy"]
    worst = worst_inlet_rack(doc)
    lo, hi = ASHRAE_ALLOWABLE_C[ashrae_class]
    rlo, rhi = ASHRAE_RECOMMENDED_C
    by_model = ", ".join(f"{n:,} \u00d7 {k}" for k, n in info["racks_by_model"].items())
    rows = [
        ("Racks", fmt.num(info["racks"]), by_model),
        ("GPUs", fmt.num(info["gpus"]), "catalogue GPUs per rack model (and tanks)"),
        ("IT power", fmt.with_unit(fmt.kw(m["it_power_kw"]), "kW"),
         "rack inputs (power-shelf AC) for the workloads as set"),
        ("Facility power", fmt.with_unit(fmt.kw(m["facility_power_kw"]), "kW"),
         f"at the utility meter: cooling {fmt.kw(m['cooling_power_kw'])} kW, electrical "
         f"losses {fmt.kw(m['electrical_loss_kw'])} kW"),
        ("PUE", fmt.pue(m["pue"]), "facility power / IT power (The Green Grid)"),
        ("Tokens per kWh", fmt.num(m["tokens_per_kwh"]),
         f"grid-to-token; {fmt.num(m['tokens_per_s'])} tokens/s"),
        ("Liquid share", fmt.with_unit(fmt.share(m["liquid_share"]), "%"),
         f"of IT heat to liquid: {fmt.kw(e['to_liquid_kw'])} kW liquid, "
         f"{fmt.kw(e['to_air_kw'])} kW air"),
    ]
    money = doc.get("economics")
    if money and money.get("usd_per_million_tokens") is not None:
        rows.append(("Cost per million tokens", fmt.usd(money["usd_per_million_tokens"]),
                     f"capital and energy (section Economics); "
                     f"{fmt.usd(money['usd_per_gpu_hour'])} per GPU-hour"))
    if worst is not None:
        rows += [
            ("Worst inlet", fmt.temperature(worst["inlet_max_c"]),
             f"hottest intake point, rack {worst['id']}; {ashrae_class} recommended "
             + fmt.localise(f"{rlo:g}\u2013{rhi:g}\u00a0\u00b0C, allowable "
                            f"{lo:g}\u2013{hi:g}\u00a0\u00b0C")),
            ("Mean inlet", fmt.temperature(m.get("mean_inlet_c")),
             "airflow-weighted over racks"),
            ("RCI (high)", fmt.with_unit(fmt.pct(m.get("rci_hi_pct")), "%"),
             fmt.localise(f"Rack Cooling Index above {rhi:g} \u00b0C (100 % = no rack above)")),
            ("RCI (low)", fmt.with_unit(fmt.pct(m.get("rci_lo_pct")), "%"),
             fmt.localise(f"Rack Cooling Index below {rlo:g} \u00b0C")),
            ("RTI", fmt.with_unit(fmt.pct(m.get("rti_pct")), "%"),
             "Return Temperature Index: < 100 % bypass, > 100 % recirculation"),
            ("SHI", fmt.index(m.get("shi")),
             f"Supply Heat Index (RHI {fmt.index(m.get('rhi'))}); 0 = no hot-air mixing"),
            ("Capture index", fmt.index(m.get("capture_index")),
             "share of rack intake air that came from cooling supplies"),
            ("Racks by inlet class",
             f"{fmt.num(m.get('racks_recommended'))} / {fmt.num(m.get('racks_allowable_only'))}"
             f" / {fmt.num(m.get('racks_out_of_range'))}",
             "recommended / allowable only / out of range"),
        ]
    counts = alert_counts(doc)
    rows.append(("Alerts", f"{counts['critical']} / {counts['warning']} / {counts['info']}",
                 "critical / warning / info"))
    residual = e.get("residual_pct")
    rows.append(("Energy balance", f"{abs(residual or 0):.1e} %",
                 "air solve: |heat in \u2212 heat removed| / heat in"))
    return rows


def headline_tiles(doc: Doc, ashrae_class: str) -> Tiles:
    m = doc["metrics"]
    worst = worst_inlet_rack(doc)
    tiles = [
        Tile("IT power", fmt.kw(m["it_power_kw"]), "kW",
             f"facility {fmt.kw(m['facility_power_kw'])} kW"),
        Tile("PUE", fmt.pue(m["pue"]), "", f"cooling {fmt.kw(m['cooling_power_kw'])} kW"),
        Tile("Tokens per kWh", fmt.num(m["tokens_per_kwh"]), "",
             f"liquid share {fmt.share(m['liquid_share'])} %"),
    ]
    if worst is not None:
        t = worst["inlet_max_c"]
        lo, hi = ASHRAE_ALLOWABLE_C[ashrae_class]
        colour = (st.STATUS["out_of_range"] if t > hi else
                  st.STATUS["allowable"] if t > ASHRAE_RECOMMENDED_C[1] else
                  st.STATUS["recommended"])
        tiles.append(Tile("Worst inlet", fmt.temp(t), _deg(), f"rack {worst['id']}", colour))
    counts = alert_counts(doc)
    colour = (st.SEVERITY["critical"] if counts["critical"] else
              st.SEVERITY["warning"] if counts["warning"] else st.STATUS["recommended"])
    tiles.append(Tile("Alerts", f"{counts['critical']} / {counts['warning']}", "",
                      "critical / warning", colour))
    return Tiles(tiles)


def n_minus_1_cell(n1: float | None, load: float, target: str = "N+1") -> Cell:
    """The capacity left with the largest unit failed: red and bold when it cannot carry
    the load and the design target asks for a spare (N+1 or 2N)."""
    if n1 is None:
        return Cell(fmt.MISSING)
    if target != "N" and n1 < load:
        return Cell(fmt.kw(n1), st.SEVERITY["critical"], bold=True)
    return Cell(fmt.kw(n1))


def capacity_rows(doc: Doc, info: dict[str, Any], doors: list[dict[str, Any]],
                  target: str = "N+1") -> list[list]:
    """Capacity at a glance: air, rear doors, liquid, tanks and the utility feed; an N−1
    capacity below the load is red unless the design ``target`` is N."""
    cool = info["cooling"]
    rows = []

    def row(name, count, cap, n1, load, unit_pcts):
        rows.append([Cell(name, bold=True), fmt.num(count), fmt.kw(cap),
                     n_minus_1_cell(n1, load, target), fmt.kw(load, 1),
                     load_cell(100 * load / cap if cap else None),
                     load_cell(max(unit_pcts) if unit_pcts else None)])

    units = doc["cooling_units"]
    if units:
        row("Air cooling units", len(units), cool["air_capacity_kw"],
            cool["air_capacity_n_minus_1_kw"], sum(u["load_kw"] for u in units),
            [u["capacity_pct"] for u in units])
    if doors:
        row("Rear-door heat exchangers", len(doors), sum(d["capacity_kw"] for d in doors), None,
            sum(d["removed_kw"] for d in doors),
            [100 * d["removed_kw"] / d["capacity_kw"] for d in doors if d["capacity_kw"]])
    cdus, tanks = doc["liquid"]["cdus"], doc["liquid"]["immersion_tanks"]
    if cdus:
        caps = [c["load_kw"] / (c["capacity_pct"] / 100) for c in cdus if c["capacity_pct"]]
        cap = cool["liquid_capacity_kw"] - sum(t["load_kw"] / (t["capacity_pct"] / 100)
                                               for t in tanks if t["capacity_pct"])
        row("CDUs (liquid loops)", len(cdus), cap, cap - max(caps) if caps else None,
            sum(c["load_kw"] for c in cdus), [c["capacity_pct"] for c in cdus])
    if tanks:
        caps = [t["load_kw"] / (t["capacity_pct"] / 100) for t in tanks if t["capacity_pct"]]
        row("Immersion tanks", len(tanks), sum(caps), None, sum(t["load_kw"] for t in tanks),
            [t["capacity_pct"] for t in tanks])
    feeds = [c for c in doc["power"]["components"] if c["kind"] == "utility"]
    if feeds:
        row("Utility feeds", len(feeds), sum(c["rating_kw"] for c in feeds), None,
            sum(c["load_kw"] for c in feeds), [c["load_pct"] for c in feeds])
    return rows


def hottest_racks(doc: Doc, n: int = 10) -> list[list]:
    have = [r for r in doc["racks"] if r.get("inlet_max_c") is not None]
    order = worst_inlet_order([r["inlet_max_c"] for r in have],
                              [r.get("inlet_c") if r.get("inlet_c") is not None else float("nan")
                               for r in have], [r["id"] for r in have])
    worst = worst_inlet_rack(doc)
    racks = [have[i] for i in order]
    if worst is not None and worst in racks:       # the rack the JSON names comes first
        racks.remove(worst)
        racks.insert(0, worst)
    racks = racks[:n]
    return [[Cell(r["id"], bold=True), r["model"], fmt.kw(r["power_kw"], 1),
             fmt.temp(r.get("inlet_c")), Cell(fmt.temp(r["inlet_max_c"]), bold=True),
             fmt.index(r.get("capture_index")), status_cell(r.get("ashrae"))] for r in racks]


def summary_section(doc: Doc, info: dict[str, Any], layout: Layout,
                    doors: list[dict[str, Any]]) -> list[Block]:
    cls = layout.hall.ashrae_class
    rows = [[Cell(label, bold=True), Cell(value, bold=True), basis]
            for label, value, basis in key_figures(doc, info, cls)]
    blocks: list[Block] = [
        Heading("Summary"), headline_tiles(doc, cls),
        Table([Column("Figure", align="l"), Column("Value"),
               Column("Basis", align="l", wrap=True)], rows, "Key figures",
              size_pt=8.0)]
    capacity = capacity_rows(doc, info, doors, layout.hall.redundancy_target)
    if capacity:
        blocks.append(Table(
            [Column("System", align="l"), Column("Units"), Column("Capacity", "kW"),
             Column("N\u22121 capacity", "kW"), Column("Load", "kW"), Column("Load", "%"),
             Column("Most loaded unit", "%")], capacity,
            f"Capacity at a glance (N\u22121: the largest unit failed; design target "
            f"{layout.hall.redundancy_target})", size_pt=8.0))
    hot = hottest_racks(doc)
    if hot:
        blocks.append(Table(
            [Column("Rack", align="l"), Column("Model", align="l"), Column("Power", "kW"),
             Column("Inlet", _deg()), Column("Inlet max", _deg()), Column("Capture"),
             Column("ASHRAE", align="l")], hot,
            f"Hottest racks ({len(hot)} of {len(doc['racks']):,})", size_pt=8.0))
    return blocks


# ============================================================================= views
def figures_section(figures: list[Figure]) -> list[Block]:
    return [Heading("Views"), *figures]


# ============================================================================= cooling
def cooling_section(layout: Layout, doc: Doc, door_rows: list[dict[str, Any]]) -> list[Block]:
    blocks: list[Block] = [Heading("Cooling capacity")]
    units = layout.cooling_units
    if doc["cooling_units"]:
        rows = []
        for u in doc["cooling_units"]:
            item = units[u["id"]]
            rows.append([Cell(u["id"], bold=True), _model_name(layout, item.model),
                         fmt.kw(_capacity_kw(layout, item), 1), fmt.kw(u["load_kw"], 1),
                         load_cell(u["capacity_pct"]), fmt.temp(u["setpoint_c"]),
                         fmt.temp(u["supply_c"]), fmt.temp(u["return_c"])])
        blocks.append(Table(
            [Column("Unit", weight=1.1, align="l"), Column("Model", weight=2.6, align="l"),
             Column("Capacity", "kW"), Column("Load", "kW"), Column("Load", "%"),
             Column("Set-point", _deg()), Column("Supply", _deg()), Column("Return", _deg())], rows,
            "Room cooling units (CRAH, in-row, fan walls)",
            note=return_note(layout, [units[u["id"]] for u in doc["cooling_units"]])))
    if door_rows:
        blocks.append(_door_table(layout, door_rows))
    cdus = doc["liquid"]["cdus"]
    if cdus:
        rows = []
        for c in cdus:
            item = layout.cdus[c["id"]]
            rows.append([Cell(c["id"], bold=True), fmt.kw(_capacity_kw(layout, item)),
                         fmt.kw(c["load_kw"], 1), load_cell(c["capacity_pct"]),
                         fmt.value(fmt.LIQUID_FLOW, c["flow_lpm"], 0),
                         fmt.temp(c["loop_supply_c"]), fmt.temp(c["loop_return_c"]),
                         fmt.value(fmt.DTEMP, c["approach_k"], 1, sep=False),
                         fmt.num(c["pumps_running"]), fmt.kw(c["pump_power_kw"], 1),
                         f"{fmt.temp(c['facility_supply_c'])} / {fmt.temp(c['facility_return_c'])}",
                         item.water_class])
        blocks.append(Table(
            [Column("CDU", weight=1.2, align="l"), Column("Capacity", "kW"),
             Column("Load", "kW"), Column("Load", "%"), Column("Flow", fmt.label(fmt.LIQUID_FLOW)),
             Column("Loop sup.", _deg()), Column("Loop ret.", _deg()), Column("Approach", fmt.label(fmt.DTEMP)),
             Column("Pumps", "running"), Column("Pump", "kW"),
             Column("Facility water", f"sup./ret. {_deg()}", weight=1.5),
             Column("Class", align="c", weight=0.7)], rows,
            "Coolant distribution units (liquid loops)"))
    tanks = doc["liquid"]["immersion_tanks"]
    if tanks:
        rows = [[Cell(t["id"], bold=True), fmt.kw(t["load_kw"], 1), load_cell(t["capacity_pct"]),
                 fmt.temp(t["bath_c"]), fmt.temp(t["facility_return_c"])] for t in tanks]
        blocks.append(Table(
            [Column("Tank", align="l"), Column("Load", "kW"), Column("Load", "%"),
             Column("Bath", _deg()), Column("Facility return", _deg())], rows, "Immersion tanks"))
    blocks.append(_plant_table(doc))
    return blocks


def return_note(layout: Layout, units: list[Any]) -> str:
    """What the units' return temperatures are (issue 14, C11): the mixed air at the
    unit's intake, not a heatmap reading at one height."""
    cat = layout.catalogue
    kinds = {cat[u.model].kind for u in units if u.model in cat}
    parts = []
    if "crah" in kinds:
        if layout.hall.ceiling_return:
            parts.append("CRAHs and fan walls draw from the ceiling return plenum")
        else:
            tops = sorted({cat[u.model].footprint_m[2] for u in units
                           if u.model in cat and cat[u.model].kind == "crah"})
            parts.append("CRAHs and fan walls draw from the air layer just above their top ("
                         + fmt.quantities(fmt.LENGTH, tops) + "; their back face when "
                         "they reach the ceiling)")
    if "inrow" in kinds:
        parts.append("in-row coolers draw through their back face, floor to top")
    return ("Return: the mixed air a unit draws, the flow-weighted mean over its intake "
            "before the coil" + (": " + "; ".join(parts) if parts else "") + ". It is not "
            "a heatmap reading: the heatmap shows one height, where the air next to a unit "
            "can be warmer or cooler than this mix.")


def door_rows(layout: Layout, door_removed_kw: dict[str, float]) -> list[dict[str, Any]]:
    """Per enabled rear door: model, capacity and the heat it removed (kW, rounded as
    the JSON document rounds powers)."""
    out = []
    for u in layout.cooling_units.values():
        entry = layout.catalogue[u.model]
        if entry.kind == "rdhx" and u.enabled and u.rack in door_removed_kw:
            out.append({"id": u.id, "model": u.model, "capacity_kw": _capacity_kw(layout, u),
                        "removed_kw": round(door_removed_kw[u.rack], 3)})
    return out


def _door_table(layout: Layout, rows: list[dict[str, Any]]) -> Table:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[r["model"]].append(r)
    body = []
    for model, rs in groups.items():
        loads = [100 * r["removed_kw"] / r["capacity_kw"] for r in rs if r["capacity_kw"]]
        worst = max(rs, key=lambda r: r["removed_kw"] / (r["capacity_kw"] or 1))
        body.append([_model_name(layout, model), fmt.num(len(rs)),
                     fmt.kw(sum(r["capacity_kw"] for r in rs)),
                     fmt.kw(sum(r["removed_kw"] for r in rs), 1),
                     fmt.pct(sum(loads) / len(loads) if loads else None),
                     load_cell(max(loads) if loads else None), worst["id"]])
    return Table([Column("Rear-door model", weight=3, align="l"), Column("Doors"),
                  Column("Capacity", "kW"), Column("Removed", "kW"), Column("Mean load", "%"),
                  Column("Max load", "%"), Column("Most loaded", align="l", weight=1.3)], body,
                 "Rear-door heat exchangers (per-door figures in the rack table)")


def plant_names(doc: Doc) -> dict[str, str]:
    """What each plant serves: the facility-water plant serves the liquid loops and tanks,
    and the air units too when they have no chilled-water plant of their own (an air-only
    room's one plant is chilled water for its air units)."""
    liquid = bool(doc["liquid"]["cdus"] or doc["liquid"]["immersion_tanks"])
    air = bool(doc["cooling_units"]) and "chilled_water" not in doc["plant"]
    facility = ("Facility water (liquid loops and air units)" if liquid and air else
                "Facility water (liquid loops)" if liquid else
                "Chilled water (air units)" if air else "Facility water")
    return {"facility_water": facility, "chilled_water": "Chilled water (air units)"}


def _plant_table(doc: Doc) -> Table:
    names = plant_names(doc)
    rows = []
    for key, pl in doc["plant"].items():
        rows.append([Cell(names.get(key, key), bold=True), pl["mode"].replace("_", " "),
                     fmt.temp(pl["supply_c"]), fmt.temp(pl["return_c"]), fmt.kw(pl["heat_kw"]),
                     fmt.kw(pl["economiser_kw"]), fmt.kw(pl["chiller_load_kw"]),
                     fmt.num(pl["chillers_running"]), fmt.index(pl["chiller_cop"]).rstrip("0"),
                     fmt.kw(pl["chiller_power_kw"])])
    return Table([Column("Plant", weight=2.4, align="l"), Column("Mode", weight=1.1, align="l"),
                  Column("Supply", _deg()), Column("Return", _deg()), Column("Heat", "kW", weight=1.15),
                  Column("Economiser", "kW", weight=1.15), Column("Chiller load", "kW", weight=1.15),
                  Column("Chillers", "running"), Column("COP"), Column("Chiller", "kW")], rows,
                 "Heat-rejection plant")


# ============================================================================= power
def power_section(layout: Layout, doc: Doc, power_arch: Doc | None = None) -> list[Block]:
    comps = doc["power"]["components"]
    blocks: list[Block] = [Heading("Power chain")]
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in comps:
        by_kind[c["kind"]].append(c)
    rows = []
    for kind, cs in by_kind.items():
        rows.append([Cell(kind, bold=True), fmt.num(len(cs)), fmt.kw(sum(c["rating_kw"] for c in cs)),
                     fmt.kw(sum(c["load_kw"] for c in cs)),
                     fmt.kw(sum(c["loss_kw"] for c in cs), 1),
                     load_cell(max(c["load_pct"] for c in cs)),
                     load_cell(max(c["worst_failover_pct"] for c in cs))])
    sides = doc["power"]["side_carries_all"]
    note = ("2N check: " + ", ".join(f"side {s} {'carries' if ok else 'does NOT carry'} the "
                                     "whole load" for s, ok in sorted(sides.items()))
            if sides else "")
    blocks.append(Table([Column("Stage", weight=1.6, align="l"), Column("Components"),
                         Column("Rating", "kW"), Column("Load", "kW"), Column("Losses", "kW"),
                         Column("Max load", "%"), Column("Max failover", "%")], rows,
                        "Power chain by stage", note=note))
    power = layout.power
    rows = []
    for c in comps:
        item = power.get(c["id"])
        rows.append([Cell(c["id"], bold=True), c["kind"], item.side if item else "",
                     fmt.kw(c["rating_kw"]), fmt.kw(c["load_kw"], 1), load_cell(c["load_pct"]),
                     fmt.kw(c["loss_kw"], 2), load_cell(c["worst_failover_pct"]),
                     c["worst_failover_scenario"] or fmt.MISSING])
    blocks += floor_blocks(doc)
    if power_arch is not None:
        blocks += power_arch_blocks(power_arch)
    blocks.append(Table([Column("Component", weight=1.4, align="l"),
                         Column("Stage", weight=1.1, align="l"), Column("Side", align="c", weight=0.5),
                         Column("Rating", "kW"), Column("Load", "kW"), Column("Load", "%"),
                         Column("Losses", "kW"), Column("Failover", "%"),
                         Column("Worst case", weight=1.2, align="l")], rows,
                        "Power-chain components (load with both sides running; "
                        "failover: worst single-side loss)"))
    return blocks


def power_arch_blocks(cmp: Doc) -> list[Block]:
    """AC against 800 V DC for this floor's racks (docs/physics.md §17)."""
    ac, dc = cmp["ac"], cmp["dc"]
    rows = [[Cell("Conversions", bold=True), fmt.num(ac["conversions"]), fmt.num(dc["conversions"])],
            [Cell("Distribution losses", bold=True), fmt.with_unit(fmt.kw(ac["loss_kw"], 1), "kW"),
             fmt.with_unit(fmt.kw(dc["loss_kw"], 1), "kW")],
            [Cell("Facility power", bold=True), fmt.with_unit(fmt.kw(ac["facility_kw"]), "kW"),
             fmt.with_unit(fmt.kw(dc["facility_kw"]), "kW")],
            [Cell("PUE", bold=True), fmt.pue(ac["pue"]), fmt.pue(dc["pue"])],
            [Cell("Tokens per kWh", bold=True), fmt.num(ac["tokens_per_kwh"]),
             fmt.num(dc["tokens_per_kwh"])],
            [Cell("Main current", bold=True), fmt.with_unit(fmt.num(ac["main_current_a"]), "A"),
             fmt.with_unit(fmt.num(dc["main_current_a"]), "A")],
            [Cell("Main copper", bold=True), fmt.quantity(fmt.LINEAR_MASS, ac["copper_kg_per_m"]),
             fmt.quantity(fmt.LINEAR_MASS, dc["copper_kg_per_m"])]]
    stages = [[Cell(s["name"]), arch["name"], fmt.with_unit(fmt.kw(s["output_kw"]), "kW"),
               fmt.with_unit(fmt.kw(s["loss_kw"], 1), "kW"), fmt.num(s["efficiency"] * 100, 2)]
              for arch in (ac, dc) for s in arch["stages"]]
    note = (f"Both deliver the racks' 54 V load of {fmt.kw(cmp['rack_dc_kw'])} kW, stages "
            f"rated {fmt.kw(cmp['rated_kw'])} kW, cooling as solved; 800 V DC saves "
            f"{fmt.kw(cmp['saving_kw'], 1)} kW and {fmt.num(cmp['copper_saving_pct'], 0)} % of "
            f"the main copper ({cmp['assumptions']['current_density_a_mm2']:g} A/mm\u00b2). "
            "Stage efficiencies and their sources: docs/physics.md §17.")
    return [Table([Column("Figure", weight=1.4, align="l"), Column(ac["name"]), Column(dc["name"])],
                  rows, "Power architecture: AC against 800 V DC (docs/physics.md §17)", note=note),
            Table([Column("Stage", weight=2.4, align="l"), Column("Chain", align="l"),
                   Column("Output"), Column("Loss"), Column("Efficiency", "%")], stages,
                  "Conversion stages at this load")]


def floor_blocks(doc: Doc) -> list[Block]:
    """Floor loading (docs/physics.md §15): the worst bay and caster loads against the
    ratings, and the racks over them."""
    f = doc.get("floor")
    if not f:
        return []
    rating = (fmt.quantity(fmt.FLOOR_LOAD, f["rating_kg_m2"], 0)
              if f["rating_kg_m2"] is not None else "not set")
    point = (fmt.quantity(fmt.POINT_LOAD, f["point_rating_kn"], 2)
             if f["point_rating_kn"] is not None else "not set")
    over = f["racks_over_rating"]
    over_p = f["racks_over_point_rating"]

    def listed(ids: list[str]) -> str:
        return ", ".join(ids[:12]) + (f" and {len(ids) - 12} more" if len(ids) > 12 else "")
    rows = [
        [Cell("Distributed load", bold=True),
         fmt.quantity(fmt.FLOOR_LOAD, f["max_rack_load_kg_m2"], 0), rating,
         f"worst {fmt.quantity(fmt.LENGTH, f['bay_m'], 2)} bay touching a rack "
         f"({f['max_load_rack'] or fmt.MISSING}); "
         + (f"{len(over)} racks over: {listed(over)}" if over else "none over")],
        [Cell("Concentrated load", bold=True),
         fmt.quantity(fmt.POINT_LOAD, f["max_point_kn"], 2), point,
         f"per caster, a rack on four ({f['max_point_rack'] or fmt.MISSING}, "
         f"{fmt.quantity(fmt.MASS, f['heaviest_rack_kg'], 0)} heaviest); "
         + (f"{len(over_p)} racks over: {listed(over_p)}" if over_p else "none over")]]
    return [Table([Column("Check", weight=1.2, align="l"), Column("Worst"), Column("Rating"),
                   Column("Where", weight=3.0, align="l", wrap=True)], rows,
                  "Floor loading (rack weights with their rear doors, and standing equipment)")]


# ============================================================================= alerts
def alerts_section(doc: Doc) -> list[Block]:
    alerts = doc["alerts"]
    blocks: list[Block] = [Heading("Alerts")]
    if not alerts:
        blocks.append(RichText("No alerts: every rack inlet, coolant loop, cooling unit and "
                               "power-chain component is within its limits; no footprints "
                               "overlap or leave the hall, no contained aisle is open or "
                               "blocked, and every redundancy group meets the hall's design "
                               "target."))
        return blocks
    shown = alerts[:ALERT_ROWS_MAX]
    rows = [[severity_cell(a["severity"]), a["kind"].replace("_", " "), Cell(a["target"], bold=True),
             fmt.localise(a["message"])] for a in shown]
    title = f"Alerts ({len(alerts):,}), most severe first"
    note = ""
    if len(alerts) > len(shown):
        title = f"Alerts: the first {len(shown):,} of {len(alerts):,}, most severe first"
        note = _omitted_note("alerts", alerts[len(shown):], "kind")
    blocks.append(Table([Column("Severity", weight=1.0, align="c"),
                         Column("Kind", weight=1.7, align="l"),
                         Column("Target", weight=1.0, align="l"),
                         Column("Message", weight=5.0, align="l", wrap=True)], rows,
                        title, note=note))
    return blocks


def _omitted_note(what: str, left_out: list[dict[str, Any]], key: str) -> str:
    """One line on the entries a capped table leaves out, counted by ``key``; the JSON
    (``twin simulate --json``) has them all."""
    counts = Counter(str(e.get(key)).replace("_", " ") for e in left_out)
    parts = ", ".join(f"{n:,} {k}" for k, n in counts.most_common(6))
    more = len(counts) - 6
    return (f"{len(left_out):,} more {what} are not listed ({parts}"
            f"{f', {more} other kinds' if more > 0 else ''}); twin simulate --json lists "
            "every one.")


# ============================================================================= racks
def racks_section(doc: Doc, door_of_rack: dict[str, dict[str, Any]]) -> list[Block]:
    racks = doc["racks"]
    doors = bool(door_of_rack)
    cols = [Column("Rack", weight=1.25, align="l"), Column("Model", weight=1.6, align="l"),
            Column("Power", "kW"), Column("Air", "kW"), Column("Liquid", "kW"),
            Column("Inlet", _deg()), Column("Inlet max", _deg()), Column("Exhaust", _deg()),
            Column("Capture"), Column("Coolant", fmt.label(fmt.LIQUID_FLOW)),
            Column("Need", fmt.label(fmt.LIQUID_FLOW)),
            Column("Return", _deg())]
    if doors:
        cols += [Column("Door", "kW"), Column("Door", "%")]
    cols.append(Column("ASHRAE", align="l"))
    shown = _racks_to_list(racks)
    rows = []
    for r in shown:
        row = [Cell(r["id"], bold=True), r["model"], fmt.kw(r["power_kw"], 1),
               fmt.kw(r["air_heat_kw"], 1), fmt.kw(r["liquid_heat_kw"], 1),
               fmt.temp(r.get("inlet_c")), fmt.temp(r.get("inlet_max_c")),
               fmt.temp(r.get("exhaust_c")), fmt.index(r.get("capture_index")),
               fmt.value(fmt.LIQUID_FLOW, r.get("coolant_flow_lpm"), 1), _need_cell(r),
               fmt.temp(r.get("coolant_return_c"))]
        if doors:
            d = door_of_rack.get(r["id"])
            row += ([fmt.kw(d["removed_kw"], 1),
                     load_cell(100 * d["removed_kw"] / d["capacity_kw"] if d["capacity_kw"] else None)]
                    if d else [fmt.MISSING, fmt.MISSING])
        row.append(status_cell(r.get("ashrae"), short=True))
        rows.append(row)
    note = ("Inlet: airflow-weighted mean over the intake face; inlet max: hottest "
            "intake point (docs/physics.md \u00a72.13); need: coolant flow the rack needs. ASHRAE (inlet max): "
            "rec. recommended, allow. allowable only, OUT out of range.")
    title = f"Racks ({len(racks):,}) in layout order"
    if len(shown) < len(racks):
        title = (f"Racks: the {len(shown):,} with the hottest inlets of {len(racks):,}, "
                 "hottest first")
        listed = {id(r) for r in shown}
        note = (_omitted_note("racks", [r for r in racks if id(r) not in listed], "ashrae")
                + " " + note)
    return [Heading("Racks"),
            Table(cols, rows, title, size_pt=6.6 if doors else st.TABLE_PT, note=note)]


def _racks_to_list(racks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every rack in layout order up to ``RACK_ROWS_MAX``; beyond, the ``RACK_ROWS_MAX``
    with the hottest inlets (short of coolant first), hottest first: a 100,000-rack floor
    would otherwise take 4,000 pages."""
    if len(racks) <= RACK_ROWS_MAX:
        return racks

    def badness(r: dict[str, Any]) -> tuple[bool, float]:
        need, flow = r.get("coolant_need_lpm"), r.get("coolant_flow_lpm")
        short = need is not None and flow is not None and flow < need
        inlet = r.get("inlet_max_c")
        return short, -math.inf if inlet is None else inlet
    return heapq.nlargest(RACK_ROWS_MAX, racks, key=badness)


def _need_cell(r: dict[str, Any]) -> Cell:
    need, flow = r.get("coolant_need_lpm"), r.get("coolant_flow_lpm")
    text = fmt.value(fmt.LIQUID_FLOW, need, 1)
    if need is not None and flow is not None and flow < need:
        return Cell(text, st.SEVERITY["critical"], bold=True)
    return Cell(text)
