"""What `make release` builds: the Gradescope zip and the student bundle."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.strip import regions_in_tree
from conftest import REFERENCE, ROOT


def _region_bodies():
    """Solution code of the reference: each region of two or more lines, stripped of indents."""
    bodies = []
    for region in regions_in_tree(REFERENCE):
        lines = Path(region.path).read_text().splitlines()[region.begin:region.end - 1]
        if len(lines) >= 2:
            bodies.append("\n".join(line.strip() for line in lines))
    return bodies


def test_autograder_zip_has_gradescopes_layout(hw1_release):
    with zipfile.ZipFile(hw1_release / "autograder.zip") as archive:
        names = set(archive.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt"} <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert "assignment/assignment.toml" in names and "autograder/grade.py" in names
    assert any(n.startswith("assignment/goldens/") for n in names)
    assert "assignment/tests/hidden_checks.py" in names


def test_every_module_has_a_place_and_imports_only_what_ships_beside_it():
    import ast

    from autograder.placement import PLACES

    package = ROOT / "autograder"
    assert set(PLACES) == {p.stem for p in package.glob("*.py")}
    for name, places in PLACES.items():
        tree = ast.parse((package / f"{name}.py").read_text())
        imported = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module}
        for place in places:
            # cli imports each command's module only when that command runs
            missing = {m for m in imported if place not in PLACES[m]} if name != "cli" else set()
            assert not missing, f"{name} ({place}) imports {missing}, which do not ship there"


def test_autograder_zip_never_holds_reference_code(hw1_release):
    bodies = _region_bodies()
    assert bodies
    with zipfile.ZipFile(hw1_release / "autograder.zip") as archive:
        assert not [n for n in archive.namelist() if "minidl" in n]
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8", errors="replace")
            assert "BEGIN SOLUTION" not in text, name
            flat = "\n".join(line.strip() for line in text.splitlines())
            assert not [b for b in bodies if b in flat], name


def test_setup_installs_python_311_on_ubuntu_2204(hw1_release):
    with zipfile.ZipFile(hw1_release / "autograder.zip") as archive:
        setup = archive.read("setup.sh").decode()
        run = archive.read("run_autograder").decode()
    assert "python3.11" in setup and "requirements.txt" in setup
    assert "AUTOGRADER_ROOT" in run and "results/results.json" in run


def test_student_bundle_has_starter_handout_visible_checks_and_public_goldens(hw1_release):
    student = hw1_release / "student"
    assert (student / "minidl" / "autograd.py").exists()
    assert (student / "handout.md").read_text().strip()
    assert (student / "tests" / "test_hw1.py").exists()
    assert not list(student.rglob("hidden_*"))
    hidden = {"logsumexp_large_inputs", "float64_kept"}
    goldens = {p.stem for p in (student / "tests" / "goldens").glob("*.npz")}
    assert goldens and not goldens & hidden
    for path in student.rglob("*.py"):
        assert "BEGIN SOLUTION" not in path.read_text(), path
    with zipfile.ZipFile(hw1_release / "hw1-student.zip") as archive:
        assert "hw1/minidl/__init__.py" in archive.namelist()


def test_public_and_secret_cases_use_different_seeds(hw1_release):
    import numpy as np

    public = np.load(hw1_release / "student" / "tests" / "goldens" / "mul_forward.npz")["seeds"]
    with zipfile.ZipFile(hw1_release / "autograder.zip") as archive:
        with archive.open("assignment/goldens/mul_forward.npz") as file:
            secret = np.load(file)["seeds"]
    assert len(public) == len(secret) == 5 and not set(public) & set(secret)


def _student_pytest(bundle, package):
    """Run the bundle's own pytest with `package` as its minidl/."""
    import shutil

    shutil.rmtree(bundle / "minidl")
    shutil.copytree(package, bundle / "minidl", ignore=shutil.ignore_patterns("__pycache__"))
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
                          cwd=bundle, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("package, passes", [(REFERENCE, True), (ROOT / "starter" / "minidl", False)])
