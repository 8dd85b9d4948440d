"""Operators built on logarithms of sums of exponentials."""
from __future__ import annotations

from ..autograd import Op, Tensor
from .mathematic import _axes_tuple, _kept_shape


class LogSumExp(Op):
    """log(sum(exp(z), axes)), stable for large |z| by subtracting the maximum first."""

    def __init__(self, axes=None):
        self.axes = axes

    def compute(self, z):
        ### BEGIN SOLUTION hw1
        axes = _axes_tuple(self.axes, z.ndim)
        top = z.max(axes, keepdims=True)
        shifted = z + (-top).broadcast_to(z.shape)  # negated while small, then broadcast
        total = shifted.exp().sum(axes, keepdims=True)
        return (total.log() + top).squeeze(axes)
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        # exp(z - logsumexp(z)) is the softmax: one exp from the output, nothing kept
        z = node.inputs[0]
        kept = _kept_shape(z.shape, _axes_tuple(self.axes, z.ndim))
        return (z - node.reshape(kept)).exp() * out_grad.reshape(kept)
        ### END SOLUTION


class Softmax(Op):
    """exp(z) / sum(exp(z), axes), each sum broadcast back over `axes`."""

    def __init__(self, axes=None):
        self.axes = axes

    def compute(self, z):
        ### BEGIN SOLUTION hw1
        axes = _axes_tuple(self.axes, z.ndim)
        exps = (z + (-z.max(axes, keepdims=True)).broadcast_to(z.shape)).exp()
        return exps / exps.sum(axes, keepdims=True).broadcast_to(z.shape)
        ### END SOLUTION

    def gradient(self, out_grad, node):
        ### BEGIN SOLUTION hw1
        # d softmax: s * (g - sum(g * s)) along the axes
        kept = _kept_shape(node.shape, _axes_tuple(self.axes, node.ndim))
        weighted = (out_grad * node).sum(self.axes).reshape(kept)
        return node * (out_grad - weighted)
        ### END SOLUTION


def logsumexp(z: Tensor, axes=None) -> Tensor:
    """log(sum(exp(z))) over `axes` (all axes when None), without overflow."""
    return LogSumExp(axes)(z)


def softmax(z: Tensor, axes=None) -> Tensor:
    """exp(z) / sum(exp(z)) over `axes` (all axes when None), without overflow."""
    return Softmax(axes)(z)
