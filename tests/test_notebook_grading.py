"""hw2's notebook graded on Gradescope's path: the zip `autograder.submit` writes (the model
answer and the notebook), run through the built autograder.zip's own run_autograder; the
student's `pytest -k notebook`; the PDF of the written answers."""
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pypdf
import pytest

from autograder.local_grading import prepare_root, run_autograder
from autograder.notebook_cells import grade_id, needed_cells, restore
from autograder.notebook_grade import is_notebook_test, judge_cells
from autograder.submit import build_submission
from conftest import ROOT, STARTER, built_release, model_answer_package

SCHEMA = json.loads((Path(__file__).parent / "gradescope_results.schema.json").read_text())
SOURCE = ROOT / "assignments" / "hw2_nn" / "notebook.ipynb"
NOTEBOOK_TESTS = {"accuracy": 3, "q2_test": 1}  # hw2's test cells and their points


def _answered(**cells: str) -> nbformat.NotebookNode:
    """hw2's notebook with the source's answers, `cells` (grade_id=source) replaced."""
    notebook = nbformat.read(SOURCE, as_version=4)
    for cell in notebook.cells:
        if grade_id(cell) in cells:
            cell.source = cells[grade_id(cell)]
    return notebook


def _upload(tmp_path: Path, notebook: nbformat.NotebookNode | str | None,
            package: Path | None = None) -> Path:
    """The zip of `package` (the model answer) and `notebook` (a notebook, raw text, or
    none)."""
    folder = tmp_path / "work"
    folder.mkdir(parents=True)
    path = None
    if notebook is not None:
        path = folder / "notebook.ipynb"
        path.write_text(notebook if isinstance(notebook, str) else nbformat.writes(notebook))
    upload = tmp_path / "upload" / "submission.zip"
    upload.parent.mkdir(parents=True)
    assert build_submission(package or model_answer_package(), upload, path) == []
    return upload


def _root(release: Path, folder: Path, **notebook_settings) -> Path:
    prepare_root(release / "autograder.zip", folder)
    if notebook_settings:
        toml = folder / "source" / "assignment" / "assignment.toml"
        text = re.sub(r"\n\[notebook\]\n(\w+ = \d+\n)*", "\n", toml.read_text())
        toml.write_text(text + "\n[notebook]\n" + "".join(
            f"{key} = {value}\n" for key, value in notebook_settings.items()))
    return folder


@pytest.fixture(scope="module")
def hw2_root(hw2_release, tmp_path_factory):
    return _root(hw2_release, tmp_path_factory.mktemp("autograder"))


def _grade(root: Path, upload: Path) -> tuple[dict, dict]:
    """results.json (schema-checked) and its notebook tests by grade_id."""
    results = json.loads(run_autograder(root, upload, timeout=900).read_text())
    jsonschema.validate(results, SCHEMA)
    cells = {re.search(r"\((\w+)\)$", t["name"]).group(1): t for t in results["tests"]
             if is_notebook_test(t)}
    assert set(cells) == set(NOTEBOOK_TESTS)
    assert all(cells[name]["max_score"] == points for name, points in NOTEBOOK_TESTS.items())
    return results, cells


def _code_checks_full(results: dict) -> bool:
    return all(t["score"] == t["max_score"] for t in results["tests"] if not is_notebook_test(t))


def test_the_model_answer_and_its_notebook_get_full_marks(hw2_root, tmp_path):
    results, cells = _grade(hw2_root, _upload(tmp_path, _answered()))
    assert results["score"] == sum(t["max_score"] for t in results["tests"]), results
    assert [cells[c]["number"] for c in NOTEBOOK_TESTS] == ["7.1", "7.2"]
    assert all(c["status"] == "passed" and c["visibility"] == "visible" for c in cells.values())


def test_the_starter_with_the_answered_notebook_gets_none_of_its_points(hw2_root, tmp_path):
    results, cells = _grade(hw2_root, _upload(tmp_path, _answered(), STARTER))
    assert results["score"] == 0
    assert "NotImplementedError: hw2" in cells["accuracy"]["output"], cells["accuracy"]["output"]


@pytest.mark.slow
@pytest.mark.parametrize("tag, folder", [("hw4", "hw4_cnn_rnn"), ("hw5", "hw5_transformer"),
                                         ("hw6", "hw6_generative"),
                                         ("hw7", "hw7_graphs_uncertainty")])
