"""The plan over a period as an animated GIF: one frame per timeline step (24-hour
profile or workload trace), each the plan heatmap and rack colours of that step with a
caption band naming the instant. Frames are drawn off-screen like ``twin render``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

import numpy as np
from PySide6.QtGui import QImage

from twin.engine.timeline import Step, TimelinePlayer
from twin.io.atomic import write_atomic
from twin.model import Layout
from twin.report.caption import Caption
from twin.report.offscreen import FigureRanges, FigureViews, figure_image
from twin.report.output import ExportError


def _rgb(image: QImage) -> np.ndarray:
    img = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = img.width(), img.height(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=stride * h).reshape(h, stride)
    return buf[:, : w * 3].reshape(h, w, 3).copy()


def render_animation(layout: Layout, steps: list[Step], out: str | Path, metric: str = "inlet",
                     size: tuple[int, int] = (1280, 720), frame_s: float = 0.5,
                     source: str = "", progress: Callable[[float, str], None] | None = None
                     ) -> int:
    """Write the plan of every step of ``steps`` to ``out`` (.gif); returns the frames."""
    import imageio.v3 as iio

    if Path(out).suffix.lower() != ".gif":
        raise ExportError(f"{out}: expected a .gif file name for the animation")
    player = TimelinePlayer(steps)
    # first pass: the colour ranges of every frame, so that one colour is one value
    # throughout the animation (the temperature scale is fixed anyway; power is not)
    ranges = FigureRanges()
    for k, (label, _t, _make) in enumerate(steps):
        if progress is not None:
            progress(k / (2 * len(steps)), f"solving step {k + 1} of {len(steps)} ({label})")
        snap, res = player.solve(k)
        ranges = ranges.widened(metric, snap, res)
    frames = []
    for k, (label, _t, _make) in enumerate(steps):
        if progress is not None:
            progress((len(steps) + k) / (2 * len(steps)),
                     f"frame {k + 1} of {len(steps)} ({label})")
        snap, res = player.solve(k)
        views = FigureViews(snap, res, None, ranges)
        try:
            band = Caption(layout.name, f"Plan view \u00b7 {label}", source=source)
            frames.append(_rgb(figure_image(views, "plan", metric, size, 1.0, band)))
        finally:
            views.close()
    buf = io.BytesIO()
    iio.imwrite(buf, np.stack(frames), extension=".gif", duration=int(frame_s * 1000), loop=0)
    try:
        write_atomic(out, buf.getvalue())
    except OSError as exc:
        raise ExportError(f"{out}: cannot write: {exc.strerror or exc}") from None
    return len(frames)
