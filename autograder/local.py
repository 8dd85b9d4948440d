"""Local mode: a student's `pytest` runs the visible checks against the public goldens."""
from __future__ import annotations

import importlib
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .checks import GradedCheck, collect
from .compare import compare_outputs
from .golden import GoldenCases
from .case import run_case
from .verdict import Verdict, judge


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
    lines, earned, total = [], 0.0, 0.0
    width = max(len(local.check.name) for local in scores)
    for local, score in scores.items():
        check = local.check
        earned, total = earned + score, total + check.points
        lines.append(f"  {check.number:<6} {check.name:<{width}} {score:5.2f} / {check.points:g}")
    lines.append(f"  {'':<6} {'checks run':<{width}} {earned:5.2f} / {total:g} "
                 "(hidden checks are graded on Gradescope only)")
    return "\n".join(lines)


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
    problem = check.verify(outputs) if check.verify else None
    if problem is None and seed in golden.seeds and check.golden:
        problem = compare_outputs(golden.outputs[golden.seeds.index(seed)], outputs,
                                  check.rtol, check.atol)
    elif problem is None:
        for name, value in outputs.items():
            print(f"{name}: shape {value.shape}, dtype {value.dtype}\n"
                  f"{np.array2string(value, precision=5, threshold=40)}")
        print("This seed is not among the public ones, so its expected outputs are on "
              "Gradescope only; the outputs above are yours.")
        return 0
    print(problem or "Passed.")
    return 1 if problem else 0
