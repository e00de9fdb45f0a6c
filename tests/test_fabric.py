"""Network fabric oracles (docs/physics.md §23): a link length worked by hand along a tray,
the media at every reach boundary, the switch counts of hand-sized fat trees, and a rack
move that re-routes exactly its own links."""

import dataclasses
import math

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.engine.fabric import FabricBuilder, build, reroute
from twin.engine.simulate import simulate
from twin.io import load_layout
from twin.model import Hall, Layout, RackTable
from twin.model.fabric import CableTray, Fabric
from twin.physics import fat_tree as ft
from twin.physics.cable_media import load_media, parse_media

#: a GPU rack of 8 GPUs, 2.0 m tall (the layout's own model)
GPU8 = {"kind": "rack", "name": "8-GPU server rack", "cooling": "air", "width_m": 0.6,
        "depth_m": 1.2, "height_m": 2.0, "nameplate_kw": 10.0, "gpus": 8,
        "gpu_max_w": 700.0}


def two_racks(gpu_xy=(2.0, 3.5), net_xy=(7.0, 2.5), slack=0.1) -> Layout:
    racks = [{"id": "GPU", "model": "gpu8", "x_m": gpu_xy[0], "y_m": gpu_xy[1]},
             {"id": "NET", "model": "ib-network-rack", "x_m": net_xy[0], "y_m": net_xy[1]}]
    lay = Layout("two racks", hall=Hall(width_m=10.0, length_m=6.0),
                 racks=RackTable.from_records(racks), equipment={"gpu8": GPU8},
                 fabric=Fabric(tiers=2, switch="qm9700", port_gbps=400.0, ports_per_gpu=1.0,
                               rail_optimised=False, slack_fraction=slack),
                 cable_trays=[CableTray("T1", 1.0, 3.0, 9.0, 3.0, elevation_m=2.6,
                                        width_m=0.6, depth_m=0.15)])
    return lay


def test_two_racks_link_length_worked_by_hand_along_the_tray():
    res = build(two_racks())
    media = load_media()
    # along the tray from x = 2 to x = 7: 5 m; plan stubs 0.5 m each (the racks stand
    # 0.5 m off the tray's line); drops from the ports at mid-height to the tray at 2.6 m:
    # 2.6 - 2.0 / 2 = 1.6 m and 2.6 - 2.24 / 2 = 1.48 m; then 10 % slack
    expected = (5.0 + 0.5 + 0.5 + 1.6 + 1.48) * 1.1
    gpu = res.tier == ft.GPU_LEAF
    assert gpu.sum() == 8
    assert res.length_m[gpu] == pytest.approx(np.full(8, expected))
    # 9.99 m at 400 Gb/s: beyond active copper (5 m), within multimode (50 m)
    mmf = [i for i in range(len(media)) if media.medium[i] == "mmf" and media.gbps[i] == 400]
    assert set(res.medium[gpu]) == set(mmf)
    row = mmf[0]
    assert res.power_w[gpu] == pytest.approx(2 * media.power_w_per_end[row])
    assert res.cost_usd[gpu] == pytest.approx(2 * media.usd_per_end[row]
                                              + media.usd_per_m[row] * expected)
    # 8 GPU ports: one 64-port leaf (32 down, 32 up) and one spine, both in the network
    # rack: its 32 uplinks are patch cords of in_rack_m (2 m), passive copper, no power
    up = res.tier == ft.LEAF_SPINE
    assert (res.tree.n_leaves, res.tree.n_spines, up.sum()) == (1, 1, 32)
    assert res.length_m[up] == pytest.approx(2.0)
    assert set(media.medium[m] for m in res.medium[up]) == {"dac"}
    # the optics power sits half at each end
    assert res.rack_optics_w == pytest.approx([8 * media.power_w_per_end[row],
                                               8 * media.power_w_per_end[row]])
    # tray fill: eight 3 mm fibre cords over 0.6 x 0.15 m at 50 % usable
    section = 8 * math.pi / 4 * (media.diameter_mm[row] / 1e3) ** 2
    assert res.fill.max() == pytest.approx(section / (0.6 * 0.15 * 0.5))


def test_slack_and_tray_height_enter_the_length_as_worked():
    res = build(two_racks(slack=0.0))
    assert res.length_m[res.tier == ft.GPU_LEAF][0] == pytest.approx(5.0 + 1.0 + 1.6 + 1.48)


