"""The report's headroom section: where the next rack of the floor's model fits, how much
it could draw, what binds, and the stranded capacity per resource (docs/physics.md §18)."""

from __future__ import annotations

from twin.engine.capacity import CapacityMap
from twin.model import units as fmt
from twin.report.pdf.blocks import Block, Cell, Column, Heading, RichText, Table


def headroom_section(cm: CapacityMap | None) -> list[Block]:
    if cm is None:
        return []
    d = cm.to_json()
    binding = ", ".join(f"{name} at {n}" for name, n in d["binding_counts"].items() if n)
    blocks: list[Block] = [
        Heading("Headroom"),
        RichText(f"A new {cm.model} rack ({fmt.kw(cm.nameplate_kw)} kW nameplate) fits at "
                 f"{fmt.num(d['free_positions'])} free positions on the tile grid; "
                 f"{fmt.num(d['positions_at_nameplate'])} of them take it at nameplate. The "
                 f"most a position takes is {fmt.kw(d['max_kw'] or 0)} kW. What binds: "
                 f"{binding or 'nothing'} (power: its feeds' spare in normal and 2N failover "
                 "operation; liquid: the nearest CDU's spare; air: the room units' spare; "
                 "inlet: the air there already above the recommended band; floor: the "
                 "ratings). First-order bounds from the solved floor, not a solve per position.")]
    if d["best"]:
        length = fmt.label(fmt.LENGTH)
        blocks.append(Table([Column("x", length), Column("y", length), Column("Headroom", "kW"),
                             Column("Binds", align="l")],
                            [[fmt.value(fmt.LENGTH, b["x_m"], 2), fmt.value(fmt.LENGTH, b["y_m"], 2),
                              fmt.kw(b["capacity_kw"]), b["binding"]] for b in d["best"]],
                            "Positions with the most headroom"))
    blocks.append(Table(
        [Column("Resource", weight=2.2, align="l"), Column("Installed", "kW"),
         Column("Used", "kW"), Column("IT headroom", "kW"), Column("Stranded", "IT kW")],
        [[Cell(s["resource"], bold=s["binds"]), fmt.kw(s["installed"]), fmt.kw(s["used"]),
          fmt.kw(s["it_headroom_kw"]), fmt.kw(s["stranded_it_kw"])] for s in d["stranded"]],
        "Stranded capacity (the resource in bold runs out first; the rest of each other "
        "resource's headroom cannot be used)"))
    return blocks
