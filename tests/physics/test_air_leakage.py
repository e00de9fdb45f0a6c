"""Zonal panel leakage (docs/physics.md §2.5): leaking faces carry the region network's
flows — the imbalance of the regions the panels separate, uniform per unit leak area."""

import numpy as np
import pytest

from twin.physics.air import AirSolver
from twin.physics.air.devices import build_devices
from twin.physics.air.flow import _region_solve, build_flow_system, leak_flows
from twin.physics.air.grid import build_geometry, make_grid
from twin.physics.air.synthetic import chimney_room, room


def _leaks(sc):
    geom = build_geometry(sc, make_grid(sc.hall, sc.settings))
    fs = build_flow_system(geom)
    dev = build_devices(sc, geom)
    source = np.asarray(dev.discharge.sum(axis=1)).ravel() - np.asarray(dev.intake.sum(axis=0)).ravel()
    rhs, F = leak_flows(fs, source)
    lk = fs.leaks
    # orient every face from the room (the region holding the first CRAH discharge) inward
    room = lk.region[np.argmax(source)]
    inward = np.where(lk.region[lk.p] == room, F, -F)
    return fs, rhs, inward


def test_series_regions_pass_the_upstream_imbalance_on():
    """A — B — C (C vented), nets +1 and +2 m³/s: A→B carries 1, B→C carries 3;
    a second A–B face written the other way round takes its share with the sign flipped."""
    p = np.array([0, 1, 1]); q = np.array([1, 2, 0])
    a = np.array([0.2, 0.5, 0.6])
    ret = np.array([0.0, 0.0, 1.0])
    region = np.arange(3)                  # every cell its own sealed region
    solve = _region_solve(region, p, q, a, ret)
    net = np.bincount(region, np.array([1.0, 2.0, -3.0]), region.max() + 1)
    F = solve(net)
    assert F == pytest.approx([0.25, 3.0, -0.75])


def test_an_unvented_pair_is_tied_and_exchanges_its_imbalance():
    region = np.arange(2)
    solve = _region_solve(region, np.array([0]), np.array([1]), np.array([0.05]), np.zeros(2))
    assert solve(np.bincount(region, np.array([-0.4, 0.4]))) == pytest.approx([-0.4])


def test_two_unvented_pairs_are_tied_one_region_each():
    """Regions 0–1 and 2–3 exchange through their own panels only; each pair needs its
    own tie (one tie for both would leave the network singular)."""
    p, q = np.array([0, 2]), np.array([1, 3])
    region = np.arange(4)
    solve = _region_solve(region, p, q, np.array([0.1, 0.3]), np.zeros(4))
    F = solve(np.bincount(region, np.array([0.2, -0.2, -0.5, 0.5])))
    assert F == pytest.approx([0.2, -0.5])


def test_a_balanced_chimney_leaks_nothing_and_the_room_breathes_supply_air():
    """Ceiling-return chimney, units = rack airflow: no pressure difference across the
    panels, so no exhaust leaks out at the end doors and every rack takes 22 °C."""
    sc = chimney_room(supply_ratio=1.0)
    _, _, inward = _leaks(sc)
    assert np.abs(inward).max() < 1e-9
    r = AirSolver().solve(sc)
    assert r.rack_inlet_mean_c.max() == pytest.approx(22.0, abs=1e-3)
    assert np.nanmax(r.rack_inlet_max_c) == pytest.approx(22.0, abs=1e-3)


@pytest.mark.parametrize("ratio", [1.2, 0.8])
def test_leak_is_the_room_imbalance_spread_evenly_over_the_panels(ratio):
    sc = chimney_room(supply_ratio=ratio)
    fs, rhs, inward = _leaks(sc)
    surplus = (ratio - 1.0) * sc.racks.airflow_m3s.sum()
    assert inward.sum() == pytest.approx(surplus, rel=1e-9)
    per_area = inward / fs.leaks.a
    assert per_area == pytest.approx(np.full(len(per_area), per_area[0]), rel=1e-9)
    # each sealed region without a return balances once the leaks are its sources
    net = np.bincount(fs.leaks.region, rhs)
    vented = np.unique(fs.leaks.region[fs.return_g > 0])
    net[vented] = 0.0
    assert np.abs(net).max() < 1e-9


