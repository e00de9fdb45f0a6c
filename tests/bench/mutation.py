"""Mutation testing of the core packages: how many small faults does the suite catch?

Runs mutmut 3 (``pip install -e '.[mutation]'``) on ``twin/physics``, ``twin/io``,
``twin/engine`` and ``twin/model`` (and ``twin/session`` once it exists), each package
against the non-GUI tests that exercise it (``TESTS`` below), and prints one JSON
object on stdout with, per package: mutants in total, sampled, killed, survived (of
which had no covering test), timeout, equivalent and

    score = killed / (sampled - equivalent)

Usage (from the repository root; it runs outside ``.ci/run``)::

    .venv/bin/python tests/bench/mutation.py                       # every mutant
    .venv/bin/python tests/bench/mutation.py --sample 60 --seed 1  # 60 per package
    .venv/bin/python tests/bench/mutation.py --package physics --sample 400 --seed 1 \\
        --survivors /tmp/survivors.txt                              # list what survived
    .venv/bin/python tests/bench/mutation.py --rev HEAD ...         # a commit, not the tree
    .venv/bin/python tests/bench/mutation.py --package engine --sample 400 --seed 5 \\
        --only /tmp/survivors.txt                                   # re-run what survived

The runs so far, and the survivors each listed, are in ``mutation_runs/`` beside this
file (its README says which is which); the baseline (the suite before issue 24's tests)
was made with ``--sample 60 --seed 1 --rev 52910e7``.
The issue's targets are measured on at least 400 mutants per package (``--sample 400``).

How it works. The files to test (the working tree's tracked and untracked-unignored
files, or ``git archive`` of ``--rev``) are copied into a temporary sandbox under
``$TMPDIR`` (``twin-mutation-<pid>-*``); mutmut runs there, so the working tree is never
written, not even ``mutants/``. The sandbox is deleted at the end, on Ctrl-C or SIGTERM,
and, after a SIGKILL, by the next run (it removes sandboxes whose process is gone).
``--keep`` leaves it for ``mutmut browse`` / ``mutmut show NAME`` inside it.

For each package the sandbox's ``pyproject.toml`` gets a ``[tool.mutmut]`` table that
mutates only that package (``only_mutate``) and selects that package's tests; GUI tests
(``tests/gui``, marker ``gui``) are never run and pytest-xvfb is off. mutmut records which
tests reach each function (one traced run of the selection) and runs each mutant against
just those tests in a child forked from a server that has only collected the tests
(``process_isolation = "forkserver"``: forked from mutmut's own process, which had run the
whole selection, a child that drew a report's 3-D figure hung in OpenGL, since the
software renderer's threads of the parent do not exist in the child), stopping at the
first failure, so a mutant costs a fraction of a second to a few seconds. A mutant that no selected test reaches counts as
survived ("no_tests" says how many). Timeouts (a mutant still running after 2 x (its
covering tests' clean time + 60 s) of wall time, or 4 x that of CPU time: mutmut's
limits with ``TIMEOUT_MULTIPLIER`` and ``TIMEOUT_CONSTANT_S``) are reported apart and
are not in ``killed``. Hypothesis runs derandomized with no deadline, so a slow machine does not kill mutants and a rerun gives the same
result.

With ``--sample N --seed S`` a fixed-seed sample of N mutants per package is drawn
(``random.Random(S).sample`` of the sorted mutant names); the output states it.
``--only FILE`` runs just the mutants of that sample named in FILE (a ``--survivors``
file, or one name a line): after writing tests for the survivors of a run, re-run those
alone. The output then gives ``only`` (how many were named) and counts the rest of the
sample as ``not_rerun``; the package's score is that of the named mutants alone. Mutants
listed in ``mutation_equivalent.txt`` beside this script (one per line: the mutant name
as mutmut gives it, e.g. ``twin.physics.power.x_chain_losses__mutmut_12``, then `` — ``
and a one-line reason; ``#`` starts a comment) are not run and count as ``equivalent``.

The whole run is niced (``--nice``, default 14: two engine tests check that the coarse
lane's child runs 5 steps lower than its parent, which needs that much headroom below 19)
and uses one mutmut worker (``--jobs``); the machine's cores are shared.
"""

