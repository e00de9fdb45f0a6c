"""Scene export benchmark (OpenUSD .usdc and .usda, glTF .glb); prints ONE JSON object.

Run: python tests/bench/bench_scene_export.py [--runs N] [--keep OUT_DIR] [LAYOUT.json]

The 1,440-rack ``layouts/hyperscale-hall.json`` by default, solved once (``simulate_s``,
not part of the export figures); then each export with the result and the inlet colouring,
best and median of N runs (default 3) in seconds, with the file size in bytes and MB and
the prims (USD) or meshes (glTF) written. Target: each export <= 5 s on the 2-core
machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from twin.engine.simulate import simulate  # noqa: E402
from twin.interchange.gltf import write_gltf  # noqa: E402
from twin.interchange.scene import build_scene  # noqa: E402
from twin.interchange.usd import write_usd  # noqa: E402
from twin.io import load_layout  # noqa: E402

TARGET_S = 5.0


def bench(layout_path: Path, runs: int, out_dir: Path) -> dict:
    t = time.perf_counter()
    lay = load_layout(layout_path)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    res = simulate(lay)
    simulate_s = time.perf_counter() - t
    t = time.perf_counter()
    scene = build_scene(lay, res, "inlet")
    scene_s = time.perf_counter() - t
    out: dict = {"layout": layout_path.name, "racks": len(lay.racks),
                 "boxes": scene.counts(), "load_s": round(load_s, 3),
                 "simulate_s": round(simulate_s, 3), "scene_s": round(scene_s, 3),
                 "runs": runs, "target_s": TARGET_S}
    for label, writer, name in (("usdc", write_usd, "hall.usdc"),
                                ("usda", write_usd, "hall.usda"),
                                ("glb", write_gltf, "hall.glb")):
        times = []
        summary = None
        for _ in range(runs):
            t = time.perf_counter()
            summary = writer(lay, out_dir / name, res, colour_by="inlet")
            times.append(time.perf_counter() - t)
        assert summary is not None
        out[label] = {"best_s": round(min(times), 3), "median_s": round(statistics.median(times), 3),
                      "bytes": summary.bytes, "mb": round(summary.bytes / 1e6, 2),
                      "prims_or_meshes": summary.prim_count,
                      "within_target": max(times) <= TARGET_S}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("layout", nargs="?", default=str(ROOT / "layouts" / "hyperscale-hall.json"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", metavar="OUT_DIR", help="write the files here and keep them")
    args = ap.parse_args()
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
        print(json.dumps(bench(Path(args.layout), args.runs, Path(args.keep)), indent=2))
        return
    with tempfile.TemporaryDirectory(prefix="twin-scene-bench-") as folder:
        print(json.dumps(bench(Path(args.layout), args.runs, Path(folder)), indent=2))


if __name__ == "__main__":
    main()
