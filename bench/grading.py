"""`make bench`: the cost of the sandbox when grading hw1's reference solution.

Both runs start a fresh Python process and write results.json through JSONTestRunner: one
imports the submission into the grader and runs every check in that process (no isolation);
the other is the real run_autograder of the built zip (a child process as another user, with
limits, forking per check). Best of 3 wall-clock seconds each, and their ratio.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def grade_in_process(source: Path, package: Path, results: Path) -> None:
    """Grade with no sandbox: the submission is imported into this very process."""
    from autograder.assignment import Assignment
    from autograder.checks import collect
    from autograder.golden import GoldenCases
    from autograder.gradescope import build_suite, write_results
    from autograder.implementation import load_package
    from autograder.verdict import judge, run_case

    assignment = Assignment.load(source / "assignment")
    mdl = load_package(package, "minidl")

    def evaluate(check):
        golden = GoldenCases.load(source / "assignment" / "goldens" / f"{check.name}.npz")
        return judge(check, [run_case(check, mdl, s) for s in golden.seeds], golden.outputs), ""

    write_results(results, build_suite(collect(assignment.checks_dir), evaluate))


def best_of(runs: int, command: list[str], env=None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    import os

    from autograder.local_grading import prepare_root
    from autograder.release import release

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        (folder,) = release(ROOT, scratch / "dist", secret_seed=1, tags=["hw1"], progress=False)
        root = scratch / "root"
        prepare_root(folder / "autograder.zip", root)
        reference = ROOT / "reference" / "minidl"
        in_process = best_of(3, [sys.executable, __file__, "in-process", str(root / "source"),
                                 str(reference), str(scratch / "results.json")])
        (root / "submission").mkdir()
        subprocess.run(["cp", "-r", str(reference), str(root / "submission")], check=True)
        sandboxed = best_of(3, [str(root / "source" / "run_autograder")],
                            env={**os.environ, "AUTOGRADER_ROOT": str(root)})
    who = "root: separate user" if os.geteuid() == 0 else "not root: same user"
    print(f"grading hw1's reference ({who}), best of 3, seconds")
    print(f"  in the grader's process, no sandbox   {in_process:6.2f}")
    print(f"  run_autograder with the sandbox      {sandboxed:6.2f}")
    print(f"  sandbox / no sandbox                 {sandboxed / in_process:6.2f}x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["in-process"]:
        grade_in_process(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        main()
