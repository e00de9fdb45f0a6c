"""The failure map (docs/physics.md §12.2): every unit coloured by the worst consequence
of its own failure, from an N-1 sweep.

Racks take the verdict of their rear door's failure, cooling units and CDUs their own (a
CDU the worse of losing the whole unit and losing one pump); what the sweep did not fail
— a rack without a door, a unit disabled or added since — is "no own failure" (grey).
Power components are not on the floor: the sweep's table and the report carry them.
"""

from __future__ import annotations

import numpy as np

from twin.engine.whatif.components import PUMP_SUFFIX
from twin.engine.whatif.outcome import VERDICTS
from twin.engine.whatif.sweep import SweepResult
from twin.model import Layout
from twin.model.viewstate import Colouring

KEY = "failure_map"
LABEL = "Failure map (N\u22121)"
#: the map's categories: the verdicts, then what has no failure of its own here (a rack
#: without a rear door)
CATEGORIES = (*VERDICTS, "no own failure")
#: survives green, degraded amber, fails red (the status colours of the app), grey
VERDICT_RGB = ((46, 125, 50), (239, 160, 0), (198, 40, 40), (158, 158, 158))
NO_OWN_FAILURE = float(len(VERDICTS))


def unit_verdicts(sweep: SweepResult) -> dict[str, int]:
    """Worst verdict (index into VERDICTS) per swept item id; a CDU's pump scenario
    counts for the CDU."""
    out: dict[str, int] = {}
    for o in sweep.outcomes:
        item = o.component[:-len(PUMP_SUFFIX)] if o.component.endswith(PUMP_SUFFIX) else o.component
        out[item] = max(out.get(item, 0), VERDICTS.index(o.verdict))
    return out


def failure_colouring(sweep: SweepResult, layout: Layout) -> Colouring:
    """The failure map of ``sweep`` aligned with ``layout``'s racks and equipment."""
    verdict = unit_verdicts(sweep)
    door_of = {u.rack: u.id for u in layout.cooling_units.values() if u.rack}
    racks = np.array([verdict.get(door_of.get(str(r), ""), NO_OWN_FAILURE)
                      for r in layout.racks.ids], dtype=float)
    equipment = {i: float(verdict.get(i, NO_OWN_FAILURE))
                 for i in (*layout.cooling_units, *layout.cdus)}
    return Colouring(KEY, LABEL, "", racks, 0.0, NO_OWN_FAILURE, categories=CATEGORIES,
                     colours=VERDICT_RGB, equipment=equipment)
