"""Render plan-view screenshots of the samples to out/ (for looking at, not asserting).

``xvfb-run -a python tests/bench/plan_screenshots.py`` writes out/plan-*.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6 import QtWidgets  # noqa: E402

from twin.gui.base.commands import Editor  # noqa: E402
from twin.gui.plan.view import PlanView  # noqa: E402
from twin.io import load_layout  # noqa: E402
from twin.model.colour_by import by_model, by_nameplate_power  # noqa: E402
from twin.model.viewstate import RackColouring, Selection  # noqa: E402

OUT = ROOT / "out"


def synthetic_air_field(layout, pitch: float = 0.3) -> tuple[np.ndarray, tuple]:
    """A plausible-looking plan temperature field: warm behind racks, cool elsewhere
    (stands in for the live physics until it is wired)."""
    hall = layout.hall
    nx, ny = round(hall.width_m / pitch), round(hall.length_m / pitch)
    xs = (np.arange(nx) + 0.5) * pitch
    ys = (np.arange(ny) + 0.5) * pitch
    X, Y = np.meshgrid(xs, ys)
    field = np.full((ny, nx), 21.0)
    r = layout.racks
    rot = np.radians(r["rotation_deg"].astype(float))
    rear_x = r["x_m"] - np.sin(rot) * 0.9
    rear_y = r["y_m"] + np.cos(rot) * 0.9
    for x, y in zip(rear_x, rear_y):
        field += 9.0 * np.exp(-((X - x) ** 2 + (Y - y) ** 2) / 0.9)
    return np.minimum(field, 45.0), (0.0, 0.0, nx * pitch, ny * pitch)


def main() -> None:
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    OUT.mkdir(exist_ok=True)
    for name in ("gb200-pod", "hyperscale-hall", "small-room", "air-cooled-hall"):
        layout = load_layout(ROOT / "layouts" / f"{name}.json")
        selection, colouring = Selection(), RackColouring()
        colouring.set(by_model(layout))
        view = PlanView(layout, selection, colouring, Editor(layout))
        view.render_image((1400, 1000)).save(str(OUT / f"plan-{name}.png"))
        colouring.set(by_nameplate_power(layout))
        field, extent = synthetic_air_field(layout)
        view.set_heatmap(field, extent, (18.0, 40.0), "thermal", "Air temperature", "°C")
        ids = list(layout.racks.ids)
        selection.set(ids[1:3])
        view.set_alert_ids(ids[4:5])
        view.render_image().save(str(OUT / f"plan-{name}-heatmap.png"))
        view.frame_ids(ids[:6])
        view.render_image().save(str(OUT / f"plan-{name}-zoom.png"))
        view.close()
        view.deleteLater()
        app.processEvents()
    print("wrote", sorted(p.name for p in OUT.glob("plan-*.png")))


if __name__ == "__main__":
    main()
