"""Fat-tree sizing and port assignment of a scale-out fabric (docs/physics.md §23.1).

Pure functions on arrays. GPU ports go to leaves (by rail when rail-optimised), leaf
uplinks to spines (two tiers) or to the aggregation switches of their pod, whose uplinks
go to the cores (three tiers). Every switch has ``k`` ports; a leaf splits them into
``down`` and ``up`` by the oversubscription. ``FabricError`` says, in one line, why a
fabric cannot be built (too many ports for the tiers, too few switch ports).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: link tiers: GPU port to leaf, leaf to spine/aggregation, aggregation to core, and a
#: GPU rack's front-end port to its network rack
GPU_LEAF, LEAF_SPINE, SPINE_CORE, FRONTEND = 0, 1, 2, 3
TIER_NAMES = ("gpu-leaf", "leaf-spine", "spine-core", "front-end")
#: switch roles
LEAF, SPINE, CORE = 0, 1, 2
ROLE_NAMES = ("leaf", "spine", "core")


class FabricError(ValueError):
    """The fabric cannot be built as defined (message: one line, what and why)."""


@dataclass(frozen=True)
class FatTree:
    """A built fat tree: its switches and links (switch indices: leaves first, then the
    spines or aggregation switches, then the cores)."""

    tiers: int
    ports: int               # k, ports per switch
    down: int                # leaf downlinks
    up: int                  # leaf uplinks
    n_leaves: int
    n_spines: int            # spines (two tiers) or aggregation switches (three tiers)
    n_cores: int
    leaves_per_pod: int      # three tiers; 0 for two
    #: GPU ports: the rack (index into the racks given) and port number within the rack
    port_rack: np.ndarray
    port_index: np.ndarray
    port_leaf: np.ndarray
    #: switch-to-switch links: lower and upper switch index, tier (LEAF_SPINE, SPINE_CORE)
    up_lower: np.ndarray
    up_upper: np.ndarray
    up_tier: np.ndarray

    @property
    def n_switches(self) -> int:
        return self.n_leaves + self.n_spines + self.n_cores

    @property
    def switch_role(self) -> np.ndarray:
        return np.repeat([LEAF, SPINE, CORE], [self.n_leaves, self.n_spines, self.n_cores])

    @property
    def n_gpu_ports(self) -> int:
        return len(self.port_rack)

    def worst_hops(self) -> int:
        """Switches a packet crosses between the two farthest GPU ports."""
        if self.n_leaves <= 1:
            return 1
        if self.tiers == 2:
            return 3
        return 3 if self.n_leaves <= self.leaves_per_pod else 5

    def bisection_gbps(self, port_gbps: float) -> float:
        """Bandwidth across the worst cut into two halves of GPU ports: half the smallest
        tier capacity (GPU ports, leaf uplinks, aggregation uplinks) times the port speed."""
        n = self.n_gpu_ports
        caps = [n]
        if self.n_leaves > 1:
            caps.append(int(np.sum(self.up_tier == LEAF_SPINE)))
        if self.tiers == 3 and self.n_leaves > self.leaves_per_pod:
            caps.append(int(np.sum(self.up_tier == SPINE_CORE)))
        return min(caps) * port_gbps / 2.0


def split_ports(k: int, oversubscription: float) -> tuple[int, int]:
    """Leaf (downlinks, uplinks) of a ``k``-port switch at ``down : up = oversubscription``."""
    down = int(math.floor(k * oversubscription / (oversubscription + 1.0) + 1e-9))
    return down, k - down


def assign_leaves(rack_ports: np.ndarray, down: int, rail_optimised: bool,
                  rails: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """GPU ports to leaves. Ports are numbered rack by rack in the order given; port j of
    a rack is on rail ``j % rails``. Rail-optimised: the ports of one rail, in rack order,
    fill that rail's leaves ``down`` at a time; else all ports fill the leaves in order.
    Returns (port rack, port index, port leaf, number of leaves)."""
    counts = np.asarray(rack_ports, dtype=np.int64)
    port_rack = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    port_index = np.arange(len(port_rack)) - np.repeat(starts, counts)
    if not len(port_rack):
        return port_rack, port_index, port_rack.copy(), 0
    if not rail_optimised:
        leaf = np.arange(len(port_rack)) // down
        return port_rack, port_index, leaf, int(leaf[-1]) + 1
    rail = port_index % rails
    order = np.lexsort((np.arange(len(rail)), rail))      # by rail, then in rack order
    per_rail = np.bincount(rail, minlength=rails)
    rank = np.empty(len(rail), dtype=np.int64)
    rank[order] = np.arange(len(rail)) - np.repeat(np.cumsum(per_rail) - per_rail, per_rail)
    leaves_per_rail = -(-per_rail // down)
    base = np.cumsum(leaves_per_rail) - leaves_per_rail
    leaf = base[rail] + rank // down
    return port_rack, port_index, leaf, int(leaves_per_rail.sum())


def build_fat_tree(rack_ports: np.ndarray, k: int, tiers: int, oversubscription: float = 1.0,
                   rail_optimised: bool = True, rails: int = 8) -> FatTree:
    """The fat tree joining the GPU ports of racks with ``rack_ports[i]`` ports each."""
    if tiers not in (2, 3):
        raise FabricError(f"a fat tree has 2 or 3 tiers, not {tiers}")
    down, up = split_ports(k, oversubscription)
    if down < 1 or up < 1:
        raise FabricError(f"a {k}-port switch at {oversubscription:g}:1 leaves no "
                          "downlink or uplink")
    port_rack, port_index, port_leaf, n_leaves = assign_leaves(rack_ports, down,
                                                               rail_optimised, rails)
    if tiers == 2:
        n_spines = -(-n_leaves * up // k)
        if n_spines > up:
            raise FabricError(
                f"{len(port_rack):,} GPU ports need {n_leaves} leaves, more than a two-tier "
                f"fat tree of {k}-port switches joins ({k} leaves, at most "
                f"{k * down:,} ports at {oversubscription:g}:1): use 3 tiers")
        g = np.arange(n_leaves * up)
        lower, upper = g // up, n_leaves + g % n_spines
        tier = np.full(len(g), LEAF_SPINE)
        return FatTree(2, k, down, up, n_leaves, n_spines, 0, 0, port_rack, port_index,
                       port_leaf, lower, upper, tier)
    per_pod = k // 2
    n_pods = -(-n_leaves // per_pod)
    n_aggs = n_pods * up
    # leaf l, uplink m -> aggregation switch m of its pod
    g = np.arange(n_leaves * up)
    leaf, m = g // up, g % up
    agg = (leaf // per_pod) * up + m
    if n_pods > k:
        raise FabricError(
            f"{len(port_rack):,} GPU ports need {n_pods} pods, more than a three-tier fat "
            f"tree of {k}-port switches joins ({k} pods, at most {k * per_pod * down:,} "
            f"ports at {oversubscription:g}:1)")
    # aggregation switch m of every pod sends as many links up as it has leaves below, to
    # core group m; uplink j goes to core j % per_group of the group
    pod_leaves = np.minimum(per_pod, n_leaves - np.arange(n_pods) * per_pod)
    agg_up = np.repeat(pod_leaves, up)
    agg_of = np.repeat(np.arange(n_aggs), agg_up)
    j = np.arange(len(agg_of)) - np.repeat(np.cumsum(agg_up) - agg_up, agg_up)
    per_group = -(-n_leaves // k)
    while True:
        core = (agg_of % up) * per_group + j % per_group
        if np.bincount(core).max() <= k:
            break
        per_group += 1
    n_cores = up * per_group
    lower = np.concatenate([leaf, n_leaves + agg_of])
    upper = np.concatenate([n_leaves + agg, n_leaves + n_aggs + core])
    tier = np.concatenate([np.full(len(g), LEAF_SPINE), np.full(len(core), SPINE_CORE)])
    return FatTree(3, k, down, up, n_leaves, n_aggs, n_cores, per_pod, port_rack, port_index,
                   port_leaf, lower, upper, tier)