@pytest.mark.parametrize("gbps, boundaries", [
    (400, [("dac", 3.0), ("acc", 5.0), ("mmf", 50.0), ("smf_dr", 500.0), ("smf_fr", 2000.0)]),
    (800, [("dac", 2.0), ("acc", 5.0), ("mmf", 50.0), ("smf_dr", 500.0), ("smf_fr", 2000.0)]),
])
def test_media_choice_at_each_reach_boundary(gbps, boundaries):
    media = load_media()
    for k, (name, reach) in enumerate(boundaries):
        at, past = media.choose([gbps, gbps], [reach, reach * (1 + 1e-6)])
        assert media.medium[at] == name and media.gbps[at] == gbps
        after = boundaries[k + 1][0] if k + 1 < len(boundaries) else None
        assert (media.medium[past] if past >= 0 else None) == after
    # a slower port takes the next tabled speed; a faster one has no medium
    assert media.gbps[media.choose([200], [1.0])[0]] == 400
    assert media.choose([1600], [1.0])[0] == -1


def test_non_blocking_two_tier_fat_tree_of_1024_gpus_sized_by_hand():
    # 32 racks of 32 GPUs, one port each, 64-port switches at 1:1: a leaf has 32 ports
    # down and 32 up; 1,024 / 32 = 32 leaves; 32 x 32 uplinks / 64 ports = 16 spines, so
    # every leaf has 32 / 16 = 2 links to every spine, and every spine port is used
    tree = ft.build_fat_tree(np.full(32, 32), 64, 2, 1.0, rail_optimised=True, rails=8)
    assert (tree.down, tree.up, tree.n_leaves, tree.n_spines, tree.n_cores) == (32, 32, 32, 16, 0)
    pairs = np.bincount(tree.up_lower * 64 + tree.up_upper)
    assert set(pairs[pairs > 0]) == {2} and (pairs > 0).sum() == 32 * 16
    assert set(np.bincount(tree.up_upper)[32:]) == {64}
    assert set(np.bincount(tree.port_leaf)) == {32}
    # rail-optimised: every leaf holds one rail only (port k of a rack on rail k mod 8)
    rails_per_leaf = {len(set(tree.port_index[tree.port_leaf == leaf] % 8)) for leaf in range(32)}
    assert rails_per_leaf == {1}
    # full bisection: half the GPU ports at 400 Gb/s; 3 switches on the longest path
    assert tree.bisection_gbps(400) == 512 * 400 and tree.worst_hops() == 3


def test_three_tier_fat_tree_at_its_largest_and_two_tiers_past_theirs():
    # k = 64: k pods of k/2 leaves and k/2 aggregation switches, (k/2)^2 cores, k^3/4 GPUs
    tree = ft.build_fat_tree(np.full(1024, 64), 64, 3)
    assert (tree.n_leaves, tree.n_spines, tree.n_cores) == (2048, 2048, 1024)
    assert tree.n_switches == 5 * 64 ** 2 // 4 and tree.worst_hops() == 5
    assert np.bincount(tree.up_upper).max() <= 64
    # 2,049 GPU ports need 65 leaves at 32 down, more than a 2-tier tree of 64 ports joins
    with pytest.raises(ft.FabricError, match="use 3 tiers"):
        ft.build_fat_tree(np.array([2049]), 64, 2, rail_optimised=False)


def test_aggregation_uplinks_go_round_their_core_group_in_order():
    # k = 8 at 1:1: leaves of 4 down + 4 up, pods of 4 leaves; 84 ports -> 21 leaves ->
    # pods of 4, 4, 4, 4, 4, 1 leaves; 6 x 4 = 24 aggregation switches, aggregation
    # switch m of a pod sends one uplink per leaf below it to core group m. Uplink j goes
    # to core j mod g of the group: g = ceil(21 / 8) = 3 would put 5 x 2 + 1 = 11 > 8
    # links on core 0 of a group, so g = 4 (6 or 5 links a core) and 4 x 4 = 16 cores.
    tree = ft.build_fat_tree(np.full(21, 4), 8, 3, 1.0, rail_optimised=False)
    assert (tree.n_leaves, tree.n_spines, tree.n_cores) == (21, 24, 16)
    sc = tree.up_tier == ft.SPINE_CORE
    agg, core = tree.up_lower[sc] - 21, tree.up_upper[sc] - 21 - 24
    for a in range(24):
        pod, m = divmod(a, 4)
        n_up = 4 if pod < 5 else 1
        assert core[agg == a].tolist() == (m * 4 + np.arange(n_up) % 4).tolist(), a
    assert sorted(np.bincount(core, minlength=16).tolist()) == [5] * 12 + [6] * 4


