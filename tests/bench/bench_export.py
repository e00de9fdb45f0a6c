"""Export benchmark on the 1,440-rack hall: prints ONE JSON object of figures.

Run: python tests/bench/bench_export.py [OUT_DIR]   (default: out/)

Runs the real commands headless (no DISPLAY; the 3-D view through off-screen EGL) and
writes their outputs to OUT_DIR: ``twin report`` (A4) and ``twin render`` of the 3-D view
and the plan for every metric. Figures: wall time of each command in seconds (solve
included), the report's page count and the file sizes in MB.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HALL = ROOT / "layouts" / "hyperscale-hall.json"
METRICS = ("inlet", "power", "capture", "coolant")


def run(*args: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "twin", *args], capture_output=True, text=True,
                       env=env, cwd=ROOT, check=True)
    return time.perf_counter() - t0, r.stdout


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "out")
    out.mkdir(parents=True, exist_ok=True)
    figures: dict[str, float | int] = {}
    pdf = out / "report-hyperscale-hall.pdf"
    seconds, stdout = run("report", str(HALL), "--out", str(pdf))
    figures["report_s"] = round(seconds, 2)
    figures["report_pages"] = int(re.search(r"(\d+) pages", stdout).group(1))
    figures["report_mb"] = round(pdf.stat().st_size / 1e6, 2)
    for view in ("3d", "plan"):
        for metric in METRICS:
            png = out / f"render-hyperscale-hall-{view}-{metric}.png"
            seconds, _ = run("render", str(HALL), "--view", view, "--metric", metric,
                             "--out", str(png))
            figures[f"render_{view}_{metric}_s"] = round(seconds, 2)
            figures[f"render_{view}_{metric}_mb"] = round(png.stat().st_size / 1e6, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
