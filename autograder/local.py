"""Local mode: a student's `pytest` runs the visible checks against the public goldens."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .checks import GradedCheck, collect
from .golden import GoldenCases
from .verdict import judge, run_case


@dataclass(frozen=True)
class LocalCase:
    """One case of one visible check, with the reference's output for its seed."""

    check: GradedCheck
    number: int
    seed: int
    expected: dict[str, np.ndarray]

    @property
    def id(self) -> str:
        return f"{self.check.number}-{self.check.name}-case{self.number}"


def local_cases(tests_dir: Path) -> list[LocalCase]:
    """Every case of the visible checks in `tests_dir/checks`, goldens from `tests_dir/goldens`."""
    cases = []
    for check in collect(tests_dir / "checks"):
        golden = GoldenCases.load(tests_dir / "goldens" / f"{check.name}.npz")
        cases += [LocalCase(check, number, seed, expected) for number, (seed, expected)
                  in enumerate(zip(golden.seeds, golden.outputs), start=1)]
    return cases


def failure(case: LocalCase, package: str = "minidl") -> str | None:
    """None when the student's `package` passes `case`, else what Gradescope would say."""
    result = run_case(case.check, importlib.import_module(package), case.seed)
    verdict = judge(case.check, [result], [case.expected], first_case=case.number)
    return None if verdict.passed else verdict.summary


def points_summary(cases: list[LocalCase], passed_ids: set[str]) -> str:
    """Points of the visible checks as the passed cases would earn them, check by check."""
    lines, earned, total = [], 0.0, 0.0
    for check in dict.fromkeys(case.check for case in cases):
        mine = [case for case in cases if case.check == check]
        fraction = sum(case.id in passed_ids for case in mine) / len(mine)
        earned += check.points * fraction
        total += check.points
        lines.append(f"  {check.number:<6} {check.name:<28} {check.points * fraction:5.2f} / "
                     f"{check.points:g}")
    lines.append(f"  {'':<6} {'checks run':<28} {earned:5.2f} / {total:g} "
                 "(hidden checks are graded on Gradescope only)")
    return "\n".join(lines)
