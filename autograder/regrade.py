"""Regrade a whole class: every submission of a Gradescope export (or a folder of uploads)
through an autograder.zip's own run_autograder, in parallel, into grades.csv.

Each grading runs in its own temporary AUTOGRADER_ROOT under its own sandbox uid, so gradings
never touch each other. Results are kept per submission as they finish, so an interrupted run
continues where it stopped; the export itself is only read.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from .local_grading import prepare_root, run_autograder

METADATA = "submission_metadata.yml"
GRADING_TIMEOUT = 1200  # seconds; Gradescope's own limit is at most 40 minutes


class RegradeError(ValueError):
    """An export or autograder that cannot be regraded; the message says what is wrong."""


@dataclass
class Submission:
    """One submission of an export: its folder (or zip) and what Gradescope knew of it."""

    name: str
    path: Path
    submitters: list[dict] = field(default_factory=list)
    old_score: float | None = None


def _yaml_loader():
    """PyYAML's safe loader that reads Ruby-tagged values (`!ruby/...`) as plain data."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def plain(loader, _suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", plain)
    return Loader


def _field(entry: dict, name: str):
    """A field of Gradescope's metadata, whose keys are Ruby symbols (`:score`)."""
    return entry.get(f":{name}", entry.get(name))


def read_metadata(path: Path) -> dict[str, dict]:
    """submission_metadata.yml: each submission folder's entry."""
    import yaml

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_yaml_loader())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise RegradeError(f"{path} cannot be read as YAML: {error}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise RegradeError(f"{path} is not Gradescope's submission metadata (a mapping from "
                           "each submission folder to its submitters and score)")
    return data


def find_submissions(export: Path, unpacked: Path) -> list[Submission]:
    """The submissions of `export`: a Gradescope export (zip or unzipped folder, with
    submission_metadata.yml) or a plain folder with one upload (folder or zip) per student."""
    if export.is_file():
        if not zipfile.is_zipfile(export):
            raise RegradeError(f"{export} is not a zip file: give Gradescope's export zip or a "
                               "folder of uploads")
        with zipfile.ZipFile(export) as archive:
            names = archive.namelist()
            if not any(Path(n).name == METADATA for n in names):
                raise RegradeError(f"{export} holds no {METADATA}: it is not a Gradescope "
                                   "export (\"Export Submissions\"); for a zip of uploads, unzip "
                                   "it and give the folder")
            archive.extractall(unpacked)
        export = unpacked
    elif not export.is_dir():
        raise RegradeError(f"{export} does not exist")
    found = sorted(export.rglob(METADATA), key=lambda p: len(p.parts))
    if not found:
        return [Submission(p.name, p) for p in sorted(export.iterdir())
                if not p.name.startswith(".") and (p.is_dir() or p.suffix == ".zip")]
    top = found[0].parent
    submissions = []
    for name, entry in read_metadata(found[0]).items():
        submitters = _field(entry, "submitters") or []
        score = _field(entry, "score")
        submissions.append(Submission(
            str(name), top / str(name),
            [{k: str(_field(s, k) or "") for k in ("name", "sid", "email")}
             for s in submitters if isinstance(s, dict)],
            float(score) if isinstance(score, (int, float)) else None))
    return sorted(submissions, key=lambda s: s.name)


def _grade_one(autograder: Path, submission: Submission, keep: Path, force: bool) -> dict:
    """The results.json of one submission, graded now or kept from an earlier run."""
    if keep.is_file() and not force:
        return json.loads(keep.read_text(encoding="utf-8"))
    if not submission.path.exists():
        return {"error": f"{submission.path.name} is named in {METADATA} but missing"}
    with tempfile.TemporaryDirectory(prefix="autograder-root-") as root:
        prepare_root(autograder, Path(root))
        try:
            graded = run_autograder(Path(root), submission.path, timeout=GRADING_TIMEOUT)
            results = json.loads(graded.read_text(encoding="utf-8"))
        except Exception as error:  # noqa: BLE001 -- one broken grading must not stop the class
            results = {"error": f"grading failed: {type(error).__name__}: {error}"}
    if "error" not in results:
        _write_atomically(keep, json.dumps(results, indent=1))
    return results


