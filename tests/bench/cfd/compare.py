"""Compare the twin's air model with the OpenFOAM reference cases (not run in CI).

    python tests/bench/cfd/compare.py out/cfd/bal_015 out/cfd/starved_015 ...
        [--sweep]   also sweep the recirculation constants and rank them
        [--set turbulent_diffusivity_m2s=0.03 row_end_entrainment=0.7 ...]   evaluate other settings

Each case directory holds ``result.json`` written by ``make_case.py``; the
twin scene is rebuilt from the same geometry (same room, racks, tiles, CRAHs,
containment) with default SolverSettings unless ``--set`` is given.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import numpy as np  # noqa: E402

import make_case as mc  # noqa: E402
from twin.physics.air import AirSolver  # noqa: E402
from twin.physics.air.scene import (AirScene, Containment, CoolingUnits, Hall,  # noqa: E402
                                    Racks, SolverSettings, Tiles)

ENDS = np.array([0, 4, 5, 9])
MID = np.array([1, 2, 3, 6, 7, 8])


def twin_scene(ratio: float, contained: bool, settings: SolverSettings) -> AirScene:
    rk = mc.racks()
    centers = np.array([[(a + b) / 2, (c + d) / 2] for a, b, c, d, _ in rk])
    rots = np.array([180.0 if f > 0 else 0.0 for *_, f in rk])
    n = len(rk)
    heat = np.full(n, mc.RACK_KW * 1e3)
    racks = Racks(centers, np.tile([mc.RACK_W, mc.RACK_D, mc.RACK_H], (n, 1)), rots,
                  np.full(n, mc.RACK_Q), heat)
    q = mc.RACK_Q * n * ratio
    yc = (mc.Y_AISLE0 + mc.Y_AISLE1) / 2
    units = CoolingUnits(("crah", "crah"), [[mc.CRAH_D / 2, yc], [mc.W - mc.CRAH_D / 2, yc]],
                         np.tile([mc.Y_AISLE1 - mc.Y_AISLE0, mc.CRAH_D, mc.CRAH_H], (2, 1)),
                         [90.0, 270.0], [q / 2] * 2, [heat.sum()] * 2, [mc.T_SUP - 273.15] * 2)
    tx = mc.ROW_X0 + 0.6 * (np.arange(mc.PER_ROW) + 0.5)
    tiles = Tiles(np.array([[x, y] for y in (mc.Y_AISLE0 + 0.3, mc.Y_AISLE0 + 0.9) for x in tx]), 0.6)
    if contained:
        cont = Containment([[mc.ROW_X0, mc.Y_AISLE0, mc.ROW_X0 + mc.PER_ROW * mc.RACK_W, mc.Y_AISLE1]],
                           ("cold_aisle",), [mc.RACK_H], [True], [True])
    else:
        cont = Containment(np.zeros((0, 4)), (), [], [], [])
    return AirScene(Hall(mc.W, mc.L, mc.H, raised_floor=True), racks, units, tiles, cont, settings)


def twin_inlets(res, rack_h=mc.RACK_H):
    """Per-rack mean and upper-third inlet temperature (flux-weighted layers)."""
    prof = res.rack_inlet_profile_c
    z = res.grid.z_m
    top = []
    for row in prof:
        ok = ~np.isnan(row)
        h = z[ok].max() + res.grid.dz / 2          # rack height as the grid sees it
        sel = ok & (z > 2 * h / 3)
        top.append(np.nanmean(row[sel]))
    return np.asarray(res.rack_inlet_mean_c), np.array(top)


def load(case):
    r = json.loads((Path(case) / "result.json").read_text())
    r["mean"] = np.array([x["mean"] for x in r["racks"]])
    r["top"] = np.array([x["top_third"] for x in r["racks"]])
    r["name"] = Path(case).name
    return r


def errors(cfd, mean, top):
    e, et = mean - cfd["mean"], top - cfd["top"]
    return dict(mae=np.abs(e).mean(), bias=e.mean(), mae_end=np.abs(e[ENDS]).mean(),
                mae_mid=np.abs(e[MID]).mean(), mae_top=np.abs(et).mean(), bias_top=et.mean(),
                rise_mae=np.abs((mean - cfd["supply_c"])).mean(),
                end_minus_mid_twin=mean[ENDS].mean() - mean[MID].mean(),
                end_minus_mid_cfd=cfd["mean"][ENDS].mean() - cfd["mean"][MID].mean())


def evaluate(cases, settings, verbose=False):
    out = []
    for c in cases:
        res = AirSolver().solve(twin_scene(c["ratio"], c["contained"], settings))
        mean, top = twin_inlets(res)
        e = errors(c, mean, top)
        out.append(e)
        if verbose:
            print(f"\n== {c['name']}: ratio {c['ratio']}, contained {c['contained']}, "
                  f"CFD {c['cells']} cells dx {c['dx']} dz {c['dz']}")
            print(" rack |  CFD mean  twin mean  err | CFD top⅓  twin top⅓  err")
            for r in range(len(mean)):
                print(f"  {r:2d}  |  {c['mean'][r]:7.2f}  {mean[r]:8.2f}  {mean[r]-c['mean'][r]:+5.2f} |"
                      f" {c['top'][r]:7.2f}  {top[r]:8.2f}  {top[r]-c['top'][r]:+5.2f}")
            print("  " + ", ".join(f"{k} {v:+.2f}" for k, v in e.items()))
    return out


def score(errs):
    """Objective: mean over cases of rack-mean MAE + 0.5 × top-third MAE."""
    return float(np.mean([e["mae"] + 0.5 * e["mae_top"] for e in errs]))


def parse_set(items):
    kw = {}
    for it in items or []:
        k, v = it.split("=")
        kw[k] = float(v)
    return kw


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--set", nargs="*")
    ap.add_argument("--sweep", action="store_true")
    a = ap.parse_args()
    cases = [load(c) for c in a.cases]
    base = replace(SolverSettings(), **parse_set(a.set))
    errs = evaluate(cases, base, verbose=True)
    print(f"\nscore (mean of MAE + 0.5 MAE_top) = {score(errs):.3f} K with {base}")
    if a.sweep:
        grid = dict(row_end_entrainment=[0.0, 0.5, 0.6, 0.7, 0.8],
                    turbulent_diffusivity_m2s=[0.01, 0.02, 0.03, 0.06],
                    mixing_length_m=[0.0, 0.05, 0.1, 0.2],
                    buoyancy_time_s=[0.3, 0.6, 1.2])
        if any(c["contained"] for c in cases):
            grid["containment_leakage"] = [0.01, 0.03, 0.06]
        rows = []
        for vals in itertools.product(*grid.values()):
            kw = dict(zip(grid, vals))
            e = evaluate(cases, replace(base, **kw))
            rows.append((score(e), kw, [round(x["mae"], 2) for x in e], [round(x["mae_top"], 2) for x in e]))
        rows.sort(key=lambda r: r[0])
        print("\nbest settings (score, settings, per-case MAE, per-case top MAE):")
        for r in rows[:15]:
            print(f" {r[0]:.3f}  {r[1]}  {r[2]}  {r[3]}")
        Path("out/cfd").mkdir(parents=True, exist_ok=True)
        Path("out/cfd/sweep.json").write_text(json.dumps(
            [dict(score=s, settings=k, mae=m, mae_top=t) for s, k, m, t in rows], indent=1))
