"""Grade mode: run a submission's checks in child processes and write results.json."""
from __future__ import annotations

import shutil
import tempfile
import traceback
from pathlib import Path

from .assignment import Assignment
from .checks import GradedCheck, collect
from .gradescope import build_suite, write_failure, write_results
from .golden import GoldenCases
from .sandbox import import_problem, run_check
from .submission import SubmissionError, locate
from .verdict import Verdict, judge


def grade(source: Path, upload: Path, results_path: Path) -> dict:
    """Grade the upload in `upload` with the autograder unpacked in `source`."""
    try:
        return _grade(source, upload, results_path)
    except Exception:  # noqa: BLE001 -- a broken grader must still leave a valid results.json
        return write_failure(results_path, "The autograder itself failed; this is not your "
                             "fault. Please tell the course staff.\n" + traceback.format_exc())


def _grade(source: Path, upload: Path, results_path: Path) -> dict:
    assignment = Assignment.load(source / "assignment")
    checks = collect(assignment.checks_dir)
    work = Path(tempfile.mkdtemp(prefix="minidl-grade-"))
    try:
        problem, package_dir = None, None
        try:
            package_dir = locate(upload, assignment.package, work)
            error = import_problem(package_dir, assignment.check_timeout)
            if error:
                problem = (f"Your {assignment.package} package could not be imported, so no "
                           f"check could run:\n{error}")
        except SubmissionError as error:
            problem = str(error)

        def evaluate(check: GradedCheck) -> tuple[Verdict, str]:
            if problem:
                return Verdict(check, 0, check.cases, [f"  {problem}"]), ""
            golden = GoldenCases.load(source / "assignment" / "goldens" / f"{check.name}.npz")
            results, printed = run_check(package_dir, check, golden.seeds,
                                         check.timeout or assignment.check_timeout)
            return judge(check, results, golden.outputs), printed

        return write_results(results_path, build_suite(checks, evaluate), problem)
    finally:
        shutil.rmtree(work, ignore_errors=True)
