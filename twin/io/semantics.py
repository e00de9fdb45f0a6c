"""Checks that need the whole layout: ids, references, catalogue kinds, geometry.

Returns problems with JSON paths; overlaps are warnings (a layout being edited may overlap
for a moment), everything else is an error.
"""

from __future__ import annotations

from twin.io.errors import Problem
from twin.model import Layout, geometry
from twin.model.catalogue import COOLING_KINDS, Catalogue

FEED_KINDS = ("pdu", "busway", "ups")
#: Overlapping rack pairs listed one by one; beyond them one warning counts the racks.
MAX_OVERLAP_WARNINGS = 200


def _model_problem(cat: Catalogue, path: str, key: str, kinds: tuple[str, ...]) -> Problem | None:
    if key not in cat:
        near = [k for k in cat.closest(key) if cat[k].kind in kinds] or cat.closest(key)
        hint = f"; closest: {', '.join(near)}" if near else ""
        return Problem(f"{path}.model", f"unknown catalogue model {key!r}{hint}")
    if cat[key].kind not in kinds:
        valid = [e.key for e in cat.of_kind(*kinds)]
        return Problem(f"{path}.model", f"found {key!r} (a {cat[key].kind}), expected a "
                       f"{'/'.join(kinds)} model such as {', '.join(valid[:4])}")
    return None


def check(layout: Layout, paths: dict[str, list[str]]) -> list[Problem]:
    """All semantic problems; ``paths[block][i]`` is the JSON path of item i of a block.
    Ids are already known to be unique (``duplicate_ids``)."""
    out: list[Problem] = []
    cat = layout.catalogue
    block_of = {"workloads": "workloads", "tiles": "tiles", "containment": "containment",
                "cooling_units": "cooling_units", "cdus": "cdus", "tanks": "immersion_tanks",
                "power": "power", "grilles": "grilles"}
    item_paths = {coll: dict(zip(layout.items[coll], paths[block]))
                  for coll, block in block_of.items()}
    out.extend(_refs(layout, paths, item_paths, cat))
    out.extend(_geometry(layout, paths))
    out.extend(_air_paths(layout, item_paths))
    out.extend(_pumps(layout, item_paths["cdus"], cat))
    out.extend(_air_grid(layout))
    out.extend(_scenarios(layout, paths.get("scenarios", [])))
    out.extend(_fabric(layout, paths.get("cable_trays", [])))
    return out


def _fabric(layout: Layout, tray_paths: list[str]) -> list[Problem]:
    """The fabric names a switch model of the catalogue at its port speed, and every cable
    tray lies in the hall (docs/physics.md §23)."""
    out: list[Problem] = []
    fab, cat, hall = layout.fabric, layout.catalogue, layout.hall
    if fab.enabled:
        if not fab.switch:
            out.append(Problem("fabric.switch", "a fabric with tiers needs a switch model "
                               "(kind 'switch'), e.g. " + ", ".join(
                                   e.key for e in cat.of_kind("switch"))))
        else:
            bad = _model_problem(cat, "fabric", fab.switch, ("switch",))
            if bad is not None:
                out.append(Problem("fabric.switch", bad.message))
            elif cat[fab.switch]["port_gbps"] != fab.port_gbps:
                out.append(Problem("fabric.port_gbps", f"found {fab.port_gbps:g}, but the "
                                   f"switch {fab.switch!r} has "
                                   f"{cat[fab.switch]['port_gbps']:g} Gb/s ports"))
    for tray, path in zip(layout.cable_trays.values(), tray_paths):
        xs, ys = (tray.x0_m, tray.x1_m), (tray.y0_m, tray.y1_m)
        if min(xs) < 0 or max(xs) > hall.width_m or min(ys) < 0 or max(ys) > hall.length_m:
            out.append(Problem(f"{path}.segment_m", f"tray leaves the hall (0..{hall.width_m:g}"
                               f" x 0..{hall.length_m:g} m)"))
        elif xs[0] == xs[1] and ys[0] == ys[1]:
            out.append(Problem(f"{path}.segment_m", "tray has no length (both ends at the "
                               "same point)"))
    return out


