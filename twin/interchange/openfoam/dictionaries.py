"""The case's dictionaries: initial and boundary fields (``0/``), physical properties
(``constant/``) and numerics (``system/``) of a steady k-ε Boussinesq room.

Boundary conditions by patch kind (``CaseRoom.kinds``): ``inlet`` fixed velocity,
temperature and turbulence (k = 1.5 (0.05 U)², ε from a 0.07 m length scale);
``outlet`` fixed velocity, zero-gradient scalars; ``opening`` (the ceiling return)
fixed ``p_rgh`` with inflow/outflow switching; ``walls`` no-slip with wall functions,
adiabatic.  Pressure is ``fixedFluxPressure`` on every fixed-velocity patch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .foamfile import header, scalar_list, vector_list
from .mesh import PolyMesh
from .room import KELVIN, CaseRoom

__all__ = ["write_fields", "write_constant", "write_system"]

TURBULENT_INTENSITY = 0.05
INLET_LENGTH_M = 0.07
C_MU = 0.09


def _k(speed: float) -> float:
    return max(1.5 * (TURBULENT_INTENSITY * speed) ** 2, 1e-6)


def _eps(speed: float) -> float:
    return C_MU ** 0.75 * _k(speed) ** 1.5 / INLET_LENGTH_M


def _outward(axis: np.ndarray) -> np.ndarray:
    """Unit outward normals of boundary faces from their signed axes ±1, ±2, ±3."""
    n = np.zeros((len(axis), 3))
    n[np.arange(len(axis)), np.abs(axis) - 1] = np.sign(axis)
    return n


def write_fields(case: Path, room: CaseRoom, mesh: PolyMesh, initial_c: float) -> None:
    start = 0
    bc: dict[str, dict[str, str]] = {f: {} for f in ("U", "T", "k", "epsilon", "nut", "alphat", "p_rgh", "p")}
    ret_k = room.return_c + KELVIN
    label_of = {n: i for i, n in enumerate(room.names)}
    for name, _typ, n in mesh.patches:
        lab = label_of[name]
        sl = slice(start, start + n)
        start += n
        kind = room.kinds[lab]
        speed = mesh.face_speed[sl]
        if kind == "wall":
            bc["U"][name] = "type noSlip;"
            bc["T"][name] = "type zeroGradient;"
            bc["k"][name] = "type kqRWallFunction; value uniform 1e-3;"
            bc["epsilon"][name] = "type epsilonWallFunction; value uniform 1e-4;"
            bc["nut"][name] = "type nutkWallFunction; value uniform 0;"
            bc["alphat"][name] = "type alphatJayatillekeWallFunction; Prt 0.85; value uniform 0;"
        elif kind == "opening":
            bc["U"][name] = "type pressureInletOutletVelocity; value uniform (0 0 0);"
            bc["T"][name] = f"type inletOutlet; inletValue uniform {ret_k:.6g}; value uniform {ret_k:.6g};"
            bc["k"][name] = "type inletOutlet; inletValue uniform 1e-3; value uniform 1e-3;"
            bc["epsilon"][name] = "type inletOutlet; inletValue uniform 1e-4; value uniform 1e-4;"
        else:
            u = -speed[:, None] * _outward(mesh.face_axis[sl])      # into the room for speed > 0
            bc["U"][name] = f"type fixedValue; value {vector_list(u)};"
            if kind == "inlet":
                v = float(np.abs(speed).mean()) if n else 0.0
                bc["T"][name] = f"type fixedValue; value {scalar_list(mesh.face_temp[sl])};"
                bc["k"][name] = f"type fixedValue; value uniform {_k(v):.6g};"
                bc["epsilon"][name] = f"type fixedValue; value uniform {_eps(v):.6g};"
            else:
                bc["T"][name] = bc["k"][name] = bc["epsilon"][name] = "type zeroGradient;"
        if kind != "wall":
            bc["nut"][name] = "type calculated; value uniform 0;"
            bc["alphat"][name] = "type calculated; value uniform 0;"
        bc["p_rgh"][name] = ("type fixedValue; value uniform 0;" if kind == "opening"
                             else "type fixedFluxPressure; value uniform 0;")
        bc["p"][name] = "type calculated; value uniform 0;"
    spec = dict(U=("volVectorField", "[0 1 -1 0 0 0 0]", "uniform (0 0 0)"),
                T=("volScalarField", "[0 0 0 1 0 0 0]", f"uniform {initial_c + KELVIN:.6g}"),
                k=("volScalarField", "[0 2 -2 0 0 0 0]", "uniform 1e-3"),
                epsilon=("volScalarField", "[0 2 -3 0 0 0 0]", "uniform 1e-4"),
                nut=("volScalarField", "[0 2 -1 0 0 0 0]", "uniform 0"),
                alphat=("volScalarField", "[0 2 -1 0 0 0 0]", "uniform 0"),
                p_rgh=("volScalarField", "[0 2 -2 0 0 0 0]", "uniform 0"),
                p=("volScalarField", "[0 2 -2 0 0 0 0]", "uniform 0"))
    d = case / "0"
    d.mkdir(parents=True, exist_ok=True)
    for name, (cls, dim, internal) in spec.items():
        body = header(cls, "0", name) + f"dimensions      {dim};\n\ninternalField   {internal};\n\nboundaryField\n{{\n"
        for patch, entry in bc[name].items():
            body += f"    {patch}\n    {{\n        {entry}\n    }}\n"
        (d / name).write_text(body + "}\n")


def write_constant(case: Path, reference_c: float) -> None:
    c = case / "constant"
    c.mkdir(parents=True, exist_ok=True)
    (c / "g").write_text(header("uniformDimensionedVectorField", "constant", "g")
                         + "dimensions      [0 1 -2 0 0 0 0];\nvalue           (0 0 -9.81);\n")
    (c / "transportProperties").write_text(
        header("dictionary", "constant", "transportProperties")
        + "transportModel  Newtonian;\n\nnu              1.5e-05;\n\n"
        + f"beta            {1.0 / (reference_c + KELVIN):.6g};\n\nTRef            {reference_c + KELVIN:.6g};\n\n"
        + "Pr              0.7;\n\nPrt             0.85;\n")
    (c / "turbulenceProperties").write_text(
        header("dictionary", "constant", "turbulenceProperties")
        + "simulationType  RAS;\n\nRAS\n{\n    RASModel        kEpsilon;\n    turbulence      on;\n"
        + "    printCoeffs     on;\n}\n")


def write_system(case: Path, cycle: int, procs: int, reference_cell: bool) -> None:
    s = case / "system"
    s.mkdir(parents=True, exist_ok=True)
    (s / "controlDict").write_text(header("dictionary", "system", "controlDict") + f"""application     buoyantBoussinesqSimpleFoam;
