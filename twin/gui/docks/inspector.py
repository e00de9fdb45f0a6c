"""The properties inspector: edit the selected racks or items, or the hall when nothing is
selected. Every edit goes through the undoable ``Editor``; labels carry units ("x [m]"),
numbers show and take the unit system of View > Units (a field's kind comes from its name,
``units.kind_of``) and are written in SI.

Multi-selection shows the fields the selected things have in common; a field whose values
differ shows "(mixed)" until the user sets it, which sets it on all of them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QFrame, QGroupBox, QLabel, QLineEdit,
    QScrollArea, QSpinBox, QVBoxLayout, QWidget,
)

from twin.gui.base.commands import Editor
from twin.gui.base.wheel import wheel_needs_focus
from twin.io import spec
from twin.model import Layout, units
from twin.model.equipment import ROTATIONS
from twin.model.events import ChangeKind
from twin.model.summary import summarise
from twin.model.viewstate import Selection

MIXED = "(mixed)"
NONE_LABEL = "(none)"
_UNSET = object()

#: Labels of fields whose name does not say it well; the unit of the name's suffix (in the
#: current system, ``units.unit_of``) is appended unless the label has its own.
SPECIAL_LABELS = {"x_m": "x", "y_m": "y", "x0_m": "x\u2080", "y0_m": "y\u2080",
                  "x1_m": "x\u2081", "y1_m": "y\u2081", "id": "ID",
                  "cdu": "CDU", "feed_a": "Feed A", "feed_b": "Feed B",
                  "ashrae_class": "ASHRAE class", "ua_kw_per_k": "UA",
                  "redundancy_target": "Redundancy target",
                  "rotation_deg": "Rotation", "open_fraction": "Open area [0\u20131]",
                  "utilisation": "Utilisation [0\u20131]", "rack": "Rear door of rack",
                  "gpus": "GPUs", "it_kw": "IT load", "failed_pumps": "Failed pumps",
                  "header_k_pa_per_m3s2": "Header loss k",
                  "approach_k": "Approach",
                  "power_kw": "Fixed power", "airflow_m3s": "Fixed airflow",
                  "airflow_m3s_per_kw": "Airflow per kW",
                  "liquid_share": "Liquid share [0\u20131]", "height_m": "Height",
                  "weight_kg": "Weight", "dry_bulb_c": "Design dry bulb",
                  "wet_bulb_c": "Design wet bulb",
                  "electricity_usd_per_kwh": "Energy price [USD/kWh]",
                  "operating_hours_per_year": "Hours run a year [h]",
                  "building_usd_per_mw": "Building per MW IT [USD]",
                  "it_life_years": "IT life [years]", "facility_life_years": "Facility life [years]",
                  "power_architecture": "Power distribution",
                  "floor_rating_kg_m2": "Floor rating",
                  "floor_point_rating_kn": "Point rating", "floor_bay_m": "Floor bay"}
TIPS = {
    "id": "Unique id of this item in the layout (read-only)",
    "name": "Display name",
    "model": "Catalogue model: sets size, power, airflow and cooling numbers",
    "x_m": "Plan position of the footprint centre, east of the hall's south-west corner",
    "y_m": "Plan position of the footprint centre, north of the hall's south-west corner",
    "rotation_deg": "Direction the front (air intake) faces: 0\u00b0 south, 90\u00b0 east, "
                    "180\u00b0 north, 270\u00b0 west",
    "workload": "What runs on this rack: sets GPU utilisation and power",
    "feed_a": "Power feed on side A (PDU, RPP or busway)",
    "feed_b": "Power feed on side B (PDU, RPP or busway); in 2N either side carries the rack",
    "cdu": "Coolant distribution unit whose secondary loop cools this rack's liquid share",
    "supply_setpoint_c": "Supply air temperature setpoint (empty: catalogue default)",
    "airflow_m3s": "Design airflow (empty: catalogue default)",
    "capacity_kw": "Cooling capacity (empty: catalogue default)",
    "facility_supply_c": "Facility water supply temperature",
    "facility_flow_lpm": "Facility water flow",
    "return_limit_c": "Alert when the coolant return exceeds this temperature",
    "water_class": "ASHRAE liquid cooling class: maximum facility water supply temperature",
    "ua_kw_per_k": "Heat-exchanger conductance UA (empty: catalogue default)",
    "width_m": "Hall extent along x (east)",
    "length_m": "Hall extent along y (north)",
    "ceiling_height_m": "Floor to ceiling height",
    "tile_pitch_m": "Floor tile pitch; racks snap to this grid",
    "plenum_depth_m": "Raised-floor plenum depth",
    "ashrae_class": "ASHRAE TC9.9 air class for inlet temperature alerts",
    "redundancy_target": "Design redundancy of air units, CDUs, pumps, UPSs and transformers: "
                         "N\u22121 alerts when a group cannot carry its load after the "
                         "failures this target allows",
}
ROTATION_LABELS = {0: "0\u00b0 \u2014 front south", 90: "90\u00b0 \u2014 front east",
                   180: "180\u00b0 \u2014 front north", 270: "270\u00b0 \u2014 front west"}
RACK_SPEC = [("id", "text"), ("name", "text"), ("model", "choice"), ("x_m", "float"),
             ("y_m", "float"), ("rotation_deg", "choice"), ("workload", "choice"),
             ("feed_a", "choice"), ("feed_b", "choice"), ("cdu", "choice"),
             # measured or fixed values that override the catalogue (format v2)
             *[(name, "choice" if spec.RACK_OVERRIDES[name].kind == "enum" else "float")
               for name in spec.RACK_OVERRIDES]]
SINGLE_ONLY = {"id", "name", "x_m", "y_m", "x0_m", "y0_m", "x1_m", "y1_m"}
COLLECTION_LABELS = {"racks": ("rack", "racks"), "cooling_units": ("cooling unit", "cooling units"),
                     "cdus": ("CDU", "CDUs"), "tanks": ("immersion tank", "immersion tanks"),
                     "tiles": ("floor tile", "floor tiles"),
                     "grilles": ("grille", "grilles"),
                     "containment": ("containment", "containments"),
                     "power": ("power component", "power components"),
                     "workloads": ("workload", "workloads")}
#: Model collection -> spec fields (file keys expanded to model field names).
COLLECTION_SPECS: dict[str, dict[str, spec.Field]] = {}
for _key, (_fields, _cls, _coll) in spec.LIST_BLOCKS.items():
    expanded: dict[str, spec.Field] = {}
    for k, f in _fields.items():
        if k == "position_m":
            expanded["x_m"] = expanded["y_m"] = spec.num(True)
        elif k == "rect_m":
            for n in ("x0_m", "y0_m", "x1_m", "y1_m"):
                expanded[n] = spec.num(True)
        else:
            expanded[k] = f
    COLLECTION_SPECS[_coll] = expanded


def label_of(name: str) -> str:
    """'Supply setpoint [°F]' for ``supply_setpoint_c`` in US units."""
    unit = units.unit_of(name)
    if name in SPECIAL_LABELS:
        text = SPECIAL_LABELS[name]
        return f"{text} [{unit}]" if unit and "[" not in text else text
    base = name
    for suffix, _u in units.UNIT_SUFFIXES:
        if unit and name.endswith(suffix):
            base = name[: -len(suffix)]
            break
    text = base.replace("_", " ").strip().capitalize()
    return f"{text} [{unit}]" if unit else text


def _none_text(name: str) -> str:
    """What an unset nullable number means: an unchecked rating, else the catalogue's."""
    return "not checked" if name.startswith("floor_") else "catalogue default"


