"""Layout files: load with validation and migrations, save atomically, JSON Schema."""

from twin.io.errors import LayoutError, Problem
from twin.io.layout_file import FORMAT, VERSION, dumps_layout, load_layout, loads_layout, save_layout

__all__ = ["LayoutError", "Problem", "FORMAT", "VERSION", "dumps_layout", "load_layout",
           "loads_layout", "save_layout"]