startFrom       latestTime;
startTime       0;
stopAt          endTime;
endTime         {cycle};
deltaT          1;
writeControl    timeStep;
writeInterval   {cycle};
purgeWrite      2;
writeFormat     ascii;
writePrecision  15;
writeCompression off;
timeFormat      general;
timePrecision   6;
runTimeModifiable false;
""")
    (s / "fvSchemes").write_text(header("dictionary", "system", "fvSchemes") + """ddtSchemes      { default steadyState; }
gradSchemes     { default Gauss linear; }
divSchemes
{
    default         none;
    div(phi,U)      bounded Gauss linearUpwind grad(U);
    div(phi,T)      bounded Gauss limitedLinear 1;
    div(phi,k)      bounded Gauss upwind;
    div(phi,epsilon) bounded Gauss upwind;
    div((nuEff*dev2(T(grad(U))))) Gauss linear;
}
laplacianSchemes { default Gauss linear corrected; }
interpolationSchemes { default linear; }
snGradSchemes   { default corrected; }
""")
    ref = "    pRefCell        0;\n    pRefValue       0;\n" if reference_cell else ""
    (s / "fvSolution").write_text(header("dictionary", "system", "fvSolution") + f"""solvers
{{
    p_rgh {{ solver GAMG; smoother GaussSeidel; tolerance 1e-7; relTol 0.05; }}
    "(U|T|k|epsilon)" {{ solver PBiCGStab; preconditioner DILU; tolerance 1e-7; relTol 0.1; }}
}}
SIMPLE
{{
    nNonOrthogonalCorrectors 0;
{ref}}}
relaxationFactors
{{
    fields {{ p_rgh 0.7; }}
    equations {{ U 0.3; T 0.5; "(k|epsilon)" 0.5; }}
}}
""")
    (s / "decomposeParDict").write_text(header("dictionary", "system", "decomposeParDict")
                                        + f"numberOfSubdomains {procs};\n\n"
                                        "// slabs along x (scotch is not in every build)\n"
                                        "method          simple;\n\nsimpleCoeffs\n{\n"
                                        f"    n               ({procs} 1 1);\n    delta           0.001;\n}}\n")
