"""Find the student's package in whatever they uploaded and copy it somewhere clean."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

MAX_DEPTH = 3
MAX_FILE_BYTES = 20 << 20
MAX_TOTAL_BYTES = 200 << 20
KIT_FILES = "package_data"  # folder of the autograder zip holding the package's data files


class SubmissionError(ValueError):
    """An upload in which no usable package was found; the message speaks to the student."""


def _is_package(folder: Path) -> bool:
    return (folder / "__init__.py").is_file() and not folder.is_symlink()


def _packages(root: Path) -> list[Path]:
    """Package folders under `root` (itself included), shallowest first."""
    found = [root] if _is_package(root) else []
    for depth in range(1, MAX_DEPTH + 1):
        found += [p for p in sorted(root.glob("/".join(["*"] * depth)))
                  if p.is_dir() and _is_package(p) and "__MACOSX" not in p.parts]
    return found


def _find(root: Path, package: str) -> tuple[Path | None, list[str]]:
    """The folder to grade as `package`, and notes on any guess made to find it."""
    packages = _packages(root)
    named = [p for p in packages if p.name == package]
    if named:
        return named[0], []
    if packages and packages[0] == root:
        return root, []
    top = [p for p in packages if not any(q != p and q in p.parents for q in packages)]
    if len(top) == 1:
        name = top[0].relative_to(root).as_posix()
        return top[0], [f"No folder named {package}/ was found; {name}/ was graded as {package}/."]
    return None, []


def _unzip(archive_path: Path, target: Path) -> Path:
    try:
        with zipfile.ZipFile(archive_path) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_TOTAL_BYTES:
                raise SubmissionError(f"{archive_path.name} unpacks to more than "
                                      f"{MAX_TOTAL_BYTES >> 20} MB; upload only your code.")
            archive.extractall(target)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SubmissionError(f"{archive_path.name} is not a readable zip file ({error}).") from None
    return target


def locate(upload: Path, package: str, work: Path) -> tuple[Path, list[str]]:
    """Copy the student's `package` out of `upload` into work/<package>; its path and notes.

    Accepts the package folder itself, its files uploaded loose, or a zip of either, possibly
    inside other folders. Links and files over MAX_FILE_BYTES are left out, with a note.
    """
    entries = [p for p in upload.iterdir() if not p.name.startswith(".")] if upload.is_dir() else []
    if not entries:
        raise SubmissionError(f"Your upload is empty. Upload your {package}/ folder (or the "
                              f"zip made by `python -m autograder.submit`).")
    found, notes = _find(upload, package)
    zips = [p for p in entries if p.suffix == ".zip" and p.is_file() and not p.is_symlink()]
    if found is None and len(zips) == 1:
        found, notes = _find(_unzip(zips[0], work / "unzipped"), package)
    if found is None:
        names = ", ".join(sorted(p.name for p in entries)[:10])
        raise SubmissionError(
            f"No {package}/ package was found in your upload (it holds: {names}). Upload the "
            f"{package}/ folder with its __init__.py, or the zip made by "
            f"`python -m autograder.submit`.")
    target = work / package
    notes += _copy_code(found, target)
    shutil.rmtree(work / "unzipped", ignore_errors=True)
    return target, notes


def add_kit_files(kit: Path, package_dir: Path) -> None:
    """Copy the data files the kit ships (`kit`, as laid out in the package) into the copy.

    They replace whatever the upload holds at those paths: shipped data comes from the
    autograder, so an upload of only the .py files (what `autograder.submit` zips) is complete.
    """
    for path in sorted(kit.rglob("*")):
        if path.is_file():
            target = package_dir / path.relative_to(kit)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir():  # an upload's folder of that name must not block the file
                shutil.rmtree(target)
            shutil.copyfile(path, target)


def _copy_code(source: Path, target: Path) -> list[str]:
    """Copy the regular files of `source` into `target`; notes on what was left out."""
    notes, total = [], 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if "__pycache__" in relative.parts or path.suffix == ".pyc":
            continue
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            notes.append(f"{relative} is a link or special file and was left out.")
            continue
        if path.is_dir():
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES or total + size > MAX_TOTAL_BYTES:
            notes.append(f"{relative} ({size / 2**20:.0f} MB) was left out: files over "
                         f"{MAX_FILE_BYTES >> 20} MB, or beyond {MAX_TOTAL_BYTES >> 20} MB in "
                         "all, are not graded.")
            continue
        total += size
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / relative)
    target.mkdir(parents=True, exist_ok=True)
    return notes


def _pick_notebook(paths: list[str], name: str) -> tuple[str | None, list[str]]:
    """Of the notebooks' relative `paths`, the one to grade: the shallowest named `name`, else
    the only one; notes on a guess."""
    paths = [p for p in paths if not {"__MACOSX", ".ipynb_checkpoints"} & set(p.split("/"))
             and p.count("/") <= MAX_DEPTH]
    named = sorted((p for p in paths if p.rsplit("/", 1)[-1] == name), key=lambda p: p.count("/"))
    if named:
        return named[0], []
    if len(paths) == 1:
        return paths[0], [f"No {name} was found; {paths[0]} was graded as the notebook."]
    return None, []


def locate_notebook(upload: Path, name: str) -> tuple[bytes | None, list[str]]:
    """The bytes of the notebook in `upload` (loose, in a folder, or in the upload's one zip)
    and notes on any guess made to find it; None with a note saying what to upload when none
    is found."""
    missing = [f"No {name} was found in your upload, so the notebook's tests score 0. Upload "
               f"the zip made by `python -m autograder.submit`, which packs {name} beside your "
               "package."]
    if not upload.is_dir():
        return None, missing
    loose = [p.relative_to(upload).as_posix() for p in upload.rglob("*.ipynb")
             if p.is_file() and not p.is_symlink()]
    found, notes = _pick_notebook(loose, name)
    if found is not None:
        path = upload / found
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, [f"{found} is over {MAX_FILE_BYTES >> 20} MB and was not graded."]
        return path.read_bytes(), notes
    zips = [p for p in upload.iterdir() if p.suffix == ".zip" and p.is_file()
            and not p.is_symlink()]
    if len(zips) != 1:
        return None, missing
    try:
        with zipfile.ZipFile(zips[0]) as archive:
            members = {i.filename: i for i in archive.infolist()
                       if i.filename.endswith(".ipynb") and not i.is_dir()}
            found, notes = _pick_notebook(list(members), name)
            if found is None:
                return None, missing
            if members[found].file_size > MAX_FILE_BYTES:
                return None, [f"{found} is over {MAX_FILE_BYTES >> 20} MB and was not graded."]
            return archive.read(found), notes
    except (zipfile.BadZipFile, OSError, ValueError):
        return None, missing  # locate() has said the zip cannot be read
