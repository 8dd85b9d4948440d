"""The child process that runs a student's code: `python -m autograder.child ...`.

It imports the student's package, runs one check's cases and writes, per case, a JSON status
and an .npz of plain arrays into an output folder. The grader reads only those files.

    python -m autograder.child import PACKAGE OUT_DIR
    python -m autograder.child run PACKAGE OUT_DIR CHECK_FILE CHECK_NAME SEED...
"""
from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import numpy as np

from .checks import load_check_module
from .verdict import describe_exception, run_case


def _write_atomically(path: Path, write) -> None:
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as file:
        write(file)
    os.replace(partial, path)


def _write_json(path: Path, data: dict) -> None:
    _write_atomically(path, lambda f: f.write(json.dumps(data).encode()))


def main(argv: list[str]) -> int:
    mode, package, out = argv[0], argv[1], Path(argv[2])
    try:
        mdl = importlib.import_module(package)
    except BaseException as error:  # noqa: BLE001 -- report any import failure, even SystemExit
        _write_json(out / "import.json", {"error": describe_exception(error, package)})
        return 0
    if mode == "import":
        _write_json(out / "import.json", {"error": None})
        return 0
    check = getattr(load_check_module(Path(argv[3])), argv[4])
    for number, seed in enumerate(int(s) for s in argv[5:]):
        result = run_case(check, mdl, seed)
        if result.outputs is not None:
            _write_atomically(out / f"case{number}.npz",
                              lambda f, o=result.outputs: np.savez(f, **o))
        _write_json(out / f"case{number}.json", {"seed": seed, "error": result.error})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
