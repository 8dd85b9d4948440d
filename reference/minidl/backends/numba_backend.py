"""The NDArray primitives as parallel CPU kernels compiled by Numba (`minidl.cpu_numba()`).

Buffers are flat NumPy arrays, as in numpy_backend, whose semantics these kernels reproduce.
Kernels are compiled on first use and cached on disk (`cache=True`), so later runs start fast.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .numpy_backend import buffer_size, empty, from_numpy  # noqa: F401 -- the same flat buffers

ROWS = 8
PARALLEL_ROWS = 16


def to_numpy(buffer: np.ndarray, shape, strides, offset: int) -> np.ndarray:
    out = np.empty(int(np.prod(shape)), dtype=buffer.dtype)
    compact(buffer, out, shape, strides, offset)
    return out.reshape(shape)


def _index_arrays(shape, strides):
    return np.asarray(shape, dtype=np.int64), np.asarray(strides, dtype=np.int64)


@njit(cache=True)
def _position(i, shape, strides, offset):
    """Buffer position of the i-th element, in row-major order, of a strided view."""
    position, rest = np.int64(offset), np.int64(i)
    for axis in range(shape.size - 1, -1, -1):
        position += (rest % shape[axis]) * strides[axis]
        rest //= shape[axis]
    return position


@njit(parallel=True, cache=True)
def _compact(a, out, shape, strides, offset):
    for i in prange(out.size):
        out[i] = a[_position(i, shape, strides, offset)]


@njit(parallel=True, cache=True)
def _ewise_setitem(a, out, shape, strides, offset):
    for i in prange(a.size):
        out[_position(i, shape, strides, offset)] = a[i]


@njit(parallel=True, cache=True)
def _scalar_setitem(size, value, out, shape, strides, offset):
    for i in prange(size):
        out[_position(i, shape, strides, offset)] = value


def compact(a, out, shape, strides, offset: int) -> None:
    _compact(a, out, *_index_arrays(shape, strides), offset)


def ewise_setitem(a, out, shape, strides, offset: int) -> None:
    _ewise_setitem(a, out, *_index_arrays(shape, strides), offset)


def scalar_setitem(size: int, value: float, out, shape, strides, offset: int) -> None:
    _scalar_setitem(size, value, out, *_index_arrays(shape, strides), offset)


@njit(parallel=True, cache=True)
def fill(out, value):
    for i in prange(out.size):
        out[i] = value


@njit(parallel=True, cache=True)
def ewise_add(a, b, out):
    for i in prange(out.size):
        out[i] = a[i] + b[i]


@njit(parallel=True, cache=True)
def scalar_add(a, value, out):
    for i in prange(out.size):
        out[i] = a[i] + value


@njit(parallel=True, cache=True)
def ewise_mul(a, b, out):
    for i in prange(out.size):
        out[i] = a[i] * b[i]


@njit(parallel=True, cache=True)
def scalar_mul(a, value, out):
    for i in prange(out.size):
        out[i] = a[i] * value


@njit(parallel=True, cache=True)
def ewise_div(a, b, out):
    for i in prange(out.size):
        out[i] = a[i] / b[i]


@njit(parallel=True, cache=True)
def scalar_div(a, value, out):
    for i in prange(out.size):
        out[i] = a[i] / value


@njit(parallel=True, cache=True)
def ewise_power(a, b, out):
    for i in prange(out.size):
        out[i] = a[i] ** b[i]


@njit(parallel=True, cache=True)
def scalar_power(a, value, out):
    for i in prange(out.size):
        out[i] = a[i] ** value


@njit(parallel=True, cache=True)
def ewise_maximum(a, b, out):
    for i in prange(out.size):
        out[i] = max(a[i], b[i])


@njit(parallel=True, cache=True)
def scalar_maximum(a, value, out):
    for i in prange(out.size):
        out[i] = max(a[i], value)


@njit(parallel=True, cache=True)
def ewise_eq(a, b, out):
    for i in prange(out.size):
        out[i] = 1.0 if a[i] == b[i] else 0.0


@njit(parallel=True, cache=True)
def scalar_eq(a, value, out):
    for i in prange(out.size):
        out[i] = 1.0 if a[i] == value else 0.0


@njit(parallel=True, cache=True)
def ewise_ge(a, b, out):
    for i in prange(out.size):
        out[i] = 1.0 if a[i] >= b[i] else 0.0


@njit(parallel=True, cache=True)
def scalar_ge(a, value, out):
    for i in prange(out.size):
        out[i] = 1.0 if a[i] >= value else 0.0


@njit(parallel=True, cache=True)
def ewise_log(a, out):
    for i in prange(out.size):
        out[i] = np.log(a[i])


@njit(parallel=True, cache=True)
def ewise_exp(a, out):
    for i in prange(out.size):
        out[i] = np.exp(a[i])


@njit(parallel=True, cache=True)
def ewise_tanh(a, out):
    for i in prange(out.size):
        out[i] = np.tanh(a[i])


@njit(parallel=True, cache=True, fastmath=True)
def reduce_sum(a, out, reduce_size):
    if out.size >= PARALLEL_ROWS:  # many rows: a thread per row
        for i in prange(out.size):
            total = a[0] * 0
            for j in range(reduce_size):
                total += a[i * reduce_size + j]
            out[i] = total
    else:  # a few long rows: each one split among the threads
        for i in range(out.size):
            total = a[0] * 0
            base = i * reduce_size
            for j in prange(reduce_size):
                total += a[base + j]
            out[i] = total


@njit(parallel=True, cache=True)
def reduce_max(a, out, reduce_size):
    if out.size >= PARALLEL_ROWS:
        for i in prange(out.size):
            best = a[i * reduce_size]
            for j in range(1, reduce_size):
                best = max(best, a[i * reduce_size + j])
            out[i] = best
    else:
        for i in range(out.size):
            base = i * reduce_size
            best = a[base]
            for j in prange(1, reduce_size):
                best = max(best, a[base + j])
            out[i] = best


@njit(parallel=True, cache=True, fastmath=True)
def matmul(a, b, out, m, n, p):
    """out (m, p) = a (m, n) @ b (n, p); each thread owns ROWS rows, reusing each row of b."""
    A, B, C = a.reshape((m, n)), b.reshape((n, p)), out.reshape((m, p))
    for block in prange((m + ROWS - 1) // ROWS):
        i0 = block * ROWS
        i1 = min(i0 + ROWS, m)
        rows = np.zeros((ROWS, p), dtype=out.dtype)
        for k in range(n):
            for i in range(i0, i1):
                aik = A[i, k]
                for j in range(p):
                    rows[i - i0, j] += aik * B[k, j]
        C[i0:i1] = rows[:i1 - i0]