def test_media_rows_are_sorted_by_speed_then_reach_with_numeric_columns():
    row = {"sources": {"x": "y"}, "power_w_per_end": "1.5", "usd_per_end": 10,
           "usd_per_m": 0, "diameter_mm": 3}
    doc = {"media": [dict(row, medium="aoc", name="B", gbps=800, reach_m=30),
                     dict(row, medium="dac", name="A", gbps=800, reach_m=2),
                     dict(row, medium="aoc", name="C", gbps=400, reach_m=100,
                          unconfirmed=["usd_per_m"])],
           "sources": {"ref": "https://example.org"}}
    m = parse_media(doc)
    assert m.name == ("C", "A", "B") and m.gbps.tolist() == [400.0, 800.0, 800.0]
    assert m.reach_m.tolist() == [100.0, 2.0, 30.0] and m.power_w_per_end.dtype == float
    assert m.power_w_per_end.tolist() == [1.5] * 3 and m.unconfirmed[0] == ("usd_per_m",)
    assert m.references == {"ref": "https://example.org"}


def test_oversubscription_splits_the_leaf_ports():
    assert ft.split_ports(64, 1.0) == (32, 32)
    assert ft.split_ports(144, 2.0) == (96, 48)
    assert ft.split_ports(64, 3.0) == (48, 16)


@pytest.fixture(scope="module")
def pod():
    return load_layout(LAYOUTS / "gb200-pod.json")


def test_moving_a_rack_one_tile_changes_exactly_its_links(pod):
    lay = pod.snapshot()
    builder = FabricBuilder()
    before = builder.update(lay)
    lengths = before.length_m.copy()
    i = lay.racks.index_of("A01")
    lay.move_racks(["A01"], [lay.racks["x_m"][i] - 0.6], [lay.racks["y_m"][i]])
    after = builder.update(lay)
    changed = np.nonzero(~np.isclose(after.length_m, lengths))[0]
    mine = before.links_of(i)
    assert len(changed) and set(changed) <= set(mine)
    # the earlier result is untouched, and the update equals routing every pair again
    assert before.length_m == pytest.approx(lengths)
    full = reroute(after, lay, np.arange(len(lay.racks)))
    assert full.length_m == pytest.approx(after.length_m)
    assert full.fill == pytest.approx(after.fill)


def test_a_far_move_turns_links_beyond_their_planned_cable(pod):
    lay = pod.snapshot()
    builder = FabricBuilder()
    builder.update(lay)
    i = lay.racks.index_of("A-IB1")
    lay.move_racks(["A-IB1"], [13.8], [10.2])
    res = builder.update(lay)
    over = res.over_planned_reach()
    assert over.any() and set(np.nonzero(over)[0]) <= set(res.links_of(i))
    assert any(a.kind == "cable_replan" and a.target == "A-IB1" for a in builder.alerts())
    # a cable to re-plan is a warning (a medium still reaches: none is beyond every one)
    assert {(a.kind, a.severity) for a in builder.alerts()} == {("cable_replan", "warning")}


def test_optics_power_is_added_to_the_it_power(pod):
    with_fabric = simulate(pod.snapshot())
    bare = pod.snapshot()
    bare.fabric = Fabric()
    without = simulate(bare)
    optics_kw = with_fabric.fabric.rack_optics_w.sum() / 1e3
    assert optics_kw > 0
    assert with_fabric.facility.it_kw - without.facility.it_kw == pytest.approx(optics_kw, rel=1e-6)
    assert with_fabric.rack_power_kw - without.rack_power_kw == pytest.approx(
        with_fabric.fabric.rack_optics_w / 1e3)


def test_too_few_network_racks_is_one_clear_error(pod):
    lay = pod.snapshot()
    lay.fabric = Fabric(tiers=3, switch="q3400", port_gbps=800.0, ports_per_gpu=4.0)
    builder = FabricBuilder()
    assert builder.update(lay) is None
    assert "network racks hold" in builder.error and "\n" not in builder.error
    assert [a.kind for a in builder.alerts()] == ["fabric"]


