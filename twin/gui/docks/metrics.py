"""The metrics dock: facility figures of one simulation (PUE, tokens per kWh, RCI, ...).

``MetricsPanel.set_result(result, layout)`` fills the panel from a ``TwinResult``;
``clear()`` shows the empty state. All widgets and chart items are built once and updated
in place (setText, ``BarGraphItem.setOpts``), so an update of a 1,440-rack result costs a
few milliseconds. Values are coloured by status where a published limit exists (ASHRAE
inlet classes, Herrlin's RCI bands, the alert thresholds for equipment load); every label
carries a tooltip with the metric's definition (docs/physics.md §8 Metrics). Rack and equipment ids in
the panel are links: activating one emits ``target_activated(id)``.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QGroupBox, QLabel, QScrollArea, QStackedLayout, QVBoxLayout, QWidget,
)

from twin.engine.simulate import TwinResult
from twin.gui.base.charts import axis_font, compact_plot, status_colour
from twin.gui.base.style import COLOURS
from twin.model import Layout, units
from twin.physics.metrics import ASHRAE_ALLOWABLE_C, ASHRAE_RECOMMENDED_C, worst_inlet_index

#: Facility power parts, in stacking order: (FacilityResult field, label, colour, tooltip).
POWER_PARTS = (
    ("it_kw", "IT equipment", "#5b8def",
     "Power drawn by the racks (GPUs, CPUs, network, fans, power-shelf losses)"),
    ("electrical_loss_kw", "Electrical losses", "#b48ef0",
     "Losses in transformers, UPS, PDUs/busways and mechanical distribution"),
    ("crah_fan_kw", "Air-unit fans", "#3fbfa8",
     "Fans of room air handlers, in-row coolers and rear doors (affinity law)"),
    ("cdu_pump_kw", "CDU pumps", "#ec9cc4",
     "Secondary-loop pumps of the coolant distribution units"),
    ("immersion_pump_kw", "Immersion pumps", "#c77dba", "Pumps of the immersion tanks"),
    ("facility_pump_kw", "Facility pumps", "#d6b36a",
     "Facility (primary) water and condenser water pumps"),
    ("chiller_kw", "Chillers", "#ee7d52",
     "Chiller compressors; zero while the economiser carries the load"),
    ("rejection_fan_kw", "Heat rejection", "#8e9aa8", "Dry cooler / cooling tower fans"),
)
#: The fabric rows: key, label, tooltip (docs/physics.md §23).
FABRIC_ROWS = (
    ("cables", "Cables", "Links of the fabric (GPU-leaf, switch-switch, front-end), by medium "
     "chosen by length and speed from the cited media table."),
    ("length", "Cable length", "Total routed length over the trays, drops and slack included."),
    ("optics", "Optics power", "Transceivers and active copper at both ends of every link; "
     "added to the IT power of the racks that hold them."),
    ("cost", "Cabling cost", "Cables and optics: per end plus per metre (estimates)."),
    ("bisection", "Bisection", "Bandwidth across the worst cut of the GPU ports into halves."),
    ("tray", "Tray fill", "Cable cross-section on the fullest tray piece over its usable "
     "section (50 % of the tray, TIA-569)."),
)
MEDIUM_SHORT = {"dac": "DAC", "acc": "ACC", "mmf": "MM", "smf_dr": "SM DR", "smf_fr": "SM FR",
                "none": "beyond reach"}
#: Inlet histogram bin width in K (divides the ASHRAE limits, so no bin straddles one).
BIN_K = 0.5
PLACEHOLDER = ("No results yet.\n\nMetrics appear here when the simulation has run: "
               "PUE, tokens per kWh, rack inlet temperatures and equipment headroom.")

CAPEX_LABELS = {"it": "IT", "cooling": "cooling", "power": "power", "building": "building"}
TIPS = {
    "it": "IT power: electrical power drawn by the racks (GPUs, CPUs, network, fans).",
    "facility": "Total facility power at the utility meter: IT + electrical losses + cooling.",
    "pue": "Power usage effectiveness (The Green Grid) = total facility power / IT power. "
           "1.0 would mean no overhead at all.",
    "tokens_kwh": "Tokens per kWh at the utility meter (\u201cgrid-to-token\u201d): tokens "
                  "produced per kWh drawn from the grid, all losses and cooling included.",
    "tokens_s": "Tokens per second produced by all racks at the current workloads.",
    "per_m_tokens": "USD per million tokens = (capital cost a year, straight-line over the IT "
                    "and facility lives, + energy a year) / (tokens a year / 1e6). Prices "
                    "from the catalogue, energy price and lives from the site settings.",
    "energy_per_m": "The energy part of the cost per million tokens: facility power at the "
                    "meter x hours x price / tokens.",
    "gpu_hour": "USD per GPU-hour: capital a year + energy a year over GPUs x hours a year.",
    "capex": "Capital cost: catalogue prices of the racks, cooling units, CDUs, tanks and "
             "power parts, plus the site's building cost per MW of IT nameplate.",
    "per_year": "Capital cost a year (straight line, no interest) + energy a year.",
    "utility_gpus": "GPUs of this floor's mix the utility feeds could carry at this IT power "
                    "per GPU and PUE.",
    "worst_inlet": "Hottest rack inlet air temperature (highest point of any rack's intake "
                   "face). ASHRAE recommends 18\u201327 \u00b0C; the hall's class sets the "
                   "allowable maximum.",
    "rci_hi": "Rack Cooling Index, high side (Herrlin): RCI_HI = [1 \u2212 \u03a3_{T>27}"
              "(T \u2212 27) / ((T_allow \u2212 27) n)] \u00d7 100 % over the n rack mean "
              "inlets. 100 % = no rack above 27 \u00b0C; \u2265 96 % good, 91\u201395 % "
              "acceptable, \u2264 90 % poor.",
    "rci_lo": "Rack Cooling Index, low side: RCI_LO = [1 \u2212 \u03a3_{T<18}(18 \u2212 T) "
              "/ ((18 \u2212 T_allow,min) n)] \u00d7 100 %. 100 % = no rack below 18 \u00b0C "
              "(over-cooling wastes energy).",
    "rti": "Return Temperature Index = (T_return \u2212 T_supply) / \u0394T_IT \u00d7 100 %. "
           "100 % balanced; below 100 % cold air bypasses the racks; above 100 % hot air "
           "recirculates into the racks.",
    "shi": "Supply Heat Index SHI = \u03b4Q / (Q + \u03b4Q), where \u03b4Q is the heat the "
           "supply air picks up before reaching the racks (T_in \u2212 T_sup) and Q the "
           "racks' own heat (T_out \u2212 T_in). Return Heat Index RHI = 1 \u2212 SHI. "
           "SHI 0 = no recirculation.",
    "capture": "Cold-aisle capture index: share of rack intake air that came straight from "
               "cooling supplies (airflow-weighted over racks). 1 = no recirculated exhaust.",
    "mean_inlet": "Airflow-weighted mean rack inlet temperature.",
    "airflow": "Air the room cooling units supply against the air the racks draw; a "
               "supply below the racks' draw means hot exhaust is drawn back into inlets.",
    "in_range": "Racks whose hottest inlet point lies within the ASHRAE recommended "
                "18\u201327 \u00b0C band.",
    "liquid_share": "Share of IT heat carried away by liquid (CDU loops and immersion "
                    "tanks) rather than air.",
    "cdu": "Highest CDU duty (rack heat + pump heat) as a share of its capacity; "
           "above 90 % is a warning, above 100 % the CDU cannot hold its supply temperature.",
    "air_units": "Highest cooling load of a room air handler or in-row cooler as a share "
                 "of its capacity; above 90 % is a warning, above 100 % supply air drifts "
                 "above set-point.",
    "losses": "Electrical losses of the power chain (transformers, UPS, PDUs) and of "
              "mechanical distribution; this heat is removed by cooling too.",
    "cooling": "Cooling power: air-unit fans, CDU and immersion pumps, facility pumps, "
               "chillers and heat-rejection fans.",
    "residual": "Energy-balance residual = (heat rejected \u2212 facility power) / facility "
                "power. Every watt drawn must leave as heat; this should be round-off.",
    "power_bar": "Where the facility's power goes: IT load, electrical losses and each "
                 "part of the cooling.",
    "histogram": "Number of racks by hottest inlet temperature (0.5 K bins). Green band: "
                 "ASHRAE recommended 18\u201327 \u00b0C; dashed red line: the allowable "
                 "maximum of the hall's ASHRAE class.",
}



def _set_worst_load(rows, key: str, ids, fractions, none_text: str) -> None:
    """Show the most loaded unit of a kind (share of capacity, its id as a link)."""
    if fractions is None or not len(ids):
        rows.set(key, units.MISSING, none_text)
        return
    frac = np.nan_to_num(fractions, nan=-1.0)
    j = int(np.argmax(frac))
    rows.set(key, units.percent(frac[j] * 100, 0), f"{_link(ids[j])} (max of {len(ids)})",
             _load_status(float(frac[j])))


def _link(target: str) -> str:
    return f"<a href=\"{target}\" style=\"color:{COLOURS['link']}\">{target}</a>"


def _rci_status(pct: float) -> str:
    if not math.isfinite(pct):
        return "neutral"
    return "ok" if pct >= 96 else "warning" if pct > 90 else "error"


def _load_status(fraction: float) -> str:
    if not math.isfinite(fraction):
        return "neutral"
    return "error" if fraction > 1.0 else "warning" if fraction > 0.9 else "ok"


def _inlet_status(t: float, allowable_max_c: float) -> str:
    if not math.isfinite(t):
        return "neutral"
    lo, hi = ASHRAE_RECOMMENDED_C
    return "error" if t > allowable_max_c else "warning" if t > hi else \
        "cold" if t < lo else "ok"


# ----------------------------------------------------------------------------- widgets
class _StatusLabel(QLabel):
    """A label whose text colour follows a status name (set only when it changes)."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self._status = ""
        self.set_status("neutral")

    def set_status(self, status: str) -> None:
        if status != self._status:
            self._status = status
            pal = self.palette()
            pal.setColor(QPalette.ColorRole.WindowText, status_colour(status))
            self.setPalette(pal)


