"""A CFD result (``result.json`` of a run case) beside the live model: per-rack inlets and
the agreement figures (mean-inlet MAE, worst rack, bias, hottest-inlet error, whether the
hottest rack is the same one)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InterchangeError
from .case_driver import RESULT_FORMAT

__all__ = ["CfdResult", "Agreement", "read_result", "agreement", "SETTLED_CYCLES", "SETTLED_STD_K"]

#: a run averaged over fewer cycles than this has not shown whether it settled
SETTLED_CYCLES = 4
#: a run whose median rack varies more than this (K) between the cycles it averages has
#: not settled to one state: the CFD library's rooms that did, repeated from another
#: initial field, agreed to 0.25–0.3 K a rack; one that did not, to 1.8 K (README, "CFD
#: repeatability")
SETTLED_STD_K = 0.3


@dataclass(frozen=True)
class CfdResult:
    """Per-rack CFD inlets (°C) in the case's rack order, with the run's figures."""

    rack_ids: list[str]
    inlet_mean_c: np.ndarray
    inlet_max_c: np.ndarray
    inlet_top_third_c: np.ndarray
    doc: dict

    def settling(self) -> dict:
        """How far the run is a reference: the cycles it averaged, the median and largest
        rack's standard deviation of its mean inlet over them (K; None where the result
        does not say), whether it settled and, where not, why (one sentence)."""
        cycles = self.doc.get("cycles_averaged")
        given = [r.get("mean_std_k") for r in self.doc.get("racks", []) if isinstance(r, dict)]
        std = np.array([v for v in given if isinstance(v, (int, float))], float)
        median = round(float(np.median(std)), 3) if len(std) else None
        largest = round(float(std.max()), 3) if len(std) else None
        note = None
        if isinstance(cycles, int) and cycles < SETTLED_CYCLES:
            note = (f"averaged over {cycles} cycle{'s' if cycles != 1 else ''} only: run it "
                    "longer (./Allrun --iters) to see whether it settles")
        elif median is not None and median > SETTLED_STD_K:
            note = (f"not settled: its racks' mean inlets vary by {median:.2f} K (median) and up "
                    f"to {largest:.2f} K between the cycles averaged; a run from another start "
                    "may land in another state (README, \"CFD repeatability\")")
        return dict(cycles_averaged=cycles if isinstance(cycles, int) else None,
                    rack_std_median_k=median, rack_std_max_k=largest, settled=note is None,
                    note=note)


@dataclass(frozen=True)
class Agreement:
    """Twin minus CFD over the racks both know."""

    rack_ids: list[str]
    cfd_mean_c: np.ndarray
    twin_mean_c: np.ndarray
    cfd_max_c: np.ndarray
    twin_max_c: np.ndarray
    mae_k: float
    worst_k: float            # largest |error| of a rack mean
    worst_rack: str
    bias_k: float
    hottest_error_k: float    # twin's hottest inlet (max) − CFD's hottest inlet (max)
    hottest_cfd: str          # rack with the hottest mean inlet in the CFD
    hottest_twin: str

    @property
    def hottest_agrees(self) -> bool:
        return self.hottest_cfd == self.hottest_twin

    def as_dict(self) -> dict:
        return dict(
            mae_k=round(self.mae_k, 3), worst_k=round(self.worst_k, 3), worst_rack=self.worst_rack,
            bias_k=round(self.bias_k, 3), hottest_error_k=round(self.hottest_error_k, 3),
            hottest_rack_cfd=self.hottest_cfd, hottest_rack_twin=self.hottest_twin,
            hottest_agrees=self.hottest_agrees,
            racks=[dict(id=r, cfd_mean_c=round(float(a), 3), twin_mean_c=round(float(b), 3),
                        cfd_max_c=round(float(c), 3), twin_max_c=round(float(d), 3))
                   for r, a, b, c, d in zip(self.rack_ids, self.cfd_mean_c, self.twin_mean_c,
                                            self.cfd_max_c, self.twin_max_c)])


def read_result(path: str | Path) -> CfdResult:
    """``result.json`` of a case directory (or the file itself)."""
    p = Path(path)
    if not p.exists():
        raise InterchangeError(str(p), "does not exist")
    f = p / "result.json" if p.is_dir() else p
    if not f.is_file():
        if (p / "twin_case.json").is_file():
            raise InterchangeError(str(p), "no result.json yet: run the case first (./Allrun)")
        raise InterchangeError(str(p), "is not an exported case (no twin_case.json, no "
                               "result.json): export one with twin export-openfoam")
    try:
        doc = json.loads(f.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InterchangeError(str(f), f"is not a CFD result (not JSON: line {exc.lineno}, "
                               f"column {exc.colno})") from None
    except UnicodeDecodeError:
        raise InterchangeError(str(f), "is not a CFD result (not UTF-8 text)") from None
    except OSError as exc:
        raise InterchangeError(str(f), f"cannot read: {exc.strerror or exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != RESULT_FORMAT:
        raise InterchangeError(str(f), f"not an OpenFOAM case result (format {RESULT_FORMAT!r})")
    try:
        racks = doc["racks"]
        ids = [str(r["id"]) for r in racks]
        cols = [np.array([float(r[k]) for r in racks]) for k in
                ("inlet_mean_c", "inlet_max_c", "inlet_top_third_c")]
    except (KeyError, TypeError, ValueError) as exc:
        raise InterchangeError(str(f), f"malformed rack entry ({exc})") from None
    return CfdResult(ids, cols[0], cols[1], cols[2], doc)


def agreement(cfd: CfdResult, rack_ids: list[str], twin_mean_c, twin_max_c) -> Agreement:
    """Twin (per rack in ``rack_ids`` order) against the CFD over their common racks."""
    index = {r: i for i, r in enumerate(rack_ids)}
    common = [r for r in cfd.rack_ids if r in index]
    if not common:
        raise InterchangeError("result.json", "no rack of the result is in the layout")
    ci = np.array([cfd.rack_ids.index(r) for r in common])
    ti = np.array([index[r] for r in common])
    cm, cx = cfd.inlet_mean_c[ci], cfd.inlet_max_c[ci]
    tm, tx = np.asarray(twin_mean_c, float)[ti], np.asarray(twin_max_c, float)[ti]
    err = tm - cm
    w = int(np.argmax(np.abs(err)))
    return Agreement(common, cm, tm, cx, tx, float(np.abs(err).mean()), float(abs(err[w])),
                     common[w], float(err.mean()), float(tx.max() - cx.max()),
                     common[int(np.argmax(cm))], common[int(np.argmax(tm))])