def test_later_notebooks_get_full_marks_within_their_budget(tag, folder, tmp_path,
                                                           tmp_path_factory):
    root = _root(built_release(tag, tmp_path_factory), tmp_path / "root")
    upload = tmp_path / "upload" / "submission.zip"
    upload.parent.mkdir()
    assert build_submission(model_answer_package(), upload,
                            ROOT / "assignments" / folder / "notebook.ipynb") == []
    results = json.loads(run_autograder(root, upload, timeout=900).read_text())
    jsonschema.validate(results, SCHEMA)
    cells = [t for t in results["tests"] if is_notebook_test(t)]
    assert cells and all(t["score"] == t["max_score"] for t in cells), cells


def test_a_tampered_test_cell_is_graded_as_released(hw2_root, tmp_path):
    # the accuracy test's assertions removed and Adam's rate 0: the released test still fails
    notebook = _answered(accuracy="pass", model=_answered().cells[3].source.replace(
        "lr=0.001", "lr=0.0"))
    notebook.cells = [c for c in notebook.cells if grade_id(c) != "q2_test"]  # deleted
    results, cells = _grade(hw2_root, _upload(tmp_path, notebook))
    assert cells["accuracy"]["score"] == 0 and "AssertionError" in cells["accuracy"]["output"]
    assert cells["q2_test"]["score"] == 1  # put back, and it holds
    assert "Test cell 'accuracy' was changed" in results["output"]
    assert "Test cell 'q2_test' was missing" in results["output"]
    assert _code_checks_full(results)


def test_a_training_cell_that_raises_fails_only_the_tests_that_need_it(hw2_root, tmp_path):
    model = _answered().cells[3].source.replace(
        "optimizer = optim.Adam(", "class Broken(optim.Adam):\n    def step(self):\n"
        "        raise RuntimeError('step failed')\n\noptimizer = Broken(")
    results, cells = _grade(hw2_root, _upload(tmp_path, _answered(model=model)))
    accuracy = cells["accuracy"]["output"]
    assert cells["accuracy"]["score"] == 0
    assert "needs the results of cell 'train', which failed earlier: RuntimeError: step failed" \
        in accuracy, accuracy
    assert cells["q2_test"]["score"] == 1  # needs the model, not its training
    assert _code_checks_full(results)


def test_the_notebooks_kernel_has_no_network_and_runs_as_the_sandbox_user(hw2_root, tmp_path):
    probe = ("import os, socket\n"
             "assert os.getuid() != 0, 'ran as root'\n"
             "socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n")
    results, cells = _grade(hw2_root, _upload(tmp_path, _answered(q2_code=probe)))
    output = cells["q2_test"]["output"]
    assert "needs the results of cell 'q2_code', which failed earlier: PermissionError" in output
    assert cells["accuracy"]["score"] == 3


@pytest.mark.slow
def test_a_cell_that_never_finishes_is_stopped_and_so_is_the_whole_run(hw2_release, tmp_path):
    root = _root(hw2_release, tmp_path / "root", cell_timeout=8, timeout=40)
    hang = "import time\nwhile True:\n    time.sleep(1)\n"
    results, cells = _grade(root, _upload(tmp_path / "a", _answered(model=hang)))
    assert "needs the results of cell 'train', which failed earlier: NameError: name 'model' is " \
        "not defined (after cell 'model', which failed earlier: did not finish within the 8 s " \
        "one cell may run)" in cells["accuracy"]["output"], cells["accuracy"]["output"]
    assert all(c["score"] == 0 for c in cells.values()) and _code_checks_full(results)

    root = _root(hw2_release, tmp_path / "root2", cell_timeout=300, timeout=25)
    results, cells = _grade(root, _upload(tmp_path / "b", _answered(q2_code=hang)))
    assert cells["accuracy"]["score"] == 3  # ran before the time ran out
    assert "did not run: the notebook's 25 s for its whole run ran out" in \
        cells["q2_test"]["output"]


