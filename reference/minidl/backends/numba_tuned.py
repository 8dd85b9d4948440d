### BEGIN REFERENCE ONLY
"""The kit's tuned Numba kernels for `minidl.cpu_numba()`: the device runs the PRIMITIVES
listed here instead of numba_backend's plain ones and offers the CAPABILITIES (see
backends/__init__.py).

The starter does not include this module: students write and are given the plain kernels; these
are what the reference trains with and `make bench` measures. Each primitive has the signature
and the semantics of the plain one it replaces.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic, overload, register_jitable

from ..ops.conv_live import live_conv  # noqa: F401 -- the "live_conv" capability
from .fused_elements import adam_element
from .views import view_elementwise, view_matmul, view_reduce, view_unary  # noqa: F401

PRIMITIVES = ("compact", "ewise_setitem", "scalar_power", "ewise_exp", "ewise_log", "ewise_tanh",
              "reduce_sum", "reduce_max", "matmul")
CAPABILITIES = ("views", "live_conv", "strided_matmul", "repeated_vector", "adam")

TILE_ROWS, TILE_BYTES = 6, 64  # the tile of out that matmul keeps in registers, k at a time
VECTOR_BYTES = 32  # AVX2's: a row of a tile is two
DEPTH = 256  # k of a tile at a time
TASK_ROWS, TASK_COLUMNS = 160, 256  # about the block of out one matmul task computes
PACK_ROWS = 128  # from this many rows, a matmul task copies B's panels
TASKS = 8  # at least this many tasks, when out has enough tiles
SERIAL = 1 << 21  # matmul runs in one thread below this many multiplications
ROW_BLOCK = 1024  # columns of out a task computes when out has fewer than TILE_ROWS rows
TASK_ELEMENTS = 2048  # about this many elements of a strided view one compact task copies
TILE = 16  # and at least this many rows, TILE numbers of each at a time
LONG_ROW = 32  # from this length, compact copies a contiguous or repeated row as a slice
PARALLEL_ROWS = 16  # below this many rows, a reduction splits each row among the threads
PIECE = 1 << 15  # in pieces of at most this many numbers
SUM_BLOCK = 1024  # numbers a float32 partial sum takes before it joins the row's float64 total


def _index_arrays(shape, strides):
    return np.asarray(shape, dtype=np.int64), np.asarray(strides, dtype=np.int64)


@njit(cache=True)
def _position(i, shape, strides, offset):
    """Buffer position of the i-th element, in row-major order, of a strided view."""
    # numba_backend's, copied: Numba's cache of this module would not see edits to that one
    position, rest = np.int64(offset), np.int64(i)
    for axis in range(shape.size - 1, -1, -1):
        position += (rest % shape[axis]) * strides[axis]
        rest //= shape[axis]
    return position


@njit(cache=True)
def _row_blocks(shape, strides):
    """How _compact and _ewise_setitem split a view into tasks: the rows' length and step, the
    rows one step of the second-last axis apart (run) and that step, rows per task, tasks per
    run."""
    length, step = shape[-1], strides[-1]
    run, row_step = (shape[-2], strides[-2]) if shape.size > 1 else (1, 0)
    per_block = min(run, max(TILE, TASK_ELEMENTS // length))
    return length, step, run, row_step, per_block, (run + per_block - 1) // per_block


@njit(parallel=True, cache=True)
def _compact(a, out, shape, strides, offset):
    """out[i] = the i-th element (row-major) of the view (shape, strides, offset) of a."""
    # A task copies a block of rows (runs along the last axis) that lie one step of the
    # second-last axis apart: one _position for its first row, then additions only. Strided
    # rows go TILE numbers at a time down the block, so that each cache line a transposing
    # copy reads serves several rows before it is evicted.
    length, step, run, row_step, per_block, blocks = _row_blocks(shape, strides)
    for task in prange(out.size // (run * length) * blocks):
        outer, block = task // blocks, task % blocks
        first = outer * run + block * per_block
        last = min(first + per_block, (outer + 1) * run)
        start = _position(first * length, shape, strides, offset)
        if length >= LONG_ROW and (step == 1 or step == 0):  # whole rows: they vectorize
            for row in range(first, last):
                base = row * length
                if step == 1:
                    out[base:base + length] = a[start:start + length]
                else:
                    out[base:base + length] = a[start]
                start += row_step
        else:
            for j0 in range(0, length, TILE):
                for row in range(first, last):
                    base, at = row * length, start + (row - first) * row_step
                    for j in range(j0, min(j0 + TILE, length)):
                        out[base + j] = a[at + j * step]


@njit(parallel=True, cache=True)
def _ewise_setitem(a, out, shape, strides, offset):
    """Write a[i] to the i-th element (row-major) of the view (shape, strides, offset) of out."""
    # The blocks of rows of _compact, in the other direction.
    length, step, run, row_step, per_block, blocks = _row_blocks(shape, strides)
    for task in prange(a.size // (run * length) * blocks):
        outer, block = task // blocks, task % blocks
        first = outer * run + block * per_block
        start = _position(first * length, shape, strides, offset)
        for row in range(first, min(first + per_block, (outer + 1) * run)):
            base = row * length
            if length >= LONG_ROW and step == 1:
                out[start:start + length] = a[base:base + length]
            else:
                for j in range(length):
                    out[start + j * step] = a[base + j]
            start += row_step


def _merged_axes(shape, strides) -> tuple[list[int], list[int]]:
    """The same view with fewer axes: length-1 axes dropped, and each axis that steps
    evenly into the next merged with it; at least one axis."""
    merged_shape, merged_strides = [1], [0]
    for n, stride in zip(shape, strides):
        if n == 1:
            continue
        if merged_strides[-1] == stride * n or merged_shape[-1] == 1:
            merged_shape[-1] *= n
            merged_strides[-1] = stride
        else:
            merged_shape.append(n)
            merged_strides.append(stride)
    return merged_shape, merged_strides


def compact(a, out, shape, strides, offset: int) -> None:
    """numba_backend.compact by blocks of rows of the view with its axes merged."""
    if out.size:
        _compact(a, out, *_index_arrays(*_merged_axes(shape, strides)), offset)


def ewise_setitem(a, out, shape, strides, offset: int) -> None:
    """numba_backend.ewise_setitem by blocks of rows of the view with its axes merged."""
    if a.size:
        _ewise_setitem(a, out, *_index_arrays(*_merged_axes(shape, strides)), offset)


@njit(parallel=True, cache=True)
def scalar_power(a, value, out):
    """out = a ** value."""
    # pow() does not vectorize; the exponents that autodiff and Adam use most have cheaper forms
    for i in prange(out.size):
        if value == 2.0:
            out[i] = a[i] * a[i]
        elif value == 0.5:
            out[i] = np.sqrt(a[i])
        elif value == -1.0:
            out[i] = 1 / a[i]
        else:
            out[i] = a[i] ** value


# Bits of floats, for the math below: LLVM instructions that Numba has no Python spelling for.

@intrinsic
def _bits(typingctx, x):
    """The bits of a float32, as an int32."""
    if x != types.float32:
        return None
    return types.int32(x), lambda context, builder, sig, args: builder.bitcast(args[0],
                                                                               ir.IntType(32))


@intrinsic
def _from_bits(typingctx, i):
    """The float32 whose bits are the low 32 of an integer."""
    if not isinstance(i, types.Integer):
        return None

    def codegen(context, builder, sig, args):
        low = builder.trunc(args[0], ir.IntType(32)) if i.bitwidth > 32 else args[0]
        return builder.bitcast(low, ir.FloatType())

    return types.float32(i), codegen


@intrinsic
def _llvm_maximum(typingctx, a, b):
    """LLVM's maximum of two floats of one type, which it vectorizes."""
    if not (isinstance(a, types.Float) and a == b):
        return None

    def codegen(context, builder, sig, args):
        kind = args[0].type
        maximum = builder.module.declare_intrinsic("llvm.maximum", [kind],
                                                   ir.FunctionType(kind, [kind, kind]))
        return builder.call(maximum, args)

    return a(a, b), codegen


