"""Hand-worked oracles for workloads → power and tokens (docs/physics.md, "7. Workloads").

Per GPU P(u) = P_idle + (P_max − P_idle) u^γ; rack phase power = n_gpu P(u) + overhead
linear in u; the mean is over phase *powers*; tokens = rate × n_gpu × Σ share·u (§7.1-7.4).
Test rack (unless stated): 4 GPUs, 100 → 1100 W, overhead 2000 → 4000 W, γ = 1, so a
phase at utilisation u draws 4 (100 + 1000 u) + 2000 + 2000 u = 2400 + 6000 u W.
"""

import pytest

from twin.physics.workload import RackWorkloads, evaluate_daily_profile, evaluate_workloads, gpu_power_w

REL = 1e-12


def rack_w(u):
    return 2400.0 + 6000.0 * u


def two_racks(**kw):
    """R0 training (u 0.95 ± 0.1, 50 tok/s/GPU); R1 inference (0.3 prefill at 1, 0.5 decode at 0.6,
    100 tok/s/GPU)."""
    base = dict(kind=["training", "inference"], n_gpus=4, gpu_idle_w=100.0, gpu_max_w=1100.0, gamma=1.0,
                overhead_idle_w=2000.0, overhead_max_w=4000.0, utilisation=[0.95, 0.5], swing_amplitude=[0.1, 0.0],
                prefill_share=0.3, decode_share=0.5, prefill_utilisation=1.0, decode_utilisation=0.6,
                tokens_per_s_at_full_load=[50.0, 100.0])
    base.update(kw)
    return RackWorkloads(**base)


def test_gpu_curve_on_its_bounds():
    assert gpu_power_w(0.0, 100.0, 1100.0, 3.0) == 100.0
    assert gpu_power_w(1.0, 100.0, 1100.0, 3.0) == 1100.0
    assert gpu_power_w(-0.2, 100.0, 1100.0) == 100.0                     # clipped to 0
    # γ = 3 at u = 0.5: 100 + 1000 · 0.125 = 225 W (γ = 1 would give 600 W)
    assert gpu_power_w(0.5, 100.0, 1100.0, 3.0) == pytest.approx(225.0, rel=REL)


def test_training_and_inference_side_by_side():
    r = evaluate_workloads(two_racks())
    # R0: levels clip(0.95 + 0.1) = 1.0 and 0.85 → 8400 and 7500 W, mean 7950, peak 8400,
    #     u_eff (1.0 + 0.85)/2 = 0.925 (the clip lowers it below 0.95), tokens 50·4·0.925 = 185
    # R1: prefill 8400 W ×0.3, decode 2400 + 3600 = 6000 W ×0.5, idle 2400 W ×0.2 → 6000 W mean,
    #     peak 8400, u_eff 0.3 + 0.3 = 0.6, tokens 100·4·0.6 = 240
    assert r.rack_power_w == pytest.approx([7950.0, 6000.0], rel=REL)
    assert r.rack_peak_power_w == pytest.approx([8400.0, 8400.0], rel=REL)
    assert r.effective_utilisation == pytest.approx([0.925, 0.6], rel=REL)
    assert r.tokens_per_s == pytest.approx([185.0, 240.0], rel=REL)
    # mean GPU power: R0 (1100 + 950)/2 = 1025 W; R1 0.3·1100 + 0.5·700 + 0.2·100 = 700 W
    assert r.gpu_power_w == pytest.approx([1025.0, 700.0], rel=REL)
    assert r.total_power_w == pytest.approx(13950.0, rel=REL)
    assert r.total_tokens_per_s == pytest.approx(425.0, rel=REL)


