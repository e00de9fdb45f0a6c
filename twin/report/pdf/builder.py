"""Assemble and write the review report: figures, title page, sections, pages, PDF bytes.

``write_report`` is the one entry point (``twin report`` and File > Export Review Report).
It checks the output path first, renders the figures with hidden views, lays the blocks
out on pages, paints them into an in-memory ``QPdfWriter`` and writes the file
atomically. ``progress(fraction, text)`` is called between steps; ``cancel()`` returning
True stops at the next step with ``twin.engine.worker.Cancelled``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QPdfWriter

import twin
from twin.engine.export import result_document
from twin.engine.layers import DENSITY_WINDOW_M, rack_heights_m
from twin.engine.simulate import TwinResult
from twin.engine.worker import Cancelled
from twin.report.offscreen import FigureViews, plan_heatmap
from twin.report.output import check_writable, write_export
from twin.model import units as fmt
from twin.engine.whatif.ridethrough import RideThroughReport
from twin.engine.compare import Comparison
from twin.engine.power_compare import compare_power
from twin.engine.swap import SwapReport
from twin.engine.whatif.sweep import SweepResult
from twin.report.pdf import assumptions, content
from twin.report.pdf.compare_section import compare_section
from twin.report.pdf.swing_section import swing_section
from twin.report.pdf.calibration_section import calibration_section
from twin.report.pdf.fabric_section import fabric_section
from twin.engine.swing import training_swing
from twin.report.pdf.economics_section import economics_section
from twin.report.pdf.headroom_section import headroom_section
from twin.report.pdf.swap_section import swap_section
from twin.report.pdf.whatif_section import whatif_section
from twin.report.pdf import style as st
from twin.report.pdf.blocks import Block, Figure, Heading, PageBreak, RichText, Table
from twin.report.pdf.pages import Frame, RunningText, page_layout, paginate, paint
from twin.report.pdf.titlepage import Banner, Contents, provenance_table
from twin.io import dumps_layout
from twin.model import Layout
from twin.model.summary import summarise
from twin.physics.metrics import ASHRAE_RECOMMENDED_C
from twin.view3d.headless import xvfb_hint

#: Figure renders: logical size (pixels) and pixel scale; ~0.55 pt per logical pixel on
#: the page, so the views' 9 pt labels print at about 6.5 pt.
FIGURE_SIZE = (900, 540)
FIGURE_SCALE = 2.5
FIGURE_MAX_PT = 300.0


@dataclass(frozen=True)
class ReportSource:
    """Where the layout came from: name shown, full path, SHA-256 and a note."""

    name: str
    path: str
    sha256: str
    note: str = ""

    @classmethod
    def of_file(cls, path: str | Path) -> "ReportSource":
        p = Path(path)
        return cls(p.name, str(p.absolute()), hashlib.sha256(p.read_bytes()).hexdigest(),
                   "SHA-256 of the file as read")

    @classmethod
    def of_layout(cls, layout: Layout, path: Path | None, modified: bool) -> "ReportSource":
        """For an open document: the file's hash when it is saved and unchanged, else the
        hash of the layout as it would be saved."""
        if path is not None and not modified and path.exists():
            return cls.of_file(path)
        digest = hashlib.sha256(dumps_layout(layout).encode("utf-8")).hexdigest()
        return cls(path.name if path else "Untitled layout", str(path or ""), digest,
                   "unsaved changes: SHA-256 of the layout as it would be saved")


@dataclass(frozen=True)
class ReportInfo:
    path: Path
    pages: int
    seconds: float


def write_report(layout: Layout, result: TwinResult, out: str | Path, source: ReportSource,
                 page: str = "a4", gl_backend: str | None = None, gl_reason: str = "",
                 progress: Callable[[float, str], None] | None = None,
                 cancel: Callable[[], bool] | None = None,
                 stamp: datetime | None = None, sweep: SweepResult | None = None,
                 rides: list[RideThroughReport] | None = None,
                 swaps: list[SwapReport] | None = None,
                 comparison: tuple[str, Comparison] | None = None,
                 unit_system: str | None = None) -> ReportInfo:
    """Write the review report of ``layout`` simulated as ``result`` to ``out`` (PDF), with
    a failure-analysis section when a sweep or ride-throughs are given and a
    generation-swap section per swap report. Figures, tables and text are printed in
    ``unit_system`` ('si' or 'us'; default: the one in force, ``units.current``)."""
    with fmt.using(unit_system or fmt.current()):
        return _write_report(layout, result, out, source, page, gl_backend, gl_reason,
                             progress, cancel, stamp, sweep, rides, swaps, comparison)


def _write_report(layout, result, out, source, page, gl_backend, gl_reason, progress, cancel,
                  stamp, sweep, rides, swaps, comparison) -> ReportInfo:
    t0 = time.perf_counter()
    target = check_writable(out)
    stamp = stamp or datetime.now().astimezone()

    def step(fraction: float, text: str) -> None:
        if cancel is not None and cancel():
            raise Cancelled()
        if progress is not None:
            progress(fraction, text)

    step(0.05, "Collecting results")
    doc = result_document(layout, result, source.name)
    info = summarise(layout)
    step(0.1, "Rendering figures")
    figures = render_figures(layout, result, doc, gl_backend, gl_reason, step)
    step(0.7, "Laying out pages")
    door_removed = ({rid: float(result.air.rack_door_removed_w[i]) / 1e3
                     for i, rid in enumerate(result.rack_ids)} if result.air is not None else {})
    doors = content.door_rows(layout, door_removed)
    sections: list[Block] = [
        *content.summary_section(doc, info, layout, doors), PageBreak(),
        *content.figures_section(figures), PageBreak(),
        *content.cooling_section(layout, doc, doors), PageBreak(),
        *content.power_section(layout, doc, compare_power(layout, result).to_json()), PageBreak(),
        *_with_break(economics_section(layout, doc)),
        *_with_break(headroom_section(_headroom(layout, result))),
        *content.alerts_section(doc), PageBreak(),
        *_with_break(calibration_section(layout)),
        *_with_break(whatif_section(sweep, rides or [])),
        *_with_break(swap_section(swaps or [])),
        *_with_break(compare_section(*comparison) if comparison else []),
        *_with_break(swing_section(training_swing(layout, result))),
        *_with_break(fabric_section(layout, result.fabric, result.alerts)),
        *content.racks_section(doc, {layout.cooling_units[d["id"]].rack: d for d in doors}),
        PageBreak(), *assumptions.assumptions_section(layout)]
    n_sections = _number_sections(sections)
    blocks = [*title_page(layout, doc, source, page, stamp, n_sections), PageBreak(), *sections]

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(st.DPI)
    writer.setPageLayout(page_layout(page))
    writer.setTitle(f"Design review \u2013 {layout.name}")
    writer.setCreator(f"AI Factory Floor Twin {twin.__version__}")
    ctx = st.Ctx(writer)
    frame = Frame.of(writer, ctx)
    pages = paginate(blocks, ctx, frame)
    step(0.8, f"Painting {len(pages)} pages")
    running = RunningText("Design review \u00b7 AI Factory Floor Twin", layout.name,
                          f"{source.name} \u00b7 SHA-256 {source.sha256[:12]}\u2026",
                          stamp.strftime("%Y-%m-%d %H:%M %Z").strip())
    paint(writer, ctx, frame, pages, running)
    del writer
    buffer.close()
    step(0.95, "Writing the file")
    write_export(target, bytes(data.data()))
    return ReportInfo(target, len(pages), time.perf_counter() - t0)


def _headroom(layout: Layout, result: TwinResult):
    """The capacity map of the floor's own rack model, or None (no rack model at all)."""
    from twin.engine.capacity import capacity_map
    try:
        return capacity_map(layout, result)
    except KeyError:
        return None


