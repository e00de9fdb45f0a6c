"""Ride-through on real layouts (twin/engine/whatif/ridethrough.py): nothing failed stays
at the steady state; a CDU trip heats its racks' coolant in seconds; a utility loss with a
generator delay heats the room and recovers."""

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.engine.whatif.ridethrough import ride_through
from twin.io import load_layout


@pytest.mark.parametrize("name", ["gb200-pod.json", "small-room.json"])
def test_nothing_failed_stays_at_the_steady_state(name):
    lay = load_layout(LAYOUTS / name)
    rep = ride_through(lay, [], duration_s=300)
    r = rep.run
    assert np.ptp(r.room_mean_c) < 0.01
    assert np.nanmax(np.abs(r.rack_inlet_c - r.rack_inlet_c[0])) < 0.01
    finite = np.isfinite(r.rack_coolant_c[0])
    assert np.max(np.abs(r.rack_coolant_c[:, finite] - r.rack_coolant_c[0, finite]),
                  initial=0.0) < 0.01


def test_a_cdu_trip_heats_only_its_racks_coolant():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    rep = ride_through(lay, ["CDU-A"], duration_s=120)
    on_a = np.array([c == "CDU-A" for c in lay.racks["cdu"]])
    t = rep.run.coolant_limit_s
    assert np.isfinite(t[on_a]).all() and (t[on_a] < 60).all()
    assert np.isnan(t[~on_a]).all()
    rid, first = rep.first(t)
    assert rid in set(np.asarray(lay.racks.ids)[on_a]) and first == np.nanmin(t)
    assert "CDU-A" in rep.summary()


def test_a_utility_loss_heats_the_room_until_the_generators_then_recovers():
    lay = load_layout(LAYOUTS / "small-room.json")
    rep = ride_through(lay, [], duration_s=600, utility_loss=True, generator_delay_s=30)
    r = rep.run
    k30 = int(np.flatnonzero(r.time_s == 30)[0])
    assert r.room_mean_c[k30] > r.room_mean_c[0] + 1.0
    assert r.room_mean_c.argmax() == k30
    assert r.room_mean_c[-1] == pytest.approx(r.room_mean_c[0], abs=0.2)


def test_the_result_at_an_instant_carries_that_instants_inlets_and_coolant():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    rep = ride_through(lay, ["CDU-A"], duration_s=60)
    k = int(np.flatnonzero(rep.run.time_s == 30)[0])
    res = rep.result_at(k)
    np.testing.assert_array_equal(res.air.rack_inlet_max_c, rep.run.rack_inlet_c[k])
    # the mean inlet moves with the hottest: their difference is the steady one
    base = rep.base.air
    np.testing.assert_allclose(res.air.rack_inlet_max_c - res.air.rack_inlet_mean_c,
                               base.rack_inlet_max_c - base.rack_inlet_mean_c, atol=1e-9)
    i = lay.racks.index_of("A01")
    assert res.liquid.racks.return_c[i] == rep.run.rack_coolant_c[k, i]
    assert res.liquid.racks.return_c[i] > rep.base.liquid.racks.return_c[i] + 5
    # racks off every loop (the pod's 4 air racks) have no coolant: their return stays the
    # steady one (none: NaN), a float array the views colour as they do the steady state
    off = rep.base.liquid.racks.cdu_index < 0
    assert off.sum() == 4 and res.liquid.racks.return_c.dtype == float
    assert np.isnan(res.liquid.racks.return_c[off]).all()
    assert np.isnan(rep.base.liquid.racks.return_c[off]).all()
    assert not res.air.field_current and res.alerts == []
    assert rep.base.air.field_current                     # the base is not touched
    assert rep.failed_layout.cdus["CDU-A"].failed_pumps > 0


def test_stored_water_carries_the_pod_through_a_plant_loss():
    """Losing the whole plant stops the CDU exchangers: the coolant passes its limit in
    well under a minute. With 20 m3 of facility water in storage the exchangers run on
    it: the limit comes minutes later, and the store warms by the heat it took in."""
    import dataclasses
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    bare = ride_through(lay, ["plant"], duration_s=900)
    _rid, t_bare = bare.first(bare.run.coolant_limit_s)
    assert t_bare is not None and t_bare < 60
    assert "the whole plant" in bare.summary()
    assert np.all(bare.run.facility_water_rise_k == 0.0)
    lay.plant = dataclasses.replace(lay.plant, facility_water_storage_m3=20.0)
    stored = ride_through(lay, ["plant"], duration_s=900)
    _rid, t_stored = stored.first(stored.run.coolant_limit_s)
    assert t_stored is not None and t_stored > 5 * t_bare
    assert any("stored facility water" in n for n in stored.notes)
    rise = stored.run.facility_water_rise_k
    assert np.all(np.diff(rise) >= -1e-9) and rise[-1] > 5.0          # never cooled again
    assert stored.to_json()["series"]["facility_water_rise_k"][-1] == pytest.approx(
        rise[-1], abs=1e-3)


