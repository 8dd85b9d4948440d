"""The paths people really take, run for real: a student from the bundle's zip to a graded
upload, in a fresh virtual environment installed from the bundle's requirements; and
Gradescope's setup.sh building the grader's venv before grading the reference."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from autograder.local_grading import run_autograder
from conftest import REFERENCE, ROOT, assignment_checks, built_release, model_answer_package

SYSTEM_PYTHON = Path("/usr/bin/python3.11")
IS_ROOT = os.geteuid() == 0


def run(command: list, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                          timeout=900, **kwargs)


@pytest.fixture(scope="module")
def student_venv(tmp_path_factory) -> Path:
    """`python3 -m venv .venv`, as the handouts say; the bundles install into it."""
    python = SYSTEM_PYTHON if SYSTEM_PYTHON.exists() else Path(sys._base_executable)
    venv = tmp_path_factory.mktemp("student") / ".venv"
    made = run([python, "-m", "venv", venv], cwd=venv.parent)
    assert made.returncode == 0, made.stderr
    return venv / "bin"


@pytest.mark.parametrize("tag", ["hw1", "hw2"])
def test_a_student_unzips_installs_tests_submits_and_gets_full_marks(tag, student_venv,
                                                                     tmp_path_factory, tmp_path):
    release = built_release(tag, tmp_path_factory)
    with zipfile.ZipFile(release / f"{tag}-student.zip") as archive:
        archive.extractall(tmp_path)
    bundle = tmp_path / tag
    installed = run([student_venv / "pip", "install", "--disable-pip-version-check", "-q", "-r",
                     "requirements.txt"], cwd=bundle)
    assert installed.returncode == 0, installed.stderr[-3000:]
    if (bundle / "notebook.ipynb").exists():
        jupyter = run([student_venv / "jupyter", "notebook", "--version"], cwd=bundle)
        assert jupyter.returncode == 0, jupyter.stderr[-2000:]

    starter = run([student_venv / "python", "-m", "pytest"], cwd=bundle)
    assert starter.returncode == 1 and "checks run" in starter.stdout.splitlines()[-2]

    model_answer = model_answer_package()  # the student's work
    for solved_file in model_answer.rglob("*.py"):
        shutil.copyfile(solved_file, bundle / "minidl" / solved_file.relative_to(model_answer))
    solved = run([student_venv / "python", "-m", "pytest"], cwd=bundle)
    visible = sum(c.points for c in assignment_checks(tag)[1] if c.visibility == "visible")
    assert solved.returncode == 0, solved.stdout[-3000:]
    assert f"{visible:g} / {visible:g}" in solved.stdout.splitlines()[-2]

    submitted = run([student_venv / "python", "-m", "autograder.submit"], cwd=bundle)
    assert submitted.returncode == 0, submitted.stderr
    roots_before = set(Path(tempfile.gettempdir()).glob("autograder-root-*"))
    graded = run([sys.executable, "-m", "autograder", "grade-local", tag,
                  bundle / "submission.zip", "--dist", release.parent], cwd=ROOT)
    assert graded.returncode == 0, graded.stderr
    results_path = release / "graded" / "submission" / "results.json"
    assert f"results.json: {results_path}" in graded.stdout
    results = json.loads(results_path.read_text())
    assert results["score"] == sum(c.points for c in assignment_checks(tag)[1]), results
    assert set(Path(tempfile.gettempdir()).glob("autograder-root-*")) <= roots_before


def test_the_grade_table_shows_whole_names_and_each_failures_first_line():
    from autograder.local_grading import results_table

    long_name = "a check whose title is longer than any column would be (long_check_name)"
    table = results_table({"score": 1, "tests": [
        {"number": "1.1", "name": long_name, "score": 1, "max_score": 1, "status": "passed",
         "output": "All 5 cases passed."},
        {"number": "1.2", "name": "short (short)", "score": 0, "max_score": 2, "status": "failed",
         "output": "Check 1.2 short: 0 of 5 cases passed\n  cases 1, 2: 'x' differs at 3 of 4"}]})
    assert long_name in table and "cases 1, 2: 'x' differs at 3 of 4" in table
    assert "All 5 cases passed" not in table
    assert table.splitlines()[2].split()[-3:] == ["1", "/", "3"]  # the total, after the checks


def test_every_command_and_option_explains_itself():
    import argparse

    from autograder.cli import COMMANDS, build_parser

    (commands,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(commands.choices) == set(COMMANDS)
    for name, parser in commands.choices.items():
        assert parser.description, name
        assert all(action.help for action in parser._actions), name
    release = run([sys.executable, "-m", "autograder", "release", "--help"], cwd=ROOT).stdout
    assert "hw1, hw2" in " ".join(release.split())


def test_the_student_bundles_command_line_offers_replay_and_submit(hw1_release):
    shown = run([sys.executable, "-m", "autograder", "--help"], cwd=hw1_release / "student")
    assert shown.returncode == 0 and "replay" in shown.stdout and "submit" in shown.stdout
    assert "release" not in shown.stdout and "grade-local" not in shown.stdout


def test_make_grade_names_the_assignments_when_the_tag_is_wrong():
    graded = run([sys.executable, "-m", "autograder", "grade-local", "hw9", REFERENCE], cwd=ROOT)
    assert graded.returncode == 1
    assert "no assignment tagged hw9; the assignments are hw1, hw2" in graded.stderr


@pytest.fixture
def readable_root():
    """An AUTOGRADER_ROOT every user can read, as /autograder is (pytest's tmp_path is not)."""
    root = Path(tempfile.mkdtemp(prefix="autograder-setup-"))
    os.chmod(root, 0o755)
    yield root
    shutil.rmtree(root)


@pytest.mark.skipif(not (IS_ROOT and SYSTEM_PYTHON.exists()),
                    reason="setup.sh runs as root on a system with /usr/bin/python3.11")
def test_the_zips_own_setup_sh_builds_a_venv_that_grades_the_reference(
        readable_root, tmp_path_factory, tmp_path):
    with zipfile.ZipFile(built_release("hw1", tmp_path_factory) / "autograder.zip") as archive:
        archive.extractall(readable_root / "source")
    for name in ("setup.sh", "run_autograder"):
        (readable_root / "source" / name).chmod(0o755)
    env = {**os.environ, "AUTOGRADER_ROOT": str(readable_root)}
    setup = run(["bash", readable_root / "source" / "setup.sh"], cwd=readable_root, env=env)
    assert setup.returncode == 0, setup.stderr[-3000:]
    venv_python = readable_root / "venv" / "bin" / "python"
    assert venv_python.resolve().parent == SYSTEM_PYTHON.parent
    (readable_root / "results").mkdir()
    upload = tmp_path / "upload"
    shutil.copytree(REFERENCE, upload / "minidl", ignore=shutil.ignore_patterns("__pycache__"))
    results = json.loads(run_autograder(readable_root, upload, timeout=600).read_text())
    assert results["score"] == sum(c.points for c in assignment_checks("hw1")[1]), results


@pytest.mark.skipif(not IS_ROOT, reason="only a root grader switches to the sandbox user")
def test_an_interpreter_the_sandbox_user_cannot_run_is_named_with_the_fix(
        hw1_release, tmp_path):
    from autograder.local_grading import prepare_root

    private = tmp_path / "private"  # a checkout under /root, say
    private.mkdir(mode=0o700)
    made = run([sys._base_executable, "-m", "venv", "--without-pip", private / "venv"],
               cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    site = next((private / "venv" / "lib").glob("python3*/site-packages"))
    kit_site = next(p for p in sys.path if p.endswith("site-packages"))
    (site / "kit.pth").write_text(kit_site + "\n")
    root = tmp_path / "root"
    prepare_root(hw1_release / "autograder.zip", root, python=str(private / "venv" / "bin" / "python"))
    upload = tmp_path / "upload"
    shutil.copytree(REFERENCE, upload / "minidl", ignore=shutil.ignore_patterns("__pycache__"))
    results = json.loads(run_autograder(root, upload, timeout=300).read_text())
    assert results["score"] == 0 and "not your fault" in results["output"]
    assert f"cannot run {private}/venv/bin/python" in results["output"]
    assert "/usr/bin/python3.11" in results["output"] and "Traceback" not in results["output"]
