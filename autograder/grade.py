"""Grade mode: run a submission's checks in the sandbox and write results.json."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

import nbformat

from .assignment import Assignment
from .checks import GradedCheck, collect
from .gradescope import Graded, write_failure, write_results
from .golden import GoldenCases
from .notebook_cells import NotebookError, read_notebook, restore
from .notebook_grade import judge_cells, read_records, zero_cells
from .sandbox import GraderSetupError, Limits, Sandbox, SandboxUser
from .submission import KIT_FILES, SubmissionError, add_kit_files, locate, locate_notebook
from .verdict import Verdict, judge

NOTEBOOK = "notebook.ipynb"  # beside the package in an upload; the release's in assignment/
NETWORK_NOTE = ("Note for staff: network isolation was unavailable on this machine ({}), so "
                "student code ran with network access.")
NOT_ROOT_NOTE = ("Note for staff: the grader is not running as root, so student code ran as "
                 "the grader's own user, in a child process with resource limits but no user "
                 "switch and no protection of the goldens.")


def grade(source: Path, upload: Path, results_path: Path) -> dict:
    """Grade the upload in `upload` with the autograder unpacked in `source`."""
    try:
        return _grade(source, upload, results_path)
    except GraderSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return write_failure(results_path, "The autograder is not set up right; this is not "
                             f"your fault. Please tell the course staff.\n{error}")
    except Exception:  # noqa: BLE001 -- a broken grader must still leave a valid results.json
        return write_failure(results_path, "The autograder itself failed; this is not your "
                             "fault. Please tell the course staff.\n" + traceback.format_exc())


def _lock(*folders: Path) -> None:
    """Make the grader's own folders unreadable to everyone but root."""
    for folder in folders:
        if folder.exists():
            os.chmod(folder, 0o700)


def _grade(source: Path, upload: Path, results_path: Path) -> dict:
    started = time.monotonic()
    assignment = Assignment.load(source / "assignment")
    user = SandboxUser.allocate()
    try:
        return _grade_as(user, assignment, source, upload, results_path, started)
    finally:
        if user:
            user.release()


def _grade_as(user: SandboxUser | None, assignment: Assignment, source: Path, upload: Path,
              results_path: Path, started: float) -> dict:
    if user:
        user.check_can_run()
        results_path.parent.mkdir(parents=True, exist_ok=True)
        _lock(source, results_path.parent, upload)
    else:
        print(NOT_ROOT_NOTE)
    work = Path(tempfile.mkdtemp(prefix="minidl-grade-"))
    sandbox, notes, problem = None, [], None
    try:
        try:
            package_dir, notes = locate(upload, assignment.package, work)
            add_kit_files(source / KIT_FILES, package_dir)
            sandbox = Sandbox(package_dir, work, Limits(**assignment.limits), user)
            error = sandbox.start(assignment.check_timeout)
            if error:
                problem = (f"Your {assignment.package} package could not be imported, so no "
                           f"check could run:\n{error}")
        except SubmissionError as error:
            problem = str(error)
        checks = collect(assignment.checks_dir)
        release = source / "assignment" / NOTEBOOK
        # the notebook's run keeps its own budget out of the whole submission's time
        reserved = assignment.notebook_settings.timeout if release.is_file() else 0.0
        graded = [_evaluate(check, assignment, source, sandbox, problem,
                            started + assignment.total_timeout - reserved)
                  for check in checks]
        if release.is_file():
            section = 1 + max((int(c.number.split(".")[0]) for c in checks), default=0)
            cells, found = _notebook(assignment, release, upload, sandbox, problem,
                                     started + assignment.total_timeout, section)
            graded += cells
            notes += found
    finally:
        if sandbox:  # nothing the student started may outlive this, nor see results.json
            sandbox.close()
        shutil.rmtree(work, ignore_errors=True)
    network = sandbox and sandbox.network_open and NETWORK_NOTE.format(sandbox.network_open)
    output = "\n".join(filter(None, [*notes, problem, None if user else NOT_ROOT_NOTE, network]))
    return write_results(results_path, graded, output or None)


def _notebook(assignment: Assignment, release: Path, upload: Path, sandbox: Sandbox | None,
              problem: str | None, deadline: float, section: int) -> tuple[list[Graded], list[str]]:
    """Run the upload's notebook, with the release's test cells, and judge its test cells
    (numbered section.1, ...); notes for the student on what was guessed or put back."""
    released = read_notebook(release.read_bytes(), "the release's notebook")
    settings = assignment.notebook_settings
    data, notes = locate_notebook(upload, NOTEBOOK)
    left = deadline - time.monotonic()
    try:
        if data is None:
            raise NotebookError(notes.pop())
        if problem:
            raise NotebookError(f"not run: {problem.splitlines()[0].rstrip(':.')}")
        if left < 1:
            raise NotebookError(f"not run: the {assignment.total_timeout:g} s for grading the "
                                "whole submission ran out")
        graded, restored = restore(read_notebook(data), released)
    except NotebookError as error:
        return [Graded(v) for v in zero_cells(released, section, str(error))], notes
    records, stopped = sandbox.run_notebook(
        nbformat.writes(graded), settings.cell_timeout, min(settings.timeout, left),
        settings.profile, assignment.check_timeout)
    verdicts = judge_cells(graded, read_records(records), section, settings.cell_timeout, stopped)
    return [Graded(v) for v in verdicts], notes + restored


def _evaluate(check: GradedCheck, assignment: Assignment, source: Path, sandbox: Sandbox | None,
              problem: str | None, deadline: float) -> Graded:
    """Run one check's cases in the sandbox and judge them (zero when nothing can run)."""
    if problem:
        first_line = problem.splitlines()[0].rstrip(":.")
        return Graded(Verdict(check, 0, check.cases,
                              [f"  {first_line} (see the message above the tests)"]))
    left = deadline - time.monotonic()
    if left < 1:
        return Graded(Verdict(check, 0, check.cases, [
            f"  not run: the {assignment.total_timeout:g} s for grading the whole submission "
            "ran out (earlier checks timed out)"]))
    golden = GoldenCases.load(source / "assignment" / "goldens" / f"{check.name}.npz")
    results, printed = sandbox.run_check(
        check, golden.seeds, min(check.timeout or assignment.check_timeout, left))
    return Graded(judge(check, results, golden.outputs), printed)
