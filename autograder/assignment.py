"""An assignment's settings, read from its assignment.toml."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


class AssignmentError(ValueError):
    """An assignment folder that cannot be built or graded."""


@dataclass(frozen=True)
class Assignment:
    """One assignment folder: settings, handout and graded checks."""

    folder: Path
    tag: str
    title: str
    package: str
    check_timeout: float
    total_timeout: float
    public_seed: int
    limits: dict

    @property
    def checks_dir(self) -> Path:
        return self.folder / "tests"

    @property
    def handout(self) -> Path:
        return self.folder / "handout.md"

    @property
    def notebook(self) -> Path:
        """The nbgrader source notebook, solution cells marked (optional)."""
        return self.folder / "notebook.ipynb"

    @classmethod
    def load(cls, folder: Path) -> "Assignment":
        path = folder / "assignment.toml"
        try:
            settings = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise AssignmentError(f"{path}: {error}") from None
        missing = {"tag", "title"} - set(settings)
        if missing:
            raise AssignmentError(f"{path}: missing {sorted(missing)}")
        return cls(folder=folder, tag=settings["tag"], title=settings["title"],
                   package=settings.get("package", "minidl"),
                   check_timeout=float(settings.get("check_timeout", 60)),
                   total_timeout=float(settings.get("total_timeout", 480)),
                   public_seed=int(settings.get("public_seed", 0)),
                   limits=dict(settings.get("limits", {})))


def find(assignments_root: Path, tag: str) -> Assignment:
    """The assignment tagged `tag` among the folders of `assignments_root`."""
    found = all_assignments(assignments_root)
    for assignment in found:
        if assignment.tag == tag:
            return assignment
    raise AssignmentError(f"no assignment tagged {tag!r} in {assignments_root} "
                          f"(found {[a.tag for a in found]})")


def all_assignments(assignments_root: Path) -> list[Assignment]:
    """Every assignment under `assignments_root`, in folder order."""
    return [Assignment.load(p.parent) for p in sorted(assignments_root.glob("*/assignment.toml"))]
