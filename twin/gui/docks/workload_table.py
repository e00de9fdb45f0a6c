"""The table of a layout's workloads, editable in place through the undoable ``Editor``.

``WorkloadTableModel`` shows one row per ``Workload`` (name, kind, utilisation, tokens/s per
GPU, inference phase shares, profile, racks using it). ``setData`` validates and pushes
one ``Editor.update_item`` command; the model itself changes only when the layout emits
``changed`` (the owner calls ``refresh``/``refresh_row``), so undo and redo show up here
like any other edit. Refused input is reported through ``rejected(message)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QWidget,
)

from twin.gui.base.commands import Editor
from twin.gui.base.style import COLOURS
from twin.model import Layout, Workload, units
from twin.model.equipment import POWER_PROFILES, WORKLOAD_KINDS

NAME, KIND, UTIL, RACKS, TOKENS, PREFILL, DECODE, PROFILE, POWER = range(9)
HEADERS = ("Name", "Kind", "Util.", "Racks", "Tok/s/GPU", "Prefill", "Decode", "Profile",
           "GPU power")
HEADER_TIPS = (
    "Display name of the workload",
    "training: near TDP with synchronous swings; inference: prefill, decode and idle "
    "phases; idle: GPUs at idle power",
    "GPU utilisation [%] (inference: busy share of time, split prefill : decode)",
    "Racks (and immersion tanks) running this workload",
    "Tokens per second per GPU at full load; blank = the rack model's catalogue default",
    "Inference only: share of busy time in prefill (compute bound) [%]",
    "Inference only: share of busy time in decode (memory bound) [%]; prefill + decode "
    "\u2264 100 %",
    "Whether a 24-hour load profile is set (edit it below the table)",
    "GPU power profile: max performance, or max efficiency (GPUs capped at 75 % of their "
    "power keep 88 % of their tokens/s; docs/physics.md 7.6)",
)
DIM = QColor(COLOURS["dim_text"])
SHARE_FIELDS = {PREFILL: "prefill_share", DECODE: "decode_share"}


def _pct(fraction: float) -> str:
    v = fraction * 100
    return f"{v:.0f} %" if abs(v - round(v)) < 0.05 else f"{v:.1f} %"


class WorkloadTableModel(QAbstractTableModel):
    """Rows are the layout's workloads in file order."""

    rejected = Signal(str)

    def __init__(self, layout: Layout, editor: Editor, parent=None):
        super().__init__(parent)
        self.layout_, self.editor = layout, editor
        self._rows: list[Workload] = []
        self._use: dict[str, int] = {}
        self.refresh()

    # ----- read --------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read every workload (after adds, removals or a reset)."""
        self.beginResetModel()
        self._rows = list(self.layout_.workloads.values())
        self._use = self._usage()
        self.endResetModel()

    def refresh_row(self, workload_id: str) -> None:
        """Re-read one edited workload."""
        row = self.row_of(workload_id)
        if row < 0 or workload_id not in self.layout_.workloads:
            self.refresh()
            return
        self._rows[row] = self.layout_.workloads[workload_id]
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def refresh_usage(self) -> None:
        """Re-count racks per workload (after assignments)."""
        self._use = self._usage()
        if self._rows:
            self.dataChanged.emit(self.index(0, RACKS), self.index(len(self._rows) - 1, RACKS))

    def _usage(self) -> dict[str, int]:
        keys, counts = np.unique(self.layout_.racks["workload"].astype(str), return_counts=True)
        use = dict(zip(keys.tolist(), counts.tolist()))
        for tank in self.layout_.tanks.values():
            if tank.workload:
                use[tank.workload] = use.get(tank.workload, 0) + 1
        return use

    def usage(self, workload_id: str) -> int:
        return self._use.get(workload_id, 0)

    def workload(self, row: int) -> Workload:
        return self._rows[row]

    def row_of(self, workload_id: str) -> int:
        return next((i for i, w in enumerate(self._rows) if w.id == workload_id), -1)

    # ----- Qt model API ------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        col = index.column()
        if col in (NAME, KIND, UTIL, TOKENS, POWER) or (
                col in SHARE_FIELDS and self._rows[index.row()].kind == "inference"):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        w, col = self._rows[index.row()], index.column()
        R = Qt.ItemDataRole
        if role == R.DisplayRole:
            return self._display(w, col)
        if role == R.EditRole:
            return {NAME: w.name, KIND: w.kind, UTIL: w.utilisation * 100,
                    TOKENS: "" if w.tokens_per_s_per_gpu is None else f"{w.tokens_per_s_per_gpu:g}",
                    PREFILL: w.prefill_share * 100, DECODE: w.decode_share * 100,
                    POWER: w.power_profile}.get(col)
        if role == R.ForegroundRole and (
                (col == TOKENS and w.tokens_per_s_per_gpu is None)
                or (col in SHARE_FIELDS and w.kind != "inference")
                or (col == UTIL and w.kind == "idle")
                or (col == PROFILE and not w.profile)):
            return DIM
        if role == R.FontRole and col == TOKENS and w.tokens_per_s_per_gpu is None:
            font = QFont()
            font.setItalic(True)
            return font
        if role == R.TextAlignmentRole and col not in (NAME, KIND, POWER):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == R.ToolTipRole:
            return f"{w.name} ({w.id}): {HEADER_TIPS[col]}"
        return None

    def _display(self, w: Workload, col: int) -> str:
        if col == NAME:
            return w.name or w.id
        if col == KIND:
            return w.kind
        if col == UTIL:
            return _pct(w.utilisation)
        if col == TOKENS:
            return "default" if w.tokens_per_s_per_gpu is None else f"{w.tokens_per_s_per_gpu:,.0f}"
        if col in SHARE_FIELDS:
            return _pct(getattr(w, SHARE_FIELDS[col])) if w.kind == "inference" else units.MISSING
        if col == PROFILE:
            return "yes" if w.profile else "no"
        if col == POWER:
            return w.power_profile.replace("_", " ")
        return f"{self.usage(w.id):,}"

    # ----- edits -------------------------------------------------------------------
    def setData(self, index: QModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        w, col = self._rows[index.row()], index.column()
        try:
            change = self._change(w, col, value)
        except ValueError as exc:
            self.rejected.emit(str(exc))
            return False
        field, new = next(iter(change.items()))
        if getattr(w, field) == new:
            return False
        self.editor.update_item("workloads", w.id, text=f"Set {HEADERS[col].lower()} of "
                                f"{w.name or w.id}", **change)
        return True

    @staticmethod
    def _change(w: Workload, col: int, value: Any) -> dict[str, Any]:
        """The validated field change for an edit of column ``col``; ValueError if refused."""
        if col == NAME:
            name = str(value).strip()
            if not name:
                raise ValueError("A workload needs a name.")
            return {"name": name}
        if col == KIND:
            if value not in WORKLOAD_KINDS:
                raise ValueError(f"Kind must be one of {', '.join(WORKLOAD_KINDS)}.")
            return {"kind": value}
        if col == UTIL:
            pct = float(value)
            if not 0.0 <= pct <= 100.0:
                raise ValueError("Utilisation must be between 0 and 100 %.")
            return {"utilisation": round(pct / 100.0, 4)}
        if col == TOKENS:
            text = str(value).strip().replace(",", "")
            if not text:
                return {"tokens_per_s_per_gpu": None}
            try:
                v = float(text)
            except ValueError:
                v = math.nan
            if not (math.isfinite(v) and 0.0 <= v <= 1e6):
                raise ValueError("Tokens/s per GPU must be between 0 and 1,000,000 "
                                 "(blank = catalogue default).")
            return {"tokens_per_s_per_gpu": v}
        if col in SHARE_FIELDS:
            share = float(value) / 100.0
            other = w.decode_share if col == PREFILL else w.prefill_share
            if not 0.0 <= share <= 1.0:
                raise ValueError("Shares must be between 0 and 100 %.")
            if share + other > 1.0 + 1e-9:
                raise ValueError(f"Prefill + decode shares must not exceed 100 % "
                                 f"(the other is {other * 100:.0f} %).")
            return {SHARE_FIELDS[col]: round(share, 4)}
        if col == POWER:
            if value not in POWER_PROFILES:
                raise ValueError(f"GPU power must be one of {', '.join(POWER_PROFILES)}.")
            return {"power_profile": value}
        raise ValueError(f"{HEADERS[col]} is not editable here.")


class WorkloadDelegate(QStyledItemDelegate):
    """Editors per column: kind combo, percent spin boxes, a blank-able tokens field."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex) -> QWidget:
        col = index.column()
        if col == KIND:
            w = QComboBox(parent)
            w.addItems(list(WORKLOAD_KINDS))
            return w
        if col == POWER:
            w = QComboBox(parent)
            w.addItems(list(POWER_PROFILES))
            return w
        if col in (UTIL, PREFILL, DECODE):
            w = QDoubleSpinBox(parent)
            w.setRange(0.0, 100.0)
            w.setDecimals(1)
            w.setSingleStep(5.0)
            w.setSuffix(" %")
            w.setAlignment(Qt.AlignmentFlag.AlignRight)
            return w
        if col == TOKENS:
            w = QLineEdit(parent)
            w.setPlaceholderText("catalogue")
            w.setAlignment(Qt.AlignmentFlag.AlignRight)
            return w
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(value))
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(value))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())
        elif isinstance(editor, QDoubleSpinBox):
            model.setData(index, editor.value())
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text())
        else:
            super().setModelData(editor, model, index)
