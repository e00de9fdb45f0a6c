"""DXF floor plans: reading a drawing written here with ezdxf (units, flattening, blocks,
texts, layers), bad files as one-line errors, the underlay transform and its two-point fit
on hand-worked points, and the DXF export of the GB200 pod read back with ezdxf."""

from __future__ import annotations

import math
from pathlib import Path

import ezdxf
import numpy as np
import pytest

from twin.interchange import dxf_read
from twin.interchange.dxf_read import DrawingError, read_drawing
from twin.interchange.dxf_write import DxfWriteError, block_name, rack_kw, write_dxf
from twin.interchange.rows import rack_rows
from twin.interchange.underlay import (
    UnderlayFitError, apply_underlay, fitted, invert_underlay, rebased_path, resolved_path,
    stored_path,
    two_point_fit, underlay_matrix,
)
from twin.io import load_layout
from twin.model.equipment import Underlay

ROOT = Path(__file__).resolve().parents[2]
POD = ROOT / "layouts" / "gb200-pod.json"


def make_plan(path: Path, insunits: int | None = 4) -> Path:
    """A 12 x 8 m room in millimetres: walls (a line and a closed rectangle) on WALLS, an
    arc and two inserts of a two-line block on FURN, a text and an MTEXT."""
    doc = ezdxf.new("R2013")
    if insunits is None:
        doc.header["$INSUNITS"] = 0
    else:
        doc.units = insunits
    doc.layers.add("WALLS", color=1)
    doc.layers.add("FURN", color=3)
    msp = doc.modelspace()
    msp.add_line((0, 0), (12000, 0), dxfattribs={"layer": "WALLS"})
    msp.add_lwpolyline([(0, 0), (12000, 0), (12000, 8000), (0, 8000)], close=True,
                       dxfattribs={"layer": "WALLS"})
    msp.add_arc((6000, 4000), 1000, 0, 90, dxfattribs={"layer": "FURN"})
    desk = doc.blocks.new("DESK")
    desk.add_line((0, 0), (1000, 0))          # on layer 0: takes the insert's layer
    desk.add_line((0, 0), (0, 500))
    msp.add_blockref("DESK", (2000, 3000), dxfattribs={"layer": "FURN"})
    msp.add_blockref("DESK", (9000, 6000), dxfattribs={"layer": "FURN", "rotation": 90})
    msp.add_text("Hall A", height=250, dxfattribs={"layer": "WALLS"}).set_placement((500, 7000))
    msp.add_mtext("CRAH\\Pzone", dxfattribs={"layer": "FURN", "char_height": 200,
                                            "insert": (10000, 1000)})
    doc.saveas(path)
    return path


@pytest.fixture
def plan(tmp_path) -> Path:
    return make_plan(tmp_path / "plan.dxf")


# ----- reading ------------------------------------------------------------------------------
def test_reads_units_segments_extents_layers_and_texts(plan):
    d = read_drawing(plan)
    assert d.unit_factor_m == 0.001 and d.units == "mm"
    assert d.version.startswith("AC1027")
    assert d.extents_m == pytest.approx((0.0, 0.0, 12.0, 8.0))
    walls, furn = d.layer("WALLS"), d.layer("FURN")
    # walls: the line and the closed rectangle's 4 sides
    assert len(walls) == 5
    # the arc: r = 1 m, 90 deg, chords with a sagitta under 5 mm:
    # step 2 acos(1 - 0.005) = 0.2000 rad -> ceil(1.5708 / 0.2000) = 8 chords; 2 desks x 2 lines
    assert len(furn) == 8 + 4
    assert d.n_segments == 17 and d.segments_m().shape == (17, 2, 2)
    assert walls.colour_rgb == (255, 0, 0) and furn.colour_rgb == (0, 255, 0)
    assert d.notes == ()
    np.testing.assert_allclose(walls.segments_m[0], [[0, 0], [12, 0]])


