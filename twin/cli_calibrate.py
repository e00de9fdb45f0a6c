"""``twin calibrate``: fit the air model's recirculation constants to measured rack inlet
temperatures (a sensor CSV, ``twin.interchange.sensors``) and report the error before and
after (MAE, CV-RMSE, per-sensor residuals); ``--write`` stores the fit in the layout's
``air_calibration`` block (format version 3), which the live model then uses."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from twin.cli_common import load_or_report, plain, solve_or_report
from twin.interchange.errors import InterchangeError


def add_parser(sub: Any) -> None:
    c = sub.add_parser(
        "calibrate", help="fit the air model's recirculation constants to measured inlet temperatures",
        description="Read measured rack inlet temperatures from SENSORS (CSV: rack or x_m,y_m; "
                    "optional z_m; value_c; time) and fit the air model's recirculation "
                    "constants (row-end entrainment, turbulent diffusivity, jet mixing length, "
                    "buoyancy time) within physical bounds by least squares, starting from the "
                    "constants the layout uses; print the error before and after and each "
                    "sensor's residual. The layout is changed only with --write.")
    c.add_argument("layout", metavar="LAYOUT")
    c.add_argument("sensors", metavar="SENSORS.csv")
    c.add_argument("--write", action="store_true",
                   help="store the fitted constants in LAYOUT (its air_calibration block, "
                        "saved atomically); the live model then uses them")
    c.add_argument("--json", action="store_true", help="print JSON")


def cmd_calibrate(args: argparse.Namespace) -> int:
    import numpy as np

    from twin.engine.calibrate import (BOUNDS, Observations, RoomModel, error_figures,
                                       fit_constants, fit_notes)
    from twin.interchange.sensors import read_sensors
    from twin.physics.air.scene import SolverSettings
    layout = load_or_report(args.layout)
    if layout is None:
        return 1
    t0 = time.perf_counter()
    model = solve_or_report(args.layout, lambda: RoomModel(layout))
    if model is None:
        return 1
    try:
        s = read_sensors(args.sensors, model.rack_ids, model.intake_xy_m)
    except InterchangeError as exc:
        print(plain(str(exc)), file=sys.stderr)
        return 1
    obs = Observations(s.rack, s.z_m, s.value_c)
    start = model.constants
    fit = solve_or_report(args.layout, lambda: fit_constants([(model, obs)], start=start))
    if fit is None:
        return 1
    before, after = error_figures(fit.before_k, s.value_c), error_figures(fit.after_k, s.value_c)
    defaults = {n: float(getattr(SolverSettings(), n)) for n in BOUNDS}
    doc = dict(layout=args.layout, sensors=args.sensors, n_sensors=s.value_c.size,
               n_readings=int(s.readings.sum()), default=defaults, start=start,
               fitted=fit.constants,
               bounds={n: list(b) for n, b in BOUNDS.items()},
               before=_figures_doc(before), after=_figures_doc(after),
               evaluations=fit.evaluations, solves=fit.solves, converged=fit.success,
               notes=fit_notes(fit, s.value_c.size), ignored_columns=list(s.ignored_columns),
               seconds=round(time.perf_counter() - t0, 2),
               residuals=[dict(sensor=lab, measured_c=round(float(v), 3),
                               before_k=round(float(b), 3), after_k=round(float(a), 3))
                          for lab, v, b, a in zip(s.labels, s.value_c, fit.before_k, fit.after_k)])
    converged = bool(fit.success and np.all(np.isfinite(fit.after_k)))
    if args.write and converged:
        written = _write(args, layout, fit, s.value_c)
        if written is None:
            return 1
        doc["written"] = written
    if args.write and not converged:
        print(plain(f"{args.layout}: not changed: the fit did not converge"), file=sys.stderr)
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0 if converged else 1
    print(f"{s.value_c.size} sensors ({int(s.readings.sum())} readings) fitted in "
          f"{doc['seconds']} s: {fit.evaluations} steps, {fit.solves} solves, "
          f"{'converged' if fit.success else 'NOT converged'}")
    if s.ignored_columns:
        print(plain(f"ignored columns: {', '.join(s.ignored_columns)}"))
    for n in BOUNDS:
        print(f"  {n:<27} {start[n]:8.4f} -> {fit.constants[n]:8.4f}   "
              f"(bounds {BOUNDS[n][0]:g}-{BOUNDS[n][1]:g})")
    for label, e in (("before", before), ("after", after)):
        print(f"{label:<6}  MAE {e['mae_k']:.2f} K, RMSE {e['rmse_k']:.2f} K, CV-RMSE "
              f"{_per_cent(e['cv_rmse'])}, bias {e['bias_k']:+.2f} K, worst {e['worst_k']:.2f} K")
    print(f"{'sensor':<20} {'measured':>9} {'before':>8} {'after':>8}")
    for row in doc["residuals"]:
        print(plain(f"{row['sensor']:<20} {row['measured_c']:9.2f} {row['before_k']:+8.2f} "
                    f"{row['after_k']:+8.2f}"))
    for note in doc["notes"]:
        print(plain(f"note: {note}"))
    if not converged:
        return 1
    if args.write:
        print(plain(f"{args.layout}: fitted constants stored in air_calibration "
                    f"(sensors {doc['written']['sensors_file']}, {doc['written']['fitted_on']})"))
    else:
        print("(the layout is unchanged; --write stores the fitted constants in it)")
    return 0


def _write(args: argparse.Namespace, layout: Any, fit: Any, observed_c: Any) -> dict | None:
    """Store the fit in the layout file (atomic save); the block as written, or None after
    printing why it could not be saved."""
    from twin.engine.calibrate import stored_calibration
    from twin.io import LayoutError, save_layout
    out = Path(args.layout)
    try:
        rel = os.path.relpath(Path(args.sensors).resolve(), out.resolve().parent)
    except ValueError:          # another drive (Windows)
        rel = str(Path(args.sensors).resolve())
    block = stored_calibration(fit, observed_c, Path(rel).as_posix())
    layout.set_settings("air_calibration", block)
    try:
        save_layout(layout, out)
    except LayoutError as exc:
        for line in exc.first_lines():
            print(plain(line), file=sys.stderr)
        return None
    return block.fields()


def _figures_doc(figures: dict[str, float]) -> dict[str, float | None]:
    """Error figures for the JSON, rounded; a figure that has no value (CV-RMSE of readings
    that are all alike) is null, never NaN, which is not JSON."""
    return {k: round(v, 4) if v == v else None for k, v in figures.items()}


def _per_cent(fraction: float) -> str:
    return f"{100 * fraction:.1f} %" if fraction == fraction else "n/a (no spread in the readings)"
