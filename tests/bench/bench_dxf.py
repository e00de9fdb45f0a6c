"""DXF benchmark: prints ONE JSON object of figures.

Run: python tests/bench/bench_dxf.py [OUT_DIR]   (default: a temporary folder)

``read_100k_s``: ``read_drawing`` of a generated 100,000-segment floor plan in millimetres
(70,000 lines on five layers, 2,000 closed 4-sided polylines, 2,000 arcs of 11 chords,
1,000 inserts of a 2-line block; best of two); ``export_hall_s``: ``write_dxf`` of the
1,440-rack ``layouts/hyperscale-hall.json`` without results (best of two); with the file
sizes in MB. No display needed.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from twin.interchange.dxf_read import read_drawing  # noqa: E402
from twin.interchange.dxf_write import write_dxf  # noqa: E402
from twin.io import load_layout  # noqa: E402

HALL = ROOT / "layouts" / "hyperscale-hall.json"


def make_plan(path: Path, seed: int = 1) -> int:
    """A 100,000-segment plan (80 x 50 m in mm); returns its segment count."""
    import ezdxf
    rnd = random.Random(seed)
    doc = ezdxf.new("R2013")
    doc.units = 4
    layers = [f"A-{name}" for name in ("WALL", "COLS", "DOOR", "FURN", "ANNO")]
    for k, name in enumerate(layers):
        doc.layers.add(name, color=k + 1)
    msp = doc.modelspace()
    n = 0
    for i in range(70_000):
        x, y = rnd.uniform(0, 80_000), rnd.uniform(0, 50_000)
        msp.add_line((x, y), (x + rnd.uniform(-600, 600), y + rnd.uniform(-600, 600)),
                     dxfattribs={"layer": layers[i % 5]})
        n += 1
    for _ in range(2_000):
        x, y = rnd.uniform(0, 80_000), rnd.uniform(0, 50_000)
        msp.add_lwpolyline([(x, y), (x + 600, y), (x + 600, y + 1200), (x, y + 1200)],
                           close=True, dxfattribs={"layer": "A-FURN"})
        n += 4
    for _ in range(2_000):
        # r = 1 m, 90 deg: 2 acos(1 - 0.005) = 0.2 rad per chord -> 8 chords
        x, y = rnd.uniform(0, 80_000), rnd.uniform(0, 50_000)
        msp.add_arc((x, y), 1000, 0, 90, dxfattribs={"layer": "A-DOOR"})
        n += 8
    block = doc.blocks.new("DESK")
    block.add_line((0, 0), (1600, 0))
    block.add_line((0, 0), (0, 800))
    for _ in range(1_000):
        msp.add_blockref("DESK", (rnd.uniform(0, 80_000), rnd.uniform(0, 50_000)),
                         dxfattribs={"layer": "A-FURN", "rotation": rnd.choice((0, 90, 180, 270))})
        n += 2
    lines_left = 100_000 - n
    for _ in range(lines_left):
        x, y = rnd.uniform(0, 80_000), rnd.uniform(0, 50_000)
        msp.add_line((x, y), (x + 300, y), dxfattribs={"layer": "A-ANNO"})
        n += 1
    doc.saveas(path)
    return n


def best(fn, runs: int = 2) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="bench-dxf-"))
    out.mkdir(parents=True, exist_ok=True)
    plan = out / "plan-100k.dxf"
    t0 = time.perf_counter()
    expected = make_plan(plan)
    generate_s = time.perf_counter() - t0
    read_s, drawing = best(lambda: read_drawing(plan))
    assert drawing.n_segments == expected == 100_000, (drawing.n_segments, expected)
    hall = load_layout(HALL)
    target = out / "hyperscale-hall.dxf"
    export_s, summary = best(lambda: write_dxf(hall, target))
    print(json.dumps({
        "read_100k_s": round(read_s, 3),
        "read_100k_segments": drawing.n_segments,
        "plan_mb": round(plan.stat().st_size / 1e6, 2),
        "generate_100k_s": round(generate_s, 2),
        "export_hall_s": round(export_s, 3),
        "export_hall_racks": summary.racks,
        "export_hall_mb": round(target.stat().st_size / 1e6, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
