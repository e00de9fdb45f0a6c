"""Hostile and huge inputs (issue 15) as generators: each case writes its input under a
folder and returns the path to give to a ``twin`` command.

``CASES`` maps a case name to ``(builder, expected exit code, whether the slow commands
(simulate, render, report) run in the CLI matrix)``. The builders take the folder and
return the path (a file, a FIFO, a device, a sparse file).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(os.environ.get("TWIN_HOSTILE_ROOT") or Path(__file__).resolve().parents[2])
BASE = json.loads((ROOT / "layouts" / "small-room.json").read_text())
COMMANDS = ("validate", "info", "simulate", "render", "report")


def base() -> dict:
    return json.loads(json.dumps(BASE))


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    p = folder / name
    p.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    return p


def _doc(folder: Path, name: str, doc: dict) -> Path:
    return _write(folder, name, json.dumps(doc))


def _huge_number(field: str) -> Callable[[Path], Path]:
    """An integer of 401 digits in place of ``field`` (a JSON path such as 'hall.width_m')."""
    def build(folder: Path) -> Path:
        doc = base()
        text = json.dumps(doc)
        huge = "1" + "0" * 400
        marker = "123456789.25"
        node: object = doc
        *parents, last = field.split(".")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]  # type: ignore[index]
        if isinstance(node, list):
            node[int(last)] = float(marker)
        else:
            node[last] = float(marker)  # type: ignore[index]
        text = json.dumps(doc).replace(marker, huge, 1)
        return _write(folder, f"huge-{field}.json", text)
    return build


def long_int_version(folder: Path) -> Path:
    doc = base()
    doc["version"] = 1234567
    text = json.dumps(doc).replace('"version": 1234567', '"version": 1' + "0" * 5000, 1)
    return _write(folder, "long-int.json", text)


def surrogate_name(folder: Path) -> Path:
    doc = base()
    doc["name"] = "room \ud800"
    doc["racks"][0]["name"] = "\udfff"
    return _write(folder, "surrogate.json", json.dumps(doc))   # ASCII JSON with \ud800 escapes


def control_chars_name(folder: Path) -> Path:
    doc = base()
    doc["name"] = "ok\x1b]0;pwned\x07\x1b[2J\x00\x9b31m end"
    doc["racks"][0]["id"] = "R\x1b[31mX"
    return _write(folder, "control.json", json.dumps(doc, ensure_ascii=False))


def duplicate_keys(folder: Path) -> Path:
    text = json.dumps(base())
    assert text.endswith("}")
    return _write(folder, "dup.json", text[:-1] + ', "racks": []}')


def fifo(folder: Path) -> Path:
    p = folder / "fifo.json"
    os.mkfifo(p)
    return p


def dev_zero(folder: Path) -> Path:
    return Path("/dev/zero")


def dev_urandom(folder: Path) -> Path:
    return Path("/dev/urandom")


def oversize_file(folder: Path) -> Path:
    """A sparse file of 200 MB (no disk used): refused by its size before reading."""
    p = folder / "huge.json"
    with open(p, "wb") as fh:
        fh.write(b'{"format": "ai-factory-twin-layout", "version": 1, "description": "')
        fh.truncate(200 * 2**20)
    return p


def long_description(folder: Path) -> Path:
    doc = base()
    doc["description"] = "x" * (20 * 2**20)
    return _doc(folder, "long-description.json", doc)


def html_description(folder: Path) -> Path:
    (folder / "secret.png").write_bytes(b"\x89PNG not really")
    doc = base()
    doc["description"] = (f'<img src="{folder / "secret.png"}"><h1>Injected</h1>'
                          '<a href="https://example.invalid">click</a> & <b>bold</b>')
    doc["name"] = "<i>room</i>"
    return _doc(folder, "html.json", doc)


def _racks(n: int, spread: bool, model: str = "gpu-air-40") -> list[dict]:
    if not spread:
        return [{"id": f"R{i}", "model": model, "position_m": [3.0, 3.0]} for i in range(n)]
    cols = 640
    return [{"id": f"R{i}", "model": model,
             "position_m": [0.5 + 0.6 * (i % cols), 1.0 + 2.4 * (i // cols)]}
            for i in range(n)]


def racks_100k_one_spot(folder: Path) -> Path:
    doc = base()
    doc["racks"] = _racks(100_000, spread=False, model=doc["racks"][0]["model"])
    return _doc(folder, "100k-spot.json", doc)


def racks_100k_bad(folder: Path) -> Path:
    doc = base()
    doc["racks"] = _racks(100_000, spread=False, model="no-such-model")
    return _doc(folder, "100k-bad.json", doc)


def racks_100k_grid(folder: Path) -> Path:
    doc = base()
    doc["racks"] = _racks(100_000, spread=True, model=doc["racks"][0]["model"])
    doc["cooling_units"] = []
    doc["hall"].update(width_m=386.0, length_m=380.0, ceiling_height_m=2.4)
    return _doc(folder, "100k-grid.json", doc)


def largest_hall(folder: Path) -> Path:
    """The largest hall the schema allows (400 x 400 x 20 m; 2000 x 2000 x 30 m before):
    refused by the air grid's cell budget, with the cells and the memory named."""
    doc = base()
    doc["hall"].update(width_m=400, length_m=400, ceiling_height_m=20)
    return _doc(folder, "largest-hall.json", doc)


