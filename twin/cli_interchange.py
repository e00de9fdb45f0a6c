"""``twin import`` and ``twin export``: rack inventories (CSV, XLSX, NetBox) in; inventories,
DXF plans, OpenUSD and glTF scenes out."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, Callable

from twin.cli_common import load_and_solve, load_or_report, number_in, plain
from twin.interchange.errors import InterchangeError
from twin.io.errors import capped_lines

#: Rack colourings a scene export can use (twin.engine.layers.METRICS keys).
SCENE_METRICS = ("inlet", "power", "capture", "coolant", "model")


def _room(text: str) -> tuple[float, float, float]:
    try:
        w, l, h = (float(v) for v in text.replace("x", ",").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected W,L,H in metres such as 30,20,4.5, got {text!r}")
    if not (0 < w <= 400 and 0 < l <= 400 and 2 <= h <= 20):
        raise argparse.ArgumentTypeError(f"room sides must be 0-400 m and the height 2-20 m, got {text!r}")
    return w, l, h


def add_parsers(sub: Any) -> None:
    imp = sub.add_parser("import", help="make a layout from a rack inventory (CSV, XLSX, NetBox)")
    isub = imp.add_subparsers(dest="source_kind", metavar="KIND", required=True)
    inv = isub.add_parser(
        "inventory", help="racks from a CSV or XLSX table (one rack per row)",
        description="Read a rack list (CSV or XLSX; headers matched to documented aliases, "
                    "see the README) and write a layout. Every row is placed or listed as a "
                    "problem; nothing is written when there is an error.")
    inv.add_argument("src", metavar="SRC", help="CSV or XLSX file")
    _common_import(inv)
    inv.add_argument("--units", choices=("m", "ft"), help="unit of x/y columns that do not say (default m)")
    inv.add_argument("--power-unit", choices=("kW", "W"), help="unit of power columns that do not say (default kW)")
    inv.add_argument("--grid", metavar="PITCH[,X0,Y0]",
                     help="floor-tile grid for tile coordinates such as AB12 (default 0.6,0,0)")
    inv.add_argument("--sheet", metavar="NAME", help="XLSX sheet (default: the first)")
    nb = isub.add_parser(
        "netbox", help="racks from NetBox (a folder of saved API results, or a URL)",
        description="Read racks, devices, power ports and feeds from saved NetBox REST API "
                    "results (a folder of JSON files) or live from a NetBox URL with the "
                    "token in the environment variable NETBOX_TOKEN (never written anywhere).")
    nb.add_argument("src", metavar="DIR|URL")
    _common_import(nb)
    nb.add_argument("--positions", metavar="CSV", help="rack-to-position CSV (rack, x_m, y_m, facing)")
    nb.add_argument("--diversity", type=number_in(0, 1, "a diversity factor such as 0.8", low_open=True), default=0.8,
                    help="share of a power port's maximum draw used where it has no allocated "
                         "draw (default 0.8)")
    nb.add_argument("--site", metavar="SLUG", help="only this site (live pull)")

    exp = sub.add_parser("export", help="write a layout as an inventory, DXF plan, OpenUSD or glTF")
    esub = exp.add_subparsers(dest="target", metavar="FORMAT", required=True)
    for name, helptext, suffix in (
            ("inventory", "racks as a CSV or XLSX table (reads back with twin import inventory)", "racks.csv|racks.xlsx"),
            ("dxf", "a DXF plan in metres: racks as blocks with attributes, rows, units, tiles", "plan.dxf"),
            ("usd", "an OpenUSD stage (Z up, metres): racks, units and CDUs with twin: attributes", "hall.usda|hall.usdc"),
            ("gltf", "the coloured 3-D scene as one binary glTF (.glb)", "hall.glb")):
        e = esub.add_parser(name, help=helptext, description=helptext)
        e.add_argument("file", metavar="LAYOUT")
        e.add_argument("--out", metavar=suffix.upper(), required=True, help=f"file to write ({suffix})")
        if name != "gltf":
            e.add_argument("--results", action="store_true",
                           help="simulate first and add the results (inlet, exhaust, power ...)")
        if name in ("usd", "gltf"):
            e.add_argument("--colour-by", choices=SCENE_METRICS, default="inlet",
                           help="rack colour (simulated metrics need a solve; default inlet)")
        e.add_argument("--json", action="store_true", help="print a JSON summary")


def _common_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", metavar="LAYOUT", required=True, help="layout file to write (.json)")
    p.add_argument("--map", metavar="MAP", help="mapping file (JSON): columns, model names, units, grid")
    p.add_argument("--room", type=_room, metavar="W,L,H",
                   help="room width, length and height in metres (default: sized to the racks)")
    p.add_argument("--base", metavar="LAYOUT",
                   help="add the racks to this layout (its room, cooling and power) instead "
                        "of a new room")
    p.add_argument("--no-cooling", action="store_true",
                   help="no provisional cooling units in a new room (the layout will not "
                        "simulate until units are added)")
    p.add_argument("--json", action="store_true", help="print the import report as JSON")


# ----- import ----------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    from twin.interchange.inventory import build_layout
    from twin.interchange.inventory_read import Mapping, inventory_rows, read_mapping

    started = time.perf_counter()
    try:
        mapping = read_mapping(args.map) if args.map else Mapping()
        base = None
        if args.base:
            base = load_or_report(args.base)
            if base is None:
                return 1
        if args.source_kind == "inventory":
            _apply_options(args, mapping)
            rows, report, _table = inventory_rows(args.src, mapping)
        else:
            from twin.interchange.netbox import netbox_rows
            rows, report = netbox_rows(args.src, positions_csv=args.positions,
                                       diversity=args.diversity, site=args.site,
                                       model_map=mapping.models,
                                       catalogue=base.catalogue if base is not None else None)
    except InterchangeError as exc:
        print(plain(str(exc)), file=sys.stderr)
        return 1
    layout = None if report.errors else build_layout(
        rows, report, room_m=args.room, base=base, model_map=mapping.models,
        cooling=not args.no_cooling)
    written = False
    if layout is not None:
        from twin.io import LayoutError, save_layout
        try:
            save_layout(layout, args.out)
            written = True
        except LayoutError as exc:
            report.error(args.out, "; ".join(exc.first_lines(3)))
        except OSError as exc:
            report.error(args.out, f"cannot write: {exc.strerror or exc}")
    seconds = time.perf_counter() - started
    if args.json:
        doc = report.as_dict()
        doc.update(out=args.out if written else None, racks=len(rows),
                   written=written, seconds=round(seconds, 3))
        if layout is not None:
            import numpy as np
            doc["power_kw"] = {k: round(float(np.nansum(layout.racks[f])), 3)
                               for k, f in (("fixed", "power_kw"), ("budget", "power_budget_kw"))}
        print(json.dumps(doc, indent=2))
    else:
        _print_report(report, args.out if written else None, len(rows), seconds)
    return 0 if written else 1


def _apply_options(args: argparse.Namespace, mapping: Any) -> None:
    """Command-line options over the mapping file's settings."""
    if args.units:
        mapping.length_unit = args.units
    if args.power_unit:
        mapping.power_unit = args.power_unit
    if args.sheet:
        mapping.sheet = args.sheet
    if args.grid:
        from twin.interchange.inventory import InventoryError
        try:
            parts = [float(v) for v in args.grid.split(",")]
            if len(parts) not in (1, 3) or parts[0] <= 0:
                raise ValueError
        except ValueError:
            raise InventoryError("--grid", f"expected PITCH or PITCH,X0,Y0 in metres, got {args.grid!r}") from None
        mapping.tile_pitch_m = parts[0]
        if len(parts) == 3:
            mapping.tile_origin_m = (parts[1], parts[2])


