"""``BoxesVisual``: many lit boxes in one draw call, with cheap recolouring.

Positions, normals and quad coordinates are uploaded when the geometry changes; the
colour buffer and the per-box state buffer (selected, hovered) are separate vertex
buffers, so a recolour uploads colours only. Lighting is computed per vertex (faces are
flat, so per-vertex lighting is exact) from a key light, a fill light and a sky/ground
hemisphere term. The fragment shader draws anti-aliased edges of constant pixel width on
every quad (``fwidth`` of the quad coordinates), so adjacent racks in a row stay
distinguishable at any zoom; selected boxes get wide bright edges and a lighter body.
"""

from __future__ import annotations

import numpy as np
from vispy import gloo
from vispy.scene.visuals import create_visual_node
from vispy.visuals import Visual

from twin.view3d.boxes import BoxMesh

_VERT = """
attribute vec3 a_position;
attribute vec3 a_normal;
attribute vec2 a_uv;
attribute vec4 a_colour;
attribute vec2 a_state;     // x: selected (0/1), y: hovered (0/1)

uniform vec3 u_key_dir;
uniform vec3 u_fill_dir;

varying vec4 v_colour;
varying vec2 v_uv;
varying vec2 v_state;

void main() {
    vec3 n = normalize(a_normal);
    float key = max(dot(n, normalize(u_key_dir)), 0.0);
    float fill = max(dot(n, normalize(u_fill_dir)), 0.0);
    float hemi = 0.5 + 0.5 * n.z;
    float light = 0.30 + 0.22 * hemi + 0.48 * key + 0.20 * fill;
    vec3 c = a_colour.rgb * light;
    if (a_state.x > 0.5) {
        c = mix(c, vec3(1.0), 0.30);
    } else if (a_state.y > 0.5) {
        c = mix(c, vec3(1.0), 0.15);
    }
    v_colour = vec4(c, a_colour.a);
    v_uv = a_uv;
    v_state = a_state;
    gl_Position = $transform(vec4(a_position, 1.0));
}
"""

_FRAG = """
varying vec4 v_colour;
varying vec2 v_uv;
varying vec2 v_state;

uniform float u_edge_px;
uniform float u_edge_dark;
uniform vec3 u_select_colour;

void main() {
    vec2 w = max(fwidth(v_uv), vec2(1e-6));
    vec2 d = min(v_uv, 1.0 - v_uv) / w;          // distance to the quad border in pixels
    float e = min(d.x, d.y);
    vec3 c = v_colour.rgb;
    if (v_state.x > 0.5) {
        float s = 1.0 - smoothstep(2.0, 3.2, e);
        c = mix(c, u_select_colour, s);
    } else {
        float l = 1.0 - smoothstep(0.0, u_edge_px, e);
        c = mix(c, c * u_edge_dark, l);
    }
    gl_FragColor = vec4(c, v_colour.a);
}
"""


class BoxesVisual(Visual):
    """All boxes of one kind (racks, or floor items) as a single indexed triangle mesh."""

    def __init__(self, key_dir=(0.45, -0.6, 0.75), fill_dir=(-0.6, 0.4, 0.3),
                 select_colour=(1.0, 0.86, 0.25)):
        Visual.__init__(self, vcode=_VERT, fcode=_FRAG)
        self._positions = gloo.VertexBuffer(np.zeros((0, 3), np.float32))
        self._normals = gloo.VertexBuffer(np.zeros((0, 3), np.float32))
        self._uv = gloo.VertexBuffer(np.zeros((0, 2), np.float32))
        self._colours = gloo.VertexBuffer(np.zeros((0, 4), np.float32))
        self._state = gloo.VertexBuffer(np.zeros((0, 2), np.float32))
        self._index = gloo.IndexBuffer(np.zeros((0, 3), np.uint32))
        p = self.shared_program
        p["a_position"] = self._positions
        p["a_normal"] = self._normals
        p["a_uv"] = self._uv
        p["a_colour"] = self._colours
        p["a_state"] = self._state
        p["u_key_dir"] = key_dir
        p["u_fill_dir"] = fill_dir
        p["u_edge_px"] = 1.1
        p["u_edge_dark"] = 0.45
        p["u_select_colour"] = select_colour
        self._n_vertices = 0
        self._bounds: np.ndarray | None = None
        self._draw_mode = "triangles"
        self.set_gl_state("opaque", depth_test=True, cull_face=False)

    # ----- data --------------------------------------------------------------------
    def set_geometry(self, mesh: BoxMesh, colours: np.ndarray, state: np.ndarray | None = None
                     ) -> None:
        """Upload a new mesh with its vertex colours (n*28, 4) and state (n*28, 2)."""
        n_v = len(mesh.positions)
        self._n_vertices = n_v
        if n_v == 0:
            self._bounds = None
            self.update()
            return
        self._positions.set_data(mesh.positions)
        self._normals.set_data(mesh.normals)
        self._uv.set_data(mesh.uv)
        self._index.set_data(mesh.faces)
        self.set_colours(colours)
        self.set_state(np.zeros((n_v, 2), np.float32) if state is None else state)
        b = mesh.bounds
        self._bounds = np.array([[b[:, 0].min(), b[:, 3].max()], [b[:, 1].min(), b[:, 4].max()],
                                 [b[:, 2].min(), b[:, 5].max()]])
        self.update()

    def set_colours(self, colours: np.ndarray) -> None:
        """Replace only the colour buffer ((n*28, 4) float32)."""
        if self._n_vertices:
            self._colours.set_data(np.ascontiguousarray(colours, dtype=np.float32))
            self.update()

    def set_state(self, state: np.ndarray) -> None:
        """Replace only the state buffer ((n*28, 2) float32: selected, hovered)."""
        if self._n_vertices:
            self._state.set_data(np.ascontiguousarray(state, dtype=np.float32))
            self.update()

    # ----- vispy hooks -------------------------------------------------------------
    def _prepare_transforms(self, view):
        view.view_program.vert["transform"] = view.get_transform()

    def _prepare_draw(self, view):
        if self._n_vertices == 0:
            return False
        self._index_buffer = self._index
        return True

    def _compute_bounds(self, axis, view):
        if self._bounds is None:
            return None
        return tuple(self._bounds[axis])


Boxes = create_visual_node(BoxesVisual)
