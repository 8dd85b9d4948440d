"""The built autograder.zip, unpacked into a temporary AUTOGRADER_ROOT and run through its own
run_autograder, on the submissions students really upload."""
import json
import shutil
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder.local_grading import prepare_root, run_autograder
from autograder.notebook_grade import is_notebook_test
from autograder.release import release
from autograder.strip import speed_files
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
    upload.parent.mkdir(parents=True)
    assert build_submission(package, upload) == []
    return upload


def test_reference_gets_full_marks_from_its_own_plain_code(autograder_root, hw1_checks,
                                                            tmp_path):
    package = tmp_path / "minidl"
    shutil.copytree(REFERENCE, package, ignore=shutil.ignore_patterns("__pycache__"))
    for path in speed_files(REFERENCE):  # never imported while grading: MINIDL_TUNED=0
        (package / path).write_text('raise ImportError("a speed file was used")\n')
    results = grade(autograder_root, submitted(package, tmp_path))
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
    assert lost and lost <= {"3.13", "3.16", "4.1", "5.1", "5.2", "5.3"}
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
    assert set(lost) == {"1.9", "3.9", "3.16", "4.2", "5.3"}
    assert "timed out after 3 s" in lost["1.9"]["output"]


ALL_TAGS = ["hw1", "hw2", "hw3", "hw3b", "hw4", "hw5", "hw6", "hw7"]
FEW_SEEDS = {"hw3", "hw3b"}  # compiled kernels and the GPU simulator: 5 seeds in all


def _seed_groups() -> list:
    """Secret seeds the model answer is graded with, a zip per group: 3 in `make test`, 20 in
    `make test-all` (5 for hw3 and hw3b), at most 5 seeds' cases a zip (each check has one
    timeout for all its cases)."""
    params = []
    for tag in ALL_TAGS:
        last = 5 if tag in FEW_SEEDS else 20
        groups = [(1, 2, 3)] + [tuple(range(a, min(a + 5, last + 1))) for a in range(4, last + 1, 5)]
        params += [pytest.param(tag, seeds, marks=[pytest.mark.slow] if seeds[0] > 3 else [],
                                id=f"{tag}-seeds-{seeds[0]}-{seeds[-1]}") for seeds in groups]
    return params


@pytest.mark.parametrize("tag, seeds", _seed_groups())
def test_the_model_answer_earns_full_marks_for_fresh_secret_seeds(tag, seeds, tmp_path):
    """What a student who solved everything uploads (the solution regions, no reference-only
    code) earns every point of every check, hw3's speed aside, and the starter none; hw3's
    zip compiles the uploaded kernels and puts their matmul speed on the leaderboard."""
    from conftest import ROOT, assignment_checks, model_answer_package

    (folder,) = release(ROOT, tmp_path / "dist", secret_seeds=seeds, tags=[tag], progress=False)
    root = tmp_path / "root"
    prepare_root(folder / "autograder.zip", root)
    checks = assignment_checks(tag)[1]
    results = grade(root, submitted(model_answer_package(), tmp_path / "model"))
    # the package alone: hw2's notebook is graded in test_notebook_grading.py
    code = [t for t in results["tests"] if not is_notebook_test(t)]
    assert [t["number"] for t in code] == [c.number for c in checks]
    lost = [t for t in code if t["score"] < t["max_score"]
            and not (tag == "hw3" and t["number"] == "6.2")]  # a speed, noisy on a shared machine
    assert not lost, "\n".join(f"{t['number']}: {t['output']}" for t in lost)
    if tag == "hw3":  # the uploaded kernels were compiled and timed
        assert results["leaderboard"][0]["name"] == "x NumPy"
        assert results["leaderboard"][0]["value"] > 0
    if seeds[0] == 1:
        starter = grade(root, submitted(STARTER, tmp_path / "starter"))
        assert starter["score"] == 0, starter
