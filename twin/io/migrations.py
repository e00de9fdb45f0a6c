"""Upgrades of older layout documents, one function per version step.

``MIGRATIONS[n]`` turns a version-n document into version n+1. Version 1 is the first
released format, so the table is empty; the v1 fixture in ``tests/fixtures`` stays so that
every later version is tested against it.
"""

from __future__ import annotations

from typing import Any, Callable

MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def migrate(doc: dict[str, Any], to_version: int) -> dict[str, Any]:
    """Apply migrations in order until ``doc['version'] == to_version``."""
    while doc["version"] < to_version:
        step = MIGRATIONS[doc["version"]]
        doc = step(dict(doc))
    return doc
