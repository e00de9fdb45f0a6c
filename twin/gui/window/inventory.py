"""File > Import > Rack Inventory and File > Export As > Rack Inventory."""

from __future__ import annotations


def install(window) -> None:
    """Add this module's actions to the window's File > Import / Export As menus."""
