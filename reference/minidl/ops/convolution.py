"""Indexing, stacking and convolution operators (NCHW, as PyTorch)."""
from __future__ import annotations

import math

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
        ### BEGIN SOLUTION hw4
        return a.permute(self.axes)
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw4
        inverse = tuple(sorted(range(len(self.axes)), key=self.axes.__getitem__))
        return permute(out_grad, inverse)
        ### END SOLUTION


class GetItem(Op):
    """a[index] for one slice (with a step) per axis: a view, copied compact."""

    def __init__(self, index: tuple[slice, ...]):
        self.index = index

    def compute(self, a):
        ### BEGIN SOLUTION hw4
        return a[self.index].compact()
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw4
        return ScatterInto(self.index, node.inputs[0].shape)(out_grad)
        ### END SOLUTION


class ScatterInto(Op):
    """Zeros of `shape` with a written into the slices `index` (the adjoint of GetItem)."""

    def __init__(self, index: tuple[slice, ...], shape: tuple[int, ...]):
        self.index, self.shape = index, tuple(shape)

    def compute(self, a):
        ### BEGIN SOLUTION hw4
        out = a.device.full(self.shape, 0.0, a.dtype)
        out[self.index] = a
        return out
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw4
        return GetItem(self.index)(out_grad)
        ### END SOLUTION


class Flip(Op):
    """a reversed along `axes`."""

    def __init__(self, axes: tuple[int, ...]):
        self.axes = tuple(axes)

    def compute(self, a):
        ### BEGIN SOLUTION hw4
        return a[tuple(slice(None, None, -1) if i in self.axes else slice(None)
                       for i in range(a.ndim))].compact()
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw4
        return flip(out_grad, self.axes)
        ### END SOLUTION


class Stack(Op):
    """The inputs, all of one shape, stacked along a new axis."""

    def __init__(self, axis: int):
        self.axis = axis

    def compute(self, *arrays):
        ### BEGIN SOLUTION hw4
        first = arrays[0]
        shape = first.shape[:self.axis] + (len(arrays),) + first.shape[self.axis:]
        out = first.device.empty(shape, first.dtype)
        for i, array in enumerate(arrays):
            if array.shape != first.shape:
                raise ValueError(f"stack needs arrays of one shape, got {first.shape} and "
                                 f"{array.shape}")
            out[(slice(None),) * self.axis + (i,)] = array
        return out
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw4
        return tuple(split(out_grad, self.axis))
        ### END SOLUTION


class TakeRows(Op):
    """Rows `ids` (integers of any shape) of a 2-D a: shape ids.shape + (a.shape[1],).

    The ids live on the host, so the rows are gathered there: one copy of a each way."""

    def __init__(self, ids):
        self.ids = np.asarray(ids, dtype=np.int64)

    def compute(self, a):
        ### BEGIN SOLUTION hw4
        return a.device.array(a.numpy()[self.ids], a.dtype)
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw4
        return AddRows(self.ids, node.inputs[0].shape[0])(out_grad)
        ### END SOLUTION


class AddRows(Op):
    """The adjoint of TakeRows: zeros (rows, d), with each row of a (ids.shape + (d,)) added
    to row ids[...] (repeated ids add up)."""

    def __init__(self, ids: np.ndarray, rows: int):
        self.ids, self.rows = ids, rows

    def compute(self, a):
        out = np.zeros((self.rows, a.shape[-1]), dtype=a.dtype)
        np.add.at(out, self.ids.ravel(), a.numpy().reshape(self.ids.size, a.shape[-1]))
        return a.device.array(out, a.dtype)

    def gradient(self, out_grad, node):
        return TakeRows(self.ids)(out_grad)


