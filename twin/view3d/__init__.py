"""The 3-D view (vispy): floor, batched rack mesh, picking, colour bar, overlays."""
