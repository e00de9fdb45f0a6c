"""Air movers ("devices") and where they take and give air on the grid.

Every rack and every enabled cooling unit is a device: it draws its airflow
``V`` from a set of intake cells and discharges it into a set of discharge
cells.  ``intake`` is a sparse (n_dev × n_cells) matrix and ``discharge`` a
sparse (n_cells × n_dev) matrix of flows in m³/s; each device's row/column
sums to its airflow.  Racks come first (device index = rack index), then the
enabled cooling units.

Ports:
- rack: intake on the air cells just in front of its front face, discharge
  just behind its back face (one sample per grid cell across its width and
  per layer up to its height).  The end rack of a row with an open end draws
  the share ``row_end_entrainment`` of its airflow from the air round the
  corner instead (:mod:`.entrainment`).  In-row coolers are reversed racks.  A face
  with no free air within 1.5 cells (racks back to back, coarse grids)
  breathes through the cells just above the box.
- CRAH: discharge through the floor tiles (raised floor: the plenum is one
  well-mixed volume shared by all CRAHs in proportion to their airflow) or
  horizontally from its front face; return from the air just above the
  unit, or from the ceiling plenum (``ceiling_return``).
- Ceiling plenum: a well-mixed volume at one pressure (φ = 0) behind the
  return cells of the ceiling (:meth:`Geometry.return_conductance`); each
  return cell exchanges ``q = a φ_cell`` with it, so the return draws where
  the room's pressure pushes air, not by a fixed share.  The plenum-fed CRAHs
  get their intake rows only after the flow solve (:func:`attach_plenum`),
  each taking its share of the plenum mix; return cells with ``q < 0``
  (a starved region pulling plenum air back into the room) are fed by a
  passive "plenum spill" device that carries plenum air at the mix
  temperature (no heat, no coil).

Device law (one for all devices, ``C = ρ c_p V``): the air passing gains
``heat_w`` (rack air heat, or unit fan heat) and a coil removes up to
``cap_w`` (rear door or unit coil) but never cools below ``floor_c`` (door
water temperature or unit set-point) and never heats:
``T_out = max(min(T_a, floor_c), T_a − cap_w / C)`` with ``T_a = T_in + heat_w / C``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from ..fluids import AIR
from .entrainment import MAX_ENTRAINED_SHARE, door_edges, entrainment_ports, exhaust_sealed
from . import inrow_jets
from .grid import Geometry, footprint_cells, front_vector, grille_cells, snap
from .scene import AirScene

__all__ = ["Devices", "build_devices", "attach_plenum", "tile_jets", "device_modes", "mode_equations",
           "device_law", "tile_flows", "terminal_flows", "SolveError", "IDLE", "LIMITED", "AT_FLOOR"]

RHO_CP = AIR.volumetric_cp_jm3k

#: device modes in the order of the air temperature ``T_a`` reaching the coil:
#: idle (T_out = T_a), at its floor, capacity-limited (T_out = T_a − cap/C)
IDLE, AT_FLOOR, LIMITED = 0, 1, 2


class SolveError(RuntimeError):
    """The air solve cannot produce an answer (ill-posed input or no convergence)."""


@dataclass(frozen=True, eq=False)
class Devices:
    """Racks (indices ``0..n_racks``), enabled units, then an optional plenum spill."""

    n_racks: int
    unit_index: np.ndarray        # scene cooling-unit index of each unit device
    airflow_m3s: np.ndarray       # (n_dev,)
    heat_w: np.ndarray            # (n_dev,) heat added to the passing air
    cap_w: np.ndarray             # (n_dev,) coil/door capacity
    floor_c: np.ndarray           # (n_dev,) coil/door floor temperature
    intake: sp.csr_matrix         # (n_dev, n_cells) m³/s
    discharge: sp.csr_matrix      # (n_cells, n_dev) m³/s
    tile_flow_m3s: np.ndarray     # (n_tiles,) delivered tile flows
    plenum_units: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # ceiling-fed units
    entrained: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (n_racks,) share drawn round a row end
    hot_share: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (n_racks,) own rise at the open edge
    grille_flow_m3s: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (n_grilles,) delivered/drawn
    jet_z_m3s: np.ndarray | None = None    # (nz-1, ny, nx) tile jets' upward flux (tile_jets)
    edge_rack: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # end racks' open edges
    edge_air: sp.csr_matrix | None = None  # (len(edge_rack), n_cells) corner air by layer
    edge_share: np.ndarray = field(default_factory=lambda: np.zeros(0))  # of its excess over the mean

    @property
    def n(self) -> int:
        return len(self.airflow_m3s)

    @property
    def units(self) -> slice:
        """Device slice of the enabled cooling units."""
        return slice(self.n_racks, self.n_racks + len(self.unit_index))

    def with_heat(self, rack_heat_w: np.ndarray) -> "Devices":
        """A copy with new rack air heat (same ports and airflow)."""
        h = self.heat_w.copy(); h[:self.n_racks] = rack_heat_w
        return replace(self, heat_w=h)


def _face_samples(geom: Geometry, centers, sizes, rots, side: float):
    """Air cells just outside the front (side=+1) or back (side=−1) faces.

    Returns (owner, cell) arrays; owners with no free cell are absent."""
    g = geom.grid
    solid = geom.solid.ravel()
    owners, cells = [], []
    if len(centers) == 0:
        return np.zeros(0, int), np.zeros(0, int)
    nw = np.maximum(1, np.round(sizes[:, 0] / g.dx)).astype(int)
    nk = np.clip(snap(sizes[:, 2], g.dz), 1, g.nz)          # the layers footprint_cells fills
    f = front_vector(rots) * side
    t = np.stack([f[:, 1], -f[:, 0]], axis=1) * side     # width axis (local +x)
    for (w_, k_) in set(zip(nw.tolist(), nk.tolist())):
        idx = np.flatnonzero((nw == w_) & (nk == k_))
        u = ((np.arange(w_) + 0.5) / w_ - 0.5)[None, :, None] * sizes[idx, 0][:, None, None]
        z = np.broadcast_to(((np.arange(k_) + 0.5) * g.dz)[None, None, :], (len(idx), w_, k_))
        face = centers[idx] + f[idx] * (sizes[idx, 1:2] / 2)
        found = np.full((len(idx), w_, k_), -1)
        for step in (0.5, 1.5):
            px = face[:, 0, None, None] + t[idx, 0, None, None] * u + f[idx, 0, None, None] * step * g.dx
            py = face[:, 1, None, None] + t[idx, 1, None, None] * u + f[idx, 1, None, None] * step * g.dx
            inside = (px > 0) & (px < g.nx * g.dx) & (py > 0) & (py < g.ny * g.dx)
            c = g.cell_of(px, py, z)
            ok = inside & ~solid[c] & (found < 0)
            found[ok] = c[ok]
        own = np.broadcast_to(idx[:, None, None], found.shape)
        keep = found >= 0
        owners.append(own[keep]); cells.append(found[keep])
    return np.concatenate(owners), np.concatenate(cells)


def _top_cells(geom: Geometry, center, size, rot):
    g = geom.grid
    i0, i1, j0, j1, k1 = footprint_cells(g, center, size, rot)[0].tolist()
    if k1 >= g.nz:
        return np.zeros(0, int)
    jj, ii = np.mgrid[j0:j1, i0:i1]
    c = ((k1 * g.ny + jj) * g.nx + ii).ravel()
    return c[~geom.solid.ravel()[c]]


def terminal_flows(explicit_m3s: np.ndarray, area_m2: np.ndarray, usable: np.ndarray,
                   total_m3s: float) -> tuple[np.ndarray, float]:
    """Flows of supply terminals (tiles, supply grilles) fed by units moving
    ``total_m3s``, and the factor on the units' airflow. An explicit flow (finite
    ``explicit_m3s``) is kept; the other usable terminals share the remainder in
    proportion to their open area. When nothing is left to share (explicit flows
    above the total, or every usable terminal explicit with another total) the units
    move what the terminals deliver: factor = delivered / total (docs/physics.md §2.3)."""
    flow = np.where(usable, explicit_m3s, 0.0)
    explicit = usable & np.isfinite(flow)
    shared = usable & ~explicit
    out = np.zeros(len(flow))
    out[explicit] = flow[explicit]
    fixed = float(out.sum())
    area = np.where(shared, area_m2, 0.0)
    if fixed <= total_m3s and area.sum() > 0:
        out += area / area.sum() * (total_m3s - fixed)
        return out, 1.0
    if fixed <= 0:
        return out, 1.0
    return out, fixed / total_m3s if total_m3s > 0 else 1.0


def tile_flows(scene: AirScene, total_m3s: float, usable: np.ndarray) -> np.ndarray:
    """Tile flows for a plenum fed with ``total_m3s`` (see :func:`terminal_flows`)."""
    t = scene.tiles
    return terminal_flows(t.flow_m3s, t.open_fraction * t.size_m ** 2, usable, total_m3s)[0]


def _tile_cells(scene: AirScene, geom: Geometry):
    """(owner, flat cell) of the air each tile discharges into: its floor cells and the
    column of air cells above them whose centres lie below ``tile_jet_height_m`` (the
    tile jet, docs/physics.md §2.3); a column stops at the first solid cell."""
    g = geom.grid
    t = scene.tiles
    ns = max(1, int(round(t.size_m / g.dx)))
    off = ((np.arange(ns) + 0.5) / ns - 0.5) * t.size_m
    ox, oy = np.meshgrid(off, off)
    px = t.center_xy_m[:, 0, None] + ox.ravel()[None, :]
    py = t.center_xy_m[:, 1, None] + oy.ravel()[None, :]
    cells = g.cell_of(px, py, np.full(px.shape, 0.5 * g.dz))
    inside = (px > 0) & (px < g.nx * g.dx) & (py > 0) & (py < g.ny * g.dx)
    solid = geom.solid.ravel()
    ok = inside & ~solid[cells]
    owner = np.broadcast_to(np.arange(t.n)[:, None], cells.shape)
    owners, out = [owner[ok]], [cells[ok]]
    layers = min(g.nz, int(np.ceil(scene.settings.tile_jet_height_m / g.dz - 0.5)))
    for k in range(1, layers):
        ok &= ~solid[np.where(ok, cells + k * g.nx * g.ny, 0)]
        owners.append(owner[ok]); out.append(cells[ok] + k * g.nx * g.ny)
    return np.concatenate(owners), np.concatenate(out)


def tile_jets(column_q: np.ndarray, shape: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The tiles' air as jets: (change of the per-cell discharge, flat; upward jet flux
    on the internal horizontal faces, (nz − 1, ny, nx) m³/s) for the tiles' column
    discharge ``column_q`` (flat, :func:`_tile_cells`).  Each column's whole flow enters
    at its floor cell and rises through the column, the face above layer k carrying what
    the layers above k take: the jet flux's divergence is the column discharge, so the
    airflow is the column's (docs/physics.md §2.3) while the supply temperature enters at
    the floor only and air meeting the jet from the side is carried up with it."""
    q = column_q.reshape(shape)
    jet = np.cumsum(q[::-1], axis=0)[::-1][1:]
    moved = -q.copy()
    moved[0] += q.sum(axis=0)
    return moved.ravel(), jet


