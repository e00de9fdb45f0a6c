"""Air scene validation and the geometry of containment that misses the hall
(twin/physics/air/scene.py, twin/physics/air/grid.py)."""

import numpy as np
import pytest

from twin.physics.air.grid import build_geometry, make_grid
from twin.physics.air.scene import AirScene, Containment
from twin.physics.air.synthetic import room


def _with_containment(sc, cont):
    return AirScene(sc.hall, sc.racks, sc.cooling, sc.tiles, cont, sc.settings)


def test_unknown_containment_kind_is_named_even_after_a_valid_one():
    with pytest.raises(ValueError, match=r"unknown containment kind 'bogus'; expected one of"):
        Containment([[0, 0, 1, 1], [2, 2, 3, 3]], ("cold_aisle", "bogus"), [2, 2], [0, 0], [0, 0])
    with pytest.raises(ValueError, match=r"unknown containment kind 'pod'"):
        Containment([[0, 0, 1, 1]], ("pod",), [2], [0], [0])


def test_containment_flags_become_boolean_arrays_one_per_aisle():
    c = Containment([[0, 0, 1, 1], [2, 2, 3, 3]], ["cold_aisle", "hot_aisle"], [2.0, 2.4],
                    [1, 0], [0, 1])
    for name, expect in (("roof", [True, False]), ("end_doors", [False, True])):
        v = getattr(c, name)
        assert isinstance(v, np.ndarray) and v.dtype == bool and v.tolist() == expect
    with pytest.raises(ValueError):         # one flag for two aisles does not fit
        Containment([[0, 0, 1, 1], [2, 2, 3, 3]], ("cold_aisle", "cold_aisle"), [2, 2], [0, 0], [1])


@pytest.mark.parametrize("rect", [[1.0, -2.0, 3.0, -1.0],      # wholly beyond y = 0
                                  [-3.0, 1.0, -1.0, 3.0],      # wholly beyond x = 0
                                  [1.0, 40.0, 3.0, 42.0]])     # wholly beyond the far wall
def test_containment_wholly_outside_the_hall_closes_no_face(rect):
    sc = room(10)
    g = make_grid(sc.hall, sc.settings)
    base = build_geometry(sc, g)
    geom = build_geometry(_with_containment(sc, Containment([rect], ("cold_aisle",), [2.0], [True],
                                                            [True])), g)
    for name in ("open_x", "open_y", "open_z", "return_mask"):
        assert np.array_equal(getattr(geom, name), getattr(base, name)), name


def test_containment_inside_the_hall_does_close_faces():
    # the control for the test above: the same panels over the room's cold aisle
    sc = room(10)
    g = make_grid(sc.hall, sc.settings)
    ys = np.unique(np.round(sc.racks.center_xy_m[:, 1], 3))
    xs = sc.racks.center_xy_m[:, 0]
    rect = [xs.min() - 0.3, ys[0] + 0.6, xs.max() + 0.3, ys[-1] - 0.6]
    base = build_geometry(sc, g)
    geom = build_geometry(_with_containment(sc, Containment([rect], ("cold_aisle",), [2.0], [True],
                                                            [True])), g)
    # the long sides lie on the rack fronts (closed already); the end doors close and the
    # roof becomes a leaking panel (under a roof the doors leak through it, grid.py)
    leak = sc.settings.containment_leakage
    assert not np.any(geom.open_x == leak)
    # the roof: five 0.6 m racks by 1.2 m, leaking more mid-row (grid.door_weights)
    roof = (geom.open_z > 0) & (geom.open_z < 1)
    assert np.sum(roof) == 10 * 4
    assert np.isclose(geom.open_z[roof].mean(), leak)
    assert geom.open_z.sum() < base.open_z.sum()