def _maximum(a, b):
    """The larger of two floats, NaN if either is (NumPy's maximum)."""
    return np.maximum(a, b)


@overload(_maximum)
def _maximum_compiled(a, b):
    return lambda a, b: _llvm_maximum(a, b)


# exp, log and tanh of float32 in plain arithmetic, which LLVM vectorizes (the llvmlite on PyPI
# has no vector math library, so np.exp in a loop is one libm call per number). Polynomials
# are minimax fits (Lawson's algorithm) in the relative error. On all 2**32 float32 inputs the
# largest errors are 1.01 ulp (exp), 0.84 (log) and 1.33 (tanh), and inf, NaN, 0 and
# overflow are NumPy's; exp rounds subnormal results (not flushed to 0), log takes subnormal
# inputs. tests/test_numba_math.py checks them. float64 keeps NumPy's functions.

F = np.float32
ONE, TWO, HALF, INF = F(1), F(2), F(0.5), F(np.inf)
LN2_HI, LN2_LO = F(0.693359375), F(-2.12194440e-4)  # ln 2 = HI + LO; n * HI is exact
LOG2E, ROUNDER = F(1.44269504), F(12582912)  # adding 1.5 * 2**23 rounds to an integer
EXP_LOWEST, EXP_HIGHEST = F(-104), F(89)  # exp is 0 below, inf above
E2, E3, E4 = F(0.49999994), F(0.166665196), F(0.0416684076)
E5, E6 = F(0.00836891402), F(0.00138141902)
SQRT_HALF_BITS, MANTISSA = 0x3F3504F3, 0x007FFFFF
SMALLEST_NORMAL, TWO_TO_23 = F(1.17549435e-38), F(8388608)
L1, L2, L3 = F(0.666667759), F(0.399774879), F(0.298732966)
TANH_SMALL = F(0.625)  # below, a polynomial: 1 - 2 / (e**2x + 1) would cancel
T1, T2, T3 = F(-0.333332807), F(0.133314207), F(-0.0537377968)
T4, T5 = F(0.0206325464), F(-0.00569738401)


