"""The report's last section: physics assumptions, design conditions, catalogue sources.

The physics text is taken from the code that makes the assumption (module docstrings of
the engine and physics modules, and the air solver's settings), so the report cannot
drift from what was computed. The catalogue part lists every equipment model the layout
uses with each number, its unit, its source and whether it is unconfirmed.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from types import ModuleType

from twin.engine import inputs as engine_inputs
from twin.engine import plant as engine_plant
from twin.model import units as fmt
from twin.report.pdf import style as st
from twin.report.pdf.blocks import Block, Cell, Column, Heading, RichText, Table
from twin.model import Layout
from twin.physics import facility, liquid, metrics, power, workload
from twin.physics.air.entrainment import (ROW_FLOW_RANGE_M3S_PER_M, ROW_FLOW_REF_M3S_PER_M, ROW_LENGTH_EXPONENT,
                                         ROW_LENGTH_REF_M)
from twin.physics.air.grid import ROOM_AREA_LIMIT_M2
from twin.physics.air.scene import SolverSettings
from twin.physics.fluids import AIR, PG25, WATER

_ROLE = re.compile(r":\w+:`~?([^`]+)`")


#: Paragraphs about how the code computes rather than what it assumes are left out.
IMPLEMENTATION_WORDS = ("scipy", "integer codes", "Jacobian")


def _inline(text: str) -> str:
    text = html.escape(_ROLE.sub(r"\1", text).replace("``", ""), quote=False)
    text = re.sub(r"\*([^*\s][^*]*)\*", r"<i>\1</i>", text)
    return text.replace("-&gt;", "\u2192")


def docstring_html(module: ModuleType) -> list[tuple[str, bool]]:
    """A module docstring as (HTML paragraph, is a list item) pairs; reST roles and
    literals made plain, *emphasis* in italics, paragraphs on implementation left out."""
    out = []
    for block in re.split(r"\n\s*\n", (module.__doc__ or "").strip()):
        items: list[list] = []
        for line in (ln.strip() for ln in block.splitlines()):
            if line.startswith("- ") or not items:
                items.append([line[2:] if line.startswith("- ") else line, line.startswith("- ")])
            else:     # a continuation line belongs to the paragraph or item above
                items[-1][0] += " " + line
        out += [(_inline(text), bullet) for text, bullet in items
                if not any(w in text for w in IMPLEMENTATION_WORDS)]
    return out


def air_model_html(s: SolverSettings | None = None, calibrated: bool = False) -> list[str]:
    """The air model and its recirculation correction, with the constants solved with
    (``calibrated``: fitted to the room's sensors, ``air_calibration``)."""
    s = s or SolverSettings()
    source = ("These constants were fitted to this room's measured inlet temperatures (see "
              "Air model calibration)" if calibrated else
              "These constants are the product's defaults, fitted jointly over an OpenFOAM "
              "case library of 20 rooms and checked on 33 (not to this room: it has no "
              "sensor calibration)")
    return [
        "Airflow is potential flow on a structured grid of cells over the hall: 0.3 m "
        f"cells for rooms up to {ROOM_AREA_LIMIT_M2:,.0f} m\u00b2, 0.6 m (one floor tile) "
        "for larger halls, about 0.45 m vertically. Racks and units are solid; every rack "
        "and enabled cooling unit draws its airflow from intake cells and discharges it "
        "into discharge cells. Temperatures follow by upwind transport, exactly "
        "energy-conservative.",
        "Potential flow has no momentum or buoyancy, so a documented recirculation "
        "correction is added (docs/physics.md \u00a72.7, README_air.md): an effective turbulent "
        f"diffusivity \u0393<sub>0</sub> = {s.turbulent_diffusivity_m2s:g} m\u00b2/s on open "
        f"faces, a jet mixing length of {s.mixing_length_m:g} m and a buoyancy drift with a "
        f"time scale of {s.buoyancy_time_s:g} s. The end rack of an open row end draws "
        f"{s.row_end_entrainment * 100:g} % of its air from round the corner in a row up to "
        f"{ROW_LENGTH_REF_M:g} m long, less in longer rows (\u00d7 {_length_law()}: a long "
        "aisle's spilled supply dilutes it; its neighbour a tenth of that). The "
        f"{ROW_LENGTH_REF_M:g} m hold where the racks draw {ROW_FLOW_REF_M3S_PER_M:g} "
        "m\u00b3/s per metre of row and scale with that draw, from "
        f"{_reference_m(ROW_FLOW_RANGE_M3S_PER_M[0]):g} m at {ROW_FLOW_RANGE_M3S_PER_M[0]:g} to "
        f"{_reference_m(ROW_FLOW_RANGE_M3S_PER_M[1]):g} m at {ROW_FLOW_RANGE_M3S_PER_M[1]:g} "
        "m\u00b3/s per metre. Where no unit returning from the room stands on the aisle's line "
        "beyond the end, the aisle's surplus rises as a column and, between facing rows, the "
        "end rack draws that share beside itself, from behind its back to its front face. "
        "The end rack's hottest "
        "intake is its mean plus "
        f"{s.row_end_hot_share:g} of its own rise ({s.row_end_hot_share_open:g} where the "
        f"aisle spills at its end; its neighbour {s.row_end_neighbour_hot_share:g}), and "
        "never below the air round the corner that it entrains. A roofed cold aisle with "
        "end doors takes its leak through the roof, mostly mid-row, mixing down the aisle; "
        f"at its doors, when starved, the end racks' hottest intake is their mean plus "
        f"{s.door_hot_share:g} of the door air's excess over it. Every "
        "rack's hottest intake point lies "
        f"{s.inlet_peak_factor:g} times as far above its mean as its hottest intake cell "
        "(the cell averages the face's hot top edge), and not below its mean plus "
        f"{s.top_edge_share:g} of the excess of the air over its top. The end of a tile-fed "
        "aisle passes no air below the rack "
        "tops where the return draws across it (units returning from the room, an open "
        "ceiling return or a return grille beside the end). Containment panels leak "
        f"{s.containment_leakage * 100:g} % of their area (seams, cut-outs, door gaps). "
        f"{source}; fidelity "
        "for jets, row-end wrap-around and rack-top spill-over is approximate.",
        "Fluid properties (constant): coolant PG25 \u03c1 "
        f"{PG25.density_kgm3:g} kg/m\u00b3, c<sub>p</sub> {PG25.cp_jkgk:g} J/(kg\u00b7K); "
        f"water \u03c1 {WATER.density_kgm3:g} kg/m\u00b3, c<sub>p</sub> {WATER.cp_jkgk:g} "
        f"J/(kg\u00b7K); air \u03c1 {AIR.density_kgm3:g} kg/m\u00b3, c<sub>p</sub> "
        f"{AIR.cp_jkgk:g} J/(kg\u00b7K).",
    ]


#: (sub-heading, module) whose docstrings state the model's assumptions.
MODULES = (("Model inputs from the layout", engine_inputs),
           ("Workloads and rack power", workload), ("Liquid cooling", liquid),
           ("Power chain", power), ("Heat-rejection plant", engine_plant),
           ("Facility roll-up", facility), ("Metrics", metrics))


def _reference_m(draw_m3s_per_m: float) -> float:
    """The row length up to which end racks take the full share, at a row's draw per metre."""
    return round(ROW_LENGTH_REF_M * draw_m3s_per_m / ROW_FLOW_REF_M3S_PER_M, 2)


def _length_law() -> str:
    """How a row's length scales its end racks' share, as the report writes it."""
    ratio = f"{ROW_LENGTH_REF_M:g} m / length"
    return ratio if ROW_LENGTH_EXPONENT == 1 else f"({ratio})<sup>{ROW_LENGTH_EXPONENT:g}</sup>"


def physics_blocks(layout: Layout | None = None) -> list[Block]:
    blocks: list[Block] = [Heading("Air", level=2)]
    settings = engine_inputs.solver_settings(layout) if layout is not None else None
    calibrated = layout is not None and not layout.air_calibration.is_empty
    blocks += [RichText(p, st.BODY_PT - 0.5) for p in air_model_html(settings, calibrated)]
    for title, module in MODULES:
        blocks.append(Heading(title, level=2))
        blocks += [RichText(p, st.BODY_PT - 0.5, bullet=bullet, space_after_pt=2 if bullet else 4)
                   for p, bullet in docstring_html(module)]
    return blocks


def conditions_table(layout: Layout) -> Table:
    h, site, pl = layout.hall, layout.site, layout.plant
    lo, hi = metrics.ASHRAE_ALLOWABLE_C[h.ashrae_class]
    rows = [
        ("Hall", fmt.quantities(fmt.LENGTH, (h.width_m, h.length_m), 1, " \u00d7 ")
                 + f", ceiling {fmt.quantity(fmt.LENGTH, h.ceiling_height_m, 1)}, "
                 + ("raised floor" if h.raised_floor else "slab floor")
                 + (", ceiling return plenum" if h.ceiling_return else "")),
        ("Air class", f"ASHRAE {h.ashrae_class}: recommended 18\u201327 {fmt.DEGC}, allowable "
                      f"{lo:g}\u2013{hi:g} {fmt.DEGC}"),
        ("Site design conditions", f"dry bulb {site.dry_bulb_c:g} {fmt.DEGC}, wet bulb "
                                   f"{site.wet_bulb_c:g} {fmt.DEGC}"),
        ("Heat rejection", f"{pl.heat_rejection.replace('_', ' ')}, approach "
                           f"{pl.approach_k:g} K, economiser {'on' if pl.economiser else 'off'}, "
                           f"fans {pl.heat_rejection_fan_kw_per_mw:g} kW per MW"),
        ("Chillers", f"rated COP {pl.chiller_cop_rated:g}; chilled water "
                     f"{pl.chilled_water_supply_c:g} {fmt.DEGC}; {engine_plant.N_CHILLERS} "
                     f"chillers sized at {engine_plant.DESIGN_MARGIN:g} \u00d7 nameplate heat"),
        ("Facility pumps", f"head {pl.facility_pump_head_kpa:g} kPa"),
    ]
    if layout.cdus:
        supplies = sorted({c.facility_supply_c for c in layout.cdus.values()})
        classes = sorted({c.water_class for c in layout.cdus.values()})
        rows.append(("CDU facility water", f"supply {', '.join(f'{v:g}' for v in supplies)} "
                                           f"{fmt.DEGC}; class {', '.join(classes)}"))
    return Table([Column("Condition", weight=1.3, align="l"),
                  Column("As set in the layout", weight=4, align="l", wrap=True)],
                 [[Cell(a, bold=True), fmt.localise(b)] for a, b in rows], "Design conditions",
                 size_pt=8.0)


#: Catalogue kinds in the order a reader meets them: IT, cooling, liquid, power chain.
KIND_ORDER = ("rack", "crah", "inrow", "rdhx", "cdu", "tank", "utility", "transformer", "ups",
              "pdu", "busway")


def used_models(layout: Layout) -> Counter:
    """Catalogue keys used by the layout -> how many items use each."""
    used: Counter = Counter(layout.racks["model"].tolist())
    for coll in ("cooling_units", "cdus", "tanks", "power"):
        used.update(item.model for item in layout.items[coll].values())
    return used


def catalogue_blocks(layout: Layout) -> list[Block]:
    blocks: list[Block] = []
    cat = layout.catalogue
    def order(kv):
        kind = cat[kv[0]].kind
        return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kv[0])

    for n, (key, count) in enumerate(sorted(used_models(layout).items(), key=order), start=1):
        e = cat[key]
        rows = []
        for field, value in e.numbers.items():
            unconfirmed = field in e.unconfirmed
            rows.append([Cell(field, bold=True), fmt.catalogue_value(field, value),
                         e.sources.get(field, "no source recorded"),
                         Cell("unconfirmed", st.SEVERITY["warning"], bold=True) if unconfirmed
                         else ""])
        flag = " \u2013 projected equipment" if e.projected else ""
        title = f"C{n}. {e.name} ({key}, {e.kind}) \u2013 {count:,} in this layout{flag}"
        blocks.append(Table([Column("Number", weight=1.6, align="l"),
                             Column("Value", weight=1.4),
                             Column("Source", weight=4.6, align="l", wrap=True),
                             Column("Flag", weight=1.0, align="l")], rows, title,
                             numbered=False))
    return blocks


def assumptions_section(layout: Layout) -> list[Block]:
    return [Heading("Assumptions and sources"),
            RichText("What the numbers in this report rest on: the physics as implemented "
                     "(quoted from the code that implements it), the design conditions set in "
                     "the layout, and every catalogue number of the equipment the layout uses "
                     "with its source. <b>Unconfirmed</b> numbers are estimates or projections "
                     "kept as editable defaults; check them before relying on results that "
                     "depend on them."),
            *physics_blocks(layout), conditions_table(layout),
            Heading("Catalogue entries used", level=2), *catalogue_blocks(layout)]
