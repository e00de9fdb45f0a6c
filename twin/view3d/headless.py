"""OpenGL without a window system: can the 3-D view render off-screen, and how?

``twin render`` and ``twin report`` draw the 3-D view with no window. Two ways work:

* ``"egl"`` -- vispy's EGL backend on Mesa's surfaceless platform (llvmpipe software GL):
  needs no X server at all, so it is tried first;
* ``"pyside6"`` -- a hidden Qt OpenGL widget, which needs a reachable display (for example
  one started by ``xvfb-run -a``).

``display_reachable`` checks the display *before* Qt touches it: Qt aborts the process
when the X server named by ``DISPLAY`` does not answer, so a stale variable must be caught
here. Nothing in this module can block for more than ``timeout_s``.
"""

from __future__ import annotations

import os
import socket


def xvfb_hint(command: str) -> str:
    """What to tell a user without OpenGL: run ``twin COMMAND ...`` under Xvfb."""
    return ('run it under a virtual display: xvfb-run -a -s "-screen 0 1600x1000x24" '
            f"twin {command} ...")


def display_reachable(timeout_s: float = 1.0) -> tuple[bool, str]:
    """(ok, reason): whether the X11 (or Wayland) display of this process answers."""
    wayland = os.environ.get("WAYLAND_DISPLAY")
    if wayland:
        path = wayland if os.path.isabs(wayland) else os.path.join(
            os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}"), wayland)
        return _connects(socket.AF_UNIX, path, timeout_s, f"Wayland display {wayland}")
    display = os.environ.get("DISPLAY", "")
    if not display:
        return False, "no display (DISPLAY is not set)"
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return False, f"DISPLAY={display!r} is not a display name"
    if host in ("", "unix"):
        return _connects(socket.AF_UNIX, f"/tmp/.X11-unix/X{number}", timeout_s,
                         f"display {display}")
    return _connects(socket.AF_INET, (host, 6000 + int(number)), timeout_s, f"display {display}")


def _connects(family: int, address, timeout_s: float, what: str) -> tuple[bool, str]:
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(timeout_s)
        try:
            s.connect(address)
        except OSError as exc:
            return False, f"{what} does not answer ({exc.strerror or exc})"
    return True, what


def egl_available() -> tuple[bool, str]:
    """(ok, reason): whether vispy's EGL backend initialises (surfaceless Mesa unless
    ``EGL_PLATFORM`` says otherwise). Importing vispy's backend initialises EGL once."""
    os.environ.setdefault("EGL_PLATFORM", "surfaceless")
    try:
        from vispy.app.backends import _egl
    except Exception as exc:  # no libEGL, or a driver that cannot start
        return False, f"off-screen EGL is not available ({exc})"
    if not _egl.available:
        return False, f"off-screen EGL is not available ({_egl.why_not.strip() or 'no reason'})"
    return True, str(_egl.which)
