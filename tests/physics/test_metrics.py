"""Oracles for the metrics (docs/physics.md §8.8 Metric oracles)."""

import numpy as np
import pytest

from twin.physics import metrics as m


def test_rci_oracle():
    inlets = [20, 28, 30, 26]
    assert m.rci_hi(inlets) == pytest.approx(80.0)
    assert m.rci_lo(inlets) == pytest.approx(100.0)


def test_rci_lo_counts_cold_inlets():
    assert m.rci_lo([18, 16.5]) == pytest.approx(75.0)   # 1 − 1.5/(3·2)


def test_rti_oracle():
    assert m.rti(30.0, 18.0, 15.0) == pytest.approx(80.0)


def test_shi_rhi_oracle():
    shi, rhi = m.shi_rhi(18.0, [20, 22], [32, 34])
    assert shi == pytest.approx(0.2)
    assert rhi == pytest.approx(0.8)


def test_ashrae_status_per_class():
    t = np.array([17.0, 22.0, 30.0, 33.0, 44.0, 46.0, 12.0])
    s = m.ashrae_status(t, "A1")
    assert s.tolist() == [1, 0, 1, 2, 2, 2, 2]
    assert m.ashrae_status(t, "A2").tolist() == [1, 0, 1, 1, 2, 2, 1]
    assert m.ashrae_status(t, "a4").tolist() == [1, 0, 1, 1, 1, 2, 1]
    with pytest.raises(ValueError, match="A5"):
        m.ashrae_status(t, "A5")


def test_capture_pue_tokens():
    assert m.capture_index([1.0, 0.5], [1.0, 3.0]) == pytest.approx(0.625)
    assert m.pue(1.3e6, 1.0e6) == pytest.approx(1.3)
    assert m.tokens_per_kwh(5e6, 2.0) == pytest.approx(2.5e6)
    assert m.ASHRAE_LIQUID_MAX_SUPPLY_C["W32"] == 32.0
