"""Fit the air model's recirculation constants jointly over the CFD case library and
cross-validate them (not run in CI).

    python tests/bench/cfd/fit.py [--names row_end_entrainment,buoyancy_time_s] [--json OUT] [--jobs 2]

Reads every ``tests/bench/cfd/reference/NAME.json`` that has a room
``tests/bench/cfd/rooms/NAME.json`` (mesh-study variants such as ``NAME@0.10.json``
are skipped; repeats from other initial fields, ``NAME@repeat*.json``, are averaged
with it rack by rack: :func:`ensemble`), fits the constants (``twin.engine.calibrate.fit_constants``: least
squares on every rack's mean inlet and upper-third inlet) over all cases, then once per
case over all the others (leave one case out) and prints, per case, the held-out
errors next to the defaults': mean-inlet MAE, worst rack, bias, hottest-inlet error
(the twin's hottest intake − the CFD's hottest intake cell) and whether both name the
same hottest rack (by mean inlet; racks within ``TIE_K`` of a room's hottest count as
tied, since the rooms are mirror-symmetric: the twin gives mirrored racks equal inlets,
and the CFD's mirrored end racks differ by its own noise, up to 3 K in the starved aisle).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

import numpy as np  # noqa: E402

from twin.engine.calibrate import BOUNDS, Observations, RoomModel, fit_constants  # noqa: E402
from twin.io import load_layout  # noqa: E402


REPEAT = "@repeat"
KEYS = ("inlet_mean_c", "inlet_top_third_c", "inlet_max_c")


def ensemble(ref: Path) -> tuple[dict, float | None]:
    """The reference ``ref`` with its repeats (``NAME@repeat*.json``) averaged in rack by
    rack, and the runs' spread: the mean over racks and pairs of runs of their mean-inlet
    difference (None without a repeat).  The CFD of a room whose flow does not settle
    lands in a state that depends on the air it starts from; runs from other initial
    fields sample it again."""
    doc = json.loads(ref.read_text())
    reps = sorted(ref.parent.glob(f"{ref.stem}{REPEAT}*.json"))
    if not reps:
        return doc, None
    runs = [{r["id"]: r for r in doc["racks"]}]
    runs += [{r["id"]: r for r in json.loads(p.read_text())["racks"]} for p in reps]
    racks = [dict(r, **{k: round(float(np.mean([run[r["id"]][k] for run in runs])), 3) for k in KEYS})
             for r in doc["racks"]]
    means = np.array([[run[r["id"]]["inlet_mean_c"] for r in doc["racks"]] for run in runs])
    pairs = [abs(a - b).mean() for i, a in enumerate(means) for b in means[i + 1:]]
    return dict(doc, racks=racks), float(np.mean(pairs))


def cases(top: bool = True):
    out = []
    for ref in sorted((HERE / "reference").glob("*.json")):
        room = HERE / "rooms" / f"{ref.stem}.json"
        if not room.exists():
            continue
        doc, spread = ensemble(ref)
        model = RoomModel(load_layout(room))
        idx = np.array([model.rack_ids.index(r["id"]) for r in doc["racks"]])
        mean = np.array([r["inlet_mean_c"] for r in doc["racks"]])
        top_c = np.array([r["inlet_top_third_c"] for r in doc["racks"]])
        hot = np.array([r["inlet_max_c"] for r in doc["racks"]])
        z_top = model.heights_m[idx] * 5 / 6
        obs = (Observations(np.concatenate([idx, idx]), np.concatenate([np.full(len(idx), np.nan), z_top]),
                            np.concatenate([mean, top_c])) if top
               else Observations(idx, np.full(len(idx), np.nan), mean))
        out.append(dict(name=ref.stem, model=model, obs=obs, idx=idx, mean=mean, hot=hot, doc=doc,
                        repeat_mae_k=spread))
    return out


TIE_K = 0.1


def hottest_agree(ids, twin_c, cfd_c, tie_k: float = TIE_K) -> bool:
    """Whether the twin's hottest racks (within ``tie_k`` of its hottest) and the CFD's
    share a rack."""
    ours = {i for i, t in zip(ids, twin_c) if t >= max(twin_c) - tie_k}
    theirs = {i for i, t in zip(ids, cfd_c) if t >= max(cfd_c) - tie_k}
    return bool(ours & theirs)


def held_out(case, constants) -> dict:
    res = case["model"].solve(constants)
    tm = np.asarray(res.rack_inlet_mean_c)[case["idx"]]
    tx = np.asarray(res.rack_inlet_max_c)[case["idx"]]
    err = tm - case["mean"]
    hot_err = tx - case["hot"]
    ids = [case["model"].rack_ids[i] for i in case["idx"]]
    return dict(mae_k=float(np.abs(err).mean()), worst_k=float(np.abs(err).max()),
                worst_rack=ids[int(np.argmax(np.abs(err)))], bias_k=float(err.mean()),
                hottest_error_k=float(tx.max() - case["hot"].max()),
                hottest_agrees=hottest_agree(ids, tm, case["mean"]),
                rack_hot_errors_k=[round(float(e), 3) for e in hot_err])


_CASES: dict[bool, list] = {}


def _fold(fold, cs=None) -> dict:
    """Case ``k`` held out: the constants fitted on the others, its errors at the defaults
    and at those (in a worker process the cases are built once, on its first fold)."""
    k, names, start, robust_k, top = fold
    if cs is None:
        cs = _CASES.setdefault(top, cases(top=top))
    c = cs[k]
    others = [(o["model"], o["obs"]) for j, o in enumerate(cs) if j != k]
    f = fit_constants(others, names, start=start, robust_k=robust_k)
    return dict(case=c["name"], cells=c["doc"].get("cells"), cfd_wall_s=c["doc"].get("wall_s"),
                twin_s=c["doc"].get("twin_s"), fitted=f.constants,
                cfd_repeat_mae_k=c["repeat_mae_k"],
                default=held_out(c, {}), held_out=held_out(c, f.constants))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", default=",".join(BOUNDS))
    ap.add_argument("--json", metavar="OUT")
    ap.add_argument("--mean-only", action="store_true", help="fit the racks' mean inlets only")
    ap.add_argument("--robust-k", type=float, help="soft-L1 loss with this scale (K)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="held-out fits in this many processes (each builds the cases once)")
    a = ap.parse_args()
    names = tuple(n for n in a.names.split(",") if n)
    cs = cases(top=not a.mean_only)
    if len(cs) < 2:
        print("need at least two reference cases", file=sys.stderr)
        return 1
    joint = fit_constants([(c["model"], c["obs"]) for c in cs], names, robust_k=a.robust_k)
    print(f"joint fit over {len(cs)} cases: {joint.constants} "
          f"(rms {np.sqrt(np.mean(joint.before_k ** 2)):.2f} -> {np.sqrt(np.mean(joint.after_k ** 2)):.2f} K)")
    folds = [(k, names, joint.constants, a.robust_k, not a.mean_only) for k in range(len(cs))]
    if a.jobs > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(a.jobs) as pool:
            rows = list(pool.map(_fold, folds))
    else:
        rows = [_fold(f, cs) for f in folds]
    print("\n| case | cells | CFD s | twin s | default MAE / worst / bias / hottest / same | "
          "held-out MAE / worst / bias / hottest / same |")
    print("|---|---|---|---|---|---|")

    def cell(e):
        return (f"{e['mae_k']:.2f} / {e['worst_k']:.2f} ({e['worst_rack']}) / {e['bias_k']:+.2f} / "
                f"{e['hottest_error_k']:+.2f} / {'yes' if e['hottest_agrees'] else 'no'}")
    for r in rows:
        print(f"| {r['case']} | {r['cells']} | {r['cfd_wall_s']} | {r['twin_s']} | {cell(r['default'])} "
              f"| {cell(r['held_out'])} |")
    print("\nPer-rack hottest intake (rack_inlet_max_c minus the CFD's hottest intake cell), held out:")
    print("| case | MAE | most conservative | most optimistic | racks > 3 K high | racks > 1 K low |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        e = np.array(r["held_out"]["rack_hot_errors_k"])
        print(f"| {r['case']} | {np.abs(e).mean():.2f} | {e.max():+.2f} | {e.min():+.2f} | "
              f"{int((e > 3).sum())} / {len(e)} | {int((e < -1).sum())} / {len(e)} |")
    e = np.concatenate([r["held_out"]["rack_hot_errors_k"] for r in rows])
    print(f"| all | {np.abs(e).mean():.2f} | {e.max():+.2f} | {e.min():+.2f} | "
          f"{int((e > 3).sum())} / {len(e)} | {int((e < -1).sum())} / {len(e)} |")
    better = all(r["held_out"]["mae_k"] < r["default"]["mae_k"] for r in rows)
    print(f"\nheld-out MAE better than the defaults on every case: {'yes' if better else 'no'}")
    if a.json:
        Path(a.json).write_text(json.dumps(dict(joint=joint.constants, names=list(names), cases=rows),
                                           indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
