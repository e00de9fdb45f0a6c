"""The review report in US customary units: the text its generator lays out (tables,
headline tiles, captions, notes) prints °F, CFM/gpm, ft, psf; none of its figures is left
in °C. The method prose of the Assumptions section (the physics' own docstrings) is
exempt: it states the models as published, in SI."""

from __future__ import annotations

import re

import pytest

from tests.conftest import LAYOUTS
from twin.engine.export import result_document
from twin.engine.power_compare import compare_power
from twin.engine.simulate import simulate
from twin.io import load_layout
from twin.model import units
from twin.model.summary import summarise
from twin.report.pdf import assumptions, builder, content
from twin.report.pdf.blocks import Cell, Heading, RichText, Table, Tiles

DEGC, DEGF = "\u00b0C", "\u00b0F"


@pytest.fixture(scope="module")
def pod():
    layout = load_layout(LAYOUTS / "gb200-pod.json")
    result = simulate(layout)
    return layout, result, result_document(layout, result, "gb200-pod.json")


def _texts(blocks, prose: bool = True) -> list[str]:
    """Every string a list of blocks lays out (RichText only when ``prose``)."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Table):
            out += [b.title or "", getattr(b, "note", "") or ""]
            out += [f"{c.title} {c.unit}" for c in b.columns]
            out += [c.text if isinstance(c, Cell) else str(c) for row in b.rows for c in row]
        elif isinstance(b, Tiles):
            out += [f"{t.label} {t.value} {t.unit} {t.note}" for t in b.tiles]
        elif isinstance(b, Heading):
            out.append(b.text)
        elif isinstance(b, RichText) and prose:
            out.append(b.html)
    return out


def _report_text(layout, result, doc) -> str:
    doors = content.door_rows(layout, {})
    blocks = [*content.summary_section(doc, summarise(layout), layout, doors),
              *content.cooling_section(layout, doc, doors),
              *content.power_section(layout, doc, compare_power(layout, result).to_json()),
              *content.alerts_section(doc),
              *content.racks_section(doc, {}),
              content.headline_tiles(doc, layout.hall.ashrae_class)]
    captions = [builder.caption_3d(doc), builder.caption_plan_inlet(layout),
                builder.caption_plan_power(layout, result, doc), builder.caption_coolant(doc)]
    conditions = assumptions.conditions_table(layout)
    return "\n".join(_texts(blocks) + captions + _texts([conditions], prose=False))


def test_the_report_prints_us_units_and_no_celsius_figure(pod):
    layout, result, doc = pod
    si = _report_text(layout, result, doc)
    with units.using("us"):
        us = _report_text(layout, result, doc)
    assert DEGC in si and DEGF not in si
    assert DEGF in us and DEGC not in us, [line for line in us.splitlines() if DEGC in line]
    assert "gpm" in us and "L/min" not in us
    assert re.search(r"\d ft\b", us) and "kW" in us            # lengths in feet, power in kW
    # the worst inlet of the summary, converted from the JSON's °C
    worst = content.worst_inlet_rack(doc)["inlet_max_c"]
    assert f"{worst * 1.8 + 32:.1f} {DEGF}" in us


def test_the_writer_prints_in_the_system_it_is_given(pod, tmp_path, monkeypatch, qapp):
    from twin.report.offscreen import start_qt
    from twin.report.pdf import ReportSource, write_report
    layout, result, _doc = pod
    qt = start_qt(need_3d=False)
    seen = []
    original = builder._write_report

    def spy(*args):
        seen.append(units.current().name)
        return original(*args)
    monkeypatch.setattr(builder, "_write_report", spy)
    info = write_report(layout, result, tmp_path / "r.pdf",
                        ReportSource.of_file(LAYOUTS / "gb200-pod.json"), gl_backend=None,
                        gl_reason=qt.gl_reason or "not needed", unit_system="us")
    assert seen == ["us"] and units.current() is units.SI and info.pages > 3
