"""The report's failure-analysis section: the N-1 sweep's summary and table, and each
ride-through's answer (docs/physics.md §12). Layout text is escaped, never HTML."""

from __future__ import annotations

import html

import numpy as np

from twin.engine.whatif.ridethrough import RideThroughReport
from twin.engine.whatif.sweep import SweepResult
from twin.model import units as fmt
from twin.report.pdf import style as st
from twin.report.pdf.blocks import Block, Cell, Column, Heading, RichText, Table

VERDICT_SEVERITY = {"survives": None, "degraded": "warning", "fails": "critical"}
#: Sweep rows listed (failing and degraded first); the rest are counted.
SWEEP_ROWS_MAX = 400


def _verdict_cell(verdict: str) -> Cell:
    sev = VERDICT_SEVERITY[verdict]
    return Cell(verdict, st.SEVERITY[sev] if sev else None, bold=sev is not None)


def whatif_section(sweep: SweepResult | None, rides: list[RideThroughReport]) -> list[Block]:
    if sweep is None and not rides:
        return []
    blocks: list[Block] = [Heading("Failure analysis")]
    if sweep is not None:
        blocks += _sweep_blocks(sweep)
    for ride in rides:
        blocks += _ride_blocks(ride)
    return blocks


def _sweep_blocks(sweep: SweepResult) -> list[Block]:
    n = len(sweep.outcomes)
    counts = {v: sum(o.verdict == v for o in sweep.outcomes) for v in VERDICT_SEVERITY}
    blocks: list[Block] = [
        Heading("Single failures (N\u22121 sweep)", level=2),
        RichText(f"Every cooling unit, rear door, CDU, CDU pump, the plant's chiller and every "
                 f"power component failed in turn and solved with the full air, liquid and "
                 f"power model ({n} scenarios: {counts['fails']} fail, {counts['degraded']} "
                 f"degraded, {counts['survives']} survive). <b>Fails</b>: more racks than before "
                 "lose power, shut down or run short of coolant, or draw air beyond the ASHRAE "
                 "allowable band; <b>degraded</b>: more racks throttle or sit above the "
                 "recommended band, a coolant return passes its limit or a part its rating.")]
    blocks += [RichText(f"<b>{html.escape(line)}</b>", bullet=True) for line in sweep.summary]
    order = sorted(sweep.outcomes, key=lambda o: (-("survives", "degraded", "fails").index(
        o.verdict), -len(o.racks_failed)))
    shown = order[:SWEEP_ROWS_MAX]
    rows = []
    for o in shown:
        s = o.state
        rows.append([Cell(o.component, bold=True), o.kind, _verdict_cell(o.verdict),
                     fmt.temp(s.worst_inlet_c) if s else fmt.MISSING,
                     (s.worst_inlet_rack or fmt.MISSING) if s else fmt.MISSING,
                     str(len(o.racks_failed)),
                     fmt.temp(s.worst_coolant_return_c) if s else fmt.MISSING,
                     fmt.MISSING if o.delta_facility_kw is None else f"{o.delta_facility_kw:+,.1f}",
                     fmt.localise("; ".join(o.reasons)) or fmt.MISSING])
    note = f"Solved in {fmt.seconds(sweep.seconds)} on {sweep.workers} worker(s)."
    if len(shown) < n:
        note = f"{n - len(shown):,} more scenarios survive and are not listed. " + note
    blocks.append(Table([Column("Component", weight=1.3, align="l"),
                         Column("Kind", weight=1.0, align="l"),
                         Column("Verdict", weight=0.9, align="c"),
                         Column("Worst inlet", fmt.label(fmt.TEMP)),
                         Column("At rack", weight=0.9, align="l"),
                         Column("Racks failed"), Column("Coolant max", fmt.label(fmt.TEMP)),
                         Column("\u0394 facility", "kW"),
                         Column("Why", weight=3.2, align="l", wrap=True)], rows,
                        "Single failures, worst first", note=note))
    return blocks


def _ride_blocks(ride: RideThroughReport) -> list[Block]:
    r = ride.run
    blocks: list[Block] = [Heading("Ride-through: " + (" + ".join(ride.failed) or "utility loss"),
                                   level=2),
                           RichText(html.escape(fmt.localise(ride.summary())))]
    blocks += [RichText(html.escape(fmt.localise(n)), bullet=True) for n in ride.notes]
    rows = []
    for i in ride.worst_racks():
        rows.append([Cell(ride.rack_ids[i], bold=True), fmt.temp(r.rack_inlet_c[0, i]),
                     fmt.temp(float(np.max(r.rack_inlet_c[:, i]))),
                     _secs(r.inlet_limit_s[i]),
                     fmt.temp(r.rack_coolant_c[0, i]) if np.isfinite(r.rack_coolant_c[0, i])
                     else fmt.MISSING, _secs(r.coolant_limit_s[i])])
    deg = fmt.label(fmt.TEMP)
    blocks.append(Table([Column("Rack", align="l"), Column("Inlet at 0 s", deg),
                         Column("Inlet peak", deg), Column("To inlet limit", "s"),
                         Column("Coolant at 0 s", deg), Column("To coolant limit", "s")],
                        rows, f"The racks that reach a limit first ({r.time_s[-1]:.0f} s run)",
                        note=f"Inlet limit {fmt.temperature(ride.inlet_limit_c)} (ASHRAE "
                             "allowable); coolant limit: the loop's return limit. Room mean "
                             f"{fmt.temperature(r.room_mean_c[0])} at 0 s, peak "
                             f"{fmt.temperature(float(r.room_mean_c.max()))}."))
    return blocks


def _secs(t: float) -> str:
    return "\u2014" if not np.isfinite(t) else f"{t:.0f}"
