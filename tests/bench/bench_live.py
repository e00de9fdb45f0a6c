"""The live twin in the running app; prints ONE JSON object.

Run under a display: ``xvfb-run -a -s "-screen 0 1600x1000x24" python tests/bench/bench_live.py
[small_room] [pod] [hall]`` (default: all three).

Every figure is measured in the real main window (3-D view, plan, docks), colouring racks by
inlet temperature with the air-temperature heatmap at rack mid height, from a mouse event
sent to the plan's viewport (or an ``Editor`` call) to the moment the new result is on
screen: heatmap image and rack colours updated (``LiveController.result_shown``) and the
event loop's repaint done (``..._painted_ms``).

- ``hall_*``: layouts/hyperscale-hall.json (1,440 racks). ``drag_release_*`` is the refined
  pass after the mouse button is released; ``drag_coarse_*`` the first pass shown while the
  button is still held (from the last mouse move). ``workload_edit_*``: a workload's
  utilisation changed through the Editor.
- ``small_room_*`` (layouts/small-room.json, 14 racks) and ``pod_*`` (layouts/gb200-pod.json,
  20 racks): drag release and workload edit.
  Each drag moves a different rack one tile into its aisle, so every drag is a real solve.
- ``*_undo_to_shown_ms``: undo of the last drag; the layout equals one solved before, so
  the engine hands back that result (no solve).
- ``*_loop_latency_max_ms``: worst lateness of a 10 ms QTimer while that part ran (the GUI
  thread must stay responsive while the worker solves). It includes painting each result:
  ``*_result_frame_ms`` is one result's update + repaint of the window (3-D view on
  software OpenGL); ``hall_engine_only_loop_latency_max_ms`` the same timer while the live
  engine solves the hall (cold, drag passes, workload edit) with no window, i.e. what the
  worker thread itself costs the event loop. During drags the views' own redraw of the
  moving rack (3-D and plan) counts too.
Medians over the racks dragged; the solver shares 2 cores with whatever else runs.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QElapsedTimer, QEvent, QPoint, QPointF, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from twin.gui.window import app as app_mod  # noqa: E402
from twin.gui.window.settings import AppSettings  # noqa: E402

LAYOUTS = ROOT / "layouts"
L, NONE = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton


class LoopProbe:
    """A 10 ms timer; records how late each tick is (event-loop latency)."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.late_ms: list[float] = []
        self._last = None

    def start(self) -> None:
        self.clock.start()
        self._last = self.clock.nsecsElapsed()
        self.late_ms = []
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed()
        self.late_ms.append((now - self._last) / 1e6 - 10.0)
        self._last = now

    def stop(self) -> float:
        self.timer.stop()
        return round(max(self.late_ms, default=0.0), 1)


