"""Plan heatmaps of a CFD reference beside the twin (twin/engine/reference_layers.py):
the CFD inlets and the difference twin − CFD drawn on the racks they belong to, matched
by rack id whatever the order of the result, on a symmetric diverging scale; and the
note given when there is nothing to draw."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from tests.conftest import LAYOUTS
from twin.engine import layers
from twin.engine.reference_layers import (DIVERGING, RackReference, reference_heatmap,
                                          symmetric_levels)
from twin.io import load_layout


@pytest.fixture(scope="module")
def pod():
    return load_layout(LAYOUTS / "gb200-pod.json")


def _twin(pod, air=True):
    """A solved result's rack ids (in reverse layout order) and mean inlets: the rack at
    layout position k has 25 + 0.5 k °C (A01: 25.0, A02: 25.5)."""
    ids = list(pod.racks.ids)[::-1]
    mean = np.array([25.0 + 0.5 * pod.racks.index_of(r) for r in ids])
    return SimpleNamespace(rack_ids=ids,
                           air=SimpleNamespace(rack_inlet_mean_c=mean) if air else None)


#: A CFD run with A01, A02 and a rack the layout does not have
REF = RackReference("run-7", ("A02", "GONE", "A01"), mean_c=np.array([26.5, 30.0, 22.7]),
                    max_c=np.array([27.0, 31.0, 26.0]))
#: raster cells (row, column) at the centres of A01 (3.0, 3.6) and A02 (3.6, 3.6) m
A01, A02 = (12, 10), (12, 12)


def test_the_difference_map_is_twin_minus_cfd_on_each_rack(pod):
    """A01: 25.0 - 22.7 = +2.3 K; A02: 25.5 - 26.5 = -1.0 K; the scale is symmetric about
    0 at the largest |difference| rounded up to 0.5 K: +-2.5 K."""
    hm, note = reference_heatmap("cfd_diff", pod, _twin(pod), REF)
    assert note == "" and hm is not None
    assert hm.image[A01] == pytest.approx(2.3) and hm.image[A02] == pytest.approx(-1.0)
    finite = hm.image[np.isfinite(hm.image)]
    assert set(np.round(finite, 9)) == {2.3, -1.0}              # only those two racks
    assert np.isnan(hm.image[0, 0])
    assert (hm.levels, hm.colormap, hm.unit) == ((-2.5, 2.5), DIVERGING, "K")
    assert hm.label == "Twin \u2212 CFD rack mean inlet"
    # 14.4 m x 10.8 m hall in 0.3 m cells: 48 x 36
    assert hm.image.shape == (36, 48)
    assert hm.extent == pytest.approx((0.0, 0.0, 14.4, 10.8))


def test_the_cfd_inlet_map_draws_the_hottest_intake_cell_on_the_users_range(pod):
    hm, note = reference_heatmap("cfd_inlet", pod, _twin(pod, air=False), REF,
                                 temperature_range=(18.0, 35.0))
    assert note == ""
    assert (hm.image[A01], hm.image[A02]) == (26.0, 27.0)
    assert hm.levels == (18.0, 35.0) and hm.colormap == layers.USER_RANGE_COLORMAP
    assert (hm.label, hm.unit) == ("CFD rack inlet (hottest intake cell)", "\u00b0C")


def test_nothing_to_draw_says_why(pod):
    assert reference_heatmap("cfd_diff", pod, _twin(pod), None) == (
        None, "No CFD result: File \u25b8 Import \u25b8 OpenFOAM Result\u2026 reads a run case.")
    assert reference_heatmap("cfd_diff", pod, _twin(pod, air=False), REF) == (
        None, "No air result to compare with the CFD.")
    other = RackReference("run-8", ("X1",), np.array([25.0]), np.array([26.0]))
    assert reference_heatmap("cfd_inlet", pod, _twin(pod), other) == (
        None, "No rack of this layout is in the CFD result (run-8).")


def test_symmetric_levels_round_up_to_half_a_kelvin_and_never_below_one():
    assert symmetric_levels(np.array([0.2, -0.4, np.nan])) == (-1.0, 1.0)
    assert symmetric_levels(np.array([1.5, -0.4])) == (-1.5, 1.5)      # on a step
    assert symmetric_levels(np.array([0.3, -1.51])) == (-2.0, 2.0)
    assert symmetric_levels(np.array([np.nan])) == (-1.0, 1.0)