@pytest.mark.parametrize("notebook, message", [
    ('{"cells": [', "notebook.ipynb is not a valid notebook file"),
    (None, "No notebook.ipynb was found in your upload, so the notebook's tests score 0"),
])
def test_an_unreadable_or_missing_notebook_scores_its_tests_0_and_says_why(hw2_root, tmp_path,
                                                                           notebook, message):
    results, cells = _grade(hw2_root, _upload(tmp_path, notebook))
    assert all(c["score"] == 0 and message in c["output"] for c in cells.values()), cells
    assert _code_checks_full(results)


def test_the_graders_notebook_has_no_solutions_and_keeps_the_tests(hw2_release):
    with zipfile.ZipFile(hw2_release / "autograder.zip") as archive:
        graders = nbformat.reads(archive.read("assignment/notebook.ipynb").decode(), as_version=4)
    source = nbformat.read(SOURCE, as_version=4)
    text = nbformat.writes(graders)
    assert "BEGIN SOLUTION" not in text and "n_parameters = sum(" not in text
    assert [c.source for c in graders.cells if grade_id(c) in NOTEBOOK_TESTS] == \
        [c.source for c in source.cells if grade_id(c) in NOTEBOOK_TESTS]


def test_restore_keeps_answers_and_added_cells_and_puts_tests_back():
    released = nbformat.read(SOURCE, as_version=4)
    student = _answered(accuracy="assert True", model="EPOCHS = 1\nmodel = 'mine'")
    student.cells.insert(4, nbformat.v4.new_code_cell("scratch = 1"))
    graded, notes = restore(student, released)
    sources = {grade_id(c): c.source for c in graded.cells}
    assert sources["model"] == "EPOCHS = 1\nmodel = 'mine'"
    assert sources["accuracy"] == released.cells[5].source
    assert graded.cells[4].source == "scratch = 1" and "nbgrader" not in graded.cells[4].metadata
    assert notes == ["Test cell 'accuracy' was changed in your notebook; the released one was "
                     "graded."]
    names = [grade_id(graded.cells[j]) for j in needed_cells(graded, 6)]  # accuracy
    assert names == ["setup", "model", "train"]


