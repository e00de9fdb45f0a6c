"""File > Export As > OpenUSD Scene… / glTF Scene (GLB)… in the window: the actions ask for
a file (stubbed), export the layout with the live result and the current rack colouring on
a worker thread, report in the status bar, and show one line in a dialog on failure."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh
from pxr import Usd, UsdGeom

from tests.gui.test_main_window import dialogs, settings, window  # noqa: F401  (fixtures)
from twin.engine import layers
from twin.interchange.scene import srgb_to_linear

pytestmark = pytest.mark.gui


def _fresh(w) -> bool:
    s = w.session
    return (s.result is not None and s.snapshot is not None and s.info is not None
            and not s.info.coarse and s.snapshot.equals(w.floor_layout))


def _run(qtbot, w, action):
    action.trigger()
    job = w.scene_export_job
    qtbot.waitUntil(job.finished.is_set, timeout=30000)
    return job


def test_menu_entries_export_usd_and_glb_with_the_live_result(window, dialogs, qtbot,  # noqa: F811
                                                               tmp_path):
    w = window
    texts = [a.text().replace("&", "") for a in w.export_menu.actions()]
    assert "OpenUSD Scene\u2026" in texts and "glTF Scene (GLB)\u2026" in texts
    qtbot.waitUntil(lambda: _fresh(w), timeout=60000)
    w.set_colour_by("inlet")
    res = w.session.result

    dialogs["answers"]["save_path"] = str(tmp_path / "floor.usdc")
    job = _run(qtbot, w, w.actions.export_usd)
    assert job.error == "" and job.result is res
    assert "Exported floor.usdc" in w.statusBar().currentMessage()
    assert w.actions.export_usd.isEnabled()
    stage = Usd.Stage.Open(str(tmp_path / "floor.usdc"))
    assert UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.z
    assert stage.GetPrimAtPath("/Hall").GetAttribute("twin:colourBy").Get() == "inlet"
    racks = {p.GetAttribute("twin:id").Get(): p for p in stage.Traverse()
             if p.GetAttribute("twin:kind") and p.GetAttribute("twin:kind").Get() == "rack"}
    assert len(racks) == len(w.floor_layout.racks)
    k = 0
    rid = res.rack_ids[k]
    assert racks[rid].GetAttribute("twin:inletC").Get() == pytest.approx(
        res.air.rack_inlet_mean_c[k])
    colour = UsdGeom.PrimvarsAPI(racks[rid]).GetPrimvar("displayColor").Get()
    want = srgb_to_linear(layers.rack_colouring("inlet", res).rgba()[k, :3])
    assert np.allclose(np.array(colour)[0], want, atol=1e-6)
    assert stage.GetPrimAtPath("/Hall/Results/AirSliceC")

    dialogs["answers"]["save_path"] = str(tmp_path / "floor")      # suffix added
    job = _run(qtbot, w, w.actions.export_gltf)
    assert job.error == "" and job.path.name == "floor.glb"
    scene = trimesh.load(str(tmp_path / "floor.glb"))
    assert set(map(str, w.floor_layout.racks.ids)) <= set(scene.graph.nodes)
    assert not dialogs["problems"]


def test_unwritable_path_is_one_line_in_a_dialog(window, dialogs, qtbot, tmp_path):  # noqa: F811
    w = window
    target = tmp_path / "missing" / "floor.usda"
    dialogs["answers"]["save_path"] = str(target)
    job = _run(qtbot, w, w.actions.export_usd)
    assert "does not exist" in job.error
    title, lines = dialogs["problems"][-1]
    assert title == "Cannot Export Scene" and len(lines) == 1 and "\n" not in lines[0]
    assert not target.exists()
    assert w.actions.export_gltf.isEnabled()


def test_cancelled_file_dialog_exports_nothing(window, dialogs, tmp_path):  # noqa: F811
    dialogs["answers"]["save_path"] = ""
    window.actions.export_gltf.trigger()
    assert getattr(window, "scene_export_job", None) is None
    assert not list(tmp_path.glob("*.glb"))
