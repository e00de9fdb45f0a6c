"""``BoxesVisual``: many lit boxes in one draw call, with cheap recolouring.

Each box is 8 shared corners (see ``twin.view3d.boxes``). Positions and box frames are
uploaded when geometry changes; the colour buffer and the per-box state buffer
(selected, hovered) are separate vertex buffers, so a recolour uploads colours only.
The fragment shader works out, from the box-local coordinate, which face it is on (the
coordinate that does not vary across the pixel), that face's normal for lighting (key
light, fill light, sky/ground hemisphere), anti-aliased edge lines of constant pixel
width (so racks in a row stay distinct at any zoom) and the dark front band. With
``doors`` (racks) the front (intake) face is a perforated door, its holes fading out
before they are too small to draw, and the back (exhaust) face is dark. Sides darken
towards the floor (ambient occlusion), so rows read as standing on it. A marking code
per box draws its kind's symbol, as on the plan (``twin.view3d.markings``). Selected
boxes get wide bright edges and a lighter body.
"""

from __future__ import annotations

import numpy as np
from vispy import gloo, scene
from vispy.scene.visuals import create_visual_node
from vispy.visuals import Visual

from twin.view3d.boxes import VERTS_PER_BOX, BoxMesh

_VERT = """
attribute vec3 a_position;
attribute vec3 a_local;
attribute vec4 a_frame;      // cos, sin of the rotation; band height and depth fractions
attribute vec4 a_colour;
attribute vec2 a_state;      // x: selected (0/1), y: hovered (0/1)
attribute float a_mark;      // marking of the kind (twin.view3d.markings), 0: none

varying vec3 v_local;
varying vec4 v_frame;
varying vec4 v_colour;
varying vec2 v_state;
varying float v_mark;

void main() {
    v_local = a_local;
    v_frame = a_frame;
    v_colour = a_colour;
    v_state = a_state;
    v_mark = a_mark;
    gl_Position = $transform(vec4(a_position, 1.0));
}
"""

