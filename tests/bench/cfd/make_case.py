"""OpenFOAM reference cases for the air model (not run in CI).

Writes a structured hex mesh (polyMesh written directly from Python: racks and
CRAHs are removed cells, every device face is its own patch) and a steady
RANS case for ``buoyantBoussinesqSimpleFoam`` (OpenFOAM v1912, k-epsilon,
Boussinesq buoyancy), then runs it with the rack exhausts iterated to
"mean intake + ΔT" (run, read the intakes, reset the exhaust temperatures,
continue).  Results (per-rack mean and upper-third inlet temperatures) go to
``<case>/result.json``.

Geometry (x east, y north, z up; same convention as ``twin.physics.air``):
room 7.2 × 6.0 × 3.0 m, two rows of 5 racks 0.6 × 1.2 × 2.0 m facing a 1.2 m
cold aisle (y 2.4–3.6), perforated tiles over the whole cold-aisle floor
(x 2.1–5.1) as a uniform inlet, two CRAHs 0.9 × 1.2 × 2.0 m against the west
and east walls in line with the aisle, returning through their tops.
Racks 0.9 m³/s and 12 kW of air heat each.

Usage:  python make_case.py CASE_DIR --ratio 1.0 [--dx 0.15 --dz 0.2]
        [--contained] [--iters 2500]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import time
from pathlib import Path

import numpy as np

W, L, H = 7.2, 6.0, 3.0
RACK_W, RACK_D, RACK_H = 0.6, 1.2, 2.0
ROW_X0, PER_ROW = 2.1, 5
Y_S, Y_AISLE0, Y_AISLE1, Y_N = 1.2, 2.4, 3.6, 4.8
CRAH_D, CRAH_H = 0.9, 2.0
RACK_Q, RACK_KW = 0.9, 12.0
RHO_CP = 1.2 * 1006.0          # overwritten from twin.physics.fluids.AIR when importable
T_SUP = 291.15
try:
    from twin.physics.fluids import AIR
    RHO_CP = AIR.volumetric_cp_jm3k
except Exception:  # pragma: no cover
    pass
DT_RACK = RACK_KW * 1e3 / (RHO_CP * RACK_Q)


def racks():
    """Rack list: (x0, x1, y0, y1, front_sign) -- south row first (front +y), then north."""
    out = []
    for row, (y0, y1, f) in enumerate(((Y_S, Y_AISLE0, +1), (Y_AISLE1, Y_N, -1))):
        for i in range(PER_ROW):
            x0 = ROW_X0 + i * RACK_W
            out.append((x0, x0 + RACK_W, y0, y1, f))
    return out


CRAHS = [(0.0, CRAH_D), (W - CRAH_D, W)]


# ----------------------------------------------------------------------------- mesh
def build_mesh(dx: float, dz: float, contained: bool):
    nx, ny, nz = int(round(W / dx)), int(round(L / dx)), int(round(H / dz))
    xc = (np.arange(nx) + 0.5) * dx
    yc = (np.arange(ny) + 0.5) * dx
    zc = (np.arange(nz) + 0.5) * dz
    Z, Y, X = np.meshgrid(zc, yc, xc, indexing="ij")
    solid = np.zeros((nz, ny, nx), bool)
    for (x0, x1, y0, y1, _) in racks():
        solid |= (X > x0) & (X < x1) & (Y > y0) & (Y < y1) & (Z < RACK_H)
    for (x0, x1) in CRAHS:
        solid |= (X > x0) & (X < x1) & (Y > Y_AISLE0) & (Y < Y_AISLE1) & (Z < CRAH_H)
    cid = -np.ones(solid.shape, int)
    cid[~solid] = np.arange((~solid).sum())

    def pid(i, j, k):
        return (k * (ny + 1) + j) * (nx + 1) + i

    def add(direction):
        # faces normal to axis `direction` (0 x, 1 y, 2 z) at every grid plane
        shape = list(solid.shape)          # (nz, ny, nx)
        ax = 2 - direction                 # array axis
        shape[ax] += 1
        K, J, I = np.meshgrid(*[np.arange(s) for s in shape], indexing="ij")
        n_ax = solid.shape[ax]
        pad = [(0, 0)] * 3
        pad[ax] = (1, 1)
        cidp = np.pad(cid, pad, constant_values=-1)
        c_lo = np.take(cidp, np.arange(0, n_ax + 1), axis=ax)
        c_hi = np.take(cidp, np.arange(1, n_ax + 2), axis=ax)
        # points in +axis orientation
        if direction == 0:
            p = [pid(I, J, K), pid(I, J + 1, K), pid(I, J + 1, K + 1), pid(I, J, K + 1)]
            c = np.stack([I * dx, (J + .5) * dx, (K + .5) * dz], -1)
        elif direction == 1:
            p = [pid(I, J, K), pid(I, J, K + 1), pid(I + 1, J, K + 1), pid(I + 1, J, K)]
            c = np.stack([(I + .5) * dx, J * dx, (K + .5) * dz], -1)
        else:
            p = [pid(I, J, K), pid(I + 1, J, K), pid(I + 1, J + 1, K), pid(I, J + 1, K)]
            c = np.stack([(I + .5) * dx, (J + .5) * dx, K * dz], -1)
        P = np.stack(p, -1)
        return c_lo.ravel(), c_hi.ravel(), P.reshape(-1, 4), c.reshape(-1, 3)

    blocks = [add(d) + (d,) for d in range(3)]
    # baffles (cold-aisle containment: roof at rack height, end doors)
    def baffle(d, c):
        if not contained:
            return np.zeros(len(c), bool)
        x, y, z = c[:, 0], c[:, 1], c[:, 2]
        eps = 1e-6
        in_y = (y > Y_AISLE0) & (y < Y_AISLE1)
        if d == 2:
            return (abs(z - RACK_H) < eps) & in_y & (x > ROW_X0) & (x < ROW_X0 + PER_ROW * RACK_W)
        if d == 0:
            # end doors, with a gap of one cell layer under the roof (door-top leakage;
            # a sealed aisle would leave its pressure level undetermined)
            return ((abs(x - ROW_X0) < eps) | (abs(x - ROW_X0 - PER_ROW * RACK_W) < eps)) & in_y & (z < RACK_H - dz)
        return np.zeros(len(c), bool)

    int_o, int_n, int_p = [], [], []
    b_c, b_p, b_ax, b_cell = [], [], [], []
    for c_lo, c_hi, P, C, d in blocks:
        both = (c_lo >= 0) & (c_hi >= 0)
        baf = both & baffle(d, C)
        inner = both & ~baf
        int_o.append(c_lo[inner]); int_n.append(c_hi[inner]); int_p.append(P[inner])
        # boundary: fluid on low side -> outward +axis (points as is)
        m_lo = ((c_lo >= 0) & (c_hi < 0)) | baf
        b_c.append(C[m_lo]); b_p.append(P[m_lo]); b_ax.append(np.full(m_lo.sum(), d + 1)); b_cell.append(c_lo[m_lo])
        m_hi = ((c_hi >= 0) & (c_lo < 0)) | baf
        b_c.append(C[m_hi]); b_p.append(P[m_hi][:, ::-1]); b_ax.append(np.full(m_hi.sum(), -(d + 1))); b_cell.append(c_hi[m_hi])
    io, ineigh, ip = map(np.concatenate, (int_o, int_n, int_p))
    order = np.lexsort((ineigh, io))
    io, ineigh, ip = io[order], ineigh[order], ip[order]
    bc, bp, bax, bcell = map(np.concatenate, (b_c, b_p, b_ax, b_cell))

    # patch classification
    x, y, z = bc[:, 0], bc[:, 1], bc[:, 2]
    eps = 1e-6
    patch = np.array(["walls"] * len(bc), dtype=object)
    tiles = (bax == -3) & (z < eps) & (y > Y_AISLE0) & (y < Y_AISLE1) & (x > ROW_X0) & (x < ROW_X0 + PER_ROW * RACK_W)
    patch[tiles] = "tiles"
    for r, (x0, x1, y0, y1, f) in enumerate(racks()):
        on_x = (x > x0) & (x < x1) & (z < RACK_H)
        yf, yb = (y1, y0) if f > 0 else (y0, y1)
        front = on_x & (abs(y - yf) < eps) & (bax == (-2 if f > 0 else 2))
        back = on_x & (abs(y - yb) < eps) & (bax == (2 if f > 0 else -2))
        patch[front] = f"r{r}_in"
        patch[back] = f"r{r}_out"
    for (x0, x1) in CRAHS:
        top = (bax == -3) & (abs(z - CRAH_H) < eps) & (x > x0) & (x < x1) & (y > Y_AISLE0) & (y < Y_AISLE1)
        patch[top] = "crah_ret"
    names = ["tiles", "crah_ret"] + [f"r{r}_{s}" for r in range(len(racks())) for s in ("in", "out")] + ["walls"]
    rank = {n: i for i, n in enumerate(names)}
    order = np.argsort([rank[p] for p in patch], kind="stable")
    bp, bcell, patch, bc = bp[order], bcell[order], patch[order], bc[order]

    allp = np.concatenate([ip, bp])
    used, inv = np.unique(allp, return_inverse=True)
    fpts = inv.reshape(-1, 4)
    pk = used // ((ny + 1) * (nx + 1)); rem = used % ((ny + 1) * (nx + 1))
    pj = rem // (nx + 1); pi = rem % (nx + 1)
    pts = np.stack([pi * dx, pj * dx, pk * dz], 1)
    owner = np.concatenate([io, bcell])
    counts = [(n, int((patch == n).sum())) for n in names]
    info = dict(nx=nx, ny=ny, nz=nz, dx=dx, dz=dz, n_cells=int((~solid).sum()),
                cid=cid, solid=solid, n_internal=len(io))
    return pts, fpts, owner, ineigh, counts, info


HDR = """FoamFile
{{
    version     2.0;
    format      ascii;
    class       {cls};
    location    "{loc}";
    object      {obj};
}}
"""


def write_mesh(case: Path, mesh):
    pts, fpts, owner, neigh, counts, info = mesh
    d = case / "constant" / "polyMesh"
    d.mkdir(parents=True, exist_ok=True)
    with open(d / "points", "w") as f:
        f.write(HDR.format(cls="vectorField", loc="constant/polyMesh", obj="points"))
        f.write(f"{len(pts)}\n(\n")
        f.write("\n".join(f"({a:.6g} {b:.6g} {c:.6g})" for a, b, c in pts))
        f.write("\n)\n")
    with open(d / "faces", "w") as f:
        f.write(HDR.format(cls="faceList", loc="constant/polyMesh", obj="faces"))
        f.write(f"{len(fpts)}\n(\n")
        f.write("\n".join(f"4({a} {b} {c} {e})" for a, b, c, e in fpts))
        f.write("\n)\n")
    for name, arr in (("owner", owner), ("neighbour", neigh)):
        with open(d / name, "w") as f:
            f.write(HDR.format(cls="labelList", loc="constant/polyMesh", obj=name))
            f.write(f"{len(arr)}\n(\n" + "\n".join(map(str, arr)) + "\n)\n")
    start = info["n_internal"]
    with open(d / "boundary", "w") as f:
        f.write(HDR.format(cls="polyBoundaryMesh", loc="constant/polyMesh", obj="boundary"))
        f.write(f"{len(counts)}\n(\n")
        for n, c in counts:
            typ = "wall" if n == "walls" else "patch"
            f.write(f"    {n}\n    {{\n        type {typ};\n        nFaces {c};\n        startFace {start};\n    }}\n")
            start += c
        f.write(")\n")


# ----------------------------------------------------------------------------- case
def write_case(case: Path, ratio: float, n_iter: int):
    rk = racks()
    a_face = RACK_W * RACK_H
    v_rack = RACK_Q / a_face
    q_tot = RACK_Q * len(rk) * ratio
    v_tile = q_tot / (PER_ROW * RACK_W * (Y_AISLE1 - Y_AISLE0))
    v_crah = q_tot / (len(CRAHS) * CRAH_D * (Y_AISLE1 - Y_AISLE0))

    def k_of(v):
        return 1.5 * (0.05 * v) ** 2

    def eps_of(v, lm=0.07):
        return 0.09 ** 0.75 * k_of(v) ** 1.5 / lm

    U, T, K, E, NUT, AT, PRGH, P = ({} for _ in range(8))
    U["tiles"] = f"type fixedValue; value uniform (0 0 {v_tile:.15g});"
    U["crah_ret"] = f"type fixedValue; value uniform (0 0 {-v_crah:.15g});"
    for r, (*_, f) in enumerate(rk):
        vy = -f * v_rack
        U[f"r{r}_in"] = U[f"r{r}_out"] = f"type fixedValue; value uniform (0 {vy:.15g} 0);"
    U["walls"] = "type noSlip;"
    inlets = ["tiles"] + [f"r{r}_out" for r in range(len(rk))]
    outlets = ["crah_ret"] + [f"r{r}_in" for r in range(len(rk))]
    for n in inlets:
        v = v_tile if n == "tiles" else v_rack
        K[n] = f"type fixedValue; value uniform {k_of(v):.6g};"
        E[n] = f"type fixedValue; value uniform {eps_of(v):.6g};"
        T[n] = f"type fixedValue; value uniform {T_SUP if n == 'tiles' else T_SUP + DT_RACK:.6g};"
    for n in outlets:
        K[n] = E[n] = T[n] = "type zeroGradient;"
    K["walls"] = "type kqRWallFunction; value uniform 1e-3;"
    E["walls"] = "type epsilonWallFunction; value uniform 1e-4;"
    T["walls"] = "type zeroGradient;"
    for n in inlets + outlets:
        NUT[n] = "type calculated; value uniform 0;"
        AT[n] = "type calculated; value uniform 0;"
    NUT["walls"] = "type nutkWallFunction; value uniform 0;"
    AT["walls"] = "type alphatJayatillekeWallFunction; Prt 0.85; value uniform 0;"
    for n in inlets + outlets + ["walls"]:
        PRGH[n] = "type fixedFluxPressure; rho rhok; value uniform 0;"
        P[n] = "type calculated; value uniform 0;"

    def field(name, cls, dim, internal, bcs):
        body = HDR.format(cls=cls, loc="0", obj=name) + f"dimensions {dim};\ninternalField {internal};\nboundaryField\n{{\n"
        for n, s in bcs.items():
            body += f"    {n}\n    {{\n        {s}\n    }}\n"
        (case / "0").mkdir(parents=True, exist_ok=True)
        (case / "0" / name).write_text(body + "}\n")

    field("U", "volVectorField", "[0 1 -1 0 0 0 0]", "uniform (0 0 0)", U)
    field("T", "volScalarField", "[0 0 0 1 0 0 0]", f"uniform {T_SUP + 4:.6g}", T)
    field("k", "volScalarField", "[0 2 -2 0 0 0 0]", "uniform 1e-3", K)
    field("epsilon", "volScalarField", "[0 2 -3 0 0 0 0]", "uniform 1e-4", E)
    field("nut", "volScalarField", "[0 2 -1 0 0 0 0]", "uniform 0", NUT)
    field("alphat", "volScalarField", "[0 2 -1 0 0 0 0]", "uniform 0", AT)
    field("p_rgh", "volScalarField", "[0 2 -2 0 0 0 0]", "uniform 0", PRGH)
    field("p", "volScalarField", "[0 2 -2 0 0 0 0]", "uniform 0", P)

    c = case / "constant"
    (c / "g").write_text(HDR.format(cls="uniformDimensionedVectorField", loc="constant", obj="g")
                         + "dimensions [0 1 -2 0 0 0 0];\nvalue (0 0 -9.81);\n")
    (c / "transportProperties").write_text(
        HDR.format(cls="dictionary", loc="constant", obj="transportProperties")
        + "transportModel Newtonian;\nnu 1.5e-05;\nbeta 3.4e-03;\nTRef 295;\nPr 0.7;\nPrt 0.85;\n")
    (c / "turbulenceProperties").write_text(
        HDR.format(cls="dictionary", loc="constant", obj="turbulenceProperties")
        + "simulationType RAS;\nRAS\n{\n    RASModel kEpsilon;\n    turbulence on;\n    printCoeffs on;\n}\n")
    s = case / "system"
    s.mkdir(exist_ok=True)
    (s / "controlDict").write_text(
        HDR.format(cls="dictionary", loc="system", obj="controlDict")
        + f"""application buoyantBoussinesqSimpleFoam;
