"""Benchmark: load, validate and save the 1,440-rack hyperscale layout. Prints one JSON object."""

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from twin.io import dumps_layout, load_layout, save_layout  # noqa: E402


def _median_s(fn, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    path = ROOT / "layouts" / "hyperscale-hall.json"
    layout = load_layout(path)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "copy.json"
        figures = {
            "file": path.name,
            "racks": len(layout.racks),
            "items": sum(len(v) for v in layout.items.values()),
            "file_mb": round(path.stat().st_size / 1e6, 2),
            "load_validate_s": round(_median_s(lambda: load_layout(path)), 4),
            "serialise_s": round(_median_s(lambda: dumps_layout(layout)), 4),
            "atomic_save_s": round(_median_s(lambda: save_layout(layout, out)), 4),
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