def test_nonlinear_gamma_averages_powers_not_utilisations():
    # inference with γ = 2: decode GPU 100 + 1000·0.36 = 460 W → phase 4·460 + 2000 + 1200 = 5040 W
    # mean 0.3·8400 + 0.5·5040 + 0.2·2400 = 2520 + 2520 + 480 = 5520 W
    # (P at the mean u 0.6 would be 4·460 + 3200 = 5040 W: a dropped phase weight shows)
    r = evaluate_workloads(two_racks(gamma=2.0))
    assert r.rack_power_w[1] == pytest.approx(5520.0, rel=REL)
    # training levels 1.0 and 0.85: GPU 1100 and 100 + 1000·0.7225 = 822.5 W
    # → 8400 and 4·822.5 + 2000 + 1700 = 6990 W; mean 7695 W
    assert r.rack_power_w[0] == pytest.approx(7695.0, rel=REL)


def test_load_multiplier_scales_training_u_and_inference_busy_share():
    r = evaluate_workloads(two_racks(load_multiplier=[0.5, 2.0]))
    # R0: u 0.475 ± 0.1 → 0.575 / 0.375 → 5850 / 4650 W, mean 5250, u_eff 0.475, tokens 95
    assert r.rack_power_w[0] == pytest.approx(5250.0, rel=REL)
    assert r.rack_peak_power_w[0] == pytest.approx(5850.0, rel=REL)
    assert r.tokens_per_s[0] == pytest.approx(95.0, rel=REL)
    # R1: busy 0.8 · 2 = 1.6 → clipped to 1 → shares 0.375 / 0.625 / 0
    # mean 0.375·8400 + 0.625·6000 = 6900 W; u_eff 0.375 + 0.375 = 0.75; tokens 300
    assert r.rack_power_w[1] == pytest.approx(6900.0, rel=REL)
    assert r.effective_utilisation[1] == pytest.approx(0.75, rel=REL)
    assert r.tokens_per_s[1] == pytest.approx(300.0, rel=REL)


def test_zero_load_and_idle_kind():
    r = evaluate_workloads(two_racks(kind=["idle", "inference"], prefill_share=0.0, decode_share=0.0))
    # idle: u = 0 → 2400 W, no tokens even with a rate; inference with no busy time: idle too
    assert r.rack_power_w == pytest.approx([2400.0, 2400.0], rel=REL)
    assert r.rack_peak_power_w == pytest.approx([2400.0, 2400.0], rel=REL)
    assert r.tokens_per_s.tolist() == [0.0, 0.0]
    # training at u = 0 without a swing: idle power, no tokens
    r = evaluate_workloads(two_racks(utilisation=[0.0, 0.5], swing_amplitude=0.0))
    assert r.rack_power_w[0] == pytest.approx(2400.0, rel=REL) and r.tokens_per_s[0] == 0.0
    # inference with no prefill phase: the peak is the decode phase, 6000 W
    r = evaluate_workloads(two_racks(prefill_share=0.0, decode_share=0.5))
    assert r.rack_peak_power_w[1] == pytest.approx(6000.0, rel=REL)
    assert r.rack_power_w[1] == pytest.approx(0.5 * 6000 + 0.5 * 2400, rel=REL)


def test_shares_exactly_one_are_accepted():
    r = evaluate_workloads(two_racks(prefill_share=0.4, decode_share=0.6))
    # no idle phase: 0.4·8400 + 0.6·6000 = 6960 W
    assert r.rack_power_w[1] == pytest.approx(6960.0, rel=REL)
    with pytest.raises(ValueError):
        two_racks(prefill_share=0.4, decode_share=0.6 + 1e-9)
    with pytest.raises(ValueError, match="expected 2 values"):
        two_racks(n_gpus=[4, 4, 4])


