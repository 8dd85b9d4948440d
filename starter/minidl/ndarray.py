"""NDArray: a strided view of a flat buffer on a device.

Views (reshape of a compact array, permute, broadcast_to, indexing with integers and slices)
only change shape, strides (in elements) and offset; `compact()` copies into row-major order.
Every computation goes through the small set of primitives a backend module implements on
flat buffers (see backends/numpy_backend.py), so a new device is one new module.
"""
from __future__ import annotations

import functools
import math
import operator
from types import ModuleType, SimpleNamespace

import numpy as np

SUPPORTED_DTYPES = ("float32", "float64")


class Device:
    """A device: a name, the backend module whose primitives compute on its buffers, and the
    kit's tuned module for it where there is one (see backends/__init__.py).

    `kernels` holds what runs: every primitive, from the tuned module where it lists it, and
    the functions of every capability the tuned module offers.
    """

    def __init__(self, name: str, backend: ModuleType, tuned: ModuleType | None = None):
        self.name, self.backend, self.tuned = name, backend, tuned
        replaced = tuned.PRIMITIVES if tuned else ()
        capabilities = tuned.CAPABILITIES if tuned else ()
        from .backends import CAPABILITIES, PRIMITIVES  # backends import this module
        self.kernels = SimpleNamespace(
            **{name: getattr(tuned if name in replaced else backend, name) for name in PRIMITIVES},
            **{part: getattr(tuned, part) for capability in capabilities
               for part in CAPABILITIES[capability]})
        self._capabilities, self._known = frozenset(capabilities), frozenset(CAPABILITIES)

    def has(self, capability: str) -> bool:
        """Whether this device offers the tuned `capability` (a name of backends.CAPABILITIES)."""
        if capability not in self._known:
            raise ValueError(f"unknown capability {capability!r}; see backends.CAPABILITIES")
        return capability in self._capabilities

    def __eq__(self, other) -> bool:
        return isinstance(other, Device) and self.name == other.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"minidl.{self.name}()"

    def array(self, data, dtype: str = "float32") -> "NDArray":
        """A new array of `dtype` on this device holding `data` (lists, scalars or arrays)."""
        return NDArray(data.numpy() if isinstance(data, NDArray) else data, device=self,
                       dtype=dtype)

    def empty(self, shape, dtype: str = "float32") -> "NDArray":
        return NDArray.make(tuple(shape), device=self, dtype=dtype)

    def full(self, shape, value: float, dtype: str = "float32") -> "NDArray":
        array = self.empty(shape, dtype)
        array.fill(value)
        return array


def _default_device() -> Device:
    from .backends import default_device  # backends import this module: resolved at call time
    return default_device()


def kept_shape(shape: tuple[int, ...], reduced: tuple[int, ...], keepdims: bool) -> tuple:
    """The shape of a reduction of `shape` over the axes `reduced`."""
    return tuple(1 if i in reduced else n for i, n in enumerate(shape)
                 if keepdims or i not in reduced)


@functools.lru_cache(maxsize=1024)  # asked for every new array: a few shapes, many times
def compact_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Row-major strides, in elements, of an array of `shape`."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return tuple(reversed(strides))


def _matrices(a: "NDArray") -> list["NDArray"]:
    """The matrices (last two axes) of a compact array, in order, as views."""
    (m, n), count = a.shape[-2:], math.prod(a.shape[:-2])
    return [a.as_strided((m, n), (n, 1), i * m * n) for i in range(count)]


def _entries(shape: tuple[int, ...], batch: tuple[int, ...]) -> np.ndarray:
    """For each entry of `batch` in order, the index of the entry of `shape` (which broadcasts
    to it) that it reads."""
    return np.broadcast_to(np.arange(math.prod(shape)).reshape(shape), batch).ravel()


