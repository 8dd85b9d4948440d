"""Regrading a class: a Gradescope export in Gradescope's layout, graded in parallel into
grades.csv, resumed after an interruption, compared with a second autograder, and bad input."""
import csv
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.assignment import Assignment
from autograder.implementation import load_package, unload
from autograder.regrade import RegradeError, regrade
from autograder.release import build_assignment
from autograder.submit import build_submission
from conftest import REFERENCE, ROOT, STARTER

DRILL = Path(__file__).parent / "drill"
CHECKS = ["1.1 a * b (mul_forward)",
          "1.2 gradient of sum(a * a * b) agrees with central differences (mul_gradient)",
          "2.1 -(a * b) (mul_then_negate)"]


def build_drill(out: Path, folder: Path = DRILL) -> Path:
    reference = load_package(REFERENCE, "minidl_regrade_reference")
    try:
        build_assignment(Assignment.load(folder), reference, STARTER, out / "drill", (5,),
                         progress=False)
    finally:
        unload("minidl_regrade_reference")
    return out / "drill" / "autograder.zip"


@pytest.fixture(scope="module")
def drill_zip(tmp_path_factory):
    return build_drill(tmp_path_factory.mktemp("drill"))


def _package(tmp_path: Path, name: str, edit=None) -> Path:
    folder = tmp_path / "packages" / name / "minidl"
    shutil.copytree(REFERENCE if edit is not None or name == "reference" else STARTER, folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    if edit:
        path = folder / edit[0]
        path.write_text(path.read_text().replace(edit[1], edit[2], 1))
    return folder


# submission folder -> (what was uploaded, old score, expected score or None for an error row)
def _uploads(tmp_path: Path) -> dict:
    reference = _package(tmp_path, "reference")
    negate = _package(tmp_path, "negate", ("ops/mathematic.py", "        return -a\n",
                                           "        return a\n"))
    syntax = _package(tmp_path, "syntax", ("autograd.py", "import", "imp ort"))
    starter = _package(tmp_path, "starter")
    zipped = tmp_path / "packages" / "submission.zip"
    assert build_submission(reference, zipped) == []
    uploads = {}
    for i in range(8):
        uploads[f"submission_{100 + i}"] = (reference, 4.0, 5.0)
    for i in range(4):
        uploads[f"submission_{200 + i}"] = (zipped, 5.0, 5.0)
    for i in range(4):
        uploads[f"submission_{300 + i}"] = (starter, 0.0, 0.0)
    for i in range(4):
        uploads[f"submission_{400 + i}"] = (negate, 4.0, 4.0)
    uploads["submission_500"] = (syntax, 0.0, 0.0)
    uploads["submission_501"] = ("empty", None, 0.0)
    uploads["submission_502"] = ("missing", 3.0, None)
    uploads["submission_503"] = ("notes", 1.0, 0.0)
    return uploads


def _metadata(uploads: dict) -> str:
    lines = []
    for i, (name, (_, old, _)) in enumerate(sorted(uploads.items())):
        lines += [f"{name}:", "  :submitters:", f"  - :name: Student {i}", f"    :sid: '{i:04d}'",
                  f"    :email: s{i}@example.edu", "  :created_at: 2026-11-01 10:00:00 -0800"]
        lines += [f"  :score: {old}"] if old is not None else []
        lines += ["  :results: !ruby/hash:ActiveSupport::HashWithIndifferentAccess", "    x: 1"]
    return "\n".join(lines) + "\n"


def make_export(tmp_path: Path, uploads: dict) -> Path:
    """An "Export Submissions" zip in Gradescope's layout."""
    export = tmp_path / "export.zip"
    top = "assignment_4242_export/"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr(top + "submission_metadata.yml", _metadata(uploads))
        for name, (upload, _, _) in uploads.items():
            folder = top + name + "/"
            if upload == "empty":
                archive.writestr(zipfile.ZipInfo(folder), "")
            elif upload == "notes":
                archive.writestr(folder + "notes.txt", "I could not finish, sorry")
            elif isinstance(upload, Path) and upload.is_file():
                archive.write(upload, folder + upload.name)
            elif isinstance(upload, Path):
                for path in sorted(upload.rglob("*")):
                    if path.is_file():
                        name = folder + "minidl/" + path.relative_to(upload).as_posix()
                        archive.write(path, name)
    return export


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_an_export_is_regraded_into_an_exact_csv_and_resumes_where_it_stopped(drill_zip,
                                                                               tmp_path):
    uploads = _uploads(tmp_path)
    export = make_export(tmp_path, uploads)
    before = export.read_bytes()
    out = tmp_path / "regrade"
    (grades,) = regrade(drill_zip, export, out, jobs=2, progress=False)
    rows = _rows(grades)
    assert list(rows[0]) == ["submission", "submitter", "sid", "email", "score", "max", *CHECKS,
                             "old score", "difference", "error"]
    expected = []
    for i, (name, (_, old, score)) in enumerate(sorted(uploads.items())):
        per_check = {"5.0": ["2", "2", "1"], "4.0": ["2", "2", "0"], "0.0": ["0", "0", "0"]}
        row = {"submission": name, "submitter": f"Student {i}", "sid": f"{i:04d}",
               "email": f"s{i}@example.edu", "old score": "" if old is None else f"{old:g}"}
        if score is None:
            row.update({"score": "", "max": "", **dict.fromkeys(CHECKS, ""), "difference": "",
                        "error": "submission_502 is named in submission_metadata.yml but "
                                 "missing"})
        else:
            row.update({"score": f"{score:g}", "max": "5",
                        **dict(zip(CHECKS, per_check[f"{score:.1f}"])),
                        "difference": "" if old is None else f"{score - old:g}", "error": ""})
        expected.append(row)
    assert rows == expected
    assert export.read_bytes() == before

    kept = out / "results" / "submission_100.json"
    others = {p: p.stat().st_mtime_ns for p in (out / "results").glob("*.json") if p != kept}
    kept.unlink()  # as if the run had stopped before grading it
    regrade(drill_zip, export, out, jobs=2, progress=False)
    assert kept.is_file() and _rows(grades) == expected
    assert {p: p.stat().st_mtime_ns for p in others} == others


def test_comparing_two_autograders_lists_the_checks_whose_scores_differ(drill_zip, tmp_path):
    folder = tmp_path / "drill2"
    shutil.copytree(DRILL, folder)
    hidden = folder / "tests" / "hidden_checks.py"
    hidden.write_text(hidden.read_text().replace("points=1", "points=3"))
    other = build_drill(tmp_path / "other", folder)
    uploads = {"submission_1": (_package(tmp_path, "reference"), 5.0, 5.0),
               "submission_2": (_package(tmp_path, "starter"), 0.0, 0.0)}
    dist = tmp_path / "dist"  # make regrade HW=hw1, with the drill as hw1's autograder
    (dist / "hw1").mkdir(parents=True)
    shutil.copyfile(drill_zip, dist / "hw1" / "autograder.zip")
    run = subprocess.run([sys.executable, "-m", "autograder", "regrade", "hw1",
                          str(make_export(tmp_path, uploads)), "--dist", str(dist),
                          "--compare", str(other), "--jobs", "2"],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    compared = dist / "hw1" / "regrade" / "compare.csv"
    assert [list(r.values()) for r in _rows(compared)] == [
        ["submission_1", CHECKS[2], "1", "3"], ["submission_1", "total", "5", "7"]]
    assert "2 score(s) differ" in run.stdout and f"compare.csv: {compared}" in run.stdout
    assert "submission_1" in run.stdout.splitlines()[1]


def test_a_plain_folder_of_uploads_needs_no_metadata(drill_zip, tmp_path):
    uploads = tmp_path / "uploads"
    shutil.copytree(_package(tmp_path, "reference"), uploads / "alice" / "minidl")
    assert build_submission(_package(tmp_path, "starter"), uploads / "bob.zip") == []
    (grades,) = regrade(drill_zip, uploads, tmp_path / "out", jobs=2, progress=False)
    assert [(r["submission"], r["score"], r["old score"]) for r in _rows(grades)] == [
        ("alice", "5", ""), ("bob.zip", "0", "")]


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_text("not a zip"), "is not a zip file"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("x/notes.txt", "hi"),
     "holds no submission_metadata"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("submission_metadata.yml", "- a\n- b\n"),
     "is not Gradescope's submission metadata"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("submission_metadata.yml", "a: [\n"),
     "cannot be read as YAML"),
], ids=["not-a-zip", "no-metadata", "metadata-not-a-mapping", "broken-yaml"])
def test_bad_exports_are_named_and_no_csv_is_written(drill_zip, tmp_path, make, message):
    export = tmp_path / "export.zip"
    make(export)
    with pytest.raises(RegradeError, match=message):
        regrade(drill_zip, export, tmp_path / "out", jobs=1, progress=False)
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_make_regrade_speaks_in_one_line_and_never_a_traceback(tmp_path):
    (tmp_path / "export.zip").write_text("not a zip")
    dist = tmp_path / "dist" / "hw1"
    dist.mkdir(parents=True)
    shutil.copyfile(tmp_path / "export.zip", dist / "autograder.zip")
    run = subprocess.run([sys.executable, "-m", "autograder", "regrade", "hw1",
                          str(tmp_path / "export.zip"), "--dist", str(tmp_path / "dist")],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith("error: ") and "is not" in run.stderr
