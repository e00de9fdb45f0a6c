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

Unit systems. Every value in the code base, the layout files and the JSON output is SI;
only printing converts. ``SI`` (the default) and ``US`` (US customary) say, per kind of
quantity (``TEMP``, ``DTEMP``, ``AIRFLOW``, ... below), the unit and the factor from SI:

===============  =========  ==============================================
kind             SI         US customary
===============  =========  ==============================================
temperature      °C         °F (x 1.8 + 32)
difference       K          °F (x 1.8, no offset: a 10 K rise is 18 °F)
airflow          m³/s       CFM (x 2,118.88)
liquid flow      L/min      gpm (x 0.264172)
length           m          ft (x 3.28084); area m² -> ft² (x 10.7639)
mass             kg         lb (x 2.20462); kg/m -> lb/ft (x 0.671969)
floor load       kg/m²      psf, lb/ft² (x 0.204816)
pressure         kPa        psi (x 0.145038)
power density    kW/m²      W/ft² (x 92.903)
air velocity     m/s        fpm, ft/min (x 196.85)
point load       kN         lbf (x 224.809)
cooling          kW         tons of refrigeration (/ 3.51685); kBTU/h x 3.41214
===============  =========  ==============================================

Electrical power stays kW in both (as US data centres quote it). A value printed in US
units keeps the precision of its SI rule: the decimals shift by the factor's order of
magnitude (1.25 m³/s -> "2,649 CFM", 12.5 L/min -> "3.3 gpm"). The system in force is
``current()``: the app's choice (``set_system``, kept in the settings), or inside
``with using("us"):`` the one of a report or a CLI command, for this thread only, so
two reports in two threads never mix. Input boxes convert back with ``to_si``.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MISSING = "\u2013"
DEGC = "\u00b0C"


def _ok(v: Any) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


# ----------------------------------------------------------------------- unit systems
TEMP, DTEMP, AIRFLOW, LIQUID_FLOW = "temp", "dtemp", "airflow", "liquid_flow"
LENGTH, AREA, MASS, LINEAR_MASS = "length", "area", "mass", "linear_mass"
FLOOR_LOAD, PRESSURE, POWER_DENSITY, COOLING = "floor_load", "pressure", "power_density", "cooling"
COOLING_BTU, POWER, VELOCITY = "cooling_btu", "power", "velocity"
AIRFLOW_PER_KW, LIQUID_PER_KW, POINT_LOAD = "airflow_per_kw", "liquid_per_kw", "point_load"


@dataclass(frozen=True)
class Unit:
    """One display unit: ``display = si * factor + offset``."""

    label: str
    factor: float = 1.0
    offset: float = 0.0

    def shift(self) -> int:
        """How many decimals fewer than the SI rule this unit needs (its factor's order)."""
        return math.floor(math.log10(self.factor))


@dataclass(frozen=True)
class UnitSystem:
    """A name ('si', 'us'), a menu title and the unit of every kind of quantity."""

    name: str
    title: str
    units: dict[str, Unit]

    def unit(self, kind: str) -> Unit:
        try:
            return self.units[kind]
        except KeyError:
            raise ValueError(f"no unit for the quantity kind {kind!r}") from None


SI = UnitSystem("si", "SI", {
    TEMP: Unit(DEGC), DTEMP: Unit("K"), AIRFLOW: Unit("m\u00b3/s"), LIQUID_FLOW: Unit("L/min"),
    LENGTH: Unit("m"), AREA: Unit("m\u00b2"), MASS: Unit("kg"), LINEAR_MASS: Unit("kg/m"),
    FLOOR_LOAD: Unit("kg/m\u00b2"), PRESSURE: Unit("kPa"), POWER_DENSITY: Unit("kW/m\u00b2"),
    COOLING: Unit("kW"), COOLING_BTU: Unit("kW"), POWER: Unit("kW"), VELOCITY: Unit("m/s"),
    AIRFLOW_PER_KW: Unit("m\u00b3/s per kW"), LIQUID_PER_KW: Unit("L/min per kW"),
    POINT_LOAD: Unit("kN")})

