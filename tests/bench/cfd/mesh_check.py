"""Mesh check of the CFD references: a room run at two cell sizes (not run in CI).

    python tests/bench/cfd/mesh_check.py [NAME ...]     # default: every NAME@0.10 reference

For each room with a finer run stored as ``reference/NAME@0.10.json`` (written by
``run_library.py NAME --cell-size 0.1 --suffix @0.10``) beside ``reference/NAME.json``:
how far the racks' mean inlets move between the two meshes (mean and largest), how far
the room's mean moves, the hottest intake cell on each, and the twin's MAE and bias
(shipped constants) against either.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

from fit import cases  # noqa: E402

FINE = "@0.10"


def _inlets(doc: dict, key: str) -> np.ndarray:
    return np.array([r[key] for r in doc["racks"]])


def main() -> int:
    names = sys.argv[1:] or sorted(p.stem[:-len(FINE)] for p in (HERE / "reference").glob(f"*{FINE}.json"))
    rooms = {c["name"]: c for c in cases(top=False)}
    print("| room | cells coarse → fine | racks move, mean / max K | room mean K | hottest cell °C | "
          "twin MAE / bias vs coarse | vs fine |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        coarse = json.loads((HERE / "reference" / f"{name}.json").read_text())
        fine = json.loads((HERE / "reference" / f"{name}{FINE}.json").read_text())
        if [r["id"] for r in coarse["racks"]] != [r["id"] for r in fine["racks"]]:
            print(f"{name}: the two runs list different racks", file=sys.stderr)
            return 1
        mc, mf = _inlets(coarse, "inlet_mean_c"), _inlets(fine, "inlet_mean_c")
        hc, hf = _inlets(coarse, "inlet_max_c"), _inlets(fine, "inlet_max_c")
        c = rooms[name]
        twin = np.asarray(c["model"].solve(c["model"].constants).rack_inlet_mean_c)[c["idx"]]
        d = mf - mc
        print(f"| {name} | {coarse['cells']:,} → {fine['cells']:,} | {np.abs(d).mean():.2f} / "
              f"{np.abs(d).max():.2f} | {d.mean():+.2f} | {hc.max():.1f} → {hf.max():.1f} | "
              f"{np.abs(twin - mc).mean():.2f} / {(twin - mc).mean():+.2f} | "
              f"{np.abs(twin - mf).mean():.2f} / {(twin - mf).mean():+.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
