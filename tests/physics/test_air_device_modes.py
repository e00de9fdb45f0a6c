"""Device modes of the air solver's active set (twin/physics/air/devices.py
``device_modes``, twin/physics/air/solver.py ``_with_a_fixed_device``): when no coil
holds its floor, the unit nearest to its floor is put there so the temperature level
is fixed."""

import numpy as np
import scipy.sparse as sp

from twin.physics.air.devices import AT_FLOOR, IDLE, LIMITED, RHO_CP, Devices, device_modes
from twin.physics.air.solver import _with_a_fixed_device


def _units(cap_over_c_k, floor_c=18.0):
    """Cooling units only (no racks), 1 m3/s each, no fan heat, coil capacity
    ``cap_over_c_k`` x rho cp (so the coil takes that many kelvin off the air)."""
    k = np.asarray(cap_over_c_k, float)
    n = len(k)
    return Devices(0, np.arange(n), np.ones(n), np.zeros(n), k * RHO_CP, np.full(n, floor_c),
                   sp.csr_matrix((n, 0)), sp.csr_matrix((0, n)), np.zeros(0))


def test_the_unit_nearest_to_its_floor_is_put_at_it():
    # unit 0 draws 25 C with a 2 K coil: limited, its outlet 23 C is 5 K above its floor;
    # unit 1 draws 17.5 C: idle, 0.5 K below its floor -> unit 1 is the nearest
    dev = _units([2.0, 2.0])
    t_in = np.array([25.0, 17.5])
    mode = device_modes(dev, t_in)
    assert mode.tolist() == [LIMITED, IDLE]
    assert _with_a_fixed_device(dev, mode, t_in).tolist() == [LIMITED, AT_FLOOR]
    # both limited: unit 0 (20 C, 1 K coil) ends 1 K above its floor, unit 1 (28 C,
    # 6 K coil) 4 K above -> unit 0, though unit 1 draws the hotter air
    dev = _units([1.0, 6.0])
    t_in = np.array([20.0, 28.0])
    mode = device_modes(dev, t_in)
    assert mode.tolist() == [LIMITED, LIMITED]
    assert _with_a_fixed_device(dev, mode, t_in).tolist() == [AT_FLOOR, LIMITED]


def test_a_mode_set_that_already_fixes_a_temperature_is_kept():
    dev = _units([2.0, 2.0])
    t_in = np.array([25.0, 19.0])          # unit 1: 19 C minus 2 K would be 17 C: at 18 C
    mode = device_modes(dev, t_in)
    assert mode.tolist() == [LIMITED, AT_FLOOR]
    assert _with_a_fixed_device(dev, mode, t_in).tolist() == [LIMITED, AT_FLOOR]
