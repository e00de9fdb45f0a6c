"""``twin.model.units``: the one number formatter (rules in its module docstring)."""

import math

from twin.model import units


def test_compact_power_switches_to_megawatts_with_three_figures():
    assert units.power(2330.0) == "2.33 MW"
    assert units.power(999.0) == "999 kW"
    assert units.power(12.34) == "12.3 kW"
    assert units.power(1.234) == "1.23 kW"
    assert units.power(0) == "0 kW"
    assert units.power(250_000.0) == "250.0 MW"
    assert units.power(None) == units.power(math.nan) == units.MISSING


def test_counts_take_an_si_multiplier_that_prefixes_an_optional_unit():
    assert units.count(1_270_000) == "1.27 M"
    assert units.count(935_000, "W") == "935 kW"
    assert units.count(12.0) == "12" and units.count(12.0, "W") == "12 W"
    assert units.count(None) == units.MISSING


def test_pue_celsius_and_percent_rules():
    assert units.pue(1.14349) == "1.143"
    assert units.pue(2345.6) == "2345.600"                  # no thousands separator
    assert units.temperature(22.04) == "22.0 \u00b0C"
    assert units.temperature(22.04, 2) == "22.04 \u00b0C"
    assert units.temperature(None) == units.MISSING         # no unit after a dash
    assert units.percent(68.94) == "68.9 %"


def test_catalogue_values_print_the_decimals_they_need():
    assert units.catalogue_value("airflow_m3s", 4.9) == "4.9 m\u00b3/s"
    assert units.catalogue_value("pump_efficiency", 0.75) == "0.75"
    assert units.catalogue_value("ua_kw_per_k", 12.5) == "12.5 kW/K"
    assert units.catalogue_value("nameplate_kw", 132.0) == "132 kW"
    assert units.catalogue_value("nameplate_kw", math.nan) == units.MISSING


# ------------------------------------------------------------------ US customary units
def test_conversions_match_hand_values():
    with units.using("us"):
        assert math.isclose(units.convert(units.TEMP, 20.0), 68.0)
        assert math.isclose(units.convert(units.TEMP, -40.0), -40.0)
        assert math.isclose(units.convert(units.DTEMP, 10.0), 18.0)     # no +32 on a rise
        assert math.isclose(units.convert(units.AIRFLOW, 1.0), 2118.88, rel_tol=1e-6)
        assert math.isclose(units.convert(units.LIQUID_FLOW, 1.0), 0.264172, rel_tol=1e-6)
        assert math.isclose(units.convert(units.COOLING_BTU, 1.0), 3.41214, rel_tol=1e-6)
        assert math.isclose(units.convert(units.COOLING, 3.51685), 1.0, rel_tol=1e-6)
        assert math.isclose(units.convert(units.LENGTH, 1.0), 3.28084, rel_tol=1e-6)
        assert math.isclose(units.convert(units.AREA, 1.0), 10.7639, rel_tol=1e-6)
        assert math.isclose(units.convert(units.MASS, 1.0), 2.204623, rel_tol=1e-6)
        assert math.isclose(units.convert(units.FLOOR_LOAD, 1.0), 0.204816, rel_tol=1e-6)
        assert math.isclose(units.convert(units.PRESSURE, 6.894757), 1.0, rel_tol=1e-6)
        assert units.convert(units.POWER, 132.0) == 132.0              # kW stays kW
        # and back, as an input box converts what is typed
        assert math.isclose(units.to_si(units.TEMP, 68.0), 20.0)
        assert math.isclose(units.to_si(units.LENGTH, 3.28084), 1.0, rel_tol=1e-6)
        assert units.convert(units.TEMP, None) is None
    assert units.convert(units.TEMP, 20.0) == 20.0                      # SI outside


def test_us_printing_keeps_the_si_rules_precision():
    with units.using("us"):
        assert units.temperature(20.0) == "68.0 \u00b0F"
        assert units.temp(27.0) == "80.6"
        assert units.difference(10.0) == "18.0 \u00b0F"
        assert units.quantity(units.AIRFLOW, 1.25, 2) == "2,649 CFM"
        assert units.quantity(units.LIQUID_FLOW, 12.5, 1) == "3.30 gpm"
        assert units.quantity(units.FLOOR_LOAD, 1200.0, 0) == "245.8 psf"
        assert units.quantity(units.COOLING, 1000.0, 0) == "284.3 tons"
        assert units.title("Rack inlet", units.TEMP) == "Rack inlet [\u00b0F]"
        assert units.temperature(None) == units.MISSING
    assert units.difference(10.0) == "10.0 K"
    assert units.quantity(units.AIRFLOW, 1.25, 2) == "1.25 m\u00b3/s"


def test_catalogue_values_and_field_units_follow_the_system():
    with units.using("us"):
        assert units.unit_of("supply_setpoint_c") == "\u00b0F"
        assert units.unit_of("approach_k") == "\u00b0F"
        assert units.unit_of("floor_rating_kg_m2") == "psf"
        assert units.unit_of("nameplate_kw") == "kW"
        assert units.catalogue_value("airflow_m3s", 4.9) == "10,383 CFM"
        assert units.catalogue_value("nameplate_kw", 132.0) == "132 kW"
        assert units.catalogue_value("supply_c", 20.0) == "68 \u00b0F"
    assert units.unit_of("floor_rating_kg_m2") == "kg/m\u00b2"


def test_prose_from_the_physics_is_localised_number_by_number():
    text = ("inlet 33.0 \u00b0C is above the A1 allowable 32 \u00b0C (18\u201327 \u00b0C); "
            "12.5 L/min short, 4.90 m\u00b3/s, 1,200 kg/m\u00b2 on a 0.6 m bay, 132 kW, 3 K")
    assert units.localise(text) == text                                 # SI: unchanged
    with units.using("us"):
        assert units.localise(text) == (
            "inlet 91.4 \u00b0F is above the A1 allowable 89.6 \u00b0F (64.4\u201380.6 \u00b0F); "
            "3.30 gpm short, 10,383 CFM, 245.8 psf on a 2.0 ft bay, 132 kW, 5.4 \u00b0F")


def test_the_app_system_and_a_using_block_are_separate_and_threads_do_not_mix():
    import threading
    assert units.current() is units.SI
    try:
        units.set_system("US")
        assert units.temperature(20.0) == "68.0 \u00b0F"
        with units.using("si"):                                         # a report in SI
            assert units.temperature(20.0) == "20.0 \u00b0C"
        seen = []
        with units.using("si"):
            t = threading.Thread(target=lambda: seen.append(units.temperature(20.0)))
            t.start()
            t.join()
        assert seen == ["68.0 \u00b0F"]          # another thread sees the app's choice
    finally:
        units.set_system("si")
    try:
        units.system_named("metric")
    except ValueError as exc:
        assert "unknown unit system 'metric'" in str(exc) and "si or us" in str(exc)
    else:
        raise AssertionError("an unknown system must be refused")
