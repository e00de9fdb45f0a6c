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


# -------------------------------------------- every printing rule at its boundaries
def test_power_switches_units_exactly_at_its_thresholds():
    assert units.power(100_000.0) == "100.0 MW"             # >= 100 MW: one decimal
    assert units.power(99_990.0) == "99.99 MW"              # below: two
    assert units.power(1000.0) == "1.00 MW"
    assert units.power(999.4) == "999 kW"
    assert units.power(100.0) == "100 kW"
    assert units.power(99.94) == "99.9 kW"
    assert units.power(10.0) == "10.0 kW"
    assert units.power(9.994) == "9.99 kW"
    assert units.power(-2330.0) == "-2.33 MW"               # the magnitude decides


def test_share_index_percent_and_value_rules():
    assert units.share(0.8271) == "82.7" and units.share(0.8271, 2) == "82.71"
    assert units.share(None) == units.MISSING and units.share(math.inf) == units.MISSING
    assert units.index(0.04491) == "0.045" and units.index(-0.0001) == "0.000"
    assert units.index(1234.5) == "1234.500"                # no thousands separator
    assert units.percent(1234.56) == "1,234.6 %" and units.percent(5.254, 2) == "5.25 %"
    assert units.percent(None) == units.MISSING
    assert units.value(units.LENGTH, 1234.56) == "1,234.6"
    assert units.value(units.LENGTH, 1234.56, 0, sep=False) == "1235"
    with units.using("us"):                                 # 1,000 m = 3,280.84 ft
        assert units.value(units.LENGTH, 1000.0) == "3,280.8"
        assert units.value(units.AIRFLOW, 1.0, 2) == "2,119"   # CFM: 3 decimals fewer


def test_signed_differences_carry_a_plus_only_when_they_print_non_zero():
    assert units.difference(2.0, signed=True) == "+2.0 K"
    assert units.difference(-2.0, signed=True) == "-2.0 K"
    assert units.difference(0.04, signed=True) == "0.0 K"    # rounds to zero: no sign
    assert units.difference(-0.04, signed=True) == "0.0 K"
    assert units.difference(0.06, signed=True) == "+0.1 K"
    assert units.difference(2.0) == "2.0 K"                  # unsigned by default
    with units.using("us"):
        assert units.difference(2.0, signed=True) == "+3.6 \u00b0F"


def test_capacity_adds_tons_only_in_us_units():
    assert units.capacity(2042.0) == "2,042 kW"
    with units.using("us"):              # 2,042 kW x 3,600 / (12 x 1,055.056) = 580.6 tons
        assert units.capacity(2042.0) == "2,042 kW (581 tons)"
        assert units.capacity(None) == units.MISSING


def test_field_values_convert_by_their_name_and_differences_without_offset():
    with units.using("us"):
        assert math.isclose(units.of_field("worst_inlet_c", 20.0), 68.0)
        assert math.isclose(units.of_field("worst_inlet_c", 20.0, difference=True), 36.0)
        assert math.isclose(units.of_field("rise_k", 10.0, difference=True), 18.0)
        assert math.isclose(units.of_field("airflow_m3s", 1.0), 2118.88, rel_tol=1e-6)
        assert units.of_field("power_kw", 5.0) == 5.0        # kW in both systems
        assert units.of_field("name", "A01") == "A01"        # no unit suffix
    assert units.of_field("worst_inlet_c", 20.0) == 20.0


def test_several_values_share_one_unit_and_signed_lists_sign_each():
    assert units.quantities(units.LENGTH, [12.346, 4.2]) == "12.35, 4.20 m"
    with units.using("us"):          # 19.2 m = 62.99 ft, 15 m = 49.21 ft; -1.2 m = -3.94 ft
        assert units.quantities(units.LENGTH, [19.2, 15.0], joiner=" \u00d7 ") == \
            "62.99 \u00d7 49.21 ft"
        assert units.quantities(units.LENGTH, [0.0, -1.2], signed=True) == "+0.00, -3.94 ft"


