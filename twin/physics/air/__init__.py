"""Air-side physics of the data hall: airflow, air temperature, rack inlets.

Pure functions and a stateful incremental solver over arrays and small frozen
dataclasses; imports only numpy, scipy and pyamg.  Start with
:class:`AirSolver` and the scene dataclasses in :mod:`.scene`; see
``README_air.md`` for the model and its recirculation correction.
"""

from .devices import SolveError
from .result import AirResult
from .scene import (AirScene, Containment, CoolingUnits, Grilles, Hall, Racks, SolverSettings,
                    Tiles)
from .solver import AirSolver, solve_air

__all__ = ["AirScene", "Hall", "Racks", "Tiles", "Grilles", "CoolingUnits", "Containment",
           "SolverSettings", "AirResult", "AirSolver", "SolveError",
           "solve_air"]
