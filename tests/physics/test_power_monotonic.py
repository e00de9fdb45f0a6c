"""Power-chain losses never fall as the load rises (issue 14, item 5): the engine's
non-negative loss fit for every catalogue model, and the small room's total loss."""

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.engine.inputs import _loss_coefficients
from twin.engine.simulate import simulate
from twin.io import load_layout
from twin.model import load_catalogue
from twin.physics.power import (efficiency_at, loss_coefficients_from_efficiency, loss_kw,
                                monotonic_loss_coefficients)

CAT = load_catalogue()
POWER_MODELS = [k for k in CAT.keys() if CAT[k].get("efficiency_100", 1.0) < 1.0]


def test_the_catalogue_has_lossy_power_models():
    assert len(POWER_MODELS) >= 4


@pytest.mark.parametrize("key", POWER_MODELS)
def test_catalogue_loss_rises_with_load_from_0_to_100_pct(key):
    e = CAT[key]
    c = _loss_coefficients(e)
    assert min(c) >= 0, c
    x = np.linspace(0.0, 1.0, 201)
    loss = loss_kw(1.0, x, *c)
    assert np.all(np.diff(loss) >= 0), key
    assert loss[-1] > loss[10]                                   # 100 % above 5 %
    # the constrained fit stays within 0.3 points of the catalogue's efficiencies
    eff = [e.get("efficiency_25"), e.get("efficiency_50"), e.get("efficiency_100")]
    assert efficiency_at(np.array([0.25, 0.5, 1.0]), *c) == pytest.approx(eff, abs=3e-3)


def test_unconstrained_fits_fell_with_load_and_the_monotonic_fit_keeps_good_ones():
    # the transformer's catalogue curve fitted exactly has c1 < 0: its loss falls near 0
    c = loss_coefficients_from_efficiency((0.99, 0.993, 0.99))
    assert c[1] < 0 and loss_kw(1.0, 0.05, *c) < loss_kw(1.0, 0.0, *c)
    # a fit that is already non-negative is returned unchanged (exact at the 3 points)
    good = (0.25 / 0.2675, 0.5 / 0.53, 1 / 1.07)
    assert monotonic_loss_coefficients(good) == pytest.approx((0.01, 0.02, 0.04), abs=1e-12)


def test_small_room_total_loss_is_lower_at_5_pct_than_at_full_load():
    def loss(u):
        lay = load_layout(LAYOUTS / "small-room.json")
        for w in list(lay.workloads.values()):
            lay.update_item("workloads", w.id, utilisation=u)
        res = simulate(lay)
        return res.facility.electrical_loss_kw, res.power.chain_loss_kw
    low, full = loss(0.05), loss(1.0)
    assert low[0] < full[0] and low[1] < full[1]
