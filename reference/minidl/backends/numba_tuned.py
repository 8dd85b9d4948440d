### BEGIN REFERENCE ONLY
"""The reference's tuned Numba kernels, bound by numba_backend in place of its plain ones.

The starter does not include this module: students write and are given the plain kernels; these
are what the reference trains with and `make bench` measures. Each kernel has the signature and
the semantics of the plain one it replaces; the *_repeated kernels are extra, for NDArray's
reference-only elementwise path.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic, overload, register_jitable

ROWS, COLUMNS, DEPTH = 32, 64, 1024  # the block of out one matmul task computes, k at a time
SHORT, WIDE, LONG = 128, 64, 2048  # matmul adds rows of B for k < SHORT, or p >= WIDE, k < LONG
SHORT_ROWS, SHORT_COLUMNS = 8, 512  # the block of out one such task computes
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
# rows (a bias) or across its columns (a row's maximum or sum): NDArray's reference-only
# _elementwise calls these where it would otherwise copy the vector out to the whole shape.

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


ewise_add_repeated = _repeated_vector_kernel(lambda x, y: x + y)
ewise_mul_repeated = _repeated_vector_kernel(lambda x, y: x * y)
ewise_div_repeated = _repeated_vector_kernel(lambda x, y: x / y)


@njit(parallel=True, cache=True, fastmath=True)
def matmul(a, b, out, m, n, p):
    """out (m, p) = a (m, n) @ b (n, p), all three flat and row-major; parallel and cache-aware."""
    # Two loop orders, each with a contiguous innermost loop that vectorizes. A task is a block
    # of rows by a block of columns of out; rows and columns past the edge repeat the last one.
    A, B, C = a.reshape((m, n)), b.reshape((n, p)), out.reshape((m, p))
    if n < SHORT or (p >= WIDE and n < LONG):
        # i, k, j: rows of out are sums of rows of B weighted by A[i, k]. Eight rows of B at a
        # time into two rows of out, so that each element of out is loaded and stored once per
        # eight products: those loads and stores, not the arithmetic, bound this loop.
        row_blocks = (m + SHORT_ROWS - 1) // SHORT_ROWS
        for task in prange(row_blocks * ((p + SHORT_COLUMNS - 1) // SHORT_COLUMNS)):
            i0, j0 = task % row_blocks * SHORT_ROWS, task // row_blocks * SHORT_COLUMNS
            i1, j1 = min(i0 + SHORT_ROWS, m), min(j0 + SHORT_COLUMNS, p)
            rows = np.zeros((SHORT_ROWS, j1 - j0), dtype=out.dtype)
            whole = n - n % 8
            for k in range(0, whole, 8):
                b0, b1, b2, b3 = B[k, j0:j1], B[k + 1, j0:j1], B[k + 2, j0:j1], B[k + 3, j0:j1]
                b4, b5, b6, b7 = B[k + 4, j0:j1], B[k + 5, j0:j1], B[k + 6, j0:j1], B[k + 7, j0:j1]
                for i in range(0, SHORT_ROWS, 2):
                    u, v = min(i0 + i, m - 1), min(i0 + i + 1, m - 1)  # repeat the last row
                    u0, u1, u2, u3 = A[u, k], A[u, k + 1], A[u, k + 2], A[u, k + 3]
                    u4, u5, u6, u7 = A[u, k + 4], A[u, k + 5], A[u, k + 6], A[u, k + 7]
                    v0, v1, v2, v3 = A[v, k], A[v, k + 1], A[v, k + 2], A[v, k + 3]
                    v4, v5, v6, v7 = A[v, k + 4], A[v, k + 5], A[v, k + 6], A[v, k + 7]
                    r0, r1 = rows[i], rows[i + 1]
                    for j in range(j1 - j0):
                        x0, x1, x2, x3 = b0[j], b1[j], b2[j], b3[j]
                        x4, x5, x6, x7 = b4[j], b5[j], b6[j], b7[j]
                        r0[j] += (u0 * x0 + u1 * x1 + u2 * x2 + u3 * x3
                                  + u4 * x4 + u5 * x5 + u6 * x6 + u7 * x7)
                        r1[j] += (v0 * x0 + v1 * x1 + v2 * x2 + v3 * x3
                                  + v4 * x4 + v5 * x5 + v6 * x6 + v7 * x7)
            for k in range(whole, n):  # the last n % 8 rows of B one at a time
                b_k = B[k, j0:j1]
                for i in range(i1 - i0):
                    aik, row = A[i0 + i, k], rows[i]
                    for j in range(j1 - j0):
                        row[j] += aik * b_k[j]
            C[i0:i1, j0:j1] = rows[:i1 - i0]
        return
    # Out narrower than WIDE, or k from LONG (where the i,k,j order would stream all of B once
    # per eight rows of out): out[i, j] is the dot product of row i of A and row j of B^T (B
    # transposed once), so the loop over k vectorizes. Each pass over k computes a 2x4 tile of
    # out, eight running sums from six rows loaded, DEPTH k at a time so that the rows stay in
    # cache.
    BT = np.empty((p, n), dtype=out.dtype)
    for block in prange((p + COLUMNS - 1) // COLUMNS):
        for k in range(n):
            for j in range(block * COLUMNS, min(block * COLUMNS + COLUMNS, p)):
                BT[j, k] = B[k, j]
    row_blocks = (m + ROWS - 1) // ROWS
    for task in prange(row_blocks * ((p + COLUMNS - 1) // COLUMNS)):
        i0, j0 = task % row_blocks * ROWS, task // row_blocks * COLUMNS
        tile = np.empty((2, 4), dtype=out.dtype)
        for k0 in range(0, n, DEPTH):
            k1 = min(k0 + DEPTH, n)
            for i in range(i0, min(i0 + ROWS, m), 2):
                a0, a1 = A[i, k0:k1], A[min(i + 1, m - 1), k0:k1]
                for j in range(j0, min(j0 + COLUMNS, p), 4):
                    b0, b1 = BT[j, k0:k1], BT[min(j + 1, p - 1), k0:k1]
                    b2, b3 = BT[min(j + 2, p - 1), k0:k1], BT[min(j + 3, p - 1), k0:k1]
                    s00 = s01 = s02 = s03 = s10 = s11 = s12 = s13 = out.dtype.type(0)
                    for k in range(k1 - k0):
                        x, y = a0[k], a1[k]
                        s00 += x * b0[k]
                        s01 += x * b1[k]
                        s02 += x * b2[k]
                        s03 += x * b3[k]
                        s10 += y * b0[k]
                        s11 += y * b1[k]
                        s12 += y * b2[k]
                        s13 += y * b3[k]
                    tile[0, 0], tile[0, 1], tile[0, 2], tile[0, 3] = s00, s01, s02, s03
                    tile[1, 0], tile[1, 1], tile[1, 2], tile[1, 3] = s10, s11, s12, s13
                    for r in range(min(2, m - i)):
                        for c in range(min(4, p - j)):
                            C[i + r, j + c] = tile[r, c] + (C[i + r, j + c] if k0 else 0)
### END REFERENCE ONLY
