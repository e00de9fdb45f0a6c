"""File > Export As > OpenUSD and glTF scenes."""

from __future__ import annotations


def install(window) -> None:
    """Add this module's actions to the window's File > Import / Export As menus."""
