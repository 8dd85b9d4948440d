"""Rows gathered and scattered by an index: the message passing of graph layers (PyTorch's
index_select and index_add, PyTorch Geometric's scatter and softmax).

An index is a host NumPy array of integers (not a Tensor: it has no gradient). Each op moves
its `dim` to the front and works on rows through NDArray's take_rows, index_add_rows and
scatter_max_rows.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, Tensor

REDUCTIONS = ("sum", "mean", "max")


def _dim(dim: int, ndim: int) -> int:
    """`dim` (negatives count from the end) as a non-negative axis of an `ndim`-D tensor."""
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise IndexError(f"dim {dim} out of range for a tensor of {ndim} dimensions")
    return dim % max(ndim, 1)


def _checked_index(index, size: int, name: str) -> np.ndarray:
    """`index` as 1-D int64, every entry one of `size` positions (errors say which is not)."""
    index = np.asarray(index)
    if index.ndim != 1 or (index.size and not np.issubdtype(index.dtype, np.integer)):
        raise ValueError(f"{name}: index must be a 1-D array of integers, got shape "
                         f"{index.shape} and dtype {index.dtype}")
    index = index.astype(np.int64, copy=False)
    bad = index[(index < 0) | (index >= size)]
    if bad.size:
        raise IndexError(f"{name}: index {bad[0]} out of range for size {size}")
    return index


def _segments(src: Tensor, index, size: int | None, name: str) -> tuple[np.ndarray, int]:
    """index checked as one segment number per row of src, and the number of segments (one
    past the largest index when `size` is None)."""
    index = np.asarray(index)
    if size is None:
        size = int(index.max()) + 1 if index.size else 0
    index = _checked_index(index, size, name)
    if src.ndim == 0 or index.size != src.shape[0]:
        raise ValueError(f"{name}: index of {index.size} entries for src of shape {src.shape} "
                         "(one entry per row)")
    return index, size


def _zeros(shape: tuple[int, ...], like: Tensor) -> Tensor:
    """A constant of zeros of `shape` on like's device and of its dtype."""
    return Tensor.make_const(like.device.full(shape, 0.0, like.dtype))


class IndexSelect(Op):
    """The slices index[k] of a along `dim`, in order (torch.index_select)."""

    def __init__(self, dim: int, index: np.ndarray):
        self.dim, self.index = dim, index

    def compute(self, a):
        # YOUR CODE HERE (hw7)
        raise NotImplementedError("hw7")

    def gradient(self, out_grad, node):
        # YOUR CODE HERE (hw7)
        raise NotImplementedError("hw7")


class IndexAdd(Op):
    """A copy of a with alpha * slice k of source added to slice index[k] along `dim`
    (Tensor.index_add; repeated indices add up)."""

    def __init__(self, dim: int, index: np.ndarray, alpha: float = 1.0):
        self.dim, self.index, self.alpha = dim, index, alpha

    def compute(self, a, source):
        # YOUR CODE HERE (hw7)
        raise NotImplementedError("hw7")

    def gradient(self, out_grad, node):
        # YOUR CODE HERE (hw7)
        raise NotImplementedError("hw7")


def _zero_empty_rows(out, counts: np.ndarray):
    """`out` with its rows r where counts[r] == 0 (-inf after a scatter max) set to 0."""
    lowest = float(np.finfo(out.dtype).min)  # -inf * 0 would be NaN: raised to a finite one
    kept = out.device.array((counts > 0).reshape((-1,) + (1,) * (out.ndim - 1)), out.dtype)
    return out.maximum(lowest) * kept.broadcast_to(out.shape) + 0.0  # + 0.0: -0.0 to 0.0


class ScatterMax(Op):
    """(dim_size, *): row r the elementwise max of the rows k of src (E, *) with index[k] == r,
    0 where there are none (PyG's scatter with reduce="max"); ties share the gradient."""

    def __init__(self, index: np.ndarray, dim_size: int):
        self.index, self.dim_size = index, dim_size
        self.counts = np.bincount(index, minlength=dim_size)  # rows of src landing on each

    def compute(self, src):
        # YOUR CODE HERE (hw7)
        raise NotImplementedError("hw7")

    def gradient(self, out_grad, node):
        # YOUR CODE HERE (hw7)
        raise NotImplementedError("hw7")


def index_select(a: Tensor, dim: int, index) -> Tensor:
    """The slices `index` (1-D integers, repeats allowed) of a along `dim` (torch.index_select)."""
    dim = _dim(dim, a.ndim)
    return IndexSelect(dim, _checked_index(index, a.shape[dim], "index_select"))(a)


def index_add(a: Tensor, dim: int, index, source: Tensor, alpha: float = 1.0) -> Tensor:
    """A copy of a with alpha * source's slice k along `dim` added at index[k] (Tensor.index_add)."""
    dim = _dim(dim, a.ndim)
    index = _checked_index(index, a.shape[dim], "index_add")
    expected = a.shape[:dim] + (index.size,) + a.shape[dim + 1:]
    if source.shape != expected:
        raise ValueError(f"index_add: source of shape {source.shape} should be {expected} for "
                         f"a of shape {a.shape}, dim {dim} and {index.size} indices")
    return IndexAdd(dim, index, alpha)(a, source)


def scatter(src: Tensor, index, dim_size: int | None = None, reduce: str = "sum") -> Tensor:
    """Rows of src (E, *) reduced by index (E,) into dim_size rows, along dim 0 (PyG's
    utils.scatter): reduce "sum", "mean" or "max"; rows no index names are 0."""
    if reduce not in REDUCTIONS:
        raise ValueError(f"scatter: reduce must be one of {REDUCTIONS}, got {reduce!r}")
    index, dim_size = _segments(src, index, dim_size, "scatter")
    # YOUR CODE HERE (hw7)
    raise NotImplementedError("hw7")


def segment_softmax(src: Tensor, index, num_segments: int | None = None) -> Tensor:
    """Softmax of src (E,) or (E, H) over the entries sharing an index, per column (PyG's
    utils.softmax): attention weights over the edges entering each node."""
    index, num_segments = _segments(src, index, num_segments, "segment_softmax")
    # YOUR CODE HERE (hw7)
    raise NotImplementedError("hw7")