class _Tile(QFrame):
    """A headline figure: small title, large value, one line of detail."""

    def __init__(self, title: str, tip: str, link_slot, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("metricTile")
        self.tip = tip
        self.setToolTip(units.localise(tip))
        self.title = QLabel(title)
        self.title.setObjectName("hint")
        self.value = _StatusLabel(units.MISSING)
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setWeight(QFont.Weight.DemiBold)
        self.value.setFont(font)
        self.detail = QLabel("")
        self.detail.setObjectName("hint")
        self.detail.linkActivated.connect(link_slot)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 5, 8, 5)
        lay.setSpacing(0)
        lay.addWidget(self.title)
        lay.addWidget(self.value)
        lay.addWidget(self.detail)

    def set(self, value: str, detail: str = "", status: str = "neutral") -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.value.set_status(status)


class _Rows:
    """A three-column grid in a group box: dim label, value, dim detail."""

    def __init__(self, title: str, link_slot):
        self.box = QGroupBox(title)
        self.grid = QGridLayout(self.box)
        self.grid.setContentsMargins(8, 6, 8, 6)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(3)
        self.grid.setColumnStretch(2, 1)
        self.values: dict[str, _StatusLabel] = {}
        self.details: dict[str, QLabel] = {}
        self.tips: dict[str, tuple[str, tuple[QWidget, ...]]] = {}
        self._link_slot = link_slot

    def add(self, key: str, label: str, tip: str) -> None:
        row = self.grid.rowCount()
        name = QLabel(label)
        value = _StatusLabel(units.MISSING)
        value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        detail = QLabel("")
        detail.setObjectName("hint")
        detail.setWordWrap(True)
        detail.linkActivated.connect(self._link_slot)
        for w in (name, value, detail):
            w.setToolTip(units.localise(tip))
        self.tips[key] = (tip, (name, value, detail))
        self.grid.addWidget(name, row, 0)
        self.grid.addWidget(value, row, 1)
        self.grid.addWidget(detail, row, 2)
        self.values[key], self.details[key] = value, detail

    def set(self, key: str, value: str, detail: str = "", status: str = "neutral") -> None:
        self.values[key].setText(value)
        self.values[key].set_status(status)
        self.details[key].setText(detail)

    def refresh_tips(self) -> None:
        """Tooltips again, in the current unit system."""
        for tip, widgets in self.tips.values():
            for w in widgets:
                w.setToolTip(units.localise(tip))


