"""Workload → power and tokens."""

import numpy as np
import pytest

from twin.physics.workload import (
    IDLE, INFERENCE, TRAINING, RackWorkloads, evaluate_daily_profile, evaluate_workloads, gpu_power_w, kind_codes,
)


def test_gpu_power_curve():
    assert gpu_power_w(0.0, 200, 1200, 1.3) == 200
    assert gpu_power_w(1.0, 200, 1200, 1.3) == 1200
    assert gpu_power_w(0.5, 200, 1200, 2.0) == pytest.approx(200 + 1000 * 0.25)
    assert gpu_power_w(1.5, 200, 1200) == 1200          # clipped


def base(**kw):
    d = dict(n_gpus=8, gpu_idle_w=100.0, gpu_max_w=1000.0, gamma=1.0, overhead_idle_w=1000.0,
             overhead_max_w=3000.0, tokens_per_s_at_full_load=100.0)
    d.update(kw)
    return d


def test_training_near_tdp_with_swing():
    w = RackWorkloads(kind=["training"], utilisation=0.9, swing_amplitude=0.1, **base())
    r = evaluate_workloads(w)
    hi = 8 * 1000 + 3000
    lo = 8 * (100 + 900 * 0.8) + 1000 + 2000 * 0.8
    assert r.rack_power_w[0] == pytest.approx((hi + lo) / 2)
    assert r.rack_peak_power_w[0] == pytest.approx(hi)
    assert r.effective_utilisation[0] == pytest.approx(0.9)
    assert r.tokens_per_s[0] == pytest.approx(8 * 100 * 0.9)


def test_inference_phase_mix_nonlinear():
    w = RackWorkloads(kind=["inference"], prefill_share=0.2, decode_share=0.5, prefill_utilisation=1.0,
                      decode_utilisation=0.5, **base(gamma=2.0))
    r = evaluate_workloads(w)
    p = lambda u: 8 * (100 + 900 * u ** 2) + 1000 + 2000 * u
    assert r.rack_power_w[0] == pytest.approx(0.2 * p(1.0) + 0.5 * p(0.5) + 0.3 * p(0.0))
    assert r.effective_utilisation[0] == pytest.approx(0.45)
    assert r.tokens_per_s[0] == pytest.approx(800 * 0.45)
    assert r.rack_peak_power_w[0] == pytest.approx(p(1.0))


def test_idle_and_kind_codes():
    assert list(kind_codes(["idle", "Training", "inference"])) == [IDLE, TRAINING, INFERENCE]
    with pytest.raises(ValueError):
        kind_codes(["mining"])
    r = evaluate_workloads(RackWorkloads(kind=["idle"], **base()))
    assert r.rack_power_w[0] == pytest.approx(8 * 100 + 1000) and r.tokens_per_s[0] == 0


def test_daily_profile_matches_hour_by_hour():
    w = RackWorkloads(kind=["training", "inference", "idle", "inference"], **base())
    prof = np.linspace(0.3, 1.2, 24)
    series = evaluate_daily_profile(w, prof)
    assert series.rack_power_w.shape == (24, 4)
    for h in (0, 7, 23):
        one = evaluate_workloads(RackWorkloads(kind=w.kind, load_multiplier=prof[h], **base()))
        assert series.rack_power_w[h] == pytest.approx(one.rack_power_w)
        assert series.tokens_per_s[h] == pytest.approx(one.tokens_per_s)
    assert np.all(np.diff(series.rack_power_w[:, 1]) >= 0)            # inference follows the profile
    assert np.ptp(series.rack_power_w[:, 2]) == 0                      # idle stays idle


def test_shares_validated():
    with pytest.raises(ValueError):
        RackWorkloads(kind=["inference"], prefill_share=0.7, decode_share=0.5)


def test_gpu_power_is_linear_in_utilisation_by_default():
    """Without gamma the curve is linear (gamma = 1): half load is half-way, 200 + 1000 / 2."""
    assert gpu_power_w(0.5, 200.0, 1200.0) == pytest.approx(700.0, rel=1e-12)


def test_gpu_power_is_computed_in_double_precision_for_float32_ratings():
    """Ratings from a float32 table: at full load P = P_max = 1200 W exactly, not the
    float32 rounding of 1200 − 200.3 (999.7000122) put back on 200.3."""
    p = gpu_power_w(1.0, 200.3, np.array([1200.0], np.float32))
    assert p.dtype == np.float64
    assert p == pytest.approx([1200.0], rel=1e-12)


def test_kind_codes_of_no_names_are_an_empty_integer_index():
    """An empty list of kinds maps to an empty int64 array, usable to index (a float array
    would not be)."""
    codes = kind_codes([])
    assert codes.dtype == np.int64 and codes.shape == (0,)
    assert np.array([10.0, 20.0, 30.0])[codes].shape == (0,)
