"""The shipped JSON Schema matches what the loader accepts."""

import json

import jsonschema
import pytest

from tests.conftest import ROOT, SAMPLES
from twin.io import LayoutError, loads_layout
from twin.io.schema import schema_text

SCHEMA = json.loads((ROOT / "resources" / "layout.schema.json").read_text())


def test_schema_file_is_current():
    assert (ROOT / "resources" / "layout.schema.json").read_text() == schema_text(), \
        "regenerate: python -m twin.io.schema > resources/layout.schema.json"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_samples_valid_against_schema(path):
    jsonschema.validate(json.loads(path.read_text()), SCHEMA)


@pytest.mark.parametrize("patch", [
    {"hall": {"width_m": 0, "length_m": 5, "ceiling_height_m": 3}},
    {"racks": [{"id": "", "model": "x", "position_m": [1, 1]}]},
    {"racks": [{"id": "a", "model": "x", "position_m": [1]}]},
    {"racks": [{"id": "a", "model": "x", "position_m": [1, 1], "rotation_deg": 45}]},
    {"tiles": [{"id": "t", "position_m": [1, 1], "open_fraction": 2}]},
    {"extra": 1},
])
def test_schema_and_loader_agree_on_structural_errors(patch):
    doc = {"format": "ai-factory-twin-layout", "version": 1,
           "hall": {"width_m": 10, "length_m": 10, "ceiling_height_m": 3}, "racks": []}
    doc.update(patch)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)
    with pytest.raises(LayoutError):
        loads_layout(json.dumps(doc))


def test_spec_requires_every_field_without_a_default():
    import dataclasses

    from twin.io import spec
    blocks = [(f, c) for f, c in spec.OBJECT_BLOCKS.values()]
    blocks += [(f, c) for f, c, _ in spec.LIST_BLOCKS.values() if c is not None]
    for fields, cls in blocks:
        cls = getattr(cls, "__self__", cls)      # a block built by a classmethod
        for f in dataclasses.fields(cls):
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                key = {"x_m": "position_m", "y_m": "position_m", "x0_m": "rect_m",
                       "y0_m": "rect_m", "x1_m": "rect_m", "y1_m": "rect_m"}.get(f.name, f.name)
                if key == "rect_m" and "segment_m" in fields:     # a cable tray
                    key = "segment_m"
                assert fields[key].required, f"{cls.__name__}.{f.name} must be required"