_FRAG = """
varying vec3 v_local;
varying vec4 v_frame;
varying vec4 v_colour;
varying vec2 v_state;
varying float v_mark;

uniform vec3 u_key_dir;
uniform vec3 u_fill_dir;
uniform float u_edge_px;
uniform float u_edge_dark;
uniform float u_band_shade;
uniform vec3 u_select_colour;
uniform float u_door;          // 1: perforated front doors and dark exhausts (racks)

// 0..1 coverage of a line at distance d (local units) with derivative w, ~1.3 px wide
float ink(float d, float w) {
    return 1.0 - smoothstep(0.6, 1.4, abs(d) / max(w, 1e-7));
}

// the kind's marking on the top face (as on the plan) or, for rear doors, louvres
float marking(float code, vec3 l, vec3 w, bool top) {
    float m = 0.0;
    vec2 q = l.xy;
    bool inside = all(greaterThan(q, vec2(0.12))) && all(lessThan(q, vec2(0.88)));
    // a clear band across the middle keeps the label on the top readable
    bool clear = abs(q.y - 0.5) < 0.17;
    if (top && code > 0.5 && code < 1.5 && inside && !clear) {   // CRAH: cross
        m = max(ink(q.x - q.y, w.x + w.y), ink(q.x + q.y - 1.0, w.x + w.y));
    } else if (top && code > 1.5 && code < 2.5 && inside) {   // in-row cooler: fins along y
        m = max(ink(q.x - 0.3, w.x), max(ink(q.x - 0.5, w.x), ink(q.x - 0.7, w.x)));
    } else if (top && code > 6.5 && code < 7.5 && inside) {   // in-row cooler: fins along x
        m = max(ink(q.y - 0.3, w.y), max(ink(q.y - 0.5, w.y), ink(q.y - 0.7, w.y)));
    } else if (top && code > 2.5 && code < 3.5) {             // CDU: pump circle
        vec2 c = q - 0.5;
        m = ink(length(c) - 0.32, max(w.x, w.y));
    } else if (top && code > 3.5 && code < 4.5) {             // tank: inner border
        vec2 e = min(q, 1.0 - q) - 0.12;
        float inner = min(e.x / max(w.x, 1e-7), e.y / max(w.y, 1e-7));
        m = (e.x >= -0.5 * w.x && e.y >= -0.5 * w.y) ? 1.0 - smoothstep(0.6, 1.4, inner) : 0.0;
    } else if (top && code > 4.5 && code < 5.5 && inside && !clear) {   // network: hatching
        float t = fract((q.x + q.y) * 3.0);
        m = ink(min(t, 1.0 - t) / 3.0, (w.x + w.y));
    } else if (!top && code > 5.5 && code < 6.5) {            // rear door: louvres
        float t = fract(l.z * 9.0);
        m = ink(min(t, 1.0 - t) / 9.0, w.z) * step(0.06, l.z) * step(l.z, 0.94);
    }
    return m;
}

void main() {
    vec3 w = fwidth(v_local);
    // the face is where one local coordinate is constant (its derivative ~ 0)
    vec3 n;
    vec3 far = vec3(0.0);
    if (w.z <= w.x && w.z <= w.y) {
        n = vec3(0.0, 0.0, 1.0);
        far.z = 1.0;
    } else if (w.x <= w.y) {
        n = vec3(v_local.x > 0.5 ? 1.0 : -1.0, 0.0, 0.0);
        far.x = 1.0;
    } else {
        n = vec3(0.0, v_local.y > 0.5 ? 1.0 : -1.0, 0.0);
        far.y = 1.0;
    }
    vec3 nw = vec3(v_frame.x * n.x - v_frame.y * n.y, v_frame.y * n.x + v_frame.x * n.y, n.z);
    float key = max(dot(nw, normalize(u_key_dir)), 0.0);
    float fill = max(dot(nw, normalize(u_fill_dir)), 0.0);
    float hemi = 0.5 + 0.5 * nw.z;
    float light = 0.30 + 0.22 * hemi + 0.48 * key + 0.20 * fill;
    vec3 base = v_colour.rgb;
    // front band: along the top of the front face and the front edge of the top face
    if (v_local.y <= v_frame.w && v_local.z >= 1.0 - v_frame.z) {
        base *= u_band_shade;
    }
    bool top = far.z > 0.5;
    if (u_door > 0.5 && far.y > 0.5) {
        if (v_local.y < 0.5) {
            // front (intake): a perforated door, the holes fading out when too small
            vec2 uv = vec2(v_local.x * 9.0, v_local.z * 34.0);
            vec2 g = fract(uv) - 0.5;
            float cell_px = 1.0 / max(max(fwidth(uv.x), fwidth(uv.y)), 1e-7);
            float holes = 1.0 - 0.30 * (1.0 - smoothstep(0.22, 0.32, length(g)));
            base *= mix(0.93, holes, smoothstep(3.0, 7.0, cell_px)) * 1.06;
        } else {
            base *= 0.58;           // back (exhaust): dark
        }
    }
    // ambient occlusion: sides darken towards the floor, so rows stand on it
    if (!top) {
        base *= mix(0.55, 1.0, smoothstep(0.0, 0.22, v_local.z));
    }
    vec3 c = base * light;
    float mk = marking(v_mark, v_local, w, top);
    if (mk > 0.0) {
        float lum = dot(c, vec3(0.299, 0.587, 0.114));
        c = mix(c, lum > 0.55 ? vec3(0.08, 0.10, 0.12) : vec3(0.96, 0.98, 1.0), 0.8 * mk);
    }
    if (v_state.x > 0.5) {
        c = mix(c, vec3(1.0), 0.30);
    } else if (v_state.y > 0.5) {
        c = mix(c, vec3(1.0), 0.15);
    }
    // distance to the face border in pixels (the constant coordinate does not count)
    vec3 d = min(v_local, 1.0 - v_local) / max(w, vec3(1e-7)) + far * 1e6;
    float e = min(d.x, min(d.y, d.z));
    if (v_state.x > 0.5) {
        c = mix(c, u_select_colour, 1.0 - smoothstep(2.0, 3.2, e));
    } else {
        c = mix(c, c * u_edge_dark, 1.0 - smoothstep(0.0, u_edge_px, e));
    }
    gl_FragColor = vec4(c, v_colour.a);
}
"""


