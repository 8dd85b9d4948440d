"""Run a check's cases on an implementation and judge them: the same in every mode."""
from __future__ import annotations

import traceback
from dataclasses import dataclass

import numpy as np

from .checks import GradedCheck
from .compare import compare_outputs

_DETAILED_FAILURES = 3


@dataclass
class CaseResult:
    """What one case of a check produced: its outputs, or the error that stopped it."""

    seed: int
    outputs: dict[str, np.ndarray] | None = None
    error: str | None = None


def describe_exception(error: BaseException, package: str = "minidl") -> str:
    """The exception and the deepest line of the student's `package` it passed through."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if f"/{package}/" in f.filename.replace("\\", "/")]
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if isinstance(error, SyntaxError) and error.filename:
        short = error.filename.replace("\\", "/").split(f"/{package}/", 1)[-1]
        return f"{type(error).__name__}: {error.msg}\n    at {package}/{short}:{error.lineno}" + (
            f": {error.text.strip()}" if error.text else "")
    if own:
        frame = own[-1]
        short = frame.filename.replace("\\", "/").split(f"/{package}/", 1)[1]
        text += f"\n    at {package}/{short}:{frame.lineno} in {frame.name}"
        if frame.line:
            text += f": {frame.line.strip()}"
    return text


def run_case(check: GradedCheck, mdl, seed: int) -> CaseResult:
    """Run one case, catching whatever the implementation raises."""
    try:
        return CaseResult(seed, outputs=check.run_case(mdl, seed))
    except Exception as error:  # noqa: BLE001 -- any student error costs only this case
        return CaseResult(seed, error=f"raised {describe_exception(error)}")


@dataclass
class Verdict:
    """How a check went: cases passed of cases run, and what a student should read."""

    check: GradedCheck
    passed: int
    total: int
    failures: list[str]
    credit: float | None = None  # cases' credit summed, when a measured case earns part of it
    leaderboard: float | None = None
    first_failed_seed: int | None = None

    @property
    def fraction(self) -> float:
        earned = self.passed if self.credit is None else self.credit
        return earned / self.total if self.total else 0.0

    @property
    def score(self) -> float:
        return round(self.check.points * self.fraction, 4)

    @property
    def summary(self) -> str:
        check = self.check
        head = f"Check {check.number} {check.name}: {self.passed} of {self.total} cases passed"
        if self.credit is not None:
            head += f" ({self.score:g} of {check.points:g} points)"
        lines = [head, *self.failures]
        if self.first_failed_seed is not None and check.visibility == "visible":
            lines.append(f"  replay a failing case, traceback and all, from your assignment "
                         f"folder: python -m autograder replay {check.number} "
                         f"--seed {self.first_failed_seed}")
        return "\n".join(lines)


def judge(check: GradedCheck, results: list[CaseResult],
          golden: list[dict[str, np.ndarray]] | None) -> Verdict:
    """Score `results` against the `golden` outputs of the same seeds (or `check.verify`)."""
    problems: dict[str, list[str]] = {}
    credit, leaderboard, first_failed = 0.0, None, None
    for number, result in enumerate(results, start=1):
        if result.error is not None:
            problem = result.error
        else:
            problem = check.verify(result.outputs) if check.verify else None
            if problem is None and check.golden:
                problem = compare_outputs(golden[number - 1], result.outputs,
                                          check.rtol, check.atol)
            if problem is None and check.leaderboard:
                leaderboard = float(result.outputs[check.leaderboard])
            if problem is None and check.credit:
                fraction, problem = check.credit(result.outputs)
                credit += min(max(float(fraction), 0.0), 1.0)
        if problem is not None:
            first_failed = result.seed if first_failed is None else first_failed
            problems.setdefault(problem, []).append(f"{number} (seed {result.seed})")
    failures = [f"  case{'s' if len(cases) > 1 else ''} {', '.join(cases)}: {problem}"
                for problem, cases in list(problems.items())[:_DETAILED_FAILURES]]
    if len(problems) > _DETAILED_FAILURES:
        failures.append(f"  ... and {len(problems) - _DETAILED_FAILURES} more different failure(s)")
    failed = sum(len(cases) for cases in problems.values())
    return Verdict(check, len(results) - failed, len(results), failures,
                   credit if check.credit else None, leaderboard, first_failed)
