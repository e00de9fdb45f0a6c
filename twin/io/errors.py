"""Problems found in a layout file: where (file and JSON path), what was found, what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding. ``path`` is a JSON path such as ``racks[12].position_m``."""

    path: str
    message: str
    severity: str = "error"

    def format(self, file: str = "") -> str:
        where = ": ".join(p for p in (file, self.path) if p)
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {tag}{self.message}" if where else f"{tag}{self.message}"


class LayoutError(Exception):
    """A layout file could not be loaded or saved; ``problems`` lists every error found."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__("\n".join(p.format(file) for p in problems))

    @property
    def lines(self) -> list[str]:
        return [p.format(self.file) for p in self.problems]
