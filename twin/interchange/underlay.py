"""The underlay transform: drawing metres (a drawing's coordinates times its unit factor)
to hall metres by scale, then rotation about the drawing origin (counter-clockwise), then
offset; its inverse; the two-point fit that places a drawing by two picked point pairs;
and the drawing's path as stored in the layout (relative to the layout file when it can).
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path

import numpy as np

from twin.model.equipment import Underlay

#: Limits of the layout file's underlay block (twin.io.spec.UNDERLAY).
MAX_SCALE = 1e6
MAX_OFFSET_M = 1e5
#: Two picked points closer than this (metres) coincide.
MIN_SPAN_M = 1e-6
#: A drawing further up than this many folders from the layout is stored by absolute path.
MAX_PARENT_STEPS = 2


class UnderlayFitError(ValueError):
    """The two-point fit has no answer (coinciding points) or puts the drawing beyond the
    layout file's limits; ``str()`` is one line for the user."""


def underlay_matrix(underlay: Underlay) -> np.ndarray:
    """3 x 3 homogeneous matrix from drawing metres to hall metres (column vectors)."""
    s = float(underlay.scale)
    a = math.radians(float(underlay.rotation_deg))
    c, n = s * math.cos(a), s * math.sin(a)
    return np.array([[c, -n, float(underlay.offset_x_m)],
                     [n, c, float(underlay.offset_y_m)],
                     [0.0, 0.0, 1.0]])


def apply_underlay(underlay: Underlay, xy_m: np.ndarray) -> np.ndarray:
    """Drawing points (..., 2) in drawing metres -> hall metres (same shape)."""
    xy = np.asarray(xy_m, dtype=float)
    m = underlay_matrix(underlay)
    return xy @ m[:2, :2].T + m[:2, 2]


def invert_underlay(underlay: Underlay, hall_xy_m: np.ndarray) -> np.ndarray:
    """Hall points (..., 2) -> drawing metres (the inverse of ``apply_underlay``)."""
    if not underlay.scale:
        raise UnderlayFitError("the underlay's scale is 0")
    xy = np.asarray(hall_xy_m, dtype=float)
    m = underlay_matrix(underlay)
    return (xy - m[:2, 2]) @ np.linalg.inv(m[:2, :2]).T


def two_point_fit(drawing_a: tuple[float, float], drawing_b: tuple[float, float],
                  hall_a: tuple[float, float], hall_b: tuple[float, float]
                  ) -> tuple[float, float, float, float]:
    """The similarity transform (no mirroring) that puts drawing point A (drawing metres)
    on hall point A and B on B: ``(scale, rotation_deg, offset_x_m, offset_y_m)``, the
    rotation in (-180, 180]. Raises ``UnderlayFitError`` when the points of a pair
    coincide or the result is beyond the layout file's limits."""
    da, db = complex(*map(float, drawing_a)), complex(*map(float, drawing_b))
    ha, hb = complex(*map(float, hall_a)), complex(*map(float, hall_b))
    if not all(math.isfinite(v) for z in (da, db, ha, hb) for v in (z.real, z.imag)):
        raise UnderlayFitError("a picked point is not a finite number")
    if abs(db - da) < MIN_SPAN_M:
        raise UnderlayFitError("the two drawing points coincide: pick two points apart")
    if abs(hb - ha) < MIN_SPAN_M:
        raise UnderlayFitError("the two hall points coincide: pick two points apart")
    k = (hb - ha) / (db - da)           # scale and rotation as one complex factor
    t = ha - k * da
    scale = abs(k)
    rotation = math.degrees(math.atan2(k.imag, k.real))
    if rotation <= -180.0:
        rotation += 360.0
    rotation = _tidy(rotation)
    if not 0 < scale <= MAX_SCALE:
        raise UnderlayFitError(f"the fit needs a scale of {scale:.3g}, outside 0 to "
                               f"{MAX_SCALE:g}: check the picked points")
    if max(abs(t.real), abs(t.imag)) > MAX_OFFSET_M:
        raise UnderlayFitError(
            f"the fit puts the drawing's origin {abs(t) / 1000:,.1f} km from the hall origin "
            f"(at most {MAX_OFFSET_M / 1000:g} km): the drawing is in site coordinates far "
            "from its origin; move it near the origin in the CAD program")
    return _tidy(scale), rotation, _tidy(t.real), _tidy(t.imag)


def fitted(underlay: Underlay, drawing_a: tuple[float, float], drawing_b: tuple[float, float],
           hall_a: tuple[float, float], hall_b: tuple[float, float]) -> Underlay:
    """``underlay`` with the transform of ``two_point_fit``."""
    scale, rotation, ox, oy = two_point_fit(drawing_a, drawing_b, hall_a, hall_b)
    return dataclasses.replace(underlay, scale=scale, rotation_deg=rotation,
                               offset_x_m=ox, offset_y_m=oy)


def _tidy(v: float) -> float:
    """Round away floating-point dust (1e-16 -> 0, 89.99999999999999 -> 90)."""
    r = round(v, 9)
    return float(r) if abs(r - v) < 1e-12 * max(1.0, abs(v)) else float(v)


# ----- the drawing's path in the layout -------------------------------------------------------
def stored_path(drawing: str | os.PathLike, layout_file: str | os.PathLike | None) -> str:
    """The drawing's path as the layout keeps it: relative to the layout's folder when the
    layout has a file and the drawing is at most ``MAX_PARENT_STEPS`` folders up from it,
    else absolute. Forward slashes either way."""
    target = Path(os.path.abspath(drawing))
    if layout_file is not None:
        folder = Path(os.path.abspath(layout_file)).parent
        try:
            rel = os.path.relpath(target, folder)
        except ValueError:                  # another drive (Windows)
            rel = ""
        if rel and Path(rel).parts[:MAX_PARENT_STEPS + 1].count("..") <= MAX_PARENT_STEPS:
            return Path(rel).as_posix()
    return target.as_posix()


def resolved_path(stored: str, layout_file: str | os.PathLike | None) -> Path | None:
    """The drawing file an underlay refers to (a relative path against the layout's
    folder, or the current folder for a layout without a file); None when unset."""
    if not stored:
        return None
    p = Path(os.path.expanduser(stored))
    if p.is_absolute():
        return p
    base = Path(os.path.abspath(layout_file)).parent if layout_file is not None else Path.cwd()
    return Path(os.path.normpath(base / p))


def rebased_path(stored: str, old_layout_file: str | os.PathLike | None,
                 new_layout_file: str | os.PathLike | None) -> str:
    """The stored path of the same drawing once the layout is saved as
    ``new_layout_file`` (Save As to another folder): a relative path is re-made against the
    new folder (or made absolute); an absolute or empty one is kept."""
    if not stored or Path(os.path.expanduser(stored)).is_absolute():
        return stored
    target = resolved_path(stored, old_layout_file)
    return stored_path(target, new_layout_file) if target is not None else stored
