"""Training power swings (twin.physics.swing, twin.engine.swing, twin swing): oracles from
the definitions in docs/physics.md §19 — the trapezoid's mean, swing and ramp, the band
share of a square wave from its Fourier series, a store's smoothing from its energy
balance, the meter series from the steady result, and the power floor's cost."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from twin.cli import main
from twin.engine.simulate import simulate
from twin.engine.swing import training_swing
from twin.io import load_layout
from twin.physics import swing as sw

ROOT = Path(__file__).resolve().parents[1]
POD = ROOT / "layouts" / "gb200-pod.json"


# ----- the wave ----------------------------------------------------------------------
def test_trapezoid_mean_swing_and_ramp_are_the_definitions():
    dt, T, d, r = 1e-3, 2.0, 0.7, 0.05
    t = np.arange(int(round(5 * T / dt))) * dt
    x = sw.trapezoid(t, T, d, r, low=30.0, high=100.0)
    assert x.mean() == pytest.approx(30 + 0.7 * 70, abs=1e-9)        # L + d(H - L)
    m = sw.swing_metrics(x, dt)
    assert (m.peak_w, m.trough_w, m.swing_w) == pytest.approx((100.0, 30.0, 70.0))
    assert m.max_ramp_w_per_s == pytest.approx(70.0 / 0.05, rel=1e-9)  # (H - L) / rise
    # the high phase lasts d*T between the midpoints of the edges
    assert np.sum(x >= 65.0) * dt == pytest.approx(d * T * 5, abs=2 * dt * 5)


def test_a_constant_load_has_no_swing_ramp_or_band_energy():
    x = sw.trapezoid(np.arange(4000) * 1e-3, 2.0, 1.0, 0.05, 30.0, 100.0)
    m = sw.swing_metrics(x, 1e-3)
    assert (m.swing_w, m.max_ramp_w_per_s, m.band_share) == (0.0, 0.0, 0.0)


def test_band_share_of_a_square_wave_is_its_fourier_series():
    """A 50 % square wave of period 2 s (f0 = 0.5 Hz) has power 8/(pi^2 n^2) of its
    variance at each odd harmonic n; 0.1-20 Hz holds the odd n up to 39."""
    dt, T = 1e-3, 2.0
    t = np.arange(int(round(8 * T / dt))) * dt
    x = np.where(np.mod(t, T) < T / 2, 1.0, 0.0)
    expected = 8 / math.pi ** 2 * sum(1 / n ** 2 for n in range(1, 40, 2))
    assert sw.swing_metrics(x, dt).band_share == pytest.approx(expected, abs=2e-3)
    # a slow wave (period 40 s, f0 = 0.025 Hz) puts its fundamental below the band
    t = np.arange(int(round(4 * 40 / 0.01))) * 0.01
    slow = np.where(np.mod(t, 40.0) < 20.0, 1.0, 0.0)
    below = 8 / math.pi ** 2 * (1 + 1 / 9)       # n = 1, 3 at 0.025 and 0.075 Hz
    assert sw.swing_metrics(slow, 0.01).band_share == pytest.approx(
        8 / math.pi ** 2 * sum(1 / n ** 2 for n in range(1, 800, 2)) - below, abs=3e-3)


# ----- stores ------------------------------------------------------------------------
def _square(H=100.0, L=30.0, d=0.7, T=2.0, dt=1e-3, periods=6):
    t = np.arange(int(round(periods * T / dt))) * dt
    return np.where(np.mod(t, T) < d * T, H, L), dt


def test_a_store_big_enough_flattens_the_load_to_its_mean():
    x, dt = _square()
    mean = 30 + 0.7 * 70
    # energy per period: (H - M) d T = 21 * 0.7 * 2 = 29.4 J; power H - M = 21, M - L = 49
    res = sw.store_smoothing(x, dt, energy_j=60.0, power_w=49.0)
    assert res.supply == pytest.approx(np.full_like(x, mean), abs=1e-9)
    assert res.charge.min() >= -1e-12 and res.charge.max() <= 60.0 + 1e-12


def test_a_power_limited_store_cuts_the_swing_by_exactly_what_it_can_deliver():
    """P = 20 W: the store charges at its limit through the low phase, so the supply
    trough is L + P = 50; energy balance d (H - c) = (1 - d) P puts the supply peak at
    c = H - (1 - d) P / d = 91.43."""
    x, dt = _square()
    res = sw.store_smoothing(x, dt, energy_j=1e6, power_w=20.0)
    c = 100 - 0.3 * 20 / 0.7
    tail = res.supply[len(x) // 3:]
    assert tail.max() == pytest.approx(c, abs=1e-6)
    assert tail.min() == pytest.approx(50.0, abs=1e-6)
    assert res.supply.mean() == pytest.approx(x.mean(), abs=1e-6)    # energy neutral


def test_an_energy_limited_store_runs_out_and_the_swing_comes_back():
    x, dt = _square()
    need = 21 * 0.7 * 2.0                       # J per period to hold the mean
    res = sw.store_smoothing(x, dt, energy_j=need / 2, power_w=1e3)
    # it covers half the high phase, then the supply rises to H
    assert res.supply.max() == pytest.approx(100.0)
    assert res.charge.min() >= -1e-9 and res.charge.max() <= need / 2 + 1e-9
    held = np.sum(np.isclose(res.supply[:2000], 30 + 0.7 * 70)) * dt   # first period
    assert 0.3 < held < 2.0


def test_no_store_is_the_load_itself():
    x, dt = _square()
    assert np.array_equal(sw.store_smoothing(x, dt, 0.0, 10.0).supply, x)


# ----- the hall at the meter ---------------------------------------------------------
def _pod(**site):
    lay = load_layout(POD)
    lay.update_item("workloads", "llm-train", swing_period_s=2.0, swing_duty=0.7,
                    swing_low_fraction=0.3, swing_rise_s=0.05)
    if site:
        lay.set_settings("site", dataclasses.replace(lay.site, **site))
    return lay


def test_the_meter_series_follows_the_racks_through_the_chain_losses():
    lay = _pod(grid_max_ramp_mw_per_s=10.0, grid_max_swing_mw=2.0)
    res = simulate(lay)
    rep = training_swing(lay, res)
    f = res.facility
    loss = f.electrical_loss_kw / f.it_kw
    train = [i for i, w in enumerate(lay.racks["workload"]) if w == "llm-train"]
    H = float(res.rack_power_kw[train].sum())
    (job,) = rep.jobs
    assert (job.racks, job.high_kw, job.low_kw) == (16, pytest.approx(H), pytest.approx(0.3 * H))
    raw = rep.stages[0]
    swing_kw = 0.7 * H * (1 + loss)
    assert raw.metrics.swing_w / 1e3 == pytest.approx(swing_kw, rel=1e-9)
    assert raw.metrics.peak_w / 1e3 == pytest.approx(f.facility_kw, rel=1e-9)
    assert raw.metrics.mean_w / 1e3 == pytest.approx(f.facility_kw - 0.3 * swing_kw, rel=1e-9)
    assert raw.metrics.max_ramp_w_per_s / 1e3 == pytest.approx(swing_kw / 0.05, rel=1e-6)
    assert raw.ramp_ok is (swing_kw / 0.05 / 1e3 <= 10.0)
    assert raw.swing_ok is (swing_kw / 1e3 <= 2.0)
    assert raw.metrics.band_share > 0.95


def test_a_power_floor_lifts_the_trough_and_costs_the_energy_it_burns():
    lay = _pod(gpu_power_floor=0.6, electricity_usd_per_kwh=0.1, operating_hours_per_year=8000.0)
    res = simulate(lay)
    rep = training_swing(lay, res)
    loss = res.facility.electrical_loss_kw / res.facility.it_kw
    H = rep.jobs[0].high_kw
    raw, floored = rep.stages[0], rep.stages[1]
    assert floored.name == "+ GPU power floor"
    assert floored.metrics.swing_w / 1e3 == pytest.approx(0.4 * H * (1 + loss), rel=1e-9)
    extra_kw = (0.6 - 0.3) * H * 0.3 * (1 + loss)       # (floor - low) H (1 - d)
    assert rep.floor_extra_kw == pytest.approx(extra_kw, rel=1e-6)
    assert rep.floor_usd_per_year == pytest.approx(extra_kw * 8000 * 0.1, rel=1e-6)
    assert floored.metrics.mean_w - raw.metrics.mean_w == pytest.approx(extra_kw * 1e3, rel=1e-6)


def test_rack_storage_of_gb300_racks_and_a_facility_battery_smooth_the_meter():
    lay = _pod(grid_max_ramp_mw_per_s=10.0)
    train = [r for r, w in zip(lay.racks.ids, lay.racks["workload"]) if w == "llm-train"]
    lay.set_rack_values(train, "model", ["gb300-nvl72"] * len(train))
    res = simulate(lay)
    rep = training_swing(lay, res)
    kj = lay.catalogue["gb300-nvl72"].get("energy_storage_kj")
    assert rep.jobs[0].storage_kj == pytest.approx(kj * len(train))
    names = [s.name for s in rep.stages]
    assert names == ["raw", "+ rack energy storage"]
    raw, stored = rep.stages
    assert stored.metrics.swing_w < 0.1 * raw.metrics.swing_w
    assert raw.ramp_ok is False and stored.ramp_ok is True
    # without the racks' storage the same hall fails the ramp limit
    lay.set_settings("site", dataclasses.replace(lay.site, rack_energy_storage=False,
                                                 facility_battery_kwh=5.0,
                                                 facility_battery_kw=1500.0))
    rep2 = training_swing(lay, simulate(lay))
    assert [s.name for s in rep2.stages] == ["raw", "+ facility battery"]
    assert rep2.stages[1].metrics.swing_w < rep2.stages[0].metrics.swing_w


def test_no_swing_is_said_and_cli_reports_json(tmp_path, capsys):
    lay = load_layout(POD)
    rep = training_swing(lay, simulate(lay))
    assert rep.stages == [] and "no running training workload" in rep.notes[0]
    csv_path = tmp_path / "s.csv"
    assert main(["swing", str(POD), "--period", "2", "--ramp-limit", "10", "--json",
                 "--csv", str(csv_path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["stages"][0]["name"] == "raw" and doc["stages"][0]["ramp_ok"] is False
    assert len(doc["series"]["t_s"]) == len(doc["series"]["raw_mw"]) > 100
    assert csv_path.read_text().startswith("t_s,raw_mw,smoothed_mw\n")
    assert main(["swing", str(POD), "--workload", "nope"]) == 2
    assert "no workload 'nope'" in capsys.readouterr().err


def test_the_review_report_has_the_swing_section_when_a_workload_swings(tmp_path, qapp):
    import shutil
    import subprocess
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    from twin.io import save_layout
    from twin.report.pdf import ReportSource, write_report
    from twin.report.offscreen import start_qt
    lay = _pod(grid_max_ramp_mw_per_s=10.0)
    src = tmp_path / "pod.json"
    save_layout(lay, src)
    start_qt(need_3d=False)
    out = tmp_path / "r.pdf"
    write_report(lay, simulate(lay), out, ReportSource.of_file(str(src)))
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Training power swings" in text and "OVER" in text
    rep = training_swing(lay, simulate(lay))
    assert f"{rep.stages[0].metrics.swing_w / 1e6:,.2f}" in text


def test_the_json_document_names_and_rounds_every_figure():
    """Powers in MW to 6 decimals, the power floor's kW and MWh to 3 and USD to 2, times
    to 5; the metric keys renamed with their units."""
    from twin.engine.swing import Stage, SwingJob, SwingReport
    job = SwingJob("llm-train", 16, 2000.0, 600.0, 2.0, 0.7, 0.05, 0.0)
    mt = sw.SwingMetrics(mean_w=1_234_567.891234, peak_w=2_000_000.4, trough_w=654_321.1234,
                         swing_w=1_345_679.2766, max_ramp_w_per_s=26_913_585.532,
                         band_share=0.987654321)
    rep = SwingReport([job], 0.0125, np.array([0.0, 0.123456789]),
                      np.array([1.23456789, 2.0]), np.array([1.1111119, 1.5]),
                      [Stage("raw", mt, True, False)], 10.0, None,
                      floor_extra_kw=12.34567, floor_usd_per_year=1234.5678,
                      floor_mwh_per_year=98.7654321, notes=["n"])
    doc = rep.to_json()
    assert doc == {
        "jobs": [{"workload": "llm-train", "racks": 16, "high_kw": 2000.0, "low_kw": 600.0,
                  "period_s": 2.0, "duty": 0.7, "rise_s": 0.05, "storage_kj": 0.0}],
        "limits": {"max_ramp_mw_per_s": 10.0, "max_swing_mw": None},
        "stages": [{"name": "raw", "mean_mw": 1.234568, "peak_mw": 2.0, "trough_mw": 0.654321,
                    "swing_mw": 1.345679, "max_ramp_mw_per_s": 26.913586,
                    "band_share": 0.987654, "ramp_ok": True, "swing_ok": False}],
        "power_floor": {"extra_kw": 12.346, "mwh_per_year": 98.765, "usd_per_year": 1234.57},
        "dt_s": 0.0125, "notes": ["n"],
        "series": {"t_s": [0.0, 0.12346], "raw_mw": [1.234568, 2.0],
                   "smoothed_mw": [1.111112, 1.5]}}
    assert "series" not in rep.to_json(series=False)


def test_neutral_target_of_a_small_swing_with_a_weak_store_is_not_the_mean():
    # load 0, 0, 0.9 W and a 0.05 W store: sum(clip(load - c, -P, P)) = 0 needs
    # 2 min(c, P) = min(0.9 - c, P), i.e. c = P / 2 = 0.025 W; the mean is 0.3 W. The
    # spread is under 1 W, so only the size of the store decides, not the units.
    assert sw.neutral_target(np.array([0.0, 0.0, 0.9]), 0.05) == pytest.approx(0.025, abs=1e-9)
    # no store, or no spread: the mean
    assert sw.neutral_target(np.array([0.0, 0.0, 0.9]), 0.0) == pytest.approx(0.3)
    assert sw.neutral_target(np.full(4, 2.0), 1.0) == 2.0


def test_a_floor_without_a_swing_has_an_empty_json_document_with_numbers_not_nulls():
    """No workload swings: no jobs, no stages, empty series, no sampling step (0 s) and no
    power floor cost (zeros, numbers as in every other document); the grid's limits as
    set on the site; the note says why."""
    lay = load_layout(POD)
    lay.set_settings("site", dataclasses.replace(lay.site, grid_max_ramp_mw_per_s=10.0))
    doc = training_swing(lay, simulate(lay)).to_json()
    assert doc == {
        "jobs": [], "limits": {"max_ramp_mw_per_s": 10.0, "max_swing_mw": None},
        "stages": [], "power_floor": {"extra_kw": 0.0, "mwh_per_year": 0.0, "usd_per_year": 0.0},
        "dt_s": 0.0, "notes": [doc["notes"][0]],
        "series": {"t_s": [], "raw_mw": [], "smoothed_mw": []}}
    assert doc["notes"][0].startswith("no running training workload has a swing")
    assert isinstance(doc["dt_s"], float)
