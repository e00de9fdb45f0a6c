"""The per-source cache of vispy's shader-variable parse (twin/view3d/shader_parse.py)
gives every program what vispy's own parse gives it, as its own copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from vispy.gloo import Program
from vispy.scene.visuals import VisualNode

from twin.io import load_layout
from twin.model.colour_by import by_model
from twin.model.viewstate import RackColouring, Selection
from twin.view3d import shader_parse

pytestmark = pytest.mark.gui

LAYOUTS = Path(__file__).resolve().parents[2] / "layouts"

VERT = """
uniform mat4 u_transform;   // a comment with uniform vec4 u_fake; in it
uniform float u_sizes[3];
attribute vec3 a_position;
in vec2 a_uv;
varying vec4 v_colour;
const float SCALE = 2.0;
void main() { gl_Position = u_transform * vec4(a_position * SCALE, 1.0); }
"""
FRAG = """
varying vec4 v_colour;
out vec4 o_extra;
uniform vec4 u_tint;
void main() { gl_FragColor = v_colour * u_tint; }
"""


def _vispy_variables(vert: str, frag: str) -> dict:
    program = Program(vert, frag)
    shader_parse._vispy_parse(program, update_variables=False)
    return program._code_variables


def test_cached_parse_equals_vispys_and_each_program_has_its_own_copy():
    shader_parse._PARSED.clear()
    first, second = Program(VERT, FRAG), Program(VERT, FRAG)
    expected = _vispy_variables(VERT, FRAG)
    assert "u_fake" not in expected and expected["u_sizes"] == ("uniform_array", "float", "u_sizes", 3)
    assert first._code_variables == second._code_variables == expected
    assert len(shader_parse._PARSED) == 1                  # parsed once for both programs
    first._code_variables["extra"] = ("uniform", "float", "extra", -1)
    assert "extra" not in second._code_variables
    assert "extra" not in Program(VERT, FRAG)._code_variables


def test_pending_variables_are_applied_after_a_cached_parse():
    shader_parse._PARSED.clear()
    Program(VERT, FRAG)
    program = Program(VERT, FRAG)                          # from the cache
    program["u_tint"] = (1.0, 0.5, 0.25, 1.0)
    program.set_shaders(VERT, FRAG)                        # u_tint pending again, then set
    assert "u_tint" in program._user_variables and not program._pending_variables


def test_the_3d_views_programs_parse_as_vispy_parses_them(qtbot):
    """Every program of the floor view (boxes, lines, markers, text, legend), once drawn."""
    from twin.view3d import FloorView3D, opengl_available
    ok, reason = opengl_available()
    if not ok:
        pytest.skip(f"no OpenGL: {reason}")
    layout = load_layout(LAYOUTS / "gb200-pod.json")
    colouring = RackColouring()
    colouring.set(by_model(layout))
    view = FloorView3D(layout, Selection(), colouring, size=(320, 200))
    qtbot.addWidget(view.native)
    try:
        view.render_image()
        visuals, stack = [], [view.canvas.scene]
        while stack:
            node = stack.pop()
            visuals += [node] if isinstance(node, VisualNode) else []
            stack += node.children
        parts = []
        while visuals:                                     # compound visuals' parts
            v = visuals.pop()
            subs = getattr(v, "_subvisuals", None)
            visuals += subs if subs else []
            parts += [] if subs else [v]
        programs = [p for v in parts for p in v.shared_program._programs.values()
                    if p.shaders and None not in p.shaders]            # built
        assert len(programs) >= 8
        for program in programs:
            vert, frag = (sh.code for sh in program.shaders)
            assert program._code_variables == _vispy_variables(vert, frag)
            assert program._code_variables                # it declares something
    finally:
        view.close()