def _normalised(owner, cells, n_owner, n_cells, flow):
    """Sparse (n_owner × n_cells) with each owner's row summing to flow[owner]."""
    counts = np.bincount(owner, minlength=n_owner).astype(float)
    w = flow[owner] / counts[owner]
    return sp.csr_matrix((w, (owner, cells)), shape=(n_owner, n_cells))


def _missing(n: int, *owners: np.ndarray) -> np.ndarray:
    """Indices in range(n) that none of ``owners`` lists."""
    present = np.zeros(n, bool)
    for o in owners:
        present[o] = True
    return np.flatnonzero(~present)


def corner_layers(rack: np.ndarray, corner: sp.csr_matrix, layer_cells: int):
    """Each corner row split into its layers (``layer_cells`` cells a layer), each part
    renormalised: (the rack of each part, the parts as rows of a matrix)."""
    c = corner.tocoo()
    key = c.row.astype(np.int64) * (corner.shape[1] // layer_cells + 1) + c.col // layer_cells
    part_key, part = np.unique(key, return_inverse=True)
    total = np.bincount(part, c.data)
    m = sp.csr_matrix((c.data / total[part], (part, c.col)), shape=(len(part_key), corner.shape[1]))
    return rack[part_key // (corner.shape[1] // layer_cells + 1)], m


def build_devices(scene: AirScene, geom: Geometry) -> Devices:
    g = geom.grid
    n_cells = g.n
    r, u, hall = scene.racks, scene.cooling, scene.hall
    on = np.flatnonzero(u.enabled & (u.airflow_m3s > 0))
    nr, nu = r.n, len(on)
    n_dev = nr + nu
    V = np.concatenate([r.airflow_m3s, u.airflow_m3s[on]])

    in_own_parts, in_cell_parts, out_own_parts, out_cell_parts = [], [], [], []
    # racks: front intake, back discharge
    o, c = _face_samples(geom, r.center_xy_m, r.size_m, r.rotation_deg, +1.0)
    in_own_parts.append(o); in_cell_parts.append(c)
    o, c = _face_samples(geom, r.center_xy_m, r.size_m, r.rotation_deg, -1.0)
    out_own_parts.append(o); out_cell_parts.append(c)
    # in-row coolers: reversed racks
    inrow = np.array([u.kind[i] == "inrow" for i in on], bool)
    crah = ~inrow
    if inrow.any():
        sel = on[inrow]
        o, c = _face_samples(geom, u.center_xy_m[sel], u.size_m[sel], u.rotation_deg[sel], -1.0)
        in_own_parts.append(nr + np.flatnonzero(inrow)[o]); in_cell_parts.append(c)
        throw_s = scene.settings.inrow_jet_throw_s
        if throw_s > 0:        # the jets spread the supply over their splash zones
            throw = inrow_jets.throw_m(u.airflow_m3s[sel], u.size_m[sel], throw_s)
            o, c = inrow_jets.splash_zones(geom, u.center_xy_m[sel], u.size_m[sel], u.rotation_deg[sel],
                                           throw)
        else:
            o, c = _face_samples(geom, u.center_xy_m[sel], u.size_m[sel], u.rotation_deg[sel], +1.0)
        out_own_parts.append(nr + np.flatnonzero(inrow)[o]); out_cell_parts.append(c)

    tile_q = np.zeros(scene.tiles.n)
    gr = scene.grilles
    grille_q = np.zeros(gr.n)
    plenum = sp.csr_matrix((n_cells, n_dev))
    jet_z = None
    ducted = sp.csr_matrix((n_dev, n_cells))      # return grilles without a plenum
    ducted_w = None
    plenum_units = np.zeros(0, int)
    outside = np.array([bool(u.outside[i]) for i in on], bool)
    if crah.any():
        crah_dev = nr + np.flatnonzero(crah)
        sel = on[crah]
        g_own, g_cell = grille_cells(g, gr, geom.solid)
        is_ret = ~gr.is_supply
        # returns (ceiling plenum: attached after the flow solve)
        if hall.ceiling_return:
            if not geom.return_mask.any() and not len(geom.return_side):
                raise SolveError("the ceiling return has no open cell under the plenum")
            plenum_units = crah_dev
        elif is_ret.any():
            usable = np.zeros(gr.n, bool); usable[g_own] = True
            usable &= is_ret
            if not usable.any():
                raise SolveError("no return grille has free air in front of it")
            area = gr.size_m[:, 0] * gr.size_m[:, 1]
            share, _ = terminal_flows(np.where(is_ret, gr.flow_m3s, np.nan), area, usable,
                                      float(V[crah_dev].sum()))
            share = share / share.sum()
            ret_share = np.where(is_ret, share, 0.0)
            keep = usable[g_own]
            per_cell = _normalised(g_own[keep], g_cell[keep], gr.n, n_cells, share)
            cell_w = np.asarray(per_cell.sum(axis=0)).ravel()
            ducted_w = cell_w          # the matrix is built once the airflows are final
        else:
            for d, ui in zip(crah_dev, sel):
                if u.outside[ui]:
                    raise SolveError(f"cooling unit {int(ui)} stands outside the hall and has "
                                     "no return: add return grilles or a ceiling return")
                c = _top_cells(geom, u.center_xy_m[ui], u.size_m[ui], u.rotation_deg[ui])
                if len(c) == 0:
                    _, c = _face_samples(geom, u.center_xy_m[[ui]], u.size_m[[ui]], u.rotation_deg[[ui]], -1.0)
                in_own_parts.append(np.full(len(c), d)); in_cell_parts.append(c)
        # supplies: the units feeding the plenum / supply duct deliver through the tiles
        # (raised floor) and supply grilles; others discharge from their front face
        feeds = outside[crah] | hall.raised_floor
        fed_dev = crah_dev[feeds]
        if len(fed_dev):
            t_own, t_cell = _tile_cells(scene, geom) if hall.raised_floor else \
                (np.zeros(0, np.int64), np.zeros(0, np.int64))
            s_keep = gr.is_supply[g_own]
            s_own, s_cell = g_own[s_keep], g_cell[s_keep]
            n_t = scene.tiles.n
            usable = np.zeros(n_t + gr.n, bool); usable[t_own] = True; usable[n_t + s_own] = True
            if not usable.any():
                raise SolveError("raised floor has no usable perforated tile: CRAH air has nowhere to go"
                                 if hall.raised_floor else
                                 "units outside the hall have no supply grille to deliver through")
            explicit = np.concatenate([scene.tiles.flow_m3s,
                                       np.where(gr.is_supply, gr.flow_m3s, np.nan)])
            area = np.concatenate([scene.tiles.open_fraction * scene.tiles.size_m ** 2,
                                   np.where(gr.is_supply, gr.size_m[:, 0] * gr.size_m[:, 1], 0.0)])
            q, scale = terminal_flows(explicit, area, usable, float(V[fed_dev].sum()))
            V[fed_dev] *= scale        # the units move what the terminals deliver
            tile_q = q[:n_t]
            grille_q[gr.is_supply] = q[n_t:][gr.is_supply]
            owner = np.concatenate([t_own, n_t + s_own])
            per_cell = _normalised(owner, np.concatenate([t_cell, s_cell]), n_t + gr.n, n_cells, q)
            cell_q = np.asarray(per_cell.sum(axis=0)).ravel()
            if len(t_cell):
                floor_q, jet_z = tile_jets(np.asarray(per_cell[:n_t].sum(axis=0)).ravel(), g.shape)
                cell_q = cell_q + floor_q
            share = V[fed_dev] / V[fed_dev].sum()
            cc = np.flatnonzero(cell_q)
            rows = np.repeat(cc, len(fed_dev)); cols = np.tile(fed_dev, len(cc))
            vals = (cell_q[cc, None] * share[None, :]).ravel()
            plenum = sp.csr_matrix((vals, (rows, cols)), shape=(n_cells, n_dev))
        if ducted_w is not None:
            grille_q[is_ret] = ret_share[is_ret] * V[crah_dev].sum()
            cc = np.flatnonzero(ducted_w)
            rows = np.repeat(crah_dev, len(cc)); cols = np.tile(cc, len(crah_dev))
            vals = (V[crah_dev, None] * ducted_w[None, cc]).ravel()
            ducted = sp.csr_matrix((vals, (rows, cols)), shape=(n_dev, n_cells))
        front = ~feeds
        if front.any():
            fs = sel[front]
            o, c = _face_samples(geom, u.center_xy_m[fs], u.size_m[fs], u.rotation_deg[fs], +1.0)
            out_own_parts.append(crah_dev[front][o]); out_cell_parts.append(c)

    in_own = np.concatenate(in_own_parts); in_cell = np.concatenate(in_cell_parts)
    out_own = np.concatenate(out_own_parts); out_cell = np.concatenate(out_cell_parts)
    # a face with no free air in front of it (equipment or wall within a cell)
    # breathes through the air just above the box instead
    boxes = np.concatenate([r.center_xy_m, u.center_xy_m[on]]), \
        np.concatenate([r.size_m, u.size_m[on]]), np.concatenate([r.rotation_deg, u.rotation_deg[on]])
    fixed = []
    outside_dev = np.concatenate([np.zeros(nr, bool), outside])
    ducted_units = np.unique(ducted.nonzero()[0])
    for own, cell, extra in ((in_own, in_cell, np.concatenate([plenum_units, ducted_units])),
                             (out_own, out_cell, plenum.nonzero()[1])):
        miss = _missing(n_dev, own, extra)
        miss = miss[~outside_dev[miss]]
        tops = [(d, _top_cells(geom, boxes[0][d], boxes[1][d], boxes[2][d])) for d in miss]
        own = np.concatenate([own] + [np.full(len(c), d) for d, c in tops])
        cell = np.concatenate([cell] + [c for _, c in tops])
        fixed.append((own, cell))
    (in_own, in_cell), (out_own, out_cell) = fixed
    missing_in = _missing(n_dev, in_own, plenum_units, ducted_units)
    missing_out = _missing(n_dev, out_own, plenum.nonzero()[1])
    for miss, what in ((missing_in, "intake"), (missing_out, "discharge")):
        if len(miss):
            first = int(miss[0])
            who = f"rack {first}" if first < nr else f"cooling unit {int(on[first - nr])}"
            raise SolveError(f"{who} has no free air at its {what} (blocked by walls or equipment)")
    intake = _normalised(in_own, in_cell, n_dev, n_cells, V) + ducted
    share = np.zeros(n_dev)
    # row-end entrainment: open-ended rows' end racks breathe partly round the corner
    ports = entrainment_ports(scene, geom)
    box_e = ports.rack
    if len(box_e):
        np.add.at(share, box_e, scene.settings.row_end_entrainment * ports.weight)
        capped = np.minimum(share, MAX_ENTRAINED_SHARE)
        weights = np.zeros(n_dev)
        np.add.at(weights, box_e, ports.weight)
        # each port's part of its rack's (capped) share: open sides split it
        per_port = capped[box_e] * ports.weight / weights[box_e]
        share = capped
        corner = (sp.diags(per_port * V[box_e]) @ ports.corner).tocoo()
        intake = (sp.diags(1.0 - share) @ intake
                  + sp.csr_matrix((corner.data, (box_e[corner.row], corner.col)),
                                  shape=(n_dev, n_cells))).tocsr()
    discharge = (_normalised(out_own, out_cell, n_dev, n_cells, V).T + plenum).tocsr()
    hot_share = np.zeros(nr)
    edge_rack, edge_air, edge_share = np.zeros(0, int), None, np.zeros(0)
    if len(box_e):
        # the open edge's wrapped exhaust: a larger share of the rise where the aisle end
        # spills its supply below it, a smaller one one rack in (entrainment.py,
        # "Hottest intake at an open end")
        st = scene.settings
        phi = np.where(~ports.is_end, st.row_end_neighbour_hot_share,
                       np.where(ports.closed, st.row_end_hot_share, st.row_end_hot_share_open))
        phi[exhaust_sealed(scene, box_e)] = 0.0
        np.maximum.at(hot_share, box_e, phi)
        # an end rack's open edge takes its corner air unmixed (hottest.py, "Row ends")
        edge = np.flatnonzero(ports.is_end & (phi > 0.0))
        edge_rack, edge_air = corner_layers(box_e[edge], ports.corner[edge], g.nx * g.ny)
        edge_share = np.ones(len(edge_rack))
    # the door head's leak passes the door-end racks' top edge (hottest.py, "Door ends")
    door_rack, door_air = door_edges(scene, geom, tile_q)
    if len(door_rack):
        door_rack, door_air = corner_layers(door_rack, door_air, g.nx * g.ny)
        edge_rack = np.concatenate([edge_rack, door_rack])
        edge_air = door_air if edge_air is None else sp.vstack([edge_air, door_air]).tocsr()
        edge_share = np.concatenate([edge_share,
                                     np.full(len(door_rack), scene.settings.door_hot_share)])

    heat = np.concatenate([r.air_heat_w, u.fan_heat_w[on]])
    cap = np.concatenate([r.rdhx_capacity_w, u.capacity_w[on]])
    floor = np.concatenate([r.rdhx_supply_c, u.supply_setpoint_c[on]])
    return Devices(nr, on, V, heat, cap, floor, intake, discharge, tile_q, plenum_units, share[:nr],
                   hot_share, grille_q, jet_z, edge_rack, edge_air, edge_share)


def attach_plenum(dev: Devices, return_g: np.ndarray, phi: np.ndarray) -> Devices:
    """Intake rows of the plenum-fed units (and the plenum spill device) from
    the return flows ``q = return_g · φ`` of a solved potential."""
    if len(dev.plenum_units) == 0:
        return dev
    cells = np.flatnonzero(return_g)
    q = return_g[cells] * phi[cells]
    q_in = np.where(q > 0, q, 0.0)
    total_in = q_in.sum()
    if total_in <= 0:
        raise SolveError("no air reaches the ceiling return plenum")
    mix = q_in / total_in                        # plenum mix weights per return cell
    units = dev.plenum_units
    V = dev.airflow_m3s
    spill_q = np.where(q < -1e-9 * total_in, -q, 0.0)
    n_dev, n_cells = dev.n + (1 if spill_q.any() else 0), dev.intake.shape[1]
    rows = np.repeat(units, len(cells))
    vals = (V[units, None] * mix[None, :]).ravel()
    cols = np.tile(cells, len(units))
    base = sp.vstack([dev.intake, sp.csr_matrix((n_dev - dev.n, n_cells))])
    discharge = dev.discharge
    if n_dev == dev.n:
        intake = base + sp.csr_matrix((vals, (rows, cols)), shape=(n_dev, n_cells))
        return replace(dev, intake=intake.tocsr())
    spill = spill_q.sum()
    rows = np.concatenate([rows, np.full(len(cells), dev.n)])
    cols = np.concatenate([cols, cells])
    vals = np.concatenate([vals, spill * mix])
    intake = base + sp.csr_matrix((vals, (rows, cols)), shape=(n_dev, n_cells))
    out = np.flatnonzero(spill_q)
    discharge = sp.hstack([discharge, sp.csr_matrix((spill_q[out], (cells[out], np.zeros(len(out), int))),
                                                     shape=(n_cells, 1))]).tocsr()
    return replace(dev, intake=intake.tocsr(), discharge=discharge,
                   airflow_m3s=np.append(V, spill), heat_w=np.append(dev.heat_w, 0.0),
                   cap_w=np.append(dev.cap_w, 0.0), floor_c=np.append(dev.floor_c, np.inf))


def device_modes(dev: Devices, t_in_c: np.ndarray, heat_w: np.ndarray | None = None) -> np.ndarray:
    """Mode of every device at intake temperatures ``t_in_c``: IDLE (the air
    does not reach the floor: no cooling), LIMITED (the coil removes its whole
    capacity and the air stays above the floor) or AT_FLOOR."""
    heat = dev.heat_w if heat_w is None else heat_w
    C = RHO_CP * dev.airflow_m3s
    t_a = t_in_c + heat / C
    mode = np.full(dev.n, AT_FLOOR, np.int8)
    mode[t_a - dev.cap_w / C >= dev.floor_c] = LIMITED
    mode[t_a <= dev.floor_c] = IDLE
    return mode


def mode_equations(dev: Devices, mode: np.ndarray, heat_w: np.ndarray | None = None):
    """Linear device equations for a mode set: (linear mask, value) with
    ``T_out = T_in + value`` for linear devices and ``T_out = value`` otherwise."""
    heat = dev.heat_w if heat_w is None else heat_w
    C = RHO_CP * dev.airflow_m3s
    dt_heat = heat / C
    value = np.where(mode == IDLE, dt_heat,
                     np.where(mode == LIMITED, dt_heat - dev.cap_w / C, dev.floor_c))
    return mode != AT_FLOOR, value


def device_law(dev: Devices, t_in_c: np.ndarray, heat_w: np.ndarray | None = None) -> np.ndarray:
    """Device outlet temperatures ``T_out`` for intake temperatures ``t_in_c``."""
    linear, value = mode_equations(dev, device_modes(dev, t_in_c, heat_w), heat_w)
    return np.where(linear, t_in_c + value, value)
