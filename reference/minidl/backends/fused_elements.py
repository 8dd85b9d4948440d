### BEGIN REFERENCE ONLY
"""The arithmetic of one element of the kit's fused kernels, shared by the CPU's and the GPU's:
Adam's update (numba_tuned's and cuda_tuned's kernels) and the LSTM step (nn/fused.py's ops,
cuda_tuned's kernel; a Numba CPU kernel of it was slower than cpu_numba's composed ops: its
scalar tanh costs 25 ns where the tuned, vectorised one costs a few).

Adam: g = grad + l2 * data; m = beta1 * m + (1 - beta1) * g; v likewise with g * g; out = data *
decay + m * step / (sqrt(v / correction2) + eps).

LSTM:

The cell's gates come from a = x W_ih^T + b_ih + h W_hh^T + b_hh (batch, 4 hidden), in PyTorch's
order i, f, g, o: i, f, o = sigmoid(.), g = tanh(.); then c' = f c + i g and h' = o tanh(c').
`kind` picks what one call computes, from a, a state `c` (batch, hidden) and a gradient `grad`
(batch, hidden) into out:

    STATE         c' = f c + i g                      (c: the state before the step)
    OUTPUT        h' = o tanh(c')                     (c: c', the state after it)
    STATE_GATES   d a of c', from grad = d c'         (batch, 4 hidden; o's columns zero)
    STATE_C       d c of c', from grad = d c'
    OUTPUT_GATES  d a of h', from grad = d h'         (batch, 4 hidden; only o's columns)
    OUTPUT_C      d c' of h', from grad = d h'
"""
from __future__ import annotations

import math

import numpy as np
from numba.extending import register_jitable

STATE, OUTPUT, STATE_GATES, STATE_C, OUTPUT_GATES, OUTPUT_C = range(6)
# float32 constants, so that float32 arrays' arithmetic stays in float32 (an int makes float64)
HALF, ONE = np.float32(0.5), np.float32(1)


@register_jitable
def _sigmoid(x):
    return (math.tanh(x * HALF) + ONE) * HALF  # as ops.sigmoid computes it


@register_jitable
def lstm_element(kind, a, c, grad, out, k, hidden):
    """Element k (row k // hidden, column k % hidden) of the flat arrays' step `kind`."""
    at = k // hidden * 4 * hidden + k % hidden  # i's column in a; f, g and o follow, hidden apart
    if kind == OUTPUT or kind == OUTPUT_GATES or kind == OUTPUT_C:
        o, t = _sigmoid(a[at + 3 * hidden]), math.tanh(c[k])
        if kind == OUTPUT:
            out[k] = o * t
        elif kind == OUTPUT_C:
            out[k] = grad[k] * o * (ONE - t * t)
        else:
            out[at] = out[at + hidden] = out[at + 2 * hidden] = 0
            out[at + 3 * hidden] = grad[k] * t * o * (ONE - o)
        return
    f = _sigmoid(a[at + hidden])
    if kind == STATE_C:
        out[k] = grad[k] * f
        return
    i, g = _sigmoid(a[at]), math.tanh(a[at + 2 * hidden])
    if kind == STATE:
        out[k] = f * c[k] + i * g
    else:
        d = grad[k]
        out[at] = d * g * i * (ONE - i)
        out[at + hidden] = d * c[k] * f * (ONE - f)
        out[at + 2 * hidden] = d * i * (ONE - g * g)
        out[at + 3 * hidden] = 0


@register_jitable
def adam_element(data, grad, m, v, out, i, l2, beta1, rest1, beta2, rest2, correction2, step,
                 eps, decay):
    """Element i of Adam's step, into m, v (in place) and out."""
    g = grad[i] + l2 * data[i]
    m[i] = beta1 * m[i] + rest1 * g
    v[i] = beta2 * v[i] + rest2 * g * g
    out[i] = data[i] * decay + m[i] * step / (math.sqrt(v[i] / correction2) + eps)
### END REFERENCE ONLY
