"""The review report of a calibrated layout (issue 16): an "Air model calibration"
section with the fitted constants beside the defaults and bounds, the sensor file, the
date and the error before and after; the assumptions quote the constants solved with."""

from __future__ import annotations

import re

import pytest

from tests.conftest import LAYOUTS
from tests.test_cli_render import needs_poppler, pdf_text, run_headless
from twin.io import load_layout, save_layout
from twin.model.calibration import BOUNDS, AirCalibration
from twin.physics.air.scene import SolverSettings
from twin.report.pdf import assumptions
from twin.report.pdf.assumptions import physics_blocks
from twin.report.pdf.blocks import Heading, RichText, Table
from twin.report.pdf.calibration_section import calibration_section

FIT = {"row_end_entrainment": 0.35, "turbulent_diffusivity_m2s": 0.072,
       "mixing_length_m": 0.22, "buoyancy_time_s": 1.3}


def _calibrated(constants=FIT):
    lay = load_layout(LAYOUTS / "small-room.json")
    lay.set_settings("air_calibration", AirCalibration(constants, "sensors/inlets.csv",
                                                       "2026-12-05", 1.84, 0.27))
    return lay


def test_no_calibration_no_section():
    assert calibration_section(load_layout(LAYOUTS / "small-room.json")) == []


def test_the_section_lists_fitted_defaults_bounds_and_errors():
    blocks = calibration_section(_calibrated({"mixing_length_m": 0.22}))
    heading, text, table = blocks
    assert isinstance(heading, Heading) and heading.text == "Air model calibration"
    assert isinstance(text, RichText) and isinstance(table, Table)
    assert "sensors/inlets.csv" in text.html and "2026-12-05" in text.html
    assert "1.84 K" in text.html and "0.27 K" in text.html
    rows = {r[0].text: r for r in table.rows}
    assert list(rows) == list(BOUNDS)
    lo, hi = BOUNDS["mixing_length_m"]
    assert [c.text for c in rows["mixing_length_m"][2:]] == [
        f"{SolverSettings().mixing_length_m:g}", "0.22", f"{lo:g} \u2013 {hi:g}"]
    assert rows["row_end_entrainment"][3].text == "default"    # not fitted: the default


def test_the_assumptions_quote_the_constants_solved_with():
    text = " ".join(b.html for b in physics_blocks(_calibrated()) if isinstance(b, RichText))
    assert "0.072 m\u00b2/s" in text and "fitted to this room's measured inlet" in text
    plain = " ".join(b.html for b in physics_blocks(load_layout(LAYOUTS / "small-room.json"))
                     if isinstance(b, RichText))
    assert "0.072" not in plain and "fitted jointly over an OpenFOAM case library of 20 rooms and checked on 33" in plain
    # the hottest-intake rules with their shares (docs/physics.md §2.13)
    assert "1.4 times as far above its mean as its hottest intake cell" in plain
    assert "not below its mean plus 0.75 of the excess of the air over its top" in plain
    # the row-end share and how it falls with the row's length (docs/physics.md §2.9)
    assert ("48 % of its air from round the corner in a row up to 4.2 m long, less in longer "
            "rows (\u00d7 4.2 m / length: a long aisle's spilled supply dilutes it") in plain
    assert ("The 4.2 m hold where the racks draw 1.5 m\u00b3/s per metre of row and scale with "
            "that draw, from 2.8 m at 1 to 5.6 m at 2 m\u00b3/s per metre.") in plain
    assert ("between facing rows, the end rack draws that share beside itself, from behind its "
            "back to its front face.") in plain


@needs_poppler
def test_the_report_of_a_calibrated_layout_has_the_section(tmp_path):
    path = tmp_path / "room.json"
    save_layout(_calibrated(), path)
    pdf = tmp_path / "room.pdf"
    r = run_headless("report", str(path), "--out", str(pdf))
    assert r.returncode == 0, r.stderr
    contents = re.findall(r"^\s*(\d+)\s+([A-Z][A-Za-z ]+?)\s{2,}(\d+)\s*$",
                          pdf_text(pdf, 1, 1, layout=True), re.M)
    sections = [name for _n, name, _p in contents]
    assert sections.index("Air model calibration") == sections.index("Alerts") + 1
    page = int(dict((name, p) for _n, name, p in contents)["Air model calibration"])
    text = " ".join(pdf_text(pdf, page, page).split())
    lo, hi = BOUNDS["turbulent_diffusivity_m2s"]
    for needle in ("sensors/inlets.csv", "1.84 K", "0.27 K", "turbulent_diffusivity_m2s",
                   "0.072", f"{lo:g} \u2013 {hi:g}"):
        assert needle in text, needle


@pytest.mark.parametrize("system, before", [("us", "3.31 \u00b0F")])
def test_errors_are_differences_in_us_units(system, before):
    from twin.model import units
    with units.using(system):
        text = calibration_section(_calibrated())[1].html
    assert before in text


def test_the_row_length_law_is_written_as_it_is_computed(monkeypatch):
    """4.2 m / length with the exponent 1; with another exponent the bracket carries it."""
    assert assumptions._length_law() == "4.2 m / length"
    monkeypatch.setattr(assumptions, "ROW_LENGTH_EXPONENT", 0.5)
    assert assumptions._length_law() == "(4.2 m / length)<sup>0.5</sup>"