def _print_report(report: Any, out: str | None, n_rows: int, seconds: float) -> None:
    err = sys.stderr
    if report.columns:
        print("columns   " + ", ".join(f"{f} <- {h!r}" for f, h in report.columns.items()))
    if report.ignored_columns:
        print("ignored   " + ", ".join(repr(h) for h in report.ignored_columns))
    for given, key in report.models.items():
        print(plain(f"model     {given!r} -> {key}"))
    if report.placed_in_rows:
        print(f"placed    {len(report.placed_in_rows)} racks without a position: "
              + ", ".join(report.placed_in_rows[:20])
              + (f" ... and {len(report.placed_in_rows) - 20} more" if len(report.placed_in_rows) > 20 else ""))
    for note in report.notes:
        print(plain(f"note      {note}"))
    for line in capped_lines(report.problems):
        print(plain(line), file=err)
    if out:
        print(f"{out}: {n_rows:,} racks written in {seconds:.2f} s")
    else:
        print(f"nothing written: {len(report.errors)} errors", file=err)


# ----- export ----------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    needs_result = getattr(args, "results", False) or (
        getattr(args, "colour_by", "model") not in ("model",))
    if needs_result:
        solved = load_and_solve(args.file)
        if solved is None:
            return 1
        layout, result = solved
    else:
        layout, result = load_or_report(args.file), None
        if layout is None:
            return 1
    started = time.perf_counter()
    writer = _writers()[args.target]
    try:
        summary = writer(layout, args.out, result, args)
    except InterchangeError as exc:
        print(plain(str(exc)), file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({"file": args.file, "out": args.out, "format": args.target,
                          "seconds": round(seconds, 3), **summary}, indent=2))
    else:
        print(f"{args.out}: " + ", ".join(f"{k.replace('_', ' ')} {'yes' if v else 'no'}"
                                          if isinstance(v, bool)
                                          else f"{k.replace('_', ' ')} {v:,}" if isinstance(v, int)
                                          else f"{k.replace('_', ' ')} {v}"
                                          for k, v in summary.items()) + f" ({seconds:.2f} s)")
    return 0


def _writers() -> dict[str, Callable[..., dict[str, Any]]]:
    def inventory(layout: Any, out: str, result: Any, args: argparse.Namespace) -> dict[str, Any]:
        from twin.interchange.inventory_write import write_inventory
        import os
        n = write_inventory(layout, out, result)
        return {"racks": n, "bytes": os.path.getsize(out)}

    def dxf(layout: Any, out: str, result: Any, args: argparse.Namespace) -> dict[str, Any]:
        from twin.interchange.dxf_write import write_dxf
        return _as_dict(write_dxf(layout, out, result))

    def usd(layout: Any, out: str, result: Any, args: argparse.Namespace) -> dict[str, Any]:
        from twin.interchange.usd import write_usd
        return _as_dict(write_usd(layout, out, result, colour_by=args.colour_by))

    def gltf(layout: Any, out: str, result: Any, args: argparse.Namespace) -> dict[str, Any]:
        from twin.interchange.gltf import write_gltf
        return _as_dict(write_gltf(layout, out, result, colour_by=args.colour_by))

    return {"inventory": inventory, "dxf": dxf, "usd": usd, "gltf": gltf}


def _as_dict(summary: Any) -> dict[str, Any]:
    import dataclasses
    d = (dataclasses.asdict(summary) if dataclasses.is_dataclass(summary)
         and not isinstance(summary, type) else dict(summary))
    return {k: v for k, v in d.items() if k not in ("path", "seconds")}
