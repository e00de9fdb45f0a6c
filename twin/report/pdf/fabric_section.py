"""The report's network fabric section (docs/physics.md §23): the fat tree and its
switches, the cables by medium and by tier (count, length, optics power, cost), the
fullest trays and the fabric's alerts. Present when the layout has a fabric."""

from __future__ import annotations

import numpy as np

from twin.engine.fabric import FabricResult
from twin.model import Layout
from twin.physics import fat_tree as ft
from twin.report.pdf.blocks import Block, Cell, Column, Heading, RichText, Table

#: trays listed, fullest first
TRAYS_LISTED = 8
FABRIC_ALERTS = ("fabric", "cable_reach", "cable_replan", "tray_fill")


def fabric_section(layout: Layout, res: FabricResult | None, alerts: list) -> list[Block]:
    fab = layout.fabric
    if not fab.enabled:
        return []
    mine = [a for a in alerts if a.kind in FABRIC_ALERTS]
    if res is None:
        return [Heading("Network fabric"),
                RichText("The fabric could not be built: "
                         + "; ".join(a.message for a in mine if a.kind == "fabric") + ".")]
    t = res.tree
    cat = layout.catalogue
    tot = res.totals()
    upper = "spines" if t.tiers == 2 else "aggregation switches"
    cores = f", {t.n_cores} cores" if t.tiers == 3 else ""
    n_net = len(np.unique(res.switch_rack))
    rails = f"rail-optimised ({fab.rails} rails)" if fab.rail_optimised else "not rail-optimised"
    trays = ("generated above the rows with a cross tray at each end"
             if res.trays.generated else "from the layout")
    blocks: list[Block] = [
        Heading("Network fabric"),
        RichText(
            f"A {t.tiers}-tier fat tree of {cat[fab.switch].name} switches ({t.ports} ports of "
            f"{res.port_gbps:g} Gb/s): {t.n_leaves} leaves, {t.n_spines} {upper}{cores} in "
            f"{n_net} network racks, {rails}, {fab.oversubscription:g}:1 at the leaves. "
            f"{t.n_gpu_ports:,} GPU ports ({fab.ports_per_gpu:g} per GPU) and "
            f"{fab.frontend_ports_per_rack} front-end ports per GPU rack. Bisection "
            f"bandwidth {tot['bisection_tbps']:,.1f} Tb/s; the longest path crosses "
            f"{t.worst_hops()} switches. Cables run over {len(res.trays.ids)} trays "
            f"({trays}) with {fab.slack_fraction:.0%} slack; each takes the shortest "
            f"medium that reaches. The optics power is part of the racks' IT power."),
        _media_table(res), _tier_table(res), _tray_table(res)]
    if mine:
        blocks.append(RichText("Fabric alerts: " + "; ".join(a.message for a in mine) + "."))
    return blocks


def _media_table(res: FabricResult) -> Table:
    rows = []
    for m in sorted(set(res.medium.tolist())):
        sel = res.medium == m
        rows.append([Cell(res.media.label(m), bold=True), f"{sel.sum():,}",
                     f"{res.length_m[sel].sum() / 1e3:,.2f}",
                     f"{res.power_w[sel].sum() / 1e3:,.1f}", f"{res.cost_usd[sel].sum():,.0f}"])
    rows.append([Cell("Total", bold=True), f"{res.n_links:,}",
                 f"{res.length_m.sum() / 1e3:,.2f}", f"{res.power_w.sum() / 1e3:,.1f}",
                 f"{res.cost_usd.sum():,.0f}"])
    return Table([Column("Medium", weight=2.2, align="l"), Column("Cables"),
                  Column("Length", "km"), Column("Optics", "kW"), Column("Cost", "USD")],
                 rows, "Cables by medium")


def _tier_table(res: FabricResult) -> Table:
    rows = []
    for tier in sorted(set(res.tier.tolist())):
        sel = res.tier == tier
        rows.append([Cell(ft.TIER_NAMES[tier], bold=True), f"{sel.sum():,}",
                     f"{res.length_m[sel].mean():,.1f}", f"{res.length_m[sel].max():,.1f}",
                     f"{res.gbps[sel][0]:g}"])
    return Table([Column("Link tier", weight=1.6, align="l"), Column("Links"),
                  Column("Mean length", "m"), Column("Longest", "m"), Column("Speed", "Gb/s")],
                 rows, "Links by tier")


def _tray_table(res: FabricResult) -> Table:
    fill = np.zeros(len(res.trays.ids))
    np.maximum.at(fill, res.graph.edge_tray, res.fill)
    tr = res.trays
    length = np.hypot(tr.x1 - tr.x0, tr.y1 - tr.y0)
    order = np.argsort(-fill, kind="stable")[:TRAYS_LISTED]
    rows = [[Cell(tr.ids[k], bold=True), f"{length[k]:,.1f}", f"{tr.elevation_m[k]:.2f}",
             f"{tr.width_m[k] * 1e3:.0f} x {tr.depth_m[k] * 1e3:.0f}", f"{fill[k] * 100:.0f}"]
            for k in order]
    return Table([Column("Tray", weight=1.6, align="l"), Column("Length", "m"),
                  Column("Height", "m"), Column("Section", "mm"),
                  Column("Fill of usable", "%")], rows, "Fullest cable trays")
