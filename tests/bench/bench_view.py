"""Open the 1,440-rack hall in the desktop app to its first painted frame; prints ONE JSON
object.

Run under a display: ``xvfb-run -a python tests/bench/bench_view.py [--with-views]``.

- ``open_to_first_frame_s``: in-process, from just before ``QApplication`` creation through
  loading ``layouts/hyperscale-hall.json``, building the main window (3-D view, plan, docks),
  ``show()`` and the event loop's first paint of the window *and* the first draw of the
  3-D canvas (whichever is later). Target <= 3 s.
- ``process_start_to_first_frame_s``: the same end point measured from the process start
  time the kernel records (includes the interpreter start and imports of Qt, vispy,
  pyqtgraph and numpy).
- ``imports_s``, ``qapplication_s``, ``load_s``, ``window_build_s``, ``show_to_paint_s``:
  the parts.
- ``--with-views`` also runs the plan (and 3-D, when present) benchmark scripts and nests
  their JSON under ``plan`` / ``view3d``.
"""

from __future__ import annotations

import time

T_SCRIPT = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "layouts" / "hyperscale-hall.json"


def _process_age_s() -> float | None:
    """Seconds since the kernel started this process (Linux), else None."""
    try:
        start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _run_script(name: str) -> dict | str | None:
    path = Path(__file__).with_name(name)
    if not path.exists():
        return None
    try:
        out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                             timeout=600, cwd=ROOT)
        lines = [ln for ln in out.stdout.strip().splitlines() if ln.strip().startswith("{")]
        return json.loads(lines[-1]) if lines else (out.stderr.strip()[-300:] or "no output")
    except (subprocess.SubprocessError, ValueError) as exc:
        return f"failed: {exc}"


def main() -> None:
    t_imports0 = time.perf_counter()
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    import twin.gui  # noqa: F401  (applies the PySide6 work-around)
    from twin.gui.window import app as app_mod
    from twin.gui.base.document import Document
    from twin.gui.window.main_window import MainWindow
    from twin.gui.window.settings import AppSettings
    import vispy.scene  # noqa: F401  (the 3-D view's import cost belongs to start-up)
    import pyqtgraph  # noqa: F401
    imports_s = time.perf_counter() - t_imports0
    age_at_imports_done = _process_age_s()
    t_imports_done = time.perf_counter()

    t0 = time.perf_counter()
    qapp = app_mod.create_application([sys.argv[0]])
    t_app = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="twin-bench-")
    settings = AppSettings(QSettings(os.path.join(tmp, "bench.ini"), QSettings.Format.IniFormat))
    document = Document()
    document.open(SAMPLE)
    t_load = time.perf_counter()
    window = MainWindow(document=document, settings=settings)
    window.resize(1600, 1000)
    t_built = time.perf_counter()

    marks: dict[str, float] = {}
    window.first_frame.connect(lambda: marks.setdefault("window", time.perf_counter()))
    if window.view3d is not None:
        window.view3d.canvas.events.draw.connect(
            lambda ev: marks.setdefault("canvas", time.perf_counter()), position="last")
    t_show = time.perf_counter()
    window.show()
    deadline = time.perf_counter() + 30
    want = {"window"} | ({"canvas"} if window.view3d is not None else set())
    while not want <= marks.keys() and time.perf_counter() < deadline:
        qapp.processEvents()
        time.sleep(0.001)
    t_frame = max(marks.values()) if marks else float("nan")
    age_now = _process_age_s()
    result = {
        "layout": SAMPLE.name,
        "racks": len(document.layout.racks),
        "open_to_first_frame_s": round(t_frame - t0, 3),
        "target_s": 3.0,
        "process_start_to_first_frame_s": (round(age_now - (time.perf_counter() - t_frame), 3)
                                           if age_now is not None else None),
        "imports_s": round(imports_s, 3),
        "qapplication_s": round(t_app - t0, 3),
        "load_s": round(t_load - t_app, 3),
        "window_build_s": round(t_built - t_load, 3),
        "show_to_paint_s": round(t_frame - t_show, 3),
        "first_window_paint_s": round(marks["window"] - t0, 3) if "window" in marks else None,
        "first_canvas_draw_s": round(marks["canvas"] - t0, 3) if "canvas" in marks else None,
        "view3d": "on" if window.view3d is not None else f"off: {window.gl_reason}",
        "python_start_to_script_s": (round(age_at_imports_done - (t_imports_done - T_SCRIPT), 3)
                                     if age_at_imports_done is not None else None),
    }
    window.document.stack.setClean()
    QTimer.singleShot(0, window.close)
    qapp.processEvents()
    if "--with-views" in sys.argv:
        plan = _run_script("bench_plan.py")
        if plan is not None:
            result["plan"] = plan
        v3 = _run_script("bench_view3d.py")
        if v3 is not None:
            result["view3d_bench"] = v3
    print(json.dumps(result))


if __name__ == "__main__":
    main()