def test_switch_labels_name_the_rack_the_role_and_the_number_within_the_role():
    """Switches are numbered leaves first, then the second tier, then cores; a label counts
    from 1 within its role. The second tier is 'spine' in a 2-tier tree and 'aggregation'
    in a 3-tier one (leaf - aggregation - core)."""
    two = build(two_racks())
    assert (two.tree.n_leaves, two.tree.n_spines) == (1, 1)
    assert [two.switch_label(s) for s in range(2)] == ["NET/leaf-1", "NET/spine-1"]
    assert two.switch_label(1, with_rack=False) == "spine-1"
    lay = two_racks()
    lay.fabric = dataclasses.replace(lay.fabric, tiers=3)
    lay.racks = RackTable.from_records([
        {"id": "GPU", "model": "gpu8", "x_m": 2.0, "y_m": 3.5},
        {"id": "NET", "model": "ib-network-rack", "x_m": 7.0, "y_m": 2.5},
        {"id": "NET2", "model": "ib-network-rack", "x_m": 8.0, "y_m": 2.5}])
    three = build(lay)
    t = three.tree
    labels = [three.switch_label(s, with_rack=False) for s in range(t.n_switches)]
    assert labels == (["leaf-1"] + [f"aggregation-{n}" for n in range(1, t.n_spines + 1)]
                      + [f"core-{n}" for n in range(1, t.n_cores + 1)])
    assert t.n_spines > 1 and t.n_cores > 1
    assert three.switch_label(0).startswith("NET/")


def test_a_links_plan_route_runs_rack_tray_rack():
    """GPU rack at (2, 3.5), network rack at (7, 2.5), the tray along y = 3: the route
    drops 0.5 m to the tray, runs 5 m along it and 0.5 m off to the network rack; its
    plan length (6 m) is the link's length less the vertical drops and the slack."""
    res = build(two_racks())
    link = int(np.flatnonzero(res.tier == ft.GPU_LEAF)[0])
    poly = res.route_polyline(link)
    np.testing.assert_allclose(poly[0], [2.0, 3.5])
    np.testing.assert_allclose(poly[1], [2.0, 3.0])
    np.testing.assert_allclose(poly[-2], [7.0, 3.0])
    np.testing.assert_allclose(poly[-1], [7.0, 2.5])
    np.testing.assert_allclose(poly[1:-1, 1], 3.0)                 # on the tray
    assert np.all(np.diff(poly[1:-1, 0]) >= 0)                     # straight along it
    plan = np.linalg.norm(np.diff(poly, axis=0), axis=1).sum()
    assert plan == pytest.approx(6.0)
    assert res.length_m[link] == pytest.approx((plan + 1.6 + 1.48) * 1.1)


def test_the_cabling_document_gives_each_trays_length_and_fill():
    """T1 runs from (1, 3) to (9, 3): 8 m at 2.6 m; its fullest piece carries the eight
    fibre cords (the fill of test_two_racks_link_length_worked_by_hand_along_the_tray)."""
    from twin.engine.fabric_export import cabling_document
    res = build(two_racks())
    doc = cabling_document("two.json", res)
    (tray,) = doc["trays"]
    assert tray == {"id": "T1", "length_m": 8.0, "elevation_m": 2.6,
                    "max_fill_pct": round(float(res.fill.max()) * 100, 1), "generated": False}
    assert doc["file"] == "two.json" and len(doc["links"]) == res.n_links