from __future__ import annotations

import argparse
import ast
import glob
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
EQUIVALENT_FILE = HERE / "mutation_equivalent.txt"
SANDBOX_PREFIX = "twin-mutation-"

#: package -> the test paths (globs, relative to the root) that exercise it. Missing
#: paths are skipped, so tests added later under tests/<package>/ are picked up.
TESTS: dict[str, list[str]] = {
    "physics": ["tests/physics", "tests/test_physics*.py", "tests/test_simulate.py",
                "tests/test_energy*.py", "tests/test_properties*.py", "tests/files/test_properties.py",
                # physics modules whose own tests sit beside the engine analysis that uses them
                "tests/test_swing.py", "tests/test_fabric.py", "tests/whatif/test_ridethrough*.py",
                "tests/test_engine_plant.py"],
    "io": ["tests/files", "tests/io", "tests/test_io*.py", "tests/test_samples.py",
           "tests/test_properties*.py",
           "tests/test_timeline.py"],        # the trace reader (twin/io/trace.py)
    "engine": ["tests/engine", "tests/test_engine_*.py", "tests/test_layers.py",
               "tests/test_simulate.py", "tests/test_layout_alerts.py", "tests/whatif",
               "tests/test_cli.py", "tests/physics/test_air_incremental.py",
               "tests/physics/test_air_rear_doors.py",
               "tests/physics/test_power_arch.py",   # the simulator on 800 V DC (_on_dc800)
               # the engine modules' own tests (twin/engine/<name>.py -> tests/test_<name>.py)
               "tests/test_calibrate.py", "tests/test_capacity.py", "tests/test_compare.py",
               "tests/test_economics.py",
               "tests/test_fabric*.py", "tests/test_floorload.py", "tests/test_plant*.py",
               "tests/test_reference_layers.py", "tests/test_scenarios.py",
               "tests/test_slices.py", "tests/test_streamlines.py",
               "tests/test_swap.py", "tests/test_swing.py", "tests/test_timeline.py"],
    "model": ["tests/model", "tests/test_model*.py", "tests/test_floor.py",
              "tests/test_catalogue.py", "tests/test_samples.py", "tests/files",
              "tests/test_simulate.py", "tests/test_properties*.py", "tests/session"],
    "session": ["tests/session", "tests/test_session*.py", "tests/model"],
}
EXCLUDED_TESTS = ("tests/gui", "tests/bench")        # need a display / are not tests

#: a mutant whose covering tests take longer than this x (their clean run +
#: ``TIMEOUT_CONSTANT_S``) of wall time (or twice that of CPU) is stopped and counted as
#: a timeout. mutmut's default of 15 let one mutant that makes a solver loop run 15
#: minutes against the engine's ~60 s of covering tests; 4 made each of the engine's
#: looping mutants cost ~400 s (a 400-mutant run no longer fit in a session), and a
#: mutant that is only slower, not looping, is rare.
TIMEOUT_MULTIPLIER = 2.0
#: Seconds added to every mutant's estimate before the multiplier. mutmut stops a mutant
#: after a *wall-clock* limit of multiplier x (estimate + constant) as well as the CPU
#: limit, and the forked child first collects the package's test paths again (10-20 s
#: of wall time for the engine's 29 on a busy machine), which mutmut's estimate (the
#: covering tests' own durations) leaves out: with 10 s and multiplier 2, 58 of 332
#: engine mutants - a colour, a JSON key - "timed out" while a plain pytest run of the
#: same mutant fails its first test in 2.5 s.
TIMEOUT_CONSTANT_S = 60.0

#: mutmut exit code -> our bucket (mutmut's own names in its stats.py)
KILLED, SURVIVED, NO_TESTS, TIMEOUT = {1, 3, 37}, {0}, {5, 33}, {36, 24, -24, 152, 255}