def _with_break(blocks: list[Block]) -> list[Block]:
    return [*blocks, PageBreak()] if blocks else []


def _number_sections(blocks: list[Block]) -> int:
    """Number the sections ("1   Summary") and the titled tables ("Table 3. ..."), in
    order; returns the number of sections."""
    sections = tables = 0
    for b in blocks:
        if isinstance(b, Heading) and b.level == 1:
            sections += 1
            b.text = f"{sections}   {b.text}"
        elif isinstance(b, Table) and b.title and b.numbered:
            tables += 1
            b.title = f"Table {tables}. {b.title}"
    return sections


def title_page(layout: Layout, doc: dict[str, Any], source: ReportSource, page: str,
               stamp: datetime, n_sections: int) -> list[Block]:
    h = layout.hall
    air = doc.get("air")
    grid = (f"air grid {air['grid']['nx']} \u00d7 {air['grid']['ny']} \u00d7 "
            f"{air['grid']['nz']} cells, {'converged' if air['converged'] else 'NOT converged'}"
            if air else "no air solve (no air cooling)")
    rows = [
        ("Layout", f"{layout.name} \u2013 "
                   + fmt.quantities(fmt.LENGTH, (h.width_m, h.length_m), 1, " \u00d7 ")
                   + f" hall, "
                   f"{len(layout.racks):,} racks"),
        ("File", source.path or source.name),
        ("SHA-256", source.sha256 + (f" ({source.note})" if source.note else "")),
        ("Generated", stamp.strftime("%Y-%m-%d %H:%M %Z").strip()),
        ("Software", f"AI Factory Floor Twin {twin.__version__}; steady-state solve in "
                     f"{doc['timing_s'].get('total_s', 0):.2f} s; {grid}"),
        ("Page size", {"a4": "A4 (210 \u00d7 297 mm)", "letter": "US Letter (8.5 \u00d7 11 in)"}[page]),
    ]
    blocks: list[Block] = [
        Banner("Design review report", layout.name,
               layout.description or "Simulated air, liquid cooling, power chain and plant."),
        provenance_table(rows),
        content.headline_tiles(doc, h.ashrae_class),
        RichText("Figures are steady-state results of the twin for the workloads as set in "
                 "the layout. Numbers are printed with the rules in the Assumptions section "
                 "and match <i>twin simulate --json</i> for the same file.",
                 st.SMALL_PT + 0.5, st.DIM, space_after_pt=14),
        Contents(n_sections),
    ]
    return blocks