class App:
    def __init__(self, layout: str):
        self.qapp = app_mod.create_application()
        ini = tempfile.NamedTemporaryFile(suffix=".ini", delete=False).name
        t0 = time.perf_counter()
        self.w = app_mod.open_main_window(LAYOUTS / layout, settings=AppSettings(
            QSettings(ini, QSettings.Format.IniFormat)))
        self.w.resize(1600, 1000)
        self.w.set_colour_by("inlet")
        self.live = self.w.live
        self.live.controls.set_metric("air")
        self.plan = self.w.plan_view
        self.shown: list[tuple[float, object]] = []
        self.live.result_shown.connect(lambda info: self.shown.append((time.perf_counter(), info)))
        ok = self.live.wait_shown(600)
        self.first_result_s = time.perf_counter() - t0
        if not ok:
            raise RuntimeError(f"{layout}: no result ({self.w.solve_label.text()})")
        self.settle()
        self.plan.reset_view()
        self.settle()

    def settle(self, ms: int = 100) -> None:
        end = time.perf_counter() + ms / 1000
        while time.perf_counter() < end:
            self.qapp.processEvents()
            time.sleep(0.002)

    # ----- mouse on the plan ----------------------------------------------------------
    def _vp(self, x: float, y: float) -> QPoint:
        return self.plan.canvas.mapFromScene(self.plan.view_box.mapViewToScene(QPointF(x, y)))

    def _send(self, kind, p: QPoint, buttons, button=L) -> None:
        vp = self.plan.canvas.viewport()
        QApplication.sendEvent(vp, QMouseEvent(kind, QPointF(p), QPointF(vp.mapToGlobal(p)),
                                               button, buttons, Qt.KeyboardModifier.NoModifier))

    def painted_after(self, t_event: float) -> float:
        """Process events until the plan's rack layer has painted and the 3-D view has
        no frame left to render; ms since t_event."""
        view3d = self.w.view3d.canvas.native
        n = self.plan._racks.paint_count
        end = time.perf_counter() + 2.0
        while (self.plan._racks.paint_count == n or view3d.render_pending) \
                and time.perf_counter() < end:
            self.qapp.processEvents()
        return (time.perf_counter() - t_event) * 1e3

    def wait_result(self, after: float, coarse: bool | None, timeout_s: float = 120) -> float:
        """Seconds from ``after`` to the first result of that kind (None: any) shown after it."""
        end = time.perf_counter() + timeout_s
        while time.perf_counter() < end:
            for t, info in self.shown:
                if t >= after and coarse in (None, info.coarse):
                    return t - after
            self.qapp.processEvents()
            time.sleep(0.0005)
        raise RuntimeError(f"no {'coarse' if coarse else 'refined'} result: "
                           f"{self.w.solve_label.text()}")

    def drag(self, rack: str, dy_m: float, hold_for_coarse: bool) -> dict[str, float]:
        """Drag ``rack`` by dy_m (into its aisle) with real mouse events; pass times."""
        self.plan.frame_ids([rack])      # zoomed in, as a user does to place a rack
        self.settle(50)
        x0, y0, x1, y1 = self.plan.bounds_of(rack)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        p0 = self._vp(cx, cy)
        self.shown.clear()
        self._send(QEvent.Type.MouseButtonPress, p0, L)
        steps = 4
        t_move = time.perf_counter()
        for k in range(1, steps + 1):
            self.settle(12)   # pyqtgraph drops moves above 100 Hz
            t_move = time.perf_counter()
            self._send(QEvent.Type.MouseMove, self._vp(cx, cy + dy_m * k / steps), L, NONE)
        out: dict[str, float] = {}
        if hold_for_coarse:
            # the first pass shown while the button is held: the coarse one, unless the
            # refined pass of the same position (running alongside) came in first
            out["coarse_s"] = self.wait_result(t_move, coarse=None)
            out["coarse_painted_ms"] = self.painted_after(t_move)
        t_rel = time.perf_counter()
        self._send(QEvent.Type.MouseButtonRelease, self._vp(cx, cy + dy_m), NONE)
        out["release_s"] = self.wait_result(t_rel, coarse=False)
        out["release_painted_ms"] = self.painted_after(t_rel)
        self.live.wait_shown(120)
        return out

    def workload_edit(self, workload: str, utilisation: float) -> dict[str, float]:
        self.shown.clear()
        t = time.perf_counter()
        self.w.editor.update_item("workloads", workload, utilisation=utilisation)
        took = self.wait_result(t, coarse=False)
        painted = self.painted_after(t)
        self.live.wait_shown(120)
        return {"s": took, "painted_ms": painted}

    def close(self) -> None:
        self.w.document.stack.setClean()
        self.w.close()


def _ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1e3, 1)


