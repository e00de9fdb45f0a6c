"""The report's air-model calibration section: when the layout carries an
``air_calibration`` block (``twin calibrate --write`` or the app's Calibrate…), the
fitted recirculation constants beside the product's defaults and their physical bounds,
the sensor file and date, and the mean absolute inlet error at the sensors before and
after the fit. Every air result of the report is solved with these constants."""

from __future__ import annotations

import html

from twin.model import Layout
from twin.model import units as fmt
from twin.model.calibration import BOUNDS, MEANINGS
from twin.physics.air.scene import SolverSettings
from twin.report.pdf.blocks import Block, Cell, Column, Heading, RichText, Table


def calibration_section(layout: Layout) -> list[Block]:
    cal = layout.air_calibration
    if cal.is_empty:
        return []
    defaults = SolverSettings()
    rows = []
    for name, (lo, hi) in BOUNDS.items():
        value = cal.constants.get(name)
        rows.append([Cell(name, bold=True), MEANINGS.get(name, ""),
                     f"{float(getattr(defaults, name)):g}",
                     "default" if value is None else f"{value:g}", f"{lo:g} \u2013 {hi:g}"])
    where = html.escape(cal.sensors_file) if cal.sensors_file else "sensor readings"
    when = f" on {html.escape(cal.fitted_on)}" if cal.fitted_on else ""
    error = ""
    if cal.mae_before_c is not None and cal.mae_after_c is not None:
        error = (" The mean absolute rack-inlet error at the sensors went from "
                 f"<b>{fmt.difference(cal.mae_before_c, 2)}</b> with the constants before "
                 f"the fit to <b>{fmt.difference(cal.mae_after_c, 2)}</b> after it.")
    return [Heading("Air model calibration"),
            RichText(f"The air model's recirculation constants were fitted{when} to the "
                     f"measured rack inlet temperatures in <b>{where}</b> by least squares "
                     "within their physical bounds (<i>twin calibrate</i>)." + error
                     + " Every air result in this report is solved with the fitted "
                     "constants; constants not fitted keep the product's default."),
            Table([Column("Constant", weight=1.6, align="l"),
                   Column("Meaning", weight=2.6, align="l", wrap=True), Column("Default"),
                   Column("Fitted"), Column("Bounds")], rows,
                  "Recirculation constants: fitted and default")]
