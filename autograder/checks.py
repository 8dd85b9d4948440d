"""Graded checks: one definition, run in record, local and grade mode.

A check is a function of the implementation under test (the `minidl` module) and a seeded
NumPy generator; it returns a dict of named arrays or numbers. Those outputs are compared with
the reference's golden outputs for the same seed. A check may also `verify` a property of its
own outputs (such as analytic == numerical gradient): that gives students a sharper message,
but as the outputs come from the student's process it is trusted only alongside the golden
comparison, unless `golden=False` says there is nothing to compare with. A measured check
(such as a speed check) gets its credit from `credit(outputs)`, a fraction in [0, 1], and may
put one of its outputs on the Gradescope leaderboard.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
HIDDEN_PREFIX = "hidden_"


class CheckDefinitionError(ValueError):
    """A check written wrongly by the course staff (not a student's mistake)."""


@dataclass(frozen=True)
class GradedCheck:
    """A graded check and how it is scored."""

    function: Callable
    points: float
    number: str
    visibility: str
    cases: int
    timeout: float | None
    rtol: float | None
    atol: float | None
    verify: Callable | None
    golden: bool
    credit: Callable | None = None
    leaderboard: str | None = None
    hint: Callable | None = None
    source: Path | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def title(self) -> str:
        """The first paragraph of the check's docstring as one line: what it checks, in the
        student's words."""
        doc = (self.function.__doc__ or self.name).strip()
        return " ".join(doc.split("\n\n")[0].split())

    def seeds(self, base_seed: int) -> list[int]:
        """The seed of each case for a release seed `base_seed`."""
        mixed = np.random.SeedSequence([base_seed, zlib.crc32(self.name.encode())])
        return [int(s) for s in mixed.generate_state(self.cases, dtype=np.uint32)]

    def run_case(self, mdl, seed: int) -> dict[str, np.ndarray]:
        """Run one case on implementation `mdl`; outputs as NumPy arrays."""
        outputs = self.function(mdl, np.random.default_rng(seed))
        if not isinstance(outputs, dict) or not outputs:
            raise CheckDefinitionError(f"check {self.name} must return a non-empty dict, "
                                       f"got {type(outputs).__name__}")
        return {key: as_array(value) for key, value in outputs.items()}


def as_array(value) -> np.ndarray:
    """A check output (minidl Tensor, NumPy array, number or bool) as a plain NumPy array."""
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    array = np.asarray(value)
    if array.dtype == object or type(array) is not np.ndarray:
        raise TypeError(f"expected numbers or arrays, got {type(value).__name__}")
    return array


def graded(points: float, number: str, visibility: str = "visible", cases: int = 5,
           timeout: float | None = None, rtol: float | None = None,
           atol: float | None = None, verify: Callable | None = None, golden: bool = True,
           credit: Callable | None = None, leaderboard: str | None = None,
           hint: Callable | None = None):
    """Declare a graded check worth `points`, listed as `number` on Gradescope.

    `cases` seeds are drawn per run and credit is the fraction of cases passed. `rtol`/`atol`
    override the dtype's default tolerance; `verify(outputs)` returns None or what is wrong.
    `credit(outputs)` returns (fraction of the case's credit, message when below 1);
    `leaderboard` names the output shown in the leaderboard column of that name.
    `hint(expected, got)` returns None or advice added to a case that differs from its golden
    (for a slip recognisable from the outputs, such as an unstable formula).
    """
    if visibility not in VISIBILITIES:
        raise CheckDefinitionError(f"visibility must be one of {VISIBILITIES}, got {visibility!r}")
    if points <= 0 or cases < 1:
        raise CheckDefinitionError("a check needs points > 0 and at least one case")
    if not golden and verify is None and credit is None:
        raise CheckDefinitionError("a check without golden outputs needs a `verify` or `credit`")

    def decorate(function: Callable) -> GradedCheck:
        return GradedCheck(function, float(points), str(number), visibility, cases, timeout,
                           rtol, atol, verify, golden, credit, leaderboard, hint)

    return decorate


def load_check_module(path: Path):
    """Import one check file under a private module name.

    Check files may import helper modules of their folder (named `_*.py`, never collected).
    """
    name = f"_graded_checks_{zlib.crc32(str(path.resolve()).encode())}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


def collect(folder: Path) -> list[GradedCheck]:
    """Every graded check in the check files (`*.py`) of `folder`, ordered by number.

    Hidden checks must live in files named `hidden_*.py`, which never reach students, and be
    numbered after every visible check (grading runs them in this order).
    """
    found: dict[str, GradedCheck] = {}
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        for value in vars(load_check_module(path)).values():
            if not isinstance(value, GradedCheck):
                continue
            check = dataclasses.replace(value, source=path)
            hidden_file = path.name.startswith(HIDDEN_PREFIX)
            if hidden_file != (check.visibility != "visible"):
                raise CheckDefinitionError(
                    f"{path}: check {check.name} is {check.visibility!r}; visible checks "
                    f"belong in ordinary files and all others in {HIDDEN_PREFIX}*.py")
            if check.name in found:
                raise CheckDefinitionError(f"{path}: two checks are named {check.name}")
            found[check.name] = check
    ordered = sorted(found.values(), key=lambda c: [int(p) if p.isdigit() else p
                                                     for p in c.number.split(".")])
    # The child that runs a submission persists between checks: what its code saw of a hidden
    # check must not reach a visible check's feedback, so the hidden ones run last.
    hidden = [c for c in ordered if c.visibility != "visible"]
    late = [c for c in ordered[ordered.index(hidden[0]):] if c.visibility == "visible"] \
        if hidden else []
    if late:
        raise CheckDefinitionError(
            f"{folder}: visible check {late[0].number} is numbered after hidden check "
            f"{hidden[0].number}; number every hidden check after every visible one")
    return ordered