def test_curves_flattened_within_tolerance(plan):
    furn = read_drawing(plan).layer("FURN").segments_m
    arc = furn[:8]
    ends = arc.reshape(-1, 2)
    r = np.hypot(ends[:, 0] - 6.0, ends[:, 1] - 4.0)
    np.testing.assert_allclose(r, 1.0, atol=1e-12)          # chord ends on the arc
    mid = arc.mean(axis=1)
    sagitta = 1.0 - np.hypot(mid[:, 0] - 6.0, mid[:, 1] - 4.0)
    assert sagitta.max() <= dxf_read.FLATTEN_TOL_M
    np.testing.assert_allclose(arc[0, 0], [7, 4], atol=1e-12)
    np.testing.assert_allclose(arc[-1, 1], [6, 5], atol=1e-12)


def test_block_references_exploded_with_their_transform(plan):
    furn = read_drawing(plan).layer("FURN").segments_m[8:]
    # DESK at (2, 3) m, then at (9, 6) m turned 90 deg: its x axis points north
    np.testing.assert_allclose(furn[0], [[2, 3], [3, 3]], atol=1e-12)
    np.testing.assert_allclose(furn[1], [[2, 3], [2, 3.5]], atol=1e-12)
    np.testing.assert_allclose(furn[2], [[9, 6], [9, 7]], atol=1e-12)
    np.testing.assert_allclose(furn[3], [[9, 6], [8.5, 6]], atol=1e-12)


def test_texts_in_metres(plan):
    texts = {t.text: t for t in read_drawing(plan).texts}
    hall = texts["Hall A"]
    assert (hall.layer, hall.x_m, hall.y_m, hall.height_m) == ("WALLS", 0.5, 7.0, 0.25)
    crah = texts["CRAH\nzone"]
    assert (crah.layer, crah.x_m, crah.y_m, crah.height_m) == ("FURN", 10.0, 1.0, 0.2)
    assert (crah.halign, crah.valign) == (0, 3)           # MTEXT: top left


def test_unitless_drawing_assumes_millimetres_when_large(tmp_path):
    d = read_drawing(make_plan(tmp_path / "nounits.dxf", insunits=None))
    assert d.unit_factor_m == 0.001 and "assumed" in d.units
    assert any("millimetres assumed" in n for n in d.notes)
    assert d.extents_m == pytest.approx((0, 0, 12, 8))


def test_unitless_small_drawing_is_metres(tmp_path):
    doc = ezdxf.new("R2013")
    doc.header["$INSUNITS"] = 0
    doc.modelspace().add_line((0, 0), (30, 20))
    doc.saveas(tmp_path / "m.dxf")
    d = read_drawing(tmp_path / "m.dxf")
    assert d.unit_factor_m == 1.0 and any("metres assumed" in n for n in d.notes)


def test_feet(tmp_path):
    d = read_drawing(make_plan(tmp_path / "ft.dxf", insunits=2))
    assert d.units == "ft" and d.unit_factor_m == 0.3048
    assert d.extents_m == pytest.approx((0, 0, 12000 * 0.3048, 8000 * 0.3048))


def test_binary_dxf(tmp_path, plan):
    doc = ezdxf.readfile(plan)
    doc.saveas(tmp_path / "bin.dxf", fmt="bin")
    assert read_drawing(tmp_path / "bin.dxf").n_segments == 17


def test_nested_blocks_layer_zero_and_minsert(tmp_path):
    doc = ezdxf.new("R2013")
    doc.units = 6
    inner = doc.blocks.new("INNER")
    inner.add_line((0, 0), (1, 0))
    outer = doc.blocks.new("OUTER")
    outer.add_blockref("INNER", (10, 0))
    outer.add_line((0, 0), (0, 1), dxfattribs={"layer": "FIXED"})
    msp = doc.modelspace()
    msp.add_blockref("OUTER", (100, 100), dxfattribs={"layer": "L1", "xscale": 2, "yscale": 2})
    grid = msp.add_blockref("INNER", (0, 50), dxfattribs={"layer": "L2"})
    grid.dxf.row_count, grid.dxf.column_count = 2, 3
    grid.dxf.row_spacing, grid.dxf.column_spacing = 10, 20
    doc.saveas(tmp_path / "nested.dxf")
    d = read_drawing(tmp_path / "nested.dxf")
    np.testing.assert_allclose(d.layer("L1").segments_m, [[[120, 100], [122, 100]]])
    np.testing.assert_allclose(d.layer("FIXED").segments_m, [[[100, 100], [100, 102]]])
    starts = sorted(map(tuple, d.layer("L2").segments_m[:, 0].tolist()))
    assert starts == [(0, 50), (0, 60), (20, 50), (20, 60), (40, 50), (40, 60)]


