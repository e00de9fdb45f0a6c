"""Problems found in a layout file: where (file and JSON path), what was found, what was expected."""

from __future__ import annotations

from dataclasses import dataclass


#: Problems printed per file by the CLI (and shown by the editor); the rest are counted.
MAX_PROBLEM_LINES = 50


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
        super().__init__("\n".join(capped_lines(problems, file)))

    @property
    def lines(self) -> list[str]:
        return [p.format(self.file) for p in self.problems]

    def first_lines(self, limit: int = MAX_PROBLEM_LINES) -> list[str]:
        """The first ``limit`` problems, then one line counting the rest (if any)."""
        return capped_lines(self.problems, self.file, limit)


def capped_lines(problems: list[Problem], file: str = "",
                 limit: int = MAX_PROBLEM_LINES) -> list[str]:
    """``limit`` formatted problems and, beyond them, ``FILE: ... and N more problems``."""
    lines = [p.format(file) for p in problems[:limit]]
    if len(problems) > limit:
        rest = problems[limit:]
        errors = sum(p.severity == "error" for p in rest)
        kinds = ", ".join(f"{n} {w}{'s' if n != 1 else ''}" for n, w in
                          ((errors, "error"), (len(rest) - errors, "warning")) if n)
        lines.append(f"{file + ': ' if file else ''}... and {len(rest)} more problems "
                     f"({kinds}) not listed")
    return lines
