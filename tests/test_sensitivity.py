"""The two catalogues of variants of the model answer: each assignment's plausible bugs apply
inside its own solution regions and its checks catch them, graded through the zip
(sensitivity); its correct alternatives apply likewise and each keeps every point
(specificity)."""
import pytest

from autograder.assignment import AssignmentError, all_assignments, find
from autograder.catalogues import (GradedVariant, Variant, check_variant, grade_catalogue,
                                   load_catalogue, table)
from conftest import REFERENCE, ROOT, built_release

TAGS = [a.tag for a in all_assignments(ROOT / "assignments")]


@pytest.mark.parametrize("tag", TAGS)
@pytest.mark.parametrize("kind, at_least", [("bugs", 15), ("alternatives", 8)])
def test_every_variant_applies_once_inside_its_assignments_regions(tag, kind, at_least):
    variants = load_catalogue(find(ROOT / "assignments", tag), kind)
    assert len(variants) >= at_least
    for variant in variants:
        check_variant(variant, REFERENCE, tag)


@pytest.mark.parametrize("variant, problem", [
    (Variant("outside", "autograd.py", "from __future__ import annotations", "x"), "not inside"),
    (Variant("twice", "nn/container.py", "return", "x"), "occurs"),
    (Variant("absent", "nn/container.py", "no such text anywhere", "x"), "occurs 0 times"),
    (Variant("no file", "nn/nothing.py", "x", "y"), "no such file"),
])
def test_a_variant_outside_the_assignments_regions_is_refused(variant, problem):
    with pytest.raises(AssignmentError, match=problem):
        check_variant(variant, REFERENCE, "hw2")


def test_a_variant_in_another_assignments_region_is_refused():
    bug = Variant("hw1's", "ops/mathematic.py", "out_grad * b if a.requires_grad", "out_grad")
    check_variant(bug, REFERENCE, "hw1")
    with pytest.raises(AssignmentError, match="not inside a hw2 solution region"):
        check_variant(bug, REFERENCE, "hw2")


def test_tables_name_each_verdict_and_show_why_an_alternative_was_rejected():
    kept, lost = Variant("kept", "f.py", "a", "b"), Variant("lost", "f.py", "a", "c")
    graded = [GradedVariant(kept, 5, 5),
              GradedVariant(lost, 4, 5, ("2.1: 'out' differs at 3 of 8",))]
    bugs, alternatives = table(graded, "bugs"), table(graded, "alternatives")
    assert "MISSED" in bugs and "caught 1 of 2 bugs" in bugs and "differs" not in bugs
    assert "ACCEPTED" in alternatives and "REJECTED" in alternatives
    assert "2.1: 'out' differs at 3 of 8" in alternatives
    assert "accepted 1 of 2 alternatives" in alternatives


@pytest.mark.slow  # a grading per bug: from half a minute (hw1) to minutes (hw3) each
@pytest.mark.parametrize("tag", TAGS)
def test_the_checks_catch_every_bug_of_the_catalogue(tag, tmp_path_factory):
    graded = grade_catalogue(find(ROOT / "assignments", tag), "bugs", REFERENCE,
                             built_release(tag, tmp_path_factory) / "autograder.zip", jobs=2,
                             progress=False)
    assert all(g.as_it_must("bugs") for g in graded), table(graded, "bugs")


@pytest.mark.slow  # a grading per alternative, through a zip with its own secret seed
@pytest.mark.parametrize("tag", TAGS)
def test_every_correct_alternative_keeps_full_marks(tag, tmp_path_factory):
    from autograder.release import release
    (folder,) = release(ROOT, tmp_path_factory.mktemp("fresh"), tags=[tag], progress=False)
    graded = grade_catalogue(find(ROOT / "assignments", tag), "alternatives", REFERENCE,
                             folder / "autograder.zip", jobs=2, progress=False)
    assert all(g.as_it_must("alternatives") for g in graded), table(graded, "alternatives")