#: Exact definitions: 1 ft = 0.3048 m, 1 lb = 0.45359237 kg, 1 US gal = 3.785411784 L,
#: 1 BTU (IT) = 1055.05585262 J, 1 ton of refrigeration = 12,000 BTU/h, 1 psi = 6.894757 kPa.
_FT, _LB, _GAL, _BTU = 0.3048, 0.45359237, 3.785411784, 1055.05585262
US = UnitSystem("us", "US customary", {
    TEMP: Unit("\u00b0F", 1.8, 32.0), DTEMP: Unit("\u00b0F", 1.8),
    AIRFLOW: Unit("CFM", 60 / _FT ** 3), LIQUID_FLOW: Unit("gpm", 1 / _GAL),
    LENGTH: Unit("ft", 1 / _FT), AREA: Unit("ft\u00b2", 1 / _FT ** 2),
    MASS: Unit("lb", 1 / _LB), LINEAR_MASS: Unit("lb/ft", _FT / _LB),
    FLOOR_LOAD: Unit("psf", _FT ** 2 / _LB), PRESSURE: Unit("psi", 1 / 6.894757),
    POWER_DENSITY: Unit("W/ft\u00b2", 1000 * _FT ** 2),
    COOLING: Unit("tons", 3600 / (12 * _BTU)), COOLING_BTU: Unit("kBTU/h", 3600 / _BTU),
    POWER: Unit("kW"), VELOCITY: Unit("fpm", 60 / _FT),
    AIRFLOW_PER_KW: Unit("CFM/kW", 60 / _FT ** 3), LIQUID_PER_KW: Unit("gpm/kW", 1 / _GAL),
    POINT_LOAD: Unit("lbf", 1000 / (_LB * 9.80665))})

SYSTEMS = {s.name: s for s in (SI, US)}
_default = SI
_override: contextvars.ContextVar[UnitSystem | None] = contextvars.ContextVar(
    "twin_units", default=None)


def system_named(name: str | UnitSystem) -> UnitSystem:
    """The system called ``name`` ('si' or 'us', any case); ValueError names the choices."""
    if isinstance(name, UnitSystem):
        return name
    try:
        return SYSTEMS[str(name).lower()]
    except KeyError:
        raise ValueError(f"unknown unit system {name!r}: choose "
                         + " or ".join(SYSTEMS)) from None


def current() -> UnitSystem:
    """The system printing uses now: a ``using`` block's, else the app's choice."""
    return _override.get() or _default


def set_system(name: str | UnitSystem) -> UnitSystem:
    """Make ``name`` the app's system (outside any ``using`` block)."""
    global _default
    _default = system_named(name)
    return _default


@contextlib.contextmanager
def using(name: str | UnitSystem) -> Iterator[UnitSystem]:
    """Print in ``name`` inside the block, in this thread (a report, a CLI command)."""
    token = _override.set(system_named(name))
    try:
        yield _override.get() or SI
    finally:
        _override.reset(token)


def label(kind: str) -> str:
    """The unit of ``kind`` in the current system ('°F', 'CFM', ...)."""
    return current().unit(kind).label


def convert(kind: str, v: Any) -> Any:
    """An SI value (or array) of ``kind`` in the current system (None and NaN pass)."""
    if v is None:
        return v
    u = current().unit(kind)
    return v if u.factor == 1.0 and u.offset == 0.0 else v * u.factor + u.offset


def to_si(kind: str, v: Any) -> Any:
    """A value (or array) typed in the current system's unit of ``kind``, back in SI."""
    u = current().unit(kind)
    return (v - u.offset) / u.factor


def decimals(kind: str, si_decimals: int) -> int:
    """Decimals for ``kind`` in the current system, given the SI rule's."""
    return max(0, si_decimals - current().unit(kind).shift())


def value(kind: str, v: Any, si_decimals: int = 1, sep: bool = True) -> str:
    """An SI value printed in the current system, without its unit."""
    return num(convert(kind, v), decimals(kind, si_decimals), sep)


def quantity(kind: str, v: Any, si_decimals: int = 1, sep: bool = True) -> str:
    """An SI value printed in the current system with its unit: '2,649 CFM'."""
    return with_unit(value(kind, v, si_decimals, sep), label(kind))


def quantities(kind: str, values: Any, si_decimals: int = 2, joiner: str = ", ",
               signed: bool = False) -> str:
    """Several values of one kind with one unit: '12.35, 4.20 m', '63.0 \u00d7 49.2 ft';
    ``signed``: each with its sign ('+0.00, -3.94 ft')."""
    places = decimals(kind, si_decimals)
    texts = [(f"{convert(kind, float(v)) + 0.0:+.{places}f}" if signed
              else value(kind, v, si_decimals)) for v in values]
    return with_unit(joiner.join(texts), label(kind))


def title(text: str, kind: str) -> str:
    """An axis or column title with the current unit: 'Rack inlet [°F]'."""
    return f"{text} [{label(kind)}]"


