"""The main window's actions, menus and tool bar, with the standard shortcuts.

``build_actions(window)`` creates every ``QAction`` (connected to the window's slots) and
``build_menus``/``build_toolbar`` lay them out, so the window module stays about behaviour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QStyle, QToolBar

from twin.gui.base.icons import icon
from twin.gui.window import help as help_pages
from twin.paths import LAYOUTS

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.window.main_window import MainWindow

SK = QKeySequence.StandardKey
#: Colour-by keys with menu labels (the live twin adds its metrics with ``add_colouring``).
STATIC_LABELS = {"model": "Model", "nameplate_kw": "Nameplate power"}


class WindowActions:
    """Every action of the main window as an attribute."""


def _act(w: "MainWindow", text: str, slot=None, shortcut=None, tip: str = "",
         std_icon=None, named_icon: str = "", checkable: bool = False) -> QAction:
    a = QAction(text, w)
    if shortcut is not None:
        if isinstance(shortcut, (list, tuple)):
            a.setShortcuts([QKeySequence(s) if isinstance(s, str) else QKeySequence(s)
                            for s in shortcut])
        else:
            a.setShortcut(QKeySequence(shortcut))
    if std_icon is not None:
        a.setIcon(w.style().standardIcon(std_icon))
    elif named_icon:
        a.setIcon(icon(named_icon))
    a.setCheckable(checkable)
    if tip:
        keys = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        a.setToolTip(f"{tip} ({keys})" if keys else tip)
        a.setStatusTip(tip)
    if slot is not None:
        (a.toggled if checkable else a.triggered).connect(slot)
    return a


def build_actions(w: "MainWindow") -> WindowActions:
    SP = QStyle.StandardPixmap
    a = WindowActions()
    # File
    a.new = _act(w, "&New", w.file_new, SK.New, "Start a new, empty hall", SP.SP_FileIcon)
    a.open = _act(w, "&Open\u2026", w.file_open, SK.Open, "Open a layout file",
                  SP.SP_DialogOpenButton)
    a.save = _act(w, "&Save", w.file_save, SK.Save, "Save the layout", SP.SP_DialogSaveButton)
    a.save_as = _act(w, "Save &As\u2026", w.file_save_as, SK.SaveAs,
                     "Save the layout to a new file")
    if a.save_as.shortcut().isEmpty():
        a.save_as.setShortcut(QKeySequence("Ctrl+Shift+S"))
    a.export = _act(w, "&Export Image\u2026", w.file_export, "Ctrl+E",
                    "Save a PNG screenshot of the window or a view at a chosen size",
                    named_icon="export")
    a.import_equipment = _act(w, "Import &Equipment\u2026", w.file_import_equipment, None,
                              "Add equipment models from a JSON file to this layout's "
                              "own catalogue (undoable)")
    a.export_report = _act(w, "Export Review &Report\u2026", w.file_export_report,
                           "Ctrl+Shift+E", "Write the design-review report (PDF)")
    a.failure_sweep = _act(w, "&Failure Sweep (N\u22121)\u2026", w.analysis_failure_sweep,
                           "Ctrl+Shift+F", "Fail every component in turn and judge each "
                           "(survives / degraded / fails)")
    a.ride_through = _act(w, "&Ride-Through\u2026", w.analysis_ride_through, "Ctrl+Shift+T",
                          "Temperatures over time after a failure or a utility loss")
    a.swap = _act(w, "&Generation Swap\u2026", w.analysis_swap, "Ctrl+Shift+G",
                  "Replace racks with another model and see what breaks")
    a.compare = _act(w, "&Compare With Layout\u2026", lambda: w.analysis_compare(), None,
                     "This floor against another layout file: metrics with B \u2212 A")
    a.replace_model = _act(w, "Re&place Rack Model With\u2026", w.analysis_swap, None,
                           "Replace the selected racks (or all of a model) with another "
                           "model: preview what breaks, then apply as one undo step")
    a.power_arch = _act(w, "&Power Architecture (AC vs 800 V DC)\u2026",
                        w.analysis_power_architecture, None,
                        "This floor's racks on AC distribution against 800 V DC")
    a.swing = _act(w, "Training Power S&wings\u2026", w.analysis_swing, None,
                   "The hall's power at the utility meter while training swings: ramp and "
                   "swing against the grid's limits, with smoothing")
    a.scenarios = _act(w, "S&cenarios\u2026", w.analysis_scenarios, None,
                       "Named sets of edits over this layout (workloads, failures, set-points, "
                       "rack models), saved in the file")
    a.compare_scenarios = _act(w, "Compare Sce&narios\u2026", w.analysis_compare_scenarios, None,
                               "One scenario of this layout against another: metrics, "
                               "air difference map, racks whose class changed")
    a.quit = _act(w, "&Quit", w.close, SK.Quit, "Quit the application")
    if a.quit.shortcut().isEmpty():
        a.quit.setShortcut(QKeySequence("Ctrl+Q"))
    # Edit
    stack = w.document.stack
    a.undo = stack.createUndoAction(w, "&Undo")
    a.undo.setShortcut(QKeySequence(SK.Undo))
    a.undo.setIcon(w.style().standardIcon(SP.SP_ArrowBack))
    a.undo.setToolTip("Undo the last edit (Ctrl+Z)")
    a.redo = stack.createRedoAction(w, "&Redo")
    a.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    a.redo.setIcon(w.style().standardIcon(SP.SP_ArrowForward))
    a.redo.setToolTip("Redo the last undone edit (Ctrl+Shift+Z, Ctrl+Y)")
    a.cut = _act(w, "Cu&t", w.edit_cut, SK.Cut, "Cut the selection to the clipboard")
    a.copy = _act(w, "&Copy", w.edit_copy, SK.Copy, "Copy the selection as JSON records")
    a.paste = _act(w, "&Paste", w.edit_paste, SK.Paste,
                   "Paste racks and units, offset by one floor tile")
    a.duplicate = _act(w, "D&uplicate", w.edit_duplicate, "Ctrl+D",
                       "Duplicate the selection, offset by one floor tile",
                       named_icon="duplicate")
    a.delete = _act(w, "&Delete", w.edit_delete, SK.Delete, "Delete the selection",
                    SP.SP_TrashIcon)
    a.select_all = _act(w, "Select &All", w.edit_select_all, SK.SelectAll,
                        "Select every rack and unit on the floor")
    a.select_none = _act(w, "Select &None", w.selection.clear, "Ctrl+Shift+A",
                         "Clear the selection")
    a.rotate = _act(w, "&Rotate 90\u00b0", w.edit_rotate, "R",
                    "Rotate the selection 90\u00b0 clockwise (front south \u2192 west)",
                    named_icon="rotate")
    # View
    a.mode_group = QActionGroup(w)
    a.view_3d = _act(w, "&3-D View", None, "Ctrl+1", "Show only the 3-D view",
                     named_icon="view3d", checkable=True)
    a.view_plan = _act(w, "&Plan View", None, "Ctrl+2", "Show only the plan view",
                       named_icon="plan", checkable=True)
    a.view_split = _act(w, "&Split View", None, "Ctrl+3",
                        "Show the 3-D view and the plan side by side", named_icon="split",
                        checkable=True)
    for act, mode in ((a.view_3d, "3d"), (a.view_plan, "plan"), (a.view_split, "split")):
        a.mode_group.addAction(act)
        act.triggered.connect(lambda _=False, m=mode: w.set_view_mode(m))
    a.stacked = _act(w, "Stack Split Views &Vertically", w.set_stacked, None,
                     "In split view, put the 3-D view above the plan instead of beside it",
                     checkable=True)
    a.reset_camera = _act(w, "Reset &Camera", w.view_reset, "Home",
                          "Show the whole hall in both views", named_icon="camera")
    a.frame_selection = _act(w, "&Frame Selection", w.view_frame_selection, "F",
                             "Zoom both views to the selection")
    from twin.view3d.presets import PRESETS
    a.camera_presets = {
        key: _act(w, f"{PRESETS[key][0]}", lambda _=False, k=key: w.view_preset(k), keys, tip)
        for key, keys, tip in (
            ("plan", "Alt+1", "3-D view: look straight down on the floor, north up"),
            ("aisle", "Alt+2", "3-D view: look down the cold aisle nearest the middle of "
                               "the hall, from eye height"),
            ("iso", "Alt+3", "3-D view: the whole hall from an isometric angle"))}
    a.snap = _act(w, "Snap to &Tiles", w.set_snap, None,
                  "Snap dragged racks and units to the floor-tile grid", named_icon="snap",
                  checkable=True)
    a.temperature_scale = _act(w, "&Temperature Scale\u2026", w.view_temperature_scale, None,
                               "The hall's ASHRAE-class temperature scale, or your own "
                               "locked range, in every view")
    a.colour_group = QActionGroup(w)
    a.colour_actions = {}
    # Help
    a.help_pages = {key: _act(w, text, lambda _=False, k=key: w.show_help(k), "F1"
                              if key == "manual" else None, f"Show the {title.lower()}")
                    for key, (text, title, _doc, _section) in help_pages.PAGES.items()}
    a.help_shortcuts = _act(w, "&Keyboard Shortcuts", w.show_shortcuts, None,
                            "Every keyboard shortcut and mouse gesture")
    a.about = _act(w, "&About AI Factory Floor Twin", w.help_about, None,
                   "Version and credits")
    a.about_qt = _act(w, "About &Qt", w.help_about_qt)
    return a


def add_colour_action(w: "MainWindow", key: str, label: str) -> QAction:
    a = w.actions
    if key in a.colour_actions:          # offered again (a new sweep's failure map)
        a.colour_actions[key].setText(label)
        return a.colour_actions[key]
    act = QAction(label, w)
    act.setCheckable(True)
    act.setStatusTip(f"Colour racks by {label.lower()}")
    act.triggered.connect(lambda _=False, k=key: w.set_colour_by(k))
    a.colour_group.addAction(act)
    a.colour_actions[key] = act
    w.colour_menu.addAction(act)
    if w.colour_combo.findData(key) < 0:
        w.colour_combo.addItem(label, key)
    return act


def build_menus(w: "MainWindow") -> None:
    a = w.actions
    mb = w.menuBar()
    f = mb.addMenu("&File")
    f.addActions([a.new, a.open])
    w.recent_menu = f.addMenu("Open &Recent")
    w.recent_menu.aboutToShow.connect(w.update_recent_menu)
    f.addSeparator()
    f.addActions([a.save, a.save_as])
    f.addSeparator()
    w.import_menu = f.addMenu("&Import")
    w.import_menu.addAction(a.import_equipment)
    f.addSeparator()
    f.addActions([a.export, a.export_report])
    w.export_menu = f.addMenu("Export &As")
    f.addSeparator()
    f.addAction(a.quit)
    e = mb.addMenu("&Edit")
    e.addActions([a.undo, a.redo])
    e.addSeparator()
    e.addActions([a.cut, a.copy, a.paste, a.duplicate, a.delete])
    e.addSeparator()
    e.addActions([a.select_all, a.select_none])
    e.addSeparator()
    e.addAction(a.rotate)
    e.addAction(a.replace_model)
    from twin.gui.window import cfd, inventory, scene_export, trace, underlay
    for module in (inventory, trace, underlay, scene_export, cfd):  # File > Import / Export As entries
        module.install(w)
    v = mb.addMenu("&View")
    v.addActions([a.view_3d, a.view_plan, a.view_split, a.stacked])
    v.addSeparator()
    v.addActions([a.reset_camera, a.frame_selection])
    w.camera_menu = v.addMenu("Camera &Presets")
    w.camera_menu.addActions(list(a.camera_presets.values()))
    v.addSeparator()
    w.colour_menu = v.addMenu("&Colour Racks By")
    v.addAction(a.temperature_scale)
    from twin.gui.window import units_menu
    units_menu.install(w, v)
    v.addAction(a.snap)
    v.addSeparator()
    w.panels_menu = v.addMenu("P&anels")
    an = mb.addMenu("&Analysis")
    an.addActions([a.failure_sweep, a.ride_through, a.swap, a.power_arch, a.swing])
    an.addSeparator()
    an.addActions([a.scenarios, a.compare_scenarios, a.compare])
    an.addSeparator()
    an.addAction(a.calibrate_air)          # twin.gui.window.cfd
    h = mb.addMenu("&Help")
    h.addAction(a.help_pages["manual"])
    h.addAction(a.help_shortcuts)
    h.addActions([a.help_pages[k] for k in ("file_format", "physics", "architecture")])
    w.samples_menu = h.addMenu("Open &Sample Layout")
    for path in sorted(LAYOUTS.glob("*.json")):
        act = w.samples_menu.addAction(path.stem.replace("-", " ").capitalize())
        act.setStatusTip(f"Open the bundled sample {path.name}")
        act.triggered.connect(lambda _=False, p=path: w.open_path(p))
    h.addSeparator()
    h.addActions([a.about, a.about_qt])


def build_toolbar(w: "MainWindow") -> QToolBar:
    a = w.actions
    tb = QToolBar("Main tool bar", w)
    tb.setObjectName("mainToolBar")
    tb.setMovable(False)
    tb.setIconSize(QSize(18, 18))
    tb.addActions([a.new, a.open, a.save])
    tb.addSeparator()
    tb.addActions([a.undo, a.redo])
    tb.addSeparator()
    tb.addActions([a.rotate, a.duplicate, a.delete])
    tb.addSeparator()
    tb.addActions([a.view_3d, a.view_plan, a.view_split, a.reset_camera, a.snap])
    tb.addSeparator()
    label = QLabel(" Colour by ")
    label.setObjectName("hint")
    tb.addWidget(label)
    w.colour_combo = QComboBox()
    w.colour_combo.setToolTip("What the rack colours show (colour bar in the 3-D view)")
    w.colour_combo.setMinimumContentsLength(14)
    tb.addWidget(w.colour_combo)
    from twin.gui.window.scenarios import ScenarioSwitcher
    w.scenario_switcher = ScenarioSwitcher(w)
    w.scenario_switcher_action = tb.addWidget(w.scenario_switcher)
    w.scenario_switcher.refresh()
    tb.addSeparator()
    tb.addAction(a.export)
    w.addToolBar(tb)
    return tb
