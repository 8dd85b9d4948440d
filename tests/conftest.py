"""Shared fixtures: the reference, its model answer, variants of them, hw1's checks and the model
answer's goldens, a built release."""
from __future__ import annotations

import itertools
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from autograder.assignment import find
from autograder.checks import collect
from autograder.golden import record
from autograder.implementation import imported_as, load_package, unload
from autograder.release import MODEL_ANSWER as MODEL_ANSWER_PATH, release
from autograder.strip import model_answer
from autograder.case import run_case
from autograder.verdict import judge

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference" / "minidl"
STARTER = ROOT / "starter" / "minidl"
MODEL_ANSWER = ROOT / MODEL_ANSWER_PATH  # where `make release` writes it too
GOLDEN_SEED = 1234
_aliases = itertools.count()


def load_implementation(folder: Path):
    """Import the minidl package in `folder` under a fresh module name."""
    return load_package(folder, f"minidl_under_test_{next(_aliases)}")


def minidl_reference():
    """The reference imported once, as `minidl`: the name its Numba kernels are cached under
    (a copy imported under another name must not run them: see `load_without_jit`)."""
    module = sys.modules.get("minidl")
    if module is None or Path(module.__file__).resolve().parent != REFERENCE:
        module = load_package(REFERENCE, "minidl")
    return module


def tensor(array, requires_grad: bool = False):
    """A float64 Tensor of the reference holding `array` (on the default device)."""
    return minidl_reference().Tensor(np.asarray(array, dtype=np.float64), dtype="float64",
                                     requires_grad=requires_grad)


@pytest.fixture(params=["cpu", "cpu_numba"])
def device(request, monkeypatch):
    """The test runs once on each CPU device, the default of new tensors (a module that wants
    the simulated GPU too defines its own)."""
    monkeypatch.setenv("MINIDL_DEVICE", request.param)
    return request.param


@contextmanager
def load_without_jit(folder: Path):
    """The package in `folder` under a fresh name, its Numba kernels left as plain Python.

    For variants of the reference: nothing is compiled, so nothing is cached under their name.
    """
    import numba

    numba.config.DISABLE_JIT = True
    try:
        module = load_implementation(folder)
        module.cpu_numba()  # imports the kernels' module now, while JIT is off
    finally:
        numba.config.DISABLE_JIT = False
    try:
        yield module
    finally:
        unload(module.__name__)


def without_capabilities(monkeypatch, device, *names: str) -> None:
    """`device` offering none of the tuned capabilities `names` (all of them if none named)."""
    kept = device._capabilities - set(names) if names else frozenset()
    monkeypatch.setattr(device, "_capabilities", kept)


@pytest.fixture(params=["live", "im2col"])
def conv_compute(request, device, monkeypatch):
    """Conv.compute as the reference runs it (cut to the windows that read x) and as students
    get it when hw4 is revealed (plain im2col); `device` is the test module's device fixture."""
    if request.param == "im2col":
        without_capabilities(monkeypatch, minidl_reference().backends.device(device), "live_conv")
    return request.param


def make_variant(tmp_path: Path, relative: str, old: str, new: str,
                 base: Path = REFERENCE) -> Path:
    """A copy of `base` (the reference) in which `old` is replaced once by `new` in file
    `relative`."""
    folder = tmp_path / "minidl"
    shutil.copytree(base, folder, ignore=shutil.ignore_patterns("__pycache__"))
    path = folder / relative
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} should occur once in {relative}"
    path.write_text(text.replace(old, new))
    return folder


def scores(checks, mdl, goldens) -> dict[str, float]:
    """In-process score of each check for implementation `mdl` against `goldens`."""
    result = {}
    for check in checks:
        golden = goldens[check.name]
        cases = [run_case(check, mdl, seed) for seed in golden.seeds]
        result[check.name] = judge(check, cases, golden.outputs).score
    return result


_cache: dict = {}


def assignment_checks(tag: str):
    """The assignment tagged `tag` and its checks, loaded once per session."""
    if ("checks", tag) not in _cache:
        assignment = find(ROOT / "assignments", tag)
        _cache["checks", tag] = assignment, collect(assignment.checks_dir)
    return _cache["checks", tag]


def model_goldens(tag: str):
    """The model answer's goldens of every check of `tag` for GOLDEN_SEED, recorded once."""
    if ("goldens", tag) not in _cache:
        _, checks = assignment_checks(tag)
        with imported_as(model_answer_package(), "minidl") as model:
            _cache["goldens", tag] = {c.name: record(c, model, GOLDEN_SEED) for c in checks}
    return _cache["goldens", tag]


def model_answer_package() -> Path:
    """What a student who solved every assignment as the reference does uploads: its solution
    regions, without its reference-only code (the tuned Numba kernels, the fused updates)."""
    if "model" not in _cache:
        _cache["model"] = model_answer(REFERENCE, MODEL_ANSWER)
    return _cache["model"]


@pytest.fixture(scope="session")
def hw1_checks():
    return assignment_checks("hw1")[1]


@pytest.fixture(scope="session")
def reference():
    return minidl_reference()


@pytest.fixture(scope="session")
def hw1_goldens():
    return model_goldens("hw1")


def built_release(tag: str, tmp_path_factory) -> Path:
    """dist/<tag> built from this checkout into a temporary folder, once per session."""
    if ("release", tag) not in _cache:
        dist = tmp_path_factory.mktemp("dist")
        (folder,) = release(ROOT, dist, secret_seeds=(GOLDEN_SEED,), tags=[tag], progress=False)
        _cache["release", tag] = folder
    return _cache["release", tag]


@pytest.fixture(scope="session")
def hw1_release(tmp_path_factory):
    return built_release("hw1", tmp_path_factory)


@pytest.fixture(scope="session")
def hw2_release(tmp_path_factory):
    return built_release("hw2", tmp_path_factory)
