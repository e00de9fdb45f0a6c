"""What the ``twin`` subcommands share: loading a layout with its problems printed, a
solve that ends in one line instead of a traceback, writing text atomically, and text
safe for a terminal."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Callable

import numpy as np

from twin.io import LayoutError, Problem, load_layout


#: Control characters (C0 but newline and tab, DEL, C1): never printed to a terminal, where
#: ANSI/OSC sequences from a layout could clear the screen or set the window title.
_CONTROL = dict.fromkeys([*range(0, 9), *range(11, 32), *range(127, 160)])


def plain(text: str) -> str:
    """``text`` without control characters (names from a layout file printed as text)."""
    return text.translate(_CONTROL)


def number_in(low: float, high: float, what: str, *, low_open: bool = False
              ) -> Callable[[str], float]:
    """An argparse ``type`` for a number in [low, high] (``low`` excluded when
    ``low_open``; ``math.inf`` for no upper bound): ``what`` names it in messages."""
    def check(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not (low < v if low_open else low <= v) or not v <= high:
            if math.isfinite(high):
                bound = f"above {low:g} and at most {high:g}" if low_open else f"{low:g} to {high:g}"
            else:
                bound = f"above {low:g}" if low_open else f"{low:g} or more"
            raise argparse.ArgumentTypeError(f"out of range ({bound}), got {text!r}")
        return v
    return check


def load_or_report(file: str, warnings: list[Problem] | None = None):
    """The layout in ``file``, or None after printing its problems to stderr."""
    try:
        return load_layout(file, warnings=warnings)
    except LayoutError as exc:
        for line in exc.first_lines():
            print(plain(line), file=sys.stderr)
        return None


def solve_or_report(file: str, fn):
    """``fn()``, or None after a one-line message when no steady state can be found."""
    from twin.physics.air.solver import SolveError
    try:
        return fn()
    except (SolveError, ValueError, np.linalg.LinAlgError) as exc:   # GridTooLarge too
        text = " ".join(str(exc).split())          # one line
        if "no steady state" in text:
            print(f"{file}: no steady state: {text.replace(': no steady state', '')}",
                  file=sys.stderr)
        else:
            print(f"{file}: the solver failed: {text}", file=sys.stderr)
        return None
    except MemoryError:
        print(f"{file}: the solver ran out of memory", file=sys.stderr)
        return None


def load_and_solve(file: str):
    """(layout, result) of ``file`` simulated, or None after its problems or a one-line
    solver message were printed."""
    from twin.engine.simulate import simulate
    layout = load_or_report(file)
    if layout is None:
        return None
    result = solve_or_report(file, lambda: simulate(layout))
    return None if result is None else (layout, result)


def write_text(text: str, out: str | None) -> int:
    if not out:
        sys.stdout.write(text)
        return 0
    from twin.io.atomic import write_atomic

    try:
        write_atomic(out, text.encode("utf-8"))
    except OSError as exc:
        print(f"{out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
