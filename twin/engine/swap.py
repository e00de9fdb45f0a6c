"""Generation swap (docs/physics.md §16): replace racks with another model and list what
breaks — every part over its limit after the swap that was not before, with its margin and
the smallest change that fixes it where one is computable.

Both floors are solved with the full model and compared through their ``twin simulate
--json`` documents, so the report's figures are the JSON's:

- cooling units, CDUs: load over capacity; fix: the units of the same model the group
  needs on top (its load over one unit's capacity, less what it has);
- power components: load over rating, or the worst single-side (2N) failover load over
  rating; fix: the rating needed (the load, rounded up to 50 kW);
- racks: inlet above the ASHRAE allowable limit; fix (first order): the supply
  set-points lower by the excess (inlets follow the supply one to one at fixed airflow);
  racks short of coolant, throttled, shut down or unpowered: fixed with their loop or feed;
- the plant: chiller load beyond the running chillers; fix: that much chiller capacity;
- the floor: racks over the distributed or concentrated rating; fix: the rating needed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from twin.engine.export import result_document
from twin.engine.simulate import Simulator
from twin.model import Layout
from twin.physics.metrics import ASHRAE_ALLOWABLE_C

RATING_STEP_KW = 50.0


@dataclass(frozen=True)
class Breakage:
    """One part over its limit after the swap."""

    part: str            # id (or "plant")
    kind: str            # cooling unit, CDU, power, rack inlet, coolant, plant, floor
    limit: str           # what is exceeded, e.g. "capacity 1,350 kW"
    value: float
    limit_value: float
    unit: str
    fix: str

    @property
    def margin(self) -> float:
        """limit − value (negative: over by that much)."""
        return self.limit_value - self.value


@dataclass
class SwapReport:
    """The swap, the figures before and after, and what breaks."""

    to_model: str
    racks: list[str]
    before: dict[str, Any]        # simulate --json documents
    after: dict[str, Any]
    breaks: list[Breakage]

    def summary(self) -> str:
        n = len(self.racks)
        b, a = self.before["metrics"], self.after["metrics"]
        head = (f"{n} rack{'s' if n != 1 else ''} to {self.to_model}: IT "
                f"{b['it_power_kw']:,.0f} \u2192 {a['it_power_kw']:,.0f} kW, PUE "
                f"{b['pue']:.3f} \u2192 {a['pue']:.3f}")
        if not self.breaks:
            return head + "; nothing breaks."
        kinds = sorted({x.kind for x in self.breaks})
        return head + f"; {len(self.breaks)} over their limits ({', '.join(kinds)})."

    def to_json(self) -> dict[str, Any]:
        keys = ("it_power_kw", "facility_power_kw", "pue", "tokens_per_s", "tokens_per_kwh",
                "usd_per_million_tokens", "worst_inlet_c")
        return {"to_model": self.to_model, "racks": self.racks, "summary": self.summary(),
                "before": {k: self.before["metrics"].get(k) for k in keys},
                "after": {k: self.after["metrics"].get(k) for k in keys},
                "breaks": [{**asdict(x), "margin": x.margin} for x in self.breaks]}


def swapped(layout: Layout, to_model: str, racks: list[str] | None = None,
            from_model: str | None = None) -> tuple[Layout, list[str]]:
    """A snapshot with ``racks`` (default: every rack of ``from_model``, or every rack)
    replaced by ``to_model``; per-rack power and airflow overrides are kept. Raises
    KeyError for an unknown model or rack, ValueError for a model that is not a rack."""
    cat = layout.catalogue
    if to_model not in cat:
        near = ", ".join(cat.closest(to_model)) or "none"
        raise KeyError(f"unknown model {to_model!r} (closest: {near})")
    if cat[to_model].kind != "rack":
        raise ValueError(f"{to_model!r} is a {cat[to_model].kind}, not a rack model")
    ids = [str(i) for i in layout.racks.ids]
    if racks is None:
        models = layout.racks["model"].tolist()
        racks = [i for i, m in zip(ids, models) if from_model is None or m == from_model]
    unknown = [r for r in racks if r not in set(ids)]
    if unknown:
        raise KeyError(f"no rack {unknown[0]!r} in the layout")
    snap = layout.snapshot()
    if racks:
        snap.set_rack_values(racks, "model", [to_model] * len(racks))
    return snap, list(racks)


def swap_report(layout: Layout, to_model: str, racks: list[str] | None = None,
                from_model: str | None = None) -> SwapReport:
    """Solve the floor before and after the swap and list what breaks (module
    docstring). Raises SolveError when either floor has no steady state."""
    snap, ids = swapped(layout, to_model, racks, from_model)
    before = result_document(layout, Simulator().run(layout.snapshot()))
    after = result_document(snap, Simulator().run(snap))
    return SwapReport(to_model, ids, before, after, what_breaks(snap, before, after))


def what_breaks(layout: Layout, before: dict[str, Any], after: dict[str, Any]
                ) -> list[Breakage]:
    """Parts over a limit in ``after`` that were not in ``before`` (module docstring)."""
    out: list[Breakage] = []
    out += _units(layout, before, after)
    out += _cdus(layout, before, after)
    out += _power(before, after)
    out += _racks(layout, before, after)
    out += _plant(before, after)
    out += _floor(before, after)
    return out


def _over(rows: list[dict[str, Any]], key: str) -> set[str]:
    return {r["id"] for r in rows if r.get(key) is not None and r[key] > 100.0 + 1e-9}


def _units(layout: Layout, before, after) -> list[Breakage]:
    rows = after["cooling_units"]
    new = _over(rows, "capacity_pct") - _over(before["cooling_units"], "capacity_pct")
    cat, out = layout.catalogue, []
    for r in rows:
        if r["id"] not in new:
            continue
        cap = r["load_kw"] / (r["capacity_pct"] / 100.0)
        model = _unit_model(layout, r["id"])
        same = [x for x in rows if _unit_model(layout, x["id"]) == model]
        short = sum(x["load_kw"] for x in same) - sum(
            x["load_kw"] / (x["capacity_pct"] / 100.0) for x in same if x["capacity_pct"])
        n = max(math.ceil(short / cap - 1e-9), 1) if cap > 0 else 1
        out.append(Breakage(r["id"], "cooling unit", f"capacity {cap:,.0f} kW", r["load_kw"],
                            cap, "kW", f"{n} more {cat[model].name if model in cat else 'such'}"
                            f" unit{'s' if n > 1 else ''}"
                            f" (the group is {max(short, 0):,.0f} kW short)"))
    return out


def _unit_model(layout: Layout, uid: str) -> str:
    u = layout.cooling_units.get(uid)
    return u.model if u is not None else ""


def _cdus(layout: Layout, before, after) -> list[Breakage]:
    rows = after["liquid"]["cdus"] if after.get("liquid") else []
    old = before["liquid"]["cdus"] if before.get("liquid") else []
    new = _over(rows, "capacity_pct") - _over(old, "capacity_pct")
    out = []
    for r in rows:
        if r["id"] in new:
            cap = r["load_kw"] / (r["capacity_pct"] / 100.0)
            over = r["load_kw"] - cap
            n = math.ceil(r["load_kw"] / cap - 1e-9) - 1
            out.append(Breakage(r["id"], "CDU", f"capacity {cap:,.0f} kW", r["load_kw"], cap,
                                "kW", f"{n} more CDU{'s' if n > 1 else ''} of this model on its "
                                f"loop, or {over:,.0f} kW of CDU capacity more"))
    return out


def _rating_kw(load_kw: float) -> float:
    return math.ceil(load_kw / RATING_STEP_KW - 1e-9) * RATING_STEP_KW


def _power(before, after) -> list[Breakage]:
    rows = after["power"]["components"]
    old = {r["id"]: r for r in before["power"]["components"]}
    out = []
    for r in rows:
        b = old.get(r["id"], {})
        if r["load_pct"] > 100.0 + 1e-9 and b.get("load_pct", 0.0) <= 100.0 + 1e-9:
            out.append(Breakage(r["id"], "power", f"rating {r['rating_kw']:,.0f} kW",
                                r["load_kw"], r["rating_kw"], "kW",
                                f"a rating of at least {_rating_kw(r['load_kw']):,.0f} kW"))
        elif (r["worst_failover_pct"] > 100.0 + 1e-9
              and b.get("worst_failover_pct", 0.0) <= 100.0 + 1e-9):
            load = r["rating_kw"] * r["worst_failover_pct"] / 100.0
            out.append(Breakage(r["id"], "power (2N failover)",
                                f"rating {r['rating_kw']:,.0f} kW with the other side lost",
                                load, r["rating_kw"], "kW",
                                f"a rating of at least {_rating_kw(load):,.0f} kW"))
    return out


def _racks(layout: Layout, before, after) -> list[Breakage]:
    limit = ASHRAE_ALLOWABLE_C[layout.hall.ashrae_class][1]
    old = {r["id"]: r for r in before["racks"]}
    hot = [r for r in after["racks"] if r.get("inlet_max_c") is not None
           and r["inlet_max_c"] > limit and (old.get(r["id"], {}).get("inlet_max_c") or 0) <= limit]
    out = [Breakage(r["id"], "rack inlet", f"ASHRAE {layout.hall.ashrae_class} allowable "
                    f"{limit:g} \u00b0C", r["inlet_max_c"], limit, "\u00b0C",
                    f"supply set-points {r['inlet_max_c'] - limit:.1f} K lower (first order)")
           for r in hot]
    bad = ("shutdown", "unpowered", "throttled")
    for r in after["racks"]:
        was = old.get(r["id"], {}).get("state")
        if r.get("state") in bad and was not in bad:
            # value: what the workloads ask for; limit: what the rack can run at
            out.append(Breakage(r["id"], "coolant" if r["state"] != "unpowered" else "power",
                                f"rack {r['state']}: runs at {r.get('power_kw', 0.0):,.0f} kW",
                                r.get("demand_kw", 0.0), r.get("power_kw", 0.0), "kW",
                                "more coolant flow or cooler coolant on its loop"
                                if r["state"] != "unpowered" else "an energised feed"))
    return out


def _plant(before, after) -> list[Breakage]:
    out = []
    for name, p in after.get("plant", {}).items():
        unmet = p.get("chiller_unmet_kw") or 0.0
        was = (before.get("plant", {}).get(name) or {}).get("chiller_unmet_kw") or 0.0
        if unmet > 1e-6 and was <= 1e-6:
            load = p["chiller_load_kw"]
            out.append(Breakage(f"plant/{name}", "plant", "running chillers' capacity", load,
                                load - unmet, "kW", f"{unmet:,.0f} kW more chiller capacity"))
    return out


def _floor(before, after) -> list[Breakage]:
    f, b = after.get("floor"), before.get("floor") or {}
    if not f:
        return []
    out = []
    if f["rating_kg_m2"] is not None:
        new = set(f["racks_over_rating"]) - set(b.get("racks_over_rating", []))
        if new:
            out.append(Breakage(", ".join(sorted(new)[:5]) + (" \u2026" if len(new) > 5 else ""),
                                "floor", f"distributed rating {f['rating_kg_m2']:,.0f} kg/m\u00b2",
                                f["max_rack_load_kg_m2"], f["rating_kg_m2"], "kg/m\u00b2",
                                f"a floor rated {math.ceil(f['max_rack_load_kg_m2'] / 50) * 50:,} "
                                "kg/m\u00b2, or lighter racks spread wider"))
    if f["point_rating_kn"] is not None:
        new = set(f["racks_over_point_rating"]) - set(b.get("racks_over_point_rating", []))
        if new:
            out.append(Breakage(", ".join(sorted(new)[:5]) + (" \u2026" if len(new) > 5 else ""),
                                "floor", f"point rating {f['point_rating_kn']:g} kN",
                                f["max_point_kn"], f["point_rating_kn"], "kN",
                                f"a point rating of at least {math.ceil(f['max_point_kn'] * 10) / 10:g}"
                                " kN (or load-spreading plates)"))
    return out
