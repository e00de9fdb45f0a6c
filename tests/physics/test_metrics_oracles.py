"""Hand-worked oracles for the metrics (docs/physics.md, "8. Metrics").

Each value follows from the definitions in docs/physics.md §8.1-8.6 with the numbers
written out; inputs sit exactly on the ASHRAE band edges (15/18/27/32 °C for A1 and the
allowable edges of A2-A4) and weights are unequal so a dropped or swapped weight shows.
"""

import numpy as np
import pytest

from twin.physics import metrics as m

REL = 1e-12


def test_rci_hi_on_and_past_the_band_edges():
    # exactly 27 °C is not over: 100 %
    assert m.rci_hi([27.0, 20.0]) == pytest.approx(100.0, rel=REL)
    # 27 and 32: over-temperature 0 + 5 = 5 K over (32 − 27)·2 = 10 → 50 %
    assert m.rci_hi([27.0, 32.0]) == pytest.approx(50.0, rel=REL)
    # every inlet at the allowable maximum: 0 %; beyond it the index goes negative: 37 °C → −100 %
    assert m.rci_hi([32.0, 32.0, 32.0]) == pytest.approx(0.0, abs=1e-12)
    assert m.rci_hi([37.0]) == pytest.approx(-100.0, rel=REL)
    # the team's oracle: {20, 28, 30, 26} → 1 − (1 + 3)/(5·4) = 80 %
    assert m.rci_hi([20.0, 28.0, 30.0, 26.0]) == pytest.approx(80.0, rel=REL)
    # class A2 limits (27/35): {29, 31, 20} → 1 − (2 + 4)/(8·3) = 75 %
    assert m.rci_hi([29.0, 31.0, 20.0], 27.0, 35.0) == pytest.approx(75.0, rel=REL)
    assert m.rci_hi([]) == 100.0


def test_rci_lo_on_and_past_the_band_edges():
    assert m.rci_lo([18.0, 30.0]) == pytest.approx(100.0, rel=REL)          # 18 °C is not under
    # {18, 15, 16.5, 20}: under 0 + 3 + 1.5 + 0 = 4.5 K over (18 − 15)·4 = 12 → 62.5 %
    assert m.rci_lo([18.0, 15.0, 16.5, 20.0]) == pytest.approx(62.5, rel=REL)
    assert m.rci_lo([15.0]) == pytest.approx(0.0, abs=1e-12)
    # A2 lower limit 10 °C: {14, 18} → 1 − 4/(8·2) = 75 %
    assert m.rci_lo([14.0, 18.0], 18.0, 10.0) == pytest.approx(75.0, rel=REL)
    assert m.rci_lo(np.zeros(0)) == 100.0
    # hot inlets never lower RCI_LO and cold ones never lower RCI_HI
    assert m.rci_lo([40.0]) == 100.0 and m.rci_hi([5.0]) == 100.0


def test_rti_balanced_bypass_recirculation():
    assert m.rti(30.0, 18.0, 15.0) == pytest.approx(80.0, rel=REL)     # (30 − 18)/15: bypass
    assert m.rti(33.0, 18.0, 15.0) == pytest.approx(100.0, rel=REL)    # balanced, on the boundary
    assert m.rti(36.0, 18.0, 15.0) == pytest.approx(120.0, rel=REL)    # recirculation
    assert m.rti(18.0, 18.0, 15.0) == 0.0


def test_shi_rhi_unequal_weights_by_hand():
    # T_sup 18, inlets {20, 24}, outlets {32, 30}, m {1, 3}:
    # δQ = 1·2 + 3·6 = 20, Q = 1·12 + 3·6 = 30 → SHI = 20/50 = 0.4, RHI = 0.6
    shi, rhi = m.shi_rhi(18.0, [20.0, 24.0], [32.0, 30.0], [1.0, 3.0])
    assert (shi, rhi) == pytest.approx((0.4, 0.6), rel=REL)
    # weights swapped: δQ = 3·2 + 1·6 = 12, Q = 3·12 + 1·6 = 42 → SHI = 12/54 = 2/9
    shi, rhi = m.shi_rhi(18.0, [20.0, 24.0], [32.0, 30.0], [3.0, 1.0])
    assert (shi, rhi) == pytest.approx((2 / 9, 7 / 9), rel=REL)
    # team oracle with equal flows: SHI 0.2, RHI 0.8
    assert m.shi_rhi(18.0, [20.0, 22.0], [32.0, 34.0]) == pytest.approx((0.2, 0.8), rel=REL)
    # inlets at the supply temperature: no recirculation, SHI 0, RHI 1
    assert m.shi_rhi(18.0, [18.0, 18.0], [30.0, 28.0]) == pytest.approx((0.0, 1.0), abs=1e-15)


