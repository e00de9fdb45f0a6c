"""The workloads dock: assign workloads to the selected racks, edit the layout's workloads,
their 24-hour profiles and a what-if utilisation slider.

``WorkloadPanel(layout, selection, editor)`` is a view: it redraws from ``Layout.changed``
and ``Selection.changed`` only, and every edit is one undoable command on the editor's
stack (a slider drag is one macro, so it undoes in one step while the model, and the live
simulation, follow the slider as it moves).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QPushButton, QScrollArea, QSlider, QTableView, QVBoxLayout, QWidget,
)

from twin.gui.base.commands import Editor
from twin.gui.base.wheel import wheel_needs_focus
from twin.gui.docks.profile_editor import ProfileEditor
from twin.gui.base.style import COLOURS
from twin.gui.docks.workload_table import NAME, WorkloadDelegate, WorkloadTableModel
from twin.model import Layout, Workload
from twin.model.events import Change, ChangeKind
from twin.model.viewstate import Selection

MIXED = "(mixed)"
NONE_LABEL = "(none)"
UTILISATION_TIPS = {
    "training": "GPU utilisation of the training job (near TDP is typical)",
    "inference": "Busy share of time, split between prefill and decode by their shares",
    "idle": "Idle workloads keep GPUs at idle power; utilisation has no effect",
}


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


class WorkloadPanel(QWidget):
    """Workload assignment and editing for one layout."""

    def __init__(self, layout: Layout, selection: Selection, editor: Editor,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.layout_, self.selection, self.editor = layout, selection, editor
        self.current_id = ""
        self._slider_macro = False

        # (a) assignment for the selected racks
        self.selected_hint = QLabel()
        self.selected_hint.setObjectName("hint")
        self.selected_hint.setWordWrap(True)
        self.assign = QComboBox()
        wheel_needs_focus(self.assign)
        self.assign.setToolTip("Workload of the selected racks; choosing one sets it on all "
                               "of them (undoable)")
        self.assign.activated.connect(self._assign_chosen)
        assign_box = QGroupBox("Selected racks")
        a_lay = QVBoxLayout(assign_box)
        a_lay.setContentsMargins(8, 6, 8, 8)
        a_lay.setSpacing(4)
        a_lay.addWidget(self.selected_hint)
        a_lay.addWidget(self.assign)

        # (b) the layout's workloads
        self.model = WorkloadTableModel(layout, editor, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(WorkloadDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(36)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.model.rejected.connect(self._show_problem)
        self.model.modelReset.connect(self._fit_table)
        self.add_button = QPushButton("+ Add")
        self.add_button.setToolTip("Add a new workload to the layout")
        self.add_button.clicked.connect(self.add_workload)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete_current)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {COLOURS['warning']};")
        self.problem.hide()
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        hint = QLabel("Double-click to edit")
        hint.setObjectName("hint")
        buttons.addWidget(hint)
        table_box = QGroupBox("Workloads")
        t_lay = QVBoxLayout(table_box)
        t_lay.setContentsMargins(8, 6, 8, 8)
        t_lay.setSpacing(4)
        t_lay.addWidget(self.table)
        t_lay.addWidget(self.problem)
        t_lay.addLayout(buttons)

        # (c, d) the current workload: what-if utilisation and the daily profile
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setPageStep(10)
        self.slider.setTracking(True)
        self.slider_label = QLabel("Utilisation")
        self.slider_value = QLabel()
        self.slider_value.setMinimumWidth(self.fontMetrics().horizontalAdvance("100 %") + 4)
        self.slider_value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.slider.valueChanged.connect(self._slider_moved)
        self.slider.sliderReleased.connect(self._slider_released)
        self.profile = ProfileEditor()
        self.profile.committed.connect(self._profile_committed)
        self.detail_hint = QLabel()
        self.detail_hint.setObjectName("hint")
        self.detail_hint.setWordWrap(True)
        self.detail_box = QGroupBox("Workload")
        d_lay = QVBoxLayout(self.detail_box)
        d_lay.setContentsMargins(8, 6, 8, 8)
        d_lay.setSpacing(6)
        s_row = QHBoxLayout()
        s_row.addWidget(self.slider_label)
        s_row.addWidget(self.slider, 1)
        s_row.addWidget(self.slider_value)
        d_lay.addLayout(s_row)
        profile_title = QLabel("24-hour load profile")
        profile_title.setObjectName("sectionTitle")
        d_lay.addWidget(profile_title)
        d_lay.addWidget(self.profile)
        d_lay.addWidget(self.detail_hint)

        body = QWidget()
        col = QVBoxLayout(body)
        col.setContentsMargins(6, 6, 6, 6)
        col.setSpacing(8)
        for w in (assign_box, table_box, self.detail_box):
            col.addWidget(w)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        layout.changed.connect(self._on_layout_changed)
        selection.changed.connect(self._on_selection_changed)
        self._fit_table()
        self._rebuild_assign()
        self._select_row("")          # the first workload, until a selection picks one
        self._on_selection_changed()

    # ======================================================================= events
    def _on_layout_changed(self, change: Change) -> None:
        if change.is_reset or change.any_of(ChangeKind.ITEM_ADDED, ChangeKind.ITEM_REMOVED,
                                            collection="workloads"):
            self.model.refresh()
            self._select_row(self.current_id)
            self._rebuild_assign()
        elif change.any_of(collection="workloads"):
            for p in change.elementary:
                if p.collection == "workloads":
                    for wid in p.ids:
                        self.model.refresh_row(wid)
            self._rebuild_assign()
            self._show_current()
        if change.changes_rack_set or change.any_of(
                ChangeKind.RACKS_CHANGED, field="workload") or change.any_of(collection="tanks"):
            self.model.refresh_usage()
            self._show_assignment()
            self._update_buttons()

    def _on_selection_changed(self, *_: Any) -> None:
        self._show_assignment()
        shared = self._selected_workloads()
        if len(shared) == 1 and next(iter(shared)) in self.layout_.workloads:
            self._select_row(next(iter(shared)))

    # ================================================================ (a) assignment
    def _selected_racks(self) -> list[str]:
        racks = self.layout_.racks
        return [i for i in sorted(self.selection.ids) if racks.has(i)]

    def _selected_workloads(self) -> set[str]:
        ids = self._selected_racks()
        if not ids:
            return set()
        racks = self.layout_.racks
        return set(racks["workload"][racks.indices_of(ids)].astype(str).tolist())

    def _rebuild_assign(self) -> None:
        self.assign.blockSignals(True)
        self.assign.clear()
        self.assign.addItem(NONE_LABEL, "")
        for w in self.layout_.workloads.values():
            self.assign.addItem(f"{w.name or w.id} ({w.kind})", w.id)
        self.assign.blockSignals(False)
        self._show_assignment()

    def _show_assignment(self) -> None:
        ids = self._selected_racks()
        self.assign.setEnabled(bool(ids))
        self.assign.blockSignals(True)
        mixed = self.assign.findData(None)
        if mixed >= 0:
            self.assign.removeItem(mixed)
        values = self._selected_workloads()
        if not ids:
            self.selected_hint.setText("Select racks in the plan or 3-D view to assign a "
                                       "workload to them.")
            self.assign.setCurrentIndex(-1)
        elif len(values) > 1:
            self.selected_hint.setText(f"{_plural(len(ids), 'rack', 'racks')} selected, "
                                       f"running {len(values)} different workloads.")
            self.assign.insertItem(0, MIXED, None)
            self.assign.setCurrentIndex(0)
        else:
            value = next(iter(values))
            self.selected_hint.setText(f"{_plural(len(ids), 'rack', 'racks')} selected.")
            i = self.assign.findData(value)
            if i < 0:   # a reference to a workload the layout does not define
                self.assign.addItem(f"{value} (missing)", value)
                i = self.assign.count() - 1
            self.assign.setCurrentIndex(i)
        self.assign.blockSignals(False)

    def _assign_chosen(self, index: int) -> None:
        value = self.assign.itemData(index)
        ids = self._selected_racks()
        if value is None or not ids or self._selected_workloads() == {value}:
            return
        name = self.assign.itemText(index) if value else "no workload"
        self.editor.set_rack_field(ids, "workload", value,
                                   text=f"Assign {name} to {_plural(len(ids), 'rack', 'racks')}")

    # ================================================================ (b) the table
    def _fit_table(self) -> None:
        """Show every row (up to eight) without a vertical scroll bar; name column sized
        to its longest name within reason."""
        rows = min(max(self.model.rowCount(), 2), 8)
        t = self.table
        t.setFixedHeight(t.horizontalHeader().sizeHint().height()
                         + rows * t.verticalHeader().defaultSectionSize()
                         + t.horizontalScrollBar().sizeHint().height() + 2 * t.frameWidth() + 2)
        fm = self.fontMetrics()
        widest = max((fm.horizontalAdvance(w.name or w.id)
                      for w in self.layout_.workloads.values()), default=60)
        t.horizontalHeader().resizeSection(NAME, min(max(widest + 16, 80), 170))

    def _select_row(self, workload_id: str) -> None:
        row = self.model.row_of(workload_id)
        if row < 0 and self.model.rowCount():
            row = 0
        if row < 0:
            self.current_id = ""
            self._show_current()
            return
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, NAME),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.current_id = self.model.workload(row).id
        self._show_current()

    def _row_changed(self, current, _previous) -> None:
        if current.isValid():
            self.current_id = self.model.workload(current.row()).id
            self.problem.hide()
        self._show_current()

    def _show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def add_workload(self) -> str:
        """Add a new training workload (undoable) and make it current; returns its id."""
        wid = self.layout_.new_id("wl")
        n = len(self.layout_.workloads) + 1
        self.editor.add_item("workloads", Workload(id=wid, name=f"Workload {n}"),
                             text="Add workload")
        self._select_row(wid)
        return wid

    def delete_current(self) -> None:
        """Delete the current workload if no rack or tank uses it (undoable)."""
        wid = self.current_id
        if wid in self.layout_.workloads and self.model.usage(wid) == 0:
            self.editor.delete([wid])

    def _update_buttons(self) -> None:
        wid = self.current_id
        n = self.model.usage(wid) if wid else 0
        self.delete_button.setEnabled(bool(wid) and n == 0)
        self.delete_button.setToolTip(
            "Delete the selected workload" if n == 0 else
            f"In use by {_plural(n, 'rack', 'racks')}: assign them another workload first")

    # ================================================== (c, d) profile and what-if slider
    def current(self) -> Workload | None:
        return self.layout_.workloads.get(self.current_id)

    def _show_current(self) -> None:
        self._update_buttons()
        w = self.current()
        self.detail_box.setEnabled(w is not None and w.kind != "idle")
        if w is None:
            self.detail_box.setTitle("Workload")
            self.detail_hint.setText("Add a workload to edit its utilisation and profile.")
            return
        self.detail_box.setTitle(w.name or w.id)
        self.slider_label.setText("Busy share" if w.kind == "inference" else "Utilisation")
        self.slider.setToolTip(UTILISATION_TIPS[w.kind])
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(round(w.utilisation * 100))
            self.slider.blockSignals(False)
        self.slider_value.setText(f"{round(w.utilisation * 100)} %")
        self.profile.set_profile(w.profile)
        self.detail_hint.setText(
            "Idle: GPUs stay at idle power; utilisation and profile have no effect."
            if w.kind == "idle" else
            "Hourly factors scale the utilisation (training) or busy shares (inference) in "
            "the 24-hour run; the live view uses the set utilisation.")

    def _slider_moved(self, value: int) -> None:
        w = self.current()
        if w is None:
            return
        self.slider_value.setText(f"{value} %")
        if self.slider.isSliderDown() and not self._slider_macro:
            self.editor.stack.beginMacro(f"Set utilisation of {w.name or w.id}")
            self._slider_macro = True
        if abs(w.utilisation * 100 - value) > 1e-9:
            self.editor.update_item("workloads", w.id, text=f"Set utilisation of "
                                    f"{w.name or w.id}", utilisation=value / 100.0)

    def _slider_released(self) -> None:
        if self._slider_macro:
            self._slider_macro = False
            self.editor.stack.endMacro()
        self._show_current()

    def _profile_committed(self, profile: tuple) -> None:
        w = self.current()
        if w is None or tuple(w.profile) == tuple(profile):
            self.profile.set_profile(w.profile if w else ())
            return
        self.editor.update_item("workloads", w.id, text=f"Edit load profile of "
                                f"{w.name or w.id}", profile=tuple(profile))
