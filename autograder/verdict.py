"""Judge a check's cases against the reference's outputs: the same in every mode."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .case import CaseResult
from .checks import GradedCheck
from .compare import compare_outputs

_DETAILED_FAILURES = 3


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
    def passed_note(self) -> str:
        return f"All {self.total} cases passed."

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
                if problem is not None and check.hint and set(golden[number - 1]) <= set(
                        result.outputs):
                    advice = check.hint(golden[number - 1], result.outputs)
                    problem += f"\n  hint: {advice}" if advice else ""
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


def score_table(rows: list[tuple[str, str, float, float, str]], total: str | None = "total") -> str:
    """Rows (number, name, score, points, note) as aligned columns, then the `total` row (none
    when `total` is None): the one table of scores of every command that prints one."""
    number_width = max([len(row[0]) for row in rows] + [1])
    name_width = max([len(row[1]) for row in rows] + [len(total or "")])
    lines = [f"{number:<{number_width}}  {name:<{name_width}}  {score:>6g} / {points:<4g}  {note}"
             .rstrip() for number, name, score, points, note in rows]
    if total is not None:
        lines.append(f"{'':<{number_width}}  {total:<{name_width}}  "
                     f"{sum(row[2] for row in rows):>6g} / {sum(row[3] for row in rows):<4g}")
    return "\n".join(lines)
