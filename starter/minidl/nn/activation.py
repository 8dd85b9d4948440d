"""Activations: ReLU, LeakyReLU, Tanh, Sigmoid, GELU and SiLU, as layers and (leaky_relu, gelu,
silu) as functions."""
from __future__ import annotations

import math

from .. import ops
from ..autograd import Tensor
from .module import Module


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return ops.relu(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, negative_slope * x elsewhere, as PyTorch's leaky_relu."""
    # YOUR CODE HERE (hw7)
    raise NotImplementedError("hw7")


class LeakyReLU(Module):
    """x where x > 0, negative_slope * x elsewhere (see `leaky_relu`)."""

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return ops.tanh(x)


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return ops.sigmoid(x)


_GELU_FORMS = ("none", "tanh")


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF: exactly with erf ("none"), or with tanh's
    approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) ("tanh"), as PyTorch."""
    if approximate not in _GELU_FORMS:
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    # YOUR CODE HERE (hw5)
    raise NotImplementedError("hw5")


class GELU(Module):
    """Gaussian error linear unit, x * Phi(x) (see `gelu`)."""

    def __init__(self, approximate: str = "none"):
        if approximate not in _GELU_FORMS:
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


def silu(x: Tensor) -> Tensor:
    """Sigmoid linear unit (swish), x * sigmoid(x), as PyTorch's silu."""
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


class SiLU(Module):
    """Sigmoid linear unit, x * sigmoid(x) (see `silu`)."""

    def forward(self, x: Tensor) -> Tensor:
        return silu(x)