def decimals_of(name: str) -> int:
    if name.endswith("_m3s") or name.endswith("_per_kwh"):
        return 3
    if name.endswith("_per_mw") or name.endswith("_per_year"):
        return 0
    if name.endswith(("_lpm", "_pa_per_m3s2")):
        return 0
    if name.endswith(("_m",)) or "fraction" in name or "share" in name or name == "utilisation":
        return 2
    return 1


@dataclass
class Binding:
    """One editor row: which field, the widget, how to read and write the model."""

    name: str
    kind: str
    widget: QWidget
    read: Callable[[], list[Any]]
    write: Callable[[Any], None]
    nullable: bool = False
    choices: list[tuple[Any, str]] = field(default_factory=list)


@dataclass
class _RackForm:
    """A single-rack form: its widget, the ids list its bindings read and write (swapped
    for another rack), the choices it was built with and its catalogue-number labels."""

    host: QWidget
    ids: list[str]
    choices: dict
    info: list
    bindings: list


class Inspector(QWidget):
    """Properties of the selection (or the hall); edits go through ``editor``."""

    def __init__(self, editor: Editor, selection: Selection, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.selection = selection
        self.bindings: list[Binding] = []
        self._updating = False
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("hint")
        self.subtitle.setWordWrap(True)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.subtitle)
        lay.addWidget(self.scroll, 1)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh_values)
        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(0)
        self._rebuild_timer.timeout.connect(self.rebuild)
        #: the last single-rack form, shown or parked, which the next single rack reuses
        self._rack_form: _RackForm | None = None
        selection.changed.connect(self._schedule_rebuild)
        editor.layout.changed.connect(self._on_layout_changed)
        self.rebuild()
        QTimer.singleShot(0, self._prepare_rack_form)

    @property
    def layout_(self) -> Layout:
        return self.editor.layout

    # ----- scheduling ----------------------------------------------------------------
    def _schedule_rebuild(self, *_: Any) -> None:
        self._rebuild_timer.start()

    def _on_layout_changed(self, change) -> None:
        if change.changes_rack_set or change.any_of(
                ChangeKind.ITEM_ADDED, ChangeKind.ITEM_REMOVED) or change.any_of(collection="hall") \
                or change.any_of(collection="site"):
            self._rebuild_timer.start()
        else:
            self._refresh_timer.start()

    # ----- building ------------------------------------------------------------------
    def groups(self) -> dict[str, list[str]]:
        """Selected ids by collection (ids no longer in the layout are ignored)."""
        out: dict[str, list[str]] = {}
        for i in sorted(self.selection.ids):
            coll = self.editor.collection_of(i)
            if coll is not None:
                out.setdefault(coll, []).append(i)
        if "racks" in out:   # keep rack-table order
            idx = np.sort(self.layout_.racks.indices_of(out["racks"]))
            out["racks"] = self.layout_.racks.ids[idx].tolist()
        return out

    def rebuild(self) -> None:
        self._rebuild_timer.stop()
        groups = self.groups()
        if self._reuse_single_rack_form(groups):
            return
        self.bindings = []
        host, lay = self._new_host()
        if not groups:
            self._build_hall(lay)
        elif len(groups) == 1:
            coll, ids = next(iter(groups.items()))
            if coll == "racks":
                self._build_racks(lay, ids)
            else:
                self._build_items(lay, coll, ids)
        else:
            self._build_mixed(lay, groups)
        lay.addStretch(1)
        self._show_host(host)
        self.refresh_values()

    @staticmethod
    def _new_host() -> tuple[QWidget, QVBoxLayout]:
        host = QWidget()
        lay = QVBoxLayout(host)
        lay.setContentsMargins(0, 4, 0, 4)
        lay.setSpacing(8)
        return host, lay

    def _show_host(self, host: QWidget) -> None:
        """Put ``host`` in the scroll area; the form it replaces is deleted, unless it is
        the single-rack form, which is parked for the next single rack."""
        old = self.scroll.takeWidget()
        if old is not None and old is not host and (self._rack_form is None
                                                    or old is not self._rack_form.host):
            old.deleteLater()
        self.scroll.setWidget(host)

    def _prepare_rack_form(self) -> None:
        """Build a single-rack form, parked, while the window is idle after opening: the
        first rack selected (often by starting to drag it) then costs no build."""
        racks = self.layout_.racks
        if self._rack_form is not None or not len(racks):
            return
        shown = self.bindings, self.title.text(), self.subtitle.text()
        self.bindings = []
        try:
            host, lay = self._new_host()
            self._build_racks(lay, [str(racks.ids[0])])
            lay.addStretch(1)
        finally:
            self.bindings = shown[0]
            self.title.setText(shown[1])
            self.subtitle.setText(shown[2])

    def _reuse_single_rack_form(self, groups: dict[str, list[str]]) -> bool:
        """One rack selected after another (or after other things): keep the form, point
        its bindings at the new rack and show its values. Building the form anew costs
        ~50 ms on the 1,440-rack hall (hundreds of feed choices), and a drag that starts
        on an unselected rack selects it while the mouse moves."""
        form = self._rack_form
        if form is None or list(groups) != ["racks"] or len(groups["racks"]) != 1:
            return False
        rows = self._rack_info_rows(groups["racks"])
        if self._rack_choice_map() != form.choices or len(rows) != len(form.info):
            return False
        form.ids[:] = groups["racks"]
        if self.scroll.widget() is not form.host:
            self._show_host(form.host)
            self.bindings = form.bindings
        self._rack_title(form.ids)
        for (lab, val), (label, value, tip) in zip(form.info, rows):
            lab.setText(label)
            val.setText(value)
            lab.setToolTip(tip)
            val.setToolTip(tip)
        self.refresh_values()
        return True

    def _rack_choice_map(self) -> dict[str, list]:
        return {name: self._rack_choices(name) for name, _kind in RACK_SPEC}

    def _form(self, lay: QVBoxLayout, title: str) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(5)
        form.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(box)
        return form

    def _add(self, form: QFormLayout, binding: Binding, tip: str = "") -> None:
        label = QLabel(label_of(binding.name))
        tip = tip or TIPS.get(binding.name, "")
        if tip:
            unit = units.unit_of(binding.name)
            if unit and unit not in tip:
                tip = f"{tip} [{unit}]"
            label.setToolTip(tip)
            binding.widget.setToolTip(tip)
        binding.widget.setObjectName(f"field_{binding.name}")
        form.addRow(label, binding.widget)
        self.bindings.append(binding)

    def _make_widget(self, name: str, kind: str, f: spec.Field | None,
                     choices: list[tuple[Any, str]]) -> QWidget:
        if kind == "float":
            w = QDoubleSpinBox()
            lo = -1e6 if f is None or f.minimum is None else f.minimum
            hi = 1e6 if f is None or f.maximum is None else f.maximum
            if name in ("x_m", "y_m", "x0_m", "y0_m", "x1_m", "y1_m"):
                lo, hi = -1000.0, 3000.0
            kind = units.kind_of(name)
            dec = decimals_of(name)
            if kind is not None:             # shown in the current system, kept in SI
                lo, hi = sorted((units.convert(kind, lo), units.convert(kind, hi)))
                dec = units.decimals(kind, dec)
            w.setDecimals(dec)
            step = 10 ** -dec if dec else 1.0
            if f is not None and f.nullable:
                lo -= step
                w.setSpecialValueText(_none_text(name))
            w.setRange(lo, hi)
            w.setSingleStep(0.1 if name.endswith("_m") else step if dec >= 2 else 1.0)
            w.setKeyboardTracking(False)
            unit = units.unit_of(name)
            if unit:
                w.setSuffix(f" {unit}")
            w.setAccelerated(True)
            wheel_needs_focus(w)
            return w
        if kind == "int":
            w = QSpinBox()
            w.setRange(int(f.minimum) if f and f.minimum is not None else 0,
                       int(f.maximum) if f and f.maximum is not None else 1_000_000)
            w.setKeyboardTracking(False)
            wheel_needs_focus(w)
            return w
        if kind == "bool":
            return QCheckBox()
        if kind == "choice":
            w = QComboBox()
            w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            w.setMinimumContentsLength(10)
            for value, text in choices:
                w.addItem(text, value)
            wheel_needs_focus(w)
            return w
        w = QLineEdit()
        return w

    def _bind(self, form: QFormLayout, name: str, kind: str, f: spec.Field | None,
              read: Callable[[], list[Any]], write: Callable[[Any], None],
              choices: list[tuple[Any, str]] = (), readonly: bool = False, tip: str = "") -> None:
        choices = list(choices)
        w = self._make_widget(name, kind, f, choices)
        b = Binding(name, kind, w, read, write, bool(f is not None and f.nullable), choices)
        if readonly:
            if isinstance(w, QLineEdit):
                w.setReadOnly(True)
                w.setFrame(False)
            else:
                w.setEnabled(False)
        else:
            self._connect(b)
        self._add(form, b, tip)

    def _connect(self, b: Binding) -> None:
        w = b.widget
        if isinstance(w, QDoubleSpinBox):
            w.valueChanged.connect(lambda v, b=b: self._commit(b, self._spin_value(b, v)))
        elif isinstance(w, QSpinBox):
            w.valueChanged.connect(lambda v, b=b: self._commit(b, int(v)))
        elif isinstance(w, QCheckBox):
            w.clicked.connect(lambda checked, b=b: self._commit(b, bool(checked)))
        elif isinstance(w, QComboBox):
            w.activated.connect(lambda i, b=b: self._commit_choice(b, i))
        elif isinstance(w, QLineEdit):
            w.editingFinished.connect(lambda b=b: self._commit(b, b.widget.text()))

    @staticmethod
    def _spin_value(b: Binding, v: float) -> float | None:
        """The SI value of what the spin box shows (None: its 'unset' minimum)."""
        w = b.widget
        if b.nullable and v <= w.minimum():
            return None
        kind = units.kind_of(b.name)
        if kind is None:
            return round(float(v), w.decimals())
        return round(float(units.to_si(kind, round(float(v), w.decimals()))), 6)

    def _commit_choice(self, b: Binding, index: int) -> None:
        value = b.widget.itemData(index)
        if value is _UNSET or b.widget.itemText(index) == MIXED:
            return
        self._commit(b, value)

    def _commit(self, b: Binding, value: Any) -> None:
        if self._updating:
            return
        current = b.read()
        if len(set(map(_hashable, current))) == 1 and _same(current[0], value):
            return
        b.write(value)

    # ----- hall ----------------------------------------------------------------------
    def _build_hall(self, lay: QVBoxLayout) -> None:
        layout = self.layout_
        self.title.setText(layout.name or "Layout")
        self.subtitle.setText("Nothing selected: hall settings and totals. Click a rack or "
                              "unit to edit it.")
        form = self._form(lay, "Hall")
        specs = dict(spec.HALL)
        for name in ("name", "width_m", "length_m", "ceiling_height_m", "tile_pitch_m",
                     "raised_floor", "plenum_depth_m", "ceiling_return", "ashrae_class",
                     "redundancy_target", "floor_rating_kg_m2", "floor_point_rating_kn",
                     "floor_bay_m"):
            f = specs[name]
            kind, choices = _kind_of(f), [(c, c) for c in f.choices]

            def read(name=name):
                return [getattr(self.layout_.hall, name)]

            def write(v, name=name):
                hall = self.layout_.hall
                self.editor.set_settings("hall", dataclasses.replace(hall, **{name: v}),
                                         text=f"Set hall {label_of(name)}")
            self._bind(form, name, kind, f, read, write, choices)
        self._build_settings(lay, "Site and economics", "site", spec.SITE,
                             ("dry_bulb_c", "wet_bulb_c", "electricity_usd_per_kwh",
                              "operating_hours_per_year", "building_usd_per_mw",
                              "it_life_years", "facility_life_years", "power_architecture"))
        info = self._form(lay, "Totals (nameplate)")
        s = summarise(layout)
        c = s["cooling"]
        rows = [("Racks", units.num(s['racks'])), ("GPUs", units.num(s['gpus'])),
                ("IT nameplate [kW]", units.kw(s['it_nameplate_kw'])),
                ("IT typical [kW]", units.kw(s['it_typical_kw'])),
                ("Heat to liquid [kW]", units.kw(s['heat_to_liquid_typical_kw'])),
                ("Heat to air [kW]", units.kw(s['heat_to_air_typical_kw'])),
                ("Air cooling [kW]", f"{units.kw(c['air_capacity_kw'])} ({c['room_units']} units)"),
                ("Liquid cooling [kW]", f"{units.kw(c['liquid_capacity_kw'])} ({c['cdus']} CDUs)")]
        for label, value in rows:
            v = QLabel(value)
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            info.addRow(QLabel(label), v)

    def _build_settings(self, lay: QVBoxLayout, title: str, block: str, specs: dict,
                        names: tuple[str, ...]) -> None:
        """A form over fields of the ``block`` settings (site, plant): each edit one
        undoable step."""
        form = self._form(lay, title)
        for name in names:
            f = specs[name]
            kind, choices = _kind_of(f), [(c, c) for c in f.choices]

            def read(name=name):
                return [getattr(getattr(self.layout_, block), name)]

            def write(v, name=name):
                current = getattr(self.layout_, block)
                self.editor.set_settings(block, dataclasses.replace(current, **{name: v}),
                                         text=f"Set {block} {label_of(name)}")
            self._bind(form, name, kind, f, read, write, choices)

    # ----- racks ---------------------------------------------------------------------
    def _rack_choices(self, name: str) -> list[tuple[Any, str]]:
        layout = self.layout_
        if name == "model":
            return [(e.key, e.name) for e in layout.catalogue.of_kind("rack")]
        if name == "rotation_deg":
            return [(r, ROTATION_LABELS[r]) for r in ROTATIONS]
        if name == "workload":
            return [("", NONE_LABEL)] + [(w.id, f"{w.name or w.id} ({w.kind})")
                                         for w in layout.workloads.values()]
        if name in ("feed_a", "feed_b"):
            side = "A" if name == "feed_a" else "B"
            feeds = [p for p in layout.power.values() if p.kind in ("pdu", "busway")]
            feeds.sort(key=lambda p: (p.side != side, p.id))
            return [("", NONE_LABEL)] + [(p.id, f"{p.id} ({p.kind}{', side ' + p.side if p.side else ''})")
                                         for p in feeds]
        if name == "cdu":
            return [("", NONE_LABEL)] + [(c.id, f"{c.id} ({layout.catalogue[c.model].name})"
                                          if c.model in layout.catalogue else c.id)
                                         for c in layout.cdus.values()]
        f = spec.RACK.get(name)
        if f is not None and f.choices:
            return [(c, c if c != "" else NONE_LABEL) for c in f.choices]
        return []

    def _rack_title(self, ids: list[str]) -> None:
        layout = self.layout_
        if len(ids) == 1:
            model = layout.racks["model"][layout.racks.index_of(ids[0])]
            self.title.setText(f"Rack {ids[0]}")
            self.subtitle.setText(layout.catalogue[model].name if model in layout.catalogue
                                  else model)
        else:
            self.title.setText(f"{len(ids)} racks")
            self.subtitle.setText("Fields the selected racks share; setting one sets it on all.")

    def _build_racks(self, lay: QVBoxLayout, ids: list[str]) -> None:
        ids = list(ids)        # the bindings' own list (a reused form swaps its contents)
        single = len(ids) == 1
        self._rack_title(ids)
        choice_map = self._rack_choice_map()
        form = self._form(lay, "Rack" if single else "Common fields")
        for name, kind in RACK_SPEC:
            if not single and name in SINGLE_ONLY:
                continue

            def read(name=name):
                r = self.layout_.racks
                live = [k for k in ids if r.has(k)]
                values = [_plain(v) for v in r[name][r.indices_of(live)]]
                if spec.RACK_OVERRIDES.get(name, spec.TEXT).kind == "number":   # unset: NaN
                    values = [None if v != v else v for v in values]
                return values

            if name in ("x_m", "y_m"):
                def write(v, name=name):
                    x, y = self.editor.position_of(ids[0])
                    self.editor.move({ids[0]: (v, y) if name == "x_m" else (x, v)})
            elif name == "rotation_deg":
                def write(v):
                    self.editor.set_rack_field(ids, "rotation_deg", int(v), text="Rotate racks")
            else:
                def write(v, name=name):
                    self.editor.set_rack_field(ids, name, v, text=f"Set {label_of(name)}")
            f = spec.RACK.get(name)
            self._bind(form, name, kind, f, read, write, choice_map[name],
                       readonly=(name == "id"))
        info = self._rack_info(lay, ids)
        if single:
            if self._rack_form is not None and self._rack_form.host is not self.scroll.widget():
                self._rack_form.host.deleteLater()      # a parked one with old choices
            self._rack_form = _RackForm(lay.parentWidget(), ids, choice_map, info,
                                        self.bindings)

    def _rack_info(self, lay: QVBoxLayout, ids: list[str]) -> list[tuple[QLabel, QLabel]]:
        """The catalogue numbers of the racks; returns the (label, value) widgets."""
        form = self._form(lay, "Catalogue numbers" + (" (sum)" if len(ids) > 1 else ""))
        out = []
        for label, value, tip in self._rack_info_rows(ids):
            lab, val = QLabel(label), QLabel(value)
            lab.setToolTip(tip)
            val.setToolTip(tip)
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(lab, val)
            out.append((lab, val))
        return out

    def _rack_info_rows(self, ids: list[str]) -> list[tuple[str, str, str]]:
        layout = self.layout_
        models = layout.racks["model"][layout.racks.indices_of(ids)]
        cat = layout.catalogue
        uniq, counts = np.unique(models.astype(str), return_counts=True)
        total = lambda key: sum(n * (cat[m].get(key) if m in cat else 0.0)
                                for m, n in zip(uniq, counts))
        rows = [("Nameplate [kW]", units.kw(total('nameplate_kw'), 1),
                 "Nameplate (maximum) IT power from the catalogue, kW"),
                ("Typical [kW]", units.kw(total('typical_kw'), 1),
                 "Typical IT power under load from the catalogue, kW"),
                ("GPUs", units.num(total('gpus')), "GPUs in the selected racks")]
        if len(uniq) == 1 and uniq[0] in cat:
            e = cat[uniq[0]]
            rows.append(("Heat to liquid [%]", f"{e.get('liquid_fraction') * 100:.0f}",
                         "Share of rack heat removed by the liquid loop"))
            rows.append((units.title("Footprint", units.LENGTH),
                         " \u00d7 ".join(units.value(units.LENGTH, v, 2) for v in e.footprint_m),
                         "Width \u00d7 depth \u00d7 height"))
        return rows

    # ----- items ---------------------------------------------------------------------
    def _item_choices(self, coll: str, name: str, f: spec.Field) -> list[tuple[Any, str]]:
        layout = self.layout_
        if name == "model":
            kinds = {"cooling_units": ("crah", "inrow", "rdhx"), "cdus": ("cdu",),
                     "tanks": ("tank",)}.get(coll)
            if coll == "power":
                return [(e.key, e.name) for e in layout.catalogue
                        if e.kind in ("utility", "transformer", "ups", "pdu", "busway")]
            return [(e.key, e.name) for e in layout.catalogue.of_kind(*kinds)] if kinds else []
        if name == "rotation_deg":
            return [(r, ROTATION_LABELS[r]) for r in ROTATIONS]
        if name == "rack":
            return [("", NONE_LABEL)] + [(r, r) for r in layout.racks.ids.tolist()]
        if name == "workload":
            return [("", NONE_LABEL)] + [(w.id, w.name or w.id) for w in layout.workloads.values()]
        if name == "upstream":
            return [("", NONE_LABEL)] + [(p.id, f"{p.id} ({p.kind})") for p in layout.power.values()]
        if f.choices:
            return [(c, c if c != "" else NONE_LABEL) for c in f.choices]
        return []

    def _build_items(self, lay: QVBoxLayout, coll: str, ids: list[str]) -> None:
        layout = self.layout_
        single = len(ids) == 1
        one, many = COLLECTION_LABELS.get(coll, (coll, coll))
        first = layout.items[coll][ids[0]]
        if single:
            self.title.setText(f"{one[0].upper() + one[1:]} {ids[0]}")
            model = getattr(first, "model", "")
            self.subtitle.setText(layout.catalogue[model].name if model in layout.catalogue
                                  else "")
        else:
            self.title.setText(f"{len(ids)} {many}")
            self.subtitle.setText("Fields the selected items share; setting one sets it on all.")
        form = self._form(lay, one[0].upper() + one[1:] if single else "Common fields")
        specs = COLLECTION_SPECS.get(coll, {})
        for fld in dataclasses.fields(first):
            name = fld.name
            if not single and name in SINGLE_ONLY:
                continue
            f = specs.get(name)
            kind = "text" if f is None else _kind_of(f)
            if name == "rotation_deg" or name in ("model", "rack", "workload", "upstream"):
                kind = "choice"
            if kind == "profile":
                continue

            def read(name=name):
                items = self.layout_.items[coll]
                return [getattr(items[k], name) for k in ids if k in items]

            def write(v, name=name):
                self._write_items(coll, ids, name, v)
            choices = self._item_choices(coll, name, f) if kind == "choice" else []
            self._bind(form, name, kind, f, read, write, choices, readonly=(name == "id"),
                       tip=(f.description if f is not None and f.description
                            and name not in TIPS else ""))

    def _write_items(self, coll: str, ids: list[str], name: str, value: Any) -> None:
        if name in ("x_m", "y_m") and len(ids) == 1:
            x, y = self.editor.position_of(ids[0])
            self.editor.move({ids[0]: (value, y) if name == "x_m" else (x, value)})
            return
        stack = self.editor.stack
        stack.beginMacro(f"Set {label_of(name)}")
        try:
            for k in ids:
                if k in self.layout_.items[coll]:
                    self.editor.update_item(coll, k, **{name: value})
        finally:
            stack.endMacro()

    def _build_mixed(self, lay: QVBoxLayout, groups: dict[str, list[str]]) -> None:
        n = sum(len(v) for v in groups.values())
        self.title.setText(f"{n} items selected")
        parts = [f"{len(v)} {COLLECTION_LABELS.get(c, (c, c))[len(v) != 1]}"
                 for c, v in groups.items()]
        self.subtitle.setText(", ".join(parts) + ". Select one kind of item to edit its "
                              "fields; move, rotate, duplicate and delete work on all.")
        if "racks" in groups:
            self._rack_info(lay, groups["racks"])

    # ----- values --------------------------------------------------------------------
    def refresh_units(self) -> None:
        """View > Units changed: build the forms again (labels, ranges, suffixes)."""
        self._rack_form = None
        self.rebuild()

    def refresh_values(self) -> None:
        """Show the model's current values in the existing widgets."""
        self._refresh_timer.stop()
        self._updating = True
        try:
            for b in self.bindings:
                try:
                    values = b.read()
                except (KeyError, IndexError):
                    continue
                _show(b, values)
        finally:
            self._updating = False


