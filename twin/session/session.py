"""The editing session, Qt-free: everything the editor's views show and share.

``Session`` holds the layout being edited, its shared floor geometry, the selection, the
rack colouring and the colour-by registry, the heatmap choice, the latest physics result with its snapshot and
the solve status; it owns the live engine of its layout. Views and docks observe its
``events`` (a psygnal ``SignalGroup``) and never own what it holds. It is testable without
Qt: the engine's callbacks arrive on worker threads and reach the session through ``post``,
a callable that runs a function on the session's own thread (the GUI hands in a queued Qt
signal; tests may run it directly or from a queue).

Order of work on a layout change does not depend on who connected first: the session's
handler is connected with a high priority, so colouring and selection are consistent with
the new layout before any view's handler runs.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable

import numpy as np
from psygnal import Signal, SignalGroup

from twin.engine import layers, reference_layers
from twin.engine.layers import Heatmap
from twin.engine.live import LiveEngine, SolveInfo
from twin.engine.simulate import TwinResult
from twin.engine.worker import Cancelled
from twin.model import Change, ChangeKind, Layout
from twin.model.colour_by import STATIC_COLOURINGS
from twin.model.floor import FloorGeometry
from twin.model import units
from twin.model.viewstate import Colouring, RackColouring, Selection
from twin.physics.air.solver import SolveError

#: Colour-by choices available before any physics: key -> (menu label, function).
STATIC_LABELS = {"model": "Model", "nameplate_kw": "Nameplate power"}
#: Colour-by choices from the live result (``layers.METRICS`` keys) -> menu label.
LIVE_COLOURINGS = {"inlet": "Inlet temperature", "power": "Rack power",
                   "capture": "Capture index", "coolant": "Coolant return"}
#: Alert severities whose targets are marked in the views.
MARKED_SEVERITIES = ("critical", "warning")
#: Priority of the session's layout handler: before every view (psygnal default is 0).
FIRST = 100

Post = Callable[[Callable[[], None]], None]
ColourSource = Callable[[Layout], Colouring]


class SolvePhase(Enum):
    """Where the live physics stands for the layout on screen."""

    NOT_RUN = "not run"
    SOLVING = "solving"     # busy, nothing older to show
    STALE = "stale"         # busy (or waiting), an older result is shown
    FAST = "fast pass"      # a coarse pass of a drag is shown
    FRESH = "fresh"         # the refined result of the latest edit is shown
    ERROR = "error"         # the latest edit did not solve; the older result is shown


@dataclass(frozen=True)
class SolveStatus:
    """One line for the status bar and its tooltip. ``busy`` states may be shown late (a
    fast solve goes straight to its result); final ones are shown at once."""

    phase: SolvePhase
    text: str
    tooltip: str = ""

    @property
    def busy(self) -> bool:
        return self.phase in (SolvePhase.SOLVING, SolvePhase.STALE)


@dataclass(frozen=True)
class HeatmapChoice:
    """What the plan heatmap and the 3-D slice show: a ``layers.METRICS`` key or 'air' or
    'off', the slice height, and whether the 3-D slice and airflow arrows are drawn."""

    metric: str = "air"
    height_m: float = 1.0
    slice_3d: bool = True
    arrows: bool = False
    #: streamlines of the air field on the plan and in 3-D (twin/engine/streamlines.py)
    streamlines: bool = False
    #: the plan image resampled bilinearly (False: one flat colour per cell)
    smooth: bool = True
    #: the user's own range of the temperature scale (low, high °C) for rack inlets and
    #: air; None: the hall's ASHRAE-class scale (docs/physics.md §22)
    temperature_range: tuple[float, float] | None = None
    #: 3-D vertical air-temperature slices at x = slice_x_m / y = slice_y_m (None: off)
    slice_x_m: float | None = None
    slice_y_m: float | None = None
    #: the 3-D temperature iso-surface at iso_c °C (None: off; docs/physics.md §22)
    iso_c: float | None = None

    def plan_part(self) -> HeatmapChoice:
        """The choice without the 3-D sections (what the plan heatmap depends on)."""
        return dataclasses.replace(self, slice_x_m=None, slice_y_m=None, iso_c=None)


class SessionEvents(SignalGroup):
    """What observers hear. Selection and colouring have their own signals
    (``session.selection.changed``, ``session.colouring.changed``)."""

    status = Signal(object)          # SolveStatus
    result = Signal(object)          # SolveInfo of the result now in ``session.result``
    failed = Signal(str)             # the latest edit could not be solved: the message
    cleared = Signal()               # results forgotten (File > New / Open)
    alert_ids = Signal(frozenset)    # targets of the alerts marked in the views
    heatmap = Signal(object)         # HeatmapChoice
    heatmap_presets = Signal(object)  # (mid_m, top_m, ceiling_m) for a new layout
    colour_key = Signal(str)         # the colour-by choice changed
    colour_sources = Signal(str, str)  # a colour-by choice was added: key, label


class Session:
    """One editing session on one ``Layout`` object (File > Open replaces its contents)."""

    def __init__(self, layout: Layout, post: Post | None = None, live: bool = True,
                 isolate: bool = True):
        self.layout = layout
        #: Footprints and conflicts, derived once per change for every view.
        self.floor = FloorGeometry(layout)
        self.events = SessionEvents()
        self.selection = Selection()
        self.colouring = RackColouring()
        self.colour_key = "model"
        self.colour_sources: dict[str, tuple[str, ColourSource]] = {
            k: (STATIC_LABELS.get(k, k), f) for k, f in STATIC_COLOURINGS.items()}
        self.heatmap = HeatmapChoice()
        self.result: TwinResult | None = None
        #: a CFD run's rack inlets shown beside the live model (reference heatmaps)
        self.reference: reference_layers.RackReference | None = None
        self.snapshot: Layout | None = None
        self.info: SolveInfo | None = None
        self.error: BaseException | None = None
        self.status = SolveStatus(SolvePhase.NOT_RUN, "Simulation: not run")
        self.alert_ids: frozenset[str] = frozenset()
        self.engine: LiveEngine | None = None
        self._post: Post = post or (lambda fn: fn())
        self._isolate = isolate
        self._generation = 0
        self._index: dict[str, int] = {}
        self._last_change_s = time.perf_counter()
        self._shown: SolveInfo | None = None
        self._closed = False
        self._held = False                # the engine is held: a footprint is outside
        #: the what-if scenario shown instead of the base (its label), and the base to go
        #: back to
        self.scenario: str | None = None
        self._base: tuple | None = None
        layout.changed.connect(self._on_layout_changed, priority=FIRST)
        self.colouring.set(self._compute_colouring())
        self._reset_heatmap_height()
        if live:
            for key, label in LIVE_COLOURINGS.items():
                self.add_colouring(key, label, self._live_source(key))
            self.start()

    # ================================================================== engine lifecycle
    def start(self) -> None:
        """(Re)create the engine for the current layout and ask for a first solve."""
        if self._closed:
            return
        if self.engine is not None:
            self.engine.close()
        self._generation += 1
        g, post = self._generation, self._post
        self.engine = LiveEngine(
            self.layout,
            on_result=lambda r, s, i: post(lambda: self._on_result(g, r, s, i)),
            on_error=lambda e, i: post(lambda: self._on_error(g, e, i)),
            on_progress=lambda f, m: post(lambda: self._on_progress(g, f, m)),
            on_started=lambda _rid, coarse: post(lambda: self._on_started(g, coarse)),
            isolate=self._isolate)
        self._set_status(SolvePhase.SOLVING, "Solving\u2026", "First solve of this layout")
        self.engine.request()

    def close(self) -> None:
        """Stop the engine (window closing); late results are dropped."""
        if self._closed:
            return
        self._closed = True
        self._generation += 1
        self.layout.changed.disconnect(self._on_layout_changed)
        self.floor.close()
        if self.engine is not None:
            self.engine.close()
            self.engine = None

    def begin_drag(self) -> None:
        if self.engine is not None:
            self.engine.begin_drag()

    def end_drag(self) -> None:
        if self.engine is not None:
            self.engine.end_drag()

    @property
    def busy(self) -> bool:
        """A solve is queued or running."""
        return self.engine is not None and self.engine.busy

    @property
    def up_to_date(self) -> bool:
        """The refined result (or error) of the latest edit is what is shown."""
        s = self._shown
        return s is not None and not s.coarse and s.submitted_s >= self._last_change_s

    # ====================================================================== colouring
    def add_colouring(self, key: str, label: str, source: ColourSource) -> None:
        """Offer another colour-by choice."""
        self.colour_sources[key] = (label, source)
        self.events.colour_sources.emit(key, label)

    def set_colour_by(self, key: str) -> None:
        if key not in self.colour_sources:
            raise KeyError(f"unknown colouring {key!r}")
        self.colour_key = key
        self.colouring.set(self._compute_colouring())
        self.events.colour_key.emit(key)

    def _compute_colouring(self) -> Colouring:
        return self.colour_sources[self.colour_key][1](self.layout)

    def _live_source(self, key: str) -> ColourSource:
        return lambda layout: self.colouring_for(key, layout)

    def colouring_for(self, key: str, layout: Layout | None = None) -> Colouring:
        """The live colour-by ``key`` from the latest result, aligned with ``layout``."""
        layout = self.layout if layout is None else layout
        label, unit, cmap = layers.METRICS[key]
        if self.result is None:
            values = np.full(len(layout.racks), np.nan)
            lo, hi = layers.value_range(key, values, layout.hall.ashrae_class)
            cmap = layers.colormap_of(key, layout.hall.ashrae_class)
            c = Colouring(key, label, unit, values, lo, hi, cmap)
        else:
            c = layers.rack_colouring(key, self.result)
            c = dataclasses.replace(c, values=self.to_live(c.values, layout))
        rng = self.heatmap.temperature_range
        if rng is not None and key in layers.TEMPERATURE_METRICS:
            c = dataclasses.replace(c, vmin=rng[0], vmax=rng[1],
                                    colormap=layers.USER_RANGE_COLORMAP)
        return c

    def to_live(self, values: np.ndarray, layout: Layout | None = None) -> np.ndarray:
        """Per-rack values of the latest result, re-ordered for ``layout``'s rack table
        (racks added since the result get NaN)."""
        ids = (self.layout if layout is None else layout).racks.ids
        res_ids = self.result.rack_ids if self.result is not None else []
        if len(ids) == len(res_ids) and all(a == b for a, b in zip(ids, res_ids)):
            return values
        idx = np.array([self._index.get(str(i), -1) for i in ids], dtype=int)
        out = np.full(len(ids), np.nan)
        have = idx >= 0
        out[have] = np.asarray(values, float)[idx[have]]
        return out

    # ======================================================================== heatmap
    def set_heatmap(self, **changes: Any) -> None:
        """Change what the heatmap shows (``HeatmapChoice`` fields)."""
        new = dataclasses.replace(self.heatmap, **changes)
        if new != self.heatmap:
            rescaled = new.temperature_range != self.heatmap.temperature_range
            self.heatmap = new
            self.events.heatmap.emit(new)
            if rescaled and self.colour_key in LIVE_COLOURINGS:
                self.colouring.set(self._compute_colouring())

    def heatmap_image(self) -> tuple[Heatmap | None, str]:
        """The heatmap of the current choice from the latest result, and a note saying
        why there is none (empty when there is one or nothing is asked for)."""
        res, snap, metric = self.result, self.snapshot, self.heatmap.metric
        if res is None or snap is None or metric == "off":
            return None, ""
        if metric in reference_layers.METRICS:      # a CFD run beside the live model
            return reference_layers.reference_heatmap(metric, snap, res, self.reference,
                                                      self.heatmap.temperature_range)
        hm = layers.heatmap(metric, snap, res, self.heatmap.height_m)
        if hm is not None:
            rng = self.heatmap.temperature_range
            if rng is not None and metric in layers.TEMPERATURE_METRICS:
                hm = dataclasses.replace(hm, levels=rng, colormap=layers.USER_RANGE_COLORMAP)
            return hm, ""
        if metric == "coolant":
            return None, "No coolant return to show: no rack here is on a CDU loop."
        if res.air is None:
            return None, "No air temperatures: no cooling unit moves air in this layout."
        if metric == "air":
            return None, "The air field is being refreshed\u2026"
        return None, "Nothing to show for this layout."

    def set_reference(self, ref: reference_layers.RackReference | None) -> None:
        """Show ``ref`` (a CFD run) beside the live model in the reference heatmaps
        (``heatmap_image``; the views redraw on their next update)."""
        self.reference = ref

    def heatmap_presets(self) -> tuple[float, float, float]:
        """Slice heights offered for this layout: rack mid height, rack top, ceiling."""
        mid, top = layers.rack_heights_m(self.layout)
        return mid, top, self.layout.hall.ceiling_height_m

    def _reset_heatmap_height(self) -> None:
        presets = self.heatmap_presets()
        self.events.heatmap_presets.emit(presets)
        self.set_heatmap(height_m=presets[0])

    # ==================================================================== model events
    def _on_layout_changed(self, change: Change) -> None:
        if not change.touches_physics:    # the drawing, trace or scenarios: nothing to solve
            return
        self._last_change_s = time.perf_counter()
        if change.changes_rack_set or change.any_of(ChangeKind.RACKS_CHANGED, field="model"):
            self.colouring.set(self._compute_colouring())
        if change.any_of(ChangeKind.RACKS_REMOVED, ChangeKind.ITEM_REMOVED, ChangeKind.RESET):
            all_ids = self.layout.all_ids()
            live = {i for i in self.selection.ids if i in all_ids}
            if live != self.selection.ids:
                self.selection.set(live)
        if change.is_reset:               # File > New / Open: a new engine, no old numbers
            self._forget()
            self._reset_heatmap_height()
            self._post(self.start)
            return
        outside = sorted(self.floor.outside)
        if self.engine is not None:       # runs before the engine's own handler
            if outside and self.engine.enabled:
                self.engine.enabled, self._held = False, True
            elif not outside and self._held:
                self.engine.enabled, self._held = True, False
        if outside:                       # no physics on an impossible floor
            names = ", ".join(outside[:3]) + (f" and {len(outside) - 3} more"
                                                if len(outside) > 3 else "")
            self._set_status(SolvePhase.STALE, f"Not solved · {names} outside the hall",
                             "A footprint leaves the hall, so the layout cannot be solved. "
                             "Drop it inside the hall (a drag outside is refused) or undo; "
                             "the views show the last result.")
            return
        if self.error is None:
            self._set_status(*self._busy("solving"),
                             "The layout changed since the results shown were computed")

    def _forget(self) -> None:
        self.result = self.snapshot = self.info = None
        self.error = None
        self._index = {}
        self._set_alert_ids(())
        if self.colour_key in LIVE_COLOURINGS:
            self.colouring.set(self._compute_colouring())
        self.events.cleared.emit()

    # ================================================================ worker -> session
    def _on_started(self, gen: int, coarse: bool) -> None:
        if gen == self._generation and self.error is None:
            self._set_status(*self._busy("fast pass" if coarse else "solving"),
                             "The physics is running in a background process")

    def _on_progress(self, gen: int, fraction: float, message: str) -> None:
        if gen == self._generation and self.error is None:
            self._set_status(*self._busy(f"solving\u2026 {fraction * 100:.0f} %"),
                             message or "Solving")

    def _on_error(self, gen: int, exc: BaseException, info: SolveInfo) -> None:
        if gen != self._generation or isinstance(exc, Cancelled):
            return
        self.error = exc
        self._shown = info
        kind = "" if isinstance(exc, (SolveError, ValueError)) else f"{type(exc).__name__}: "
        text = f"{kind}{exc}"
        first = text.splitlines()[0] if text else type(exc).__name__
        short = first if len(first) <= 70 else first[:67] + "\u2026"
        self._set_status(SolvePhase.ERROR, f"Solver error: {short}",
                         f"The last edit could not be solved:\n{text}\n\nThe views still "
                         "show the previous result. Undo (Ctrl+Z) or fix the layout.")
        self.events.failed.emit(text)

    def _on_result(self, gen: int, result: TwinResult, snap: Layout, info: SolveInfo) -> None:
        if gen != self._generation:
            return
        self.scenario = None            # a new solve of the layout ends a scenario view
        self._base = None
        self._shown = info              # (``_fresh`` asks whether it is up to date)
        self._show(result, snap, info, self._fresh(result, info))

    def _show(self, result: TwinResult, snap: Layout, info: SolveInfo,
              status: tuple[SolvePhase, str, str]) -> None:
        self.result, self.snapshot, self.info = result, snap, info
        self._shown = info
        self.error = None
        self._index = {rid: i for i, rid in enumerate(result.rack_ids)}
        if self.colour_key in LIVE_COLOURINGS:
            self.colouring.set(self._compute_colouring())
        self._set_alert_ids(a.target for a in result.alerts if a.severity in MARKED_SEVERITIES)
        self._set_status(*status)
        self.events.result.emit(info)

    # ====================================================================== scenarios
    def show_scenario(self, label: str, result: TwinResult, snap: Layout) -> None:
        """Show a what-if result (``snap``: the layout with something failed) in every
        view without changing the layout; :meth:`clear_scenario` goes back to the base."""
        if self.scenario is None:
            self._base = (self.result, self.snapshot, self.info, self.status)
        self.scenario = label
        now = time.perf_counter()
        info = SolveInfo(-1, False, True, now, now, cached=True)
        self._show(result, snap, info, (
            SolvePhase.FRESH, f"Scenario: {label} · Esc returns to the base",
            f"The views show the floor with {label}; the layout itself is unchanged."))

    def clear_scenario(self) -> bool:
        """Back to the base result after :meth:`show_scenario`; False when none is shown."""
        if self.scenario is None or self._base is None:
            return False
        result, snap, info, status = self._base
        self.scenario, self._base = None, None
        if result is None or snap is None or info is None:
            # nothing was solved before the scenario: the views drop its numbers
            self._forget()
            self._set_status(status.phase, status.text, status.tooltip)
            return True
        self._show(result, snap, info, (status.phase, status.text, status.tooltip))
        return True

    def _set_alert_ids(self, ids) -> None:
        new = frozenset(ids)
        if new != self.alert_ids:
            self.alert_ids = new
            self.events.alert_ids.emit(new)

    # ========================================================================= status
    def _set_status(self, phase: SolvePhase, text: str, tooltip: str = "") -> None:
        self.status = SolveStatus(phase, text, tooltip)
        self.events.status.emit(self.status)

    def _busy(self, what: str) -> tuple[SolvePhase, str]:
        """'Stale · solving…' while an older result is shown, else 'Solving…'."""
        what = what if "\u2026" in what else what + "\u2026"
        if self.result is not None:
            return SolvePhase.STALE, f"Stale \u00b7 {what}"
        return SolvePhase.SOLVING, what.capitalize()

    def _fresh(self, result: TwinResult, info: SolveInfo) -> tuple[SolvePhase, str, str]:
        took = result.timing_s.get("total_s", info.latency_s)
        air = result.air
        balance = 100 * result.facility.energy_residual   # the facility's, all heat paths
        air_balance = air.residual_pct if air is not None else None
        parts = [f"{k.removesuffix('_s')} {units.seconds(v)}"
                 for k, v in result.timing_s.items() if k != "total_s"]
        if info.cached:
            how = "Same layout as an earlier solve (e.g. after undo): its result again"
        elif info.coarse:
            how = "Fast (coarse) pass while dragging"
        elif info.settle:
            how = "Refined solve, buoyancy drift settled after the airflow-reusing pass"
        else:
            how = "Refined solve" + (", airflow re-solved" if info.geometry_changed
                                     else ", airflow reused")
        tip = (f"{how}\n"
               f"Solve {units.seconds(took)} ({', '.join(parts)}); edit to result "
               f"{units.seconds(info.latency_s)}\nEnergy balance residual "
               f"{units.small(balance)} % of the facility power (air: "
               f"{units.small(air_balance)} % of the heat in)\n{len(result.alerts)} alert(s)")
        if info.coarse:
            phase, word = SolvePhase.FAST, "Fast pass"
        elif self.up_to_date:
            phase, word = SolvePhase.FRESH, "Fresh (cached)" if info.cached else "Fresh"
        else:
            phase, word = SolvePhase.STALE, "Stale"
        return (phase, f"{word} \u00b7 {units.seconds(took)} \u00b7 facility balance "
                f"{units.small(balance)} %", tip)

    # ======================================================================= read-outs
    def rack_index(self, rack_id: str) -> int | None:
        """Row of ``rack_id`` in the latest result."""
        return self._index.get(rack_id)

    def live_lines(self, item_id: str) -> str:
        """Live figures of a rack, cooling unit or CDU for tooltips ('' when none)."""
        res = self.result
        if res is None:
            return ""
        if self.error is not None:
            head = "(last good result; the current layout did not solve)\n"
        elif not self.up_to_date:
            head = "(updating\u2026)\n"
        else:
            head = ""
        lines = []
        air, liq = res.air, res.liquid
        i = self._index.get(item_id)
        if i is not None:
            if air is not None:
                t = units.temperature
                lines.append(f"Inlet {t(air.rack_inlet_mean_c[i])} "
                             f"(max {t(air.rack_inlet_max_c[i])}) \u00b7 exhaust "
                             f"{t(air.rack_exhaust_c[i])}")
            power = f"Power {res.rack_power_kw[i]:.1f} kW"
            if res.rack_liquid_heat_kw[i] > 0:
                power += (f" (air {res.rack_air_heat_kw[i]:.1f}, liquid "
                          f"{res.rack_liquid_heat_kw[i]:.1f} kW)")
            lines.append(power)
            if liq is not None and liq.racks.cdu_index[i] >= 0:
                b = liq.racks
                flow = units.quantity(units.LIQUID_FLOW, b.flow_lpm[i], 0)
                lines.append(f"Coolant {flow} (needs "
                             f"{units.value(units.LIQUID_FLOW, b.need_lpm[i], 0)}), supply "
                             f"{units.temperature(b.supply_c[i])}, return "
                             f"{units.temperature(b.return_c[i])}")
            if air is not None:
                lines.append(f"Capture index {air.rack_capture_index[i]:.2f}")
        elif item_id in res.unit_ids and air is not None:
            j = res.unit_ids.index(item_id)
            if np.isfinite(air.unit_return_c[j]):
                lines.append(f"Load {air.unit_load_w[j] / 1e3:.1f} kW "
                             f"({air.unit_capacity_fraction[j] * 100:.0f} % of capacity)")
                lines.append(f"Return {units.temperature(air.unit_return_c[j])} \u00b7 supply "
                             f"{units.temperature(air.unit_supply_c[j])} \u00b7 "
                             f"{units.quantity(units.AIRFLOW, air.unit_airflow_m3s[j], 2)}")
            else:
                lines.append("Off (disabled)")
        elif item_id in res.cdu_ids and liq is not None:
            j = res.cdu_ids.index(item_id)
            c = liq.cdus
            lines.append(f"Load {c.load_w[j] / 1e3:.0f} kW "
                         f"({c.capacity_fraction[j] * 100:.0f} % of capacity)")
            lines.append(f"Flow {units.quantity(units.LIQUID_FLOW, c.flow_lpm[j], 0)} "
                         f"\u00b7 loop supply {units.temperature(c.loop_supply_c[j])}, return "
                         f"{units.temperature(c.loop_return_c[j])}")
        alerts = [a.message for a in res.alerts if a.target == item_id]
        lines += [f"\u26a0 {units.localise(m)}" for m in alerts[:3]]
        return head + "\n".join(lines) if lines else ""
