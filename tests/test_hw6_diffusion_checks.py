"""hw6's diffusion checks (section 3 and hidden 5.3) graded in-process against the model
answer's goldens: the reference earns every point over several seeds, each check well under
five seconds, the starter none, stripping any diffusion region loses points, every diffusion
bug of bugs.toml is caught and every diffusion alternative of alternatives.toml keeps full
marks. (Once hw6 joins test_assignment_checks.TAGS, the generic tests there cover the first
three for all of hw6; the catalogues go through the zip in test_sensitivity's slow tests.)"""
import time

import pytest

from autograder.assignment import find
from autograder.catalogues import check_variant, load_catalogue
from autograder.golden import record
from autograder.implementation import imported_as, unload
from autograder.strip import regions_in_tree
from conftest import (GOLDEN_SEED, REFERENCE, ROOT, STARTER, assignment_checks,
                      load_implementation, load_without_jit, make_variant, model_answer_package,
                      scores)
from test_assignment_checks import strip_only

FILES = {"generative/diffusion.py"}
REGIONS = [r for r in regions_in_tree(REFERENCE)
           if r.tag == "hw6" and r.path.split("minidl/", 1)[1] in FILES]
ASSIGNMENT = find(ROOT / "assignments", "hw6")
BUGS = [v for v in load_catalogue(ASSIGNMENT, "bugs") if v.file in FILES]
ALTERNATIVES = [v for v in load_catalogue(ASSIGNMENT, "alternatives") if v.file in FILES]
_goldens: dict = {}


def diffusion_checks():
    return [c for c in assignment_checks("hw6")[1]
            if c.number.startswith("3.") or c.number == "5.3"]


def goldens(seed: int = GOLDEN_SEED):
    """The model answer's goldens of the diffusion checks for `seed`, recorded once."""
    if seed not in _goldens:
        with imported_as(model_answer_package(), "minidl") as model:
            _goldens[seed] = {c.name: record(c, model, seed) for c in diffusion_checks()}
    return _goldens[seed]


def full_marks():
    return {c.name: c.points for c in diffusion_checks()}


def score_variant(folder):
    with load_without_jit(folder) as mdl:
        return scores(diffusion_checks(), mdl, goldens())


def test_diffusion_checks_are_worth_about_18_points_with_a_hidden_one():
    checks = diffusion_checks()
    assert sum(c.points for c in checks) >= 16
    assert {c.number.split(".")[0] for c in checks} == {"3", "5"}
    assert [c.visibility for c in checks if c.number == "5.3"] == ["after_due_date"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_reference_earns_every_point_each_check_well_under_five_seconds(seed):
    """Recorded by the model answer, scored by the reference under another import."""
    again = load_implementation(REFERENCE)
    try:
        for check in diffusion_checks():
            start = time.perf_counter()
            got = scores([check], again, goldens(seed))
            per_case = (time.perf_counter() - start) / len(goldens(seed)[check.name].seeds)
            assert got == {check.name: check.points}
            assert per_case < 2, f"{check.number} takes {per_case:.1f} s a case"
    finally:
        unload(again.__name__)


def test_the_starter_gets_zero_and_is_told_what_is_missing():
    from autograder.case import run_case
    from autograder.verdict import judge

    with load_without_jit(STARTER) as starter:
        for check in diffusion_checks():
            golden = goldens()[check.name]
            verdict = judge(check, [run_case(check, starter, s) for s in golden.seeds],
                            golden.outputs)
            assert verdict.score == 0 and "NotImplementedError" in verdict.summary, check.name


@pytest.mark.parametrize("region", REGIONS,
                         ids=[f"{r.path.split('minidl/')[1]}:{r.begin}" for r in REGIONS])
def test_stripping_one_diffusion_region_loses_points(region, tmp_path):
    relative = region.path.split("minidl/", 1)[1]
    model = model_answer_package()
    make_variant(tmp_path, relative, (model / relative).read_text(),
                 strip_only((REFERENCE / relative).read_text(), region), model)
    assert score_variant(tmp_path / "minidl") != full_marks(), f"{relative}:{region.begin}"


def test_the_catalogues_hold_enough_diffusion_variants_inside_hw6_regions():
    assert len(BUGS) >= 7 and len(ALTERNATIVES) >= 3
    for variant in BUGS + ALTERNATIVES:
        check_variant(variant, REFERENCE, "hw6")


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_each_diffusion_bug_loses_points(bug, tmp_path):
    folder = make_variant(tmp_path, bug.file, bug.old, bug.new, model_answer_package())
    assert score_variant(folder) != full_marks(), bug.name


@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=[a.name for a in ALTERNATIVES])
def test_each_diffusion_alternative_keeps_every_point(alternative, tmp_path):
    folder = make_variant(tmp_path, alternative.file, alternative.old, alternative.new,
                          model_answer_package())
    assert score_variant(folder) == full_marks()