def _kind_of(f: spec.Field) -> str:
    if f.kind == "number":
        return "float"
    if f.kind == "integer":
        return "choice" if f.choices else "int"
    if f.kind == "bool":
        return "bool"
    if f.kind in ("enum",):
        return "choice"
    if f.kind == "profile":
        return "profile"
    return "text"


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-9
    return a == b


def _show(b: Binding, values: list[Any]) -> None:
    w = b.widget
    uniq = {_hashable(v) for v in values}
    mixed = len(uniq) > 1
    value = values[0] if values else None
    w.blockSignals(True)
    try:
        if isinstance(w, QComboBox):
            mixed_index = w.findText(MIXED)
            if mixed:
                if mixed_index < 0:
                    w.insertItem(0, MIXED, _UNSET)
                    mixed_index = 0
                w.setCurrentIndex(mixed_index)
                return
            if mixed_index >= 0:
                w.removeItem(mixed_index)
            i = w.findData(value)
            if i < 0:   # a value the choices do not list (e.g. unknown reference)
                w.addItem(str(value) if value not in ("", None) else NONE_LABEL, value)
                i = w.count() - 1
            w.setCurrentIndex(i)
        elif isinstance(w, QDoubleSpinBox):
            if mixed:
                w.setSpecialValueText(MIXED)
                w.setValue(w.minimum())
            elif value is None:
                w.setSpecialValueText(_none_text(b.name))
                w.setValue(w.minimum())
            else:
                w.setSpecialValueText(_none_text(b.name) if b.nullable else "")
                kind = units.kind_of(b.name)
                w.setValue(float(value if kind is None else units.convert(kind, float(value))))
        elif isinstance(w, QSpinBox):
            w.setValue(int(value or 0))
        elif isinstance(w, QCheckBox):
            if mixed:
                w.setTristate(True)
                w.setCheckState(Qt.CheckState.PartiallyChecked)
            else:
                w.setTristate(False)
                w.setChecked(bool(value))
        elif isinstance(w, QLineEdit):
            if not w.hasFocus() or w.isReadOnly():
                w.setText(MIXED if mixed else str(value if value is not None else ""))
    finally:
        w.blockSignals(False)