def test_gb200_catalogue_example():
    """docs/physics.md §7.5: 72 GPUs 250 → 1400 W, overhead 15.6 → 31.2 kW, 1200 tok/s/GPU.
    u = 1: 72·1400 + 31 200 = 132 000 W; u = 0.95: 72·1342.5 + 30 420 = 127 080 W;
    inference 0.3/0.5 at 1/0.6: 0.3·132 000 + 0.5·92 640 + 0.2·33 600 = 92 640 W, tokens 51 840."""
    w = RackWorkloads(kind=["training", "training", "inference", "idle"], n_gpus=72, gpu_idle_w=250.0,
                      gpu_max_w=1400.0, overhead_idle_w=15_600.0, overhead_max_w=31_200.0,
                      utilisation=[1.0, 0.95, 0.5, 0.5], tokens_per_s_at_full_load=1200.0)
    r = evaluate_workloads(w)
    assert r.rack_power_w == pytest.approx([132_000.0, 127_080.0, 92_640.0, 33_600.0], rel=REL)
    assert r.tokens_per_s == pytest.approx([86_400.0, 82_080.0, 51_840.0, 0.0], rel=REL)
    assert r.rack_peak_power_w[2] == pytest.approx(132_000.0, rel=REL)


def test_daily_profile_hours_by_hand():
    # hours 0.5, 1.0, 1.25 for both racks; R1 also carries its own multiplier 0.5
    w = two_racks(load_multiplier=[1.0, 0.5])
    s = evaluate_daily_profile(w, [0.5, 1.0, 1.25])
    assert s.rack_power_w.shape == (3, 2)
    # R0 (training): m 0.5 → 5250 W (see above); m 1 → 7950 W; m 1.25 → u clip(1.1875) = 1 → levels 1, 0.9
    #   → 8400 and 7800 W, mean 8100 W, u_eff 0.95
    assert s.rack_power_w[:, 0] == pytest.approx([5250.0, 7950.0, 8100.0], rel=REL)
    assert s.effective_utilisation[:, 0] == pytest.approx([0.475, 0.925, 0.95], rel=REL)
    # R1 (inference, own 0.5): m 0.25 → busy 0.2: shares 0.075/0.125 → 630 + 750 + 0.8·2400 = 3300 W
    #   m 0.5 → busy 0.4: 0.15/0.25 → 1260 + 1500 + 0.6·2400 = 4200 W
    #   m 0.625 → busy 0.5: 0.1875/0.3125 → 1575 + 1875 + 0.5·2400 = 4650 W
    assert s.rack_power_w[:, 1] == pytest.approx([3300.0, 4200.0, 4650.0], rel=REL)
    # tokens: 400 · (share_p + 0.6 share_d) = 400 · {0.15, 0.3, 0.375}
    assert s.tokens_per_s[:, 1] == pytest.approx([60.0, 120.0, 150.0], rel=REL)
    # per-rack hourly multipliers (hours × racks): swapping the columns swaps the racks' inputs
    per = evaluate_daily_profile(two_racks(), [[0.5, 1.0], [1.0, 0.5]])
    assert per.rack_power_w[0] == pytest.approx([5250.0, 6000.0], rel=REL)
    assert per.rack_power_w[1, 0] == pytest.approx(7950.0, rel=REL)
    assert per.rack_power_w[1, 1] == pytest.approx(4200.0, rel=REL)


def test_swing_of_either_sign_is_the_same_square_wave_clipped_to_full_load():
    # u 0.95 ± 0.2: the phases are 0.75 and 1.15 → clipped to 1 (docs: clipped to [0, 1]);
    # a negative amplitude only swaps the two half-periods.  Mean (6900 + 8400) / 2 = 7650 W,
    # peak 8400 W, u_eff 0.875, tokens 50 · 4 · 0.875 = 175 /s
    for amp in (0.2, -0.2):
        r = evaluate_workloads(two_racks(swing_amplitude=[amp, 0.0]))
        assert r.rack_power_w[0] == pytest.approx((rack_w(0.75) + rack_w(1.0)) / 2, rel=REL)
        assert r.rack_power_w[0] == pytest.approx(7650.0, rel=REL)
        assert r.rack_peak_power_w[0] == pytest.approx(8400.0, rel=REL)
        assert r.effective_utilisation[0] == pytest.approx(0.875, rel=REL)
        assert r.tokens_per_s[0] == pytest.approx(175.0, rel=REL)
