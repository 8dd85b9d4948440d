"""The visible graded checks of this assignment, run against your minidl/ package.

Run all of them with `pytest`, or some with `pytest -k NAME`. Each test is one check, all of
its cases, with the message Gradescope would show.
"""
from pathlib import Path

import pytest

from autograder.local import local_checks, run_local

CHECKS = local_checks(Path(__file__).parent)


@pytest.mark.parametrize("local", CHECKS, ids=[local.id for local in CHECKS])
def test_check(local, record_property):
    verdict = run_local(local)
    record_property("score", verdict.score)
    if verdict.passed < verdict.total:
        pytest.fail(verdict.summary, pytrace=False)
