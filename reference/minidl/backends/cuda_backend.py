"""The NDArray primitives as CUDA kernels written with numba.cuda (`minidl.cuda()`).

With an NVIDIA GPU, buffers are CuPy arrays and the kernels run on the GPU. Without one, the
same kernels run in Numba's CUDA simulator over NumPy buffers (each GPU thread a Python
thread): slow, so use small arrays, but every kernel can be tested and graded anywhere.
Kernels are `@kernel` functions: numba's `@cuda.jit`, launched as `kernel[blocks, threads](args)`,
and on a GPU compiled once per argument types and launched cheaply (see cuda_launch.py).
"""
from __future__ import annotations

import ctypes
import functools
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

from .cuda_launch import kernel  # noqa: E402 -- on a GPU: compiled once, launched by CuPy

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
    ### BEGIN SOLUTION hw3b
    position = offset
    for axis in range(shape.size - 1, -1, -1):
        position += (i % shape[axis]) * strides[axis]
        i //= shape[axis]
    return position
    ### END SOLUTION


@kernel
def _compact(a, out, shape, strides, offset):
    """out[i] = the i-th element (row-major) of the view (shape, strides, offset) of a."""
    ### BEGIN SOLUTION hw3b
    i = cuda.grid(1)
    if i < out.size:
        out[i] = a[_position(i, shape, strides, offset)]
    ### END SOLUTION


@kernel
def _ewise_setitem(a, out, shape, strides, offset):
    """Write a[i] to the i-th element (row-major) of the view (shape, strides, offset) of out."""
    ### BEGIN SOLUTION hw3b
    i = cuda.grid(1)
    if i < a.size:
        out[_position(i, shape, strides, offset)] = a[i]
    ### END SOLUTION


@kernel
def _scalar_setitem(size, value, out, shape, strides, offset):
    """Write value to each of the `size` elements of the view (shape, strides, offset) of out."""
    ### BEGIN SOLUTION hw3b
    i = cuda.grid(1)
    if i < size:
        out[_position(i, shape, strides, offset)] = value
    ### END SOLUTION


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
        ### BEGIN SOLUTION hw3b
        i = cuda.grid(1)
        if i < out.size:
            out[i] = apply(a[i], b[i])
        ### END SOLUTION

    @kernel
    def scalar(a, value, out):
        ### BEGIN SOLUTION hw3b
        i = cuda.grid(1)
        if i < out.size:
            out[i] = apply(a[i], value)
        ### END SOLUTION

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
        ### BEGIN SOLUTION hw3b
        i = cuda.grid(1)
        if i < out.size:
            out[i] = apply(a[i])
        ### END SOLUTION

    def primitive(a, out) -> None:
        unary[_blocks(out.size), THREADS](a, out)

    return primitive


### BEGIN REFERENCE ONLY
# Views read in place: each primitive gets `.strided`, taking each array operand as a view
# (buffer, strides, offset) of the output's shape, so that an operation on a permuted or
# broadcast view is one launch rather than a compact copy and then the operation.
_plain_map_kernels, _plain_unary_kernel = _map_kernels, _unary_kernel


def _view_arguments(shape, *views) -> list:
    """Kernel arguments for views (buffer, strides, offset) of `shape`: the shape on the device,
    then each view's buffer, strides on the device and offset."""
    arguments = [_index_arrays(shape, views[0][1])[0]]
    for buffer, strides, offset in views:
        arguments += (buffer, _index_arrays(shape, strides)[1], offset)
    return arguments


def _map_kernels(function):  # noqa: F811
    """The plain array-array and array-scalar primitives, each with its `.strided` one."""
    apply = cuda.jit(device=True)(function)

    @kernel
    def ewise_strided(shape, a, a_strides, a_offset, b, b_strides, b_offset, out):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = apply(a[_position(i, shape, a_strides, a_offset)],
                           b[_position(i, shape, b_strides, b_offset)])

    @kernel
    def scalar_strided(shape, a, strides, offset, value, out):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = apply(a[_position(i, shape, strides, offset)], value)

    def ewise_in_place(a, b, out, shape) -> None:
        ewise_strided[_blocks(out.size), THREADS](*_view_arguments(shape, a, b), out)

    def scalar_in_place(a, value: float, out, shape) -> None:
        scalar_strided[_blocks(out.size), THREADS](*_view_arguments(shape, a),
                                                   _scalar(value, out), out)

    plain = _plain_map_kernels(function)
    plain[0].strided, plain[1].strided = ewise_in_place, scalar_in_place
    return plain


