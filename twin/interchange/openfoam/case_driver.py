"""Run an exported twin case with OpenFOAM, rack exhausts tied to their intakes.

This file is copied verbatim into every exported case as ``twin_driver.py`` and needs
only Python 3 and numpy (``./Allrun`` calls it).  It

1. checks the mesh (``checkMesh``), decomposes it when the case runs on more than
   one process (``decomposePar``);
2. runs ``buoyantBoussinesqSimpleFoam`` (``mpirun -np N … -parallel`` for N > 1) in
   cycles of ``--cycle`` iterations; after each cycle it reads ``T`` (from the
   processor directories through ``cellProcAddressing`` when decomposed), takes the
   mean intake of every rack and in-row cooler (the cells in front of its intake
   patch) and re-sets its discharge patch by the device law
   ``T_out = max(min(T_a, floor), T_a − cap / ρc_pV)``, ``T_a = T_in + heat / ρc_pV``
   (rack: air heat, rear door; cooler: fan heat, coil capacity and set-point), fed
   with the mean of the last three cycles (buoyant rooms are pseudo-steady);
3. averages every rack's intake mean, upper third and hottest cell over the second
   half of the run and writes ``result.json``; reconstructs the last time
   (``reconstructPar``) when decomposed.

Usage: ``python3 twin_driver.py [--iters N] [--cycle M] [--procs P] [--nice 19]``
(defaults from ``twin_case.json``).
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

import numpy as np

KELVIN = 273.15
SOLVER = "buoyantBoussinesqSimpleFoam"
RESULT_FORMAT = "twin-openfoam-result"


def numbers_after(text: str, start: int, n: int) -> np.ndarray:
    """The ``n`` numbers of an OpenFOAM list whose ``(`` ends at ``start``."""
    values = np.array(text[start:text.index(")", start)].split(), float)
    if len(values) != n:
        raise ValueError(f"expected {n} values, found {len(values)}")
    return values


def read_internal(path: Path) -> np.ndarray:
    """The cell values of a scalar field file (``internalField``)."""
    txt = path.read_text()
    m = re.search(r"internalField\s+nonuniform\s+List<scalar>\s*(\d+)\s*\(", txt)
    if m:
        return numbers_after(txt, m.end(), int(m.group(1)))
    m = re.search(r"internalField\s+uniform\s+([-0-9.eE+]+)\s*;", txt)
    if not m:
        raise ValueError(f"{path}: no internalField")
    return np.array([float(m.group(1))])


def read_labels(path: Path) -> np.ndarray:
    """A ``labelList`` file (e.g. ``cellProcAddressing``)."""
    txt = path.read_text()
    m = re.search(r"\n(\d+)\s*\(", txt[txt.index("}") if "}" in txt else 0:])
    if not m:
        raise ValueError(f"{path}: no list")
    off = (txt.index("}") if "}" in txt else 0) + m.end()
    return numbers_after(txt, off, int(m.group(1))).astype(np.int64)


def time_dirs(root: Path) -> list[Path]:
    return sorted((p for p in root.iterdir() if p.is_dir() and re.fullmatch(r"[0-9.eE+-]+", p.name)),
                  key=lambda p: float(p.name))


def processors(case: Path) -> list[Path]:
    return sorted(case.glob("processor[0-9]*"), key=lambda p: int(p.name[9:]))


def read_temperature(case: Path, n_cells: int) -> tuple[np.ndarray, str]:
    """Cell temperatures (K) of the latest written time, and that time's name."""
    procs = processors(case)
    if not procs:
        last = time_dirs(case)[-1]
        t = read_internal(last / "T")
        return (np.full(n_cells, t[0]) if len(t) == 1 else t), last.name
    out = np.full(n_cells, np.nan)
    name = time_dirs(procs[0])[-1].name
    for p in procs:
        addr = read_labels(p / "constant" / "polyMesh" / "cellProcAddressing")
        t = read_internal(p / name / "T")
        out[addr] = t if len(t) == len(addr) else t[0]
    return out, name


def set_patch_values(tfile: Path, values_k: dict) -> None:
    """Replace the ``value`` of each named fixedValue patch with a uniform value."""
    txt = tfile.read_text()
    for patch, v in values_k.items():
        pat = re.compile(r"(\n\s*%s\s*\{[^}]*?value\s+)(uniform\s+[^;]+|nonuniform[^;]*);" % re.escape(patch))
        txt, n = pat.subn(r"\g<1>" + f"uniform {v:.6f};", txt)
        if n != 1:
            raise ValueError(f"{tfile}: patch {patch} not found")
    tfile.write_text(txt)


def device_law(t_in_c, d: dict, rho_cp: float) -> float:
    c = rho_cp * d["airflow_m3s"]
    t_a = t_in_c + d["heat_w"] / c
    return max(min(t_a, d["floor_c"]), t_a - d["cap_w"] / c)


def solver_command(procs: int, nice: int) -> list[str]:
    cmd = ["nice", "-n", str(nice)] if nice else []
    if procs > 1:
        return cmd + ["mpirun", "-np", str(procs), SOLVER, "-parallel"]
    return cmd + [SOLVER]


def run(case: Path, iters: int, cycle: int, procs: int, nice: int) -> dict:
    spec = json.loads((case / "twin_case.json").read_text())
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.setdefault("WM_PROJECT_DIR", "/usr/share/openfoam")
    if hasattr(os, "geteuid") and os.geteuid() == 0:          # OpenMPI refuses root otherwise
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")

    def call(cmd: list[str], log: str) -> None:
        with open(case / log, "a") as f:
            if subprocess.run(cmd, cwd=case, stdout=f, stderr=subprocess.STDOUT, env=env).returncode:
                sys.exit(f"{case}: {cmd[0] if cmd[0] != 'nice' else cmd[3]} failed, see {case / log}")

    (case / "log.checkMesh").write_text("")
    call(["checkMesh"], "log.checkMesh")
    if "Mesh OK" not in (case / "log.checkMesh").read_text():
        sys.exit(f"{case}: checkMesh found problems, see {case / 'log.checkMesh'}")
    if procs > 1:
        dpd = case / "system" / "decomposeParDict"
        text = re.sub(r"numberOfSubdomains\s+\d+;", f"numberOfSubdomains {procs};", dpd.read_text())
        dpd.write_text(re.sub(r"\bn\s+\(\d+ 1 1\);", f"n ({procs} 1 1);", text))
        call(["decomposePar", "-force"], "log.decomposePar")
    devices, n_cells, rho_cp = spec["devices"], spec["cells"], spec["rho_cp_jm3k"]
    cells = [np.asarray(d["cells"], np.int64) for d in devices]
    upper = [np.asarray(d["z_m"]) > 2 * d["height_m"] / 3 for d in devices]
    ctl = case / "system" / "controlDict"
    t0, done, history = time.time(), 0, []
    print(f"{case}: {n_cells} cells, {len(devices)} tied devices, {iters} iterations "
          f"in cycles of {cycle} on {procs} process(es)", flush=True)
    iters = -(-iters // cycle) * cycle           # whole cycles: each one ends on a written time
    ctl.write_text(re.sub(r"writeInterval\s+\d+;", f"writeInterval {cycle};", ctl.read_text()))
    while done < iters:
        done += cycle
        ctl.write_text(re.sub(r"endTime\s+[0-9.eE+-]+;", f"endTime {done};", ctl.read_text()))
        call(solver_command(procs, nice), "log.solver")
        temp, name = read_temperature(case, n_cells)
        t_c = temp - KELVIN
        mean = np.array([t_c[c].mean() for c in cells])
        top = np.array([t_c[c][u].mean() if u.any() else t_c[c].mean() for c, u in zip(cells, upper)])
        hot = np.array([t_c[c].max() for c in cells])
        history.append(dict(iteration=done, wall_s=round(time.time() - t0, 1),
                            mean=mean.round(3).tolist(), top=top.round(3).tolist(),
                            max=hot.round(3).tolist()))
        feed = np.mean([h["mean"] for h in history[-3:]], axis=0)
        values = {d["outlet"]: device_law(f, d, rho_cp) + KELVIN for d, f in zip(devices, feed)}
        targets = [case / name / "T"] if not processors(case) else \
            [p / name / "T" for p in processors(case)]
        for tf in targets:
            set_patch_values(tf, values)
        racks = [i for i, d in enumerate(devices) if d["kind"] == "rack"]
        print(f"  {done:6d} it  {time.time() - t0:7.1f} s  rack intakes mean "
              f"{mean[racks].mean():.2f} C, hottest {hot[racks].max():.2f} C", flush=True)
    if procs > 1:
        call(["reconstructPar", "-latestTime"], "log.reconstructPar")
    late = [h for h in history if h["iteration"] > iters / 2] or history[-1:]
    stack = {k: np.array([h[k] for h in late]) for k in ("mean", "top", "max")}
    racks_out = []
    for i, d in enumerate(devices):
        if d["kind"] != "rack":
            continue
        racks_out.append(dict(
            id=d["id"], inlet_mean_c=round(float(stack["mean"][:, i].mean()), 3),
            inlet_top_third_c=round(float(stack["top"][:, i].mean()), 3),
            inlet_max_c=round(float(stack["max"][:, i].mean()), 3),
            mean_std_k=round(float(stack["mean"][:, i].std()), 3),
            max_std_k=round(float(stack["max"][:, i].std()), 3)))
    result = dict(format=RESULT_FORMAT, version=1, layout=spec.get("layout", ""),
                  cells=n_cells, cell_m=spec.get("cell_m"), procs=procs, iterations=iters,
                  cycle=cycle, cycles_averaged=len(late), wall_s=round(time.time() - t0, 1),
                  racks=racks_out,
                  history=[dict(iteration=h["iteration"], wall_s=h["wall_s"],
                                mean_c=round(float(np.mean(h["mean"])), 3)) for h in history])
    (case / "result.json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"{case}: result.json written ({result['wall_s']} s)")
    return result


def main(argv=None) -> int:
    here = Path(__file__).resolve().parent
    spec = json.loads((here / "twin_case.json").read_text())
    ap = argparse.ArgumentParser(description="Run this case with rack exhausts tied to intakes.")
    ap.add_argument("--iters", type=int, default=spec["iterations"])
    ap.add_argument("--cycle", type=int, default=spec["cycle"])
    ap.add_argument("--procs", type=int, default=spec["procs"])
    ap.add_argument("--nice", type=int, default=0, help="run the solver under nice -n N")
    a = ap.parse_args(argv)
    if a.iters < 1 or a.cycle < 1 or a.procs < 1:
        ap.error("--iters, --cycle and --procs must be positive")
    run(here, a.iters, a.cycle, a.procs, a.nice)
    return 0


if __name__ == "__main__":
    sys.exit(main())
