"""Grade a submission exactly as Gradescope would, in a temporary AUTOGRADER_ROOT."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .verdict import score_table


def prepare_root(zip_path: Path, root: Path, python: str = sys.executable) -> None:
    """Unpack `zip_path` into root/source as Gradescope does; root/venv runs `python`."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():
            mode = info.external_attr >> 16
            if mode:
                os.chmod(root / "source" / info.filename, mode)
    venv_python = root / "venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True, exist_ok=True)
    venv_python.write_text(f'#!/bin/sh\nexec "{python}" "$@"\n')
    venv_python.chmod(0o755)
    (root / "results").mkdir(exist_ok=True)


def run_autograder(root: Path, submission: Path, timeout: float | None = None) -> Path:
    """Put `submission` (a folder's contents, or a zip) in root/submission and grade it."""
    target = root / "submission"
    shutil.rmtree(target, ignore_errors=True)
    if submission.is_dir():
        shutil.copytree(submission, target / submission.name
                        if (submission / "__init__.py").exists() else target, symlinks=True)
    else:
        target.mkdir(parents=True)
        shutil.copyfile(submission, target / submission.name)
    results = root / "results" / "results.json"
    results.unlink(missing_ok=True)
    subprocess.run([str(root / "source" / "run_autograder")], check=True, timeout=timeout,
                   env={**os.environ, "AUTOGRADER_ROOT": str(root)})
    return results


def grade_with_zip(zip_path: Path, submission: Path, results: Path) -> None:
    """Grade one submission with a built autograder.zip, in a temporary root removed after;
    its results.json is written to `results`."""
    with tempfile.TemporaryDirectory(prefix="autograder-root-") as root:
        prepare_root(zip_path, Path(root))
        graded = run_autograder(Path(root), submission)
        results.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(graded, results)


def results_table(results: dict) -> str:
    """The tests of a results.json as a table a person can read, its total, then the first
    line of each failure."""
    tests = results.get("tests", [])
    lines = [score_table([(t.get("number", ""), t.get("name", ""), t.get("score", 0),
                           t.get("max_score", 0), t.get("status", "")) for t in tests])]
    for test in tests:
        if test.get("status") == "failed":
            detail = [line.strip() for line in test.get("output", "").splitlines()[1:]]
            lines.append(f"{test.get('number', '')}: {next(filter(None, detail), '')}"[:120])
    if results.get("output"):
        lines.append("\n" + results["output"])
    return "\n".join(lines)
