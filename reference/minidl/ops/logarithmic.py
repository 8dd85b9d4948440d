"""Operators built on logarithms of sums of exponentials."""
from __future__ import annotations

from ..autograd import Op, Tensor
from ..backends import array_api
from .mathematic import _axes_tuple, _kept_shape


class LogSumExp(Op):
    """log(sum(exp(z), axes)), stable for large |z| by subtracting the maximum first."""

    def __init__(self, axes=None):
        self.axes = axes
        self.softmax_parts = None  # exp(z - max) and its sums, kept for the gradient

    def compute(self, z):
        ### BEGIN SOLUTION hw1
        axes = _axes_tuple(self.axes, z.ndim)
        top = array_api.max(z, axis=axes, keepdims=True)
        shifted = z + array_api.broadcast_to(-top, z.shape)  # negated before it is broadcast
        exps = array_api.exp(shifted)
        total = array_api.sum(exps, axis=axes, keepdims=True)
        self.softmax_parts = exps, total
        return array_api.squeeze(array_api.log(total) + top, axis=axes)
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        z = node.inputs[0]
        kept = _kept_shape(z.shape, _axes_tuple(self.axes, z.ndim))
        return out_grad.reshape(kept).broadcast_to(z.shape) * Softmax(self.axes, self)(z)
        ### END SOLUTION


class Softmax(Op):
    """exp(z) / sum(exp(z), axes), each sum broadcast back over `axes`."""

    def __init__(self, axes=None, logsumexp: LogSumExp | None = None):
        self.axes = axes
        self.logsumexp = logsumexp  # whose forward pass already exponentiated z

    def compute(self, z):
        ### BEGIN SOLUTION hw1
        source = self.logsumexp
        if source is None or source.softmax_parts is None:  # none kept: exponentiate here
            source = LogSumExp(self.axes)
            source.compute(z)
        exps, total = source.softmax_parts
        source.softmax_parts = None  # used once: memory back
        return exps * array_api.broadcast_to(1 / total, exps.shape)
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        # d softmax: s * (g - sum(g * s)) along the axes
        kept = _kept_shape(node.shape, _axes_tuple(self.axes, node.ndim))
        weighted = (out_grad * node).sum(self.axes).reshape(kept).broadcast_to(node.shape)
        return node * (out_grad - weighted)
        ### END SOLUTION


def logsumexp(z: Tensor, axes=None) -> Tensor:
    """log(sum(exp(z))) over `axes` (all axes when None), without overflow."""
    return LogSumExp(axes)(z)


def softmax(z: Tensor, axes=None) -> Tensor:
    """exp(z) / sum(exp(z)) over `axes` (all axes when None), without overflow."""
    return Softmax(axes)(z)