A1_EDGES = [14.99, 15.0, 17.99, 18.0, 27.0, 27.01, 32.0, 32.01]


@pytest.mark.parametrize("cls, expected", [
    # 14.99 15   17.99 18  27  27.01 32  32.01
    ("A1", [2, 1, 1, 0, 0, 1, 1, 2]),
    ("A2", [1, 1, 1, 0, 0, 1, 1, 1]),
    ("A3", [1, 1, 1, 0, 0, 1, 1, 1]),
    ("A4", [1, 1, 1, 0, 0, 1, 1, 1]),
])
def test_ashrae_status_at_a1_and_recommended_edges(cls, expected):
    assert m.ashrae_status(A1_EDGES, cls).tolist() == expected


@pytest.mark.parametrize("cls, lo, hi", [("A2", 10.0, 35.0), ("A3", 5.0, 40.0), ("A4", 5.0, 45.0)])
def test_ashrae_status_at_each_class_allowable_edges(cls, lo, hi):
    t = [lo - 0.01, lo, hi, hi + 0.01]
    assert m.ashrae_status(t, cls).tolist() == [2, 1, 1, 2]
    assert m.ashrae_status(t, cls.lower()).tolist() == [2, 1, 1, 2]
    assert m.ASHRAE_ALLOWABLE_C[cls] == (lo, hi)


def test_ashrae_status_keeps_shape_and_rejects_unknown_class():
    s = m.ashrae_status(np.array([[18.0, 33.0], [np.nan, 16.0]]), "A1")
    assert s.tolist() == [[0, 2], [2, 1]]                 # NaN is not within any band
    with pytest.raises(ValueError, match="W32"):
        m.ashrae_status([20.0], "W32")


def test_capture_index_weighting_by_hand():
    # captures {1.0, 0.6, 0.2} with airflows {0.5, 1.0, 2.5}: (0.5 + 0.6 + 0.5)/4 = 0.4
    assert m.capture_index([1.0, 0.6, 0.2], [0.5, 1.0, 2.5]) == pytest.approx(0.4, rel=REL)
    # weights reversed: (2.5 + 0.6 + 0.1)/4 = 0.8
    assert m.capture_index([1.0, 0.6, 0.2], [2.5, 1.0, 0.5]) == pytest.approx(0.8, rel=REL)
    assert m.capture_index([1.0, 0.6, 0.2]) == pytest.approx(0.6, rel=REL)   # unweighted mean
    assert m.capture_index([]) == 1.0                                            # empty hall


def test_pue_and_tokens_per_kwh_by_hand():
    assert m.pue(1250.0, 1000.0) == pytest.approx(1.25, rel=REL)
    assert m.pue(1000.0, 1000.0) == 1.0                     # no overhead at all: the lower bound
    assert m.pue(5.0, 0.0) == float("inf")                 # no IT load
    # 2e5 tokens/s for an hour over a 1.6 MW facility: 2e5·3600/1600 = 450 000 tokens/kWh
    assert m.tokens_per_kwh(2e5 * 3600, 1600.0) == pytest.approx(450_000.0, rel=REL)
    assert m.tokens_per_kwh(0.0, 1600.0) == 0.0 and m.tokens_per_kwh(1e6, 0.0) == 0.0


def test_liquid_class_limits():
    assert m.ASHRAE_LIQUID_MAX_SUPPLY_C == {"W17": 17.0, "W27": 27.0, "W32": 32.0, "W40": 40.0,
                                            "W45": 45.0, "W+": float("inf")}


def test_ashrae_status_codes_are_int8():
    # the per-rack codes 0/1/2 are stored compactly as int8 (one byte a rack), whatever the
    # input dtype; a status array of a large hall should not silently widen to int64
    s = m.ashrae_status([20.0, 30.0, 40.0], "A1")
    assert s.dtype == np.int8
    assert s.tolist() == [0, 1, 2]
