"""The NDArray primitives as CUDA kernels written with numba.cuda (`minidl.cuda()`).

With an NVIDIA GPU, buffers are CuPy arrays and the kernels run on the GPU. Without one, the
same kernels run in Numba's CUDA simulator over NumPy buffers (each GPU thread a Python
thread): slow, so use small arrays, but every kernel can be tested and graded anywhere.
Kernels are `@kernel` functions: numba's `@cuda.jit`, launched as `kernel[blocks, threads](args)`
(the kit's reference also compiles each once per argument types and launches it more cheaply on
a GPU, from a module of its own).
"""
from __future__ import annotations

import ctypes
import functools
import importlib.util
import math
import os

import numba
import numpy as np


def _driver_present() -> bool:
    try:
        ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    return True


if "NUMBA_ENABLE_CUDASIM" not in os.environ and not _driver_present():
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"  # read when numba.cuda is first imported
    numba.core.config.reload_config()

from numba import cuda  # noqa: E402 -- after choosing the simulator

SIMULATED = bool(numba.config.ENABLE_CUDASIM)
if SIMULATED:
    xp = np
else:
    try:
        import cupy as xp
    except ImportError as error:
        raise ImportError("minidl.cuda() needs CuPy and numba-cuda on a GPU machine: pip "
                          "install 'numba-cuda[cu12]==0.30.4' cupy-cuda12x==14.2.0 'numpy<2.5'"
                          ) from error

if importlib.util.find_spec(f"{__package__}.cuda_launch"):  # the kit's cheaper launch, if here
    from .cuda_launch import kernel
else:  # numba.cuda's own: kernel[blocks, threads](args)
    kernel = cuda.jit

# Threads per block, and the side of matmul's square tiles. The simulator runs each thread as
# a Python thread, so it gets small blocks; the kernels work for any values.
THREADS = 16 if SIMULATED else 256
TILE = 4 if SIMULATED else 16


def _blocks(size: int) -> int:
    return max(1, math.ceil(size / THREADS))


def _host(buffer) -> np.ndarray:
    return buffer if SIMULATED else xp.asnumpy(buffer)


def _index_arrays(shape, strides):
    """A view's shape and strides as device arrays."""
    return _device_indices(tuple(shape), tuple(strides))


@functools.lru_cache(maxsize=4096)
def _device_indices(shape: tuple[int, ...], strides: tuple[int, ...]):
    # Copied to the GPU once per distinct view: a training step asks for the same few hundred
    # again and again, and each copy costs a synchronizing transfer.
    return xp.asarray(shape, dtype=np.int64), xp.asarray(strides, dtype=np.int64)


def _scalar(value: float, like):
    return like.dtype.type(value)


def empty(size: int, dtype: str):
    return xp.empty(size, dtype=dtype)


def buffer_size(buffer) -> int:
    return int(buffer.size)


def from_numpy(array: np.ndarray, out) -> None:
    out[:] = xp.asarray(array.ravel())


def to_numpy(buffer, shape, strides, offset: int) -> np.ndarray:
    out = empty(math.prod(shape), buffer.dtype)
    compact(buffer, out, shape, strides, offset)
    return _host(out).reshape(shape)


@kernel
def _fill(out, value):
    i = cuda.grid(1)
    if i < out.size:
        out[i] = value


def fill(out, value: float) -> None:
    _fill[_blocks(out.size), THREADS](out, _scalar(value, out))


# Strided copies: thread i handles the i-th element, in row-major order, of the view.

@cuda.jit(device=True)
def _position(i, shape, strides, offset):
    """Buffer position of the i-th element, in row-major order, of a strided view."""
    # YOUR CODE HERE (hw3b)
    raise NotImplementedError("hw3b")


@kernel
def _compact(a, out, shape, strides, offset):
    """out[i] = the i-th element (row-major) of the view (shape, strides, offset) of a."""
    # YOUR CODE HERE (hw3b)
    raise NotImplementedError("hw3b")


@kernel
def _ewise_setitem(a, out, shape, strides, offset):
    """Write a[i] to the i-th element (row-major) of the view (shape, strides, offset) of out."""
    # YOUR CODE HERE (hw3b)
    raise NotImplementedError("hw3b")


@kernel
def _scalar_setitem(size, value, out, shape, strides, offset):
    """Write value to each of the `size` elements of the view (shape, strides, offset) of out."""
    # YOUR CODE HERE (hw3b)
    raise NotImplementedError("hw3b")


def compact(a, out, shape, strides, offset: int) -> None:
    _compact[_blocks(out.size), THREADS](a, out, *_index_arrays(shape, strides), offset)


def ewise_setitem(a, out, shape, strides, offset: int) -> None:
    _ewise_setitem[_blocks(a.size), THREADS](a, out, *_index_arrays(shape, strides), offset)


def scalar_setitem(size: int, value: float, out, shape, strides, offset: int) -> None:
    _scalar_setitem[_blocks(size), THREADS](size, _scalar(value, out), out,
                                           *_index_arrays(shape, strides), offset)


# Elementwise kernels: one thread per element, each made from a device function of one or two
# numbers.

