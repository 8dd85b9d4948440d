"""Import an implementation of the `minidl` package from a folder, under any module name.

The reference, the starter and variants of them can then live side by side in one process
(the package uses relative imports only). Students' code is imported this way only in record
mode and in the project's own tests; grading imports it in a child process (see sandbox.py).
"""
from __future__ import annotations

import importlib.util
import sys
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Iterator


def load_package(folder: Path, alias: str) -> ModuleType:
    """Import the package in `folder` (its `__init__.py`) as module `alias`, afresh."""
    unload(alias)
    spec = importlib.util.spec_from_file_location(
        alias, folder / "__init__.py", submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        unload(alias)
        raise
    return module


def unload(alias: str) -> None:
    """Forget module `alias` and its submodules."""
    for name in [n for n in sys.modules if n == alias or n.startswith(alias + ".")]:
        del sys.modules[name]


@contextmanager
def imported_as(folder: Path, name: str) -> Iterator[ModuleType]:
    """The package in `folder` as module `name`: the one already imported from there, if any,
    else a fresh import, after which whatever was imported as `name` before is put back.

    Numba's disk cache records the module of each kernel it compiled, so code with kernels
    must always run under the name it is graded under (`minidl`).
    """
    module = sys.modules.get(name)
    if module is not None and Path(module.__file__).resolve().parent == folder.resolve():
        yield module
        return
    before = {n: m for n, m in sys.modules.items() if n == name or n.startswith(name + ".")}
    module = load_package(folder, name)
    try:
        yield module
    finally:
        unload(name)
        sys.modules.update(before)
