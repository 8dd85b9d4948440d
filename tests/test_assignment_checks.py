"""Every assignment's graded checks: the reference earns every point, the starter none, and
every solution region and plausible bug costs points."""
import numpy as np
import pytest

from autograder.golden import record
from autograder.strip import regions_in_tree, strip_source, strip_tree
from autograder.implementation import imported_as, unload
from conftest import (REFERENCE, STARTER, assignment_checks, load_implementation,
                      load_without_jit, make_variant, model_answer_package, model_goldens,
                      scores)

TAGS = ["hw1", "hw2", "hw3", "hw3b", "hw4", "hw5", "hw6", "hw7"]  # in teaching order
REGIONS = [r for r in regions_in_tree(REFERENCE) if r.tag in TAGS]
# Checks that measure compiled kernels (parallel loops, speed): they run only on the reference
# as `minidl` (whose kernels Numba caches); variants run their kernels as plain Python.
JIT_ONLY = {"parallel_loops", "matmul_speed"}


def full_marks(checks) -> dict[str, float]:
    return {c.name: c.points for c in checks}


def correctness_checks(tag: str):
    return [c for c in assignment_checks(tag)[1] if c.name not in JIT_ONLY]


def test_hw1_is_worth_at_least_30_points_over_checks_of_every_section(hw1_checks):
    assert sum(c.points for c in hw1_checks) >= 30
    assert {c.number.split(".")[0] for c in hw1_checks} >= {"1", "2", "3", "4"}
    assert any(c.visibility != "visible" for c in hw1_checks)
    assert any(c.verify is not None for c in hw1_checks), "hw1 needs a numerical gradient check"


@pytest.mark.parametrize("tag", TAGS)
def test_each_assignment_is_worth_at_least_30_points(tag):
    _, checks = assignment_checks(tag)
    assert sum(c.points for c in checks) >= 30


SIMULATED_GPU = {"hw3b"}  # a Python thread per GPU thread: one seed, ~45 s a run of its checks


def _seeds(tag: str) -> list:
    """Release seeds to compare the reference with the model answer: 20 (those past 3 in
    `make test-all`), 5 for hw3 and one for the simulated GPU."""
    count = 1 if tag in SIMULATED_GPU else 5 if tag == "hw3" else 20
    return [pytest.param(tag, seed, marks=[pytest.mark.slow] if seed > 3 else [])
            for seed in range(1, count + 1)]


@pytest.mark.parametrize("tag, base_seed", [p for tag in TAGS for p in _seeds(tag)])
def test_the_references_speed_code_earns_full_marks_against_the_model_answer(tag, reference,
                                                                            base_seed):
    """Goldens come from the model answer; the reference's tuned kernels and fused layers must
    reproduce them within every check's tolerance."""
    _, checks = assignment_checks(tag)
    with imported_as(model_answer_package(), "minidl") as model:
        goldens = {c.name: record(c, model, base_seed) for c in checks}
    measured = {c.name for c in checks if c.credit}
    if tag == "hw3":  # Numba's cached kernels belong to the reference imported as `minidl`
        got = scores(checks, reference, goldens)
    else:  # recorded by one import, scored by another: no state carried between them
        again = load_implementation(REFERENCE)
        try:
            got = scores(checks, again, goldens)
        finally:
            unload(again.__name__)
    assert all(got.pop(name) > 0 for name in measured)  # a speed: noisy here, scored on Gradescope
    assert got == {c.name: c.points for c in checks if c.name not in measured}


def test_reference_kernels_as_plain_python_pass_hw3s_correctness_checks(reference):
    """The baseline of the region test below, which runs hw3's variants without Numba's JIT."""
    checks = correctness_checks("hw3")
    with load_without_jit(REFERENCE) as plain:
        assert scores(checks, plain, model_goldens("hw3")) == full_marks(checks)


@pytest.mark.parametrize("tag", TAGS[:-1])
def test_an_assignment_needs_no_solution_of_a_later_one(tag, reference, tmp_path):
    """The starter strips every assignment's regions: earlier ones must not call later ones."""
    strip_tree(REFERENCE, tmp_path / "minidl", reveal=frozenset(TAGS[:TAGS.index(tag) + 1]))
    checks = correctness_checks(tag)
    with load_without_jit(tmp_path / "minidl") as mdl:
        assert scores(checks, mdl, model_goldens(tag)) == full_marks(checks)


@pytest.mark.parametrize("tag", TAGS)
def test_starter_gets_zero_and_is_told_what_is_not_implemented(tag, reference):
    from autograder.case import run_case
    from autograder.verdict import judge

    _, checks = assignment_checks(tag)
    goldens = model_goldens(tag)
    with load_without_jit(STARTER) as starter:
        for check in checks:
            golden = goldens[check.name]
            verdict = judge(check, [run_case(check, starter, s) for s in golden.seeds],
                            golden.outputs)
            assert verdict.score == 0, check.name
            assert "NotImplementedError" in verdict.summary, check.name
            assert "at minidl/" in verdict.summary, check.name


