"""The built autograder.zip, unpacked into a temporary AUTOGRADER_ROOT and run through its own
run_autograder, on the submissions students really upload."""
import json
import shutil
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder.local_grading import prepare_root, run_autograder
from autograder.submit import build_submission
from conftest import REFERENCE, STARTER

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())


@pytest.fixture(scope="module")
def autograder_root(hw1_release, tmp_path_factory):
    root = tmp_path_factory.mktemp("autograder")
    prepare_root(hw1_release / "autograder.zip", root)
    return root


def grade(root: Path, submission: Path) -> dict:
    results = json.loads(run_autograder(root, submission, timeout=600).read_text())
    jsonschema.validate(results, SCHEMA)
    return results


def submitted(package: Path, tmp_path: Path) -> Path:
    """The zip `python -m autograder.submit` writes of `package` (only its .py files)."""
    upload = tmp_path / "upload" / "submission.zip"
    upload.parent.mkdir()
    assert build_submission(package, upload) == []
    return upload


def test_reference_gets_full_marks(autograder_root, hw1_checks, tmp_path):
    results = grade(autograder_root, submitted(REFERENCE, tmp_path))
    total = sum(c.points for c in hw1_checks)
    assert results["score"] == total
    assert [t["status"] for t in results["tests"]] == ["passed"] * len(hw1_checks)
    assert [t["number"] for t in results["tests"]] == [c.number for c in hw1_checks]
    hidden = {t["number"]: t["visibility"] for t in results["tests"]}
    assert hidden["5.1"] == "after_published" and hidden["1.1"] == "visible"


def test_starter_uploaded_as_a_zip_gets_zero_with_not_implemented_feedback(autograder_root,
                                                                           tmp_path):
    upload = tmp_path / "submission.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        for path in STARTER.rglob("*.py"):
            archive.write(path, "minidl/" + path.relative_to(STARTER).as_posix())
    results = grade(autograder_root, upload)
    assert results["score"] == 0
    for test in results["tests"]:
        assert test["score"] == 0 and test["status"] == "failed"
        assert "NotImplementedError" in test["output"] and "at minidl/" in test["output"]


def test_a_syntax_error_is_reported_once_with_file_and_line(autograder_root, tmp_path):
    broken = tmp_path / "minidl"
    shutil.copytree(REFERENCE, broken, ignore=shutil.ignore_patterns("__pycache__"))
    path = broken / "ops" / "mathematic.py"
    path.write_text(path.read_text().replace("return a * b\n", "return a * * b\n", 1))
    results = grade(autograder_root, broken)
    assert results["score"] == 0
    assert "could not be imported" in results["output"]
    assert "SyntaxError" in results["output"] and "minidl/ops/mathematic.py:" in results["output"]
    assert all(t["score"] == 0 for t in results["tests"])


def test_an_empty_upload_gets_a_clear_message(autograder_root, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    results = grade(autograder_root, empty)
    assert results["score"] == 0 and "upload is empty" in results["output"]
    assert all(t["score"] == 0 for t in results["tests"])


def test_loose_files_in_a_nested_folder_are_found(autograder_root, tmp_path):
    upload = tmp_path / "upload"
    shutil.copytree(REFERENCE, upload / "my-hw1" / "minidl",
                    ignore=shutil.ignore_patterns("__pycache__"))
    broken = upload / "my-hw1" / "minidl" / "ops" / "logarithmic.py"
    source = broken.read_text()
    correct = "return (z - node.reshape(kept)).exp() * out_grad.reshape(kept)"
    assert correct in source
    broken.write_text(source.replace(correct,
                                     "return out_grad.reshape(kept).broadcast_to(z.shape)"))
    results = grade(autograder_root, upload)
    lost = {t["number"] for t in results["tests"] if t["score"] < t["max_score"]}
    assert lost and lost <= {"3.13", "4.1", "5.1", "5.2"}
    failed = next(t for t in results["tests"] if t["number"] == "3.13")
    assert "logsumexp_backward" in failed["output"] and "differs" in failed["output"]


def test_a_hanging_operator_times_out_and_costs_only_the_checks_that_use_it(
        hw1_release, tmp_path_factory, tmp_path):
    root = tmp_path_factory.mktemp("autograder-short-timeout")
    prepare_root(hw1_release / "autograder.zip", root)
    settings = root / "source" / "assignment" / "assignment.toml"
    settings.write_text(settings.read_text().replace("check_timeout = 60", "check_timeout = 3"))
    hanging = tmp_path / "minidl"
    shutil.copytree(REFERENCE, hanging, ignore=shutil.ignore_patterns("__pycache__"))
    path = hanging / "ops" / "mathematic.py"
    path.write_text(path.read_text().replace(
        "return a.max(self.axes, keepdims=self.keepdims)",
        "while True:\n            pass"))
    results = grade(root, hanging)
    lost = {t["number"]: t for t in results["tests"] if t["score"] < t["max_score"]}
    assert set(lost) == {"1.9", "3.9", "4.2"}
    assert "timed out after 3 s" in lost["1.9"]["output"]


@pytest.mark.parametrize("tag, package, full_marks", [
    ("hw2", "solved", True), ("hw2", STARTER, False),
    ("hw3b", "solved", True),  # GPU kernels in Numba's simulator, in the sandbox
    ("hw4", "solved", True), ("hw4", STARTER, False),
    ("hw5", "solved", True), ("hw5", STARTER, False),
], ids=["hw2-solved", "hw2-starter", "hw3b-solved", "hw4-solved", "hw4-starter",
        "hw5-solved", "hw5-starter"])
def test_zip_grades_the_model_answer_fully_and_the_starter_zero(tag, tmp_path_factory, tmp_path,
                                                                package, full_marks):
    from conftest import assignment_checks, built_release, model_answer_package

    root = tmp_path / "root"
    prepare_root(built_release(tag, tmp_path_factory) / "autograder.zip", root)
    if package == "solved":  # the reference's solution regions, without its reference-only code
        package = model_answer_package()
    results = grade(root, submitted(package, tmp_path))
    total = sum(c.points for c in assignment_checks(tag)[1])
    assert results["score"] == (total if full_marks else 0), results
    assert len(results["tests"]) == len(assignment_checks(tag)[1])


@pytest.mark.parametrize("package", ["solved", STARTER], ids=["solved", "starter"])
def test_hw3_zip_compiles_the_uploaded_kernels_and_reports_matmul_speed(tmp_path_factory,
                                                                         tmp_path, package):
    from conftest import assignment_checks, built_release, model_answer_package

    checks = assignment_checks("hw3")[1]
    root = tmp_path / "root"
    prepare_root(built_release("hw3", tmp_path_factory) / "autograder.zip", root)
    if package == "solved":  # the students' kernels, compiled as theirs are (not the tuned ones)
        package = model_answer_package()
    results = grade(root, submitted(package, tmp_path))
    scored = {t["number"]: t for t in results["tests"]}
    assert list(scored) == [c.number for c in checks]
    (column,) = results["leaderboard"]
    assert column["name"] == "x NumPy"
    if package == STARTER:
        assert results["score"] == 0 and column["value"] == 0
        return
    speed = scored.pop("6.2")
    assert all(t["score"] == t["max_score"] for t in scored.values()), results
    assert speed["score"] > 0 and column["value"] > 0