def test_the_students_pytest_runs_the_notebooks_test_cells(hw2_release, tmp_path):
    with zipfile.ZipFile(hw2_release / "hw2-student.zip") as archive:
        archive.extractall(tmp_path)
    bundle = tmp_path / "hw2"
    for path in model_answer_package().rglob("*.py"):
        (bundle / "minidl" / path.relative_to(model_answer_package())).write_bytes(
            path.read_bytes())
    (bundle / "notebook.ipynb").write_text(nbformat.writes(_answered(model="EPOCHS = 10\n"
                                                                           "raise ValueError('x')")))
    run = subprocess.run([sys.executable, "-m", "pytest", "-k", "notebook"], cwd=bundle,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 1 and "2 failed" in run.stdout, run.stdout[-3000:]
    assert "which failed earlier: ValueError: x" in run.stdout, run.stdout[-3000:]
    plain = subprocess.run([sys.executable, "-m", "pytest"], cwd=bundle, capture_output=True,
                           text=True, timeout=600)
    assert "2 skipped" in plain.stdout.splitlines()[-1], plain.stdout[-2000:]


def test_submit_writes_the_written_answers_pdf_one_question_a_page(hw2_release, tmp_path):
    with zipfile.ZipFile(hw2_release / "hw2-student.zip") as archive:
        archive.extractall(tmp_path)
    bundle = tmp_path / "hw2"
    notebook = nbformat.read(bundle / "notebook.ipynb", as_version=4)
    for cell in notebook.cells:
        if grade_id(cell) == "q1":  # with an image of the student's, pasted into the cell
            cell.source = ("Dropout and **BatchNorm1d** behave differently: Ω ≠ ω.\n\n"
                           "![mine](attachment:mine.png)")
            cell.attachments = {"mine.png": {"image/png": _tiny_png()}}
        if grade_id(cell) == "train":  # a figure drawn before question 1
            cell.outputs = [nbformat.v4.new_output("display_data",
                                                   data={"image/png": _tiny_png()})]
    nbformat.write(notebook, bundle / "notebook.ipynb")
    run = subprocess.run([sys.executable, "-m", "autograder.submit"], cwd=bundle,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "question 2 (q2) has no answer yet" in run.stderr
    assert zipfile.ZipFile(bundle / "submission.zip").getinfo("notebook.ipynb")
    pages = pypdf.PdfReader(bundle / "hw2-written.pdf").pages
    assert len(pages) == 2
    first = pages[0].extract_text()
    assert "Dropout and BatchNorm1d behave differently: Ω ≠ ω." in first
    assert "Which two layers cause this" in first and "q2" not in first
    assert len(pages[0].images) == 2, "the student's image and the notebook's figure"


def test_submit_says_loudly_when_the_pdf_cannot_be_made_and_still_writes_the_zip(
        hw2_release, tmp_path):
    with zipfile.ZipFile(hw2_release / "hw2-student.zip") as archive:
        archive.extractall(tmp_path)
    bundle = tmp_path / "hw2"
    notebook = nbformat.read(bundle / "notebook.ipynb", as_version=4)
    for cell in notebook.cells:
        if grade_id(cell) == "q1":
            cell.source = "See my sketch: ![sketch](attachment:sketch.png)"  # not attached
    nbformat.write(notebook, bundle / "notebook.ipynb")
    (bundle / "tests" / "notebook.ipynb").unlink()  # questions from the student's own copy
    blocked = tmp_path / "blocked"
    (blocked / "fpdf").mkdir(parents=True)
    (blocked / "fpdf" / "__init__.py").write_text("raise ImportError('no fpdf', name='fpdf')")
    run = subprocess.run([sys.executable, "-m", "autograder.submit"], cwd=bundle,
                         capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": f"{blocked}:{bundle}", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 1 and (bundle / "submission.zip").is_file()
    assert "the PDF of your written answers was NOT written: fpdf is not installed" in run.stderr
    assert "pip install -r requirements.txt" in run.stderr

    run = subprocess.run([sys.executable, "-m", "autograder.submit"], cwd=bundle,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "missing attachment: sketch.png" in run.stderr, run.stderr


def _tiny_png() -> str:
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(3, 2))
    axes.plot([1, 2, 3])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def test_hidden_tests_stay_out_of_the_students_copy_yet_count_as_untouched_and_show_later():
    def cell(source, **meta):
        made = nbformat.v4.new_code_cell(source)
        made.metadata["nbgrader"] = {"grade_id": meta.pop("gid"), "schema_version": 3, **meta}
        return made

    test = "assert x == 1\n### BEGIN HIDDEN TESTS\nassert x > 0\n### END HIDDEN TESTS"
    released = nbformat.v4.new_notebook(cells=[
        cell("x = 1", gid="answer", solution=True, grade=False),
        cell(test, gid="check", grade=True, solution=False, locked=True, points=2)])
    student = nbformat.v4.new_notebook(cells=[
        cell("x = 1", gid="answer", solution=True, grade=False),
        cell("assert x == 1", gid="check", grade=True, solution=False, locked=True, points=2)])
    graded, notes = restore(student, released)
    assert graded.cells[1].source == test and notes == []
    (verdict,) = judge_cells(graded, {0: {"status": "ok", "index": 0},
                                      1: {"status": "error", "index": 1,
                                          "error": "AssertionError: "}}, 3, 60, "")
    assert verdict.check.visibility == "after_published" and verdict.check.number == "3.1"
    assert verdict.score == 0 and "AssertionError" in verdict.summary


def test_submit_warns_about_a_notebook_unrun_run_out_of_order_or_older_than_the_code(tmp_path):
    import os

    from autograder.submit import notebook_warnings

    package = tmp_path / "minidl"
    package.mkdir()
    (package / "__init__.py").write_text("")
    path = tmp_path / "notebook.ipynb"
    notebook = _answered()
    nbformat.write(notebook, path)
    os.utime(path, (1, 1))  # saved before the code last changed
    warnings = notebook_warnings(path, package)
    assert "has no outputs" in warnings[0] and "changed after" in warnings[1]
    code = [c for c in notebook.cells if c.cell_type == "code"]
    for count, cell in zip([1, 3, 2, 4, 5, 6], code):
        cell.execution_count, cell.outputs = count, [nbformat.v4.new_output("stream", text="x")]
    nbformat.write(notebook, path)
    assert ["not run top to bottom" in w for w in notebook_warnings(path, package)] == [True]
    for count, cell in enumerate(code, start=1):
        cell.execution_count = count
    nbformat.write(notebook, path)
    assert notebook_warnings(path, package) == []
