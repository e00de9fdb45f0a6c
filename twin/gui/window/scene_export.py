"""File > Export As > OpenUSD Scene… and glTF Scene (GLB)…: the floor in 3-D for other
tools (Omniverse, usdview, Blender, a browser glTF viewer).

The scene holds the latest simulation when it is a refined solve of exactly the layout on
screen (its figures, the current rack colouring and the air slice); otherwise the layout is
exported without results, coloured by model (the status bar says so). The export runs on a
worker thread (the 1,440-rack hall takes about half a second) on an independent snapshot;
success is reported in the status bar, failure in a problems dialog with one line.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from twin.engine.layers import METRICS
from twin.engine.simulate import TwinResult
from twin.interchange.scene import ExportSummary
from twin.model import Layout
from twin.model.colour_by import STATIC_COLOURINGS
from twin.model.viewstate import Colouring
from twin.paths import file_slug
from twin.gui.base.emit import emit

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.window.main_window import MainWindow

#: format -> (dialog title, file filters, default suffix)
FORMATS: dict[str, tuple[str, str, str]] = {
    "usd": ("Export OpenUSD Scene",
            "OpenUSD binary (*.usdc);;OpenUSD text (*.usda);;OpenUSD (*.usd)", ".usdc"),
    "gltf": ("Export glTF Scene", "glTF binary (*.glb)", ".glb"),
}
_FILTER_SUFFIX = {"OpenUSD binary (*.usdc)": ".usdc", "OpenUSD text (*.usda)": ".usda",
                  "OpenUSD (*.usd)": ".usd", "glTF binary (*.glb)": ".glb"}
_SUFFIXES = {"usd": (".usdc", ".usda", ".usd"), "gltf": (".glb",)}


def install(window: "MainWindow") -> None:
    """Add this module's actions to the window's File > Import / Export As menus."""
    usd = QAction("Open&USD Scene\u2026", window)
    usd.setStatusTip("The floor as an OpenUSD stage (.usdc or .usda): racks by row, units, "
                     "CDUs and tiles with their figures, coloured as on screen")
    usd.triggered.connect(lambda: export_scene(window, "usd"))
    glb = QAction("gl&TF Scene (GLB)\u2026", window)
    glb.setStatusTip("The coloured 3-D floor as one binary glTF file a browser viewer opens")
    glb.triggered.connect(lambda: export_scene(window, "gltf"))
    window.export_menu.addActions([usd, glb])
    window.actions.export_usd, window.actions.export_gltf = usd, glb


class _Bridge(QObject):
    """Carries the worker thread's answer to the GUI thread."""

    done = Signal(object)
    failed = Signal(str)


@dataclass
class SceneExport:
    """One export in progress: what is written where, and its outcome once finished."""

    fmt: str
    path: Path
    layout: Layout
    result: TwinResult | None
    colour_by: str | Colouring
    summary: ExportSummary | None = None
    error: str = ""
    finished: threading.Event = field(default_factory=threading.Event)
    bridge: Any = None

    def run(self) -> ExportSummary:
        if self.fmt == "usd":
            from twin.interchange.usd import write_usd
            return write_usd(self.layout, self.path, self.result, self.colour_by)
        from twin.interchange.gltf import write_gltf
        return write_gltf(self.layout, self.path, self.result, self.colour_by)


def current_scene_source(window: "MainWindow") -> tuple[Layout, TwinResult | None, str | Colouring]:
    """(layout snapshot, result or None, colouring) to export: the session's latest result
    with its snapshot when that is a refined solve of the layout on screen; the rack
    colouring key of the window (or the colouring itself for one the exports do not know,
    such as a failure map)."""
    session = window.session
    layout = window.floor_layout
    result, snap, info = session.result, session.snapshot, session.info
    fresh = (result is not None and snap is not None and info is not None
             and not getattr(info, "coarse", False) and not session.error
             and snap.equals(layout))
    key = session.colour_key
    if not fresh:
        return layout.snapshot(), None, key if key in STATIC_COLOURINGS else "model"
    if key in METRICS or key in STATIC_COLOURINGS:
        return snap, result, key
    return snap, result, window.colouring.current


def _ask_path(window: "MainWindow", fmt: str) -> Path | None:
    title, filters, suffix = FORMATS[fmt]
    start = Path(window.settings.last_directory() or ".") / (
        file_slug(window.floor_layout.name) + suffix)
    path, chosen = QFileDialog.getSaveFileName(window, title, str(start), filters)
    if not path:
        return None
    p = Path(path)
    if p.suffix.lower() not in _SUFFIXES[fmt]:
        p = p.with_name(p.name + _FILTER_SUFFIX.get(chosen, suffix))
    return p


def export_scene(window: "MainWindow", fmt: str, path: str | Path | None = None
                 ) -> SceneExport | None:
    """Ask for the file (unless ``path``), then export on a worker thread. Returns the
    running export (its ``finished`` event is set when done), None when cancelled or while
    another scene export runs."""
    running = getattr(window, "scene_export_job", None)
    if running is not None and not running.finished.is_set():
        window.statusBar().showMessage("A scene export is still running", 4000)
        return None
    target = Path(path) if path is not None else _ask_path(window, fmt)
    if target is None:
        return None
    layout, result, colour_by = current_scene_source(window)
    job = SceneExport(fmt, target, layout, result, colour_by)
    bridge = _Bridge(window)
    job.bridge = bridge
    bridge.done.connect(lambda summary: _on_done(window, job, summary))
    bridge.failed.connect(lambda message: _on_failed(window, job, message))
    window.scene_export_job = job
    _set_enabled(window, False)
    window.statusBar().showMessage(f"Exporting {target.name}\u2026")

    def work() -> None:
        try:
            summary = job.run()
        except Exception as exc:  # noqa: BLE001 — shown in a dialog, never lost
            job.error = " ".join(str(exc).split()) or type(exc).__name__
            _emit(bridge.failed, job.error, job)
            return
        job.summary = summary
        _emit(bridge.done, summary, job)

    threading.Thread(target=work, name="twin-scene-export", daemon=True).start()
    return job


def _emit(signal: Any, value: Any, job: SceneExport) -> None:
    if not emit(signal, value):       # the window was closed meanwhile
        job.finished.set()


def _set_enabled(window: "MainWindow", on: bool) -> None:
    for name in ("export_usd", "export_gltf"):
        act = getattr(window.actions, name, None)
        if act is not None:
            act.setEnabled(on)


def _on_done(window: "MainWindow", job: SceneExport, s: ExportSummary) -> None:
    _set_enabled(window, True)
    window.settings.set_last_directory(s.path)
    what = "prims" if job.fmt == "usd" else "meshes"
    note = "" if job.result is not None else " \u2014 without results (the simulation is not up to date)"
    window.statusBar().showMessage(
        f"Exported {s.path.name}: {s.rack_count:,} racks, {s.prim_count:,} {what}, "
        f"{s.bytes / 1e6:.1f} MB in {s.seconds:.2f} s{note}", 10000)
    job.finished.set()


def _on_failed(window: "MainWindow", job: SceneExport, message: str) -> None:
    from twin.gui.base import dialogs
    _set_enabled(window, True)
    window.statusBar().showMessage(f"Could not export {job.path.name}", 8000)
    job.finished.set()
    dialogs.show_problems(window, "Cannot Export Scene",
                          f"The scene could not be written to <b>{job.path.name}</b>.",
                          [message])