class _PowerBar:
    """A horizontal stacked bar of the facility power with a value legend below it."""

    def __init__(self) -> None:
        self.plot = compact_plot("Power [MW]", "", height=58)
        item = self.plot.getPlotItem()
        item.hideAxis("left")
        item.setYRange(-0.5, 0.5, padding=0)
        self.plot.setToolTip(TIPS["power_bar"])
        n = len(POWER_PARTS)
        self.bar = pg.BarGraphItem(x0=np.zeros(n), width=np.zeros(n), y=np.zeros(n),
                                   height=0.8, pen=pg.mkPen(COLOURS["base"], width=1),
                                   brushes=[QColor(c) for _k, _l, c, _t in POWER_PARTS])
        item.addItem(self.bar)
        self._unit = ""
        self.legend = QWidget()
        grid = QGridLayout(self.legend)
        grid.setContentsMargins(0, 2, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(1)
        grid.setColumnStretch(1, 1)
        self.rows: list[tuple[QLabel, ...]] = []
        for i, (_key, label, colour, tip) in enumerate(POWER_PARTS):
            swatch = QLabel()
            swatch.setFixedSize(10, 10)
            swatch.setStyleSheet(f"background: {colour}; border-radius: 2px;")
            name, value, share = QLabel(label), QLabel(), QLabel()
            share.setObjectName("hint")
            for w in (value, share):
                w.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row = (swatch, name, value, share)
            for col, w in enumerate(row):
                w.setToolTip(tip)
                grid.addWidget(w, i, col)
            self.rows.append(row)

    def set(self, parts_kw: np.ndarray) -> None:
        total = float(parts_kw.sum())
        unit, scale = ("MW", 1e-3) if total >= 1000 else ("kW", 1.0)
        if unit != self._unit:
            self._unit = unit
            self.plot.getPlotItem().setLabel("bottom", f"Power [{unit}]")
        widths = parts_kw * scale
        self.bar.setOpts(x0=np.concatenate([[0.0], np.cumsum(widths)[:-1]]), width=widths)
        self.plot.getPlotItem().setXRange(0, max(total * scale, 1e-9), padding=0.0)
        for i, row in enumerate(self.rows):
            kw = float(parts_kw[i])
            shown = i == 0 or kw > 0
            if row[0].isVisibleTo(self.legend) != shown:
                for w in row:
                    w.setVisible(shown)
            row[2].setText(units.power(kw))
            row[3].setText(units.percent(kw / total * 100 if total > 0 else math.nan))


class _InletHistogram:
    """Racks by hottest inlet temperature, with the ASHRAE bands drawn behind the bars."""

    STATUSES = ("cold", "ok", "warning", "error")

    def __init__(self) -> None:
        self.plot = compact_plot(units.title("Rack inlet", units.TEMP), "Racks", height=150)
        self.plot.setToolTip(units.localise(TIPS["histogram"]))
        item = self.plot.getPlotItem()
        lo, hi = ASHRAE_RECOMMENDED_C
        self.band = pg.LinearRegionItem((lo, hi), movable=False,
                                        brush=pg.mkBrush(87, 171, 90, 38),
                                        pen=pg.mkPen(87, 171, 90, 110))
        self.band.setZValue(-10)
        item.addItem(self.band)
        self.band_label = pg.TextItem("recommended", color=QColor(COLOURS["ok"]),
                                      anchor=(0.5, 0.0))
        self.band_label.setFont(axis_font())
        item.addItem(self.band_label)
        self.limit = pg.InfiniteLine(angle=90, movable=False,
                                     pen=pg.mkPen(COLOURS["error"], width=1.2,
                                                  style=Qt.PenStyle.DashLine),
                                     label="", labelOpts={"position": 0.88,
                                                          "color": COLOURS["error"],
                                                          "anchors": [(1, 0.5), (1, 0.5)]})
        self.limit.label.setFont(axis_font())
        item.addItem(self.limit)
        item.getAxis("bottom").setTickSpacing(5, 1)
        #: one bar item per status colour: a single brush draws with one drawRects call
        self.bars = {}
        for status in self.STATUSES:
            bar = pg.BarGraphItem(x0=np.zeros(0), width=BIN_K, height=np.zeros(0),
                                  pen=pg.mkPen(COLOURS["base"], width=1),
                                  brush=status_colour(status))
            item.addItem(bar)
            self.bars[status] = bar
        self.counts = np.zeros(0, dtype=np.int64)
        self._class = ""
        self._unit = units.label(units.TEMP)

    def refresh_units(self) -> None:
        """Axis title and tooltip in the current system (the bars follow on ``set``)."""
        self._unit, self._class = units.label(units.TEMP), ""
        self.plot.getPlotItem().setLabel("bottom", units.title("Rack inlet", units.TEMP))
        self.plot.setToolTip(units.localise(TIPS["histogram"]))

    def set(self, inlet_c: np.ndarray, ashrae_class: str) -> None:
        """Bin ``inlet_c`` in 0.5 K bins (in °C, so no bin straddles an ASHRAE limit) and
        draw the bins at their place on the current temperature scale."""
        allow_lo, allow_hi = ASHRAE_ALLOWABLE_C.get(ashrae_class, ASHRAE_ALLOWABLE_C["A1"])
        rec_lo, rec_hi = ASHRAE_RECOMMENDED_C
        t = inlet_c[np.isfinite(inlet_c)]
        start = math.floor(min(t.min() if t.size else rec_lo, rec_lo - 2.0) / BIN_K) * BIN_K
        stop = math.ceil(max(t.max() if t.size else rec_hi, allow_hi + 1.5) / BIN_K) * BIN_K
        edges = np.arange(start, stop + BIN_K / 2, BIN_K)
        self.counts, _ = np.histogram(t, edges)
        centre = edges[:-1] + BIN_K / 2
        status = np.where(centre > allow_hi, 3, np.where(centre > rec_hi, 2,
                                                          np.where(centre < rec_lo, 0, 1)))
        def x(c):                                          # °C to the shown scale
            return units.convert(units.TEMP, c)
        width = x(BIN_K) - x(0.0)
        for code, name in enumerate(self.STATUSES):
            m = (status == code) & (self.counts > 0)
            self.bars[name].setOpts(x0=x(edges[:-1][m]), height=self.counts[m], width=width)
        if ashrae_class != self._class:
            self._class = ashrae_class
            self.limit.label.setFormat(f"{ashrae_class} max {units.temperature(allow_hi)}")
        self.band.setRegion((x(rec_lo), x(rec_hi)))
        self.limit.setValue(x(allow_hi))
        top = max(int(self.counts.max()) if self.counts.size else 1, 1)
        step = _nice_step(top / 3)
        item = self.plot.getPlotItem()
        item.getAxis("left").setTickSpacing(step, step)
        y_top = top * 1.3 + 0.5
        item.setXRange(x(start), x(stop), padding=0.0)
        item.setYRange(0, y_top, padding=0.0)
        self.band_label.setPos(x((rec_lo + rec_hi) / 2), y_top)


def _nice_step(x: float) -> float:
    """1, 2 or 5 times a power of ten, at least 1 (rack counts are integers)."""
    if x <= 1:
        return 1.0
    p = 10 ** math.floor(math.log10(x))
    return float(next(m * p for m in (1, 2, 5, 10) if m * p >= x))


# ----------------------------------------------------------------------------- the panel
class MetricsPanel(QWidget):
    """Facility metrics of one simulation. ``target_activated(id)`` when a linked rack or
    equipment id is clicked."""

    target_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(
            "QFrame#metricTile { background: %(alt_base)s; border: 1px solid %(border)s;"
            " border-radius: 4px; }" % COLOURS)
        self.placeholder = QLabel(PLACEHOLDER)
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._shown: tuple[TwinResult, Layout] | None = None

        link = self.target_activated.emit
        self.tiles = {
            "it": _Tile("IT power", TIPS["it"], link),
            "facility": _Tile("Facility power", TIPS["facility"], link),
            "pue": _Tile("PUE", TIPS["pue"], link),
            "tokens_kwh": _Tile("Tokens per kWh", TIPS["tokens_kwh"], link),
            "tokens_s": _Tile("Tokens per second", TIPS["tokens_s"], link),
            "worst_inlet": _Tile("Worst rack inlet", TIPS["worst_inlet"], link),
        }
        tiles = QGridLayout()
        tiles.setSpacing(6)
        for i, tile in enumerate(self.tiles.values()):
            tiles.addWidget(tile, i // 2, i % 2)

        self.power = _PowerBar()
        power_box = QGroupBox("Power breakdown")
        power_lay = QVBoxLayout(power_box)
        power_lay.setContentsMargins(8, 6, 8, 6)
        power_lay.setSpacing(4)
        power_lay.addWidget(self.power.plot)
        power_lay.addWidget(self.power.legend)

        self.histogram = _InletHistogram()
        self.inlet_summary = QLabel()
        self.inlet_summary.setObjectName("hint")
        self.inlet_summary.setWordWrap(True)
        hist_box = QGroupBox("Rack inlet temperatures")
        hist_lay = QVBoxLayout(hist_box)
        hist_lay.setContentsMargins(8, 6, 8, 6)
        hist_lay.setSpacing(2)
        hist_lay.addWidget(self.histogram.plot)
        hist_lay.addWidget(self.inlet_summary)

        self.air = _Rows("Air management", link)
        for key, label in (("rci_hi", "RCI<sub>HI</sub>"), ("rci_lo", "RCI<sub>LO</sub>"),
                           ("rti", "RTI"), ("shi", "SHI / RHI"), ("capture", "Capture index"),
                           ("mean_inlet", "Mean inlet")):
            self.air.add(key, label, TIPS[key])
        self.equipment = _Rows("Cooling equipment", link)
        for key, label in (("liquid_share", "Heat to liquid"), ("cdu", "CDU load"),
                           ("air_units", "Air-unit load"), ("airflow", "Supply airflow")):
            self.equipment.add(key, label, TIPS[key])
        self.money = _Rows("Economics", link)
        for key, label in (("per_m_tokens", "Per million tokens"), ("energy_per_m", "Energy share"),
                           ("gpu_hour", "Per GPU-hour"), ("capex", "Capital cost"),
                           ("per_year", "Cost a year"), ("utility_gpus", "GPUs on the feed")):
            self.money.add(key, label, TIPS[key])
        self.energy = _Rows("Energy balance", link)
        for key, label in (("losses", "Electrical losses"), ("cooling", "Cooling power"),
                           ("residual", "Residual")):
            self.energy.add(key, label, TIPS[key])
        self.fabric = _Rows("Network fabric", link)
        for key, label, tip in FABRIC_ROWS:
            self.fabric.add(key, label, tip)

        body = QWidget()
        col = QVBoxLayout(body)
        col.setContentsMargins(6, 6, 6, 6)
        col.setSpacing(8)
        col.addLayout(tiles)
        for w in (power_box, hist_box, self.air.box, self.equipment.box, self.money.box,
                  self.energy.box, self.fabric.box):
            col.addWidget(w)
        col.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(body)
        self.stack = QStackedLayout(self)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.scroll)

    def clear(self) -> None:
        """Show the empty state (no simulation yet, or the layout changed shape)."""
        self._shown = None
        self.stack.setCurrentWidget(self.placeholder)

    def refresh_units(self) -> None:
        """Print everything again in the current unit system (View > Units)."""
        for tile in self.tiles.values():
            tile.setToolTip(units.localise(tile.tip))
        for rows in (self.air, self.equipment, self.money, self.energy, self.fabric):
            rows.refresh_tips()
        self.histogram.refresh_units()
        if self._shown is not None:
            self.set_result(*self._shown)

    @property
    def has_result(self) -> bool:
        return self.stack.currentWidget() is self.scroll

    # ------------------------------------------------------------------------- update
    def set_result(self, result: TwinResult, layout: Layout) -> None:
        """Show ``result`` (simulated from ``layout``); widgets are updated in place."""
        self._shown = (result, layout)
        fac, m = result.facility, result.metrics
        ashrae = layout.hall.ashrae_class.upper()
        allow_hi = ASHRAE_ALLOWABLE_C.get(ashrae, ASHRAE_ALLOWABLE_C["A1"])[1]
        t = self.tiles
        t["it"].set(units.power(fac.it_kw), f"{len(result.rack_ids):,} racks")
        t["facility"].set(units.power(fac.facility_kw), "at the utility meter")
        t["pue"].set(units.pue(fac.pue),
                     "facility \u00f7 IT")
        t["tokens_kwh"].set(units.count(fac.tokens_per_kwh), "grid-to-token")
        t["tokens_s"].set(units.count(fac.tokens_per_s), "all racks")
        self._set_inlets(result, ashrae, allow_hi)

        parts = np.array([getattr(fac, key) for key, *_ in POWER_PARTS], dtype=float)
        self.power.set(np.clip(np.nan_to_num(parts), 0.0, None))

        self._set_air(m, allow_hi)
        self._set_equipment(result)
        self._set_money(result)
        e = self.energy
        share = lambda kw: f"{kw / fac.facility_kw * 100:.1f} % of facility" \
            if fac.facility_kw > 0 else ""
        e.set("losses", units.power(fac.electrical_loss_kw), share(fac.electrical_loss_kw))
        e.set("cooling", units.power(fac.cooling_kw), share(fac.cooling_kw))
        r = abs(fac.energy_residual)
        e.set("residual", "< 0.001 %" if r < 1e-5 else f"{fac.energy_residual * 100:.3f} %",
              "heat out vs power\u00a0in", "ok" if r < 1e-3 else "warning")
        self._set_fabric(result)
        self.stack.setCurrentWidget(self.scroll)

    def _set_fabric(self, result: TwinResult) -> None:
        """The fabric's figures (docs/physics.md §23); the box hides without a fabric."""
        f, rows = result.fabric, self.fabric
        rows.box.setVisible(f is not None)
        if f is None:
            return
        t = f.totals()
        kinds = [f.media.medium[m] if m >= 0 else "none" for m in f.medium.tolist()]
        by_medium = " \u00b7 ".join(f"{kinds.count(k):,} {MEDIUM_SHORT.get(k, k)}"
                                    for k in sorted(set(kinds)))
        bad = int(t["links_over_planned_reach"])
        rows.set("cables", f"{int(t['links']):,}", by_medium, "warning" if bad else "neutral")
        rows.set("length", f"{t['cable_length_m'] / 1e3:,.2f} km",
                 f"{bad:,} beyond their planned cable" if bad else "")
        rows.set("optics", units.power(t["optics_kw"]), "in the racks' IT power")
        rows.set("cost", f"USD {t['cabling_usd'] / 1e6:,.2f} M", "cables and optics")
        rows.set("bisection", f"{t['bisection_tbps']:,.1f} Tb/s",
                 f"{t['worst_hops']:.0f} switch hops at most; {t['switches']:.0f} switches")
        fill = t["max_tray_fill"]
        rows.set("tray", f"{fill * 100:.0f} %", "fullest tray, of its usable section",
                 "warning" if fill > 1.0 else "ok")

    def _set_money(self, result: TwinResult) -> None:
        e, r = result.economics, self.money
        if e is None:
            for key in r.values:
                r.set(key, units.MISSING)
            return
        share = (f"{e.energy_usd_per_million_tokens / e.usd_per_million_tokens * 100:.0f} % "
                 "of the total" if e.usd_per_million_tokens else "")
        r.set("per_m_tokens", units.usd(e.usd_per_million_tokens), "capital + energy")
        r.set("energy_per_m", units.usd(e.energy_usd_per_million_tokens), share)
        r.set("gpu_hour", units.usd(e.usd_per_gpu_hour), f"{e.gpus:,} GPUs")
        r.set("capex", units.usd(e.capex_total_usd),
              " · ".join(f"{CAPEX_LABELS[k]} {units.usd(v)}" for k, v in e.capex_usd.items()))
        r.set("per_year", units.usd(e.cost_per_year_usd),
              f"energy {units.usd(e.energy_usd_per_year)}")
        within = e.gpus_within_utility
        r.set("utility_gpus", units.MISSING if within is None else f"{within:,}",
              f"feed {units.power(e.utility_kw)}" if e.utility_kw else "no feed rating",
              "neutral" if within is None or within >= e.gpus else "warning")

    def _set_inlets(self, result: TwinResult, ashrae: str, allow_hi: float) -> None:
        air = result.air
        tile = self.tiles["worst_inlet"]
        if air is None or len(air.rack_inlet_max_c) == 0:
            tile.set(units.MISSING, "no air-cooled racks")
            self.histogram.set(np.zeros(0), ashrae)
            self.inlet_summary.setText("No air solution: no rack heat goes to air, or no "
                                       "cooling unit is enabled.")
            return
        inlet = air.rack_inlet_max_c
        i = worst_inlet_index(inlet, air.rack_inlet_mean_c, result.rack_ids)
        worst = float(inlet[i])
        tile.set(units.temperature(worst), f"rack {_link(result.rack_ids[i])}",
                 _inlet_status(worst, allow_hi))
        self.histogram.set(inlet, ashrae)
        m = result.metrics
        n = len(inlet)
        parts = [f"{n:,} racks ({ashrae}): {m.get('racks_recommended', 0):,} recommended"]
        if m.get("racks_allowable_only"):
            parts.append(f"{m['racks_allowable_only']:,} allowable only")
        if m.get("racks_out_of_range"):
            parts.append(f"<span style='color:{COLOURS['error']}'>"
                         f"{m['racks_out_of_range']:,} out of range</span>")
        self.inlet_summary.setText(", ".join(parts))

    def _set_air(self, m: dict[str, float], allow_hi: float) -> None:
        a = self.air
        get = lambda k: float(m.get(k, math.nan))
        rci_hi, rci_lo, rti = get("rci_hi_pct"), get("rci_lo_pct"), get("rti_pct")
        rec_lo, rec_hi = (units.temperature(t, 0).replace(" ", "\u00a0")
                          for t in ASHRAE_RECOMMENDED_C)
        a.set("rci_hi", units.percent(rci_hi), f"mean inlets >\u00a0{rec_hi}" if rci_hi < 100
              else f"no mean inlet >\u00a0{rec_hi}" if math.isfinite(rci_hi) else "",
              _rci_status(rci_hi))
        a.set("rci_lo", units.percent(rci_lo), f"mean inlets <\u00a0{rec_lo}" if rci_lo < 100
              else f"no mean inlet <\u00a0{rec_lo}" if math.isfinite(rci_lo) else "",
              _rci_status(rci_lo))
        a.set("rti", units.percent(rti), "" if not math.isfinite(rti) else
              "bypass air" if rti < 95 else "recirculation" if rti > 105 else "balanced")
        shi, rhi = get("shi"), get("rhi")
        a.set("shi", units.MISSING if not math.isfinite(shi) else
              f"{abs(shi) if abs(shi) < 5e-3 else shi:.2f} / {rhi:.2f}",
              "0 = no recirculation" if math.isfinite(shi) else "")
        cap = get("capture_index")
        a.set("capture", units.index(cap),
              "from supplies" if math.isfinite(cap) else "")
        mean = get("mean_inlet_c")
        a.set("mean_inlet", units.temperature(mean), "airflow-weighted",
              _inlet_status(mean, allow_hi))

    def _set_equipment(self, result: TwinResult) -> None:
        eq = self.equipment
        fac = result.facility
        eq.set("liquid_share", units.percent(fac.liquid_heat_share * 100),
               units.power(fac.heat_to_liquid_kw))
        liq, air = result.liquid, result.air
        _set_worst_load(eq, "cdu", result.cdu_ids,
                        liq.cdus.capacity_fraction if liq is not None else None, "no CDUs")
        _set_worst_load(eq, "air_units", result.unit_ids,
                        air.unit_capacity_fraction if air is not None else None,
                        "no room cooling units")
        if air is None or not len(air.unit_airflow_m3s):
            eq.set("airflow", units.MISSING, "no room cooling units")
            return
        supply, draw = float(air.unit_airflow_m3s.sum()), float(air.rack_airflow_m3s.sum())
        eq.set("airflow", units.quantity(units.AIRFLOW, supply, 1),
               f"racks draw {units.quantity(units.AIRFLOW, draw, 1)}",
               "warning" if supply < draw else "ok")
