"""The 3-D view (vispy): one canvas, batched rack and item meshes, picking, overlays.

Import ``FloorView3D`` and embed its ``native`` widget; call ``opengl_available`` first
to decide whether the 3-D view can be shown at all. No Qt widgets of its own.
"""

from twin.view3d.gl import opengl_available

__all__ = ["FloorView3D", "opengl_available"]


def __getattr__(name):
    # Lazy: importing vispy is not needed to ask whether OpenGL works.
    if name == "FloorView3D":
        from twin.view3d.floor_view import FloorView3D
        return FloorView3D
    raise AttributeError(name)
