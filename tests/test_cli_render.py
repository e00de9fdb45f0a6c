"""``twin render`` and ``twin report``: headless images and PDFs, exit codes, one-line errors.

The commands run as real processes without a display (no ``DISPLAY``), as on a build
server: the plan needs none, the 3-D view uses off-screen EGL or says how to get OpenGL.
The report's summary figures are compared with ``twin simulate --json`` for the same file
using the documented formatting rules (``twin.model.units``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from tests.image_checks import assert_not_blank, band, has_colour_bar, rgb_of
from twin.cli import main
from twin.io import load_layout
from twin.model.summary import summarise

POD = LAYOUTS / "gb200-pod.json"
ROOM = LAYOUTS / "small-room.json"
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="poppler-utils (pdftotext, pdfinfo) not installed")


def run_headless(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``python -m twin ARGS`` with no display at all (plus ``env``)."""
    e = {k: v for k, v in os.environ.items()
         if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "EGL_PLATFORM")}
    e.update(env)
    return subprocess.run([sys.executable, "-m", "twin", *args], capture_output=True,
                          text=True, env=e, timeout=180)


def pdf_text(path, first: int | None = None, last: int | None = None, layout=False) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8"]
    cmd += ["-layout"] if layout else []
    cmd += ["-f", str(first)] if first else []
    cmd += ["-l", str(last)] if last else []
    return subprocess.run([*cmd, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_info(path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


# ------------------------------------------------------------------------------ render
def test_render_plan_headless(tmp_path):
    out = tmp_path / "plan.png"
    r = run_headless("render", str(ROOM), "--view", "plan", "--metric", "power",
                     "--out", str(out), "--size", "900x560")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    rgb = rgb_of(out)
    assert rgb.shape[:2] == (560, 900)
    assert_not_blank(rgb)
    assert has_colour_bar(band(rgb), "power"), "no power colour bar in the caption band"
    assert has_colour_bar(rgb[:-60], "power"), "no power colour bar in the plan"


def test_render_plan_streamlines_draw_over_the_air_only_when_asked(tmp_path):
    """--streamlines adds the lines over an inlet figure (a power figure has none: the
    lines belong on temperatures); the rest of the figure is the same."""
    images = {}
    for name, metric, extra in (("plain", "inlet", ()), ("lines", "inlet", ("--streamlines",)),
                                ("power", "power", ()), ("power_l", "power", ("--streamlines",))):
        out = tmp_path / f"{name}.png"
        r = run_headless("render", str(POD), "--view", "plan", "--metric", metric, "--out",
                         str(out), "--size", "900x560", "--no-caption", *extra)
        assert r.returncode == 0, r.stderr
        images[name] = rgb_of(out).astype(int)
    changed = (np.abs(images["lines"] - images["plain"]).max(axis=2) > 40).mean()
    assert 0.005 < changed < 0.25          # lines drawn, the plan still visible beneath
    assert np.array_equal(images["power"], images["power_l"])


def test_render_3d_headless_or_says_how(tmp_path):
    out = tmp_path / "3d.png"
    r = run_headless("render", str(POD), "--view", "3d", "--metric", "inlet",
                     "--out", str(out), "--size", "800x450", "--scale", "2")
    if r.returncode != 0:     # a machine without EGL: a one-line pointer to xvfb-run
        assert r.returncode == 1 and "xvfb-run" in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
        return
    rgb = rgb_of(out)
    assert rgb.shape[:2] == (900, 1600)
    assert_not_blank(rgb)
    assert has_colour_bar(band(rgb, scale=2), "thermal")


@pytest.mark.parametrize("env", [{"EGL_PLATFORM": "x11"},
                                 {"EGL_PLATFORM": "x11", "DISPLAY": ":987"}],
                         ids=["no-display", "dead-display"])
def test_render_3d_without_opengl_fails_fast_with_a_hint(tmp_path, env):
    r = run_headless("render", str(ROOM), "--view", "3d", "--out", str(tmp_path / "x.png"),
                     **env)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "xvfb-run" in lines[0] and "--view plan" in lines[0], lines
    assert not (tmp_path / "x.png").exists()


def test_render_usage_errors_give_2(tmp_path, capsys):
    out = str(tmp_path / "x.png")
    assert main(["render", str(ROOM), "--out", out, "--size", "big"]) == 2
    assert main(["render", str(ROOM), "--out", out, "--size", "100x100"]) == 2
    assert main(["render", str(ROOM), "--out", out, "--metric", "humidity"]) == 2
    assert main(["render", str(ROOM)]) == 2
    assert main(["report", str(ROOM), "--out", out, "--page", "a3"]) == 2
    assert "--size" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["render", "report"])
def test_unwritable_output_is_one_clear_line(tmp_path, capsys, command):
    missing = tmp_path / "no-such-folder" / "out.file"
    assert main([command, str(ROOM), "--out", str(missing)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{missing}: cannot write: the folder {missing.parent} does not exist"]
    assert main([command, str(ROOM), "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == f"{tmp_path}: cannot write: it is a folder"


def test_invalid_layout_gives_1(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "ai-factory-twin-layout", "version": 1, "hall": {}}')
    assert main(["render", str(bad), "--out", str(tmp_path / "x.png")]) == 1
    assert main(["report", str(bad), "--out", str(tmp_path / "x.pdf")]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "Traceback" not in err
    assert not list(tmp_path.glob("x.*"))


# ------------------------------------------------------------------------------ report
@pytest.fixture(scope="module")
def pod_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    pdf = folder / "pod.pdf"
    r = run_headless("report", str(POD), "--out", str(pdf))
    assert r.returncode == 0, r.stderr
    assert main(["simulate", str(POD), "--json", "--out", str(folder / "sim.json")]) == 0
    return pdf, json.loads((folder / "sim.json").read_text()), r


@needs_poppler
def test_report_pages_contents_and_footer(pod_report):
    pdf, _doc, run = pod_report
    assert re.fullmatch(rf"{re.escape(str(pdf))}: \d+ pages \(A4\)", run.stdout.strip())
    info = pdf_info(pdf)
    pages = int(info["Pages"])
    assert 10 <= pages <= 20 and "A4" in info["Page size"]
    title = pdf_text(pdf, 1, 1)
    assert "DESIGN REVIEW REPORT" in title and "GB200 NVL72 pod" in title
    assert hashlib.sha256(POD.read_bytes()).hexdigest() in title.replace("\n", "")
    contents = re.findall(r"^\s*(\d+)\s+([A-Z][A-Za-z ]+?)\s{2,}(\d+)\s*$",
                          pdf_text(pdf, 1, 1, layout=True), re.M)
    sections = [name for _n, name, _p in contents]
    assert sections == ["Summary", "Views", "Cooling capacity", "Power chain", "Economics",
                        "Headroom", "Alerts", "Network fabric", "Racks",
                        "Assumptions and sources"]
    for number, name, page in contents:       # every section starts where contents says
        text = pdf_text(pdf, int(page), int(page), layout=True)
        assert re.search(rf"^\s*{number}\s+{name}\s*$", text, re.M), name
    for p in (1, 2, pages):
        assert f"Page {p} of {pages}" in pdf_text(pdf, p, p)
    text = pdf_text(pdf)
    for needle in ("Figure 1.", "Figure 2.", "Figure 3.", "Figure 4.", "Racks (20)",
                   "Power-chain components", "Coolant distribution units",
                   "Catalogue entries used", "unconfirmed", "liquid_fraction"):
        assert needle in text, needle


@needs_poppler
def test_report_summary_matches_simulate_json(pod_report):
    """Figures as ``twin simulate --json`` reports them, printed with the rules of
    ``twin.model.units``: kW and counts with separators and no decimals, PUE 3
    decimals, percentages and temperatures 1 decimal, indices 3 decimals."""
    pdf, doc, _run = pod_report
    gpus = summarise(load_layout(POD))["gpus"]
    m = doc["metrics"]
    # the one worst-inlet rule (ties within 0.01 K broken by mean inlet, then id order)
    worst = next(r for r in doc["racks"] if r["id"] == m["worst_inlet_rack"])
    assert worst["inlet_max_c"] >= max(r["inlet_max_c"] for r in doc["racks"]) - 0.01
    summary = pdf_text(pdf, 2, 2)

    def index(v: float) -> str:
        text = f"{v:.3f}"
        return "0.000" if text == "-0.000" else text

    expected = [
        f"{len(doc['racks'])}", f"{gpus:,}", f"{m['it_power_kw']:,.0f} kW",
        f"{m['facility_power_kw']:,.0f} kW", f"{m['pue']:.3f}", f"{m['tokens_per_kwh']:,.0f}",
        f"{m['liquid_share'] * 100:.1f} %", f"{worst['inlet_max_c']:.1f} \u00b0C",
        f"rack {worst['id']}", f"{m['rci_hi_pct']:.1f} %", f"{m['rci_lo_pct']:.1f} %",
        f"{m['rti_pct']:.1f} %", index(m["shi"]), index(m["capture_index"]),
    ]
    missing = [e for e in expected if e not in summary]
    assert not missing, f"not on the summary page: {missing}"


@needs_poppler
def test_report_letter_without_3d(tmp_path):
    """US Letter pages; without OpenGL the report still completes, with a note in place
    of the 3-D figure and a warning on stderr."""
    pdf = tmp_path / "room.pdf"
    r = run_headless("report", str(ROOM), "--out", str(pdf), "--page", "letter",
                     EGL_PLATFORM="x11")
    assert r.returncode == 0, r.stderr
    assert "no 3-D figure" in r.stderr and "xvfb-run" in r.stderr
    assert "612 x 792" in pdf_info(pdf)["Page size"]
    assert "3-D view not rendered" in pdf_text(pdf)
