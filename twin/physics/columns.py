"""Typing aid for the physics dataclasses whose fields are per-item columns.

A field such as ``n_gpus: np.ndarray = column_default(72)`` takes a scalar (or any
array-like, or None where the docstring says so) when the dataclass is built; its
``__post_init__`` broadcasts that to an array of one value per item, so a built object
holds what the annotation says. ``column_default`` returns its argument unchanged: the
dataclass default is the scalar itself.
"""

from __future__ import annotations

from typing import Any


def column_default(value: float | bool | str | None) -> Any:
    """``value`` unchanged, typed for a column field (see the module docstring)."""
    return value