def bench_layout(name: str, file: str, racks: tuple[str, ...], workload: str,
                 coarse: bool) -> dict[str, float]:
    a = App(file)
    out = {f"{name}_racks": len(a.w.floor_layout.racks),
           f"{name}_open_to_first_result_s": round(a.first_result_s, 2)}
    probe = LoopProbe()
    pitch = a.w.floor_layout.hall.tile_pitch_m
    drags, coarse_s, coarse_paint, paint = [], [], [], []
    probe.start()
    for rack in racks:      # a new layout each time: no result can come from the cache
        r = a.drag(rack, pitch, hold_for_coarse=coarse)
        drags.append(r["release_s"])
        paint.append(r["release_painted_ms"])
        if coarse:
            coarse_s.append(r["coarse_s"])
            coarse_paint.append(r["coarse_painted_ms"])
    out[f"{name}_drag_loop_latency_max_ms"] = probe.stop()
    out[f"{name}_drag_release_to_shown_ms"] = _ms(drags)
    out[f"{name}_drag_release_to_painted_ms"] = round(statistics.median(paint), 1)
    out[f"{name}_result_frame_ms"] = round(statistics.median(paint) - _ms(drags), 1)
    if coarse:
        out[f"{name}_drag_coarse_to_shown_ms"] = _ms(coarse_s)
        out[f"{name}_drag_coarse_to_painted_ms"] = round(statistics.median(coarse_paint), 1)
    a.shown.clear()
    t = time.perf_counter()
    a.w.document.stack.undo()          # back to a layout solved before: its cached result
    out[f"{name}_undo_to_shown_ms"] = round(a.wait_result(t, coarse=False) * 1e3, 1)
    a.live.wait_shown(120)
    edits, edit_paint = [], []
    probe.start()
    util = a.w.floor_layout.workloads[workload].utilisation
    for k in range(len(racks)):
        r = a.workload_edit(workload, util * (0.9 - 0.1 * k))
        edits.append(r["s"])
        edit_paint.append(r["painted_ms"])
    out[f"{name}_workload_loop_latency_max_ms"] = probe.stop()
    out[f"{name}_workload_edit_to_shown_ms"] = _ms(edits)
    out[f"{name}_workload_edit_to_painted_ms"] = round(statistics.median(edit_paint), 1)
    a.close()
    return out


CASES = {"small_room": ("small-room.json", ("A02", "A04", "A06", "B03", "B05"), "train-h100",
                        False),
         "pod": ("gb200-pod.json", ("A02", "A05", "A07", "B02", "B06"), "llm-train", False),
         "hall": ("hyperscale-hall.json", ("R10-10", "R05-20", "R15-30", "R20-15", "R08-40"),
                  "serving", True)}


def engine_only_latency(file: str, rack: str, workload: str) -> float:
    """Max event-loop lateness while a bare LiveEngine solves (no window, no painting)."""
    from twin.engine.live import LiveEngine
    from twin.io import load_layout
    qapp = QApplication.instance()
    lay = load_layout(LAYOUTS / file)
    done: list = []
    eng = LiveEngine(lay, lambda r, s, i: done.append(i), lambda e, i: done.append(e))

    def run(n: int) -> None:
        end = time.perf_counter() + 300
        while len(done) < n and time.perf_counter() < end:
            qapp.processEvents()
            time.sleep(0.001)
    probe = LoopProbe()
    probe.start()
    eng.request()
    run(1)
    i = lay.racks.index_of(rack)
    x, y = float(lay.racks["x_m"][i]), float(lay.racks["y_m"][i])
    eng.begin_drag()
    lay.move_racks([rack], [x], [y + lay.hall.tile_pitch_m])
    run(2)
    eng.end_drag()
    run(3)
    lay.update_item("workloads", workload, utilisation=0.5)
    run(4)
    eng.close()
    return probe.stop()


def main(names: list[str]) -> None:
    app_mod.create_application()
    out: dict[str, float] = {}
    for name in names or list(CASES):
        out.update(bench_layout(name, *CASES[name]))
    if not names or "hall" in names:
        file, racks, workload = CASES["hall"][:3]
        out["hall_engine_only_loop_latency_max_ms"] = engine_only_latency(file, racks[0],
                                                                          workload)
    out["targets_ms"] = {"hall_drag_release": 250, "small_room_any_edit": 50,
                         "hall_workload_edit": 50, "loop_latency": 50}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
