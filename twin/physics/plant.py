"""Heat-rejection plant: chillers, water-side economiser, dry coolers / cooling towers, pumps, fans.

Chiller (EnergyPlus ``Chiller:Electric:EIR``, the DOE-2.1E model):

    CAPFT(T_lw, T_ce) and EIRFT(T_lw, T_ce) = a + b T_lw + c T_lw² + d T_ce + e T_ce² + f T_lw T_ce
    EIRFPLR(PLR) = a + b PLR + c PLR²
    Q_avail = Q_ref CAPFT,  PLR = Q / Q_avail,
    P = Q_avail EIRFT EIRFPLR(max(PLR, PLR_min_unload)) / COP_ref

T_lw = chilled (facility) water leaving the evaporator, T_ce = condenser water entering,
°C.  Default coefficients: "DOE-2 Centrifugal/5.50COP" (CAPFT, EIRFT, EIRFPLR) from
EnergyPlus ``DataSets/Chillers.idf`` (also LBNL Modelica Buildings
``Fluid.Chillers.Data.ElectricEIR.DOE_2_Centrifugal_5_50COP``), reference 6.67 °C leaving,
29.4 °C condenser entering; curve inputs are clamped to the data's validity range
(T_lw 5–10 °C, T_ce 24–35 °C), as EnergyPlus clamps curve inputs.  The curves are
normalised, so they are used with a rated COP of 6.5 (water-cooled centrifugal 6–7,
Schneider WP 227; docs/physics.md §5.1 Chillers).  Near 6–7 °C the COP at full load rises ≈3.4 %/K of
leaving-water temperature.

Economiser: free cooling is available at T_free = T_ambient + rejection approach +
economiser HX approach (T_ambient = wet bulb for a cooling tower, dry bulb for a dry
cooler).  T_free ≤ supply setpoint → full economiser, chillers off; T_free < return →
partial (the economiser pre-cools the return to T_free, chillers trim to the setpoint);
otherwise chillers only.  The condenser water enters at T_ambient + approach (not below
``condenser_min_c``).

Fans by the affinity law P = P_d (Q/Q_d)³ (speed ∝ heat rejected at a fixed approach, not
below a minimum speed); pumps P = Δp Q / η with Δp ∝ Q² in a fixed system.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .fluids import WATER

__all__ = ["ChillerCurves", "DOE2_CENTRIFUGAL", "chiller_performance", "chiller_cop",
           "fan_power_w", "pump_power_w", "PlantSpec", "PlantResult", "solve_plant",
           "COOLING_TOWER", "DRY_COOLER"]

COOLING_TOWER, DRY_COOLER = "cooling_tower", "dry_cooler"


@dataclass(frozen=True)
class ChillerCurves:
    """Biquadratic CAPFT/EIRFT and quadratic EIRFPLR, with validity ranges."""

    name: str
    capft: tuple
    eirft: tuple
    eirfplr: tuple
    leaving_range_c: tuple = (5.0, 10.0)
    condenser_range_c: tuple = (24.0, 35.0)
    min_unloading_ratio: float = 0.2
    reference_leaving_c: float = 6.67
    reference_condenser_c: float = 29.4


DOE2_CENTRIFUGAL = ChillerCurves(
    name="DOE-2 Centrifugal/5.50COP (EnergyPlus DataSets/Chillers.idf)",
    capft=(0.257896, 0.0389016, -0.00021708, 0.0468684, -0.00094284, -0.00034344),
    eirft=(0.933884, -0.058212, 0.00450036, 0.00243, 0.000486, -0.001215),
    eirfplr=(0.222903, 0.313387, 0.463710),
)


def _biquad(c, x, y):
    return c[0] + c[1] * x + c[2] * x * x + c[3] * y + c[4] * y * y + c[5] * x * y


@dataclass(frozen=True)
class ChillerPoint:
    available_capacity_w: np.ndarray
    plr: np.ndarray
    power_w: np.ndarray
    cop: np.ndarray


def chiller_performance(load_w, reference_capacity_w, leaving_c, condenser_in_c,
                        rated_cop=6.5, curves: ChillerCurves = DOE2_CENTRIFUGAL) -> ChillerPoint:
    """Power of one chiller carrying ``load_w`` (load above the available capacity is unmet)."""
    tl = np.clip(np.asarray(leaving_c, float), *curves.leaving_range_c)
    tc = np.clip(np.asarray(condenser_in_c, float), *curves.condenser_range_c)
    cap = reference_capacity_w * _biquad(curves.capft, tl, tc)
    q = np.minimum(np.asarray(load_w, float), cap)
    plr = np.where(cap > 0, q / cap, 0.0)
    plr_eval = np.maximum(plr, curves.min_unloading_ratio)
    a, b, c = curves.eirfplr
    p = np.where(q > 0, cap * _biquad(curves.eirft, tl, tc) * (a + b * plr_eval + c * plr_eval ** 2) / rated_cop, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cop = np.where(p > 0, q / p, np.nan)
    return ChillerPoint(cap, plr, p, cop)


def chiller_cop(leaving_c, condenser_in_c, plr=1.0, rated_cop=6.5, curves: ChillerCurves = DOE2_CENTRIFUGAL):
    """COP at a part-load ratio (of the available capacity at these temperatures)."""
    pt = chiller_performance(1.0, 1.0, leaving_c, condenser_in_c, rated_cop, curves)
    load = np.asarray(plr, float) * pt.available_capacity_w
    return chiller_performance(load, 1.0, leaving_c, condenser_in_c, rated_cop, curves).cop


def fan_power_w(flow, design_flow, design_power_w):
    """Affinity law P = P_d (Q/Q_d)³ (any consistent flow unit)."""
    r = np.asarray(flow, float) / np.asarray(design_flow, float)
    return np.asarray(design_power_w, float) * r ** 3


def pump_power_w(flow_m3s, head_pa, efficiency):
    """P = Δp Q / η."""
    return np.asarray(head_pa, float) * np.asarray(flow_m3s, float) / np.asarray(efficiency, float)


@dataclass(frozen=True)
class PlantSpec:
    supply_setpoint_c: float = 25.0
    heat_rejection: str = COOLING_TOWER
    rejection_approach_k: float = 4.0              # to wet bulb (tower) or dry bulb (dry cooler)
    economiser: bool = True
    economiser_hx_approach_k: float = 1.5
    rejection_design_heat_w: float = 10e6          # all towers / dry coolers together
    rejection_design_fan_w: float = 100e3          # at design airflow
    rejection_min_speed: float = 0.2
    n_chillers: int = 3
    chiller_capacity_w: float = 3.5e6              # each, at reference conditions
    chiller_rated_cop: float = 6.5
    chiller_curves: ChillerCurves = DOE2_CENTRIFUGAL
    condenser_min_c: float = 15.0
    condenser_delta_t_k: float = 5.5
    condenser_pump_head_pa: float = 150e3
    facility_pump_head_pa: float = 200e3           # at the design flow
    facility_design_flow_m3s: float = np.nan       # NaN: head constant at every flow
    pump_efficiency: float = 0.7                   # wire-to-water
    facility_cp_jkgk: float = WATER.cp_jkgk
    facility_density_kgm3: float = WATER.density_kgm3

    def __post_init__(self):
        if self.heat_rejection not in (COOLING_TOWER, DRY_COOLER):
            raise ValueError(f"PlantSpec.heat_rejection: {self.heat_rejection!r}, expected "
                             f"{COOLING_TOWER!r} or {DRY_COOLER!r}")


@dataclass(frozen=True)
class PlantResult:
    heat_in_w: float                 # heat delivered by the facility water (before plant pumps)
    facility_flow_kgs: float
    supply_c: float
    return_c: float
    mode: str                        # "economiser" | "partial" | "chiller" | "off"
    free_cooling_c: float            # water temperature the economiser can reach
    economiser_heat_w: float
    chiller_load_w: float
    chiller_unmet_w: float           # beyond the running chillers' capacity
    chillers_running: int
    chiller_plr: float
    chiller_cop: float
    chiller_power_w: float
    condenser_in_c: float
    rejection_fan_speed: float
    rejection_fan_power_w: float
    facility_pump_power_w: float
    condenser_pump_power_w: float
    heat_rejected_w: float           # to the atmosphere
    rejection_overloaded: bool

    @property
    def total_power_w(self) -> float:
        return self.chiller_power_w + self.rejection_fan_power_w + self.facility_pump_power_w + self.condenser_pump_power_w


def solve_plant(spec: PlantSpec, heat_w: float, facility_flow_kgs: float, ambient_dry_bulb_c: float,
                ambient_wet_bulb_c: float | None = None, return_c: float | None = None) -> PlantResult:
    """Steady plant operating point for a heat load at the supply setpoint.

    ``return_c`` defaults to the mixed return implied by the flow; the facility pump's heat
    is added to the water before the plant.
    """
    s = spec
    heat_w = float(heat_w)
    mdot = float(facility_flow_kgs)
    c_fw = mdot * s.facility_cp_jkgk
    q_m3s = mdot / s.facility_density_kgm3
    head = s.facility_pump_head_pa
    if np.isfinite(s.facility_design_flow_m3s) and s.facility_design_flow_m3s > 0:
        head = head * (q_m3s / s.facility_design_flow_m3s) ** 2
    fac_pump = float(pump_power_w(q_m3s, head, s.pump_efficiency)) if mdot > 0 else 0.0
    load = heat_w + fac_pump
    t_sup = s.supply_setpoint_c
    if return_c is None:
        t_ret = t_sup + (heat_w / c_fw if c_fw > 0 else 0.0)
    else:
        t_ret = float(return_c)
    t_ret_pump = t_ret + (fac_pump / c_fw if c_fw > 0 else 0.0)
    wb = ambient_dry_bulb_c if ambient_wet_bulb_c is None else ambient_wet_bulb_c
    t_amb = wb if s.heat_rejection == COOLING_TOWER else ambient_dry_bulb_c
    t_free = t_amb + s.rejection_approach_k + s.economiser_hx_approach_k

    if load <= 0:
        mode, econ = "off", 0.0
    elif s.economiser and t_free <= t_sup:
        mode, econ = "economiser", load
    elif s.economiser and t_free < t_ret_pump:
        mode = "partial"
        econ = load * (t_ret_pump - t_free) / (t_ret_pump - t_sup)
    else:
        mode, econ = "chiller", 0.0
    ch_load = max(load - econ, 0.0)

    t_cond = max(t_amb + s.rejection_approach_k, s.condenser_min_c)
    ch_power = ch_unmet = plr = 0.0
    cop = np.nan
    n_run = 0
    if ch_load > 0 and s.n_chillers > 0:
        one = chiller_performance(0.0, s.chiller_capacity_w, t_sup, t_cond, s.chiller_rated_cop, s.chiller_curves)
        cap1 = float(one.available_capacity_w)
        n_run = int(min(s.n_chillers, max(1, np.ceil(ch_load / cap1 - 1e-12))))
        per = ch_load / n_run
        pt = chiller_performance(per, s.chiller_capacity_w, t_sup, t_cond, s.chiller_rated_cop, s.chiller_curves)
        ch_power = float(pt.power_w) * n_run
        ch_unmet = max(per - float(pt.available_capacity_w), 0.0) * n_run
        met = ch_load - ch_unmet
        plr = float(pt.plr)
        cop = met / ch_power if ch_power > 0 else np.nan
    elif ch_load > 0:
        ch_unmet = ch_load
    met_chiller = ch_load - ch_unmet

    cond_heat = met_chiller + ch_power
    cond_pump = 0.0
    if cond_heat > 0:
        cond_flow = cond_heat / (WATER.cp_jkgk * s.condenser_delta_t_k) / WATER.density_kgm3
        cond_pump = float(pump_power_w(cond_flow, s.condenser_pump_head_pa, s.pump_efficiency))
    rejected_by_devices = econ + cond_heat + cond_pump
    x = rejected_by_devices / s.rejection_design_heat_w if s.rejection_design_heat_w > 0 else np.inf
    speed = 0.0 if rejected_by_devices <= 0 else float(np.clip(x, s.rejection_min_speed, 1.0))
    fan = float(s.rejection_design_fan_w * speed ** 3)
    # unmet heat is not rejected: it stays in the water (the supply temperature drifts up)
    heat_rejected = rejected_by_devices + fan
    return PlantResult(
        heat_in_w=heat_w, facility_flow_kgs=mdot, supply_c=t_sup, return_c=t_ret, mode=mode, free_cooling_c=t_free,
        economiser_heat_w=econ, chiller_load_w=ch_load, chiller_unmet_w=ch_unmet, chillers_running=n_run,
        chiller_plr=plr, chiller_cop=float(cop), chiller_power_w=ch_power, condenser_in_c=t_cond,
        rejection_fan_speed=speed, rejection_fan_power_w=fan, facility_pump_power_w=fac_pump,
        condenser_pump_power_w=cond_pump, heat_rejected_w=heat_rejected, rejection_overloaded=bool(x > 1.0),
    )
