"""Hostile inputs checked in-process: loader messages, limits, the one output writer, plain
text in reports, and a bounded Hypothesis fuzz of the CLI commands (issue 15)."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.cases import base
from twin.cli import main
from twin.io import LayoutError, load_layout, loads_layout, save_layout
from twin.io.atomic import write_atomic
from twin.io.layout_file import MAX_FILE_BYTES
from twin.model import geometry


def _problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(LayoutError) as exc:
        loads_layout(text, "h.json")
    return [(p.path, p.message) for p in exc.value.problems]


def test_huge_integers_are_described_not_converted():
    text = json.dumps(base()).replace('"width_m": 12.0', '"width_m": 1' + "0" * 400)
    assert _problems(text) == [("hall.width_m", "found an integer of 401 digits, expected a "
                                "finite number > 0 and <= 400")]


def test_huge_integer_in_a_python_document_is_refused():
    from twin.io.layout_file import layout_from_document
    doc = base()
    doc["hall"]["width_m"] = 10**400
    with pytest.raises(LayoutError, match="hall.width_m: found an integer of 401 digits"):
        layout_from_document(doc, "h.json")


def test_duplicate_keys_name_key_and_place():
    doc = base()
    text = json.dumps(doc)[:-1] + ', "racks": []}'
    text = text.replace('"width_m": 12.0', '"width_m": 12.0, "width_m": 13.0')
    probs = _problems(text)
    assert ("racks", "duplicate key 'racks': a key may appear only once in an object (the "
            "later value would silently replace the first)") in probs
    assert any(p == "hall.width_m" for p, _m in probs)


def test_lone_surrogate_is_refused_on_load_and_on_save(tmp_path):
    doc = base()
    doc["racks"][0]["name"] = "\ud800"
    assert [p for p, _m in _problems(json.dumps(doc))] == ["racks[0].name"]
    lay = loads_layout(json.dumps(base()))
    lay.name = "bad \udfff"
    with pytest.raises(LayoutError, match="name: contains a lone surrogate"):
        save_layout(lay, tmp_path / "out.json")
    assert not list(tmp_path.iterdir())


def test_text_length_limits():
    doc = base()
    doc["name"] = "n" * 201
    doc["description"] = "d" * 20_001
    assert _problems(json.dumps(doc)) == [
        ("name", "found text of 201 characters, expected at most 200"),
        ("description", "found text of 20,001 characters, expected at most 20,000")]


def test_special_and_oversized_files_are_refused_before_reading(tmp_path):
    fifo = tmp_path / "f.json"
    os.mkfifo(fifo)
    for path, words in ((fifo, "named pipe"), ("/dev/zero", "character device")):
        start = time.monotonic()
        with pytest.raises(LayoutError, match=words):
            load_layout(path)
        assert time.monotonic() - start < 1
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(LayoutError, match=r"above the limit of 100\.0 MiB"):
        load_layout(big)


def test_absurd_ranges_are_refused():
    from tests.hostile.cases import ROOT
    doc = json.loads((ROOT / "layouts" / "gb200-pod.json").read_text())
    doc["cdus"][0]["failed_pumps"] = 3
    assert _problems(json.dumps(doc)) == [
        ("cdus[0].failed_pumps", f"found 3, expected at most 2: model "
         f"{doc['cdus'][0]['model']!r} has 2 pumps")]
    doc = base()
    next(p for p in doc["power"] if p["kind"] == "pdu")["rating_kw"] = 1e-9
    assert [m for _p, m in _problems(json.dumps(doc))] == [
        "found 1e-09, expected a finite number >= 1 and <= 1e+06"]


def test_the_air_grid_budget_names_cells_and_memory():
    from twin.physics.air.grid import GridTooLarge, make_grid
    from twin.physics.air.scene import Hall, SolverSettings
    # the budget's memory by hand: 3,000,000 cells x 1,200 bytes = 3.6e9 bytes = 3.6 GB
    with pytest.raises(GridTooLarge, match=r"cells .* need about [0-9.]+ GB; the solver's "
                                           r"budget is 3,000,000 cells \(about 3\.6 GB\)"):
        make_grid(Hall(100, 100, 5), SolverSettings(cell_m=0.1))
    doc = base()
    doc["hall"].update(width_m=400, length_m=400, ceiling_height_m=20)
    [(path, message)] = _problems(json.dumps(doc))
    assert path == "hall" and message.startswith(
        "the air grid of the 400 x 400 x 20 m hall would have 19,575,116 cells (667 x 667 x 44) "
        "and need about 23.5 GB")


def test_overlaps_scale_and_are_capped():
    n = 100_000
    b = np.column_stack([np.full(n, 2.7), np.full(n, 2.4), np.full(n, 3.3), np.full(n, 3.6)])
    start = time.monotonic()
    scan = geometry.overlap_scan(b, limit=200)
    assert time.monotonic() - start < 5
    assert len(scan.pairs) == 200 and not scan.complete and scan.overlapping.all()


@pytest.mark.parametrize("seed", range(20))
def test_overlap_scan_matches_the_sweep(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 80))
    w, d = rng.choice([0.6, 0.8, 1.2], n), rng.choice([1.0, 1.2], n)
    x, y = rng.uniform(0, 8, n).round(1), rng.uniform(0, 8, n).round(1)
    if seed % 2:
        x[: n // 3], y[: n // 3] = 3.0, 3.0
    b = np.column_stack([x - w / 2, y - d / 2, x + w / 2, y + d / 2])
    assert geometry.overlapping_pairs(b) == geometry._sweep_pairs(b, 1e-6)


def test_validate_output_is_capped(tmp_path, capsys):
    doc = base()
    doc["racks"] = [{"id": f"R{i}", "model": "nope", "position_m": [3, 3]} for i in range(500)]
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(doc))
    assert main(["validate", str(f)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 51 and out[-1] == f"{f}: ... and 450 more problems (450 errors) not listed"


def test_info_strips_control_characters(tmp_path, capsys):
    doc = base()
    doc["name"] = "a\x1b]0;t\x07b\x00c\x9b"
    f = tmp_path / "c.json"
    f.write_text(json.dumps(doc))
    assert main(["info", str(f)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("a]0;tbc  (")


# ----- the one output writer -----------------------------------------------------------
def test_symlinked_target_is_written_through(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and real.read_text() == "new"


def test_mode_and_group_are_kept(tmp_path):
    f = tmp_path / "f.json"
    f.write_text("old")
    os.chmod(f, 0o640)
    gid = f.stat().st_gid
    write_atomic(f, b"new")
    assert (f.stat().st_mode & 0o777, f.stat().st_gid) == (0o640, gid)


def test_stale_temporaries_are_cleaned_on_the_next_save(tmp_path):
    f = tmp_path / "f.json"
    stale, fresh, other = (tmp_path / ".f.json.abcd1234.tmp", tmp_path / ".f.json.efgh5678.tmp",
                           tmp_path / ".g.json.abcd1234.tmp")
    for p in (stale, fresh, other):
        p.write_text("partial")
    os.utime(stale, (time.time() - 3600,) * 2)
    os.utime(other, (time.time() - 3600,) * 2)
    write_atomic(f, b"x")
    assert not stale.exists() and fresh.exists() and other.exists()


def test_planted_links_at_temporary_names_are_never_followed(tmp_path):
    from twin.report.output import check_writable, write_export
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in (".out.png.probe", ".out.png.tmp", ".out.json.tmp", ".out.json.probe"):
        (tmp_path / name).symlink_to(victim)
    check_writable(tmp_path / "out.png")
    write_export(tmp_path / "out.png", b"png")
    write_atomic(tmp_path / "out.json", b"{}")
    assert victim.read_text() == "precious"
    assert all((tmp_path / n).is_symlink() for n in (".out.png.probe", ".out.json.tmp"))


def test_simulate_out_through_planted_links(tmp_path):
    from tests.conftest import LAYOUTS
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / ".r.json.tmp").symlink_to(victim)
    (tmp_path / ".r.json.probe").symlink_to(victim)
    assert main(["simulate", str(LAYOUTS / "small-room.json"), "--json",
                 "--out", str(tmp_path / "r.json")]) == 0
    assert victim.read_text() == "precious" and json.loads((tmp_path / "r.json").read_text())


def test_report_text_is_plain_not_html():
    pytest.importorskip("PySide6")
    from twin.report.pdf.blocks import plain_html
    from twin.report.pdf.titlepage import Banner
    b = Banner("Design review", "<i>t</i>", '<img src="/etc/secret.png"><h1>x</h1>\nline 2')
    assert "<img" not in b._sub.html and "&lt;img src=" in b._sub.html
    assert plain_html("a\nb\x1b") == "a<br>b"


# ----- fuzz: the CLI commands over mutated samples --------------------------------------
HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(-10**30, 10**30), st.just(10**400),
    st.floats(allow_nan=False, allow_infinity=False), st.just(1e-9),
    st.text(max_size=6), st.just("\ud800"), st.just("\x1b[2J\x00"), st.just("<img src='/x'>"),
    st.lists(st.integers(-5, 5), max_size=3), st.just({}))
KEYS = [("hall", "width_m"), ("hall", "ceiling_height_m"), ("hall", "name"), ("name",),
        ("racks", 0, "position_m"), ("racks", 0, "rotation_deg"), ("racks", 0, "id"),
        ("racks", 0, "model"), ("cooling_units", 0, "capacity_kw"), ("power", 1, "rating_kw"),
        ("version",), ("racks", 1), ("description",)]


@settings(max_examples=6, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(st.tuples(st.sampled_from(KEYS), HOSTILE), min_size=1, max_size=3),
       dup=st.booleans())
def test_fuzz_cli_commands(tmp_path, capsys, mutations, dup):
    doc = base()
    for path, value in mutations:
        node = doc
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
    text = json.dumps(doc)
    if dup:
        text = text[:-1] + ', "hall": {}}'
    f = tmp_path / "fuzz.json"
    f.write_bytes(text.encode("utf-8", "surrogatepass"))
    for command in (["validate"], ["info"], ["info", "--json"], ["simulate"]):
        args = [command[0], str(f), *command[1:]]
        assert main(args) in (0, 1)
        captured = capsys.readouterr()
        assert "\x1b" not in captured.out
