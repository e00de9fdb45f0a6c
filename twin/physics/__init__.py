"""Physics layer: pure functions on arrays and small dataclasses (no Qt, no model)."""