_PLUGIN = '''\
\"\"\"pytest plugin of the mutation sandbox.

Hypothesis runs reproducibly and without deadlines. At the end of each session the
solver processes the tests left running (the engine's spare-process pool) are stopped
and reaped: mutmut runs the first sessions in its own process and then waits for *any*
child, so a leftover process that exits later would be taken for a mutant's worker.
\"\"\"
import os
import signal
import sys

try:
    from hypothesis import settings
except ImportError:
    pass
else:
    settings.register_profile("mutation", deadline=None, derandomize=True, database=None,
                              print_blob=False)
    settings.load_profile("mutation")


def _children():
    me = str(os.getpid())
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[1] == me:
                yield int(entry)


def pytest_sessionfinish(session, exitstatus):
    remote = sys.modules.get("twin.engine.remote")
    spare = getattr(remote, "_spare", None)
    if spare:
        for child in list(spare):
            try:
                child.stop()
            except Exception:
                pass
        spare.clear()
    if not os.path.isdir("/proc"):
        return
    for pid in _children():
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (OSError, ChildProcessError):
            pass
'''

# In the sandbox: write the package's mutants (as `mutmut run` does first) without
# running anything, so the mutants can be listed and sampled.
_GENERATE = '''\
import os
from mutmut.mutation.trampoline import set_mutant_under_test
import mutmut.__main__ as mm
from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir, setup_source_paths
set_mutant_under_test("mutant_generation")
os.makedirs("mutants", exist_ok=True)
copy_src_dir(); copy_also_copy_files(); setup_source_paths()
mm.create_mutants(1)
'''

# In the sandbox: the diff of each named mutant against its original function.
_DIFFS = '''\
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
out = {}
for name in json.load(sys.stdin):
    try:
        out[name] = get_diff_for_mutant(name)
    except Exception as exc:  # noqa: BLE001 - report, do not stop
        out[name] = f"(no diff: {exc!r})"
json.dump(out, sys.stdout)
'''


