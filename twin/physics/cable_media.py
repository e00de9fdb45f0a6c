"""Cable media (docs/physics.md §23.3): the cited table and the choice by length and speed.

The table (``resources/fabric_media.json``) lists for each port speed the media in order of
reach: passive copper, active copper, multimode and single-mode optics. A link takes the
first medium of the smallest tabled speed at or above its own whose reach covers its
length; beyond every reach it has none (-1), which the engine raises as an alert.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MEDIA_FILE = Path(__file__).resolve().parents[2] / "resources" / "fabric_media.json"


@dataclass(frozen=True)
class MediaTable:
    """One row per (medium, speed), sorted by speed then reach."""

    medium: tuple[str, ...]
    name: tuple[str, ...]
    gbps: np.ndarray
    reach_m: np.ndarray
    power_w_per_end: np.ndarray
    usd_per_end: np.ndarray
    usd_per_m: np.ndarray
    diameter_mm: np.ndarray
    sources: tuple[dict[str, str], ...]
    unconfirmed: tuple[tuple[str, ...], ...]
    references: dict[str, str]

    def __len__(self) -> int:
        return len(self.medium)

    def label(self, row: int) -> str:
        return "none" if row < 0 else f"{self.name[row]} {self.gbps[row]:g}G"

    def choose(self, gbps: np.ndarray, length_m: np.ndarray) -> np.ndarray:
        """Row of the medium of every link (-1: no medium reaches, or no tabled speed)."""
        gbps = np.asarray(gbps, float)
        length_m = np.asarray(length_m, float)
        out = np.full(len(gbps), -1, dtype=np.int64)
        speeds = np.unique(self.gbps)
        cls = np.searchsorted(speeds, gbps - 1e-9)       # smallest tabled speed >= own
        for c, speed in enumerate(speeds):
            rows = np.nonzero(self.gbps == speed)[0]     # in order of reach
            sel = cls == c
            if not sel.any():
                continue
            fits = length_m[sel, None] <= self.reach_m[rows][None, :] + 1e-9
            first = np.argmax(fits, axis=1)
            out[np.nonzero(sel)[0]] = np.where(fits.any(axis=1), rows[first], -1)
        return out

    def max_reach_m(self, gbps: float) -> float:
        speeds = np.unique(self.gbps)
        at = speeds[speeds >= gbps - 1e-9]
        return float(self.reach_m[self.gbps == at[0]].max()) if len(at) else 0.0


def parse_media(doc: dict) -> MediaTable:
    rows = sorted(doc["media"], key=lambda r: (r["gbps"], r["reach_m"]))
    col = lambda k: np.array([float(r[k]) for r in rows])
    return MediaTable(
        medium=tuple(r["medium"] for r in rows), name=tuple(r["name"] for r in rows),
        gbps=col("gbps"), reach_m=col("reach_m"), power_w_per_end=col("power_w_per_end"),
        usd_per_end=col("usd_per_end"), usd_per_m=col("usd_per_m"),
        diameter_mm=col("diameter_mm"), sources=tuple(dict(r["sources"]) for r in rows),
        unconfirmed=tuple(tuple(r.get("unconfirmed", ())) for r in rows),
        references=dict(doc.get("sources", {})))


@lru_cache(maxsize=2)
def load_media(path: Path | None = None) -> MediaTable:
    with open(path or MEDIA_FILE, encoding="utf-8") as fh:
        return parse_media(json.load(fh))
