"""The ``twin`` command: the GUI by default, headless subcommands for scripts and CI.

Exit codes: 0 ok, 1 invalid input (or a failed solve), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys

from pathlib import Path
from typing import Sequence

from twin.io import LayoutError, Problem, load_layout
from twin.io.errors import capped_lines
from twin.cli_common import load_or_report, number_in, plain, solve_or_report, write_text
from twin.model import units
from twin.model.summary import summarise

SUBCOMMANDS = ("validate", "info", "simulate", "render", "report", "whatif", "swap",
               "power-compare", "capacity", "compare", "swing", "cabling", "trace", "timeline", "import", "export",
               "export-openfoam", "import-openfoam", "calibrate", "gui")
METRICS = ("inlet", "power", "capture", "coolant", "floor")
#: Subcommands that print no quantities (``import`` has its own ``--units`` for its input).
UNITLESS = ("validate", "import", "export", "export-openfoam", "import-openfoam", "calibrate", "gui")


def _size(text: str) -> tuple[int, int]:
    """'1920x1080' -> (1920, 1080), each side 320..8192 pixels."""
    w, sep, h = text.lower().replace("\u00d7", "x").partition("x")
    if not sep or not w.strip().isdigit() or not h.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT in pixels, got {text!r}")
    size = (int(w), int(h))
    if not all(320 <= v <= 8192 for v in size):
        raise argparse.ArgumentTypeError(f"each side must be 320 to 8192 pixels, got {text!r}")
    return size


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="twin", description="AI Factory Floor Twin: open a layout in the desktop app, "
        "or work headless with a subcommand.",
        epilog="With no subcommand, 'twin [FILE]' opens the desktop app on FILE "
               "(default: the bundled GB200 pod sample).")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    v = sub.add_parser("validate", help="check layout files; one line per problem")
    v.add_argument("files", nargs="+", metavar="FILE")
    i = sub.add_parser("info", help="racks, GPUs, IT power and capacities of a layout")
    i.add_argument("file", metavar="FILE")
    i.add_argument("--json", action="store_true", help="print JSON")
    s = sub.add_parser("simulate", help="solve air, liquid, power and plant; print results")
    s.add_argument("file", metavar="FILE")
    s.add_argument("--json", action="store_true", help="write one JSON document")
    s.add_argument("--out", metavar="PATH", help="write to PATH instead of standard output")
    s.add_argument("--profile", action="store_true",
                   help="evaluate the 24-hour workload and weather profile (time series)")
    r = sub.add_parser(
        "render", help="simulate, then draw the 3-D view or the plan coloured by a metric to PNG",
        description="Simulate FILE and render one view to PNG with a caption band (layout, "
                    "metric with colour bar, date). The plan needs no display; the 3-D view "
                    "uses off-screen EGL, or a display (e.g. xvfb-run -a twin render ...).")
    r.add_argument("file", metavar="FILE")
    r.add_argument("--view", choices=("3d", "plan"), help="default: 3d (plan with --over-time)")
    r.add_argument("--metric", choices=METRICS, default="inlet",
                   help="rack colouring (and plan field); default: inlet")
    r.add_argument("--out", metavar="PNG", required=True, help="PNG file to write")
    r.add_argument("--size", metavar="WxH", type=_size, default=(1920, 1080),
                   help="image size in logical pixels, caption included (default 1920x1080)")
    r.add_argument("--scale", type=number_in(0.5, 4, "a scale such as 1 or 2"), default=1.0,
                   help="pixel scale for high-DPI/print: 2 doubles the pixels (default 1)")
    r.add_argument("--no-caption", action="store_true", help="leave out the caption band")
    r.add_argument("--streamlines", action="store_true",
                   help="draw the air's streamlines over an inlet or air-temperature figure")
    r.add_argument("--over-time", action="store_true",
                   help="an animated GIF of the plan over the layout's trace (or --trace), "
                        "else its 24-hour profile; one frame per step")
    r.add_argument("--trace", metavar="CSV", help="with --over-time: replay this trace")
    r.add_argument("--frame-s", type=float, default=0.5, metavar="S",
                   help="with --over-time: seconds per frame (default 0.5)")
    rp = sub.add_parser(
        "report", help="simulate, then write the design-review report (PDF)",
        description="Simulate FILE and write a PDF review report: summary, 3-D view, plan "
                    "heatmaps, capacity tables, alerts, per-rack table, assumptions and "
                    "sources. Without OpenGL the 3-D figure is replaced by a note.")
    rp.add_argument("file", metavar="FILE")
    rp.add_argument("--out", metavar="PDF", required=True, help="PDF file to write")
    rp.add_argument("--page", choices=("a4", "letter"), default="a4", help="default: a4")
    rp.add_argument("--sweep", action="store_true",
                    help="add the N-1 failure sweep (twin whatif --sweep n-1)")
    rp.add_argument("--ride-through", action="append", default=[], metavar="ID[,ID...]|utility",
                    help="add the ride-through of these failures, or of a utility loss with "
                         "a 30 s generator delay (repeatable)")
    rp.add_argument("--compare-with", metavar="LAYOUT",
                    help="add this floor against another layout (twin compare)")
    rp.add_argument("--compare-scenario", metavar="ID",
                    help="add this floor against one of its scenarios (twin compare --b-scenario)")
    rp.add_argument("--swap-to", action="append", default=[], metavar="MODEL[:FROM]",
                    help="add what breaks when the racks (of model FROM) become MODEL "
                         "(twin swap; repeatable)")
    from twin.cli_whatif import add_parser as add_whatif
    add_whatif(sub)
    from twin.cli_swap import add_parser as add_swap
    add_swap(sub)
    from twin.cli_power import add_parser as add_power
    add_power(sub)
    from twin.cli_capacity import add_parser as add_capacity
    add_capacity(sub)
    from twin.cli_compare import add_parser as add_compare
    add_compare(sub)
    from twin.cli_swing import add_parser as add_swing
    add_swing(sub)
    from twin.cli_cabling import add_parser as add_cabling
    add_cabling(sub)
    from twin.cli_timeline import add_parsers as add_timeline
    add_timeline(sub)
    from twin.cli_interchange import add_parsers as add_interchange
    add_interchange(sub)
    from twin.cli_openfoam import add_parsers as add_openfoam
    add_openfoam(sub)
    from twin.cli_calibrate import add_parser as add_calibrate
    add_calibrate(sub)
    g = sub.add_parser("gui", help="open the desktop app (the default)")
    g.add_argument("file", nargs="?", metavar="FILE")
    for name, command in sub.choices.items():
        if name not in UNITLESS:
            command.add_argument("--units", choices=tuple(units.SYSTEMS), default="si",
                                 help="units of the text, captions and report: si (default) "
                                      "or us (\u00b0F, CFM, gpm, ft, lb); --json output and "
                                      "written layouts stay SI")
    return p


def cmd_validate(files: list[str]) -> int:
    bad = 0
    for f in files:
        warnings: list[Problem] = []
        try:
            layout = load_layout(f, warnings=warnings)
        except LayoutError as exc:
            bad += 1
            for line in exc.first_lines():
                print(plain(line))
            continue
        for line in capped_lines(warnings, f):
            print(plain(line))
        print(f"{f}: valid ({len(layout.racks)} racks"
              + (f", {len(warnings)} warnings)" if warnings else ")"))
    return 1 if bad else 0


def cmd_info(file: str, as_json: bool) -> int:
    warnings: list[Problem] = []
    layout = load_or_report(file, warnings)
    if layout is None:
        return 1
    info = summarise(layout)
    info["file"] = file
    if as_json:
        info["warnings"] = [w.format(file) for w in warnings]
        print(json.dumps(info, indent=2))
        return 0
    info["name"] = plain(info["name"])
    info["warnings"] = [plain(line) for line in capped_lines(warnings, file)]
    c = info["cooling"]
    print(f"{info['name']}  ({file})")
    print(f"  hall            {units.value(units.LENGTH, info['hall']['width_m'])} x "
          f"{units.quantity(units.LENGTH, info['hall']['length_m'])}"
          f" ({'raised floor' if info['hall']['raised_floor'] else 'slab'})")
    print(f"  racks           {info['racks']}  "
          + ", ".join(f"{n} x {m}" for m, n in info["racks_by_model"].items()))
    print(f"  GPUs            {info['gpus']:,}")
    print(f"  IT power        {units.kw(info['it_typical_kw'])} kW typical, "
          f"{units.kw(info['it_nameplate_kw'])} kW nameplate")
    print(f"  heat            {units.kw(info['heat_to_liquid_typical_kw'])} kW to liquid, "
          f"{units.kw(info['heat_to_air_typical_kw'])} kW to air (typical)")
    print(f"  air cooling     {c['room_units']} units, {units.capacity(c['air_capacity_kw'])}; "
          f"{units.capacity(c['air_capacity_n_minus_1_kw'])} with one failed"
          + (f"; {c['rear_doors']} rear doors {units.capacity(c['rear_door_capacity_kw'])}"
             if c["rear_doors"] else ""))
    print(f"  liquid cooling  {c['cdus']} CDUs, {c['immersion_tanks']} tanks, "
          f"{units.capacity(c['liquid_capacity_kw'])}")
    for kind, v in info["power_chain"].items():
        print(f"  power {kind:<22} {v['count']:>3} x {v['rating_kw']:>9,.0f} kW")
    for w in info["warnings"]:
        print(f"  {w}")
    return 0


def cmd_simulate(file: str, as_json: bool, out: str | None, profile: bool) -> int:
    from twin.engine.export import clean, result_document
    from twin.engine.profile import daily_profile
    from twin.engine.simulate import simulate

    layout = load_or_report(file)
    if layout is None:
        return 1
    solved = solve_or_report(file, (lambda: daily_profile(layout)) if profile else (lambda: simulate(layout)))
    if solved is None:
        return 1
    if profile:
        rows = solved
        if as_json:
            return write_text(json.dumps(clean({"file": file, "layout": layout.name,
                                            "hours": rows}), indent=2) + "\n", out)
        lines = [f"{'hour':>4} {'dry bulb ' + units.label(units.TEMP):>11} {'IT kW':>10} "
                 f"{'facility kW':>12} {'PUE':>6} {'tokens/kWh':>12} {'plant':>10}"]
        lines += [f"{r['hour']:>4} {units.temp(r['dry_bulb_c']):>11} {r['it_kw']:>10,.0f} "
                  f"{r['facility_kw']:>12,.0f} {r['pue']:>6.3f} {r['tokens_per_kwh']:>12,.0f} "
                  f"{r['plant_mode']:>10}" for r in rows]
        return write_text("\n".join(lines) + "\n", out)
    doc = result_document(layout, solved, file)
    if as_json:
        return write_text(json.dumps(doc, indent=2) + "\n", out)
    return write_text(_summary_text(doc), out)


def _summary_text(doc: dict) -> str:
    from twin.engine.export import worst_inlet_entry
    m, e = doc["metrics"], doc["energy"]
    worst = worst_inlet_entry(doc)
    lines = [f"{doc['layout']}  ({doc['file']})",
             f"  IT power        {units.kw(m['it_power_kw'])} kW",
             f"  facility power  {units.kw(m['facility_power_kw'])} kW  (cooling {units.kw(m['cooling_power_kw'])}"
             f" kW, electrical losses {units.kw(m['electrical_loss_kw'])} kW)",
             f"  PUE             {units.pue(m['pue'])}",
             f"  tokens per kWh  {units.num(m['tokens_per_kwh'])}",
             f"  liquid share    {units.share(m['liquid_share'])} % of IT heat"]
    if worst is not None and worst.get("inlet_max_c") is not None:
        lines.append(f"  worst inlet     {units.temperature(worst['inlet_max_c'])} at rack {worst['id']}")
        lines.append(f"  RCI_HI {units.pct(m['rci_hi_pct'])} %  RCI_LO {units.pct(m['rci_lo_pct'])} %  "
                     f"RTI {units.pct(m['rti_pct'])} %  "
                     f"SHI {units.index(m['shi'])}")
        lines.append(f"  air balance     residual {e['residual_pct']:.2e} %")
    lines.append(f"  alerts          {len(doc['alerts'])}")
    lines += [f"    {a['severity']:<8} {a['target']}: {units.localise(a['message'])}"
              for a in doc["alerts"][:20]]
    if len(doc["alerts"]) > 20:
        lines.append(f"    ... {len(doc['alerts']) - 20} more (use --json)")
    lines.append(f"  solved in {units.seconds(doc['timing_s']['total_s'])}")
    return plain("\n".join(lines) + "\n")


def _simulated(file: str, out: str):
    """(layout, result) of ``file``, or an exit code after a one-line error. The output
    path is checked first, so a typo fails before the solve."""
    from twin.engine.simulate import simulate
    from twin.report.output import ExportError, check_writable

    layout = load_or_report(file)
    if layout is None:
        return 1
    try:
        check_writable(out)
    except ExportError as exc:
        print(exc, file=sys.stderr)
        return 1
    result = solve_or_report(file, lambda: simulate(layout))
    return 1 if result is None else (layout, result)


def cmd_render(file: str, view: str, metric: str, out: str, size: tuple[int, int],
               scale: float, caption: bool, streamlines: bool = False) -> int:
    loaded = _simulated(file, out)
    if isinstance(loaded, int):
        return loaded
    layout, result = loaded
    from twin.report.caption import Caption
    from twin.report.offscreen import VIEW_LABELS, figure_image
    from twin.report.offscreen import FigureViews, start_qt
    from twin.report.output import ExportError, save_png
    from twin.view3d.headless import xvfb_hint

    qt = start_qt(need_3d=view == "3d")
    if view == "3d" and qt.gl_backend is None:
        print(f"{file}: cannot render the 3-D view: no OpenGL ({qt.gl_reason}); "
              f"{xvfb_hint('render')}; or use --view plan, which needs no display",
              file=sys.stderr)
        return 1
    views = FigureViews(layout, result, qt.gl_backend, streamlines=streamlines)
    try:
        band = Caption(layout.name, VIEW_LABELS[view], source=Path(file).name) if caption else None
        image = figure_image(views, view, metric, size, scale, band)
        save_png(image, out)
    except ExportError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        views.close()
    print(f"{out}: {image.width()} x {image.height()} px, {VIEW_LABELS[view]}, {metric}")
    return 0


def cmd_render_over_time(args: argparse.Namespace) -> int:
    """``twin render FILE --over-time --out anim.gif``: the plan at every timeline step."""
    from twin.cli_timeline import trace_path
    from twin.engine.timeline import profile_steps, trace_steps
    from twin.io.trace import read_trace
    from twin.report.offscreen import start_qt
    from twin.report.output import ExportError

    if args.view not in (None, "plan"):
        print("twin render --over-time: only the plan is animated (--view plan)", file=sys.stderr)
        return 2
    if not 0.05 <= args.frame_s <= 60:
        print("twin render: --frame-s must be 0.05 to 60 seconds", file=sys.stderr)
        return 2
    layout = load_or_report(args.file)
    if layout is None:
        return 1
    path = Path(args.trace) if args.trace else trace_path(args.file, layout)
    try:
        trace = read_trace(path, layout) if path is not None else None
    except LayoutError as exc:
        for line in exc.first_lines():
            print(plain(line), file=sys.stderr)
        return 1
    steps = trace_steps(layout, trace) if trace is not None else profile_steps(layout)
    start_qt(need_3d=False)
    from twin.report.animation import render_animation
    try:
        n = solve_or_report(args.file, lambda: render_animation(
            layout, steps, args.out, args.metric, args.size, args.frame_s, Path(args.file).name))
    except ExportError as exc:
        print(exc, file=sys.stderr)
        return 1
    if n is None:
        return 1
    print(f"{args.out}: {n} frames of the plan ({args.metric}), "
          + (f"trace {Path(trace.file).name}" if trace is not None else "24-hour profile"))
    return 0


def cmd_report(file: str, out: str, page: str, sweep: bool = False,
               rides: Sequence[str] = (), swaps: Sequence[str] = (),
               compare_with: str | None = None, compare_scenario: str | None = None) -> int:
    loaded = _simulated(file, out)
    if isinstance(loaded, int):
        return loaded
    layout, result = loaded
    analyses = _report_analyses(file, layout, result, sweep, rides)
    if analyses is None:
        return 1
    swap_reports = _report_swaps(file, layout, swaps)
    if swap_reports is None:
        return 1
    comparison = None
    if compare_with:
        from twin.engine.compare import compare
        from twin.engine.simulate import simulate
        other = load_or_report(compare_with)
        if other is None:
            return 1
        other_res = solve_or_report(compare_with, lambda: simulate(other))
        if other_res is None:
            return 1
        comparison = (compare_with, compare(layout, result, other, other_res))
    elif compare_scenario:
        from twin.engine.compare import compare
        from twin.engine.scenarios import apply_scenario, scenario_label
        from twin.engine.simulate import simulate
        try:
            snap = apply_scenario(layout, compare_scenario)
        except KeyError as exc:
            print(plain(f"{file}: --compare-scenario: {exc.args[0]}"), file=sys.stderr)
            return 1
        snap_res = solve_or_report(file, lambda: simulate(snap))
        if snap_res is None:
            return 1
        comparison = (f"scenario {scenario_label(layout, compare_scenario)}",
                      compare(layout, result, snap, snap_res))
    from twin.report.offscreen import start_qt
    from twin.report.output import ExportError
    from twin.report.pdf import ReportSource, write_report
    from twin.view3d.headless import xvfb_hint

    qt = start_qt(need_3d=True)
    if qt.gl_backend is None:
        print(f"{file}: the report has no 3-D figure: no OpenGL ({qt.gl_reason}); "
              f"{xvfb_hint('report')}", file=sys.stderr)
    try:
        info = write_report(layout, result, out, ReportSource.of_file(file), page=page,
                            gl_backend=qt.gl_backend, gl_reason=qt.gl_reason,
                            sweep=analyses[0], rides=analyses[1], swaps=swap_reports,
                            comparison=comparison)
    except ExportError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{out}: {info.pages} pages ({page.upper()})")
    return 0


def _report_swaps(file: str, layout, specs: Sequence[str]):
    """Swap reports for ``--swap-to MODEL[:FROM]``, or None after a one-line error."""
    from twin.engine.swap import swap_report
    out = []
    for spec in specs:
        to, _, frm = spec.partition(":")
        try:
            rep = solve_or_report(file, lambda to=to, frm=frm: swap_report(
                layout, to.strip(), None, frm.strip() or None))
        except (KeyError, ValueError) as exc:
            print(plain(f"{file}: --swap-to {spec}: {exc.args[0]}"), file=sys.stderr)
            return None
        if rep is None:
            return None
        out.append(rep)
    return out


def _report_analyses(file: str, layout, result, sweep: bool, rides: Sequence[str]):
    """(sweep result or None, ride-through reports) for the report, or None after a
    one-line error."""
    from twin.engine.whatif.ridethrough import ride_through
    from twin.engine.whatif.sweep import run_sweep

    swept = solve_or_report(file, lambda: run_sweep(layout, base_result=result)) if sweep else None
    if sweep and swept is None:
        return None
    reports = []
    for spec in rides:
        utility = spec.strip().lower() == "utility"
        ids = [] if utility else [x.strip() for x in spec.split(",") if x.strip()]
        try:
            rep = solve_or_report(file, lambda ids=ids, utility=utility: ride_through(
                layout, ids, utility_loss=utility, base=result))
        except KeyError as exc:
            print(plain(f"{file}: --ride-through: {exc.args[0]}"), file=sys.stderr)
            return None
        if rep is None:
            return None
        reports.append(rep)
    return swept, reports


def _display_problem() -> str | None:
    """Why Qt could not open a window here, or None. Checked before Qt starts: without a
    display Qt aborts the process (core dump) instead of raising."""
    import os
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return "no display (DISPLAY and WAYLAND_DISPLAY are not set)"


def cmd_gui(file: str | None) -> int:
    if file is not None and not Path(file).exists():
        print(plain(f"{file}: no such file"), file=sys.stderr)
        return 1
    problem = _display_problem()
    if problem:
        print(f"twin: the desktop app cannot open: {problem}; run it in a desktop session or "
              "under xvfb-run -a, or use a headless command (twin --help)", file=sys.stderr)
        return 1
    try:
        from twin.gui.window.app import run
    except ImportError as exc:  # the desktop part is missing or broken
        print(f"twin: the desktop app cannot start ({exc}); headless commands still work: "
              "twin info FILE", file=sys.stderr)
        return 1
    return run(file)


def _looks_like_a_file(arg: str) -> bool:
    """A layout to open (an existing path, or a name with a suffix or a folder) rather than
    a mistyped subcommand such as ``twin exprot``."""
    return Path(arg).exists() or bool(Path(arg).suffix) or "/" in arg or "\\" in arg


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):   # any text prints, whatever the locale
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if not argv or (argv[0] not in SUBCOMMANDS and not argv[0].startswith("-")):
        if argv and not _looks_like_a_file(argv[0]):
            print(plain(f"twin: unknown command {argv[0]!r}; commands: "
                        + ", ".join(SUBCOMMANDS) + " (or a layout FILE to open)"),
                  file=sys.stderr)
            return 2
        if len(argv) > 1:
            print(plain(f"twin: unexpected arguments after {argv[0]}: " + " ".join(argv[1:])),
                  file=sys.stderr)
            return 2
        return cmd_gui(argv[0] if argv else None)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    system = getattr(args, "units", None) if args.command not in UNITLESS else None
    with units.using(system or "si"):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    if args.command == "validate":
        return cmd_validate(args.files)
    if args.command == "info":
        return cmd_info(args.file, args.json)
    if args.command == "simulate":
        return cmd_simulate(args.file, args.json, args.out, args.profile)
    if args.command == "render" and (args.over_time or args.trace):
        return cmd_render_over_time(args)
    if args.command == "render":
        return cmd_render(args.file, args.view or "3d", args.metric, args.out, args.size, args.scale,
                          not args.no_caption, args.streamlines)
    if args.command == "report":
        return cmd_report(args.file, args.out, args.page, args.sweep, args.ride_through,
                          args.swap_to, args.compare_with, args.compare_scenario)
    if args.command == "whatif":
        from twin.cli_whatif import cmd_whatif
        return cmd_whatif(args)
    if args.command == "compare":
        from twin.cli_compare import cmd_compare
        return cmd_compare(args)
    if args.command == "capacity":
        from twin.cli_capacity import cmd_capacity
        return cmd_capacity(args)
    if args.command == "power-compare":
        from twin.cli_power import cmd_power_compare
        return cmd_power_compare(args)
    if args.command == "swap":
        from twin.cli_swap import cmd_swap
        return cmd_swap(args)
    if args.command == "swing":
        from twin.cli_swing import cmd_swing
        return cmd_swing(args)
    if args.command == "cabling":
        from twin.cli_cabling import cmd_cabling
        return cmd_cabling(args)
    if args.command == "trace":
        from twin.cli_timeline import cmd_trace
        return cmd_trace(args)
    if args.command == "timeline":
        from twin.cli_timeline import cmd_timeline
        return cmd_timeline(args)
    if args.command == "import":
        from twin.cli_interchange import cmd_import
        return cmd_import(args)
    if args.command == "export":
        from twin.cli_interchange import cmd_export
        return cmd_export(args)
    if args.command == "export-openfoam":
        from twin.cli_openfoam import cmd_export_openfoam
        return cmd_export_openfoam(args)
    if args.command == "import-openfoam":
        from twin.cli_openfoam import cmd_import_openfoam
        return cmd_import_openfoam(args)
    if args.command == "calibrate":
        from twin.cli_calibrate import cmd_calibrate
        return cmd_calibrate(args)
    if args.command == "gui":
        return cmd_gui(args.file)
    _parser().print_help()
    return 2


