"""NumPy-like functions over NDArray: the names operators compute with, on any device."""
from __future__ import annotations

import math

import numpy

from ..ndarray import NDArray

broadcast_shapes = numpy.broadcast_shapes


def exp(a: NDArray) -> NDArray:
    return a.exp()


def log(a: NDArray) -> NDArray:
    return a.log()


def tanh(a: NDArray) -> NDArray:
    return a.tanh()


def sqrt(a: NDArray) -> NDArray:
    return a ** 0.5


def maximum(a: NDArray, b) -> NDArray:
    return a.maximum(b)


def sum(a: NDArray, axis=None, keepdims: bool = False) -> NDArray:  # noqa: A001
    return a.sum(axis, keepdims)


def max(a: NDArray, axis=None, keepdims: bool = False) -> NDArray:  # noqa: A001
    return a.max(axis, keepdims)


def broadcast_to(a: NDArray, shape) -> NDArray:
    return a.broadcast_to(tuple(shape))


def reshape(a: NDArray, shape) -> NDArray:
    """`a` with `shape`; a view when `a` is compact, else a compact copy reshaped."""
    return a.compact().reshape(tuple(shape))


def swapaxes(a: NDArray, i: int, j: int) -> NDArray:
    order = list(range(a.ndim))
    order[i], order[j] = order[j], order[i]
    return a.permute(tuple(order))


def squeeze(a: NDArray, axis) -> NDArray:
    axes = {x % a.ndim for x in ((axis,) if isinstance(axis, int) else axis)}
    return reshape(a, tuple(n for i, n in enumerate(a.shape) if i not in axes))


def matmul(a: NDArray, b: NDArray) -> NDArray:
    """Matrix product of the last two axes, over leading axes that broadcast together."""
    if a.ndim == 2 and b.ndim == 2:
        return a @ b
    batch = tuple(broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    (m, n), p = a.shape[-2:], b.shape[-1]
    a = a.broadcast_to(batch + (m, n)).compact()
    b = b.broadcast_to(batch + (n, p)).compact()
    out = a.device.empty(batch + (m, p), a.dtype)
    for i in range(math.prod(batch)):  # one 2-D product per matrix of the compact batches
        product = a.as_strided((m, n), (n, 1), i * m * n) @ b.as_strided((n, p), (p, 1), i * n * p)
        out.as_strided((m, p), (p, 1), i * m * p).assign(product)
    return out


def full(shape, value: float, dtype: str, device) -> NDArray:
    return device.full(tuple(shape), value, dtype)