class Conv(Op):
    """2-D cross-correlation of x (N, C, H, W) with weight (O, C, kh, kw), as PyTorch's conv2d:
    windows `stride` apart, kernel taps `dilation` apart, x padded with `padding` zeros."""

    def __init__(self, stride: int = 1, padding: int = 0, dilation: int = 1):
        self.stride, self.padding, self.dilation = stride, padding, dilation

    def compute(self, x, weight):
        ### BEGIN SOLUTION hw4
        n, c, h, w = x.shape
        out_channels, _, kh, kw = weight.shape
        p, s, d = self.padding, self.stride, self.dilation
        # Channels last (N, H, W, C): each tap of a window is then C contiguous numbers,
        # which compact() copies as whole rows
        x = x.permute((0, 2, 3, 1))
        if p:
            padded = x.device.full((n, h + 2 * p, w + 2 * p, c), 0.0, x.dtype)
            padded[:, p:p + h, p:p + w, :] = x
            x = padded
        x = x.compact()
        sn, sh, sw, sc = x.strides
        ho, wo = (x.shape[1] - d * (kh - 1) - 1) // s + 1, (x.shape[2] - d * (kw - 1) - 1) // s + 1
        # im2col: every window as a row, without copying until compact()
        windows = x.as_strided((n, ho, wo, kh, kw, c), (sn, sh * s, sw * s, sh * d, sw * d, sc))
        columns = windows.compact().reshape(n * ho * wo, kh * kw * c)
        kernel = weight.permute((0, 2, 3, 1)).compact().reshape(out_channels, kh * kw * c)
        out = (columns @ kernel.permute((1, 0)).compact()).reshape(n, ho, wo, out_channels)
        return out.permute((0, 3, 1, 2)).compact()
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw4
        x, weight = node.inputs
        _, _, h, w = x.shape
        _, _, kh, kw = weight.shape
        p, s, d = self.padding, self.stride, self.dilation
        # d/dweight: x's channels as the batch, the gradient as the kernel; the roles of
        # stride and dilation swap. Padded x is cut to the rows and columns the windows
        # reached, so that the result is (C, O, kh, kw) with nothing computed to be dropped.
        reach = (d * (kh - 1) + s * (out_grad.shape[2] - 1) + 1,
                 d * (kw - 1) + s * (out_grad.shape[3] - 1) + 1)
        used = getitem(pad(x, ((0, 0), (0, 0), (p, p), (p, p))),
                       (slice(None), slice(None), slice(0, reach[0]), slice(0, reach[1])))
        by_channel = conv(permute(used, (1, 0, 2, 3)), permute(out_grad, (1, 0, 2, 3)),
                          stride=d, dilation=s)
        grad_w = permute(by_channel, (1, 0, 2, 3))
        if not x.requires_grad:  # a network's input images: skip their costly gradient
            return None, grad_w
        # d/dx: the gradient, dilated by the stride (and zero-extended where the stride
        # skipped x's last rows and columns), correlated with the flipped kernel, its in/out
        # channels swapped, over the padding that makes it "full", less x's own.
        grad = dilate(out_grad, (2, 3), s - 1)
        reach_h, reach_w = d * (kh - 1), d * (kw - 1)
        grad = pad(grad, ((0, 0), (0, 0), (0, h + 2 * p - reach_h - grad.shape[2]),
                          (0, w + 2 * p - reach_w - grad.shape[3])))
        flipped = permute(flip(weight, (2, 3)), (1, 0, 2, 3))
        if p <= reach_h and reach_h == reach_w:
            grad_x = conv(grad, flipped, padding=reach_h - p, dilation=d)
        else:  # padding beyond the kernel's reach: correlate in full, then crop
            full = conv(pad(grad, ((0, 0), (0, 0), (reach_h, reach_h), (reach_w, reach_w))),
                        flipped, dilation=d)
            grad_x = getitem(full, (slice(None), slice(None), slice(p, p + h), slice(p, p + w)))
        return grad_x, grad_w
        ### END SOLUTION


def permute(a: Tensor, axes) -> Tensor:
    return Permute(tuple(axes))(a)


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
    return Stack(axis)(*tensors)


def split(a: Tensor, axis: int = 0) -> list[Tensor]:
    """The slices of a along `axis`, each without that axis."""
    rest = a.shape[:axis] + a.shape[axis + 1:]
    return [getitem(a, (slice(None),) * axis + (i,)).reshape(rest) for i in range(a.shape[axis])]


def conv(x: Tensor, weight: Tensor, stride: int = 1, padding: int = 0,
         dilation: int = 1) -> Tensor:
    return Conv(stride, padding, dilation)(x, weight)
