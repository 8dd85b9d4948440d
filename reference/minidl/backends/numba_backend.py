"""The NDArray primitives as parallel CPU kernels compiled by Numba (`minidl.cpu_numba()`).

Buffers are flat NumPy arrays, as in numpy_backend, whose semantics these kernels reproduce.
Kernels are compiled on first use and cached on disk (`cache=True`), so later runs start fast.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

# The same flat NumPy buffers as numpy_backend, so copying in and out is NumPy's work.
from .numpy_backend import buffer_size, empty, from_numpy, to_numpy  # noqa: F401

ROWS = 8  # rows of the output one matmul task computes
NARROW = 64  # up to this many columns, matmul computes dot products instead
ROWS_PER_TASK = 64  # rows of a strided view one compact task copies
LONG_ROW = 32  # from this length, compact copies a contiguous or repeated row as a slice
PARALLEL_ROWS = 16  # below this many rows, a reduction splits each row among the threads


def _index_arrays(shape, strides):
    return np.asarray(shape, dtype=np.int64), np.asarray(strides, dtype=np.int64)


@njit(cache=True)
def _position(i, shape, strides, offset):
    """Buffer position of the i-th element, in row-major order, of a strided view."""
    ### BEGIN SOLUTION hw3
    position, rest = np.int64(offset), np.int64(i)
    for axis in range(shape.size - 1, -1, -1):
        position += (rest % shape[axis]) * strides[axis]
        rest //= shape[axis]
    return position
    ### END SOLUTION


@njit(parallel=True, cache=True)
def _compact(a, out, shape, strides, offset):
    """out[i] = the i-th element (row-major) of the view (shape, strides, offset) of a."""
    ### BEGIN SOLUTION hw3
    # Rows (the last axis) in chunks of ROWS_PER_TASK: one _position per chunk, then each
    # next row's start by counting the index up like an odometer, without division.
    length, step, axes = shape[-1], strides[-1], shape.size - 1
    rows = out.size // length
    for chunk in prange((rows + ROWS_PER_TASK - 1) // ROWS_PER_TASK):
        first = chunk * ROWS_PER_TASK
        index, rest = np.empty(axes, np.int64), first
        for axis in range(axes - 1, -1, -1):
            index[axis] = rest % shape[axis]
            rest //= shape[axis]
        start = _position(first * length, shape, strides, offset)
        for row in range(first, min(first + ROWS_PER_TASK, rows)):
            base = row * length
            if length >= LONG_ROW and step == 1:  # whole-row copies: they vectorize
                out[base:base + length] = a[start:start + length]
            elif length >= LONG_ROW and step == 0:
                out[base:base + length] = a[start]
            else:
                for j in range(length):
                    out[base + j] = a[start + j * step]
            axis = axes - 1
            while axis >= 0:
                index[axis] += 1
                start += strides[axis]
                if index[axis] < shape[axis]:
                    break
                start -= shape[axis] * strides[axis]
                index[axis] = 0
                axis -= 1
    ### END SOLUTION


@njit(parallel=True, cache=True)
def _ewise_setitem(a, out, shape, strides, offset):
    """Write a[i] to the i-th element (row-major) of the view (shape, strides, offset) of out."""
    ### BEGIN SOLUTION hw3
    # A row (the last axis) at a time: one _position per row, then steps along it.
    length, step = shape[-1], strides[-1]
    for row in prange(a.size // length):
        start = _position(row * length, shape, strides, offset)
        for j in range(length):
            out[start + j * step] = a[row * length + j]
    ### END SOLUTION


@njit(parallel=True, cache=True)
def _scalar_setitem(size, value, out, shape, strides, offset):
    """Write value to each of the `size` elements of the view (shape, strides, offset) of out."""
    ### BEGIN SOLUTION hw3
    for i in prange(size):
        out[_position(i, shape, strides, offset)] = value
    ### END SOLUTION


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
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = a[i] * b[i]
    ### END SOLUTION


@njit(parallel=True, cache=True)
def scalar_mul(a, value, out):
    """out = a * value."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = a[i] * value
    ### END SOLUTION


