"""Upgrades of older layout documents, one function per version step.

``MIGRATIONS[n]`` turns a version-n document into version n+1. The v1 fixture in
``tests/fixtures`` stays so that every later version is tested against it.

Version 2 (issue 14: a layout can describe any real room) only adds optional fields and
blocks: per-rack overrides (``power_kw``, ``airflow_m3s``, ``airflow_m3s_per_kw``,
``liquid_share``, ``height_m``, ``weight_kg``), the layout's own equipment
(``catalogue``), cooling units outside the hall (``location``), a supply temperature on
tiles (``supply_c``) and supply/return ``grilles``. A v1 file means the same in v2: the
step only raises the version.

Version 3 (issue 16) adds the optional ``air_calibration`` block: the air model's
recirculation constants fitted to measured rack inlet temperatures (``twin calibrate
--write``), with the sensor file, the date and the error before and after. A v2 file has
no calibration and keeps the product's default constants: the step only raises the
version.
"""

from __future__ import annotations

from typing import Any, Callable



def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """v1 -> v2: every v1 field keeps its meaning; the new fields are optional."""
    doc["version"] = 2
    return doc


def _v2_to_v3(doc: dict[str, Any]) -> dict[str, Any]:
    """v2 -> v3: no calibration block, so the product's default air constants."""
    doc["version"] = 3
    return doc


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def migrate(doc: dict[str, Any], to_version: int) -> dict[str, Any]:
    """Apply migrations in order until ``doc['version'] == to_version``."""
    while doc["version"] < to_version:
        step = MIGRATIONS[doc["version"]]
        doc = step(dict(doc))
    return doc
