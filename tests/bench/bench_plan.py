"""Plan view figures on the 1,440-rack hall; prints ONE JSON object.

Run under a display: ``xvfb-run -a python tests/bench/bench_plan.py``.

- ``drag_one_rack_ms``: one drag step of one rack through the plan's own drag path
  (snap, ``Editor.move`` merged into the drag's undo step, model event, plan update) plus
  the event loop's repaint of the dirty region (checked: the rack layer really painted).
  Median of 40 steps. ``drag_one_rack_full_viewport_repaint_ms``: the same with a forced
  synchronous repaint of the whole 1400x1000 viewport (worst case).
- ``full_redraw_ms``: synchronous repaint of the viewport with nothing changed.
- ``recolour_ms``: new colouring (all 1,440 racks) + repaint.
- ``open_to_first_paint_ms``: load the layout file, build the plan and paint it once.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6 import QtCore, QtWidgets  # noqa: E402

from twin.gui.base.commands import Editor  # noqa: E402
from twin.gui.plan.view import PlanView  # noqa: E402
from twin.io import load_layout  # noqa: E402
from twin.model.colour_by import by_model, by_nameplate_power  # noqa: E402
from twin.model.viewstate import RackColouring, Selection  # noqa: E402

SAMPLE = ROOT / "layouts" / "hyperscale-hall.json"


def main() -> None:
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    t0 = time.perf_counter()
    layout = load_layout(SAMPLE)
    selection, colouring = Selection(), RackColouring()
    colouring.set(by_model(layout))
    editor = Editor(layout)
    view = PlanView(layout, selection, colouring, editor)
    view.resize(1400, 1000)
    view.show()
    app.processEvents()
    view.canvas.viewport().repaint()
    first_paint = (time.perf_counter() - t0) * 1e3

    vp = view.canvas.viewport()
    redraw = []
    for _ in range(15):
        t = time.perf_counter()
        vp.repaint()
        redraw.append((time.perf_counter() - t) * 1e3)

    def painted() -> int:
        return view._racks.paint_count

    # drag one mid-hall rack in small steps, one model update + repaint per step
    pitch = layout.hall.tile_pitch_m

    def drag_steps(rid: str, full_repaint: bool) -> list[float]:
        x0, y0, x1, y1 = view.bounds_of(rid)
        start = QtCore.QPointF((x0 + x1) / 2, (y0 + y1) / 2)
        view._drag_start(start, QtCore.Qt.KeyboardModifier.NoModifier)
        times = []
        for k in range(1, 41):
            pos = QtCore.QPointF(start.x() + pitch * (k % 10),
                                 start.y() + pitch * (k // 10) * 0.5)
            before = painted()
            t = time.perf_counter()
            view._drag_move(pos)
            if full_repaint:
                vp.repaint()
            else:  # what the event loop does: repaint only the dirty region
                for _ in range(100):
                    app.processEvents()
                    if painted() > before:
                        break
            times.append((time.perf_counter() - t) * 1e3)
            assert painted() > before, "drag step did not repaint"
        view._drag_finish(start)
        app.processEvents()
        return times

    drag = drag_steps(str(layout.racks.ids[700]), full_repaint=False)
    drag_full = drag_steps(str(layout.racks.ids[701]), full_repaint=True)

    recolour = []
    for k in range(6):
        c = by_nameplate_power(layout) if k % 2 == 0 else by_model(layout)
        t = time.perf_counter()
        colouring.set(c)
        vp.repaint()
        recolour.append((time.perf_counter() - t) * 1e3)

    print(json.dumps({
        "layout": SAMPLE.name,
        "racks": len(layout.racks),
        "items": sum(len(layout.items[c]) for c in ("cooling_units", "cdus", "tanks",
                                                     "tiles", "containment")),
        "viewport_px": [vp.width(), vp.height()],
        "drag_one_rack_ms": round(statistics.median(drag), 2),
        "drag_one_rack_p90_ms": round(sorted(drag)[int(0.9 * len(drag))], 2),
        "drag_one_rack_full_viewport_repaint_ms": round(statistics.median(drag_full), 2),
        "full_redraw_ms": round(statistics.median(redraw), 2),
        "recolour_ms": round(statistics.median(recolour), 2),
        "open_to_first_paint_ms": round(first_paint, 1),
        "undo_steps_after_drag": editor.stack.count(),
    }))
    view.close()
    view.deleteLater()
    app.processEvents()


if __name__ == "__main__":
    main()
