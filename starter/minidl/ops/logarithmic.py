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
        # YOUR CODE HERE (hw1)
        raise NotImplementedError("hw1")

    def gradient(self, out_grad, node):
        # YOUR CODE HERE (hw1)
        raise NotImplementedError("hw1")


class Softmax(Op):
    """exp(z) / sum(exp(z), axes), each sum broadcast back over `axes`."""

    def __init__(self, axes=None, logsumexp: LogSumExp | None = None):
        self.axes = axes
        self.logsumexp = logsumexp  # whose forward pass already exponentiated z

    def compute(self, z):
        # YOUR CODE HERE (hw1)
        raise NotImplementedError("hw1")

    def gradient(self, out_grad, node):
        # YOUR CODE HERE (hw1)
        raise NotImplementedError("hw1")


def logsumexp(z: Tensor, axes=None) -> Tensor:
    """log(sum(exp(z))) over `axes` (all axes when None), without overflow."""
    return LogSumExp(axes)(z)


def softmax(z: Tensor, axes=None) -> Tensor:
    """exp(z) / sum(exp(z)) over `axes` (all axes when None), without overflow."""
    return Softmax(axes)(z)
