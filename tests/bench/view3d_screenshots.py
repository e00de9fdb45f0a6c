"""Render 3-D view screenshots of the sample layouts to out/ (run under xvfb-run -a).

    xvfb-run -a python tests/bench/view3d_screenshots.py [layout ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def main(names: list[str]) -> None:
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    from vispy import io as vio

    from twin.io import load_layout
    from twin.model.colour_by import by_model, by_nameplate_power
    from twin.model.viewstate import Colouring, RackColouring, Selection
    from twin.view3d import FloorView3D

    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    for name in names or ["gb200-pod", "hyperscale-hall"]:
        lay = load_layout(ROOT / "layouts" / f"{name}.json")
        sel, col = Selection(), RackColouring()
        col.set(by_nameplate_power(lay))
        view = FloorView3D(lay, sel, col, size=(1280, 800))
        view.native.show()
        app.processEvents()
        ids = list(lay.racks.ids)
        sel.set({ids[3]})
        view.set_alert_ids([ids[min(5, len(ids) - 1)]])
        vio.write_png(out / f"view3d-{name}-power.png", view.render_image())
        col.set(by_model(lay))
        vio.write_png(out / f"view3d-{name}-model.png", view.render_image())
        rng = np.random.default_rng(1)
        t = 22 + 12 * rng.random(len(ids))
        col.set(Colouring("inlet_c", "Rack inlet temperature", "\u00b0C", t, 18.0, 35.0,
                          "thermal"))
        view.frame_ids(ids[:8])
        vio.write_png(out / f"view3d-{name}-inlet-zoom.png", view.render_image())
        view.close()
        print(out / f"view3d-{name}-*.png")


if __name__ == "__main__":
    main(sys.argv[1:])
