"""Plan geometry (``twin.model.geometry``): tolerances on exact boundaries, front vectors of
compact dtypes, and the overlap scan's neighbourhood, far cells and early stop.

Every boundary case below uses numbers exact in binary (0.25, 0.75, 2**31 ...), so that
"overlap of exactly the tolerance" really is equal in floating point. (More geometry tests,
written earlier, are in tests/test_model.py.)
"""

import numpy as np

from twin.model import geometry


def test_front_vectors_of_single_precision_rotations_are_exact_axis_vectors():
    """Rotations held as float32 or int16 (a compact column) give the same exact axis
    vectors as int64 ones: 0 -> (0, -1), 90 -> (1, 0), 180 -> (0, 1), 270 -> (-1, 0). In
    single precision cos(90 degrees) is -4.4e-8, which rounding to 12 digits keeps; the
    angles must be taken in double precision for the vectors to come out exact."""
    want = [[0.0, -1.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]
    for dtype in (np.float32, np.int16):
        v = geometry.front_vectors(np.array([0, 90, 180, 270], dtype=dtype))
        assert v.tolist() == want, dtype


def test_overlapping_pairs_forgives_overlaps_up_to_the_tolerance_given():
    """Two 1 m squares overlapping by 0.125 m along x: an overlap at the default 1e-6 m
    tolerance, none at a tolerance of 0.25 m (the overlap must be *more* than tol_m)."""
    b = np.array([[0.0, 0.0, 1.0, 1.0], [0.875, 0.0, 1.875, 1.0]])
    assert geometry.overlapping_pairs(b) == [(0, 1)]
    assert geometry.overlapping_pairs(b, tol_m=0.25) == []


def test_rects_overlap_of_exactly_the_tolerance_is_none_along_one_axis():
    """``a`` to the east of ``b`` (then to the north) overlapping it by exactly tol = 0.25 m
    along that axis and fully along the other: not an overlap; 0.25 m more: an overlap. The
    other axis overlaps by a whole metre, so only the boundary axis decides."""
    b = np.array([[0.0, 0.0, 2.0, 2.0]])
    east = np.array([[1.75, 0.0, 2.75, 1.0]])        # x: 1.75 .. 2.0 in common = 0.25 m
    north = np.array([[0.0, 1.75, 1.0, 2.75]])       # y: 1.75 .. 2.0 in common = 0.25 m
    assert geometry.rects_overlap(east, b, 0.25).tolist() == [[False]]
    assert geometry.rects_overlap(north, b, 0.25).tolist() == [[False]]
    assert geometry.rects_overlap(east - [0.25, 0, 0.25, 0], b, 0.25).tolist() == [[True]]
    assert geometry.rects_overlap(north - [0, 0.25, 0, 0.25], b, 0.25).tolist() == [[True]]


def test_outside_hall_tolerates_exactly_the_tolerance_over_each_wall():
    """A 4 x 3 m hall, tol 0.25 m: a footprint reaching exactly 0.25 m through the west,
    south, east or north wall is inside; 0.5 m through is outside."""
    at_tol = np.array([[-0.25, 1.0, 0.75, 2.0],      # west
                       [1.0, -0.25, 2.0, 0.75],      # south
                       [3.25, 1.0, 4.25, 2.0],       # east (4 + 0.25)
                       [1.0, 2.25, 2.0, 3.25]])      # north (3 + 0.25)
    assert geometry.outside_hall(at_tol, 4.0, 3.0, tol_m=0.25).tolist() == [False] * 4
    through = at_tol + np.array([[-0.25, 0, -0.25, 0], [0, -0.25, 0, -0.25],
                                 [0.25, 0, 0.25, 0], [0, 0.25, 0, 0.25]])
    assert geometry.outside_hall(through, 4.0, 3.0, tol_m=0.25).tolist() == [True] * 4


def test_the_sweep_does_not_count_an_overlap_of_exactly_the_tolerance_along_y():
    """A 4 x 1 m slab and a 0.5 m box (sizes 8x apart: the exact sweep, not the cells)
    whose south edge is exactly tol = 0.25 m below the slab's north edge: no overlap; the
    box 0.25 m further south overlaps by 0.5 m."""
    b = np.array([[0.0, 0.0, 4.0, 1.0], [1.0, 0.75, 1.5, 1.25]])
    assert geometry.overlap_scan(b, tol_m=0.25).pairs == []
    b[1, [1, 3]] -= 0.25
    assert geometry.overlap_scan(b, tol_m=0.25).pairs == [(0, 1)]


def test_overlap_scan_far_beyond_the_last_cell_still_needs_more_than_the_tolerance():
    """A floor more than 2**30 cells wide (cell indices are packed in one int64 key) is
    swept exactly instead. B (x 2**31 .. 2**31 + 1, y 0 .. 2) and A (y -1 .. 1) whose west
    edge is exactly tol = 0.25 m west of B's east edge: not an overlap; A 0.25 m further
    west overlaps B by 0.5 m. (1 m squares, tol 0.25: cells 0.74925 m.)"""
    x = 2.0 ** 31                                            # integers + quarters: exact
    b = np.array([[0.0, 0.0, 1.0, 1.0],                      # the westernmost footprint
                  [x + 0.75, -1.0, x + 1.75, 1.0],           # A
                  [x, 0.0, x + 1.0, 2.0]])                   # B
    scan = geometry.overlap_scan(b, tol_m=0.25)
    assert scan.pairs == [] and scan.overlapping.tolist() == [False] * 3
    b[1, [0, 2]] -= 0.25
    assert geometry.overlap_scan(b, tol_m=0.25).pairs == [(1, 2)]


def test_footprints_billions_of_cells_apart_do_not_overlap():
    """Two 1 m squares 2**31 m apart beyond a third (more than 2**30 cells of 0.999 m from
    it): no pair, whatever the key packing would do with such indices."""
    x = 2.0 ** 31
    b = np.array([[0.0, 0.0, 1.0, 1.0], [x, 0.0, x + 1.0, 1.0], [2 * x, 0.0, 2 * x + 1.0, 1.0]])
    scan = geometry.overlap_scan(b)
    assert scan.pairs == [] and not scan.overlapping.any() and scan.complete


def test_a_crowded_stack_just_beyond_reach_does_not_make_the_listing_incomplete():
    """Two stacks of 9 identical 1 m squares, 3.5 m apart north-south: 36 + 36 = 72 pairs,
    all inside the stacks. With cells of 0.999 m a footprint reaches 2 cells; the north
    stack is 3 cells away, out of reach, so the two crowded cells (81 candidate pairs,
    more than the small-block bound) are never compared: with a limit of 100 every pair
    is listed and the listing is complete."""
    south = np.tile([0.0, 0.0, 1.0, 1.0], (9, 1))
    b = np.vstack([south, south + [0.0, 3.5, 0.0, 3.5]])
    scan = geometry.overlap_scan(b, limit=100)
    every = [(i, j) for s in (0, 9) for i in range(s, s + 9) for j in range(i + 1, s + 9)]
    assert len(every) == 72
    assert scan.pairs == every and scan.complete


def test_a_limited_scan_stops_listing_one_pair_past_the_limit():
    """Three stacks of two 1 m squares, west to east: racks 2 and 3 at x 0, 4 and 5 at
    x 5, 0 and 1 at x 10 (far apart: no pairs across stacks). With limit 1 the scan goes
    through the cells west to east and stops once it holds limit + 1 = 2 pairs, (2, 3) and
    (4, 5), which shows the limit is exceeded; it lists the first, (2, 3). The east stack
    is never looked at, so (0, 1), which would sort first, is not listed."""
    sq = np.array([[0.0, 0.0, 1.0, 1.0]])
    b = np.vstack([sq + [10, 0, 10, 0]] * 2 + [sq] * 2 + [sq + [5, 0, 5, 0]] * 2)
    scan = geometry.overlap_scan(b, limit=1)
    assert scan.pairs == [(2, 3)] and not scan.complete
    assert scan.overlapping.all()                         # who overlaps stays exact
