"""`make release`: starter, goldens, Gradescope zip and student bundle for each assignment.

dist/<tag>/
  autograder.zip     for Gradescope: setup.sh and run_autograder at its root, the grading
                     runtime, every check and the secret-seed goldens; never reference code
  student/           what students get: starter package, handout, the student notebook
                     (nbgrader generate_assignment), visible checks and their public-seed
                     goldens, and `python -m autograder.submit`
  <tag>-student.zip  the same folder, zipped for the course page
"""
from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearSolutions
from tqdm import tqdm

from .assignment import Assignment, AssignmentError, all_assignments
from .checks import HIDDEN_PREFIX, collect
from .golden import GoldenCases, record
from .implementation import imported_as
from .placement import GRADER, STUDENT, modules
from .strip import model_answer, speed_files, strip_tree
from .submission import KIT_FILES

PACKAGE_DIR = Path(__file__).resolve().parent
KIT_REQUIREMENTS = PACKAGE_DIR.parent / "requirements.txt"
# Students install the grader's versions of what their code runs on, never gradescope-utils.
STUDENT_FROM_GRADER = ("numpy", "numba", "tqdm", "matplotlib")
STUDENT_FROM_KIT = ("pytest",)
MODEL_ANSWER = Path("build", "model_answer", "minidl")  # under the kit's root; goldens' source
# The kit's speed files hold faster forms of what these grade (Adam; the CPU and GPU kernels;
# conv, LSTM and batch norm): a FAST release hands them to students only once all are revealed.
SPEED_GIVES_AWAY = ("hw2", "hw3", "hw3b", "hw4")
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_EXECUTABLE = {"setup.sh", "run_autograder"}


def release(root: Path, dist: Path, reveal: frozenset[str] = frozenset(),
            secret_seeds: tuple[int, ...] = (), tags: list[str] | None = None,
            progress: bool = True, fast: bool = False) -> list[Path]:
    """Build dist/<tag>/ for every assignment (or those in `tags`); the folders built.

    The autograder grades each check's cases for every one of `secret_seeds` (one fresh
    random seed when none is given). With `fast`, the students' package also holds the kit's
    speed files, which their devices then use (never the checks: graders set MINIDL_TUNED=0).
    """
    unrevealed = sorted(set(SPEED_GIVES_AWAY) - reveal)
    if fast and unrevealed:
        raise AssignmentError(
            f"FAST=1 hands students the kit's tuned kernels and fused layers, faster forms of "
            f"what {', '.join(unrevealed)} grade: reveal those too, after their deadlines "
            f"(make release REVEAL=hw1,{','.join(SPEED_GIVES_AWAY)} FAST=1)")
    assignments = [a for a in all_assignments(root / "assignments") if not tags or a.tag in tags]
    secret_seeds = secret_seeds or (secrets.randbits(32),)
    reference = root / "reference" / "minidl"
    built = []
    answer = model_answer(reference, root / MODEL_ANSWER)
    with imported_as(answer, "minidl") as model, tempfile.TemporaryDirectory() as scratch:
        starter = Path(scratch) / "minidl"
        strip_tree(reference, starter, reveal)
        for path, text in (speed_files(reference) if fast else {}).items():
            (starter / path).write_text(text, encoding="utf-8")
        for assignment in assignments:
            built.append(build_assignment(assignment, model, starter, dist / assignment.tag,
                                          secret_seeds, progress))
    return built


