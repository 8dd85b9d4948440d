"""Gradescope's results.json from finished verdicts, written by gradescope-utils' JSONTestRunner.

Only formatting: every check has been run and judged before anything here is called. Each
verdict becomes one unittest test carrying gradescope-utils' decorators (`weight` through
`partial_credit`, `number`, `visibility`, `leaderboard`).
"""
from __future__ import annotations

import json
import unittest
from dataclasses import dataclass
from pathlib import Path

from gradescope_utils.autograder_utils.decorators import (leaderboard, number, partial_credit,
                                                          visibility)
from gradescope_utils.autograder_utils.json_test_runner import JSONTestRunner

from .verdict import Verdict


@dataclass(frozen=True)
class Graded:
    """A check's verdict and what the student's code printed while it ran."""

    verdict: Verdict
    printed: str = ""


def _test_method(graded: Graded):
    verdict, check = graded.verdict, graded.verdict.check

    def test(self, set_score=None):
        set_score(verdict.score)
        if graded.printed.strip():
            print(f"Your code printed:\n{graded.printed.rstrip()}\n")
        if verdict.passed < verdict.total:
            self.fail(verdict.summary)
        print(verdict.passed_note)

    test.__doc__ = f"{check.title} ({check.name})"
    return partial_credit(check.points)(number(check.number)(visibility(check.visibility)(test)))


def _leaderboard_method(verdict: Verdict):
    def test(self, set_leaderboard_value=None):
        set_leaderboard_value(0.0 if verdict.leaderboard is None else verdict.leaderboard)

    return leaderboard(verdict.check.leaderboard)(test)


def _suite(results: list[Graded]) -> unittest.TestSuite:
    """One test per check, in order; a check with a leaderboard column gets a second test that
    reports its value (gradescope-utils writes a leaderboard test as a column, not a score)."""
    methods = {}
    for i, graded in enumerate(results):
        name = f"test_{i:03d}_{graded.verdict.check.name}"
        methods[name] = _test_method(graded)
        if graded.verdict.check.leaderboard:
            methods[f"{name}_leaderboard"] = _leaderboard_method(graded.verdict)
    case_class = type("GradedChecks", (unittest.TestCase,), methods)
    return unittest.TestSuite(case_class(name) for name in methods)


def write_results(path: Path, results: list[Graded], output: str | None = None) -> dict:
    """Write results.json to `path` for the checks' `results`, `output` shown above them."""
    def add_output(written: dict) -> None:
        if output:
            written["output"] = output

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as stream:
        JSONTestRunner(stream=stream, visibility="visible", stdout_visibility="hidden",
                       post_processor=add_output).run(_suite(results))
    return json.loads(path.read_text(encoding="utf-8"))


def write_failure(path: Path, message: str) -> dict:
    """results.json for when grading itself broke: zero, and a message for the student."""
    results = {"score": 0.0, "output": message, "tests": []}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results
