### BEGIN REFERENCE ONLY
"""The kit's fused layers: an LSTM step and BatchNorm2d's training step as a few kernels each,
where the device has them (its "lstm_cell" and "batch_norm" capabilities), as ops whose
gradients are kernels too; the same numbers as the composed ops students write. The starter
does not include this module.
"""
from __future__ import annotations

from ..autograd import Op, Tensor
from ..backends.fused_elements import OUTPUT, OUTPUT_C, OUTPUT_GATES, STATE, STATE_C, STATE_GATES
from .normalization import BatchNorm2d


# An LSTM step in two launches forward and four backward (the device's `lstm_cell`, see
# backends/fused_elements.py), where lstm_step's composed ops take about 16 and 40.


def _lstm_part(kind: int, a, c, grad=None):
    """Part `kind` of a step from the arrays a (batch, 4 hidden), c and grad (batch, hidden)."""
    a, c = a.compact(), c.compact()
    grad = c if grad is None else grad.compact()
    wide = kind in (STATE_GATES, OUTPUT_GATES)
    out = a.device.empty(a.shape if wide else c.shape, a.dtype)
    a.device.kernels.lstm_cell(kind, a._handle, c._handle, grad._handle, out._handle, c.shape[1])
    return out


class _LSTMPart(Op):
    """c' = f c + i g (STATE) or h' = o tanh(c') (OUTPUT) from a = xs + hs and c (c' for OUTPUT)."""

    def __init__(self, kind: int):
        self.kind = kind

    def compute(self, a, c):
        return _lstm_part(self.kind, a, c)

    def gradient(self, out_grad, node):
        gates, state = (STATE_GATES, STATE_C) if self.kind == STATE else (OUTPUT_GATES, OUTPUT_C)
        return _LSTMPartGradient(gates)(*node.inputs, out_grad), \
            _LSTMPartGradient(state)(*node.inputs, out_grad)


class _LSTMPartGradient(Op):
    """A partial adjoint of an _LSTMPart, from its inputs and out_grad."""

    def __init__(self, kind: int):
        self.kind = kind

    def compute(self, a, c, grad):
        return _lstm_part(self.kind, a, c, grad)

    def gradient(self, out_grad, node):
        raise NotImplementedError("the fused LSTM step has no second derivatives")


def fused_lstm_step(xs: Tensor, hs: Tensor, state: tuple[Tensor, Tensor]):
    """lstm_step's (h', c') in the device's fused kernels."""
    a = xs + hs
    c = _LSTMPart(STATE)(a, state[1])
    return _LSTMPart(OUTPUT)(a, c), c


# BatchNorm2d's training step in 2 launches forward (and the count of batches) and 3 backward,
# where the composed ops take about 19 and 25; the same numbers. Evaluation keeps the composed
# ops.


def _images(x) -> tuple[int, int, int]:
    """An array (n, c, h, w) as (n, c, h * w)."""
    n, c, h, w = x.shape
    return n, c, h * w


def fused_batch_norm_2d(layer: BatchNorm2d, x: Tensor) -> Tensor:
    """BatchNorm2d.forward in training, in the device's fused kernels."""
    data = x.realize_cached_data().compact()
    n, c, hw = _images(data)
    stats, new_mean, new_var = (data.device.empty(shape, data.dtype)
                                for shape in [(2, c), (c,), (c,)])
    data.device.kernels.batch_norm_stats(
        data._handle, stats._handle, layer.running_mean.realize_cached_data()._handle,
        layer.running_var.realize_cached_data()._handle, new_mean._handle, new_var._handle, n, c,
        hw, layer.eps, layer.momentum)
    layer.running_mean.data, layer.running_var.data = map(Tensor.make_const, (new_mean, new_var))
    layer.num_batches_tracked.data = layer.num_batches_tracked + 1.0
    return _BatchNormApply()(x, Tensor.make_const(stats), layer.weight, layer.bias)


class _BatchNormApply(Op):
    """(x - mean) / std * weight + bias per channel of images x, from stats (2, C): each
    channel's mean and 1 / std; the gradient of x includes the statistics' dependence on x."""

    def compute(self, x, stats, weight, bias):
        x = x.compact()
        out = x.device.empty(x.shape, x.dtype)
        _, c, hw = _images(x)
        x.device.kernels.batch_norm_apply(x._handle, stats.compact()._handle,
                                         weight.compact()._handle, bias.compact()._handle,
                                         out._handle, c, hw)
        return out

    def gradient(self, out_grad, node):
        x, stats, weight, _ = node.inputs
        grad_sum = _BatchNormSum(False)(x, stats, out_grad)
        normalized_sum = _BatchNormSum(True)(x, stats, out_grad)
        grad_x = _BatchNormGradX()(x, stats, out_grad, weight, grad_sum, normalized_sum)
        return grad_x, None, normalized_sum, grad_sum


class _BatchNormSum(Op):
    """Each channel's sum of out_grad (d bias), or of out_grad times the normalized x (d weight)."""

    def __init__(self, normalized: bool):
        self.normalized = normalized

    def compute(self, x, stats, grad):
        x, grad = x.compact(), grad.compact()
        n, c, hw = _images(x)
        out = x.device.empty((c,), x.dtype)
        x.device.kernels.batch_norm_sum(self.normalized, x._handle, stats.compact()._handle,
                                       grad._handle, out._handle, n, c, hw)
        return out

    def gradient(self, out_grad, node):
        raise NotImplementedError("the fused BatchNorm2d has no second derivatives")


class _BatchNormGradX(Op):
    """d x of _BatchNormApply, from out_grad and the two _BatchNormSums."""

    def compute(self, x, stats, grad, weight, grad_sum, normalized_sum):
        x, grad = x.compact(), grad.compact()
        n, c, hw = _images(x)
        out = x.device.empty(x.shape, x.dtype)
        x.device.kernels.batch_norm_grad_x(
            x._handle, stats.compact()._handle, grad._handle, weight.compact()._handle,
            grad_sum.compact()._handle, normalized_sum.compact()._handle, out._handle, n, c, hw)
        return out

    def gradient(self, out_grad, node):
        raise NotImplementedError("the fused BatchNorm2d has no second derivatives")
### END REFERENCE ONLY
