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
    assert units.celsius(22.04) == "22.0 \u00b0C"
    assert units.celsius(22.04, 2) == "22.04 \u00b0C"
    assert units.celsius(None) == units.MISSING             # no unit after a dash
    assert units.percent(68.94) == "68.9 %"


def test_catalogue_values_print_the_decimals_they_need():
    assert units.catalogue_value("airflow_m3s", 4.9) == "4.9 m\u00b3/s"
    assert units.catalogue_value("pump_efficiency", 0.75) == "0.75"
    assert units.catalogue_value("ua_kw_per_k", 12.5) == "12.5 kW/K"
    assert units.catalogue_value("nameplate_kw", 132.0) == "132 kW"
    assert units.catalogue_value("nameplate_kw", math.nan) == units.MISSING
