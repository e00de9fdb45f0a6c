"""The report's comparison section: this floor against another (B − A), the metrics with
their change, and the racks whose inlet class changed."""

from __future__ import annotations

from twin.engine.compare import Comparison
from twin.model import units as fmt
from twin.report.pdf.blocks import Block, Cell, Column, Heading, RichText, Table


def compare_section(other: str, c: Comparison | None) -> list[Block]:
    if c is None:
        return []
    d = c.to_json()

    def f(v) -> str:
        return fmt.MISSING if v is None else f"{v:,.4g}"
    blocks: list[Block] = [
        Heading("Comparison"),
        RichText(f"This floor (A) against {other} (B); differences are B − A."
                 + (" The two are the same to round-off." if c.identical else "")),
        Table([Column("Metric", weight=1.8, align="l"), Column("Unit", align="l", weight=0.6),
               Column("A"), Column("B"), Column("B − A"), Column("Change", "%")],
              [[Cell(m["name"], bold=True), fmt.unit_of(m["name"]),
                f(fmt.of_field(m["name"], m["a"])), f(fmt.of_field(m["name"], m["b"])),
                f(fmt.of_field(m["name"], m["delta"], difference=True)), f(m["percent"])]
               for m in d["metrics"]], "Key figures")]
    if d["inlet_class_changed"]:
        blocks.append(Table([Column("Rack", align="l"), Column("A", align="l"),
                             Column("B", align="l")],
                            [[x["rack"], x["a"] or fmt.MISSING, x["b"] or fmt.MISSING]
                             for x in d["inlet_class_changed"][:200]],
                            "Racks whose ASHRAE inlet class changed"))
    air = d["air_mid_height_delta"]
    if air:
        d_air = [fmt.difference(air[k], 2, signed=True) for k in ("min_k", "max_k", "mean_k")]
        blocks.append(RichText(f"Air at mid rack height, B − A: {d_air[0]} to {d_air[1]} "
                               f"(mean {d_air[2]})."))
    return blocks
