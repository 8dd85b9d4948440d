"""Run a student's code in a child process with a time limit; read back only plain data."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from .checks import GradedCheck
from .verdict import CaseResult

AUTOGRADER_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_SHOWN = 2000


class ChildRun:
    """One child process over a student's package, its output folder and its fate."""

    def __init__(self, package_dir: Path, args: list[str], timeout: float):
        self.out = Path(tempfile.mkdtemp(prefix="minidl-child-"))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(AUTOGRADER_ROOT), str(package_dir.parent)]), "PYTHONHASHSEED": "0"}
        log = open(self.out / "output.txt", "wb")
        process = subprocess.Popen(
            [sys.executable, "-B", "-m", "autograder.child", args[0], package_dir.name,
             str(self.out), *args[1:]],
            cwd=package_dir.parent, env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.timed_out = False
        try:
            self.returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.timed_out = True
            self.returncode = None
        finally:
            _kill_group(process.pid)
            process.wait()
            log.close()
        self.timeout = timeout

    def read_json(self, name: str) -> dict | None:
        path = self.out / name
        return json.loads(path.read_text()) if path.exists() else None

    def printed(self) -> str:
        """What the student's code printed, cut to its first OUTPUT_SHOWN characters."""
        with open(self.out / "output.txt", "rb") as file:
            text = file.read(OUTPUT_SHOWN + 1).decode("utf-8", errors="replace")
        return text if len(text) <= OUTPUT_SHOWN else text[:OUTPUT_SHOWN] + "\n[output cut]"

    def fate(self) -> str:
        """Why the child stopped before finishing, in a student's words."""
        if self.timed_out:
            return f"timed out after {self.timeout:g} s (look for an infinite loop or very slow code)"
        if self.returncode is not None and self.returncode < 0:
            name = signal.Signals(-self.returncode).name
            return f"the process running your code was killed by {name}"
        return f"the process running your code exited early with code {self.returncode}"


def _kill_group(pid: int) -> None:
    """Kill the child and anything it started in its session."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def import_problem(package_dir: Path, timeout: float) -> str | None:
    """None when the student's package imports, else why not."""
    child = ChildRun(package_dir, ["import"], timeout)
    status = child.read_json("import.json")
    if status is None:
        return f"importing {package_dir.name} failed: {child.fate()}\n{child.printed()}"
    return status["error"]


def run_check(package_dir: Path, check: GradedCheck, seeds: list[int],
              timeout: float) -> tuple[list[CaseResult], str]:
    """Run every case of `check` in one child; the cases' results and what the code printed."""
    child = ChildRun(package_dir, ["run", str(check.source), check.name, *map(str, seeds)],
                     timeout)
    results = []
    for number, seed in enumerate(seeds):
        status = child.read_json(f"case{number}.json")
        if status is None:
            results.append(CaseResult(seed, error=f"did not finish: {child.fate()}"))
        elif status["error"] is not None:
            results.append(CaseResult(seed, error=status["error"]))
        else:
            with np.load(child.out / f"case{number}.npz", allow_pickle=False) as data:
                results.append(CaseResult(seed, outputs={k: data[k] for k in data.files}))
    return results, child.printed()
