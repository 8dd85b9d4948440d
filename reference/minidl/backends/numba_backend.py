"""The NDArray primitives as parallel CPU kernels compiled by Numba (`minidl.cpu_numba()`).

Buffers are flat NumPy arrays, as in numpy_backend, whose semantics these kernels reproduce.
Kernels are compiled on first use and cached on disk (`cache=True`), so later runs start fast.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange
from numba.extending import register_jitable

# The same flat NumPy buffers as numpy_backend, so copying in and out is NumPy's work.
from .numpy_backend import buffer_size, empty, from_numpy, to_numpy  # noqa: F401


def _index_arrays(shape, strides):
    return np.asarray(shape, dtype=np.int64), np.asarray(strides, dtype=np.int64)


@njit(parallel=True, cache=True)
def fill(out, value):
    """Every element of out = value (a worked example: one parallel loop over the buffer)."""
    for i in prange(out.size):
        out[i] = value


# Strided copies: the i-th element, in row-major order, of a view.

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
    for i in prange(out.size):
        out[i] = a[_position(i, shape, strides, offset)]
    ### END SOLUTION


@njit(parallel=True, cache=True)
def _ewise_setitem(a, out, shape, strides, offset):
    """Write a[i] to the i-th element (row-major) of the view (shape, strides, offset) of out."""
    ### BEGIN SOLUTION hw3
    for i in prange(a.size):
        out[_position(i, shape, strides, offset)] = a[i]
    ### END SOLUTION


@njit(parallel=True, cache=True)
def _scalar_setitem(size, value, out, shape, strides, offset):
    """Write value to each of the `size` elements of the view (shape, strides, offset) of out."""
    ### BEGIN SOLUTION hw3
    for i in prange(size):
        out[_position(i, shape, strides, offset)] = value
    ### END SOLUTION


def compact(a, out, shape, strides, offset: int) -> None:
    _compact(a, out, *_index_arrays(shape, strides), offset)


def ewise_setitem(a, out, shape, strides, offset: int) -> None:
    _ewise_setitem(a, out, *_index_arrays(shape, strides), offset)


def scalar_setitem(size: int, value: float, out, shape, strides, offset: int) -> None:
    _scalar_setitem(size, value, out, *_index_arrays(shape, strides), offset)


# Elementwise kernels: one parallel loop per shape of loop, applying a function of one or two
# numbers at each element.

def _map_kernels(function):
    """The array-array and array-scalar kernels applying `function` at each element."""
    apply = register_jitable(function)  # a closure over an njit function would miss the cache

    @njit(parallel=True, cache=True)
    def ewise(a, b, out):
        ### BEGIN SOLUTION hw3
        for i in prange(out.size):
            out[i] = apply(a[i], b[i])
        ### END SOLUTION

    @njit(parallel=True, cache=True)
    def scalar(a, value, out):
        ### BEGIN SOLUTION hw3
        for i in prange(out.size):
            out[i] = apply(a[i], value)
        ### END SOLUTION

    return ewise, scalar


def _unary_kernel(function):
    """The kernel applying `function` to each element."""
    apply = register_jitable(function)

    @njit(parallel=True, cache=True)
    def unary(a, out):
        ### BEGIN SOLUTION hw3
        for i in prange(out.size):
            out[i] = apply(a[i])
        ### END SOLUTION

    return unary


ewise_add, scalar_add = _map_kernels(lambda x, y: x + y)
ewise_mul, scalar_mul = _map_kernels(lambda x, y: x * y)
ewise_div, scalar_div = _map_kernels(lambda x, y: x / y)
ewise_power, scalar_power = _map_kernels(lambda x, y: x ** y)
ewise_maximum, scalar_maximum = _map_kernels(lambda x, y: max(x, y))
ewise_eq, scalar_eq = _map_kernels(lambda x, y: 1.0 if x == y else 0.0)
ewise_ge, scalar_ge = _map_kernels(lambda x, y: 1.0 if x >= y else 0.0)
ewise_log = _unary_kernel(lambda x: np.log(x))
ewise_exp = _unary_kernel(lambda x: np.exp(x))
ewise_tanh = _unary_kernel(lambda x: np.tanh(x))


# Reductions and matmul.

@njit(parallel=True, cache=True, fastmath=True)
def reduce_sum(a, out, reduce_size):
    """out[i] = sum of a[i * reduce_size : (i + 1) * reduce_size]."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        total = 0.0
        for j in range(i * reduce_size, (i + 1) * reduce_size):
            total += a[j]
        out[i] = total
    ### END SOLUTION


