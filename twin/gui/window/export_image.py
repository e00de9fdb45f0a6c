"""File > Export Image: the 3-D view, the plan (with its heatmap) or the whole window as PNG.

Views are rendered at a chosen size in logical pixels (default 1920 x 1080) times a scale
(2x for high-DPI screens and print: twice the pixels, same framing). The whole window is
captured as laid out on screen (its size times the scale): re-laying out a maximised
window is not possible. Every image gets the caption band of ``twin.report.caption`` (layout,
metric with colour bar and unit, date) unless switched off; the band is part of the
requested size. The image can go to a file, to the clipboard, or both.

``MainWindow`` delegates its export slots here; the headless ``figure_image`` behind ``twin render`` lives in ``twin.report.offscreen``.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QApplication, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
    QHBoxLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget,
)

from twin.gui.base.dialogs import file_row
from twin.paths import file_slug
from twin.report.caption import (BAND_PX, Caption, ColourKey, figure_keys, view_height,
                                 with_band)
from twin.report.offscreen import VIEW_LABELS, render_widget, rgba_to_qimage
from twin.report.output import ExportError, save_png

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.window.main_window import MainWindow

PNG_FILTER = "PNG image (*.png)"
DEFAULT_SIZE = (1920, 1080)
SIZE_PRESETS = ((1280, 720), (1920, 1080), (2560, 1440), (3840, 2160), (1600, 1200))
SCALES = (1.0, 1.5, 2.0, 3.0)


@dataclass
class ExportOptions:
    """What to export: ``target`` is 'window', '3d' or 'plan'; ``width`` x ``height`` in
    logical pixels (ignored for the window); ``path`` None means clipboard only."""

    path: Path | None
    target: str
    width: int
    height: int
    scale: float = 1.0
    caption: bool = True
    clipboard: bool = False
    #: draw the selection highlight (off: the image shows the floor, not the editing state)
    selection: bool = False


# ================================================================== images of the window
def export_targets(window: "MainWindow") -> dict[str, tuple[str, tuple[int, int]]]:
    """Exportable parts of the window -> (label, default size in logical pixels)."""
    targets = {}
    if window.view3d is not None:
        targets["3d"] = (VIEW_LABELS["3d"], DEFAULT_SIZE)
    targets["plan"] = (VIEW_LABELS["plan"], DEFAULT_SIZE)
    targets["window"] = (VIEW_LABELS["window"], (window.width(), window.height()))
    return targets


def window_caption(window: "MainWindow", target: str) -> Caption:
    """The band for an image of ``target``: rack colouring, plus the plan's heatmap."""
    heat = getattr(window.plan_view, "heatmap", None)
    field = ColourKey.of_heatmap(heat) if target != "3d" and heat is not None else None
    keys = figure_keys(ColourKey.of_colouring(window.colouring.current), field)
    doc = window.document
    return Caption(window.floor_layout.name, VIEW_LABELS[target], keys,
                   source=doc.path.name if doc.path else "")


@contextmanager
def selection_shown(window: "MainWindow", on: bool):
    """Within the block the views draw the selection highlight only when ``on``."""
    views = [v for v in window.views if hasattr(v, "set_selection_shown")]
    if not on:
        for v in views:
            v.set_selection_shown(False)
    try:
        yield
    finally:
        if not on:
            for v in views:
                v.set_selection_shown(True)


def render_target(window: "MainWindow", target: str, size: tuple[int, int],
                  scale: float = 1.0, caption: bool = True, selection: bool = False) -> QImage:
    """An image of 'window', '3d' or 'plan': ``size`` logical pixels (the window: its own
    size) times ``scale``, the caption band included when ``caption``, the selection
    highlighted only when ``selection``."""
    with selection_shown(window, selection):
        image = _render_view(window, target, size, scale, caption)
    return with_band(image, window_caption(window, target), scale) if caption else image


def _render_view(window: "MainWindow", target: str, size: tuple[int, int], scale: float,
                 caption: bool) -> QImage:
    w, h = int(size[0]), int(size[1])
    view_h = view_height(h) if caption else h
    if target == "3d":
        if window.view3d is None:
            raise RuntimeError(f"the 3-D view is not available ({window.gl_reason})")
        image = rgba_to_qimage(window.view3d.render_image((w, view_h), scale))
    elif target == "plan":
        from twin.gui.plan.items import BACKGROUND
        plan = window.plan_widget
        old = plan.size()
        try:
            image = render_widget(plan, (w, view_h), scale, BACKGROUND)
        finally:   # the plan rendered by resizing itself: give the splitter its size back
            plan.resize(old)
            window.splitter.refresh()
    else:
        if window.view3d is not None:
            window.view3d.native.render_now()    # the frame without the highlight
        image = render_widget(window, (window.width(), window.height()), scale,
                              QApplication.palette().window().color())
    return image


def export_image(window: "MainWindow", path: str | Path | None, target: str = "window",
                 size: tuple[int, int] | None = None, scale: float = 1.0,
                 caption: bool = True, clipboard: bool = False,
                 selection: bool = False) -> QImage:
    """Render ``target`` and write it to ``path`` (PNG) and/or the clipboard."""
    image = render_target(window, target, size or (window.width(), window.height()), scale,
                          caption, selection)
    if path is not None:
        save_png(image, path)
    if clipboard:
        QApplication.clipboard().setImage(image)
    return image


