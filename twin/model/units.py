"""How the twin prints numbers: one rule per kind of quantity, facility units.

The one formatter of the code base: the docks, the inspector, the status bar, the CLI's
text summaries and the review report all print through it. Every figure in the report is a
value of the ``twin simulate --json`` document (already rounded there: powers to 1 W, PUE
to 4 decimals, ...) printed with the rule of its kind:

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
(None, NaN, JSON null) prints as an en dash everywhere.

The docks use compact forms of the same rules where space is short (``power`` switches
to MW, ``count`` to SI multipliers); the status bar prints durations and residuals with
``seconds`` and ``small``.
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


# --------------------------------------------------------------- compact forms (docks)
def power(kw_value: Any) -> str:
    """Compact power: '2.33 MW' from a megawatt, else kW with three significant figures."""
    if not _ok(kw_value):
        return MISSING
    v = float(kw_value)
    if abs(v) >= 100_000:
        return f"{v / 1000:,.1f} MW"
    if abs(v) >= 1000:
        return f"{v / 1000:,.2f} MW"
    if abs(v) >= 100 or v == 0:
        return f"{v:,.0f} kW"
    return f"{v:.1f} kW" if abs(v) >= 10 else f"{v:.2f} kW"


def count(value: Any, unit: str = "") -> str:
    """Large counts with an SI multiplier: '1.27 M', '935 k', '12.3 G'."""
    if not _ok(value):
        return MISSING
    v = float(value)
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= factor:
            text = f"{v / factor:.3g} {prefix}"
            break
    else:
        text = f"{v:.3g} "
    return (text + unit).strip()


def percent(value: Any, decimals: int = 1) -> str:
    """A percentage with its sign: 94.61 -> '94.6 %'."""
    return with_unit(pct(value, decimals), "%")


def celsius(value: Any, decimals: int = 1) -> str:
    """A temperature with its unit: 22.04 -> '22.0 °C'."""
    return with_unit(temp(value, decimals), DEGC)


def seconds(s: Any) -> str:
    """A duration: '45 ms' below 0.1 s, else '1.23 s'."""
    if not _ok(s):
        return MISSING
    return f"{s * 1000:.0f} ms" if s < 0.1 else f"{s:.2f} s"


def small(x: Any) -> str:
    """A compact magnitude (sign dropped): 0.0123 -> '0.012', 4.5e-07 -> '5e-7'."""
    if not _ok(x):
        return MISSING
    x = abs(float(x))
    if x == 0:
        return "0"
    if x >= 0.01:
        return f"{x:.2g}"
    mant, exp = f"{x:.0e}".split("e")
    return f"{mant}e{int(exp)}"


def usd(value: Any) -> str:
    """Money: '$79.9 M', '$935 k', '$0.333', '$1.32' (three significant figures)."""
    if not _ok(value):
        return MISSING
    v = float(value)
    for factor, prefix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(v) >= factor:
            return f"${v / factor:.3g}{prefix}"
    return f"${v:.3g}" if abs(v) >= 0.01 else f"${v:.2g}"
