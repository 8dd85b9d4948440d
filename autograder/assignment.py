"""An assignment's settings, read from its assignment.toml."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path


class AssignmentError(ValueError):
    """An assignment folder that cannot be built or graded."""


@dataclass(frozen=True)
class NotebookSettings:
    """How the autograder runs the assignment's notebook (assignment.toml's [notebook])."""

    cell_timeout: float = 240.0  # seconds one cell may run
    timeout: float = 300.0  # seconds for the whole run: half of Gradescope's default 10 minutes
    # environment variables of the graded run, which the notebook's training cells read (a
    # shorter run than the student's own); values are strings
    profile: dict = field(default_factory=dict)


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
    notebook_settings: NotebookSettings = NotebookSettings()

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
                   limits=dict(settings.get("limits", {})),
                   notebook_settings=_notebook_settings(path, settings.get("notebook", {})))


def _notebook_settings(path: Path, table: dict) -> NotebookSettings:
    unknown = set(table) - {"cell_timeout", "timeout", "profile"}
    if unknown:
        raise AssignmentError(f"{path}: [notebook] has unknown keys {sorted(unknown)}")
    profile = table.get("profile", {})
    if not all(isinstance(v, str) for v in profile.values()):
        raise AssignmentError(f"{path}: [notebook.profile] values must be strings (environment "
                              "variables)")
    return NotebookSettings(float(table.get("cell_timeout", 240)),
                            float(table.get("timeout", 300)), dict(profile))


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
