"""Grade mode: run a submission's checks in the sandbox and write results.json."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from .assignment import Assignment
from .checks import GradedCheck, collect
from .gradescope import build_suite, write_failure, write_results
from .golden import GoldenCases
from .sandbox import GraderSetupError, Limits, Sandbox, SandboxUser
from .submission import KIT_FILES, SubmissionError, add_kit_files, locate
from .verdict import Verdict, judge

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
    deadline = started + assignment.total_timeout
    checks = collect(assignment.checks_dir)
    user = SandboxUser.ensure()
    if user:
        user.check_can_run()
        results_path.parent.mkdir(parents=True, exist_ok=True)
        _lock(source, results_path.parent, upload)
    else:
        print(NOT_ROOT_NOTE)
    work = Path(tempfile.mkdtemp(prefix="minidl-grade-"))
    sandbox = None
    try:
        problem = None
        try:
            package_dir, notes = locate(upload, assignment.package, work)
            add_kit_files(source / KIT_FILES, package_dir)
            sandbox = Sandbox(package_dir, work, Limits(**assignment.limits), user)
            error = sandbox.start(assignment.check_timeout)
            if error:
                problem = (f"Your {assignment.package} package could not be imported, so no "
                           f"check could run:\n{error}")
        except SubmissionError as error:
            problem, notes = str(error), []

        def evaluate(check: GradedCheck) -> tuple[Verdict, str]:
            if problem:
                first_line = problem.splitlines()[0].rstrip(":.")
                return Verdict(check, 0, check.cases,
                               [f"  {first_line} (see the message above the tests)"]), ""
            left = deadline - time.monotonic()
            if left < 1:
                return Verdict(check, 0, check.cases, [
                    f"  not run: the {assignment.total_timeout:g} s for grading the whole "
                    "submission ran out (earlier checks timed out)"]), ""
            golden = GoldenCases.load(source / "assignment" / "goldens" / f"{check.name}.npz")
            results, printed = sandbox.run_check(
                check, golden.seeds, min(check.timeout or assignment.check_timeout, left))
            return judge(check, results, golden.outputs), printed

        def end_student_code() -> None:  # nothing the student started may outlive this
            if sandbox:
                sandbox.close()

        output = "\n".join(filter(None, [*notes, problem, None if user else NOT_ROOT_NOTE]))
        return write_results(results_path, build_suite(checks, evaluate), output or None,
                             before_writing=end_student_code)
    finally:
        if sandbox:
            sandbox.close()
        shutil.rmtree(work, ignore_errors=True)
