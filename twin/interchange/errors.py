"""The one error type of imports and exports: the file, and what is wrong in it (with the
row, entity or object where one applies), printed by the CLI and shown by the GUI as one
line, never as a traceback."""

from __future__ import annotations


class InterchangeError(Exception):
    """A file could not be imported or exported; ``str()`` is ``FILE: message``."""

    def __init__(self, file: str, message: str):
        self.file, self.message = str(file), message
        super().__init__(f"{self.file}: {message}")
