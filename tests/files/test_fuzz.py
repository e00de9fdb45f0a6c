"""Property-based: random mutations of the samples never crash the loader."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import LAYOUTS
from twin.io import LayoutError, loads_layout

BASE = json.loads((LAYOUTS / "gb200-pod.json").read_text())
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                 st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                 st.lists(st.floats(-100, 100), max_size=5), st.dictionaries(
                     st.text(max_size=5), st.integers(), max_size=2))


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):
            yield from _paths(v, prefix + (i,))


PATHS = [p for p in _paths(BASE) if p]


def _set(doc, path, value):
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value == "__delete__":
        del node[path[-1]]
    else:
        node[path[-1]] = value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), st.one_of(JUNK, st.just("__delete__"))),
                min_size=1, max_size=4))
def test_mutations_give_layout_or_layout_error(mutations):
    doc = json.loads(json.dumps(BASE))
    for path, value in mutations:
        try:
            _set(doc, path, value)
        except (KeyError, IndexError, TypeError):
            continue
    text = json.dumps(doc, allow_nan=True)
    try:
        loads_layout(text, "fuzz.json")
    except LayoutError as exc:
        assert exc.lines and all(line.startswith("fuzz.json") for line in exc.lines)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash(data):
    try:
        loads_layout(data, "junk.json")
    except LayoutError:
        pass