def test_students_run_the_visible_checks_locally(hw1_release, hw1_checks, tmp_path, package,
                                                 passes):
    import shutil

    bundle = tmp_path / "hw1"
    shutil.copytree(hw1_release / "student", bundle)
    run = _student_pytest(bundle, package)
    visible = sum(c.points for c in hw1_checks if c.visibility == "visible")
    if passes:
        assert run.returncode == 0, run.stdout[-3000:]
        assert " passed" in run.stdout and "failed" not in run.stdout
        assert "checks run" in run.stdout and f"{visible:g} / {visible:g}" in run.stdout
    else:
        assert run.returncode == 1
        assert "Check 1.1 mul_forward: 0 of 5 cases passed" in run.stdout
        assert 'NotImplementedError: hw1' in run.stdout and "FAILED" not in run.stdout
        assert "python -m autograder replay 1.1 --seed " in run.stdout
        last = run.stdout.splitlines()[-2:]  # the points' total, then pytest's count
        assert f" 0 / {visible:g}" in last[0] and " failed" in last[1]
    assert len(run.stdout.splitlines()) < 6 * len(hw1_checks) + 10


def test_an_unimportable_package_is_reported_once_with_file_and_line(hw1_release, tmp_path):
    import shutil

    bundle = tmp_path / "hw1"
    shutil.copytree(hw1_release / "student", bundle)
    broken = tmp_path / "minidl"
    shutil.copytree(ROOT / "starter" / "minidl", broken)
    (broken / "ops" / "mathematic.py").write_text("def broken(:\n")
    run = _student_pytest(bundle, broken)
    assert run.returncode == 1 and len(run.stdout.splitlines()) < 10, run.stdout
    assert "could not be imported" in run.stdout and "minidl/ops/mathematic.py:1" in run.stdout


def test_replay_shows_a_cases_full_traceback_and_compares_a_public_case(hw1_release, tmp_path):
    import shutil

    from autograder.golden import GoldenCases

    bundle = tmp_path / "hw1"
    shutil.copytree(hw1_release / "student", bundle)
    seed = GoldenCases.load(bundle / "tests" / "goldens" / "mul_forward.npz").seeds[0]
    replay = [sys.executable, "-m", "autograder", "replay", "1.1", "--seed", str(seed)]
    stub = subprocess.run(replay, cwd=bundle, capture_output=True, text=True)
    assert stub.returncode == 1 and "Traceback" in stub.stderr
    assert 'raise NotImplementedError("hw1")' in stub.stderr
    shutil.rmtree(bundle / "minidl")
    shutil.copytree(REFERENCE, bundle / "minidl", ignore=shutil.ignore_patterns("__pycache__"))
    solved = subprocess.run(replay, cwd=bundle, capture_output=True, text=True)
    assert solved.returncode == 0 and "Passed." in solved.stdout
    unknown = subprocess.run(replay[:4] + ["9.9"] + replay[5:], cwd=bundle, capture_output=True,
                             text=True)
    assert unknown.returncode == 2 and "1.1 mul_forward" in unknown.stdout