class NDArray:
    """An n-dimensional array: `shape`, `strides` and `offset` over a device's flat buffer."""

    def __init__(self, other, device: Device | None = None, dtype: str | None = None):
        if isinstance(other, NDArray):
            source = other.to(device or other.device)
            if dtype is not None and dtype != other.dtype:
                source = NDArray(source.numpy(), device=source.device, dtype=dtype)
            self._become(source)
            return
        device = device or _default_device()
        array = np.asarray(other)
        if dtype is not None or str(array.dtype) not in SUPPORTED_DTYPES:
            array = array.astype(dtype or "float32", copy=False)  # floats keep their precision
        if str(array.dtype) not in SUPPORTED_DTYPES:
            raise TypeError(f"dtype {array.dtype} is not supported; use one of {SUPPORTED_DTYPES}")
        result = NDArray.make(array.shape, device=device, dtype=str(array.dtype))
        device.kernels.from_numpy(np.ascontiguousarray(array), result._handle)
        self._become(result)

    def _become(self, other: "NDArray") -> None:
        self._shape, self._strides, self._offset = other._shape, other._strides, other._offset
        self._device, self._handle, self._dtype = other._device, other._handle, other._dtype
        self._compact = other._compact

    @staticmethod
    def make(shape: tuple[int, ...], strides: tuple[int, ...] | None = None,
             device: Device | None = None, handle=None, offset: int = 0,
             dtype: str = "float32") -> "NDArray":
        """An array over `handle` (a new buffer when None), without copying."""
        array = NDArray.__new__(NDArray)
        array._shape = tuple(map(int, shape))
        array._strides = compact_strides(array._shape) if strides is None else tuple(strides)
        array._offset = offset
        array._device = device or _default_device()
        array._dtype = str(dtype)
        # A new buffer is compact by construction; a view is checked when first asked.
        array._compact = True if handle is None else None
        array._handle = handle if handle is not None else \
            array._device.kernels.empty(math.prod(array._shape), array._dtype)
        return array

    shape = property(lambda self: self._shape)
    strides = property(lambda self: self._strides)
    offset = property(lambda self: self._offset)
    device = property(lambda self: self._device)
    dtype = property(lambda self: self._dtype)
    ndim = property(lambda self: len(self._shape))
    size = property(lambda self: math.prod(self._shape))

    def __repr__(self) -> str:
        return f"NDArray({self.numpy()!r}, device={self.device!r})"

    def numpy(self) -> np.ndarray:
        """A NumPy copy of the array."""
        return self.device.kernels.to_numpy(self._handle, self._shape, self._strides,
                                            self._offset)

    def to(self, device: Device) -> "NDArray":
        """The array on `device` (itself when already there)."""
        return self if device == self.device else NDArray(self.numpy(), device=device)

    def astype(self, dtype: str) -> "NDArray":
        """This array if already of `dtype`, else a converted copy."""
        return self if dtype == self.dtype else NDArray(self.numpy(), device=self.device,
                                                        dtype=dtype)

    def fill(self, value: float) -> None:
        """Set every element of this (compact) array to `value`."""
        self.device.kernels.fill(self._handle, value)

    # Views and copies.

    def is_compact(self) -> bool:
        """Row-major and covering its whole buffer from offset 0."""
        if self._compact is None:
            self._compact = (self._strides == compact_strides(self._shape) and self._offset == 0
                             and self.size == self.device.kernels.buffer_size(self._handle))
        return self._compact

    def compact(self) -> "NDArray":
        """This array if compact, else a row-major copy."""
        if self.is_compact():
            return self
        out = NDArray.make(self._shape, device=self.device, dtype=self.dtype)
        self.device.kernels.compact(self._handle, out._handle, self._shape, self._strides,
                                    self._offset)
        return out

    def as_strided(self, shape: tuple[int, ...], strides: tuple[int, ...],
                   offset: int | None = None) -> "NDArray":
        """A view of the same buffer with other shape, strides (and offset)."""
        return NDArray.make(shape, strides, self.device, self._handle,
                            self._offset if offset is None else offset, self.dtype)

    def reshape(self, *shape) -> "NDArray":
        """The same elements as `shape` (one entry may be -1): a view, or one of a compact copy."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        if shape.count(-1) == 1:
            known = math.prod(n for n in shape if n != -1)
            shape = tuple(self.size // known if n == -1 and known else n for n in shape)
        if math.prod(shape) != self.size:
            raise ValueError(f"cannot reshape an array of shape {self.shape} ({self.size} "
                             f"elements) into shape {shape}")
        source = self if self._strides == compact_strides(self._shape) else self.compact()
        return source.as_strided(shape, compact_strides(shape))

    def permute(self, axes: tuple[int, ...]) -> "NDArray":
        """The axes reordered: axis i of the result is axis axes[i] of this array."""
        if sorted(axes) != list(range(self.ndim)):
            raise ValueError(f"permute needs a permutation of {tuple(range(self.ndim))}, "
                             f"got {axes}")
        return self.as_strided(tuple(self._shape[a] for a in axes),
                               tuple(self._strides[a] for a in axes))

    def broadcast_to(self, shape: tuple[int, ...]) -> "NDArray":
        """A view repeating axes of size 1 (and new leading axes) without copying."""
        shape = tuple(shape)
        extra = len(shape) - self.ndim
        if extra < 0 or any(n != m and n != 1 for n, m in zip(self._shape, shape[extra:])):
            raise ValueError(f"cannot broadcast shape {self.shape} to {shape}")
        strides = (0,) * extra + tuple(0 if n != m else s for n, m, s in
                                       zip(self._shape, shape[extra:], self._strides))
        return self.as_strided(shape, strides)

    def swapaxes(self, axis1: int, axis2: int) -> "NDArray":
        """A view with two axes exchanged."""
        order = list(range(self.ndim))
        order[axis1], order[axis2] = order[axis2], order[axis1]
        return self.permute(tuple(order))

    def squeeze(self, axis=None) -> "NDArray":
        """The array without its axes of length 1: those of `axis` (an int or a tuple), or all."""
        axes = (tuple(i for i, n in enumerate(self.shape) if n == 1) if axis is None
                else self._axes(axis))
        if any(self.shape[i] != 1 for i in axes):
            raise ValueError(f"cannot squeeze axes {axes} of shape {self.shape}: not all of "
                             "length 1")
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in axes))

    def _view(self, index) -> "NDArray":
        """The view `index` selects: its shape, strides and offset over the same buffer."""
        # YOUR CODE HERE (hw3)
        raise NotImplementedError("hw3")

    def __getitem__(self, index) -> "NDArray":
        """A view: integers drop their axis, slices (with steps, negative too) keep it."""
        return self._view(index)

    def __setitem__(self, index, value) -> None:
        """Write an array (of the view's shape) or a scalar into the indexed view, in place."""
        self._view(index).assign(value)

    def assign(self, value) -> None:
        """Write an array of this view's shape, or a scalar, into this view's elements."""
        module = self.device.kernels
        if isinstance(value, NDArray):
            if value.shape != self.shape:
                raise ValueError(f"cannot assign an array of shape {value.shape} to a view of "
                                 f"shape {self.shape}")
            module.ewise_setitem(value.to(self.device).compact()._handle, self._handle,
                                 self.shape, self.strides, self.offset)
        else:
            module.scalar_setitem(self.size, float(value), self._handle, self.shape,
                                  self.strides, self.offset)

    # Elementwise operations (operands of one shape, or an array and a scalar).

    def _elementwise(self, other, ewise: str, scalar: str) -> "NDArray":
        if isinstance(other, NDArray):
            if other.shape != self.shape:
                raise ValueError(f"{ewise}: shapes {self.shape} and {other.shape} differ "
                                 "(broadcast_to one of them first)")
            if other.device != self.device:
                raise ValueError(f"{ewise}: arrays on {self.device} and {other.device}")
        if self.device.has("views"):  # the kit's tuned path: operands read where they are
            out = self.device.kernels.view_elementwise(self, other, ewise, scalar)
            if out is not None:
                return out
        out = NDArray.make(self.shape, device=self.device, dtype=self.dtype)
        module = self.device.kernels
        if isinstance(other, NDArray):
            getattr(module, ewise)(self.compact()._handle, other.compact()._handle, out._handle)
        else:
            getattr(module, scalar)(self.compact()._handle, float(other), out._handle)
        return out

    def _unary(self, name: str) -> "NDArray":
        if self.device.has("views"):  # the kit's tuned path: a view read where it is
            out = self.device.kernels.view_unary(self, name)
            if out is not None:
                return out
        out = NDArray.make(self.shape, device=self.device, dtype=self.dtype)
        getattr(self.device.kernels, name)(self.compact()._handle, out._handle)
        return out

    def __add__(self, other):
        return self._elementwise(other, "ewise_add", "scalar_add")

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        return self._elementwise(other, "ewise_mul", "scalar_mul")

    def __truediv__(self, other):
        return self._elementwise(other, "ewise_div", "scalar_div")

    def __rtruediv__(self, other):
        return self ** -1.0 * other

    def __neg__(self):
        return self * -1.0

    def __pow__(self, exponent: float):
        return self._elementwise(exponent, "ewise_power", "scalar_power")

    def maximum(self, other):
        return self._elementwise(other, "ewise_maximum", "scalar_maximum")

    def __eq__(self, other):  # noqa: D105 -- elementwise, as NumPy's
        return self._elementwise(other, "ewise_eq", "scalar_eq")

    def __ge__(self, other):
        return self._elementwise(other, "ewise_ge", "scalar_ge")

    def __ne__(self, other):
        return 1 - (self == other)

    def __gt__(self, other):
        return (self >= other) * (self != other)

    __radd__ = __add__
    __rmul__ = __mul__
    __hash__ = None

    def log(self):
        return self._unary("ewise_log")

    def exp(self):
        return self._unary("ewise_exp")

    def tanh(self):
        return self._unary("ewise_tanh")

    def sqrt(self):
        return self ** 0.5

    # Reductions and matrix products.

    def _axes(self, axis) -> tuple[int, ...]:
        """`axis` (None for all, an int or a tuple; negatives count from the end), sorted."""
        axes = range(self.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
        span = max(self.ndim, 1)  # a 0-d array takes axis 0 or -1, as in NumPy and PyTorch
        for a in axes:
            if not -span <= a < span:
                raise ValueError(f"axis {a} is out of range for an array of shape {self.shape}")
        return tuple(sorted({a % span for a in axes})) if self.ndim else ()

    def _reduce(self, axis, keepdims: bool, primitive: str) -> "NDArray":
        """Reduce over `axis` (an int, a tuple, or None for all) with one primitive call."""
        if self.device.has("views"):  # the kit's tuned path: a view read where it is
            out = self.device.kernels.view_reduce(self, axis, keepdims, primitive)
            if out is not None:
                return out
        # the reduced axes moved last and made compact: rows of their size, one per output
        reduced = self._axes(axis)
        kept = tuple(i for i in range(self.ndim) if i not in reduced)
        size = math.prod(self.shape[i] for i in reduced)
        if size == 0 and primitive == "reduce_max":
            empty = next(i for i in reduced if self.shape[i] == 0)
            raise ValueError(f"max: axis {empty} of shape {self.shape} has length 0, and the "
                             "maximum of no numbers is undefined")
        out = NDArray.make(tuple(self.shape[i] for i in kept), device=self.device,
                           dtype=self.dtype)
        if size == 0:
            out.fill(0.0)  # a sum of no numbers
        elif out.size:
            moved = self.permute(kept + reduced).compact()
            getattr(self.device.kernels, primitive)(moved._handle, out._handle, size)
        return out.reshape(kept_shape(self.shape, reduced, True)) if keepdims else out

    def sum(self, axis=None, keepdims: bool = False) -> "NDArray":
        return self._reduce(axis, keepdims, "reduce_sum")

    def max(self, axis=None, keepdims: bool = False) -> "NDArray":
        return self._reduce(axis, keepdims, "reduce_max")

    def __matmul__(self, other: "NDArray") -> "NDArray":
        """Matrix product of the last two axes, over leading axes that broadcast together."""
        if self.ndim < 2 or other.ndim < 2 or self.shape[-1] != other.shape[-2]:
            raise ValueError(f"matmul: cannot multiply shapes {self.shape} and {other.shape}")
        (m, n), p = self.shape[-2:], other.shape[-1]
        if self.device.has("views"):  # the kit's tuned path: matrices read where they are
            out = self.device.kernels.view_matmul(self, other)
            if out is not None:
                return out
        if other.ndim == 2:  # every row of every batch entry times one matrix: one product
            rows = self.compact()
            out = NDArray.make(self.shape[:-1] + (p,), device=self.device, dtype=self.dtype)
            self.device.kernels.matmul(rows._handle, other.compact()._handle, out._handle,
                                       math.prod(self.shape[:-1]), n, p)
            return out
        try:
            batch = np.broadcast_shapes(self.shape[:-2], other.shape[:-2])
        except ValueError:
            raise ValueError(f"matmul: batch dimensions of {self.shape} and {other.shape} do "
                             "not broadcast together") from None
        # Each entry's matrices as views of the operands: one broadcast along a batch axis is
        # read again, not copied out to the batch's size
        a_matrices, b_matrices = _matrices(self.compact()), _matrices(other.compact())
        out = NDArray.make(batch + (m, p), device=self.device, dtype=self.dtype)
        entries = zip(_entries(self.shape[:-2], batch), _entries(other.shape[:-2], batch))
        for i, (j, k) in enumerate(entries):
            product = a_matrices[j] @ b_matrices[k]
            out.as_strided((m, p), (p, 1), i * m * p).assign(product)
        return out

    # Rows gathered and scattered along axis 0 by a host index (graph layers' messages).

    def _row_index(self, index, rows: int) -> np.ndarray:
        """`index` as a 1-D int64 host array, each entry checked to be one of `rows` rows."""
        index = np.asarray(index)
        if index.ndim != 1 or (index.size and not np.issubdtype(index.dtype, np.integer)):
            raise ValueError(f"index must be a 1-D array of integers, got shape {index.shape} "
                             f"and dtype {index.dtype}")
        index = np.ascontiguousarray(index, dtype=np.int64)  # one kernel signature for all
        if index.size and not 0 <= index.min() <= index.max() < rows:
            bad = index[(index < 0) | (index >= rows)][0]
            raise IndexError(f"index {bad} out of range for {rows} rows")
        return index

    def take_rows(self, index) -> "NDArray":
        """Rows `index` (a 1-D integer array) of this array: shape (len(index),) + shape[1:]."""
        index = self._row_index(index, self.shape[0])
        out = NDArray.make((index.size,) + self.shape[1:], device=self.device, dtype=self.dtype)
        cols = math.prod(self.shape[1:])
        if out.size:
            self.device.kernels.take_rows(self.compact()._handle, index, out._handle, cols)
        return out

    def index_add_rows(self, index, source: "NDArray") -> "NDArray":
        """A copy of this array with row k of `source` added to row index[k] (repeats add up)."""
        index = self._row_index(index, self.shape[0])
        if source.shape != (index.size,) + self.shape[1:]:
            raise ValueError(f"index_add_rows: source of shape {source.shape} does not match "
                             f"{index.size} indices of rows of shape {self.shape[1:]}")
        if source.device != self.device:
            raise ValueError(f"index_add_rows: arrays on {self.device} and {source.device}")
        source = source.astype(self.dtype)  # the kernels add numbers of one type
        out = NDArray.make(self.shape, device=self.device, dtype=self.dtype)
        self.device.kernels.compact(self._handle, out._handle, self.shape, self.strides,
                                    self.offset)
        if source.size:
            self.device.kernels.scatter_add(source.compact()._handle, index, out._handle,
                                            math.prod(self.shape[1:]))
        return out

    def scatter_max_rows(self, index, rows: int) -> "NDArray":
        """(rows,) + shape[1:]: row r the elementwise max of the rows k of this array with
        index[k] == r, -inf where there are none."""
        index = self._row_index(index, rows)
        if index.size != self.shape[0]:
            raise ValueError(f"scatter_max_rows: {index.size} indices for an array of shape "
                             f"{self.shape}")
        out = self.device.full((rows,) + self.shape[1:], -np.inf, self.dtype)
        if self.size:
            self.device.kernels.scatter_max(self.compact()._handle, index, out._handle,
                                            math.prod(self.shape[1:]))
        return out
