"""Compare a student's output with the expected one and say exactly what differs.

Default tolerances by dtype (|got - expected| <= atol + rtol * |expected|, elementwise):
float32: rtol 1e-4, atol 1e-5; float64: rtol 1e-7, atol 1e-9; integers and booleans: exact.
A check may pass its own `rtol`/`atol`. Checks that compare two of their own outputs, such
as an analytic gradient with `numerical_gradient`, verify them with `agree`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

TOLERANCES = {np.dtype("float32"): (1e-4, 1e-5), np.dtype("float64"): (1e-7, 1e-9)}
_EXCERPT = 6


def tolerance(dtype: np.dtype, rtol: float | None, atol: float | None) -> tuple[float, float]:
    """(rtol, atol) for comparing arrays of `dtype`, check overrides first."""
    default_rtol, default_atol = TOLERANCES.get(np.dtype(dtype), (0.0, 0.0))
    return (default_rtol if rtol is None else rtol), (default_atol if atol is None else atol)


def compare(name: str, expected: np.ndarray, got: np.ndarray, rtol: float | None = None,
            atol: float | None = None) -> str | None:
    """None when `got` matches `expected`, else a message naming what differs and where."""
    if got.shape != expected.shape:
        return f"'{name}' has shape {got.shape}, expected shape {expected.shape}"
    if got.dtype != expected.dtype:
        return (f"'{name}' has dtype {got.dtype}, expected {expected.dtype} "
                "(dtypes must be kept through every operation)")
    if expected.dtype.kind not in "fc":
        wrong = got != expected
        if not wrong.any():
            return None
        return _value_message(name, expected, got, np.argwhere(wrong)[0])
    bad_got = ~np.isfinite(got) & np.isfinite(expected)
    if bad_got.any():
        index = tuple(int(i) for i in np.argwhere(bad_got)[0])
        return (f"'{name}' has {got[index]} at index {index} where {expected[index]:.6g} was "
                f"expected ({int(bad_got.sum())} non-finite value(s) in all); look for "
                "overflow, log of 0 or division by 0\n" + _excerpt(expected, got, index))
    rtol, atol = tolerance(expected.dtype, rtol, atol)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(got.astype(np.float64) - expected.astype(np.float64))
        allowed = atol + rtol * np.abs(expected.astype(np.float64))
        both_same_inf = (got == expected) & ~np.isfinite(expected)
        wrong = ((error > allowed) | np.isnan(error)) & ~both_same_inf
    if not wrong.any():
        return None
    index = tuple(int(i) for i in np.unravel_index(
        np.argmax(np.where(wrong, error - allowed, -np.inf)), wrong.shape))
    relative = error[index] / max(abs(float(expected[index])), np.finfo(np.float64).tiny)
    return (f"'{name}' differs at {int(wrong.sum())} of {wrong.size} positions; worst at "
            f"index {index}: expected {expected[index]:.6g}, got {got[index]:.6g} "
            f"(abs error {error[index]:.3g}, rel error {relative:.3g}; "
            f"allowed atol {atol:g} + rtol {rtol:g} * |expected|)\n"
            + _excerpt(expected, got, index))


def _value_message(name, expected, got, index) -> str:
    index = tuple(int(i) for i in index)
    return (f"'{name}' differs at index {index}: expected {expected[index]}, got {got[index]}\n"
            + _excerpt(expected, got, index))


def _excerpt(expected: np.ndarray, got: np.ndarray, index: tuple) -> str:
    """The few values around `index` along the last axis, expected above got."""
    if expected.ndim == 0:
        return f"  expected: {expected}\n  got:      {got}"
    row = index[:-1]
    start = max(0, min(index[-1] - _EXCERPT // 2, expected.shape[-1] - _EXCERPT))
    stop = min(start + _EXCERPT, expected.shape[-1])
    window = slice(start, stop)
    where = f"[{', '.join(str(i) for i in row)}{', ' if row else ''}{start}:{stop}]"
    options = dict(precision=5, suppress_small=False, max_line_width=120)
    return (f"  expected{where}: {np.array2string(expected[row][window], **options)}\n"
            f"  got{where}:      {np.array2string(got[row][window], **options)}")


def compare_outputs(expected: dict[str, np.ndarray], got: dict[str, np.ndarray],
                    rtol: float | None = None, atol: float | None = None) -> str | None:
    """None when every expected output matches, else what differs, output by output."""
    missing = sorted(set(expected) - set(got))
    if missing:
        return f"outputs {missing} are missing (got {sorted(got)})"
    messages = [m for name in expected if (m := compare(name, expected[name], got[name],
                                                       rtol, atol))]
    return "\n".join(messages) or None


def float32_rounding(expected: dict[str, np.ndarray], got: dict[str, np.ndarray]) -> float | None:
    """How far float64 outputs are off, relative to their size, when that is about float32's
    precision (a value passed through float32 on its way); None otherwise. For hints."""
    worst = 0.0
    for name, want in expected.items():
        have, want = np.asarray(got.get(name)), np.asarray(want)
        if want.dtype != np.float64 or have.shape != want.shape or not want.size:
            continue
        scale = float(np.max(np.abs(want)))
        if scale and np.all(np.isfinite(have)):
            worst = max(worst, float(np.max(np.abs(have - want))) / scale)
    return worst if 1e-10 < worst < 1e-5 else None


def agree(name: str, reference: str, rtol: float, atol: float) -> Callable:
    """A `verify` for checks whose output `name` must match their own output `reference`."""

    def verify(outputs: dict[str, np.ndarray]) -> str | None:
        return compare(name, outputs[reference], outputs[name], rtol, atol)

    verify.__doc__ = f"'{name}' agrees with '{reference}' (rtol {rtol:g}, atol {atol:g})"
    return verify


def numerical_gradient(function: Callable[[np.ndarray], float], x: np.ndarray,
                       step: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar `function` at `x`, one coordinate at a time."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        bumped = x.copy()
        bumped[index] += step
        up = function(bumped)
        bumped[index] -= 2 * step
        grad[index] = (up - function(bumped)) / (2 * step)
    return grad
