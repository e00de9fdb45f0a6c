"""Thermal and efficiency metrics, defined exactly as docs/physics.md §8 Metrics.

- ASHRAE TC9.9 air classes: recommended 18–27 °C for A1–A4; allowable
  A1 15–32, A2 10–35, A3 5–40, A4 5–45 °C.  Liquid classes W17…W45, W+
  (maximum facility-water supply temperature, °C).
- RCI_HI = [1 − Σ_{T>27} (T − 27) / ((32 − 27) n)] × 100 %; RCI_LO likewise
  with 18/15 °C (Herrlin's Rack Cooling Index, A1 limits).
- RTI = (T_return − T_supply) / ΔT_IT × 100 %.
- SHI = δQ / (Q + δQ), RHI = 1 − SHI with δQ = Σ m c_p (T_in − T_sup),
  Q = Σ m c_p (T_out − T_in).
- Capture index (cold aisle): share of rack intake air that came from cooling
  supplies (airflow-weighted over racks).
- PUE = total facility power / IT power; tokens per kWh at the utility meter.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ASHRAE_RECOMMENDED_C", "ASHRAE_ALLOWABLE_C", "ASHRAE_LIQUID_MAX_SUPPLY_C",
           "STATUS_RECOMMENDED", "STATUS_ALLOWABLE", "STATUS_OUT_OF_RANGE",
           "ashrae_status", "rci_hi", "rci_lo", "rti", "shi_rhi", "capture_index",
           "pue", "tokens_per_kwh"]

ASHRAE_RECOMMENDED_C = (18.0, 27.0)
ASHRAE_ALLOWABLE_C = {"A1": (15.0, 32.0), "A2": (10.0, 35.0), "A3": (5.0, 40.0), "A4": (5.0, 45.0)}
ASHRAE_LIQUID_MAX_SUPPLY_C = {"W17": 17.0, "W27": 27.0, "W32": 32.0, "W40": 40.0,
                              "W45": 45.0, "W+": float("inf")}

STATUS_RECOMMENDED = 0
STATUS_ALLOWABLE = 1
STATUS_OUT_OF_RANGE = 2


def ashrae_status(inlet_c, ashrae_class: str = "A1") -> np.ndarray:
    """Per-rack status codes: 0 within recommended, 1 within the class's
    allowable range only, 2 outside the allowable range."""
    key = ashrae_class.upper()
    if key not in ASHRAE_ALLOWABLE_C:
        raise ValueError(f"unknown ASHRAE air class {ashrae_class!r}; "
                         f"expected one of {sorted(ASHRAE_ALLOWABLE_C)}")
    t = np.asarray(inlet_c, float)
    lo, hi = ASHRAE_ALLOWABLE_C[key]
    rlo, rhi = ASHRAE_RECOMMENDED_C
    status = np.full(t.shape, STATUS_OUT_OF_RANGE, dtype=np.int8)
    status[(t >= lo) & (t <= hi)] = STATUS_ALLOWABLE
    status[(t >= rlo) & (t <= rhi)] = STATUS_RECOMMENDED
    return status


def rci_hi(inlet_c, recommended_max_c: float = 27.0, allowable_max_c: float = 32.0) -> float:
    """RCI_HI in %: 100 when no inlet is above the recommended maximum."""
    t = np.asarray(inlet_c, float).ravel()
    if t.size == 0:
        return 100.0
    over = np.clip(t - recommended_max_c, 0.0, None).sum()
    return float((1.0 - over / ((allowable_max_c - recommended_max_c) * t.size)) * 100.0)


def rci_lo(inlet_c, recommended_min_c: float = 18.0, allowable_min_c: float = 15.0) -> float:
    """RCI_LO in %: 100 when no inlet is below the recommended minimum."""
    t = np.asarray(inlet_c, float).ravel()
    if t.size == 0:
        return 100.0
    under = np.clip(recommended_min_c - t, 0.0, None).sum()
    return float((1.0 - under / ((recommended_min_c - allowable_min_c) * t.size)) * 100.0)


def rti(return_c: float, supply_c: float, delta_t_it_k: float) -> float:
    """Return Temperature Index in %: 100 balanced, < 100 bypass, > 100 recirculation."""
    return float((return_c - supply_c) / delta_t_it_k * 100.0)


def shi_rhi(supply_c: float, inlet_c, outlet_c, mass_flow=None) -> tuple[float, float]:
    """Supply and Return Heat Index (SHI, RHI); ``mass_flow`` weights racks
    (any unit, c_p cancels; equal flows if omitted)."""
    t_in = np.asarray(inlet_c, float).ravel()
    t_out = np.asarray(outlet_c, float).ravel()
    m = np.ones_like(t_in) if mass_flow is None else np.asarray(mass_flow, float).ravel()
    dq = float(np.sum(m * (t_in - supply_c)))
    q = float(np.sum(m * (t_out - t_in)))
    shi = dq / (q + dq)
    return shi, 1.0 - shi


def capture_index(rack_capture, airflow_m3s=None) -> float:
    """Airflow-weighted share of rack intake air that came from cooling supplies."""
    c = np.asarray(rack_capture, float).ravel()
    w = np.ones_like(c) if airflow_m3s is None else np.asarray(airflow_m3s, float).ravel()
    return float(np.sum(w * c) / np.sum(w)) if c.size else 1.0


def pue(total_facility_power: float, it_power: float) -> float:
    """Power Usage Effectiveness (The Green Grid), any one power unit; inf without IT."""
    return float(total_facility_power / it_power) if it_power > 0 else float("inf")


def tokens_per_kwh(tokens: float, grid_energy_kwh: float) -> float:
    """Tokens produced per kWh drawn at the utility meter ("grid-to-token"). For rates:
    tokens/s x 3600 over facility kW (one hour). 0 when no energy was drawn."""
    return float(tokens / grid_energy_kwh) if grid_energy_kwh > 0 else 0.0


#: Inlet temperatures closer than this tie when naming the worst rack (K): a warm-started
#: live solve and a fresh CLI solve differ by far less, so both name the same rack.
WORST_INLET_TIE_K = 0.01


def worst_inlet_order(inlet_max_c, inlet_mean_c, ids) -> list[int]:
    """Racks with an inlet, worst first, by the one rule used everywhere (dock, report, CLI,
    JSON): the highest inlet maximum, then the highest mean inlet, then id order (sorted
    strings); temperatures are compared at ``WORST_INLET_TIE_K``."""
    hi = np.asarray(inlet_max_c, float)
    mean = np.nan_to_num(np.asarray(inlet_mean_c, float), nan=-1e9)
    ok = np.nonzero(np.isfinite(hi))[0]
    names = np.array([str(ids[i]) for i in ok], dtype=str)
    order = np.lexsort((names, -np.round(mean[ok] / WORST_INLET_TIE_K),
                        -np.round(hi[ok] / WORST_INLET_TIE_K)))
    return [int(i) for i in ok[order]]


def worst_inlet_index(inlet_max_c, inlet_mean_c, ids) -> int:
    """The rack with the worst inlet (``worst_inlet_order``); −1 when no rack has one."""
    order = worst_inlet_order(inlet_max_c, inlet_mean_c, ids)
    return order[0] if order else -1
