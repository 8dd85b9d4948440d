"""hw6's layer checks (section 1 and hidden 5.1) graded in-process against the model answer's
goldens: the reference earns every point, the starter none, stripping any of the layers'
regions loses points, every layers bug of bugs.toml is caught and every layers alternative of
alternatives.toml keeps full marks. (Once hw6 joins test_assignment_checks.TAGS, the generic
tests there cover the first three for all of hw6; the catalogues go through the zip in
test_sensitivity's slow tests.)"""
import time

import pytest

from autograder.assignment import find
from autograder.catalogues import check_variant, load_catalogue
from autograder.golden import record
from autograder.implementation import imported_as
from autograder.strip import regions_in_tree
from conftest import (GOLDEN_SEED, REFERENCE, ROOT, STARTER, assignment_checks,
                      load_without_jit, make_variant, model_answer_package, scores)
from test_assignment_checks import strip_only

FILES = {"ops/convolution.py", "nn/convolution.py", "nn/normalization.py", "nn/activation.py",
         "nn/loss.py"}  # the layers' regions; hw6's other regions are the generative models'
REGIONS = [r for r in regions_in_tree(REFERENCE)
           if r.tag == "hw6" and r.path.split("minidl/", 1)[1] in FILES]
ASSIGNMENT = find(ROOT / "assignments", "hw6")
BUGS = [v for v in load_catalogue(ASSIGNMENT, "bugs") if v.file in FILES]
ALTERNATIVES = [v for v in load_catalogue(ASSIGNMENT, "alternatives") if v.file in FILES]
_goldens: dict = {}


def layer_checks():
    return [c for c in assignment_checks("hw6")[1]
            if c.number.startswith("1.") or c.number == "5.1"]


def goldens():
    """The model answer's goldens of the layer checks, recorded once."""
    if not _goldens:
        with imported_as(model_answer_package(), "minidl") as model:
            _goldens.update({c.name: record(c, model, GOLDEN_SEED) for c in layer_checks()})
    return _goldens


def score_variant(folder):
    with load_without_jit(folder) as mdl:
        return scores(layer_checks(), mdl, goldens())


def test_layer_checks_are_worth_15_points_plus_a_hidden_one():
    checks = layer_checks()
    assert sum(c.points for c in checks if c.visibility == "visible") >= 15
    assert [c.visibility for c in checks if c.number == "5.1"] == ["after_due_date"]
    assert sum(c.verify is not None for c in checks) >= 2  # the numerical gradient checks


def test_the_reference_earns_every_point_each_check_well_under_five_seconds():
    checks = layer_checks()
    with load_without_jit(REFERENCE) as mdl:
        for check in checks:
            start = time.perf_counter()
            got = scores([check], mdl, goldens())
            per_case = (time.perf_counter() - start) / len(goldens()[check.name].seeds)
            assert got == {check.name: check.points}
            assert per_case < 2, f"{check.number} takes {per_case:.1f} s a case"


def test_the_starter_gets_zero_and_is_told_what_is_missing():
    from autograder.case import run_case
    from autograder.verdict import judge

    with load_without_jit(STARTER) as starter:
        for check in layer_checks():
            golden = goldens()[check.name]
            verdict = judge(check, [run_case(check, starter, s) for s in golden.seeds],
                            golden.outputs)
            assert verdict.score == 0 and "NotImplementedError" in verdict.summary, check.name


@pytest.mark.parametrize("region", REGIONS,
                         ids=[f"{r.path.split('minidl/')[1]}:{r.begin}" for r in REGIONS])
def test_stripping_one_layer_region_loses_points(region, tmp_path):
    relative = region.path.split("minidl/", 1)[1]
    model = model_answer_package()
    make_variant(tmp_path, relative, (model / relative).read_text(),
                 strip_only((REFERENCE / relative).read_text(), region), model)
    got = score_variant(tmp_path / "minidl")
    assert any(got[c.name] < c.points for c in layer_checks()), f"{relative}:{region.begin}"


def test_the_catalogues_hold_enough_layer_variants_inside_hw6_regions():
    assert len(BUGS) >= 7 and len(ALTERNATIVES) >= 4
    for variant in BUGS + ALTERNATIVES:
        check_variant(variant, REFERENCE, "hw6")


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_each_layer_bug_loses_points(bug, tmp_path):
    folder = make_variant(tmp_path, bug.file, bug.old, bug.new, model_answer_package())
    got = score_variant(folder)
    assert any(got[c.name] < c.points for c in layer_checks()), bug.name


@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=[a.name for a in ALTERNATIVES])
def test_each_layer_alternative_keeps_every_point(alternative, tmp_path):
    folder = make_variant(tmp_path, alternative.file, alternative.old, alternative.new,
                          model_answer_package())
    assert score_variant(folder) == {c.name: c.points for c in layer_checks()}