#: SI units in prose (alert messages, notes) and their kinds, for ``localise``.
_PROSE_KINDS = {DEGC: TEMP, "K": DTEMP, "m\u00b3/s": AIRFLOW, "L/min": LIQUID_FLOW,
                "kPa": PRESSURE, "kg/m\u00b2": FLOOR_LOAD, "kg/m": LINEAR_MASS,
                "kW/m\u00b2": POWER_DENSITY, "m/s": VELOCITY, "kg": MASS, "m\u00b2": AREA,
                "m": LENGTH}
_NUMBER = r"-?\d[\d,]*(?:\.\d+)?"
_PROSE = re.compile(rf"(?<![\w.])({_NUMBER})(?:(\s?[\u2013-]\s?)({_NUMBER}))?(\s?)("
                    + "|".join(re.escape(u) for u in sorted(_PROSE_KINDS, key=len,
                                                            reverse=True))
                    + r")(?![\w/\u00b2\u00b3])")


def localise(text: str) -> str:
    """SI prose (an alert message written by the physics, which the JSON keeps as is) in
    the current system: 'inlet 33.0 °C is above 18–27 °C' -> 'inlet 91.4 °F is above
    64.4–80.6 °F'. Each number keeps its precision, shifted as ``value`` shifts it."""
    if current() is SI:
        return text

    def one(number: str, kind: str) -> str:
        places = len(number.split(".")[1]) if "." in number else 0
        if places == 0 and kind in (TEMP, DTEMP):     # 32 °C is 89.6 °F, not 90 °F
            text = value(kind, float(number), 1)
            return text[:-2] if text.endswith(".0") else text
        return value(kind, float(number.replace(",", "")), places)

    def sub(m: re.Match[str]) -> str:
        kind = _PROSE_KINDS[m.group(5)]
        text = one(m.group(1), kind)
        if m.group(3) is not None:
            text += m.group(2) + one(m.group(3), kind)
        return f"{text}{m.group(4)}{label(kind)}"

    return _PROSE.sub(sub, text)


def kind_of_unit(si_unit: str) -> str | None:
    """The kind of quantity an SI unit label names ('°C' -> TEMP), None for units every
    system shares ('kW', '%') or none."""
    return _PROSE_KINDS.get(si_unit)


def display_unit(si_unit: str) -> str:
    """An SI unit label as the current system prints it ('°C' -> '°F', 'kW' -> 'kW')."""
    kind = kind_of_unit(si_unit)
    return si_unit if kind is None else label(kind)


def heading(text: str, si_unit: str) -> str:
    """A colour key's title from its SI label and unit, in the current system:
    ('Air temperature at 1.20 m', '°C') -> 'Air temperature at 3.94 ft [°F]'."""
    text = localise(text)
    return f"{text} [{display_unit(si_unit)}]" if si_unit else text


def scale_ticks(si_unit: str, lo: float, hi: float, n: int = 5
                ) -> list[tuple[float, str]] | None:
    """Ticks of a colour bar over SI values ``lo``..``hi``: (SI position, label) at round
    values of the current system's unit (68, 77, 86 °F on a 15-35 °C bar), about ``n``
    of them; None when the bar's own SI ticks stand (nothing converts)."""
    kind = kind_of_unit(si_unit)
    if kind is None or current().unit(kind) == SI.unit(kind) or not hi > lo:
        return None
    a, b = sorted((convert(kind, lo), convert(kind, hi)))
    raw = (b - a) / max(n - 1, 1)
    p = 10.0 ** math.floor(math.log10(raw))
    mantissa = next(m for m in (1, 2, 2.5, 5, 10) if m * p >= raw)
    if mantissa == 10:
        mantissa, p = 1, p * 10
    step = mantissa * p
    # the decimals the step needs: 0.2 -> 1, 0.25 -> 2, 2.5 -> 1, 25 -> 0
    places = max(0, -math.floor(math.log10(p) + 1e-9) + (mantissa == 2.5))
    first = math.ceil(a / step - 1e-9) * step
    count = int(math.floor((b - first) / step + 1e-9)) + 1
    return [(to_si(kind, first + k * step), num(first + k * step, places))
            for k in range(count)]


def scale_value(si_unit: str, v: Any) -> Any:
    """A value (or array) in ``si_unit`` on the current system's scale (a bar's tick, a
    curve)."""
    kind = kind_of_unit(si_unit)
    return v if kind is None else convert(kind, v)


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


