"""The alerts dock: every alert of the last simulation in a sortable, filterable table.

``AlertsPanel.set_alerts(alerts)`` shows a list of ``twin.physics.facility.Alert``;
clicking a row (or Enter on it) emits ``target_activated(target_id)`` so the window can
select and frame that rack or unit. Severity toggles and a text filter narrow the list;
Ctrl+C copies the selected alerts as tab-separated text. The model keeps the alerts in a
plain list and filters/sorts it in Python once per change, so thousands of alerts stay
responsive (the view asks only for the visible rows).
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import Any, Iterable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel, QModelIndex, QRectF, QSize, Qt, Signal,
)
from PySide6.QtGui import (
    QAction, QColor, QFont, QFontMetrics, QIcon, QKeySequence, QPainter, QPainterPath,
)
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QStackedLayout, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QToolButton,
    QVBoxLayout, QWidget,
)

from twin.gui.base.icons import painted_icon
from twin.gui.base.style import COLOURS
from twin.model import units
from twin.physics.facility import Alert

SEVERITIES = ("critical", "warning", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
SEVERITY_COLOURS = {"critical": QColor(COLOURS["error"]), "warning": QColor(COLOURS["warning"]),
                    "info": QColor(COLOURS["link"])}
SEVERITY_PLURALS = {"critical": ("critical", "critical"), "warning": ("warning", "warnings"),
                    "info": ("info", "info")}
#: Alert kinds in the facility's words (unknown kinds fall back to their spaced name).
KIND_LABELS = {
    "inlet_above_allowable": "Inlet above allowable",
    "inlet_above_recommended": "Inlet above recommended",
    "inlet_below_allowable": "Inlet below allowable",
    "cooling_unit_over_capacity": "Cooling unit over capacity",
    "cooling_unit_near_capacity": "Cooling unit near capacity",
    "coolant_flow_low": "Coolant flow low",
    "coolant_return_high": "Coolant return too hot",
    "cdu_over_capacity": "CDU over capacity",
    "cdu_near_capacity": "CDU near capacity",
    "pump_over_capacity": "Pump beyond its curve",
    "pumps_failed": "Pumps failed",
    "pump_redundancy_lost": "No standby pump",
    "facility_water_above_class": "Facility water above class",
    "immersion_over_capacity": "Tank over capacity",
    "immersion_bath_high": "Tank bath too hot",
    "component_overload": "Power component overloaded",
    "component_near_rating": "Power component near rating",
    "redundancy_lost": "Power redundancy lost",
    "rack_unpowered": "Rack unpowered",
    "rack_throttled": "Rack throttled (coolant limit)",
    "rack_shutdown": "Rack shut down (coolant limit)",
    "feed_overload": "Rack feed overloaded",
    "side_cannot_carry_load": "Side cannot carry load",
    "chiller_capacity": "Chillers short of capacity",
    "heat_rejection_capacity": "Heat rejection over design",
    "footprint_overlap": "Footprints overlap",
    "outside_hall": "Outside the hall",
    "in_contained_aisle": "In a contained aisle",
    "containment_open": "Containment open",
    "redundancy_shortfall": "Below redundancy target",
}
COLUMNS = ("", "Target", "Alert")
COLUMN_TIPS = ("Severity: critical (a limit is exceeded), warning (near a limit or outside "
               "the recommended range), info",
               "The rack, unit or component concerned (click a row to select it)",
               "What kind of problem, and the details with numbers")
MESSAGE_ROLE = Qt.ItemDataRole.UserRole
EMPTY_TEXT = ("No alerts \u2014 all racks within limits, no overlaps, aisles closed, "
              "redundancy target met")
WAITING_TEXT = "Alerts appear here when the simulation has run."


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def _natural_key(text: str) -> tuple:
    """'R2' sorts before 'R10'."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text))


