"""How sensitive an assignment's checks are: a catalogue of plausible student bugs, each
applied alone to a copy of the reference and graded through the assignment's autograder zip.

The catalogue is the assignment's `bugs.toml`, a list of

    [[bug]]
    name = "ReLU's gradient passes where the input is 0"
    file = "ops/mathematic.py"      # relative to the package
    old = "node.inputs[0] > 0"      # occurs exactly once in that file, inside a solution
    new = "node.inputs[0] >= 0"     # region tagged with the assignment

Bugs apply to the solution as students could write it (every region kept, reference-only
blocks cut); a bug is caught when the variant loses a point. Course staff adding a check run
this to see at once whether the check catches the bugs they meant it to.
"""
from __future__ import annotations

import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .assignment import Assignment, AssignmentError
from .regrade import Submission, grade_all
from .strip import find_regions, regions_in_tree, strip_tree


@dataclass(frozen=True)
class Bug:
    """One plausible slip: `old` replaced by `new` once in `file`."""

    name: str
    file: str
    old: str
    new: str


def load_bugs(assignment: Assignment) -> list[Bug]:
    """The assignment's catalogue, read from its bugs.toml."""
    path = assignment.folder / "bugs.toml"
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("bug", [])
        bugs = [Bug(e["name"], e["file"], e["old"], e["new"]) for e in entries]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise AssignmentError(f"{path}: {type(error).__name__}: {error}") from None
    names = [bug.name for bug in bugs]
    if len(set(names)) != len(names):
        raise AssignmentError(f"{path}: two bugs share a name")
    return bugs


def check_bug(bug: Bug, reference: Path, tag: str) -> None:
    """Raise AssignmentError unless `bug` applies once, inside a region tagged `tag`."""
    path = reference / bug.file
    where = f"bug {bug.name!r} ({bug.file})"
    if not path.is_file():
        raise AssignmentError(f"{where}: no such file in {reference}")
    source = path.read_text(encoding="utf-8")
    if source.count(bug.old) != 1 or bug.old == bug.new:
        raise AssignmentError(f"{where}: its `old` text occurs {source.count(bug.old)} times "
                              "(it must occur exactly once and differ from `new`)")
    first = source[:source.index(bug.old)].count("\n") + 1
    last = first + bug.old.rstrip("\n").count("\n")
    if not any(r.tag == tag and r.begin < first and last < r.end
               for r in find_regions(source, str(path))):
        raise AssignmentError(f"{where}: lines {first}-{last} are not inside a {tag} solution "
                              "region")


def sensitivity(assignment: Assignment, reference: Path, autograder: Path, jobs: int,
                progress: bool = True) -> list[tuple[Bug, float, float]]:
    """(bug, score, full marks) for each bug of the catalogue, graded through `autograder`."""
    bugs = load_bugs(assignment)
    for bug in bugs:
        check_bug(bug, reference, assignment.tag)
    with tempfile.TemporaryDirectory(prefix="minidl-bugs-") as scratch:
        # The solution students could write: every region kept, the kit's reference-only
        # speed-ups cut (they would hide a slip in a region they replace)
        solution = Path(scratch) / "solution" / reference.name
        strip_tree(reference, solution, frozenset(r.tag for r in regions_in_tree(reference)))
        variants = []
        for number, bug in enumerate(bugs):
            folder = Path(scratch) / f"bug{number:03d}" / reference.name
            shutil.copytree(solution, folder)
            path = folder / bug.file
            path.write_text(path.read_text(encoding="utf-8").replace(bug.old, bug.new),
                            encoding="utf-8")
            variants.append(Submission(f"bug{number:03d}", folder))
        results = grade_all(autograder, variants, Path(scratch) / "results", jobs, force=True,
                            progress=progress)
    scored = []
    for bug, variant in zip(bugs, variants):
        result = results[variant.name]
        full = sum(t.get("max_score", 0) for t in result.get("tests", []))
        scored.append((bug, float(result.get("score", 0)), float(full)))
    return scored


def table(scored: list[tuple[Bug, float, float]]) -> str:
    """Caught or missed, bug by bug, and the caught fraction."""
    width = max(len(bug.name) for bug, _, _ in scored)
    lines = [f"{'bug':<{width}}  {'score':>11}  verdict"]
    caught = 0
    for bug, score, full in scored:
        caught += 0 < full and score < full
        verdict = "grading failed" if full == 0 else "caught" if score < full else "MISSED"
        lines.append(f"{bug.name:<{width}}  {score:>5g} / {full:<3g}  {verdict}")
    lines.append(f"caught {caught} of {len(scored)} bugs ({caught / len(scored):.0%})")
    return "\n".join(lines)
