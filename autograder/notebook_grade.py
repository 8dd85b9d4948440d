"""Score a notebook's autograded test cells from how each cell of its graded run ended.

Each test cell of the release's notebook is one Gradescope test worth its nbgrader points,
named by its grade_id: it passes when the cell ran without an error, else it shows the error
(an assertion's message). A test that fails after an earlier cell it needs failed says which.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import nbformat

from .notebook_cells import HIDDEN_TESTS, cell_name, grade_id, is_test, nbgrader, needed_cells

STATUSES = ("ok", "error", "timeout", "died")
NOTEBOOK_TEST = "notebook.ipynb, autograded cell"  # each such test's name, then its grade_id
TRACEBACK_LINES = 12


@dataclass(frozen=True)
class CellCheck:
    """A notebook test cell as one Gradescope test (what gradescope.py reads of a check)."""

    name: str
    number: str
    points: float
    visibility: str
    title: str = NOTEBOOK_TEST
    leaderboard: None = None


@dataclass(frozen=True)
class CellVerdict:
    """How one test cell went."""

    check: CellCheck
    passed: int  # 1 or 0: a cell has one outcome
    message: str = ""
    total: int = 1
    passed_note: str = "The cell ran without an error."

    @property
    def score(self) -> float:
        return self.check.points * self.passed

    @property
    def summary(self) -> str:
        return f"Notebook cell {self.check.name} failed:\n{self.message}"


def is_notebook_test(test: dict) -> bool:
    """Whether a test of results.json is a notebook's test cell (not a check of the code)."""
    return str(test.get("name", "")).startswith(NOTEBOOK_TEST)


def _cell_check(cell, number: str) -> CellCheck:
    """A test cell's Gradescope test: hidden tests show once grades are published."""
    return CellCheck(grade_id(cell), number, float(nbgrader(cell).get("points", 0)),
                     "after_published" if HIDDEN_TESTS in cell.source else "visible")


def read_records(data: bytes | None) -> dict[int, dict]:
    """The cell records of a run (see notebook_run.py) by cell index, malformed lines left out."""
    records = {}
    for line in (data or b"").decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("index"), int) and \
                record.get("status") in STATUSES:
            records[record["index"]] = {"status": record["status"],  # as plain text only
                                        **{k: str(record[k])[:3000] for k in ("error", "traceback")
                                           if k in record}}
    return records


def _outcome(record: dict | None, cell_timeout: float, stopped: str) -> str | None:
    """Why a cell did not pass (None when it did)."""
    if record is None:
        return f"  did not run: {stopped}"
    status = record["status"]
    if status == "ok":
        return None
    if status == "timeout":
        return f"  did not finish within the {cell_timeout:g} s one cell may run"
    if status == "died":
        return ("  the kernel running the notebook died in this cell (too much memory, or the "
                "code ended the process)")
    trace = record.get("traceback", "").strip().splitlines()[-TRACEBACK_LINES:]
    return "\n".join([f"  {record.get('error', 'an error')}", *(f"    {t}" for t in trace)])


def _first_line(record: dict, cell_timeout: float, stopped: str) -> str:
    return _outcome(record, cell_timeout, stopped).strip().splitlines()[0]


def _failed_before(records: dict[int, dict], index: int, cell_timeout: float,
                   stopped: str) -> list[int]:
    """The cells before `index` that ran and failed, in order."""
    return [j for j in sorted(records) if j < index and
            _outcome(records[j], cell_timeout, stopped) is not None]


def _cause(notebook: nbformat.NotebookNode, records: dict[int, dict], index: int,
           cell_timeout: float, stopped: str) -> str | None:
    """Which earlier failed cell, by its failure, a failing cell `index` follows from.

    A failed cell whose names the cell reads (needed_cells), else, for a NameError, the
    first failed cell before it that did not fail by a NameError itself: a name the student's
    version of a cell never defined links no cells, yet its failure is the cause.
    """
    def described(j: int) -> str:
        return (f"cell {cell_name(notebook.cells[j], j)!r}, which failed earlier: "
                f"{_first_line(records[j], cell_timeout, stopped)}")

    failed = _failed_before(records, index, cell_timeout, stopped)
    linked = [j for j in needed_cells(notebook, index) if j in failed]
    own = _first_line(records[index], cell_timeout, stopped) if index in records else ""
    first = linked[0] if linked else failed[0] if failed and own.startswith("NameError") \
        else None
    if first is None:
        return None
    text = described(first)
    roots = [j for j in _failed_before(records, first, cell_timeout, stopped)
             if not records[j].get("error", "").startswith("NameError")]
    if records[first].get("error", "").startswith("NameError") and roots:
        text += f" (after {described(roots[0])})"
    return text


def judge_cells(notebook: nbformat.NotebookNode, records: dict[int, dict], section: int,
                cell_timeout: float, stopped: str) -> list[CellVerdict]:
    """A verdict for each test cell of the graded `notebook` (numbered section.1, .2, ...);
    `stopped` says why cells without a record never ran."""
    verdicts = []
    for index, cell in enumerate(notebook.cells):
        if not is_test(cell):
            continue
        check = _cell_check(cell, f"{section}.{len(verdicts) + 1}")
        problem = _outcome(records.get(index), cell_timeout, stopped)
        if problem is None:
            verdicts.append(CellVerdict(check, 1))
            continue
        cause = _cause(notebook, records, index, cell_timeout, stopped)
        if cause:
            problem = f"  it needs the results of {cause}\n{problem}"
        verdicts.append(CellVerdict(check, 0, problem))
    return verdicts


def zero_cells(release: nbformat.NotebookNode, section: int, reason: str) -> list[CellVerdict]:
    """Every test cell of the release scored 0 for `reason` (no notebook could run)."""
    verdicts = []
    for cell in release.cells:
        if is_test(cell):
            verdicts.append(CellVerdict(_cell_check(cell, f"{section}.{len(verdicts) + 1}"), 0,
                                        f"  {reason}"))
    return verdicts