def _scenarios(layout: Layout, paths: list[str]) -> list[Problem]:
    """Every id a scenario names exists (docs/physics.md §21)."""
    from twin.model.equipment import CHILLER_ID, PLANT_ID, PUMP_SUFFIX
    out: list[Problem] = []
    items = layout.items
    failable = (set(items["cooling_units"]) | set(items["cdus"]) | set(items["power"])
                | {f"{c}{PUMP_SUFFIX}" for c in items["cdus"]} | {CHILLER_ID, PLANT_ID})
    racks = set(layout.racks.ids.tolist())
    for sc, path in zip(items["scenarios"].values(), paths):
        for w in sc.utilisation:
            if w not in items["workloads"]:
                out.append(Problem(f"{path}.utilisation.{w}", f"no workload {w!r}"))
        for f in sc.failed:
            if f not in failable:
                out.append(Problem(f"{path}.failed", f"{f!r} is not a cooling unit, CDU, "
                                   f"CDU pump ('ID{PUMP_SUFFIX}'), power component, "
                                   f"'{CHILLER_ID}' or '{PLANT_ID}'"))
        for u in sc.setpoints_c:
            if u not in items["cooling_units"]:
                out.append(Problem(f"{path}.setpoints_c.{u}", f"no cooling unit {u!r}"))
        for r, m in sc.rack_models.items():
            if r not in racks:
                out.append(Problem(f"{path}.rack_models.{r}", f"no rack {r!r}"))
            elif m not in layout.catalogue or layout.catalogue[m].kind != "rack":
                out.append(Problem(f"{path}.rack_models.{r}", f"unknown rack model {m!r}"))
    return out


def _pumps(layout: Layout, paths: dict[str, str], cat: Catalogue) -> list[Problem]:
    """No more failed pumps than the CDU model has (issue 15)."""
    out = []
    for item in layout.items["cdus"].values():
        if item.model not in cat or cat[item.model].kind != "cdu":
            continue
        installed = int(cat[item.model].get("pump_count") or 0)
        if item.failed_pumps > installed:
            out.append(Problem(f"{paths[item.id]}.failed_pumps",
                               f"found {item.failed_pumps}, expected at most {installed}: "
                               f"model {item.model!r} has {installed} pumps"))
    return out


def _air_grid(layout: Layout) -> list[Problem]:
    """The hall must fit the air solver's cell budget (``grid.MAX_AIR_CELLS``, issue 15)."""
    from twin.physics.air.grid import make_grid
    from twin.physics.air.scene import Hall, SolverSettings

    h = layout.hall
    try:
        make_grid(Hall(h.width_m, h.length_m, h.ceiling_height_m), SolverSettings())
    except ValueError as exc:   # GridTooLarge: one line naming the cells and the memory
        return [Problem("hall", str(exc))]
    return []