def test_colour_bar_ticks_fall_on_round_values_of_the_display_unit():
    assert units.scale_ticks("\u00b0C", 15.0, 35.0) is None      # SI: the bar's own ticks
    with units.using("us"):
        # 15-35 °C is 59-95 °F: (95 - 59) / 4 = 9 -> step 10 -> 60, 70, 80, 90 °F
        ticks = units.scale_ticks("\u00b0C", 15.0, 35.0)
        assert [t for _, t in ticks] == ["60", "70", "80", "90"]
        assert [round(p, 3) for p, _ in ticks] == [15.556, 21.111, 26.667, 32.222]
        # 0.5-2.5 m³/s is 1,059-5,297 CFM: raw step 1,059.4 -> 2,000 -> 2,000 and 4,000
        assert [t for _, t in units.scale_ticks("m\u00b3/s", 0.5, 2.5)] == ["2,000", "4,000"]
        # a narrow bar: 20.0-20.5 °C is 68.0-68.9 °F, raw step 0.225 -> 0.25, which
        # needs two decimals (one would print 68.25 as "68.2")
        assert [t for _, t in units.scale_ticks("\u00b0C", 20.0, 20.5)] == \
            ["68.00", "68.25", "68.50", "68.75"]
        # 20-22 °C is 68-71.6 °F: raw 0.9 -> step 1, whole degrees
        assert [t for _, t in units.scale_ticks("\u00b0C", 20.0, 22.0)] == \
            ["68", "69", "70", "71"]
        assert units.scale_ticks("kW", 0.0, 100.0) is None         # kW in both systems
        assert units.scale_ticks("\u00b0C", 30.0, 30.0) is None    # an empty bar
        assert math.isclose(units.scale_value("\u00b0C", 20.0), 68.0)
        assert units.scale_value("kW", 5.0) == 5.0
    assert units.scale_value("\u00b0C", 20.0) == 20.0


def test_catalogue_values_take_significant_figures_by_magnitude():
    assert units.catalogue_value("x", 100.0) == "100"            # whole: no decimals cut
    assert units.catalogue_value("x", 12.3456) == "12.35"        # 4 significant
    assert units.catalogue_value("x", 1234.5678) == "1,235"
    assert units.catalogue_value("x", 0.001) == "0.001"
    assert units.catalogue_value("x", 0.0001234) == "0.000123"   # below 1e-3: 3 significant
    assert units.catalogue_value("x", 12_345_678.0) == "1.23e+07"  # from 1e7: 3 significant
    assert units.catalogue_value("x", 9_999_999.0) == "9,999,999"
    assert units.catalogue_value("x", -2.5) == "-2.5"


def test_a_kind_without_a_unit_is_refused_by_name():
    try:
        units.SI.unit("colour")
    except ValueError as exc:
        assert str(exc) == "no unit for the quantity kind 'colour'"
    else:
        raise AssertionError("an unknown kind must be refused")


# ------------------------------------------------ mutation survivors: exact boundaries
def test_catalogue_value_from_ten_million_switches_to_three_significant_figures():
    """1e7 is the first value of the 3-significant branch (``abs(v) >= 1e7``), so a
    whole 1e7 prints '1e+07', not '10,000,000'; kW is kW in both systems."""
    assert units.catalogue_value("x", 10_000_000.0) == "1e+07"
    assert units.catalogue_value("nameplate_kw", 10_000_000.0) == "1e+07 kW"


def test_catalogue_values_below_one_keep_four_significant_figures():
    """0.1875 (3/16, exact in binary) has four significant figures: the docstring's
    'up to 4 significant' keeps all of them (places = 3 - floor(log10 0.1875) = 4);
    only below 1e-3 does the 3-significant form apply."""
    assert units.catalogue_value("x", 0.1875) == "0.1875"
    assert units.catalogue_value("x", -0.1875) == "-0.1875"


def test_count_multipliers_start_exactly_at_their_factor():
    """A count of exactly 1e6 is '1 M' (not '1e+03 k'); 1e9 and above take an upper-case
    'G' (giga), like the docstring's '12.3 G'; 1e3 is '1 k'."""
    assert units.count(1_000_000) == "1 M"
    assert units.count(1_000_000_000) == "1 G"
    assert units.count(2_500_000_000, "tok") == "2.5 Gtok"
    assert units.count(1000) == "1 k"


def test_money_multipliers_start_exactly_at_their_factor():
    """'$1 M' at exactly a million dollars (1e6 / 1e6 = 1 -> '1'), likewise '$1 G' and
    '$1 k' at their factors: the thresholds are inclusive."""
    assert units.usd(1e6) == "$1 M"
    assert units.usd(1e9) == "$1 G"
    assert units.usd(1e3) == "$1 k"
    assert units.usd(-1e6) == "$-1 M"                        # the magnitude decides


def test_pct_defaults_to_one_decimal():
    """The docstring's example: RCI 94.604 -> '94.6' (one decimal unless asked)."""
    assert units.pct(94.604) == "94.6"
    assert units.pct(94.604, 2) == "94.60"


def test_small_prints_zero_as_a_bare_zero():
    """Zero has no exponent to show: '0'; the sign is dropped; 0.0123 -> '0.012'."""
    assert units.small(0.0) == "0"
    assert units.small(-0.0123) == "0.012"
    assert units.small(3e-7) == "3e-7"


def test_display_unit_converts_only_units_that_differ_between_systems():
    """'°C' is a temperature: '°F' in US units, itself in SI; 'kW' is shared."""
    assert units.display_unit("\u00b0C") == "\u00b0C"
    with units.using("us"):
        assert units.display_unit("\u00b0C") == "\u00b0F"
        assert units.display_unit("kW") == "kW"
