### BEGIN REFERENCE ONLY
"""The kit's tuned NDArray operations (the "views" capability): elementwise operations,
reductions and matrix products that read views and repeated vectors where they are, on a
device with kernels for it, instead of copying them compact first. Each returns None where it
has no better way, and NDArray's plain path runs. The starter does not include this module.
"""
from __future__ import annotations

import math

from ..ndarray import NDArray, compact_strides, kept_shape
from . import REPEATABLE

COMMUTATIVE = ("ewise_add", "ewise_mul")


def _view(array: NDArray) -> tuple:
    """`array` as the strided kernels take it: its buffer, strides and offset."""
    return array._handle, array.strides, array.offset


def _reads_views(capability: str, *arrays: NDArray) -> bool:
    """Whether the device has `capability` and some array is a view, not compact (the plain
    kernels read compact arrays faster)."""
    return (arrays[0].size > 0 and arrays[0].device.has(capability)
            and not all(array.is_compact() for array in arrays))


def _map_in_place(primitive: str, operands: tuple[NDArray, ...], *scalars) -> NDArray | None:
    """`primitive` over `operands` (of one shape) in one launch, reading them where they are."""
    if not _reads_views("strided_map", *operands):
        return None
    first = operands[0]
    out = NDArray.make(first.shape, device=first.device, dtype=first.dtype)
    first.device.kernels.map_strided(primitive, [_view(a) for a in operands], scalars,
                                     out._handle, first.shape)
    return out


def _repeated_vector(array: NDArray) -> bool | None:
    """True if `array` is a vector repeated down its rows (strides 0, ..., 0, 1), False if
    one repeated across its columns (strides row-major, then 0), None if neither."""
    if array.ndim < 2:
        return None
    if array.strides[-1] == 1 and not any(array.strides[:-1]):
        return True
    if array.strides[-1] == 0 and array.strides[:-1] == compact_strides(array.shape[:-1]):
        return False
    return None


def _repeated(a: NDArray, other: NDArray, ewise: str) -> NDArray | None:
    """`ewise` reading an operand that repeats a vector where it is, instead of copying it out
    to the whole shape; None where neither does."""
    if ewise not in REPEATABLE or not a.device.has("repeated_vector"):
        return None
    for x, y in [(a, other)] + [(other, a)] * (ewise in COMMUTATIVE):
        down_rows = None if y.is_compact() else _repeated_vector(y)
        if down_rows is not None:
            out = NDArray.make(a.shape, device=a.device, dtype=a.dtype)
            a.device.kernels.ewise_repeated(ewise, x.compact()._handle, y._handle, y.offset,
                                            out._handle, a.shape[-1], down_rows)
            return out
    return None


def view_elementwise(a: NDArray, other, ewise: str, scalar: str) -> NDArray | None:
    """NDArray._elementwise reading views where they are: any view through its strides, or a
    repeated vector."""
    if not isinstance(other, NDArray):
        return _map_in_place(scalar, (a,), float(other))
    if not a.size:
        return None
    out = _map_in_place(ewise, (a, other))
    return _repeated(a, other, ewise) if out is None else out


def view_unary(a: NDArray, name: str) -> NDArray | None:
    """NDArray._unary reading a view where it is."""
    return _map_in_place(name, (a,))


def view_reduce(a: NDArray, axis, keepdims: bool, primitive: str) -> NDArray | None:
    """NDArray._reduce reading a view where it is in one launch, else copying less of a compact
    array."""
    reduced = a._axes(axis)
    kept = tuple(i for i in range(a.ndim) if i not in reduced)
    if a.device.has("strided_reduce") and reduced and a.size:
        rows = a.permute(kept + reduced)  # row-major, one row of the reduced axes per output
        if not rows.is_compact():
            out = NDArray.make(rows.shape[:len(kept)], device=a.device, dtype=a.dtype)
            a.device.kernels.reduce_strided(primitive, _view(rows), out._handle,
                                            a.size // out.size, rows.shape)
            return out.reshape(kept_shape(a.shape, reduced, keepdims))
    if not reduced or a.size == 0 or not a.is_compact():
        return None
    trailing = next(i for i in range(len(reduced) + 1)
                    if i == len(reduced) or reduced[-1 - i] != a.ndim - 1 - i)
    # reduced axes already last go first, so that the copy is smaller (images' channel sums)
    if 0 < trailing < len(reduced) and math.prod(a.shape[-trailing:]) > 1:
        last = a._reduce(reduced[-trailing:], True, primitive)
        return last._reduce(reduced, keepdims, primitive)
    # a sum over leading axes is a row of ones times the array as a matrix: one pass, no copy
    if primitive == "reduce_sum" and trailing == 0 and reduced[-1] == len(reduced) - 1:
        kept_sizes = a.shape[len(reduced):]
        size = a.size // math.prod(kept_sizes)
        ones = NDArray.make((1, size), device=a.device, dtype=a.dtype)
        ones.fill(1.0)
        out = ones @ a.reshape(size, math.prod(kept_sizes))
        return out.reshape(kept_shape(a.shape, reduced, keepdims))
    return None


def view_matmul(a: NDArray, b: NDArray) -> NDArray | None:
    """NDArray.__matmul__ reading matrices that are views (a transposed weight) where they are,
    instead of copying them compact first."""
    if (a.ndim != 2 or b.ndim != 2 or b.device != a.device
            or not _reads_views("strided_matmul", a, b)
            or min(a.strides + b.strides) < 0):  # a reversed view: copied, as plainly
        return None
    (m, n), p = a.shape, b.shape[1]
    out = NDArray.make((m, p), device=a.device, dtype=a.dtype)
    a.device.kernels.matmul_strided(_view(a), _view(b), out._handle, m, n, p)
    return out
### END REFERENCE ONLY
