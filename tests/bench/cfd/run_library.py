"""Export and run the CFD case library one case after another (not run in CI).

    python tests/bench/cfd/run_library.py [NAME ...] [--cell-size 0.15] [--iters 3200]
        [--suffix ""] [--out out/cfd/rooms] [--initial-offset-k 0]

For each room in ``tests/bench/cfd/rooms/`` (or the NAMEs given): simulate it with the
live model (timed), export the OpenFOAM case (``twin.interchange.openfoam``), run it
serially under ``nice -n 19`` and copy its ``result.json`` with the twin's time into
``tests/bench/cfd/reference/NAME[SUFFIX].json``.  One OpenFOAM process at a time.

``--initial-offset-k`` starts the run from an initial air field that many kelvin off the
exported one (the twin's mean air temperature): a repeat from another initial state,
for the rooms whose CFD does not settle to one steady state (README, "CFD
repeatability").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from twin.engine.simulate import simulate  # noqa: E402
from twin.interchange.openfoam import export_case  # noqa: E402
from twin.io import load_layout  # noqa: E402


def offset_initial_field(path: Path, offset_k: float) -> None:
    """Shift the uniform initial ``internalField`` of a scalar field file."""
    text = path.read_text()
    m = re.search(r"internalField\s+uniform\s+([-0-9.eE+]+)\s*;", text)
    if not m:
        raise SystemExit(f"{path}: no uniform internalField to offset")
    value = float(m.group(1)) + offset_k
    path.write_text(text[:m.start(1)] + f"{value:.3f}" + text[m.end(1):])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--cell-size", type=float, default=0.15)
    ap.add_argument("--iters", type=int, default=3200)
    ap.add_argument("--cycle", type=int, default=200)
    ap.add_argument("--suffix", default="")
    ap.add_argument("--out", default="out/cfd/rooms")
    ap.add_argument("--initial-offset-k", type=float, default=0.0)
    a = ap.parse_args()
    names = a.names or sorted(p.stem for p in (HERE / "rooms").glob("*.json"))
    for name in names:
        layout = load_layout(HERE / "rooms" / f"{name}.json")
        t = time.perf_counter()
        res = simulate(layout)
        twin_s = time.perf_counter() - t
        case = Path(a.out) / f"{name}{a.suffix}"
        s = export_case(layout, res, case, cell_m=a.cell_size, iterations=a.iters, cycle=a.cycle)
        if a.initial_offset_k:
            offset_initial_field(case / "0" / "T", a.initial_offset_k)
        print(f"{name}: {s.cells} cells, twin {twin_s:.2f} s", flush=True)
        p = subprocess.run([str(case / "Allrun"), "--nice", "19"])
        if p.returncode:
            print(f"{name}: OpenFOAM run failed", flush=True)
            continue
        r = json.loads((case / "result.json").read_text())
        r.update(room=name, twin_s=round(twin_s, 3), grid=list(s.grid),
                 initial_offset_k=a.initial_offset_k)
        (HERE / "reference" / f"{name}{a.suffix}.json").write_text(json.dumps(r, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