@pytest.mark.parametrize("region", REGIONS,
                         ids=[f"{r.tag}:{r.path.split('minidl/')[1]}:{r.begin}" for r in REGIONS])
def test_stripping_one_region_alone_loses_points(region, reference, tmp_path):
    """In the model answer (whose devices run the plain kernels the regions hold)."""
    relative = region.path.split("minidl/", 1)[1]
    source = (REFERENCE / relative).read_text()
    model = model_answer_package()
    make_variant(tmp_path, relative, (model / relative).read_text(), strip_only(source, region),
                 model)
    checks = correctness_checks(region.tag)
    with load_without_jit(tmp_path / "minidl") as mdl:
        lost = _first_loss(checks, mdl, model_goldens(region.tag))
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
    "EWiseMul": ("out_grad * b if a.requires_grad else None,\n                out_grad * a if",
                 "out_grad * a if a.requires_grad else None,\n                out_grad * b if"),
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


HW4_BUGS = {  # a plausible slip in hw4: (file, old, new, the numbers of the checks it loses)
    "lstm-input-and-forget-gates-swapped": (
        "nn/recurrent.py", "for g in (0, 1, 3)", "for g in (1, 0, 3)", {"3.3", "3.4", "3.6", "4.2"}),
    "conv-windows-ignore-the-stride": (
        "ops/convolution.py", "(sn, sh * s, sw * s, sh * d, sw * d, sc)",
        "(sn, sh, sw, sh * d, sw * d, sc)", {"2.1", "2.2", "2.3", "4.1"}),
    "gru-update-gate-reversed": (
        "nn/recurrent.py", "return ((1 - z) * n + z * h,)", "return (z * n + (1 - z) * h,)",
        {"3.5", "3.6", "4.2"}),
}


@pytest.mark.parametrize("bug", sorted(HW4_BUGS))
def test_a_plausible_hw4_bug_loses_exactly_the_checks_that_use_it(bug, reference, tmp_path):
    relative, old, new, lost = HW4_BUGS[bug]
    _, checks = assignment_checks("hw4")
    mdl = load_implementation(make_variant(tmp_path, relative, old, new))
    try:
        got = scores(checks, mdl, model_goldens("hw4"))
    finally:
        unload(mdl.__name__)
    assert {c.number for c in checks if got[c.name] < c.points} == lost


def _parallel_loops_helper():
    (check,) = [c for c in assignment_checks("hw3")[1] if c.name == "parallel_loops"]
    return check.function.__globals__["_parallel_loops"]


def test_the_parallel_check_counts_prange_loops_from_numbas_diagnostics():
    from numba import njit, prange

    def doubled_in_parallel(a, out):
        for i in prange(out.size):
            out[i] = a[i] * 2

    def doubled_in_sequence(a, out):
        for i in range(out.size):
            out[i] = a[i] * 2

    count = _parallel_loops_helper()
    call = lambda kernel, a, out, index: kernel(a, out)  # noqa: E731
    assert count(njit(parallel=True)(doubled_in_parallel), call) == 1
    assert count(njit(parallel=True)(doubled_in_sequence), call) == 0


def test_a_kernel_without_prange_loses_the_parallel_check(reference, tmp_path):
    old = "        for i in prange(out.size):\n            out[i] = apply(a[i], b[i])\n"
    folder = make_variant(tmp_path, "backends/numba_backend.py", old, old.replace("prange", "range"))
    (check,) = [c for c in assignment_checks("hw3")[1] if c.name == "parallel_loops"]
    mdl = load_implementation(folder)  # compiled into the variant's own fresh cache
    try:
        got = scores([check], mdl, model_goldens("hw3"))
    finally:
        unload(mdl.__name__)
    assert got == {"parallel_loops": 0.0}


def test_a_measured_check_earns_its_fraction_and_fills_the_leaderboard(tmp_path):
    from autograder.checks import graded
    from autograder.gradescope import Graded, write_results
    from autograder.case import CaseResult
    from autograder.verdict import judge

    def speed(mdl, rng):
        """How fast"""

    check = graded(points=4, number="9.1", cases=2, golden=False, leaderboard="ratio",
                   credit=lambda out: (float(out["ratio"]), None if out["ratio"] >= 1 else "slow"))(speed)
    cases = [CaseResult(1, outputs={"ratio": np.array(0.5)}),
             CaseResult(2, outputs={"ratio": np.array(1.5)})]
    verdict = judge(check, cases, None)
    assert (verdict.score, verdict.passed, verdict.leaderboard) == (3.0, 1, 1.5)
    assert "case 1 (seed 1): slow" in verdict.summary
    results = write_results(tmp_path / "results.json", [Graded(verdict)])
    assert results["leaderboard"] == [{"name": "ratio", "value": 1.5, "order": "desc"}]
    assert [(t["score"], t["max_score"]) for t in results["tests"]] == [(3.0, 4.0)]