@register_jitable(fastmath={"contract"})
def _exp32(x):
    """e**x: x = n ln2 + r, |r| <= ln2 / 2; e**r by a polynomial; 2**n from exponent bits."""
    x = EXP_HIGHEST if x > EXP_HIGHEST else x  # comparisons written so that NaN passes
    x = EXP_LOWEST if x < EXP_LOWEST else x
    k = x * LOG2E + ROUNDER  # n is in the low bits of k
    n = k - ROUNDER
    r = x - n * LN2_HI - n * LN2_LO
    p = ONE + (r + r * r * (E2 + r * (E3 + r * (E4 + r * (E5 + r * E6)))))
    # 2**n as two factors, each a normal float32 for n in [-150, 128]: subnormal results round
    # once, in the last product, and overflow to inf there
    i = _bits(k) - _bits(ROUNDER)
    half = i >> 1
    return p * _from_bits((half + 127) << 23) * _from_bits((i - half + 127) << 23)


@register_jitable(fastmath={"contract"})
def _log32(x):
    """log x: x = 2**n m, sqrt(1/2) <= m < sqrt(2); log m = 2 atanh(s), s = (m - 1) / (m + 1)."""
    subnormal = x < SMALLEST_NORMAL
    y = x * TWO_TO_23 if subnormal else x
    k = (_bits(y) & 0x7FFFFFFF) + (0x3F800000 - SQRT_HALF_BITS)  # m >= sqrt 2 carries into n
    n = F((k >> 23) - 127) - (F(23) if subnormal else F(0))
    f = _from_bits((k & MANTISSA) + SQRT_HALF_BITS) - ONE
    s = f / (TWO + f)
    z = s * s
    half_f2 = HALF * f * f
    # log(1 + f) = f - f**2/2 + s (f**2/2 + R(s**2)), so that f, exact, comes first
    result = n * LN2_HI + (f - (half_f2 - (s * (half_f2 + z * (L1 + z * (L2 + z * L3)))
                                           + n * LN2_LO)))
    if not x > 0:
        result = -INF if x == 0 else F(np.nan)
    elif x == INF:
        result = INF
    return result


