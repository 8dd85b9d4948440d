"""An nbgrader notebook's cells as grading sees them: which are tests, which are answers, the
notebook to grade (the release's cells with the student's answers), and which earlier cells
each cell needs.

Cell kinds follow nbgrader's metadata (`metadata.nbgrader`): a test cell is graded and not a
solution, an answer cell is a solution, a written answer is graded and a solution.
"""
from __future__ import annotations

import ast
import copy
import json

import nbformat
from nbformat.reader import NotJSONError

HIDDEN_TESTS = "BEGIN HIDDEN TESTS"


class NotebookError(ValueError):
    """A notebook file that cannot be read as a Jupyter notebook; the message says why."""


def read_notebook(data: bytes, name: str = "notebook.ipynb") -> nbformat.NotebookNode:
    """The notebook in `data`, as nbformat 4, or NotebookError naming `name` and the problem."""
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    except (UnicodeDecodeError, json.JSONDecodeError, NotJSONError) as error:
        raise NotebookError(f"{name} is not a valid notebook file ({str(error)[:200]}); save "
                            "it from Jupyter and upload it again") from None
    except Exception as error:  # noqa: BLE001 -- nbformat raises several kinds on a bad file
        raise NotebookError(f"{name} could not be read as a Jupyter notebook "
                            f"({type(error).__name__}: {error})") from None
    if not isinstance(notebook.get("cells"), list):
        raise NotebookError(f"{name} holds no list of cells")
    return notebook


def nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id(cell) -> str | None:
    return nbgrader(cell).get("grade_id")


def is_solution(cell) -> bool:
    return bool(nbgrader(cell).get("solution"))


def is_test(cell) -> bool:
    """An autograded test cell (nbgrader: graded code that is not a solution)."""
    return cell.cell_type == "code" and bool(nbgrader(cell).get("grade")) and not is_solution(cell)


def is_written(cell) -> bool:
    """A manually graded answer (nbgrader: graded and a solution)."""
    return bool(nbgrader(cell).get("grade")) and is_solution(cell)


def is_locked(cell) -> bool:
    """As nbgrader decides: no solution cell is locked, every test cell is."""
    meta = nbgrader(cell)
    return not meta.get("solution") and bool(meta.get("grade") or meta.get("locked"))


def _visible(source: str) -> str:
    """A test cell's source without its hidden tests (what a student's copy holds)."""
    lines, hidden = [], False
    for line in source.splitlines():
        if HIDDEN_TESTS in line or "END HIDDEN TESTS" in line:
            hidden = HIDDEN_TESTS in line
        elif not hidden:
            lines.append(line)
    return "\n".join(lines).strip()


def restore(student: nbformat.NotebookNode,
            release: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook to grade, and notes on what was put back.

    As nbgrader's autograde overwrites cells: every cell of the release in its order, locked
    and test cells as released (an edited or deleted one comes back), each answer cell with
    the student's source when its grade_id is found; cells the student added stay after the
    release cell they followed, without nbgrader metadata (they earn nothing).
    """
    known = {grade_id(c) for c in release.cells if grade_id(c)}
    answers, added, after = {}, {}, None
    for cell in student.cells:
        gid = grade_id(cell)
        if gid in known:
            answers.setdefault(gid, cell)
            after = gid
        else:
            extra = copy.deepcopy(cell)
            extra.get("metadata", {}).pop("nbgrader", None)
            added.setdefault(after, []).append(extra)
    cells, notes = list(added.get(None, [])), []
    for cell in release.cells:
        gid = grade_id(cell)
        restored = copy.deepcopy(cell)
        theirs = answers.get(gid)
        if is_solution(cell) and theirs is not None:
            restored.source = theirs.get("source", "")
        elif is_test(cell) and (theirs is None or
                                _visible(theirs.get("source", "")) != _visible(cell.source)):
            notes.append(f"Test cell {gid!r} was {'missing' if theirs is None else 'changed'} "
                         "in your notebook; the released one was graded.")
        if cell.cell_type == "code":
            restored.update(outputs=[], execution_count=None)
        cells.append(restored)
        cells += added.get(gid, [])
    graded = copy.deepcopy(release)
    graded.cells = cells
    return graded, notes


def cell_name(cell, index: int) -> str:
    """How a message names a cell: its grade_id, else its position."""
    return grade_id(cell) or f"cell {index + 1}"


def _names(source: str) -> tuple[set[str], set[str]]:
    """The names a cell's code assigns (or defines, or imports) and the names it reads."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython's %magics and !commands: the Python lines alone
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            return set(), set()
    defined, used = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else defined).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return defined, used


def needed_cells(notebook: nbformat.NotebookNode, index: int) -> list[int]:
    """The earlier code cells whose names cell `index` reads, directly or through other cells,
    earliest first.

    By name, statically: cell j is needed when it is the latest cell before a needing cell
    to assign a name that cell reads. This is how a failing test names the earlier cell whose
    failure it follows from.
    """
    names = [_names(c.source) if c.cell_type == "code" else (set(), set())
             for c in notebook.cells]
    wanted, found = set(names[index][1]), []
    for j in range(index - 1, -1, -1):
        defined, used = names[j]
        if wanted & defined:
            found.append(j)
            wanted = (wanted - defined) | used
    return sorted(found)
