"""Vertical slices and the iso-surface of the air field (``twin.engine.slices``): slices
against the field's own cell values, the iso-surface against an analytic sphere and
against a solved room's field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.ndimage import map_coordinates

from twin.engine import layers, slices
from twin.engine.simulate import simulate
from twin.io import load_layout
from twin.model.viewstate import colormap_rgba

LAYOUTS = Path(__file__).resolve().parents[1] / "layouts"


@pytest.fixture(scope="module")
def pod():
    lay = load_layout(LAYOUTS / "gb200-pod.json")
    return lay, simulate(lay).air


def _scale():
    lo, hi, cmap = layers.temperature_scale("A1")
    return (lo, hi), cmap


def test_x_slice_at_a_cell_centre_is_that_column_of_the_field(pod):
    _lay, air = pod
    i = 20
    t = air.temperature_c[:, :, i]
    got = slices.section_c(air, "x", float(air.x_m[i]))
    assert got.shape == (air.grid.nz, air.grid.ny)
    air_cells = np.isfinite(t)
    assert air_cells.mean() > 0.5
    np.testing.assert_allclose(got[air_cells], t[air_cells], atol=1e-9)
    # blocked cells (inside racks) take the value of the nearest air cell, never a hole
    assert np.isfinite(got).all()
    assert got.min() >= np.nanmin(t) - 1e-9 and got.max() <= np.nanmax(t) + 1e-9


def test_slices_between_cell_centres_interpolate_linearly(pod):
    _lay, air = pod
    j = 16
    y = float(air.y_m[j] + 0.25 * air.grid.dx)
    a, b = air.temperature_c[:, j, :], air.temperature_c[:, j + 1, :]
    both = np.isfinite(a) & np.isfinite(b)
    got = slices.section_c(air, "y", y)
    assert got.shape == (air.grid.nz, air.grid.nx)
    np.testing.assert_allclose(got[both], (0.75 * a + 0.25 * b)[both], atol=1e-9)
    # a blocked cell borrows the other column
    only_b = ~np.isfinite(a) & np.isfinite(b)
    np.testing.assert_allclose(got[only_b], b[only_b], atol=1e-9)
    # outside the cell centres the slice is clamped to the wall column
    np.testing.assert_allclose(slices.section_c(air, "x", -5.0),
                               slices.section_c(air, "x", float(air.x_m[0])))


def test_vertical_slice_image_is_the_smoothed_section_on_the_scale(pod):
    _lay, air = pod
    levels, cmap = _scale()
    x = float(air.x_m[25])
    sl = slices.vertical_slice(air, "x", x, levels, cmap)
    g = air.grid
    raw = slices.section_c(air, "x", x)
    f = sl.temperature_c.shape[0] // raw.shape[0]
    assert f >= 2 and sl.temperature_c.shape == (raw.shape[0] * f, raw.shape[1] * f)
    assert sl.extent == (0.0, 0.0, g.ny * g.dx, g.nz * g.dz)
    # each block of f x f pixels surrounds its cell centre: its mean is the cell's value
    # to within the bilinear blend with the neighbours
    blocks = sl.temperature_c.reshape(raw.shape[0], f, raw.shape[1], f).mean(axis=(1, 3))
    spread = np.abs(np.diff(raw, axis=1)).max()
    assert np.abs(blocks - raw).max() <= spread
    assert np.abs(blocks - raw).mean() < 0.1 * spread
    # colours are the scale's colours of the pixel temperatures
    want = colormap_rgba(sl.temperature_c.ravel(), *levels, cmap)[:, :3]
    got = sl.rgba.reshape(-1, 4)[:, :3] / 255.0
    assert np.abs(got - want).max() <= 1 / 255 + 1e-9
    assert (sl.rgba[..., 3] == round(slices.SLICE_ALPHA * 255)).all() or \
        (sl.rgba[..., 3] == int(slices.SLICE_ALPHA * 255)).all()
    assert sl.label == f"x = {x:.2f} m"


def test_slice_across_the_rows_shows_the_hot_aisle_hotter_than_the_cold_aisle(pod):
    lay, air = pod
    r = lay.racks
    rows = np.unique(np.round(r["y_m"], 2))
    assert len(rows) == 2                       # two rows facing away: a hot aisle between
    sec = slices.section_c(air, "x", float(np.median(r["x_m"])))
    z = int(np.searchsorted(air.z_m, 1.0))
    hot_y = rows.mean()
    cold_y = rows.min() - 1.2
    j_hot, j_cold = (int(v / air.grid.dx) for v in (hot_y, cold_y))
    assert sec[z, j_hot] > sec[z, j_cold] + 4.0


def test_iso_surface_of_a_radial_field_is_a_closed_sphere():
    n, centre, radius = 36, np.array([17.3, 18.1, 16.6]), 10.0
    k, j, i = np.meshgrid(*(np.arange(n),) * 3, indexing="ij")
    dist = np.sqrt((k - centre[0]) ** 2 + (j - centre[1]) ** 2 + (i - centre[2]) ** 2)
    # "hot" inside: the field is highest at the centre
    verts, faces = slices.marching_tetrahedra(-dist, -radius)
    assert len(faces) > 1000
    r = np.linalg.norm(verts - centre, axis=1)
    assert np.abs(r - radius).max() < 0.06          # a chord error of the 1-cell grid
    # watertight: every edge is shared by exactly two triangles
    e = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), 1)
    _u, counts = np.unique(e, axis=0, return_counts=True)
    assert (counts == 2).all()
    # wound with the normal towards lower values: outwards
    v = verts[:, ::-1]
    nrm = np.cross(v[faces[:, 1]] - v[faces[:, 0]], v[faces[:, 2]] - v[faces[:, 0]])
    out = v[faces].mean(axis=1) - centre[::-1]
    assert ((nrm * out).sum(axis=1) > 0).all()
    # the enclosed volume (divergence theorem) is the sphere's, to the grid's error
    vol = np.einsum("ij,ij->i", v[faces[:, 0]], np.cross(v[faces[:, 1]], v[faces[:, 2]]))
    assert vol.sum() / 6 == pytest.approx(4 / 3 * np.pi * radius ** 3, rel=0.02)


def test_iso_surface_of_a_field_that_never_reaches_the_value_is_empty(pod):
    _lay, air = pod
    iso = slices.iso_surface(air, 80.0)
    assert iso.empty and iso.vertices_m.shape == (0, 3)
    sec = slices.sections(air, slices.SectionRequest(None, None, 80.0, *_scale()))
    assert sec.slices == () and sec.iso is not None and sec.iso.empty
    assert sec.field_range_c[1] == pytest.approx(np.nanmax(air.temperature_c))


def test_iso_surface_of_a_solved_room_lies_where_the_field_crosses_the_value(pod):
    _lay, air = pod
    value = slices.allowable_c("A1") - 4.0         # 28 °C: the hot aisle's plume
    assert slices.allowable_c("A1") == 32.0
    iso = slices.iso_surface(air, value)
    assert len(iso.faces) > 200
    g = air.grid
    field = layers.fill_blocked_cells(air.temperature_c)
    idx = np.stack([iso.vertices_m[:, 2] / g.dz - 0.5, iso.vertices_m[:, 1] / g.dx - 0.5,
                    iso.vertices_m[:, 0] / g.dx - 0.5])
    # every vertex lies on a segment between two corners of its cell (an edge, a face
    # diagonal or the main diagonal) whose values bracket the value, where the linear
    # interpolation along that segment is exactly the value
    lo = np.clip(np.floor(idx + 1e-9).astype(int), 0, np.array(field.shape)[:, None] - 2)
    offsets = np.array(list(np.ndindex(2, 2, 2)))
    pts = lo[None] + offsets[:, :, None]                              # (8, 3, n)
    vals = np.stack([field[tuple(p)] for p in pts])                   # (8, n)
    on_segment = np.zeros(idx.shape[1], bool)
    for a_, b_ in ((a_, b_) for a_ in range(8) for b_ in range(a_ + 1, 8)):
        d = pts[b_] - pts[a_]
        t = ((idx - pts[a_]) * d).sum(axis=0) / (d * d).sum(axis=0)
        off = np.linalg.norm(idx - (pts[a_] + t * d), axis=0)
        fa, fb = vals[a_], vals[b_]
        bracket = (np.minimum(fa, fb) <= value) & (np.maximum(fa, fb) >= value)
        exact = np.abs(fa + t * (fb - fa) - value) < 1e-3    # (float32 vertices)
        on_segment |= (off < 1e-4) & (t >= -1e-4) & (t <= 1 + 1e-4) & bracket & exact
    assert on_segment.all()
    # the field interpolated trilinearly there is close to the value (exact on cell
    # edges; off by the field's curvature on the diagonals)
    at = map_coordinates(field, idx, order=1)
    step = np.abs(np.diff(field, axis=2)).max()
    assert np.median(np.abs(at - value)) < 0.02 * step
    # it reaches every cell the field crosses the value in: each has a vertex in its
    # closed box (a vertex on a shared face or edge belongs to all the cells around it)
    cut = (np.stack([field[c[0]:g.nz - 1 + c[0], c[1]:g.ny - 1 + c[1], c[2]:g.nx - 1 + c[2]]
                     > value for c in np.ndindex(2, 2, 2)]).sum(axis=0) % 8) != 0
    near = np.stack([np.floor(idx + 1e-6), np.ceil(idx - 1e-6) - 1]).astype(int)
    touched = {tuple(near[pick, a, v] for a, pick in enumerate(choice))
               for v in range(idx.shape[1]) for choice in np.ndindex(2, 2, 2)}
    assert {tuple(c) for c in np.argwhere(cut)} <= touched
    # normals point to colder air
    grad = np.stack(np.gradient(field, g.dz, g.dx, g.dx))          # d/dz, d/dy, d/dx
    gi = np.stack([map_coordinates(grad[a], idx, order=1) for a in range(3)])[::-1].T
    assert ((gi * iso.normals).sum(axis=1) < 0).mean() > 0.97


def test_the_tetrahedron_case_table_cuts_every_edge_between_inside_and_outside():
    """Marching tetrahedra's 16 cases by hand: vertex p is inside (above the value) when
    bit p of the code is set. One vertex in (or out) gives one triangle on the three
    edges from it; two in gives the quad on the four edges between them, split in two
    triangles along the diagonal (a, c)-(b, d); none or all in gives nothing."""
    table = slices._tet_table()
    assert len(table) == 16
    assert table[0] == [] and table[15] == []
    assert table[1] == [((0, 1), (0, 2), (0, 3))]                 # vertex 0 alone above
    assert table[8] == [((3, 0), (3, 1), (3, 2))]                 # vertex 3 alone above
    assert table[14] == [((1, 0), (2, 0), (3, 0))]                # all but vertex 0 above
    assert table[7] == [((0, 3), (1, 3), (2, 3))]                 # all but vertex 3 above
    # 0 and 1 above, 2 and 3 below: the quad 0-2, 0-3, 1-3, 1-2
    assert table[3] == [((0, 2), (0, 3), (1, 3)), ((0, 2), (1, 3), (1, 2))]
    for code in range(16):
        ins = {p for p in range(4) if code & (1 << p)}
        crossing = {(p, q) for p in ins for q in set(range(4)) - ins}
        used = {e for tri in table[code] for e in tri}
        assert used == crossing, code
        assert len(table[code]) == {0: 0, 1: 1, 2: 2, 3: 1, 4: 0}[len(ins)], code


def test_marching_tetrahedra_of_nothing_to_cut_gives_empty_index_arrays():
    """A field one cell thin has no cells; a field that never reaches the value cuts
    none: both give (0, 3) vertices and (0, 3) integer faces that index the vertices."""
    thin = np.zeros((1, 4, 4))
    flat = np.full((3, 4, 4), 20.0)
    for field, value in ((thin, 0.5), (flat, 25.0)):
        verts, faces = slices.marching_tetrahedra(field, value)
        assert verts.shape == (0, 3) and faces.shape == (0, 3)
        assert faces.dtype.kind == "i"
        assert verts[faces].shape == (0, 3, 3)


def test_the_iso_surface_of_a_linear_field_is_its_plane():
    """f = i + 2 j + 3 k is linear, so the interpolation along every grid edge is exact:
    every vertex of the surface f = 9.5 lies on that plane, the normals point towards
    lower f (-(1, 2, 3) / sqrt(14)), and the area is the plane's section of the box."""
    n = 6
    k, j, i = np.meshgrid(*(np.arange(n),) * 3, indexing="ij")
    f = i + 2.0 * j + 3.0 * k
    verts, faces = slices.marching_tetrahedra(f, 9.5)
    kk, jj, ii = verts.T
    np.testing.assert_allclose(ii + 2 * jj + 3 * kk, 9.5, atol=1e-12)
    v = verts[:, ::-1]                                            # (i, j, k)
    nrm = np.cross(v[faces[:, 1]] - v[faces[:, 0]], v[faces[:, 2]] - v[faces[:, 0]])
    unit = nrm / np.linalg.norm(nrm, axis=1, keepdims=True)
    np.testing.assert_allclose(unit, np.broadcast_to(-np.array([1, 2, 3]) / np.sqrt(14), unit.shape),
                               atol=1e-9)
    # the plane inside [0, 5]^3 (9.5 < 15, so it cuts only the corner i, j, k >= 0 with
    # i, j, k below 5 where 9.5 - 2 j - 3 k >= 0): its projection on the (j, k) plane is the
    # region 2 j + 3 k <= 9.5 within j, k <= 5 minus where i = 9.5 - 2 j - 3 k > 5;
    # area = projected area * |n| / n_i = projected * sqrt(14)
    def tri_area(a, b):                # area of {x, y >= 0: a x + b y <= c} for c = 1
        return 1 / (2 * a * b)
    proj = 9.5 ** 2 * tri_area(2, 3) - 4.5 ** 2 * tri_area(2, 3)   # i <= 5: 2j + 3k >= 4.5
    area = 0.5 * np.linalg.norm(nrm, axis=1).sum()
    assert area == pytest.approx(proj * np.sqrt(14), rel=1e-9)


def test_a_cancelled_iso_surface_is_empty_with_faces_that_index_its_vertices():
    """Cancelled before it cuts a tetrahedron, the surface of a field it does cut is
    empty: (0, 3) vertices and (0, 3) integer faces, so the caller (the sections worker)
    can still build its normals from them."""
    n = 4
    k, j, i = np.meshgrid(*(np.arange(n),) * 3, indexing="ij")
    f = i + 2.0 * j + 3.0 * k                   # 9.5 cuts it (see the plane test above)
    assert len(slices.marching_tetrahedra(f, 9.5)[1])
    verts, faces = slices.marching_tetrahedra(f, 9.5, cancel=lambda: True)
    assert verts.shape == (0, 3) and faces.shape == (0, 3) and faces.dtype.kind == "i"
    assert verts[faces].shape == (0, 3, 3)
    assert slices.vertex_normals(verts, faces).shape == (0, 3)