def test_submit_zips_the_package_and_refuses_syntax_errors(hw1_release, tmp_path):
    import shutil

    bundle = tmp_path / "hw1"
    shutil.copytree(hw1_release / "student", bundle)
    ok = subprocess.run([sys.executable, "-m", "autograder.submit"], cwd=bundle,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    with zipfile.ZipFile(bundle / "submission.zip") as archive:
        assert "minidl/autograd.py" in archive.namelist()
    (bundle / "minidl" / "autograd.py").write_text("def broken(:\n")
    (bundle / "submission.zip").unlink()
    bad = subprocess.run([sys.executable, "-m", "autograder.submit"], cwd=bundle,
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "autograd.py:1" in bad.stderr
    assert not (bundle / "submission.zip").exists()


def test_release_of_the_same_sources_and_seed_is_byte_identical(tmp_path):
    from autograder.release import release

    first = release(ROOT, tmp_path / "a", secret_seeds=(7,), tags=["hw1"], progress=False)[0]
    second = release(ROOT, tmp_path / "b", secret_seeds=(7,), tags=["hw1"], progress=False)[0]
    assert (first / "autograder.zip").read_bytes() == (second / "autograder.zip").read_bytes()


def _requirements(path: Path) -> dict[str, str]:
    """Version of each package a requirements file names, "" when unpinned."""
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return {line.split("==")[0]: line.partition("==")[2] for line in lines
            if line and not line.startswith("-")}


@pytest.mark.parametrize("bundle, with_notebook", [("hw1_release", False), ("hw2_release", True)])
def test_student_requirements_pin_the_graders_versions_and_jupyter_only_with_a_notebook(
        request, bundle, with_notebook):
    from importlib.metadata import version

    student = request.getfixturevalue(bundle) / "student"
    pins = _requirements(student / "requirements.txt")
    grader = _requirements(ROOT / "autograder" / "requirements.txt")
    kit = _requirements(ROOT / "requirements.txt")
    assert all(pins.values()), pins
    assert {name: pins.get(name) for name in ("numpy", "numba", "tqdm", "matplotlib")} == {
        name: grader[name] for name in ("numpy", "numba", "tqdm", "matplotlib")}
    assert pins["pytest"] == kit["pytest"]
    # a notebook's bundle runs it (pytest -k notebook) and writes its written answers' PDF
    assert {n: pins.get(n) for n in ("nbclient", "fpdf2")} == (
        {n: grader[n] for n in ("nbclient", "fpdf2")} if with_notebook else
        {"nbclient": None, "fpdf2": None})
    assert "gradescope-utils" not in pins
    assert (student / "notebook.ipynb").exists() == with_notebook == ("notebook" in pins)
    if with_notebook:  # the very server nbgrader runs on in the kit's .venv
        assert pins["notebook"] == kit["notebook"] == version("notebook")


def test_hw2_bundle_has_its_notebook_requirements_and_passes_locally_on_the_reference(
        hw2_release, tmp_path):
    import shutil

    student = hw2_release / "student"
    assert (student / "notebook.ipynb").exists()
    assert (student / "minidl" / "data" / "digits.csv.gz").exists()
    assert (student / "minidl" / "data" / "DIGITS_ATTRIBUTION.md").exists()
    bundle = tmp_path / "hw2"
    shutil.copytree(student, bundle)
    run = _student_pytest(bundle, REFERENCE)
    assert run.returncode == 0, run.stdout[-3000:]


def test_reveal_publishes_one_assignments_solutions_and_keeps_the_rest_stripped(tmp_path):
    from autograder.release import release

    (folder,) = release(ROOT, tmp_path, reveal=frozenset({"hw1"}), secret_seeds=(3,), tags=["hw2"],
                        progress=False)
    starter = folder / "student" / "minidl"
    mathematic = (starter / "ops" / "mathematic.py").read_text()
    assert "return a * b" in mathematic and "SOLUTION" not in mathematic
    assert 'raise NotImplementedError("hw2")' in (starter / "nn" / "linear.py").read_text()
    assert not [p for p in starter.rglob("*.py") if 'NotImplementedError("hw1")' in p.read_text()]
    assert "return a * b" not in (ROOT / "starter" / "minidl" / "ops" / "mathematic.py").read_text()


def test_a_fast_release_is_refused_until_what_the_speed_files_speed_up_is_revealed(tmp_path):
    from autograder.assignment import AssignmentError
    from autograder.release import release

    with pytest.raises(AssignmentError, match="hw3, hw3b, hw4"):
        release(ROOT, tmp_path, reveal=frozenset({"hw1", "hw2"}), tags=["hw1"], fast=True,
                progress=False)
    assert not list(tmp_path.iterdir())


def test_a_fast_release_hands_students_the_speed_files_their_devices_use_but_checks_do_not(
        tmp_path):
    from autograder.release import SPEED_GIVES_AWAY, release
    from autograder.strip import speed_files

    reveal = frozenset({"hw1", *SPEED_GIVES_AWAY})
    (folder,) = release(ROOT, tmp_path, reveal=reveal, secret_seeds=(3,), tags=["hw1"],
                        progress=False, fast=True)
    student = folder / "student"
    handed = speed_files(REFERENCE)
    assert {"backends/numba_tuned.py", "nn/fused.py", "optim_fused.py"} <= \
        {str(p) for p in handed}
    for path, text in handed.items():
        assert (student / "minidl" / path).read_text() == text and "REFERENCE ONLY" not in text
    probe = "import minidl; print(minidl.cpu_numba().tuned is not None, minidl.cpu().has('views'))"
    for setting, expected in (("1", "True True"), ("0", "False False")):
        run = subprocess.run([sys.executable, "-c", probe], cwd=student, capture_output=True,
                             text=True, env={"PATH": "/usr/bin:/bin", "MINIDL_TUNED": setting})
        assert run.stdout.split() == expected.split(), run.stderr
    for path in handed:  # the students' pytest, as the grader, must not even import them
        (student / "minidl" / path).write_text('raise ImportError("a speed file was used")\n')
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-k", "[1.1-"],
                         cwd=student, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout[-2000:]