def _air_paths(layout: Layout, item_paths) -> list[Problem]:
    """Units outside the hall, supply temperatures, grilles (docs/physics.md §2.3, §2.4)."""
    out: list[Problem] = []
    cat, hall = layout.catalogue, layout.hall
    grilles = list(layout.items["grilles"].values())
    returns = [g for g in grilles if g.kind == "return"]
    supplies = [g for g in grilles if g.kind == "supply"]
    tiles = list(layout.tiles.values()) if hall.raised_floor else []
    has_return = hall.ceiling_return or bool(returns)
    has_supply = bool(tiles or supplies)
    feeding = False      # an enabled unit pushes air into the plenum / supply duct
    for u in layout.items["cooling_units"].values():
        path = item_paths["cooling_units"][u.id]
        kind = cat[u.model].kind if u.model in cat else ""
        if u.location == "hall":
            feeding |= u.enabled and kind == "crah" and hall.raised_floor
            continue
        feeding |= u.enabled and kind == "crah"
        if kind and kind != "crah":
            out.append(Problem(f"{path}.location", f"only air handlers (CRAH, fan wall) can "
                               f"stand outside the hall; {u.model!r} is a {kind}"))
            continue
        if not has_supply:
            out.append(Problem(f"{path}.location", "a unit outside the hall supplies through "
                               "perforated tiles (raised floor) or supply grilles: the layout "
                               "has none"))
        if not has_return:
            out.append(Problem(f"{path}.location", "a unit outside the hall takes its return "
                               "through the ceiling plenum (hall.ceiling_return) or return "
                               "grilles: the layout has neither"))
    terminals = [("tiles", t) for t in tiles] + [("grilles", g) for g in supplies]
    temps = {}
    for coll, t in terminals:
        if t.supply_c is None:
            continue
        path = item_paths[coll][t.id]
        temps[path] = t.supply_c
        if t.flow_m3s is None:
            out.append(Problem(f"{path}.flow_m3s", "a supply temperature needs the flow it "
                               "delivers (flow_m3s)"))
        elif feeding:
            out.append(Problem(f"{path}.supply_c", "ignored: cooling units feed the supply "
                               "(their set-points apply)", "warning"))
    if len(set(temps.values())) > 1:
        first, *rest = temps
        out.append(Problem(f"{rest[0]}.supply_c", f"found {temps[rest[0]]:g} C, but "
                           f"{first} supplies at {temps[first]:g} C: the plenum and supply "
                           "duct are one mixed volume, expected one supply temperature"))
    if temps and not feeding and not has_return:
        out.append(Problem(f"{next(iter(temps))}.supply_c", "air supplied at a given "
                           "temperature needs a way back: set hall.ceiling_return or add "
                           "return grilles"))
    for g in grilles:
        path = item_paths["grilles"][g.id]
        if g.kind == "return" and g.supply_c is not None:
            out.append(Problem(f"{path}.supply_c", "only supply grilles have a supply "
                               "temperature"))
        x0, x1 = g.x_m - g.width_m / 2, g.x_m + g.width_m / 2
        y0, y1 = g.y_m - g.length_m / 2, g.y_m + g.length_m / 2
        centre = g.elevation_m if g.elevation_m is not None else 0.0
        if (x0 < -1e-6 or y0 < -1e-6 or x1 > hall.width_m + 1e-6 or y1 > hall.length_m + 1e-6
                or centre > hall.ceiling_height_m + 1e-6):
            out.append(Problem(f"{path}.position_m", f"grille leaves the hall (0..{hall.width_m:g}"
                               f" x 0..{hall.length_m:g} m, {hall.ceiling_height_m:g} m high)"))
    return out


def _refs(layout, paths, item_paths, cat) -> list[Problem]:
    out: list[Problem] = []
    racks = layout.racks
    wl, power, cdus = layout.items["workloads"], layout.items["power"], layout.items["cdus"]
    model_ok = {}
    for i in range(len(racks)):
        path = paths["racks"][i]
        m = racks["model"][i]
        if m not in model_ok:
            model_ok[m] = _model_problem(cat, "", m, ("rack",))
        problem = model_ok[m]
        if problem is not None:
            out.append(Problem(f"{path}.model", problem.message))
        for field, pool, what in (("workload", wl, "workload"), ("cdu", cdus, "CDU")):
            ref = racks[field][i]
            if ref and ref not in pool:
                out.append(Problem(f"{path}.{field}", f"unknown {what} {ref!r}"))
        for field in ("feed_a", "feed_b"):
            ref = racks[field][i]
            if ref and (ref not in power or power[ref].kind not in FEED_KINDS):
                out.append(Problem(f"{path}.{field}", f"found {ref!r}, expected the id of a "
                                   "PDU, busway or UPS in 'power'"))
        if (m in cat and cat[m].get("liquid_fraction") > 0 and not racks["cdu"][i]):
            out.append(Problem(f"{path}.cdu", f"liquid-cooled model {m!r} needs a CDU "
                               "('cdu' is empty)", "warning"))
    checks = (("cooling_units", COOLING_KINDS), ("cdus", ("cdu",)), ("tanks", ("tank",)))
    for coll, kinds in checks:
        for item in layout.items[coll].values():
            prob = _model_problem(cat, item_paths[coll][item.id], item.model, kinds)
            if prob:
                out.append(prob)
    for item in layout.items["cooling_units"].values():
        path = item_paths["cooling_units"][item.id]
        is_door = item.model in cat and cat[item.model].kind == "rdhx"
        if is_door and not racks.has(item.rack):
            out.append(Problem(f"{path}.rack", f"rear-door heat exchanger needs the id of its "
                               f"rack, found {item.rack!r}"))
        elif not is_door and item.rack:
            out.append(Problem(f"{path}.rack", "only rear-door heat exchangers name a rack"))
    for item in layout.items["tanks"].values():
        path = item_paths["tanks"][item.id]
        if item.workload and item.workload not in wl:
            out.append(Problem(f"{path}.workload", f"unknown workload {item.workload!r}"))
        for field in ("feed_a", "feed_b"):
            ref = getattr(item, field)
            if ref and (ref not in power or power[ref].kind not in FEED_KINDS):
                out.append(Problem(f"{path}.{field}", f"found {ref!r}, expected the id of a "
                                   "PDU, busway or UPS in 'power'"))
    for item in power.values():
        path = item_paths["power"][item.id]
        prob = _model_problem(cat, path, item.model, (item.kind,))
        if prob:
            out.append(prob)
        if item.upstream and item.upstream not in power:
            out.append(Problem(f"{path}.upstream", f"unknown power component {item.upstream!r}"))
        elif not item.upstream and item.kind != "utility":
            out.append(Problem(f"{path}.upstream", f"a {item.kind} needs an upstream component"))
    out.extend(_cycles(power, item_paths["power"]))
    return out


