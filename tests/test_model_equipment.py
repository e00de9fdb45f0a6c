"""``twin.model.equipment``: the frozen equipment records."""

from twin.model.equipment import Underlay


def test_underlay_keeps_hidden_layers_as_a_tuple():
    """A layout file gives the hidden layers as a JSON list; the frozen record stores
    them as a tuple (same names, same order) so it stays hashable and comparable."""
    u = Underlay(path="hall.dxf", hidden_layers=["DIM", "TEXT"])
    assert u.hidden_layers == ("DIM", "TEXT")
    assert hash(u) == hash(Underlay(path="hall.dxf", hidden_layers=("DIM", "TEXT")))
    assert Underlay().hidden_layers == ()
