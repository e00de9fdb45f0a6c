"""The hall's design redundancy target (issue 14, item 4) is a Properties row, undoable."""

from tests.conftest import LAYOUTS
from twin.gui.base.document import Document
from twin.gui.docks.inspector import Inspector
from twin.io import load_layout
from twin.model.viewstate import Selection


def test_hall_redundancy_target_is_editable_and_undoable(qapp):
    d = Document(load_layout(LAYOUTS / "small-room.json"), LAYOUTS / "small-room.json")
    insp = Inspector(d.editor, Selection())
    insp.rebuild()
    row = next(b for b in insp.bindings if b.name == "redundancy_target")
    assert row.read() == ["N+1"] and [c for c, _ in row.choices] == ["N", "N+1", "2N"]
    row.write("2N")
    assert d.layout.hall.redundancy_target == "2N"
    d.stack.undo()
    assert d.layout.hall.redundancy_target == "N+1"