def test_the_fabric_summary_of_two_racks_worked_by_hand():
    """8 GPU links of 9.988 m (test_two_racks_link_length_worked_by_hand_along_the_tray)
    on 400G multimode optics and 32 leaf-spine patch cords of 2 m passive copper: 143.904 m
    (143.9 to 0.1 m); optics power at both ends of the 8 optical links only; none beyond
    reach (copper is a medium too); full bisection of 8 ports at 400 Gb/s: 1.6 Tb/s;
    one leaf: GPU to GPU through 1 switch."""
    from twin.engine.fabric_export import summary_doc
    res = build(two_racks())
    media = load_media()
    mmf = next(i for i in range(len(media)) if media.medium[i] == "mmf" and media.gbps[i] == 400)
    dac = next(i for i in range(len(media)) if media.medium[i] == "dac" and media.gbps[i] == 400)
    gpu_m = (5.0 + 0.5 + 0.5 + 1.6 + 1.48) * 1.1
    optics_kw = 8 * 2 * media.power_w_per_end[mmf] / 1e3
    usd = (8 * (2 * media.usd_per_end[mmf] + media.usd_per_m[mmf] * gpu_m)
           + 32 * (2 * media.usd_per_end[dac] + media.usd_per_m[dac] * 2.0))
    assert summary_doc(res) == {
        "switch_model": "qm9700", "tiers": 2,
        "switches": {"leaf": 1, "spine": 1, "aggregation": 0, "core": 0},
        "gpu_ports": 8, "port_gbps": 400.0, "links": 40,
        "cables_by_medium": {media.label(mmf): 8, media.label(dac): 32},
        "cable_length_m": round(8 * gpu_m + 32 * 2.0, 1), "optics_kw": round(optics_kw, 3),
        "cabling_usd": round(usd), "links_beyond_reach": 0, "links_over_planned_reach": 0,
        "bisection_tbps": 1.6, "worst_hops": 1,
        "max_tray_fill_pct": round(float(res.fill.max()) * 100, 1)}
    assert round(8 * gpu_m + 32 * 2.0, 1) == 143.9 and summary_doc(None) is None


def test_reach_alerts_go_per_rack_most_links_first_then_one_summary():
    """12 links, link k from rack R(k mod 10) to NET, k metres 6.0 + 0.1 k, planned on a
    5 m active copper cable: NET holds 12 ends, R0 and R1 two, R2-R9 one. The eight racks
    with most ends get an alert each (ties in rack order) naming their longest link; the
    other three racks are in the summary."""
    from types import SimpleNamespace

    from twin.engine.fabric import MAX_REACH_ALERTS, _reach_alerts
    from twin.physics.facility import Alert
    assert MAX_REACH_ALERTS == 8
    k = np.arange(12)
    res = SimpleNamespace(rack_ids=[f"R{i}" for i in range(10)] + ["NET"], a_rack=k % 10,
                          b_rack=np.full(12, 10), length_m=6.0 + 0.1 * k,
                          gbps=np.full(12, 400.0), planned_medium=np.full(12, 1),
                          media=SimpleNamespace(reach_m=np.array([3.0, 5.0]),
                                                label=lambda m: ["DAC", "ACC"][m],
                                                max_reach_m=lambda gbps: 2000.0))
    what = "beyond the reach of their planned cable"
    out = _reach_alerts(res, k, "cable_replan", "warning", what)

    def alert(rack, n, longest):
        return Alert("warning", "cable_replan", rack,
                     f"{n} link{'s' if n > 1 else ''} of {rack} {what} (longest {longest} m at "
                     f"400 Gb/s; reach of ACC 5 m)")
    assert out == [alert("NET", 12, "7.1"), alert("R0", 2, "7.0"), alert("R1", 2, "7.1"),
                   alert("R2", 1, "6.2"), alert("R3", 1, "6.3"), alert("R4", 1, "6.4"),
                   alert("R5", 1, "6.5"), alert("R6", 1, "6.6"),
                   Alert("warning", "cable_replan", "fabric",
                         f"12 links {what} in all, touching 11 racks")]
    # beyond every medium: the reach is the longest any medium of that speed has
    one = _reach_alerts(res, np.array([3]), "cable_reach", "critical", "beyond every medium")
    msg = "1 link of {} beyond every medium (longest 6.3 m at 400 Gb/s; reach 2000 m)"
    assert one == [Alert("critical", "cable_reach", "R3", msg.format("R3")),
                   Alert("critical", "cable_reach", "NET", msg.format("NET"))]
    assert _reach_alerts(res, np.zeros(0, np.int64), "cable_reach", "critical", "x") == []


def test_a_fabric_switch_that_is_not_a_switch_model_is_one_clear_error():
    lay = two_racks()
    lay.fabric = dataclasses.replace(lay.fabric, switch="gpu8")      # a rack model
    with pytest.raises(ft.FabricError, match="fabric.switch 'gpu8' is not a switch model"):
        build(lay)
    lay.fabric = dataclasses.replace(lay.fabric, switch="no-such-model")
    with pytest.raises(ft.FabricError, match="'no-such-model' is not a switch model"):
        build(lay)


def test_two_ports_per_gpu_double_the_gpu_ports_and_their_links():
    """8 GPUs with 2 fabric ports each: 16 GPU ports, each a link to a leaf."""
    lay = two_racks()
    lay.fabric = dataclasses.replace(lay.fabric, ports_per_gpu=2.0)
    res = build(lay)
    assert res.tree.n_gpu_ports == 16
    assert int(np.sum(res.tier == ft.GPU_LEAF)) == 16