def _map_kernels(function):
    """The array-array and array-scalar kernels applying `function` at each element."""
    apply = cuda.jit(device=True)(function)

    @kernel
    def ewise(a, b, out):
        # YOUR CODE HERE (hw3b)
        raise NotImplementedError("hw3b")

    @kernel
    def scalar(a, value, out):
        # YOUR CODE HERE (hw3b)
        raise NotImplementedError("hw3b")

    def ewise_primitive(a, b, out) -> None:
        ewise[_blocks(out.size), THREADS](a, b, out)

    def scalar_primitive(a, value: float, out) -> None:
        scalar[_blocks(out.size), THREADS](a, _scalar(value, out), out)

    return ewise_primitive, scalar_primitive


def _unary_kernel(function):
    """The kernel applying `function` to each element."""
    apply = cuda.jit(device=True)(function)

    @kernel
    def unary(a, out):
        # YOUR CODE HERE (hw3b)
        raise NotImplementedError("hw3b")

    def primitive(a, out) -> None:
        unary[_blocks(out.size), THREADS](a, out)

    return primitive


# What each elementwise primitive computes of one element (or two).
BINARY = {"add": lambda x, y: x + y, "mul": lambda x, y: x * y, "div": lambda x, y: x / y,
          "power": lambda x, y: x ** y, "maximum": lambda x, y: max(x, y),
          "eq": lambda x, y: 1.0 if x == y else 0.0, "ge": lambda x, y: 1.0 if x >= y else 0.0}
UNARY = {"log": lambda x: math.log(x), "exp": lambda x: math.exp(x),
         "tanh": lambda x: math.tanh(x)}
ewise_add, scalar_add = _map_kernels(BINARY["add"])
ewise_mul, scalar_mul = _map_kernels(BINARY["mul"])
ewise_div, scalar_div = _map_kernels(BINARY["div"])
ewise_power, scalar_power = _map_kernels(BINARY["power"])
ewise_maximum, scalar_maximum = _map_kernels(BINARY["maximum"])
ewise_eq, scalar_eq = _map_kernels(BINARY["eq"])
ewise_ge, scalar_ge = _map_kernels(BINARY["ge"])
ewise_log = _unary_kernel(UNARY["log"])
ewise_exp = _unary_kernel(UNARY["exp"])
ewise_tanh = _unary_kernel(UNARY["tanh"])


# Reductions: one block per output element; its threads combine the row in shared memory.

def _reduce_kernel(combine, dtype):
    """The kernel reducing each row of `reduce_size` elements with `combine`, in `dtype`."""
    combine = cuda.jit(device=True)(combine)

    @kernel
    def reduce(a, out, reduce_size):
        # YOUR CODE HERE (hw3b)
        raise NotImplementedError("hw3b")

    return reduce


COMBINE = {"sum": lambda x, y: x + y, "max": lambda x, y: max(x, y)}
_REDUCE = {(name, dtype): _reduce_kernel(combine, getattr(numba, dtype))
           for name, combine in COMBINE.items() for dtype in ("float32", "float64")}


def reduce_sum(a, out, reduce_size: int) -> None:
    _REDUCE["sum", str(out.dtype)][out.size, THREADS](a, out, reduce_size)


def reduce_max(a, out, reduce_size: int) -> None:
    _REDUCE["max", str(out.dtype)][out.size, THREADS](a, out, reduce_size)


# Matmul: each block computes a TILE x TILE tile of out, stepping through a's rows and b's
# columns one shared-memory tile at a time.

def _matmul_kernel(dtype):
    @kernel
    def matmul(a, b, out, m, n, p):
        # YOUR CODE HERE (hw3b)
        raise NotImplementedError("hw3b")

    return matmul


_MATMUL = {dtype: _matmul_kernel(getattr(numba, dtype)) for dtype in ("float32", "float64")}


def matmul(a, b, out, m: int, n: int, p: int) -> None:
    grid = (math.ceil(p / TILE), math.ceil(m / TILE))
    _MATMUL[str(out.dtype)][grid, (TILE, TILE)](a, b, out, m, n, p)


# Rows gathered and scattered by a host index (int64, copied to the device): `a` and `out` are
# flat buffers of rows of `cols` numbers, the index already checked to be in range. One thread
# per element of a row of `a`; the scatters add (or take the max) atomically, as several rows
# of `a` may land on one row of out.

@kernel
def _take_rows(a, index, out, cols):
    i = cuda.grid(1)
    if i < out.size:
        out[i] = a[index[i // cols] * cols + i % cols]


@kernel
def _scatter_add(a, index, out, cols):
    i = cuda.grid(1)
    if i < a.size:
        cuda.atomic.add(out, index[i // cols] * cols + i % cols, a[i])


@kernel
def _scatter_max(a, index, out, cols):
    i = cuda.grid(1)
    if i < a.size:
        cuda.atomic.max(out, index[i // cols] * cols + i % cols, a[i])


def take_rows(a, index: np.ndarray, out, cols: int) -> None:
    _take_rows[_blocks(out.size), THREADS](a, xp.asarray(index), out, cols)


def scatter_add(a, index: np.ndarray, out, cols: int) -> None:
    _scatter_add[_blocks(a.size), THREADS](a, xp.asarray(index), out, cols)


def scatter_max(a, index: np.ndarray, out, cols: int) -> None:
    _scatter_max[_blocks(a.size), THREADS](a, xp.asarray(index), out, cols)
