"""Benchmark the 3-D view on the 1,440-rack hyperscale hall at 1280x800; prints one JSON
object. Run under a display: ``xvfb-run -a python tests/bench/bench_view3d.py``.

Figures (ms unless noted, medians):
- recolour_render_ms: new colouring values -> colour buffer upload -> frame drawn on
  screen and finished (glFinish); the target is <= 33 ms on software GL
  (tests/bench/README.md).
- recolour_render_readback_ms: the same, rendered offscreen and read back (screenshots).
- recolour_cpu_ms: the colour-buffer build alone.
- geometry_rebuild_ms: move one rack -> all rack boxes rebuilt and uploaded (no draw);
  geometry_rebuild_render_ms adds the frame; drag_frame_interactive_ms the same as the
  app draws it during a drag (set_interactive: reduced scale, no floor dressing).
- pick_ms: one ray cast against all racks and items.
- recolour_render_min_ms: the fastest of those frames (robust to other processes).
- recolour_render_process_cpu_ms: CPU time of this process (all llvmpipe threads) for
  the same; less sensitive than wall time to other processes on a shared machine.
- first_frame_s: load the layout, build the view, show it, first frame drawn.
- sections_*: one vertical slice (x, mid-hall) and the iso-surface shown (the hall's air
  is 22-24 C, so the surface is drawn at 23.5 C, where it exists; sections_iso_faces):
  sections_compute_ms the engine's slice image + surface (worker thread);
  sections_result_render_ms a result frame (new colours, new slice image and surface
  uploaded, frame drawn); sections_first_frame_s a new view showing them, first frame;
  streamlines_slice_result_render_ms a result frame with the streamlines (new colours,
  slice image and lines uploaded, no surface), the issue's <= 33 ms figure;
  sections_drag_fps frames per second of a Ctrl+drag of the slice (new slice image
  computed, uploaded, drawn per step) and sections_drag_move_ms the plane moved alone.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SIZE = (1280, 800)


def main() -> dict:
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])

    t0 = time.perf_counter()
    from vispy import gloo

    from twin.io import load_layout
    from twin.model.colour_by import by_nameplate_power
    from twin.model.viewstate import Colouring, RackColouring, Selection
    from twin.view3d import FloorView3D
    layout = load_layout(ROOT / "layouts" / "hyperscale-hall.json")
    selection, colouring = Selection(), RackColouring()
    colouring.set(by_nameplate_power(layout))
    view = FloorView3D(layout, selection, colouring, size=SIZE)
    view.native.resize(*SIZE)
    view.native.show()
    drawn = []
    view.canvas.events.draw.connect(lambda ev: drawn.append(1))
    while not drawn and time.perf_counter() - t0 < 30:
        app.processEvents()
    view.canvas.set_current()
    gloo.gl.glFinish()
    first_frame_s = time.perf_counter() - t0

    n = len(layout.racks)
    rng = np.random.default_rng(0)

    draws = [0]
    view.canvas.events.draw.connect(lambda ev: draws.__setitem__(0, draws[0] + 1))

    def draw_now():
        """Draw a frame on screen and wait for it (repaint is synchronous when the widget
        is exposed; otherwise spin the event loop until the frame is drawn)."""
        before = draws[0]
        view.canvas.update()
        view.native.repaint()
        deadline = time.perf_counter() + 2.0
        while draws[0] == before and time.perf_counter() < deadline:
            app.processEvents()
        if draws[0] == before:
            raise RuntimeError("the canvas did not draw")
        view.canvas.set_current()
        gloo.gl.glFinish()

    for _ in range(3):
        draw_now()
    on_screen, on_screen_cpu, readback, cpu = [], [], [], []
    for k in range(40 if "--more" in sys.argv else 20):
        c = Colouring("inlet_c", "Rack inlet temperature", "\u00b0C",
                      20 + 15 * rng.random(n), 18.0, 35.0, "thermal")
        t, tc = time.perf_counter(), time.process_time()
        colouring.set(c)
        draw_now()
        on_screen.append(time.perf_counter() - t)
        on_screen_cpu.append(time.process_time() - tc)
        t = time.perf_counter()
        view._rack_colours()
        cpu.append(time.perf_counter() - t)
    for k in range(10):
        c = Colouring("inlet_c", "Rack inlet temperature", "\u00b0C",
                      20 + 15 * rng.random(n), 18.0, 35.0, "thermal")
        t = time.perf_counter()
        colouring.set(c)
        img = view.render_image()
        readback.append(time.perf_counter() - t)
    assert img.shape == (SIZE[1], SIZE[0], 4)

    rid = layout.racks.ids[700]
    x0, y0 = float(layout.racks["x_m"][700]), float(layout.racks["y_m"][700])
    rebuild, rebuild_render = [], []
    for k in range(10):
        t = time.perf_counter()
        layout.move_racks([rid], [x0 + 0.05 * (k % 2)], [y0])
        rebuild.append(time.perf_counter() - t)
        draw_now()
        rebuild_render.append(time.perf_counter() - t)

    view.set_interactive(True)          # the app's drag frames: lighter, reduced scale
    drag_frames = []
    for k in range(10):
        t = time.perf_counter()
        layout.move_racks([rid], [x0 + 0.05 * (k % 2)], [y0])
        draw_now()
        drag_frames.append(time.perf_counter() - t)
    view.set_interactive(False)

    picks = []
    pts = rng.random((50, 2)) * np.array(SIZE)
    hits = 0
    for p in pts:
        t = time.perf_counter()
        hits += view.pick(p) is not None
        picks.append(time.perf_counter() - t)

    ms = lambda xs: round(statistics.median(xs) * 1000, 2)  # noqa: E731
    result = {
        "layout": "hyperscale-hall", "racks": n,
        "items": len(view._item_ids), "size": list(SIZE),
        "recolour_render_ms": ms(on_screen),
        "recolour_render_min_ms": round(min(on_screen) * 1000, 2),
        "recolour_render_process_cpu_ms": ms(on_screen_cpu),
        "recolour_render_readback_ms": ms(readback),
        "recolour_cpu_ms": ms(cpu),
        "geometry_rebuild_ms": ms(rebuild),
        "geometry_rebuild_render_ms": ms(rebuild_render),
        "drag_frame_interactive_ms": ms(drag_frames),
        "pick_ms": ms(picks), "pick_hits_of_50": int(hits),
        "first_frame_s": round(first_frame_s, 3),
        **_sections_figures(app, view, layout, draw_now, rng),
        "renderer": _renderer(),
        "load_average_1min": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
    }
    view.close()
    return result


def _sections_figures(app, view, layout, draw_now, rng) -> dict:
    """Frame times with one vertical slice and the iso-surface shown (see the top)."""
    from vispy import gloo

    from twin.engine import layers, slices
    from twin.engine.simulate import simulate
    from twin.model.viewstate import Colouring, RackColouring, Selection
    from twin.view3d import FloorView3D
    air = simulate(layout).air
    lo, hi, cmap = layers.temperature_scale(layout.hall.ashrae_class)
    x_mid = layout.hall.width_m / 2
    req = slices.SectionRequest(x_mid, None, 23.5, (lo, hi), cmap)
    compute = []
    for _ in range(5):
        t = time.perf_counter()
        sec = slices.sections(air, req)
        compute.append(time.perf_counter() - t)

    def show(v, sec):
        for sl in sec.slices:
            v.sections.set_slice(sl.axis, sl.rgba, sl.position_m, sl.extent, sl.label)
        v.sections.set_iso(sec.iso.vertices_m, sec.iso.faces, sec.iso.normals,
                           (0.95, 0.45, 0.3), "23.5 C iso-surface")

    n = len(layout.racks)
    result = []
    for _ in range(10):
        c = Colouring("inlet_c", "Rack inlet temperature", "\u00b0C",
                      20 + 15 * rng.random(n), 18.0, 35.0, "thermal")
        t = time.perf_counter()
        view.colouring.set(c)
        show(view, sec)
        draw_now()
        result.append(time.perf_counter() - t)
    # the frame: a new result with streamlines and one vertical slice (no surface)
    from twin.engine.streamlines import picture
    pic = picture(air, layout.hall.ashrae_class)
    view.sections.clear_iso()
    stream = []
    for _ in range(10):
        c = Colouring("inlet_c", "Rack inlet temperature", "\u00b0C",
                      20 + 15 * rng.random(n), 18.0, 35.0, "thermal")
        t = time.perf_counter()
        view.colouring.set(c)
        sl = sec.slices[0]
        view.sections.set_slice(sl.axis, sl.rgba, sl.position_m, sl.extent, sl.label)
        view.set_streamlines(pic)
        draw_now()
        stream.append(time.perf_counter() - t)
    view.clear_streamlines()
    show(view, sec)
    drag, moves = [], []
    for k in range(12):
        x = x_mid + 0.6 * (k % 6)
        t = time.perf_counter()
        sl = slices.vertical_slice(air, "x", x, (lo, hi), cmap)
        view.sections.set_slice("x", sl.rgba, x, sl.extent, sl.label)
        draw_now()
        drag.append(time.perf_counter() - t)
        t = time.perf_counter()
        view.sections._move_to("x", x + 0.3)
        draw_now()
        moves.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    fresh = FloorView3D(layout, Selection(), RackColouring(), size=SIZE)
    show(fresh, slices.sections(air, req))
    fresh.native.resize(*SIZE)
    fresh.native.show()
    drawn: list[int] = []
    fresh.canvas.events.draw.connect(lambda ev: drawn.append(1))
    while not drawn and time.perf_counter() - t0 < 30:
        app.processEvents()
    fresh.canvas.set_current()
    gloo.gl.glFinish()
    first = time.perf_counter() - t0
    fresh.close()
    ms = lambda xs: round(statistics.median(xs) * 1000, 2)  # noqa: E731
    return {"sections_compute_ms": ms(compute), "sections_iso_faces": len(sec.iso.faces),
            "sections_result_render_ms": ms(result),
            "streamlines_slice_result_render_ms": ms(stream),
            "streamlines_lines": int(pic.lines.n_lines),
            "sections_first_frame_s": round(first, 3),
            "sections_drag_fps": round(1 / statistics.median(drag), 1),
            "sections_drag_move_ms": ms(moves)}


def _renderer() -> str:
    try:
        from vispy import gloo
        return str(gloo.gl.glGetParameter(gloo.gl.GL_RENDERER))
    except Exception:
        return "?"


if __name__ == "__main__":
    print(json.dumps(main()))
    sys.stdout.flush()