def test_too_few_network_racks_names_the_switch_model_in_the_error(pod):
    lay = pod.snapshot()
    lay.fabric = Fabric(tiers=3, switch="q3400", port_gbps=800.0, ports_per_gpu=4.0)
    builder = FabricBuilder()
    builder.update(lay)
    assert "NVIDIA Quantum-X800 Q3400 (XDR InfiniBand) switches" in builder.error


def test_fabric_alerts_read_links_beyond_every_medium_and_beyond_their_planned_cable():
    """Two racks, 8 GPU links of 9.988 m (400 Gb/s). One link given no medium: beyond every
    medium (critical, the longest 400G reach is FR4's 2000 m), at both its racks. The other
    seven planned on active copper (ACC 400G, 5 m): a re-plan warning at both racks."""
    from twin.engine.fabric import fabric_alerts
    from twin.physics.facility import Alert
    lay = two_racks()
    res = build(lay)
    gpu = np.nonzero(res.tier == ft.GPU_LEAF)[0]
    medium, planned = res.medium.copy(), res.planned_medium.copy()
    medium[gpu[0]] = -1
    planned[gpu[1:]] = 1
    out = fabric_alerts(dataclasses.replace(res, medium=medium, planned_medium=planned),
                        lay.fabric)
    every = "1 link of {} beyond the reach of every medium (longest 10.0 m at 400 Gb/s; reach 2000 m)"
    replan = ("7 links of {} beyond the reach of their planned cable (longest 10.0 m at "
              "400 Gb/s; reach of Active copper (ACC) 400G 5 m)")
    assert out == [Alert("critical", "cable_reach", "GPU", every.format("GPU")),
                   Alert("critical", "cable_reach", "NET", every.format("NET")),
                   Alert("warning", "cable_replan", "GPU", replan.format("GPU")),
                   Alert("warning", "cable_replan", "NET", replan.format("NET"))]


def test_a_fabric_that_cannot_be_built_is_one_critical_alert_about_the_fabric(pod):
    """The alert names the fabric itself as its target (the alert list shows it, and
    clicking it says the fabric is not an item on the floor) and gives the reason."""
    from twin.physics.facility import Alert
    lay = pod.snapshot()
    lay.fabric = Fabric(tiers=3, switch="q3400", port_gbps=800.0, ports_per_gpu=4.0)
    builder = FabricBuilder()
    builder.update(lay)
    assert builder.result is None and builder.error
    assert builder.alerts() == [Alert("critical", "fabric", "fabric",
                                      f"network fabric not built: {builder.error}")]


def test_gpu_racks_in_rows_along_y_are_taken_row_by_row():
    """Two rows along y (fronts east and west, x = 2 and 5 m) and two along x (fronts
    south and north, y = 5.0 and 6.2 m): leaves take neighbours, so the racks come row by
    row (rows along x first, by y, then rows along y, by x), each row in order along it.
    By y alone the two y-rows were interleaved rack by rack."""
    from twin.engine.fabric import _gpu_order
    racks = ([{"id": f"E{k}", "model": "gpu8", "x_m": 2.0, "y_m": 1.0 + 0.6 * k,
               "rotation_deg": 90} for k in (2, 0, 1)]
             + [{"id": f"W{k}", "model": "gpu8", "x_m": 5.0, "y_m": 1.0 + 0.6 * k,
                 "rotation_deg": 270} for k in (1, 2, 0)]
             + [{"id": f"S{k}", "model": "gpu8", "x_m": 3.0 + 0.6 * k, "y_m": 5.0,
                 "rotation_deg": 0} for k in (1, 0)]
             + [{"id": f"N{k}", "model": "gpu8", "x_m": 3.0 + 0.6 * k, "y_m": 6.2,
                 "rotation_deg": 180} for k in (0, 1)])
    lay = Layout("rows along y", hall=Hall(width_m=8.0, length_m=8.0),
                 racks=RackTable.from_records(racks), equipment={"gpu8": GPU8})
    order = [str(lay.racks.ids[i]) for i in _gpu_order(lay, np.arange(len(racks)))]
    assert order == ["S0", "S1", "N0", "N1", "E0", "E1", "E2", "W0", "W1", "W2"]
