"""Run a ``twin`` command as a subprocess under a time and memory cap; measure it.

``python -m tests.hostile.run [--all]`` prints the table of every case and command
(exit code, seconds, peak memory) used in the issue-15 report.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import math
import os
import select
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

#: A fork server for ``python -m twin ...``: a fresh interpreter (no Qt, small) that imports
#: the CLI and the physics once, then, per request (one JSON line on stdin: the arguments
#: after ``-m twin``, working folder, memory cap, output files), forks a child that runs
#: ``twin`` as ``python -m twin`` would (``runpy``, in its own session, stdin closed, the
#: same caps as the launcher) and answers two JSON lines: the child's pid, then its wait
#: status and peak RSS. Each command is still its own process under the caps; only the
#: ~0.8 s of interpreter start and imports that every case repeated is shared. The
#: child's peak RSS includes the pre-imported modules, as an exec'd command's would.
_FORK_SERVER = """
import json, os, resource, runpy, sys, traceback
import twin.cli, twin.io, twin.physics.air, twin.engine.simulate
reply = os.fdopen(os.dup(1), "w", buffering=1)
for line in sys.stdin:
    req = json.loads(line)
    sys.stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setsid()
            reply.close()
            for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, req["out"], os.O_WRONLY),
                                    (2, req["err"], os.O_WRONLY)):
                os.dup2(os.open(path, flags), fd)
            if req["cwd"]:
                os.chdir(req["cwd"])
            resource.setrlimit(resource.RLIMIT_AS, (req["cap"], req["cap"]))
            os.nice(5)
            sys.argv = ["twin", *req["args"]]
            try:
                runpy.run_module("twin", run_name="__main__", alter_sys=True)
                code = 0
            except SystemExit as exc:
                if exc.code is None or isinstance(exc.code, int):
                    code = exc.code or 0
                else:
                    print(exc.code, file=sys.stderr)
            except BaseException:
                traceback.print_exc()
        finally:
            try:
                sys.stdout.flush(); sys.stderr.flush()
            finally:
                os._exit(code)
    reply.write(json.dumps({"pid": pid}) + "\\n")
    _pid, status, usage = os.wait4(pid, 0)
    reply.write(json.dumps({"status": status, "peak_kb": usage.ru_maxrss}) + "\\n")
"""

_server: subprocess.Popen | None = None


def _fork_server(env: dict[str, str]) -> subprocess.Popen:
    """This process's fork server, started on first use (again if it died)."""
    global _server
    if _server is None or _server.poll() is not None:
        _server = subprocess.Popen([sys.executable, "-c", _FORK_SERVER], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, env=env, bufsize=0)
        atexit.register(_server.kill)
    return _server


def _is_twin(args: list[str]) -> bool:
    return args[:3] == [sys.executable, "-m", "twin"]


def run_capped(args: list[str], time_cap_s: float = TIME_CAP_S,
               memory_cap: int = MEMORY_CAP_BYTES, cwd: Path | None = None) -> Outcome:
    """Run ``args`` with stdin closed, killed after ``time_cap_s``; its peak RSS (from
    wait4). ``python -m twin ...`` runs in a child of the fork server, anything else
    through ``_LAUNCHER``."""
    env = dict(os.environ, PYTHONFAULTHANDLER="", QT_QPA_PLATFORM="offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        out.touch()
        err.touch()
        start = time.monotonic()
        if _is_twin(args):
            code, peak_kb = _run_forked(args[3:], env, time_cap_s, memory_cap, cwd, out, err)
        else:
            code, peak_kb = _run_launched(args, env, time_cap_s, memory_cap, cwd, out, err)
        seconds = time.monotonic() - start
        return Outcome(code, seconds, peak_kb / 1024,
                       out.read_bytes().decode("utf-8", "replace"),
                       err.read_bytes().decode("utf-8", "replace"))


def _run_forked(args: list[str], env: dict[str, str], time_cap_s: float, memory_cap: int,
                cwd: Path | None, out: Path, err: Path) -> tuple[int | None, float]:
    server = _fork_server(env)
    assert server.stdin is not None and server.stdout is not None
    request = {"args": args, "cwd": str(cwd) if cwd else None, "cap": memory_cap,
               "out": str(out), "err": str(err)}
    server.stdin.write(json.dumps(request).encode() + b"\n")
    fd = server.stdout.fileno()
    pid = json.loads(_read_line(fd))["pid"]
    killed = not select.select([fd], [], [], time_cap_s)[0]
    if killed:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    done = json.loads(_read_line(fd))
    code = None if killed else os.waitstatus_to_exitcode(done["status"])
    return code, float(done["peak_kb"])


def _read_line(fd: int) -> bytes:
    """One line from the (unbuffered) pipe, a byte at a time: nothing past it is read,
    so ``select`` on the pipe still sees the next line."""
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            raise RuntimeError("the fork server of the hostile tests died")
        line += byte
    return line


def _run_launched(args: list[str], env: dict[str, str], time_cap_s: float, memory_cap: int,
                  cwd: Path | None, out: Path, err: Path) -> tuple[int | None, float]:
    report = out.parent / "peak_kb"
    start = time.monotonic()
    with out.open("wb") as out_fh, err.open("wb") as err_fh:
        p = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(memory_cap), str(report),
                              *args], stdin=subprocess.DEVNULL, stdout=out_fh, stderr=err_fh,
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
    # killed at the cap before the launcher could report: the peak is unknown
    return code, float(report.read_text()) if report.exists() else math.nan


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
