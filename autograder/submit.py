"""`python -m autograder.submit`: zip the .py files of your package for upload to Gradescope.

The data files the kit ships (such as minidl/data/digits.csv.gz) come with the autograder,
so they are left out. A file with a syntax error stops it, naming the file and line.
"""
from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path


def build_submission(package: Path, zip_path: Path) -> list[str]:
    """Zip every .py file of `package` into `zip_path`; the syntax errors found instead."""
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
    return []


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--package", default="minidl", help="package folder to upload")
    parser.add_argument("--out", default="submission.zip", help="zip file to write")


def submit(args: argparse.Namespace) -> int:
    """Zip `args.package` into `args.out`, or say what stops it; the exit status."""
    package, out = Path(args.package), Path(args.out)
    if not (package / "__init__.py").is_file():
        print(f"No package at {package}/ (it needs an __init__.py); run this from the folder "
              "that holds it.", file=sys.stderr)
        return 1
    errors = build_submission(package, out)
    if errors:
        print("Fix these syntax errors first; nothing was written:", *errors, sep="\n",
              file=sys.stderr)
        return 1
    print(f"Wrote {out} ({out.stat().st_size:,} bytes): upload it to Gradescope.")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m autograder.submit", description=__doc__)
    add_arguments(parser)
    sys.exit(submit(parser.parse_args()))
