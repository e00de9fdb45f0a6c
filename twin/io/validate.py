"""Structural validation of a decoded layout document against ``twin.io.spec``.

Collects every problem with its JSON path, what was found and what was expected; returns
clean Python values ready for the model's dataclasses.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from twin.io import spec
from twin.io.errors import Problem


class HugeInt:
    """An integer literal too long to be a number of the format (kept as its digit count,
    never converted: ``int`` refuses > 4,300 digits and ``float`` overflows)."""

    __slots__ = ("digits",)

    def __init__(self, digits: int):
        self.digits = digits


#: Largest magnitude of a coordinate (m); checked before any conversion.
MAX_COORDINATE_M = 1e6


def describe(value: Any) -> str:
    """Short description of a found value for messages."""
    if isinstance(value, HugeInt):
        return f"an integer of {value.digits:,} digits"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
        return f"an integer of {len(str(abs(value))):,} digits"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return {math.inf: "Infinity", -math.inf: "-Infinity"}.get(value, "NaN")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return f"text of {len(value):,} characters" if len(value) > 40 else repr(value)
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_number(v: Any) -> bool:
    """A JSON number small enough to convert: ints beyond 1e15 are refused before any
    ``float()`` (which would overflow above ~1e308) and no field allows them."""
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return -10**15 <= v <= 10**15
    return isinstance(v, float)


def _finite(v: Any) -> bool:
    return _is_number(v) and math.isfinite(v)


def _coordinate(v: Any) -> bool:
    return _finite(v) and abs(v) <= MAX_COORDINATE_M


def _iso_date(text: str) -> bool:
    """True for a calendar date written YYYY-MM-DD."""
    if len(text) != 10:
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def is_unicode(text: str) -> bool:
    """False for text with lone surrogates (``"\\ud800"`` in JSON), which no file can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Checker:
    """Accumulates problems while converting values."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def bad(self, path: str, found: Any, f: spec.Field) -> None:
        self.error(path, f"found {describe(found)}, expected {f.expected()}")

    # ---- scalars ------------------------------------------------------------------
    def number(self, path: str, v: Any, f: spec.Field) -> float | int | None:
        if f.kind == "integer":
            ok = _finite(v) and float(v).is_integer()
        else:
            ok = _finite(v)
        if not ok:
            self.bad(path, v, f)
            return None
        if f.choices and v not in f.choices:
            self.error(path, f"found {describe(v)}, expected one of "
                       + ", ".join(str(c) for c in f.choices))
            return None
        lo_bad = f.minimum is not None and (v <= f.minimum if f.exclusive_minimum else v < f.minimum)
        hi_bad = f.maximum is not None and v > f.maximum
        if lo_bad or hi_bad:
            self.bad(path, v, f)
            return None
        return int(v) if f.kind == "integer" else float(v)

    def value(self, path: str, v: Any, f: spec.Field) -> Any:
        if v is None and f.nullable:
            return None
        if f.kind in ("number", "integer"):
            return self.number(path, v, f)
        if f.kind in ("string", "ref"):
            if not isinstance(v, str) or (f is spec.ID and not v.strip()):
                return self.bad(path, v, f)
            return self.text(path, v, f.max_length)
        if f.kind == "bool":
            return v if isinstance(v, bool) else self.bad(path, v, f)
        if f.kind == "enum":
            return v if isinstance(v, str) and v in f.choices else self.bad(path, v, f)
        if f.kind in ("vec2", "vec4"):
            n = 2 if f.kind == "vec2" else 4
            if (not isinstance(v, list) or len(v) != n
                    or not all(_coordinate(x) for x in v)):
                return self.bad(path, v, f)
            return [float(x) for x in v]
        if f.kind == "date":
            if not isinstance(v, str) or not _iso_date(v):
                return self.bad(path, v, f)
            return v
        if f.kind == "textmap":
            if not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values()):
                return self.bad(path, v, f)
            return dict(v)
        if f.kind == "numbermap":
            if not isinstance(v, dict) or not all(
                    _finite(x) and f.minimum <= x <= f.maximum for x in v.values()):
                return self.bad(path, v, f)
            return {str(k): float(x) for k, x in sorted(v.items())}
        if f.kind == "textlist":
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                return self.bad(path, v, f)
            return list(v)
        if f.kind == "profile":
            if (not isinstance(v, list) or len(v) != 24
                    or not all(_finite(x) and f.minimum <= x <= f.maximum for x in v)):
                return self.bad(path, v, f)
            return tuple(float(x) for x in v)
        raise ValueError(f.kind)  # pragma: no cover - spec error

    def text(self, path: str, v: Any, max_length: int | None) -> str | None:
        """A string of at most ``max_length`` characters that is valid Unicode."""
        if not isinstance(v, str):
            self.error(path, f"found {describe(v)}, expected a string")
            return None
        if max_length is not None and len(v) > max_length:
            self.error(path, f"found text of {len(v):,} characters, expected at most "
                       f"{max_length:,}")
            return None
        if not is_unicode(v):
            self.error(path, "found a lone surrogate (an escape such as \\ud800 that is not "
                       "a character), expected Unicode text")
            return None
        return v

    # ---- objects ------------------------------------------------------------------
    def obj(self, path: str, raw: Any, fields: dict[str, spec.Field]) -> dict[str, Any] | None:
        """Validate one object; returns model keyword arguments or None when broken."""
        if not isinstance(raw, dict):
            self.error(path, f"found {describe(raw)}, expected an object")
            return None
        before = len(self.problems)
        out: dict[str, Any] = {}
        for key in raw:
            if key not in fields:
                self.error(f"{path}.{key}", "unknown field, expected one of "
                           + ", ".join(sorted(fields)))
        for key, f in fields.items():
            if key not in raw:
                if f.required:
                    self.error(path, f"missing required field '{key}' ({f.expected()})")
                continue
            v = self.value(f"{path}.{key}", raw[key], f)
            if key == "position_m" and v is not None:
                out["x_m"], out["y_m"] = v
            elif key in ("rect_m", "segment_m") and v is not None:
                out["x0_m"], out["y0_m"], out["x1_m"], out["y1_m"] = v
            else:
                out[key] = v
        return out if len(self.problems) == before else None

    # ---- equipment ----------------------------------------------------------------
    def equipment(self, path: str, raw: Any) -> dict[str, dict[str, Any]]:
        """A mapping of catalogue entries (the layout's ``catalogue`` block, or the
        ``equipment`` of a catalogue file): each entry checked against the fields of its
        kind (``spec.CATALOGUE_ENTRY``) and for consistency. Returns the valid entries in
        catalogue-file form."""
        if not isinstance(raw, dict):
            self.error(path, f"found {describe(raw)}, expected an object of equipment "
                       "models keyed by model name")
            return {}
        out: dict[str, dict[str, Any]] = {}
        for key, entry in raw.items():
            where = f"{path}.{key}"
            if not key.strip():
                self.error(where, "empty model name")
                continue
            if not isinstance(entry, dict):
                self.error(where, f"found {describe(entry)}, expected an object")
                continue
            kind = entry.get("kind")
            if kind not in spec.CATALOGUE_ENTRY:
                self.error(f"{where}.kind", f"found {describe(kind)}, expected one of "
                           + ", ".join(repr(k) for k in spec.CATALOGUE_ENTRY))
                continue
            before = len(self.problems)
            fields = spec.CATALOGUE_ENTRY[kind]
            kw = self.obj(where, entry, fields)
            if kw is None:
                continue
            self._entry_consistency(where, kw)
            if len(self.problems) == before:
                out[key] = {k: v for k, v in kw.items() if v is not None}
        return out

    def _entry_consistency(self, where: str, e: dict[str, Any]) -> None:
        numbers = {k for k, v in e.items() if _is_number(v)}
        for k in e.get("unconfirmed") or ():
            if k not in numbers:
                self.error(f"{where}.unconfirmed", f"lists {k!r}, which is not a number "
                           "of this entry")
        if e["kind"] != "rack":
            return
        plate = e["nameplate_kw"]
        if e.get("typical_kw") is not None and e["typical_kw"] > plate:
            self.error(f"{where}.typical_kw", f"found {e['typical_kw']:g}, expected at most "
                       f"the nameplate ({plate:g} kW)")
        if (e.get("gpu_idle_w") or 0) > (e.get("gpu_max_w") or 0) > 0:
            self.error(f"{where}.gpu_idle_w", "expected at most gpu_max_w")
        full = (e.get("gpus") or 0) * (e.get("gpu_max_w") or 0) / 1e3 + (e.get("overhead_kw") or 0)
        if full > plate * (1 + 1e-6):
            self.error(f"{where}.nameplate_kw", f"found {plate:g} kW, below the full power "
                       f"of GPUs and overhead ({full:g} kW)")
