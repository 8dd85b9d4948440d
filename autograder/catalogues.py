"""Catalogues of variants of the model answer, each graded through an assignment's autograder
zip: plausible student bugs (`bugs.toml`: sensitivity, each must lose points) and correct
ways of writing the same regions (`alternatives.toml`: specificity, each must keep every
point). A catalogue is a list of

    [[bug]]                         # [[alternative]] in alternatives.toml
    name = "ReLU's gradient passes where the input is 0"
    file = "ops/mathematic.py"      # relative to the package
    old = "node.inputs[0] > 0"      # occurs exactly once in that file, inside a solution
    new = "node.inputs[0] >= 0"     # region tagged with the assignment

Variants apply to the model answer (every region kept, reference-only code cut). Course staff
changing a check run both: the bugs it meant to catch are caught, and no correct answer
loses a point.
"""
from __future__ import annotations

import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .assignment import Assignment, AssignmentError
from .notebook_grade import is_notebook_test
from .regrade import Submission, grade_all
from .strip import find_regions, model_answer
from .verdict import score_table

# catalogue: (file, TOML table name, what a variant that keeps full marks is, one that loses)
KINDS = {"bugs": ("bugs.toml", "bug", "MISSED", "caught"),
         "alternatives": ("alternatives.toml", "alternative", "ACCEPTED", "REJECTED")}


@dataclass(frozen=True)
class Variant:
    """One change to the model answer: `old` replaced by `new` once in `file`."""

    name: str
    file: str
    old: str
    new: str


@dataclass(frozen=True)
class GradedVariant:
    """A variant and the score its grading gave, of `full` marks (0 when grading failed)."""

    variant: Variant
    score: float
    full: float
    failures: tuple[str, ...] = ()  # the number and message of each test that lost points

    @property
    def full_marks(self) -> bool:
        return 0 < self.full and self.score == self.full

    def as_it_must(self, kind: str) -> bool:
        """Whether it did what its catalogue `kind` asks: an alternative keeps every point, a
        bug loses some (a grading that failed does neither)."""
        return self.full_marks if kind == "alternatives" else 0 < self.full and not self.full_marks


def load_catalogue(assignment: Assignment, kind: str) -> list[Variant]:
    """The assignment's catalogue of `kind` ("bugs" or "alternatives"); [] if it has none."""
    filename, table_name, _, _ = KINDS[kind]
    path = assignment.folder / filename
    if not path.is_file():
        return []
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get(table_name, [])
        variants = [Variant(e["name"], e["file"], e["old"], e["new"]) for e in entries]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise AssignmentError(f"{path}: {type(error).__name__}: {error}") from None
    names = [variant.name for variant in variants]
    if len(set(names)) != len(names):
        raise AssignmentError(f"{path}: two entries share a name")
    return variants


def check_variant(variant: Variant, reference: Path, tag: str) -> None:
    """Raise AssignmentError unless `variant` applies once, inside a region tagged `tag`."""
    path = reference / variant.file
    where = f"{variant.name!r} ({variant.file})"
    if not path.is_file():
        raise AssignmentError(f"{where}: no such file in {reference}")
    source = path.read_text(encoding="utf-8")
    if source.count(variant.old) != 1 or variant.old == variant.new:
        raise AssignmentError(f"{where}: its `old` text occurs {source.count(variant.old)} "
                              "times (it must occur exactly once and differ from `new`)")
    first = source[:source.index(variant.old)].count("\n") + 1
    last = first + variant.old.rstrip("\n").count("\n")
    if not any(r.tag == tag and r.begin < first and last < r.end
               for r in find_regions(source, str(path))):
        raise AssignmentError(f"{where}: lines {first}-{last} are not inside a {tag} solution "
                              "region")


def grade_catalogue(assignment: Assignment, kind: str, reference: Path, autograder: Path,
                    jobs: int, progress: bool = True) -> list[GradedVariant]:
    """Each variant of the assignment's `kind` catalogue, applied alone to the model answer of
    `reference` and graded through `autograder`."""
    variants = load_catalogue(assignment, kind)
    for variant in variants:
        check_variant(variant, reference, assignment.tag)
    with tempfile.TemporaryDirectory(prefix=f"minidl-{kind}-") as scratch:
        solution = model_answer(reference, Path(scratch) / "model" / reference.name)
        submissions = []
        for number, variant in enumerate(variants):
            folder = Path(scratch) / f"variant{number:03d}" / reference.name
            shutil.copytree(solution, folder)
            path = folder / variant.file
            path.write_text(path.read_text(encoding="utf-8").replace(variant.old, variant.new),
                            encoding="utf-8")
            submissions.append(Submission(f"variant{number:03d}", folder))
        results = grade_all(autograder, submissions, Path(scratch) / "results", jobs,
                            force=True, progress=progress)
    graded = []
    for variant, submission in zip(variants, submissions):
        result = results[submission.name]
        # a variant is of the package alone: a notebook's tests (of an upload without one) do
        # not count
        tests = [t for t in result.get("tests", []) if not is_notebook_test(t)]
        failures = tuple(f"{t.get('number')}: {t.get('output', '').strip()}" for t in tests
                         if t.get("score", 0) < t.get("max_score", 0))
        graded.append(GradedVariant(variant, float(sum(t.get("score", 0) for t in tests)),
                                    float(sum(t.get("max_score", 0) for t in tests)),
                                    failures or ((result.get("output", ""),) if not tests else ())))
    return graded


def table(graded: list[GradedVariant], kind: str) -> str:
    """Each variant's score and verdict, and how many of them did what they must."""
    _, _, kept_verdict, lost_verdict = KINDS[kind]
    rows, notes = [], []
    for number, g in enumerate(graded, start=1):
        verdict = ("grading failed" if g.full == 0 else kept_verdict if g.full_marks
                   else lost_verdict)
        rows.append((str(number), g.variant.name, g.score, g.full, verdict))
        if kind == "alternatives" and not g.full_marks:  # what to fix in the check
            notes += [f"{number}: {failure}".replace("\n", "\n    ") for failure in g.failures]
    good = sum(g.as_it_must(kind) for g in graded)
    what = "caught" if kind == "bugs" else "accepted"
    return "\n".join([score_table(rows, total=None), *notes,
                      f"{what} {good} of {len(graded)} {kind} ({good / len(graded):.0%})"])