def _unary_kernel(function):  # noqa: F811
    """The plain unary primitive, with its `.strided` one."""
    apply = cuda.jit(device=True)(function)

    @kernel
    def unary_strided(shape, a, strides, offset, out):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = apply(a[_position(i, shape, strides, offset)])

    def unary_in_place(a, out, shape) -> None:
        unary_strided[_blocks(out.size), THREADS](*_view_arguments(shape, a), out)

    plain = _plain_unary_kernel(function)
    plain.strided = unary_in_place
    return plain


### END REFERENCE ONLY
ewise_add, scalar_add = _map_kernels(lambda x, y: x + y)
ewise_mul, scalar_mul = _map_kernels(lambda x, y: x * y)
ewise_div, scalar_div = _map_kernels(lambda x, y: x / y)
ewise_power, scalar_power = _map_kernels(lambda x, y: x ** y)
ewise_maximum, scalar_maximum = _map_kernels(lambda x, y: max(x, y))
ewise_eq, scalar_eq = _map_kernels(lambda x, y: 1.0 if x == y else 0.0)
ewise_ge, scalar_ge = _map_kernels(lambda x, y: 1.0 if x >= y else 0.0)
ewise_log = _unary_kernel(lambda x: math.log(x))
ewise_exp = _unary_kernel(lambda x: math.exp(x))
ewise_tanh = _unary_kernel(lambda x: math.tanh(x))


# Reductions: one block per output element; its threads combine the row in shared memory.

def _reduce_kernel(combine, dtype):
    """The kernel reducing each row of `reduce_size` elements with `combine`, in `dtype`."""
    combine = cuda.jit(device=True)(combine)

    @kernel
    def reduce(a, out, reduce_size):
        ### BEGIN SOLUTION hw3b
        partial = cuda.shared.array(THREADS, dtype)
        row, t = cuda.blockIdx.x, cuda.threadIdx.x
        base = row * reduce_size
        if t < reduce_size:  # each thread first combines every THREADS-th element
            total = a[base + t]
            for j in range(t + THREADS, reduce_size, THREADS):
                total = combine(total, a[base + j])
            partial[t] = total
        cuda.syncthreads()
        step = THREADS // 2
        while step > 0:  # then halves the partial results, THREADS being a power of two
            if t < step and t + step < reduce_size:
                partial[t] = combine(partial[t], partial[t + step])
            cuda.syncthreads()
            step //= 2
        if t == 0:
            out[row] = partial[0]
        ### END SOLUTION

    return reduce


### BEGIN REFERENCE ONLY
_plain_reduce_kernel = _reduce_kernel


def _reduce_kernel(combine, dtype):  # noqa: F811
    """The plain reduce kernel, with `.strided`: the same over a view read in place, whose
    row-major elements make the rows, `reduce_size` at a time."""
    plain, combine = _plain_reduce_kernel(combine, dtype), cuda.jit(device=True)(combine)

    @kernel
    def reduce_strided(shape, a, strides, offset, out, reduce_size):
        # hw3b's tree (its kernel is students' code, so not shared), over the view's positions
        partial = cuda.shared.array(THREADS, dtype)
        row, t = cuda.blockIdx.x, cuda.threadIdx.x
        j = row * reduce_size + t  # this thread's first element, then every THREADS-th
        if t < reduce_size:
            partial[t] = a[_position(j, shape, strides, offset)]
            while j + THREADS < (row + 1) * reduce_size:
                j += THREADS
                partial[t] = combine(partial[t], a[_position(j, shape, strides, offset)])
        cuda.syncthreads()
        half = THREADS
        while half > 1:
            half //= 2
            if t < half and t + half < reduce_size:
                partial[t] = combine(partial[t], partial[t + half])
            cuda.syncthreads()
        if t == 0:
            out[row] = partial[0]

    plain.strided = reduce_strided
    return plain


### END REFERENCE ONLY
_REDUCE = {(name, dtype): _reduce_kernel(combine, getattr(numba, dtype))
           for name, combine in (("sum", lambda x, y: x + y), ("max", lambda x, y: max(x, y)))
           for dtype in ("float32", "float64")}


def reduce_sum(a, out, reduce_size: int) -> None:
    _REDUCE["sum", str(out.dtype)][out.size, THREADS](a, out, reduce_size)


def reduce_max(a, out, reduce_size: int) -> None:
    _REDUCE["max", str(out.dtype)][out.size, THREADS](a, out, reduce_size)


### BEGIN REFERENCE ONLY
def _reduce_in_place(name: str):
    """The `name` reduction's primitive over a view (buffer, strides, offset) of `shape`."""
    def primitive(a, out, reduce_size: int, shape) -> None:
        _REDUCE[name, str(out.dtype)].strided[out.size, THREADS](*_view_arguments(shape, a), out,
                                                                 reduce_size)
    return primitive


