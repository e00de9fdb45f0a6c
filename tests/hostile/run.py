"""Run a ``twin`` command as a subprocess under a time and memory cap; measure it.

``python -m tests.hostile.run [--all]`` prints the table of every case and command
(exit code, seconds, peak memory) used in the issue-15 report.
"""

from __future__ import annotations

import math
import os
import shutil
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


#: A fresh interpreter that forks the command under the caps, waits for it and writes its
#: peak RSS to a file. The test process cannot fork the command itself: a forked child's
#: peak RSS (wait4) counts the parent's memory at the fork, so a test process grown to
#: 2 GB would report every command as 2 GB.
_LAUNCHER = """
import os, resource, signal, sys
cap, report, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
pid = os.fork()
if pid == 0:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        os.nice(5)
        os.execvp(args[0], args)
    finally:
        os._exit(127)
_pid, status, usage = os.wait4(pid, 0)
with open(report, "w") as fh:
    fh.write(str(usage.ru_maxrss))
if os.WIFSIGNALED(status):
    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_capped(args: list[str], time_cap_s: float = TIME_CAP_S,
               memory_cap: int = MEMORY_CAP_BYTES, cwd: Path | None = None) -> Outcome:
    """Run ``args`` with stdin closed, killed after ``time_cap_s``; its peak RSS (from
    wait4 in ``_LAUNCHER``)."""
    env = dict(os.environ, PYTHONFAULTHANDLER="", QT_QPA_PLATFORM="offscreen")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        report = Path(tempfile.mkdtemp()) / "peak_kb"
        p = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(memory_cap), str(report),
                              *args], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                             cwd=cwd, env=env, start_new_session=True)
        code: int | None = None
        while True:
            pid, status = os.waitpid(p.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() - start > time_cap_s:
                os.killpg(p.pid, signal.SIGKILL)
                os.waitpid(p.pid, 0)
                break
            time.sleep(0.02)
        p.returncode = code if code is not None else -9
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        # killed at the cap before the launcher could report: the peak is unknown
        peak_kb = float(report.read_text()) if report.exists() else math.nan
        shutil.rmtree(report.parent, ignore_errors=True)
        return Outcome(code, seconds, peak_kb / 1024, out.read().decode("utf-8", "replace"),
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