def grade_all(autograder: Path, submissions: list[Submission], out: Path, jobs: int,
              force: bool = False, progress: bool = True) -> dict[str, dict]:
    """Each submission's results.json (kept under out/), graded `jobs` at a time."""
    if not zipfile.is_zipfile(autograder):
        raise RegradeError(f"{autograder} is not an autograder zip: run `make release` first")
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    with ThreadPoolExecutor(max(1, jobs)) as pool, \
            tqdm(total=len(submissions), desc=f"grading with {autograder.name}", unit="upload",
                 disable=not progress) as bar:
        futures = {pool.submit(_grade_one, autograder, s, out / f"{s.name}.json", force): s
                   for s in submissions}
        for future in as_completed(futures):
            results[futures[future].name] = future.result()
            bar.update()
    return results


def _check_columns(results: dict[str, dict]) -> list[str]:
    """Every check that appears in any results.json, as 'number name', in check order."""
    seen = {}
    for result in results.values():
        for test in result.get("tests", []):
            seen.setdefault(test.get("number", ""), test.get("name", ""))

    def order(number: str):
        return [int(p) if p.isdigit() else 0 for p in number.split(".")]

    return [f"{n} {seen[n]}" for n in sorted(seen, key=order)]


def _scores(result: dict) -> dict[str, float]:
    return {f"{t.get('number', '')} {t.get('name', '')}": t.get("score", 0)
            for t in result.get("tests", [])}


def grades_csv(submissions: list[Submission], results: dict[str, dict]) -> str:
    """grades.csv: one row per submission with its score, each check's and the old score."""
    checks = _check_columns(results)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", "submitter", "sid", "email", "score", "max", *checks,
                     "old score", "difference", "error"])
    for s in submissions:
        result = results.get(s.name, {})
        tests, scores = result.get("tests", []), _scores(result)
        score = result.get("score") if "error" not in result else None
        maximum = sum(t.get("max_score", 0) for t in tests) if tests else None
        difference = score - s.old_score if score is not None and s.old_score is not None \
            else None
        writer.writerow([s.name, *("; ".join(p[k] for p in s.submitters)
                                   for k in ("name", "sid", "email")),
                         _number(score), _number(maximum), *(_number(scores.get(c))
                                                             for c in checks),
                         _number(s.old_score), _number(difference), result.get("error", "")])
    return buffer.getvalue()


def differences(results: dict[str, dict], others: dict[str, dict]) -> list[tuple]:
    """(submission, check, score here, score there) wherever two autograders disagree."""
    rows = []
    for name in sorted(results):
        mine, theirs = _scores(results[name]), _scores(others.get(name, {}))
        for check in sorted(set(mine) | set(theirs)):
            if mine.get(check) != theirs.get(check):
                rows.append((name, check, mine.get(check), theirs.get(check)))
        if results[name].get("score") != others.get(name, {}).get("score"):
            rows.append((name, "total", results[name].get("score"),
                         others.get(name, {}).get("score")))
    return rows


def _number(value) -> str:
    return "" if value is None else f"{value:g}"


def _write_atomically(path: Path, text: str) -> None:
    """Write `path` whole or not at all (a temporary file beside it, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
        file.write(text)
    os.replace(temporary, path)


def regrade(autograder: Path, export: Path, out: Path, jobs: int, force: bool = False,
            compare: Path | None = None, progress: bool = True) -> list[Path]:
    """Grade every submission of `export`; write out/grades.csv (and, with `compare`, the
    differences from a second autograder in out/compare.csv). The paths written."""
    with tempfile.TemporaryDirectory(prefix="minidl-export-") as unpacked:
        submissions = find_submissions(export, Path(unpacked))
        if not submissions:
            raise RegradeError(f"{export} holds no submissions")
        results = grade_all(autograder, submissions, out / "results", jobs, force, progress)
        written = [out / "grades.csv"]
        _write_atomically(written[0], grades_csv(submissions, results))
        if compare is not None:
            others = grade_all(compare, submissions, out / "results-compared", jobs, force,
                               progress)
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(["submission", "check", "score", "compared score"])
            for row in differences(results, others):
                writer.writerow([row[0], row[1], _number(row[2]), _number(row[3])])
            written.append(out / "compare.csv")
            _write_atomically(written[1], buffer.getvalue())
    return written
