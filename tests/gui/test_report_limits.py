"""The review report stays bounded on a huge floor: the racks and alerts tables list the
worst entries up to a limit and count the rest in their note (issue 15 item 3)."""

from __future__ import annotations

from twin.report.pdf import content


def _rack(k: int, inlet: float, ashrae: str = "recommended", flow=None, need=None) -> dict:
    return {"id": f"R{k}", "model": "gpu-air-40", "power_kw": 20.0, "air_heat_kw": 20.0,
            "liquid_heat_kw": 0.0, "inlet_c": inlet - 1, "inlet_max_c": inlet,
            "exhaust_c": inlet + 12, "capture_index": 0.9, "ashrae": ashrae,
            "coolant_flow_lpm": flow, "coolant_need_lpm": need}


def test_a_100000_rack_table_lists_the_hottest_and_counts_the_rest():
    n = 100_000
    racks = [_rack(k, 20.0 + (k % 997) / 100) for k in range(n)]
    racks[77] = _rack(77, 35.0, "out_of_range")
    racks[5] = _rack(5, 19.0, flow=10.0, need=12.0)      # short of coolant: listed first
    heading, table = content.racks_section({"racks": racks}, {})
    assert len(table.rows) == content.RACK_ROWS_MAX
    ids = [row[0].text for row in table.rows]
    assert ids[:2] == ["R5", "R77"]
    listed_inlets = [float(row[6].text) for row in table.rows[2:]]
    assert listed_inlets == sorted(listed_inlets, reverse=True)
    assert min(listed_inlets) >= max(r["inlet_max_c"] for r in racks
                                     if r["id"] not in set(ids)) - 0.05
    assert f"of {n:,}" in table.title
    assert f"{n - content.RACK_ROWS_MAX:,} more racks are not listed" in table.note
    assert "recommended" in table.note


def test_a_small_floor_lists_every_rack_in_layout_order():
    racks = [_rack(k, 30.0 - k) for k in range(12)]
    _heading, table = content.racks_section({"racks": racks}, {})
    assert [row[0].text for row in table.rows] == [f"R{k}" for k in range(12)]
    assert table.title == "Racks (12) in layout order"


def test_alerts_beyond_the_limit_are_counted_by_kind():
    alerts = ([{"severity": "critical", "kind": "rack_inlet", "target": f"R{k}",
                "message": "hot"} for k in range(1000)]
              + [{"severity": "warning", "kind": "no_feed", "target": f"R{k}",
                  "message": "unfed"} for k in range(500)])
    blocks = content.alerts_section({"alerts": alerts})
    table = blocks[-1]
    assert len(table.rows) == content.ALERT_ROWS_MAX
    assert table.title.startswith(f"Alerts: the first {content.ALERT_ROWS_MAX} of 1,500")
    assert "1,200 more alerts are not listed (700 rack inlet, 500 no feed)" in table.note
