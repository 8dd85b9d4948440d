"""Find the student's package in whatever they uploaded and copy it somewhere clean."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

MAX_DEPTH = 3


class SubmissionError(ValueError):
    """An upload in which no usable package was found; the message speaks to the student."""


def _is_package(folder: Path) -> bool:
    return (folder / "__init__.py").is_file()


def _candidates(root: Path, package: str) -> list[Path]:
    """Folders under `root` that look like the student's `package`, shallowest first."""
    found = []
    if _is_package(root) and not _is_package(root / package):
        found.append(root)
    for depth in range(MAX_DEPTH + 1):
        pattern = "/".join(["*"] * depth + [package]) if depth else package
        found += [p for p in sorted(root.glob(pattern)) if p.is_dir() and _is_package(p)
                  and "__MACOSX" not in p.parts]
    return found


def locate(upload: Path, package: str, work: Path) -> Path:
    """Copy the student's `package` out of `upload` into `work`; return the copy's folder.

    Accepts the package folder itself, its files uploaded loose, or a zip of either,
    possibly inside one extra folder.
    """
    entries = [p for p in upload.iterdir() if not p.name.startswith(".")] if upload.is_dir() else []
    if not entries:
        raise SubmissionError(f"Your upload is empty. Upload your {package}/ folder (or the "
                              f"zip made by `python -m autograder.submit`).")
    zips = [p for p in entries if p.suffix == ".zip"]
    if not _candidates(upload, package) and len(zips) == 1:
        unpacked = work / "unzipped"
        try:
            with zipfile.ZipFile(zips[0]) as archive:
                archive.extractall(unpacked)
        except (zipfile.BadZipFile, OSError) as error:
            raise SubmissionError(f"{zips[0].name} is not a readable zip file ({error}).") from None
        upload = unpacked
    found = _candidates(upload, package)
    if not found:
        names = ", ".join(sorted(p.name for p in entries)[:10])
        raise SubmissionError(
            f"No {package}/ package was found in your upload (it holds: {names}). Upload the "
            f"{package}/ folder with its __init__.py, or the zip made by "
            f"`python -m autograder.submit`.")
    target = work / package
    shutil.copytree(found[0], target, ignore=_skipped)
    return target


def _skipped(folder: str, names: list[str]) -> list[str]:
    """Caches and symbolic links (which could point outside the upload) are not copied."""
    return [n for n in names if n == "__pycache__" or n.endswith(".pyc")
            or Path(folder, n).is_symlink()]
