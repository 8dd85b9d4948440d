"""The sensitivity measure: each assignment's catalogue of plausible bugs applies inside its
own solution regions, and its checks catch at least 95% of them, graded through the zip."""
import pytest

from autograder.assignment import AssignmentError, all_assignments, find
from autograder.sensitivity import Bug, check_bug, load_bugs, sensitivity, table
from conftest import REFERENCE, ROOT, built_release

CATALOGUED = [a.tag for a in all_assignments(ROOT / "assignments")
              if (a.folder / "bugs.toml").is_file()]


@pytest.mark.parametrize("tag", CATALOGUED)
def test_every_bug_applies_once_inside_its_assignments_regions(tag):
    bugs = load_bugs(find(ROOT / "assignments", tag))
    assert len(bugs) >= 15
    for bug in bugs:
        check_bug(bug, REFERENCE, tag)


@pytest.mark.parametrize("bug, problem", [
    (Bug("outside", "autograd.py", "from __future__ import annotations", "x"), "not inside"),
    (Bug("twice", "nn/basic.py", "return", "x"), "occurs"),
    (Bug("absent", "nn/basic.py", "no such text anywhere", "x"), "occurs 0 times"),
    (Bug("no file", "nn/nothing.py", "x", "y"), "no such file"),
])
def test_a_bug_outside_the_assignments_regions_is_refused(bug, problem):
    with pytest.raises(AssignmentError, match=problem):
        check_bug(bug, REFERENCE, "hw2")


def test_a_bug_in_another_assignments_region_is_refused():
    bug = Bug("hw1's", "ops/mathematic.py", "out_grad * b if a.requires_grad", "out_grad")
    check_bug(bug, REFERENCE, "hw1")
    with pytest.raises(AssignmentError, match="not inside a hw2 solution region"):
        check_bug(bug, REFERENCE, "hw2")


@pytest.mark.slow  # a grading per bug: from half a minute (hw1) to minutes (hw3) each
@pytest.mark.parametrize("tag", CATALOGUED)
def test_the_checks_catch_at_least_95_percent_of_the_catalogue(tag, tmp_path_factory):
    scored = sensitivity(find(ROOT / "assignments", tag), REFERENCE,
                         built_release(tag, tmp_path_factory) / "autograder.zip", jobs=2,
                         progress=False)
    caught = sum(0 < full and score < full for _, score, full in scored)
    assert caught >= 0.95 * len(scored), table(scored)