def test_leak_flows_land_on_the_panel_faces_and_conserve_mass_in_every_cell():
    sc = chimney_room(supply_ratio=0.8)
    solver = AirSolver()
    r = solver.solve(sc)
    geom = build_geometry(sc, r.grid)
    fx, fy, fz = r.fluxes.x, r.fluxes.y, r.fluxes.z
    leaky = ((geom.open_x > 0) & (geom.open_x < 1))
    assert np.abs(fx[leaky]).sum() > 0.0
    out = (fx[:, :, 1:] - fx[:, :, :-1]) + (fy[:, 1:, :] - fy[:, :-1, :]) + (fz[1:] - fz[:-1])
    dev = build_devices(sc, geom)
    source = (np.asarray(dev.discharge.sum(axis=1)).ravel()
              - np.asarray(dev.intake.sum(axis=0)).ravel()).reshape(out.shape)
    plenum = np.zeros(out.shape, bool); plenum[-1][geom.return_mask] = True
    air = ~geom.solid & ~plenum
    # the starved room draws hot air out of the chimney: the racks breathe some of it
    assert np.abs(out - source)[air].max() < 1e-4 * sc.racks.airflow_m3s.sum()
    assert r.rack_inlet_mean_c.max() > 22.5


def test_a_starved_roofed_cold_aisle_draws_its_deficit_through_its_roof_only():
    """Cold aisle with roof and end doors, tiles at 85 % of the racks: the doors are sealed
    (a roofed aisle's door leak spreads under its roof, docs/physics.md §2.5), so the
    whole deficit comes down through the roof, at one velocity per leak area, and every
    cell still balances its mass."""
    sc = room(20, supply_ratio=0.85, containment="cold_aisle")
    r = AirSolver().solve(sc)
    geom = build_geometry(sc, r.grid)
    fs = build_flow_system(geom)
    roof = (geom.open_z > 0) & (geom.open_z < 1)
    assert roof.any()
    assert not ((geom.open_x > 0) & (geom.open_x < 1)).any()     # the doors do not leak
    down = -r.fluxes.z[roof]
    assert np.all(down > 0)
    assert down / geom.open_z[roof] == pytest.approx(np.full(down.size, down[0] / geom.open_z[roof][0]))
    dev = build_devices(sc, geom)
    source = (np.asarray(dev.discharge.sum(axis=1)).ravel()
              - np.asarray(dev.intake.sum(axis=0)).ravel()).reshape(geom.solid.shape)
    fx, fy, fz = r.fluxes.x, r.fluxes.y, r.fluxes.z
    out = (fx[:, :, 1:] - fx[:, :, :-1]) + (fy[:, 1:, :] - fy[:, :-1, :]) + (fz[1:] - fz[:-1])
    assert np.abs(out - source)[~geom.solid].max() < 1e-4 * sc.racks.airflow_m3s.sum()
    x0, y0, x1, y1 = sc.containment.rect_m[0]
    g = r.grid
    centre = np.ravel_multi_index((0, int((y0 + y1) / 2 / g.dx), int((x0 + x1) / 2 / g.dx)), g.shape)
    inside = (fs.leaks.region == fs.leaks.region[centre]).reshape(geom.solid.shape)
    deficit = -source[inside].sum()
    # 15 % of ten 10 kW racks at a 12 K rise (0.69 m³/s each), less what the long sides pass
    assert deficit > 0.1
    leaky_y = (geom.open_y > 0) & (geom.open_y < 1)
    side = np.abs(fy[leaky_y]).sum()
    assert down.sum() + side == pytest.approx(deficit, rel=1e-6)
    assert down.sum() > 0.5 * deficit


def test_a_starved_roofed_cold_aisle_spreads_its_deficit_along_the_row():
    """The warm infiltration of a roofed cold aisle comes in over its whole length: the
    end racks of a uniform row see no more of it than the middle ones (the CFD library's
    contained aisle, whose door gaps sit under the roof, is warmest mid-row; with the
    doors leaking at every height the twin made its end racks 1.5 K warmer than the
    middle)."""
    r = AirSolver().solve(room(20, supply_ratio=0.85, containment="cold_aisle"))
    t = r.rack_inlet_mean_c.reshape(2, -1)
    assert t.mean() > 18.5                      # the deficit does warm the aisle
    assert np.all(t[:, [0, -1]].max(axis=1) <= t[:, 1:-1].max(axis=1) + 0.3)
