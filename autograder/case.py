"""Run one case of a check and describe what went wrong: the side of grading that runs where
the student's code does (the sandboxed child, a student's pytest, recording goldens)."""
from __future__ import annotations

import socket
import traceback
from dataclasses import dataclass

import numpy as np

from .checks import GradedCheck


@dataclass
class CaseResult:
    """What one case of a check produced: its outputs, or the error that stopped it."""

    seed: int
    outputs: dict[str, np.ndarray] | None = None
    error: str | None = None


NO_NETWORK = "network access is not allowed while grading"


def _network_refused(error: BaseException) -> bool:
    """Whether `error`, or one it was raised from, is a socket refused or a name left
    unresolved (what the grading sandbox's missing network looks like)."""
    while error is not None:
        frames = traceback.extract_tb(error.__traceback__)
        if isinstance(error, socket.gaierror) or isinstance(error, PermissionError) and any(
                frame.filename.endswith("socket.py") for frame in frames):
            return True
        error = error.__cause__ or error.__context__
    return False


def describe_exception(error: BaseException, package: str = "minidl") -> str:
    """The exception and the deepest line of the student's `package` it passed through."""
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if f"/{package}/" in f.filename.replace("\\", "/")]
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if _network_refused(error):
        text += f" ({NO_NETWORK})"
    if isinstance(error, SyntaxError) and error.filename:
        short = error.filename.replace("\\", "/").split(f"/{package}/", 1)[-1]
        return f"{type(error).__name__}: {error.msg}\n    at {package}/{short}:{error.lineno}" + (
            f": {error.text.strip()}" if error.text else "")
    if own:
        frame = own[-1]
        short = frame.filename.replace("\\", "/").split(f"/{package}/", 1)[1]
        text += f"\n    at {package}/{short}:{frame.lineno} in {frame.name}"
        if frame.line:
            text += f": {frame.line.strip()}"
    return text


def run_case(check: GradedCheck, mdl, seed: int) -> CaseResult:
    """Run one case, catching whatever the implementation raises."""
    try:
        return CaseResult(seed, outputs=check.run_case(mdl, seed))
    except Exception as error:  # noqa: BLE001 -- any student error costs only this case
        return CaseResult(seed, error=f"raised {describe_exception(error)}")
