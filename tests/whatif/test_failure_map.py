"""The failure map: each unit coloured by the verdict of its own failure (issue 17)."""

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.engine.whatif import failure_map
from twin.engine.whatif.outcome import Outcome
from twin.engine.whatif.sweep import SweepResult
from twin.io import load_layout


def _row(component: str, verdict: str) -> Outcome:
    return Outcome(component, "x", "air", verdict, [], None)


@pytest.fixture(scope="module")
def hall():
    return load_layout(LAYOUTS / "hyperscale-hall.json")


def test_racks_take_their_doors_verdict_units_and_cdus_their_own(hall):
    rows = [_row("RDHX-R01-01", "fails"), _row("RDHX-R01-02", "survives"),
            _row("CDU-011", "survives"), _row("CDU-011/pump", "degraded"),
            _row("CDU-012/pump", "survives"), _row("CDU-012", "fails"),
            _row("CRAH-W1", "degraded"), _row("UPS-A", "fails")]
    sweep = SweepResult(base=None, outcomes=rows, summary=[], seconds=0.0, workers=1)  # type: ignore[arg-type]
    c = failure_map.failure_colouring(sweep, hall)
    assert c.key == failure_map.KEY
    assert c.categories == ("survives", "degraded", "fails", "no own failure")
    assert len(c.values) == len(hall.racks)
    assert c.values[0] == 2.0 and c.values[1] == 0.0         # R01-01 by its door, R01-02
    assert (c.values[2:] == 3.0).all()                        # doors not swept
    # a CDU counts the worse of losing it and losing one pump, either order
    swept = {k: v for k, v in c.equipment.items() if v != 3.0}
    assert swept == {"RDHX-R01-01": 2.0, "RDHX-R01-02": 0.0, "CDU-011": 1.0,
                     "CDU-012": 2.0, "CRAH-W1": 1.0}          # power parts are not drawn
    assert set(c.equipment) == set(hall.cooling_units) | set(hall.cdus)
    rgba = c.rgba_of(np.array([0.0, 1.0, 2.0, 3.0, np.nan]))
    assert np.allclose(rgba[:4, :3] * 255, failure_map.VERDICT_RGB, atol=0.5)
    assert np.allclose(rgba[4, :3], 0.62)                     # no value: grey


def test_map_follows_a_real_sweep_on_the_hall(hall):
    from twin.engine.whatif.components import single_failures
    from twin.engine.whatif.sweep import run_sweep
    comps = [c for c in single_failures(hall) if c.id in ("RDHX-R01-01", "CDU-011")]
    sweep = run_sweep(hall, components=comps, jobs=1)
    verdict = {o.component: o.verdict for o in sweep.outcomes}
    c = failure_map.failure_colouring(sweep, hall)
    assert c.values[0] == failure_map.VERDICTS.index(verdict["RDHX-R01-01"])
    assert c.equipment["CDU-011"] == failure_map.VERDICTS.index(verdict["CDU-011"])