@njit(parallel=True, cache=True)
def ewise_div(a, b, out):
    """out = a / b, elementwise."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = a[i] / b[i]
    ### END SOLUTION


@njit(parallel=True, cache=True)
def scalar_div(a, value, out):
    """out = a / value."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = a[i] / value
    ### END SOLUTION


@njit(parallel=True, cache=True)
def ewise_power(a, b, out):
    """out = a ** b, elementwise."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = a[i] ** b[i]
    ### END SOLUTION


@njit(parallel=True, cache=True)
def scalar_power(a, value, out):
    """out = a ** value."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = a[i] ** value
    ### END SOLUTION


@njit(parallel=True, cache=True)
def ewise_maximum(a, b, out):
    """out = the larger of a and b, elementwise."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = max(a[i], b[i])
    ### END SOLUTION


@njit(parallel=True, cache=True)
def scalar_maximum(a, value, out):
    """out = the larger of a and value."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = max(a[i], value)
    ### END SOLUTION


@njit(parallel=True, cache=True)
def ewise_eq(a, b, out):
    """out = 1.0 where a == b, else 0.0."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = 1.0 if a[i] == b[i] else 0.0
    ### END SOLUTION


@njit(parallel=True, cache=True)
def scalar_eq(a, value, out):
    """out = 1.0 where a == value, else 0.0."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = 1.0 if a[i] == value else 0.0
    ### END SOLUTION


@njit(parallel=True, cache=True)
def ewise_ge(a, b, out):
    """out = 1.0 where a >= b, else 0.0."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = 1.0 if a[i] >= b[i] else 0.0
    ### END SOLUTION


@njit(parallel=True, cache=True)
def scalar_ge(a, value, out):
    """out = 1.0 where a >= value, else 0.0."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = 1.0 if a[i] >= value else 0.0
    ### END SOLUTION


@njit(parallel=True, cache=True)
def ewise_log(a, out):
    """out = log(a)."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = np.log(a[i])
    ### END SOLUTION


@njit(parallel=True, cache=True)
def ewise_exp(a, out):
    """out = exp(a)."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = np.exp(a[i])
    ### END SOLUTION


@njit(parallel=True, cache=True)
def ewise_tanh(a, out):
    """out = tanh(a)."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        out[i] = np.tanh(a[i])
    ### END SOLUTION


@njit(parallel=True, cache=True, fastmath=True)
def reduce_sum(a, out, reduce_size):
    """out[i] = sum of a[i * reduce_size : (i + 1) * reduce_size]."""
    ### BEGIN SOLUTION hw3
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
    ### END SOLUTION


@njit(parallel=True, cache=True)
def reduce_max(a, out, reduce_size):
    """out[i] = max of a[i * reduce_size : (i + 1) * reduce_size]."""
    ### BEGIN SOLUTION hw3
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
    ### END SOLUTION


@njit(parallel=True, cache=True, fastmath=True)
def matmul(a, b, out, m, n, p):
    """out (m, p) = a (m, n) @ b (n, p), all three flat and row-major; parallel and cache-aware."""
    ### BEGIN SOLUTION hw3
    A, B, C = a.reshape((m, n)), b.reshape((n, p)), out.reshape((m, p))
    if p <= NARROW:  # few columns: dot products of rows of A and of B^T, vectorized over n
        BT = np.ascontiguousarray(B.T)
        for block in prange((m + ROWS - 1) // ROWS):
            for i in range(block * ROWS, min(block * ROWS + ROWS, m)):
                row = A[i]
                for j in range(p):
                    column, total = BT[j], out.dtype.type(0)
                    for k in range(n):
                        total += row[k] * column[k]
                    C[i, j] = total
        return
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
    ### END SOLUTION