def test_with_a_store_the_plant_back_after_a_utility_loss_cools_it_again():
    import dataclasses
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    lay.plant = dataclasses.replace(lay.plant, facility_water_storage_m3=20.0,
                                    chilled_water_storage_m3=20.0)
    rep = ride_through(lay, [], duration_s=900, utility_loss=True, generator_delay_s=30,
                       restart_s=120)
    r = rep.run
    k = int(np.flatnonzero(r.time_s == 150)[0])
    assert r.facility_water_rise_k.argmax() == pytest.approx(k, abs=1)
    assert r.facility_water_rise_k[-1] < 0.5 * r.facility_water_rise_k[k]
    assert r.chilled_water_rise_k[k] > 0.1
    assert np.isnan(r.coolant_limit_s).all()


def test_without_the_plant_each_loop_warms_at_its_racks_liquid_heat_over_its_coolant():
    """The plant lost, nothing rejects the loops' heat: at first each loop's supply warms
    at Q / C, Q the liquid heat of its racks, C the CDU's 250 L of PG25 (rho c_p), the
    rack nodes still at their steady return (checked over the first 0.1 s)."""
    from twin.model.equipment import PLANT_ID
    from twin.physics import ridethrough as rt
    from twin.physics.fluids import PG25
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    assert {c.coolant for c in lay.cdus.values()} == {"PG25"}
    rep = ride_through(lay, [PLANT_ID], duration_s=1.0, step_s=0.1)
    b = rep.base
    loop = b.liquid.racks.cdu_index
    q_w = np.bincount(loop[loop >= 0], b.rack_liquid_heat_kw[loop >= 0] * 1e3, len(lay.cdus))
    c_j_per_k = rt.CDU_COOLANT_L / 1e3 * PG25.density_kgm3 * PG25.cp_jkgk
    slope = (rep.run.loop_supply_c[1] - rep.run.loop_supply_c[0]) / 0.1
    np.testing.assert_allclose(slope, q_w / c_j_per_k, rtol=0.02)


def test_a_rear_door_at_its_capacity_keeps_the_room_steady_when_nothing_fails():
    """A01 in the small room at 80 kW behind a 55 kW rear door: the door removes its 55 kW
    and passes the rest to the room. The coils' heat at the reference state is capped at
    each coil's capacity, so with nothing failed the room stays where it is."""
    from twin.model.equipment import CoolingUnit
    lay = load_layout(LAYOUTS / "small-room.json")
    i = lay.racks.index_of("A01")
    lay.add_item("cooling_units", CoolingUnit("D1", "rdhx-55", float(lay.racks["x_m"][i]),
                                              float(lay.racks["y_m"][i]), rack="A01"))
    lay.set_rack_values(["A01"], "power_kw", [80.0])
    rep = ride_through(lay, [], duration_s=300)
    assert rep.base.rack_air_heat_kw[i] == pytest.approx(80.0)
    assert np.ptp(rep.run.room_mean_c) < 0.01
    assert np.nanmax(np.abs(rep.run.rack_inlet_c - rep.run.rack_inlet_c[0])) < 0.01


def test_a_liquid_only_floor_rides_through_on_its_loops_alone():
    """The pod's GPU racks with all their heat to liquid, no network racks and no room
    unit running: the floor has no air result. With nothing failed its coolant stays at
    the steady return and the room, which carries no heat, stays where it starts."""
    import dataclasses

    from twin.engine.simulate import simulate
    from twin.model.fabric import Fabric
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    lay.fabric = Fabric()
    lay.remove_racks([r for r, m in zip(lay.racks.ids, lay.racks["model"]) if m != "gb200-nvl72"])
    lay.set_rack_values(list(lay.racks.ids), "liquid_share", [1.0] * len(lay.racks))
    for uid, u in list(lay.cooling_units.items()):
        lay.items["cooling_units"][uid] = dataclasses.replace(u, enabled=False)
    assert simulate(lay).air is None
    rep = ride_through(lay, [], duration_s=60)
    r = rep.run
    assert np.ptp(r.room_mean_c) == 0.0 and r.rack_inlet_c.shape == (len(r.time_s), 16)
    np.testing.assert_allclose(r.rack_coolant_c, np.broadcast_to(r.rack_coolant_c[0],
                                                                 r.rack_coolant_c.shape),
                               atol=0.01)
    assert np.isnan(r.inlet_limit_s).all() and np.isnan(r.coolant_limit_s).all()


def test_a_cdu_trip_stops_its_racks_flow_even_when_the_failed_floor_has_no_steady_state(
        monkeypatch):
    """The failed floor's air may have no steady state (here: forced); its liquid loops do
    not depend on the air, so CDU-A's racks still lose their flow and pass the coolant
    limit within a minute, while CDU-B's racks keep theirs (not the base's flows pumping
    on through a tripped CDU)."""
    from twin.engine.whatif import ridethrough as rt_mod
    from twin.physics.air import SolveError
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    base = rt_mod.Simulator().run(lay)

    class NoSteadyState(rt_mod.Simulator):
        def run(self, *a, **k):
            raise SolveError("no cooling unit can hold this room")

    monkeypatch.setattr(rt_mod, "Simulator", NoSteadyState)
    rep = ride_through(lay, ["CDU-A"], duration_s=120, base=base)
    assert not rep.steady_after and any("no steady state" in n for n in rep.notes)
    on_a = np.array([c == "CDU-A" for c in lay.racks["cdu"]])
    t = rep.run.coolant_limit_s
    assert np.isfinite(t[on_a]).all() and (t[on_a] < 60).all()
    assert np.isnan(t[~on_a]).all()