def _cycles(power, paths) -> list[Problem]:
    out = []
    for start in power:
        node, seen = start, set()
        while node and node in power:
            if node in seen:
                out.append(Problem(f"{paths[start]}.upstream",
                                   f"power chain loops back to {node!r}"))
                break
            seen.add(node)
            node = power[node].upstream
    return out


def _geometry(layout: Layout, paths) -> list[Problem]:
    out: list[Problem] = []
    hall = layout.hall
    valid = [i for i, m in enumerate(layout.racks["model"]) if m in layout.catalogue]
    if not valid:
        return out
    racks = layout.racks
    bounds = layout.rack_bounds_m()
    outside = geometry.outside_hall(bounds, hall.width_m, hall.length_m)
    for i in valid:
        if outside[i]:
            x0, y0, x1, y1 = bounds[i]
            out.append(Problem(f"{paths['racks'][i]}.position_m",
                               f"rack footprint [{x0:g}, {y0:g}]..[{x1:g}, {y1:g}] m leaves "
                               f"the hall (0..{hall.width_m:g} x 0..{hall.length_m:g} m)"))
    scan = geometry.overlap_scan(bounds[valid], limit=MAX_OVERLAP_WARNINGS)
    for a, b in scan.pairs:
        ia, ib = valid[a], valid[b]
        out.append(Problem(f"{paths['racks'][ib]}.position_m",
                           f"rack {racks.ids[ib]!r} overlaps rack {racks.ids[ia]!r}", "warning"))
    if not scan.complete:
        out.append(Problem("racks", f"{int(scan.overlapping.sum()):,} racks overlap another "
                           f"rack; only the first {len(scan.pairs)} overlaps are listed",
                           "warning"))
    for coll, block in (("cooling_units", "cooling_units"), ("cdus", "cdus"),
                        ("tanks", "immersion_tanks")):
        placed = [it for it in layout.items[coll].values() if it.model in layout.catalogue
                  and layout.catalogue[it.model].kind != "rdhx"
                  and getattr(it, "location", "hall") == "hall"]
        bounds_of = layout.item_bounds_m(coll, placed)
        index_of = {item_id: i for i, item_id in enumerate(layout.items[coll])}
        for item in placed:
            i = index_of[item.id]
            x0, y0, x1, y1 = bounds_of[item.id]
            if x0 < -1e-6 or y0 < -1e-6 or x1 > hall.width_m + 1e-6 or y1 > hall.length_m + 1e-6:
                out.append(Problem(f"{paths[block][i]}.position_m",
                                   f"footprint leaves the hall (0..{hall.width_m:g} x "
                                   f"0..{hall.length_m:g} m)"))
    for i, c in enumerate(layout.items["containment"].values()):
        if c.x1_m <= c.x0_m or c.y1_m <= c.y0_m:
            out.append(Problem(f"{paths['containment'][i]}.rect_m",
                               "expected x0 < x1 and y0 < y1"))
    return out


def duplicate_ids(lists: dict[str, list[tuple[str, dict]]]) -> list[Problem]:
    """Ids used twice anywhere in the file (ids are unique across all blocks)."""
    seen: dict[str, str] = {}
    out = []
    for items in lists.values():
        for path, kw in items:
            if kw["id"] in seen:
                out.append(Problem(f"{path}.id", f"duplicate id {kw['id']!r}, already used "
                                   f"at {seen[kw['id']]}"))
            else:
                seen[kw["id"]] = path
    return out