def _one_line_error(path: Path) -> str:
    with pytest.raises(DrawingError) as info:
        read_drawing(path)
    text = str(info.value)
    assert text.startswith(str(path) + ": ") and "\n" not in text and "Traceback" not in text
    assert info.value.file == str(path)
    return info.value.message


def test_bad_files_are_one_line_errors_naming_the_file(tmp_path, plan):
    data = plan.read_bytes()
    cases = {
        "empty.dxf": (b"", "empty"),
        "binary.dxf": (bytes(range(256)) * 40, "binary data"),
        "truncated.dxf": (data[: len(data) // 2], "truncated"),
        "text.dxf": (b"Room schedule\nR01 R02\n", "not a DXF"),
        "drawing.dxf": (b"AC1032\x00\x00\x00\x1e" + bytes(200), "DWG"),
        "version.dxf": (data.replace(b"AC1027", b"XY9999"), "unknown DXF version"),
        "utf16.dxf": (data.decode("utf-8").encode("utf-16"), "UTF-16"),
    }
    for name, (content, expected) in cases.items():
        p = tmp_path / name
        p.write_bytes(content)
        assert expected in _one_line_error(p), name
    assert "no such file" in _one_line_error(tmp_path / "missing.dxf")
    assert "folder" in _one_line_error(tmp_path)


def test_damaged_file_is_repaired_with_a_note(tmp_path, plan):
    data = plan.read_bytes()
    i = data.find(b"ENDSEC")                   # the header section loses its end
    p = tmp_path / "damaged.dxf"
    p.write_bytes(data[: i - 4] + data[i + 8:])
    d = read_drawing(p)
    assert d.n_segments == 17 and any("damaged" in n for n in d.notes)


def test_wrong_encoding_texts_are_read(tmp_path, plan):
    data = plan.read_bytes().replace(b"Hall A", "Salle \xe9t\xe9".encode("cp1252"))
    p = tmp_path / "latin.dxf"
    p.write_bytes(data)
    d = read_drawing(p)
    assert "Salle été" in [t.text for t in d.texts]
    assert any("cp1252" in n for n in d.notes)


def test_a_bad_entity_is_skipped_and_named(tmp_path, plan):
    doc = ezdxf.readfile(plan)
    ref = doc.modelspace().query("INSERT")[0]
    handle = ref.dxf.handle
    doc.saveas(tmp_path / "tmp.dxf")
    text = (tmp_path / "tmp.dxf").read_text()
    # the first insert names a block that does not exist
    p = tmp_path / "dangling.dxf"
    ref_tags = "AcDbBlockReference\n  2\nDESK\n"
    p.write_text(text.replace(ref_tags, ref_tags.replace("DESK", "NOSUCH"), 1))
    d = read_drawing(p)
    assert len(d.layer("FURN")) == 8 + 2
    assert any(f"INSERT #{handle}" in n and "NOSUCH" in n for n in d.notes)


def test_nothing_in_model_space_is_an_error(tmp_path):
    doc = ezdxf.new("R2013")
    doc.saveas(tmp_path / "blank.dxf")
    assert "nothing to show" in _one_line_error(tmp_path / "blank.dxf")


def test_caps_on_size_and_segments(tmp_path, plan, monkeypatch):
    monkeypatch.setattr(dxf_read, "MAX_SEGMENTS", 10)
    message = _one_line_error(plan)
    assert "more than 10 line segments" in message and "ARC #" in message
    monkeypatch.setattr(dxf_read, "MAX_FILE_BYTES", 1000)
    assert "MiB" in _one_line_error(plan)


# ----- the underlay transform ---------------------------------------------------------------
def test_two_point_fit_hand_worked():
    # drawing (0, 0) and (1000, 0) mm = (0, 0), (1, 0) drawing metres -> hall (2, 3), (2, 4)
    assert two_point_fit((0.0, 0.0), (1.0, 0.0), (2.0, 3.0), (2.0, 4.0)) == (1.0, 90.0, 2.0, 3.0)
    # k = (hb - ha) / (db - da) = -2i / 20 = -0.1i: scale 0.1, -90 deg;
    # t = ha - k da = (1 + i) - (-0.1i)(10 + 20i) = (1 + i) - (2 - i) = -1 + 2i
    assert two_point_fit((10.0, 20.0), (30.0, 20.0), (1.0, 1.0), (1.0, -1.0)) == \
        (0.1, -90.0, -1.0, 2.0)
    # a half turn is +180, never -180
    assert two_point_fit((0, 0), (1, 0), (0, 0), (-1, 0))[1] == 180.0


def test_two_point_fit_asymmetric_case_places_every_point():
    u = Underlay(scale=0.025, rotation_deg=-30.0, offset_x_m=5.5, offset_y_m=-2.25)
    da, db, dc = (3.0, 7.0), (41.0, -12.5), (-8.0, 22.0)
    ha, hb, hc = apply_underlay(u, np.array([da, db, dc]))
    scale, rot, ox, oy = two_point_fit(da, db, tuple(ha), tuple(hb))
    assert (scale, rot, ox, oy) == pytest.approx((0.025, -30.0, 5.5, -2.25), abs=1e-12)
    fit = fitted(Underlay(path="x.dxf"), da, db, tuple(ha), tuple(hb))
    assert fit.path == "x.dxf"
    np.testing.assert_allclose(apply_underlay(fit, np.array(dc)), hc, atol=1e-12)


def test_two_point_fit_refuses_coinciding_points():
    with pytest.raises(UnderlayFitError, match="drawing points coincide"):
        two_point_fit((1, 1), (1, 1), (0, 0), (1, 0))
    with pytest.raises(UnderlayFitError, match="hall points coincide"):
        two_point_fit((0, 0), (1, 0), (2, 2), (2, 2))
    with pytest.raises(UnderlayFitError, match="km"):
        two_point_fit((500000, 200000), (500010, 200000), (0, 0), (10, 0))


def test_matrix_apply_and_inverse():
    u = Underlay(scale=2.0, rotation_deg=90.0, offset_x_m=1.0, offset_y_m=-1.0)
    np.testing.assert_allclose(underlay_matrix(u), [[0, -2, 1], [2, 0, -1], [0, 0, 1]],
                               atol=1e-15)
    np.testing.assert_allclose(apply_underlay(u, np.array([1.0, 0.0])), [1, 1], atol=1e-15)
    pts = np.array([[0.3, -4.0], [12.0, 5.5]])
    np.testing.assert_allclose(invert_underlay(u, apply_underlay(u, pts)), pts, atol=1e-12)


def test_stored_path_relative_when_near(tmp_path):
    layout = tmp_path / "a" / "b" / "hall.json"
    assert stored_path(tmp_path / "a" / "b" / "plans" / "p.dxf", layout) == "plans/p.dxf"
    assert stored_path(tmp_path / "a" / "p.dxf", layout) == "../p.dxf"
    far = tmp_path / "p.dxf"
    assert stored_path(tmp_path / "x" / "p.dxf", tmp_path / "a" / "b" / "c" / "h.json") == \
        (tmp_path / "x" / "p.dxf").as_posix()
    assert stored_path(far, None) == far.as_posix()
    assert resolved_path("../p.dxf", layout) == tmp_path / "a" / "p.dxf"
    assert resolved_path(far.as_posix(), layout) == far
    assert resolved_path("", layout) is None
    # Save As into a sibling folder: the same drawing, seen from there
    assert rebased_path("plans/p.dxf", layout, tmp_path / "a" / "c" / "hall.json") == \
        "../b/plans/p.dxf"
    assert rebased_path(far.as_posix(), layout, tmp_path / "z.json") == far.as_posix()


# ----- the export ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pod():
    return load_layout(POD)


def test_export_racks_as_block_references(pod, tmp_path):
    out = tmp_path / "pod.dxf"
    s = write_dxf(pod, out)
    doc = ezdxf.readfile(out)
    assert doc.header["$INSUNITS"] == 6 and doc.dxfversion in ("AC1027", "AC1032")
    msp = doc.modelspace()
    inserts = msp.query("INSERT")
    r = pod.racks
    assert len(inserts) == len(r) == s.racks == 20
    assert all(i.dxf.layer == "TWIN-RACKS" for i in inserts)
    kw = rack_kw(pod)
    assert np.isfinite(kw).all()
    for ref, rid, model, x, y, rot, k in zip(inserts, r.ids, r["model"], r["x_m"], r["y_m"],
                                              r["rotation_deg"], kw):
        attrs = {a.dxf.tag: a.dxf.text for a in ref.attribs}
        assert attrs == {"ID": rid, "MODEL": model, "KW": f"{k:.1f}"}
        assert ref.dxf.name == block_name(model)
        assert (ref.dxf.insert.x, ref.dxf.insert.y) == (x, y)
        assert ref.dxf.rotation == rot
    blocks = {b.name for b in doc.blocks if not b.name.startswith("*")}
    assert blocks == {block_name(m) for m in set(r["model"])} and s.blocks == len(blocks)
    layers = {layer.dxf.name for layer in doc.layers}
    assert {"TWIN-RACKS", "TWIN-ROWS", "TWIN-COOLING", "TWIN-CDUS", "TWIN-TILES",
            "TWIN-CONTAINMENT", "TWIN-HALL", "TWIN-TEXT"} <= layers
    rows = msp.query('LWPOLYLINE[layer=="TWIN-ROWS"]')
    assert len(rows) == len(rack_rows(pod)) == s.rows == 2
    hall = msp.query('LWPOLYLINE[layer=="TWIN-HALL"]')[0]
    assert [tuple(p) for p in hall.get_points("xy")] == [(0, 0), (14.4, 0), (14.4, 10.8), (0, 10.8)]
    units = [u for u in pod.cooling_units.values() if u.location == "hall" and not u.rack]
    assert len(msp.query('LWPOLYLINE[layer=="TWIN-COOLING"]')) == len(units) == s.cooling_units
    assert len(msp.query('LWPOLYLINE[layer=="TWIN-CDUS"]')) == len(pod.cdus) == s.cdus
    assert len(msp.query('LWPOLYLINE[layer=="TWIN-CONTAINMENT"]')) == len(pod.containment)
    assert not list(tmp_path.glob(".*.tmp"))
    assert s.bytes == out.stat().st_size


def test_export_footprints_match_the_plan(pod, tmp_path):
    """The exported racks, read back as an underlay, draw each rack's plan rectangle."""
    write_dxf(pod, tmp_path / "pod.dxf")
    d = read_drawing(tmp_path / "pod.dxf")
    assert d.unit_factor_m == 1.0 and d.units == "m"
    racks = d.layer("TWIN-RACKS").segments_m.reshape(len(pod.racks), -1, 2, 2)
    bounds = pod.rack_bounds_m()
    for k in range(len(pod.racks)):
        pts = racks[k].reshape(-1, 2)
        np.testing.assert_allclose([pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(),
                                    pts[:, 1].max()], bounds[k], atol=1e-9)


def test_export_with_results(pod, tmp_path):
    from twin.engine.simulate import simulate
    result = simulate(pod)
    s = write_dxf(pod, tmp_path / "r.dxf", result)
    assert s.results
    inserts = ezdxf.readfile(tmp_path / "r.dxf").modelspace().query("INSERT")
    for k, ref in enumerate(inserts):
        attrs = {a.dxf.tag: a.dxf.text for a in ref.attribs}
        assert attrs["KW"] == f"{result.rack_power_kw[k]:.1f}"
        assert attrs["INLET_C"] == f"{result.air.rack_inlet_mean_c[k]:.1f}"


def test_export_to_an_unwritable_path_leaves_nothing(pod, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    for target in (blocker / "plan.dxf", tmp_path / "missing" / "plan.dxf", tmp_path):
        with pytest.raises(DxfWriteError) as info:
            write_dxf(pod, target)
        assert str(target) in str(info.value) and "\n" not in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_export_hyperscale_hall(tmp_path):
    hall = load_layout(ROOT / "layouts" / "hyperscale-hall.json")
    s = write_dxf(hall, tmp_path / "hall.dxf")
    assert s.racks == 1440 and s.rows == len(rack_rows(hall))
    assert math.isclose(read_drawing(tmp_path / "hall.dxf").extents_m[2], hall.hall.width_m)
