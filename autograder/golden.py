"""Golden outputs: what the model answer computed for each case seed of a check."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .checks import GradedCheck
from .case import run_case


class ReferenceFailure(RuntimeError):
    """The reference itself failed a check while recording: the release stops."""


@dataclass
class GoldenCases:
    """The seeds of a check's cases and the model answer's outputs for each."""

    seeds: list[int]
    outputs: list[dict[str, np.ndarray]]

    def save(self, path: Path) -> None:
        arrays = {"seeds": np.asarray(self.seeds, dtype=np.int64)}
        for number, outputs in enumerate(self.outputs):
            arrays.update({f"case{number}.{key}": value for key, value in outputs.items()})
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as file:
            np.savez_compressed(file, **arrays)

    @classmethod
    def join(cls, parts: list["GoldenCases"]) -> "GoldenCases":
        """One set of cases holding every case of `parts`, in order."""
        return cls([s for p in parts for s in p.seeds], [o for p in parts for o in p.outputs])

    @classmethod
    def load(cls, path: Path) -> "GoldenCases":
        with np.load(path, allow_pickle=False) as data:
            seeds = [int(s) for s in data["seeds"]]
            outputs: list[dict[str, np.ndarray]] = [{} for _ in seeds]
            for key in data.files:
                if key != "seeds":
                    case, name = key.split(".", 1)
                    outputs[int(case.removeprefix("case"))][name] = data[key]
        return cls(seeds, outputs)


def record(check: GradedCheck, reference, base_seed: int) -> GoldenCases:
    """Run `check` on the `reference` implementation for every case seed of `base_seed`."""
    seeds = check.seeds(base_seed)
    outputs = []
    for seed in seeds:
        result = run_case(check, reference, seed)
        if result.error is not None:
            raise ReferenceFailure(f"the reference fails check {check.name} "
                                   f"(seed {seed}): {result.error}")
        if check.verify is not None and (problem := check.verify(result.outputs)):
            raise ReferenceFailure(f"the reference fails check {check.name} "
                                   f"(seed {seed}): {problem}")
        outputs.append(result.outputs if check.golden else {})
    return GoldenCases(seeds, outputs)
