"""Indexing, stacking and convolution operators (NCHW, as PyTorch)."""
from __future__ import annotations

import numpy as np

from ..autograd import Op, Tensor
from .mathematic import _axes_tuple


def _normalize_index(index, shape: tuple[int, ...]) -> tuple[slice, ...]:
    """`index` (slices and integers per leading axis) as one slice per axis; ints keep the axis."""
    index = index if isinstance(index, tuple) else (index,)
    if len(index) > len(shape):
        raise IndexError(f"too many indices ({len(index)}) for shape {shape}")
    slices = []
    for item, n in zip(index + (slice(None),) * (len(shape) - len(index)), shape):
        if isinstance(item, slice):
            slices.append(slice(*item.indices(n)))
        else:
            position = int(item) % n if -n <= int(item) < n else None
            if position is None:
                raise IndexError(f"index {item} is out of bounds for an axis of size {n}")
            slices.append(slice(position, position + 1, 1))
    return tuple(slices)


class Permute(Op):
    """The axes of a reordered: axis i of the result is axis axes[i] of a."""

    def __init__(self, axes: tuple[int, ...]):
        self.axes = tuple(axes)

    def compute(self, a):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")

    def gradient(self, out_grad, node):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")


class GetItem(Op):
    """a[index] for one slice (with a step) per axis: a view, copied compact."""

    def __init__(self, index: tuple[slice, ...]):
        self.index = index

    def compute(self, a):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")

    def gradient(self, out_grad, node):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")


class ScatterInto(Op):
    """Zeros of `shape` with a written into the slices `index` (the adjoint of GetItem)."""

    def __init__(self, index: tuple[slice, ...], shape: tuple[int, ...]):
        self.index, self.shape = index, tuple(shape)

    def compute(self, a):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")

    def gradient(self, out_grad, node):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")


class Flip(Op):
    """a reversed along `axes`."""

    def __init__(self, axes: tuple[int, ...]):
        self.axes = tuple(axes)

    def compute(self, a):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")

    def gradient(self, out_grad, node):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")


class Stack(Op):
    """The inputs, all of one shape, stacked along a new axis."""

    def __init__(self, axis: int):
        self.axis = axis

    def compute(self, *arrays):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")

    def gradient(self, out_grad, node):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")


class Concatenate(Op):
    """The inputs joined along an existing `axis` (their other axes agree)."""

    def __init__(self, axis: int):
        self.axis = axis

    def compute(self, *arrays):
        first = arrays[0]
        before = (slice(None),) * self.axis
        shape = list(first.shape)
        shape[self.axis] = sum(array.shape[self.axis] for array in arrays)
        out = first.device.empty(tuple(shape), first.dtype)
        start = 0
        for array in arrays:
            stop = start + array.shape[self.axis]
            out[before + (slice(start, stop),)] = array
            start = stop
        return out

    def gradient(self, out_grad, node):
        before, start, grads = (slice(None),) * self.axis, 0, []
        for x in node.inputs:
            stop = start + x.shape[self.axis]
            grads.append(getitem(out_grad, before + (slice(start, stop),)))
            start = stop
        return tuple(grads)


class TakeRows(Op):
    """Rows `ids` (integers of any shape) of a 2-D a: shape ids.shape + (a.shape[1],).

    The ids live on the host, so the rows are gathered there: one copy of a each way."""

    def __init__(self, ids):
        self.ids = np.asarray(ids, dtype=np.int64)

    def compute(self, a):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")

    def gradient(self, out_grad, node):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")


class AddRows(Op):
    """The adjoint of TakeRows: zeros (rows, d), with each row of a (ids.shape + (d,)) added
    to row ids[...] (repeated ids add up)."""

    def __init__(self, ids: np.ndarray, rows: int):
        self.ids, self.rows = ids, rows

    def compute(self, a):
        zeros = a.device.full((self.rows, a.shape[-1]), 0.0, a.dtype)
        return zeros.index_add_rows(self.ids.ravel(), a.reshape(self.ids.size, a.shape[-1]))

    def gradient(self, out_grad, node):
        return TakeRows(self.ids)(out_grad)


class Conv(Op):
    """2-D cross-correlation of x (N, C, H, W) with weight (O, C, kh, kw), as PyTorch's conv2d:
    windows `stride` apart, kernel taps `dilation` apart, over x with `input_dilation` - 1 zeros
    between neighbours and `padding` ((top, bottom), (left, right)) zeros around (negative
    padding crops). Those last two go beyond conv2d so that each gradient is one Conv again."""

    def __init__(self, stride: int, padding: tuple[tuple[int, int], tuple[int, int]],
                 dilation: int = 1, input_dilation: int = 1):
        self.stride, self.padding = stride, padding
        self.dilation, self.input_dilation = dilation, input_dilation

    def compute(self, x, weight):
        if x.device.has("live_conv"):  # the kit's tuned path: only the windows that read x
            out = x.device.kernels.live_conv(self, x, weight)
            if out is not None:
                return out
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")

    def gradient(self, out_grad, node):
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")


