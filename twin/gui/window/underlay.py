"""File > Import > Floor Plan (DXF): the CAD drawing under the plan."""

from __future__ import annotations


def install(window) -> None:
    """Add this module's actions to the window's File > Import / Export As menus."""
