"""The nbgrader notebooks (hw2, hw4, hw5, hw6, hw7): each source runs top to bottom on the reference, and
each student copy hides the answers."""
import json

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REFERENCE, ROOT, built_release

NOTEBOOKS = {  # what each notebook's run must print, and the grade ids it must keep
    "hw2": ("hw2_nn", ["final test accuracy 0.9"], {"accuracy", "q1", "q2"}),
    "hw4": ("hw4_cnn_rnn", ["device: cpu_numba", "ResNet9 test accuracy 0.9",
                            "test perplexity by epoch"], {"cnn_accuracy", "lm_perplexity", "q1",
                                                          "q2"}),
    "hw5": ("hw5_transformer", ["device: cpu_numba", "validation perplexity after",
                                "greedy, cache True"], {"gpt_perplexity", "q1", "q2"}),
    "hw6": ("hw6_generative", ["device: cpu", "classifier test accuracy 0.9",
                               "nats per image", "DDIM, 50 steps:"],
            {"classifier_accuracy", "vae_elbo", "ddim_quality", "q1", "q2"}),
    "hw7": ("hw7_graphs_uncertainty", ["device: cpu", "accuracy on the other 30 members",
                                       "2 layer(s): training loss", "after temperature scaling",
                                       "noise (standard deviation), ensemble: mean entropy"],
            {"karate_accuracy", "rings_accuracy", "calibration_test", "shift_test", "q1", "q2"}),
}
# the reference settings, for fewer steps and a shorter LSTM comparison (hw5) and hw6's
# graded epochs (the graded run uses assignment.toml's grading profile:
# tests/test_notebook_grading.py, bench/notebooks.py)
SHORT_RUNS = {"HW5_STEPS": "250", "HW5_LSTM_SECONDS": "10", "HW6_VAE_EPOCHS": "20",
              "HW6_DDPM_EPOCHS": "40"}


def _source(tag: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "assignments" / NOTEBOOKS[tag][0] / "notebook.ipynb",
                         as_version=4)


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


@pytest.mark.parametrize("tag", NOTEBOOKS)
def test_the_source_notebook_runs_top_to_bottom_on_the_reference(tag, tmp_path, monkeypatch):
    # The reference in place, as `minidl`, so the kernel finds Numba's cached kernels.
    monkeypatch.setenv("PYTHONPATH", str(REFERENCE.parent))
    monkeypatch.delenv("MINIDL_DEVICE", raising=False)
    for name, value in SHORT_RUNS.items():
        monkeypatch.setenv(name, value)
    notebook = _source(tag)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert all(expected in text for expected in NOTEBOOKS[tag][1]), text[-2000:]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no plot was drawn"


@pytest.mark.parametrize("tag", NOTEBOOKS)
def test_the_student_notebook_has_stubs_and_no_solution_text(tag, tmp_path_factory):
    student = nbformat.read(built_release(tag, tmp_path_factory) / "student" / "notebook.ipynb",
                            as_version=4)
    text = json.dumps(student)
    solutions = _solutions(_source(tag))
    assert solutions and not [line for line in solutions if line in text]
    # nbgrader's generate_assignment writes its own untagged stub: every cell is this assignment's
    assert "BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text
    assert "YOUR ANSWER HERE" in text
    graded = [c.metadata["nbgrader"] for c in student.cells if c.metadata["nbgrader"].get("grade")]
    assert {g["grade_id"] for g in graded} >= NOTEBOOKS[tag][2]
    assert all("checksum" in g for g in graded)
