"""View > Units: SI or US customary for every number the window shows.

The choice is kept in the settings and applied before the window builds its widgets;
switching it re-prints every open widget in place: each object under the window with a
``refresh_units()`` method (docks, plan, 3-D view, unit spin boxes, open analysis dialogs,
the window's own status texts) is called once and refreshes its own texts only. Values, layout files and JSON stay SI; only printing
converts (``twin.model.units``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from twin.model import units

if TYPE_CHECKING:  # pragma: no cover
    from twin.gui.window.main_window import MainWindow

TIPS = {"si": "Show \u00b0C, m\u00b3/s, L/min, m, kg (files and JSON are always SI)",
        "us": "Show \u00b0F, CFM, gpm, ft, lb, psf and cooling in tons beside kW (files and "
              "JSON stay SI)"}


def install(w: "MainWindow", view_menu: QMenu) -> None:
    """Add View > Units with one checkable action per system; apply the remembered one."""
    current = units.set_system(w.settings.unit_system())
    menu = view_menu.addMenu("&Units")
    group = QActionGroup(w)
    group.setExclusive(True)
    w.unit_actions = {}
    for system in units.SYSTEMS.values():
        a = QAction(system.title, w, checkable=True)
        a.setStatusTip(TIPS[system.name])
        a.setToolTip(TIPS[system.name])
        a.setChecked(system is current)
        a.triggered.connect(lambda _on=False, name=system.name: set_units(w, name))
        group.addAction(a)
        menu.addAction(a)
        w.unit_actions[system.name] = a
    w.unit_group = group


def set_units(w: "MainWindow", name: str) -> None:
    """Show ``name`` ('si' or 'us') everywhere in the window, and remember it."""
    system = units.system_named(name)
    w.unit_actions[system.name].setChecked(True)
    if units.current() is system:
        return
    units.set_system(system)
    w.settings.set_unit_system(system.name)
    objects = {id(o): o for o in (w, *w.views, *w.findChildren(QObject))}
    for obj in objects.values():      # the 3-D view is no QObject: it comes with views()
        refresh = getattr(obj, "refresh_units", None)
        if callable(refresh):
            refresh()
