"""File > Import > Rack Inventory in the window: the dialog maps the columns and previews
every row, Import adds the racks as one undo step (or opens a new room), bad rows block
the import, and File > Export As > Rack Inventory writes what the import reads back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from tests.gui.test_main_window import dialogs, settings, window  # noqa: F401  (fixtures)
from twin.gui.window.inventory import NONE, export_inventory, import_inventory
from twin.interchange.inventory_read import inventory_rows

pytestmark = pytest.mark.gui

CSV = ("Asset Tag,Rack Type,X (m),Y (m),Front,Measured kW\n"
       "NEW-1,DGX H100,12.6,9.6,S,31.5\nNEW-2,dgx-h100-rack,13.2,9.6,S,28\n")


def test_import_previews_then_adds_the_racks_as_one_undo_step(window, tmp_path):  # noqa: F811
    src = tmp_path / "racks.csv"
    src.write_text(CSV)
    w = window
    n0, depth0 = len(w.floor_layout.racks), w.document.stack.count()
    dlg = import_inventory(w, str(src))
    assert dlg.into_layout.isChecked()                     # the pod has racks
    assert dlg.preview.rowCount() == 2 and dlg.import_button.isEnabled()
    assert dlg.preview.item(0, 2).text() == "DGX H100 \u2192 dgx-h100-rack"
    assert dlg.combos["measured_kw"].currentText() == "Measured kW"
    assert len(w.floor_layout.racks) == n0                 # nothing changed before Import
    dlg.commit()
    QApplication.processEvents()
    r = w.floor_layout.racks
    assert len(r) == n0 + 2 and w.document.stack.count() == depth0 + 1
    i = r.index_of("NEW-1")
    assert (r["x_m"][i], r["power_kw"][i], r["power_basis"][i]) == (12.6, 31.5, "measured")
    w.document.stack.undo()
    assert len(w.floor_layout.racks) == n0


def test_unmapping_a_column_and_bad_rows_block_the_import(window, tmp_path):  # noqa: F811
    src = tmp_path / "racks.csv"
    src.write_text(CSV + "NEW-3,no-such-rack,14,9.6,S,10\n")
    dlg = import_inventory(window, str(src))
    assert not dlg.import_button.isEnabled()
    assert "unknown model 'no-such-rack'" in dlg.preview.item(2, 8).text()
    assert "1 errors" in dlg.headline.text()
    # the power column mapped to nothing: the racks keep their models' power
    ok = tmp_path / "ok.csv"
    ok.write_text(CSV)
    dlg = import_inventory(window, str(ok))
    dlg.combos["measured_kw"].setCurrentText(NONE)
    assert dlg.preview.item(0, 6).text() == ""
    assert dlg.import_button.isEnabled()


def test_import_into_a_new_room_and_export_reads_back(window, tmp_path):  # noqa: F811
    src = tmp_path / "racks.csv"
    src.write_text(CSV)
    w = window
    dlg = import_inventory(w, str(src))
    dlg.new_room.setChecked(True)
    dlg.commit()
    QApplication.processEvents()
    lay = w.floor_layout
    assert sorted(lay.racks.ids.tolist()) == ["NEW-1", "NEW-2"]
    assert any(u.startswith("PROV-AIR") for u in lay.cooling_units)
    assert w.document.path is None and w.document.modified
    out = tmp_path / "back.xlsx"
    assert export_inventory(w, str(out))
    rows, report, _t = inventory_rows(out)
    assert [r.id for r in rows] == ["NEW-1", "NEW-2"] and rows[0].power_kw == 31.5
    assert Path(out).stat().st_size > 0


def test_an_unreadable_file_is_one_message(window, tmp_path, dialogs):  # noqa: F811
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01binary")
    assert import_inventory(window, str(bad)) is None
    assert dialogs["problems"] and "is binary" in dialogs["problems"][-1][1][0]
