"""What one failure scenario does to the floor, against the base (docs/physics.md §12.2):
the table row of the N-1 sweep and its verdict.

Verdicts compare with the base solve, so a floor that already has a hot rack does not
make every scenario fail:

- **fails**: the scenario has no steady state, or more racks than in the base lose
  power, shut down for want of coolant, are short of coolant flow or draw air beyond
  the ASHRAE allowable band;
- **degraded**: none of that, but more racks throttle or sit above the recommended band,
  a coolant return passes its loop's limit, or a part is loaded beyond its rating that
  was not before;
- **survives**: otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from twin.engine.simulate import TwinResult
from twin.physics.metrics import ASHRAE_ALLOWABLE_C, ASHRAE_RECOMMENDED_C, worst_inlet_index

VERDICTS = ("survives", "degraded", "fails")
#: rack_state codes (twin.engine.simulate.RACK_STATE_NAMES)
_THROTTLED, _SHUTDOWN, _UNPOWERED = 1, 2, 3


@dataclass
class FloorState:
    """The figures of one solve that the sweep compares (all racks, ids in layout order)."""

    worst_inlet_c: float | None
    worst_inlet_rack: str | None
    above_recommended: list[str]
    beyond_allowable: list[str]
    worst_coolant_return_c: float | None
    coolant_over_limit: list[str]        # CDUs whose loop return passes its limit
    short_of_coolant: list[str]
    throttled: list[str]
    shut_down: list[str]
    unpowered: list[str]
    overloaded: list[str]                # units, CDUs, power parts beyond 100 %
    it_kw: float
    facility_kw: float
    pue: float | None

    @property
    def failed_racks(self) -> set[str]:
        return (set(self.beyond_allowable) | set(self.short_of_coolant)
                | set(self.shut_down) | set(self.unpowered))


def floor_state(result: TwinResult, ashrae_class: str, return_limit_c: np.ndarray | None
                ) -> FloorState:
    """The compared figures of ``result``; ``return_limit_c`` per CDU (None: no CDUs)."""
    ids = np.asarray(result.rack_ids, dtype=object)
    air, liq, f = result.air, result.liquid, result.facility
    worst_c = worst_rack = None
    above: list[str] = []
    beyond: list[str] = []
    if air is not None and len(ids):
        inlet = air.rack_inlet_max_c
        k = worst_inlet_index(inlet, air.rack_inlet_mean_c, result.rack_ids)
        if k >= 0:
            worst_c, worst_rack = float(inlet[k]), str(ids[k])
        above = list(ids[inlet > ASHRAE_RECOMMENDED_C[1]])
        beyond = list(ids[inlet > ASHRAE_ALLOWABLE_C[ashrae_class][1]])
    ret_c = None
    over_limit: list[str] = []
    short: list[str] = []
    overloaded: list[str] = []
    if liq is not None:
        on = liq.racks.cdu_index >= 0
        if on.any():
            ret_c = float(np.nanmax(np.where(on, liq.racks.return_c, np.nan)))
        short = list(ids[on & (liq.racks.flow_lpm < liq.racks.need_lpm * (1 - 1e-6))])
        if return_limit_c is not None:
            over_limit = [cid for cid, r, lim in zip(result.cdu_ids, liq.cdus.loop_return_c,
                                                     return_limit_c) if r > lim]
        overloaded += [cid for cid, x in zip(result.cdu_ids, liq.cdus.capacity_fraction)
                       if x > 1.0 + 1e-9]
    if air is not None:
        overloaded += [uid for uid, x in zip(result.unit_ids, air.unit_capacity_fraction)
                       if np.isfinite(x) and x > 1.0 + 1e-9]
    overloaded += [pid for pid, x in zip(result.power_ids, result.power.load_fraction)
                   if np.isfinite(x) and x > 1.0 + 1e-9]
    state = (result.rack_state if result.rack_state is not None
             else np.zeros(len(ids), np.int64))
    return FloorState(
        worst_inlet_c=worst_c, worst_inlet_rack=worst_rack, above_recommended=above,
        beyond_allowable=beyond, worst_coolant_return_c=ret_c, coolant_over_limit=over_limit,
        short_of_coolant=short, throttled=list(ids[state == _THROTTLED]),
        shut_down=list(ids[state == _SHUTDOWN]), unpowered=list(ids[state == _UNPOWERED]),
        overloaded=overloaded, it_kw=float(f.it_kw), facility_kw=float(f.facility_kw),
        pue=float(f.pue) if np.isfinite(f.pue) else None)


@dataclass
class Outcome:
    """One scenario's row: the failed component, what it does, the verdict and why."""

    component: str
    kind: str
    group: str
    verdict: str
    reasons: list[str]
    state: FloorState | None          # None: the scenario has no steady state
    error: str = ""
    racks_failed: list[str] = field(default_factory=list)   # beyond the base's
    delta_facility_kw: float | None = None
    delta_pue: float | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["state"] = None if self.state is None else asdict(self.state)
        return d


def _new(now: list[str], before: list[str]) -> list[str]:
    old = set(before)
    return [x for x in now if x not in old]


def judge(component, state: FloorState | None, base: FloorState, error: str = "",
          seconds: float = 0.0) -> Outcome:
    """The verdict of one scenario against the base (module docstring)."""
    if state is None:
        return Outcome(component.id, component.kind, component.group, "fails",
                       [error or "no steady state"], None, error, seconds=seconds)
    fails, degraded = [], []
    for label, now, before in (
            ("lose power", state.unpowered, base.unpowered),
            ("shut down (coolant)", state.shut_down, base.shut_down),
            ("short of coolant flow", state.short_of_coolant, base.short_of_coolant),
            ("beyond the allowable inlet band", state.beyond_allowable, base.beyond_allowable)):
        new = _new(now, before)
        if new:
            fails.append(f"{len(new)} rack{'s' if len(new) != 1 else ''} {label}")
    for one, many, named, now, before in (
            ("rack throttles", "racks throttle", False, state.throttled, base.throttled),
            ("rack above the recommended inlet band", "racks above the recommended inlet band",
             False, state.above_recommended, base.above_recommended),
            ("coolant return over its limit", "coolant returns over their limit", True,
             state.coolant_over_limit, base.coolant_over_limit),
            ("part over its rating", "parts over their rating", True, state.overloaded,
             base.overloaded)):
        new = _new(now, before)
        if new:
            which = f" ({', '.join(new[:3])}{', …' if len(new) > 3 else ''})" if named else ""
            degraded.append(f"{len(new)} {one if len(new) == 1 else many}{which}")
    verdict = "fails" if fails else "degraded" if degraded else "survives"
    d_pue = (state.pue - base.pue) if state.pue is not None and base.pue is not None else None
    return Outcome(component.id, component.kind, component.group, verdict, fails + degraded,
                   state, racks_failed=sorted(state.failed_racks - base.failed_racks),
                   delta_facility_kw=state.facility_kw - base.facility_kw, delta_pue=d_pue,
                   seconds=seconds)