def permute(a: Tensor, axes) -> Tensor:
    """a with its axes in the order `axes` (negatives count from the end)."""
    return Permute(tuple(axis % a.ndim for axis in axes))(a)


def getitem(a: Tensor, index) -> Tensor:
    """a[index] for integers and slices (integers keep their axis here, as size 1)."""
    index = _normalize_index(index, a.shape)
    if index == tuple(slice(0, n, 1) for n in a.shape):
        return a
    return GetItem(index)(a)


def pad(a: Tensor, widths) -> Tensor:
    """Zeros around a: `widths` holds (before, after) for every axis."""
    if not any(before or after for before, after in widths):
        return a
    shape = tuple(n + before + after for n, (before, after) in zip(a.shape, widths))
    index = tuple(slice(before, before + n, 1) for n, (before, _) in zip(a.shape, widths))
    return ScatterInto(index, shape)(a)


def flip(a: Tensor, axes) -> Tensor:
    return Flip(_axes_tuple(axes, a.ndim))(a)


def dilate(a: Tensor, axes, dilation: int) -> Tensor:
    """`dilation` zeros inserted between neighbours along `axes`."""
    if dilation == 0:
        return a
    axes = _axes_tuple(axes, a.ndim)
    step = dilation + 1
    shape = tuple((n - 1) * step + 1 if i in axes else n for i, n in enumerate(a.shape))
    index = tuple(slice(0, m, step if i in axes else 1) for i, m in enumerate(shape))
    return ScatterInto(index, shape)(a)


def undilate(a: Tensor, axes, dilation: int) -> Tensor:
    """Every (dilation + 1)-th element along `axes`: the inverse of dilate."""
    axes = _axes_tuple(axes, a.ndim)
    return GetItem(tuple(slice(0, n, dilation + 1 if i in axes else 1)
                         for i, n in enumerate(a.shape)))(a)


def take_rows(a: Tensor, ids) -> Tensor:
    """a[ids] for a 2-D a and integer ids of any shape."""
    return TakeRows(ids)(a)


def stack(tensors, axis: int = 0) -> Tensor:
    """The tensors (of one shape) along a new axis `axis` (negatives count from the end)."""
    tensors = list(tensors)
    return Stack(axis % (tensors[0].ndim + 1))(*tensors)


def cat(tensors, axis: int = 0) -> Tensor:
    """The tensors joined along `axis` (PyTorch's torch.cat); their other axes must agree."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat needs at least one tensor")
    ndim = tensors[0].ndim
    axis = axis + ndim if axis < 0 else axis
    if not 0 <= axis < ndim:
        raise ValueError(f"cat: axis {axis} is out of range for tensors of {ndim} dimensions")
    rest = [t.shape[:axis] + t.shape[axis + 1:] for t in tensors]
    if any(t.ndim != ndim for t in tensors) or any(r != rest[0] for r in rest):
        raise ValueError(f"cat along axis {axis} needs tensors whose other axes agree, got "
                         f"shapes {[t.shape for t in tensors]}")
    return tensors[0] if len(tensors) == 1 else Concatenate(axis)(*tensors)


def split(a: Tensor, axis: int = 0) -> list[Tensor]:
    """The slices of a along `axis` (negatives count from the end), each without that axis."""
    axis %= a.ndim
    rest = a.shape[:axis] + a.shape[axis + 1:]
    return [getitem(a, (slice(None),) * axis + (i,)).reshape(rest) for i in range(a.shape[axis])]


def conv(x: Tensor, weight: Tensor, stride: int = 1, padding=0, dilation: int = 1,
         input_dilation: int = 1) -> Tensor:
    """Conv; `padding` is one number for every side or ((top, bottom), (left, right))."""
    if isinstance(padding, int):
        padding = ((padding, padding), (padding, padding))
    return Conv(stride, tuple((int(a), int(b)) for a, b in padding), dilation,
                input_dilation)(x, weight)


def conv_transpose(x: Tensor, weight: Tensor, stride: int = 1, padding: int = 0,
                   output_padding: int = 0) -> Tensor:
    """PyTorch's conv_transpose2d of x (N, C_in, H, W) with weight (C_in, C_out, kh, kw): every
    input pixel adds itself times the kernel into the output, `stride` apart; the output is
    (N, C_out, (H - 1) * stride - 2 * padding + kh + output_padding, and likewise for W)."""
    if x.ndim != 4 or weight.ndim != 4 or x.shape[1] != weight.shape[0]:
        raise ValueError(f"conv_transpose expects x (N, C_in, H, W) and weight (C_in, C_out, kh, "
                         f"kw), got shapes {x.shape} and {weight.shape}")
    if not 0 <= output_padding < stride:
        raise ValueError(f"conv_transpose needs 0 <= output_padding < stride, got "
                         f"output_padding={output_padding} with stride={stride} (x {x.shape}, "
                         f"weight {weight.shape})")
    size = [(n - 1) * stride - 2 * padding + k + output_padding
            for n, k in zip(x.shape[2:], weight.shape[2:])]
    if min(size) < 1:
        raise ValueError(f"conv_transpose: x {x.shape} with weight {weight.shape}, stride "
                         f"{stride}, padding {padding} would give an empty output {size}")
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")