def failed_pumps(folder: Path) -> Path:
    doc = json.loads((ROOT / "layouts" / "gb200-pod.json").read_text())
    doc["cdus"][0]["failed_pumps"] = 10
    return _doc(folder, "pumps.json", doc)


def tiny_rating(folder: Path) -> Path:
    doc = base()
    pdu = next(p for p in doc["power"] if p["kind"] == "pdu")
    pdu["rating_kw"] = 1e-9
    return _doc(folder, "tiny-rating.json", doc)


#: name -> (builder, expected exit code, run simulate/render/report too)
CASES: dict[str, tuple[Callable[[Path], Path], int, bool]] = {
    "huge int hall.width_m": (_huge_number("hall.width_m"), 1, False),
    "huge int racks[0].rotation_deg": (_huge_number("racks.0.rotation_deg"), 1, False),
    "huge int racks[0].position_m": (_huge_number("racks.0.position_m.0"), 1, False),
    "huge int cooling_units[0].capacity_kw": (_huge_number("cooling_units.0.capacity_kw"), 1, False),
    "5000-digit version": (long_int_version, 1, True),
    "lone surrogate in names": (surrogate_name, 1, True),
    "control characters in names": (control_chars_name, 0, True),
    "duplicate key racks": (duplicate_keys, 1, False),
    "FIFO": (fifo, 1, True),
    "/dev/zero": (dev_zero, 1, False),
    "/dev/urandom": (dev_urandom, 1, False),
    "200 MB file": (oversize_file, 1, False),
    "20 MB description": (long_description, 1, False),
    "HTML in description": (html_description, 0, True),
    "100,000 racks at one spot": (racks_100k_one_spot, 0, False),
    "100,000 bad racks": (racks_100k_bad, 1, False),
    "100,000-rack grid": (racks_100k_grid, 0, True),
    "largest hall the schema allows": (largest_hall, 1, True),
    "10 failed pumps of 2": (failed_pumps, 1, False),
    "PDU rated 1e-9 kW": (tiny_rating, 1, False),
}


def command_line(command: str, path: Path, out_dir: Path) -> list[str]:
    args = [sys.executable, "-m", "twin", command, str(path)]
    if command == "render":
        args += ["--view", "plan", "--size", "640x400", "--out", str(out_dir / "out.png")]
    elif command == "report":
        args += ["--out", str(out_dir / "out.pdf")]
    return args
