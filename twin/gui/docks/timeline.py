"""The Timeline dock: the floor over its 24-hour profile or a workload trace — IT and
facility power, PUE, tokens per kWh, worst rack inlet and worst coolant return per step,
with a cursor, a slider and play/pause that show each step in every view (heatmaps, rack
colours, metrics) without changing the layout. Steps are solved off the GUI thread on one
``Simulator`` (the airflow reused), the latest request winning."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from twin.engine.timeline import (SERIES, Timeline, TimelinePlayer, profile_steps,
                                  run_timeline, trace_steps)
from twin.gui.base.emit import ReceiverGone, emit, emit_or_stop
from twin.gui.base.style import COLOURS
from twin.gui.base.timeline import TimeStrip
from twin.io import LayoutError
from twin.io.atomic import write_atomic
from twin.io.trace import read_trace
from twin.model import Layout, units

PROFILE = "24-hour profile"


class _Bridge(QObject):
    progress = Signal(str)
    done = Signal(object)
    failed = Signal(str)
    step = Signal(int, object, object)          # k, snapshot, result


class TimelineDock(QWidget):
    def __init__(self, session: Any, layout: Layout, layout_path: Callable[[], Path | None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.layout_, self.layout_path = session, layout, layout_path
        self.timeline: Timeline | None = None
        self.player: TimelinePlayer | None = None
        self._want: int | None = None
        self._busy_step = False
        self._lock = threading.Lock()
        self.bridge = _Bridge(self)
        self.bridge.progress.connect(lambda text: self.status.setText(text))
        self.bridge.done.connect(self._on_done)
        self.bridge.failed.connect(self._on_failed)
        self.bridge.step.connect(self._on_step)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        self.source = QComboBox()
        self.source.setToolTip("What to step through: the workloads' 24-hour profiles, or "
                               "the layout's workload trace (File > Import > Workload Trace)")
        self.compute_button = QPushButton("Compute")
        self.compute_button.clicked.connect(self.compute)
        self.base_button = QPushButton("Back to the Floor")
        self.base_button.setToolTip("Show the layout's own result again")
        self.base_button.clicked.connect(self.back_to_floor)
        self.csv_button = QPushButton("CSV\u2026")
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.png_button = QPushButton("PNG\u2026")
        self.png_button.clicked.connect(lambda: self.export_png())
        for b in (self.csv_button, self.png_button):
            b.setEnabled(False)
        self.status = QLabel("")
        self.status.setStyleSheet(f"color: {COLOURS['dim_text']}")
        top.addWidget(QLabel("Period:"))
        top.addWidget(self.source, 1)
        for w in (self.compute_button, self.base_button, self.csv_button, self.png_button):
            top.addWidget(w)
        lay.addLayout(top)
        self.strip = TimeStrip([label for label, _u in SERIES.values()], "time [h]", height=105,
                               columns=2, interval_ms=500,
                               units=[unit for _l, unit in SERIES.values()])
        self.strip.moved.connect(self.show_step)
        lay.addWidget(self.strip, 1)
        lay.addWidget(self.status)
        self.refresh_sources()

    # ----- sources -----------------------------------------------------------------
    def trace_file(self) -> Path | None:
        p = self.layout_.trace.path
        if not p:
            return None
        path = Path(p)
        base = self.layout_path()
        return path if path.is_absolute() or base is None else base.parent / path

    def refresh_sources(self) -> None:
        current = self.source.currentText()
        self.source.clear()
        self.source.addItem(PROFILE)
        tf = self.trace_file()
        if tf is not None:
            self.source.addItem(f"Trace: {tf.name}")
        i = self.source.findText(current)
        self.source.setCurrentIndex(i if i >= 0 else self.source.count() - 1)

    # ----- compute -----------------------------------------------------------------
    def compute(self) -> None:
        layout = self.layout_.snapshot()
        use_trace = self.source.currentText() != PROFILE
        path = self.trace_file() if use_trace else None
        self.compute_button.setEnabled(False)
        self.strip.stop()
        self.status.setText("Reading\u2026")

        def run() -> None:
            try:
                trace = read_trace(path, layout) if path is not None else None
                steps = trace_steps(layout, trace) if trace is not None else profile_steps(layout)
                tl = run_timeline(layout, steps, str(path) if path else PROFILE,
                                  progress=lambda f, t: emit_or_stop(
                                      self.bridge.progress, f"Solving {t} \u2026"), trace=trace)
                emit(self.bridge.done, (tl, steps))
            except ReceiverGone:     # the window closed: the rest of the run is for nobody
                pass
            except LayoutError as exc:
                emit(self.bridge.failed, "; ".join(exc.first_lines(3)))
            except Exception as exc:  # noqa: BLE001 — shown in the dock, never lost
                emit(self.bridge.failed, " ".join(str(exc).split()) or type(exc).__name__)
        threading.Thread(target=run, name="twin-timeline", daemon=True).start()

    def _on_failed(self, text: str) -> None:
        self.compute_button.setEnabled(True)
        self.status.setText(text)

    def _on_done(self, payload: tuple[Timeline, list]) -> None:
        tl, steps = payload
        self.compute_button.setEnabled(True)
        self.timeline = tl
        self.player = TimelinePlayer(steps)
        hours = tl.t_s / 3600.0
        curves = [[(None, tl.series[key], COLOURS["link"], 2.0)] for key in SERIES]
        self.strip.label_of = lambda k: tl.labels[k]
        self.strip.set_data(hours, curves, labels=tl.labels)
        for b in (self.csv_button, self.png_button):
            b.setEnabled(True)
        fac, fac_at = tl.peak("facility_kw")
        pue, pue_at = tl.peak("pue")
        inl, inl_at = tl.peak("worst_inlet_c")
        self._peaks = (len(tl.labels), fac, fac_at, pue, pue_at, inl, inl_at)
        self._show_peaks()

    def _show_peaks(self) -> None:
        n, fac, fac_at, pue, pue_at, inl, inl_at = self._peaks
        self.status.setText(f"{n} steps \u00b7 peak facility {fac:,.0f} kW at {fac_at} \u00b7 "
                            f"peak PUE {pue:.3f} at {pue_at} \u00b7 worst inlet "
                            f"{units.temperature(inl)} at {inl_at}")

    def refresh_units(self) -> None:
        """View > Units changed: the peak line (the strip redraws itself)."""
        if self.timeline is not None:
            self._show_peaks()

    # ----- stepping ----------------------------------------------------------------
    def show_step(self, k: int) -> None:
        """Show step ``k`` in every view (solved in the background, latest wins)."""
        if self.player is None:
            return
        with self._lock:
            self._want = k
            if self._busy_step:
                return
            self._busy_step = True
        threading.Thread(target=self._solve_loop, name="twin-timeline-step", daemon=True).start()

    def _solve_loop(self) -> None:
        while True:
            with self._lock:
                k, self._want = self._want, None
                if k is None:
                    self._busy_step = False
                    return
            try:
                snap, res = self.player.solve(k)          # type: ignore[union-attr]
            except Exception as exc:  # noqa: BLE001
                emit(self.bridge.failed, " ".join(str(exc).split()))
                continue
            if not emit(self.bridge.step, k, snap, res):
                with self._lock:        # the window closed: no more steps to show
                    self._busy_step = False
                return

    def _on_step(self, k: int, snap: Layout, res: Any) -> None:
        if self.timeline is None:
            return
        self.session.show_scenario(f"Timeline {self.timeline.labels[k]}", res, snap)

    def back_to_floor(self) -> None:
        self.strip.stop()
        self.session.clear_scenario()

    # ----- export ------------------------------------------------------------------
    def export_csv(self, path: str | None = None) -> bool:
        if self.timeline is None:
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export Timeline", "timeline.csv",
                                                  "CSV (*.csv)")
            if not path:
                return False
        try:
            write_atomic(path, self.timeline.to_csv().encode("utf-8"))
        except OSError as exc:
            self.status.setText(f"{path}: cannot write: {exc.strerror or exc}")
            return False
        self.status.setText(f"Wrote {Path(path).name}")
        return True

    def export_png(self, path: str | None = None) -> bool:
        if self.timeline is None:
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export Timeline", "timeline.png",
                                                  "PNG (*.png)")
            if not path:
                return False
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        self.strip.grab().save(buf, "PNG")
        try:
            write_atomic(path, bytes(data.data()))
        except OSError as exc:
            self.status.setText(f"{path}: cannot write: {exc.strerror or exc}")
            return False
        self.status.setText(f"Wrote {Path(path).name}")
        return True
