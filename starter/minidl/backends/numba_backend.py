"""The NDArray primitives as parallel CPU kernels compiled by Numba (`minidl.cpu_numba()`).

Buffers are flat NumPy arrays, as in numpy_backend, whose semantics these kernels reproduce.
Kernels are compiled on first use and cached on disk (`cache=True`), so later runs start fast.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

TILE = 64


def empty(size: int, dtype: str) -> np.ndarray:
    return np.empty(size, dtype=dtype)


def buffer_size(buffer: np.ndarray) -> int:
    return buffer.size


def from_numpy(array: np.ndarray, out: np.ndarray) -> None:
    out[:] = array.ravel()


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


@njit(parallel=True, cache=True)
def reduce_sum(a, out, reduce_size):
    for i in prange(out.size):
        total = a[i * reduce_size] * 0
        for j in range(reduce_size):
            total += a[i * reduce_size + j]
        out[i] = total


@njit(parallel=True, cache=True)
def reduce_max(a, out, reduce_size):
    for i in prange(out.size):
        best = a[i * reduce_size]
        for j in range(1, reduce_size):
            best = max(best, a[i * reduce_size + j])
        out[i] = best


@njit(parallel=True, cache=True)
def matmul(a, b, out, m, n, p):
    """out (m, p) = a (m, n) @ b (n, p), in TILE x TILE blocks of the output, rows in parallel."""
    for block in prange((m + TILE - 1) // TILE):
        i0 = block * TILE
        i1 = min(i0 + TILE, m)
        for j0 in range(0, p, TILE):
            j1 = min(j0 + TILE, p)
            for i in range(i0, i1):
                for j in range(j0, j1):
                    out[i * p + j] = 0
            for k0 in range(0, n, TILE):
                k1 = min(k0 + TILE, n)
                for i in range(i0, i1):
                    for k in range(k0, k1):
                        aik = a[i * n + k]
                        for j in range(j0, j1):
                            out[i * p + j] += aik * b[k * p + j]
