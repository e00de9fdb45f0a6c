"""Where the CFD's hottest rack intake cell is, and how far above the rack's mean (not run in CI).

    python tests/bench/cfd/hottest_cells.py [NAME ...] [--out out/cfd/rooms]

Reads the run cases ``out/cfd/rooms/NAME`` (``run_library.py`` keeps them), averages
``T`` over the written times of the second half of the run, and prints for the hottest
rack of each room: its hottest intake cell, the cell's layer (of the intake's layers) and
column along the face in grid order (0 and the last are the face's two edges; at a row
end one of them is the open edge), and the cell's excess over the rack's mean intake as a share of the rack's
own rise (air heat / ρ c_p V).  This is the evidence for the row-end hottest-intake term
(``twin/physics/air/entrainment.py``, ``row_end_hot_share``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

import numpy as np  # noqa: E402

from twin.engine.simulate import simulate  # noqa: E402
from twin.interchange.openfoam.case_driver import read_internal  # noqa: E402
from twin.interchange.openfoam.room import KELVIN, case_room  # noqa: E402
from twin.io import load_layout  # noqa: E402


def room_cells(name: str, out: Path):
    """(solid mask, case spec, second-half mean T in °C per fluid cell) of a run case."""
    case = out / name
    layout = load_layout(HERE / "rooms" / f"{name.split('@')[0]}.json")
    spec = json.loads((case / "twin_case.json").read_text())
    solid = case_room(layout, simulate(layout), spec["cell_m"][0]).grids.block.solid
    times = sorted((d for d in case.iterdir() if d.name.isdigit() and int(d.name) > 0),
                   key=lambda d: int(d.name))
    late = [d for d in times if int(d.name) > int(times[-1].name) / 2]
    t = np.mean([read_internal(d / "T") for d in late], axis=0) - KELVIN
    if len(t) != int((~solid).sum()):
        raise SystemExit(f"{case}: {len(t)} cells in T, {int((~solid).sum())} in the rebuilt mesh")
    return solid, spec, t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--out", default="out/cfd/rooms")
    a = ap.parse_args()
    out = Path(a.out)
    names = a.names or sorted(p.stem for p in (HERE / "rooms").glob("*.json") if (out / p.stem).exists())
    print("| room | rack | mean °C | hottest cell °C | layer | column | (hottest − mean) / own rise |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        solid, spec, t = room_cells(name, out)
        fluid = np.flatnonzero(~solid.ravel())
        best = None
        for d in spec["devices"]:
            if d["kind"] != "rack":
                continue
            cells = fluid[np.asarray(d["cells"])]
            temp = t[np.asarray(d["cells"])]
            if best is None or temp.max() > best[1].max():
                best = (d, temp, cells)
        d, temp, cells = best
        k, j, i = np.unravel_index(cells, solid.shape)
        along = i if len(np.unique(i)) > 1 else j
        h = int(np.argmax(temp))
        cols, layers = np.unique(along), np.unique(k)
        rise = d["heat_w"] / (spec["rho_cp_jm3k"] * d["airflow_m3s"])
        print(f"| {name} | {d['id']} | {temp.mean():.1f} | {temp.max():.1f} | "
              f"{int(np.searchsorted(layers, k[h])) + 1} of {len(layers)} | "
              f"{int(np.searchsorted(cols, along[h]))} of 0..{len(cols) - 1} | "
              f"{(temp.max() - temp.mean()) / rise:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
