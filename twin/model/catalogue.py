"""The equipment catalogue: rack, cooling, CDU, tank and power models read from resources/.

Each entry keeps its numbers, a source for every number and the list of numbers that are
unconfirmed or projected. The catalogue is data, not code: ``resources/catalogue.json``.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from twin.paths import CATALOGUE_FILE

RACK_KINDS = ("rack",)
COOLING_KINDS = ("crah", "inrow", "rdhx")
POWER_KINDS = ("utility", "transformer", "ups", "pdu", "busway")


@dataclass(frozen=True)
class CatalogueEntry:
    """One equipment model: its kind, display name, numbers and their sources."""

    key: str
    kind: str
    name: str
    numbers: dict[str, float]
    sources: dict[str, str]
    unconfirmed: tuple[str, ...] = ()
    projected: bool = False
    text: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> float:
        return self.numbers[name]

    def get(self, name: str, default: float = 0.0) -> float:
        return self.numbers.get(name, default)

    @property
    def footprint_m(self) -> tuple[float, float, float]:
        """Width, depth and height in metres."""
        return (self.numbers["width_m"], self.numbers["depth_m"], self.numbers["height_m"])


class Catalogue:
    """All equipment models, looked up by key; suggests close keys for unknown names."""

    def __init__(self, entries: dict[str, CatalogueEntry]):
        self._entries = dict(entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __getitem__(self, key: str) -> CatalogueEntry:
        return self._entries[key]

    def __iter__(self):
        return iter(self._entries.values())

    def keys(self) -> list[str]:
        return list(self._entries)

    def of_kind(self, *kinds: str) -> list[CatalogueEntry]:
        return [e for e in self._entries.values() if e.kind in kinds]

    def closest(self, key: str, n: int = 3) -> list[str]:
        return difflib.get_close_matches(key, self._entries, n=n, cutoff=0.3)


def parse_catalogue(data: dict[str, Any]) -> Catalogue:
    """Build a catalogue from the decoded JSON document."""
    entries = {}
    for key, raw in data["equipment"].items():
        numbers = {k: float(v) for k, v in raw.items()
                   if isinstance(v, (int, float)) and not isinstance(v, bool)}
        text = {k: v for k, v in raw.items() if isinstance(v, str) and k not in ("kind", "name")}
        entries[key] = CatalogueEntry(
            key=key, kind=raw["kind"], name=raw["name"], numbers=numbers,
            sources=dict(raw.get("sources", {})), unconfirmed=tuple(raw.get("unconfirmed", ())),
            projected=bool(raw.get("projected", False)), text=text,
        )
    return Catalogue(entries)


@lru_cache(maxsize=4)
def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load the bundled catalogue (cached)."""
    with open(path or CATALOGUE_FILE, encoding="utf-8") as fh:
        return parse_catalogue(json.load(fh))
