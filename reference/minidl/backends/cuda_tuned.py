### BEGIN REFERENCE ONLY
"""The kit's tuned CUDA kernels for `minidl.cuda()`: the device runs the PRIMITIVES listed here
instead of cuda_backend's plain ones and offers the CAPABILITIES (see backends/__init__.py).
The starter does not include this module; students write cuda_backend's kernels.
"""
from __future__ import annotations

import math

import numba

from ..ops.conv_live import live_conv  # noqa: F401 -- the "live_conv" capability
from . import cuda_backend
from .cuda_backend import (BINARY, COMBINE, SIMULATED, THREADS, UNARY, _blocks, _index_arrays,
                           _position, _scalar, cuda, kernel, xp)
from .fused_elements import adam_element, lstm_element
from .views import view_elementwise, view_matmul, view_reduce, view_unary  # noqa: F401

PRIMITIVES = ("matmul",)
CAPABILITIES = ("views", "live_conv", "strided_map", "strided_reduce", "strided_matmul",
                "lstm_cell", "batch_norm", "adam")


# Views read in place: an elementwise primitive or a reduction over views (buffer, strides,
# offset) of the output's shape in one launch, rather than a compact copy and then the
# operation.

def _view_arguments(shape, *views) -> list:
    """Kernel arguments for views (buffer, strides, offset) of `shape`: the shape on the device,
    then each view's buffer, strides on the device and offset."""
    arguments = [_index_arrays(shape, views[0][1])[0]]
    for buffer, strides, offset in views:
        arguments += (buffer, _index_arrays(shape, strides)[1], offset)
    return arguments


def _binary_strided(function):
    """The array-array and array-scalar kernels of `function` over views."""
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

    return ewise_strided, scalar_strided


def _unary_strided(function):
    """The kernel of `function` over a view."""
    apply = cuda.jit(device=True)(function)

    @kernel
    def unary_strided(shape, a, strides, offset, out):
        i = cuda.grid(1)
        if i < out.size:
            out[i] = apply(a[_position(i, shape, strides, offset)])

    return unary_strided


_MAP = {}
for _name, _function in BINARY.items():
    _MAP[f"ewise_{_name}"], _MAP[f"scalar_{_name}"] = _binary_strided(_function)
for _name, _function in UNARY.items():
    _MAP[f"ewise_{_name}"] = _unary_strided(_function)


def map_strided(primitive: str, views, scalars, out, shape) -> None:
    """The elementwise `primitive` over `views` (and a scalar operand) of `shape`, into out."""
    scalars = [_scalar(value, out) for value in scalars]
    _MAP[primitive][_blocks(out.size), THREADS](*_view_arguments(shape, *views), *scalars, out)


def _reduce_strided_kernel(combine, dtype):
    """The reduce kernel over a view read in place, whose row-major elements make the rows,
    `reduce_size` at a time."""
    combine = cuda.jit(device=True)(combine)

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

    return reduce_strided


_REDUCE = {(f"reduce_{name}", dtype): _reduce_strided_kernel(combine, getattr(numba, dtype))
           for name, combine in COMBINE.items() for dtype in ("float32", "float64")}


def reduce_strided(primitive: str, view, out, reduce_size: int, shape) -> None:
    """The reduction `primitive` of each row of reduce_size elements of a view of `shape`."""
    _REDUCE[primitive, str(out.dtype)][out.size, THREADS](*_view_arguments(shape, view), out,
                                                          reduce_size)

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


def matmul_strided(a, b, out, m: int, n: int, p: int) -> None:
    """out = a @ b, for views a of (m, n) and b of (n, p): (buffer, strides, offset) each, read
    in place (on a GPU and in the simulator alike: one launch, no compact copy first)."""
    grid = (math.ceil(p / BLOCK_N), math.ceil(m / BLOCK_M))
    threads = (BLOCK_N // TILE_N, BLOCK_M // TILE_M)
    (a, a_strides, a_offset), (b, b_strides, b_offset) = a, b
    _MATMUL_TILED[str(out.dtype)][grid, threads](a, *a_strides, a_offset, b, *b_strides,
                                                 b_offset, out, m, n, p)


def _register_tiled_matmul(a, b, out, m: int, n: int, p: int) -> None:
    """out = a @ b, for compact a and b."""
    matmul_strided((a, (n, 1), 0), (b, (p, 1), 0), out, m, n, p)


def matmul(a, b, out, m: int, n: int, p: int) -> None:
    """out = a @ b; on a GPU, products at least one block tile wide take the register tiles."""
    if not SIMULATED and m >= BLOCK_M and p >= BLOCK_N:  # the simulator grades hw3b's kernel
        _register_tiled_matmul(a, b, out, m, n, p)
    else:
        cuda_backend.matmul(a, b, out, m, n, p)


# A part of an LSTM step in one launch (fused_elements.py), where lstm_step's composed ops take
# about 16 forward and 40 backward.


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
    outs their new data (the constants are optim_fused's `fused_adam_step`'s, each rounded to the
    dtype as NDArray's scalars are)."""
    constants = [_scalar(value, outs[0]) for value in constants]
    nothing = xp.empty(0, outs[0].dtype)  # fills a short last group's places
    for first in range(0, len(outs), GROUP):
        columns = [list(arrays[first:first + GROUP]) for arrays in (datas, grads, ms, vs, outs)]
        blocks = min(_blocks(max(out.size for out in columns[-1])), MAX_BLOCKS)
        _adam[blocks, THREADS](*[tuple(column + [nothing] * (GROUP - len(column)))
                                 for column in columns], *constants)
### END REFERENCE ONLY
