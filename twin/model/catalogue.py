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
    #: other names the model goes by in inventories and DCIMs (matched by imports)
    aliases: tuple[str, ...] = ()

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

    def extended(self, raw_entries: dict[str, dict[str, Any]]) -> "Catalogue":
        """This catalogue with user entries (catalogue-file form) added; an entry with a
        built-in key replaces it. Without entries: this very catalogue."""
        if not raw_entries:
            return self
        entries = dict(self._entries)
        entries.update({k: parse_entry(k, with_defaults(raw)) for k, raw in raw_entries.items()})
        return Catalogue(entries)


#: Defaults of numbers a user entry may leave out (the built-in entries give them all).
_DEFAULTS = {
    "rack": {"gpus": 0, "gpu_idle_w": 0.0, "gpu_max_w": 0.0, "power_exponent": 1.0,
             "liquid_fraction": 0.0, "airflow_m3s_per_kw": 0.0695, "coolant_lpm_per_kw": 1.5,
             "branch_k_pa_per_m3s2": 1.2e10, "tokens_per_s_per_gpu": 0.0, "weight_kg": 0.0},
    "crah": {"fan_power_kw": 0.0, "supply_setpoint_c": 20.0},
    "inrow": {"fan_power_kw": 0.0, "supply_setpoint_c": 22.0},
    "rdhx": {"fan_power_kw": 0.0, "supply_setpoint_c": 22.0},
    "cdu": {"pump_efficiency": 0.6, "internal_k_pa_per_m3s2": 3.2e9},
    "tank": {"max_bath_c": 50.0, "pump_power_kw": 0.0},
}


def with_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """A user entry with the numbers it left out: rack power without GPUs is overhead,
    ``overhead_kw`` defaults to nameplate minus the GPUs' maximum and its idle value to
    the same (a rack without GPUs draws a constant power), ``typical_kw`` to nameplate,
    rack airflow to the industry rule 0.0695 m3/s per kW (docs/physics.md §11)."""
    out = {**_DEFAULTS.get(raw.get("kind", ""), {}), **raw}
    if out.get("kind") == "rack":
        plate = float(out["nameplate_kw"])
        out.setdefault("typical_kw", plate)
        out.setdefault("overhead_kw", max(plate - out["gpus"] * out["gpu_max_w"] / 1e3, 0.0))
        out.setdefault("overhead_idle_kw", out["overhead_kw"])
    return out


def parse_entry(key: str, raw: dict[str, Any]) -> CatalogueEntry:
    """One entry from its catalogue-file form (numbers, text, sources, unconfirmed)."""
    numbers = {k: float(v) for k, v in raw.items()
               if isinstance(v, (int, float)) and not isinstance(v, bool)}
    text = {k: v for k, v in raw.items() if isinstance(v, str) and k not in ("kind", "name")}
    return CatalogueEntry(
        key=key, kind=raw["kind"], name=raw.get("name", key), numbers=numbers,
        sources=dict(raw.get("sources", {})), unconfirmed=tuple(raw.get("unconfirmed", ())),
        projected=bool(raw.get("projected", False)), text=text,
        aliases=tuple(raw.get("aliases", ())),
    )


def parse_catalogue(data: dict[str, Any]) -> Catalogue:
    """Build a catalogue from the decoded JSON document."""
    return Catalogue({key: parse_entry(key, raw) for key, raw in data["equipment"].items()})


@lru_cache(maxsize=4)
def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load the bundled catalogue (cached)."""
    with open(path or CATALOGUE_FILE, encoding="utf-8") as fh:
        return parse_catalogue(json.load(fh))
