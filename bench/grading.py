"""`make bench`: what grading costs.

1. Each assignment's reference graded through its zip's run_autograder on one core (as
   Gradescope gives), in two rounds: wall-clock seconds and the peak memory of the largest
   process (the grader or the child running student code). The README's Gradescope settings
   quote these figures.
2. The cost of the sandbox on hw1: a fresh Python process that imports the submission into
   the grader and runs every check there (no isolation), against the real run_autograder (a
   child process as another user, with limits). Best of 3 wall-clock seconds each, and their
   ratio.
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
    from autograder.case import run_case
    from autograder.gradescope import Graded, write_results
    from autograder.implementation import load_package
    from autograder.verdict import judge

    assignment = Assignment.load(source / "assignment")
    mdl = load_package(package, "minidl")

    def evaluate(check):
        golden = GoldenCases.load(source / "assignment" / "goldens" / f"{check.name}.npz")
        return Graded(judge(check, [run_case(check, mdl, s) for s in golden.seeds],
                            golden.outputs))

    write_results(results, [evaluate(check) for check in collect(assignment.checks_dir)])


def best_of(runs: int, command: list[str], env=None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def graded_on_one_core(root: Path) -> None:
    """Run root's run_autograder pinned to one core; print its seconds and peak memory."""
    import os
    import resource

    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    start = time.perf_counter()
    subprocess.run([str(root / "source" / "run_autograder")], check=True,
                   env={**os.environ, "AUTOGRADER_ROOT": str(root)}, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20)


def per_assignment(scratch: Path, rounds: int = 2) -> None:
    """Grade each assignment's reference `rounds` times on one core: seconds and peak GB."""
    import json

    from autograder.local_grading import prepare_root
    from autograder.release import release

    print(f"grading each assignment's reference on one core, {rounds} rounds "
          "(seconds, peak memory of the largest process)")
    for folder in release(ROOT, scratch / "all", secret_seeds=(1,), progress=False):
        root = scratch / f"root-{folder.name}"
        prepare_root(folder / "autograder.zip", root)
        subprocess.run(["cp", "-r", str(ROOT / "reference" / "minidl"), str(root / "submission")],
                       check=True)
        measured = []
        for _ in range(rounds):
            run = subprocess.run([sys.executable, __file__, "one-core", str(root)], check=True,
                                 capture_output=True, text=True)
            measured.append([float(x) for x in run.stdout.split()])
        score = json.loads((root / "results" / "results.json").read_text())["score"]
        seconds = sorted(m[0] for m in measured)
        peak = max(m[1] for m in measured)
        print(f"  {folder.name:<5} {seconds[0]:6.1f}-{seconds[-1]:6.1f} s   {peak:5.2f} GB   "
              f"score {score:g}")


def main() -> None:
    import os

    from autograder.local_grading import prepare_root
    from autograder.release import release

    with tempfile.TemporaryDirectory() as scratch:
        per_assignment(Path(scratch))
        scratch = Path(scratch)
        (folder,) = release(ROOT, scratch / "dist", secret_seeds=(1,), tags=["hw1"], progress=False)
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
    elif sys.argv[1:2] == ["one-core"]:
        graded_on_one_core(Path(sys.argv[2]))
    else:
        main()
