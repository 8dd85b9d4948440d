"""What a student reads when an output differs."""
import numpy as np
import pytest

from autograder.checks import graded
from autograder.compare import compare, compare_outputs, tolerance
from autograder.case import CaseResult
from autograder.verdict import judge


def test_equal_arrays_pass_and_float32_noise_is_tolerated():
    a = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    assert compare("x", a, a) is None
    assert compare("x", a, a * np.float32(1 + 1e-6)) is None


def test_shape_mismatch_names_both_shapes():
    message = compare("dA", np.zeros((3, 4), np.float32), np.zeros((4, 3), np.float32))
    assert "'dA'" in message and "(4, 3)" in message and "(3, 4)" in message


def test_dtype_mismatch_is_reported():
    message = compare("out", np.zeros(3, np.float32), np.zeros(3, np.float64))
    assert "float64" in message and "expected float32" in message


def test_nan_is_reported_with_its_index():
    expected = np.ones((2, 3), np.float32)
    got = expected.copy()
    got[1, 2] = np.nan
    message = compare("out", expected, got)
    assert "nan" in message and "(1, 2)" in message and "non-finite" in message


def test_worst_error_is_located_with_abs_and_rel_error_and_an_excerpt():
    expected = np.arange(1, 21, dtype=np.float64).reshape(2, 10)
    got = expected.copy()
    got[1, 7] += 0.5
    got[0, 0] += 0.01
    message = compare("y", expected, got)
    assert "2 of 20 positions" in message
    assert "index (1, 7)" in message and "expected 18, got 18.5" in message
    assert "abs error 0.5" in message and "rel error 0.0278" in message
    assert "expected[1, 4:10]" in message and "18.5" in message.splitlines()[-1]


def test_a_short_row_is_labelled_by_the_values_shown():
    message = compare("y", np.zeros((2, 4), np.float32), np.ones((2, 4), np.float32))
    assert "expected[0, 0:4]" in message and "0:6" not in message


def test_every_wrong_output_is_named():
    expected = {"dA": np.zeros(3), "dB": np.zeros(2), "dC": np.zeros(1)}
    message = compare_outputs(expected, {"dA": np.ones(3), "dB": np.zeros(2), "dC": np.ones(1)})
    assert "'dA' differs" in message and "'dC' differs" in message and "'dB'" not in message


def test_integers_compare_exactly():
    assert compare("n", np.array([1, 2]), np.array([1, 3])) is not None
    assert compare("n", np.array([True]), np.array([True])) is None


def test_missing_outputs_are_named():
    message = compare_outputs({"a": np.zeros(1), "b": np.zeros(1)}, {"a": np.zeros(1)})
    assert "['b']" in message


def test_check_tolerance_overrides_the_dtype_default():
    assert tolerance(np.dtype("float32"), None, None) == (1e-4, 1e-5)
    assert tolerance(np.dtype("float32"), 0.1, None) == (0.1, 1e-5)


@graded(points=4, number="9.1", cases=4)
def example(mdl, rng):
    """an example"""
    return {"x": np.zeros(2)}


def test_partial_credit_is_the_fraction_of_cases_passed_and_failures_are_grouped():
    good = {"x": np.zeros(2)}
    results = [CaseResult(1, outputs=good), CaseResult(2, error="raised NotImplementedError"),
               CaseResult(3, outputs={"x": np.ones(2)}), CaseResult(4, error="raised NotImplementedError")]
    verdict = judge(example, results, [good] * 4)
    assert (verdict.passed, verdict.total, verdict.score) == (1, 4, 1.0)
    assert "cases 2 (seed 2), 4 (seed 4): raised NotImplementedError" in verdict.summary
    assert "case 3 (seed 3): 'x' differs" in verdict.summary
    assert verdict.summary.startswith("Check 9.1 example: 1 of 4 cases passed")
    assert verdict.summary.endswith("python -m autograder replay 9.1 --seed 2")


def test_case_records_carry_every_shape_and_dtype_and_refuse_object_arrays():
    import io
    import json

    from autograder.case_records import RecordError, read_records, write_record

    outputs = {"scalar": np.float32(3.0), "empty": np.zeros((2, 0)), "ints": np.arange(6).reshape(2, 3),
               "strided": np.arange(12.0).reshape(3, 4)[:, ::2], "flag": np.array(True)}
    buffer = io.BytesIO()
    write_record(buffer, 0, CaseResult(7, outputs=outputs))
    write_record(buffer, 1, CaseResult(8, error="NotImplementedError"))
    records = read_records(buffer.getvalue())
    for name, value in outputs.items():
        assert compare(name, np.asarray(value), records[0].outputs[name]) is None
    assert records[1].error == "NotImplementedError" and records[1].seed == 8
    assert list(read_records(buffer.getvalue()[:-1])) == [0]  # the last header is cut
    truncated = buffer.getvalue()[:len(buffer.getvalue()) // 3]
    assert set(read_records(truncated)) <= {0}
    forged = json.dumps({"case": 0, "seed": 1, "error": None,
                         "arrays": [["x", "|O", [1], 8]]}).encode() + b"\n" + bytes(8)
    with pytest.raises(RecordError):
        read_records(forged)


def test_a_hint_is_added_only_to_cases_that_differ_from_their_golden():
    def unstable(expected, got):
        return "compute the variance from x - mean" if got["var"][0] > 1 else None

    check = graded(points=1, number="1.1", cases=2, hint=unstable)(lambda mdl, rng: {})
    expected = {"var": np.array([1.0], np.float32)}
    cases = [CaseResult(1, {"var": np.array([1.0], np.float32)}),
             CaseResult(2, {"var": np.array([1.5], np.float32)})]
    verdict = judge(check, cases, [expected, expected])
    assert verdict.passed == 1
    assert "case 2 (seed 2): 'var' differs" in verdict.summary
    assert "hint: compute the variance from x - mean" in verdict.summary
    missing = judge(check, [CaseResult(3, {})], [expected])  # no output to give a hint on
    assert "missing" in missing.summary and "hint" not in missing.summary


def test_hidden_checks_must_be_numbered_after_every_visible_one(tmp_path):
    from autograder.checks import CheckDefinitionError, collect

    (tmp_path / "checks_a.py").write_text(
        "from autograder.checks import graded\n"
        "@graded(points=1, number='1.1')\ndef a(mdl, rng): return {'x': 1}\n"
        "@graded(points=1, number='3.1')\ndef c(mdl, rng): return {'x': 1}\n")
    (tmp_path / "hidden_b.py").write_text(
        "from autograder.checks import graded\n"
        "@graded(points=1, number='2.1', visibility='after_due_date')\n"
        "def b(mdl, rng): return {'x': 1}\n")
    with pytest.raises(CheckDefinitionError, match="visible check 3.1 is numbered after hidden "
                                                   "check 2.1"):
        collect(tmp_path)
    (tmp_path / "hidden_b.py").write_text((tmp_path / "hidden_b.py").read_text()
                                          .replace("'2.1'", "'4.1'"))
    assert [c.number for c in collect(tmp_path)] == ["1.1", "3.1", "4.1"]
