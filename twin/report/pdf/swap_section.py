"""The report's generation-swap section: the floor before and after replacing racks with
another model, and what breaks with margins and fixes (docs/physics.md §16)."""

from __future__ import annotations

import html

from twin.engine.swap import SwapReport
from twin.model import units as fmt
from twin.report.pdf import style as st
from twin.report.pdf.blocks import Block, Cell, Column, Heading, RichText, Table

#: Breakages listed; the rest are counted in the table's note.
ROWS_MAX = 200


def _margin(margin: float, unit: str) -> str:
    """How far over its limit a part is, in the report's units (a temperature margin is a
    difference: K, or °F without offset)."""
    return fmt.localise(f"{margin:+,.1f} {'K' if unit == fmt.DEGC else unit}")


def swap_section(swaps: list[SwapReport]) -> list[Block]:
    if not swaps:
        return []
    blocks: list[Block] = [Heading("Generation swap")]
    for r in swaps:
        b, a = r.before["metrics"], r.after["metrics"]
        rows = []
        for label, key, f in (("IT power", "it_power_kw", lambda v: fmt.with_unit(fmt.kw(v), "kW")),
                              ("Facility power", "facility_power_kw",
                               lambda v: fmt.with_unit(fmt.kw(v), "kW")),
                              ("PUE", "pue", fmt.pue), ("Tokens per second", "tokens_per_s", fmt.num),
                              ("Tokens per kWh", "tokens_per_kwh", fmt.num),
                              ("USD per million tokens", "usd_per_million_tokens", fmt.usd),
                              ("Worst inlet", "worst_inlet_c", fmt.temperature)):
            rows.append([Cell(label, bold=True), f(b.get(key)), f(a.get(key))])
        blocks += [RichText(f"<b>{html.escape(fmt.localise(r.summary()))}</b>"),
                   Table([Column("Figure", weight=1.4, align="l"), Column("Before"),
                          Column("After")], rows, f"Before and after: {len(r.racks)} racks to "
                          f"{r.to_model}")]
        if r.breaks:
            shown = r.breaks[:ROWS_MAX]
            note = (f"{len(r.breaks) - ROWS_MAX} more not listed" if len(r.breaks) > ROWS_MAX
                    else "")
            blocks.append(Table(
                [Column("Part", weight=1.1, align="l"), Column("Kind", weight=1.1, align="l"),
                 Column("Value"), Column("Limit"), Column("Margin"),
                 Column("Smallest fix", weight=3.0, align="l", wrap=True)],
                [[Cell(x.part, bold=True), x.kind, fmt.localise(f"{x.value:,.1f} {x.unit}"),
                  fmt.localise(f"{x.limit_value:,.1f} {x.unit}"),
                  Cell(_margin(x.margin, x.unit), st.SEVERITY["critical"]),
                  fmt.localise(x.fix)] for x in shown],
                "What breaks", note=note))
        else:
            blocks.append(RichText("Nothing goes over its limit."))
    return blocks
