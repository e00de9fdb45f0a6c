"""The live model's air scene as an OpenFOAM room: solid boxes, baffles and device patches.

Everything comes from the same :class:`~twin.physics.air.scene.AirScene` the live model
solves (``twin.engine.inputs.air_scene`` of the layout with the solved rack air heat)
and from its result (delivered unit airflows and supply temperatures), so the CFD
case has exactly the flows, powers and set-points of the live model:

- rack: intake patch on its front face (air leaves the room at V / A), exhaust patch on
  its back face (air enters at V / A at "intake mean + air heat / ρc_pV", through its
  rear door's law when it has one: the case driver re-sets it every cycle);
- in-row cooler: a reversed rack whose discharge obeys the coil law at its set-point;
- CRAH in the hall: return through its top (its back face when something stands on it)
  unless the hall returns through a ceiling plenum or return grilles; discharge through
  the perforated tiles (raised floor) or its front face;
- tiles and ceiling supply grilles: the live model's terminal flows at the plenum's
  supply temperature (flow-weighted over the units feeding it);
- ceiling return: a pressure opening over the twin's return cells (hot-aisle chimneys,
  else return grilles, else the whole ceiling); ducted return grilles: fixed outflows;
- containment panels: baffles, with the same chimney rules as the twin; the end doors of
  an aisle with a roof stop one cell short of it (a sealed aisle with fixed flows has no
  solution: the twin leaks 3 % through every panel instead).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from twin.engine import inputs
from twin.engine.simulate import TwinResult
from twin.model import Layout
from twin.physics.air.devices import terminal_flows
from twin.physics.air.grid import front_vector, uses_return_plenum
from twin.physics.air.scene import AirScene
from twin.physics.air.snapping import snap

from ..errors import InterchangeError
from .mesh import Block, FaceGrids

__all__ = ["CaseRoom", "case_room", "KELVIN"]

KELVIN = 273.15
#: vertical cell size relative to the horizontal one (0.15 m → 0.2 m layers)
Z_STRETCH = 4.0 / 3.0


@dataclass
class CaseRoom:
    """Face grids with their patch labels, what each label is, and the devices the
    case driver ties (exhaust to intake)."""

    grids: FaceGrids
    names: list[str] = field(default_factory=lambda: ["walls"])
    types: list[str] = field(default_factory=lambda: ["wall"])
    kinds: list[str] = field(default_factory=lambda: ["wall"])   # wall, inlet, outlet, opening
    devices: list[dict] = field(default_factory=list)
    supply_c: float = 18.0
    return_c: float = 30.0
    notes: list[str] = field(default_factory=list)

    def add_patch(self, name: str, kind: str) -> int:
        self.names.append(name)
        self.types.append("patch")
        self.kinds.append(kind)
        return len(self.names) - 1


def _block(scene: AirScene, cell_m: float) -> Block:
    h = scene.hall
    nx = max(2, int(round(h.width_m / cell_m)))
    ny = max(2, int(round(h.length_m / cell_m)))
    nz = max(3, int(round(h.height_m / (cell_m * Z_STRETCH))))
    return Block(nx, ny, nz, h.width_m / nx, h.length_m / ny, h.height_m / nz,
                 np.zeros((nz, ny, nx), bool))


def _box(b: Block, center, size, rot) -> tuple[int, int, int, int, int]:
    """(i0, i1, j0, j1, k1) of the cells a box fills (at least one), like the twin's
    ``footprint_cells`` with separate x and y cell sizes (the same rounding, :func:`snap`)."""
    along_x = int(round(rot)) % 180 == 0
    hx, hy = (size[0], size[1]) if along_x else (size[1], size[0])
    i0, i1 = (int(v) for v in snap([center[0] - hx / 2, center[0] + hx / 2], b.dx))
    j0, j1 = (int(v) for v in snap([center[1] - hy / 2, center[1] + hy / 2], b.dy))
    i0, j0 = max(0, i0), max(0, j0)
    i1, j1 = min(b.nx, max(i1, i0 + 1)), min(b.ny, max(j1, j0 + 1))
    k1 = min(b.nz, max(1, int(snap(size[2], b.dz))))
    return i0, i1, j0, j1, k1


def _face(box, direction) -> tuple[int, int, tuple]:
    """(axis, fluid side, face-grid index) of the face of ``box`` looking along
    ``direction`` (a unit plan vector, or "top")."""
    i0, i1, j0, j1, k1 = box
    if isinstance(direction, str):
        return 2, 1, (k1, slice(j0, j1), slice(i0, i1))
    fx, fy = (int(round(v)) for v in direction)
    if fy < 0:
        return 1, 0, (slice(0, k1), j0, slice(i0, i1))
    if fy > 0:
        return 1, 1, (slice(0, k1), j1, slice(i0, i1))
    if fx > 0:
        return 0, 1, (slice(0, k1), slice(j0, j1), i1)
    return 0, 0, (slice(0, k1), slice(j0, j1), i0)


def _mark(room: CaseRoom, label: int, faces: list, flow_m3s: float, temp_k: float) -> int:
    """Give the free boundary faces among ``faces`` [(axis, side, index)] ``label`` and a
    uniform speed carrying ``flow_m3s`` into the room (negative: out of it); the number
    of faces marked (0: none free)."""
    g, b = room.grids, room.grids.block
    masks = []
    for axis, side, idx in faces:
        m = np.zeros(b.face_shape(axis), bool)
        m[idx] = True
        masks.append(m & g.boundary(axis, side) & (g.label[axis][side] == 0))
    area = sum(int(m.sum()) * b.face_area(a) for m, (a, _s, _i) in zip(masks, faces))
    if area <= 0:
        return 0
    for m, (axis, side, _i) in zip(masks, faces):
        g.label[axis][side][m] = label
        g.speed[axis][side][m] = flow_m3s / area
        g.temp[axis][side][m] = temp_k
    return sum(int(m.sum()) for m in masks)


def _device_face(room: CaseRoom, label: int, box, direction, flow_m3s: float, temp_k: float,
                 who: str, what: str) -> None:
    """A device port on one face of its box, or on its top when that face is blocked."""
    if _mark(room, label, [_face(box, direction)], flow_m3s, temp_k):
        return
    if box[4] < room.grids.block.nz and _mark(room, label, [_face(box, "top")], flow_m3s, temp_k):
        room.notes.append(f"{who}: its {what} face is blocked; it breathes through its top")
        return
    raise InterchangeError(who, f"its {what} has no free air (blocked by walls or equipment)")


def _span(centre: float, size: float, d: float, n: int) -> slice:
    """Cells whose centres lie within centre ± size/2 (at least the nearest one)."""
    mid = (np.arange(n) + 0.5) * d
    hit = np.flatnonzero(np.abs(mid - centre) <= size / 2 + 1e-9)
    if not len(hit):
        k = int(min(max(centre // d, 0), n - 1))
        return slice(k, k + 1)
    return slice(int(hit[0]), int(hit[-1]) + 1)


def _containment(room: CaseRoom, scene: AirScene) -> np.ndarray:
    """Baffles of the containment panels; the (ny, nx) mask of chimney tops."""
    b, g = room.grids.block, room.grids
    chimney = np.zeros((b.ny, b.nx), bool)
    c = scene.containment
    for rect, kind, hgt, roof, doors in zip(c.rect_m, c.kind, c.height_m, c.roof, c.end_doors):
        i0, i1 = sorted(int(v) for v in snap([rect[0], rect[2]], b.dx))
        j0, j1 = sorted(int(v) for v in snap([rect[1], rect[3]], b.dy))
        i0, i1 = max(0, min(b.nx, i0)), max(0, min(b.nx, i1))
        j0, j1 = max(0, min(b.ny, j0)), max(0, min(b.ny, j1))
        if i1 <= i0 or j1 <= j0:
            continue
        kh = min(b.nz, max(1, int(snap(hgt, b.dz))))
        is_chimney = kind == "hot_aisle" and scene.hall.ceiling_return and (roof or kh >= b.nz)
        ktop = b.nz if is_chimney else kh
        closed = roof and not is_chimney and kh < b.nz
        k_door = kh - 1 if closed and kh > 1 else kh     # the door gap under a roof
        if (i1 - i0) >= (j1 - j0):        # aisle along x: long sides are y faces
            g.baffle[1][:ktop, j0, i0:i1] = True
            g.baffle[1][:ktop, j1, i0:i1] = True
            ends: tuple = (0, slice(j0, j1), [i0, i1])
        else:
            g.baffle[0][:ktop, j0:j1, i0] = True
            g.baffle[0][:ktop, j0:j1, i1] = True
            ends = (1, [j0, j1], slice(i0, i1))
        axis, s1, s2 = ends
        if doors:
            g.baffle[axis][:k_door, s1, s2] = True
        if is_chimney:
            g.baffle[axis][kh:ktop, s1, s2] = True
            chimney[j0:j1, i0:i1] = True
        elif closed:
            g.baffle[2][kh, j0:j1, i0:i1] = True
    return chimney


def case_room(layout: Layout, result: TwinResult, cell_m: float) -> CaseRoom:
    """The CFD room of ``layout`` as the live model solved it (``result``)."""
    air = result.air
    if air is None:
        raise InterchangeError(layout.name or "layout", "the live model has no air result "
                               "(no rack heat goes to air, or no unit cools it): nothing to export")
    scene, _unit_ids = inputs.air_scene(layout, result.rack_air_heat_kw * 1e3)
    b = _block(scene, cell_m)
    r, u, gr = scene.racks, scene.cooling, scene.grilles
    rack_boxes = [_box(b, r.center_xy_m[i], r.size_m[i], r.rotation_deg[i]) for i in range(r.n)]
    unit_boxes = [None if u.outside[k] else _box(b, u.center_xy_m[k], u.size_m[k], u.rotation_deg[k])
                  for k in range(u.n)]
    for i0, i1, j0, j1, k1 in rack_boxes + [x for x in unit_boxes if x is not None]:
        b.solid[:k1, j0:j1, i0:i1] = True
    room = CaseRoom(FaceGrids(b))
    chimney = _containment(room, scene)

    wall_grilles = [k for k in range(gr.n) if np.isfinite(gr.z_m[k])]
    if wall_grilles:
        raise InterchangeError(layout.name or "layout", f"grille {wall_grilles[0]} is a wall/duct "
                               "grille (given elevation): only ceiling grilles are exported")
    on = u.enabled & (u.airflow_m3s > 0)
    flow = np.asarray(air.unit_airflow_m3s, float)
    supply = np.asarray(air.unit_supply_c, float)
    crah = np.array([k == "crah" for k in u.kind]) & on
    feeds = crah & (u.outside | scene.hall.raised_floor)
    fed_q = float(flow[feeds].sum())
    room.supply_c = (float((flow[feeds] * supply[feeds]).sum() / fed_q) if fed_q > 0
                     else float(np.nanmean(supply[on])) if on.any() else 18.0)
    ret = np.asarray(air.unit_return_c, float)
    room.return_c = float(np.nanmean(ret[on])) if on.any() and np.isfinite(ret[on]).any() \
        else room.supply_c + 10.0

    # racks: intake on the front face, exhaust behind
    fronts = front_vector(r.rotation_deg)
    for i in range(r.n):
        rid = str(result.rack_ids[i])
        lin = room.add_patch(f"rack_{i:04d}_in", "outlet")
        lout = room.add_patch(f"rack_{i:04d}_out", "inlet")
        v = float(r.airflow_m3s[i])
        _device_face(room, lin, rack_boxes[i], fronts[i], -v, 0.0, f"rack {rid}", "front (intake)")
        _device_face(room, lout, rack_boxes[i], -fronts[i], v, float(air.rack_exhaust_c[i]) + KELVIN,
                     f"rack {rid}", "back (exhaust)")
        room.devices.append(dict(kind="rack", id=rid, index=i, inlet=room.names[lin],
                                 outlet=room.names[lout], airflow_m3s=v,
                                 heat_w=float(r.air_heat_w[i]), cap_w=float(r.rdhx_capacity_w[i]),
                                 floor_c=float(r.rdhx_supply_c[i]), height_m=float(r.size_m[i, 2])))
    # cooling units
    unit_fronts = front_vector(u.rotation_deg)
    unit_name = list(result.unit_ids) + ["given supply"] * (u.n - len(result.unit_ids))
    plenum = uses_return_plenum(scene)
    ducted = not scene.hall.ceiling_return and bool((~gr.is_supply).any())
    for k in range(u.n):
        box = unit_boxes[k]
        if not on[k] or box is None:
            continue
        who, v = f"cooling unit {unit_name[k]}", float(flow[k])
        if u.kind[k] == "inrow":
            lin = room.add_patch(f"unit_{k:02d}_in", "outlet")
            lout = room.add_patch(f"unit_{k:02d}_out", "inlet")
            _device_face(room, lin, box, -unit_fronts[k], -v, 0.0, who, "back (intake)")
            _device_face(room, lout, box, unit_fronts[k], v, supply[k] + KELVIN,
                         who, "front (discharge)")
            room.devices.append(dict(kind="inrow", id=unit_name[k], index=k, inlet=room.names[lin],
                                     outlet=room.names[lout], airflow_m3s=v,
                                     heat_w=float(u.fan_heat_w[k]), cap_w=float(u.capacity_w[k]),
                                     floor_c=float(u.supply_setpoint_c[k]),
                                     height_m=float(u.size_m[k, 2])))
            continue
        if not plenum and not ducted:
            lr = room.add_patch(f"unit_{k:02d}_ret", "outlet")
            if not (box[4] < b.nz and _mark(room, lr, [_face(box, "top")], -v, 0.0)):
                _device_face(room, lr, box, -unit_fronts[k], -v, 0.0, who, "back (return)")
        if not feeds[k]:
            ls = room.add_patch(f"unit_{k:02d}_sup", "inlet")
            _device_face(room, ls, box, unit_fronts[k], v, supply[k] + KELVIN,
                         who, "front (discharge)")

    _terminals(room, scene, fed_q)
    if plenum:
        top = np.zeros((b.ny, b.nx), bool)
        ret_grilles = np.flatnonzero(~gr.is_supply)
        if len(ret_grilles):
            top |= chimney
            for g in ret_grilles:
                top[_span(gr.center_xy_m[g, 1], gr.size_m[g, 1], b.dy, b.ny),
                    _span(gr.center_xy_m[g, 0], gr.size_m[g, 0], b.dx, b.nx)] = True
        else:
            top = chimney if chimney.any() else np.ones_like(top)
        lo = room.add_patch("ceiling_return", "opening")
        m = np.zeros(b.face_shape(2), bool)
        m[b.nz] = top
        m &= room.grids.boundary(2, 0) & (room.grids.label[2][0] == 0)
        if not m.any():
            raise InterchangeError(layout.name or "layout", "the ceiling return has no open face")
        room.grids.label[2][0][m] = lo
    elif ducted:
        _return_grilles(room, scene, float(flow[crah].sum()))
    _check_balance(room, plenum, layout.name or "layout")
    return room


def _terminals(room: CaseRoom, scene: AirScene, fed_q: float) -> None:
    """Tiles (raised floor) and ceiling supply grilles: the live model's terminal flows
    (``terminal_flows``) over their free faces, at the plenum's supply temperature."""
    b, g = room.grids.block, room.grids
    t, gr = scene.tiles, scene.grilles
    faces = []     # (axis, side, mask) per terminal
    for k in range(t.n if scene.hall.raised_floor else 0):
        m = np.zeros(b.face_shape(2), bool)
        m[0, _span(t.center_xy_m[k, 1], t.size_m, b.dy, b.ny),
          _span(t.center_xy_m[k, 0], t.size_m, b.dx, b.nx)] = True
        faces.append((1, m & g.boundary(2, 1)))
    n_t = len(faces)
    for k in range(gr.n):
        m = np.zeros(b.face_shape(2), bool)
        if gr.is_supply[k]:
            m[b.nz, _span(gr.center_xy_m[k, 1], gr.size_m[k, 1], b.dy, b.ny),
              _span(gr.center_xy_m[k, 0], gr.size_m[k, 0], b.dx, b.nx)] = True
        faces.append((0, m & g.boundary(2, 0)))
    if not faces or fed_q <= 0:
        return
    usable = np.array([m.any() for _s, m in faces])
    explicit = np.concatenate([t.flow_m3s[:n_t], np.where(gr.is_supply, gr.flow_m3s, np.nan)])
    area = np.concatenate([(t.open_fraction * t.size_m ** 2)[:n_t],
                           np.where(gr.is_supply, gr.size_m[:, 0] * gr.size_m[:, 1], 0.0)])
    q, _scale = terminal_flows(explicit, area, usable, fed_q)
    labels = {}
    for k, (side, m) in enumerate(faces):
        if not m.any() or q[k] <= 0:
            continue
        name = "tiles" if k < n_t else "supply_grilles"
        if name not in labels:
            labels[name] = room.add_patch(name, "inlet")
        free = m & (g.label[2][side] == 0)
        if not free.any():
            continue
        g.label[2][side][free] = labels[name]
        g.speed[2][side][free] = q[k] / (free.sum() * b.face_area(2))
        g.temp[2][side][free] = room.supply_c + KELVIN


