"""Every assignment's graded checks: the reference earns every point, the starter none, and
every solution region and plausible bug costs points."""
import numpy as np
import pytest

from autograder.golden import record
from autograder.strip import regions_in_tree, strip_source
from autograder.implementation import unload
from conftest import (REFERENCE, STARTER, assignment_checks, load_implementation, make_variant,
                      reference_goldens, scores)

TAGS = ["hw1", "hw2"]
REGIONS = [r for r in regions_in_tree(REFERENCE) if r.tag in TAGS]


def test_hw1_is_worth_at_least_30_points_over_checks_of_every_section(hw1_checks):
    assert sum(c.points for c in hw1_checks) >= 30
    assert {c.number.split(".")[0] for c in hw1_checks} >= {"1", "2", "3", "4"}
    assert any(c.visibility != "visible" for c in hw1_checks)
    assert any(c.verify is not None for c in hw1_checks), "hw1 needs a numerical gradient check"


@pytest.mark.parametrize("tag", TAGS)
def test_each_assignment_is_worth_at_least_30_points(tag):
    _, checks = assignment_checks(tag)
    assert sum(c.points for c in checks) >= 30


@pytest.mark.parametrize("base_seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("tag", TAGS)
def test_reference_gets_full_marks_for_every_seed(tag, reference, base_seed):
    _, checks = assignment_checks(tag)
    goldens = {c.name: record(c, reference, base_seed) for c in checks}
    again = load_implementation(REFERENCE)
    try:
        got = scores(checks, again, goldens)
    finally:
        unload(again.__name__)
    assert got == {c.name: c.points for c in checks}


@pytest.mark.parametrize("tag", TAGS)
def test_starter_gets_zero_and_is_told_what_is_not_implemented(tag, reference):
    from autograder.verdict import judge, run_case

    _, checks = assignment_checks(tag)
    goldens = reference_goldens(tag, reference)
    starter = load_implementation(STARTER)
    try:
        for check in checks:
            golden = goldens[check.name]
            verdict = judge(check, [run_case(check, starter, s) for s in golden.seeds],
                            golden.outputs)
            assert verdict.score == 0, check.name
            assert "NotImplementedError" in verdict.summary, check.name
            assert "at minidl/" in verdict.summary, check.name
    finally:
        unload(starter.__name__)


@pytest.mark.parametrize("region", REGIONS,
                         ids=[f"{r.tag}:{r.path.split('minidl/')[1]}:{r.begin}" for r in REGIONS])
def test_stripping_one_region_alone_loses_points(region, reference, tmp_path):
    relative = region.path.split("minidl/", 1)[1]
    source = (REFERENCE / relative).read_text()
    make_variant(tmp_path, relative, source, strip_only(source, region))
    _, checks = assignment_checks(region.tag)
    mdl = load_implementation(tmp_path / "minidl")
    try:
        lost = _first_loss(checks, mdl, reference_goldens(region.tag, reference))
    finally:
        unload(mdl.__name__)
    assert lost, f"no {region.tag} check notices when {relative}:{region.begin} is stripped"


def strip_only(source, region):
    """`source` with only `region` cleared; the other regions keep their code, unmarked."""
    kept = [line for number, line in enumerate(source.split("\n"), start=1)
            if region.begin <= number <= region.end or "### " not in line or "SOLUTION" not in line]
    return strip_source("\n".join(kept), region.path)


def _first_loss(checks, mdl, goldens):
    for check in checks:
        if scores([check], mdl, goldens)[check.name] < check.points:
            return check.name
    return None


PLAUSIBLE_BUGS = {  # each is wrong whenever it is called on the checks' random inputs
    "EWiseMul": ("return out_grad * b, out_grad * a", "return out_grad * a, out_grad * b"),
    "DivScalar": ("return out_grad / self.scalar", "return out_grad * self.scalar"),
    "Exp": ("return out_grad * node\n", "return out_grad * node.inputs[0]\n"),
    "Tanh": ("return out_grad * (1 - node * node)", "return out_grad * (1 - node)"),
}


def _checks_calling_gradient(op_class, checks, reference, goldens):
    """Names of the checks whose runs on the reference call `op_class.gradient`."""
    original, used = op_class.gradient, set()
    current = [None]

    def traced(self, out_grad, node):
        used.add(current[0])
        return original(self, out_grad, node)

    op_class.gradient = traced
    try:
        for check in checks:
            current[0] = check.name
            for seed in goldens[check.name].seeds:
                check.run_case(reference, seed)
    finally:
        op_class.gradient = original
    return used


@pytest.mark.parametrize("op", sorted(PLAUSIBLE_BUGS))
def test_one_wrong_gradient_loses_exactly_the_checks_that_use_it(op, hw1_checks, hw1_goldens,
                                                                 reference, tmp_path):
    old, new = PLAUSIBLE_BUGS[op]
    relative = "ops/mathematic.py"
    users = _checks_calling_gradient(getattr(reference.ops, op), hw1_checks, reference,
                                     hw1_goldens)
    assert users, f"no hw1 check uses the gradient of {op}"
    mdl = load_implementation(make_variant(tmp_path, relative, old, new))
    try:
        got = scores(hw1_checks, mdl, hw1_goldens)
    finally:
        unload(mdl.__name__)
    expected = {c.name: 0.0 if c.name in users else c.points for c in hw1_checks}
    assert got == expected