startFrom latestTime;
startTime 0;
stopAt endTime;
endTime {n_iter};
deltaT 1;
writeControl timeStep;
writeInterval {n_iter};
purgeWrite 2;
writeFormat ascii;
writePrecision 8;
writeCompression off;
timeFormat general;
timePrecision 6;
runTimeModifiable true;
""")
    (s / "fvSchemes").write_text(
        HDR.format(cls="dictionary", loc="system", obj="fvSchemes")
        + """ddtSchemes { default steadyState; }
gradSchemes { default Gauss linear; }
divSchemes
{
    default none;
    div(phi,U) bounded Gauss linearUpwind grad(U);
    div(phi,T) bounded Gauss limitedLinear 1;
    div(phi,k) bounded Gauss upwind;
    div(phi,epsilon) bounded Gauss upwind;
    div((nuEff*dev2(T(grad(U))))) Gauss linear;
}
laplacianSchemes { default Gauss linear corrected; }
interpolationSchemes { default linear; }
snGradSchemes { default corrected; }
""")
    (s / "fvSolution").write_text(
        HDR.format(cls="dictionary", loc="system", obj="fvSolution")
        + """solvers
{
    p_rgh { solver GAMG; smoother GaussSeidel; tolerance 1e-7; relTol 0.05; }
    "(U|T|k|epsilon)" { solver PBiCGStab; preconditioner DILU; tolerance 1e-7; relTol 0.1; }
}
SIMPLE
{
    nNonOrthogonalCorrectors 0;
    pRefCell 0;
    pRefValue 0;
}
relaxationFactors
{
    fields { p_rgh 0.7; }
    equations { U 0.3; T 0.5; "(k|epsilon)" 0.5; }
}
""")


# ----------------------------------------------------------------------------- run
def latest_time(case: Path) -> Path:
    ts = [p for p in case.iterdir() if re.fullmatch(r"[0-9.eE+-]+", p.name)]
    return max(ts, key=lambda p: float(p.name))


def read_internal(path: Path) -> np.ndarray:
    txt = path.read_text()
    m = re.search(r"internalField\s+nonuniform\s+List<scalar>\s*(\d+)\s*\(", txt)
    if not m:
        v = float(re.search(r"internalField\s+uniform\s+([^;]+);", txt).group(1))
        return None if v is None else np.array([v])
    n = int(m.group(1))
    return np.array(txt[m.end():].split(maxsplit=n)[:n], float)


def face_cells(info):
    """Per rack: fluid cell ids in front of the front face, per layer (nz_rack, n_w)."""
    dx, dz, cid = info["dx"], info["dz"], info["cid"]
    nk = int(round(RACK_H / dz))
    out = []
    for (x0, x1, y0, y1, f) in racks():
        i0, i1 = int(round(x0 / dx)), int(round(x1 / dx))
        j = int(round(y1 / dx)) if f > 0 else int(round(y0 / dx)) - 1
        out.append(cid[:nk, j, i0:i1])
    return out


def rack_inlets(T, info):
    res = []
    for cells in face_cells(info):
        prof = T[cells].mean(axis=1) - 273.15          # per layer (uniform face velocity)
        zc = (np.arange(len(prof)) + 0.5) * info["dz"]
        res.append(dict(mean=float(prof.mean()), top_third=float(prof[zc > 2 * RACK_H / 3].mean()),
                        top_layer=float(prof[-1]), profile=prof.round(3).tolist()))
    return res


def set_exhausts(tfile: Path, values_k):
    txt = tfile.read_text()
    for r, v in enumerate(values_k):
        pat = re.compile(r"(r%d_out\s*\{\s*type\s+fixedValue;\s*value\s+uniform\s+)[-0-9.eE+]+" % r)
        txt, n = pat.subn(lambda m, v=v: m.group(1) + f"{v:.6f}", txt)
        assert n == 1, r
    tfile.write_text(txt)


def run(case: Path, ratio: float, dx: float, dz: float, contained: bool, iters: int, cycle: int):
    case.mkdir(parents=True, exist_ok=True)
    mesh = build_mesh(dx, dz, contained)
    info = mesh[5]
    write_mesh(case, mesh)
    write_case(case, ratio, cycle)
    env = dict(os.environ, OMP_NUM_THREADS="1", WM_PROJECT_DIR=os.environ.get("WM_PROJECT_DIR", "/usr/share/openfoam"))
    chk = subprocess.run(["checkMesh"], cwd=case, capture_output=True, text=True, env=env)
    (case / "log.checkMesh").write_text(chk.stdout + chk.stderr)
    print("cells", info["n_cells"], "checkMesh:", "OK" if "Mesh OK" in chk.stdout else "FAILED")
    t0 = time.time()
    done, history = 0, []
    while done < iters:
        done += cycle
        ctl = case / "system" / "controlDict"
        ctl.write_text(re.sub(r"endTime \d+;", f"endTime {done};", ctl.read_text()))
        with open(case / "log.solver", "a") as log:
            p = subprocess.run(["nice", "-n", "10", "buoyantBoussinesqSimpleFoam"], cwd=case,
                               stdout=log, stderr=subprocess.STDOUT, env=env)
        if p.returncode:
            raise SystemExit(f"solver failed, see {case/'log.solver'}")
        tdir = latest_time(case)
        T = read_internal(tdir / "T")
        inl = rack_inlets(T, info)
        means = np.array([r["mean"] for r in inl])
        tops = np.array([r["top_third"] for r in inl])
        history.append(dict(iter=done, t_s=round(time.time() - t0, 1),
                            means=means.round(3).tolist(), tops=tops.round(3).tolist()))
        # the steady RANS solution of a buoyant room with jets keeps oscillating
        # (pseudo-steady): feed the exhausts from the mean of the last 3 cycles
        recent = np.mean([h["means"] for h in history[-3:]], axis=0)
        set_exhausts(tdir / "T", recent + 273.15 + DT_RACK)
        print(done, round(time.time() - t0, 1), "mean", round(float(means.mean()), 2),
              "racks", means.round(2).tolist(), flush=True)
    # result: average over the second half of the run; spread = std over those cycles
    late = [h for h in history if h["iter"] > iters / 2]
    M = np.array([h["means"] for h in late]); TT = np.array([h["tops"] for h in late])
    for r, d in enumerate(inl):
        d.update(mean=float(M[:, r].mean()), top_third=float(TT[:, r].mean()),
                 mean_std=float(M[:, r].std()), top_std=float(TT[:, r].std()))
    result = dict(ratio=ratio, dx=dx, dz=dz, contained=contained, cells=info["n_cells"],
                  wall_s=round(time.time() - t0, 1), history=history, racks=inl,
                  dt_rack_k=DT_RACK, supply_c=T_SUP - 273.15, averaged_cycles=len(late))
    (case / "result.json").write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--ratio", type=float, default=1.0)
    ap.add_argument("--dx", type=float, default=0.15)
    ap.add_argument("--dz", type=float, default=0.2)
    ap.add_argument("--contained", action="store_true")
    ap.add_argument("--iters", type=int, default=3000)
    ap.add_argument("--cycle", type=int, default=250)
    a = ap.parse_args()
    run(Path(a.case), a.ratio, a.dx, a.dz, a.contained, a.iters, a.cycle)
