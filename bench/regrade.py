"""`make bench`: regrading a class with `python -m autograder regrade`.

100 hw1 uploads (copies of the reference) regraded one at a time and with --jobs 2, in turn,
then 20 hw4 uploads with --jobs 2: seconds, submissions per minute, the parallel run's time as
a fraction of the sequential one (target at most 0.6 on 2 cores), and the peak memory of the
largest process.
"""
from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed_regrade(autograder: Path, uploads: Path, out: Path, jobs: int) -> float:
    from autograder.regrade import regrade

    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    regrade(autograder, uploads, out, jobs, progress=False)
    return time.perf_counter() - start


def main() -> None:
    from autograder.release import release

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        built = {f.name: f for f in release(ROOT, scratch / "dist", secret_seeds=(1,),
                                            tags=["hw1", "hw4"], progress=False)}
        figures = {}
        for tag, count, runs in (("hw1", 100, (1, 2)), ("hw4", 20, (2,))):
            uploads = scratch / f"uploads-{tag}"
            for i in range(count):
                shutil.copytree(ROOT / "reference" / "minidl", uploads / f"student{i:03d}" /
                                "minidl", ignore=shutil.ignore_patterns("__pycache__"))
            for jobs in runs:
                seconds = timed_regrade(built[tag] / "autograder.zip", uploads,
                                        scratch / "out", jobs)
                figures[tag, jobs] = seconds
                print(f"regrade {count} {tag} uploads, --jobs {jobs}: {seconds:6.1f} s, "
                      f"{count / seconds * 60:5.1f} submissions per minute")
        print(f"hw1 --jobs 2 / --jobs 1: {figures['hw1', 2] / figures['hw1', 1]:.2f} "
              "(target at most 0.6)")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
        print(f"peak memory of the largest process: {peak:.2f} GB")


if __name__ == "__main__":
    main()
