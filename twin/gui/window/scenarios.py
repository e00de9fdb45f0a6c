"""Named scenarios in the window: Analysis > Scenarios (add, edit, remove — each one undo
step) and the tool bar's scenario switcher, which shows a scenario's solve in every view
without changing the layout (docs/physics.md §21)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QPushButton, QVBoxLayout, QWidget)

from twin.engine.scenarios import BASE, apply_scenario, scenario_label
from twin.engine.simulate import simulate
from twin.model.equipment import Scenario
from twin.gui.base.emit import emit

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.window.main_window import MainWindow

UNCHANGED = -1.0          # a workload's spin box at this value leaves it as it is


def _pairs(text: str, what: str) -> dict[str, str]:
    """'A=1, B=2' -> {'A': '1', 'B': '2'}; ValueError naming the bad part."""
    out = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{what}: {part!r} is not ID=VALUE")
        out[key.strip()] = value.strip()
    return out


class ScenarioDialog(QDialog):
    """The layout's scenarios: a list, and a form for the selected one."""

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Scenarios")
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._load)
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add_button, self.remove_button = QPushButton("Add"), QPushButton("Remove")
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)
        outer.addLayout(left, 1)
        right = QVBoxLayout()
        form = QFormLayout()
        self.name = QLineEdit()
        self.description = QLineEdit()
        form.addRow("Name", self.name)
        form.addRow("Description", self.description)
        self.util: dict[str, QDoubleSpinBox] = {}
        for w in window.floor_layout.workloads.values():
            s = QDoubleSpinBox()
            s.setRange(UNCHANGED, 1.0)
            s.setSingleStep(0.05)
            s.setSpecialValueText("as in the layout")
            s.setValue(UNCHANGED)
            self.util[w.id] = s
            form.addRow(f"Utilisation of {w.name or w.id}", s)
        self.failed = QLineEdit()
        self.failed.setPlaceholderText("e.g. CRAH-1, CDU-A/pump, UPS-A1, plant/chiller")
        self.setpoints = QLineEdit()
        self.setpoints.setPlaceholderText("unit=°C, e.g. IRC-A1=24, IRC-A2=24")
        self.models = QLineEdit()
        self.models.setPlaceholderText("rack=model, e.g. A01=gb300-nvl72")
        form.addRow("Failed", self.failed)
        form.addRow("Supply set-points", self.setpoints)
        form.addRow("Rack models", self.models)
        right.addLayout(form)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        right.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.apply_button = buttons.addButton("Save Scenario", QDialogButtonBox.ButtonRole.ApplyRole)
        self.apply_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        right.addWidget(buttons)
        outer.addLayout(right, 2)
        self.resize(820, 460)
        self._refresh_list()

    def _ids(self) -> list[str]:
        return list(self.window_.floor_layout.scenarios)

    def _refresh_list(self, select: str | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        lay = self.window_.floor_layout
        for sc in lay.scenarios.values():
            self.list.addItem(sc.name or sc.id)
        self.list.blockSignals(False)
        ids = self._ids()
        if ids:
            self.list.setCurrentRow(ids.index(select) if select in ids else 0)
            self._load(self.list.currentRow())
        self.remove_button.setEnabled(bool(ids))
        self.apply_button.setEnabled(bool(ids))

    def _load(self, row: int) -> None:
        ids = self._ids()
        if not 0 <= row < len(ids):
            return
        sc = self.window_.floor_layout.scenarios[ids[row]]
        self.name.setText(sc.name)
        self.description.setText(sc.description)
        for wid, s in self.util.items():
            s.setValue(sc.utilisation.get(wid, UNCHANGED))
        self.failed.setText(", ".join(sc.failed))
        self.setpoints.setText(", ".join(f"{k}={v:g}" for k, v in sc.setpoints_c.items()))
        self.models.setText(", ".join(f"{k}={v}" for k, v in sc.rack_models.items()))
        self.message.setText("")

    def add(self) -> None:
        lay = self.window_.floor_layout
        sid = lay.new_id("scenario")
        self.window_.editor.add_item("scenarios", Scenario(sid, name=sid),
                                     text=f"Add scenario {sid}")
        self._refresh_list(sid)

    def remove(self) -> None:
        ids = self._ids()
        row = self.list.currentRow()
        if 0 <= row < len(ids):
            self.window_.editor.delete([ids[row]])
            self._refresh_list()

    def edited(self) -> Scenario:
        """The form as a scenario; ValueError for text that is not ID=VALUE pairs."""
        sid = self._ids()[self.list.currentRow()]
        points = {k: float(v) for k, v in _pairs(self.setpoints.text(), "set-points").items()}
        return Scenario(sid, self.name.text().strip(), self.description.text().strip(),
                        {w: s.value() for w, s in self.util.items() if s.value() >= 0},
                        tuple(x.strip() for x in self.failed.text().split(",") if x.strip()),
                        points, _pairs(self.models.text(), "rack models"))

    def save(self) -> bool:
        """Check the scenario against the layout (as the file's validator does) and
        store it as one undo step."""
        from twin.io.semantics import _scenarios
        if not self._ids():
            return False
        try:
            sc = self.edited()
        except ValueError as exc:
            self.message.setText(str(exc))
            return False
        probe = self.window_.floor_layout.snapshot()
        probe.items["scenarios"] = {sc.id: sc}
        problems = _scenarios(probe, [f"scenarios[{sc.id}]"])
        if problems:
            self.message.setText("; ".join(p.format() for p in problems))
            return False
        old = self.window_.floor_layout.scenarios[sc.id]
        if old != sc:
            self.window_.editor.update_item("scenarios", sc.id, text=f"Edit scenario {sc.id}",
                                            **{f: getattr(sc, f) for f in (
                                                "name", "description", "utilisation", "failed",
                                                "setpoints_c", "rack_models")})
        self.message.setText("Saved \u00b7 Edit > Undo reverts it")
        self._refresh_list(sc.id)
        return True


class _Solved(QObject):
    done = Signal(str, object, object)
    failed = Signal(str)


class ScenarioSwitcher(QWidget):
    """Tool bar combo: base, or a scenario shown in the views (solved in the background)."""

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window_ = window
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 0, 6, 0)
        row.addWidget(QLabel("Scenario"))
        self.combo = QComboBox()
        self.combo.setMinimumWidth(150)
        self.combo.setToolTip("Show a scenario of this layout in every view (the layout "
                              "itself is unchanged); Escape returns to the base")
        row.addWidget(self.combo)
        self.bridge = _Solved(self)
        self.bridge.done.connect(self._on_done)
        self.bridge.failed.connect(lambda t: window.statusBar().showMessage(t, 8000))
        self.combo.activated.connect(lambda _i: self.show_current())
        self.refresh()

    def refresh(self) -> None:
        current = self.combo.currentData()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem("base", BASE)
        for sc in self.window_.floor_layout.scenarios.values():
            self.combo.addItem(sc.name or sc.id, sc.id)
        i = self.combo.findData(current)
        self.combo.setCurrentIndex(max(i, 0))
        self.combo.blockSignals(False)
        act = getattr(self.window_, "scenario_switcher_action", None)   # its tool bar slot
        if act is not None:
            act.setVisible(self.combo.count() > 1)

    def show_current(self) -> None:
        sid = self.combo.currentData()
        session = self.window_.session
        if sid == BASE:
            session.clear_scenario()
            return
        layout = self.window_.floor_layout
        snap = apply_scenario(layout, sid)
        label = f"scenario {scenario_label(layout, sid)}"

        def run() -> None:
            try:
                result = simulate(snap)
            except Exception as exc:  # noqa: BLE001 — shown in the status bar
                emit(self.bridge.failed, f"{label}: " + " ".join(str(exc).split()))
                return
            emit(self.bridge.done, label, snap, result)
        threading.Thread(target=run, name="twin-scenario", daemon=True).start()

    def _on_done(self, label: str, snap: Any, result: Any) -> None:
        self.window_.session.show_scenario(label, result, snap)


def open_scenarios(window: "MainWindow") -> ScenarioDialog:
    dlg = ScenarioDialog(window)
    dlg.show()
    return dlg
