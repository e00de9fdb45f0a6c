"""How problems are written out (``twin/io/errors.py``): file, place, severity tag, and
beyond the cap one line counting the rest by severity."""

from __future__ import annotations

from twin.io.errors import LayoutError, Problem, capped_lines


def test_a_problem_line_names_file_place_and_a_warning_tag():
    assert Problem("racks[2].x", "found -1").format("f.json") == "f.json: racks[2].x: found -1"
    assert Problem("", "is empty").format("f.json") == "f.json: is empty"
    assert Problem("hall", "odd", "warning").format() == "hall: warning: odd"
    assert Problem("", "odd", "warning").format() == "warning: odd"


def test_lines_beyond_the_cap_are_counted_by_severity():
    probs = [Problem(f"p{i}", "bad") for i in range(3)] + [
        Problem("w1", "meh", "warning"), Problem("w2", "meh", "warning")]
    assert capped_lines(probs, "f.json", 2) == [
        "f.json: p0: bad", "f.json: p1: bad",
        "f.json: ... and 3 more problems (1 error, 2 warnings) not listed"]
    assert capped_lines(probs, "", 4) == [
        "p0: bad", "p1: bad", "p2: bad", "w1: warning: meh",
        "... and 1 more problems (1 warning) not listed"]
    assert capped_lines(probs[:3], "f.json", 1)[-1] == \
        "f.json: ... and 2 more problems (2 errors) not listed"
    assert capped_lines(probs, "f.json", 5) == [p.format("f.json") for p in probs]


def test_layout_error_first_lines_use_its_file():
    err = LayoutError("f.json", [Problem(f"p{i}", "bad") for i in range(4)])
    assert err.first_lines(3) == ["f.json: p0: bad", "f.json: p1: bad", "f.json: p2: bad",
                                  "f.json: ... and 1 more problems (1 error) not listed"]
    assert err.lines == [f"f.json: p{i}: bad" for i in range(4)]
