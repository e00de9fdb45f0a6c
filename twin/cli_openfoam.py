"""``twin export-openfoam`` and ``twin import-openfoam``: a runnable OpenFOAM case of a layout
as the live model sees it, and its result brought back beside the live model."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from twin.cli_common import load_and_solve, number_in, plain
from twin.interchange.errors import InterchangeError


def add_parsers(sub: Any) -> None:
    e = sub.add_parser(
        "export-openfoam", help="write a runnable OpenFOAM case (mesh, fields, Allrun) of a layout",
        description="Simulate FILE and write an OpenFOAM case of its room with the live model's "
                    "flows, powers and set-points: a hex mesh with a patch per rack intake and "
                    "exhaust, tiles, unit returns and supplies, containment baffles; k-epsilon "
                    "buoyantBoussinesqSimpleFoam; decomposeParDict for N processes; ./Allrun "
                    "meshes, decomposes, runs with mpirun (rack exhausts tied to intakes) and "
                    "reconstructs.")
    e.add_argument("file", metavar="FILE")
    e.add_argument("--out", metavar="DIR", required=True, help="case directory to write")
    e.add_argument("--cell-size", type=number_in(0.02, 2.0, "a cell size in metres"), default=0.15,
                   metavar="M", help="horizontal cell size in metres (layers 4/3 of it; default 0.15)")
    e.add_argument("--procs", type=number_in(1, 4096, "a number of processes"), default=1,
                   metavar="N", help="MPI processes the case is decomposed for (default 1)")
    e.add_argument("--iters", type=number_in(1, 1e6, "a number of iterations"), default=3000,
                   metavar="N", help="solver iterations (default 3000)")
    e.add_argument("--json", action="store_true", help="print the case summary as JSON")
    i = sub.add_parser(
        "import-openfoam", help="compare a run OpenFOAM case's rack inlets with the live model",
        description="Read DIR/result.json (written by the case's ./Allrun) and print each rack's "
                    "CFD inlet mean and hottest cell beside the live model's, with the mean "
                    "absolute error, worst rack, bias, hottest-inlet error and whether both name "
                    "the same hottest rack.")
    i.add_argument("case", metavar="DIR")
    i.add_argument("layout", metavar="LAYOUT")
    i.add_argument("--json", action="store_true", help="print JSON")


def cmd_export_openfoam(args: argparse.Namespace) -> int:
    from twin.interchange.openfoam import export_case
    solved = load_and_solve(args.file)
    if solved is None:
        return 1
    layout, result = solved
    t = time.perf_counter()
    try:
        s = export_case(layout, result, args.out, cell_m=args.cell_size, procs=int(args.procs),
                        iterations=int(args.iters))
    except InterchangeError as exc:
        print(plain(str(exc)), file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{args.out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(dict(out=str(s.out), cells=s.cells, patches=s.patches, racks=s.racks,
                              tied_devices=s.tied_devices, grid=list(s.grid),
                              cell_m=[round(v, 6) for v in s.cell_m], procs=int(args.procs),
                              notes=list(s.notes), seconds=round(time.perf_counter() - t, 3)), indent=2))
        return 0
    for note in s.notes:
        print(plain(f"note      {note}"))
    print(f"{s.out}: {s.cells:,} cells ({s.grid[0]} x {s.grid[1]} x {s.grid[2]}), {s.patches} patches, "
          f"{s.racks} racks; run it with {s.out}/Allrun"
          + (f" --procs {int(args.procs)}" if args.procs > 1 else ""))
    return 0


def cmd_import_openfoam(args: argparse.Namespace) -> int:
    from twin.interchange.openfoam.compare import agreement, read_result
    try:
        cfd = read_result(args.case)
    except InterchangeError as exc:
        print(plain(str(exc)), file=sys.stderr)
        return 1
    solved = load_and_solve(args.layout)
    if solved is None:
        return 1
    _layout, result = solved
    if result.air is None:
        print(f"{args.layout}: the live model has no air result to compare", file=sys.stderr)
        return 1
    try:
        a = agreement(cfd, result.rack_ids, result.air.rack_inlet_mean_c, result.air.rack_inlet_max_c)
    except InterchangeError as exc:
        print(plain(f"{args.case}: {exc.message}"), file=sys.stderr)
        return 1
    doc = a.as_dict()
    doc.update(case=args.case, layout=args.layout, cfd_cells=cfd.doc.get("cells"),
               cfd_wall_s=cfd.doc.get("wall_s"), cfd_iterations=cfd.doc.get("iterations"),
               cfd_settling=cfd.settling(),
               missing=[r for r in cfd.rack_ids if r not in a.rack_ids])
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    print("inlets in °C; error = twin − CFD, K")
    print(f"{'rack':<12} {'CFD mean':>9} {'twin mean':>9} {'error':>7}   {'CFD max':>8} {'twin max':>8} {'error':>7}")
    for r in doc["racks"]:
        print(plain(f"{r['id']:<12} {r['cfd_mean_c']:9.2f} {r['twin_mean_c']:9.2f} "
                    f"{r['twin_mean_c'] - r['cfd_mean_c']:+7.2f}   {r['cfd_max_c']:8.2f} "
                    f"{r['twin_max_c']:8.2f} {r['twin_max_c'] - r['cfd_max_c']:+7.2f}"))
    print(f"mean inlet: MAE {a.mae_k:.2f} K, worst {a.worst_k:.2f} K ({plain(a.worst_rack)}), "
          f"bias {a.bias_k:+.2f} K")
    print(f"hottest inlet: twin {a.twin_max_c.max():.2f} °C, CFD {a.cfd_max_c.max():.2f} °C "
          f"({a.hottest_error_k:+.2f} K); hottest rack CFD {plain(a.hottest_cfd)}, twin "
          f"{plain(a.hottest_twin)} ({'same' if a.hottest_agrees else 'different'})")
    st = doc["cfd_settling"]
    if st["cycles_averaged"] is not None and st["rack_std_median_k"] is not None:
        print(f"CFD run: averaged over {st['cycles_averaged']} cycles; racks vary by "
              f"{st['rack_std_median_k']:.2f} K (median), up to {st['rack_std_max_k']:.2f} K, "
              "between them")
    if st["note"]:
        print(plain(f"note: the CFD run is {st['note']}"))
    if doc["missing"]:
        print(plain(f"not in the layout: {', '.join(doc['missing'][:10])}"), file=sys.stderr)
    return 0
