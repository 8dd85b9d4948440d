"""Local mode: a student's `pytest` runs the visible checks against the public goldens."""
from __future__ import annotations

import importlib
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .checks import GradedCheck, collect
from .golden import GoldenCases
from .case import CaseResult, run_case
from .verdict import Verdict, judge, score_table


@dataclass(frozen=True, eq=False)
class LocalCheck:
    """One visible check with the reference's outputs for its public seeds."""

    check: GradedCheck
    golden: GoldenCases

    @property
    def id(self) -> str:
        return f"{self.check.number}-{self.check.name}"


def local_checks(tests_dir: Path) -> list[LocalCheck]:
    """The visible checks in `tests_dir/checks`, with their goldens from `tests_dir/goldens`."""
    return [LocalCheck(check, GoldenCases.load(tests_dir / "goldens" / f"{check.name}.npz"))
            for check in collect(tests_dir / "checks")]


def run_local(local: LocalCheck, package: str = "minidl") -> Verdict:
    """Every case of one check on the student's `package`, judged as Gradescope would."""
    mdl = importlib.import_module(package)
    results = [run_case(local.check, mdl, seed) for seed in local.golden.seeds]
    return judge(local.check, results, local.golden.outputs)


def points_table(scores: dict[LocalCheck, float]) -> str:
    """The points each check that ran earned, and their total."""
    rows = [(local.check.number, local.check.name, round(score, 2), local.check.points, "")
            for local, score in scores.items()]
    return score_table(rows, "checks run") + "  (hidden checks are graded on Gradescope only)"


def notebook_verdicts(bundle: Path, cell_timeout: float = 600) -> list:
    """Run the student's notebook.ipynb in `bundle` as the autograder does (its test cells as
    released, from tests/notebook.ipynb) but with the full settings; each test cell's verdict."""
    import os
    import tempfile

    from .notebook_cells import read_notebook, restore
    from .notebook_grade import judge_cells, read_records
    from .notebook_run import execute

    released = read_notebook((bundle / "tests" / "notebook.ipynb").read_bytes())
    graded, _ = restore(read_notebook((bundle / "notebook.ipynb").read_bytes()), released)
    with tempfile.TemporaryDirectory() as scratch:
        records = Path(scratch) / "cells.jsonl"
        path = os.pathsep.join(filter(None, [str(bundle.resolve()), os.environ.get("PYTHONPATH")]))
        execute(graded, Path(scratch) / "run", records, cell_timeout, {"PYTHONPATH": path},
                cwd=bundle)
        return judge_cells(graded, read_records(records.read_bytes()), 1, cell_timeout,
                           "an earlier cell stopped the run")


def replay(tests_dir: Path, wanted: str, seed: int, package: str = "minidl") -> int:
    """Run one case of a visible check (by number or name) with nothing caught; 0 if it passed.

    An exception shows its full traceback. A public seed is compared with its golden; for
    another seed (a Gradescope case) the outputs are printed, as its golden stays there.
    """
    checks = {c.number: c for c in collect(tests_dir / "checks")}
    check = checks.get(wanted) or next((c for c in checks.values() if c.name == wanted), None)
    if check is None:
        print(f"No visible check {wanted!r}; the checks are: "
              + ", ".join(f"{c.number} {c.name}" for c in checks.values()))
        return 2
    print(f"Check {check.number} {check.name}, case with seed {seed}: {check.title}")
    try:
        outputs = check.run_case(importlib.import_module(package), seed)
    except Exception:  # noqa: BLE001 -- shown whole: that is what replaying is for
        traceback.print_exc()
        return 1
    golden = GoldenCases.load(tests_dir / "goldens" / f"{check.name}.npz")
    if check.golden and seed not in golden.seeds:  # a Gradescope case: its golden stays there
        problem = check.verify(outputs) if check.verify else None
        if problem:
            print(problem)
            return 1
        for name, value in outputs.items():
            print(f"{name}: shape {value.shape}, dtype {value.dtype}\n"
                  f"{np.array2string(value, precision=5, threshold=40)}")
        print("This seed is not among the public ones, so its expected outputs are on "
              "Gradescope only; the outputs above are yours.")
        return 0
    expected = [golden.outputs[golden.seeds.index(seed)]] if check.golden else None
    verdict = judge(check, [CaseResult(seed, outputs=outputs)], expected)
    print("\n".join(verdict.failures) or "Passed.")
    return 1 if verdict.failures else 0
