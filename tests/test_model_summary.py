"""The nameplate summary (``twin.model.summary``, what ``twin info`` prints): every key and
number of a small hall whose equipment has round, hand-checkable catalogue numbers."""

from twin.model import (Cdu, CoolingUnit, Hall, ImmersionTank, Layout, PowerComponent,
                        RackTable, Tile, Workload)
from twin.model.summary import room_unit_capacities_kw, summarise

#: the layout's own catalogue entries (catalogue-file form); numbers chosen so that every
#: sum below has a fractional part (a lost ``round(..., 3)`` shows) and no two sides agree
EQUIPMENT = {
    "rack-a": {"kind": "rack", "nameplate_kw": 50.0, "typical_kw": 40.0,
               "liquid_fraction": 0.75, "gpus": 8, "gpu_max_w": 5000.0},
    "rack-b": {"kind": "rack", "nameplate_kw": 12.5, "typical_kw": 10.1},
    "crah-x": {"kind": "crah", "capacity_kw": 100.5},
    "door-x": {"kind": "rdhx", "capacity_kw": 35.5},
    "cdu-x": {"kind": "cdu", "capacity_kw": 250.0},
    "tank-x": {"kind": "tank", "capacity_kw": 100.0},
    "util-x": {"kind": "utility", "rating_kw": 2000.0},
    "ups-x": {"kind": "ups", "rating_kw": 500.0},
    "pdu-x": {"kind": "pdu", "rating_kw": 300.0},
}


def _hall() -> Layout:
    racks = RackTable.from_records([
        {"id": "A1", "model": "rack-a", "x_m": 1.0, "y_m": 1.0},
        {"id": "A2", "model": "rack-a", "x_m": 1.6, "y_m": 1.0},
        {"id": "B1", "model": "rack-b", "x_m": 2.2, "y_m": 1.0}])
    return Layout(
        "Summary hall", hall=Hall(width_m=12.0, length_m=8.0), racks=racks,
        equipment=EQUIPMENT,
        cooling_units=[
            CoolingUnit("C1", "crah-x", 6.0, 7.0),
            CoolingUnit("C2", "crah-x", 9.0, 7.0, capacity_kw=80.0),      # own rating
            CoolingUnit("C3", "crah-x", 3.0, 7.0, enabled=False),         # switched off
            CoolingUnit("D1", "door-x", 1.0, 1.8, rack="A1"),
            CoolingUnit("D2", "door-x", 1.6, 1.8, rack="A2", capacity_kw=20.25)],
        cdus=[Cdu("K1", "cdu-x", 4.0, 4.0), Cdu("K2", "cdu-x", 5.0, 4.0, capacity_kw=120.5)],
        tanks=[ImmersionTank("T1", "tank-x", 8.0, 3.0, it_kw=30.25, gpus=16)],
        power=[PowerComponent("U", "utility", "util-x"),
               PowerComponent("UPS-A", "ups", "ups-x", upstream="U", side="A"),
               PowerComponent("UPS-B", "ups", "ups-x", upstream="U", side="B", rating_kw=400.0),
               PowerComponent("PDU-1", "pdu", "pdu-x", upstream="UPS-A", side="A"),
               PowerComponent("PDU-2", "pdu", "pdu-x", upstream="UPS-A", side="A")],
        workloads=[Workload("W1"), Workload("W2", kind="inference")],
        tiles=[Tile("t1", 3.0, 3.0), Tile("t2", 3.6, 3.0), Tile("t3", 4.2, 3.0)])


def test_room_air_units_are_the_enabled_non_door_units_at_their_own_rating_if_set():
    # C1 at the catalogue's 100.5 kW, C2 at its own 80 kW; C3 is off, D1/D2 are rear doors
    assert room_unit_capacities_kw(_hall()) == [100.5, 80.0]


def test_the_summary_of_a_small_hall_has_every_key_and_hand_worked_number():
    # racks: 2 x rack-a (50 kW plate, 40 kW typical, 75 % to liquid, 8 GPUs) + 1 x rack-b
    # (12.5 / 10.1 kW, air only); the tank adds 30.25 kW of IT and 16 GPUs
    nameplate = 2 * 50.0 + 12.5 + 30.25              # 142.75
    typical = 2 * 40.0 + 10.1 + 30.25                # 120.35
    liquid = 2 * 40.0 * 0.75 + 30.25                 # 90.25 (racks' liquid share + tank)
    air = 2 * 40.0 + 10.1 - 2 * 40.0 * 0.75          # 30.1
    assert summarise(_hall()) == {
        "name": "Summary hall",
        "hall": {"width_m": 12.0, "length_m": 8.0, "area_m2": 96.0, "raised_floor": True},
        "racks": 3,
        "racks_by_model": {"rack-a": 2, "rack-b": 1},
        "gpus": 2 * 8 + 16,
        "it_nameplate_kw": round(nameplate, 3),
        "it_typical_kw": round(typical, 3),
        "heat_to_liquid_typical_kw": round(liquid, 3),
        "heat_to_air_typical_kw": round(air, 3),
        "cooling": {
            "room_units": 2,
            "air_capacity_kw": 180.5,                  # 100.5 + 80
            "air_capacity_n_minus_1_kw": 80.0,         # without the largest (100.5)
            "rear_doors": 2,
            "rear_door_capacity_kw": 55.75,            # 35.5 + its own 20.25
            "cdus": 2,
            "liquid_capacity_kw": 470.5,               # CDUs 250 + 120.5, tank 100
            "immersion_tanks": 1,
        },
        "power_chain": {                               # by kind and feed side, sorted
            "pdu side A": {"count": 2, "rating_kw": 600.0},
            "ups side A": {"count": 1, "rating_kw": 500.0},
            "ups side B": {"count": 1, "rating_kw": 400.0},     # its own rating
            "utility": {"count": 1, "rating_kw": 2000.0},
        },
        "workloads": 2,
        "tiles": 3,
    }


def test_an_empty_hall_sums_to_zero():
    lay = Layout("Empty", hall=Hall(width_m=5.0, length_m=4.0))
    s = summarise(lay)
    assert s["hall"]["area_m2"] == 20.0 and s["racks"] == 0 and s["gpus"] == 0
    assert s["it_nameplate_kw"] == 0 and s["power_chain"] == {}
    assert s["cooling"] == {"room_units": 0, "air_capacity_kw": 0, "air_capacity_n_minus_1_kw": 0,
                            "rear_doors": 0, "rear_door_capacity_kw": 0, "cdus": 0,
                            "liquid_capacity_kw": 0, "immersion_tanks": 0}
