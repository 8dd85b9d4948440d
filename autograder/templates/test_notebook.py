"""The notebook's visible test cells, as Gradescope scores them: `pytest -k notebook` runs
notebook.ipynb top to bottom (its test cells as handed out, even if yours were edited), then
reports each test cell. A plain `pytest` skips them: the run takes minutes."""
from pathlib import Path

import nbformat
import pytest

from autograder.local import notebook_verdicts
from autograder.notebook_cells import grade_id, is_test

BUNDLE = Path(__file__).parent.parent
CELLS = [grade_id(c) for c in nbformat.read(Path(__file__).with_name("notebook.ipynb"),
                                            as_version=4).cells if is_test(c)]


@pytest.fixture(scope="module")
def verdicts(request):
    if "notebook" not in (request.config.getoption("keyword") or ""):
        pytest.skip("the notebook runs only with `pytest -k notebook`")
    if not (BUNDLE / "notebook.ipynb").is_file():
        pytest.fail("no notebook.ipynb beside minidl/", pytrace=False)
    return {v.check.name: v for v in notebook_verdicts(BUNDLE)}


@pytest.mark.parametrize("cell", CELLS)
def test_notebook(cell, verdicts, record_property):
    verdict = verdicts[cell]
    record_property("score", verdict.score)
    if not verdict.passed:
        pytest.fail(verdict.summary, pytrace=False)
