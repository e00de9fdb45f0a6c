"""Timing of the liquid loop, power chain, workload, plant and facility roll-up.

Synthetic 1,400-rack hall.  Prints ONE JSON object (milliseconds, best of N runs):
- liquid_in_row_ms: 70 in-row CDUs with 20 racks each (direct return, header losses);
- liquid_in_rack_ms: one in-rack CDU per rack (1,400 loops, the most CDUs per MW);
- power_ms / failover_ms: 2N chain (2 utility feeds, 4 transformers, 4 N+1 UPS, 56 PDUs);
- workload_ms / workload_24h_ms: rack power from workloads, and the 24-hour profile;
- facility_ms: plant solve + roll-up (+ alerts_ms for all alert builders);
- pipeline_ms: workload → power → liquid → facility, i.e. a workload edit end to end.
Run: /tmp/venv/bin/python tests/bench/bench_liquid_power.py
"""

import json
import time

import numpy as np

from twin.physics.facility import evaluate_facility, liquid_alerts, power_alerts
from twin.physics.liquid import CduLoops, LiquidBranches, heat_split_w, solve_liquid
from twin.physics.plant import PlantSpec
from twin.physics.power import PowerChain, RackFeeds, failover_analysis, solve_power, typical_loss_coefficients
from twin.physics.workload import RackWorkloads, evaluate_daily_profile, evaluate_workloads

N_RACK = 1400
rng = np.random.default_rng(42)


def best_ms(fn, repeat=15):
    out = None
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1e3, out