reduce_sum.strided, reduce_max.strided = _reduce_in_place("sum"), _reduce_in_place("max")


### END REFERENCE ONLY
# Matmul: each block computes a TILE x TILE tile of out, stepping through a's rows and b's
# columns one shared-memory tile at a time.

def _matmul_kernel(dtype):
    @kernel
    def matmul(a, b, out, m, n, p):
        ### BEGIN SOLUTION hw3b
        tile_a = cuda.shared.array((TILE, TILE), dtype)
        tile_b = cuda.shared.array((TILE, TILE), dtype)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        row, col = cuda.blockIdx.y * TILE + ty, cuda.blockIdx.x * TILE + tx
        total = dtype(0)
        for k0 in range(0, n, TILE):
            tile_a[ty, tx] = a[row * n + k0 + tx] if row < m and k0 + tx < n else 0
            tile_b[ty, tx] = b[(k0 + ty) * p + col] if k0 + ty < n and col < p else 0
            cuda.syncthreads()
            for k in range(TILE):
                total += tile_a[ty, k] * tile_b[k, tx]
            cuda.syncthreads()
        if row < m and col < p:
            out[row * p + col] = total
        ### END SOLUTION

    return matmul


_MATMUL = {dtype: _matmul_kernel(getattr(numba, dtype)) for dtype in ("float32", "float64")}


def matmul(a, b, out, m: int, n: int, p: int) -> None:
    grid = (math.ceil(p / TILE), math.ceil(m / TILE))
    _MATMUL[str(out.dtype)][grid, (TILE, TILE)](a, b, out, m, n, p)


### BEGIN REFERENCE ONLY
# Register tiles: a block computes a BLOCK_M x BLOCK_N tile of out, each of its threads a
# TILE_M x TILE_N block of that tile kept in registers, so that each number read from shared
# memory serves TILE_M or TILE_N products rather than one. Each operand is read as a view
# (buffer, (row stride, column stride), offset): a transposed or broadcast one in place.
BLOCK_M, BLOCK_N, BLOCK_K, TILE_M, TILE_N = (8, 8, 4, 2, 2) if SIMULATED else (64, 64, 16, 4, 4)