def build_assignment(assignment: Assignment, model, starter: Path, out: Path,
                     secret_seeds: tuple[int, ...], progress: bool = True) -> Path:
    """Record the `model` answer's goldens and write the autograder zip and student bundle of
    one assignment."""
    checks = collect(assignment.checks_dir)
    if not assignment.handout.is_file():
        raise AssignmentError(f"{assignment.handout} is missing: every assignment needs a handout")
    if out.exists():
        shutil.rmtree(out)
    source, student = out / "source", out / "student"
    for check in tqdm(checks, desc=f"{assignment.tag}: recording goldens", unit="check",
                      disable=not progress):
        GoldenCases.join([record(check, model, seed) for seed in secret_seeds]).save(
            source / "assignment" / "goldens" / f"{check.name}.npz")
        if check.visibility == "visible":
            record(check, model, assignment.public_seed).save(
                student / "tests" / "goldens" / f"{check.name}.npz")

    _copy_modules(modules(GRADER), source / "autograder")
    for name in ("setup.sh", "run_autograder"):
        shutil.copyfile(PACKAGE_DIR / "templates" / name, source / name)
    shutil.copyfile(PACKAGE_DIR / "requirements.txt", source / "requirements.txt")
    shutil.copyfile(assignment.folder / "assignment.toml", source / "assignment" / "assignment.toml")
    if assignment.notebook.is_file():
        grader_notebook(assignment, source / "assignment" / assignment.notebook.name)
    _copy_files(assignment.checks_dir.glob("*.py"), source / "assignment" / "tests")
    for path in _data_files(starter):
        target = source / KIT_FILES / path.relative_to(starter)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    _zip_folder(source, out / "autograder.zip")
    shutil.rmtree(source)

    shutil.copytree(starter, student / assignment.package)
    shutil.copyfile(assignment.handout, student / "handout.md")
    _copy_modules(modules(STUDENT), student / "autograder")
    _copy_files((p for p in assignment.checks_dir.glob("*.py")
                 if not p.name.startswith(HIDDEN_PREFIX)), student / "tests" / "checks")
    shutil.copyfile(PACKAGE_DIR / "templates" / "test_checks.py",
                    student / "tests" / f"test_{assignment.tag}.py")
    shutil.copyfile(PACKAGE_DIR / "templates" / "conftest.py", student / "tests" / "conftest.py")
    shutil.copyfile(PACKAGE_DIR / "templates" / "pytest.ini", student / "pytest.ini")
    (student / "requirements.txt").write_text(
        student_requirements(with_notebook=assignment.notebook.is_file()), encoding="utf-8")
    if assignment.notebook.is_file():
        student_notebook(assignment, student / assignment.notebook.name)
        # the test cells as released, which `pytest -k notebook` puts back as the grader does
        shutil.copyfile(student / assignment.notebook.name,
                        student / "tests" / assignment.notebook.name)
        shutil.copyfile(PACKAGE_DIR / "templates" / "test_notebook.py",
                        student / "tests" / "test_notebook.py")
    _zip_folder(student, out / f"{assignment.tag}-student.zip", prefix=f"{assignment.tag}/")
    return out


def student_requirements(with_notebook: bool) -> str:
    """The bundle's requirements.txt, pinned from the grader's and the kit's requirements files.

    Jupyter's notebook server (the kit's pin, which nbgrader also runs on) only `with_notebook`.
    """
    from_kit = STUDENT_FROM_KIT + (("notebook",) if with_notebook else ())
    # a notebook's: `pytest -k notebook` runs it with nbclient, submit writes its PDF with fpdf2
    from_grader = STUDENT_FROM_GRADER + (("nbclient", "fpdf2") if with_notebook else ())
    wanted = [(PACKAGE_DIR / "requirements.txt", from_grader), (KIT_REQUIREMENTS, from_kit)]
    lines = ["# Install into a virtual environment: pip install -r requirements.txt"]
    for path, names in wanted:
        pins = _pins(path)
        for name in names:
            if name not in pins:
                raise AssignmentError(f"{path} pins no version of {name}")
            lines.append(pins[name])
    return "\n".join(lines) + "\n"


def _pins(path: Path) -> dict[str, str]:
    """The `name==version` lines of a requirements file, by lower-case name."""
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line.split("==")[0].strip().lower(): line for line in lines if "==" in line}


def student_notebook(assignment: Assignment, target: Path) -> None:
    """The student version of the assignment's nbgrader source notebook, by nbgrader itself."""
    with tempfile.TemporaryDirectory() as course:
        source = Path(course) / "source" / assignment.tag
        source.mkdir(parents=True)
        shutil.copyfile(assignment.notebook, source / assignment.notebook.name)
        run = subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", assignment.tag, "--no-db",
             "--force", f"--CourseDirectory.root={course}"],
            capture_output=True, text=True, cwd=course)
        released = Path(course) / "release" / assignment.tag / assignment.notebook.name
        if run.returncode != 0 or not released.is_file():
            raise AssignmentError(f"nbgrader generate_assignment failed on "
                                  f"{assignment.notebook}:\n{run.stderr[-3000:]}")
        shutil.copyfile(released, target)


def grader_notebook(assignment: Assignment, target: Path) -> None:
    """The autograder's copy of the source notebook: solutions cleared by nbgrader's own
    ClearSolutions, hidden tests kept (they never reach students)."""
    notebook = nbformat.read(assignment.notebook, as_version=4)
    try:
        ClearSolutions().preprocess(notebook, {})
    except RuntimeError as error:
        raise AssignmentError(f"{assignment.notebook}: {error}") from None
    nbformat.write(notebook, target)


def _data_files(package: Path) -> list[Path]:
    """The files of `package` that are not code: data the kit ships with it."""
    return [p for p in sorted(package.rglob("*"))
            if p.is_file() and p.suffix not in (".py", ".pyc")]


def _copy_modules(names: list[str], target: Path) -> None:
    _copy_files((PACKAGE_DIR / f"{name}.py" for name in names), target)


def _copy_files(paths, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for path in paths:
        shutil.copyfile(path, target / path.name)


def _zip_folder(folder: Path, zip_path: Path, prefix: str = "") -> None:
    """Zip `folder`'s contents with fixed timestamps, so equal inputs give equal zips."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(prefix + path.relative_to(folder).as_posix(), _ZIP_TIME)
            info.external_attr = (0o755 if path.name in _EXECUTABLE else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
