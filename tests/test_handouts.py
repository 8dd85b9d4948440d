"""Every handout agrees with its assignment: the stubs and functions it names, the `pytest -k`
expressions it gives, and the points of its opening table.

What a handout must follow (any new assignment too):

- It opens (within its first 30 lines) with a table whose header has the columns `part`,
  `functions`, `checks`, `run locally`, `points` and `hidden`. The `checks` cell of a row holds
  check numbers and ranges in check order (`1.1–1.14, 2.3`), or `notebook` for the nbgrader
  notebook's points; `run locally` holds `pytest -k "EXPR"`, which must select exactly the
  row's checks, or `—` for hidden checks, which never run locally; `hidden` starts with `no`
  or `yes`. A row whose part is `total` holds the sum of the others' points.
- A function is named as a backticked `path/in/minidl.py: Name, Class.method` (a class names
  its public methods, a function the functions nested in it; a private method or helper that
  holds a region, such as `BatchNorm1d._track`, is named itself). Every stub of the assignment must
  be named so, and every name so written must exist in reference/minidl.
- Every `pytest -k EXPR` anywhere in it selects at least one visible check, as pytest itself
  selects them from the test ids of the student's bundle (`NUMBER-name`).
- It has a section `## How your outputs are compared` saying that grading compares with the
  model answer's outputs, with a table `| check | rtol | atol | why |` holding a row for each
  check whose tolerance is not the default (and no other): the check's number, then each
  override as `f"{value:g}"`, or `default` where the check keeps the default.
"""
from __future__ import annotations

import ast
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.assignment import Assignment, all_assignments
from autograder.checks import GradedCheck, collect
from autograder.local import LocalCheck
from autograder.strip import find_regions

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference" / "minidl"
TEMPLATES = ROOT / "autograder" / "templates"
ASSIGNMENTS = all_assignments(ROOT / "assignments")
TABLE_COLUMNS = ("part", "functions", "checks", "run locally", "points", "hidden")
TABLE_WITHIN_LINES = 30
COMPARED_HEADING = "## How your outputs are compared"

FUNCTION_REFERENCE = re.compile(  # a code span may go on over a line break
    r"`(?:minidl/)?((?:[\w.-]+/)*[\w.-]+\.py):\s+([A-Za-z_][\w.]*(?:,\s+[A-Za-z_][\w.]*)*)`")
PYTEST_K = re.compile(r"pytest(?:\s+-[-\w]+)*\s+-k\s+(\"[^\"]*\"|'[^']*'|[^\s`|]+)")
CHECK_NUMBER = r"\d+(?:\.\d+)*"
CHECK_RANGE = re.compile(rf"^({CHECK_NUMBER})\s*(?:[–-]\s*({CHECK_NUMBER}))?$")


@pytest.fixture(scope="module", params=ASSIGNMENTS, ids=[a.tag for a in ASSIGNMENTS])
def assignment(request) -> Assignment:
    return request.param


@pytest.fixture(scope="module")
def handout(assignment) -> str:
    if not assignment.handout.is_file():
        pytest.skip("no handout.md: test_the_assignment_has_a_handout fails")
    return assignment.handout.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def checks(assignment) -> list[GradedCheck]:
    return collect(assignment.checks_dir)


# Stubs and the names a handout gives them

