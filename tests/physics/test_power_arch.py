"""AC against 800 V DC (twin/physics/power_arch.py, docs/physics.md §17), by hand: a chain
delivers its load over the product of its stage efficiencies; copper from current and
current density; the PSU inverse."""

import math

import pytest

from twin.physics import power_arch as pa


def _flat(eta: float, conversions: int = 1) -> pa.Stage:
    return pa.Stage(f"flat {eta}", (eta, eta, eta), conversions, "test")


def test_a_chain_takes_its_load_over_the_product_of_its_efficiencies():
    """Equal efficiencies at 25/50/100 % fit c0 = c2 = 0: a constant efficiency. 1,000 kW
    at the racks through 0.97 (rack DC/DC), 0.99 (busway), 0.98 (SST) draws
    1,000 / (0.97 x 0.99 x 0.98) = 1,062.55 kW; AC through 0.96, 0.99, 0.95, 0.985."""
    dc = (_flat(0.98), _flat(0.99, 0), _flat(0.97))
    ac = (_flat(0.985), _flat(0.95, 2), _flat(0.99, 0), _flat(0.96))
    a, d = pa.compare(1000.0, 2000.0, ac=ac, dc=dc)
    assert d.utility_kw == pytest.approx(1000 / (0.97 * 0.99 * 0.98), rel=1e-9)
    assert a.utility_kw == pytest.approx(1000 / (0.96 * 0.99 * 0.95 * 0.985), rel=1e-9)
    assert d.loss_kw == pytest.approx(d.utility_kw - 1000.0)
    # what crosses into the racks: the load over the in-rack stage's efficiency
    assert d.rack_input_kw == pytest.approx(1000 / 0.97) and a.rack_input_kw == pytest.approx(1000 / 0.96)
    assert [s.efficiency for s in d.stages] == pytest.approx([0.98, 0.99, 0.97])
    assert (a.conversions, d.conversions) == (4, 2)


def test_copper_from_current_and_current_density():
    """The main distribution feeds the racks: DC 1,000 / 0.97 kW at 800 V is 1,288.7 A in
    two conductors at 1.6 A/mm2: 1,610.8 mm2, 14.43 kg/m; AC at 415 V three-phase, pf
    0.95: I = P / (sqrt 3 x 415 x 0.95), four conductors."""
    dc = (_flat(0.98), _flat(0.99, 0), _flat(0.97))
    ac = (_flat(0.985), _flat(0.95, 2), _flat(0.99, 0), _flat(0.96))
    a, d = pa.compare(1000.0, 2000.0, ac=ac, dc=dc)
    i_dc = 1000e3 / 0.97 / 800
    assert d.current_a == pytest.approx(i_dc)
    assert d.copper_mm2 == pytest.approx(2 * i_dc / 1.6)
    assert d.copper_kg_per_m == pytest.approx(2 * i_dc / 1.6 * 1e-6 * 8960)
    i_ac = 1000e3 / 0.96 / (math.sqrt(3) * 415 * 0.95)
    assert a.current_a == pytest.approx(i_ac) and a.copper_mm2 == pytest.approx(4 * i_ac / 1.6)


def test_the_dc_load_behind_ac_psus_inverts_the_psu_loss():
    rated = 2000.0
    p_dc = pa.dc_load_of(1500.0, rated)
    c0, c1, c2 = pa.AC_STAGES[-1].coefficients()
    x = p_dc / rated
    assert p_dc + rated * (c0 + c1 * x + c2 * x * x) == pytest.approx(1500.0, abs=1e-6)
    assert pa.dc_load_of(0.0, rated) == 0.0


def test_the_catalogue_chains_save_with_800_vdc_at_every_load():
    for load in (200.0, 1000.0, 2000.0):
        a, d = pa.compare(load, 2000.0)
        assert d.utility_kw < a.utility_kw and d.copper_mm2 < a.copper_mm2