def file_export(window: "MainWindow") -> None:
    """File > Export Image: ask, render, write; errors in a dialog, success in the status
    bar."""
    from twin.gui.base.dialogs import show_problems

    default_target = "3d" if window.view_mode == "3d" and window.view3d is not None else (
        "plan" if window.view_mode == "plan" else "window")
    folder = Path(window.settings.last_directory() or ".")
    start = folder / (file_slug(window.floor_layout.name) + f"-{default_target}.png")
    opts = ExportDialog.get_options(window, export_targets(window), default_target,
                                    str(start))
    if opts is None:
        return
    size = (opts.width, opts.height)
    try:
        image = export_image(window, opts.path, opts.target, size, opts.scale, opts.caption,
                             opts.clipboard, opts.selection)
    except (ExportError, RuntimeError) as exc:
        where = opts.path.name if opts.path is not None else "the clipboard"
        show_problems(window, "Cannot Export Image",
                      f"The image could not be written to <b>{where}</b>.", [str(exc)])
        return
    done = " and copied to the clipboard" if opts.clipboard and opts.path else ""
    what = f"Exported {opts.path.name}{done}" if opts.path else "Copied the image to the clipboard"
    window.statusBar().showMessage(f"{what} ({image.width()} \u00d7 {image.height()} px)", 6000)


# ============================================================================= dialog
class ExportDialog(QDialog):
    """What to export (3-D view, plan, whole window), its size and scale, the caption band,
    the file and/or the clipboard."""

    def __init__(self, targets: dict[str, tuple[str, tuple[int, int]]], default_target: str,
                 default_path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export Image")
        self.setMinimumWidth(520)
        self.targets = targets
        self.target = QComboBox()
        for key, (label, _size) in targets.items():
            self.target.addItem(label, key)
        self.target.setToolTip("Which part of the window to render")
        self.width_px, self.height_px = QSpinBox(), QSpinBox()
        for spin, tip in ((self.width_px, "Image width in logical pixels"),
                          (self.height_px, "Image height in logical pixels, caption included")):
            spin.setRange(320, 8192)
            spin.setSuffix(" px")
            spin.setToolTip(tip)
        self.preset = QComboBox()
        self.preset.addItem("Preset\u2026", None)
        for w, h in SIZE_PRESETS:
            self.preset.addItem(f"{w} \u00d7 {h}", (w, h))
        self.preset.setToolTip("Common image sizes")
        self.preset.activated.connect(self._preset_chosen)
        size_row = QHBoxLayout()
        for wdg in (self.width_px, QLabel("\u00d7"), self.height_px, self.preset):
            size_row.addWidget(wdg)
        size_row.addStretch(1)
        self.scale = QComboBox()
        for s in SCALES:
            self.scale.addItem(f"{s:g}\u00d7", s)
        self.scale.setToolTip("Pixel scale for high-DPI screens and print: 2\u00d7 doubles the "
                              "pixels with the same framing and sharper text")
        self.caption = QCheckBox("Caption band: layout, metric with colour bar, date")
        self.caption.setChecked(True)
        self.clipboard = QCheckBox("Also copy to the clipboard")
        self.selection = QCheckBox("Include the selection highlight")
        self.selection.setToolTip("Off: the image shows the floor as it is, without the "
                                  "editor's highlight of the selected racks")
        self.path = QLineEdit(default_path)
        self.path.setToolTip("PNG file to write (leave empty to copy to the clipboard only)")
        path_row = file_row(self.path, self._browse)
        form = QFormLayout()
        form.addRow("View:", self.target)
        form.addRow("Size:", size_row)
        form.addRow("Scale:", self.scale)
        form.addRow("", self.caption)
        form.addRow("", self.selection)
        form.addRow("File:", path_row)
        form.addRow("", self.clipboard)
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.note)
        lay.addWidget(self.buttons)
        self.target.currentIndexChanged.connect(self._target_changed)
        for sig in (self.width_px.valueChanged, self.height_px.valueChanged,
                    self.scale.currentIndexChanged, self.path.textChanged,
                    self.clipboard.toggled):
            sig.connect(self._update_note)
        self.target.setCurrentIndex(max(self.target.findData(default_target), 0))
        self._target_changed()

    def _target_changed(self) -> None:
        key = self.target.currentData()
        w, h = self.targets[key][1]
        self.width_px.setValue(w)
        self.height_px.setValue(h)
        for wdg in (self.width_px, self.height_px, self.preset):
            wdg.setEnabled(key != "window")
        self._update_note()

    def _preset_chosen(self, index: int) -> None:
        size = self.preset.itemData(index)
        if size is not None:
            self.width_px.setValue(size[0])
            self.height_px.setValue(size[1])
        self.preset.setCurrentIndex(0)

    def _update_note(self) -> None:
        o = self.options()
        w, h = round(o.width * o.scale), round(o.height * o.scale)
        if o.target == "window":
            text = (f"The window is captured as laid out on screen; with the caption band "
                    f"the image is {w} \u00d7 {h + (BAND_PX * o.scale if o.caption else 0):.0f} px.")
        else:
            text = f"The view is rendered at {w} \u00d7 {h} px; the camera is unchanged."
        self.note.setText(text)
        ok = o.path is not None or o.clipboard
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export Image", self.path.text(), PNG_FILTER)
        if path:
            self.path.setText(path if path.lower().endswith(".png") else path + ".png")

    def options(self) -> ExportOptions:
        text = self.path.text().strip()
        if text and not text.lower().endswith(".png"):
            text += ".png"
        return ExportOptions(Path(text) if text else None, self.target.currentData(),
                             self.width_px.value(), self.height_px.value(),
                             float(self.scale.currentData()), self.caption.isChecked(),
                             self.clipboard.isChecked(), self.selection.isChecked())

    @staticmethod
    def get_options(parent: QWidget | None, targets: dict[str, tuple[str, tuple[int, int]]],
                    default_target: str, default_path: str) -> ExportOptions | None:
        """Run the dialog; None if cancelled."""
        dlg = ExportDialog(targets, default_target, default_path, parent)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return dlg.options()
