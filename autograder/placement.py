"""Which modules of this package go where: the one table release.py and sandbox.py read.

GRADER: the autograder zip (Gradescope's grader process). STUDENT: the student bundle.
CHILD: the runtime the sandboxed child imports beside the student's code. A module in no
place (release, strip, regrade, ...) stays in the kit.
"""
from __future__ import annotations

GRADER, STUDENT, CHILD = "grader", "student", "child"

PLACES = {
    "__init__": {GRADER, STUDENT, CHILD},
    "__main__": {GRADER, STUDENT},
    "cli": {GRADER, STUDENT},
    "assignment": {GRADER},
    "case": {GRADER, STUDENT, CHILD},
    "case_records": {GRADER, CHILD},
    "checks": {GRADER, STUDENT, CHILD},
    "child": {GRADER, CHILD},
    "compare": {GRADER, STUDENT, CHILD},
    "golden": {GRADER, STUDENT},
    "grade": {GRADER},
    "gradescope": {GRADER},
    "placement": {GRADER},
    "sandbox": {GRADER},
    "submission": {GRADER},
    "verdict": {GRADER, STUDENT},
    "notebook_cells": {GRADER, STUDENT},
    "notebook_grade": {GRADER, STUDENT},
    "notebook_kernel": {GRADER, STUDENT, CHILD},
    "notebook_run": {GRADER, STUDENT, CHILD},
    "local": {STUDENT},
    "submit": {STUDENT},
    "written_pdf": {STUDENT},
    "implementation": set(),
    "local_grading": set(),
    "regrade": set(),
    "catalogues": set(),
    "release": set(),
    "strip": set(),
}


def modules(place: str) -> list[str]:
    """The modules that go to `place`, in a stable order."""
    return sorted(name for name, places in PLACES.items() if place in places)
