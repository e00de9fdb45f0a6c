"""Undoable editing (``twin.gui.base.commands.Editor``) and the document's save state.

One command is one undo step and one ``Change``; separate moves are separate steps, the
moves of one drag merge; undo of all edits gives back the original layout; a failed save
keeps the document modified.
"""

import pytest

from tests.conftest import LAYOUTS
from twin.gui.base.document import Document
from twin.io import LayoutError, load_layout
from twin.model import Change, ChangeKind


@pytest.fixture
def doc(qapp):
    d = Document(load_layout(LAYOUTS / "small-room.json"), LAYOUTS / "small-room.json")
    return d


def _changes(layout) -> list[Change]:
    got: list[Change] = []
    layout.changed.connect(got.append)
    return got


def test_separate_moves_are_separate_undo_steps(doc):
    ed, lay, stack = doc.editor, doc.layout, doc.stack
    rid = str(lay.racks.ids[0])
    x0, y0 = ed.position_of(rid)
    ed.move({rid: (x0 + 0.6, y0)})
    ed.move({rid: (x0 + 1.2, y0)})
    assert stack.count() == 2
    stack.undo()
    assert ed.position_of(rid) == (x0 + 0.6, y0)
    stack.undo()
    assert ed.position_of(rid) == (x0, y0)


def test_the_moves_of_one_drag_merge_into_one_step(doc):
    ed, lay, stack = doc.editor, doc.layout, doc.stack
    rid = str(lay.racks.ids[0])
    x0, y0 = ed.position_of(rid)
    drag = object()
    for k in range(1, 6):
        ed.move({rid: (x0 + 0.1 * k, y0)}, drag=drag)
    assert stack.count() == 1
    assert ed.position_of(rid) == pytest.approx((x0 + 0.5, y0))
    stack.undo()
    assert ed.position_of(rid) == (x0, y0)
    # a second drag is a second step
    ed.move({rid: (x0 + 0.3, y0)}, drag=object())
    ed.move({rid: (x0 + 0.6, y0)}, drag=object())
    assert stack.count() == 2


def test_a_drag_back_to_its_start_leaves_no_undo_step(doc):
    ed, lay, stack = doc.editor, doc.layout, doc.stack
    rid = str(lay.racks.ids[0])
    x0, y0 = ed.position_of(rid)
    drag = object()
    ed.move({rid: (x0 + 1.0, y0)}, drag=drag)
    ed.move({rid: (x0, y0)}, drag=drag)
    assert stack.count() == 0 or not stack.canUndo()


def test_moving_racks_and_units_together_is_one_change(doc):
    ed, lay = doc.editor, doc.layout
    ids = [str(i) for i in lay.racks.ids[:3]] + list(lay.cooling_units)[:2]
    pos = {i: ed.position_of(i) for i in ids}
    got = _changes(lay)
    ed.move({i: (x + 0.6, y) for i, (x, y) in pos.items()})
    assert len(got) == 1
    ch = got[0]
    assert set(ch.all_ids) == set(ids) and ch.touches_geometry
    kinds = {(p.kind, p.collection) for p in ch.elementary}
    assert kinds == {(ChangeKind.RACKS_CHANGED, ""), (ChangeKind.ITEM_CHANGED, "cooling_units")}
    got.clear()
    doc.stack.undo()
    assert len(got) == 1 and {i: ed.position_of(i) for i in ids} == pos


def test_delete_with_rear_doors_is_one_change_and_undo_restores_order(doc):
    ed, lay = doc.editor, doc.layout
    before = lay.snapshot()
    victims = [str(lay.racks.ids[1]), str(lay.racks.ids[4])]
    got = _changes(lay)
    ed.delete(victims)
    assert len(got) == 1 and got[0].changes_rack_set
    # the rack-set part comes first: observers rebuild rack arrays before anything else
    assert got[0].elementary[0].kind is ChangeKind.RACKS_REMOVED
    doc.stack.undo()
    assert lay.equals(before)


def test_random_edits_then_undo_of_all_give_back_the_original(doc):
    ed, lay, stack = doc.editor, doc.layout, doc.stack
    before = lay.snapshot()
    ids = [str(i) for i in lay.racks.ids]
    ed.move({ids[0]: (1.2, 1.2)})
    ed.rotate(ids[1:3])
    ed.set_rack_field(ids[3:5], "workload", "")
    ed.duplicate(ids[5:7])
    unit = next(iter(lay.cooling_units))
    ed.update_item("cooling_units", unit, enabled=False)
    ed.delete([ids[8]])
    assert stack.count() == 6 and not lay.equals(before)
    while stack.canUndo():
        stack.undo()
    assert lay.equals(before)
    while stack.canRedo():
        stack.redo()
    assert not lay.equals(before) and not lay.racks.has(ids[8])


def test_a_failed_save_keeps_the_document_modified(doc, tmp_path):
    ed, lay = doc.editor, doc.layout
    ed.move({str(lay.racks.ids[0]): (2.4, 2.4)})
    assert doc.modified
    with pytest.raises(LayoutError):
        doc.save(tmp_path / "no-such-folder" / "x.json")
    assert doc.modified and doc.path == LAYOUTS / "small-room.json"
    target = tmp_path / "saved.json"
    doc.save(target)
    assert not doc.modified and doc.path == target
    assert load_layout(target).equals(lay)