@register_jitable(fastmath={"contract"})
def _tanh32(x):
    """tanh x: a polynomial for small |x|, else 1 - 2 / (e**2|x| + 1); the sign of x."""
    a = abs(x)
    z = a * a
    small = a + a * z * (T1 + z * (T2 + z * (T3 + z * (T4 + z * T5))))
    large = ONE - TWO / (_exp32(a + a) + ONE)
    return np.copysign(small if a < TANH_SMALL else large, x)


def _float32_fast(fast, libm):
    """A jitable function of a number: `fast` for a float32, NumPy's `libm` for a float64."""
    def function(x):
        return libm(x)

    @overload(function, jit_options={"fastmath": {"contract"}})
    def typed(x):
        return fast if x == types.float32 else lambda x: libm(x)

    return function


def _unary_kernel(function):
    """The kernel applying `function` to each element."""
    @njit(parallel=True, cache=True)
    def unary(a, out):
        for i in prange(out.size):
            out[i] = function(a[i])

    return unary


ewise_exp = _unary_kernel(_float32_fast(_exp32, np.exp))
ewise_log = _unary_kernel(_float32_fast(_log32, np.log))
ewise_tanh = _unary_kernel(_float32_fast(_tanh32, np.tanh))


# Reductions of rows: a row's numbers go through the vector lanes of one thread, and a few long
# rows are each split into pieces among the threads.

@register_jitable(fastmath={"reassoc"})
def _row_sum(row):
    """The sum of a contiguous row, in float64: its numbers in SUM_BLOCK blocks of float32 sums."""
    total = 0.0
    for start in range(0, row.size, SUM_BLOCK):
        block, partial = row[start:start + SUM_BLOCK], row.dtype.type(0)
        for j in range(block.size):
            partial += block[j]  # reassociated: several vector accumulators
        total += partial
    return total


@register_jitable
def _row_max(row):
    """The largest number of a contiguous row (not empty); NaN if it holds one."""
    best = row[0]
    for j in range(1, row.size):
        best = _maximum(best, row[j])
    return best


