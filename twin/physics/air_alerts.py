"""Air-side alerts: rack inlets outside the ASHRAE band, cooling units over capacity."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from twin.physics.facility import CRITICAL, WARNING, Alert
from twin.physics.metrics import ASHRAE_ALLOWABLE_C, ASHRAE_RECOMMENDED_C


def air_alerts(rack_ids: Sequence[str], inlet_mean_c: np.ndarray, inlet_max_c: np.ndarray,
               unit_ids: Sequence[str], unit_capacity_fraction: np.ndarray,
               unit_supply_c: np.ndarray, unit_setpoint_c: np.ndarray,
               ashrae_class: str = "A1") -> list[Alert]:
    """Inlet above the class's allowable maximum (critical) or the recommended 27 °C
    (warning, judged on the hottest intake point); units loaded past capacity (critical)
    with their supply drifting above set-point."""
    lo, hi = ASHRAE_ALLOWABLE_C[ashrae_class]
    rec_hi = ASHRAE_RECOMMENDED_C[1]
    out: list[Alert] = []
    for i in np.flatnonzero(np.nan_to_num(inlet_max_c, nan=-1e9) > rec_hi).tolist():
        t_max, t_mean = inlet_max_c[i], inlet_mean_c[i]
        if t_max > hi:
            out.append(Alert(CRITICAL, "inlet_above_allowable", str(rack_ids[i]),
                             f"inlet up to {t_max:.1f} °C (mean {t_mean:.1f} °C) is above the "
                             f"{ashrae_class} allowable {hi:.0f} °C"))
        else:
            out.append(Alert(WARNING, "inlet_above_recommended", str(rack_ids[i]),
                             f"inlet up to {t_max:.1f} °C (mean {t_mean:.1f} °C) is above the "
                             f"recommended {rec_hi:.0f} °C"))
    for i in np.flatnonzero(np.nan_to_num(inlet_mean_c, nan=1e9) < lo).tolist():
        out.append(Alert(WARNING, "inlet_below_allowable", str(rack_ids[i]),
                         f"inlet {inlet_mean_c[i]:.1f} °C is below the {ashrae_class} allowable "
                         f"{lo:.0f} °C"))
    for j in range(len(unit_ids)):
        f = unit_capacity_fraction[j]
        if not np.isfinite(f):
            continue
        if f > 1.0 + 1e-6 or unit_supply_c[j] > unit_setpoint_c[j] + 0.05:
            out.append(Alert(CRITICAL, "cooling_unit_over_capacity", str(unit_ids[j]),
                             f"load is {f * 100:.0f}% of capacity; supply air "
                             f"{unit_supply_c[j]:.1f} °C above its set-point "
                             f"{unit_setpoint_c[j]:.1f} °C"))
        elif f > 0.9:
            out.append(Alert(WARNING, "cooling_unit_near_capacity", str(unit_ids[j]),
                             f"load is {f * 100:.0f}% of capacity"))
    return out
