"""Command line of the course tooling: `python -m autograder COMMAND --help`.

The kit has every command; a student bundle and an autograder zip carry only some modules,
and their `python -m autograder` offers the commands those modules serve.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tags(text: str) -> frozenset[str]:
    return frozenset(t for t in text.replace(",", " ").split() if t)


def _assignment_tags() -> list[str]:
    from .assignment import all_assignments
    return [a.tag for a in all_assignments(ROOT / "assignments")]


def _known_tags(text: str) -> frozenset[str]:
    """The tags in `text`, each checked against the kit's assignments."""
    tags, known = _tags(text), _assignment_tags()
    unknown = sorted(tags - set(known))
    if unknown:
        raise ValueError(f"no assignment tagged {', '.join(unknown)}; "
                         f"the assignments are {', '.join(known)}")
    return tags


def _known_tag(tag: str) -> str:
    """`tag`, checked to be exactly one of the kit's assignments."""
    if _known_tags(tag) != {tag}:
        raise ValueError(f"give one assignment tag, got {tag!r}")
    return tag


def cmd_starter(args) -> int:
    from .strip import strip_tree
    reveal = _known_tags(args.reveal)
    strip_tree(ROOT / "reference" / "minidl", ROOT / "starter" / "minidl", reveal)
    print(f"starter/minidl regenerated from reference/minidl"
          + (f" (revealed: {args.reveal})" if args.reveal else ""))
    return 0


def cmd_release(args) -> int:
    from .release import release
    built = release(ROOT, Path(args.dist), _known_tags(args.reveal), tuple(args.secret_seed),
                    sorted(_known_tags(args.only)) or None, fast=args.fast)
    for folder in built:
        print(f"{folder}/autograder.zip  -> upload to Gradescope (Configure Autograder)")
        print(f"{folder}/student/        -> give to students (also zipped beside it)")
    return 0


def cmd_grade(args) -> int:
    from .grade import grade
    grade(Path(args.source), Path(args.submission), Path(args.results))
    return 0


def cmd_grade_local(args) -> int:
    from .local_grading import grade_with_zip, results_table
    _known_tag(args.hw)
    zip_path = Path(args.dist) / args.hw / "autograder.zip"
    if not zip_path.is_file():
        raise ValueError(f"{zip_path} is missing: run `make release` first")
    submission = Path(args.submission)
    if not submission.exists():
        raise ValueError(f"{submission} does not exist: give a package folder or a zip")
    name = submission.resolve().name.removesuffix(".zip")
    results = Path(args.dist) / args.hw / "graded" / name / "results.json"
    grade_with_zip(zip_path, submission, results)
    print(results_table(json.loads(results.read_text(encoding="utf-8"))))
    print(f"results.json: {results}")
    return 0


def cmd_regrade(args) -> int:
    from .regrade import regrade
    _known_tag(args.hw)
    dist = Path(args.dist) / args.hw
    written = regrade(dist / "autograder.zip", Path(args.export), dist / "regrade", args.jobs,
                      args.force, Path(args.compare) if args.compare else None)
    if args.compare:  # the differences as a table, before the paths
        import csv
        rows = list(csv.reader(written[1].open(encoding="utf-8")))
        width = max(len(row[1]) for row in rows)
        for row in rows:
            print(f"{row[0]:<24} {row[1]:<{width}} {row[2]:>8} {row[3]:>14}")
        print(f"{len(rows) - 1} score(s) differ")
    for path in written:
        print(f"{path.name}: {path}")
    return 0


def cmd_catalogue(args) -> int:
    """Grade the assignment's catalogue of bugs or of alternatives through a fresh zip."""
    import secrets
    import tempfile

    from .assignment import find
    from .catalogues import grade_catalogue, table
    from .release import release
    assignment = find(ROOT / "assignments", args.hw)
    seed = secrets.randbits(32) if args.secret_seed is None else args.secret_seed
    with tempfile.TemporaryDirectory(prefix=f"minidl-{args.kind}-") as dist:
        (folder,) = release(ROOT, Path(dist), secret_seeds=(seed,), tags=[args.hw])
        graded = grade_catalogue(assignment, args.kind, ROOT / "reference" / assignment.package,
                                 folder / "autograder.zip", args.jobs)
    if not graded:
        print(f"{assignment.folder.name} has no {args.kind} catalogue")
        return 1
    print(table(graded, args.kind))
    print(f"(secret seed {seed}: `--secret-seed {seed}` grades the same cases again)")
    return 0 if all(g.as_it_must(args.kind) for g in graded) else 1


def cmd_replay(args) -> int:
    from .local import replay
    return replay(Path(args.tests), args.check, args.seed)


def cmd_submit(args) -> int:
    from .submit import submit
    return submit(args)


def _add_starter(commands) -> None:
    parser = commands.add_parser(
        "starter", help="regenerate starter/ from reference/",
        description="Strip every solution region of reference/minidl into starter/minidl.")
    parser.add_argument("--reveal", default="", metavar="TAGS",
                        help=f"keep the solutions of these assignments (one of "
                             f"{', '.join(_assignment_tags())}; several separated by commas)")
    parser.set_defaults(run=cmd_starter)


