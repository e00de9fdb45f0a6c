"""Benchmark the 3-D view's labels on the 1,440-rack hyperscale hall at 1280x800; prints
one JSON object. Run under a display: ``xvfb-run -a python tests/bench/bench_view3d_labels.py``.

Figures (ms, medians):
- label_update_<preset>_ms: deciding which labels show (projection, per-row level of
  detail, overlap test) and uploading their positions and colours, for the camera
  presets and a view zoomed on a few racks (``zoom``); ``labels_<preset>`` how many show.
- frame_labels_on_ms / frame_labels_off_ms: a frame drawn on screen and finished
  (glFinish) after a recolour, with the labels of the default view shown / switched off.
- orbit_frame_ms: one orbit step (azimuth + 2 degrees) with its label update and frame,
  as while the user drags the camera (updates throttled to every 0.12 s in the app; here
  every step pays for one, the worst case).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SIZE = (1280, 800)


def main() -> dict:
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    from vispy import gloo

    from twin.io import load_layout
    from twin.model.colour_by import by_nameplate_power
    from twin.model.viewstate import Colouring, RackColouring, Selection
    from twin.view3d import FloorView3D
    layout = load_layout(ROOT / "layouts" / "hyperscale-hall.json")
    colouring = RackColouring()
    colouring.set(by_nameplate_power(layout))
    view = FloorView3D(layout, Selection(), colouring, size=SIZE)
    view.native.resize(*SIZE)
    view.native.show()
    draws = [0]
    view.canvas.events.draw.connect(lambda ev: draws.__setitem__(0, draws[0] + 1))

    def draw_now():
        before = draws[0]
        view.canvas.update()
        view.native.repaint()
        deadline = time.perf_counter() + 2.0
        while draws[0] == before and time.perf_counter() < deadline:
            app.processEvents()
        view.canvas.set_current()
        gloo.gl.glFinish()

    for _ in range(3):
        draw_now()
    ms = lambda xs: round(statistics.median(xs) * 1000, 2)  # noqa: E731
    result: dict = {"layout": "hyperscale-hall", "racks": len(layout.racks),
                    "size": list(SIZE)}
    for preset in ("default", "plan", "aisle", "iso", "zoom"):
        if preset == "zoom":
            view.frame_ids(list(layout.racks.ids[:8]))
        else:
            view.set_preset(preset)
        times = []
        for _ in range(10):
            view.labels.invalidate()
            t = time.perf_counter()
            view.labels.refresh()
            times.append(time.perf_counter() - t)
        result[f"label_update_{preset}_ms"] = ms(times)
        result[f"labels_{preset}"] = len(view.labels.shown_text())
    view.set_preset("default")
    view.labels.refresh()
    rng = np.random.default_rng(0)
    n = len(layout.racks)
    for key, on in (("frame_labels_on_ms", True), ("frame_labels_off_ms", False)):
        view.labels.set_enabled(on)
        view.labels.refresh()
        times = []
        for _ in range(15):
            colouring.set(Colouring("inlet_c", "Rack inlet temperature", "\u00b0C",
                                    20 + 15 * rng.random(n), 18.0, 35.0, "thermal"))
            t = time.perf_counter()
            draw_now()
            times.append(time.perf_counter() - t)
        result[key] = ms(times)
    view.labels.set_enabled(True)
    orbit = []
    for _ in range(15):
        t = time.perf_counter()
        view.camera.azimuth = view.camera.azimuth + 2.0
        view.labels.invalidate()
        view.labels.refresh()
        draw_now()
        orbit.append(time.perf_counter() - t)
    result["orbit_frame_ms"] = ms(orbit)
    result["load_average_1min"] = round(os.getloadavg()[0], 2)
    view.close()
    return result


if __name__ == "__main__":
    print(json.dumps(main()))