def log(msg: str) -> None:
    print(f"[mutation {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- sandbox --------------------------------------------------------------------------


def remove_stale_sandboxes() -> None:
    """Sandboxes of runs that were killed outright (their process is gone)."""
    for path in Path(tempfile.gettempdir()).glob(SANDBOX_PREFIX + "*"):
        m = re.match(re.escape(SANDBOX_PREFIX) + r"(\d+)-", path.name)
        if not m:
            continue
        try:
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:
            pass


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout


def populate(sandbox: Path, rev: str | None) -> str:
    """Copy the files under test into `sandbox`; return a description of the source."""
    if rev:
        archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT,
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(sandbox)], input=archive, check=True)
        return f"commit {git('rev-parse', rev).strip()}"
    files = git("ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            dst = sandbox / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    dirty = bool(git("status", "--porcelain", "--untracked-files=no").strip())
    head = git("rev-parse", "HEAD").strip()
    return f"working tree (HEAD {head}{', with uncommitted changes' if dirty else ''})"


def test_paths(sandbox: Path, package: str) -> list[str]:
    found: list[str] = []
    for pattern in TESTS[package]:
        for path in sorted(glob.glob(pattern, root_dir=sandbox)):
            if path.startswith(EXCLUDED_TESTS) or path in found:
                continue
            if (sandbox / path).is_dir() or path.endswith(".py"):
                found.append(path)
    return found


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def configure(sandbox: Path, package: str, tests: list[str], base_pyproject: str) -> None:
    """The sandbox's pyproject.toml with a [tool.mutmut] table for `package`."""
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", base_pyproject)
    also_copy = [p for p in ("layouts", "resources", "_mutation_plugin.py")
                 if (sandbox / p).exists()]
    text += f"""
[tool.mutmut]
source_paths = ["twin"]
only_mutate = ["twin/{package}/*"]
also_copy = {toml_list(also_copy)}
pytest_add_cli_args = {toml_list(["-p", "no:xvfb", "-p", "no:cacheprovider",
                                  "-p", "_mutation_plugin", "-m", "not gui"])}
pytest_add_cli_args_test_selection = {toml_list(tests)}
use_git_change_detection = false
use_setproctitle = false
timeout_multiplier = {TIMEOUT_MULTIPLIER}
timeout_constant = {TIMEOUT_CONSTANT_S}
process_isolation = "forkserver"
"""
    (sandbox / "pyproject.toml").write_text(text)


# -- running --------------------------------------------------------------------------


class Runner:
    """Runs commands in the sandbox in their own process group, so that an interrupt
    ends the whole tree (mutmut forks a child per mutant, the engine tests start
    solver processes)."""

    def __init__(self, sandbox: Path, nice: int) -> None:
        self.sandbox, self.nice = sandbox, nice
        self.proc: subprocess.Popen | None = None
        self.env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
        self.env.pop("MUTANT_UNDER_TEST", None)
        # Python processes the tests start (layouts/generate.py, the CLI) import the
        # sandbox's `twin`, not the repository's through the editable install.
        self.env["PYTHONPATH"] = os.pathsep.join(
            [str(sandbox), *filter(None, [os.environ.get("PYTHONPATH")])])

    def _renice(self) -> None:
        """In the child: niceness `self.nice`, whatever the parent's was."""
        os.nice(max(0, self.nice - os.getpriority(os.PRIO_PROCESS, 0)))

    def run(self, argv: list[str], logfile: Path, stdin: str | None = None) -> tuple[int, str]:
        with open(logfile, "ab") as err:
            self.proc = subprocess.Popen(
                argv, cwd=self.sandbox, env=self.env, start_new_session=True,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE if stdin is not None else err, stderr=err,
                preexec_fn=self._renice)
            out, _ = self.proc.communicate(stdin.encode() if stdin is not None else None)
            rc = self.proc.returncode
            self.proc = None
        return rc, (out or b"").decode()

    def kill(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue


def read_equivalent() -> dict[str, str]:
    out: dict[str, str] = {}
    if EQUIVALENT_FILE.exists():
        for line in EQUIVALENT_FILE.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(" — ")
            out[name.strip()] = reason.strip()
    return out


def read_names(path: Path) -> set[str]:
    """Mutant names in a --survivors file (third tab field) or one a line."""
    names = set()
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            fields = line.split("\t")
            names.add(fields[2] if len(fields) > 2 else fields[0].split()[0])
    return names


def read_results(sandbox: Path, package: str) -> dict[str, int | None]:
    results: dict[str, int | None] = {}
    for meta in sorted((sandbox / "mutants" / "twin" / package).rglob("*.py.meta")):
        results.update(json.loads(meta.read_text())["exit_code_by_key"])
    return results


def tail(path: Path, n: int = 40) -> str:
    try:
        lines = path.read_text(errors="replace").replace("\r", "\n").splitlines()
    except OSError:
        return ""
    return "\n".join(line for line in lines if line.strip())[-4000:] if lines else ""


def run_package(runner: Runner, package: str, base_pyproject: str, args, equivalent,
                survivors_out: list[str]) -> dict:
    sandbox = runner.sandbox
    shutil.rmtree(sandbox / "mutants", ignore_errors=True)
    tests = test_paths(sandbox, package)
    entry: dict = {"tests": tests}
    if not tests:
        entry["error"] = "no tests found for this package"
        return entry
    configure(sandbox, package, tests, base_pyproject)
    logfile = sandbox / f"mutmut-{package}.log"
    py = sys.executable
    mutmut = str(Path(py).with_name("mutmut"))
    t0 = time.monotonic()
    rc, _ = runner.run([py, "-c", _GENERATE], logfile)
    if rc != 0:
        entry["error"] = "mutant generation failed:\n" + tail(logfile)
        return entry
    names = sorted(read_results(sandbox, package))
    entry["mutants_total"] = len(names)
    if args.sample and args.sample < len(names):
        sample = sorted(random.Random(args.seed).sample(names, args.sample))
    else:
        sample = names
    entry["sampled"] = len(sample)
    if args.only is not None:
        named = read_names(args.only)
        entry["only"] = len(named & set(sample))
        entry["not_rerun"] = len(sample) - entry["only"]
        sample = [n for n in sample if n in named]
    equiv = [n for n in sample if n in equivalent]
    to_run = [n for n in sample if n not in equivalent]
    log(f"{package}: {len(names)} mutants, running {len(to_run)} against {len(tests)} test paths")
    if to_run:
        rc, _ = runner.run([mutmut, "run", "--max-children",
                            str(args.jobs), *to_run], logfile)
        if rc != 0:
            entry["error"] = f"mutmut run exited {rc}:\n" + tail(logfile)
    elapsed = time.monotonic() - t0
    results = read_results(sandbox, package)
    buckets: dict[str, list[str]] = {"killed": [], "survived": [], "no_tests": [],
                                     "timeout": [], "other": []}
    for name in to_run:
        code = results.get(name)
        key = ("killed" if code in KILLED else "survived" if code in SURVIVED else
               "no_tests" if code in NO_TESTS else "timeout" if code in TIMEOUT else "other")
        buckets[key].append(name)
    counted = len(sample) - len(equiv)
    entry.update(
        killed=len(buckets["killed"]),
        survived=len(buckets["survived"]) + len(buckets["no_tests"]),
        no_tests=len(buckets["no_tests"]),
        timeout=len(buckets["timeout"]),
        other=len(buckets["other"]),
        equivalent=len(equiv),
        score=round(len(buckets["killed"]) / counted, 4) if counted else None,
        seconds=round(elapsed, 1),
        seconds_per_mutant=round(elapsed / len(to_run), 2) if to_run else None,
    )
    if buckets["other"]:
        entry["other_mutants"] = {n: results.get(n) for n in buckets["other"]}
    # timeouts are listed too (tagged), so that --only can run them again
    lost = buckets["survived"] + buckets["no_tests"] + buckets["timeout"]
    if lost and args.survivors:
        survivors_out.extend(describe(runner, package, lost, set(buckets["no_tests"]),
                                      set(buckets["timeout"]), logfile))
    return entry


# -- survivors ------------------------------------------------------------------------


def _function_of(name: str, package: str) -> tuple[str, str | None, str]:
    """`twin.physics.power.xǁPowerChainǁsolve__mutmut_3` -> (file, class, function)."""
    base = re.sub(r"__mutmut_\d+$", "", name)
    module, _, func = base.rpartition(".")
    # module names may contain the mangled function only after the last dot
    cls = None
    if func.startswith("xǁ"):
        _, cls, func = func.split("ǁ", 2)
    elif func.startswith("x_"):
        func = func[2:]
    return module.replace(".", "/") + ".py", cls, func


def _def_line(source: str, cls: str | None, func: str) -> tuple[int, int]:
    tree = ast.parse(source)
    scope: list[ast.stmt] = tree.body
    if cls:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name == cls:
                scope = node.body
                break
    for node in scope:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == func:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            return first, node.end_lineno or node.lineno
    return 1, len(source.splitlines())


def describe(runner: Runner, package: str, names: list[str], no_tests: set[str],
             timeouts: set[str], logfile: Path) -> list[str]:
    rc, out = runner.run([sys.executable, "-c", _DIFFS], logfile, stdin=json.dumps(names))
    diffs = json.loads(out) if rc == 0 and out else {}
    lines = []
    for name in names:
        path, cls, func = _function_of(name, package)
        diff = diffs.get(name, "")
        removed = [d[1:] for d in diff.splitlines() if d.startswith("-") and not d.startswith("---")]
        added = [d[1:] for d in diff.splitlines() if d.startswith("+") and not d.startswith("+++")]
        lineno = "?"
        try:
            source = (runner.sandbox / path).read_text()
            start, end = _def_line(source, cls, func)
            m = re.search(r"^@@ -(\d+)", diff, re.M)
            offset = 0
            if m:     # lines of the function before the first removed one
                body = diff[m.end():].splitlines()[1:]
                offset = int(m.group(1)) - 1
                for d in body:
                    if d.startswith("-"):
                        break
                    if not d.startswith("+"):
                        offset += 1
            guess = start + offset
            src_lines = source.splitlines()
            if removed:
                hits = [i + 1 for i in range(start - 1, min(end, len(src_lines)))
                        if src_lines[i].strip() == removed[0].strip()]
                lineno = min(hits, key=lambda i: abs(i - guess)) if hits else guess
            else:
                lineno = guess
        except (OSError, SyntaxError):
            pass
        change = " / ".join(r.strip() for r in removed) + "  →  " + " / ".join(a.strip() for a in added)
        tag = ("  [no test reaches it]" if name in no_tests else
               "  [timeout]" if name in timeouts else "")
        lines.append(f"{package}\t{path}:{lineno}\t{name}\t{change}{tag}")
    return lines


# -- main -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--package", action="append", choices=sorted(TESTS),
                    help="only this package (repeatable); default: all that exist")
    ap.add_argument("--sample", type=int, default=0, help="mutants per package (0: all)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the sample")
    ap.add_argument("--jobs", type=int, default=1, help="mutmut workers (default 1)")
    ap.add_argument("--nice", type=int, default=14, help="niceness of the run (default 14)")
    ap.add_argument("--rev", help="test this commit (git archive) instead of the working tree")
    ap.add_argument("--survivors", type=Path, help="write the surviving mutants to this file")
    ap.add_argument("--keep", action="store_true", help="keep the sandbox and print its path")
    ap.add_argument("--only", type=Path,
                    help="run only the sampled mutants named in this file (e.g. survivors)")
    args = ap.parse_args(argv)

    remove_stale_sandboxes()
    sandbox = Path(tempfile.mkdtemp(prefix=f"{SANDBOX_PREFIX}{os.getpid()}-"))
    runner = Runner(sandbox, args.nice)

    def _stop(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop)
    t0 = time.monotonic()
    report: dict = {}
    survivors: list[str] = []
    try:
        source = populate(sandbox, args.rev)
        (sandbox / "_mutation_plugin.py").write_text(_PLUGIN)
        base_pyproject = (sandbox / "pyproject.toml").read_text()
        packages = args.package or [p for p in TESTS if (sandbox / "twin" / p).is_dir()]
        from importlib.metadata import version
        report = {
            "tool": f"mutmut {version('mutmut')}",
            "source": source,
            "sample": ({"per_package": args.sample, "seed": args.seed} if args.sample
                       else "all mutants"),
            **({"only": str(args.only)} if args.only is not None else {}),
            "jobs": args.jobs, "nice": args.nice,
            "score": "killed / (sampled - equivalent); survived includes no_tests",
            "packages": {},
        }
        equivalent = read_equivalent()
        for package in packages:
            if not (sandbox / "twin" / package).is_dir():
                report["packages"][package] = {"error": f"twin/{package} does not exist"}
                continue
            report["packages"][package] = run_package(runner, package, base_pyproject, args,
                                                      equivalent, survivors)
            log(f"{package}: " + json.dumps({k: v for k, v in report["packages"][package].items()
                                            if k not in ("tests", "error")}))
    except KeyboardInterrupt as exc:
        runner.kill()
        log(f"interrupted ({exc}); sandbox removed")
        report["interrupted"] = True
        return_code = 130
    else:
        return_code = 0 if all("error" not in p for p in report["packages"].values()) else 1
    finally:
        runner.kill()
        if args.keep:
            log(f"sandbox kept at {sandbox}")
        else:
            shutil.rmtree(sandbox, ignore_errors=True)
    report["elapsed_s"] = round(time.monotonic() - t0, 1)
    if args.survivors:
        header = (f"# Surviving mutants ({report.get('tool')}, {report.get('source')}, "
                  f"sample {json.dumps(report.get('sample'))}).\n"
                  "# package<TAB>file:line<TAB>mutant name<TAB>original  →  mutant\n")
        args.survivors.write_text(header + "".join(s + "\n" for s in survivors))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return return_code


if __name__ == "__main__":
    sys.exit(main())
