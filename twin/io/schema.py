"""JSON Schema (draft 2020-12) of the layout format, generated from ``twin.io.spec``.

``resources/layout.schema.json`` is this function's output; a test keeps them equal.
Regenerate with ``python -m twin.io.schema > resources/layout.schema.json``.
"""

from __future__ import annotations

import json
import sys

from twin.io import spec


def _field_schema(f: spec.Field) -> dict:
    num = {"type": "number"}
    if f.kind in ("number", "integer"):
        s: dict = {"type": f.kind}
        if f.choices:
            s["enum"] = list(f.choices)
        if f.minimum is not None:
            s["exclusiveMinimum" if f.exclusive_minimum else "minimum"] = f.minimum
        if f.maximum is not None:
            s["maximum"] = f.maximum
    elif f.kind == "enum":
        s = {"enum": list(f.choices)}
    elif f.kind in ("string", "ref"):
        s = {"type": "string"}
        if f is spec.ID:
            s["minLength"] = 1
        if f.max_length is not None:
            s["maxLength"] = f.max_length
    elif f.kind == "bool":
        s = {"type": "boolean"}
    elif f.kind == "date":
        s = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    elif f.kind in ("vec2", "vec4"):
        n = 2 if f.kind == "vec2" else 4
        s = {"type": "array", "items": num, "minItems": n, "maxItems": n}
    elif f.kind == "textmap":
        s = {"type": "object", "additionalProperties": {"type": "string"}}
    elif f.kind == "textlist":
        s = {"type": "array", "items": {"type": "string"}}
    elif f.kind == "numbermap":
        s = {"type": "object", "additionalProperties": dict(num, minimum=f.minimum,
                                                            maximum=f.maximum)}
    elif f.kind == "profile":
        item = dict(num, minimum=f.minimum, maximum=f.maximum)
        s = {"type": "array", "items": item, "minItems": 24, "maxItems": 24}
    else:  # pragma: no cover - spec error
        raise ValueError(f.kind)
    if f.nullable:
        s = {"anyOf": [s, {"type": "null"}]}
    if f.description:
        s["description"] = f.description
    return s


def _object_schema(fields: dict[str, spec.Field]) -> dict:
    return {
        "type": "object",
        "properties": {k: _field_schema(f) for k, f in fields.items()},
        "required": [k for k, f in fields.items() if f.required],
        "additionalProperties": False,
    }


def json_schema() -> dict:
    from twin.io.layout_file import FORMAT, VERSION

    props: dict = {
        "format": {"const": FORMAT},
        "version": {"const": VERSION},
        "name": {"type": "string", "maxLength": spec.NAME_MAX_CHARS},
        "description": {"type": "string", "maxLength": spec.DESCRIPTION_MAX_CHARS},
    }
    for key, (fields, _cls) in spec.OBJECT_BLOCKS.items():
        props[key] = _object_schema(fields)
    for key, (fields, _item_cls, _coll) in spec.LIST_BLOCKS.items():
        props[key] = {"type": "array", "items": _object_schema(fields)}
    entries = []
    for kind, fields in spec.CATALOGUE_ENTRY.items():
        one = _object_schema(fields)
        one["properties"]["kind"] = {"const": kind}
        entries.append(one)
    props["catalogue"] = {
        "type": "object", "description": "the layout's own equipment models, keyed by model "
        "name; same fields as resources/catalogue.json; a built-in name is replaced",
        "additionalProperties": {"oneOf": entries}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "ai-factory-twin-layout.schema.json",
        "title": "AI Factory Floor Twin layout",
        "type": "object",
        "properties": props,
        "required": list(spec.REQUIRED_TOP),
        "additionalProperties": False,
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