def _add_release(commands) -> None:
    tags = ", ".join(_assignment_tags())
    parser = commands.add_parser(
        "release", help="build dist/<tag>/ for every assignment",
        description="Record goldens and build each assignment's autograder.zip and student "
                    "bundle.")
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="output folder (dist/)")
    parser.add_argument("--reveal", default="", metavar="TAGS",
                        help=f"give students these assignments' solutions (from {tags})")
    parser.add_argument("--only", default="", metavar="TAGS",
                        help=f"build only these assignments (from {tags}); all by default")
    parser.add_argument("--secret-seed", type=int, action="append", default=[], metavar="N",
                        help="seed of the graded cases (random when omitted; the same sources "
                             "and seed give a byte-identical zip); repeated, the zip grades "
                             "every seed's cases")
    parser.add_argument("--fast", action="store_true",
                        help="also give students the kit's tuned kernels and fused layers, "
                             "which their devices use (never the checks); needs the "
                             "assignments they speed up revealed")
    parser.set_defaults(run=cmd_release)


def _add_grade(commands) -> None:
    parser = commands.add_parser(
        "grade", help="grade one submission (what run_autograder runs)",
        description="Grade the upload in --submission with the unpacked autograder in "
                    "--source and write Gradescope's results.json.")
    parser.add_argument("--source", required=True, help="the unpacked autograder.zip")
    parser.add_argument("--submission", required=True, help="folder holding the upload")
    parser.add_argument("--results", required=True, help="results.json to write")
    parser.set_defaults(run=cmd_grade)


def _add_grade_local(commands) -> None:
    parser = commands.add_parser(
        "grade-local", help="grade a submission with a built autograder.zip",
        description="Grade a folder or zip through dist/<hw>/autograder.zip's own "
                    "run_autograder, as Gradescope would; print the scores and keep "
                    "results.json under dist/<hw>/graded/.")
    _add_hw(parser)
    parser.add_argument("submission", help="the student's package folder or zip")
    _add_dist(parser)
    parser.set_defaults(run=cmd_grade_local)


def _add_hw(parser) -> None:
    parser.add_argument("hw", help=f"the assignment ({', '.join(_assignment_tags())})")


def _add_dist(parser) -> None:
    parser.add_argument("--dist", default=str(ROOT / "dist"), help="where make release built")


def _add_jobs(parser) -> None:
    import os
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="gradings at once (default: the number of cores)")


def _add_regrade(commands) -> None:
    parser = commands.add_parser(
        "regrade", help="regrade every submission of a Gradescope export",
        description="Grade every submission of a Gradescope export (\"Export Submissions\" zip "
                    "or its folder) or of a folder of uploads with dist/<hw>/autograder.zip, "
                    "in parallel; write dist/<hw>/regrade/grades.csv and each results.json. "
                    "An interrupted run continues where it stopped.")
    _add_hw(parser)
    parser.add_argument("export", help="Gradescope's export zip or folder, or a folder of "
                                       "uploads (one folder or zip per student)")
    _add_jobs(parser)
    parser.add_argument("--force", action="store_true",
                        help="regrade submissions already graded by an earlier run")
    parser.add_argument("--compare", metavar="OTHER.zip",
                        help="also grade with this autograder zip and write the submissions and "
                             "checks whose scores differ to compare.csv")
    _add_dist(parser)
    parser.set_defaults(run=cmd_regrade)


def _add_catalogue(commands, command: str, kind: str, what: str) -> None:
    parser = commands.add_parser(
        command, help=f"grade the assignment's catalogue of {what}",
        description=f"Apply each entry of assignments/<hw>/{kind}.toml alone to the model "
                    "answer, grade it through a freshly built autograder zip, and print each "
                    "one's score and verdict.")
    _add_hw(parser)
    _add_jobs(parser)
    parser.add_argument("--secret-seed", type=int, default=None, metavar="N",
                        help="seed of the graded cases (random when omitted)")
    parser.set_defaults(run=cmd_catalogue, kind=kind)


def _add_sensitivity(commands) -> None:
    _add_catalogue(commands, "sensitivity", "bugs", "plausible bugs (each must lose points)")


def _add_specificity(commands) -> None:
    _add_catalogue(commands, "specificity", "alternatives",
                   "correct alternatives (each must keep every point)")


def _add_replay(commands) -> None:
    parser = commands.add_parser(
        "replay", help="run one case of a visible check, with its full traceback",
        description="Run one case of a visible check on your minidl/ with nothing caught: an "
                    "error shows its whole traceback; a public case is compared with its "
                    "expected outputs, another one prints your outputs.")
    parser.add_argument("check", help="the check's number or name (as in `pytest` output)")
    parser.add_argument("--seed", type=int, required=True,
                        help="the case's seed (failure messages name it)")
    parser.add_argument("--tests", default="tests", help="the bundle's tests/ folder")
    parser.set_defaults(run=cmd_replay)


def _add_submit(commands) -> None:
    from .submit import __doc__ as description, add_arguments
    parser = commands.add_parser("submit", help="zip your package for upload to Gradescope",
                                 description=description)
    add_arguments(parser)
    parser.set_defaults(run=cmd_submit)


# command: (the module it needs, whether it needs the kit's assignments/, how to add it)
COMMANDS = {"starter": ("strip", True, _add_starter), "release": ("release", True, _add_release),
            "grade": ("grade", False, _add_grade),
            "grade-local": ("local_grading", True, _add_grade_local),
            "regrade": ("regrade", True, _add_regrade),
            "sensitivity": ("catalogues", True, _add_sensitivity),
            "specificity": ("catalogues", True, _add_specificity),
            "replay": ("local", False, _add_replay), "submit": ("submit", False, _add_submit)}


def _available(module: str, needs_kit: bool) -> bool:
    return importlib.util.find_spec(f"autograder.{module}") is not None and (
        not needs_kit or (ROOT / "assignments").is_dir())


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command available here."""
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module, needs_kit, add in COMMANDS.values():
        if _available(module, needs_kit):
            add(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