@lru_cache(maxsize=None)
def severity_icon(severity: str) -> QIcon:
    """A filled severity glyph (red disc with '!', amber triangle, blue disc with 'i')."""
    def paint(p: QPainter) -> None:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(SEVERITY_COLOURS.get(severity, QColor(COLOURS["dim_text"])))
        if severity == "warning":
            tri = QPainterPath()
            tri.moveTo(7, 1)
            tri.lineTo(13.2, 12.6)
            tri.lineTo(0.8, 12.6)
            tri.closeSubpath()
            p.drawPath(tri)
        else:
            p.drawEllipse(QRectF(1, 1, 12, 12))
        p.setPen(QColor("#1f2228"))
        font = QFont()
        font.setPixelSize(9)
        font.setBold(True)
        p.setFont(font)
        glyph = "i" if severity == "info" else "!"
        p.drawText(QRectF(0, 2.5 if severity == "warning" else 1, 14, 12),
                   Qt.AlignmentFlag.AlignCenter, glyph)
    return painted_icon(14, paint)


class AlertTableModel(QAbstractTableModel):
    """All alerts, the filtered and sorted subset the view shows, and the counts."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._source: tuple[Alert, ...] = ()
        self._all: list[Alert] = []
        self._rows: list[Alert] = []
        self._severities = set(SEVERITIES)
        self._text = ""
        self._sort = (0, Qt.SortOrder.AscendingOrder)

    # ----- content ---------------------------------------------------------------------
    def set_alerts(self, alerts: Iterable[Alert]) -> None:
        """The alerts, their messages (SI, as the physics wrote them) in the units shown."""
        self._source = tuple(alerts)
        self._all = [dataclasses.replace(a, message=units.localise(a.message))
                     for a in self._source]
        self._refilter()

    def refresh_units(self) -> None:
        self.set_alerts(self._source)

    def set_filter(self, severities: Iterable[str], text: str) -> None:
        self._severities, self._text = set(severities), text.strip().lower()
        self._refilter()

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(SEVERITIES, 0)
        for a in self._all:
            out[a.severity] = out.get(a.severity, 0) + 1
        return out

    def total(self) -> int:
        return len(self._all)

    def alert(self, row: int) -> Alert:
        return self._rows[row]

    def _refilter(self) -> None:
        self.beginResetModel()
        text = self._text
        self._rows = [a for a in self._all if a.severity in self._severities and (
            not text or text in a.target.lower() or text in a.message.lower()
            or text in a.kind or text in kind_label(a.kind).lower())]
        self._rows.sort(key=self._key(self._sort[0]),
                        reverse=self._sort[1] == Qt.SortOrder.DescendingOrder)
        self.endResetModel()

    @staticmethod
    def _key(column: int):
        base = lambda a: (SEVERITY_RANK.get(a.severity, 9), _natural_key(a.target))
        if column == 1:
            return lambda a: (_natural_key(a.target), SEVERITY_RANK.get(a.severity, 9))
        if column == 2:
            return lambda a: (kind_label(a.kind), *base(a))
        return base

    # ----- Qt model API ----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self._rows[index.row()]
        col = index.column()
        R = Qt.ItemDataRole
        if role == R.DisplayRole:
            return ("", a.target, kind_label(a.kind))[col]
        if role == MESSAGE_ROLE:
            return a.message
        if role == R.DecorationRole and col == 0:
            return severity_icon(a.severity)
        if role == R.ToolTipRole:
            return (f"<b>{a.severity.capitalize()}: {kind_label(a.kind)}</b> \u2014 "
                    f"{a.target}<br>{a.message}")
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return COLUMN_TIPS[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self._refilter()


class _AlertDelegate(QStyledItemDelegate):
    """Paints the Alert column as two lines: the kind in words, the message dimmed."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        rect = opt.rect.adjusted(5, 2, -4, -2)
        fm = opt.fontMetrics
        line = rect.height() // 2
        painter.save()
        bold = QFont(opt.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(opt.palette.highlightedText().color() if selected
                       else opt.palette.text().color())
        top = QRectF(rect.x(), rect.y(), rect.width(), line)
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(bold).elidedText(index.data(), Qt.TextElideMode.ElideRight,
                                                       rect.width()))
        painter.setFont(opt.font)
        painter.setPen(opt.palette.highlightedText().color() if selected
                       else QColor(COLOURS["dim_text"]))
        bottom = QRectF(rect.x(), rect.y() + line, rect.width(), rect.height() - line)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(index.data(MESSAGE_ROLE), Qt.TextElideMode.ElideRight,
                                       rect.width()))
        painter.restore()