# ============================================================================ figures
def render_figures(layout: Layout, result: TwinResult, doc: dict[str, Any],
                   gl_backend: str | None, gl_reason: str,
                   step: Callable[[float, str], None]) -> list[Figure]:
    """The 3-D view (inlet) and the plan figures (inlet, power density, coolant return)."""
    views = FigureViews(layout, result, gl_backend, streamlines=True)
    figures: list[Figure] = []
    try:
        n = 0

        def add(image, caption: str, missing: str = "") -> None:
            nonlocal n
            n += 1
            figures.append(Figure(image, f"<b>Figure {n}.</b> {caption}",
                                  max_height_pt=FIGURE_MAX_PT, missing=missing))

        step(0.15, "Rendering the 3-D view")
        if gl_backend is not None:
            add(views.image_3d("inlet", FIGURE_SIZE, FIGURE_SCALE), caption_3d(doc))
        else:
            add(None, caption_3d(doc), f"3-D view not rendered: no OpenGL ({gl_reason}). To "
                f"include it, {xvfb_hint('report')}")
        step(0.35, "Rendering the plan views")
        add(views.image_plan("inlet", FIGURE_SIZE, FIGURE_SCALE), caption_plan_inlet(layout))
        add(views.image_plan("power", FIGURE_SIZE, FIGURE_SCALE),
            caption_plan_power(layout, result, doc))
        coolant = [r["coolant_return_c"] for r in doc["racks"] if "coolant_return_c" in r]
        if coolant:
            add(views.image_plan("coolant", FIGURE_SIZE, FIGURE_SCALE), caption_coolant(doc))
    finally:
        views.close()
    return figures


def caption_3d(doc: dict[str, Any]) -> str:
    worst = content.worst_inlet_rack(doc)
    hot = sum(1 for r in doc["racks"]
              if (r.get("inlet_max_c") or -1e9) > ASHRAE_RECOMMENDED_C[1])
    text = ("3-D view, racks coloured by rack inlet temperature (hottest intake point) on a "
            "scale anchored on the ASHRAE band; lines: the air's streamlines from tiles, "
            "unit supplies and rack exhausts, coloured by the air temperature along them. "
            "Red diamonds mark racks and equipment with critical or warning alerts.")
    if worst is not None:
        text += (f" Warmest inlet {fmt.temperature(worst['inlet_max_c'])} at rack "
                 f"{worst['id']}; {hot:,} rack(s) above the recommended "
                 + fmt.localise(f"{ASHRAE_RECOMMENDED_C[1]:g} \u00b0C."))
    return text


def caption_plan_inlet(layout: Layout) -> str:
    mid, _top = rack_heights_m(layout)
    return ("Plan, racks coloured by rack inlet temperature; underneath, the air temperature "
            f"at {fmt.quantity(fmt.LENGTH, mid, 2)} (mid rack height), the air the intakes "
            "draw from: hot aisles, "
            "recirculation round row ends and over rack tops show here. Lines: the air's "
            "streamlines seen from above, on the same scale, arrowheads where they end.")


def caption_plan_power(layout: Layout, result: TwinResult, doc: dict[str, Any]) -> str:
    hm = plan_heatmap("power", layout, result)
    area = layout.hall.width_m * layout.hall.length_m
    it = doc["metrics"]["it_power_kw"]
    peak = float(np.nanmax(hm.image)) if hm is not None else float("nan")
    return ("Plan, racks coloured by rack power; underneath, power density averaged over a "
            f"{fmt.quantity(fmt.LENGTH, DENSITY_WINDOW_M, 1)} window (a rack plus its share "
            f"of the aisles). IT power {fmt.kw(it)} kW over {fmt.quantity(fmt.AREA, area, 0)} "
            f"of hall: {fmt.quantity(fmt.POWER_DENSITY, it / area if area else None, 1)} on "
            f"average, peak {fmt.quantity(fmt.POWER_DENSITY, peak, 1)}.")


def caption_coolant(doc: dict[str, Any]) -> str:
    racks = [r for r in doc["racks"] if r.get("coolant_return_c") is not None]
    worst = max(racks, key=lambda r: r["coolant_return_c"])
    return ("Plan, racks coloured by coolant return temperature of liquid-cooled racks "
            "(grey: not on a CDU loop). Hottest return "
            f"{fmt.temperature(worst['coolant_return_c'])} at rack {worst['id']}.")