def _return_grilles(room: CaseRoom, scene: AirScene, crah_q: float) -> None:
    """Ducted ceiling return grilles (no plenum): fixed outflows shared like the twin's."""
    b, g, gr = room.grids.block, room.grids, scene.grilles
    masks = []
    for k in range(gr.n):
        m = np.zeros(b.face_shape(2), bool)
        if not gr.is_supply[k]:
            m[b.nz, _span(gr.center_xy_m[k, 1], gr.size_m[k, 1], b.dy, b.ny),
              _span(gr.center_xy_m[k, 0], gr.size_m[k, 0], b.dx, b.nx)] = True
        masks.append(m & g.boundary(2, 0) & (g.label[2][0] == 0))
    usable = np.array([m.any() for m in masks]) & ~gr.is_supply
    share, _ = terminal_flows(np.where(~gr.is_supply, gr.flow_m3s, np.nan),
                              gr.size_m[:, 0] * gr.size_m[:, 1], usable, crah_q)
    lab = room.add_patch("return_grilles", "outlet")
    for k, m in enumerate(masks):
        if usable[k]:
            g.label[2][0][m] = lab
            g.speed[2][0][m] = -share[k] / (m.sum() * b.face_area(2))


def _check_balance(room: CaseRoom, opening: bool, who: str) -> None:
    """With every flow fixed, what enters must leave (no opening takes up a difference)."""
    if opening:
        return
    g, b = room.grids, room.grids.block
    net = sum(float(g.speed[a][s][g.boundary(a, s)].sum()) * b.face_area(a)
              for a in range(3) for s in range(2))
    gross = sum(float(np.abs(g.speed[a][s]).sum()) * b.face_area(a) for a in range(3) for s in range(2))
    if abs(net) > 1e-6 * max(gross, 1e-9):
        raise InterchangeError(who, f"the fixed flows do not balance ({net:+.4f} m³/s): "
                               "a device port was lost on the mesh; try a smaller --cell-size")