class _AlertView(QTableView):
    """Table that activates the current row on Enter (mouse clicks use ``clicked``) and
    copies whole alerts, not one cell, on Ctrl+C."""

    enter_pressed = Signal(QModelIndex)
    copy_requested = Signal()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.enter_pressed.emit(self.currentIndex())
            event.accept()
        elif event.matches(QKeySequence.StandardKey.Copy):
            self.copy_requested.emit()
            event.accept()
        else:
            super().keyPressEvent(event)


class AlertsPanel(QWidget):
    """Alerts with severity toggles, a text filter, counts and click-to-select."""

    target_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = AlertTableModel(self)
        self.summary = QLabel(WAITING_TEXT)
        self.summary.setObjectName("sectionTitle")
        self.summary.setWordWrap(True)
        self.toggles: dict[str, QToolButton] = {}
        bar = QHBoxLayout()
        bar.setSpacing(3)
        for sev in SEVERITIES:
            b = QToolButton()
            b.setCheckable(True)
            b.setChecked(True)
            b.setIcon(severity_icon(sev))
            b.setIconSize(QSize(14, 14))
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setToolTip(f"Show {SEVERITY_PLURALS[sev][1]}")
            b.toggled.connect(self._apply_filter)
            bar.addWidget(b)
            self.toggles[sev] = b
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by id, kind or text\u2026")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip("Show only alerts whose target, kind or message contains "
                               "this text")
        self.filter.textChanged.connect(self._apply_filter)
        bar.addWidget(self.filter, 1)

        self.view = _AlertView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setIconSize(QSize(14, 14))
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().hide()
        vh = self.view.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(2 * self.fontMetrics().height() + 10)
        self.view.setItemDelegateForColumn(2, _AlertDelegate(self.view))
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.resizeSection(0, 30)
        header.resizeSection(1, self.fontMetrics().horizontalAdvance("R00-IB00") + 16)
        self.view.clicked.connect(self._activate)
        self.view.enter_pressed.connect(self._activate)
        self.view.copy_requested.connect(self.copy_selection)
        copy = QAction("Copy", self.view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        self.view.addAction(copy)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self.empty = QLabel(WAITING_TEXT)
        self.empty.setObjectName("placeholder")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedLayout()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)
        lay.addWidget(self.summary)
        lay.addLayout(bar)
        lay.addLayout(self.stack, 1)
        self._update_header()

    # ----- public ----------------------------------------------------------------------
    def set_alerts(self, alerts: Sequence[Alert]) -> None:
        """Show ``alerts`` (the filter and sort order are kept)."""
        self.model.set_alerts(alerts)
        self.empty.setText(EMPTY_TEXT)
        self._update_header()

    def clear(self) -> None:
        """Forget the alerts (e.g. the layout was replaced and is not simulated yet)."""
        self.model.set_alerts(())
        self.empty.setText(WAITING_TEXT)
        self._update_header()

    def selected_alerts(self) -> list[Alert]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.alert(r) for r in rows]

    def copy_selection(self) -> None:
        """Selected alerts to the clipboard, one per line, tab-separated columns."""
        alerts = self.selected_alerts()
        if alerts:
            QApplication.clipboard().setText("\n".join(
                f"{a.severity}\t{kind_label(a.kind)}\t{a.target}\t{a.message}" for a in alerts))

    # ----- internals -------------------------------------------------------------------
    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.target_activated.emit(self.model.alert(index.row()).target)

    def _apply_filter(self, *_: Any) -> None:
        self.model.set_filter([s for s, b in self.toggles.items() if b.isChecked()],
                              self.filter.text())
        self._update_header()

    def _update_header(self) -> None:
        counts = self.model.counts()
        total = self.model.total()
        parts = [f"<span style='color:{SEVERITY_COLOURS[s].name()}'>{counts[s]:,}</span> "
                 f"{SEVERITY_PLURALS[s][counts[s] != 1]}" for s in SEVERITIES if counts[s]]
        text = ", ".join(parts) if parts else \
            ("No alerts" if self.empty.text() == EMPTY_TEXT else "Alerts")
        shown = self.model.rowCount()
        if shown != total:
            text += (f" <span style='color:{COLOURS['dim_text']}; font-weight:normal'>"
                     f"\u00b7 showing\u00a0{shown:,}\u00a0of\u00a0{total:,}</span>")
        self.summary.setText(text)
        for sev, b in self.toggles.items():
            b.setText(f"{counts[sev]:,}")
        self.stack.setCurrentWidget(self.view if total else self.empty)
