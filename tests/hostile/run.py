"""Run a ``twin`` command as a subprocess under a time and memory cap; measure it.

``python -m tests.hostile.run [--all]`` prints the table of every case and command
(exit code, seconds, peak memory) used in the issue-15 report.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TIME_CAP_S = float(os.environ.get("TWIN_HOSTILE_CAP_S", "60"))
MEMORY_CAP_BYTES = 4 * 2**30
CWD = Path(os.environ["TWIN_HOSTILE_CWD"]) if os.environ.get("TWIN_HOSTILE_CWD") else None


@dataclass
class Outcome:
    code: int | None         # None: killed at the time cap
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str


def _limits(memory: int):
    def apply() -> None:
        os.setsid()
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        os.nice(5)
    return apply


def run_capped(args: list[str], time_cap_s: float = TIME_CAP_S,
               memory_cap: int = MEMORY_CAP_BYTES, cwd: Path | None = None) -> Outcome:
    """Run ``args`` with stdin closed, killed after ``time_cap_s``; peak RSS from wait4."""
    env = dict(os.environ, PYTHONFAULTHANDLER="", QT_QPA_PLATFORM="offscreen")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd,
                             env=env, preexec_fn=_limits(memory_cap))
        code: int | None = None
        rusage = None
        while True:
            pid, status, rusage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() - start > time_cap_s:
                os.killpg(p.pid, signal.SIGKILL)
                _pid, _status, rusage = os.wait4(p.pid, 0)
                break
            time.sleep(0.02)
        p.returncode = code if code is not None else -9
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return Outcome(code, seconds, rusage.ru_maxrss / 1024, out.read().decode("utf-8", "replace"),
                       err.read().decode("utf-8", "replace"))


def main(argv: list[str]) -> int:
    from tests.hostile.cases import CASES, COMMANDS, command_line

    every = "--all" in argv
    names = [a for a in argv if not a.startswith("--")]
    print("| case | command | exit | s | peak MB | first line |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, (build, _expected, slow) in CASES.items():
            if names and not any(n in name for n in names):
                continue
            case_dir = folder / str(abs(hash(name)))
            case_dir.mkdir()
            path = build(case_dir)
            for command in COMMANDS if (slow or every) else COMMANDS[:2]:
                o = run_capped(command_line(command, path, case_dir), cwd=CWD)
                text = (o.stderr if "Traceback" in o.stderr else o.stderr or o.stdout).strip()
                last = text.splitlines()[-1] if "Traceback" in text else (text.splitlines() or [""])[0]
                last = last.replace("|", "/")[:90]
                code = "killed" if o.code is None else o.code
                tb = " (traceback)" if "Traceback" in o.stderr else ""
                print(f"| {name} | {command} | {code}{tb} | {o.seconds:.1f} | {o.peak_mb:.0f} | "
                      f"{last!r} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
