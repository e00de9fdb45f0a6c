"""The network fabric as data: the layout's ``fabric`` block and its ``cable_trays``.

``Fabric`` says how the GPU racks' scale-out ports are joined (a two- or three-tier fat
tree of one switch model, rail-optimised or not, oversubscribed at the leaves), how many
front-end ports each GPU rack has, and how cables are laid (slack, generated trays).
``CableTray`` is one straight tray run above the floor. The default ``Fabric`` (no tiers)
means "no fabric": nothing is built and the file leaves the block out.
"""

from __future__ import annotations

from dataclasses import dataclass

#: fat-tree tiers a fabric may have (0: no fabric)
FABRIC_TIERS = (0, 2, 3)


@dataclass(frozen=True)
class Fabric:
    """How the scale-out fabric is built and cabled (docs/physics.md §23)."""

    #: switch tiers of the fat tree: 0 none, 2 leaf-spine, 3 leaf-spine-core
    tiers: int = 0
    #: catalogue key of the switch model (kind ``switch``) used in every tier
    switch: str = ""
    #: scale-out ports per GPU (fractions allowed: 0.25 is one port per four GPUs) and
    #: their speed (Gb/s), which must be the switch's port speed
    ports_per_gpu: float = 1.0
    port_gbps: float = 400.0
    #: rail-optimised: port k of every rack is on rail k mod ``rails`` and a leaf takes
    #: one rail from several racks; else a leaf takes whole racks in turn
    rail_optimised: bool = True
    rails: int = 8
    #: downlinks : uplinks of a leaf (1: non-blocking)
    oversubscription: float = 1.0
    #: front-end / storage ports per GPU rack, cabled to the nearest network rack
    frontend_ports_per_rack: int = 0
    frontend_gbps: float = 400.0
    #: cable length added to every route for dressing and service loops (share of it)
    slack_fraction: float = 0.1
    #: patch length of a link whose two ends are in the same rack (m)
    in_rack_m: float = 2.0
    #: trays generated when the layout has none: one above every row and a cross tray at
    #: each end of the rows, at ``tray_elevation_m`` (None: 0.3 m above the tallest rack)
    tray_elevation_m: float | None = None
    tray_width_m: float = 0.6
    tray_depth_m: float = 0.15
    #: usable share of a tray's cross-section (TIA-569: 50 %)
    tray_fill_limit: float = 0.5

    @property
    def enabled(self) -> bool:
        return self.tiers > 0


@dataclass(frozen=True)
class CableTray:
    """A straight cable tray run from (x0, y0) to (x1, y1) at ``elevation_m`` (its
    underside above the floor), ``width_m`` x ``depth_m`` in section."""

    id: str
    x0_m: float
    y0_m: float
    x1_m: float
    y1_m: float
    elevation_m: float = 2.6
    width_m: float = 0.6
    depth_m: float = 0.15
