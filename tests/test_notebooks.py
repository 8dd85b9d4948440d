"""hw2's nbgrader notebook: the source runs on the reference; the student copy hides answers."""
import json
import shutil

import nbformat
from nbclient import NotebookClient

from conftest import REFERENCE, ROOT

SOURCE = ROOT / "assignments" / "hw2_nn" / "notebook.ipynb"


def _solutions(notebook) -> list[str]:
    """The non-blank lines inside the source notebook's solution regions."""
    lines, inside = [], False
    for cell in notebook.cells:
        for line in cell.source.splitlines():
            if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
                inside = "BEGIN" in line
            elif inside and line.strip():
                lines.append(line.strip())
    return lines


def test_the_source_notebook_runs_top_to_bottom_on_the_reference(tmp_path):
    shutil.copytree(REFERENCE, tmp_path / "minidl", ignore=shutil.ignore_patterns("__pycache__"))
    notebook = nbformat.read(SOURCE, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "final test accuracy 0.9" in text
    assert any("image/png" in o.get("data", {}) for o in outputs), "no plot was drawn"


def test_the_student_notebook_has_stubs_and_no_solution_text(hw2_release):
    student = nbformat.read(hw2_release / "student" / "notebook.ipynb", as_version=4)
    source = nbformat.read(SOURCE, as_version=4)
    text = json.dumps(student)
    solutions = _solutions(source)
    assert solutions and not [line for line in solutions if line in text]
    assert "BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text
    assert "YOUR ANSWER HERE" in text
    graded = [c.metadata["nbgrader"] for c in student.cells if c.metadata["nbgrader"].get("grade")]
    assert {g["grade_id"] for g in graded} >= {"accuracy", "q1", "q2"}
    assert all("checksum" in g for g in graded)
