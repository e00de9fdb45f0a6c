"""The report's training power swing section (docs/physics.md §19): the power at the
utility meter raw and after each smoothing option, against the grid's limits, and what a
GPU power floor costs. Present when a training workload of the layout has a swing."""

from __future__ import annotations

from twin.engine.swing import SwingReport
from twin.model import units as fmt
from twin.report.pdf.blocks import Block, Cell, Column, Heading, RichText, Table


def _verdict(ok: bool | None) -> str:
    return fmt.MISSING if ok is None else ("within" if ok else "OVER")


def swing_section(rep: SwingReport | None) -> list[Block]:
    if rep is None or not rep.stages:
        return []
    jobs = "; ".join(
        f"{j.workload}: {j.racks} racks between {j.high_kw / 1e3:,.2f} MW and "
        f"{j.low_kw / 1e3:,.2f} MW, period {j.period_s:g} s, {j.duty:.0%} computing, "
        f"{j.rise_s:g} s edges" for j in rep.jobs)
    limits = ", ".join(x for x in (
        None if rep.max_ramp_mw_per_s is None else f"ramp {rep.max_ramp_mw_per_s:g} MW/s",
        None if rep.max_swing_mw is None else f"swing {rep.max_swing_mw:g} MW") if x) or "none set"
    blocks: list[Block] = [
        Heading("Training power swings"),
        RichText(f"Synchronous training swings every rack of a job between its compute and "
                 f"communication power. {jobs}. The power at the utility meter passes the "
                 f"change through the chain's losses; cooling does not follow sub-second "
                 f"changes. Grid limits: {limits}."),
        Table([Column("Series at the meter", weight=1.8, align="l"), Column("Mean", "MW"),
               Column("Peak", "MW"), Column("Swing", "MW"), Column("Ramp", "MW/s"),
               Column("0.1–20 Hz", "%"), Column("Ramp limit", align="l"),
               Column("Swing limit", align="l")],
              [[Cell(s.name, bold=True), f"{s.metrics.mean_w / 1e6:,.2f}",
                f"{s.metrics.peak_w / 1e6:,.2f}", f"{s.metrics.swing_w / 1e6:,.2f}",
                f"{s.metrics.max_ramp_w_per_s / 1e6:,.1f}", f"{100 * s.metrics.band_share:.1f}",
                _verdict(s.ramp_ok), _verdict(s.swing_ok)] for s in rep.stages],
              "Power at the utility meter, raw and after each smoothing option")]
    if rep.floor_extra_kw:
        blocks.append(RichText(
            f"The GPU power floor burns {rep.floor_extra_kw / 1e3:,.2f} MW on average: "
            f"{rep.floor_mwh_per_year:,.0f} MWh and {rep.floor_usd_per_year:,.0f} USD a year."))
    return blocks
