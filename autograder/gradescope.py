"""Write Gradescope's results.json through gradescope-utils' JSONTestRunner."""
from __future__ import annotations

import json
import unittest
from pathlib import Path
from typing import Callable

from gradescope_utils.autograder_utils.decorators import (leaderboard, number, partial_credit,
                                                          visibility)
from gradescope_utils.autograder_utils.json_test_runner import JSONTestRunner

from .checks import GradedCheck
from .verdict import Verdict


def _test_method(check: GradedCheck, evaluate: Callable[[GradedCheck], tuple[Verdict, str]]):
    def test(self, set_score=None):
        verdict, printed = evaluate(check)
        set_score(verdict.score)
        if printed.strip():
            print(f"Your code printed:\n{printed.rstrip()}\n")
        if verdict.passed < verdict.total:
            self.fail(verdict.summary)
        print(f"All {verdict.total} cases passed.")

    test.__doc__ = f"{check.title} ({check.name})"
    return partial_credit(check.points)(number(check.number)(visibility(check.visibility)(test)))


def _leaderboard_method(check: GradedCheck, verdicts: dict[str, Verdict]):
    def test(self, set_leaderboard_value=None):
        verdict = verdicts.get(check.name)
        value = verdict.leaderboard if verdict else None
        set_leaderboard_value(0.0 if value is None else value)

    return leaderboard(check.leaderboard)(test)


def build_suite(checks: list[GradedCheck],
                evaluate: Callable[[GradedCheck], tuple[Verdict, str]]) -> unittest.TestSuite:
    """One unittest test per check, in check order, scored by `evaluate(check)`.

    A check with a leaderboard column gets a second test after it that reports its value
    (gradescope-utils writes a leaderboard test as a column, not as a scored test).
    """
    verdicts: dict[str, Verdict] = {}

    def evaluate_and_keep(check: GradedCheck) -> tuple[Verdict, str]:
        verdict, printed = evaluate(check)
        verdicts[check.name] = verdict
        return verdict, printed

    methods = {}
    for i, check in enumerate(checks):
        methods[f"test_{i:03d}_{check.name}"] = _test_method(check, evaluate_and_keep)
        if check.leaderboard:
            methods[f"test_{i:03d}_{check.name}_leaderboard"] = _leaderboard_method(check,
                                                                                 verdicts)
    case_class = type("GradedChecks", (unittest.TestCase,), methods)
    return unittest.TestSuite(case_class(name) for name in methods)


def write_results(path: Path, suite: unittest.TestSuite, output: str | None = None,
                  before_writing: Callable[[], None] | None = None) -> dict:
    """Run `suite` and write results.json to `path`, with `output` shown above the tests.

    `before_writing` runs after the last test, just before the file is written.
    """
    def add_output(results: dict) -> None:
        if before_writing:
            before_writing()
        if output:
            results["output"] = output

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as stream:
        JSONTestRunner(stream=stream, visibility="visible", stdout_visibility="hidden",
                       post_processor=add_output).run(suite)
    return json.loads(path.read_text(encoding="utf-8"))


def write_failure(path: Path, message: str) -> dict:
    """results.json for when grading itself broke: zero, and a message for the student."""
    results = {"score": 0.0, "output": message, "tests": []}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results
