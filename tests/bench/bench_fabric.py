"""Benchmark (issue 20): the network fabric of the pod and the 1,440-rack hall: the whole
build (fat tree, switch placement, tray graph, routes, media, fill, alerts; target hall
<= 2 s) and the update after dragging one rack (re-route of its links only; target
<= 50 ms), median of several runs. Prints ONE JSON object."""

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from twin.engine.fabric import FabricBuilder, build  # noqa: E402
from twin.engine.fabric_export import summary_doc  # noqa: E402
from twin.io import load_layout  # noqa: E402


def _median_s(fn, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def figures(name: str, drag: list[str]) -> dict:
    lay = load_layout(ROOT / "layouts" / name)
    build_s = _median_s(lambda: build(lay))
    builder = FabricBuilder()
    builder.update(lay)
    times = []
    for rid in drag:       # one tile east, then back: two updates per rack
        i = lay.racks.index_of(rid)
        x, y = float(lay.racks["x_m"][i]), float(lay.racks["y_m"][i])
        for nx in (x + 0.6, x):
            lay.move_racks([rid], [nx], [y])
            t = time.perf_counter()
            builder.update(lay)
            times.append(time.perf_counter() - t)
    s = summary_doc(builder.result)
    return {"racks": len(lay.racks), "links": s["links"], "switches": s["switches"],
            "cable_km": round(s["cable_length_m"] / 1e3, 2), "optics_kw": s["optics_kw"],
            "cabling_usd": s["cabling_usd"], "cables_by_medium": s["cables_by_medium"],
            "bisection_tbps": s["bisection_tbps"], "worst_hops": s["worst_hops"],
            "max_tray_fill_pct": s["max_tray_fill_pct"],
            "build_s": round(build_s, 4),
            "update_after_drag_ms": round(1e3 * statistics.median(times), 2),
            "update_after_drag_max_ms": round(1e3 * max(times), 2)}


def main() -> None:
    print(json.dumps({
        "pod": figures("gb200-pod.json", ["A01", "A-IB1", "B08"]),
        "hall": figures("hyperscale-hall.json", ["R01-01", "R10-IB1", "R20-70", "R05-35"]),
    }))


if __name__ == "__main__":
    main()
