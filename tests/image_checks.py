"""Pixel checks for exported images: size, not blank, a colour bar of a given colour map."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from twin.model.viewstate import colormap_rgba

#: Height of the caption band in logical pixels (``twin.report.caption.BAND_PX``).
BAND_PX = 60


def rgb_of(image: QImage | str | Path) -> np.ndarray:
    """(h, w, 3) uint8 of a QImage or an image file."""
    img = image if isinstance(image, QImage) else QImage(str(image))
    assert not img.isNull(), f"cannot read {image}"
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    h, w = img.height(), img.width()
    arr = np.frombuffer(img.constBits(), np.uint8, img.bytesPerLine() * h)
    return arr.reshape(h, img.bytesPerLine())[:, :3 * w].reshape(h, w, 3).copy()


def assert_not_blank(rgb: np.ndarray, min_colours: int = 200) -> None:
    packed = rgb.reshape(-1, 3).astype(np.uint32) @ np.array([65536, 256, 1], np.uint32)
    colours = len(np.unique(packed))
    assert colours >= min_colours, f"only {colours} distinct colours"
    assert rgb.std() > 10, f"nearly uniform image (std {rgb.std():.1f})"


def has_colour_bar(rgb: np.ndarray, colormap: str, tol: int = 14) -> bool:
    """True when colours from along the whole colour map (10 % ... 90 %) all occur."""
    flat = rgb.reshape(-1, 3).astype(int)
    for t in (0.1, 0.3, 0.5, 0.7, 0.9):
        target = (colormap_rgba(np.array([t]), 0.0, 1.0, colormap)[0, :3] * 255).round()
        if not (np.abs(flat - target).max(axis=1) <= tol).any():
            return False
    return True


def band(rgb: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """The caption band at the bottom of an exported image."""
    return rgb[-int(round(BAND_PX * scale)):]