def _register_tiled_matmul_kernel(dtype):
    threads_x, threads_y = BLOCK_N // TILE_N, BLOCK_M // TILE_M
    threads = threads_x * threads_y

    @cuda.jit(device=True)
    def load_tile(tile, source, x_stride, k_stride, offset, x0, k0, x_size, n, thread):
        """tile[k, x] = the operand's number x0 + x along its x axis (a's rows, b's columns)
        and k0 + k along n, or 0 past them; consecutive threads step along its smaller stride,
        so that their reads coalesce."""
        depth, width = tile.shape
        along_x = abs(x_stride) <= abs(k_stride)
        for e in range(thread, depth * width, threads):
            k, x = (e // width, e % width) if along_x else (e % depth, e // depth)
            inside = x0 + x < x_size and k0 + k < n
            tile[k, x] = source[offset + (x0 + x) * x_stride + (k0 + k) * k_stride] if inside else 0

    @kernel
    def matmul_tiled(a, a_row, a_column, a_offset, b, b_row, b_column, b_offset, out, m, n, p):
        tile_a = cuda.shared.array((BLOCK_K, BLOCK_M), dtype)  # transposed: [k, row]
        tile_b = cuda.shared.array((BLOCK_K, BLOCK_N), dtype)
        total = cuda.local.array((TILE_M, TILE_N), dtype)
        column_a = cuda.local.array(TILE_M, dtype)
        row_b = cuda.local.array(TILE_N, dtype)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        thread = ty * threads_x + tx
        row0, col0 = cuda.blockIdx.y * BLOCK_M, cuda.blockIdx.x * BLOCK_N
        for i in range(TILE_M):
            for j in range(TILE_N):
                total[i, j] = 0
        for k0 in range(0, n, BLOCK_K):
            load_tile(tile_a, a, a_row, a_column, a_offset, row0, k0, m, n, thread)
            load_tile(tile_b, b, b_column, b_row, b_offset, col0, k0, p, n, thread)
            cuda.syncthreads()
            for k in range(BLOCK_K):
                for i in range(TILE_M):
                    column_a[i] = tile_a[k, ty * TILE_M + i]
                for j in range(TILE_N):
                    row_b[j] = tile_b[k, tx * TILE_N + j]
                for i in range(TILE_M):
                    for j in range(TILE_N):
                        total[i, j] += column_a[i] * row_b[j]
            cuda.syncthreads()
        for i in range(TILE_M):
            for j in range(TILE_N):
                row, col = row0 + ty * TILE_M + i, col0 + tx * TILE_N + j
                if row < m and col < p:
                    out[row * p + col] = total[i, j]

    return matmul_tiled


_MATMUL_TILED = {dtype: _register_tiled_matmul_kernel(getattr(numba, dtype))
                 for dtype in ("float32", "float64")}
_tile_matmul = matmul


def _matmul_strided(a, b, out, m: int, n: int, p: int) -> None:
    """out = a @ b, for views a of (m, n) and b of (n, p): (buffer, strides, offset) each."""
    grid = (math.ceil(p / BLOCK_N), math.ceil(m / BLOCK_M))
    threads = (BLOCK_N // TILE_N, BLOCK_M // TILE_M)
    (a, a_strides, a_offset), (b, b_strides, b_offset) = a, b
    _MATMUL_TILED[str(out.dtype)][grid, threads](a, *a_strides, a_offset, b, *b_strides,
                                                 b_offset, out, m, n, p)


def _register_tiled_matmul(a, b, out, m: int, n: int, p: int) -> None:
    """out = a @ b, for compact a and b."""
    _matmul_strided((a, (n, 1), 0), (b, (p, 1), 0), out, m, n, p)


def matmul(a, b, out, m: int, n: int, p: int) -> None:  # noqa: F811
    """out = a @ b; on a GPU, products at least one block tile wide take the register tiles."""
    if not SIMULATED and m >= BLOCK_M and p >= BLOCK_N:  # the simulator grades hw3b's kernel
        _register_tiled_matmul(a, b, out, m, n, p)
    else:
        _tile_matmul(a, b, out, m, n, p)


# Views read in place, on a GPU and in the simulator alike: one launch, no compact copy first.
matmul.strided = _matmul_strided


# A part of an LSTM step in one launch, where lstm_step's composed ops take about 16 forward and
# 40 backward.
from .lstm_cell import lstm_element  # noqa: E402


@kernel
def _lstm(kind, a, c, grad, out, hidden):
    k = cuda.grid(1)
    if k < c.size:
        lstm_element(kind, a, c, grad, out, k, hidden)


def lstm_cell(kind: int, a, c, grad, out, hidden: int) -> None:
    """Part `kind` of an LSTM step over a batch (see lstm_cell.py)."""
    _lstm[_blocks(c.size), THREADS](kind, a, c, grad, out, hidden)


# BatchNorm2d's training step: statistics, normalization and the two gradient sums each one
# launch, where the composed ops take about 19 forward and 25 backward. Images (n, c, hw) are
# flat; a block per channel sums its n * hw values in float64.

@cuda.jit(device=True)
def _block_sum(partial, value, t):
    """The sum of `value` over the block's threads, for each of them."""
    partial[t] = value
    cuda.syncthreads()
    half = THREADS
    while half > 1:
        half //= 2
        if t < half:
            partial[t] += partial[t + half]
        cuda.syncthreads()
    total = partial[0]
    cuda.syncthreads()  # before the next call writes partial
    return total


@cuda.jit(device=True)
def _channel_element(j, channel, channels, hw):
    """The index of the j-th value of `channel` in images (n, channels, hw)."""
    return (j // hw * channels + channel) * hw + j % hw


@kernel
def _batch_norm_stats(x, stats, running_mean, running_var, new_mean, new_var, n, channels, hw,
                      eps, momentum):
    channel, t = cuda.blockIdx.x, cuda.threadIdx.x
    partial = cuda.shared.array(THREADS, numba.float64)
    count = n * hw
    total = 0.0
    for j in range(t, count, THREADS):
        total += x[_channel_element(j, channel, channels, hw)]
    mean = _block_sum(partial, total, t) / count
    total = 0.0
    for j in range(t, count, THREADS):
        centered = x[_channel_element(j, channel, channels, hw)] - mean
        total += centered * centered
    var = _block_sum(partial, total, t) / count
    if t == 0:  # mean and 1 / std; the running mean and (unbiased) variance, after then before
        stats[channel], stats[channels + channel] = mean, 1 / math.sqrt(var + eps)
        unbiased = var * count / max(count - 1, 1)
        new_mean[channel] = running_mean[channel] * (1 - momentum) + mean * momentum
        new_var[channel] = running_var[channel] * (1 - momentum) + unbiased * momentum


@kernel
def _batch_norm_apply(x, stats, weight, bias, out, channels, hw):
    k = cuda.grid(1)
    if k < out.size:
        channel = k // hw % channels
        out[k] = ((x[k] - stats[channel]) * stats[channels + channel] * weight[channel]
                  + bias[channel])


@kernel
def _batch_norm_sum(normalized, x, stats, grad, out, n, channels, hw):
    channel, t = cuda.blockIdx.x, cuda.threadIdx.x
    partial = cuda.shared.array(THREADS, numba.float64)
    mean, scale = stats[channel], stats[channels + channel]
    total = 0.0
    for j in range(t, n * hw, THREADS):
        k = _channel_element(j, channel, channels, hw)
        total += grad[k] * (x[k] - mean) * scale if normalized else grad[k]
    total = _block_sum(partial, total, t)
    if t == 0:
        out[channel] = total


@kernel
def _batch_norm_grad_x(x, stats, grad, weight, grad_sum, normalized_sum, out, n, channels, hw):
    k = cuda.grid(1)
    if k < out.size:
        channel, count = k // hw % channels, n * hw
        scale = stats[channels + channel]
        normalized = (x[k] - stats[channel]) * scale
        out[k] = weight[channel] * scale * (
            grad[k] - grad_sum[channel] / count - normalized * normalized_sum[channel] / count)


def batch_norm_stats(x, stats, running_mean, running_var, new_mean, new_var, n: int,
                     channels: int, hw: int, eps: float, momentum: float) -> None:
    """stats (2, channels): each channel's mean and 1 / sqrt(var + eps) over x (n, channels, hw);
    new_mean and new_var: the running ones moved towards the batch's (var unbiased) by momentum."""
    _batch_norm_stats[channels, THREADS](x, stats, running_mean, running_var, new_mean, new_var,
                                         n, channels, hw, _scalar(eps, x), _scalar(momentum, x))


def batch_norm_apply(x, stats, weight, bias, out, channels: int, hw: int) -> None:
    """out = (x - mean) / std * weight + bias, per channel."""
    _batch_norm_apply[_blocks(out.size), THREADS](x, stats, weight, bias, out, channels, hw)


def batch_norm_sum(normalized: bool, x, stats, grad, out, n: int, channels: int,
                   hw: int) -> None:
    """out (channels,): each channel's sum of grad, or of grad times the normalized x."""
    _batch_norm_sum[channels, THREADS](normalized, x, stats, grad, out, n, channels, hw)


def batch_norm_grad_x(x, stats, grad, weight, grad_sum, normalized_sum, out, n: int,
                      channels: int, hw: int) -> None:
    """out = d x, from grad = d out and batch_norm_sum's two sums."""
    _batch_norm_grad_x[_blocks(out.size), THREADS](x, stats, grad, weight, grad_sum,
                                                   normalized_sum, out, n, channels, hw)


# Adam's update of GROUP parameters in one launch, where the plain update is about 13 elementwise
# launches a parameter. Their 40 array structs fill 2.3 KB of a kernel's 4 KB of parameters.
GROUP = 8
# Blocks of the update, each thread looping over the elements a grid's stride apart: on a GPU
# enough to fill its multiprocessors several times; in the simulator few, so the loop loops.
MAX_BLOCKS = 2 if SIMULATED else 1024


from .numba_tuned import adam_element  # noqa: E402 -- the CPU's kernel's arithmetic


@kernel
def _adam(datas, grads, ms, vs, outs, l2, beta1, rest1, beta2, rest2, correction2, step, eps,
          decay):
    start, stride = cuda.grid(1), cuda.gridsize(1)
    for j in range(len(outs)):
        data, grad, m, v, out = datas[j], grads[j], ms[j], vs[j], outs[j]
        for i in range(start, out.size, stride):
            adam_element(data, grad, m, v, out, i, l2, beta1, rest1, beta2, rest2, correction2,
                         step, eps, decay)


def adam_update(datas, grads, ms, vs, outs, *constants: float) -> None:
    """One Adam step of parameters of one dtype, GROUP a launch: their m and v updated in place,
    outs their new data (the constants are optim's `_fused_adam_step`'s, each rounded to the
    dtype as NDArray's scalars are)."""
    constants = [_scalar(value, outs[0]) for value in constants]
    nothing = xp.empty(0, outs[0].dtype)  # fills a short last group's places
    for first in range(0, len(outs), GROUP):
        columns = [list(arrays[first:first + GROUP]) for arrays in (datas, grads, ms, vs, outs)]
        blocks = min(_blocks(max(out.size for out in columns[-1])), MAX_BLOCKS)
        _adam[blocks, THREADS](*[tuple(column + [nothing] * (GROUP - len(column)))
                                 for column in columns], *constants)
### END REFERENCE ONLY
