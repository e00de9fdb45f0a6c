"""The fabric as documents: the summary in ``twin simulate --json``, the full ``twin
cabling --json`` document (every link) and the cable schedule (CSV) for a contractor."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import numpy as np

from twin.engine.fabric import FabricResult
from twin.physics import fat_tree as ft

#: copper is ordered in 0.5 m steps, fibre in whole metres (the usual catalogue lengths)
COPPER_STEP_M, FIBRE_STEP_M = 0.5, 1.0
SCHEDULE_COLUMNS = ("cable_id", "tier", "from_rack", "from_port", "to_rack", "to_port",
                    "speed_gbps", "medium", "routed_length_m", "order_length_m",
                    "power_w", "cost_usd")


def summary_doc(res: FabricResult | None) -> dict[str, Any] | None:
    """Totals of the fabric: switches by role, cables by medium, length, optics power,
    cost, bisection bandwidth, hops and the fullest tray."""
    if res is None:
        return None
    t = res.tree
    tot = res.totals()
    return {
        "switch_model": res.switch_model, "tiers": t.tiers,
        "switches": {"leaf": t.n_leaves, "spine": t.n_spines if t.tiers == 2 else 0,
                     "aggregation": t.n_spines if t.tiers == 3 else 0, "core": t.n_cores},
        "gpu_ports": t.n_gpu_ports, "port_gbps": res.port_gbps, "links": res.n_links,
        "cables_by_medium": res.cables_by_medium(),
        "cable_length_m": round(tot["cable_length_m"], 1),
        "optics_kw": round(tot["optics_kw"], 3), "cabling_usd": round(tot["cabling_usd"]),
        "links_beyond_reach": int(tot["links_beyond_reach"]),
        "links_over_planned_reach": int(tot["links_over_planned_reach"]),
        "bisection_tbps": round(tot["bisection_tbps"], 3),
        "worst_hops": int(tot["worst_hops"]),
        "max_tray_fill_pct": round(tot["max_tray_fill"] * 100, 1),
    }


def _switch_ports(res: FabricResult) -> tuple[np.ndarray, np.ndarray]:
    """Port number (from 1) of each link's switch ends (0 where the end is no switch):
    a switch numbers its links in link order, so a leaf's downlinks come first."""
    n = res.n_links
    ends = np.concatenate([res.a_switch, res.b_switch])
    link = np.concatenate([np.arange(n), np.arange(n)])
    on = np.nonzero(ends >= 0)[0]
    order = on[np.lexsort((link[on], ends[on]))]
    sw = ends[order]
    start = np.r_[0, np.nonzero(np.diff(sw))[0] + 1]
    rank = np.arange(len(order)) - np.repeat(start, np.diff(np.r_[start, len(order)]))
    port = np.zeros(2 * n, dtype=np.int64)
    port[order] = rank + 1
    return port[:n], port[n:]


def _ends(res: FabricResult) -> tuple[list[str], list[str]]:
    pa, pb = _switch_ports(res)
    a, b = [], []
    for i in range(res.n_links):
        if res.a_switch[i] >= 0:
            a.append(f"{res.switch_label(int(res.a_switch[i]), False)} port {pa[i]}")
        elif res.tier[i] == ft.FRONTEND:
            a.append(f"front-end {res.a_port[i] + 1}")
        else:
            a.append(f"GPU port {res.a_port[i] + 1}")
        if res.b_switch[i] >= 0:
            b.append(f"{res.switch_label(int(res.b_switch[i]), False)} port {pb[i]}")
        else:
            b.append("front-end switch")
    return a, b


def order_length_m(length_m: float, medium: str) -> float:
    step = COPPER_STEP_M if medium in ("dac", "acc") else FIBRE_STEP_M
    return math.ceil(length_m / step - 1e-9) * step


def link_rows(res: FabricResult) -> list[dict[str, Any]]:
    """One row per link, in the schedule's columns."""
    a, b = _ends(res)
    media = res.media
    rows = []
    for i in range(res.n_links):
        m = int(res.medium[i])
        length = float(res.length_m[i])
        rows.append({
            "cable_id": f"C{i + 1:06d}", "tier": ft.TIER_NAMES[int(res.tier[i])],
            "from_rack": res.rack_ids[res.a_rack[i]], "from_port": a[i],
            "to_rack": res.rack_ids[res.b_rack[i]], "to_port": b[i],
            "speed_gbps": float(res.gbps[i]),
            "medium": media.label(m),
            "routed_length_m": round(length, 2),
            "order_length_m": order_length_m(length, media.medium[m]) if m >= 0 else None,
            "power_w": round(float(res.power_w[i]), 2),
            "cost_usd": round(float(res.cost_usd[i]), 2),
        })
    return rows


def cabling_document(file: str, res: FabricResult) -> dict[str, Any]:
    """The ``twin cabling --json`` document: totals, trays, links and alerts."""
    fill = np.zeros(len(res.trays.ids))
    np.maximum.at(fill, res.graph.edge_tray, res.fill)
    lengths = np.hypot(res.trays.x1 - res.trays.x0, res.trays.y1 - res.trays.y0)
    return {
        "file": file, "fabric": summary_doc(res),
        "trays": [{"id": tid, "length_m": round(float(lengths[k]), 2),
                   "elevation_m": float(res.trays.elevation_m[k]),
                   "max_fill_pct": round(float(fill[k]) * 100, 1),
                   "generated": res.trays.generated}
                  for k, tid in enumerate(res.trays.ids)],
        "links": link_rows(res),
        "alerts": [{"severity": a.severity, "kind": a.kind, "target": a.target,
                    "message": a.message} for a in res.alerts],
    }


def schedule_csv(res: FabricResult) -> str:
    """The cable schedule: one row per cable with both ends, medium and lengths."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=SCHEDULE_COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in link_rows(res):
        w.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buf.getvalue()