def hall():
    kind = rng.choice(["training", "inference", "idle"], N_RACK, p=[0.6, 0.35, 0.05])
    wl = RackWorkloads(kind=kind, tokens_per_s_at_full_load=2500.0, swing_amplitude=0.05)
    racks_per_cdu = 20
    n_cdu = N_RACK // racks_per_cdu
    cdu_index = np.repeat(np.arange(n_cdu), racks_per_cdu)
    cdus = CduLoops.uniform(n_cdu, ua_w_per_k=600e3, facility_flow_kgs=60.0, facility_supply_c=30.0, capacity_w=2.5e6,
                    pump_shutoff_pa=350e3, pump_free_flow_m3s=0.09, n_pumps_installed=3, n_pumps_duty=2,
                    series_k=5e6, header_segment_k=3e5)
    in_rack = CduLoops.uniform(N_RACK, ua_w_per_k=40e3, facility_flow_kgs=2.5, facility_supply_c=25.0, capacity_w=150e3,
                       pump_shutoff_pa=250e3, pump_free_flow_m3s=6e-3, series_k=3.2e9, water_class="W27")
    # 2N chain: utility A/B → 2 transformers each → 2 UPS (N+1 modules) each → 14 PDUs each
    ids, kinds, parent, rating, side, c = [], [], [], [], [], []
    def add(i, k, p, r, s, curve):
        ids.append(i); kinds.append(k); parent.append(p); rating.append(r); side.append(s); c.append(typical_loss_coefficients(curve))
        return len(ids) - 1
    pdus = {"A": [], "B": []}
    for s in "AB":
        u = add(f"UTIL-{s}", "utility", -1, 200e3, s, "utility")
        for t in range(2):
            tr = add(f"TX-{s}{t}", "transformer", u, 50e3, s, "transformer")
            for m in range(2):
                ups = add(f"UPS-{s}{t}{m}", "ups", tr, 25e3, s, "ups_double_conversion")
                for p in range(14):
                    pdus[s].append(add(f"PDU-{s}{t}{m}-{p}", "pdu", ups, 2e3, s, "pdu"))
    c = np.array(c)
    chain = PowerChain(ids=ids, kind=kinds, parent=parent, module_rating_kw=rating, side=side,
                       c0=c[:, 0], c1=c[:, 1], c2=c[:, 2])
    pa = np.repeat(np.array(pdus["A"]), N_RACK // len(pdus["A"]) + 1)[:N_RACK]
    pb = np.repeat(np.array(pdus["B"]), N_RACK // len(pdus["B"]) + 1)[:N_RACK]
    psu = typical_loss_coefficients("psu_titanium")
    return wl, cdu_index, cdus, in_rack, chain, pa, pb, psu


def main():
    wl, cdu_index, cdus, in_rack, chain, pa, pb, psu = hall()
    t_wl, w = best_ms(lambda: evaluate_workloads(wl))
    profile = 0.6 + 0.4 * np.sin(np.linspace(0, 2 * np.pi, 24, endpoint=False)) ** 2
    t_wl24, _ = best_ms(lambda: evaluate_daily_profile(wl, profile), repeat=5)
    feeds = RackFeeds(dc_load_kw=w.rack_power_w / 1e3, feed_a=pa, feed_b=pb, psu_rating_kw=165.0,
                      psu_c0=psu[0], psu_c1=psu[1], psu_c2=psu[2], feed_rating_kw=150.0)
    t_pw, pw = best_ms(lambda: solve_power(chain, feeds))
    t_fo, fo = best_ms(lambda: failover_analysis(chain, feeds), repeat=5)
    liq_w, air_w = heat_split_w(pw.rack_input_kw * 1e3, 0.85)
    br = LiquidBranches(cdu_index, liq_w, branch_k=1.5e10)
    t_liq, liq = best_ms(lambda: solve_liquid(br, cdus))
    br1 = LiquidBranches(np.arange(N_RACK), liq_w, branch_k=8.304e10)
    t_liq1, liq1 = best_ms(lambda: solve_liquid(br1, in_rack))
    spec = PlantSpec(supply_setpoint_c=30.0, rejection_design_heat_w=200e6, rejection_design_fan_w=2e6,
                     n_chillers=20, chiller_capacity_w=8e6)
    crah_fans = np.full(100, 8e3)
    t_fac, fac = best_ms(lambda: evaluate_facility(pw, spec, 22.0, 16.0, liquid=liq, crah_fan_power_w=crah_fans,
                                                    tokens_per_s=w.total_tokens_per_s))
    t_al, al = best_ms(lambda: liquid_alerts(liq, cdus) + power_alerts(pw, chain, feeds, failover=fo), repeat=5)

    def pipeline():
        ww = evaluate_workloads(wl)
        f = RackFeeds(dc_load_kw=ww.rack_power_w / 1e3, feed_a=pa, feed_b=pb, psu_rating_kw=165.0,
                      psu_c0=psu[0], psu_c1=psu[1], psu_c2=psu[2], feed_rating_kw=150.0)
        p = solve_power(chain, f)
        lw, _ = heat_split_w(p.rack_input_kw * 1e3, 0.85)
        lq = solve_liquid(LiquidBranches(cdu_index, lw, branch_k=1.5e10), cdus)
        return evaluate_facility(p, spec, 22.0, 16.0, liquid=lq, crah_fan_power_w=crah_fans,
                                 tokens_per_s=ww.total_tokens_per_s)
    t_pipe, _ = best_ms(pipeline)
    print(json.dumps({
        "racks": N_RACK, "in_row_cdus": int(cdus.n_cdu), "in_rack_cdus": int(in_rack.n_cdu),
        "it_mw": round(pw.it_kw / 1e3, 3),
        "liquid_in_row_ms": round(t_liq, 2), "liquid_in_row_newton_iterations": liq.newton_iterations,
        "liquid_in_rack_ms": round(t_liq1, 2), "liquid_in_rack_newton_iterations": liq1.newton_iterations,
        "power_ms": round(t_pw, 2), "failover_ms": round(t_fo, 2),
        "workload_ms": round(t_wl, 2), "workload_24h_ms": round(t_wl24, 2),
        "facility_ms": round(t_fac, 2), "alerts_ms": round(t_al, 2), "n_alerts": len(al),
        "pipeline_ms": round(t_pipe, 2),
        "pue": round(fac.pue, 4), "energy_residual": fac.energy_residual,
    }))


if __name__ == "__main__":
    main()
