"""The ``FoamFile`` header and small writers of OpenFOAM dictionary entries."""

from __future__ import annotations

import numpy as np

__all__ = ["header", "scalar_list", "vector_list"]


def header(cls: str, location: str, obj: str, note: str = "") -> str:
    """The ``FoamFile`` block every OpenFOAM file starts with."""
    extra = f'    note        "{note}";\n' if note else ""
    return ("FoamFile\n{\n    version     2.0;\n    format      ascii;\n"
            f"    class       {cls};\n{extra}    location    \"{location}\";\n"
            f"    object      {obj};\n}}\n\n")


def scalar_list(values: np.ndarray, fmt: str = "%.6g") -> str:
    """``uniform v`` when every value is the same, else a ``nonuniform List<scalar>``."""
    v = np.asarray(values, float)
    if len(v) and np.all(v == v[0]):
        return "uniform " + fmt % v[0]
    return f"nonuniform List<scalar> {len(v)}(" + " ".join(fmt % x for x in v.tolist()) + ")"


def vector_list(values: np.ndarray, fmt: str = "%.17g") -> str:
    """``uniform (x y z)`` when every row is the same, else a ``nonuniform List<vector>``."""
    v = np.asarray(values, float).reshape(-1, 3)
    row = "(" + " ".join([fmt] * 3) + ")"
    if len(v) and np.all(v == v[0]):
        return "uniform " + row % tuple(v[0])
    return f"nonuniform List<vector> {len(v)}(" + " ".join(row % tuple(r) for r in v.tolist()) + ")"