def enclosing_name(tree: ast.Module, line: int) -> str | None:
    """`function`, `Class.method` or `outer.inner`: the innermost def or class around `line`."""
    names, body = [], tree.body
    while True:
        around = next((node for node in body
                       if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                       and node.lineno <= line <= node.end_lineno), None)
        if around is None:
            return ".".join(names) or None
        names.append(around.name)
        body = [child for child in ast.walk(around) if child is not around
                and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def stubs(tag: str) -> list[tuple[str, str | None]]:
    """(path in minidl, enclosing name) of every solution region of assignment `tag`."""
    found = []
    for path in sorted(REFERENCE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        regions = [r for r in find_regions(source, str(path)) if r.tag == tag]
        if regions:
            tree = ast.parse(source)
            found += [(path.relative_to(REFERENCE).as_posix(), enclosing_name(tree, r.begin))
                      for r in regions]
    return found


def function_references(text: str) -> list[tuple[str, str]]:
    """(path in minidl, dotted name) of every backticked `path.py: Name, Name` in `text`."""
    return [(match.group(1), name) for match in FUNCTION_REFERENCE.finditer(text)
            for name in re.split(r",\s+", match.group(2))]


def defined(path: Path, dotted: str) -> bool:
    """Whether `dotted` (`Class.method`, `function.inner`) is defined in the file at `path`."""
    scope = ast.parse(path.read_text(encoding="utf-8")).body
    for name in dotted.split("."):
        found = next((node for node in _definitions(scope) if node.name == name), None)
        if found is None:
            return False
        scope = found.body
    return True


def _definitions(statements):
    """The defs and classes of a block, looking into if/try/with but not into other defs."""
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from _definitions(getattr(node, field, []))


# The opening table

@dataclass(frozen=True)
class Row:
    """One row of the opening table."""

    part: str
    checks: str
    command: str
    points: float
    hidden: str

    @property
    def is_total(self) -> bool:
        return self.part.strip("* ").lower() == "total"

    @property
    def is_notebook(self) -> bool:
        return self.checks.strip().lower() == "notebook"


def opening_table(handout: str) -> tuple[int, list[Row]]:
    """The line (1-based) where the table with a `points` column starts, and its rows."""
    lines = handout.splitlines()
    for number, line in enumerate(lines, start=1):
        header = [cell.replace("`", "").lower() for cell in _cells(line)]
        if not line.startswith("|") or "points" not in header:
            continue
        missing = [c for c in TABLE_COLUMNS if c not in header]
        assert not missing, f"handout.md:{number}: the table lacks the columns {missing}"
        rows = []
        for body in lines[number + 1:]:  # after the header's |---| line
            if not body.startswith("|"):
                break
            cells = dict(zip(header, _cells(body)))
            points = re.search(r"\d+(?:\.\d+)?", cells["points"])
            assert points, f"handout.md: no points in the row {body!r}"
            rows.append(Row(cells["part"], cells["checks"], cells["run locally"],
                            float(points.group()), cells["hidden"].lower()))
        return number, rows
    raise AssertionError(f"the handout has no table with the columns {TABLE_COLUMNS}")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def row_checks(row: Row, checks: list[GradedCheck]) -> list[GradedCheck]:
    """The checks a row's `checks` cell lists, ranges expanded in check order."""
    numbers = [c.number for c in checks]
    listed = []
    for item in row.checks.split(","):
        match = CHECK_RANGE.match(item.strip())
        assert match, f"row {row.part!r}: {item.strip()!r} is neither a check number nor a range"
        first, last = match.group(1), match.group(2) or match.group(1)
        for number in (first, last):
            assert number in numbers, f"row {row.part!r}: there is no check {number}"
        listed += checks[numbers.index(first):numbers.index(last) + 1]
    return listed


def k_expressions(text: str) -> list[str]:
    """The expression of every `pytest ... -k EXPR` in `text`, quotes removed."""
    return [match.group(1).strip("\"'") for match in PYTEST_K.finditer(text)]


def notebook_points(assignment: Assignment) -> float:
    """The points of the nbgrader notebook's graded cells (0 without a notebook)."""
    if not assignment.notebook.is_file():
        return 0.0
    cells = json.loads(assignment.notebook.read_text(encoding="utf-8"))["cells"]
    return sum(float(cell["metadata"]["nbgrader"].get("points", 0)) for cell in cells
               if cell.get("metadata", {}).get("nbgrader", {}).get("grade"))


# What `pytest -k` selects in a student's bundle

class _Collected:
    """A pytest plugin that keeps the collected test items."""

    def __init__(self):
        self.items: list = []

    def pytest_collection_finish(self, session):
        self.items = list(session.items)


@pytest.fixture(scope="module")
def select(assignment, checks, tmp_path_factory):
    """`select(expr)`: the visible check ids that `pytest -k expr` runs in the student bundle.

    The bundle is mimicked where -k looks: its pytest.ini, tests/test_<tag>.py and the test
    function parametrized by the local test ids (autograder/templates/test_checks.py). It is
    collected once; each expression then goes through pytest's own -k matching.
    """
    from _pytest.mark import KeywordMatcher
    from _pytest.mark.expression import Expression

    bundle = tmp_path_factory.mktemp("bundle") / assignment.tag
    (bundle / "tests").mkdir(parents=True)
    shutil.copyfile(TEMPLATES / "pytest.ini", bundle / "pytest.ini")
    ids = [LocalCheck(c, None).id for c in checks if c.visibility == "visible"]
    (bundle / "tests" / f"test_{assignment.tag}.py").write_text(
        f"import pytest\n\nIDS = {ids!r}\n\n\n@pytest.mark.parametrize('local', IDS, ids=IDS)\n"
        "def test_check(local):\n    pass\n", encoding="utf-8")
    plugin, modules = _Collected(), set(sys.modules)
    code = pytest.main([str(bundle), "--collect-only", "-q", "-p", "no:cacheprovider",
                        "--import-mode=importlib", "--rootdir", str(bundle),
                        "-c", str(bundle / "pytest.ini")], plugins=[plugin])
    for name in set(sys.modules) - modules:  # the mimicked bundle's test module
        if name == "tests" or name.startswith(("tests.", "test_")):
            del sys.modules[name]
    assert code == 0 and len(plugin.items) == len(ids)

    def selected(expression: str) -> list[str]:
        try:
            matches = Expression.compile(expression).evaluate
        except SyntaxError as error:
            raise AssertionError(f"pytest -k {expression!r} is not a valid expression") from error
        return [item.callspec.id for item in plugin.items
                if matches(KeywordMatcher.from_item(item))]

    return selected


# The tests

def test_the_assignment_has_a_handout(assignment):
    assert assignment.handout.is_file(), (f"{assignment.folder.name} has no handout.md: write one "
                                          "that follows the conventions above")


def test_every_stub_is_named_in_the_handout(assignment, handout):
    named = function_references(handout)
    missing = []
    for path, name in stubs(assignment.tag):
        if name is None:  # a region outside any def: the file at least
            covered = path in handout
        else:
            covered = any(path == p and (name == n or name.startswith(n + ".") and not any(
                part.startswith("_") and not part.startswith("__")
                for part in name[len(n) + 1:].split("."))) for p, n in named)
        if not covered:
            missing.append(f"`{path}: {name}`")
    assert not missing, (f"{assignment.handout} does not name these stubs of "
                         f"{assignment.tag}: {', '.join(sorted(set(missing)))}")


def test_every_named_function_exists_in_the_reference(assignment, handout):
    unknown = [f"`{path}: {name}`" for path, name in function_references(handout)
               if not (REFERENCE / path).is_file() or not defined(REFERENCE / path, name)]
    assert not unknown, f"{assignment.handout} names what reference/minidl lacks: {unknown}"


def test_every_pytest_k_selects_a_visible_check(assignment, handout, select):
    expressions = k_expressions(handout)
    assert expressions, f"{assignment.handout} shows no `pytest -k` at all"
    empty = [e for e in expressions if not select(e)]
    assert not empty, (f"{assignment.handout}: `pytest -k` selects no check with {empty}; "
                       "the test ids are NUMBER-name, as 1.3-matmul_forward")


def test_the_table_opens_the_handout_and_each_row_runs_its_checks(assignment, handout,
                                                                  checks, select):
    start, rows = opening_table(handout)
    assert start <= TABLE_WITHIN_LINES, (f"{assignment.handout}: the table of parts starts on "
                                         f"line {start}, not within the first screen")
    for row in rows:
        if row.is_total or row.is_notebook:
            continue
        listed = row_checks(row, checks)
        hidden = row.hidden.startswith(("yes", "hidden"))
        assert row.hidden.startswith(("no", "yes", "hidden")), \
            f"row {row.part!r}: the hidden column says {row.hidden!r}, not no or yes"
        visibility = {c.number: c.visibility for c in listed}
        assert all((v != "visible") == hidden for v in visibility.values()), \
            f"row {row.part!r} says hidden {row.hidden!r}, but the checks are {visibility}"
        expressions = k_expressions(row.command)
        if hidden:
            assert not expressions, f"row {row.part!r}: hidden checks do not run locally"
            continue
        assert len(expressions) == 1, f"row {row.part!r} needs one `pytest -k \"...\"`"
        wanted = [LocalCheck(c, None).id for c in listed]
        assert sorted(select(expressions[0])) == sorted(wanted), (
            f"row {row.part!r}: pytest -k {expressions[0]!r} selects "
            f"{select(expressions[0])}, the row lists {wanted}")


def test_the_table_points_add_up_to_the_graded_points(assignment, handout, checks):
    _, rows = opening_table(handout)
    check_rows = [r for r in rows if not r.is_total and not r.is_notebook]
    listed = [c.number for row in check_rows for c in row_checks(row, checks)]
    twice = sorted({n for n in listed if listed.count(n) > 1})
    unlisted = [c.number for c in checks if c.number not in listed]
    assert not twice and not unlisted, (f"{assignment.handout}: checks in two rows {twice}, "
                                        f"in none {unlisted}")
    for row in check_rows:
        points = sum(c.points for c in row_checks(row, checks))
        assert row.points == points, (f"row {row.part!r} says {row.points:g} points, its "
                                      f"checks are worth {points:g}")
    graded = sum(c.points for c in checks)
    assert sum(r.points for r in check_rows) == graded, \
        f"{assignment.handout}: the rows of checks do not add up to their {graded:g} points"
    notebook = sum(r.points for r in rows if r.is_notebook)
    assert notebook == notebook_points(assignment), (
        f"{assignment.handout}: the notebook rows say {notebook:g} points, its nbgrader "
        f"metadata {notebook_points(assignment):g}")
    for total in (r for r in rows if r.is_total):
        assert total.points == graded + notebook, (
            f"{assignment.handout}: the total row says {total.points:g}, the checks are worth "
            f"{graded:g} and the notebook {notebook:g}")


def test_the_handout_says_how_outputs_are_compared_and_every_tolerance_that_differs(
        assignment, handout, checks):
    assert COMPARED_HEADING in handout, f"{assignment.handout} lacks '{COMPARED_HEADING}'"
    section = handout.split(COMPARED_HEADING, 1)[1].split("\n## ", 1)[0]
    assert "model answer" in section, f"{assignment.handout}: say what outputs are compared with"
    rows = {}
    for line in section.splitlines():
        cells = _cells(line) if line.startswith("|") else []
        if len(cells) >= 3 and re.fullmatch(CHECK_NUMBER, cells[0]):
            rows[cells[0]] = (cells[1], cells[2])
    wanted = {c.number: tuple("default" if v is None else f"{v:g}" for v in (c.rtol, c.atol))
              for c in checks if c.golden and (c.rtol is not None or c.atol is not None)}
    assert rows == wanted, (f"{assignment.handout}: the tolerance table lists {rows}; the "
                            f"checks override {wanted}")