@njit(parallel=True, cache=True)
def reduce_max(a, out, reduce_size):
    """out[i] = max of a[i * reduce_size : (i + 1) * reduce_size]."""
    ### BEGIN SOLUTION hw3
    for i in prange(out.size):
        best = a[i * reduce_size]
        for j in range(i * reduce_size + 1, (i + 1) * reduce_size):
            best = max(best, a[j])
        out[i] = best
    ### END SOLUTION


@njit(parallel=True, cache=True, fastmath=True)
def matmul(a, b, out, m, n, p):
    """out (m, p) = a (m, n) @ b (n, p), all three flat and row-major."""
    ### BEGIN SOLUTION hw3
    A, B, C = a.reshape((m, n)), b.reshape((n, p)), out.reshape((m, p))
    for i in prange(m):
        row = np.zeros(p, dtype=out.dtype)  # a local row: Numba then vectorizes the j loop
        for k in range(n):  # i, k, j: the innermost loop walks rows of B contiguously
            for j in range(p):
                row[j] += A[i, k] * B[k, j]
        C[i] = row
    ### END SOLUTION


# Rows gathered and scattered by a host index (int64): `a` and `out` are flat buffers of rows
# of `cols` numbers, the index already checked to be in range. A scatter is race-free in
# parallel by grouping the index by target row first (a counting sort: CSR), then giving each
# thread whole target rows, each summed in the index's order. The loops run over 2-D row views:
# measured 3.7-5.7x the speed of the same loops over flat offsets (100,000 rows of 16-64).

@njit(parallel=True, cache=True)
def take_rows(a, index, out, cols):
    """Row k of out = row index[k] of a."""
    rows, picked = a.reshape(-1, cols), out.reshape(-1, cols)
    for k in prange(index.size):
        source, target = rows[index[k]], picked[k]
        for c in range(cols):
            target[c] = source[c]


@njit(cache=True)
def _group_by_row(index, rows):
    """(starts, order): the k with index[k] == r are order[starts[r]:starts[r + 1]], rising."""
    starts = np.zeros(rows + 1, dtype=np.int64)
    for k in range(index.size):
        starts[index[k] + 1] += 1
    for r in range(rows):
        starts[r + 1] += starts[r]
    filled, order = starts[:-1].copy(), np.empty(index.size, dtype=np.int64)
    for k in range(index.size):
        order[filled[index[k]]] = k
        filled[index[k]] += 1
    return starts, order


@njit(parallel=True, cache=True)
def _scatter_add(a, starts, order, out, cols):
    rows, targets = a.reshape(-1, cols), out.reshape(-1, cols)
    for r in prange(starts.size - 1):
        target = targets[r]
        for j in range(starts[r], starts[r + 1]):
            source = rows[order[j]]
            for c in range(cols):
                target[c] += source[c]


@njit(parallel=True, cache=True)
def _scatter_max(a, starts, order, out, cols):
    rows, targets = a.reshape(-1, cols), out.reshape(-1, cols)
    for r in prange(starts.size - 1):
        target = targets[r]
        for j in range(starts[r], starts[r + 1]):
            source = rows[order[j]]
            for c in range(cols):
                target[c] = max(target[c], source[c])


def scatter_add(a, index, out, cols: int) -> None:
    """Row index[k] of out += row k of a."""
    _scatter_add(a, *_group_by_row(index, out.size // cols), out, cols)


def scatter_max(a, index, out, cols: int) -> None:
    """Row index[k] of out = max(itself, row k of a)."""
    _scatter_max(a, *_group_by_row(index, out.size // cols), out, cols)
