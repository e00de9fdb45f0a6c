"""``BoxesVisual``: many lit boxes in one draw call, with cheap recolouring.

Each box is 8 shared corners (see ``twin.view3d.boxes``). Positions and box frames are
uploaded when geometry changes; the colour buffer and the per-box state buffer
(selected, hovered) are separate vertex buffers, so a recolour uploads colours only.
The fragment shader works out, from the box-local coordinate, which face it is on (the
coordinate that does not vary across the pixel), that face's normal for lighting (key
light, fill light, sky/ground hemisphere), anti-aliased edge lines of constant pixel
width (so racks in a row stay distinct at any zoom) and the dark front band. Selected
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

varying vec3 v_local;
varying vec4 v_frame;
varying vec4 v_colour;
varying vec2 v_state;

void main() {
    v_local = a_local;
    v_frame = a_frame;
    v_colour = a_colour;
    v_state = a_state;
    gl_Position = $transform(vec4(a_position, 1.0));
}
"""

_FRAG = """
varying vec3 v_local;
varying vec4 v_frame;
varying vec4 v_colour;
varying vec2 v_state;

uniform vec3 u_key_dir;
uniform vec3 u_fill_dir;
uniform float u_edge_px;
uniform float u_edge_dark;
uniform float u_band_shade;
uniform vec3 u_select_colour;

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
    vec3 c = base * light;
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
                 select_colour=(1.0, 0.86, 0.25), band_shade=0.32):
        Visual.__init__(self, vcode=_VERT, fcode=_FRAG)
        self._positions = gloo.VertexBuffer(np.zeros((0, 3), np.float32))
        self._local = gloo.VertexBuffer(np.zeros((0, 3), np.float32))
        self._frame = gloo.VertexBuffer(np.zeros((0, 4), np.float32))
        self._colours = gloo.VertexBuffer(np.zeros((0, 4), np.float32))
        self._state = gloo.VertexBuffer(np.zeros((0, 2), np.float32))
        self._index = gloo.IndexBuffer(np.zeros((0, 3), np.uint32))
        p = self.shared_program
        p["a_position"] = self._positions
        p["a_local"] = self._local
        p["a_frame"] = self._frame
        p["a_colour"] = self._colours
        p["a_state"] = self._state
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
