"""The ``twin`` command: exit codes and one-line messages, no tracebacks."""

import json
import subprocess
import sys

import pytest

from tests.conftest import LAYOUTS, SAMPLES
from twin.cli import main


def test_validate_all_samples(capsys):
    assert main(["validate", *map(str, SAMPLES)]) == 0
    out = capsys.readouterr().out
    assert out.count("valid") == len(SAMPLES)


def test_validate_invalid_gives_1(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "ai-factory-twin-layout", "version": 1, "hall": {}, "racks": []}')
    assert main(["validate", str(bad), str(LAYOUTS / "gb200-pod.json")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"{bad}: hall: missing required field") for line in out)


def test_usage_gives_2(capsys):
    assert main(["validate"]) == 2
    assert main(["info", "--bogus", "x"]) == 2


def test_info_json_hyperscale(capsys):
    assert main(["info", str(LAYOUTS / "hyperscale-hall.json"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["racks"] >= 1000 and info["gpus"] >= 70000


def test_info_text(capsys):
    assert main(["info", str(LAYOUTS / "small-room.json")]) == 0
    out = capsys.readouterr().out
    assert "IT power" in out and "kW" in out


@pytest.mark.parametrize("content", [b"", b"\xff\xfe", b"{", b"[]", b'{"format": 1}'])
def test_subprocess_bad_input_one_line_no_traceback(tmp_path, content):
    f = tmp_path / "in.json"
    f.write_bytes(content)
    r = subprocess.run([sys.executable, "-m", "twin", "validate", str(f)],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    assert len(r.stdout.strip().splitlines()) == 1
