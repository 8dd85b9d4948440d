"""The NDArray primitives as parallel CPU kernels compiled by Numba (`minidl.cpu_numba()`).

Buffers are flat NumPy arrays, as in numpy_backend, whose semantics these kernels reproduce.
Kernels are compiled on first use and cached on disk (`cache=True`), so later runs start fast.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

# The same flat NumPy buffers as numpy_backend, so copying in and out is NumPy's work.
from .numpy_backend import buffer_size, empty, from_numpy, to_numpy  # noqa: F401

ROWS, COLUMNS, DEPTH = 32, 64, 1024  # the block of out one matmul task computes, k at a time
SHORT, WIDE, LONG = 128, 64, 2048  # k below SHORT, or out from WIDE wide and k below LONG:
# rows of B added up (the B^T dot products otherwise)
SHORT_ROWS, SHORT_COLUMNS = 8, 512  # the block of out one such task computes
TASK_ELEMENTS = 2048  # about this many elements of a strided view one compact task copies
TILE = 16  # and at least this many rows, TILE numbers of each at a time
LONG_ROW = 32  # from this length, compact copies a contiguous or repeated row as a slice
PARALLEL_ROWS = 16  # below this many rows, a reduction splits each row among the threads


def _index_arrays(shape, strides):
    return np.asarray(shape, dtype=np.int64), np.asarray(strides, dtype=np.int64)


@njit(cache=True)
def _position(i, shape, strides, offset):
    """Buffer position of the i-th element, in row-major order, of a strided view."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def _compact(a, out, shape, strides, offset):
    """out[i] = the i-th element (row-major) of the view (shape, strides, offset) of a."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def _ewise_setitem(a, out, shape, strides, offset):
    """Write a[i] to the i-th element (row-major) of the view (shape, strides, offset) of out."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def _scalar_setitem(size, value, out, shape, strides, offset):
    """Write value to each of the `size` elements of the view (shape, strides, offset) of out."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


def _merged_axes(shape, strides) -> tuple[list[int], list[int]]:
    """The same view with fewer axes: length-1 axes dropped, and each axis that steps
    evenly into the next merged with it; at least one axis."""
    merged_shape, merged_strides = [1], [0]
    for n, stride in zip(shape, strides):
        if n == 1:
            continue
        if merged_strides[-1] == stride * n or merged_shape[-1] == 1:
            merged_shape[-1] *= n
            merged_strides[-1] = stride
        else:
            merged_shape.append(n)
            merged_strides.append(stride)
    return merged_shape, merged_strides


def compact(a, out, shape, strides, offset: int) -> None:
    if out.size:
        _compact(a, out, *_index_arrays(*_merged_axes(shape, strides)), offset)


def ewise_setitem(a, out, shape, strides, offset: int) -> None:
    if a.size:
        _ewise_setitem(a, out, *_index_arrays(*_merged_axes(shape, strides)), offset)


def scalar_setitem(size: int, value: float, out, shape, strides, offset: int) -> None:
    _scalar_setitem(size, value, out, *_index_arrays(shape, strides), offset)


@njit(parallel=True, cache=True)
def fill(out, value):
    """Every element of out = value (a worked example: one parallel loop over the buffer)."""
    for i in prange(out.size):
        out[i] = value


@njit(parallel=True, cache=True)
def ewise_add(a, b, out):
    """out = a + b, elementwise (a worked example)."""
    for i in prange(out.size):
        out[i] = a[i] + b[i]


@njit(parallel=True, cache=True)
def scalar_add(a, value, out):
    """out = a + value (a worked example)."""
    for i in prange(out.size):
        out[i] = a[i] + value


@njit(parallel=True, cache=True)
def ewise_mul(a, b, out):
    """out = a * b, elementwise."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def scalar_mul(a, value, out):
    """out = a * value."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def ewise_div(a, b, out):
    """out = a / b, elementwise."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def scalar_div(a, value, out):
    """out = a / value."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def ewise_power(a, b, out):
    """out = a ** b, elementwise."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def scalar_power(a, value, out):
    """out = a ** value."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def ewise_maximum(a, b, out):
    """out = the larger of a and b, elementwise."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def scalar_maximum(a, value, out):
    """out = the larger of a and value."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def ewise_eq(a, b, out):
    """out = 1.0 where a == b, else 0.0."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def scalar_eq(a, value, out):
    """out = 1.0 where a == value, else 0.0."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def ewise_ge(a, b, out):
    """out = 1.0 where a >= b, else 0.0."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def scalar_ge(a, value, out):
    """out = 1.0 where a >= value, else 0.0."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def ewise_log(a, out):
    """out = log(a)."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def ewise_exp(a, out):
    """out = exp(a)."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def ewise_tanh(a, out):
    """out = tanh(a)."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True, fastmath=True)
def reduce_sum(a, out, reduce_size):
    """out[i] = sum of a[i * reduce_size : (i + 1) * reduce_size]."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True)
def reduce_max(a, out, reduce_size):
    """out[i] = max of a[i * reduce_size : (i + 1) * reduce_size]."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")


@njit(parallel=True, cache=True, fastmath=True)
def matmul(a, b, out, m, n, p):
    """out (m, p) = a (m, n) @ b (n, p), all three flat and row-major; parallel and cache-aware."""
    # YOUR CODE HERE (hw3)
    raise NotImplementedError("hw3")
