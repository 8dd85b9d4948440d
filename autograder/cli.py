"""Command line of the course tooling: `python -m autograder COMMAND --help`."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tags(text: str) -> frozenset[str]:
    return frozenset(t for t in text.replace(",", " ").split() if t)


def cmd_starter(args) -> int:
    from .strip import strip_tree
    strip_tree(ROOT / "reference" / "minidl", ROOT / "starter" / "minidl", _tags(args.reveal))
    print(f"starter/minidl regenerated from reference/minidl"
          + (f" (revealed: {args.reveal})" if args.reveal else ""))
    return 0


def cmd_release(args) -> int:
    from .release import release
    built = release(ROOT, Path(args.dist), _tags(args.reveal), args.secret_seed,
                    sorted(_tags(args.only)) or None)
    for folder in built:
        print(f"{folder}/autograder.zip  -> upload to Gradescope (Configure Autograder)")
        print(f"{folder}/student/        -> give to students (also zipped beside it)")
    return 0


def cmd_grade(args) -> int:
    from .grade import grade
    grade(Path(args.source), Path(args.submission), Path(args.results))
    return 0


def cmd_grade_local(args) -> int:
    from .local_grading import grade_with_zip, score_table
    results_path = grade_with_zip(Path(args.zip), Path(args.submission))
    print(score_table(json.loads(results_path.read_text(encoding="utf-8"))))
    print(f"results.json: {results_path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    starter = commands.add_parser("starter", help="regenerate starter/ from reference/")
    starter.add_argument("--reveal", default="", help="assignment tags whose solutions to keep")
    starter.set_defaults(run=cmd_starter)

    release = commands.add_parser("release", help="build dist/<tag>/ for every assignment")
    release.add_argument("--dist", default=str(ROOT / "dist"))
    release.add_argument("--reveal", default="", help="tags whose solutions students get")
    release.add_argument("--only", default="", help="build only these assignment tags")
    release.add_argument("--secret-seed", type=int, default=None,
                         help="seed of the hidden cases (random when omitted)")
    release.set_defaults(run=cmd_release)

    grade = commands.add_parser("grade", help="grade one submission (what run_autograder runs)")
    grade.add_argument("--source", required=True, help="the unpacked autograder.zip")
    grade.add_argument("--submission", required=True, help="folder holding the upload")
    grade.add_argument("--results", required=True, help="results.json to write")
    grade.set_defaults(run=cmd_grade)

    local = commands.add_parser("grade-local", help="grade a submission with a built "
                                "autograder.zip, through its own run_autograder")
    local.add_argument("--zip", required=True)
    local.add_argument("--submission", required=True, help="package folder or zip")
    local.set_defaults(run=cmd_grade_local)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
