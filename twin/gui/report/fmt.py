"""How the report prints numbers: one rule per kind of quantity, facility units.

Every figure in the report is a value of the ``twin simulate --json`` document (already
rounded there: powers to 1 W, PUE to 4 decimals, ...) printed with the rule of its kind:

============================  ==========================  =====================
quantity                      rule                        example
============================  ==========================  =====================
power, energy rate (kW)       thousands separator, 0 dp   ``2,042 kW``
PUE                           3 dp                        ``1.143``
tokens per kWh, counts        thousands separator, 0 dp   ``1,962,246``
percentages (RCI, RTI, load)  1 dp                        ``68.9 %``
shares (0..1, e.g. liquid)    x 100, 1 dp, as a percent   ``82.7 %``
temperatures                  1 dp                        ``22.0 °C``
indices (SHI, RHI, capture)   3 dp                        ``0.045``
============================  ==========================  =====================

These are the rules of the ``twin simulate`` text summary, so the report, the text
summary and a script formatting the JSON the same way print identical strings. A value
that rounds to zero prints without a sign ("0.000", never "-0.000"); a missing value
(JSON null) prints as an en dash.
"""

from __future__ import annotations

import math
from typing import Any

MISSING = "\u2013"
DEGC = "\u00b0C"


def _ok(v: Any) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def num(v: Any, decimals: int = 0, sep: bool = True) -> str:
    """A plain number: ``decimals`` places, thousands separators when ``sep``."""
    if not _ok(v):
        return MISSING
    text = f"{v:,.{decimals}f}" if sep else f"{v:.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")
    return text


def kw(v: Any, decimals: int = 0) -> str:
    return num(v, decimals)


def pue(v: Any) -> str:
    return num(v, 3, sep=False)


def pct(v: Any, decimals: int = 1) -> str:
    """A percentage given in percent (RCI 94.604 -> '94.6')."""
    return num(v, decimals)


def share(v: Any, decimals: int = 1) -> str:
    """A 0..1 share as a percentage (0.8271 -> '82.7')."""
    return num(v * 100 if _ok(v) else v, decimals)


def temp(v: Any, decimals: int = 1) -> str:
    return num(v, decimals, sep=False)


def index(v: Any) -> str:
    return num(v, 3, sep=False)


def with_unit(text: str, unit: str) -> str:
    """'2,042' + 'kW' -> '2,042 kW' (no unit after a missing value)."""
    return text if text == MISSING or not unit else f"{text} {unit}"


#: Units by the end of a catalogue field name, longest first.
UNIT_SUFFIXES = (
    ("_pa_per_m3s2", "Pa/(m\u00b3/s)\u00b2"), ("_m3s_per_kw", "m\u00b3/s per kW"),
    ("_lpm_per_kw", "L/min per kW"), ("_kw_per_mw", "kW per MW"), ("_kw_per_k", "kW/K"),
    ("_per_s_per_gpu", "per s per GPU"), ("_m3s", "m\u00b3/s"), ("_lpm", "L/min"),
    ("_lps", "L/s"),
    ("_kpa", "kPa"), ("_kw", "kW"), ("_kg", "kg"), ("_w", "W"), ("_m", "m"),
    ("_c", DEGC), ("_k", "K"), ("_pct", "%"),
)


def unit_of(field: str) -> str:
    """The unit a field name carries (``power_kw`` -> 'kW'), '' when none."""
    for suffix, unit in UNIT_SUFFIXES:
        if field.endswith(suffix):
            return unit
    return ""


def catalogue_value(field: str, v: float) -> str:
    """A catalogue number with as many decimals as it needs (up to 4 significant)."""
    if not _ok(v):
        return MISSING
    if v == int(v) and abs(v) < 1e7:
        text = num(v, 0)
    elif abs(v) >= 1e7 or abs(v) < 1e-3:
        text = f"{v:.3g}"
    else:
        decimals = max(0, 3 - int(math.floor(math.log10(abs(v)))))
        text = num(v, decimals).rstrip("0").rstrip(".")
    return with_unit(text, unit_of(field))
