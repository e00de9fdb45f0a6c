"""Oracles for the tray graph and cable routes (docs/physics.md §23.2), on trays small
enough to lay out by hand: joints, pieces, attachment, route lengths and the pieces a
route uses."""

import numpy as np
import pytest

from twin.physics import cable_routes as cr


def graph(trays, elevation_m=None, max_piece_m=3.0):
    t = np.asarray(trays, float).reshape(-1, 4)
    n = len(t)
    elev = np.full(n, 2.5) if elevation_m is None else np.asarray(elevation_m, float)
    return cr.build_graph(t[:, 0], t[:, 1], t[:, 2], t[:, 3], elev, np.full(n, 0.01),
                          max_piece_m)


def tee():
    # T0 (0,0)-(6,0); T1 (3,0)-(3,4) ends on T0 at its middle. Cut at the joint and into
    # pieces of at most 3 m: T0 -> 3 + 3 m, T1 (4 m) -> 2 + 2 m. Joints sorted by (x, y):
    # 0 (0,0), 1 (3,0), 2 (3,2), 3 (3,4), 4 (6,0).
    return graph([[0, 0, 6, 0], [3, 0, 3, 4]], elevation_m=[2.5, 2.8])


def test_a_tee_of_two_trays_is_cut_at_its_joint_and_into_short_pieces():
    g = tee()
    np.testing.assert_allclose(g.node_xy, [[0, 0], [3, 0], [3, 2], [3, 4], [6, 0]])
    assert sorted(zip(g.edge_a.tolist(), g.edge_b.tolist())) == [(0, 1), (1, 2), (1, 4), (2, 3)]
    np.testing.assert_allclose(sorted(g.edge_len_m), [2, 2, 3, 3])
    assert sorted(g.edge_tray.tolist()) == [0, 0, 1, 1]
    # over the joint: (0,0) -> (3,0) -> (3,4) is 3 + 4 m; (6,0) -> (3,4) likewise
    assert g.dist_m[0, 3] == pytest.approx(7.0) and g.dist_m[4, 3] == pytest.approx(7.0)
    assert g.dist_m[0, 4] == pytest.approx(6.0)
    e01 = g.edge_of[0, 1]
    assert e01 >= 0 and g.edge_of[1, 0] == e01 and g.edge_of[0, 4] == -1


def test_no_trays_is_an_empty_graph():
    g = graph(np.zeros((0, 4)), elevation_m=np.zeros(0))
    assert g.node_xy.shape == (0, 2) and g.n_edges == 0
    assert g.edge_a.shape == (0,) and g.edge_b.shape == (0,)


def test_a_rack_attaches_to_the_nearest_point_and_drops_from_its_port_to_that_tray():
    g = tee()
    # (1,-1): 1 m below T0's first piece at 1/3 of it; (3.5,3): 0.5 m beside T1's upper
    # piece (3,2)-(3,4) at its middle; trays at 2.5 m (T0) and 2.8 m (T1)
    at = cr.attach(g, np.array([1.0, 3.5, 1.0]), np.array([-1.0, 3.0, -1.0]),
                   np.array([1.0, 1.0, 3.0]))
    assert g.node_xy[g.edge_a[at.edge[0]]].tolist() == [0, 0]
    assert g.node_xy[g.edge_b[at.edge[0]]].tolist() == [3, 0]
    np.testing.assert_allclose(at.t, [1 / 3, 0.5, 1 / 3])
    np.testing.assert_allclose(at.stub_m, [1.0, 0.5, 1.0])
    # port 1 m up: 1.5 m to T0, 1.8 m to T1; a port above its tray has no drop (not -0.5)
    np.testing.assert_allclose(at.drop_m, [1.5, 1.8, 0.0])


def test_route_lengths_over_the_joint_are_the_same_both_ways():
    g = tee()
    at = cr.attach(g, np.array([1.0, 3.5]), np.array([-1.0, 3.0]), np.ones(2))
    a, b = at.edge[[0]], at.edge[[1]]
    ta, tb = at.t[[0]], at.t[[1]]
    # A at x = 1 on T0: 2 m to the joint (3,0), 3 m up T1 to B at (3,3): 5 m
    length, na, nb = cr.route(g, a, ta, b, tb)
    assert length[0] == pytest.approx(5.0)
    assert g.node_xy[na[0]].tolist() == [3, 0] and g.node_xy[nb[0]].tolist() == [3, 2]
    # back from B: it leaves its piece by (3,2) and enters A's by that piece's far end
    length, na, nb = cr.route(g, b, tb, a, ta)
    assert length[0] == pytest.approx(5.0)
    assert g.node_xy[na[0]].tolist() == [3, 2] and g.node_xy[nb[0]].tolist() == [3, 0]
    # two points on one piece: the distance between them along it
    length, na, nb = cr.route(g, a, ta, a, np.array([0.0]))
    assert length[0] == pytest.approx(1.0) and na[0] == -1 and nb[0] == -1


def test_a_route_uses_its_end_pieces_and_every_piece_between_its_joints():
    # L of T0 (0,0)-(3,0) and T1 (0,0)-(0,6) in 3 m pieces; joints 0 (0,0), 1 (0,3),
    # 2 (0,6), 3 (3,0). A at (2,-1) on T0 leaves by joint 0; B at (-1,5) on T1's upper
    # piece enters by joint 1; between them T1's lower piece: three pieces, 2 + 3 + 2 m.
    g = graph([[0, 0, 3, 0], [0, 0, 0, 6]])
    np.testing.assert_allclose(g.node_xy, [[0, 0], [0, 3], [0, 6], [3, 0]])
    at = cr.attach(g, np.array([2.0, -1.0]), np.array([-1.0, 5.0]), np.ones(2))
    length, na, nb = cr.route(g, at.edge[[0]], at.t[[0]], at.edge[[1]], at.t[[1]])
    assert length[0] == pytest.approx(7.0) and (na[0], nb[0]) == (0, 1)
    rows, pieces = cr.path_edges(g, at.edge[[0]], na, nb, at.edge[[1]])
    assert rows.tolist() == [0, 0, 0]
    assert sorted(pieces.tolist()) == sorted([at.edge[0], at.edge[1], g.edge_of[0, 1]])
    assert len(set(pieces.tolist())) == 3
