"""`python -m autograder.submit`: zip your package, and the assignment's notebook when it ships
one, for upload to Gradescope; and write the PDF of the notebook's written answers
(<hw>-written.pdf) for the manually graded Gradescope assignment.

The data files the kit ships (such as minidl/data/digits.csv.gz) come with the autograder,
so they are left out. A file with a syntax error stops it, naming the file and line. The
notebook goes in beside the package as Jupyter last saved it; a notebook that looks unsaved
or unrun gets a warning.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import zipfile
from pathlib import Path

NOTEBOOK = "notebook.ipynb"


def build_submission(package: Path, zip_path: Path, notebook: Path | None = None) -> list[str]:
    """Zip every .py file of `package` (and `notebook`, at the zip's root) into `zip_path`; the
    syntax errors found instead."""
    files = sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    errors = []
    for path in files:
        try:
            compile(path.read_bytes(), str(path), "exec")
        except SyntaxError as error:
            errors.append(f"{path}:{error.lineno}: {error.msg}")
    if errors:
        return errors
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(package.parent).as_posix())
        if notebook is not None:
            archive.write(notebook, NOTEBOOK)
    return []


def notebook_warnings(notebook: Path, package: Path) -> list[str]:
    """What suggests the saved `notebook` is not the run the student means to hand in."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as error:
        return [f"{notebook} is not a readable notebook ({error}): the autograder will score "
                "its tests 0. Open it in Jupyter, save it, and submit again."]
    code = [c for c in cells if c.get("cell_type") == "code" and "".join(c.get("source", ""))]
    counts = [c.get("execution_count") for c in code]
    warnings = []
    if code and not any(c.get("outputs") for c in code):
        warnings.append(f"{notebook} has no outputs: run it top to bottom (Kernel > Restart & "
                        "Run All), save it, and submit again. Its figures and printed results "
                        "are what the written part is graded on.")
    elif None in counts or counts != sorted(counts):
        warnings.append(f"{notebook} was not run top to bottom as saved (cells unrun or run out "
                        "of order): Kernel > Restart & Run All, then save.")
    saved = notebook.stat().st_mtime
    newer = [p for p in package.rglob("*.py") if p.stat().st_mtime > saved]
    if newer:
        warnings.append(f"{newer[0]} changed after {notebook} was last saved: its outputs may "
                        "not show your current code. Rerun the notebook and save it.")
    return warnings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--package", default="minidl", help="package folder to upload")
    parser.add_argument("--out", default="submission.zip", help="zip file to write")
    parser.add_argument("--notebook", default=NOTEBOOK,
                        help="the assignment's notebook, packed beside the package if present")
    parser.add_argument("--pdf", default=None,
                        help="PDF of the notebook's written answers (default <hw>-written.pdf)")


def submit(args: argparse.Namespace) -> int:
    """Zip `args.package` (and the notebook) into `args.out`, or say what stops it; the exit
    status."""
    package, out, notebook = Path(args.package), Path(args.out), Path(args.notebook)
    if not (package / "__init__.py").is_file():
        print(f"No package at {package}/ (it needs an __init__.py); run this from the folder "
              "that holds it.", file=sys.stderr)
        return 1
    if not notebook.is_file():
        if (Path("tests") / NOTEBOOK).is_file():  # the assignment ships one: its tests need it
            print(f"WARNING: no {notebook} here, so the zip holds none and its autograded "
                  "cells will score 0. Run this from the folder holding it.", file=sys.stderr)
        notebook = None
    errors = build_submission(package, out, notebook)
    if errors:
        print("Fix these syntax errors first; nothing was written:", *errors, sep="\n",
              file=sys.stderr)
        return 1
    print(f"Wrote {out} ({out.stat().st_size:,} bytes): upload it to Gradescope.")
    if notebook is not None:
        saved = time.strftime("%Y-%m-%d %H:%M", time.localtime(notebook.stat().st_mtime))
        print(f"It holds {notebook} as last saved ({saved}); if Jupyter still shows unsaved "
              "changes, save (Ctrl-S) and run this again.")
        for warning in notebook_warnings(notebook, package):
            print(f"WARNING: {warning}", file=sys.stderr)
        return written_answers(notebook, Path(args.pdf) if args.pdf else None)
    return 0


def _no_pdf(reason: str) -> int:
    print(f"\nERROR: the PDF of your written answers was NOT written: {reason}.\n"
          "submission.zip is complete for the autograder, but the written questions are graded "
          "from that PDF: fix the above and run this again, or tell the course staff.",
          file=sys.stderr)
    return 1


def written_answers(notebook: Path, pdf: Path | None) -> int:
    """Write the PDF of the notebook's written answers, or say loudly why not; the exit
    status."""
    released = Path("tests") / NOTEBOOK  # the notebook as handed out: its questions
    tags = [p.stem[len("test_"):] for p in Path("tests").glob("test_*.py")  # test_<tag>.py
            if p.name != "test_notebook.py"]
    pdf = pdf or Path(f"{tags[0] if len(tags) == 1 else 'notebook'}-written.pdf")
    try:
        from .written_pdf import WrittenPDFError, write_pdf
    except ImportError as error:
        return _no_pdf(f"{error.name} is not installed; install the assignment's requirements: "
                       "pip install -r requirements.txt")
    try:
        count, warnings = write_pdf(notebook, pdf, pdf.stem.removesuffix("-written"),
                                    released if released.is_file() else None)
    except WrittenPDFError as error:
        return _no_pdf(str(error))
    except Exception as error:  # noqa: BLE001 -- a bug here must not pass silently either
        return _no_pdf(f"{type(error).__name__}: {error}")
    for warning in warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    print(f"Wrote {pdf} ({count} questions, one a page): upload it to the Gradescope "
          "assignment for the written answers and map each question to its page.")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m autograder.submit", description=__doc__)
    add_arguments(parser)
    sys.exit(submit(parser.parse_args()))