def capacity(kw_value: Any) -> str:
    """A cooling capacity: '2,042 kW', and in US units also in tons: '2,042 kW (581 tons)'."""
    text = with_unit(kw(kw_value), "kW")
    if current().unit(COOLING).label == "kW" or not _ok(kw_value):
        return text
    return f"{text} ({with_unit(num(convert(COOLING, kw_value)), label(COOLING))})"


def pue(v: Any) -> str:
    return num(v, 3, sep=False)


def pct(v: Any, decimals: int = 1) -> str:
    """A percentage given in percent (RCI 94.604 -> '94.6')."""
    return num(v, decimals)


def share(v: Any, decimals: int = 1) -> str:
    """A 0..1 share as a percentage (0.8271 -> '82.7')."""
    return num(v * 100 if _ok(v) else v, decimals)


def temp(v: Any, decimals: int = 1) -> str:
    """A temperature (°C) in the current system, without its unit: 20 -> '20.0' or '68.0'."""
    return value(TEMP, v, decimals, sep=False)


def index(v: Any) -> str:
    return num(v, 3, sep=False)


def with_unit(text: str, unit: str) -> str:
    """'2,042' + 'kW' -> '2,042 kW' (no unit after a missing value)."""
    return text if text == MISSING or not unit else f"{text} {unit}"


#: Units by the end of a field name, longest first: the SI unit, or the kind of quantity
#: whose unit the current system chooses.
UNIT_SUFFIXES = (
    ("_pa_per_m3s2", "Pa/(m\u00b3/s)\u00b2"), ("_m3s_per_kw", AIRFLOW_PER_KW),
    ("_lpm_per_kw", LIQUID_PER_KW), ("_kw_per_mw", "kW per MW"), ("_kw_per_k", "kW/K"),
    ("_per_s_per_gpu", "per s per GPU"), ("_kg_per_m", LINEAR_MASS), ("_kg_m2", FLOOR_LOAD),
    ("_m3s", AIRFLOW), ("_lpm", LIQUID_FLOW), ("_lps", "L/s"),
    ("_kpa", PRESSURE), ("_kw", "kW"), ("_kg", MASS), ("_w", "W"), ("_m", LENGTH),
    ("_c", TEMP), ("_k", DTEMP), ("_kn", POINT_LOAD), ("_pct", "%"), ("_deg", "\u00b0"),
)


def kind_of(field: str) -> str | None:
    """The kind of quantity a field name carries (``airflow_m3s`` -> AIRFLOW), None when
    its unit is the same in every system or it has none."""
    for suffix, unit in UNIT_SUFFIXES:
        if field.endswith(suffix):
            return unit if unit in SI.units else None
    return None


def of_field(field: str, v: Any, difference: bool = False) -> Any:
    """A value of the field ``field`` (``worst_inlet_c``) in the current system; a
    ``difference`` of two such values converts without offset (K -> °F x 1.8)."""
    kind = kind_of(field)
    if kind is None:
        return v
    return convert(DTEMP if difference and kind == TEMP else kind, v)


def unit_of(field: str) -> str:
    """The unit a field name carries in the current system (``power_kw`` -> 'kW',
    ``supply_c`` -> '°F' in US units), '' when none."""
    for suffix, unit in UNIT_SUFFIXES:
        if field.endswith(suffix):
            return label(unit) if unit in SI.units else unit
    return ""


def catalogue_value(field: str, v: float) -> str:
    """A catalogue number in the current system with as many decimals as it needs (up to
    4 significant)."""
    if not _ok(v):
        return MISSING
    kind = kind_of(field)
    if kind is not None:
        v = convert(kind, v)
    if v == int(v) and abs(v) < 1e7:
        text = num(v, 0)
    elif abs(v) >= 1e7 or abs(v) < 1e-3:
        text = f"{v:.3g}"
    else:
        places = max(0, 3 - int(math.floor(math.log10(abs(v)))))
        text = num(v, places).rstrip("0").rstrip(".")
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


def temperature(v: Any, decimals: int = 1) -> str:
    """A temperature (°C) with its unit: 22.04 -> '22.0 °C', or '71.7 °F' in US units."""
    return with_unit(temp(v, decimals), label(TEMP))


def difference(v: Any, decimals: int = 1, signed: bool = False) -> str:
    """A temperature difference (K): 10 -> '10.0 K', or '18.0 °F' (no offset) in US units;
    ``signed``: '+18.0 °F' (B - A)."""
    text = quantity(DTEMP, v, decimals, sep=False)
    positive = _ok(v) and v > 0 and text.split()[0].strip("0.") != ""
    return "+" + text if signed and positive else text


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
