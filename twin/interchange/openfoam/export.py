"""``export_case``: a complete, runnable OpenFOAM case for a layout as the live model sees it.

The case directory gets the mesh (``constant/polyMesh``, written directly), the fields
and dictionaries, ``twin_case.json`` (the tied devices and run settings),
``twin_driver.py`` (:mod:`.case_driver`), ``Allrun`` / ``Allclean`` and a README of
what was assumed.  The same layout and options always write the same bytes.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from twin.engine.simulate import TwinResult
from twin.model import Layout
from twin.physics.fluids import AIR

from ..errors import InterchangeError
from . import case_driver
from .dictionaries import write_constant, write_fields, write_system
from .mesh import build_polymesh, write_polymesh
from .room import CaseRoom, case_room

__all__ = ["export_case", "CaseSummary", "DEFAULT_CELL_M", "DEFAULT_ITERATIONS", "DEFAULT_CYCLE"]

DEFAULT_CELL_M = 0.15
DEFAULT_ITERATIONS = 3000
DEFAULT_CYCLE = 200
#: above this many cells the export refuses (ASCII polyMesh from Python: ~1 GB of text)
MAX_CELLS = 20_000_000


@dataclass(frozen=True)
class CaseSummary:
    out: Path
    cells: int
    patches: int
    racks: int
    tied_devices: int
    grid: tuple[int, int, int]
    cell_m: tuple[float, float, float]
    notes: tuple[str, ...]


def export_case(layout: Layout, result: TwinResult, out: str | Path, cell_m: float = DEFAULT_CELL_M,
                procs: int = 1, iterations: int = DEFAULT_ITERATIONS,
                cycle: int = DEFAULT_CYCLE) -> CaseSummary:
    """Write the case of ``layout`` solved as ``result`` into ``out`` (created; an
    existing case there is replaced, any other non-empty directory refused)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InterchangeError(str(out), "exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / "twin_case.json").exists():
        raise InterchangeError(str(out), "is a non-empty directory that is not a twin case; "
                               "choose a new or empty directory")
    h = layout.hall
    estimate = (h.width_m / cell_m) * (h.length_m / cell_m) * (h.ceiling_height_m / (cell_m * 4 / 3))
    if estimate > MAX_CELLS:
        raise InterchangeError(str(out), f"--cell-size {cell_m:g} m gives ~{estimate:,.0f} cells, above "
                               f"the exporter's {MAX_CELLS:,}: use a larger cell size")
    room = case_room(layout, result, cell_m)
    mesh = build_polymesh(room.grids, room.names, room.types)
    if out.is_dir():
        for child in sorted(out.iterdir()):
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    write_polymesh(out, mesh)
    air = result.air
    assert air is not None                 # case_room refused layouts without an air result
    initial_c = float(np.nanmean(air.temperature_c))
    write_fields(out, room, mesh, initial_c)
    write_constant(out, reference_c=round(room.supply_c + 5.0, 2))
    opening = "opening" in room.kinds
    write_system(out, cycle, procs, reference_cell=not opening)
    devices = _tied_devices(room, mesh)
    b = room.grids.block
    spec = dict(format="twin-openfoam-case", version=1, layout=layout.name,
                cells=mesh.n_cells, cell_m=[round(b.dx, 6), round(b.dy, 6), round(b.dz, 6)],
                procs=procs, iterations=iterations, cycle=cycle,
                rho_cp_jm3k=AIR.volumetric_cp_jm3k, supply_c=round(room.supply_c, 4),
                devices=devices)
    (out / "twin_case.json").write_text(json.dumps(spec, indent=1) + "\n")
    shutil.copyfile(case_driver.__file__, out / "twin_driver.py")
    _script(out / "Allrun", ALLRUN)
    _script(out / "Allclean", ALLCLEAN)
    summary = CaseSummary(out, mesh.n_cells, len(mesh.patches), len(layout.racks), len(devices), (b.nx, b.ny, b.nz),
                          (b.dx, b.dy, b.dz), tuple(room.notes))
    (out / "README.md").write_text(_readme(layout, room, summary, opening, procs, iterations, cycle))
    return summary


def _tied_devices(room: CaseRoom, mesh) -> list[dict]:
    """The devices with the cells in front of their intake patch and those cells' heights."""
    b = room.grids.block
    start = mesh.n_internal
    where = {}
    for name, _t, n in mesh.patches:
        where[name] = (start, n)
        start += n
    out = []
    for d in room.devices:
        s, n = where[d["inlet"]]
        cells = mesh.owner[s:s + n]
        k = mesh.face_k[s - mesh.n_internal:s - mesh.n_internal + n]
        z = (k + 0.5) * b.dz
        out.append(dict(d, cells=cells.tolist(), z_m=np.round(z, 4).tolist()))
    return out


def _script(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


ALLRUN = """#!/bin/sh
# Check the mesh, decompose it (more than one process), run buoyantBoussinesqSimpleFoam
# in cycles with every rack exhaust tied to its intake (twin_driver.py), reconstruct.
# Options go to the driver: ./Allrun --procs 8 --iters 4000 --cycle 200 --nice 19
cd "${0%/*}" || exit 1
: "${WM_PROJECT_DIR:=/usr/share/openfoam}"
export WM_PROJECT_DIR
exec python3 twin_driver.py "$@"
"""

ALLCLEAN = """#!/bin/sh
# Remove everything the run wrote (times, processors, logs, result): back to the export.
cd "${0%/*}" || exit 1
for d in [1-9]* processor*; do [ -e "$d" ] && rm -rf "$d"; done
rm -f log.* result.json
"""


def _readme(layout: Layout, room: CaseRoom, s: CaseSummary, opening: bool, procs: int,
            iterations: int, cycle: int) -> str:
    dx, dy, dz = s.cell_m
    notes = "".join(f"- {n}\n" for n in s.notes)
    returns = ("a pressure opening (p_rgh = 0) over the twin's ceiling-return cells "
               "(hot-aisle chimneys, else return grilles, else the whole ceiling)"
               if opening else "fixed outflows (unit tops or return grilles); pressure "
               "referenced at cell 0")
    return f"""# OpenFOAM case: {layout.name}

Exported by `twin export-openfoam` from the live model's own inputs (rack air heat,
airflows, delivered unit and terminal flows, supply temperatures).

Run: `./Allrun` (serial), `./Allrun --procs {max(procs, 2)}` (MPI; also on a cluster, with
`mpirun` on the path), `./Allclean` to start over.  Then compare:
`twin import-openfoam . LAYOUT.json` (here, with the layout it came from).

| | |
|---|---|
| solver | buoyantBoussinesqSimpleFoam (OpenFOAM v1912 or later), steady RANS, standard k-ε, wall functions |
| mesh | structured hexes {s.grid[0]} × {s.grid[1]} × {s.grid[2]}, {dx:.4g} × {dy:.4g} × {dz:.4g} m, {s.cells:,} fluid cells, {s.patches} patches |
| run | as exported: {iterations} iterations in cycles of {cycle} on {procs} process(es) (`twin_case.json`); `./Allrun --iters --cycle --procs` override them, and `result.json` records what ran |
| supply | {room.supply_c:.2f} °C at the tiles and supply grilles |

## What was assumed

- Racks and cooling units are removed cells (their footprints snapped to the mesh);
  each rack breathes through a patch on its front face and blows through one on its
  back face at its airflow over the meshed area (a blocked face breathes through the
  top instead).  The live model's airflow per rack is used unchanged.
- Rack exhaust = mean intake + air heat / (ρ c_p V), through the rear door's law where
  a door is fitted; in-row coolers apply the coil law at their set-point.  The driver
  re-sets these after every cycle ({cycle} iterations as exported) from the mean of the last three cycles
  (buoyant rooms with jets are pseudo-steady) and averages the rack intakes over the
  second half of the run (`result.json`, with the spread over the averaged cycles).
- Tiles are uniform inlets over their free floor area (not jets through 25 %-open
  perforations: the momentum of real tile jets is not modelled), at the live model's
  delivered tile flows; ceiling supply grilles likewise.  CRAH discharge temperatures
  are the live model's (they stay fixed in the CFD).
- Returns: {returns}.
- Containment panels are zero-thickness baffles (no leakage); the end doors of a
  roofed aisle stop one cell under the roof (a sealed aisle with fixed flows has no
  solution; the twin leaks 3 % through its panels instead, a roofed aisle's door leak
  through its roof, where the air that comes in at the door heads spreads).
- Walls, floor and ceiling are adiabatic and airtight; Boussinesq buoyancy with
  β = 1/T_ref; Pr_t 0.85; intake mean = mean of the cells in front of the intake face
  (uniform face velocity: that is the flux-weighted mean), hottest = hottest such cell.
{notes}"""