def test_a_rack_on_800_vdc_takes_its_54_v_load_through_dc_dc_instead_of_psus():
    """The closed form inverts the PSU (a quadratic in the load) and adds the DC/DC loss:
    against the bisection of dc_load_of, and zero in gives zero."""
    import numpy as np
    rated = np.array([132e3, 132e3, 132e3])
    p_ac = np.array([0.0, 60e3, 132e3])
    got = pa.dc800_rack_input(p_ac, rated)
    c0, c1, c2 = pa.DC_STAGES[-1].coefficients()
    for k in (1, 2):
        p_dc = pa.dc_load_of(p_ac[k] / 1e3, rated[k] / 1e3) * 1e3
        x = p_dc / rated[k]
        assert got[k] == pytest.approx(p_dc + rated[k] * (c0 + c1 * x + c2 * x * x), rel=1e-9)
        assert got[k] < p_ac[k]                   # 98 % DC/DC beats a 96.5 % PSU
    assert got[0] == 0.0


def test_a_dc800_floor_runs_its_drawn_chain_as_dc_stages():
    import dataclasses

    from tests.conftest import LAYOUTS
    from twin.engine import inputs
    from twin.engine.simulate import simulate
    from twin.io import load_layout
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    ac = simulate(lay)
    lay.set_settings("site", dataclasses.replace(lay.site, power_architecture="dc800"))
    dc = simulate(lay)
    chain, _feeds = inputs.power_inputs(lay, dc.rack_power_kw, dc.rack_power_kw[:0])
    index = {c: n for n, c in enumerate(chain.ids)}
    k = index["UPS-A1"]
    assert (chain.c0[k], chain.c1[k], chain.c2[k]) == pytest.approx(pa.DC_STORAGE.coefficients())
    k = index["TX-A1"]
    assert (chain.c0[k], chain.c1[k], chain.c2[k]) == pytest.approx(pa.DC_STAGES[0].coefficients())
    rated = inputs.rack_numbers(lay, "nameplate_kw")
    assert dc.rack_power_kw == pytest.approx(pa.dc800_rack_input(ac.rack_power_kw * 1e3, rated * 1e3) / 1e3)
    assert dc.facility.facility_kw < ac.facility.facility_kw
    assert dc.facility.tokens_per_s == pytest.approx(ac.facility.tokens_per_s)
    lay.set_settings("site", dataclasses.replace(lay.site, power_architecture="ac"))
    assert simulate(lay).facility.facility_kw == pytest.approx(ac.facility.facility_kw)


def test_a_dc800_floor_is_compared_from_its_ac_solve():
    """docs/physics.md §17, compare_power: a floor already on 800 V DC is compared from its
    AC solve, so the comparison is that of the same floor drawn as AC; the caller's floor
    stays on DC."""
    import dataclasses

    from tests.conftest import LAYOUTS
    from twin.engine.power_compare import compare_power
    from twin.engine.simulate import simulate
    from twin.io import load_layout
    ac = load_layout(LAYOUTS / "gb200-pod.json")
    ac_res = simulate(ac)
    dc = ac.snapshot()
    dc.set_settings("site", dataclasses.replace(dc.site, power_architecture="dc800"))
    dc_res = simulate(dc)
    assert dc_res.facility.it_kw < ac_res.facility.it_kw    # the DC solve draws less
    got = compare_power(dc, dc_res)
    assert got.to_json() == compare_power(ac, ac_res).to_json()
    assert got.rack_dc_kw == pytest.approx(pa.dc_load_of(ac_res.facility.it_kw, got.rated_kw))
    assert dc.site.power_architecture == "dc800"


def test_compare_names_the_two_architectures():
    """The pair comes back as (AC, DC), each under the name the reports show."""
    ac, dc = pa.compare(1000.0, 1000.0)
    assert (ac.name, dc.name) == ("AC 415 V", "800 V DC")


def test_loss_root_of_a_stage_below_one_kw():
    """A linear stage with c0 = c2 = 0, c1 = 1 loses R x = p: p + p = p_in, so 0.5 kW in
    gives 0.25 kW out (an output below 1 kW is not raised to 1 kW). With a no-load loss
    c0 R = 0.75 kW larger than the 0.5 kW in, nothing comes out; zero in, zero out."""
    import numpy as np

    out = pa._loss_root(np.array([0.5, 0.0]), np.array([1.0, 1.0]), (0.0, 1.0, 0.0))
    assert out == pytest.approx([0.25, 0.0], abs=1e-12)
    starved = pa._loss_root(np.array([0.5]), np.array([1.0]), (0.75, 0.0, 0.0))
    assert starved == pytest.approx([0.0], abs=1e-12)
