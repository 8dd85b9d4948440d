"""The visible graded checks of this assignment, run against your minidl/ package.

Run all of them with `pytest`, or those of one check with `pytest -k NAME`. Each test is one
case of one check, with the same message Gradescope would show.
"""
from pathlib import Path

import pytest

from autograder.local import failure, local_cases

CASES = local_cases(Path(__file__).parent)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_check(case):
    message = failure(case)
    if message:
        pytest.fail(message, pytrace=False)