class BoxesVisual(Visual):
    """All boxes of one kind (racks, or floor items) as a single indexed triangle mesh."""

    def __init__(self, key_dir=(0.45, -0.6, 0.75), fill_dir=(-0.6, 0.4, 0.3),
                 select_colour=(1.0, 0.86, 0.25), band_shade=0.32, doors: bool = False):
        Visual.__init__(self, vcode=_VERT, fcode=_FRAG)
        self._positions = gloo.VertexBuffer(np.zeros((0, 3), np.float32))
        self._local = gloo.VertexBuffer(np.zeros((0, 3), np.float32))
        self._frame = gloo.VertexBuffer(np.zeros((0, 4), np.float32))
        self._colours = gloo.VertexBuffer(np.zeros((0, 4), np.float32))
        self._state = gloo.VertexBuffer(np.zeros((0, 2), np.float32))
        self._marks = gloo.VertexBuffer(np.zeros((0, 1), np.float32))
        self._index = gloo.IndexBuffer(np.zeros((0, 3), np.uint32))
        p = self.shared_program
        p["a_position"] = self._positions
        p["a_local"] = self._local
        p["a_frame"] = self._frame
        p["a_colour"] = self._colours
        p["a_state"] = self._state
        p["a_mark"] = self._marks
        p["u_door"] = 1.0 if doors else 0.0
        p["u_key_dir"] = key_dir
        p["u_fill_dir"] = fill_dir
        p["u_edge_px"] = 1.1
        p["u_edge_dark"] = 0.45
        p["u_band_shade"] = band_shade
        p["u_select_colour"] = select_colour
        self._n_vertices = 0
        self._n_faces = 0
        self._bounds: np.ndarray | None = None
        self._draw_mode = "triangles"
        # Quads are wound counter-clockwise seen from outside, and boxes are closed
        # except for the bottom (never seen from above the floor): cull back faces.
        self.set_gl_state("opaque", depth_test=True, cull_face=True)

    # ----- data --------------------------------------------------------------------
    def set_geometry(self, mesh: BoxMesh, colours: np.ndarray, state: np.ndarray | None = None
                     ) -> None:
        """Upload a new mesh with its vertex colours (n*8, 4) and state (n*8, 2)."""
        n_v = len(mesh.positions)
        self._n_vertices = n_v
        if n_v == 0:
            self._bounds = None
            self.update()
            return
        self._positions.set_data(mesh.positions)
        self._local.set_data(mesh.local)
        self._frame.set_data(mesh.frame)
        self._index.set_data(mesh.faces)
        self._n_faces = len(mesh.faces)
        self.set_colours(colours)
        self.set_state(np.zeros((n_v, 2), np.float32) if state is None else state)
        self.set_marks(np.zeros(n_v // VERTS_PER_BOX, np.float32))
        b = mesh.bounds
        self._bounds = np.array([[b[:, 0].min(), b[:, 3].max()], [b[:, 1].min(), b[:, 4].max()],
                                 [b[:, 2].min(), b[:, 5].max()]])
        self.update()

    def set_faces(self, faces: np.ndarray) -> None:
        """Replace the triangle list (e.g. with hidden faces removed)."""
        if self._n_vertices:
            self._index.set_data(np.ascontiguousarray(faces, dtype=np.uint32))
            self._n_faces = len(faces)
            self.update()

    def update_boxes(self, mesh: BoxMesh, first_box: int, last_box: int) -> None:
        """Re-upload positions and frames of boxes ``first_box..last_box`` (inclusive)
        from ``mesh`` (the full, already updated mesh): a drag uploads one rack, not all."""
        if not self._n_vertices:
            return
        a, b = first_box * VERTS_PER_BOX, (last_box + 1) * VERTS_PER_BOX
        self._positions.set_subdata(np.ascontiguousarray(mesh.positions[a:b]), offset=a,
                                    copy=True)
        self._frame.set_subdata(np.ascontiguousarray(mesh.frame[a:b]), offset=a, copy=True)
        bd = mesh.bounds
        self._bounds = np.array([[bd[:, 0].min(), bd[:, 3].max()],
                                 [bd[:, 1].min(), bd[:, 4].max()],
                                 [bd[:, 2].min(), bd[:, 5].max()]])
        self.update()

    def set_colours(self, colours: np.ndarray) -> None:
        """Replace only the colour buffer ((n*8, 4) float32)."""
        if self._n_vertices:
            self._colours.set_data(np.ascontiguousarray(colours, dtype=np.float32))
            self.update()

    def set_marks(self, codes: np.ndarray) -> None:
        """Replace the marking code of every box (``twin.view3d.markings``; 0: none)."""
        if self._n_vertices:
            m = np.repeat(np.asarray(codes, np.float32).reshape(-1), VERTS_PER_BOX)
            self._marks.set_data(np.ascontiguousarray(m.reshape(-1, 1)))
            self.update()

    def set_state(self, state: np.ndarray) -> None:
        """Replace only the state buffer ((n*8, 2) float32: selected, hovered)."""
        if self._n_vertices:
            self._state.set_data(np.ascontiguousarray(state, dtype=np.float32))
            self.update()

    # ----- vispy hooks -------------------------------------------------------------
    def _prepare_transforms(self, view):
        view.view_program.vert["transform"] = view.get_transform()

    def _prepare_draw(self, view):
        if self._n_vertices == 0 or self._n_faces == 0:
            return False
        self._index_buffer = self._index
        return True

    def _compute_bounds(self, axis, view):
        if self._bounds is None:
            return None
        return tuple(self._bounds[axis])


Boxes = create_visual_node(BoxesVisual)


def keep_colour_shader(mesh):
    """Make new data on a vispy ``MeshVisual`` keep its compiled program.

    vispy builds a fresh colour-transform shader function on every ``set_data``, so each
    new mesh (a legend that gains a row, a containment highlight) recompiles and relinks
    the program at its next draw: 5 ms of Python and more in llvmpipe's GLSL compiler,
    in the middle of a drag. With uniform or vertex colours (no colormap, all of ours)
    that function is always the pass-through one, so the first is kept."""
    build = mesh._build_color_transform
    kept = []

    def colour_transform(colors):
        if colors.ndim == 2 and colors.shape[1] == 1:     # values through a colormap
            return build(colors)
        if not kept:
            kept.append(build(colors))
        return kept[0]
    mesh._build_color_transform = colour_transform
    return mesh


def stable_mesh(**kwargs):
    """A scene ``Mesh`` whose new data keeps its shader (``keep_colour_shader``)."""
    return keep_colour_shader(scene.visuals.Mesh(**kwargs))
