"""Can this machine draw the 3-D view? ``opengl_available()`` answers with a reason.

The GUI calls it after creating its ``QApplication`` and falls back to the plan view
alone, showing the reason, when it returns False (for example under the ``offscreen``
Qt platform, which has no ``QOpenGLWidget``, or on a machine without an OpenGL driver).
"""

from __future__ import annotations

#: Qt platforms that cannot host a QOpenGLWidget.
NO_GL_PLATFORMS = ("offscreen", "minimal", "vnc")


def opengl_available(min_version: tuple[int, int] = (2, 1)) -> tuple[bool, str]:
    """(ok, reason): whether an OpenGL >= ``min_version`` context can be created and made
    current, and what it is (or why not). Needs a QGuiApplication to exist already."""
    try:
        from PySide6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext
    except Exception as exc:  # pragma: no cover - PySide6 is a dependency
        return False, f"Qt is not available: {exc}"
    app = QGuiApplication.instance()
    if app is None:
        return False, "no Qt application has been created yet"
    platform = QGuiApplication.platformName()
    if platform in NO_GL_PLATFORMS:
        return False, f"the Qt platform '{platform}' cannot show OpenGL widgets"
    try:
        import vispy.app
        vispy.app.use_app("pyside6")
    except Exception as exc:
        return False, f"vispy cannot use the PySide6 backend: {exc}"
    ctx = QOpenGLContext()
    if not ctx.create():
        return False, "no OpenGL context could be created (no driver?)"
    surface = QOffscreenSurface()
    surface.setFormat(ctx.format())
    surface.create()
    try:
        if not surface.isValid() or not ctx.makeCurrent(surface):
            return False, "an OpenGL context was created but could not be made current"
        fmt = ctx.format()
        version = (fmt.majorVersion(), fmt.minorVersion())
        renderer = ""
        try:
            f = ctx.functions()
            renderer = str(f.glGetString(0x1F01) or "")  # GL_RENDERER
        except Exception:
            pass
        ctx.doneCurrent()
    finally:
        surface.destroy()
    if version < min_version:
        return False, (f"OpenGL {version[0]}.{version[1]} found, "
                       f"{min_version[0]}.{min_version[1]} needed")
    what = f"OpenGL {version[0]}.{version[1]}" + (f" ({renderer})" if renderer else "")
    return True, what