def _reduction(reduce_row):
    """The kernel out[i] = reduce_row(a[i * reduce_size : (i + 1) * reduce_size])."""
    @njit(parallel=True, cache=True)
    def reduce(a, out, reduce_size):
        if out.size >= PARALLEL_ROWS or reduce_size <= PIECE:  # a thread per row
            for i in prange(out.size):
                out[i] = reduce_row(a[i * reduce_size:(i + 1) * reduce_size])
            return
        length = -(-reduce_size // -(-reduce_size // PIECE))  # none longer than PIECE
        pieces = -(-reduce_size // length)  # none empty
        partial = np.empty(out.size * pieces)
        for task in prange(out.size * pieces):
            row, piece = divmod(task, pieces)
            start = row * reduce_size + piece * length
            partial[task] = reduce_row(a[start:min(start + length, (row + 1) * reduce_size)])
        for i in range(out.size):
            out[i] = reduce_row(partial[i * pieces:(i + 1) * pieces])

    return reduce


reduce_sum = _reduction(_row_sum)
reduce_max = _reduction(_row_max)


# Elementwise operations of a compact array (rows, columns) with a vector repeated down its
# rows (a bias) or across its columns (a row's maximum or sum): views.view_elementwise calls
# these where NDArray would otherwise copy the vector out to the whole shape.

def _repeated_vector_kernel(function):
    """out[i, j] = function(a[i, j], v[offset + j] down rows, else v[offset + i])."""
    apply = register_jitable(function)

    @njit(parallel=True, cache=True)
    def repeated(a, v, offset, out, columns, down_rows):
        for i in prange(out.size // columns):
            row, result = a[i * columns:(i + 1) * columns], out[i * columns:(i + 1) * columns]
            if down_rows:
                vector = v[offset:offset + columns]
                for j in range(columns):
                    result[j] = apply(row[j], vector[j])
            else:
                value = v[offset + i]
                for j in range(columns):
                    result[j] = apply(row[j], value)

    return repeated


_REPEATED = {"ewise_add": _repeated_vector_kernel(lambda x, y: x + y),
             "ewise_mul": _repeated_vector_kernel(lambda x, y: x * y),
             "ewise_div": _repeated_vector_kernel(lambda x, y: x / y)}


def ewise_repeated(ewise: str, a, v, offset: int, out, columns: int, down_rows: bool) -> None:
    """`ewise` (of REPEATABLE) of a compact (rows, columns) array and a vector repeated down its
    rows or across its columns, from v[offset:]."""
    _REPEATED[ewise](a, v, offset, out, columns, down_rows)


# matmul keeps a tile of out in registers while it runs over k, as BLAS does. Numba's LLVM keeps
# a running sum in a register only as a scalar or a reduction's lanes, not a tile of out, so
# _tile_in_registers writes that loop in LLVM's vectors.

def _tile(a, a_start, a_row, a_step, rows, b, b_start, stride, depth, out, out_start, p,
          accumulate):
    """out[out_start + r * p + j] for r < TILE_ROWS, j < TILE_BYTES / itemsize: the sum over
    k < depth of a[a_start + min(r, rows - 1) * a_row + k * a_step] * b[b_start + k * stride + j],
    plus its value before if accumulate. (In NumPy where Numba's JIT is off.)"""
    k, rows_at = np.arange(depth), np.minimum(np.arange(TILE_ROWS), rows - 1)[:, None]
    columns = np.arange(TILE_BYTES // out.itemsize)
    at = out_start + np.arange(TILE_ROWS)[:, None] * p + columns
    sums = a[a_start + rows_at * a_row + k * a_step] @ b[b_start + k[:, None] * stride + columns]
    out[at] = sums + out[at] if accumulate else sums


@overload(_tile)
def _tile_compiled(a, a_start, a_row, a_step, rows, b, b_start, stride, depth, out, out_start,
                   p, accumulate):
    return lambda a, a_start, a_row, a_step, rows, b, b_start, stride, depth, out, out_start, \
        p, accumulate: _tile_in_registers(a, a_start, a_row, a_step, rows, b, b_start, stride,
                                          depth, out, out_start, p, accumulate)


@intrinsic
def _tile_in_registers(typingctx, a, a_start, a_row, a_step, rows, b, b_start, stride, depth,
                       out, out_start, p, accumulate):
    """_tile, its sums kept in registers."""
    if not all(isinstance(x, types.Array) and x.layout == "C" and x.dtype == out.dtype
               and x.dtype in (types.float32, types.float64) for x in (a, b, out)):
        return None
    sig = types.void(a, a_start, a_row, a_step, rows, b, b_start, stride, depth, out, out_start,
                     p, accumulate)

    def codegen(context, builder, sig, args):
        a, a_start, a_row, a_step, rows, b, b_start, stride, depth, out, out_start, p, \
            accumulate = args
        number = context.get_data_type(sig.args[0].dtype)
        vector = ir.VectorType(number, VECTOR_BYTES // (4 if number == ir.FloatType() else 8))
        a, b, out = (context.make_array(t)(context, builder, x).data
                     for t, x in ((sig.args[0], a), (sig.args[5], b), (sig.args[9], out)))
        last = builder.sub(rows, _i64(1))
        a_rows = [builder.gep(a, [builder.add(a_start, builder.mul(builder.select(
            builder.icmp_signed("<", _i64(r), rows), _i64(r), last), a_row))])  # past rows, the
            for r in range(TILE_ROWS)]  # last
        sums = _tile_loop(builder, vector, a_rows, a_step, builder.gep(b, [b_start]), stride,
                          depth)
        pointers = [_vector_at(builder, out, builder.add(out_start, builder.add(
            builder.mul(_i64(r), p), _i64(v * vector.count))), vector)
            for r in range(TILE_ROWS) for v in range(TILE_BYTES // VECTOR_BYTES)]
        with builder.if_else(accumulate) as (add, assign):
            with add:
                for pointer, value in zip(pointers, sums):
                    builder.store(builder.fadd(builder.load(pointer, align=4), value), pointer,
                                  align=4)
            with assign:  # no loads, which would wait for out's memory
                for pointer, value in zip(pointers, sums):
                    builder.store(value, pointer, align=4)
        return context.get_dummy_value()

    return sig, codegen


def _tile_loop(builder, vector, a_rows, a_step, b, stride, depth):
    """The loop over k < depth of sums[r, v] += a_rows[r][k * a_step] * (vector v of
    b[k * stride:]):
    TILE_ROWS by TILE_BYTES / VECTOR_BYTES vectors of sums, which it returns."""
    zero, per_row = ir.Constant(vector, None), TILE_BYTES // VECTOR_BYTES
    fmuladd = builder.module.declare_intrinsic(
        f"llvm.fmuladd.v{vector.count}f{VECTOR_BYTES * 8 // vector.count}", (),
        ir.FunctionType(vector, [vector] * 3))
    entry, loop = builder.block, builder.append_basic_block("tile.loop")
    done = builder.append_basic_block("tile.done")
    builder.cbranch(builder.icmp_signed(">", depth, _i64(0)), loop, done)
    builder.position_at_end(loop)
    k = builder.phi(ir.IntType(64))
    sums = [builder.phi(vector) for _ in range(TILE_ROWS * per_row)]
    row, a_k_at = builder.mul(k, stride), builder.mul(k, a_step)
    b_k = [builder.load(_vector_at(builder, b, builder.add(row, _i64(v * vector.count)), vector),
                        align=4) for v in range(per_row)]
    new = []
    for a_row in a_rows:
        a_k = builder.insert_element(zero, builder.load(builder.gep(a_row, [a_k_at])), _i32(0))
        a_k = builder.shuffle_vector(a_k, zero, ir.Constant(ir.VectorType(ir.IntType(32),
                                                                          vector.count), None))
        new += [builder.call(fmuladd, [a_k, b_k[v], sums[len(new) + v]]) for v in range(per_row)]
    k_next = builder.add(k, _i64(1))
    builder.cbranch(builder.icmp_signed("<", k_next, depth), loop, done)
    k.add_incoming(_i64(0), entry)
    k.add_incoming(k_next, loop)
    builder.position_at_end(done)
    results = []
    for phi, value in zip(sums, new):
        phi.add_incoming(zero, entry)
        phi.add_incoming(value, loop)
        results.append(builder.phi(vector))
        results[-1].add_incoming(zero, entry)
        results[-1].add_incoming(value, loop)
    return results


def _i64(value):
    """An LLVM 64-bit integer constant."""
    return ir.Constant(ir.IntType(64), value)


def _i32(value):
    """An LLVM 32-bit integer constant."""
    return ir.Constant(ir.IntType(32), value)


def _vector_at(builder, pointer, index, vector):
    """A pointer to the vector of numbers from pointer[index]."""
    return builder.bitcast(builder.gep(pointer, [index]), vector.as_pointer())


@register_jitable
def _ceil(x, y):
    """x / y rounded up."""
    return -(-x // y)


@register_jitable
def _pack(b, view, k, depth, j0, j1, packed):
    """B[k:k + depth, j0:j1] (B the matrix `view` of b) into packed as panels of the tile's width
    one after another, each row after row, the last zero past column j1; row by row of B."""
    width = TILE_BYTES // b.itemsize
    whole = (j1 - j0) // width
    offset, row_stride, step = view
    for row in range(depth):
        at = offset + (k + row) * row_stride + j0 * step
        for panel in range(whole):
            for c in range(width):  # a loop of known length: a few vector moves
                packed[(panel * depth + row) * width + c] = b[at + (panel * width + c) * step]
        if whole * width < j1 - j0:
            for c in range(width):
                j = whole * width + c
                packed[(whole * depth + row) * width + c] = b[at + j * step] if j < j1 - j0 else 0


@register_jitable
def _matmul_block(a, a_view, b, b_view, out, n, p, i0, i1, j0, j1):
    """out[i0:i1, j0:j1] of matmul, j0 a multiple of the tile's width, tile by tile."""
    width = TILE_BYTES // out.itemsize
    packed = np.empty(DEPTH * _ceil(j1 - j0, width) * width, dtype=out.dtype)
    edge = np.empty(TILE_ROWS * width, dtype=out.dtype)  # a tile past out's edges
    (a_offset, a_row, a_step), (b_offset, b_row, b_step) = a_view, b_view
    # B's rows lie far apart: for many rows of out, a copy of its panels side by side; else only
    # of a last, narrower panel, which the copy pads (and all of B where its rows have gaps)
    first = j0 if i1 - i0 >= PACK_ROWS or b_step != 1 else j0 + (j1 - j0) // width * width
    for k in range(0, n, DEPTH):
        depth = min(DEPTH, n - k)
        _pack(b, b_view, k, depth, first, j1, packed)
        for j in range(j0, j1, width):
            columns = min(width, p - j)
            source, start, stride = b, b_offset + k * b_row + j, b_row
            if j >= first:
                source, start, stride = packed, (j - first) * depth, width
            for i in range(i0, i1, TILE_ROWS):
                rows, a_start = min(TILE_ROWS, i1 - i), a_offset + i * a_row + k * a_step
                if rows == TILE_ROWS and columns == width:
                    _tile(a, a_start, a_row, a_step, rows, source, start, stride, depth, out,
                          i * p + j, p, k > 0)
                    continue
                _tile(a, a_start, a_row, a_step, rows, source, start, stride, depth, edge, 0,
                      width, False)
                for r in range(rows):
                    at = (i + r) * p + j
                    for c in range(columns):
                        out[at + c] = edge[r * width + c] + (out[at + c] if k else 0)


@register_jitable
def _matmul_row(a, a_view, b, b_view, out, n, p, i, j0, j1):
    """out[i, j0:j1] of matmul, a sum of rows of B read whole and in order (for few rows; B's
    rows contiguous)."""
    (a_offset, a_row, a_step), (b_offset, b_row, _) = a_view, b_view
    x, row = a[a_offset + i * a_row:], out[i * p + j0:i * p + j1]
    b = b[b_offset + j0:]
    row[:] = 0
    for k in range(0, n - n % 4, 4):  # four rows of B for each load and store of out's
        x0, x1 = x[k * a_step], x[(k + 1) * a_step]
        x2, x3 = x[(k + 2) * a_step], x[(k + 3) * a_step]
        b0, b1 = b[k * b_row:k * b_row + j1 - j0], b[(k + 1) * b_row:(k + 1) * b_row + j1 - j0]
        b2 = b[(k + 2) * b_row:(k + 2) * b_row + j1 - j0]
        b3 = b[(k + 3) * b_row:(k + 3) * b_row + j1 - j0]
        for j in range(j1 - j0):
            row[j] += x0 * b0[j] + x1 * b1[j] + x2 * b2[j] + x3 * b3[j]
    for k in range(n - n % 4, n):
        x_k, b_k = x[k * a_step], b[k * b_row:k * b_row + j1 - j0]
        for j in range(j1 - j0):
            row[j] += x_k * b_k[j]


@njit(parallel=True, cache=True, fastmath=True)
def matmul(a, b, out, m, n, p, views=None):
    """out (m, p) = A (m, n) @ B (n, p), all three flat and row-major, or A and B the `views`
    ((offset, row stride, column stride) of A in a, of B in b); parallel and cache-aware."""
    a_view = (0, n, 1) if views is None else views[0]  # (not unpacked: Numba's parfors fail)
    b_view = (0, p, 1) if views is None else views[1]
    rows_of_b = b_view[2] == 1  # B's rows lie whole in b: few rows of out are sums of them
    if m * n * p < SERIAL:  # threads would cost more than they save
        if (m < TILE_ROWS and rows_of_b) or n == 0:
            for i in range(m):
                _matmul_row(a, a_view, b, b_view, out, n, p, i, 0, p)
        else:
            _matmul_block(a, a_view, b, b_view, out, n, p, 0, m, 0, p)
        return
    if m < TILE_ROWS and rows_of_b:
        blocks = _ceil(p, ROW_BLOCK)
        for task in prange(m * blocks):
            i, j0 = task // blocks, task % blocks * ROW_BLOCK
            _matmul_row(a, a_view, b, b_view, out, n, p, i, j0, min(j0 + ROW_BLOCK, p))
        return
    # Blocks of whole tiles, about TASK_ROWS rows by TASK_COLUMNS columns but at least TASKS
    # blocks, so that the threads share the work evenly
    tiles, column_blocks = _ceil(m, TILE_ROWS), _ceil(p, TASK_COLUMNS)
    row_blocks = min(max(_ceil(m, TASK_ROWS), _ceil(TASKS, column_blocks)), tiles)
    for task in prange(row_blocks * column_blocks):
        block, j0 = task % row_blocks, task // row_blocks * TASK_COLUMNS
        i0, i1 = block * tiles // row_blocks, (block + 1) * tiles // row_blocks
        _matmul_block(a, a_view, b, b_view, out, n, p, i0 * TILE_ROWS, min(i1 * TILE_ROWS, m),
                      j0, min(j0 + TASK_COLUMNS, p))


def matmul_strided(a_view, b_view, out, m: int, n: int, p: int) -> None:
    """out (m, p) = A @ B for matrices given as views (buffer, (row stride, column stride),
    offset) of flat buffers, read in place: a transposed operand is not copied first."""
    (a, (a_row, a_step), a_offset), (b, (b_row, b_step), b_offset) = a_view, b_view
    matmul(a, b, out, m, n, p, ((a_offset, a_row, a_step), (b_offset, b_row, b_step)))



@njit(parallel=True)  # not cached: Numba's cache would not see fused_elements.py change
def _adam(data, grad, m, v, out, l2, beta1, rest1, beta2, rest2, correction2, step, eps, decay):
    for i in prange(out.size):
        adam_element(data, grad, m, v, out, i, l2, beta1, rest1, beta2, rest2, correction2, step,
                     eps, decay)


def adam_update(datas, grads, ms, vs, outs, *constants: float) -> None:
    """One Adam step of parameters of one dtype, one pass each (the plain update is about 13):
    their m and v updated in place, outs their new data (the constants are optim's
    `fused_adam_step`'s)."""
    constants = [outs[0].dtype.type(value) for value in constants]
    for data, grad, m, v, out in zip(datas, grads, ms, vs, outs):
        _adam(data, grad, m, v, out, *constants)
### END REFERENCE ONLY
