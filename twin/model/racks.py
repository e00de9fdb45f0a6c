"""The rack table: one numpy column per field so that thousands of racks stay cheap."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

#: Column name -> numpy dtype. Strings are object columns.
RACK_FIELDS: dict[str, Any] = {
    "id": object,
    "name": object,
    "model": object,
    "x_m": np.float64,
    "y_m": np.float64,
    "rotation_deg": np.int64,
    "workload": object,
    "feed_a": object,
    "feed_b": object,
    "cdu": object,
    # per-rack overrides (format v2); NaN: from the catalogue model and the workload
    "power_kw": np.float64,
    "airflow_m3s": np.float64,
    "airflow_m3s_per_kw": np.float64,
    "liquid_share": np.float64,
    "height_m": np.float64,
    "weight_kg": np.float64,
    # where ``power_kw`` came from (an inventory import): "", "measured" or "budget"; and
    # a budgeted power kept beside a measured one (not simulated)
    "power_basis": object,
    "power_budget_kw": np.float64,
}
#: Optional numeric columns: NaN (``None`` in records and files) means "not set".
OVERRIDE_FIELDS = ("power_kw", "airflow_m3s", "airflow_m3s_per_kw", "liquid_share",
                   "height_m", "weight_kg", "power_budget_kw")
NUMERIC_FIELDS = ("x_m", "y_m", "rotation_deg")
_COMPARE_ORDER = NUMERIC_FIELDS + tuple(k for k in RACK_FIELDS if k not in NUMERIC_FIELDS)
TEXT_DEFAULTS = {"name": "", "workload": "", "feed_a": "", "feed_b": "", "cdu": "",
                 "power_basis": ""}
_DEFAULTS: dict[str, Any] = {**TEXT_DEFAULTS, **{k: np.nan for k in OVERRIDE_FIELDS}}


class RackTable:
    """Racks as columns. ``x_m``/``y_m`` are the footprint centre in hall coordinates
    (x east, y north, origin at the south-west corner); ``rotation_deg`` is 0/90/180/270 and
    gives the direction of the rack front (air intake): 0 faces south (-y), 90 east (+x),
    180 north (+y), 270 west (-x)."""

    def __init__(self, columns: dict[str, np.ndarray] | None = None):
        if columns is None:
            columns = {k: np.empty(0, dtype=t) for k, t in RACK_FIELDS.items()}
        self.columns = {k: np.asarray(columns[k], dtype=t) for k, t in RACK_FIELDS.items()}
        self._index = {rid: i for i, rid in enumerate(self.columns["id"])}

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]]) -> "RackTable":
        records = list(records)
        cols = {}
        for name, dtype in RACK_FIELDS.items():
            default = _DEFAULTS.get(name, 0)
            values = [r.get(name, default) for r in records]
            if name in OVERRIDE_FIELDS:
                values = [np.nan if v is None else v for v in values]
            arr = np.empty(len(values), dtype=dtype)
            arr[:] = values
            cols[name] = arr
        return cls(cols)

    def __len__(self) -> int:
        return len(self.columns["id"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    @property
    def ids(self) -> np.ndarray:
        return self.columns["id"]

    def index_of(self, rack_id: str) -> int:
        return self._index[rack_id]

    def indices_of(self, rack_ids: Iterable[str]) -> np.ndarray:
        return np.fromiter((self._index[r] for r in rack_ids), dtype=np.int64)

    def has(self, rack_id: str) -> bool:
        return rack_id in self._index

    def record(self, i: int) -> dict[str, Any]:
        """One rack as a dict; unset overrides are ``None``."""
        out = {k: _plain(v[i]) for k, v in self.columns.items()}
        for k in OVERRIDE_FIELDS:
            if out[k] != out[k]:   # NaN
                out[k] = None
        return out

    def records(self) -> list[dict[str, Any]]:
        return [self.record(i) for i in range(len(self))]

    def set_values(self, indices: np.ndarray, name: str, values: Any) -> None:
        if name in OVERRIDE_FIELDS:
            values = np.where(_is_none(values), np.nan, values).astype(float) \
                if isinstance(values, (list, tuple, np.ndarray)) else \
                (np.nan if values is None else values)
        self.columns[name][indices] = values
        if name == "id":
            self._reindex()

    def insert(self, indices: np.ndarray, records: list[dict[str, Any]]) -> None:
        """Insert records so that record k ends up at ``indices[k]`` (ascending)."""
        new = RackTable.from_records(records)
        order = np.argsort(indices, kind="stable")
        idx = np.asarray(indices)[order]
        for name in RACK_FIELDS:
            pos = idx - np.arange(len(idx))
            self.columns[name] = np.insert(self.columns[name], pos, new.columns[name][order])
        self._reindex()

    def delete(self, indices: np.ndarray) -> list[dict[str, Any]]:
        removed = [self.record(int(i)) for i in indices]
        for name in RACK_FIELDS:
            self.columns[name] = np.delete(self.columns[name], indices)
        self._reindex()
        return removed

    def copy(self) -> "RackTable":
        return RackTable({k: v.copy() for k, v in self.columns.items()})

    def equals(self, other: "RackTable") -> bool:
        # numeric columns first: positions are what differs most often (drags), and
        # they compare ~10x faster than the text columns
        return len(self) == len(other) and all(
            np.array_equal(self.columns[k], other.columns[k], equal_nan=k in OVERRIDE_FIELDS)
            for k in _COMPARE_ORDER)

    def _reindex(self) -> None:
        self._index = {rid: i for i, rid in enumerate(self.columns["id"])}


def _is_none(values: Any) -> np.ndarray:
    return np.array([v is None for v in np.asarray(values, dtype=object).ravel()],
                    bool).reshape(np.shape(values))


def _plain(value: Any) -> Any:
    """numpy scalar -> Python scalar, for records and JSON."""
    return value.item() if isinstance(value, np.generic) else value
