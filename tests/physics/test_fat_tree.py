"""Hand-checked errors of ``twin.physics.fat_tree``."""

import numpy as np
import pytest

from twin.physics.fat_tree import FabricError, build_fat_tree, split_ports


def test_a_switch_left_without_uplinks_is_refused_with_a_reason():
    """At 1:1 a 1-port switch gets floor(1·1/2) = 0 downlinks (and 1 uplink): no fat tree
    can be built, and the message says why."""
    assert split_ports(1, 1.0) == (0, 1)
    with pytest.raises(FabricError, match=r"a 1-port switch at 1:1 leaves no downlink or uplink"):
        build_fat_tree(np.array([4]), k=1, tiers=2)
