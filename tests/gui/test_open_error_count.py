"""The open-error dialog counts every problem of the file (issue 14, C8): a file with a
structural error, an unknown model and a rack outside the hall used to read "(1 problem)"
(the checks of models and positions ran only once the structure was right)."""

import json

import pytest

from twin.io import LayoutError, load_layout

THREE = {"format": "ai-factory-twin-layout", "version": 1,
         "hall": {"width_m": 10, "length_m": 10, "ceiling_height_m": 3},
         "tiles": [{"id": "t", "position_m": [1, 1], "open_fraction": 2}],
         "racks": [{"id": "a", "model": "dgx-h100-rack", "position_m": [1, 1]},
                   {"id": "b", "model": "dgx-h100-rack", "position_m": [30, 3]},
                   {"id": "c", "model": "no-such-rack", "position_m": [5, 5]}]}


@pytest.fixture
def three_problem_file(tmp_path):
    p = tmp_path / "three.json"
    p.write_text(json.dumps(THREE))
    return p


def test_loader_lists_all_three_problems_at_once(three_problem_file):
    with pytest.raises(LayoutError) as err:
        load_layout(three_problem_file)
    paths = [p.path for p in err.value.problems]
    assert paths[0] == "tiles[0].open_fraction"
    assert sorted(paths[1:]) == ["racks[1].position_m", "racks[2].model"]


def test_duplicate_ids_are_listed_with_structural_errors(tmp_path):
    doc = dict(THREE, racks=[THREE["racks"][0], dict(THREE["racks"][0], position_m=[3, 3])])
    p = tmp_path / "dup.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(LayoutError) as err:
        load_layout(p)
    assert [q.path for q in err.value.problems] == ["tiles[0].open_fraction", "racks[1].id"]


def test_a_reference_to_a_broken_item_is_not_a_second_problem(tmp_path):
    doc = dict(THREE, tiles=[], workloads=[{"id": "w", "kind": "bogus"}],
               racks=[{"id": "a", "model": "dgx-h100-rack", "position_m": [1, 1],
                       "workload": "w"}])
    p = tmp_path / "ref.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(LayoutError) as err:
        load_layout(p)
    assert [q.path for q in err.value.problems] == ["workloads[0].kind"]


def test_open_error_dialog_says_three_problems(three_problem_file, monkeypatch):
    from twin.gui.window import main_window
    shown = []
    monkeypatch.setattr(main_window, "show_problems",
                        lambda parent, title, summary, lines=(): shown.append((summary, lines)))
    with pytest.raises(LayoutError) as err:
        load_layout(three_problem_file)

    class Window:
        settings = None
    main_window.MainWindow.report_open_error(Window(), three_problem_file, err.value)
    summary, lines = shown[0]
    assert "(3 problems)" in summary and len(lines) == 3
