"""The air model's calibrated recirculation constants as a layout keeps them.

``BOUNDS`` is the single list of the constants ``twin calibrate`` fits (and
``tests/bench/cfd/fit.py`` fits jointly over the CFD rooms), each with its physical
bounds (README_air.md, "Recirculation correction"). A layout stores a fit in its
``air_calibration`` block (format version 3): the constants it fitted, the sensor file,
the date and the error before and after. A constant the block does not hold keeps the
product's default (``twin.physics.air.SolverSettings``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

#: the fitted constants and their physical bounds (lower, upper), in the names and units
#: of the air solver's settings
BOUNDS: dict[str, tuple[float, float]] = {
    "row_end_entrainment": (0.0, 0.95),
    "turbulent_diffusivity_m2s": (0.005, 0.15),
    "mixing_length_m": (0.0, 0.4),
    "buoyancy_time_s": (0.1, 2.4),
}

#: what each constant is, for the file format's description and the report
MEANINGS: dict[str, str] = {
    "row_end_entrainment": "share of an end rack's airflow drawn round an open row end",
    "turbulent_diffusivity_m2s": "effective turbulent diffusivity on open faces (m\u00b2/s)",
    "mixing_length_m": "jet mixing length (m)",
    "buoyancy_time_s": "time scale of the buoyancy drift (s)",
}

#: the block's other fields: where the fit came from and what it achieved
RECORD_FIELDS = ("sensors_file", "fitted_on", "mae_before_c", "mae_after_c")


@dataclass(frozen=True)
class AirCalibration:
    """Constants fitted to measurements (name in ``BOUNDS`` -> value; empty: none, the
    product's defaults), the sensor file they were fitted to, the ISO date of the fit
    and the mean absolute inlet error (K) at the constants before and after."""

    constants: Mapping[str, float] = field(default_factory=dict)
    sensors_file: str = ""
    fitted_on: str = ""
    mae_before_c: float | None = None
    mae_after_c: float | None = None

    @classmethod
    def from_fields(cls, **kw: object) -> "AirCalibration":
        """From the file block's flat fields (constants beside the record fields)."""
        consts = {k: float(v) for k, v in kw.items()             # type: ignore[arg-type]
                  if k in BOUNDS and v is not None}
        rec = {k: v for k, v in kw.items() if k in RECORD_FIELDS and v is not None}
        return cls(dict(sorted(consts.items())), **rec)            # type: ignore[arg-type]

    def fields(self) -> dict[str, object]:
        """The flat fields of the file block (the inverse of ``from_fields``)."""
        return {**dict(self.constants), "sensors_file": self.sensors_file,
                "fitted_on": self.fitted_on, "mae_before_c": self.mae_before_c,
                "mae_after_c": self.mae_after_c}

    @property
    def is_empty(self) -> bool:
        return not self.constants
