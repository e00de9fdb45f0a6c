"""The network fabric of a layout: switches in network racks, links, routes, media, power.

``FabricBuilder.update(layout)`` builds the fabric (fat tree of ``twin.physics.fat_tree``,
switches placed in the nearest network racks with free rack units, trays from the layout
or generated above the rows, every link routed over them by ``twin.physics.cable_routes``
and given a medium by ``twin.physics.cable_media``) and keeps it. While only rack
positions change it re-routes the links of the racks that moved and nothing else: the
switch placement and the generated trays stay as built, like installed equipment.
The optics power per rack (``rack_optics_w``) is added to the racks' IT power by the
simulator (docs/physics.md §23).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from twin.engine import inputs
from twin.model import Layout
from twin.model.fabric import Fabric
from twin.physics import cable_routes as cr
from twin.physics import fat_tree as ft
from twin.physics.cable_media import MediaTable, load_media
from twin.physics.facility import Alert

#: rows of racks closer than this (m) across the row share a generated tray
ROW_TOLERANCE_M = 0.3
#: beyond-reach alerts listed one rack at a time; the rest in one summary alert
MAX_REACH_ALERTS = 8


@dataclass
class Trays:
    """Tray runs (from the layout or generated) as arrays."""

    ids: list[str]
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    elevation_m: np.ndarray
    width_m: np.ndarray
    depth_m: np.ndarray
    generated: bool


@dataclass
class FabricResult:
    """The built fabric: switches, links with their routes, media, power and cost, tray
    fill, totals and alerts. Link ends ``a``/``b`` are rack indices of the layout."""

    rack_ids: list[str]
    tree: ft.FatTree
    switch_rack: np.ndarray
    switch_model: str
    port_gbps: float
    tier: np.ndarray
    a_rack: np.ndarray
    b_rack: np.ndarray
    a_switch: np.ndarray        # -1: a GPU port (a_port says which)
    b_switch: np.ndarray        # -1: the front-end end in a network rack
    a_port: np.ndarray
    gbps: np.ndarray
    pair: np.ndarray            # index of the link's rack pair
    pair_a: np.ndarray
    pair_b: np.ndarray
    pair_route_m: np.ndarray    # along the trays
    pair_na: np.ndarray
    pair_nb: np.ndarray
    length_m: np.ndarray
    medium: np.ndarray
    power_w: np.ndarray
    cost_usd: np.ndarray
    trays: Trays
    graph: cr.TrayGraph
    attach: cr.Attachment
    fill: np.ndarray            # per tray piece, share of the usable section
    path_rows: np.ndarray       # (pair, piece) pairs of the routes
    path_pieces: np.ndarray
    media: MediaTable
    rack_optics_w: np.ndarray
    #: the medium each link got when the fabric was built (the cables as planned); a rack
    #: moved since may leave a link longer than its planned cable reaches
    planned_medium: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    alerts: list[Alert] = field(default_factory=list)

    @property
    def n_links(self) -> int:
        return len(self.tier)

    def totals(self) -> dict[str, float]:
        m = self.medium
        ok = m >= 0
        return {
            "links": float(self.n_links), "links_over_planned_reach": float(np.sum(
                self.over_planned_reach())), "switches": float(self.tree.n_switches),
            "gpu_ports": float(self.tree.n_gpu_ports),
            "cable_length_m": float(self.length_m.sum()),
            "optics_kw": float(self.power_w.sum() / 1e3),
            "cabling_usd": float(self.cost_usd.sum()),
            "links_beyond_reach": float(np.sum(~ok)),
            "bisection_tbps": self.tree.bisection_gbps(self.port_gbps) / 1e3,
            "worst_hops": float(self.tree.worst_hops()),
            "max_tray_fill": float(self.fill.max()) if len(self.fill) else 0.0,
        }

    def over_planned_reach(self) -> np.ndarray:
        """Links longer than the reach of the medium planned for them (or of any)."""
        planned = self.planned_medium
        reach = np.where(planned >= 0, self.media.reach_m[np.maximum(planned, 0)], 0.0)
        return (self.medium < 0) | (self.length_m > reach + 1e-9)

    def cables_by_medium(self) -> dict[str, int]:
        labels = [self.media.label(int(r)) for r in self.medium]
        out: dict[str, int] = {}
        for lab in labels:
            out[lab] = out.get(lab, 0) + 1
        return dict(sorted(out.items()))

    def switch_label(self, s: int, with_rack: bool = True) -> str:
        """'R01-IB1/leaf-3': the switch's rack, role and number within its role."""
        kind = int(self.tree.switch_role[s])
        role = "aggregation" if kind == ft.SPINE and self.tree.tiers == 3 else ft.ROLE_NAMES[kind]
        first = {ft.LEAF: 0, ft.SPINE: self.tree.n_leaves,
                 ft.CORE: self.tree.n_leaves + self.tree.n_spines}[kind]
        name = f"{role}-{s - first + 1}"
        return f"{self.rack_ids[self.switch_rack[s]]}/{name}" if with_rack else name

    def tray_pieces(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every tray piece as a solid: start (p, 3) and end (p, 3) of its underside's
        centre line (m), its (width, depth) (p, 2) in m, and its fill band (p,), an index
        into ``TRAY_FILL_BANDS``."""
        g = self.graph
        t = g.edge_tray
        z = g.tray_elevation_m[t][:, None]
        a = np.hstack([g.node_xy[g.edge_a], z])
        b = np.hstack([g.node_xy[g.edge_b], z])
        size = np.stack([self.trays.width_m[t], self.trays.depth_m[t]], 1)
        return a, b, size, fill_band(self.fill)

    def links_of(self, rack: int) -> np.ndarray:
        return np.nonzero((self.a_rack == rack) | (self.b_rack == rack))[0]

    def route_polyline(self, link: int) -> np.ndarray:
        """Plan polyline of a link: rack a, its tray point, the joints, rack b."""
        p = int(self.pair[link])
        a, b = int(self.pair_a[p]), int(self.pair_b[p])
        at = self.attach
        mid = cr.route_points(self.graph, int(at.edge[a]), float(at.t[a]), int(self.pair_na[p]),
                              int(self.pair_nb[p]), int(at.edge[b]), float(at.t[b]))
        return np.vstack([self._rack_xy[a], mid, self._rack_xy[b]])

    _rack_xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))


def network_racks(layout: Layout) -> np.ndarray:
    """Rack units free for switches in every rack (0: not a network rack)."""
    return inputs.rack_numbers(layout, "network_u")


def generated_trays(layout: Layout, fab: Fabric) -> Trays:
    """A tray above every row of racks (along the row, over the rack centres) and a cross
    tray at each end of the rows joining them; rows along x and along y alike."""
    r = layout.racks
    x, y = r["x_m"].astype(float), r["y_m"].astype(float)
    sizes = layout.rack_sizes_m()
    elev = fab.tray_elevation_m if fab.tray_elevation_m is not None else \
        (float(sizes[:, 2].max()) + 0.3 if len(sizes) else 2.6)
    bounds = layout.rack_bounds_m()
    runs: list[tuple[str, float, float, float, float]] = []
    along_x = np.isin(r["rotation_deg"], (0, 180))
    # rows along x (fronts south or north) are grouped by y; rows along y by x
    for flag, (v, lo, hi, tag) in ((True, (y, 0, 2, "")), (False, (x, 1, 3, "N"))):
        sel = np.nonzero(along_x == flag)[0]
        if not len(sel):
            continue
        key = np.round(v[sel] / ROW_TOLERANCE_M).astype(np.int64)
        rows = [sel[key == k] for k in np.unique(key)]
        start = min(float(bounds[i, lo].min()) for i in rows) - 0.6
        end = max(float(bounds[i, hi].max()) for i in rows) + 0.6
        across = [float(v[i].mean()) for i in rows]
        mine = [(f"TRAY-ROW{tag}-{n + 1}", start, c, end, c) for n, c in enumerate(across)]
        if len(rows) > 1:
            mine += [(f"TRAY-CROSS{tag}-1", start, min(across), start, max(across)),
                     (f"TRAY-CROSS{tag}-2", end, min(across), end, max(across))]
        # (along, across) -> (x, y)
        runs += mine if flag else [(i, c0, a0, c1, a1) for i, a0, c0, a1, c1 in mine]
    n = len(runs)
    col = lambda j: np.array([run[j] for run in runs], dtype=float)
    return Trays([run[0] for run in runs], col(1), col(2), col(3), col(4), np.full(n, elev),
                 np.full(n, fab.tray_width_m), np.full(n, fab.tray_depth_m), True)


def layout_trays(layout: Layout, fab: Fabric) -> Trays:
    """The layout's trays, or generated ones when it has none."""
    items = list(layout.cable_trays.values())
    if not items:
        return generated_trays(layout, fab)
    col = lambda f: np.array([getattr(t, f) for t in items], dtype=float)
    return Trays([t.id for t in items], col("x0_m"), col("y0_m"), col("x1_m"), col("y1_m"),
                 col("elevation_m"), col("width_m"), col("depth_m"), False)


def _gpu_order(layout: Layout, gpu: np.ndarray) -> np.ndarray:
    """GPU racks row by row (across, then along the row): leaves take neighbours.  Rows
    along x (fronts south or north) come first, by y, then rows along y by x, as
    :func:`generated_trays` groups them: ordered by y alone, racks in rows along y were
    taken one from each row, and a leaf's ports spread across the hall."""
    r = layout.racks
    x, y = r["x_m"][gpu].astype(float), r["y_m"][gpu].astype(float)
    along_x = np.isin(r["rotation_deg"][gpu], (0, 180))
    across = np.where(along_x, y, x)
    along = np.where(along_x, x, y)
    return gpu[np.lexsort((along, np.round(across / ROW_TOLERANCE_M), ~along_x))]


def place_switches(tree: ft.FatTree, rack_xy: np.ndarray, gpu_racks: np.ndarray,
                   net: np.ndarray, slots: np.ndarray, switch_name: str) -> np.ndarray:
    """Network rack of every switch: leaves nearest their GPU racks, aggregation switches
    nearest their pod, spines and cores nearest the middle of the network racks; each in
    the nearest network rack (plan distance along x and y) with a free slot."""
    need = tree.n_switches
    if need > int(slots.sum()):
        raise ft.FabricError(
            f"the fabric needs {need} {switch_name} switches ({tree.n_leaves} leaves, "
            f"{tree.n_spines} {'spines' if tree.tiers == 2 else 'aggregation'}, "
            f"{tree.n_cores} cores) but its {len(net)} network racks hold {int(slots.sum())}")
    cnt = np.bincount(tree.port_leaf, minlength=tree.n_leaves)
    gx = rack_xy[gpu_racks[tree.port_rack]]
    leaf_xy = np.column_stack([np.bincount(tree.port_leaf, gx[:, 0], tree.n_leaves),
                               np.bincount(tree.port_leaf, gx[:, 1], tree.n_leaves)]) \
        / np.maximum(cnt, 1)[:, None]
    mid = rack_xy[net].mean(axis=0)
    targets = [leaf_xy]
    if tree.tiers == 3:
        pod = np.arange(tree.n_spines) // tree.up
        leaf_pod = np.arange(tree.n_leaves) // tree.leaves_per_pod
        pods = int(leaf_pod.max()) + 1
        pod_xy = np.column_stack([np.bincount(leaf_pod, leaf_xy[:, 0], pods),
                                  np.bincount(leaf_pod, leaf_xy[:, 1], pods)]) \
            / np.bincount(leaf_pod, minlength=pods)[:, None]
        targets.append(pod_xy[pod])
    else:
        targets.append(np.tile(mid, (tree.n_spines, 1)))
    targets.append(np.tile(mid, (tree.n_cores, 1)))
    want = np.vstack(targets)
    free = slots.astype(np.int64).copy()
    nxy = rack_xy[net]
    out = np.empty(need, dtype=np.int64)
    for s in range(need):
        d = np.abs(nxy - want[s]).sum(axis=1)
        d[free <= 0] = np.inf
        j = int(np.argmin(d))
        free[j] -= 1
        out[s] = net[j]
    return out


class FabricBuilder:
    """Builds the fabric of a layout and re-routes only moved racks on later updates."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._xy: np.ndarray | None = None
        self.result: FabricResult | None = None
        self.error: str | None = None

    def update(self, layout: Layout) -> FabricResult | None:
        """The fabric of ``layout`` (None without one, or when it cannot be built:
        ``error`` then says why)."""
        fab = layout.fabric
        if not fab.enabled:
            self._key, self.result, self.error = None, None, None
            return None
        r = layout.racks
        key = (fab, tuple(layout.cable_trays.values()), tuple(map(str, r.ids)),
               tuple(r["model"].tolist()), r["height_m"].tobytes(), r["rotation_deg"].tobytes(),
               repr(sorted(layout.equipment.items())))   # not the catalogue object: a
        # snapshot sent to the physics process brings a new one each time
        xy = np.column_stack([r["x_m"], r["y_m"]]).astype(float)
        if key == self._key and self._xy is not None:
            moved = np.nonzero((xy != self._xy).any(axis=1))[0]
            if len(moved) and self.result is not None:
                self.result = reroute(self.result, layout, moved)
            self._xy = xy
            return self.result
        self._key, self._xy = key, xy
        try:
            self.result, self.error = build(layout), None
        except ft.FabricError as exc:
            self.result, self.error = None, str(exc)
        return self.result

    def alerts(self) -> list[Alert]:
        if self.error is not None:
            return [Alert("critical", "fabric", "fabric", f"network fabric not built: {self.error}")]
        return list(self.result.alerts) if self.result is not None else []


def build(layout: Layout) -> FabricResult:
    """Build the whole fabric of ``layout`` (raises ``FabricError``)."""
    fab, cat = layout.fabric, layout.catalogue
    if fab.switch not in cat or cat[fab.switch].kind != "switch":
        raise ft.FabricError(f"fabric.switch {fab.switch!r} is not a switch model of the "
                             "catalogue")
    sw = cat[fab.switch]
    r = layout.racks
    gpus = inputs.rack_numbers(layout, "gpus")
    net_u = network_racks(layout)
    gpu_racks = _gpu_order(layout, np.nonzero(gpus > 0)[0])
    net = np.nonzero(net_u > 0)[0]
    if not len(gpu_racks):
        raise ft.FabricError("the layout has no GPU racks to join")
    if not len(net):
        raise ft.FabricError("the layout has no network racks (a rack model with network_u) "
                             "to hold the switches")
    ports = np.round(gpus[gpu_racks] * fab.ports_per_gpu).astype(np.int64)
    tree = ft.build_fat_tree(ports, int(sw["ports"]), fab.tiers, fab.oversubscription,
                             fab.rail_optimised, fab.rails)
    rack_xy = np.column_stack([r["x_m"], r["y_m"]]).astype(float)
    slots = np.floor(net_u[net] / sw["rack_units"] + 1e-9)
    switch_rack = place_switches(tree, rack_xy, gpu_racks, net, slots, sw.name)
    # links: GPU ports to leaves, switch to switch, front-end ports to the nearest network rack
    n_fe = fab.frontend_ports_per_rack
    fe_rack = np.repeat(gpu_racks, n_fe)
    fe_net = net[np.argmin(np.abs(rack_xy[fe_rack][:, None, :] - rack_xy[net][None]).sum(-1),
                           axis=1)] if n_fe else np.zeros(0, np.int64)
    n_up = len(tree.up_lower)
    a_rack = np.concatenate([gpu_racks[tree.port_rack], switch_rack[tree.up_lower], fe_rack])
    b_rack = np.concatenate([switch_rack[tree.port_leaf], switch_rack[tree.up_upper], fe_net])
    tier = np.concatenate([np.full(tree.n_gpu_ports, ft.GPU_LEAF), tree.up_tier,
                           np.full(len(fe_rack), ft.FRONTEND)])
    none = lambda n: np.full(n, -1, dtype=np.int64)
    a_switch = np.concatenate([none(tree.n_gpu_ports), tree.up_lower, none(len(fe_rack))])
    b_switch = np.concatenate([tree.port_leaf, tree.up_upper, none(len(fe_rack))])
    a_port = np.concatenate([tree.port_index, none(n_up), np.tile(np.arange(n_fe), len(gpu_racks))])
    gbps = np.concatenate([np.full(tree.n_gpu_ports + n_up, fab.port_gbps),
                           np.full(len(fe_rack), fab.frontend_gbps)])
    trays = layout_trays(layout, fab)
    if not trays.ids:
        raise ft.FabricError("no cable trays: the layout has none and no rows to lay them over")
    graph = cr.build_graph(trays.x0, trays.y0, trays.x1, trays.y1, trays.elevation_m,
                           trays.width_m * trays.depth_m * fab.tray_fill_limit)
    height = layout.rack_sizes_m()[:, 2]
    att = cr.attach(graph, rack_xy[:, 0], rack_xy[:, 1], height / 2.0)
    n = len(r)
    pair_key, pair = np.unique(a_rack * n + b_rack, return_inverse=True)
    pair = pair.ravel()
    pair_a, pair_b = pair_key // n, pair_key % n
    media = load_media()
    res = FabricResult(
        rack_ids=[str(i) for i in r.ids], tree=tree, switch_rack=switch_rack,
        switch_model=fab.switch, port_gbps=fab.port_gbps, tier=tier, a_rack=a_rack,
        b_rack=b_rack, a_switch=a_switch, b_switch=b_switch, a_port=a_port, gbps=gbps,
        pair=pair, pair_a=pair_a, pair_b=pair_b,
        pair_route_m=np.zeros(len(pair_key)), pair_na=none(len(pair_key)),
        pair_nb=none(len(pair_key)), length_m=np.zeros(len(tier)), medium=none(len(tier)),
        power_w=np.zeros(len(tier)), cost_usd=np.zeros(len(tier)), trays=trays, graph=graph,
        attach=att, fill=np.zeros(graph.n_edges), path_rows=np.zeros(0, np.int64),
        path_pieces=np.zeros(0, np.int64), media=media, rack_optics_w=np.zeros(n),
        _rack_xy=rack_xy)
    res.planned_medium = np.full(len(tier), -1, dtype=np.int64)
    _route_pairs(res, layout, np.arange(len(pair_key)))
    res.planned_medium = res.medium.copy()
    res.alerts = fabric_alerts(res, fab)
    return res


def reroute(res: FabricResult, layout: Layout, moved: np.ndarray) -> FabricResult:
    """Re-route the links of the racks in ``moved`` (rack indices); the rest stay. Returns
    a new result (the arrays it changes are copies: an earlier result stays as it was)."""
    res = dataclasses.replace(res, **{k: getattr(res, k).copy() for k in _PER_ROUTE})
    r = layout.racks
    rack_xy = np.column_stack([r["x_m"], r["y_m"]]).astype(float)
    height = layout.rack_sizes_m()[moved, 2]
    new = cr.attach(res.graph, rack_xy[moved, 0], rack_xy[moved, 1], height / 2.0)
    att = cr.Attachment(res.attach.edge.copy(), res.attach.t.copy(), res.attach.stub_m.copy(),
                        res.attach.drop_m.copy())
    att.edge[moved], att.t[moved], att.stub_m[moved], att.drop_m[moved] = \
        new.edge, new.t, new.stub_m, new.drop_m
    res.attach, res._rack_xy = att, rack_xy
    pairs = np.nonzero(np.isin(res.pair_a, moved) | np.isin(res.pair_b, moved))[0]
    _route_pairs(res, layout, pairs)
    return res


#: tray fill bands (share of the usable section): upper bound and colour, the same in the
#: plan and in 3-D
TRAY_FILL_BANDS = ((0.5, "#4caf7d"), (0.8, "#e3c04a"), (1.0, "#ee8a3c"), (np.inf, "#e0453a"))


def fill_band(fill: np.ndarray) -> np.ndarray:
    """Index into ``TRAY_FILL_BANDS`` of each fill (a band holds fills up to its bound)."""
    return np.searchsorted(np.array([hi for hi, _c in TRAY_FILL_BANDS]), np.asarray(fill, float),
                           side="left")


#: arrays a re-route writes into
_PER_ROUTE = ("pair_route_m", "pair_na", "pair_nb", "length_m", "medium", "power_w", "cost_usd")


def _route_pairs(res: FabricResult, layout: Layout, pairs: np.ndarray) -> None:
    """Route the given rack pairs, then every link of them: length, medium, power, cost;
    the tray fill, the optics power per rack and the alerts follow."""
    fab, g, at = layout.fabric, res.graph, res.attach
    a, b = res.pair_a[pairs], res.pair_b[pairs]
    route_m, na, nb = cr.route(g, at.edge[a], at.t[a], at.edge[b], at.t[b])
    same = a == b
    res.pair_route_m[pairs] = np.where(same, 0.0, route_m)
    res.pair_na[pairs], res.pair_nb[pairs] = na, nb
    links = np.nonzero(np.isin(res.pair, pairs))[0]
    p = res.pair[links]
    la, lb = res.pair_a[p], res.pair_b[p]
    run = res.pair_route_m[p] + at.stub_m[la] + at.stub_m[lb] + at.drop_m[la] + at.drop_m[lb]
    res.length_m[links] = np.where(la == lb, fab.in_rack_m, run * (1.0 + fab.slack_fraction))
    m = res.media.choose(res.gbps[links], res.length_m[links])
    res.medium[links] = m
    ok = m >= 0
    mm = np.where(ok, m, 0)
    res.power_w[links] = np.where(ok, 2.0 * res.media.power_w_per_end[mm], 0.0)
    res.cost_usd[links] = np.where(ok, 2.0 * res.media.usd_per_end[mm]
                                   + res.media.usd_per_m[mm] * res.length_m[links], 0.0)
    # routes on the trays (pairs in one rack use none)
    keep = ~np.isin(res.path_rows, pairs)
    on = pairs[~same]
    rows, pieces = cr.path_edges(g, at.edge[res.pair_a[on]], res.pair_na[on], res.pair_nb[on],
                                 at.edge[res.pair_b[on]])
    res.path_rows = np.concatenate([res.path_rows[keep], on[rows]])
    res.path_pieces = np.concatenate([res.path_pieces[keep], pieces])
    section = np.pi / 4 * (res.media.diameter_mm[mm] / 1e3) ** 2 * ok
    pair_section = np.bincount(res.pair, weights=_full(section, links, res), minlength=len(res.pair_a))
    res.fill = cr.fill(g, res.path_rows, res.path_pieces, pair_section)
    n = len(res.rack_ids)
    half = res.power_w / 2.0
    res.rack_optics_w = np.bincount(res.a_rack, half, n) + np.bincount(res.b_rack, half, n)
    res.alerts = fabric_alerts(res, fab)


def _full(section_of_links: np.ndarray, links: np.ndarray, res: FabricResult) -> np.ndarray:
    """Cable section of every link: recomputed ones from ``section_of_links``, the others
    from their (unchanged) medium."""
    m = res.medium
    ok = m >= 0
    out = np.pi / 4 * (res.media.diameter_mm[np.where(ok, m, 0)] / 1e3) ** 2 * ok
    out[links] = section_of_links
    return out


def fabric_alerts(res: FabricResult, fab: Fabric) -> list[Alert]:
    """Links beyond every medium's reach (per rack, most first), links beyond the reach of
    their planned cable, and trays over their fill."""
    out = _reach_alerts(res, np.nonzero(res.medium < 0)[0], "cable_reach", "critical",
                        "beyond the reach of every medium")
    out += _reach_alerts(res, np.nonzero(res.over_planned_reach() & (res.medium >= 0))[0],
                         "cable_replan", "warning", "beyond the reach of their planned cable")
    tray_fill = np.zeros(len(res.trays.ids))
    np.maximum.at(tray_fill, res.graph.edge_tray, res.fill)
    for t in np.nonzero(tray_fill > 1.0)[0]:
        physical = tray_fill[t] * fab.tray_fill_limit
        out.append(Alert("critical" if physical > 1.0 else "warning", "tray_fill",
                         res.trays.ids[t],
                         f"tray {res.trays.ids[t]} at {tray_fill[t] * 100:.0f} % of its usable "
                         f"section ({physical * 100:.0f} % of its cross-section; limit "
                         f"{fab.tray_fill_limit * 100:.0f} %)"))
    return out


def _reach_alerts(res: FabricResult, bad: np.ndarray, kind: str, severity: str,
                  what: str) -> list[Alert]:
    """One alert per rack holding an end of the links ``bad`` (most first), the rest in
    one summary."""
    out: list[Alert] = []
    if len(bad):
        n = len(res.rack_ids)
        per_rack = np.bincount(res.a_rack[bad], minlength=n) + np.bincount(res.b_rack[bad], minlength=n)
        order = np.argsort(-per_rack, kind="stable")
        racks = [int(i) for i in order if per_rack[i] > 0]
        for i in racks[:MAX_REACH_ALERTS]:
            mine = bad[(res.a_rack[bad] == i) | (res.b_rack[bad] == i)]
            worst = int(mine[np.argmax(res.length_m[mine])])
            planned = int(res.planned_medium[worst])
            reach = (res.media.max_reach_m(float(res.gbps[worst])) if kind == "cable_reach"
                     else float(res.media.reach_m[planned]))
            limit = "" if kind == "cable_reach" else f" of {res.media.label(planned)}"
            out.append(Alert(severity, kind, res.rack_ids[i],
                             f"{per_rack[i]} link{'s' if per_rack[i] > 1 else ''} of "
                             f"{res.rack_ids[i]} {what} (longest {res.length_m[worst]:.1f} m "
                             f"at {res.gbps[worst]:g} Gb/s; reach{limit} {reach:g} m)"))
        if len(racks) > MAX_REACH_ALERTS:
            out.append(Alert(severity, kind, "fabric", f"{len(bad)} links {what} in all, "
                             f"touching {len(racks)} racks"))
    return out
